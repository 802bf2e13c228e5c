/* Holding a signal channel session with heartbeats (RFC 9132 section 4.7):
 * ours every interval, the server's answered, and when ours go unanswered
 * the session kept and another opened in parallel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_cbor.h"
#include "dots_client_internal.h"

#define TOKENS 16 /* the heartbeats of a session whose answers are still awaited */

struct held {
    coap_session_t *session;
    bool up, failed;
    uint64_t next_ms;      /* its next heartbeat */
    bool outstanding;      /* the last one is not answered yet */
    unsigned unanswered;   /* in a row */
    unsigned attempts;     /* of the parallel session */
    uint8_t tokens[TOKENS][8];
    size_t token_len[TOKENS];
    unsigned ntokens;      /* sent so far; the last TOKENS are kept */
    unsigned sent, answered, server;
};

struct dots_hold {
    const struct dots_client_hold_config *cfg;
    void (*on_event)(void *arg, const struct dots_client_event *event);
    void *arg;
    struct held s[2];
    unsigned nsessions;
    uint64_t server_hb_ms;   /* the server's last heartbeat, on any session; 0: none yet */
    uint8_t *body[2];        /* ours, peer-hb-status false and true */
    size_t body_len[2];
};

static struct held *held_of(struct dots_hold *h, coap_session_t *session, unsigned *index)
{
    for (unsigned i = 0; i < h->nsessions; i++)
        if (h->s[i].session == session) {
            *index = i;
            return &h->s[i];
        }
    return NULL;
}

static void tell(struct dots_hold *h, enum dots_client_event_kind kind, unsigned index, unsigned count)
{
    struct dots_client_event e = {.kind = kind, .session = index + 1, .count = count};
    h->on_event(h->arg, &e);
}

/* The server's heartbeat on a session: counted, told, our peer-hb-status. */
static void server_heartbeat(struct dots_client *c, coap_session_t *session, bool ping, bool status)
{
    struct dots_hold *h = c->hold;
    unsigned i;
    struct held *s = h ? held_of(h, session, &i) : NULL;
    if (!s)
        return;
    s->server++;
    h->server_hb_ms = dots_client_now_ms();
    struct dots_client_event e = {.kind = DOTS_CLIENT_SERVER_HEARTBEAT, .session = i + 1, .ping = ping,
                                  .peer_hb_status = status};
    h->on_event(h->arg, &e);
}

/* PUT /.well-known/dots/hb from the server: 2.04 for a heartbeat body
 * (RFC 9132 section 4.7), 4.00 otherwise. */
static void on_hb(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                  const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_client *c = coap_resource_get_userdata(resource);
    const uint8_t *data = NULL;
    size_t len = 0;
    struct lyd_node *tree = NULL;
    struct dots_cbor_error cerr;
    (void)query;
    coap_get_data(request, &len, &data);
    if (dots_cbor_decode(c->cfg.schema, data, len, NULL, &tree, NULL, &cerr) < 0 ||
        strcmp(LYD_NAME(tree), "peer-hb-status") != 0 || tree->next) {
        static const char diagnostic[] = "a heartbeat body is a heartbeat (key 49) with peer-hb-status";
        lyd_free_all(tree);
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
        coap_add_data(response, sizeof diagnostic - 1, (const uint8_t *)diagnostic);
        return;
    }
    bool status = strcmp(lyd_get_value(tree), "true") == 0;
    lyd_free_all(tree);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
    server_heartbeat(c, session, false, status);
}

static struct dots_client *client_of(coap_session_t *session)
{
    return coap_session_get_app_data(session);
}

/* Over TLS the server's heartbeat is a Ping (libcoap sends the Pong). */
static void on_ping(coap_session_t *session, const coap_pdu_t *received, const coap_mid_t mid)
{
    struct dots_client *c = client_of(session);
    (void)received;
    (void)mid;
    if (c && c->cfg.tcp)
        server_heartbeat(c, session, true, false);
}

static void answered(struct dots_hold *h, struct held *s, unsigned index)
{
    s->answered++;
    s->outstanding = false;
    if (s->unanswered >= h->cfg->missing_allowed)
        tell(h, DOTS_CLIENT_ANSWERED_AGAIN, index, 0);
    s->unanswered = 0;
}

/* Over TLS our heartbeat's answer is the Pong. */
static void on_pong(coap_session_t *session, const coap_pdu_t *received, const coap_mid_t mid)
{
    struct dots_client *c = client_of(session);
    unsigned i;
    struct held *s = c && c->hold ? held_of(c->hold, session, &i) : NULL;
    (void)received;
    (void)mid;
    if (s)
        answered(c->hold, s, i);
}

void dots_hold_setup(struct dots_client *c)
{
    coap_resource_t *hb = coap_resource_init(coap_make_str_const(".well-known/dots/hb"), 0);
    coap_resource_set_userdata(hb, c);
    coap_register_request_handler(hb, COAP_REQUEST_PUT, on_hb);
    coap_add_resource(c->ctx, hb);
    coap_register_ping_handler(c->ctx, on_ping);
    coap_register_pong_handler(c->ctx, on_pong);
}

bool dots_hold_answer(struct dots_client *c, coap_session_t *session, coap_bin_const_t token)
{
    unsigned i;
    struct held *s = c->hold ? held_of(c->hold, session, &i) : NULL;
    if (!s)
        return false;
    unsigned kept = s->ntokens < TOKENS ? s->ntokens : TOKENS;
    for (unsigned k = 0; k < kept; k++)
        if (s->token_len[k] == token.length && memcmp(s->tokens[k], token.s, token.length) == 0) {
            answered(c->hold, s, i);
            return true;
        }
    return false;
}

void dots_hold_event(struct dots_client *c, coap_session_t *session, coap_event_t event)
{
    unsigned i;
    struct held *s = c->hold ? held_of(c->hold, session, &i) : NULL;
    if (!s)
        return;
    if (event == COAP_EVENT_DTLS_CONNECTED && !s->up) {
        s->up = true;
        s->failed = false;
        tell(c->hold, DOTS_CLIENT_UP, i, 0);
    } else if (event == COAP_EVENT_DTLS_ERROR || event == COAP_EVENT_DTLS_CLOSED || event == COAP_EVENT_TCP_FAILED ||
               event == COAP_EVENT_TCP_CLOSED || event == COAP_EVENT_SESSION_FAILED ||
               event == COAP_EVENT_SESSION_CLOSED) {
        if (!s->failed)
            tell(c->hold, DOTS_CLIENT_FAILED, i, s->attempts);
        s->failed = true;
        s->up = false;
    }
}

static int send_heartbeat(struct dots_client *c, struct held *s, uint64_t now)
{
    struct dots_hold *h = c->hold;
    if (s->outstanding)
        s->unanswered++;
    s->outstanding = true;
    s->sent++;
    if (c->cfg.tcp) {
        /* RFC 8323 section 5.4: the answer is the Pong */
        return coap_session_send_ping(s->session) == COAP_INVALID_MID ? -1 : 0;
    }
    bool status = h->server_hb_ms && now - h->server_hb_ms <= h->cfg->server_loss_ms;
    static const char *const path[] = {".well-known", "dots", "hb"};
    uint8_t buf[4];
    unsigned slot = s->ntokens++ % TOKENS;
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_NON, COAP_REQUEST_CODE_PUT, coap_new_message_id(s->session),
                                    coap_session_max_pdu_size(s->session));
    bool ok = pdu != NULL;
    coap_session_new_token(s->session, &s->token_len[slot], s->tokens[slot]);
    ok = ok && coap_add_token(pdu, s->token_len[slot], s->tokens[slot]);
    for (size_t i = 0; ok && i < 3; i++)
        ok = coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(path[i]), (const uint8_t *)path[i]) != 0;
    ok = ok && coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                               coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_DOTS_CBOR), buf);
    ok = ok && coap_add_data(pdu, h->body_len[status], h->body[status]);
    if (!ok) {
        coap_delete_pdu(pdu);
        return -1;
    }
    return coap_send(s->session, pdu) == COAP_INVALID_MID ? -1 : 0;
}

/* The configuration's transmission parameters on a DTLS session. */
static void set_transmission(const struct dots_client *c, coap_session_t *session,
                             const struct dots_client_hold_config *h)
{
    if (c->cfg.tcp)
        return;
    if (h->max_retransmit)
        coap_session_set_max_retransmit(session, (uint16_t)h->max_retransmit);
    if (h->ack_timeout_milli)
        coap_session_set_ack_timeout(session, (coap_fixed_point_t){(uint16_t)(h->ack_timeout_milli / 1000),
                                                                   (uint16_t)(h->ack_timeout_milli % 1000)});
    if (h->ack_random_factor_milli)
        coap_session_set_ack_random_factor(
            session, (coap_fixed_point_t){(uint16_t)(h->ack_random_factor_milli / 1000),
                                          (uint16_t)(h->ack_random_factor_milli % 1000)});
}

/* Opens (again) the parallel session, with the first session's settings,
 * and sends its first heartbeat (over DTLS that starts the handshake). */
static void open_parallel(struct dots_client *c, uint64_t now)
{
    struct dots_hold *h = c->hold;
    struct held *s = &h->s[1];
    unsigned attempts = s->attempts + 1;
    if (s->session) {
        coap_session_set_app_data(s->session, NULL);
        coap_session_release(s->session);
    }
    *s = (struct held){.attempts = attempts, .next_ms = now + h->cfg->interval_ms};
    h->nsessions = 2;
    tell(h, DOTS_CLIENT_OPENING, 1, attempts);
    s->session = coap_new_client_session_pki(c->ctx, NULL, &c->addr, c->cfg.tcp ? COAP_PROTO_TLS : COAP_PROTO_DTLS,
                                             &c->pki);
    if (!s->session) {
        s->failed = true;
        tell(h, DOTS_CLIENT_FAILED, 1, attempts);
        return;
    }
    coap_session_set_app_data(s->session, c);
    set_transmission(c, s->session, h->cfg);
    /* over TLS the connection is under way; a Ping goes once it is up */
    if (!c->cfg.tcp && send_heartbeat(c, s, now) < 0) {
        s->failed = true;
        tell(h, DOTS_CLIENT_FAILED, 1, attempts);
    }
}

static int encode_bodies(struct dots_client *c, struct dots_hold *h, struct scrub_err *err)
{
    for (int status = 0; status < 2; status++) {
        char json[80];
        struct lyd_node *tree;
        struct dots_cbor_error cerr;
        snprintf(json, sizeof json, "{\"ietf-dots-signal-channel:peer-hb-status\":%s}", status ? "true" : "false");
        if (dots_schema_parse_json(c->cfg.schema, json, &tree, err) < 0)
            return scrub_err_prefix(err, "dots client: the heartbeat body");
        int r = dots_cbor_encode(tree, &h->body[status], &h->body_len[status], &cerr);
        lyd_free_all(tree);
        if (r < 0)
            return scrub_err_set(err, EINVAL, "dots client: the heartbeat body does not encode: %s", cerr.msg);
    }
    return 0;
}

int dots_client_hold(struct dots_client *c, unsigned ms, const struct dots_client_hold_config *cfg,
                     void (*on_event)(void *arg, const struct dots_client_event *event), void *arg,
                     struct dots_client_hold_stats *stats, struct scrub_err *err)
{
    struct dots_hold h = {.cfg = cfg, .on_event = on_event, .arg = arg, .nsessions = 1};
    int r = encode_bodies(c, &h, err);
    uint64_t now = dots_client_now_ms(), end = now + ms;
    h.s[0] = (struct held){.session = c->session, .up = c->connected, .next_ms = now};
    set_transmission(c, c->session, cfg);
    c->hold = &h;
    while (r == 0 && now < end) {
        if (c->failure[0]) {
            r = dots_client_transport_error(c, -1, "holding the session", err);
            break;
        }
        if (cfg->on_notification && c->observing && c->queue) {
            struct dots_client_answer answer;
            if (dots_client_next_notification(c, 0, &answer, err) < 0) {
                r = -1;
                break;
            }
            bool more = cfg->on_notification(arg, &answer);
            dots_client_answer_free(&answer);
            if (!more)
                break;
            continue;
        }
        uint64_t wake = end;
        for (unsigned i = 0; i < h.nsessions && cfg->interval_ms; i++) {
            struct held *s = &h.s[i];
            if (now >= s->next_ms) {
                s->next_ms = now + cfg->interval_ms;
                bool connecting = i == 1 && c->cfg.tcp && !s->up; /* a Ping goes once it is up */
                if (i == 1 && s->failed)
                    open_parallel(c, now);
                else if (!connecting && send_heartbeat(c, s, now) < 0 && i == 0)
                    dots_client_set_failure(c, "a heartbeat could not be sent", false);
                if (i == 0 && s->unanswered == cfg->missing_allowed) {
                    /* RFC 9132 section 4.7: keep using this session, try another in parallel */
                    tell(&h, DOTS_CLIENT_UNANSWERED, 0, s->unanswered);
                    if (h.nsessions == 1)
                        open_parallel(c, now);
                }
            }
            if (s->next_ms < wake)
                wake = s->next_ms;
        }
        if (coap_io_process(c->ctx, (uint32_t)(wake > now ? wake - now : 1)) < 0)
            dots_client_set_failure(c, "libcoap's I/O failed", false);
        now = dots_client_now_ms();
    }
    c->hold = NULL;
    if (stats) {
        *stats = (struct dots_client_hold_stats){.sessions = h.nsessions};
        for (unsigned i = 0; i < h.nsessions; i++) {
            stats->s[i].sent = h.s[i].sent;
            stats->s[i].answered = h.s[i].answered;
            stats->s[i].server = h.s[i].server;
        }
    }
    if (h.nsessions == 2 && h.s[1].session) {
        coap_session_set_app_data(h.s[1].session, NULL);
        coap_session_release(h.s[1].session);
    }
    free(h.body[0]);
    free(h.body[1]);
    return r;
}
