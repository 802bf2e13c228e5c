/* Runs a transaction on a card reached by single register accesses (the
 * model, and any backend that maps the register window): the ops in
 * order, polls with their timeouts, the commit at the end, and errors that
 * name the op, the register and, for table commands, the table, the index
 * and the status. Backends give it three callbacks. */
#ifndef SCRUB_HAL_EXEC_H
#define SCRUB_HAL_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_hal.h"

struct scrub_hal_regs {
    /* An access returns false when the card refused it, with err naming the
     * card, the register and why; the transaction stops at that op, and
     * nothing after it (the commit neither) reaches the card. */
    bool (*read)(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err);
    bool (*write)(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err);
    /* Waits about us microseconds; false when waiting cannot change what a
     * register reads (an in-process model), so a poll fails at once. */
    bool (*wait)(void *ctx, uint32_t us);
    void *ctx;
};

int scrub_hal_exec(const struct scrub_hal_regs *regs, const char *backend, struct scrub_hal_txn *t,
                   struct scrub_err *err);

#endif
