/* A DOTS signal channel client session (RFC 9132): CoAP over DTLS or over
 * TLS (RFC 8323) with libcoap's OpenSSL variant, mutual certificates, the
 * server's name checked against its certificate. Sends one request at a
 * time and waits for its answer; decodes answer bodies with the schema the
 * caller gives. One client per process (libcoap's log handler is global). */
#ifndef DOTS_CLIENT_H
#define DOTS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libyang/libyang.h>

#include "dots_schema.h"
#include "scrub_err.h"

#define DOTS_CLIENT_PORT 4646 /* RFC 9132 section 4.1 */

struct dots_client_config {
    const char *server;       /* an IPv4 or IPv6 literal, or a name to resolve */
    uint16_t port;            /* 0: 4646 */
    bool tcp;                 /* TLS over TCP (coaps+tcp) instead of DTLS (coaps) */
    const char *ca_file;      /* the CAs the server's certificate must chain to */
    const char *cert_file;    /* ours */
    const char *key_file;
    const struct dots_schema *schema;
    unsigned timeout_ms;      /* for each answer; 0: 15 s */
};

enum dots_client_method { DOTS_CLIENT_GET, DOTS_CLIENT_PUT, DOTS_CLIENT_DELETE };

/* A request: path below /.well-known/dots (e.g. "config/sid=5"). */
struct dots_client_request {
    enum dots_client_method method;
    const char *path;
    const struct lyd_node *body;  /* a dots-signal tree, encoded as CBOR; NULL: none */
    bool if_match_empty;          /* an empty If-Match (an efficacy update, RFC 9132 4.4.3) */
    bool observe;                 /* Observe: register (RFC 7641) */
};

/* An answer. code is class * 100 + detail (205 for 2.05). A body in
 * application/dots+cbor is decoded and validated into tree; any other
 * payload (a diagnostic) is in text. */
struct dots_client_answer {
    unsigned code;
    struct lyd_node *tree;
    char *text;
    bool has_observe;
    uint32_t observe;
};

struct dots_client;

/* Resolves the server, loads the certificates and opens the session; the
 * handshake happens with the first request. */
int dots_client_open(const struct dots_client_config *cfg, struct dots_client **out, struct scrub_err *err);
void dots_client_close(struct dots_client *c);

/* Sends the request and waits for its answer: 0 with *answer filled (any
 * code, 4.xx and 5.xx included), -1 on a transport failure (handshake
 * refused, no answer in time, a body that does not decode) with err saying
 * which. */
int dots_client_send(struct dots_client *c, const struct dots_client_request *req, struct dots_client_answer *answer,
                     struct scrub_err *err);

/* After a successful send with observe set: waits up to ms for the next
 * notification. 1 with *answer filled, 0 when ms passed without one, -1 on
 * a transport failure. */
int dots_client_next_notification(struct dots_client *c, unsigned ms, struct dots_client_answer *answer,
                                  struct scrub_err *err);
/* Ends the observation of the last observing request (RFC 7641 3.6). */
int dots_client_cancel_observe(struct dots_client *c, struct scrub_err *err);

/* Holding the session with heartbeats (RFC 9132 section 4.7). */
struct dots_client_hold_config {
    unsigned interval_ms;     /* a heartbeat this often; 0: none (the server's are still answered) */
    unsigned missing_allowed; /* this many unanswered in a row: a new session is opened in parallel */
    unsigned server_loss_ms;  /* no heartbeat from the server for this long: our peer-hb-status is false */
    /* The session configuration's CoAP transmission parameters, set on each
     * DTLS session held (RFC 9132 section 4.5; over TLS none apply); 0:
     * libcoap's (RFC 7252's). Milli-units for the two decimals. */
    unsigned max_retransmit, ack_timeout_milli, ack_random_factor_milli;
    /* While an observation is on (a send with observe): each notification,
     * with the hold's arg; returning false ends the hold. NULL: they wait
     * for dots_client_next_notification. */
    bool (*on_notification)(void *arg, const struct dots_client_answer *answer);
};

enum dots_client_event_kind {
    DOTS_CLIENT_SERVER_HEARTBEAT, /* one came (answered 2.04, or over TLS the Pong to its Ping) */
    DOTS_CLIENT_UNANSWERED,       /* count of our heartbeats unanswered in a row reached missing_allowed */
    DOTS_CLIENT_ANSWERED_AGAIN,   /* after that, one was answered */
    DOTS_CLIENT_OPENING,          /* a parallel session is being opened; count: the attempt */
    DOTS_CLIENT_UP,               /* its handshake completed */
    DOTS_CLIENT_FAILED,           /* the attempt failed; tried again a heartbeat interval later */
};

struct dots_client_event {
    enum dots_client_event_kind kind;
    unsigned session;    /* 1: the session opened first; 2: the parallel one */
    bool ping;           /* a server heartbeat that was a CoAP Ping (TLS): no peer-hb-status */
    bool peer_hb_status; /* of a server heartbeat over DTLS */
    unsigned count;
};

struct dots_client_hold_stats {
    unsigned sessions; /* 1, or 2 with a parallel one */
    struct {
        unsigned sent, answered, server; /* our heartbeats, their answers, the server's heartbeats */
    } s[2];
};

/* Holds the session for ms: sends a heartbeat every interval (PUT
 * /.well-known/dots/hb, Non-confirmable, with peer-hb-status; over TLS a
 * CoAP Ping), answers the server's, and when missing_allowed of ours in a
 * row go unanswered keeps using the session and opens another in parallel
 * (retried until it is up), holding both to the end. on_event is told of
 * each event. -1 with err when the first session fails. */
int dots_client_hold(struct dots_client *c, unsigned ms, const struct dots_client_hold_config *h,
                     void (*on_event)(void *arg, const struct dots_client_event *event), void *arg,
                     struct dots_client_hold_stats *stats, struct scrub_err *err);

void dots_client_answer_free(struct dots_client_answer *answer);

/* "4.22 Unprocessable Entity" and the like, for a code as above. */
const char *dots_client_code_name(unsigned code);

#endif
