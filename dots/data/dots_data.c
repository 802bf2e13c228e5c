/* The data channel's HTTPS server: OpenSSL for TLS 1.2/1.3 with client
 * certificates checked against the CAs, the CRLs and the allowed
 * identities at the handshake; libevent's evhttp for HTTP with its limits;
 * the routing of each request to host-meta or a RESTCONF resource. */
#include "dots_data.h"
#include "scrub_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "dots_data_internal.h"
#include "dots_identity.h"

#define IDLE_TIMEOUT_S 60 /* a connection idle this long is closed */

void dots_data_say(const struct dots_data *d, enum dots_log_level level, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    if (!d->cfg.log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->cfg.log(d->cfg.log_ctx, level, msg);
}

static int cert_identity(X509 *cert, char *id, size_t size)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    int r = len > 0 ? dots_identity_from_der(der, (size_t)len, id, size) : -1;
    OPENSSL_free(der);
    return r;
}

/* "address port N" of the connection's peer, for the log. */
static void peer_name(SSL *ssl, char *out, size_t size)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    int fd = SSL_get_fd(ssl);
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&sa, &len) == 0) {
        if (sa.ss_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
            port = ntohs(in->sin_port);
        } else if (sa.ss_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(out, size, "%s port %u", host, port);
}

/* OpenSSL's verdict on each certificate of the client's chain, then ours
 * on the client's own: its identity must be configured. A refusal ends the
 * handshake and is logged with its reason. */
static int verify_client(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    const struct dots_data *d = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    X509 *cert = X509_STORE_CTX_get_current_cert(x);
    char id[256] = "?", peer[80];
    if (cert && cert_identity(cert, id, sizeof id) < 0)
        snprintf(id, sizeof id, "(no DNS SAN, no CN)");
    peer_name(ssl, peer, sizeof peer);
    if (!ok) {
        dots_data_say(d, DOTS_LOG_WARNING, "client %s refused: %s: '%s'", peer,
                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)), id);
        return 0;
    }
    if (X509_STORE_CTX_get_error_depth(x) > 0)
        return 1;
    if (!cert || cert_identity(cert, id, sizeof id) < 0) {
        dots_data_say(d, DOTS_LOG_WARNING, "client %s refused: its certificate names no DNS SAN and no CN", peer);
        X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (d->cfg.core && !scrub_core_knows(d->cfg.core, id)) {
        dots_data_say(d, DOTS_LOG_WARNING, "client %s refused: identity %s is not a tenant", peer, id);
        X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (d->cfg.identities) {
        const char *const *it = d->cfg.identities;
        while (*it && strcmp(*it, id) != 0)
            it++;
        if (!*it) {
            dots_data_say(d, DOTS_LOG_WARNING, "client %s refused: identity %s is not configured", peer, id);
            X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
            return 0;
        }
    }
    dots_data_say(d, DOTS_LOG_INFO, "client %s authenticated as %s", peer, id);
    return 1;
}

/* Each accepted connection: a TLS server bufferevent (evhttp sets its fd). */
static struct bufferevent *new_connection(struct event_base *base, void *arg)
{
    struct dots_data *d = arg;
    SSL *ssl = SSL_new(d->tls);
    if (!ssl)
        return NULL;
    return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/* The identity of the request's connection, from the certificate the
 * handshake verified. */
static int request_identity(struct evhttp_request *req, char *id, size_t size)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
    if (!cert)
        return -1;
    int r = cert_identity(cert, id, size);
    X509_free(cert);
    return r;
}

/* RFC 6415 host-meta naming the RESTCONF root (RFC 8040 section 3.1, RFC
 * 8783 section 6). */
static void serve_host_meta(const struct dots_request *r)
{
    static const char xrd[] = "<?xml version='1.0' encoding='UTF-8'?>\n"
                              "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n"
                              "  <Link rel='restconf' href='/restconf'/>\n"
                              "</XRD>\n";
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
        restconf_not_allowed(r, "GET, HEAD");
        return;
    }
    restconf_reply_text(r, HTTP_OK, "application/xrd+xml", xrd);
}

/* A request to host-meta or to a RESTCONF resource. */
static void route(const struct dots_request *r)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    static const char root[] = DOTS_DATA_ROOT, client[] = "/dots-client=";
    if (!path) {
        restconf_error(r, HTTP_BADREQUEST, "protocol", "malformed-message", NULL, "the request URI does not parse");
        return;
    }
    if (strcmp(path, "/.well-known/host-meta") == 0) {
        serve_host_meta(r);
        return;
    }
    /* RFC 8040 section 4.8: a query parameter the server does not support
     * is refused; only the ACLs take some (insert, point), and a
     * dots-client's resources refuse the rest */
    if (evhttp_uri_get_query(uri) && !strstr(path, client)) {
        restconf_error(r, HTTP_BADREQUEST, "protocol", "invalid-value", NULL,
                       "query parameters are not supported yet (got '%s')", evhttp_uri_get_query(uri));
        return;
    }
    if (strncmp(path, root, sizeof root - 1) == 0) {
        const char *rest = path + sizeof root - 1;
        if (*rest == '\0') {
            dots_data_serve_root(r);
            return;
        }
        if (strcmp(rest, "/capabilities") == 0) {
            dots_data_serve_capabilities(r);
            return;
        }
        if (strncmp(rest, client, sizeof client - 1) == 0) {
            const char *key = rest + sizeof client - 1, *end = strchr(key, '/');
            size_t klen = end ? (size_t)(end - key) : strlen(key), dlen = 0;
            char *raw = strndup(key, klen);
            /* the key is percent-encoded (RFC 8040 section 3.5.3) */
            char *cuid = raw ? evhttp_uridecode(raw, 0, &dlen) : NULL;
            free(raw);
            if (!cuid) {
                restconf_error(r, HTTP_INTERNAL, "application", "operation-failed", NULL, "out of memory");
                return;
            }
            if (dlen == 0 || dlen != strlen(cuid))
                restconf_error(r, HTTP_BADREQUEST, "protocol", "invalid-value", NULL,
                               "the dots-client key in the URI is empty or holds a NUL");
            else
                dots_data_serve_client(r, cuid, end ? end : "");
            free(cuid);
            return;
        }
    }
    restconf_error(r, HTTP_NOTFOUND, "protocol", "invalid-value", NULL, "no resource %s here", path);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct dots_data *d = arg;
    char id[256];
    struct dots_request r = {.d = d, .req = req, .identity = id};
    if (request_identity(req, id, sizeof id) < 0) {
        dots_data_say(d, DOTS_LOG_ERROR, "a request without a client identity on its connection");
        restconf_error(&r, HTTP_INTERNAL, "transport", "operation-failed", NULL, "the connection has no client identity");
        return;
    }
    route(&r);
}

void dots_data_serve_detached(struct dots_data *d, struct evhttp_request *req, const char *identity,
                              struct dots_data_answer *answer)
{
    struct dots_request r = {.d = d, .req = req, .identity = identity, .answer = answer};
    route(&r);
}

static int load_crls(SSL_CTX *tls, const char *file, struct scrub_err *err)
{
    X509_STORE *store = SSL_CTX_get_cert_store(tls);
    X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (!lookup || X509_load_crl_file(lookup, file, X509_FILETYPE_PEM) <= 0)
        return scrub_err_set(err, EINVAL, "dots data: %s holds no PEM CRL (or cannot be read)", file);
    /* the client's own certificate is checked against its CA's CRL */
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    return 0;
}

/* A TLS context from the configured files: the server's certificate and
 * key, the CAs and CRLs clients are checked against. */
static SSL_CTX *make_tls(struct dots_data *d, struct scrub_err *err)
{
    const struct dots_data_config *cfg = &d->cfg;
    SSL_CTX *tls = SSL_CTX_new(TLS_server_method());
    if (!tls) {
        scrub_err_set(err, ENOMEM, "dots data: no TLS context");
        return NULL;
    }
    SSL_CTX_set_app_data(tls, d);
    STACK_OF(X509_NAME) *cas = NULL;
    if (!SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION)) {
        scrub_err_set(err, ENOTSUP, "dots data: this OpenSSL cannot require TLS 1.2");
    } else if (SSL_CTX_use_certificate_chain_file(tls, cfg->cert_file) != 1 ||
               SSL_CTX_use_PrivateKey_file(tls, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(tls) != 1) {
        scrub_err_set(err, EINVAL, "dots data: the certificate %s and key %s do not load or do not match: %s",
                      cfg->cert_file, cfg->key_file, ERR_reason_error_string(ERR_get_error()));
    } else if (!(cas = SSL_load_client_CA_file(cfg->ca_file)) ||
               SSL_CTX_load_verify_locations(tls, cfg->ca_file, NULL) != 1) {
        sk_X509_NAME_pop_free(cas, X509_NAME_free);
        scrub_err_set(err, EINVAL, "dots data: the CA file %s does not load", cfg->ca_file);
    } else {
        SSL_CTX_set_client_CA_list(tls, cas);
        SSL_CTX_set_verify(tls, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_client);
        SSL_CTX_set_verify_depth(tls, 3);
        if (!cfg->crl_file || load_crls(tls, cfg->crl_file, err) == 0)
            return tls;
    }
    ERR_clear_error();
    SSL_CTX_free(tls);
    return NULL;
}

int dots_data_reload(struct dots_data *d, struct scrub_err *err)
{
    SSL_CTX *tls = make_tls(d, err);
    if (!tls)
        return -1;
    SSL_CTX_free(d->tls); /* each open connection's SSL keeps a reference to the old one */
    d->tls = tls;
    return 0;
}

static int load_schema(struct dots_data *d, struct scrub_err *err)
{
    /* messages are read back with ly_errmsg(), never printed by libyang */
    ly_log_options(LY_LOSTORE_LAST);
    if (ly_ctx_new(d->cfg.yang_dir, LY_CTX_NO_YANGLIBRARY, &d->yang) != LY_SUCCESS)
        return scrub_err_set(err, EINVAL, "dots data: cannot make a libyang context on %s", d->cfg.yang_dir);
    /* implemented, with its features (the ACL types), so that JSON
     * identityrefs naming it (an ACL's type, an ACE's forwarding) resolve */
    static const char *all_features[] = {"*", NULL};
    if (!ly_ctx_load_module(d->yang, "ietf-access-control-list", "2019-03-04", all_features))
        return scrub_err_set(err, ENOENT, "dots data: ietf-access-control-list@2019-03-04 does not load from %s: %s",
                             d->cfg.yang_dir, ly_errmsg(d->yang));
    d->module = ly_ctx_load_module(d->yang, "ietf-dots-data-channel", "2020-05-28", NULL);
    if (!d->module)
        return scrub_err_set(err, ENOENT, "dots data: ietf-dots-data-channel@2020-05-28 does not load from %s: %s",
                             d->cfg.yang_dir, ly_errmsg(d->yang));
    return 0;
}

int dots_data_open(const struct dots_data_config *cfg, struct dots_data **out, struct scrub_err *err)
{
    if (!cfg->store || !cfg->yang_dir)
        return scrub_err_set(err, EINVAL, "dots data: the store and the YANG folder are required");
    struct dots_data *d = calloc(1, sizeof *d);
    if (!d)
        return scrub_err_set(err, ENOMEM, "dots data: out of memory");
    d->cfg = *cfg;
    if (load_schema(d, err) < 0) {
        dots_data_stop(d);
        return -1;
    }
    *out = d;
    return 0;
}

int dots_data_start(struct event_base *base, const struct dots_data_config *cfg, struct dots_data **out,
                    struct scrub_err *err)
{
    unsigned char probe[sizeof(struct in6_addr)];
    uint16_t port = cfg->port ? cfg->port : DOTS_DATA_PORT;
    struct dots_data *d;
    if (!cfg->address || (inet_pton(AF_INET, cfg->address, probe) != 1 && inet_pton(AF_INET6, cfg->address, probe) != 1))
        return scrub_err_set(err, EINVAL, "dots data: %s is not an IPv4 or IPv6 address",
                             cfg->address ? cfg->address : "(null)");
    if (!cfg->store || !cfg->yang_dir || !cfg->ca_file || !cfg->cert_file || !cfg->key_file)
        return scrub_err_set(err, EINVAL, "dots data: the store, the YANG folder, the CA, certificate and key files "
                                          "are required");
    if (dots_data_open(cfg, &d, err) < 0)
        return -1;
    d->base = base;
    if (!(d->tls = make_tls(d, err)))
        goto fail;
    d->http = evhttp_new(base);
    if (!d->http) {
        scrub_err_set(err, ENOMEM, "dots data: no HTTP server");
        goto fail;
    }
    evhttp_set_bevcb(d->http, new_connection, d);
    evhttp_set_gencb(d->http, on_request, d);
    /* answers without a body carry no Content-Type; the others set theirs */
    evhttp_set_default_content_type(d->http, NULL);
    evhttp_set_max_body_size(d->http, DOTS_DATA_MAX_BODY);
    evhttp_set_max_headers_size(d->http, DOTS_DATA_MAX_HEADERS);
    evhttp_set_timeout(d->http, IDLE_TIMEOUT_S);
    evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
    /* read a refused body to its end so the client sees the 413 */
    evhttp_set_flags(d->http, EVHTTP_SERVER_LINGERING_CLOSE);
    if (!evhttp_bind_socket_with_handle(d->http, cfg->address, port)) {
        scrub_err_set(err, EADDRINUSE, "dots data: cannot listen on %s port %u (TCP): %s", cfg->address, port,
                      strerror(errno));
        goto fail;
    }
    dots_data_say(d, DOTS_LOG_INFO, "listening on %s port %u: HTTPS (TLS 1.2/1.3, client certificates)",
                  cfg->address, port);
    *out = d;
    return 0;
fail:
    dots_data_stop(d);
    return -1;
}

void dots_data_stop(struct dots_data *d)
{
    if (!d)
        return;
    if (d->http)
        evhttp_free(d->http);
    SSL_CTX_free(d->tls);
    ly_ctx_destroy(d->yang);
    free(d);
}
