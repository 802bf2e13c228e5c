#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "stats.h"

/* How often when the mitigations last dropped is saved (and when scrubd
 * stops): a crash loses at most this much of it. */
#define SAVE_EVERY_MS 60000

static void save_activity(struct scrubd *d)
{
    struct scrub_err err = {0};
    clock_gettime(CLOCK_MONOTONIC, &d->stats.saved_at);
    if (scrub_core_activity_save(d->core, &err))
        log_error("stats: %s (the statuses after a restart start from what was saved before)", err.msg);
}

static void poll_counters(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct scrubd *d = arg;
    struct stats *s = &d->stats;
    if (!d->hal)
        return; /* lost: the card timer reopens it */
    struct scrub_counter c[SCRUB_GSTAT_COUNT];
    struct scrub_err err = {0};
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    if (scrub_hal_snapshot(d->hal, &err) ||
        scrub_hal_read_counters(d->hal, SCRUB_TABLE_GSTAT, 0, SCRUB_GSTAT_COUNT, c, &err)) {
        s->errors++;
        if (!s->failing)
            log_error("stats: polling the card's counters failed: %s (retrying every %u ms)", err.msg,
                      d->opt.stats_ms);
        s->failing = true;
        return;
    }
    if (scrub_core_poll(d->core, &err)) {
        s->errors++;
        if (!s->failing)
            log_error("stats: polling the mitigations' counters failed: %s", err.msg);
        s->failing = true;
        return;
    }
    if (s->failing)
        log_info("stats: counter polls work again after %" PRIu64 " failures", s->errors);
    s->failing = false;
    memcpy(s->prev, s->cur, sizeof(s->prev));
    s->prev_at = s->cur_at;
    memcpy(s->cur, c, sizeof(s->cur));
    s->cur_at = at;
    s->polls++;
    if (timespec_ms(&s->saved_at, &at) >= SAVE_EVERY_MS)
        save_activity(d);
}

int stats_start(struct scrubd *d, struct scrub_err *err)
{
    if (!d->opt.stats_ms)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &d->stats.saved_at);
    poll_counters(-1, 0, d);
    d->stats.timer = event_new(d->base, -1, EV_PERSIST, poll_counters, d);
    struct timeval tv = {.tv_sec = d->opt.stats_ms / 1000, .tv_usec = d->opt.stats_ms % 1000 * 1000};
    if (!d->stats.timer || event_add(d->stats.timer, &tv))
        return scrub_err_set(err, ENOMEM, "stats: cannot add the counter poll timer to the event loop");
    return 0;
}

void stats_stop(struct scrubd *d)
{
    if (d->stats.timer) {
        event_free(d->stats.timer);
        save_activity(d);
    }
    d->stats.timer = NULL;
}

static json_object *rate(uint64_t before, uint64_t after, double seconds, double scale)
{
    if (after < before)
        return NULL;
    return json_object_new_double((double)(after - before) * scale / seconds);
}

json_object *stats_rates(const struct scrubd *d)
{
    static const char *const names[] = SCRUB_GSTAT_NAMES;
    const struct stats *s = &d->stats;
    int64_t interval = timespec_ms(&s->prev_at, &s->cur_at);
    if (s->polls < 2 || interval <= 0)
        return NULL;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds = (double)interval / 1000;
    json_object *global = json_object_new_object();
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "pps", rate(s->prev[i].packets, s->cur[i].packets, seconds, 1));
        json_object_object_add(o, "bps", rate(s->prev[i].bytes, s->cur[i].bytes, seconds, 8));
        json_object_object_add(global, names[i], o);
    }
    json_object *r = json_object_new_object();
    json_object_object_add(r, "interval_ms", json_object_new_int64(interval));
    json_object_object_add(r, "age_ms", json_object_new_int64(timespec_ms(&s->cur_at, &now)));
    json_object_object_add(r, "global", global);
    return r;
}
