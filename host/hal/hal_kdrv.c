#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdrv_dev.h"
#include "scrub_hal_kdrv.h"

struct kdrv {
    int fd;
    char path[PATH_MAX];
    struct scrub_pcie_op *ops; /* the transaction as the driver takes it */
    size_t cap;
};

static void describe_reg(uint32_t addr, char *buf, size_t size)
{
    const char *name = scrub_reg_name(addr);
    snprintf(buf, size, "%s (0x%04x)", name ? name : "unmapped register", addr);
}

/* "acl table, entry 12": the table port's state as the ops before op i
 * left it. */
static void describe_entry(const struct scrub_hal_txn *t, size_t i, char *buf, size_t size)
{
    static const char *const tables[] = SCRUB_TABLE_NAMES;
    static const char *const cmds[] = SCRUB_CMD_NAMES;
    uint32_t table = 0, index = 0, cmd = 0;
    for (size_t k = 0; k < i; k++) {
        const struct scrub_hal_op *op = &t->ops[k];
        if (op->kind != SCRUB_HAL_WRITE)
            continue;
        if (op->addr == SCRUB_REG_TBL_SELECT)
            table = op->value;
        else if (op->addr == SCRUB_REG_TBL_INDEX)
            index = op->value;
        else if (op->addr == SCRUB_REG_TBL_CMD)
            cmd = op->value;
    }
    const char *name = table < SCRUB_TABLE_NAMES_LEN && tables[table] ? tables[table] : "unknown table";
    if (cmd == SCRUB_CMD_EM_INSERT || cmd == SCRUB_CMD_EM_DELETE || cmd == SCRUB_CMD_EM_LOOKUP)
        snprintf(buf, size, "%s table, %s", name, cmds[cmd]);
    else
        snprintf(buf, size, "%s table, entry %u", name, index);
}

/* A poll that timed out: a table command's result, or a register that did
 * not reach its value. */
static int poll_failed(struct kdrv *k, struct scrub_hal_txn *t, size_t i, struct scrub_err *err)
{
    const struct scrub_hal_op *op = &t->ops[i];
    if (op->addr == SCRUB_REG_TBL_STATUS && (op->mask & SCRUB_TBL_STATUS_RESULT_MASK)) {
        static const char *const statuses[] = SCRUB_STATUS_NAMES;
        uint32_t code = op->value & SCRUB_TBL_STATUS_RESULT_MASK, failed;
        struct scrub_pcie_op result = {.kind = SCRUB_PCIE_OP_READ, .addr = SCRUB_REG_TBL_RESULT};
        char entry[64];
        describe_entry(t, i, entry, sizeof(entry));
        if (scrub_kdrv_txn(k->fd, &result, 1, false, &failed))
            result.value = 0;
        return scrub_err_set(err, EIO, "kdrv backend: %s: %s: %s (result register %u), op %zu", k->path, entry,
                             code < SCRUB_STATUS_NAMES_LEN ? statuses[code] : "unknown status", result.value, i);
    }
    char reg[64];
    describe_reg(op->addr, reg, sizeof(reg));
    return scrub_err_set(err, ETIMEDOUT, "kdrv backend: %s: op %zu: %s read 0x%08x, wanted 0x%08x under mask 0x%08x "
                         "within %u us", k->path, i, reg, op->value, op->expect, op->mask, op->timeout_us);
}

static int run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct kdrv *k = ctx;
    if (t->n > SCRUB_PCIE_MAX_OPS)
        return scrub_err_set(err, E2BIG, "kdrv backend: %s: a transaction of %zu ops exceeds the driver's %u",
                             k->path, t->n, SCRUB_PCIE_MAX_OPS);
    if (t->n > k->cap) {
        struct scrub_pcie_op *ops = realloc(k->ops, t->n * sizeof(*ops));
        if (!ops)
            return scrub_err_set(err, ENOMEM, "kdrv backend: out of memory for a transaction of %zu ops", t->n);
        k->ops = ops;
        k->cap = t->n;
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct scrub_hal_op *op = &t->ops[i];
        static const uint32_t kinds[] = {[SCRUB_HAL_WRITE] = SCRUB_PCIE_OP_WRITE,
                                         [SCRUB_HAL_READ] = SCRUB_PCIE_OP_READ,
                                         [SCRUB_HAL_POLL] = SCRUB_PCIE_OP_POLL};
        if (op->kind >= sizeof(kinds) / sizeof(kinds[0])) {
            t->failed = i;
            return scrub_err_set(err, EINVAL, "kdrv backend: op %zu has unknown kind %u", i, op->kind);
        }
        k->ops[i] = (struct scrub_pcie_op){.kind = kinds[op->kind], .addr = op->addr, .value = op->value,
                                           .mask = op->mask, .expect = op->expect, .timeout_us = op->timeout_us};
    }
    uint32_t failed;
    int code = scrub_kdrv_txn(k->fd, k->ops, (uint32_t)t->n, t->commit, &failed);
    /* The driver wrote back the values of the ops it ran and left the
     * others as they were. */
    for (size_t i = 0; i < t->n; i++)
        t->ops[i].value = k->ops[i].value;
    if (code == 0)
        return 0;
    if (failed == SCRUB_PCIE_NO_FAILED_OP) {
        t->failed = 0;
        return scrub_err_set(err, code, "kdrv backend: %s: transaction of %zu ops: %s", k->path, t->n,
                             strerror(code));
    }
    t->failed = failed;
    if (failed == t->n)
        return scrub_err_set(err, code, "kdrv backend: %s: commit %s", k->path,
                             code == ETIMEDOUT ? "still busy after its timeout (STATUS.COMMIT_BUSY)" : strerror(code));
    if (code == ETIMEDOUT && t->ops[failed].kind == SCRUB_HAL_POLL)
        return poll_failed(k, t, failed, err);
    char reg[64];
    describe_reg(t->ops[failed].addr, reg, sizeof(reg));
    return scrub_err_set(err, code, "kdrv backend: %s: op %u on %s: %s", k->path, failed, reg, strerror(code));
}

static void close_ctx(void *ctx)
{
    struct kdrv *k = ctx;
    close(k->fd);
    free(k->ops);
    free(k);
}

const struct scrub_hal_backend scrub_hal_kdrv_backend = {"kdrv", run, close_ctx};

/* "dev=PATH", or nothing. */
static int parse_options(const char *options, char *path, size_t size, struct scrub_err *err)
{
    snprintf(path, size, "%s", SCRUB_KDRV_DEFAULT_DEV);
    if (!*options)
        return 0;
    if (strncmp(options, "dev=", 4) != 0) {
        size_t key = strcspn(options, "=,");
        return scrub_err_set(err, EINVAL, "kdrv backend: unknown option '%.*s' (kdrv[:dev=PATH])", (int)key,
                             options);
    }
    const char *value = options + 4;
    if (!*value)
        return scrub_err_set(err, EINVAL, "kdrv backend: option 'dev' needs a path (kdrv[:dev=PATH])");
    if (strlen(value) >= size)
        return scrub_err_set(err, ENAMETOOLONG, "kdrv backend: device path of %zu characters is too long",
                             strlen(value));
    snprintf(path, size, "%s", value);
    return 0;
}

void *scrub_hal_kdrv_open(const char *options, struct scrub_err *err)
{
    struct kdrv *k = calloc(1, sizeof(*k));
    if (!k) {
        scrub_err_set(err, ENOMEM, "kdrv backend: out of memory");
        return NULL;
    }
    struct scrub_pcie_info info;
    if (parse_options(options, k->path, sizeof(k->path), err) ||
        (k->fd = scrub_kdrv_open(k->path, &info, err)) < 0) {
        free(k);
        return NULL;
    }
    return k;
}
