/* What the signal channel's resources share with its transport
 * (dots_signal.c): the server object and the helpers every handler uses. */
#ifndef DOTS_SIGNAL_INTERNAL_H
#define DOTS_SIGNAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <coap3/coap.h>
#include <openssl/x509.h>

#include "dots_cuid.h"
#include "dots_signal.h"

/* A client's session configuration (RFC 9132 section 4.5.2). */
struct client_config {
    char *identity;
    uint32_t sid;
    struct dots_sc sc;
};

/* An established client session (dots_peers.c); its libcoap app data. */
struct dots_peer {
    struct dots_peer *next;
    coap_session_t *session;
    char identity[256];
    size_t guard;      /* its guard's index + 1 (dots_guard.c); 0: none */
    bool tcp;          /* TLS: heartbeats are CoAP Ping and Pong (RFC 8323) */
    int64_t heard_ms;  /* CLOCK_MONOTONIC: anything last came on it (or the handshake) */
    int64_t hb_tx_ms;  /* the server last sent one (or the handshake) */
};

/* The server's certificate, key and CAs as read (PEM, NUL-terminated). */
struct dots_pem {
    uint8_t *ca, *cert, *key;
    size_t ca_len, cert_len, key_len;
};

struct dots_signal {
    struct event_base *base;
    coap_context_t *ctx;
    struct event *io, *timer;
    struct dots_signal_config cfg;
    char *ca_file, *cert_file, *key_file;
    STACK_OF(X509_CRL) *crls;  /* from crl_file */
    struct dots_pem pem[2];    /* in use, and the one before the last reload */
    struct dots_sc_ranges ranges;
    struct client_config *configs;  /* one per identity that has one, as stored */
    size_t nconfigs, cap;
    /* Signal liveness per identity (dots_heartbeat.c), with a core. */
    struct liveness *alive;
    size_t nalive, alive_cap;
    struct event *loss_timer;
    /* Established client sessions (dots_peers.c). */
    struct dots_peer *peers;
    /* The server's heartbeat bodies, peer-hb-status false and true. */
    uint8_t *hb_body[2];
    size_t hb_len[2];
    /* Observable mitigation resources (dots_observe.c), with a core. */
    struct observed *observed;
    size_t nobserved;
    struct event *resync, *notify_timer;
    bool mitigating; /* some mitigation is active, as of the last sync */
    time_t notified_at; /* CLOCK_MONOTONIC seconds of the last notify_all */
    /* The mitigations as of the last change, and those that ended with it
     * (dots_ended.c), until the next sync of the resources. */
    struct dots_known *known;
    size_t nknown;
    struct dots_ended *ended;
    size_t nended;
    /* Group commit (dots_group.c), with a core: open during a pass of
     * the loop; the answers waiting for it. */
    bool group_open;
    struct dots_deferred *deferred;
    /* Self-protection (dots_guard.c). */
    struct dots_limits limits;
    struct guard *guards;
    size_t nguards, guards_cap;
    uint64_t refused_handshakes; /* certificates check_client refused */
};

/* The server a session belongs to. */
struct dots_signal *dots_signal_of(const coap_session_t *session);

/* The values of the session configuration a client has (its stored one,
 * else the defaults) in force (RFC 9132 section 4.5): the mitigating-config
 * ones while the client has an active mitigation, the idle-config ones
 * otherwise. Everything that uses a client's values takes them here. */
const struct dots_sc_values *dots_client_values(const struct dots_signal *s, const char *identity);

void dots_say(const struct dots_signal *s, enum dots_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A refusal with a diagnostic payload (RFC 7252 section 5.5.2). */
void dots_refuse(coap_pdu_t *response, coap_pdu_code_t code, const char *diagnostic);

/* A response with an application/dots+cbor body (libcoap copies data; one
 * too large for a message goes block-wise, RFC 7959), with a Max-Age
 * option of max_age seconds unless it is -1. */
void dots_answer_cbor(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      coap_pdu_t *response, coap_pdu_code_t code, const uint8_t *data, size_t len, int max_age);

/* The JSON of an answer (dots_schema_parse_json's form) as CBOR; -1 with
 * err when the schema or the encoder refuses it. */
int dots_encode_json(const struct dots_signal *s, const char *json, uint8_t **out, size_t *len,
                     struct scrub_err *err);

/* The body of a request, decoded and validated; else NULL, and the
 * response is the refusal (4.15, 4.13 or 4.00 with the decoder's
 * diagnostic). */
struct lyd_node *dots_request_body(const struct dots_signal *s, const coap_pdu_t *request, coap_pdu_t *response);

/* The client's identity, from its session's certificate, or -1. */
int dots_session_identity(coap_session_t *session, char *id, size_t size);
/* The cuid RFC 9132 section 4.4.1 derives from that certificate, or -1. */
int dots_session_cuid(coap_session_t *session, char cuid[DOTS_CUID_DERIVED_LEN + 1]);
/* The same for a request: -1 after answering 5.00. The request counts as
 * a sign of life of the client (dots_liveness_seen), unless it is a GET
 * with Observe: libcoap re-runs those for every notification. */
int dots_request_identity(const struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                          coap_pdu_t *response, char *id, size_t size);

/* ---- self-protection (dots_guard.c) */
void dots_guard_start(struct dots_signal *s);
void dots_guard_stop(struct dots_signal *s);
/* Whether identity may have one more session (else counted and logged). */
bool dots_guard_session_allowed(struct dots_signal *s, const char *identity, const char *peer);
/* A session of identity is established (its guard's index + 1, 0 without
 * memory to count it) or closed. */
size_t dots_guard_session_opened(struct dots_signal *s, const char *identity);
void dots_guard_session_closed(struct dots_signal *s, size_t guard);

/* ---- established sessions (dots_peers.c) */
int64_t dots_now_ms(void); /* CLOCK_MONOTONIC */
void dots_peers_start(struct dots_signal *s);
/* Before the CoAP context goes: forgets them all. */
void dots_peers_stop(struct dots_signal *s);
/* Something came on session; its record, or NULL. */
struct dots_peer *dots_peer_heard(coap_session_t *session);
/* 0 if identity may make a request now; else the seconds until it may
 * (counted and logged). */
int dots_guard_request(struct dots_signal *s, const char *identity);

/* ---- heartbeats and signal loss (dots_heartbeat.c); with a core */
/* Seeds every tenant as seen at start and starts the loss check and the
 * server's heartbeats to each established session. */
int dots_liveness_start(struct dots_signal *s, struct scrub_err *err);
void dots_liveness_stop(struct dots_signal *s);
/* Any message from identity: its signal is alive; heartbeat: the message
 * is a heartbeat (PUT /hb, or over TLS a CoAP Ping). */
void dots_liveness_seen(struct dots_signal *s, const char *identity, bool heartbeat);
/* PUT /.well-known/dots/hb (RFC 9132 section 4.7). */
void dots_heartbeat_put(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response);

/* ---- Observe (dots_observe.c); with a core */
int dots_observe_start(struct dots_signal *s, struct scrub_err *err);
void dots_observe_stop(struct dots_signal *s);

/* ---- the end of mitigations told to their observers (dots_ended.c) */
struct dots_ended {
    char *cuid, *identity;
    int64_t mid;
    bool terminated; /* its period or lifetime ran out (status 6); else withdrawn (7) */
};
/* Lists the mitigations; after_change: those gone since the last list
 * are added to s->ended. */
void dots_ended_update(struct dots_signal *s, bool after_change);
/* Forgets the ended ones (their observers were told); all: the list too. */
void dots_ended_clear(struct dots_signal *s, bool all);

/* ---- /.well-known/dots/mitigate (dots_mitigate.c); served only with a core */
/* ---- dots_group.c: group commit of mitigation requests */
/* Around one pass of the loop (process in dots_signal.c). */
void dots_group_begin(struct dots_signal *s);
/* Ends the group: its changes are durable and on the card, or all failed
 * (-1); the answers waiting for it go. */
int dots_group_end(struct dots_signal *s);
/* Ends the open group and begins another: before a request that reads or
 * writes other state, so that it sees only what is durable. */
int dots_group_flush(struct dots_signal *s);
/* After an accepted change: its answer (code and CBOR body, taken; NULL:
 * none) waits for the group's end. 1: it waits, the handler answers
 * nothing; 0: no group is open or it could not wait, and the change is
 * durable: the handler answers now (cbor is not taken); -1: the change
 * failed with its group (answer 5.03). */
int dots_group_defer(struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                     coap_pdu_code_t code, uint8_t *cbor, size_t len);
/* Whether request is the second run of a deferred one: then it has been
 * answered here. */
bool dots_group_answered(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                         coap_pdu_t *response);

void dots_mitigate_put(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                       const coap_pdu_t *request, coap_pdu_t *response);
void dots_mitigate_get(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                       const coap_pdu_t *request, coap_pdu_t *response);
void dots_mitigate_delete(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                          const coap_pdu_t *request, coap_pdu_t *response);

#endif
