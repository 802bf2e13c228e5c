/* Heartbeats and signal loss (RFC 9132 section 4.7): PUT
 * /.well-known/dots/hb, and the server's watch of each client's signal.
 * Any message from a client (a heartbeat, any request, a CoAP Ping over
 * TLS) is a sign of life; when none came for missing-hb-allowed
 * heartbeat intervals of the client's session configuration (its
 * mitigating values while it has an active mitigation, its idle ones
 * otherwise), the signal is lost and the client's mitigations waiting for
 * that (trigger-mitigation false) are activated through the core. At start
 * every tenant counts as seen, so a client is lost only a full period
 * after the server started. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

#define LOSS_CHECK_MS 250

struct liveness {
    char *identity;
    int64_t last_seen_ms; /* CLOCK_MONOTONIC */
    bool lost;            /* declared lost, and not heard from since */
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct liveness *find(struct dots_signal *s, const char *identity)
{
    for (size_t i = 0; i < s->nalive; i++)
        if (strcmp(s->alive[i].identity, identity) == 0)
            return &s->alive[i];
    return NULL;
}

static struct liveness *add(struct dots_signal *s, const char *identity)
{
    if (s->nalive == s->alive_cap) {
        size_t cap = s->alive_cap ? 2 * s->alive_cap : 16;
        struct liveness *a = realloc(s->alive, cap * sizeof *a);
        if (!a)
            return NULL;
        s->alive = a;
        s->alive_cap = cap;
    }
    char *id = strdup(identity);
    if (!id)
        return NULL;
    s->alive[s->nalive] = (struct liveness){.identity = id, .last_seen_ms = now_ms()};
    return &s->alive[s->nalive++];
}

void dots_liveness_seen(struct dots_signal *s, const char *identity)
{
    struct liveness *l = find(s, identity);
    if (!l && !(l = add(s, identity))) {
        dots_say(s, DOTS_LOG_ERROR, "out of memory watching the signal of %s", identity);
        return;
    }
    if (l->lost)
        dots_say(s, DOTS_LOG_INFO, "signal with %s is back", identity);
    l->last_seen_ms = now_ms();
    l->lost = false;
}

/* The time without a message after which identity's signal is lost; 0:
 * never (heartbeat-interval 0: no heartbeats). */
static int64_t loss_after_ms(const struct dots_signal *s, const char *identity)
{
    const struct dots_sc *sc = dots_client_sc(s, identity);
    const struct dots_sc_values *v = scrub_core_mitigating(s->cfg.core, identity) ? &sc->mitigating : &sc->idle;
    return (int64_t)v->v[DOTS_SC_HEARTBEAT_INTERVAL] * v->v[DOTS_SC_MISSING_HB_ALLOWED] * 1000;
}

static void check_losses(evutil_socket_t fd, short what, void *arg)
{
    struct dots_signal *s = arg;
    int64_t now = now_ms();
    (void)fd;
    (void)what;
    for (size_t i = 0; i < s->nalive; i++) {
        struct liveness *l = &s->alive[i];
        int64_t after = l->lost ? 0 : loss_after_ms(s, l->identity);
        if (after == 0 || now - l->last_seen_ms <= after)
            continue;
        struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_SIGNAL, true};
        struct scrub_err err;
        int n = scrub_core_mitigations_trigger(s->cfg.core, &daemon, l->identity, &err);
        if (n < 0) {
            /* tried again at the next check */
            dots_say(s, DOTS_LOG_ERROR, "signal with %s lost, but its waiting mitigations could not be triggered: %s",
                     l->identity, err.msg);
            continue;
        }
        l->lost = true;
        dots_say(s, DOTS_LOG_WARNING, "signal with %s lost (nothing heard for %lld ms): %d waiting mitigations triggered",
                 l->identity, (long long)(now - l->last_seen_ms), n);
    }
}

static int seed(void *arg, const struct scrub_tenant_view *t)
{
    struct dots_signal *s = arg;
    return find(s, t->identity) || add(s, t->identity) ? 0 : -1;
}

int dots_liveness_start(struct dots_signal *s, struct scrub_err *err)
{
    int r = scrub_core_tenants_each(s->cfg.core, seed, s, err);
    if (r != 0)
        return r < 0 ? scrub_err_prefix(err, "dots signal: the tenants") : scrub_err_set(err, ENOMEM, "out of memory");
    struct timeval tick = {.tv_sec = 0, .tv_usec = LOSS_CHECK_MS * 1000};
    s->loss_timer = event_new(s->base, -1, EV_PERSIST, check_losses, s);
    if (!s->loss_timer || event_add(s->loss_timer, &tick) < 0)
        return scrub_err_set(err, ENOMEM, "dots signal: cannot add the signal-loss timer to the loop");
    return 0;
}

void dots_liveness_stop(struct dots_signal *s)
{
    if (s->loss_timer)
        event_free(s->loss_timer);
    s->loss_timer = NULL;
    for (size_t i = 0; i < s->nalive; i++)
        free(s->alive[i].identity);
    free(s->alive);
    s->alive = NULL;
    s->nalive = s->alive_cap = 0;
}

/* A heartbeat carries peer-hb-status only (RFC 9132 section 4.7): 2.04. */
void dots_heartbeat_put(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_signal *s = coap_resource_get_userdata(resource);
    char id[256];
    (void)query;
    if (dots_request_identity(s, session, request, response, id, sizeof id) < 0)
        return;
    struct lyd_node *tree = dots_request_body(s, request, response);
    if (!tree)
        return;
    bool heartbeat = strcmp(LYD_NAME(tree), "peer-hb-status") == 0 && !tree->next;
    if (heartbeat)
        dots_say(s, DOTS_LOG_DEBUG, "heartbeat from %s, peer-hb-status %s", id, lyd_get_value(tree));
    lyd_free_all(tree);
    if (!heartbeat) {
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST, "a heartbeat body is a heartbeat (key 49) with "
                                                              "peer-hb-status (RFC 9132 section 4.7)");
        return;
    }
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
}
