/* The DOTS data channel (RFC 8783): RESTCONF (RFC 8040) over HTTPS, served
 * by libevent's evhttp on OpenSSL bufferevents on the caller's loop. TLS
 * 1.2 or 1.3 with mutual X.509: a client is known by the first DNS SAN of
 * its certificate, else its CN, as on the signal channel. Serves
 * /.well-known/host-meta, the dots-client registrations of
 * ietf-dots-data-channel, kept in the caller's store, and, given the host
 * core, their ACLs and the capabilities (docs/dots.md). */
#ifndef DOTS_DATA_H
#define DOTS_DATA_H

#include <stdint.h>

#include <event2/event.h>

#include "dots_log.h"
#include "scrub_err.h"
#include "scrub_store.h"

struct scrub_core;
struct evbuffer;
struct evhttp_request;

#define DOTS_DATA_PORT 443          /* RFC 8783 names none: HTTPS's */
#define DOTS_DATA_MAX_BODY (1 << 20) /* larger bodies get 413 */
#define DOTS_DATA_MAX_HEADERS 8192   /* the request line and headers, bytes */

struct dots_data_config {
    const char *address;          /* to listen on, IPv4 or IPv6 literal */
    uint16_t port;                /* 0: DOTS_DATA_PORT */
    const char *ca_file;          /* PEM: the CAs clients chain to */
    const char *crl_file;         /* PEM: their CRLs, or NULL */
    const char *cert_file;        /* PEM: the server's certificate (chain) */
    const char *key_file;         /* PEM: its key */
    /* The identities allowed in; NULL-terminated; NULL: any the CA vouches
     * for (and, with a core, that is one of its tenants). */
    const char *const *identities;
    const char *yang_dir;         /* the build's patched IETF modules (DOTS_YANG_DIR) */
    /* Registrations are kept here, committed with an audit record before
     * each answer; the caller opens and closes it. Required. */
    struct scrub_store *store;
    /* ACLs go to it (borrowed, used on the loop's thread), with the same
     * store; NULL: no ACL resources (501) and empty capabilities. */
    struct scrub_core *core;
    void (*log)(void *ctx, enum dots_log_level level, const char *msg);
    void *log_ctx;
};

struct dots_data;

int dots_data_start(struct event_base *base, const struct dots_data_config *cfg, struct dots_data **out,
                    struct scrub_err *err);
/* Loads the certificate, key, CAs and CRLs again from the configured
 * files (SIGHUP): new handshakes use them, open connections keep theirs.
 * On failure the old ones stay and err names the file. */
int dots_data_reload(struct dots_data *d, struct scrub_err *err);
/* Closes the listener and every connection. */
void dots_data_stop(struct dots_data *d);

/* --- Requests served without the network (tests/dots/fuzz_data.c). */

/* A server that neither listens nor speaks TLS: only cfg's store, core,
 * YANG folder and log are used. Stopped with dots_data_stop. */
int dots_data_open(const struct dots_data_config *cfg, struct dots_data **out, struct scrub_err *err);

/* What a request was answered: its status, its body appended to the
 * caller's buffer, and how many answers were made (one, unless the server
 * is wrong). Its headers are the request's output headers. */
struct dots_data_answer {
    int status;
    struct evbuffer *body;
    unsigned answers;
};

/* Routes and serves req as a request of the client identity, as it would
 * over HTTPS, answering into answer. req stays the caller's: made by
 * evhttp_request_new with its command, URI (text and parsed), input headers
 * and input buffer filled in. */
void dots_data_serve_detached(struct dots_data *d, struct evhttp_request *req, const char *identity,
                              struct dots_data_answer *answer);

#endif
