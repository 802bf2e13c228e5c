/* Lays a configuration onto the card through the core's one path
 * (host/core, docs/mitigations.md): the desired image of the configuration
 * alone, built against the card's shadow tables read back, synced in one
 * transaction, committed, then CTRL.ENABLE. */
#include "config_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card_image.h"
#include "card_readback.h"
#include "card_sync.h"

/* The commit, unless the sync made one (an apply always ends in one), then
 * CTRL.ENABLE. */
static int commit_and_enable(struct scrub_hal *h, bool commit, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t ctrl = scrub_txn_read(&t, SCRUB_REG_CTRL);
    t.commit = commit;
    int rc = scrub_hal_run(h, &t, err);
    if (rc) {
        scrub_err_prefix(err, "applying the configuration (the commit)");
    } else {
        uint32_t v = t.ops[ctrl].value | SCRUB_CTRL_ENABLE_MASK;
        scrub_txn_reset(&t);
        scrub_txn_write(&t, SCRUB_REG_CTRL, v);
        rc = scrub_hal_run(h, &t, err);
        if (rc)
            scrub_err_prefix(err, "enabling the card after the commit");
    }
    scrub_txn_free(&t);
    return rc;
}

static int write_image(struct scrub_hal *h, const struct scrub_config *cfg, const struct card_image *cur,
                       const struct card_image *want, struct scrub_err *err)
{
    struct card_sync_stats st;
    if (card_sync(h, cur, want, &st, NULL, NULL, err)) {
        if (st.failed_on_em && st.failed_insert && st.failed_em.tenant >= 1 && st.failed_em.tenant <= cfg->n_tenants) {
            char addr[SCRUB_PREFIX_TEXT];
            scrub_addr_format(&st.failed_em.addr, addr, sizeof(addr));
            *err = st.card_error;
            return scrub_err_prefix(err,
                                    "applying the configuration, inserting tenant %s source %s (nothing committed; "
                                    "the sources inserted before it stay)",
                                    cfg->tenants[st.failed_em.tenant - 1].name, addr);
        }
        return scrub_err_prefix(err, "applying the configuration");
    }
    return commit_and_enable(h, !st.committed, err);
}

int scrub_config_apply(struct scrub_hal *h, const struct scrub_config *cfg, struct scrub_layout *layout,
                       struct scrub_err *err)
{
    memset(layout, 0, sizeof(*layout));
    if (!h || !cfg)
        return scrub_err_set(err, EINVAL, "applying a configuration needs a card and a configuration");
    struct card_image cur, want;
    if (card_readback_shadow(h, &cur, err))
        return scrub_err_prefix(err, "applying the configuration (nothing written)");
    struct image_input in = {.cfg = cfg};
    int rc = card_image_build(&in, &h->caps, &cur, &want, err);
    if (rc == 0) {
        rc = write_image(h, cfg, &cur, &want, err);
        if (rc == 0) {
            *layout = want.layout;
            memset(&want.layout, 0, sizeof(want.layout));
        }
        card_image_free(&want);
    }
    card_image_free(&cur);
    return rc;
}

void scrub_layout_free(struct scrub_layout *layout)
{
    if (!layout)
        return;
    for (size_t i = 0; i < layout->n_counters; i++)
        free(layout->counters[i].name);
    free(layout->counters);
    memset(layout, 0, sizeof(*layout));
}

const char *scrub_counter_kind_name(enum scrub_counter_kind kind)
{
    switch (kind) {
    case SCRUB_COUNTER_DEST:
        return "dest";
    case SCRUB_COUNTER_EM:
        return "em";
    case SCRUB_COUNTER_ACL:
        return "acl";
    case SCRUB_COUNTER_POLICER:
        return "policer";
    }
    return "?";
}
