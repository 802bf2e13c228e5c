/* Brings a card from one image to another (card_image.h) in one HAL
 * transaction that writes only the difference:
 * 1. zeroes the newly allocated counter pairs (want->pair_fresh);
 * 2. writes CFG_ACTIONS and the changed shadow policer, ACL and DEST
 *    entries (a freed entry is written empty: invalid, all zero); a policer
 *    that was free is written with RESET;
 * 3. inserts the exact-match entries that are new or changed, so a
 *    tenant's sources are in place before the DEST entry that enables it;
 * 4. COMMIT (waiting for COMMIT_BUSY before and after), when a shadowed
 *    table or CFG_ACTIONS changed;
 * 5. deletes the exact-match entries no longer wanted, after the DEST
 *    entry that enabled their tenant is gone.
 * Then, if pairs were freed (used by cur, not by want), a snapshot and
 * their final values, so the caller can keep totals of what it removed.
 * On failure nothing was committed if the error says so; the caller reads
 * the card back (card_readback.h) before syncing again. */
#ifndef CARD_SYNC_H
#define CARD_SYNC_H

#include "card_image.h"

struct card_sync_stats {
    unsigned counters_zeroed, cfg_actions, policers, acl, dest, em_inserts, em_deletes;
    bool committed;
    /* After a failure on an exact-match command: that entry, whether it was
     * an insert, and the card's error before the sync's context was put in
     * front of it (so a caller can name the entry in its own words). */
    bool failed_on_em, failed_insert;
    struct scrub_em_entry failed_em;
    struct scrub_err card_error;
};

/* The total of table and register writes a sync made (what "only the
 * difference" is measured in). */
unsigned card_sync_writes(const struct card_sync_stats *st);

struct card_final {
    uint32_t index; /* a pair freed by the sync */
    struct scrub_counter value;
};

/* finals: NULL to skip reading freed pairs; else a malloc'ed list (free it)
 * with *n_finals entries. */
int card_sync(struct scrub_hal *h, const struct card_image *cur, const struct card_image *want,
              struct card_sync_stats *st, struct card_final **finals, size_t *n_finals, struct scrub_err *err);

#endif
