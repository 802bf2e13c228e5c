#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "log.h"
#include "reload.h"

int config_load_first(struct scrubd *d, struct scrub_err *err)
{
    if (scrub_config_load(d->opt.config_path, NULL, &d->cfg, err))
        return -1;
    d->cfg_generation = 1;
    d->cfg_loaded_at = time(NULL);
    log_info("configuration %s: %zu tenants, %zu profiles, %zu policers", d->opt.config_path, d->cfg.n_tenants,
             d->cfg.n_profiles, d->cfg.n_policers);
    return 0;
}

static void audit(struct scrubd *d, enum scrub_store_who who_kind, const char *who, enum scrub_store_channel channel,
                  const char *result)
{
    char what[1024];
    snprintf(what, sizeof(what), "configuration reload %s", d->opt.config_path);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct scrub_store_audit a = {
        .at_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000,
        .who_kind = who_kind,
        .who = who,
        .channel = channel,
        .what = what,
        .result = result,
    };
    struct scrub_err err = {0};
    if (scrub_store_begin(d->store, &err) || scrub_store_audit_append(d->store, &a, &err) ||
        scrub_store_commit(d->store, &err))
        log_error("audit log: %s", err.msg);
}

int config_reload(struct scrubd *d, enum scrub_store_who who_kind, const char *who, enum scrub_store_channel channel,
                  struct scrub_err *err)
{
    struct scrub_config next;
    if (scrub_config_load(d->opt.config_path, NULL, &next, err)) {
        scrub_err_prefix(err, "reload refused, the running configuration (generation %u) is kept",
                         d->cfg_generation);
        log_error("%s (asked by %s)", err->msg, who);
        audit(d, who_kind, who, channel, err->msg);
        return -1;
    }
    /* The card gets the new configuration (only the difference); a
     * configuration that does not fit with what is stored is refused. */
    if (scrub_core_set_config(d->core, &next, err)) {
        scrub_config_free(&next);
        scrub_err_prefix(err, "reload refused, the running configuration (generation %u) is kept",
                         d->cfg_generation);
        log_error("%s (asked by %s)", err->msg, who);
        audit(d, who_kind, who, channel, err->msg);
        return -1;
    }
    scrub_config_free(&d->cfg);
    d->cfg = next;
    struct scrub_err ignored = {0};
    scrub_core_set_config(d->core, &d->cfg, &ignored); /* the same contents at their final address: no writes */
    d->cfg_generation++;
    d->cfg_loaded_at = time(NULL);
    log_info("configuration %s reloaded (generation %u, asked by %s): %zu tenants, %zu profiles, %zu policers; "
             "the card has it",
             d->opt.config_path, d->cfg_generation, who, d->cfg.n_tenants, d->cfg.n_profiles, d->cfg.n_policers);
    audit(d, who_kind, who, channel, "ok");
    return 0;
}
