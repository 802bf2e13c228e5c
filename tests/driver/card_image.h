/* What the QEMU driver test puts in each stand-in card's shared memory and
 * what it must hold afterwards: the one place both the host side (prefill,
 * check) and the guest side (the test program) take their numbers from.
 * Card K is the K-th ivshmem device; its COOKIE_LO tells the guest which K
 * a /dev/scrubN is. */
#ifndef CARD_IMAGE_H
#define CARD_IMAGE_H

#include <stdint.h>

#include "scrub_regmap.h"

#define CARD_BYTES (1u << 20) /* the memory-backend-file, ivshmem's BAR 2 */
#define CARD_COUNT 3u
/* Cards 0 and 1 are ivshmem-plain (no MSI-X: the driver polls); card 2 is
 * ivshmem-doorbell with one MSI-X vector, its memory from ivshmem_server. */
#define CARD_MSIX 2u
#define CARD_COOKIE_TAG 0x5c000000u

/* Host prefill: the identification block, the card's number, a status
 * whose WDOG_EXPIRED bit is set (polls on it succeed or time out at will),
 * and the global counter words the table port returns. */
static inline uint32_t card_cap(unsigned k, uint32_t reg)
{
    return 0x1000u * (k + 1) + reg / 4;
}
static inline uint32_t card_counter_word(unsigned k, unsigned i)
{
    return 0xd0000000u | k << 8 | i;
}
#define CARD_STATUS SCRUB_STATUS_WDOG_EXPIRED_MASK

/* Guest writes that must land. */
static inline uint32_t card_cookie_hi(unsigned k)
{
    return 0xc0de0000u | k;
}
#define CARD_CFG_ACTIONS 0x5u
static inline uint32_t card_data_word(unsigned k, unsigned i) /* TBL_DATA[4..31] */
{
    return 0x7a000000u | k << 16 | i;
}
static inline uint32_t card_last_word(unsigned k) /* the BAR's last word */
{
    return 0x0e0d0000u | k;
}
static inline uint32_t card_ctrl(unsigned k) /* written before a poll that times out */
{
    return 0x1000u | k;
}
#define CARD_FIRST_COUNTER_WORD 0u /* TBL_DATA[0..3] are the counter words */
#define CARD_GUEST_DATA_FIRST 4u

#endif
