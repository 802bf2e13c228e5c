/* Destination lookup: longest prefix match over the active DEST entries.
 * The card's semantics: among valid entries whose prefix covers the
 * address, the longest wins; equal prefixes: the lower index. The model
 * answers it through one hash table per prefix length in use, rebuilt at
 * commit. */
#ifndef SCRUB_LPM_H
#define SCRUB_LPM_H

#include <stdint.h>

#include "scrub_entry.h"

struct scrub_lpm {
    uint32_t *slots;      /* entry index + 1, 0 empty */
    uint32_t mask;        /* slots - 1 */
    uint8_t lengths[129]; /* prefix lengths in use, longest first */
    unsigned n_lengths;
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
