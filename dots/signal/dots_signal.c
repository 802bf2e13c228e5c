/* The signal channel's CoAP server on libcoap (OpenSSL) and libevent: the
 * endpoints, mutual PKIX with the client's identity, libcoap's epoll fd and
 * timers on the event loop, CRLs, the helpers the resources share, and the
 * /.well-known/dots/config resource with the session configurations (RFC
 * 9132 section 4.5). /mitigate is dots_mitigate.c's. */
#include "dots_signal_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <time.h>

#include <coap3/coap.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "dots_cbor.h"
#include "dots_identity.h"
#include "scrub_core.h"

/* The Max-Age of a session configuration answer (RFC 9132 section 4.5.1:
 * how long the client may use it before asking again): the configured
 * one, else an hour. The server's side of it (the ranges) changes only
 * with a restart, which ends the sessions; an hour bounds how long a
 * client goes without looking. */
static int config_max_age(const struct dots_signal *s)
{
    return (int)(s->cfg.config_max_age_s ? s->cfg.config_max_age_s : DOTS_CONFIG_MAX_AGE_DEFAULT_S);
}

/* At most this many reads of libcoap's sockets share one group commit. */
#define DATAGRAMS_PER_GROUP 64

/* libcoap's log handler has no context: the one server of the process. */
static struct dots_signal *active;

void dots_say(const struct dots_signal *s, enum dots_log_level level, const char *fmt, ...)
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
    dots_say(active, level <= LOG_ERR ? DOTS_LOG_ERROR : level == LOG_WARNING ? DOTS_LOG_WARNING
                : level <= LOG_INFO ? DOTS_LOG_INFO : DOTS_LOG_DEBUG, "%s", msg);
}

/* Called by libcoap for each certificate of the client's chain, once OpenSSL
 * has verified it (validated) against the CAs and CRLs of ca_file. */
static int check_client(const char *cn, const uint8_t *der, size_t len, coap_session_t *session, unsigned depth,
                        int validated, void *arg)
{
    struct dots_signal *s = arg;
    char id[256];
    (void)cn;  /* libcoap's choice of name; the identity rule is ours */
    if (depth > 0)
        return validated;
    if (!validated) {
        dots_say(s, DOTS_LOG_WARNING, "client %s refused: its certificate does not verify", coap_session_str(session));
        s->refused_handshakes++;
        return 0;
    }
    if (dots_identity_from_der(der, len, id, sizeof id) < 0) {
        dots_say(s, DOTS_LOG_WARNING, "client %s refused: its certificate names no DNS SAN and no CN",
            coap_session_str(session));
        s->refused_handshakes++;
        return 0;
    }
    if (s->cfg.core && !scrub_core_knows(s->cfg.core, id)) {
        dots_say(s, DOTS_LOG_WARNING, "client %s refused: identity %s is not a tenant (configure it, or scrubctl "
                 "client add)", coap_session_str(session), id);
        s->refused_handshakes++;
        return 0;
    }
    if (!dots_guard_session_allowed(s, id, coap_session_str(session)))
        return 0;
    if (s->cfg.identities) {
        const char *const *it = s->cfg.identities;
        while (*it && strcmp(*it, id) != 0)
            it++;
        if (!*it) {
            dots_say(s, DOTS_LOG_WARNING, "client %s refused: identity %s is not configured", coap_session_str(session), id);
            s->refused_handshakes++;
            return 0;
        }
    }
    dots_say(s, DOTS_LOG_INFO, "client %s authenticated as %s", coap_session_str(session), id);
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

/* The CRLs of file; NULL with err if it has none or does not read. */
static STACK_OF(X509_CRL) *load_crls(const char *file, struct scrub_err *err)
{
    FILE *f = fopen(file, "r");
    X509_CRL *crl;
    if (!f) {
        scrub_err_set(err, errno, "dots signal: cannot open the CRL file %s: %s", file, strerror(errno));
        return NULL;
    }
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
    while (crls && (crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)))
        sk_X509_CRL_push(crls, crl);
    fclose(f);
    if (!crls || sk_X509_CRL_num(crls) == 0) {
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        scrub_err_set(err, EINVAL, "dots signal: %s holds no PEM CRL", file);
        return NULL;
    }
    return crls;
}

/* The contents of a file, NUL-terminated; NULL with err. */
static uint8_t *read_file(const char *path, size_t *len, struct scrub_err *err)
{
    FILE *f = fopen(path, "r");
    uint8_t *buf = NULL;
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        buf[size] = 0;
        *len = (size_t)size;
        fclose(f);
        return buf;
    }
    scrub_err_set(err, errno ? errno : EIO, "dots signal: cannot read %s: %s", path, strerror(errno ? errno : EIO));
    free(buf);
    if (f)
        fclose(f);
    return NULL;
}

static void pem_free(struct dots_pem *p)
{
    free(p->ca);
    free(p->cert);
    free(p->key);
    *p = (struct dots_pem){0};
}

/* The certificates, key and CAs read into memory, and checked: libcoap
 * reads files at every handshake, so it is given these buffers instead,
 * and a file changed on disk takes effect at a reload, if it is right. */
static int pem_load(const struct dots_signal *s, struct dots_pem *p, struct scrub_err *err)
{
    *p = (struct dots_pem){0};
    if (!(p->ca = read_file(s->ca_file, &p->ca_len, err)) || !(p->cert = read_file(s->cert_file, &p->cert_len, err)) ||
        !(p->key = read_file(s->key_file, &p->key_len, err))) {
        pem_free(p);
        return -1;
    }
    BIO *bc = BIO_new_mem_buf(p->cert, (int)p->cert_len), *bk = BIO_new_mem_buf(p->key, (int)p->key_len),
        *ba = BIO_new_mem_buf(p->ca, (int)p->ca_len);
    X509 *cert = bc ? PEM_read_bio_X509(bc, NULL, NULL, NULL) : NULL, *ca = ba ? PEM_read_bio_X509(ba, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = bk ? PEM_read_bio_PrivateKey(bk, NULL, NULL, NULL) : NULL;
    int r = 0;
    if (!cert)
        r = scrub_err_set(err, EINVAL, "dots signal: %s holds no PEM certificate", s->cert_file);
    else if (!key)
        r = scrub_err_set(err, EINVAL, "dots signal: %s holds no PEM private key", s->key_file);
    else if (!X509_check_private_key(cert, key))
        r = scrub_err_set(err, EINVAL, "dots signal: the key %s does not belong to the certificate %s", s->key_file,
                          s->cert_file);
    else if (!ca)
        r = scrub_err_set(err, EINVAL, "dots signal: %s holds no PEM CA certificate", s->ca_file);
    BIO_free(bc);
    BIO_free(bk);
    BIO_free(ba);
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(key);
    if (r < 0)
        pem_free(p);
    return r;
}

/* Gives libcoap the certificates, key and CAs of p. */
static int set_pki(struct dots_signal *s, const struct dots_pem *p, struct scrub_err *err)
{
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
        .pki_key = {.key_type = COAP_PKI_KEY_PEM_BUF,
                    .key.pem_buf = {.ca_cert = p->ca, .public_cert = p->cert, .private_key = p->key,
                                    .ca_cert_len = p->ca_len, .public_cert_len = p->cert_len,
                                    .private_key_len = p->key_len}},
    };
    if (!coap_context_set_pki(s->ctx, &pki))
        return scrub_err_set(err, EINVAL, "dots signal: the certificates do not load (CA %s, certificate %s, key %s)",
                             s->ca_file, s->cert_file, s->key_file);
    return 0;
}

int dots_signal_reload(struct dots_signal *s, struct scrub_err *err)
{
    STACK_OF(X509_CRL) *crls = NULL;
    struct dots_pem next;
    if (s->cfg.crl_file && !(crls = load_crls(s->cfg.crl_file, err)))
        return -1;
    if (pem_load(s, &next, err) < 0 || set_pki(s, &next, err) < 0) {
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        pem_free(&next);
        return -1;
    }
    /* a handshake begun before may still read the previous buffers */
    pem_free(&s->pem[1]);
    s->pem[1] = s->pem[0];
    s->pem[0] = next;
    if (crls) {
        sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
        s->crls = crls;
    }
    dots_say(s, DOTS_LOG_INFO, "certificates reloaded: certificate %s, CAs %s%s%s; new handshakes use them",
             s->cert_file, s->ca_file, crls ? ", CRLs " : "", crls ? s->cfg.crl_file : "");
    return 0;
}

void dots_refuse(coap_pdu_t *response, coap_pdu_code_t code, const char *diagnostic)
{
    coap_pdu_set_code(response, code);
    coap_add_data(response, strlen(diagnostic), (const uint8_t *)diagnostic);
}

static void release_data(coap_session_t *session, void *data)
{
    (void)session;
    free(data);
}

void dots_answer_cbor(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      coap_pdu_t *response, coap_pdu_code_t code, const uint8_t *data, size_t len, int max_age)
{
    coap_pdu_set_code(response, code);
    /* copied, since libcoap may send it block by block after we return */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "out of memory");
        return;
    }
    memcpy(copy, data, len);
    if (!coap_add_data_large_response(resource, session, request, response, NULL,
                                      COAP_MEDIATYPE_APPLICATION_DOTS_CBOR, max_age, 0, len, copy,
                                      release_data, copy))
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the answer could not be sent");
}

int dots_encode_json(const struct dots_signal *s, const char *json, uint8_t **out, size_t *len,
                     struct scrub_err *err)
{
    struct lyd_node *tree;
    struct dots_cbor_error cerr;
    if (dots_schema_parse_json(s->cfg.schema, json, &tree, err) < 0)
        return -1;
    int r = dots_cbor_encode(tree, out, len, &cerr);
    lyd_free_all(tree);
    return r < 0 ? scrub_err_set(err, EINVAL, "%s", cerr.msg) : 0;
}

/* 4.15 for another Content-Format (RFC 9132 section 6), 4.13 past the size
 * limit, 4.00 with the decoder's diagnostic otherwise. */
struct lyd_node *dots_request_body(const struct dots_signal *s, const coap_pdu_t *request, coap_pdu_t *response)
{
    coap_opt_iterator_t it;
    coap_opt_t *cf = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it);
    if (!cf || coap_decode_var_bytes(coap_opt_value(cf), coap_opt_length(cf)) != COAP_MEDIATYPE_APPLICATION_DOTS_CBOR) {
        dots_refuse(response, COAP_RESPONSE_CODE_UNSUPPORTED_CONTENT_FORMAT,
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
        dots_refuse(response,
               err.status == DOTS_CBOR_LIMIT && len > dots_cbor_default_limits.max_input
                   ? COAP_RESPONSE_CODE_REQUEST_TOO_LARGE
                   : err.status == DOTS_CBOR_INTERNAL ? COAP_RESPONSE_CODE_INTERNAL_ERROR
                                                      : COAP_RESPONSE_CODE_BAD_REQUEST,
               diagnostic);
        return NULL;
    }
    return tree;
}

/* The client's certificate in DER (OPENSSL_free), or -1. */
static int peer_der(coap_session_t *session, unsigned char **der)
{
    coap_tls_library_t lib;
    SSL *ssl = coap_session_get_tls(session, &lib);
    X509 *cert = ssl && lib == COAP_TLS_LIBRARY_OPENSSL ? SSL_get1_peer_certificate(ssl) : NULL;
    *der = NULL;
    int len = cert ? i2d_X509(cert, der) : -1;
    X509_free(cert);
    return len;
}

int dots_session_identity(coap_session_t *session, char *id, size_t size)
{
    unsigned char *der;
    int len = peer_der(session, &der);
    int r = len > 0 ? dots_identity_from_der(der, (size_t)len, id, size) : -1;
    OPENSSL_free(der);
    return r;
}

int dots_session_cuid(coap_session_t *session, char cuid[DOTS_CUID_DERIVED_LEN + 1])
{
    unsigned char *der;
    int len = peer_der(session, &der);
    int r = len > 0 ? dots_cuid_from_der(der, (size_t)len, cuid) : -1;
    OPENSSL_free(der);
    return r;
}

int dots_request_identity(const struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                          coap_pdu_t *response, char *id, size_t size)
{
    coap_opt_iterator_t it;
    if (dots_session_identity(session, id, size) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "client %s: no identity in its session's certificate", coap_session_str(session));
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the session has no client identity");
        return -1;
    }
    /* a GET with Observe is re-run for each notification: not the client's */
    if (coap_check_option(request, COAP_OPTION_OBSERVE, &it))
        return 0;
    int wait = dots_guard_request((struct dots_signal *)s, id);
    if (wait > 0) {
        char diagnostic[160];
        uint8_t buf[4];
        snprintf(diagnostic, sizeof diagnostic, "too many requests: %u a second are allowed (bursts of %u)",
                 s->limits.rate_per_s, s->limits.burst);
        coap_add_option(response, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof buf, (unsigned)wait), buf);
        dots_refuse(response, COAP_RESPONSE_CODE_TOO_MANY_REQUESTS, diagnostic);
        return -1;
    }
    dots_peer_heard(session);
    if (s->cfg.core)
        dots_liveness_seen((struct dots_signal *)s, id, false);
    return 0;
}

struct dots_signal *dots_signal_of(const coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

const struct dots_limits dots_default_limits = {.max_handshakes = 128, .max_sessions = 8, .rate_per_s = 50,
                                                .burst = 100};

/* A CoAP Ping (libcoap answers the Pong) is a sign of life too; over TLS
 * it is the client's heartbeat (RFC 8323 section 5.4, RFC 9132 section
 * 4.7). */
static void on_ping(coap_session_t *session, const coap_pdu_t *received, const coap_mid_t mid)
{
    char id[256];
    (void)received;
    (void)mid;
    dots_peer_heard(session);
    if (active && active->cfg.core && dots_session_identity(session, id, sizeof id) == 0)
        dots_liveness_seen(active, id, coap_session_get_proto(session) == COAP_PROTO_TLS);
}

enum config_path { PATH_OTHER, PATH_BAD_SID, PATH_NO_SID, PATH_SID };

/* /.well-known/dots/config, optionally followed by one Uri-Path sid=N
 * (N a uint32, the YANG type of sid). */
static enum config_path config_path(const coap_pdu_t *request, uint32_t *sid)
{
    static const char base[] = ".well-known/dots/config";
    coap_string_t *path = coap_get_uri_path(request);
    enum config_path r = PATH_OTHER;
    if (!path)
        return r;
    const char *p = (const char *)path->s, *end = p + path->length;
    if (p < end && *p == '/')
        p++;
    if ((size_t)(end - p) >= sizeof base - 1 && memcmp(p, base, sizeof base - 1) == 0) {
        p += sizeof base - 1;
        if (p == end) {
            r = PATH_NO_SID;
        } else if (*p == '/') {
            uint64_t v = 0;
            r = PATH_BAD_SID;
            p++;
            if (end - p > 4 && memcmp(p, "sid=", 4) == 0) {
                p += 4;
                const char *digits = p;
                while (p < end && *p >= '0' && *p <= '9' && v <= UINT32_MAX)
                    v = v * 10 + (uint64_t)(*p++ - '0');
                if (p == end && p > digits && p - digits <= 10 && v <= UINT32_MAX) {
                    *sid = (uint32_t)v;
                    r = PATH_SID;
                }
            }
        }
    }
    coap_delete_string(path);
    return r;
}

static struct client_config *find_config(const struct dots_signal *s, const char *identity)
{
    for (size_t i = 0; i < s->nconfigs; i++)
        if (strcmp(s->configs[i].identity, identity) == 0)
            return &s->configs[i];
    return NULL;
}

/* The session configuration a client has: its stored one, else the
 * defaults. */
static const struct dots_sc *client_sc(const struct dots_signal *s, const char *identity)
{
    const struct client_config *c = find_config(s, identity);
    return c ? &c->sc : &dots_sc_defaults;
}

const struct dots_sc_values *dots_client_values(const struct dots_signal *s, const char *identity)
{
    const struct dots_sc *sc = client_sc(s, identity);
    return s->cfg.core && scrub_core_mitigating(s->cfg.core, identity) ? &sc->mitigating : &sc->idle;
}

static int add_config(struct dots_signal *s, const char *identity, uint32_t sid, const struct dots_sc *sc)
{
    if (s->nconfigs == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct client_config *c = realloc(s->configs, cap * sizeof *c);
        if (!c)
            return -1;
        s->configs = c;
        s->cap = cap;
    }
    char *id = strdup(identity);
    if (!id)
        return -1;
    s->configs[s->nconfigs++] = (struct client_config){.identity = id, .sid = sid, .sc = *sc};
    return 0;
}

static void remove_config(struct dots_signal *s, struct client_config *c)
{
    free(c->identity);
    *c = s->configs[--s->nconfigs];
}

/* The answer to a GET: min, max and current values of both configurations. */
static int encode_config(const struct dots_signal *s, const struct dots_sc *sc, uint8_t **out, size_t *len,
                         struct scrub_err *err)
{
    char json[4096];
    if (dots_sc_answer_json(sc, &s->ranges, json, sizeof json) < 0)
        return scrub_err_set(err, ENOBUFS, "the session configuration does not fit its JSON buffer");
    if (dots_encode_json(s, json, out, len, err) < 0)
        return scrub_err_prefix(err, "the session configuration");
    return 0;
}

/* The identity of the request's session and what its path names; else the
 * response is the refusal. */
static int config_request(const struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                          coap_pdu_t *response, char *id, size_t size, enum config_path *path, uint32_t *sid)
{
    *path = config_path(request, sid);
    if (*path == PATH_OTHER) {
        dots_refuse(response, COAP_RESPONSE_CODE_NOT_FOUND, "no such resource");
        return -1;
    }
    if (*path == PATH_BAD_SID) {
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST,
               "after /.well-known/dots/config only one Uri-Path sid=N (N in 0-4294967295) may follow");
        return -1;
    }
    return dots_request_identity(s, session, request, response, id, size);
}

/* GET without sid: the defaults; with the client's sid: its configuration
 * (RFC 9132 sections 4.5.1 and 4.5.2). */
static void get_config(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    const struct dots_signal *s = coap_resource_get_userdata(resource);
    char id[256], diagnostic[320];
    enum config_path path;
    uint32_t sid;
    const struct dots_sc *sc = &dots_sc_defaults;
    uint8_t *cbor;
    size_t len;
    struct scrub_err err;
    (void)query;
    if (config_request(s, session, request, response, id, sizeof id, &path, &sid) < 0)
        return;
    if (path == PATH_SID) {
        const struct client_config *c = find_config(s, id);
        if (!c || c->sid != sid) {
            snprintf(diagnostic, sizeof diagnostic, "%s has no session configuration with sid %u", id, sid);
            dots_refuse(response, COAP_RESPONSE_CODE_NOT_FOUND, diagnostic);
            return;
        }
        sc = &c->sc;
    }
    if (encode_config(s, sc, &cbor, &len, &err) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "GET /config for %s: %s", id, err.msg);
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the session configuration could not be encoded");
        return;
    }
    dots_answer_cbor(resource, session, request, response, COAP_RESPONSE_CODE_CONTENT, cbor, len, config_max_age(s));
    free(cbor);
}

/* Commits one change of a client's stored configuration (sc NULL: its
 * deletion); nothing is answered before this returns 0. */
static int store_config(const struct dots_signal *s, const char *id, uint32_t sid, const struct dots_sc *sc,
                        struct scrub_err *err)
{
    char json[2048];
    if (sc && dots_sc_store_json(sc, json, sizeof json) < 0)
        return scrub_err_set(err, ENOBUFS, "the session configuration does not fit its JSON buffer");
    struct scrub_store_session_config row = {.identity = id, .sid = sid, .body = json, .updated_at = time(NULL)};
    if (scrub_store_begin(s->cfg.store, err) < 0)
        return -1;
    if ((sc ? scrub_store_session_config_put(s->cfg.store, &row, err)
            : scrub_store_session_config_delete(s->cfg.store, id, err)) < 0) {
        scrub_store_rollback(s->cfg.store);
        return -1;
    }
    return scrub_store_commit(s->cfg.store, err);
}

/* PUT with sid (RFC 9132 section 4.5.2): 2.01 for a sid the server does not
 * have, 2.04 for the stored one; a lower sid than the stored one is
 * refused, as is a value outside the server's ranges (4.22). */
static void put_config(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_signal *s = coap_resource_get_userdata(resource);
    char id[256], diagnostic[640];
    enum config_path path;
    uint32_t sid;
    dots_group_flush(s); /* it writes the store on its own */
    struct dots_sc sc;
    struct scrub_err err;
    int code;
    (void)query;
    if (config_request(s, session, request, response, id, sizeof id, &path, &sid) < 0)
        return;
    /* the body's form first (4.15, 4.00), as for every signal channel body */
    struct lyd_node *tree = dots_request_body(s, request, response);
    if (!tree)
        return;
    if (path == PATH_NO_SID) {
        lyd_free_all(tree);
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST, "a PUT needs the Uri-Path sid=N (RFC 9132 section 4.5.2)");
        return;
    }
    int r = dots_sc_from_tree(tree, &s->ranges, &sc, &code, diagnostic, sizeof diagnostic);
    lyd_free_all(tree);
    if (r < 0) {
        dots_refuse(response, code == 422 ? COAP_RESPONSE_CODE_UNPROCESSABLE : COAP_RESPONSE_CODE_BAD_REQUEST, diagnostic);
        return;
    }
    struct client_config *c = find_config(s, id);
    if (c && sid < c->sid) {
        snprintf(diagnostic, sizeof diagnostic,
                 "sid %u is lower than the stored sid %u: sid values increase monotonically (RFC 9132 section 4.5.2)",
                 sid, c->sid);
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST, diagnostic);
        return;
    }
    if (store_config(s, id, sid, &sc, &err) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "PUT /config/sid=%u for %s: %s", sid, id, err.msg);
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the session configuration could not be stored");
        return;
    }
    bool created = !c || c->sid != sid;
    if (c) {
        c->sid = sid;
        c->sc = sc;
    } else if (add_config(s, id, sid, &sc) < 0) {
        /* stored, so it is back after a restart; this run serves the defaults */
        dots_say(s, DOTS_LOG_ERROR, "PUT /config/sid=%u for %s: stored, but out of memory to keep it", sid, id);
    }
    dots_say(s, DOTS_LOG_INFO, "session configuration of %s stored with sid %u", id, sid);
    coap_pdu_set_code(response, created ? COAP_RESPONSE_CODE_CREATED : COAP_RESPONSE_CODE_CHANGED);
}

/* DELETE (RFC 9132 section 4.5.3): back to the defaults, 2.02. A sid other
 * than the stored one names nothing, and deleting nothing is done too. */
static void delete_config(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                          const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_signal *s = coap_resource_get_userdata(resource);
    char id[256];
    enum config_path path;
    uint32_t sid;
    dots_group_flush(s); /* it writes the store on its own */
    struct scrub_err err;
    (void)query;
    if (config_request(s, session, request, response, id, sizeof id, &path, &sid) < 0)
        return;
    struct client_config *c = find_config(s, id);
    if (c && (path == PATH_NO_SID || c->sid == sid)) {
        if (store_config(s, id, c->sid, NULL, &err) < 0) {
            dots_say(s, DOTS_LOG_ERROR, "DELETE /config for %s: %s", id, err.msg);
            dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the session configuration could not be deleted");
            return;
        }
        dots_say(s, DOTS_LOG_INFO, "session configuration of %s (sid %u) deleted", id, c->sid);
        remove_config(s, c);
    }
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_DELETED);
}

/* /.well-known/dots/mitigate, alone or with further Uri-Paths. */
static bool mitigate_path(const coap_pdu_t *request)
{
    static const char base[] = ".well-known/dots/mitigate";
    coap_string_t *path = coap_get_uri_path(request);
    if (!path)
        return false;
    const char *p = (const char *)path->s, *end = p + path->length;
    if (p < end && *p == '/')
        p++;
    size_t n = (size_t)(end - p);
    bool r = n >= sizeof base - 1 && memcmp(p, base, sizeof base - 1) == 0 &&
             (n == sizeof base - 1 || p[sizeof base - 1] == '/');
    coap_delete_string(path);
    return r;
}

/* Paths below the registered resources: /config/sid=N, or /mitigate/...
 * when there is a core to take mitigations. */
static void on_other(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                     const coap_string_t *query, coap_pdu_t *response)
{
    struct dots_signal *s = coap_resource_get_userdata(resource);
    bool mitigate = s->cfg.core && mitigate_path(request);
    switch (coap_pdu_get_code(request)) {
    case COAP_REQUEST_CODE_PUT:
        if (mitigate)
            dots_mitigate_put(s, resource, session, request, response);
        else
            put_config(resource, session, request, query, response);
        break;
    case COAP_REQUEST_CODE_GET:
        if (mitigate)
            dots_mitigate_get(s, resource, session, request, response);
        else
            get_config(resource, session, request, query, response);
        break;
    default: /* DELETE: the only other method registered */
        if (mitigate)
            dots_mitigate_delete(s, resource, session, request, response);
        else
            delete_config(resource, session, request, query, response);
    }
}

static int load_config(void *arg, const struct scrub_store_session_config *row)
{
    struct dots_signal *s = arg;
    struct dots_sc sc;
    struct scrub_err err;
    if (row->sid < 0 || row->sid > UINT32_MAX || dots_sc_from_store_json(row->body, &sc, &err) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "the stored session configuration of %s (sid %lld) is not one: %s", row->identity,
            (long long)row->sid, row->sid < 0 || row->sid > UINT32_MAX ? "sid out of range" : err.msg);
        return 1;
    }
    if (add_config(s, row->identity, (uint32_t)row->sid, &sc) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "out of memory loading the session configuration of %s", row->identity);
        return 1;
    }
    return 0;
}

static void process(struct dots_signal *s)
{
    coap_tick_t now;
    /* The mitigation requests read now share a commit. libcoap 4.3.1 reads
     * one datagram of an endpoint's socket a pass, and every DTLS session
     * shares that socket, so a pass alone would make groups of one; and
     * each pass of coap_io_process walks every session (its
     * coap_io_prepare_epoll). So after one pass, what is waiting is read by
     * libcoap's epoll handler alone, up to a bound that keeps the answers of
     * the first requests from waiting long. */
    dots_group_begin(s);
    coap_io_process(s->ctx, COAP_IO_NO_WAIT);
    struct epoll_event ready[16];
    int fd = coap_context_get_coap_fd(s->ctx), n;
    for (unsigned reads = 1; reads < DATAGRAMS_PER_GROUP && (n = epoll_wait(fd, ready, 16, 0)) > 0; reads += (unsigned)n)
        coap_io_do_epoll(s->ctx, ready, (size_t)n);
    dots_group_end(s);
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
    s->ranges = cfg->ranges ? *cfg->ranges : dots_sc_default_ranges;
    s->limits = cfg->limits ? *cfg->limits : dots_default_limits;
    if (!s->limits.max_handshakes || !s->limits.max_sessions || !s->limits.rate_per_s || !s->limits.burst) {
        scrub_err_set(err, EINVAL, "dots signal: every limit (handshakes, sessions, rate, burst) must be above 0");
        goto fail;
    }
    if (!cfg->store) {
        scrub_err_set(err, EINVAL, "dots signal: no store for the session configurations");
        goto fail;
    }
    uint8_t *check;
    size_t check_len;
    if (dots_sc_check_ranges(&s->ranges, err) < 0 || encode_config(s, &dots_sc_defaults, &check, &check_len, err) < 0) {
        scrub_err_prefix(err, "dots signal");
        goto fail;
    }
    free(check);
    /* < 0: the store's error; > 0: a row load_config refused, logged */
    int loaded = scrub_store_session_configs_each(cfg->store, load_config, s, err);
    if (loaded != 0) {
        if (loaded < 0)
            scrub_err_prefix(err, "dots signal: loading the session configurations");
        else
            scrub_err_set(err, EINVAL, "dots signal: a stored session configuration does not load (see the log)");
        goto fail;
    }
    if (cfg->crl_file && !(s->crls = load_crls(cfg->crl_file, err)))
        goto fail;
    s->ctx = coap_new_context(NULL);
    if (!s->ctx) {
        scrub_err_set(err, ENOMEM, "dots signal: no CoAP context");
        goto fail;
    }
    if (pem_load(s, &s->pem[0], err) < 0 || set_pki(s, &s->pem[0], err) < 0)
        goto fail;
    coap_set_app_data(s->ctx, s);
    dots_guard_start(s);
    dots_peers_start(s);
    if (!coap_new_endpoint(s->ctx, &addr, COAP_PROTO_DTLS) || !coap_new_endpoint(s->ctx, &addr, COAP_PROTO_TLS)) {
        scrub_err_set(err, EADDRINUSE, "dots signal: cannot listen on %s port %u (UDP and TCP)", cfg->address,
                      cfg->port ? cfg->port : DOTS_SIGNAL_PORT);
        goto fail;
    }
    /* /config itself, and the paths below it and /mitigate through the
     * unknown resource (the handlers answer 4.04 for any other path) */
    coap_context_set_block_mode(s->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_resource_t *config = coap_resource_init(coap_make_str_const(".well-known/dots/config"), 0);
    coap_resource_t *other = coap_resource_unknown_init2(on_other, 0);
    coap_resource_set_userdata(config, s);
    coap_resource_set_userdata(other, s);
    coap_register_request_handler(config, COAP_REQUEST_PUT, put_config);
    coap_register_request_handler(config, COAP_REQUEST_GET, get_config);
    coap_register_request_handler(config, COAP_REQUEST_DELETE, delete_config);
    coap_register_request_handler(other, COAP_REQUEST_GET, on_other);
    coap_register_request_handler(other, COAP_REQUEST_DELETE, on_other);
    coap_add_resource(s->ctx, config);
    coap_add_resource(s->ctx, other);
    if (cfg->core) {
        coap_resource_t *hb = coap_resource_init(coap_make_str_const(".well-known/dots/hb"), 0);
        coap_resource_set_userdata(hb, s);
        coap_register_request_handler(hb, COAP_REQUEST_PUT, dots_heartbeat_put);
        coap_add_resource(s->ctx, hb);
        coap_register_ping_handler(s->ctx, on_ping);
        if (dots_liveness_start(s, err) < 0 || dots_observe_start(s, err) < 0)
            goto fail;
    }

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
    dots_say(s, DOTS_LOG_INFO, "listening on %s port %u: DTLS 1.2 over UDP, TLS over TCP", cfg->address,
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
    dots_observe_stop(s);
    if (s->io)
        event_free(s->io);
    if (s->timer)
        event_free(s->timer);
    dots_liveness_stop(s);
    dots_peers_stop(s);
    if (s->ctx)
        coap_free_context(s->ctx);
    coap_cleanup();
    sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
    pem_free(&s->pem[0]);
    pem_free(&s->pem[1]);
    dots_guard_stop(s);
    while (s->nconfigs)
        remove_config(s, &s->configs[0]);
    free(s->configs);
    free(s->ca_file);
    free(s->cert_file);
    free(s->key_file);
    if (active == s)
        active = NULL;
    free(s);
}
