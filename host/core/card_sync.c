#include "card_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMIT_TIMEOUT_US 1000000u

unsigned card_sync_writes(const struct card_sync_stats *st)
{
    return st->counters_zeroed + st->cfg_actions + st->policers + st->acl + st->dest + st->em_inserts +
           st->em_deletes + st->committed;
}

static bool words_differ(void (*pack)(const void *, scrub_words), const void *a, const void *b)
{
    scrub_words wa = {0}, wb = {0};
    pack(a, wa);
    pack(b, wb);
    return memcmp(wa, wb, sizeof(wa)) != 0;
}

static void pack_dest(const void *e, scrub_words w)
{
    scrub_dest_pack(e, w);
}

static void pack_acl(const void *e, scrub_words w)
{
    scrub_acl_pack(e, w);
}

static void shadow_tables(struct scrub_hal_txn *t, const struct card_image *cur, const struct card_image *want,
                          struct card_sync_stats *st)
{
    scrub_words w;
    if (cur->cfg_actions != want->cfg_actions) {
        scrub_txn_write(t, SCRUB_REG_CFG_ACTIONS, want->cfg_actions);
        st->cfg_actions++;
    }
    uint32_t policers = cur->policer_extent > want->policer_extent ? cur->policer_extent : want->policer_extent;
    for (uint32_t i = 0; i < policers; i++) {
        const struct scrub_policer_entry *c = &cur->policers[i], *p = &want->policers[i];
        bool was = card_policer_in_use(c), is = card_policer_in_use(p);
        if ((!was && !is) || (was && is && card_policer_same(c, p)))
            continue;
        struct scrub_policer_entry e = *p;
        e.reset = is && !was;
        memset(w, 0, sizeof(w));
        scrub_policer_pack(&e, w);
        scrub_txn_table_write(t, SCRUB_TABLE_POLICER, i, w, SCRUB_TABLE_POLICER_WORDS);
        st->policers++;
    }
    for (uint32_t i = 0; i < want->caps.acl; i++) {
        const struct scrub_acl_entry *c = &cur->acl[i], *p = &want->acl[i];
        if ((!c->valid && !p->valid) || (c->valid && p->valid && !words_differ(pack_acl, c, p)))
            continue;
        memset(w, 0, sizeof(w));
        scrub_acl_pack(p, w);
        scrub_txn_table_write(t, SCRUB_TABLE_ACL, i, w, SCRUB_TABLE_ACL_WORDS);
        st->acl++;
    }
    uint32_t dest = cur->dest_extent > want->dest_extent ? cur->dest_extent : want->dest_extent;
    for (uint32_t i = 0; i < dest; i++) {
        if (!words_differ(pack_dest, &cur->dest[i], &want->dest[i]))
            continue;
        memset(w, 0, sizeof(w));
        scrub_dest_pack(&want->dest[i], w);
        scrub_txn_table_write(t, SCRUB_TABLE_DEST, i, w, SCRUB_TABLE_DEST_WORDS);
        st->dest++;
    }
}

static bool em_value_differs(const struct scrub_em_entry *a, const struct scrub_em_entry *b)
{
    return a->action != b->action || a->policer != b->policer || a->counter != b->counter;
}

/* Which exact-match entry a failed op belonged to. */
struct em_op {
    size_t first_op;
    const struct scrub_em_entry *e;
    bool insert;
};

static int em_ops(struct scrub_hal_txn *t, const struct card_image *cur, const struct card_image *want, bool insert,
                  struct em_op *ops, size_t *n_ops, struct card_sync_stats *st)
{
    size_t i = 0, k = 0;
    while (i < cur->n_em || k < want->n_em) {
        int c = i == cur->n_em ? 1 : k == want->n_em ? -1 : card_em_key_cmp(&cur->em[i], &want->em[k]);
        const struct scrub_em_entry *e = NULL;
        if (c < 0) { /* only in cur */
            if (!insert)
                e = &cur->em[i];
            i++;
        } else if (c > 0) { /* only in want */
            if (insert)
                e = &want->em[k];
            k++;
        } else {
            if (insert && em_value_differs(&cur->em[i], &want->em[k]))
                e = &want->em[k];
            i++;
            k++;
        }
        if (!e)
            continue;
        scrub_words w = {0};
        scrub_em_pack(e, w);
        ops[(*n_ops)++] = (struct em_op){t->n, e, insert};
        scrub_txn_em_command(t, insert ? SCRUB_CMD_EM_INSERT : SCRUB_CMD_EM_DELETE, w);
        if (insert)
            st->em_inserts++;
        else
            st->em_deletes++;
    }
    return 0;
}

static void zero_fresh(struct scrub_hal_txn *t, const struct card_image *want, struct card_sync_stats *st)
{
    static const struct scrub_counter zero;
    scrub_words w = {0};
    scrub_counter_pack(&zero, w);
    for (uint32_t i = 0; i < want->caps.counters; i++)
        if (want->pair_fresh[i]) {
            scrub_txn_table_write(t, SCRUB_TABLE_COUNTER, i, w, SCRUB_TABLE_COUNTER_WORDS);
            st->counters_zeroed++;
        }
}

static int read_finals(struct scrub_hal *h, const struct card_image *cur, const struct card_image *want,
                       struct card_final **finals, size_t *n_finals, struct scrub_err *err)
{
    size_t n = 0;
    for (uint32_t i = 0; i < cur->caps.counters; i++)
        n += cur->pair_used[i] && (i >= want->caps.counters || !want->pair_used[i]);
    *finals = NULL;
    *n_finals = 0;
    if (!n)
        return 0;
    struct card_final *f = calloc(n, sizeof(*f));
    if (!f)
        return scrub_err_set(err, ENOMEM, "out of memory reading freed counters");
    if (scrub_hal_snapshot(h, err)) {
        free(f);
        return scrub_err_prefix(err, "reading the final values of freed counters");
    }
    size_t k = 0;
    for (uint32_t i = 0; i < cur->caps.counters; i++) {
        if (!cur->pair_used[i] || (i < want->caps.counters && want->pair_used[i]))
            continue;
        f[k].index = i;
        if (scrub_hal_read_counters(h, SCRUB_TABLE_COUNTER, i, 1, &f[k].value, err)) {
            free(f);
            return scrub_err_prefix(err, "reading the final value of freed counter pair %u", i);
        }
        k++;
    }
    *finals = f;
    *n_finals = k;
    return 0;
}

int card_sync(struct scrub_hal *h, const struct card_image *cur, const struct card_image *want,
              struct card_sync_stats *st, struct card_final **finals, size_t *n_finals, struct scrub_err *err)
{
    memset(st, 0, sizeof(*st));
    if (finals) {
        *finals = NULL;
        *n_finals = 0;
    }
    const struct scrub_caps *c = &h->caps;
    if (cur->caps.dest != c->dest || want->caps.dest != c->dest || cur->caps.acl != c->acl ||
        want->caps.acl != c->acl || cur->caps.policers != c->policers || want->caps.policers != c->policers ||
        cur->caps.counters != c->counters || want->caps.counters != c->counters)
        return scrub_err_set(err, EINVAL, "syncing the card: an image was built for other table sizes than the card's");
    struct em_op *ops = calloc(cur->n_em + want->n_em + 1, sizeof(*ops));
    if (!ops)
        return scrub_err_set(err, ENOMEM, "out of memory building the card transaction");
    size_t n_ops = 0;
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    zero_fresh(&t, want, st);
    shadow_tables(&t, cur, want, st);
    em_ops(&t, cur, want, true, ops, &n_ops, st);
    size_t commit_op = t.n;
    if (st->cfg_actions || st->policers || st->acl || st->dest) {
        scrub_txn_poll(&t, SCRUB_REG_STATUS, SCRUB_STATUS_COMMIT_BUSY_MASK, 0, COMMIT_TIMEOUT_US);
        scrub_txn_write(&t, SCRUB_REG_COMMIT, 1);
        scrub_txn_poll(&t, SCRUB_REG_STATUS, SCRUB_STATUS_COMMIT_BUSY_MASK, 0, COMMIT_TIMEOUT_US);
        st->committed = true;
    }
    size_t after_commit = t.n;
    em_ops(&t, cur, want, false, ops, &n_ops, st);
    int rc = t.n ? scrub_hal_run(h, &t, err) : 0;
    if (rc) {
        const struct em_op *bad = NULL;
        for (size_t i = 0; i < n_ops && ops[i].first_op <= t.failed; i++)
            bad = &ops[i];
        char what[160] = "";
        st->card_error = *err;
        if (bad && t.failed < bad->first_op + 64) {
            st->failed_on_em = true;
            st->failed_insert = bad->insert;
            st->failed_em = *bad->e;
            char addr[SCRUB_PREFIX_TEXT];
            scrub_addr_format(&bad->e->addr, addr, sizeof(addr));
            snprintf(what, sizeof(what), ", %s the exact-match entry of tenant id %u source %s",
                     bad->insert ? "inserting" : "deleting", bad->e->tenant, addr);
        }
        scrub_err_prefix(err, "syncing the card%s (%s)", what,
                         t.failed < commit_op || !st->committed ? "nothing committed"
                         : t.failed < after_commit            ? "the commit did not finish"
                                                              : "after the commit");
    }
    scrub_txn_free(&t);
    free(ops);
    if (rc == 0 && finals)
        rc = read_finals(h, cur, want, finals, n_finals, err);
    return rc;
}
