/* Heartbeats and signal loss (RFC 9132 section 4.7): PUT
 * /.well-known/dots/hb, the server's own heartbeats to each established
 * session, and the server's watch of each client's signal.
 * Any message from a client (a heartbeat, any request, a CoAP Ping over
 * TLS, an answer to the server's heartbeat) is a sign of life; when none
 * came for missing-hb-allowed heartbeat intervals of the values in force
 * for the client (dots_client_values), the signal is lost and the client's
 * mitigations waiting for that (trigger-mitigation false) are activated
 * through the core. At start every tenant counts as seen, so a client is
 * lost only a full period after the server started. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

#define TICK_MS 250 /* the loss check and the server's heartbeats */

struct liveness {
    char *identity;
    int64_t last_seen_ms; /* CLOCK_MONOTONIC */
    int64_t last_hb_ms;   /* its last heartbeat; 0: none since the start */
    bool lost;            /* declared lost, and not heard from since */
};

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
    s->alive[s->nalive] = (struct liveness){.identity = id, .last_seen_ms = dots_now_ms()};
    return &s->alive[s->nalive++];
}

void dots_liveness_seen(struct dots_signal *s, const char *identity, bool heartbeat)
{
    struct liveness *l = find(s, identity);
    if (!l && !(l = add(s, identity))) {
        dots_say(s, DOTS_LOG_ERROR, "out of memory watching the signal of %s", identity);
        return;
    }
    if (l->lost)
        dots_say(s, DOTS_LOG_INFO, "signal with %s is back", identity);
    l->last_seen_ms = dots_now_ms();
    if (heartbeat)
        l->last_hb_ms = l->last_seen_ms;
    l->lost = false;
}

/* The time without a message after which identity's signal is lost; 0:
 * never (heartbeat-interval 0: no heartbeats). */
static int64_t loss_after_ms(const struct dots_sc_values *v)
{
    return (int64_t)v->v[DOTS_SC_HEARTBEAT_INTERVAL] * v->v[DOTS_SC_MISSING_HB_ALLOWED] * 1000;
}

/* PUT /.well-known/dots/hb, Non-confirmable (RFC 9132 section 4.7), with
 * peer-hb-status: whether a heartbeat of the client (on any of its
 * sessions) came within its loss time (the YANG module: "set to 'true' if
 * the DOTS agent is receiving heartbeat messages from its peer"). */
static void send_heartbeat(struct dots_signal *s, struct dots_peer *p, bool peer_hb_status)
{
    static const char *const path[] = {".well-known", "dots", "hb"};
    uint8_t token[8], buf[4];
    size_t token_len;
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_NON, COAP_REQUEST_CODE_PUT, coap_new_message_id(p->session),
                                    coap_session_max_pdu_size(p->session));
    bool ok = pdu != NULL;
    coap_session_new_token(p->session, &token_len, token);
    ok = ok && coap_add_token(pdu, token_len, token);
    for (size_t i = 0; ok && i < 3; i++)
        ok = coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(path[i]), (const uint8_t *)path[i]) != 0;
    ok = ok && coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                               coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_DOTS_CBOR), buf);
    ok = ok && coap_add_data(pdu, s->hb_len[peer_hb_status], s->hb_body[peer_hb_status]);
    if (!ok) {
        coap_delete_pdu(pdu);
        dots_say(s, DOTS_LOG_ERROR, "heartbeat to %s (%s): the message does not build", p->identity,
                 coap_session_str(p->session));
        return;
    }
    if (coap_send(p->session, pdu) == COAP_INVALID_MID)
        dots_say(s, DOTS_LOG_WARNING, "heartbeat to %s (%s) not sent", p->identity, coap_session_str(p->session));
}

/* Each established session gets a heartbeat every heartbeat-interval of
 * the client's values in force (none for 0). Over DTLS the session's CoAP
 * transmission parameters follow those values too; over TLS they do not
 * apply and the heartbeat is a CoAP Ping (RFC 8323 section 5.4). A session
 * silent for the loss time gets no more, so that libcoap's idle timeout
 * can end it. */
static void send_heartbeats(struct dots_signal *s, int64_t now)
{
    for (struct dots_peer *p = s->peers; p; p = p->next) {
        const struct dots_sc_values *v = dots_client_values(s, p->identity);
        int64_t interval = (int64_t)v->v[DOTS_SC_HEARTBEAT_INTERVAL] * 1000, loss = loss_after_ms(v);
        if (!interval || now - p->heard_ms > loss || now - p->hb_tx_ms < interval)
            continue;
        p->hb_tx_ms = now;
        if (p->tcp) {
            if (coap_session_send_ping(p->session) == COAP_INVALID_MID)
                dots_say(s, DOTS_LOG_WARNING, "heartbeat (Ping) to %s (%s) not sent", p->identity,
                         coap_session_str(p->session));
            continue;
        }
        coap_session_set_max_retransmit(p->session, v->v[DOTS_SC_MAX_RETRANSMIT]);
        coap_session_set_ack_timeout(p->session, (coap_fixed_point_t){v->v[DOTS_SC_ACK_TIMEOUT] / 100,
                                                                      v->v[DOTS_SC_ACK_TIMEOUT] % 100 * 10});
        coap_session_set_ack_random_factor(p->session,
                                           (coap_fixed_point_t){v->v[DOTS_SC_ACK_RANDOM_FACTOR] / 100,
                                                                v->v[DOTS_SC_ACK_RANDOM_FACTOR] % 100 * 10});
        coap_session_set_probing_rate(p->session, v->v[DOTS_SC_PROBING_RATE]);
        const struct liveness *l = find(s, p->identity);
        send_heartbeat(s, p, l && l->last_hb_ms && now - l->last_hb_ms <= loss);
    }
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
    struct dots_signal *s = arg;
    int64_t now = dots_now_ms();
    (void)fd;
    (void)what;
    send_heartbeats(s, now);
    for (size_t i = 0; i < s->nalive; i++) {
        struct liveness *l = &s->alive[i];
        int64_t after = l->lost ? 0 : loss_after_ms(dots_client_values(s, l->identity));
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

/* An answer to the server's heartbeat, or the Pong to its Ping: the
 * client is alive (not a heartbeat of its own). */
static void client_alive(coap_session_t *session)
{
    struct dots_signal *s = dots_signal_of(session);
    struct dots_peer *p = dots_peer_heard(session);
    if (s && p)
        dots_liveness_seen(s, p->identity, false);
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent, const coap_pdu_t *received,
                                   const coap_mid_t mid)
{
    (void)sent;
    (void)received;
    (void)mid;
    client_alive(session);
    return COAP_RESPONSE_OK;
}

static void on_pong(coap_session_t *session, const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)received;
    (void)mid;
    client_alive(session);
}

int dots_liveness_start(struct dots_signal *s, struct scrub_err *err)
{
    int r = scrub_core_tenants_each(s->cfg.core, seed, s, err);
    if (r != 0)
        return r < 0 ? scrub_err_prefix(err, "dots signal: the tenants") : scrub_err_set(err, ENOMEM, "out of memory");
    for (int status = 0; status < 2; status++) {
        char json[96];
        snprintf(json, sizeof json, "{\"ietf-dots-signal-channel:peer-hb-status\":%s}",
                 status ? "true" : "false");
        if (dots_encode_json(s, json, &s->hb_body[status], &s->hb_len[status], err) < 0)
            return scrub_err_prefix(err, "dots signal: the heartbeat body");
    }
    coap_register_response_handler(s->ctx, on_response);
    coap_register_pong_handler(s->ctx, on_pong);
    struct timeval every = {.tv_sec = 0, .tv_usec = TICK_MS * 1000};
    s->loss_timer = event_new(s->base, -1, EV_PERSIST, tick, s);
    if (!s->loss_timer || event_add(s->loss_timer, &every) < 0)
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
    for (int status = 0; status < 2; status++) {
        free(s->hb_body[status]);
        s->hb_body[status] = NULL;
    }
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
    dots_liveness_seen(s, id, true);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
}
