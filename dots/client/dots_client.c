/* The DOTS client's session: libcoap (OpenSSL variant) over DTLS or TLS,
 * one request in flight, answers queued by libcoap's handlers and decoded
 * outside them. */
#include "dots_client_internal.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <coap3/coap.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "dots_cbor.h"

#define DEFAULT_TIMEOUT_MS 15000u

static struct dots_client *active;

static void coap_log_to_ours(coap_log_t level, const char *message)
{
    size_t n = strlen(message);
    if (!active || level > LOG_WARNING)
        return;
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    while (n && *message == ' ')
        message++, n--;
    snprintf(active->last_log, sizeof active->last_log, "%.*s", (int)n, message);
}

/* Keeps the first cause of a transport failure, with libcoap's last warning
 * and, for a handshake, OpenSSL's reason (e.g. the peer's alert). */
void dots_client_set_failure(struct dots_client *c, const char *what, bool handshake)
{
    unsigned long e = handshake ? ERR_peek_last_error() : 0;
    if (c->failure[0])
        return;
    const char *ssl = e ? ERR_reason_error_string(e) : NULL;
    snprintf(c->failure, sizeof c->failure, "%s%s%s%s%s%s%s", what, ssl || c->last_log[0] ? " (" : "",
             ssl ? "OpenSSL: " : "", ssl ? ssl : "", ssl && c->last_log[0] ? "; " : "",
             c->last_log[0] ? "libcoap: " : "", c->last_log);
    if (ssl || c->last_log[0])
        strncat(c->failure, ")", sizeof c->failure - strlen(c->failure) - 1);
}

static const char *handshake_failed(const struct dots_client *c)
{
    return c->cfg.tcp ? "the TLS handshake failed" : "the DTLS handshake failed";
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    struct dots_client *c = coap_session_get_app_data(session);
    if (!c)
        return 0;
    if (session != c->session) {
        dots_hold_event(c, session, event);
        return 0;
    }
    switch (event) {
    case COAP_EVENT_DTLS_CONNECTED: c->connected = true; break;
    case COAP_EVENT_DTLS_ERROR: dots_client_set_failure(c, handshake_failed(c), true); break;
    case COAP_EVENT_DTLS_CLOSED:
        dots_client_set_failure(c, c->connected ? "the server closed the secure session"
                                                : "no secure session could be set up",
                                !c->connected);
        break;
    case COAP_EVENT_TCP_FAILED: dots_client_set_failure(c, "the TCP connection failed", false); break;
    case COAP_EVENT_TCP_CLOSED: dots_client_set_failure(c, "the server closed the TCP connection", false); break;
    case COAP_EVENT_SESSION_FAILED: dots_client_set_failure(c, "the CoAP session failed", false); break;
    case COAP_EVENT_SESSION_CLOSED: dots_client_set_failure(c, "the server closed the CoAP session", false); break;
    default: break;
    }
    return 0;
}

static void on_nack(coap_session_t *session, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    struct dots_client *c = coap_session_get_app_data(session);
    (void)sent;
    (void)mid;
    if (!c || session != c->session)
        return; /* a parallel session's failures are its events' */
    switch (reason) {
    case COAP_NACK_TOO_MANY_RETRIES:
        dots_client_set_failure(c, "no answer after the last retransmission", false);
        break;
    case COAP_NACK_RST: dots_client_set_failure(c, "the server answered the request with a reset", false); break;
    case COAP_NACK_TLS_FAILED: dots_client_set_failure(c, handshake_failed(c), true); break;
    case COAP_NACK_ICMP_ISSUE: dots_client_set_failure(c, "the server is unreachable (ICMP)", false); break;
    default: dots_client_set_failure(c, "the request could not be delivered", false); break;
    }
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent, const coap_pdu_t *received,
                                   const coap_mid_t mid)
{
    struct dots_client *c = coap_session_get_app_data(session);
    coap_bin_const_t token = coap_pdu_get_token(received);
    coap_opt_iterator_t it;
    coap_opt_t *opt;
    const uint8_t *data = NULL;
    size_t len = 0, offset, total;
    (void)sent;
    (void)mid;
    if (c && dots_hold_answer(c, session, token))
        return COAP_RESPONSE_OK;
    if (!c || session != c->session || token.length != c->token_len || memcmp(token.s, c->token, c->token_len) != 0)
        return COAP_RESPONSE_FAIL;  /* not ours: libcoap resets it (a stale observation stops) */
    struct raw_answer *a = calloc(1, sizeof *a);
    if (!a) {
        dots_client_set_failure(c, "out of memory", false);
        return COAP_RESPONSE_OK;
    }
    coap_pdu_code_t code = coap_pdu_get_code(received);
    a->code = COAP_RESPONSE_CLASS(code) * 100 + (code & 0x1f);
    a->format = -1;
    if ((opt = coap_check_option(received, COAP_OPTION_CONTENT_FORMAT, &it)))
        a->format = (int)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
    if ((opt = coap_check_option(received, COAP_OPTION_OBSERVE, &it))) {
        a->has_observe = true;
        a->observe = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
    }
    /* libcoap has put a block-wise body together (COAP_BLOCK_SINGLE_BODY) */
    if (coap_get_data_large(received, &len, &data, &offset, &total) && len) {
        a->data = malloc(len);
        if (!a->data) {
            free(a);
            dots_client_set_failure(c, "out of memory", false);
            return COAP_RESPONSE_OK;
        }
        memcpy(a->data, data, len);
        a->len = len;
    }
    *c->queue_end = a;
    c->queue_end = &a->next;
    return COAP_RESPONSE_OK;
}

static void free_raw(struct raw_answer *a)
{
    free(a->data);
    free(a);
}

static struct raw_answer *pop(struct dots_client *c)
{
    struct raw_answer *a = c->queue;
    if (a) {
        c->queue = a->next;
        if (!c->queue)
            c->queue_end = &c->queue;
    }
    return a;
}

uint64_t dots_client_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs libcoap until an answer is queued, the transport fails or ms pass:
 * 1, -1 (c->failure says why), 0. */
static int wait_answer(struct dots_client *c, unsigned ms)
{
    uint64_t end = dots_client_now_ms() + ms;
    for (;;) {
        if (c->queue)
            return 1;
        if (c->failure[0])
            return -1;
        uint64_t now = dots_client_now_ms();
        if (now >= end)
            return 0;
        if (coap_io_process(c->ctx, (uint32_t)(end - now)) < 0) {
            dots_client_set_failure(c, "libcoap's I/O failed", false);
            return -1;
        }
    }
}

/* Called by libcoap for each certificate of the server's chain once OpenSSL
 * has verified it against the CA file: the server's own (depth 0) must name
 * the server we asked for, in a DNS SAN (or the CN when there is no SAN) or,
 * for an address literal, an IP SAN (RFC 6125 rules, OpenSSL's checks). */
static int check_server(const char *cn, const uint8_t *der, size_t len, coap_session_t *session, unsigned depth,
                        int validated, void *arg)
{
    struct dots_client *c = arg;
    char what[400];
    (void)cn;
    (void)session;
    if (depth > 0 || !validated)
        return validated;  /* libcoap logs OpenSSL's reason */
    X509 *cert = d2i_X509(NULL, &der, (long)len);
    int ok = cert && (c->server_is_ip ? X509_check_ip_asc(cert, c->server, 0)
                                      : X509_check_host(cert, c->server, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                                                        NULL)) == 1;
    X509_free(cert);
    if (!ok) {
        snprintf(what, sizeof what, "the server's certificate does not name %s", c->server);
        dots_client_set_failure(c, what, false);
    }
    return ok;
}

static int resolve(struct dots_client *c, coap_address_t *addr, struct scrub_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = c->cfg.tcp ? SOCK_STREAM : SOCK_DGRAM};
    struct addrinfo *res;
    char port[8];
    unsigned char probe[sizeof(struct in6_addr)];
    snprintf(port, sizeof port, "%u", c->cfg.port ? c->cfg.port : DOTS_CLIENT_PORT);
    c->server_is_ip = inet_pton(AF_INET, c->server, probe) == 1 || inet_pton(AF_INET6, c->server, probe) == 1;
    int r = getaddrinfo(c->server, port, &hints, &res);
    if (r != 0)
        return scrub_err_set(err, EHOSTUNREACH, "dots client: cannot resolve the server %s: %s", c->server,
                             gai_strerror(r));
    coap_address_init(addr);
    if (res->ai_addrlen > sizeof addr->addr) {
        freeaddrinfo(res);
        return scrub_err_set(err, EINVAL, "dots client: %s resolves to an address of an unknown family", c->server);
    }
    memcpy(&addr->addr, res->ai_addr, res->ai_addrlen);
    addr->size = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int readable(const char *what, const char *file, struct scrub_err *err)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return scrub_err_set(err, errno, "dots client: cannot read the %s %s: %s", what, file, strerror(errno));
    fclose(f);
    return 0;
}

int dots_client_open(const struct dots_client_config *cfg, struct dots_client **out, struct scrub_err *err)
{
    if (active)
        return scrub_err_set(err, EBUSY, "dots client: a client is already open in this process");
    if (!cfg->server || !cfg->ca_file || !cfg->cert_file || !cfg->key_file || !cfg->schema)
        return scrub_err_set(err, EINVAL, "dots client: the server, the CA, our certificate and key are all needed");
    if (readable("CA file", cfg->ca_file, err) < 0 || readable("certificate", cfg->cert_file, err) < 0 ||
        readable("key", cfg->key_file, err) < 0)
        return -1;
    if (!coap_dtls_is_supported() || !coap_tls_is_supported())
        return scrub_err_set(err, ENOTSUP, "dots client: this libcoap has no DTLS or no TLS (need libcoap-3-openssl)");
    struct dots_client *c = calloc(1, sizeof *c);
    if (!c)
        return scrub_err_set(err, ENOMEM, "dots client: out of memory");
    active = c;
    coap_startup();
    coap_set_log_handler(coap_log_to_ours);
    coap_set_log_level(LOG_WARNING);
    c->cfg = *cfg;
    c->queue_end = &c->queue;
    c->server = strdup(cfg->server);
    c->ca_file = strdup(cfg->ca_file);
    c->cert_file = strdup(cfg->cert_file);
    c->key_file = strdup(cfg->key_file);
    if (!c->server || !c->ca_file || !c->cert_file || !c->key_file) {
        scrub_err_set(err, ENOMEM, "dots client: out of memory");
        goto fail;
    }
    if (resolve(c, &c->addr, err) < 0)
        goto fail;
    c->ctx = coap_new_context(NULL);
    if (!c->ctx) {
        scrub_err_set(err, ENOMEM, "dots client: no CoAP context");
        goto fail;
    }
    coap_context_set_block_mode(c->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_register_response_handler(c->ctx, on_response);
    coap_register_nack_handler(c->ctx, on_nack);
    coap_register_event_handler(c->ctx, on_event);
    dots_hold_setup(c);
    c->pki = (coap_dtls_pki_t){
        .version = COAP_DTLS_PKI_SETUP_VERSION,
        .verify_peer_cert = 1,
        .check_common_ca = 1,
        .cert_chain_validation = 1,
        .cert_chain_verify_depth = 3,
        .validate_cn_call_back = check_server,
        .cn_call_back_arg = c,
        .client_sni = c->server_is_ip ? NULL : c->server,  /* SNI carries names, never literals */
        .pki_key = {.key_type = COAP_PKI_KEY_PEM,
                    .key.pem = {.ca_file = c->ca_file, .public_cert = c->cert_file, .private_key = c->key_file}},
    };
    c->session = coap_new_client_session_pki(c->ctx, NULL, &c->addr, cfg->tcp ? COAP_PROTO_TLS : COAP_PROTO_DTLS,
                                             &c->pki);
    if (!c->session) {
        scrub_err_set(err, EINVAL, "dots client: no session to %s port %u: %s", c->server,
                      cfg->port ? cfg->port : DOTS_CLIENT_PORT,
                      c->last_log[0] ? c->last_log : "the certificates or the key do not load");
        goto fail;
    }
    coap_session_set_app_data(c->session, c);
    *out = c;
    return 0;
fail:
    dots_client_close(c);
    return -1;
}

void dots_client_close(struct dots_client *c)
{
    if (!c)
        return;
    while (c->queue)
        free_raw(pop(c));
    if (c->session) {
        coap_session_set_app_data(c->session, NULL);
        coap_session_release(c->session);
    }
    if (c->ctx)
        coap_free_context(c->ctx);
    if (active == c) {
        active = NULL;
        coap_cleanup();
    }
    free(c->server);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}

static void release_body(coap_session_t *session, void *body)
{
    (void)session;
    free(body);
}

static int add_path(coap_optlist_t **opts, const char *path)
{
    const char *seg = path;
    if (!coap_insert_optlist(opts, coap_new_optlist(COAP_OPTION_URI_PATH, 11, (const uint8_t *)".well-known")) ||
        !coap_insert_optlist(opts, coap_new_optlist(COAP_OPTION_URI_PATH, 4, (const uint8_t *)"dots")))
        return -1;
    while (*seg) {
        size_t n = strcspn(seg, "/");
        if (n && !coap_insert_optlist(opts, coap_new_optlist(COAP_OPTION_URI_PATH, n, (const uint8_t *)seg)))
            return -1;
        seg += n + (seg[n] == '/');
    }
    return 0;
}

/* The decoded form of a queued answer. */
static int decode(struct dots_client *c, struct raw_answer *raw, struct dots_client_answer *answer,
                  struct scrub_err *err)
{
    struct dots_cbor_error cerr;
    *answer = (struct dots_client_answer){.code = raw->code, .has_observe = raw->has_observe, .observe = raw->observe};
    if (!raw->len)
        return 0;
    if (raw->format == COAP_MEDIATYPE_APPLICATION_DOTS_CBOR) {
        if (dots_cbor_decode(c->cfg.schema, raw->data, raw->len, NULL, &answer->tree, NULL, &cerr) < 0)
            return scrub_err_set(err, EPROTO, "dots client: the %u.%02u answer's body does not decode: %s at %s: %s",
                                 raw->code / 100, raw->code % 100, dots_cbor_status_name(cerr.status), cerr.path,
                                 cerr.msg);
        return 0;
    }
    /* a diagnostic payload (RFC 7252 5.5.2): text, control bytes shown as '?' */
    answer->text = malloc(raw->len + 1);
    if (!answer->text)
        return scrub_err_set(err, ENOMEM, "dots client: out of memory");
    for (size_t i = 0; i < raw->len; i++)
        answer->text[i] = raw->data[i] < 0x20 || raw->data[i] == 0x7f ? '?' : (char)raw->data[i];
    answer->text[raw->len] = '\0';
    return 0;
}

int dots_client_transport_error(struct dots_client *c, int waited, const char *what, struct scrub_err *err)
{
    unsigned port = c->cfg.port ? c->cfg.port : DOTS_CLIENT_PORT;
    const char *proto = c->cfg.tcp ? "TLS" : "DTLS";
    if (waited < 0)
        return scrub_err_set(err, ECONNREFUSED, "dots client: %s over %s to %s port %u: %s", what, proto, c->server,
                             port, c->failure);
    return scrub_err_set(err, ETIMEDOUT, "dots client: %s over %s to %s port %u: no answer within %u ms%s%s", what,
                         proto, c->server, port, c->cfg.timeout_ms ? c->cfg.timeout_ms : DEFAULT_TIMEOUT_MS,
                         c->last_log[0] ? " (libcoap: " : "", c->last_log[0] ? c->last_log : "");
}

int dots_client_send(struct dots_client *c, const struct dots_client_request *req, struct dots_client_answer *answer,
                     struct scrub_err *err)
{
    static const coap_pdu_code_t codes[] = {
        [DOTS_CLIENT_GET] = COAP_REQUEST_CODE_GET, [DOTS_CLIENT_PUT] = COAP_REQUEST_CODE_PUT,
        [DOTS_CLIENT_DELETE] = COAP_REQUEST_CODE_DELETE,
    };
    static const char *const names[] = {"GET", "PUT", "DELETE"};
    char what[160];
    uint8_t *body = NULL, buf[4];
    size_t body_len = 0;
    coap_optlist_t *opts = NULL;
    struct dots_cbor_error cerr;
    snprintf(what, sizeof what, "%s /.well-known/dots/%s", names[req->method], req->path);
    while (c->queue)
        free_raw(pop(c));  /* what is left of an earlier observation */
    if (c->failure[0])
        return dots_client_transport_error(c, -1, what, err);
    if (req->body && dots_cbor_encode(req->body, &body, &body_len, &cerr) < 0)
        return scrub_err_set(err, EINVAL, "dots client: %s: the body does not encode: %s at %s: %s", what,
                             dots_cbor_status_name(cerr.status), cerr.path, cerr.msg);
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, codes[req->method], coap_new_message_id(c->session),
                                    coap_session_max_pdu_size(c->session));
    if (!pdu) {
        free(body);
        return scrub_err_set(err, ENOMEM, "dots client: %s: no PDU", what);
    }
    coap_session_new_token(c->session, &c->token_len, c->token);
    c->observing = req->observe;
    int ok = coap_add_token(pdu, c->token_len, c->token) && add_path(&opts, req->path) == 0;
    if (ok && req->observe)
        ok = coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_OBSERVE,
                                                         coap_encode_var_safe(buf, sizeof buf, COAP_OBSERVE_ESTABLISH),
                                                         buf));
    if (ok && req->if_match_empty)
        ok = coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_IF_MATCH, 0, NULL));
    if (ok && body)
        ok = coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_CONTENT_FORMAT,
                                                         coap_encode_var_safe(buf, sizeof buf,
                                                                              COAP_MEDIATYPE_APPLICATION_DOTS_CBOR),
                                                         buf));
    ok = ok && coap_add_optlist_pdu(pdu, &opts);
    coap_delete_optlist(opts);
    /* libcoap frees the body (release_body), sent whole or block-wise */
    if (ok && body)
        ok = coap_add_data_large_request(c->session, pdu, body_len, body, release_body, body);
    else
        free(body);
    if (!ok) {
        coap_delete_pdu(pdu);
        return scrub_err_set(err, ENOMEM, "dots client: %s: the request does not build", what);
    }
    if (coap_send(c->session, pdu) == COAP_INVALID_MID) {
        dots_client_set_failure(c, "libcoap did not send the request", false);
        return dots_client_transport_error(c, -1, what, err);
    }
    int waited = wait_answer(c, c->cfg.timeout_ms ? c->cfg.timeout_ms : DEFAULT_TIMEOUT_MS);
    if (waited <= 0)
        return dots_client_transport_error(c, waited, what, err);
    struct raw_answer *raw = pop(c);
    int r = decode(c, raw, answer, err);
    free_raw(raw);
    return r;
}

int dots_client_next_notification(struct dots_client *c, unsigned ms, struct dots_client_answer *answer,
                                  struct scrub_err *err)
{
    int waited = wait_answer(c, ms);
    if (waited <= 0)
        return waited < 0 ? dots_client_transport_error(c, waited, "observing", err) : 0;
    struct raw_answer *raw = pop(c);
    int r = decode(c, raw, answer, err);
    free_raw(raw);
    return r < 0 ? -1 : 1;
}

int dots_client_cancel_observe(struct dots_client *c, struct scrub_err *err)
{
    coap_binary_t token = {.length = c->token_len, .s = c->token};
    if (!c->observing)
        return 0;
    c->observing = false;
    if (!coap_cancel_observe(c->session, &token, COAP_MESSAGE_CON))
        return scrub_err_set(err, ENOENT, "dots client: libcoap knows no observation to cancel");
    /* the deregistration's answer (a last 2.05) is awaited, not printed */
    int waited = wait_answer(c, c->cfg.timeout_ms ? c->cfg.timeout_ms : DEFAULT_TIMEOUT_MS);
    if (waited <= 0)
        return dots_client_transport_error(c, waited, "cancelling the observation", err);
    while (c->queue)
        free_raw(pop(c));
    return 0;
}

void dots_client_answer_free(struct dots_client_answer *answer)
{
    lyd_free_all(answer->tree);
    free(answer->text);
    *answer = (struct dots_client_answer){0};
}

const char *dots_client_code_name(unsigned code)
{
    static const struct {
        unsigned code;
        const char *name;
    } names[] = {
        {201, "2.01 Created"}, {202, "2.02 Deleted"}, {203, "2.03 Valid"}, {204, "2.04 Changed"},
        {205, "2.05 Content"}, {231, "2.31 Continue"}, {400, "4.00 Bad Request"}, {401, "4.01 Unauthorized"},
        {402, "4.02 Bad Option"}, {403, "4.03 Forbidden"}, {404, "4.04 Not Found"},
        {405, "4.05 Method Not Allowed"}, {406, "4.06 Not Acceptable"}, {408, "4.08 Request Entity Incomplete"},
        {409, "4.09 Conflict"}, {412, "4.12 Precondition Failed"}, {413, "4.13 Request Entity Too Large"},
        {415, "4.15 Unsupported Content-Format"}, {422, "4.22 Unprocessable Entity"}, {429, "4.29 Too Many Requests"},
        {500, "5.00 Internal Server Error"}, {501, "5.01 Not Implemented"}, {502, "5.02 Bad Gateway"},
        {503, "5.03 Service Unavailable"}, {504, "5.04 Gateway Timeout"}, {505, "5.05 Proxying Not Supported"},
    };
    static char other[24];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    snprintf(other, sizeof other, "%u.%02u", code / 100, code % 100);
    return other;
}
