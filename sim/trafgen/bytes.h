/* Big-endian (network order) stores, shared by the frame and payload
 * writers. */
#ifndef TRAFGEN_BYTES_H
#define TRAFGEN_BYTES_H

#include <stdint.h>

static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

#endif
