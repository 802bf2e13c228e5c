/* Source exact-match table keyed by (tenant, source address): the card's
 * storage layout and its insert algorithm (docs/card.md, "Exact match").
 * Slots are numbered way * buckets * SLOTS + bucket * SLOTS + slot, then
 * the stash. Every change is atomic per command, and cuckoo moves are
 * applied from the end of the path back, so a key being moved is always
 * found in one of its places. */
#ifndef SCRUB_EM_H
#define SCRUB_EM_H

#include <stdint.h>

#include "scrub_entry.h"

struct scrub_em {
    uint32_t buckets; /* per way, a power of two */
    uint32_t size;    /* slots including the stash */
    struct scrub_em_entry *slots;
};

int scrub_em_init(struct scrub_em *em, uint32_t buckets);
void scrub_em_free(struct scrub_em *em);
/* The bucket of a key in a way: CRC-32C (way 0) or CRC-32 (way 1) of the
 * tenant (2 bytes, big endian) and the address (16 bytes). */
uint32_t scrub_em_bucket(const struct scrub_em *em, unsigned way, uint16_t tenant, const struct scrub_addr *a);
int32_t scrub_em_find(const struct scrub_em *em, uint16_t tenant, const struct scrub_addr *a);
/* Inserts or updates; SCRUB_STATUS_OK with *slot set, or SCRUB_STATUS_FULL
 * with the table unchanged. */
uint8_t scrub_em_insert(struct scrub_em *em, const struct scrub_em_entry *e, int32_t *slot);
uint8_t scrub_em_delete(struct scrub_em *em, uint16_t tenant, const struct scrub_addr *a);

#endif
