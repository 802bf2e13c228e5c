#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scrub_hal_exec.h"

#define COMMIT_TIMEOUT_US 1000000u
#define POLL_STEP_US 1u /* a register read takes about as long on a card */

static const char *status_name(uint32_t status)
{
    static const char *const names[] = SCRUB_STATUS_NAMES;
    uint32_t code = status & SCRUB_TBL_STATUS_RESULT_MASK;
    return code < SCRUB_STATUS_NAMES_LEN ? names[code] : "unknown status";
}

static const char *table_name(uint32_t table)
{
    static const char *const names[] = SCRUB_TABLE_NAMES;
    return table < SCRUB_TABLE_NAMES_LEN && names[table] ? names[table] : "unknown table";
}

/* "acl table, entry 12" or, for the keyed exact-match commands, "em
 * table, em_insert". */
static void describe_entry(uint32_t table, uint32_t index, uint32_t cmd, char *buf, size_t size)
{
    static const char *const cmds[] = SCRUB_CMD_NAMES;
    if (cmd == SCRUB_CMD_EM_INSERT || cmd == SCRUB_CMD_EM_DELETE || cmd == SCRUB_CMD_EM_LOOKUP)
        snprintf(buf, size, "%s table, %s", table_name(table), cmds[cmd]);
    else
        snprintf(buf, size, "%s table, entry %u", table_name(table), index);
}

static void describe_reg(uint32_t addr, char *buf, size_t size)
{
    const char *name = scrub_reg_name(addr);
    snprintf(buf, size, "%s (0x%04x)", name ? name : "unmapped register", addr);
}

enum poll_end { POLL_MET, POLL_TIMED_OUT, POLL_REFUSED };

static enum poll_end poll(const struct scrub_hal_regs *r, struct scrub_hal_op *op, struct scrub_err *err)
{
    for (uint32_t waited = 0;; waited += POLL_STEP_US) {
        if (!r->read(r->ctx, op->addr, &op->value, err))
            return POLL_REFUSED;
        if ((op->value & op->mask) == op->expect)
            return POLL_MET;
        if (waited >= op->timeout_us || !r->wait(r->ctx, POLL_STEP_US))
            return POLL_TIMED_OUT;
    }
}

/* The backend has described a refused access in err; name the op (the
 * commit is op n). */
static int refused(struct scrub_hal_txn *t, size_t i, struct scrub_err *err)
{
    char what[sizeof(err->msg)];
    memcpy(what, err->msg, sizeof(what));
    t->failed = i;
    return scrub_err_set(err, err->code, "%s (op %zu)", what, i);
}

int scrub_hal_exec(const struct scrub_hal_regs *r, const char *backend, struct scrub_hal_txn *t,
                   struct scrub_err *err)
{
    uint32_t table = 0, index = 0, cmd = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct scrub_hal_op *op = &t->ops[i];
        switch (op->kind) {
        case SCRUB_HAL_WRITE:
            if (op->addr == SCRUB_REG_TBL_SELECT)
                table = op->value;
            else if (op->addr == SCRUB_REG_TBL_INDEX)
                index = op->value;
            else if (op->addr == SCRUB_REG_TBL_CMD)
                cmd = op->value;
            if (!r->write(r->ctx, op->addr, op->value, err))
                return refused(t, i, err);
            break;
        case SCRUB_HAL_READ:
            if (!r->read(r->ctx, op->addr, &op->value, err))
                return refused(t, i, err);
            break;
        case SCRUB_HAL_POLL: {
            enum poll_end end = poll(r, op, err);
            if (end == POLL_MET)
                break;
            if (end == POLL_REFUSED)
                return refused(t, i, err);
            t->failed = i;
            if (op->addr == SCRUB_REG_TBL_STATUS && (op->mask & SCRUB_TBL_STATUS_RESULT_MASK)) {
                char entry[64];
                uint32_t result;
                if (!r->read(r->ctx, SCRUB_REG_TBL_RESULT, &result, err))
                    return refused(t, i, err);
                describe_entry(table, index, cmd, entry, sizeof(entry));
                return scrub_err_set(err, EIO, "%s backend: %s: %s (result register %u), op %zu", backend, entry,
                                     status_name(op->value), result, i);
            }
            char reg[64];
            describe_reg(op->addr, reg, sizeof(reg));
            return scrub_err_set(err, ETIMEDOUT,
                                 "%s backend: op %zu: %s read 0x%08x, wanted 0x%08x under mask 0x%08x within %u us",
                                 backend, i, reg, op->value, op->expect, op->mask, op->timeout_us);
        }
        default:
            t->failed = i;
            return scrub_err_set(err, EINVAL, "%s backend: op %zu has unknown kind %u", backend, i, op->kind);
        }
    }
    if (!t->commit)
        return 0;
    if (!r->write(r->ctx, SCRUB_REG_COMMIT, 1, err))
        return refused(t, t->n, err);
    struct scrub_hal_op done = {.kind = SCRUB_HAL_POLL, .addr = SCRUB_REG_STATUS,
                                .mask = SCRUB_STATUS_COMMIT_BUSY_MASK, .expect = 0,
                                .timeout_us = COMMIT_TIMEOUT_US};
    enum poll_end end = poll(r, &done, err);
    if (end == POLL_REFUSED)
        return refused(t, t->n, err);
    if (end == POLL_TIMED_OUT) {
        t->failed = t->n;
        return scrub_err_set(err, ETIMEDOUT, "%s backend: commit still busy after %u us", backend,
                             COMMIT_TIMEOUT_US);
    }
    return 0;
}
