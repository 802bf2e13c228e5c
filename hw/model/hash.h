/* The card's hash functions: CRC-32C (Castagnoli) and CRC-32 (IEEE 802.3),
 * both reflected, initial value and final xor 0xffffffff, over bytes in
 * the order given. Hardware computes the same with an XOR tree. */
#ifndef SCRUB_HASH_H
#define SCRUB_HASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t scrub_crc32c(const uint8_t *data, size_t len);
uint32_t scrub_crc32(const uint8_t *data, size_t len);

#endif
