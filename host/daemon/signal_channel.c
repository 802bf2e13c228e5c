/* The DOTS signal channel inside scrubd (signal_channel.h). */
#include "signal_channel.h"

#include "dots_schema.h"
#include "dots_signal.h"
#include "log.h"

int signal_channel_start(struct scrubd *d, struct scrub_err *err)
{
    const struct scrubd_dots_options *o = &d->opt.dots;
    if (!o->cert_file)
        return 0;
    if (dots_schema_open(o->yang_dir, &d->dots_schema, err))
        return scrub_err_prefix(err, "the DOTS signal channel");
    struct dots_signal_config cfg = {
        .address = o->address,
        .port = o->port,
        .ca_file = o->ca_file,
        .crl_file = o->crl_file,
        .cert_file = o->cert_file,
        .key_file = o->key_file,
        .schema = d->dots_schema,
        .store = d->store,
        .core = d->core,
        .ranges = &o->ranges,
        .notify_period_s = o->notify_s,
        .terminating_s = o->terminating_s,
        .config_max_age_s = o->config_max_age_s,
        .observe_keepalive_s = o->observe_keepalive_s,
        .limits = &o->limits,
        .cuid_from_cert = o->cuid_from_cert,
        .log = log_dots,
        .log_ctx = (void *)"dots signal",
    };
    return dots_signal_start(d->base, &cfg, &d->dots_signal, err);
}

void signal_channel_stop(struct scrubd *d)
{
    dots_signal_stop(d->dots_signal);
    d->dots_signal = NULL;
    dots_schema_close(d->dots_schema);
    d->dots_schema = NULL;
}

void signal_channel_reload(struct scrubd *d)
{
    struct scrub_err err;
    if (d->dots_signal && dots_signal_reload(d->dots_signal, &err) < 0)
        log_error("dots signal: certificates not reloaded, the old ones stay: %s", err.msg);
}
