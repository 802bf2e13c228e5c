/* dots-bench-many: many DTLS sessions of one client identity from one
 * process (each its own source port), for scripts/bench-dots. Two modes:
 *
 *   latency  open loop: mitigation PUTs scheduled at a fixed rate, each
 *            changing a mitigation's scope (so the card's rule changes),
 *            sent on whichever of --sessions sessions has nothing in flight
 *            (the window: one request per session); a request waits in our
 *            queue while the window is full, and its latency runs from its
 *            scheduled time to its answer. The server answers a PUT once it
 *            is in the store and on the card, so the answer is the moment
 *            the rule is active.
 *   hold     opens --sessions sessions (at most --opening handshakes at a
 *            time), then holds them for --seconds with heartbeats (RFC 9132
 *            section 4.7: ours every --interval, the server's answered
 *            2.04) and counts those still alive at the end.
 *
 * Prints one JSON line. In hold mode it then goes on holding the sessions
 * until it is stopped, so that the server's view can be read meanwhile. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <coap3/coap.h>

#include "dots_cbor.h"
#include "dots_client_msg.h"

#define OPEN_TIMEOUT_S 60.0 /* a handshake not done by then failed */

struct session {
    coap_session_t *cs;
    bool up, failed, closed;
    double opened_s, up_s;
    /* latency mode: the request in flight */
    bool busy;
    uint8_t token[8];
    size_t token_len;
    double sched_s, sent_s;
    unsigned slot;
    unsigned want;
    /* hold mode */
    double next_hb_s, last_answer_s, last_server_hb_s;
    unsigned hb_sent, hb_answered, server_hb;
};

struct bench {
    coap_context_t *ctx;
    coap_address_t addr;
    coap_dtls_pki_t pki;
    struct session *s;
    unsigned nsessions, opened;
    const char *cuid;
    /* latency mode: the scheduled requests, a ring of their times and slots */
    double *queue_s;
    unsigned *queue_slot;
    size_t qcap, qhead, qtail;
    uint8_t **body[2];
    size_t *body_len[2];
    unsigned *flip; /* per slot: which of its two scopes the next PUT asks for */
    unsigned mitigations, inflight;
    double *lat_ms, *svc_ms;
    size_t nlat, failed;
    unsigned expect_code; /* of the phase: 201 creations, 204 updates */
    /* hold mode */
    uint8_t *hb_body;
    size_t hb_len;
    unsigned up, failed_open, closed_after_up, opening;
};

static struct bench *the;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static struct session *session_of(coap_session_t *cs)
{
    return coap_session_get_app_data(cs);
}

static int on_event(coap_session_t *cs, const coap_event_t event)
{
    struct session *s = session_of(cs);
    if (!s)
        return 0;
    if (event == COAP_EVENT_DTLS_CONNECTED && !s->up && !s->failed) {
        s->up = true;
        s->up_s = now_s();
        the->up++;
        the->opening--;
    } else if (event == COAP_EVENT_DTLS_ERROR || event == COAP_EVENT_DTLS_CLOSED ||
               event == COAP_EVENT_SESSION_FAILED || event == COAP_EVENT_SESSION_CLOSED) {
        if (s->up && !s->closed) {
            s->closed = true;
            the->closed_after_up++;
        } else if (!s->up && !s->failed) {
            s->failed = true;
            the->failed_open++;
            the->opening--;
        }
    }
    return 0;
}

static void record(struct bench *b, struct session *s, unsigned code)
{
    double t = now_s();
    s->busy = false;
    b->inflight--;
    /* a creation phase finds the mitigations of an earlier run in place: 2.04 */
    if (code != b->expect_code && !(b->expect_code == 201 && code == 204)) {
        if (b->failed++ < 3)
            fprintf(stderr, "dots-bench-many: mitigation %u: %u.%02u, not %u.%02u\n", s->slot + 1, code / 100,
                    code % 100, b->expect_code / 100, b->expect_code % 100);
        return;
    }
    b->lat_ms[b->nlat] = (t - s->sched_s) * 1000;
    b->svc_ms[b->nlat++] = (t - s->sent_s) * 1000;
}

static coap_response_t on_response(coap_session_t *cs, const coap_pdu_t *sent, const coap_pdu_t *received,
                                   const coap_mid_t mid)
{
    struct session *s = session_of(cs);
    coap_bin_const_t token = coap_pdu_get_token(received);
    coap_pdu_code_t code = coap_pdu_get_code(received);
    (void)sent;
    (void)mid;
    if (!s)
        return COAP_RESPONSE_OK;
    if (the->hb_body) { /* hold mode: an answer to one of our heartbeats */
        s->hb_answered++;
        s->last_answer_s = now_s();
        return COAP_RESPONSE_OK;
    }
    if (!s->busy || token.length != s->token_len || memcmp(token.s, s->token, token.length) != 0)
        return COAP_RESPONSE_OK;
    record(the, s, COAP_RESPONSE_CLASS(code) * 100 + (code & 0x1f));
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *cs, const coap_pdu_t *sent, const coap_nack_reason_t reason, const coap_mid_t mid)
{
    struct session *s = session_of(cs);
    (void)sent;
    (void)reason;
    (void)mid;
    if (s && s->busy)
        record(the, s, 0); /* no answer after the retransmissions, or a reset */
}

/* The server's heartbeat: 2.04 (its body is not checked here; dots-client's
 * holding does that). */
static void on_hb(coap_resource_t *resource, coap_session_t *cs, const coap_pdu_t *request,
                  const coap_string_t *query, coap_pdu_t *response)
{
    struct session *s = session_of(cs);
    (void)resource;
    (void)request;
    (void)query;
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
    if (s) {
        s->server_hb++;
        s->last_server_hb_s = now_s();
    }
}

static int open_session(struct bench *b, struct session *s)
{
    s->cs = coap_new_client_session_pki(b->ctx, NULL, &b->addr, COAP_PROTO_DTLS, &b->pki);
    if (!s->cs)
        return -1;
    coap_session_set_app_data(s->cs, s);
    s->opened_s = now_s();
    return 0;
}

static bool add_path(coap_pdu_t *pdu, const char *const *segments, size_t n)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(segments[i]), (const uint8_t *)segments[i]) != 0;
    return ok;
}

/* A PUT of body on s: CON for mitigations, NON for heartbeats. */
static int send_put(struct session *s, const char *const *path, size_t npath, const uint8_t *body, size_t len,
                    coap_pdu_type_t type)
{
    uint8_t buf[4];
    coap_pdu_t *pdu = coap_pdu_init(type, COAP_REQUEST_CODE_PUT, coap_new_message_id(s->cs),
                                    coap_session_max_pdu_size(s->cs));
    if (!pdu)
        return -1;
    coap_session_new_token(s->cs, &s->token_len, s->token);
    bool ok = coap_add_token(pdu, s->token_len, s->token) && add_path(pdu, path, npath) &&
              coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                              coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_DOTS_CBOR), buf) &&
              coap_add_data(pdu, len, body);
    if (!ok) {
        coap_delete_pdu(pdu);
        return -1;
    }
    return coap_send(s->cs, pdu) == COAP_INVALID_MID ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *sorted, size_t n, unsigned p)
{
    return n ? sorted[n * p / 100 < n ? n * p / 100 : n - 1] : 0;
}

/* ---- latency mode */

/* Both scopes of every slot, encoded once: 2001:db8:100:GROUP::2k and ::2k+1. */
static int encode_bodies(struct bench *b, const struct dots_schema *schema, unsigned group)
{
    for (int f = 0; f < 2; f++) {
        b->body[f] = calloc(b->mitigations, sizeof *b->body[f]);
        b->body_len[f] = calloc(b->mitigations, sizeof *b->body_len[f]);
        if (!b->body[f] || !b->body_len[f])
            return -1;
        for (unsigned k = 0; k < b->mitigations; k++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "2001:db8:100:%x::%x/128", group, 2 * k + (unsigned)f);
            const char *prefixes[] = {prefix};
            struct dots_mitigation_scope scope = {.prefixes = prefixes, .nprefixes = 1, .lifetime = 3600,
                                                  .trigger_mitigation = -1};
            struct lyd_node *tree;
            struct scrub_err err;
            struct dots_cbor_error cerr;
            if (dots_client_mitigation_tree(schema, &scope, &tree, &err) < 0) {
                fprintf(stderr, "dots-bench-many: %s\n", err.msg);
                return -1;
            }
            int r = dots_cbor_encode(tree, &b->body[f][k], &b->body_len[f][k], &cerr);
            lyd_free_all(tree);
            if (r < 0) {
                fprintf(stderr, "dots-bench-many: the mitigation body does not encode: %s\n", cerr.msg);
                return -1;
            }
        }
    }
    return 0;
}

static void enqueue(struct bench *b, double sched, unsigned slot)
{
    size_t i = b->qtail++ % b->qcap;
    b->queue_s[i] = sched;
    b->queue_slot[i] = slot;
}

/* The queued requests go out on the sessions with nothing in flight. */
static void dispatch(struct bench *b)
{
    for (unsigned i = 0; i < b->nsessions && b->qhead < b->qtail; i++) {
        struct session *s = &b->s[i];
        if (s->busy || s->failed || s->closed)
            continue;
        size_t q = b->qhead++ % b->qcap;
        unsigned slot = b->queue_slot[q], f = b->flip[slot]++ & 1;
        char mid[32];
        snprintf(mid, sizeof mid, "mid=%u", slot + 1);
        char cuid[80];
        snprintf(cuid, sizeof cuid, "cuid=%s", b->cuid);
        const char *path[] = {".well-known", "dots", "mitigate", cuid, mid};
        s->busy = true;
        s->slot = slot;
        s->sched_s = b->queue_s[q];
        s->sent_s = now_s();
        b->inflight++;
        if (send_put(s, path, 5, b->body[f][slot], b->body_len[f][slot], COAP_MESSAGE_CON) < 0)
            record(b, s, 0);
    }
}

/* Runs libcoap until wake (or something happens); COAP_IO_NO_WAIT if due. */
static void io(struct bench *b, double wake)
{
    double left = wake - now_s();
    coap_io_process(b->ctx, left <= 0 ? COAP_IO_NO_WAIT : (uint32_t)ceil(left * 1000));
}

static int latency(struct bench *b, double rate, double seconds)
{
    b->qcap = b->mitigations + (size_t)(rate * seconds) + 1;
    b->queue_s = calloc(b->qcap, sizeof *b->queue_s);
    b->queue_slot = calloc(b->qcap, sizeof *b->queue_slot);
    b->lat_ms = calloc(b->qcap, sizeof *b->lat_ms);
    b->svc_ms = calloc(b->qcap, sizeof *b->svc_ms);
    b->flip = calloc(b->mitigations, sizeof *b->flip);
    if (!b->queue_s || !b->queue_slot || !b->lat_ms || !b->svc_ms || !b->flip)
        return -1;
    for (unsigned i = 0; i < b->nsessions; i++)
        if (open_session(b, &b->s[i]) < 0)
            return -1;
    /* the mitigations are created first (not timed), with the whole window */
    b->expect_code = 201;
    double t = now_s();
    for (unsigned k = 0; k < b->mitigations; k++)
        enqueue(b, t, k);
    while ((b->qhead < b->qtail || b->inflight) && now_s() - t < 120) {
        dispatch(b);
        io(b, now_s() + 0.05);
    }
    if (b->qhead < b->qtail || b->inflight || b->failed) {
        fprintf(stderr, "dots-bench-many: the %u mitigations were not all created in 120 s (%zu failed)\n",
                b->mitigations, b->failed);
        return -1;
    }
    /* the open-loop run: PUT k at t0 + k / rate */
    b->expect_code = 204;
    b->nlat = b->failed = 0;
    double t0 = now_s(), end = t0 + seconds, next = t0;
    size_t scheduled = 0;
    while (now_s() < end) {
        double now = now_s();
        while (next <= now && next < end) {
            enqueue(b, next, (unsigned)(scheduled++ % b->mitigations));
            next = t0 + (double)scheduled / rate;
        }
        dispatch(b);
        io(b, next < end ? next : end);
    }
    size_t unsent = b->qtail - b->qhead, inflight_at_end = b->inflight;
    /* what is in flight is waited for (its latency counts); the unsent are not sent */
    double drain = now_s();
    while (b->inflight && now_s() - drain < 30)
        io(b, now_s() + 0.05);
    size_t answered = b->nlat;
    /* latencies over every scheduled request, an unanswered one counting as endless */
    double *all = realloc(b->lat_ms, (scheduled + 1) * sizeof *all);
    if (!all)
        return -1;
    b->lat_ms = all;
    qsort(b->svc_ms, answered, sizeof *b->svc_ms, cmp_double);
    for (size_t i = answered; i < scheduled; i++)
        all[i] = INFINITY;
    qsort(all, scheduled, sizeof *all, cmp_double);
    double p99 = pct(all, scheduled, 99), p50 = pct(all, scheduled, 50);
    char p99s[32], p50s[32];
    snprintf(p99s, sizeof p99s, isinf(p99) ? "null" : "%.2f", p99);
    snprintf(p50s, sizeof p50s, isinf(p50) ? "null" : "%.2f", p50);
    printf("{\"offered_per_s\": %.1f, \"seconds\": %.3f, \"sessions\": %u, \"mitigations\": %u, \"scheduled\": %zu, "
           "\"answered\": %zu, \"answered_per_s\": %.1f, \"failed\": %zu, \"unsent_at_end\": %zu, "
           "\"in_flight_at_end\": %zu, \"p50_ms\": %s, \"p99_ms\": %s, \"max_answered_ms\": %.2f, "
           "\"service_p50_ms\": %.2f, \"service_p99_ms\": %.2f}\n",
           rate, seconds, b->nsessions, b->mitigations, scheduled, answered, answered / seconds, b->failed, unsent,
           inflight_at_end, p50s, p99s, answered ? all[answered - 1] : 0, pct(b->svc_ms, answered, 50),
           pct(b->svc_ms, answered, 99));
    fflush(stdout);
    return 0;
}

/* ---- hold mode */

static void heartbeat(struct bench *b, struct session *s)
{
    static const char *const path[] = {".well-known", "dots", "hb"};
    s->hb_sent++;
    send_put(s, path, 3, b->hb_body, b->hb_len, COAP_MESSAGE_NON);
}

/* One pass over the sessions: heartbeats due, handshakes that took too long. */
static void hold_pass(struct bench *b, double interval)
{
    double now = now_s();
    for (unsigned i = 0; i < b->opened; i++) {
        struct session *s = &b->s[i];
        if (!s->up && !s->failed && now - s->opened_s > OPEN_TIMEOUT_S) {
            s->failed = true;
            b->failed_open++;
            b->opening--;
        }
        if (s->up && !s->closed && now >= s->next_hb_s) {
            s->next_hb_s = now + interval;
            heartbeat(b, s);
        }
    }
}

static int hold(struct bench *b, const struct dots_schema *schema, double seconds, double interval,
                unsigned max_opening)
{
    struct lyd_node *tree;
    struct scrub_err err;
    struct dots_cbor_error cerr;
    if (dots_schema_parse_json(schema, "{\"ietf-dots-signal-channel:peer-hb-status\":true}", &tree, &err) < 0 ||
        dots_cbor_encode(tree, &b->hb_body, &b->hb_len, &cerr) < 0) {
        fprintf(stderr, "dots-bench-many: the heartbeat body does not build\n");
        return -1;
    }
    lyd_free_all(tree);
    /* opening: each new session's first heartbeat waits for its handshake */
    double t0 = now_s(), next_pass = t0;
    while (b->opened < b->nsessions || b->opening) {
        while (b->opened < b->nsessions && b->opening < max_opening) {
            struct session *s = &b->s[b->opened++];
            b->opening++;
            if (open_session(b, s) < 0) {
                s->failed = true;
                b->failed_open++;
                b->opening--;
                continue;
            }
            s->next_hb_s = now_s() + interval;
            heartbeat(b, s);
        }
        if (now_s() >= next_pass) {
            hold_pass(b, interval);
            next_pass = now_s() + 0.1;
        }
        io(b, next_pass);
    }
    double opened_in = now_s() - t0;
    fprintf(stderr, "dots-bench-many: %u sessions up of %u in %.1f s (%u failed); holding for %.0f s\n", b->up,
            b->nsessions, opened_in, b->failed_open, seconds);
    double start = now_s(), end = start + seconds;
    unsigned up_at_start = b->up - b->closed_after_up;
    while (now_s() < end) {
        hold_pass(b, interval);
        io(b, now_s() + 0.1 < end ? now_s() + 0.1 : end);
    }
    /* alive: not closed, the server answered one of our heartbeats within
     * the last two intervals, and sent its own (unless the session is
     * younger than an interval and a margin: its first is not due yet) */
    double now = now_s();
    unsigned alive = 0, answering = 0, server_hb = 0;
    unsigned long sent = 0, answered = 0, from_server = 0;
    for (unsigned i = 0; i < b->opened; i++) {
        struct session *s = &b->s[i];
        sent += s->hb_sent;
        answered += s->hb_answered;
        from_server += s->server_hb;
        if (!s->up || s->closed)
            continue;
        bool a = now - s->last_answer_s <= 2 * interval, h = now - s->last_server_hb_s <= 2 * interval;
        answering += a;
        server_hb += h;
        alive += a && (h || now - s->up_s < interval + 5);
    }
    printf("{\"sessions\": %u, \"up\": %u, \"failed_to_open\": %u, \"open_seconds\": %.1f, \"up_at_hold_start\": %u, "
           "\"held_seconds\": %.1f, \"interval_s\": %.0f, \"closed_while_held\": %u, \"alive\": %u, "
           "\"answering\": %u, \"server_heartbeating\": %u, \"heartbeats_sent\": %lu, \"heartbeats_answered\": %lu, "
           "\"server_heartbeats\": %lu}\n",
           b->nsessions, b->up, b->failed_open, opened_in, up_at_start, now - start, interval, b->closed_after_up,
           alive, answering, server_hb, sent, answered, from_server);
    fflush(stdout);
    for (;;) { /* held on until stopped: the server's view is read meanwhile */
        hold_pass(b, interval);
        io(b, now_s() + 0.1);
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: dots-bench-many --mode latency|hold --server ADDR --port P --ca PEM --cert PEM --key PEM "
            "--yang DIR\n"
            "         [--sessions N] [--seconds S]\n"
            "  latency: [--cuid C] [--group G] [--mitigations M] [--rate PUTS_PER_S]\n"
            "  hold:    [--interval S (heartbeats, default 30)] [--opening K (handshakes at a time, default 32)]\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"mode", required_argument, NULL, 'M'},   {"server", required_argument, NULL, 's'},
        {"port", required_argument, NULL, 'p'},   {"ca", required_argument, NULL, 'c'},
        {"cert", required_argument, NULL, 'e'},   {"key", required_argument, NULL, 'k'},
        {"yang", required_argument, NULL, 'y'},   {"sessions", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 't'}, {"cuid", required_argument, NULL, 'u'},
        {"group", required_argument, NULL, 'g'},  {"mitigations", required_argument, NULL, 'm'},
        {"rate", required_argument, NULL, 'r'},   {"interval", required_argument, NULL, 'i'},
        {"opening", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0},
    };
    const char *mode = NULL, *server = "127.0.0.1", *ca = NULL, *cert = NULL, *key = NULL, *yang = NULL;
    unsigned port = 4646, group = 200, opening = 32;
    double seconds = 20, rate = 1000, interval = 30;
    struct bench b = {.nsessions = 32, .mitigations = 1000, .cuid = "latency"};
    for (int o; (o = getopt_long(argc, argv, "", options, NULL)) != -1;) {
        switch (o) {
        case 'M': mode = optarg; break;
        case 's': server = optarg; break;
        case 'p': port = (unsigned)atoi(optarg); break;
        case 'c': ca = optarg; break;
        case 'e': cert = optarg; break;
        case 'k': key = optarg; break;
        case 'y': yang = optarg; break;
        case 'n': b.nsessions = (unsigned)atoi(optarg); break;
        case 't': seconds = atof(optarg); break;
        case 'u': b.cuid = optarg; break;
        case 'g': group = (unsigned)atoi(optarg); break;
        case 'm': b.mitigations = (unsigned)atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'i': interval = atof(optarg); break;
        case 'o': opening = (unsigned)atoi(optarg); break;
        default: usage(); return 2;
        }
    }
    bool lat = mode && strcmp(mode, "latency") == 0, held = mode && strcmp(mode, "hold") == 0;
    if ((!lat && !held) || !ca || !cert || !key || !yang || b.nsessions == 0 || seconds <= 0 || rate <= 0 ||
        interval <= 0 || opening == 0 || (lat && b.mitigations < b.nsessions) || port == 0 || port > 65535) {
        usage();
        return 2;
    }
    struct dots_schema *schema;
    struct scrub_err err;
    if (dots_schema_open(yang, &schema, &err) < 0) {
        fprintf(stderr, "dots-bench-many: %s\n", err.msg);
        return 1;
    }
    coap_startup();
    coap_set_log_level(LOG_ERR);
    coap_address_init(&b.addr);
    b.addr.addr.sin.sin_family = AF_INET;
    b.addr.addr.sin.sin_port = htons((uint16_t)port);
    b.addr.size = sizeof b.addr.addr.sin;
    if (inet_pton(AF_INET, server, &b.addr.addr.sin.sin_addr) != 1) {
        fprintf(stderr, "dots-bench-many: --server %s: an IPv4 address is wanted\n", server);
        return 2;
    }
    b.ctx = coap_new_context(NULL);
    b.s = calloc(b.nsessions, sizeof *b.s);
    if (!b.ctx || !b.s) {
        fprintf(stderr, "dots-bench-many: out of memory\n");
        return 1;
    }
    the = &b;
    coap_register_event_handler(b.ctx, on_event);
    coap_register_response_handler(b.ctx, on_response);
    coap_register_nack_handler(b.ctx, on_nack);
    coap_resource_t *hb = coap_resource_init(coap_make_str_const(".well-known/dots/hb"), 0);
    coap_register_request_handler(hb, COAP_REQUEST_PUT, on_hb);
    coap_add_resource(b.ctx, hb);
    b.pki = (coap_dtls_pki_t){
        .version = COAP_DTLS_PKI_SETUP_VERSION,
        .verify_peer_cert = 1,
        .check_common_ca = 1,
        .cert_chain_validation = 1,
        .cert_chain_verify_depth = 3,
        .pki_key = {.key_type = COAP_PKI_KEY_PEM,
                    .key.pem = {.ca_file = ca, .public_cert = cert, .private_key = key}},
    };
    int r;
    if (lat)
        r = encode_bodies(&b, schema, group) < 0 ? -1 : latency(&b, rate, seconds);
    else
        r = hold(&b, schema, seconds, interval, opening);
    coap_free_context(b.ctx);
    coap_cleanup();
    dots_schema_close(schema);
    return r < 0 ? 1 : 0;
}
