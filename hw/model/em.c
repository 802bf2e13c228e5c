#include "em.h"

#include <errno.h>
#include <stdlib.h>

#include "hash.h"

#define SLOTS SCRUB_EM_SLOTS

int scrub_em_init(struct scrub_em *em, uint32_t buckets)
{
    em->buckets = buckets;
    em->size = SCRUB_EM_WAYS * buckets * SLOTS + SCRUB_EM_STASH;
    em->slots = calloc(em->size, sizeof(*em->slots));
    if (!em->slots) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void scrub_em_free(struct scrub_em *em)
{
    free(em->slots);
    em->slots = NULL;
}

uint32_t scrub_em_bucket(const struct scrub_em *em, unsigned way, uint16_t tenant, const struct scrub_addr *a)
{
    uint8_t key[18];
    key[0] = (uint8_t)(tenant >> 8);
    key[1] = (uint8_t)tenant;
    for (unsigned i = 0; i < 16; i++)
        key[2 + i] = a->b[i];
    uint32_t h = way == 0 ? scrub_crc32c(key, sizeof(key)) : scrub_crc32(key, sizeof(key));
    return h & (em->buckets - 1);
}

static uint32_t first_slot(const struct scrub_em *em, unsigned way, uint32_t bucket)
{
    return (way * em->buckets + bucket) * SLOTS;
}

static uint32_t stash_base(const struct scrub_em *em)
{
    return SCRUB_EM_WAYS * em->buckets * SLOTS;
}

static bool holds(const struct scrub_em_entry *s, uint16_t tenant, const struct scrub_addr *a)
{
    return s->valid && s->tenant == tenant && scrub_addr_eq(&s->addr, a);
}

int32_t scrub_em_find(const struct scrub_em *em, uint16_t tenant, const struct scrub_addr *a)
{
    for (unsigned way = 0; way < SCRUB_EM_WAYS; way++) {
        uint32_t base = first_slot(em, way, scrub_em_bucket(em, way, tenant, a));
        for (uint32_t s = base; s < base + SLOTS; s++)
            if (holds(&em->slots[s], tenant, a))
                return (int32_t)s;
    }
    for (uint32_t s = stash_base(em); s < em->size; s++)
        if (holds(&em->slots[s], tenant, a))
            return (int32_t)s;
    return -1;
}

/* The lowest free slot of a bucket, or -1. */
static int32_t free_in_bucket(const struct scrub_em *em, unsigned way, uint32_t bucket)
{
    uint32_t base = first_slot(em, way, bucket);
    for (uint32_t s = base; s < base + SLOTS; s++)
        if (!em->slots[s].valid)
            return (int32_t)s;
    return -1;
}

/* The cuckoo walk: starting in the new key's way-0 bucket, step k evicts
 * slot k mod SLOTS of the current bucket and follows the victim to its
 * bucket in the other way, until that bucket has a free slot. The walk is
 * a dry run; only a walk that ends in a free slot changes the table. */
static bool cuckoo(struct scrub_em *em, const struct scrub_em_entry *e, int32_t *slot)
{
    uint32_t path[SCRUB_EM_MAX_KICKS + 1];
    unsigned way = 0, n = 0;
    uint32_t bucket = scrub_em_bucket(em, 0, e->tenant, &e->addr);
    for (unsigned k = 0; k < SCRUB_EM_MAX_KICKS; k++) {
        uint32_t pos = first_slot(em, way, bucket) + k % SLOTS;
        for (unsigned i = 0; i < n; i++)
            if (path[i] == pos)
                return false; /* the walk came back on itself */
        path[n++] = pos;
        const struct scrub_em_entry *victim = &em->slots[pos];
        way = 1 - way;
        bucket = scrub_em_bucket(em, way, victim->tenant, &victim->addr);
        int32_t free_slot = free_in_bucket(em, way, bucket);
        if (free_slot >= 0) {
            path[n] = (uint32_t)free_slot;
            for (unsigned i = n; i > 0; i--)
                em->slots[path[i]] = em->slots[path[i - 1]];
            em->slots[path[0]] = *e;
            *slot = (int32_t)path[0];
            return true;
        }
    }
    return false;
}

uint8_t scrub_em_insert(struct scrub_em *em, const struct scrub_em_entry *e, int32_t *slot)
{
    struct scrub_em_entry entry = *e;
    entry.valid = true;
    int32_t s = scrub_em_find(em, e->tenant, &e->addr);
    if (s < 0)
        s = free_in_bucket(em, 0, scrub_em_bucket(em, 0, e->tenant, &e->addr));
    if (s < 0)
        s = free_in_bucket(em, 1, scrub_em_bucket(em, 1, e->tenant, &e->addr));
    if (s >= 0) {
        em->slots[s] = entry;
        *slot = s;
        return SCRUB_STATUS_OK;
    }
    if (cuckoo(em, &entry, slot))
        return SCRUB_STATUS_OK;
    for (uint32_t t = stash_base(em); t < em->size; t++) {
        if (!em->slots[t].valid) {
            em->slots[t] = entry;
            *slot = (int32_t)t;
            return SCRUB_STATUS_OK;
        }
    }
    return SCRUB_STATUS_FULL;
}

uint8_t scrub_em_delete(struct scrub_em *em, uint16_t tenant, const struct scrub_addr *a)
{
    int32_t s = scrub_em_find(em, tenant, a);
    if (s < 0)
        return SCRUB_STATUS_NOT_FOUND;
    em->slots[s] = (struct scrub_em_entry){0};
    return SCRUB_STATUS_OK;
}
