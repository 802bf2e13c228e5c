#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"

struct model_ctx {
    struct scrub_model *m;
    bool owned;
};

static bool reg_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    (void)err; /* the model refuses no access */
    *value = scrub_model_read(ctx, addr);
    return true;
}

static bool reg_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    (void)err;
    scrub_model_write(ctx, addr, value);
    return true;
}

static bool reg_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
    return false; /* the model finishes every command before the next access */
}

static int run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct model_ctx *c = ctx;
    struct scrub_hal_regs regs = scrub_hal_model_regs(c->m);
    return scrub_hal_exec(&regs, "model", t, err);
}

struct scrub_hal_regs scrub_hal_model_regs(struct scrub_model *m)
{
    return (struct scrub_hal_regs){.read = reg_read, .write = reg_write, .wait = reg_wait, .ctx = m};
}

static void close_ctx(void *ctx)
{
    struct model_ctx *c = ctx;
    if (c->owned)
        scrub_model_free(c->m);
    free(c);
}

const struct scrub_hal_backend scrub_hal_model_backend = {.name = "model", .run = run, .close = close_ctx};

static void *new_ctx(struct scrub_model *m, bool owned, struct scrub_err *err)
{
    struct model_ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        scrub_err_set(err, ENOMEM, "out of memory opening the model backend");
        return NULL;
    }
    c->m = m;
    c->owned = owned;
    return c;
}

void *scrub_hal_model_open(struct scrub_err *err)
{
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_model *m = scrub_model_new(&p);
    if (!m) {
        scrub_err_set(err, errno, "model backend: cannot create the card model: %s", strerror(errno));
        return NULL;
    }
    void *ctx = new_ctx(m, true, err);
    if (!ctx)
        scrub_model_free(m);
    return ctx;
}

struct scrub_hal *scrub_hal_model_attach(struct scrub_model *m, struct scrub_err *err)
{
    void *ctx = new_ctx(m, false, err);
    return ctx ? scrub_hal_attach(&scrub_hal_model_backend, ctx, err) : NULL;
}
