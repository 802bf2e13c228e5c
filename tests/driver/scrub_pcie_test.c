/* The in-guest half of the QEMU driver test (scripts/test-driver-qemu): runs
 * on every /dev/scrubN the scrub_pcie driver made for the stand-in cards
 * (ivshmem-plain devices whose memory the host prefilled, card_image.h),
 * through the kdrv register path (host/hal/kdrv_dev.c).
 *
 *   scrub_pcie_test full      transactions (writes, reads, polls that succeed
 *                             and time out, commits that succeed and time
 *                             out), concurrent callers, mmap, sysfs, every
 *                             refusal of bad input, the HAL's kdrv backend,
 *                             MSI-X, a poll that sees a change, and a card
 *                             removed while open and mapped
 *   scrub_pcie_test cycle N   what each load/unload cycle checks: identity,
 *                             one transaction (WDOG_TIMEOUT = N), a counter
 *
 * Prints each failed check and a count; exits 1 on any failure. Static,
 * without sanitizers (and with the HAL built again so): it runs alone in
 * the guest's initramfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "card_image.h"
#include "kdrv_dev.h"
#include "scrub_hal.h"

#define PCI_DRIVER "/sys/bus/pci/drivers/scrub_pcie"
#define N_CARDS CARD_COUNT

static unsigned checks, failures;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    checks++;
    if (ok)
        return;
    failures++;
    va_list ap;
    va_start(ap, fmt);
    fputs("scrub_pcie_test: FAILED: ", stdout);
    vprintf(fmt, ap);
    fputs("\n", stdout);
    va_end(ap);
}

struct card {
    char dev[32];  /* /dev/scrubN */
    char name[16]; /* scrubN */
    unsigned k;    /* which stand-in card (its COOKIE_LO) */
    int fd;
    struct scrub_pcie_info info;
};

static struct scrub_pcie_op op_write(uint32_t addr, uint32_t value)
{
    return (struct scrub_pcie_op){.kind = SCRUB_PCIE_OP_WRITE, .addr = addr, .value = value};
}

static struct scrub_pcie_op op_read(uint32_t addr)
{
    return (struct scrub_pcie_op){.kind = SCRUB_PCIE_OP_READ, .addr = addr};
}

static struct scrub_pcie_op op_poll(uint32_t addr, uint32_t mask, uint32_t expect, uint32_t timeout_us)
{
    return (struct scrub_pcie_op){
        .kind = SCRUB_PCIE_OP_POLL, .addr = addr, .mask = mask, .expect = expect, .timeout_us = timeout_us};
}

/* Runs ops; checks the errno and the failed op the driver reports. */
static void txn_expect(struct card *c, struct scrub_pcie_op *ops, uint32_t n, int commit, int code,
                       uint32_t failed, const char *what)
{
    uint32_t got_failed;
    int got = scrub_kdrv_txn(c->fd, ops, n, commit, &got_failed);
    check(got == code, "%s: %s: errno %d (%s), expected %d (%s)", c->dev, what, got, strerror(got), code,
          strerror(code));
    check(got_failed == failed, "%s: %s: failed op %u, expected %u", c->dev, what, got_failed, failed);
}

static uint32_t read_reg(struct card *c, uint32_t addr)
{
    struct scrub_pcie_op op = op_read(addr);
    txn_expect(c, &op, 1, 0, 0, SCRUB_PCIE_NO_FAILED_OP, "a read");
    return op.value;
}

static int read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void check_sysfs(struct card *c, const char *attr, const char *want)
{
    char path[128], got[128];
    snprintf(path, sizeof(path), "/sys/class/misc/%s/%s", c->name, attr);
    int rc = read_text(path, got, sizeof(got));
    check(rc == 0 && strcmp(got, want) == 0, "%s: %s reads '%s', expected '%s'", c->dev, path,
          rc ? strerror(errno) : got, want);
}

static void check_counter_sysfs(struct card *c, const char *name)
{
    uint64_t w[4];
    for (unsigned i = 0; i < 4; i++)
        w[i] = card_counter_word(c->k, CARD_FIRST_COUNTER_WORD + i);
    char want[64], attr[64];
    snprintf(want, sizeof(want), "%llu %llu\n", (unsigned long long)(w[0] << 32 | w[1]),
             (unsigned long long)(w[2] << 32 | w[3]));
    snprintf(attr, sizeof(attr), "counters/%s", name);
    check_sysfs(c, attr, want);
}

/* Opens every /dev/scrubN; each card says which stand-in it is. */
static unsigned open_cards(struct card *cards, unsigned max)
{
    unsigned n = 0;
    DIR *d = opendir("/dev");
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) && n < max;) {
        if (strncmp(e->d_name, "scrub", 5) != 0)
            continue;
        struct card *c = &cards[n];
        snprintf(c->name, sizeof(c->name), "%.15s", e->d_name);
        snprintf(c->dev, sizeof(c->dev), "/dev/%s", c->name);
        struct scrub_err err = {0};
        c->fd = scrub_kdrv_open(c->dev, &c->info, &err);
        check(c->fd >= 0, "%s", err.msg);
        if (c->fd < 0)
            continue;
        uint32_t cookie = read_reg(c, SCRUB_REG_COOKIE_LO);
        check((cookie & 0xffffff00u) == CARD_COOKIE_TAG, "%s: COOKIE_LO 0x%08x is not a stand-in card's", c->dev,
              cookie);
        c->k = cookie & 0xffu;
        n++;
    }
    closedir(d);
    check(n == N_CARDS, "found %u /dev/scrub* devices, expected %u", n, N_CARDS);
    return n;
}

static void close_cards(struct card *cards, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        close(cards[i].fd);
}

/* ---- full ---------------------------------------------------------------- */

static void check_info(struct card *c)
{
    struct scrub_pcie_info *i = &c->info;
    unsigned minor = (unsigned)strtoul(c->name + 5, NULL, 10);
    check(i->argsz == SCRUB_PCIE_INFO_SIZE_V1, "%s: info argsz %u", c->dev, i->argsz);
    check(i->vendor == 0x1af4 && i->device == 0x1110, "%s: info IDs %04x:%04x, expected ivshmem's 1af4:1110",
          c->dev, i->vendor, i->device);
    check(i->minor == minor, "%s: info minor %u", c->dev, i->minor);
    check(i->bar == 2 && i->bar_len == CARD_BYTES, "%s: info BAR %u of %llu bytes", c->dev, i->bar,
          (unsigned long long)i->bar_len);
    uint32_t flags = c->k == CARD_MSIX ? SCRUB_PCIE_INFO_MSIX : 0;
    check(i->flags == flags, "%s: info flags 0x%x, expected 0x%x", c->dev, i->flags, flags);
    check(i->magic == SCRUB_MAGIC_VALUE, "%s: info magic 0x%08x", c->dev, i->magic);
    check(i->version == SCRUB_REG_VERSION_RESET, "%s: info version 0x%08x", c->dev, i->version);
    const uint32_t caps[] = {i->cap_match,    i->cap_action,   i->cap_dest,     i->cap_em_buckets,
                             i->cap_em_geom,  i->cap_acl,      i->cap_policers, i->cap_counters,
                             i->cap_fifo_beats, i->cap_window, i->cap_count_only};
    for (unsigned n = 0; n < sizeof(caps) / sizeof(caps[0]); n++) {
        uint32_t reg = SCRUB_REG_CAP_MATCH + 4 * n;
        check(caps[n] == card_cap(c->k, reg), "%s: info capability at 0x%02x is 0x%08x, expected 0x%08x", c->dev,
              reg, caps[n], card_cap(c->k, reg));
    }

    /* An older caller is refused; a newer one gets what the driver knows. */
    unsigned char big[SCRUB_PCIE_INFO_SIZE_V1 + 8];
    memset(big, 0xee, sizeof(big));
    *(uint32_t *)big = sizeof(big);
    check(ioctl(c->fd, SCRUB_PCIE_IOCTL_INFO, big) == 0, "%s: info with argsz %zu: %s", c->dev, sizeof(big),
          strerror(errno));
    check(*(uint32_t *)big == SCRUB_PCIE_INFO_SIZE_V1 && big[SCRUB_PCIE_INFO_SIZE_V1] == 0xee,
          "%s: info with a larger argsz: argsz %u back, tail touched", c->dev, *(uint32_t *)big);
    struct scrub_pcie_info small = {.argsz = SCRUB_PCIE_INFO_SIZE_V1 - 8};
    check(ioctl(c->fd, SCRUB_PCIE_IOCTL_INFO, &small) == -1 && errno == EINVAL,
          "%s: info with argsz %u: expected EINVAL, got %s", c->dev, small.argsz, strerror(errno));
}

static void check_sysfs_identity(struct card *c)
{
    char want[32];
    check_sysfs(c, "magic", "0x53435242\n");
    check_sysfs(c, "version", "1.0\n");
    snprintf(want, sizeof(want), "%u\n", card_cap(c->k, SCRUB_REG_CAP_DEST));
    check_sysfs(c, "cap_dest", want);
    snprintf(want, sizeof(want), "0x%08x\n", card_cap(c->k, SCRUB_REG_CAP_MATCH));
    check_sysfs(c, "cap_match", want);
    check_sysfs(c, "irq_mode", c->k == CARD_MSIX ? "msix\n" : "polling\n");
    check_sysfs(c, "bar", "2\n");
    check_counter_sysfs(c, "malformed_udp_length");
    check(read_reg(c, SCRUB_REG_TBL_INDEX) == SCRUB_GSTAT_MALFORMED_BASE + SCRUB_MAL_UDP_LENGTH &&
              read_reg(c, SCRUB_REG_SNAPSHOT) == 1 && read_reg(c, SCRUB_REG_TBL_SELECT) == SCRUB_TABLE_GSTAT &&
              read_reg(c, SCRUB_REG_TBL_CMD) == SCRUB_CMD_READ,
          "%s: a sysfs counter read did not snapshot and read GSTAT %u through the table port", c->dev,
          SCRUB_GSTAT_MALFORMED_BASE + SCRUB_MAL_UDP_LENGTH);
    check_counter_sysfs(c, "rx");
}

/* A commit waits for COMMIT_BUSY to clear before writing COMMIT; a card
 * that stays busy times the commit out with COMMIT never written. */
static void commit_times_out(struct card *c)
{
    struct scrub_pcie_op busy[] = {op_write(SCRUB_REG_STATUS, CARD_STATUS | SCRUB_STATUS_COMMIT_BUSY_MASK),
                                   op_write(SCRUB_REG_COMMIT, 0)};
    txn_expect(c, busy, 2, 0, 0, SCRUB_PCIE_NO_FAILED_OP, "making the stand-in busy");
    txn_expect(c, NULL, 0, 1, ETIMEDOUT, 0, "a commit while COMMIT_BUSY stays set");
    check(read_reg(c, SCRUB_REG_COMMIT) == 0, "%s: a commit that timed out wrote COMMIT", c->dev);
    struct scrub_pcie_op idle = op_write(SCRUB_REG_STATUS, CARD_STATUS);
    txn_expect(c, &idle, 1, 0, 0, SCRUB_PCIE_NO_FAILED_OP, "making the stand-in idle");
}

/* Two processes at once: each transaction writes and reads back its own
 * value, which only holds if transactions never interleave. */
static void transactions_do_not_interleave(struct card *c)
{
    enum { ROUNDS = 300 };
    pid_t child = fork();
    if (child == 0) {
        unsigned bad = 0;
        for (uint32_t i = 0; i < ROUNDS; i++) {
            struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_COOKIE_HI, 0xa0000000u | i),
                                          op_read(SCRUB_REG_COOKIE_HI)};
            uint32_t failed;
            bad += scrub_kdrv_txn(c->fd, ops, 2, 0, &failed) != 0 || ops[1].value != (0xa0000000u | i);
        }
        _exit(bad != 0);
    }
    unsigned bad = 0;
    for (uint32_t i = 0; i < ROUNDS; i++) {
        struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_COOKIE_HI, 0xb0000000u | i), op_read(SCRUB_REG_COOKIE_HI)};
        uint32_t failed;
        bad += scrub_kdrv_txn(c->fd, ops, 2, 0, &failed) != 0 || ops[1].value != (0xb0000000u | i);
    }
    int status = -1;
    waitpid(child, &status, 0);
    check(bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "%s: two processes' transactions interleaved (%u bad rounds here)", c->dev, bad);
}

/* The writes that must land (card_file check), read back in the same
 * transaction, polls that succeed, and a commit. */
static void main_transaction(struct card *c)
{
    struct scrub_pcie_op ops[128];
    uint32_t n = 0, last = (uint32_t)c->info.bar_len - 4;
    ops[n++] = op_write(SCRUB_REG_COOKIE_HI, card_cookie_hi(c->k));
    ops[n++] = op_write(SCRUB_REG_CFG_ACTIONS, CARD_CFG_ACTIONS);
    for (unsigned i = CARD_GUEST_DATA_FIRST; i < SCRUB_DATA_WORDS; i++)
        ops[n++] = op_write(SCRUB_REG_TBL_DATA + 4 * i, card_data_word(c->k, i));
    ops[n++] = op_write(last, card_last_word(c->k));
    uint32_t first_read = n;
    ops[n++] = op_read(SCRUB_REG_MAGIC);
    ops[n++] = op_read(SCRUB_REG_CAP_DEST);
    ops[n++] = op_read(SCRUB_REG_COOKIE_HI);
    ops[n++] = op_read(last);
    for (unsigned i = 0; i < SCRUB_DATA_WORDS; i++)
        ops[n++] = op_read(SCRUB_REG_TBL_DATA + 4 * i);
    uint32_t polls = n;
    ops[n++] = op_poll(SCRUB_REG_STATUS, SCRUB_STATUS_WDOG_EXPIRED_MASK, SCRUB_STATUS_WDOG_EXPIRED_MASK, 1000);
    ops[n++] = op_poll(SCRUB_REG_TBL_STATUS, SCRUB_TBL_STATUS_RESULT_MASK, SCRUB_STATUS_OK, 0);
    txn_expect(c, ops, n, 1, 0, SCRUB_PCIE_NO_FAILED_OP, "the main transaction");

    uint32_t v[4 + SCRUB_DATA_WORDS];
    for (unsigned i = 0; i < 4 + SCRUB_DATA_WORDS; i++)
        v[i] = ops[first_read + i].value;
    check(v[0] == SCRUB_MAGIC_VALUE, "%s: MAGIC read 0x%08x", c->dev, v[0]);
    check(v[1] == card_cap(c->k, SCRUB_REG_CAP_DEST), "%s: CAP_DEST read 0x%08x", c->dev, v[1]);
    check(v[2] == card_cookie_hi(c->k), "%s: COOKIE_HI read 0x%08x after writing it", c->dev, v[2]);
    check(v[3] == card_last_word(c->k), "%s: the BAR's last word read 0x%08x after writing it", c->dev, v[3]);
    for (unsigned i = 0; i < SCRUB_DATA_WORDS; i++) {
        uint32_t want = i < CARD_GUEST_DATA_FIRST ? card_counter_word(c->k, i) : card_data_word(c->k, i);
        check(v[4 + i] == want, "%s: TBL_DATA[%u] read 0x%08x, expected 0x%08x", c->dev, i, v[4 + i], want);
    }
    check(ops[polls].value == CARD_STATUS, "%s: a poll left 0x%08x, the last value read", c->dev, ops[polls].value);
    check(read_reg(c, SCRUB_REG_COMMIT) == 1, "%s: the commit did not write COMMIT", c->dev);
}

/* A poll that times out stops the transaction there, with the last value
 * read; the op before it ran, the op after it did not. */
static void poll_times_out(struct card *c)
{
    struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_CTRL, card_ctrl(c->k)),
                                  op_poll(SCRUB_REG_STATUS, SCRUB_STATUS_WDOG_EXPIRED_MASK, 0, 2000),
                                  op_write(SCRUB_REG_CTRL, 0xbad)};
    txn_expect(c, ops, 3, 1, ETIMEDOUT, 1, "a poll that cannot succeed");
    check(ops[1].value == CARD_STATUS, "%s: the timed-out poll left 0x%08x", c->dev, ops[1].value);
    check(read_reg(c, SCRUB_REG_CTRL) == card_ctrl(c->k), "%s: CTRL 0x%08x after a timed-out transaction", c->dev,
          read_reg(c, SCRUB_REG_CTRL));
}

/* Each refused transaction starts with a valid write to CTRL: a refusal
 * must come before any op reaches the card (card_file check sees CTRL). */
static void bad_input_is_refused(struct card *c)
{
    const uint32_t len = (uint32_t)c->info.bar_len;
    const struct {
        struct scrub_pcie_op op;
        int code;
        const char *what;
    } bad_ops[] = {
        {op_write(0x102, 1), EINVAL, "an unaligned write"},
        {op_read(0x101), EINVAL, "an unaligned read"},
        {op_write(len, 1), ERANGE, "a write just past the BAR"},
        {op_read(0xfffffffcu), ERANGE, "a read far past the BAR"},
        {op_poll(len + 4, 1, 1, 0), ERANGE, "a poll past the BAR"},
        {{.kind = 7, .addr = 0}, EINVAL, "an unknown op kind"},
        {op_poll(SCRUB_REG_STATUS, 1, 1, SCRUB_PCIE_POLL_MAX_US + 1), EINVAL, "a poll timeout above the limit"},
    };
    for (size_t i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
        struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_CTRL, 0xbad0), bad_ops[i].op};
        txn_expect(c, ops, 2, 1, bad_ops[i].code, 1, bad_ops[i].what);
    }

    struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_CTRL, 0xbad1), op_read(SCRUB_REG_MAGIC)};
    struct {
        struct scrub_pcie_txn t;
        uint32_t tail[2];
    } x;
    const struct scrub_pcie_txn good = {.argsz = sizeof(x.t), .op_size = sizeof(ops[0]), .n_ops = 2,
                                        .ops = (uintptr_t)ops, .failed = 0};
    const struct {
        uint32_t argsz, flags, op_size, n_ops, reserved, tail;
        int null_ops, code;
        const char *what;
    } bad_txns[] = {
        {SCRUB_PCIE_TXN_SIZE_V1 - 8, 0, 24, 2, 0, 0, 0, EINVAL, "argsz below version 1"},
        {0, 0, 24, 2, 0, 0, 0, EINVAL, "argsz 0"},
        {SCRUB_PCIE_TXN_SIZE_V1 + 8, 0, 24, 2, 0, 1, 0, E2BIG, "a larger argsz asking for more"},
        {SCRUB_PCIE_TXN_SIZE_V1, 1u << 7, 24, 2, 0, 0, 0, EINVAL, "an unknown flag"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 24, 2, 1, 0, 0, EINVAL, "a reserved field set"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 20, 2, 0, 0, 0, EINVAL, "op_size below version 1"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 26, 2, 0, 0, 0, EINVAL, "an unaligned op_size"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 4096, 2, 0, 0, 0, EINVAL, "an op_size beyond any version"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 24, SCRUB_PCIE_MAX_OPS + 1, 0, 0, 0, E2BIG, "too many ops"},
        {SCRUB_PCIE_TXN_SIZE_V1, 0, 24, 2, 0, 0, 1, EFAULT, "ops at a bad address"},
    };
    for (size_t i = 0; i < sizeof(bad_txns) / sizeof(bad_txns[0]); i++) {
        x.t = good;
        x.t.argsz = bad_txns[i].argsz;
        x.t.flags = bad_txns[i].flags;
        x.t.op_size = bad_txns[i].op_size;
        x.t.n_ops = bad_txns[i].n_ops;
        x.t.reserved = bad_txns[i].reserved;
        x.t.ops = bad_txns[i].null_ops ? 0 : (uintptr_t)ops;
        x.tail[0] = x.tail[1] = bad_txns[i].tail;
        errno = 0;
        int rc = ioctl(c->fd, SCRUB_PCIE_IOCTL_TXN, &x);
        check(rc == -1 && errno == bad_txns[i].code, "%s: transaction with %s: errno %d (%s), expected %s", c->dev,
              bad_txns[i].what, rc ? errno : 0, strerror(errno), strerror(bad_txns[i].code));
    }

    /* Growth: a larger txn or op record is accepted when its tail is zero,
     * refused (E2BIG) when it asks for what this driver does not know. */
    x.t = good;
    x.t.argsz = sizeof(x);
    x.tail[0] = x.tail[1] = 0;
    struct {
        struct scrub_pcie_op op;
        uint32_t tail;
    } wide[] = {{op_read(SCRUB_REG_MAGIC), 0}, {op_read(SCRUB_REG_VERSION), 0}};
    x.t.ops = (uintptr_t)wide;
    x.t.op_size = sizeof(wide[0]);
    check(ioctl(c->fd, SCRUB_PCIE_IOCTL_TXN, &x) == 0 && wide[0].op.value == SCRUB_MAGIC_VALUE &&
              wide[1].op.value == SCRUB_REG_VERSION_RESET && wide[1].tail == 0,
          "%s: a newer caller's transaction (argsz %u, op_size %u) was not run: %s", c->dev, x.t.argsz, x.t.op_size,
          strerror(errno));
    struct {
        struct scrub_pcie_op op;
        uint32_t tail;
    } asks[] = {{op_write(SCRUB_REG_CTRL, 0xbad2), 0}, {op_read(SCRUB_REG_MAGIC), 1}};
    x.t.ops = (uintptr_t)asks;
    errno = 0;
    int rc = ioctl(c->fd, SCRUB_PCIE_IOCTL_TXN, &x);
    check(rc == -1 && errno == E2BIG && x.t.failed == 1,
          "%s: an op asking for more than version 1: errno %s, failed op %u", c->dev, strerror(errno), x.t.failed);

    check(ioctl(c->fd, _IO(SCRUB_PCIE_IOCTL_TYPE, 0x7f), &x) == -1 && errno == ENOTTY,
          "%s: an unknown ioctl of ours: %s, expected ENOTTY", c->dev, strerror(errno));
    check(ioctl(c->fd, _IOR('T', 0x01, int), &rc) == -1 && errno == ENOTTY,
          "%s: another driver's ioctl: %s, expected ENOTTY", c->dev, strerror(errno));
}

static void mmap_reads_the_window(struct card *c)
{
    size_t len = (size_t)c->info.bar_len;
    const volatile uint32_t *w = mmap(NULL, len, PROT_READ, MAP_SHARED, c->fd, 0);
    check(w != MAP_FAILED, "%s: mmap of %zu bytes: %s", c->dev, len, strerror(errno));
    if (w == MAP_FAILED)
        return;
    const uint32_t regs[] = {SCRUB_REG_MAGIC,    SCRUB_REG_VERSION, SCRUB_REG_CAP_DEST, SCRUB_REG_COOKIE_LO,
                             SCRUB_REG_COOKIE_HI, SCRUB_REG_CTRL,   SCRUB_REG_STATUS,   SCRUB_REG_COMMIT,
                             SCRUB_REG_TBL_DATA + 4 * 31, (uint32_t)len - 4};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        uint32_t via_txn = read_reg(c, regs[i]), via_map = w[regs[i] / 4];
        check(via_map == via_txn, "%s: mmap reads 0x%08x at 0x%x, a transaction 0x%08x", c->dev, via_map, regs[i],
              via_txn);
    }
    check(w[SCRUB_REG_MAGIC / 4] == SCRUB_MAGIC_VALUE, "%s: mmap: magic 0x%08x", c->dev, w[0]);
    check(mprotect((void *)w, len, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
          "%s: the mapping could be made writable: %s", c->dev, strerror(errno));
    munmap((void *)w, len);

    const struct {
        size_t len;
        int prot, flags;
        off_t offset;
        int code;
        const char *what;
    } bad[] = {
        {4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0, EPERM, "a writable mapping"},
        {4096, PROT_READ, MAP_PRIVATE, 0, EINVAL, "a private mapping"},
        {len + 4096, PROT_READ, MAP_SHARED, 0, EINVAL, "a mapping longer than the BAR"},
        {4096, PROT_READ, MAP_SHARED, (off_t)len, EINVAL, "a mapping past the BAR"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *p = mmap(NULL, bad[i].len, bad[i].prot, bad[i].flags, c->fd, bad[i].offset);
        check(p == MAP_FAILED && errno == bad[i].code, "%s: %s: %s, expected %s", c->dev, bad[i].what,
              p == MAP_FAILED ? strerror(errno) : "mapped", strerror(bad[i].code));
        if (p != MAP_FAILED)
            munmap(p, bad[i].len);
    }
}

/* The daemon's view: the kdrv backend behind scrub_hal_open discovers the
 * card, runs table commands, snapshots and reads counters, commits, and
 * names what failed. The stand-in's TBL_STATUS says OK until the test
 * makes it say BAD_ENTRY. */
static void hal_backend_works(struct card *c)
{
    char spec[64];
    snprintf(spec, sizeof(spec), "kdrv:dev=%s", c->dev);
    struct scrub_err err = {0};
    struct scrub_hal *h = scrub_hal_open(spec, &err);
    check(h != NULL, "%s: %s", spec, err.msg);
    if (!h)
        return;
    check(h->caps.version == SCRUB_REG_VERSION_RESET && h->caps.dest == card_cap(c->k, SCRUB_REG_CAP_DEST) &&
              h->caps.counters == card_cap(c->k, SCRUB_REG_CAP_COUNTERS),
          "%s: discovered version 0x%08x, %u destinations, %u counters", spec, h->caps.version, h->caps.dest,
          h->caps.counters);

    struct scrub_counter got[2];
    int rc = scrub_hal_snapshot(h, &err);
    check(rc == 0, "%s: snapshot: %s", spec, err.msg);
    rc = scrub_hal_read_counters(h, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_RX, 2, got, &err);
    check(rc == 0, "%s: reading counters: %s", spec, err.msg);
    uint64_t w[4];
    for (unsigned i = 0; i < 4; i++)
        w[i] = card_counter_word(c->k, CARD_FIRST_COUNTER_WORD + i);
    for (unsigned i = 0; rc == 0 && i < 2; i++)
        check(got[i].packets == (w[0] << 32 | w[1]) && got[i].bytes == (w[2] << 32 | w[3]),
              "%s: global counter %u reads %llu packets, %llu bytes", spec, i, (unsigned long long)got[i].packets,
              (unsigned long long)got[i].bytes);

    /* A table write of the words TBL_DATA already holds, then committed. */
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words words = {0};
    for (unsigned i = 0; i < 4; i++)
        words[i] = (uint32_t)w[i];
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, 3, words, SCRUB_TABLE_COUNTER_WORDS);
    t.commit = true;
    rc = scrub_hal_run(h, &t, &err);
    check(rc == 0, "%s: a table write and commit: %s", spec, err.msg);

    /* The card refuses the entry: the error names table, entry, status and
     * the result register. */
    scrub_txn_reset(&t);
    scrub_txn_write(&t, SCRUB_REG_TBL_STATUS, SCRUB_STATUS_BAD_ENTRY);
    scrub_txn_write(&t, SCRUB_REG_TBL_RESULT, 7);
    check(scrub_hal_run(h, &t, &err) == 0, "%s: making the stand-in refuse: %s", spec, err.msg);
    scrub_txn_reset(&t);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, 3, words, SCRUB_TABLE_COUNTER_WORDS);
    size_t result_poll = t.n - 1;
    t.commit = true;
    rc = scrub_hal_run(h, &t, &err);
    check(rc == -1 && err.code == EIO && t.failed == result_poll &&
              strstr(err.msg, "counter table, entry 3: bad_entry (result register 7)") && strstr(err.msg, c->dev),
          "%s: a refused table write: rc %d, code %d, failed op %zu: %s", spec, rc, err.code, t.failed, err.msg);

    /* A poll that times out names the register and what it read. */
    scrub_txn_reset(&t);
    scrub_txn_write(&t, SCRUB_REG_TBL_STATUS, SCRUB_STATUS_OK);
    scrub_txn_write(&t, SCRUB_REG_TBL_RESULT, 0);
    scrub_txn_poll(&t, SCRUB_REG_STATUS, SCRUB_STATUS_WDOG_EXPIRED_MASK, 0, 1000);
    rc = scrub_hal_run(h, &t, &err);
    check(rc == -1 && err.code == ETIMEDOUT && t.failed == 2 && strstr(err.msg, "STATUS (0x0104) read 0x00000001"),
          "%s: a poll that times out: rc %d, code %d, failed op %zu: %s", spec, rc, err.code, t.failed, err.msg);

    /* Refused by the driver before it reaches the card. */
    scrub_txn_reset(&t);
    scrub_txn_write(&t, SCRUB_REG_CTRL, 0xbad3);
    scrub_txn_write(&t, 0x102, 1);
    rc = scrub_hal_run(h, &t, &err);
    check(rc == -1 && err.code == EINVAL && t.failed == 1 && strstr(err.msg, "op 1 on unmapped register (0x0102)"),
          "%s: an unaligned write: rc %d, code %d, failed op %zu: %s", spec, rc, err.code, t.failed, err.msg);
    scrub_txn_free(&t);
    scrub_hal_close(h);
}

static int bdf_of(const struct card *c, char *bdf, size_t size)
{
    char link[128], target[256];
    snprintf(link, sizeof(link), "/sys/class/misc/%s/device", c->name);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
        return -1;
    target[n] = 0;
    const char *slash = strrchr(target, '/');
    snprintf(bdf, size, "%s", slash ? slash + 1 : target);
    return 0;
}

/* Maps one of the device's BARs through sysfs (the guest boots with
 * iomem=relaxed, so the BAR the driver holds can be mapped too). */
static volatile uint32_t *map_bar(const struct card *c, int bar, size_t len)
{
    char bdf[64], path[128];
    if (bdf_of(c, bdf, sizeof(bdf)))
        return NULL;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", bdf, bar);
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

/* ivshmem's BAR 0: IVPosition (the peer's ID) and the doorbell. */
#define IVSHMEM_IVPOSITION 8u
#define IVSHMEM_DOORBELL 12u

static void ring_doorbell(volatile uint32_t *regs)
{
    regs[IVSHMEM_DOORBELL / 4] = regs[IVSHMEM_IVPOSITION / 4] << 16; /* own ID, vector 0 */
}

static int irq_count(const struct card *c)
{
    char path[128], text[32];
    snprintf(path, sizeof(path), "/sys/class/misc/%s/irq_count", c->name);
    return read_text(path, text, sizeof(text)) ? -1 : atoi(text);
}

/* The MSI-X card's vector reaches the driver (the guest rings its own
 * doorbell); a polled card counts none. */
static void interrupts_arrive(struct card *c)
{
    int before = irq_count(c);
    if (c->k != CARD_MSIX) {
        check(before == 0, "%s: a card without MSI-X counts %d interrupts", c->dev, before);
        return;
    }
    volatile uint32_t *regs = map_bar(c, 0, 256);
    check(regs != NULL, "%s: mapping ivshmem's BAR 0: %s", c->dev, strerror(errno));
    if (!regs)
        return;
    ring_doorbell(regs);
    int after = before;
    for (int waited = 0; after == before && waited < 1000; waited += 10) {
        usleep(10000);
        after = irq_count(c);
    }
    check(before >= 0 && after == before + 1, "%s: irq_count went from %d to %d after one doorbell", c->dev, before,
          after);
    munmap((void *)regs, 256);
}

/* A poll sees a value that changes while it waits: another process writes
 * it into the card's memory 50 ms after the poll starts (and, on the MSI-X
 * card, rings the doorbell so the vector wakes the poller). */
static void poll_sees_a_change(struct card *c)
{
    pid_t child = fork();
    if (child == 0) {
        volatile uint32_t *mem = map_bar(c, 2, 4096);
        volatile uint32_t *regs = c->k == CARD_MSIX ? map_bar(c, 0, 256) : NULL;
        usleep(50000);
        if (!mem)
            _exit(1);
        mem[SCRUB_REG_TBL_RESULT / 4] = 0x600d;
        if (regs)
            ring_doorbell(regs);
        _exit(0);
    }
    struct scrub_pcie_op ops[] = {op_poll(SCRUB_REG_TBL_RESULT, ~0u, 0x600d, SCRUB_PCIE_POLL_MAX_US),
                                  op_write(SCRUB_REG_TBL_RESULT, 0)};
    txn_expect(c, ops, 2, 0, 0, SCRUB_PCIE_NO_FAILED_OP, "a poll on a value another process writes");
    int status = -1;
    waitpid(child, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the writer could not map BAR 2", c->dev);
}


/* The card goes while a file is open and mapped: the file's ioctls answer
 * ENODEV, the mapping is gone (SIGBUS); then the card comes back. */
static void removal_while_open(struct card *c)
{
    char bdf[64];
    check(bdf_of(c, bdf, sizeof(bdf)) == 0, "%s: no PCI device behind it", c->dev);
    const volatile uint32_t *w = mmap(NULL, 4096, PROT_READ, MAP_SHARED, c->fd, 0);
    check(w != MAP_FAILED && w[0] == SCRUB_MAGIC_VALUE, "%s: mmap before the removal", c->dev);
    check(write_text(PCI_DRIVER "/unbind", bdf) == 0, "unbinding %s: %s", bdf, strerror(errno));

    struct scrub_pcie_op op = op_read(SCRUB_REG_MAGIC);
    txn_expect(c, &op, 1, 0, ENODEV, SCRUB_PCIE_NO_FAILED_OP, "a transaction on a removed card");
    struct scrub_pcie_info info;
    check(scrub_kdrv_info(c->fd, &info) == ENODEV, "%s: info on a removed card", c->dev);
    pid_t child = fork();
    if (child == 0)
        _exit(w[0] == SCRUB_MAGIC_VALUE ? 0 : 1);
    int status = 0;
    waitpid(child, &status, 0);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
          "%s: reading a removed card's mapping did not raise SIGBUS (status 0x%x)", c->dev, status);
    munmap((void *)w, 4096);
    close(c->fd);
    check(write_text(PCI_DRIVER "/bind", bdf) == 0, "binding %s again: %s", bdf, strerror(errno));
}

static int full(void)
{
    struct card cards[N_CARDS + 1];
    unsigned n = open_cards(cards, N_CARDS + 1);
    for (unsigned i = 0; i < n; i++) {
        struct card *c = &cards[i];
        check_info(c);
        check_sysfs_identity(c);
        commit_times_out(c);
        transactions_do_not_interleave(c);
        main_transaction(c);
        poll_times_out(c);
        bad_input_is_refused(c);
        mmap_reads_the_window(c);
        hal_backend_works(c);
        interrupts_arrive(c);
        poll_sees_a_change(c);
    }
    /* The MSI-X card goes, so its vector is freed with files open. */
    for (unsigned i = 0; i < n; i++)
        if (cards[i].k == CARD_MSIX) {
            removal_while_open(&cards[i]);
            cards[i] = cards[--n];
            break;
        }
    close_cards(cards, n);
    /* The card that came back works as before. */
    n = open_cards(cards, N_CARDS + 1);
    for (unsigned i = 0; i < n; i++)
        check(read_reg(&cards[i], SCRUB_REG_COOKIE_HI) == card_cookie_hi(cards[i].k),
              "%s: after the rebind, COOKIE_HI is not what was written", cards[i].dev);
    close_cards(cards, n);
    return 0;
}

/* ---- cycle --------------------------------------------------------------- */

static int cycle(uint32_t number)
{
    struct card cards[N_CARDS + 1];
    unsigned n = open_cards(cards, N_CARDS + 1);
    for (unsigned i = 0; i < n; i++) {
        struct card *c = &cards[i];
        check(c->info.magic == SCRUB_MAGIC_VALUE, "%s: info magic 0x%08x", c->dev, c->info.magic);
        struct scrub_pcie_op ops[] = {op_write(SCRUB_REG_WDOG_TIMEOUT, number), op_read(SCRUB_REG_WDOG_TIMEOUT)};
        txn_expect(c, ops, 2, 0, 0, SCRUB_PCIE_NO_FAILED_OP, "the cycle's transaction");
        check(ops[1].value == number, "%s: WDOG_TIMEOUT read %u, wrote %u", c->dev, ops[1].value, number);
        check_counter_sysfs(c, "rx");
    }
    close_cards(cards, n);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "full") == 0)
        full();
    else if (argc == 3 && strcmp(argv[1], "cycle") == 0)
        cycle((uint32_t)strtoul(argv[2], NULL, 10));
    else {
        fprintf(stderr, "usage: scrub_pcie_test full | scrub_pcie_test cycle N\n");
        return 2;
    }
    printf("scrub_pcie_test %s: %u checks, %u failed\n", argv[1], checks, failures);
    return failures ? 1 : 0;
}
