#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_hal.h"
#include "scrub_hal_exec.h"
#include "scrub_hal_kdrv.h"
#include "scrub_hal_model.h"
#include "scrub_hal_simcard.h"
#ifdef SCRUB_HAVE_XRT
#include "scrub_hal_xrt.h"
#endif

/* ---- building transactions ------------------------------------------------------ */

void scrub_txn_init(struct scrub_hal_txn *t)
{
    memset(t, 0, sizeof(*t));
}

void scrub_txn_free(struct scrub_hal_txn *t)
{
    free(t->ops);
    scrub_txn_init(t);
}

void scrub_txn_reset(struct scrub_hal_txn *t)
{
    t->n = 0;
    t->commit = t->oom = false;
    t->failed = 0;
}

static struct scrub_hal_op *append(struct scrub_hal_txn *t)
{
    static struct scrub_hal_op sink; /* absorbs appends after an allocation failure */
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct scrub_hal_op *ops = t->oom ? NULL : realloc(t->ops, cap * sizeof(*ops));
        if (!ops) {
            t->oom = true;
            return &sink;
        }
        t->ops = ops;
        t->cap = cap;
    }
    struct scrub_hal_op *op = &t->ops[t->n++];
    memset(op, 0, sizeof(*op));
    return op;
}

void scrub_txn_write(struct scrub_hal_txn *t, uint32_t addr, uint32_t value)
{
    struct scrub_hal_op *op = append(t);
    op->kind = SCRUB_HAL_WRITE;
    op->addr = addr;
    op->value = value;
}

size_t scrub_txn_read(struct scrub_hal_txn *t, uint32_t addr)
{
    struct scrub_hal_op *op = append(t);
    op->kind = SCRUB_HAL_READ;
    op->addr = addr;
    return t->n - 1;
}

void scrub_txn_poll(struct scrub_hal_txn *t, uint32_t addr, uint32_t mask, uint32_t expect, uint32_t timeout_us)
{
    struct scrub_hal_op *op = append(t);
    op->kind = SCRUB_HAL_POLL;
    op->addr = addr;
    op->mask = mask;
    op->expect = expect;
    op->timeout_us = timeout_us;
}

/* A table command takes at most this long on any card. */
#define TABLE_TIMEOUT_US 10000u

static void table_command(struct scrub_hal_txn *t, uint32_t cmd)
{
    scrub_txn_write(t, SCRUB_REG_TBL_CMD, cmd);
    scrub_txn_poll(t, SCRUB_REG_TBL_STATUS, SCRUB_TBL_STATUS_BUSY_MASK, 0, TABLE_TIMEOUT_US);
    scrub_txn_poll(t, SCRUB_REG_TBL_STATUS, SCRUB_TBL_STATUS_RESULT_MASK, SCRUB_STATUS_OK, 0);
}

static void select_entry(struct scrub_hal_txn *t, uint32_t table, uint32_t index)
{
    scrub_txn_write(t, SCRUB_REG_TBL_SELECT, table);
    scrub_txn_write(t, SCRUB_REG_TBL_INDEX, index);
}

void scrub_txn_table_write(struct scrub_hal_txn *t, uint32_t table, uint32_t index, const scrub_words w,
                           unsigned words)
{
    select_entry(t, table, index);
    for (unsigned i = 0; i < words; i++)
        scrub_txn_write(t, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    table_command(t, SCRUB_CMD_WRITE);
}

size_t scrub_txn_table_read(struct scrub_hal_txn *t, uint32_t table, uint32_t index, unsigned words)
{
    select_entry(t, table, index);
    table_command(t, SCRUB_CMD_READ);
    size_t first = t->n;
    for (unsigned i = 0; i < words; i++)
        scrub_txn_read(t, SCRUB_REG_TBL_DATA + 4 * i);
    return first;
}

size_t scrub_txn_em_command(struct scrub_hal_txn *t, uint32_t cmd, const scrub_words w)
{
    scrub_txn_write(t, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_EM);
    for (unsigned i = 0; i < SCRUB_TABLE_EM_WORDS; i++)
        scrub_txn_write(t, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    table_command(t, cmd);
    return scrub_txn_read(t, SCRUB_REG_TBL_RESULT);
}

/* ---- backends and discovery ------------------------------------------------------ */

const char *scrub_reg_name(uint32_t addr)
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
    return NULL;
}

static int discover(struct scrub_hal *h, struct scrub_err *err)
{
    static const uint32_t regs[] = {
        SCRUB_REG_MAGIC,          SCRUB_REG_VERSION,     SCRUB_REG_CAP_MATCH,    SCRUB_REG_CAP_ACTION,
        SCRUB_REG_CAP_DEST,       SCRUB_REG_CAP_EM_BUCKETS, SCRUB_REG_CAP_EM_GEOM, SCRUB_REG_CAP_ACL,
        SCRUB_REG_CAP_POLICERS,   SCRUB_REG_CAP_COUNTERS, SCRUB_REG_CAP_FIFO_BEATS, SCRUB_REG_CAP_WINDOW,
        SCRUB_REG_CAP_COUNT_ONLY,
    };
    enum { N = sizeof(regs) / sizeof(regs[0]) };
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    for (unsigned i = 0; i < N; i++)
        scrub_txn_read(&t, regs[i]);
    int rc = scrub_hal_run(h, &t, err);
    uint32_t v[N];
    for (unsigned i = 0; rc == 0 && i < N; i++)
        v[i] = t.ops[i].value;
    scrub_txn_free(&t);
    if (rc)
        return scrub_err_prefix(err, "reading the card's identity");
    if (v[0] != SCRUB_MAGIC_VALUE)
        return scrub_err_set(err, ENODEV, "%s backend: magic register reads 0x%08x, not 0x%08x: not a scrub card",
                             h->backend->name, v[0], SCRUB_MAGIC_VALUE);
    uint32_t major = v[1] >> SCRUB_VERSION_MAJOR_LSB;
    if (major != SCRUB_VERSION_MAJOR)
        return scrub_err_set(err, ENOTSUP, "%s backend: card register map version %u.%u, this software speaks %u.x",
                             h->backend->name, major, v[1] & SCRUB_VERSION_MINOR_MASK, SCRUB_VERSION_MAJOR);
    struct scrub_caps *c = &h->caps;
    c->version = v[1];
    c->match = v[2];
    c->actions = v[3];
    c->dest = v[4];
    c->em_buckets = v[5];
    c->em_ways = (v[6] & SCRUB_CAP_EM_GEOM_WAYS_MASK) >> SCRUB_CAP_EM_GEOM_WAYS_LSB;
    c->em_slots = (v[6] & SCRUB_CAP_EM_GEOM_SLOTS_MASK) >> SCRUB_CAP_EM_GEOM_SLOTS_LSB;
    c->em_stash = (v[6] & SCRUB_CAP_EM_GEOM_STASH_MASK) >> SCRUB_CAP_EM_GEOM_STASH_LSB;
    c->acl = v[7];
    c->policers = v[8];
    c->counters = v[9];
    c->fifo_beats = v[10];
    c->window = v[11];
    c->count_only = v[12];
    return 0;
}

struct scrub_hal *scrub_hal_attach(const struct scrub_hal_backend *backend, void *ctx, struct scrub_err *err)
{
    struct scrub_hal *h = calloc(1, sizeof(*h));
    if (!h) {
        backend->close(ctx);
        scrub_err_set(err, ENOMEM, "out of memory opening the %s backend", backend->name);
        return NULL;
    }
    h->backend = backend;
    h->ctx = ctx;
    if (discover(h, err)) {
        scrub_hal_close(h);
        return NULL;
    }
    return h;
}

struct scrub_hal *scrub_hal_open(const char *backend, struct scrub_err *err)
{
    if (strcmp(backend, "model") == 0) {
        void *ctx = scrub_hal_model_open(err);
        return ctx ? scrub_hal_attach(&scrub_hal_model_backend, ctx, err) : NULL;
    }
    if (strcmp(backend, "simcard") == 0) {
        void *ctx = scrub_hal_simcard_open(NULL, err);
        return ctx ? scrub_hal_attach(&scrub_hal_simcard_backend, ctx, err) : NULL;
    }
    if (strcmp(backend, "xrt") == 0 || strncmp(backend, "xrt:", 4) == 0) {
#ifdef SCRUB_HAVE_XRT
        void *ctx = scrub_hal_xrt_open(backend[3] ? backend + 4 : "", err);
        return ctx ? scrub_hal_attach(&scrub_hal_xrt_backend, ctx, err) : NULL;
#else
        scrub_err_set(err, ENOTSUP, "xrt backend: not in this build (XRT was not found when it was configured; "
                      "scripts/bootstrap installs it)");
        return NULL;
#endif
    }
    if (strcmp(backend, "kdrv") == 0 || strncmp(backend, "kdrv:", 5) == 0) {
        void *ctx = scrub_hal_kdrv_open(backend[4] ? backend + 5 : "", err);
        return ctx ? scrub_hal_attach(&scrub_hal_kdrv_backend, ctx, err) : NULL;
    }
    scrub_err_set(err, EINVAL,
                  "unknown card backend '%s' (known: model, simcard, xrt:xclbin=PATH[,device=INDEX|BDF], "
                  "kdrv[:dev=PATH])", backend);
    return NULL;
}

void scrub_hal_close(struct scrub_hal *h)
{
    if (!h)
        return;
    h->backend->close(h->ctx);
    free(h);
}

int scrub_hal_run(struct scrub_hal *h, struct scrub_hal_txn *t, struct scrub_err *err)
{
    if (t->oom)
        return scrub_err_set(err, ENOMEM, "out of memory building a card transaction");
    return h->backend->run(h->ctx, t, err);
}

/* ---- counters ------------------------------------------------------------------- */

#define SNAPSHOT_TIMEOUT_US 100000u

int scrub_hal_snapshot(struct scrub_hal *h, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_write(&t, SCRUB_REG_SNAPSHOT, 1);
    scrub_txn_poll(&t, SCRUB_REG_STATUS, SCRUB_STATUS_SNAPSHOT_BUSY_MASK, 0, SNAPSHOT_TIMEOUT_US);
    int rc = scrub_hal_run(h, &t, err);
    scrub_txn_free(&t);
    return rc ? scrub_err_prefix(err, "counter snapshot") : 0;
}

/* Counters are read in batches so a transaction stays small. */
#define COUNTER_BATCH 256u

int scrub_hal_read_counters(struct scrub_hal *h, uint32_t table, uint32_t first, uint32_t n,
                            struct scrub_counter *out, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    int rc = 0;
    for (uint32_t done = 0; rc == 0 && done < n;) {
        uint32_t batch = n - done < COUNTER_BATCH ? n - done : COUNTER_BATCH;
        size_t at[COUNTER_BATCH];
        scrub_txn_reset(&t);
        for (uint32_t i = 0; i < batch; i++)
            at[i] = scrub_txn_table_read(&t, table, first + done + i, SCRUB_TABLE_COUNTER_WORDS);
        rc = scrub_hal_run(h, &t, err);
        for (uint32_t i = 0; rc == 0 && i < batch; i++) {
            scrub_words w = {0};
            for (unsigned k = 0; k < SCRUB_TABLE_COUNTER_WORDS; k++)
                w[k] = t.ops[at[i] + k].value;
            scrub_counter_unpack(w, &out[done + i]);
        }
        done += batch;
    }
    scrub_txn_free(&t);
    return rc;
}
