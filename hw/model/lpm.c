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
    uint32_t size = lpm->mask + 1;
    struct scrub_lpm_slot *slots = lpm->slots;
    memset(slots, 0, size * sizeof(*slots));
    bool used_v4[129] = {false}, used_v6[129] = {false};
    struct scrub_addr v4_space = scrub_addr_v4(0);
    for (uint32_t i = 0; i < n; i++) {
        const struct scrub_dest_entry *e = &entries[i];
        if (!e->valid)
            continue;
        /* Which family's addresses can the prefix cover? Compare it with
         * ::ffff:0:0/96 over the shorter of the two lengths. */
        struct scrub_addr a = e->prefix, b = v4_space;
        struct scrub_addr common = scrub_addr_mask(e->plen < 96 ? e->plen : 96);
        scrub_addr_and(&a, &common);
        scrub_addr_and(&b, &common);
        bool covers_v4 = scrub_addr_eq(&a, &b);
        used_v4[e->plen] |= covers_v4;
        used_v6[e->plen] |= !covers_v4 || e->plen < 96;
        uint32_t h = key_hash(&e->prefix, e->plen);
        for (uint32_t s = h & (size - 1);; s = (s + 1) & (size - 1)) {
            if (slots[s].entry == 0) {
                slots[s] = (struct scrub_lpm_slot){.entry = i + 1, .hash = h};
                break;
            }
            const struct scrub_dest_entry *o = &entries[slots[s].entry - 1];
            if (slots[s].hash == h && o->plen == e->plen && scrub_addr_eq(&o->prefix, &e->prefix))
                break; /* a lower index holds this prefix already */
        }
    }
    lpm->entries = entries;
    lpm->v4.n = lpm->v6.n = 0;
    for (int l = 128; l >= 0; l--) {
        if (used_v4[l])
            lpm->v4.len[lpm->v4.n++] = (uint8_t)l;
        if (used_v6[l])
            lpm->v6.len[lpm->v6.n++] = (uint8_t)l;
    }
}

void scrub_lpm_free(struct scrub_lpm *lpm)
{
    free(lpm->slots);
    memset(lpm, 0, sizeof(*lpm));
}

int32_t scrub_lpm_lookup(const struct scrub_lpm *lpm, const struct scrub_addr *addr)
{
    const struct scrub_lpm_lengths *lengths = scrub_addr_is_v4(addr) ? &lpm->v4 : &lpm->v6;
    for (unsigned k = 0; k < lengths->n; k++) {
        unsigned plen = lengths->len[k];
        struct scrub_addr key;
        masked(addr, plen, &key);
        uint32_t h = key_hash(&key, plen);
        for (uint32_t s = h & lpm->mask; lpm->slots[s].entry; s = (s + 1) & lpm->mask) {
            if (lpm->slots[s].hash != h)
                continue;
            const struct scrub_dest_entry *e = &lpm->entries[lpm->slots[s].entry - 1];
            if (e->plen == plen && scrub_addr_eq(&e->prefix, &key))
                return (int32_t)(lpm->slots[s].entry - 1);
        }
    }
    return -1;
}
