/* The signal channel's CoAP server on libcoap (OpenSSL) and libevent: the
 * endpoints, mutual PKIX with the client's identity, libcoap's epoll fd and
 * timers on the event loop, CRLs, and the /.well-known/dots/config
 * resource. */
#include "dots_signal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <coap3/coap.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "dots_cbor.h"
#include "dots_identity.h"

struct dots_signal {
    struct event_base *base;
    coap_context_t *ctx;
    struct event *io, *timer;
    struct dots_signal_config cfg;
    char *ca_file, *cert_file, *key_file;
    STACK_OF(X509_CRL) *crls;  /* from crl_file */
    uint8_t *config_cbor;  /* the GET /config answer, encoded once */
    size_t config_len;
};

/* libcoap's log handler has no context: the one server of the process. */
static struct dots_signal *active;

static void say(const struct dots_signal *s, enum dots_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(const struct dots_signal *s, enum dots_log_level level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (!s->cfg.log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->cfg.log(s->cfg.log_ctx, level, msg);
}

/* libcoap's own messages (among them why a certificate was refused). */
static void coap_log_to_ours(coap_log_t level, const char *message)
{
    char msg[512];
    size_t n = strlen(message);
    if (!active)
        return;
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    snprintf(msg, sizeof msg, "libcoap: %.*s", (int)n, message);
    say(active, level <= LOG_ERR ? DOTS_LOG_ERROR : level == LOG_WARNING ? DOTS_LOG_WARNING
                : level <= LOG_INFO ? DOTS_LOG_INFO : DOTS_LOG_DEBUG, "%s", msg);
}

/* Called by libcoap for each certificate of the client's chain, once OpenSSL
 * has verified it (validated) against the CAs and CRLs of ca_file. */
static int check_client(const char *cn, const uint8_t *der, size_t len, coap_session_t *session, unsigned depth,
                        int validated, void *arg)
{
    const struct dots_signal *s = arg;
    char id[256];
    (void)cn;  /* libcoap's choice of name; the identity rule is ours */
    if (depth > 0)
        return validated;
    if (!validated) {
        say(s, DOTS_LOG_WARNING, "client %s refused: its certificate does not verify", coap_session_str(session));
        return 0;
    }
    if (dots_identity_from_der(der, len, id, sizeof id) < 0) {
        say(s, DOTS_LOG_WARNING, "client %s refused: its certificate names no DNS SAN and no CN",
            coap_session_str(session));
        return 0;
    }
    if (s->cfg.identities) {
        const char *const *it = s->cfg.identities;
        while (*it && strcmp(*it, id) != 0)
            it++;
        if (!*it) {
            say(s, DOTS_LOG_WARNING, "client %s refused: identity %s is not configured", coap_session_str(session), id);
            return 0;
        }
    }
    say(s, DOTS_LOG_INFO, "client %s authenticated as %s", coap_session_str(session), id);
    return 1;
}

/* libcoap 4.3.1 takes no CRL file: the CRLs are put into the store of each
 * new session's SSL_CTX (a CRL already there is not added twice). */
static int add_crls(void *tls_session, coap_dtls_pki_t *setup)
{
    const struct dots_signal *s = setup->cn_call_back_arg;
    X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(tls_session));
    for (int i = 0; i < sk_X509_CRL_num(s->crls); i++)
        if (!X509_STORE_add_crl(store, sk_X509_CRL_value(s->crls, i)))
            return 0;
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    return 1;
}

static int load_crls(struct dots_signal *s, const char *file, struct scrub_err *err)
{
    FILE *f = fopen(file, "r");
    X509_CRL *crl;
    if (!f)
        return scrub_err_set(err, errno, "dots signal: cannot open the CRL file %s: %s", file, strerror(errno));
    s->crls = sk_X509_CRL_new_null();
    while (s->crls && (crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)))
        sk_X509_CRL_push(s->crls, crl);
    fclose(f);
    if (!s->crls || sk_X509_CRL_num(s->crls) == 0)
        return scrub_err_set(err, EINVAL, "dots signal: %s holds no PEM CRL", file);
    return 0;
}

static void set_content_format(coap_pdu_t *pdu, unsigned format)
{
    uint8_t buf[4];
    coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT, coap_encode_var_safe(buf, sizeof buf, format), buf);
}

/* A refusal with a diagnostic payload (RFC 7252 section 5.5.2). */
static void refuse(coap_pdu_t *response, coap_pdu_code_t code, const char *diagnostic)
{
    coap_pdu_set_code(response, code);
    coap_add_data(response, strlen(diagnostic), (const uint8_t *)diagnostic);
}

static void get_config(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    const struct dots_signal *s = coap_resource_get_userdata(resource);
    (void)session;
    (void)request;
    (void)query;
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
    set_content_format(response, COAP_MEDIATYPE_APPLICATION_DOTS_CBOR);
    coap_add_data(response, s->config_len, s->config_cbor);
}

/* The body of a request, decoded and validated; else the response is the
 * refusal: 4.15 for another Content-Format (RFC 9132 section 6), 4.13 past
 * the size limit, 4.00 with the decoder's diagnostic otherwise. */
static struct lyd_node *request_body(const struct dots_signal *s, const coap_pdu_t *request, coap_pdu_t *response)
{
    coap_opt_iterator_t it;
    coap_opt_t *cf = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it);
    if (!cf || coap_decode_var_bytes(coap_opt_value(cf), coap_opt_length(cf)) != COAP_MEDIATYPE_APPLICATION_DOTS_CBOR) {
        refuse(response, COAP_RESPONSE_CODE_UNSUPPORTED_CONTENT_FORMAT,
               "the body must be application/dots+cbor (Content-Format 271)");
        return NULL;
    }
    size_t len = 0;
    const uint8_t *data = NULL;
    struct lyd_node *tree;
    struct dots_cbor_error err;
    coap_get_data(request, &len, &data);
    if (dots_cbor_decode(s->cfg.schema, data, len, NULL, &tree, NULL, &err) < 0) {
        char diagnostic[800];
        snprintf(diagnostic, sizeof diagnostic, "%s at %s: %s", dots_cbor_status_name(err.status), err.path, err.msg);
        refuse(response,
               err.status == DOTS_CBOR_LIMIT && len > dots_cbor_default_limits.max_input
                   ? COAP_RESPONSE_CODE_REQUEST_TOO_LARGE
                   : err.status == DOTS_CBOR_INTERNAL ? COAP_RESPONSE_CODE_INTERNAL_ERROR
                                                      : COAP_RESPONSE_CODE_BAD_REQUEST,
               diagnostic);
        return NULL;
    }
    return tree;
}

/* The body is checked as every signal channel body will be; storing a
 * session configuration (issue 5 item 5) is not built, and says so. */
static void put_config(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    const struct dots_signal *s = coap_resource_get_userdata(resource);
    struct lyd_node *tree = request_body(s, request, response);
    (void)session;
    (void)query;
    if (!tree)
        return;
    lyd_free_all(tree);
    refuse(response, COAP_RESPONSE_CODE_NOT_IMPLEMENTED, "session configuration by PUT is not implemented yet");
}

/* The session configuration defaults of RFC 9132 section 4.5 (heartbeat
 * 30 s, missing-hb-allowed 15, probing-rate 5, max-retransmit 3,
 * ack-timeout 2.00, ack-random-factor 1.50), with the ranges of its GET
 * example (section 4.5.1), for mitigation and idle time alike. */
static const char default_config_json[] =
    "{\"ietf-dots-signal-channel:%s\":{"
    "\"heartbeat-interval\":{\"max-value\":240,\"min-value\":15,\"current-value\":30},"
    "\"missing-hb-allowed\":{\"max-value\":20,\"min-value\":3,\"current-value\":15},"
    "\"probing-rate\":{\"max-value\":20,\"min-value\":5,\"current-value\":5},"
    "\"max-retransmit\":{\"max-value\":15,\"min-value\":2,\"current-value\":3},"
    "\"ack-timeout\":{\"max-value-decimal\":\"30.00\",\"min-value-decimal\":\"1.00\","
    "\"current-value-decimal\":\"2.00\"},"
    "\"ack-random-factor\":{\"max-value-decimal\":\"4.00\",\"min-value-decimal\":\"1.10\","
    "\"current-value-decimal\":\"1.50\"}}}";

static int encode_default_config(struct dots_signal *s, struct scrub_err *err)
{
    char json[2 * sizeof default_config_json + 64];
    struct lyd_node *tree;
    struct dots_cbor_error cerr;
    /* the two configurations are two top-level nodes: one document */
    int n = snprintf(json, sizeof json, default_config_json, "mitigating-config");
    json[n - 1] = ',';
    snprintf(json + n, sizeof json - (size_t)n, default_config_json + 1, "idle-config");
    if (dots_schema_parse_json(s->cfg.schema, json, &tree, err) < 0)
        return scrub_err_prefix(err, "the default session configuration");
    int r = dots_cbor_encode(tree, &s->config_cbor, &s->config_len, &cerr);
    lyd_free_all(tree);
    return r < 0 ? scrub_err_set(err, EINVAL, "the default session configuration: %s", cerr.msg) : 0;
}

static void process(struct dots_signal *s)
{
    coap_tick_t now;
    coap_io_process(s->ctx, COAP_IO_NO_WAIT);
    coap_ticks(&now);
    unsigned ms = coap_io_prepare_epoll(s->ctx, now);
    /* no timer pending: look again within a second all the same */
    struct timeval tv = {.tv_sec = (ms ? ms : 1000) / 1000, .tv_usec = (ms ? ms : 1000) % 1000 * 1000};
    evtimer_add(s->timer, &tv);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    process(arg);
}

static int parse_address(const char *text, uint16_t port, coap_address_t *a)
{
    coap_address_init(a);
    if (inet_pton(AF_INET, text, &a->addr.sin.sin_addr) == 1) {
        a->addr.sin.sin_family = AF_INET;
        a->addr.sin.sin_port = htons(port);
        a->size = sizeof a->addr.sin;
        return 0;
    }
    if (inet_pton(AF_INET6, text, &a->addr.sin6.sin6_addr) == 1) {
        a->addr.sin6.sin6_family = AF_INET6;
        a->addr.sin6.sin6_port = htons(port);
        a->size = sizeof a->addr.sin6;
        return 0;
    }
    return -1;
}

int dots_signal_start(struct event_base *base, const struct dots_signal_config *cfg, struct dots_signal **out,
                      struct scrub_err *err)
{
    coap_address_t addr;
    if (active)
        return scrub_err_set(err, EBUSY, "dots signal: a server already runs in this process");
    if (!coap_dtls_is_supported() || !coap_tls_is_supported())
        return scrub_err_set(err, ENOTSUP, "dots signal: this libcoap has no DTLS or no TLS (need libcoap-3-openssl)");
    if (parse_address(cfg->address, cfg->port ? cfg->port : DOTS_SIGNAL_PORT, &addr) < 0)
        return scrub_err_set(err, EINVAL, "dots signal: %s is not an IPv4 or IPv6 address", cfg->address);
    struct dots_signal *s = calloc(1, sizeof *s);
    if (!s)
        return scrub_err_set(err, ENOMEM, "dots signal: out of memory");
    s->base = base;
    s->cfg = *cfg;
    s->ca_file = strdup(cfg->ca_file);
    s->cert_file = strdup(cfg->cert_file);
    s->key_file = strdup(cfg->key_file);
    active = s;
    coap_startup();
    coap_set_log_handler(coap_log_to_ours);
    coap_set_log_level(LOG_WARNING);
    if (!s->ca_file || !s->cert_file || !s->key_file) {
        scrub_err_set(err, ENOMEM, "dots signal: out of memory");
        goto fail;
    }
    if (encode_default_config(s, err) < 0 || (cfg->crl_file && load_crls(s, cfg->crl_file, err) < 0))
        goto fail;
    s->ctx = coap_new_context(NULL);
    if (!s->ctx) {
        scrub_err_set(err, ENOMEM, "dots signal: no CoAP context");
        goto fail;
    }
    coap_dtls_pki_t pki = {
        .version = COAP_DTLS_PKI_SETUP_VERSION,
        .verify_peer_cert = 1,
        .check_common_ca = 1,
        .cert_chain_validation = 1,
        .cert_chain_verify_depth = 3,
        .check_cert_revocation = 1,
        .allow_no_crl = 1,  /* a CA without a CRL in ca_file revokes nothing */
        .validate_cn_call_back = check_client,
        .cn_call_back_arg = s,
        .additional_tls_setup_call_back = s->crls ? add_crls : NULL,
        .pki_key = {.key_type = COAP_PKI_KEY_PEM,
                    .key.pem = {.ca_file = s->ca_file, .public_cert = s->cert_file, .private_key = s->key_file}},
    };
    if (!coap_context_set_pki(s->ctx, &pki)) {
        scrub_err_set(err, EINVAL, "dots signal: the certificates do not load (CA %s, certificate %s, key %s)",
                      s->ca_file, s->cert_file, s->key_file);
        goto fail;
    }
    if (!coap_new_endpoint(s->ctx, &addr, COAP_PROTO_DTLS) || !coap_new_endpoint(s->ctx, &addr, COAP_PROTO_TLS)) {
        scrub_err_set(err, EADDRINUSE, "dots signal: cannot listen on %s port %u (UDP and TCP)", cfg->address,
                      cfg->port ? cfg->port : DOTS_SIGNAL_PORT);
        goto fail;
    }
    coap_resource_t *config = coap_resource_init(coap_make_str_const(".well-known/dots/config"), 0);
    coap_resource_set_userdata(config, s);
    coap_register_request_handler(config, COAP_REQUEST_GET, get_config);
    coap_register_request_handler(config, COAP_REQUEST_PUT, put_config);
    coap_add_resource(s->ctx, config);

    int fd = coap_context_get_coap_fd(s->ctx);
    if (fd < 0) {
        scrub_err_set(err, ENOTSUP, "dots signal: this libcoap has no epoll file descriptor for an event loop");
        goto fail;
    }
    s->io = event_new(base, fd, EV_READ | EV_PERSIST, on_event, s);
    s->timer = evtimer_new(base, on_event, s);
    if (!s->io || !s->timer || event_add(s->io, NULL) < 0) {
        scrub_err_set(err, ENOMEM, "dots signal: cannot add its events to the loop");
        goto fail;
    }
    process(s);
    say(s, DOTS_LOG_INFO, "listening on %s port %u: DTLS 1.2 over UDP, TLS over TCP", cfg->address,
        cfg->port ? cfg->port : DOTS_SIGNAL_PORT);
    *out = s;
    return 0;
fail:
    dots_signal_stop(s);
    return -1;
}

void dots_signal_stop(struct dots_signal *s)
{
    if (!s)
        return;
    if (s->io)
        event_free(s->io);
    if (s->timer)
        event_free(s->timer);
    if (s->ctx)
        coap_free_context(s->ctx);
    coap_cleanup();
    sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
    free(s->config_cbor);
    free(s->ca_file);
    free(s->cert_file);
    free(s->key_file);
    if (active == s)
        active = NULL;
    free(s);
}
