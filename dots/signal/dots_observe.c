/* Observe on mitigations (RFC 7641, RFC 9132 section 4.4.2.1). libcoap
 * cannot observe its unknown resource, so each cuid that has mitigations
 * and each of its (cuid, mid) gets a resource of its own, observable,
 * served by the same handlers. After every change the core reports, the
 * observers are told (libcoap re-runs the GET of each and sends the
 * answer: a mitigation gone is told as status 6 or 7, dots_ended.c), and
 * the resources are brought in line with the mitigations from the loop,
 * not from inside a handler that may belong to a resource being removed;
 * a resource that goes ends its observers with 4.04 (libcoap).
 * While any mitigation is active the observers are also told every
 * notify period, with fresh counters, and in peace time at least every
 * keepalive. libcoap sends notifications as NON with a CON every fifth
 * (COAP_OBS_MAX_NON), drops observers that do not answer a CON, and
 * numbers them: so a keepalive of a fifth of 24 hours makes a CON at
 * least daily (RFC 7641 section 4.5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

#define NOTIFY_PERIOD_DEFAULT_S 60
/* libcoap 4.3.1's COAP_OBS_MAX_NON, which its public headers do not give */
#define LIBCOAP_OBS_MAX_NON 5
#define KEEPALIVE_DEFAULT_S (24 * 3600 / LIBCOAP_OBS_MAX_NON)

static time_t monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

struct observed {
    char *path; /* ".well-known/dots/mitigate/cuid=C[/mid=M]" */
    coap_resource_t *resource;
};

static void on_request(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_signal *s = coap_resource_get_userdata(resource);
    (void)query;
    switch (coap_pdu_get_code(request)) {
    case COAP_REQUEST_CODE_GET: dots_mitigate_get(s, resource, session, request, response); break;
    case COAP_REQUEST_CODE_PUT: dots_mitigate_put(s, resource, session, request, response); break;
    default: dots_mitigate_delete(s, resource, session, request, response); /* DELETE */
    }
}

/* A new observable resource at path (taken); false without memory. */
static bool make(struct dots_signal *s, char *path, struct observed *out)
{
    coap_resource_t *r = coap_resource_init(coap_new_str_const((const uint8_t *)path, strlen(path)),
                                            COAP_RESOURCE_FLAGS_RELEASE_URI | COAP_RESOURCE_FLAGS_NOTIFY_NON);
    if (!r) {
        free(path);
        return false;
    }
    coap_resource_set_userdata(r, s);
    coap_resource_set_get_observable(r, 1);
    coap_register_request_handler(r, COAP_REQUEST_GET, on_request);
    coap_register_request_handler(r, COAP_REQUEST_PUT, on_request);
    coap_register_request_handler(r, COAP_REQUEST_DELETE, on_request);
    coap_add_resource(s->ctx, r);
    *out = (struct observed){.path = path, .resource = r};
    return true;
}

/* The paths the mitigations need, gathered unsorted. */
struct sync_ctx {
    char **paths;
    size_t n, cap;
    const char *last_cuid; /* the core lists mitigations by cuid */
    bool active;
};

static int add_path(struct sync_ctx *x, const char *path)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        char **a = realloc(x->paths, cap * sizeof *a);
        if (!a)
            return -1;
        x->paths = a;
        x->cap = cap;
    }
    return (x->paths[x->n] = strdup(path)) ? (x->n++, 0) : -1;
}

static int want_mitigation(void *arg, const struct scrub_mitigation_view *m)
{
    struct sync_ctx *x = arg;
    char path[300];
    x->active |= m->state != SCRUB_MIT_WAITING && m->state != SCRUB_MIT_DISPLACED; /* on the card: counters change */
    if (!x->last_cuid || strcmp(x->last_cuid, m->cuid) != 0) {
        snprintf(path, sizeof path, ".well-known/dots/mitigate/cuid=%s", m->cuid);
        if (add_path(x, path))
            return -1;
        x->last_cuid = m->cuid;
    }
    snprintf(path, sizeof path, ".well-known/dots/mitigate/cuid=%s/mid=%lld", m->cuid, (long long)m->mid);
    return add_path(x, path);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_observed_path(const void *a, const void *b)
{
    return strcmp(((const struct observed *)a)->path, ((const struct observed *)b)->path);
}

/* A resource for each cuid and (cuid, mid) there is, none for what is
 * gone (its observers were told by the notification that went before):
 * both lists sorted by path and merged, so a change costs O(n log n) with
 * thousands of mitigations, not a search per resource. */
static void sync_resources(struct dots_signal *s)
{
    struct sync_ctx x = {0};
    struct scrub_err err;
    int r = scrub_core_mitigations_each(s->cfg.core, NULL, false, want_mitigation, &x, &err);
    struct observed *next = r == 0 ? malloc((s->nobserved + x.n + 1) * sizeof *next) : NULL;
    if (!next) {
        dots_say(s, DOTS_LOG_ERROR, "observable resources: %s", r < 0 ? err.msg : "out of memory");
        for (size_t k = 0; k < x.n; k++)
            free(x.paths[k]);
        free(x.paths);
        return; /* nothing removed on a failure */
    }
    s->mitigating = x.active;
    if (x.n) /* qsort wants an array, even an empty one */
        qsort(x.paths, x.n, sizeof *x.paths, by_path);
    if (s->nobserved)
        qsort(s->observed, s->nobserved, sizeof *s->observed, by_observed_path);
    size_t i = 0, k = 0, n = 0, failed = 0;
    while (i < s->nobserved || k < x.n) {
        int cmp = i == s->nobserved ? 1 : k == x.n ? -1 : strcmp(s->observed[i].path, x.paths[k]);
        if (cmp < 0) { /* gone */
            coap_delete_resource(s->ctx, s->observed[i].resource);
            free(s->observed[i++].path);
        } else if (cmp == 0) { /* kept */
            next[n++] = s->observed[i++];
            free(x.paths[k++]);
        } else if (make(s, x.paths[k++], &next[n])) { /* new */
            n++;
        } else {
            failed++;
        }
    }
    if (failed)
        dots_say(s, DOTS_LOG_ERROR, "observable resources: out of memory for %zu of them (tried again at the next "
                                    "change)", failed);
    free(x.paths);
    free(s->observed);
    s->observed = next;
    s->nobserved = n;
}

static void notify_all(struct dots_signal *s)
{
    s->notified_at = monotonic_s();
    for (size_t i = 0; i < s->nobserved; i++)
        coap_resource_notify_observers(s->observed[i].resource, NULL);
}

/* The core changed: notify now, the end of what ended included; the
 * resources follow from the loop. */
static void on_change(void *arg)
{
    struct dots_signal *s = arg;
    dots_ended_update(s, true);
    notify_all(s);
    event_active(s->resync, 0, 0);
}

static void on_resync(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dots_signal *s = arg;
    /* the change's notifications (the ends among them) go before the
     * resources of what ended do */
    coap_tick_t now;
    coap_ticks(&now);
    coap_io_prepare_epoll(s->ctx, now);
    sync_resources(s);
    dots_ended_clear(s, false); /* told, and their resources are gone */
    notify_all(s); /* the new resources have no observers yet: cheap */
}

static void on_period(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dots_signal *s = arg;
    unsigned keepalive = s->cfg.observe_keepalive_s ? s->cfg.observe_keepalive_s : KEEPALIVE_DEFAULT_S;
    if (s->mitigating || monotonic_s() - s->notified_at >= (time_t)keepalive)
        notify_all(s);
    /* what was withdrawn meanwhile has been told: its resources go */
    sync_resources(s);
    dots_ended_clear(s, false);
}

int dots_observe_start(struct dots_signal *s, struct scrub_err *err)
{
    unsigned period = s->cfg.notify_period_s ? s->cfg.notify_period_s : NOTIFY_PERIOD_DEFAULT_S;
    struct timeval tv = {.tv_sec = period};
    s->resync = event_new(s->base, -1, 0, on_resync, s);
    s->notify_timer = event_new(s->base, -1, EV_PERSIST, on_period, s);
    if (!s->resync || !s->notify_timer || event_add(s->notify_timer, &tv) < 0)
        return scrub_err_set(err, ENOMEM, "dots signal: cannot add the notification events to the loop");
    sync_resources(s);
    s->notified_at = monotonic_s();
    dots_ended_update(s, false);
    scrub_core_on_change(s->cfg.core, on_change, s);
    return 0;
}

void dots_observe_stop(struct dots_signal *s)
{
    if (s->cfg.core && s->resync)
        scrub_core_on_change(s->cfg.core, NULL, NULL);
    if (s->resync)
        event_free(s->resync);
    if (s->notify_timer)
        event_free(s->notify_timer);
    s->resync = s->notify_timer = NULL;
    dots_ended_clear(s, true);
    /* the resources themselves go with the CoAP context */
    for (size_t i = 0; i < s->nobserved; i++)
        free(s->observed[i].path);
    free(s->observed);
    s->observed = NULL;
    s->nobserved = 0;
}
