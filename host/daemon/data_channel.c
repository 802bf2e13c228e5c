/* The DOTS data channel inside scrubd (data_channel.h). */
#include "data_channel.h"

#include "dots_data.h"
#include "log.h"

int data_channel_start(struct scrubd *d, struct scrub_err *err)
{
    const struct scrubd_dots_options *o = &d->opt.dots;
    if (!o->data_port)
        return 0;
    struct dots_data_config cfg = {
        .address = o->data_address,
        .port = o->data_port,
        .ca_file = o->ca_file,
        .crl_file = o->crl_file,
        .cert_file = o->cert_file,
        .key_file = o->key_file,
        .yang_dir = o->yang_dir,
        .store = d->store,
        .core = d->core,
        .log = log_dots,
        .log_ctx = (void *)"dots data",
    };
    return dots_data_start(d->base, &cfg, &d->dots_data, err);
}

void data_channel_reload(struct scrubd *d)
{
    struct scrub_err err;
    if (!d->dots_data)
        return;
    if (dots_data_reload(d->dots_data, &err) < 0)
        log_error("dots data: certificates not reloaded, the old ones stay: %s", err.msg);
    else
        log_info("dots data: certificates reloaded: certificate %s, CAs %s%s%s; new handshakes use them",
                 d->opt.dots.cert_file, d->opt.dots.ca_file, d->opt.dots.crl_file ? ", CRLs " : "",
                 d->opt.dots.crl_file ? d->opt.dots.crl_file : "");
}

void data_channel_stop(struct scrubd *d)
{
    dots_data_stop(d->dots_data);
    d->dots_data = NULL;
}
