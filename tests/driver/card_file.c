/* The host side of the QEMU driver test: the shared file behind each
 * stand-in card (an ivshmem-plain device).
 *
 *   card_file prefill FILE K        writes card K's image before the boot
 *   card_file check FILE K CYCLES   after the guest ran: every word of the
 *                                   file is what the prefill and the guest's
 *                                   expected writes make it (card_image.h),
 *                                   so a write that went to a wrong offset,
 *                                   or an op the driver should have refused,
 *                                   shows as a difference */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_image.h"

enum { WORDS = CARD_BYTES / 4 };

static void prefill(uint32_t *w, unsigned k)
{
    memset(w, 0, CARD_BYTES);
    w[SCRUB_REG_MAGIC / 4] = SCRUB_MAGIC_VALUE;
    w[SCRUB_REG_VERSION / 4] = SCRUB_VERSION_MAJOR << SCRUB_VERSION_MAJOR_LSB | SCRUB_VERSION_MINOR;
    for (uint32_t reg = SCRUB_REG_CAP_MATCH; reg <= SCRUB_REG_CAP_COUNT_ONLY; reg += 4)
        w[reg / 4] = card_cap(k, reg);
    w[SCRUB_REG_COOKIE_LO / 4] = CARD_COOKIE_TAG | k;
    w[SCRUB_REG_STATUS / 4] = CARD_STATUS;
    for (unsigned i = 0; i < SCRUB_TABLE_GSTAT_WORDS; i++)
        w[SCRUB_REG_TBL_DATA / 4 + CARD_FIRST_COUNTER_WORD + i] = card_counter_word(k, i);
}

/* What the guest's test program leaves (tests/driver/scrub_pcie_test.c). */
static void guest_writes(uint32_t *w, unsigned k, uint32_t cycles)
{
    w[SCRUB_REG_COOKIE_HI / 4] = card_cookie_hi(k);
    w[SCRUB_REG_CFG_ACTIONS / 4] = CARD_CFG_ACTIONS;
    for (unsigned i = CARD_GUEST_DATA_FIRST; i < SCRUB_DATA_WORDS; i++)
        w[SCRUB_REG_TBL_DATA / 4 + i] = card_data_word(k, i);
    w[WORDS - 1] = card_last_word(k);
    w[SCRUB_REG_COMMIT / 4] = 1;
    w[SCRUB_REG_CTRL / 4] = card_ctrl(k);
    w[SCRUB_REG_WDOG_TIMEOUT / 4] = cycles;
    /* The last sysfs counter read of the last cycle: counters/rx. */
    w[SCRUB_REG_SNAPSHOT / 4] = 1;
    w[SCRUB_REG_TBL_SELECT / 4] = SCRUB_TABLE_GSTAT;
    w[SCRUB_REG_TBL_INDEX / 4] = SCRUB_GSTAT_RX;
    w[SCRUB_REG_TBL_CMD / 4] = SCRUB_CMD_READ;
}

static const char *reg_name(uint32_t addr)
{
    static const struct {
        uint32_t addr;
        const char *name;
    } regs[] = SCRUB_REG_NAMES;
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        if (regs[i].addr == addr)
            return regs[i].name;
    if (addr >= SCRUB_REG_TBL_DATA && addr < SCRUB_REG_TBL_DATA + 4 * SCRUB_DATA_WORDS)
        return "TBL_DATA";
    return "no register";
}

static int usage(void)
{
    fprintf(stderr, "usage: card_file prefill FILE K | card_file check FILE K CYCLES\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *path = argv[2];
    unsigned k = (unsigned)strtoul(argv[3], NULL, 0);
    static uint32_t want[WORDS], got[WORDS];
    prefill(want, k);
    if (strcmp(argv[1], "prefill") == 0 && argc == 4) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(want, 1, CARD_BYTES, f) != CARD_BYTES || fclose(f)) {
            fprintf(stderr, "card_file: cannot write %s: %s\n", path, strerror(errno));
            return 1;
        }
        return 0;
    }
    if (strcmp(argv[1], "check") != 0 || argc != 5)
        return usage();
    guest_writes(want, k, (uint32_t)strtoul(argv[4], NULL, 0));
    FILE *f = fopen(path, "rb");
    if (!f || fread(got, 1, CARD_BYTES, f) != CARD_BYTES) {
        fprintf(stderr, "card_file: cannot read %u bytes of %s: %s\n", CARD_BYTES, path,
                f ? "short file" : strerror(errno));
        return 1;
    }
    fclose(f);
    unsigned bad = 0, set = 0;
    for (uint32_t i = 0; i < WORDS; i++) {
        set += want[i] != 0;
        if (got[i] == want[i])
            continue;
        if (bad++ < 16)
            fprintf(stderr, "card_file: %s (card %u): offset 0x%05x (%s) holds 0x%08x, expected 0x%08x\n", path, k,
                    4 * i, reg_name(4 * i), got[i], want[i]);
    }
    if (bad) {
        fprintf(stderr, "card_file: %s (card %u): %u of %u words differ\n", path, k, bad, WORDS);
        return 1;
    }
    printf("card %u: all %u words as expected (%u non-zero: prefill and guest writes)\n", k, WORDS, set);
    return 0;
}
