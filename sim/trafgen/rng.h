/* The traffic generator's random numbers: splitmix64. Small, fast, seeded
 * from any 64-bit value, and the same sequence on every platform, which the
 * byte-identical output promise rests on (rand() gives none of that). */
#ifndef TRAFGEN_RNG_H
#define TRAFGEN_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]; the modulo bias is far below anything traffic shows. */
static inline uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rng_next(r) % ((uint64_t)hi - lo + 1));
}

/* True with probability percent / 100. */
static inline bool rng_percent(struct rng *r, unsigned percent)
{
    return rng_next(r) % 100 < percent;
}

static inline void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v = rng_next(r);
        for (unsigned i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        p += 8;
        n -= 8;
    }
    uint64_t v = rng_next(r);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
