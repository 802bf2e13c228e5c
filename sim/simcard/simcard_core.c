#include "simcard_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"
#include "scrub_model.h"
#ifdef SIMCARD_HAVE_RTL
#include "scrub_rtl.h"
#endif

/* The card's clock (the 322 MHz CMAC domain): how many clocks a poll's
 * microsecond of waiting runs on the RTL. */
#define CLOCKS_PER_US 322u
/* Between two frames the card runs the clocks of the gap between their
 * timestamps, up to this many: enough for everything inside to come out
 * (a fixed latency of at most 64 clocks, then a full 256-beat FIFO), after
 * which more idle clocks change nothing (time reaches the card as the
 * frames' timestamps, not as clocks). Without the gap, a capture would
 * reach the card as one back-to-back burst and overflow its output FIFO
 * where the real card, at the capture's rate, would not. */
#define MAX_GAP_CLOCKS 512u

/* Arrival times of frames in flight, oldest first (the RTL's outputs do
 * not carry them). */
struct ts_queue {
    uint64_t *v;
    size_t head, n, cap;
};

struct simcard_core {
    enum simcard_core_kind kind;
    struct scrub_model *model;
#ifdef SIMCARD_HAVE_RTL
    struct scrub_rtl *rtl;
    struct ts_queue in_flight, passed; /* frames in the card; passed frames not yet out */
    uint64_t last_ts;
    bool error_reported;
#endif
};

#ifdef SIMCARD_HAVE_RTL
static void ts_push(struct ts_queue *q, uint64_t ts)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 256;
        uint64_t *v = malloc(cap * sizeof(*v));
        if (!v) {
            fprintf(stderr, "scrub-simcard: out of memory tracking frames in the card\n");
            abort();
        }
        for (size_t i = 0; i < q->n; i++)
            v[i] = q->v[(q->head + i) % q->cap];
        free(q->v);
        q->v = v;
        q->head = 0;
        q->cap = cap;
    }
    q->v[(q->head + q->n++) % q->cap] = ts;
}

static uint64_t ts_pop(struct ts_queue *q)
{
    if (q->n == 0)
        return 0;
    uint64_t ts = q->v[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return ts;
}

/* Frames the RTL has finished: the passed ones keep their arrival time. */
static void settle_events(struct simcard_core *c)
{
    struct scrub_rtl_event e;
    while (scrub_rtl_event_pop(c->rtl, &e)) {
        uint64_t ts = ts_pop(&c->in_flight);
        if (e.tx)
            ts_push(&c->passed, ts);
    }
    if (scrub_rtl_error(c->rtl) && !c->error_reported) {
        fprintf(stderr, "scrub-simcard: the RTL card's error output is set (an internal bound broke)\n");
        c->error_reported = true;
    }
}
#endif

struct simcard_core *simcard_core_new(enum simcard_core_kind kind, bool deploy, struct scrub_err *err)
{
    struct simcard_core *c = calloc(1, sizeof(*c));
    if (!c) {
        scrub_err_set(err, ENOMEM, "out of memory creating the card");
        return NULL;
    }
    c->kind = kind;
    if (kind == SIMCARD_CORE_MODEL) {
        struct scrub_model_params sim = SCRUB_MODEL_PARAMS_SIM, dep = SCRUB_MODEL_PARAMS_DEPLOY;
        c->model = scrub_model_new(deploy ? &dep : &sim);
        if (c->model)
            return c;
        scrub_err_set(err, errno, "cannot create the card model: %s", strerror(errno));
        free(c);
        return NULL;
    }
    if (deploy) {
        scrub_err_set(err, EINVAL, "the RTL core has the simulation table sizes only (--card deploy needs --core "
                      "model)");
        free(c);
        return NULL;
    }
#ifdef SIMCARD_HAVE_RTL
    struct scrub_rtl_params p = {.idle_permille = 0, .stall_permille = 0, .seed = 1};
    c->rtl = scrub_rtl_new(&p);
    return c;
#else
    scrub_err_set(err, ENOTSUP, "this scrub-simcard was built without Verilator: only --core model");
    free(c);
    return NULL;
#endif
}

void simcard_core_free(struct simcard_core *c)
{
    if (!c)
        return;
    scrub_model_free(c->model);
#ifdef SIMCARD_HAVE_RTL
    if (c->rtl)
        scrub_rtl_free(c->rtl);
    free(c->in_flight.v);
    free(c->passed.v);
#endif
    free(c);
}

const char *simcard_core_name(const struct simcard_core *c)
{
    return c->kind == SIMCARD_CORE_MODEL ? "model" : "rtl";
}

/* ---- registers -------------------------------------------------------------------- */

#ifdef SIMCARD_HAVE_RTL
/* The RTL core refuses no access. */
static bool rtl_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    (void)err;
    *value = scrub_rtl_read(ctx, addr);
    return true;
}

static bool rtl_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    (void)err;
    scrub_rtl_write(ctx, addr, value);
    return true;
}

static bool rtl_wait(void *ctx, uint32_t us)
{
    scrub_rtl_run(ctx, (uint64_t)us * CLOCKS_PER_US);
    return true;
}
#endif

int simcard_core_run(struct simcard_core *c, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct scrub_hal_regs regs = scrub_hal_model_regs(c->model);
#ifdef SIMCARD_HAVE_RTL
    if (c->rtl)
        regs = (struct scrub_hal_regs){.read = rtl_read, .write = rtl_write, .wait = rtl_wait, .ctx = c->rtl};
#endif
    return scrub_hal_exec(&regs, "simcard", t, err);
}

static int core_run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    return simcard_core_run(ctx, t, err);
}

static void core_keep(void *ctx)
{
    (void)ctx; /* the core belongs to the process, not to this HAL */
}

static const struct scrub_hal_backend core_backend = {.name = "simcard", .run = core_run, .close = core_keep};

struct scrub_hal *simcard_core_hal(struct simcard_core *c, struct scrub_err *err)
{
    return scrub_hal_attach(&core_backend, c, err);
}

/* ---- traffic ------------------------------------------------------------------------ */

void simcard_core_set_time(struct simcard_core *c, uint64_t ns)
{
    if (c->model)
        scrub_model_set_time(c->model, ns);
#ifdef SIMCARD_HAVE_RTL
    else
        scrub_rtl_set_time(c->rtl, ns);
#endif
}

void simcard_core_frame(struct simcard_core *c, const uint8_t *frame, uint32_t len, uint64_t ts_ns)
{
    if (c->model) {
        struct scrub_verdict v;
        scrub_model_packet(c->model, frame, len, ts_ns, &v);
        return;
    }
#ifdef SIMCARD_HAVE_RTL
    if (len == 0)
        return; /* a frame of no bytes: no MAC delivers one, the card never sees it */
    if (c->last_ts && ts_ns > c->last_ts) {
        uint64_t gap_ns = ts_ns - c->last_ts, most_ns = MAX_GAP_CLOCKS * 1000ull / CLOCKS_PER_US;
        scrub_rtl_run(c->rtl, gap_ns < most_ns ? gap_ns * CLOCKS_PER_US / 1000 : MAX_GAP_CLOCKS);
    }
    c->last_ts = ts_ns;
    scrub_rtl_send(c->rtl, frame, len, ts_ns);
    ts_push(&c->in_flight, ts_ns);
    scrub_rtl_run(c->rtl, (len + 63) / 64);
    while (scrub_rtl_pending(c->rtl))
        scrub_rtl_run(c->rtl, 1);
    settle_events(c);
#endif
}

void simcard_core_flush(struct simcard_core *c)
{
#ifdef SIMCARD_HAVE_RTL
    if (c->rtl) {
        scrub_rtl_drain(c->rtl);
        settle_events(c);
    }
#else
    (void)c;
#endif
}

uint32_t simcard_core_output(struct simcard_core *c, uint8_t *buf, uint32_t cap, uint64_t *ts_ns)
{
    if (c->model)
        return scrub_model_output_pop(c->model, buf, cap, ts_ns);
#ifdef SIMCARD_HAVE_RTL
    settle_events(c);
    bool bad;
    uint32_t n;
    /* A bad-marked frame is one the MAC drops; the card counted it. */
    while ((n = scrub_rtl_output_pop(c->rtl, buf, cap, &bad)) > 0 && bad)
        ;
    if (n)
        *ts_ns = ts_pop(&c->passed);
    return n;
#else
    return 0;
#endif
}
