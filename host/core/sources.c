/* Source entries added at run time: (tenant, address) -> accept, drop or
 * police, in the exact-match table beside the configured ones (a run-time
 * entry replaces a configured one of the same key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_internal.h"

struct source_ctx {
    struct scrub_store_source next;
    bool existed;
    struct scrub_store_source old;
    char old_policer[128];
    bool remove;
};

static int source_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct source_ctx *x = ctx;
    if (x->remove)
        return scrub_store_source_delete(c->store, x->next.tenant, x->next.address, err);
    return scrub_store_source_put(c->store, &x->next, err);
}

static int source_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct source_ctx *x = ctx;
    if (x->existed)
        return scrub_store_source_put(c->store, &x->old, err);
    return scrub_store_source_delete(c->store, x->next.tenant, x->next.address, err);
}

static const struct core_source *find(const struct scrub_core *c, const char *tenant, const struct scrub_addr *addr)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (strcmp(c->sources[i].tenant, tenant) == 0 && scrub_addr_eq(&c->sources[i].addr, addr))
            return &c->sources[i];
    return NULL;
}

static void remember(struct source_ctx *x, const struct core_source *s)
{
    if (!s)
        return;
    x->existed = true;
    snprintf(x->old_policer, sizeof(x->old_policer), "%s", s->policer ? s->policer : "");
    x->old = (struct scrub_store_source){.tenant = x->next.tenant,
                                         .address = x->next.address,
                                         .action = s->action,
                                         .policer = s->policer ? x->old_policer : NULL,
                                         .updated_at = time(NULL)};
}

int scrub_core_source_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_source_req *r,
                          struct scrub_err *err)
{
    char what[300], addr[SCRUB_PREFIX_TEXT];
    *err = (struct scrub_err){0};
    scrub_addr_format(&r->addr, addr, sizeof(addr));
    snprintf(what, sizeof(what), "source put %s %s %s%s%s", r->tenant ? r->tenant : "", addr,
             scrub_store_source_action_name(r->action), r->policer ? " " : "", r->policer ? r->policer : "");
    if (core_need_card(c, a, what, err) || core_load(c, err))
        return -1;
    const struct core_tenant *t = core_tenant(c, r->tenant);
    long policer = core_policer_index(c->cfg, r->policer);
    if (!t)
        scrub_err_set(err, ENOENT, "unknown tenant '%s' (scrubctl client list shows them)", r->tenant ? r->tenant : "");
    else if (!a->operator && (!a->who || strcmp(a->who, r->tenant) != 0))
        scrub_err_set(err, EACCES, "not authorized: '%s' cannot change the sources of '%s'", a->who ? a->who : "",
                      r->tenant);
    else if (r->action == SCRUB_STORE_SOURCE_POLICE && policer < 0)
        scrub_err_set(err, ENOENT, "a policed source needs a configured policer; '%s' is not one",
                      r->policer ? r->policer : "");
    else if (r->action == SCRUB_STORE_SOURCE_POLICE && c->cfg->policers[policer].per_source_bits)
        scrub_err_set(err, EINVAL, "policer '%s' is a per-source group; a source entry needs a single policer",
                      r->policer);
    else if (r->action != SCRUB_STORE_SOURCE_POLICE && r->policer)
        scrub_err_set(err, EINVAL, "only a policed source names a policer");
    else if (!scrub_addr_is_v4(&r->addr) && !(c->hal->caps.match & SCRUB_CAP_MATCH_IPV6_MASK))
        scrub_err_set(err, ENOTSUP, "this card does not match IPv6 sources");
    const struct core_source *old = t ? find(c, r->tenant, &r->addr) : NULL;
    if (!err->code && t->has_quotas && !old) {
        uint32_t used = 0;
        for (size_t i = 0; i < c->n_sources; i++)
            used += strcmp(c->sources[i].tenant, r->tenant) == 0;
        if (used >= t->quotas.source_entries)
            scrub_err_set(err, EDQUOT,
                          "quota: client '%s' has %u source entries of its quota of %u; remove one first, or raise "
                          "the quota",
                          r->tenant, used, t->quotas.source_entries);
    }
    if (err->code)
        return core_refuse(c, a, what, err);
    char tenant[256];
    snprintf(tenant, sizeof(tenant), "%s", r->tenant);
    struct source_ctx x = {.next = {.tenant = tenant,
                                    .address = addr,
                                    .action = r->action,
                                    .policer = r->policer,
                                    .updated_at = time(NULL)}};
    remember(&x, old);
    struct core_change ch = {.what = what, .do_it = source_do, .undo = source_undo, .ctx = &x};
    return core_change(c, a, &ch, err);
}

int scrub_core_source_remove(struct scrub_core *c, const struct scrub_actor *a, const char *tenant,
                             const struct scrub_addr *addr, struct scrub_err *err)
{
    char what[300], text[SCRUB_PREFIX_TEXT];
    *err = (struct scrub_err){0};
    scrub_addr_format(addr, text, sizeof(text));
    snprintf(what, sizeof(what), "source remove %s %s", tenant ? tenant : "", text);
    if (core_need_card(c, a, what, err) || core_load(c, err))
        return -1;
    const struct core_source *old = tenant ? find(c, tenant, addr) : NULL;
    if (!old)
        scrub_err_set(err, ENOENT, "no source entry %s of '%s' added at run time (configured ones are changed in "
                                   "the configuration file)",
                      text, tenant ? tenant : "");
    else if (!a->operator && (!a->who || strcmp(a->who, tenant) != 0))
        scrub_err_set(err, EACCES, "not authorized: '%s' cannot change the sources of '%s'", a->who ? a->who : "",
                      tenant);
    if (err->code)
        return core_refuse(c, a, what, err);
    char t[256];
    snprintf(t, sizeof(t), "%s", tenant);
    struct source_ctx x = {.next = {.tenant = t, .address = text}, .remove = true};
    remember(&x, old);
    struct core_change ch = {.what = what, .do_it = source_do, .undo = source_undo, .ctx = &x};
    return core_change(c, a, &ch, err);
}
