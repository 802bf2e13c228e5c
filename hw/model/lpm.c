#include "lpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t key_hash(const struct scrub_addr *a, unsigned plen)
{
    uint64_t h = 0x9e3779b97f4a7c15ull * (plen + 1);
    for (unsigned i = 0; i < 16; i += 8) {
        uint64_t w;
        memcpy(&w, a->b + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return (uint32_t)h;
}

static void masked(const struct scrub_addr *a, unsigned plen, struct scrub_addr *out)
{
    struct scrub_addr m = scrub_addr_mask(plen);
    *out = *a;
    scrub_addr_and(out, &m);
}

int scrub_lpm_init(struct scrub_lpm *lpm, uint32_t n)
{
    uint32_t size = 16;
    while (size < 2 * n)
        size <<= 1;
    memset(lpm, 0, sizeof(*lpm));
    lpm->slots = calloc(size, sizeof(*lpm->slots));
    if (!lpm->slots) {
        errno = ENOMEM;
        return -1;
    }
    lpm->mask = size - 1;
    return 0;
}

void scrub_lpm_build(struct scrub_lpm *lpm, const struct scrub_dest_entry *entries, uint32_t n)
{
    uint32_t size = lpm->mask + 1, *slots = lpm->slots;
    memset(slots, 0, size * sizeof(*slots));
    bool used[129] = {false};
    for (uint32_t i = 0; i < n; i++) {
        const struct scrub_dest_entry *e = &entries[i];
        if (!e->valid)
            continue;
        used[e->plen] = true;
        for (uint32_t s = key_hash(&e->prefix, e->plen) & (size - 1);; s = (s + 1) & (size - 1)) {
            if (slots[s] == 0) {
                slots[s] = i + 1;
                break;
            }
            const struct scrub_dest_entry *o = &entries[slots[s] - 1];
            if (o->plen == e->plen && scrub_addr_eq(&o->prefix, &e->prefix))
                break; /* a lower index holds this prefix already */
        }
    }
    lpm->entries = entries;
    lpm->n_lengths = 0;
    for (int l = 128; l >= 0; l--)
        if (used[l])
            lpm->lengths[lpm->n_lengths++] = (uint8_t)l;
}

void scrub_lpm_free(struct scrub_lpm *lpm)
{
    free(lpm->slots);
    memset(lpm, 0, sizeof(*lpm));
}

int32_t scrub_lpm_lookup(const struct scrub_lpm *lpm, const struct scrub_addr *addr)
{
    for (unsigned k = 0; k < lpm->n_lengths; k++) {
        unsigned plen = lpm->lengths[k];
        struct scrub_addr key;
        masked(addr, plen, &key);
        for (uint32_t s = key_hash(&key, plen) & lpm->mask; lpm->slots[s]; s = (s + 1) & lpm->mask) {
            const struct scrub_dest_entry *e = &lpm->entries[lpm->slots[s] - 1];
            if (e->plen == plen && scrub_addr_eq(&e->prefix, &key))
                return (int32_t)(lpm->slots[s] - 1);
        }
    }
    return -1;
}
