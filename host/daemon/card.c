#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "log.h"

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

/* Reads n registers in one transaction. */
static int read_regs(struct scrub_hal *h, const uint32_t *addr, uint32_t *value, size_t n, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    for (size_t i = 0; i < n; i++)
        scrub_txn_read(&t, addr[i]);
    int rc = scrub_hal_run(h, &t, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        value[i] = t.ops[i].value;
    scrub_txn_free(&t);
    return rc;
}

static int write_reg(struct scrub_hal *h, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_write(&t, addr, value);
    int rc = scrub_hal_run(h, &t, err);
    scrub_txn_free(&t);
    return rc;
}

static void log_identity(const struct scrubd *d)
{
    const struct scrub_caps *c = &d->hal->caps;
    log_info("card: %s backend, register map %u.%u; dest %u, exact-match %u buckets x %u ways x %u slots + %u "
             "stash, ACL %u, policers %u, counter pairs %u",
             d->hal->backend->name, c->version >> SCRUB_VERSION_MAJOR_LSB, c->version & SCRUB_VERSION_MINOR_MASK,
             c->dest, c->em_buckets, c->em_ways, c->em_slots, c->em_stash, c->acl, c->policers, c->counters);
}

/* Takes an opened card as it is: programs it if it is fresh, sets
 * FAIL_CLOSED, arms the watchdog. */
static int adopt(struct scrubd *d, struct scrub_err *err)
{
    static const uint32_t regs[] = {SCRUB_REG_CTRL, SCRUB_REG_COMMIT_COUNT};
    uint32_t v[2];
    if (read_regs(d->hal, regs, v, 2, err))
        return scrub_err_prefix(err, "reading the card's state");
    bool fresh = !(v[0] & SCRUB_CTRL_ENABLE_MASK) && v[1] == 0;
    struct card_sync_stats st;
    if (scrub_core_attach(d->core, d->hal, &st, err))
        return scrub_err_prefix(err, "%s the card with %s and the store %s", fresh ? "programming" : "reconciling",
                                d->opt.config_path, d->opt.store_path);
    const struct scrub_layout *l = &scrub_core_image(d->core)->layout;
    if (fresh)
        log_info("card: fresh from reset: programmed with %s and the store (ACL %u, dest %u, exact-match %u, "
                 "policers %u, counter pairs %u; %u writes)",
                 d->opt.config_path, l->acl.used, l->dest.used, l->em.used, l->policers.used, l->counter_pairs.used,
                 card_sync_writes(&st));
    else
        log_info("card: already programmed (filtering %s, %u commits): reconciled with the store: %u writes (dest "
                 "%u, ACL %u, policers %u, exact-match +%u -%u, counter pairs zeroed %u)%s",
                 v[0] & SCRUB_CTRL_ENABLE_MASK ? "on" : "off", v[1], card_sync_writes(&st), st.dest, st.acl,
                 st.policers, st.em_inserts, st.em_deletes, st.counters_zeroed,
                 st.committed ? ", committed" : ", nothing to commit");
    if (!(v[0] & SCRUB_CTRL_ENABLE_MASK)) {
        v[0] |= SCRUB_CTRL_ENABLE_MASK;
        if (write_reg(d->hal, SCRUB_REG_CTRL, v[0], err))
            return scrub_err_prefix(err, "enabling filtering (CTRL.ENABLE)");
    }

    uint32_t ctrl = d->opt.fail_closed ? v[0] | SCRUB_CTRL_FAIL_CLOSED_MASK : v[0] & ~SCRUB_CTRL_FAIL_CLOSED_MASK;
    if (ctrl != v[0] && write_reg(d->hal, SCRUB_REG_CTRL, ctrl, err))
        return scrub_err_prefix(err, "setting CTRL.FAIL_CLOSED");
    if (write_reg(d->hal, SCRUB_REG_WDOG_TIMEOUT, d->opt.wdog_timeout_ms, err))
        return scrub_err_prefix(err, "arming the watchdog (WDOG_TIMEOUT %u ms)", d->opt.wdog_timeout_ms);
    now(&d->wdog.last_kick);
    if (d->opt.wdog_timeout_ms)
        log_info("watchdog: %u ms, kicked every %u ms; when it expires the card fails %s",
                 d->opt.wdog_timeout_ms, d->opt.wdog_kick_ms, d->opt.fail_closed ? "closed" : "open");
    else
        log_warning("watchdog: off (timeout 0): the card keeps filtering with its last tables whatever happens "
                    "to scrubd");
    return 0;
}

int card_start(struct scrubd *d, struct scrub_err *err)
{
    d->hal = scrub_hal_open(d->opt.backend, err);
    if (!d->hal)
        return scrub_err_prefix(err, "opening the card (backend '%s')", d->opt.backend);
    log_identity(d);
    return adopt(d, err);
}

/* The card timer's period: the kick period, or a second without a watchdog. */
static uint32_t tick_ms(const struct scrubd *d)
{
    return d->opt.wdog_timeout_ms ? d->opt.wdog_kick_ms : 1000;
}

/* Reopens a lost card; on success it is adopted like a card at start. */
static void reopen(struct scrubd *d)
{
    struct scrub_err err = {0};
    d->hal = scrub_hal_open(d->opt.backend, &err);
    if (d->hal) {
        log_info("card: reopened after %" PRIu64 " failed attempts", d->card_reopen_failures);
        log_identity(d);
    }
    if (d->hal && adopt(d, &err) == 0) {
        d->card_reopen_failures = 0;
        return;
    }
    scrub_core_detach(d->core);
    scrub_hal_close(d->hal);
    d->hal = NULL;
    d->card_reopen_failures++;
    if (strcmp(err.msg, d->card_error)) /* log each new reason once */
        log_error("card: still lost: %s", err.msg);
    snprintf(d->card_error, sizeof(d->card_error), "%s", err.msg);
}

/* Every tick: kick the watchdog (or, without one, read STATUS). A failure
 * closes the card; the next ticks reopen it. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct scrubd *d = arg;
    if (!d->hal) {
        reopen(d);
        return;
    }
    struct scrub_err err = {0};
    static const uint32_t status = SCRUB_REG_STATUS;
    uint32_t ignored;
    int rc = d->opt.wdog_timeout_ms ? write_reg(d->hal, SCRUB_REG_WDOG_KICK, 1, &err)
                                    : read_regs(d->hal, &status, &ignored, 1, &err);
    if (rc == 0) {
        if (d->opt.wdog_timeout_ms) {
            d->wdog.kicks++;
            now(&d->wdog.last_kick);
        }
        return;
    }
    if (d->opt.wdog_timeout_ms)
        d->wdog.kick_errors++;
    log_error("card: lost: %s; scrubd reopens it every %u ms (counters fail meanwhile, status says so)", err.msg,
              tick_ms(d));
    snprintf(d->card_error, sizeof(d->card_error), "%s", err.msg);
    scrub_core_detach(d->core);
    scrub_hal_close(d->hal);
    d->hal = NULL;
}

int card_timer_start(struct scrubd *d, struct scrub_err *err)
{
    d->wdog.timer = event_new(d->base, -1, EV_PERSIST, tick, d);
    struct timeval tv = {.tv_sec = tick_ms(d) / 1000, .tv_usec = tick_ms(d) % 1000 * 1000};
    if (!d->wdog.timer || event_add(d->wdog.timer, &tv))
        return scrub_err_set(err, ENOMEM, "card: cannot add the watchdog timer to the event loop");
    return 0;
}

int card_reachable(const struct scrubd *d, struct scrub_err *err)
{
    if (d->hal)
        return 0;
    return scrub_err_set(err, ENODEV, "the card is not reachable (%s); scrubd tries to reopen it every %u ms, see "
                         "its log", d->card_error, tick_ms(d));
}

void card_stop(struct scrubd *d)
{
    if (d->wdog.timer)
        event_free(d->wdog.timer);
    d->wdog.timer = NULL;
    if (d->core)
        scrub_core_detach(d->core);
    scrub_hal_close(d->hal);
    d->hal = NULL;
}

static json_object *table_use(uint32_t capacity, const struct scrub_table_use *use, bool known)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "capacity", json_object_new_int64(capacity));
    json_object_object_add(o, "used", known ? json_object_new_int64(use->used) : NULL);
    return o;
}

static json_object *hex(uint32_t v)
{
    char s[16];
    snprintf(s, sizeof(s), "0x%08x", v);
    return json_object_new_string(s);
}

int card_status(struct scrubd *d, json_object *result, struct scrub_err *err)
{
    static const uint32_t regs[] = {SCRUB_REG_MAGIC, SCRUB_REG_CTRL, SCRUB_REG_STATUS, SCRUB_REG_WDOG_TIMEOUT,
                                    SCRUB_REG_COMMIT_COUNT, SCRUB_REG_TIME_LO, SCRUB_REG_TIME_HI};
    enum { N = sizeof(regs) / sizeof(regs[0]) };
    uint32_t v[N];
    json_object *card = json_object_new_object();
    json_object_object_add(result, "card", card);
    json_object_object_add(card, "reachable", json_object_new_boolean(d->hal != NULL));
    if (!d->hal) {
        card_reachable(d, err);
        json_object_object_add(card, "error", json_object_new_string(err->msg));
        return 0;
    }
    if (read_regs(d->hal, regs, v, N, err))
        return scrub_err_prefix(err, "reading the card's status");
    const struct scrub_caps *c = &d->hal->caps;

    json_object_object_add(card, "backend", json_object_new_string(d->hal->backend->name));
    json_object_object_add(card, "spec", json_object_new_string(d->opt.backend));
    json_object_object_add(card, "magic", hex(v[0]));
    char version[32];
    snprintf(version, sizeof(version), "%u.%u", c->version >> SCRUB_VERSION_MAJOR_LSB,
             c->version & SCRUB_VERSION_MINOR_MASK);
    json_object_object_add(card, "version", json_object_new_string(version));
    json_object *caps = json_object_new_object();
    json_object_object_add(caps, "match", hex(c->match));
    json_object_object_add(caps, "actions", hex(c->actions));
    json_object_object_add(caps, "fifo_beats", json_object_new_int64(c->fifo_beats));
    json_object_object_add(caps, "window_bytes", json_object_new_int64(c->window));
    json_object_object_add(caps, "count_only_per_packet", json_object_new_int64(c->count_only));
    json_object_object_add(card, "capabilities", caps);
    const struct card_image *img = scrub_core_image(d->core);
    bool known = img != NULL;
    static const struct scrub_layout none;
    const struct scrub_layout *l = known ? &img->layout : &none;
    json_object *tables = json_object_new_object();
    json_object_object_add(tables, "dest", table_use(c->dest, &l->dest, known));
    json_object_object_add(tables, "em", table_use(c->em_buckets * c->em_ways * c->em_slots + c->em_stash, &l->em, known));
    json_object_object_add(tables, "acl", table_use(c->acl, &l->acl, known));
    json_object_object_add(tables, "policer", table_use(c->policers, &l->policers, known));
    json_object_object_add(tables, "counter_pairs", table_use(c->counters, &l->counter_pairs, known));
    json_object_object_add(card, "tables", tables);
    json_object_object_add(card, "programmed_by_scrubd", json_object_new_boolean(known));
    json_object_object_add(card, "enabled", json_object_new_boolean(v[1] & SCRUB_CTRL_ENABLE_MASK));
    json_object_object_add(card, "commit_count", json_object_new_int64(v[4]));
    json_object_object_add(card, "time_ns", json_object_new_int64((int64_t)((uint64_t)v[6] << 32 | v[5])));

    json_object *w = json_object_new_object();
    json_object_object_add(w, "timeout_ms", json_object_new_int64(v[3]));
    json_object_object_add(w, "kick_ms", json_object_new_int64(d->opt.wdog_timeout_ms ? d->opt.wdog_kick_ms : 0));
    json_object_object_add(w, "fail", json_object_new_string(v[1] & SCRUB_CTRL_FAIL_CLOSED_MASK ? "closed" : "open"));
    json_object_object_add(w, "expired", json_object_new_boolean(v[2] & SCRUB_STATUS_WDOG_EXPIRED_MASK));
    json_object_object_add(w, "kicks", json_object_new_int64((int64_t)d->wdog.kicks));
    json_object_object_add(w, "kick_errors", json_object_new_int64((int64_t)d->wdog.kick_errors));
    struct timespec t;
    now(&t);
    json_object_object_add(w, "last_kick_ms_ago", json_object_new_int64(timespec_ms(&d->wdog.last_kick, &t)));
    json_object_object_add(result, "watchdog", w);
    return 0;
}

static json_object *pair(const struct scrub_counter *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
    json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
    return o;
}

json_object *card_counters(struct scrubd *d, struct scrub_err *err)
{
    static const char *const gstat[] = SCRUB_GSTAT_NAMES;
    static const char *const mal[] = SCRUB_MAL_NAMES;
    struct scrub_counter c[SCRUB_GSTAT_COUNT];
    if (card_reachable(d, err) || scrub_hal_snapshot(d->hal, err) ||
        scrub_hal_read_counters(d->hal, SCRUB_TABLE_GSTAT, 0, SCRUB_GSTAT_COUNT, c, err)) {
        scrub_err_prefix(err, "reading the global counters");
        return NULL;
    }
    json_object *global = json_object_new_object();
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
        json_object_object_add(global, gstat[i], pair(&c[i]));
    json_object *malformed = json_object_new_object();
    for (unsigned i = 1; i < SCRUB_MAL_NAMES_LEN; i++)
        json_object_object_add(malformed, mal[i], pair(&c[SCRUB_GSTAT_MALFORMED_BASE + i]));
    json_object *result = json_object_new_object();
    json_object_object_add(result, "global", global);
    json_object_object_add(result, "malformed", malformed);
    return result;
}
