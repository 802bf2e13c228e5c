/* Destination lookup: longest prefix match over the active DEST entries.
 * The card's semantics: among valid entries whose prefix covers the
 * address, the longest wins; equal prefixes: the lower index. The model
 * answers it through one hash table per prefix length in use, rebuilt at
 * commit. */
#ifndef SCRUB_LPM_H
#define SCRUB_LPM_H

#include <stdint.h>

#include "scrub_entry.h"

struct scrub_lpm_slot {
    uint32_t entry; /* entry index + 1, 0 empty */
    uint32_t hash;  /* of the key, so that most misses never touch the entry */
};

/* Prefix lengths in use, longest first, apart for the addresses each can
 * cover: IPv4 (inside ::ffff:0:0/96) and the rest. */
struct scrub_lpm_lengths {
    uint8_t len[129];
    unsigned n;
};

struct scrub_lpm {
    struct scrub_lpm_slot *slots;
    uint32_t mask; /* slots - 1 */
    struct scrub_lpm_lengths v4, v6;
    const struct scrub_dest_entry *entries;
};

/* Memory for n entries: 0, or -1 with errno ENOMEM. */
int scrub_lpm_init(struct scrub_lpm *lpm, uint32_t n);
/* Rebuilds the index in place; it never allocates. */
void scrub_lpm_build(struct scrub_lpm *lpm, const struct scrub_dest_entry *entries, uint32_t n);
void scrub_lpm_free(struct scrub_lpm *lpm);
/* The matching entry's index, or -1. */
int32_t scrub_lpm_lookup(const struct scrub_lpm *lpm, const struct scrub_addr *addr);

#endif
