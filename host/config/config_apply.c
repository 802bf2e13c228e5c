/* Writes a plan (config_plan.c) to the card: one transaction that ends in
 * the commit, then CTRL.ENABLE. */
#include "config_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_plan.h"

static uint32_t card_actions(const struct scrub_card_actions *c)
{
    return (c->default_drop ? SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK : 0) |
           (c->nonip_drop ? SCRUB_CFG_ACTIONS_NONIP_MASK : 0) |
           (c->unparsed_drop ? SCRUB_CFG_ACTIONS_UNPARSED_MASK : 0) |
           (c->malformed_drop ? SCRUB_CFG_ACTIONS_MALFORMED_MASK : 0);
}

/* The shadowed tables end up holding exactly the plan: entries past it
 * are written invalid. */
static void write_tables(struct scrub_hal_txn *t, const struct config_plan *plan, const struct scrub_caps *caps)
{
    scrub_words w;
    static const struct scrub_counter zero;
    for (uint32_t i = 0; i < plan->n_counter_pairs; i++) {
        scrub_counter_pack(&zero, w);
        scrub_txn_table_write(t, SCRUB_TABLE_COUNTER, i, w, SCRUB_TABLE_COUNTER_WORDS);
    }
    for (uint32_t i = 0; i < plan->n_policers; i++) {
        scrub_policer_pack(&plan->policers[i], w);
        scrub_txn_table_write(t, SCRUB_TABLE_POLICER, i, w, SCRUB_TABLE_POLICER_WORDS);
    }
    for (uint32_t i = 0; i < caps->acl; i++) {
        struct scrub_acl_entry unused;
        scrub_acl_entry_any(&unused);
        scrub_acl_pack(i < plan->n_acl ? &plan->acl[i] : &unused, w);
        scrub_txn_table_write(t, SCRUB_TABLE_ACL, i, w, SCRUB_TABLE_ACL_WORDS);
    }
    for (uint32_t i = 0; i < caps->dest; i++) {
        static const struct scrub_dest_entry unused;
        scrub_dest_pack(i < plan->n_dest ? &plan->dest[i] : &unused, w);
        scrub_txn_table_write(t, SCRUB_TABLE_DEST, i, w, SCRUB_TABLE_DEST_WORDS);
    }
}

/* Which source an op of the transaction belongs to, from the first op of
 * each insert; -1 if none. */
static long em_of_op(const size_t *em_first_op, uint32_t n_em, size_t op)
{
    long found = -1;
    for (uint32_t i = 0; i < n_em && em_first_op[i] <= op; i++)
        found = i;
    return found;
}

static int write_plan(struct scrub_hal *h, const struct scrub_config *cfg, const struct config_plan *plan,
                      struct scrub_err *err)
{
    size_t *em_first_op = calloc(plan->n_em ? plan->n_em : 1, sizeof(*em_first_op));
    if (!em_first_op)
        return scrub_err_set(err, ENOMEM, "out of memory building the card transaction");
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t ctrl_op = scrub_txn_read(&t, SCRUB_REG_CTRL);
    scrub_txn_write(&t, SCRUB_REG_CFG_ACTIONS, card_actions(&cfg->card));
    write_tables(&t, plan, &h->caps);
    for (uint32_t i = 0; i < plan->n_em; i++) {
        scrub_words w = {0};
        scrub_em_pack(&plan->em[i], w);
        em_first_op[i] = t.n;
        scrub_txn_em_command(&t, SCRUB_CMD_EM_INSERT, w);
    }
    t.commit = true;
    int rc = scrub_hal_run(h, &t, err);
    if (rc) {
        long em = em_of_op(em_first_op, plan->n_em, t.failed);
        if (em < 0) {
            scrub_err_prefix(err, "applying the configuration (nothing committed)");
        } else {
            const struct scrub_em_entry *e = &plan->em[em];
            char addr[SCRUB_PREFIX_TEXT];
            scrub_addr_format(&e->addr, addr, sizeof(addr));
            scrub_err_prefix(err,
                             "applying the configuration, inserting tenant %s source %s (nothing committed; the "
                             "sources inserted before it stay)",
                             cfg->tenants[e->tenant - 1].name, addr);
        }
    } else {
        uint32_t ctrl = t.ops[ctrl_op].value | SCRUB_CTRL_ENABLE_MASK;
        scrub_txn_reset(&t);
        scrub_txn_write(&t, SCRUB_REG_CTRL, ctrl);
        rc = scrub_hal_run(h, &t, err);
        if (rc)
            scrub_err_prefix(err, "enabling the card after the commit");
    }
    scrub_txn_free(&t);
    free(em_first_op);
    return rc;
}

int scrub_config_apply(struct scrub_hal *h, const struct scrub_config *cfg, struct scrub_layout *layout,
                       struct scrub_err *err)
{
    memset(layout, 0, sizeof(*layout));
    if (!h || !cfg)
        return scrub_err_set(err, EINVAL, "applying a configuration needs a card and a configuration");
    struct config_plan plan;
    int rc = config_plan_build(cfg, &h->caps, &plan, err);
    if (rc == 0)
        rc = write_plan(h, cfg, &plan, err);
    if (rc == 0) {
        *layout = plan.layout;
        memset(&plan.layout, 0, sizeof(plan.layout));
    }
    config_plan_free(&plan);
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
