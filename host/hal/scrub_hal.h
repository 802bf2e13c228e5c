/* host/hal: the one seam between the daemon and a card. A transaction is a
 * list of register writes, reads and polls run in order, optionally ended
 * by the card's commit; the first poll that fails stops it (no commit).
 * Above this interface nothing knows which backend runs: model (hw/model
 * in process), simcard (scrub-simcard's shared-memory channel), xrt (an
 * Alveo through XRT), kdrv (a card through the scrub_pcie driver). Owns
 * the transaction format, backend selection, capability discovery and
 * counter reads. */
#ifndef SCRUB_HAL_H
#define SCRUB_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scrub_entry.h"
#include "scrub_err.h"

enum scrub_hal_kind {
    SCRUB_HAL_WRITE, /* addr <- value */
    SCRUB_HAL_READ,  /* value <- addr */
    SCRUB_HAL_POLL,  /* read addr until (read & mask) == value, at most timeout_us; value <- last read */
};

struct scrub_hal_op {
    uint8_t kind;
    uint32_t addr, value, mask, timeout_us;
    uint32_t expect; /* polls: the value wanted under mask */
};

struct scrub_hal_txn {
    struct scrub_hal_op *ops;
    size_t n, cap;
    bool commit;    /* end with the card's commit (and wait for it) */
    bool oom;       /* an append ran out of memory: running fails with ENOMEM */
    size_t failed;  /* after a failed run: the index of the op that failed */
};

void scrub_txn_init(struct scrub_hal_txn *t);
void scrub_txn_free(struct scrub_hal_txn *t);
void scrub_txn_reset(struct scrub_hal_txn *t);
void scrub_txn_write(struct scrub_hal_txn *t, uint32_t addr, uint32_t value);
/* Returns the index of the op whose value holds the result after the run. */
size_t scrub_txn_read(struct scrub_hal_txn *t, uint32_t addr);
void scrub_txn_poll(struct scrub_hal_txn *t, uint32_t addr, uint32_t mask, uint32_t expect, uint32_t timeout_us);

/* Table commands through the indirect port: select, index, data, command,
 * wait while busy, and require STATUS_OK (a failure stops the txn). */
void scrub_txn_table_write(struct scrub_hal_txn *t, uint32_t table, uint32_t index, const scrub_words w,
                           unsigned words);
/* Returns the op index of the first of `words` data reads. */
size_t scrub_txn_table_read(struct scrub_hal_txn *t, uint32_t table, uint32_t index, unsigned words);
/* An exact-match command with a key (and value) in w; returns the op index
 * of the TBL_RESULT read (the slot). */
size_t scrub_txn_em_command(struct scrub_hal_txn *t, uint32_t cmd, const scrub_words w);

struct scrub_hal_backend {
    const char *name;
    int (*run)(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err);
    void (*close)(void *ctx);
};

/* What the card says of itself. */
struct scrub_caps {
    uint32_t version, match, actions;
    uint32_t dest, em_buckets, em_ways, em_slots, em_stash, acl, policers, counters, fifo_beats, window,
        count_only;
};

struct scrub_hal {
    const struct scrub_hal_backend *backend;
    void *ctx;
    struct scrub_caps caps;
};

/* Opens a backend by name and discovers the card: "model", "simcard"
 * (scrub_hal_simcard.h), "xrt:xclbin=PATH[,device=INDEX|BDF]"
 * (scrub_hal_xrt.h), "kdrv[:dev=PATH]" (scrub_hal_kdrv.h). NULL with err
 * set when the backend is unknown, the card is absent or not ours. */
struct scrub_hal *scrub_hal_open(const char *backend, struct scrub_err *err);
/* Wraps an open backend context (takes ownership) and discovers the card. */
struct scrub_hal *scrub_hal_attach(const struct scrub_hal_backend *backend, void *ctx, struct scrub_err *err);
void scrub_hal_close(struct scrub_hal *h);

/* Runs a transaction: 0, or -1 with err naming the op that failed. */
int scrub_hal_run(struct scrub_hal *h, struct scrub_hal_txn *t, struct scrub_err *err);

/* Takes a counter snapshot, then reads counters first..first+n-1 of the
 * pool (SCRUB_TABLE_COUNTER) or of the global counters (SCRUB_TABLE_GSTAT). */
int scrub_hal_snapshot(struct scrub_hal *h, struct scrub_err *err);
int scrub_hal_read_counters(struct scrub_hal *h, uint32_t table, uint32_t first, uint32_t n,
                            struct scrub_counter *out, struct scrub_err *err);

/* The name of a register for messages ("TBL_STATUS"), or NULL. */
const char *scrub_reg_name(uint32_t addr);

#endif
