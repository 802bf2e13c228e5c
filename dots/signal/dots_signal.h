/* The DOTS signal channel's transport (RFC 9132 section 4): CoAP over DTLS
 * 1.2 on UDP and over TLS on TCP (RFC 8323), with libcoap's OpenSSL variant,
 * driven by a libevent loop. Mutual PKIX: a client is known by the first DNS
 * SAN of its certificate, else its CN. Serves /.well-known/dots/config:
 * the session configuration, kept per identity in the caller's store; and,
 * given the host core, /.well-known/dots/mitigate: mitigation requests.
 * Owns its CoAP context and its events; one server a process (libcoap's log
 * handler is global). */
#ifndef DOTS_SIGNAL_H
#define DOTS_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "dots_log.h"
#include "dots_schema.h"
#include "dots_session_config.h"
#include "scrub_store.h"
#include "scrub_err.h"

struct scrub_core;

#define DOTS_SIGNAL_PORT 4646  /* RFC 9132 section 4.1, UDP and TCP */

/* Self-protection (dots_guard.c). */
struct dots_limits {
    unsigned max_handshakes; /* DTLS and TLS handshakes in progress */
    unsigned max_sessions;   /* sessions of one identity */
    unsigned rate_per_s;     /* requests of one identity per second... */
    unsigned burst;          /* ...with this many at once */
};
/* 128 handshakes, 8 sessions, 50 requests/s with bursts of 100. */
extern const struct dots_limits dots_default_limits;

struct dots_signal_config {
    const char *address;          /* to listen on, IPv4 or IPv6 literal */
    uint16_t port;                /* for UDP and TCP alike */
    const char *ca_file;          /* PEM: the CAs clients chain to */
    const char *crl_file;         /* PEM: their CRLs, or NULL */
    const char *cert_file;        /* PEM: the server's certificate */
    const char *key_file;         /* PEM: its key */
    /* The identities allowed in; NULL-terminated; NULL: any the CA vouches
     * for (and, with a core, that is one of its tenants). */
    const char *const *identities;
    /* Mitigation requests go to it (borrowed, used on the loop's thread);
     * NULL: no /mitigate resource. */
    struct scrub_core *core;
    /* NULL: dots_default_limits. */
    const struct dots_limits *limits;
    /* While a mitigation is active, observers are told this often with
     * fresh counters (seconds; 0: 60). */
    unsigned notify_period_s;
    /* After a client's DELETE its mitigation stays on the card this long,
     * status 5 (RFC 9132 section 4.4.4's active-but-terminating period;
     * seconds; 0: none, withdrawn at once; scrubd's default is
     * DOTS_TERMINATING_DEFAULT_S). */
    unsigned terminating_s;
    /* The Max-Age option of the session configuration's 2.05 answers
     * (seconds; 0: DOTS_CONFIG_MAX_AGE_DEFAULT_S). */
    unsigned config_max_age_s;
    /* In peace time observers are told at least this often (checked every
     * notify period), so that with libcoap's every fifth notification
     * Confirmable one goes at least every 24 hours (RFC 7641 section 4.5);
     * seconds; 0: 24 h / 5. */
    unsigned observe_keepalive_s;
    const struct dots_schema *schema;
    /* Session configurations are kept here, committed before each answer;
     * the caller opens and closes it. Required. */
    struct scrub_store *store;
    /* What a client may ask for; NULL: dots_sc_default_ranges. */
    const struct dots_sc_ranges *ranges;
    /* A mitigation request's cuid must be the one RFC 9132 section 4.4.1
     * derives from the client's certificate (a gateway's cdid aside). */
    bool cuid_from_cert;
    void (*log)(void *ctx, enum dots_log_level level, const char *msg);
    void *log_ctx;
};

#define DOTS_TERMINATING_DEFAULT_S 120 /* RFC 9132 section 4.4.4 */
#define DOTS_CONFIG_MAX_AGE_DEFAULT_S 3600

struct dots_signal;

int dots_signal_start(struct event_base *base, const struct dots_signal_config *cfg, struct dots_signal **out,
                      struct scrub_err *err);
void dots_signal_stop(struct dots_signal *s);
/* Reads the certificate, key, CAs and CRLs again (SIGHUP): new handshakes
 * use them, sessions already up keep theirs; revocations take effect at
 * the next handshake. On a failure (named in err) the old ones stay. */
int dots_signal_reload(struct dots_signal *s, struct scrub_err *err);
/* The client sessions established now (DTLS and TLS), every identity's. */
size_t dots_signal_sessions(const struct dots_signal *s);

/* What self-protection refused since the start, every identity's. */
struct dots_signal_refusals {
    uint64_t handshakes; /* certificates refused: not verified (unknown CA, expired, revoked), no identity, no tenant */
    uint64_t sessions;   /* handshakes over an identity's sessions cap or quota */
    uint64_t requests;   /* requests over an identity's rate, answered 4.29 */
};
void dots_signal_refusals(const struct dots_signal *s, struct dots_signal_refusals *out);

#endif
