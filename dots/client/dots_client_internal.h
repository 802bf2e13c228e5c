/* What the client's session (dots_client.c) shares with the holding of a
 * session with heartbeats (dots_client_hold.c). */
#ifndef DOTS_CLIENT_INTERNAL_H
#define DOTS_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <coap3/coap.h>

#include "dots_client.h"

/* An answer as libcoap handed it, before decoding. */
struct raw_answer {
    unsigned code;
    int format;  /* Content-Format, -1 if none */
    bool has_observe;
    uint32_t observe;
    uint8_t *data;
    size_t len;
    struct raw_answer *next;
};

struct dots_hold;

struct dots_client {
    struct dots_client_config cfg;
    char *server, *ca_file, *cert_file, *key_file;
    bool server_is_ip;
    coap_address_t addr;  /* the server's */
    coap_dtls_pki_t pki;  /* ours, for each session */
    coap_context_t *ctx;
    coap_session_t *session;
    uint8_t token[8];     /* of the request in flight or being observed */
    size_t token_len;
    bool observing;
    bool connected;       /* the (D)TLS handshake completed */
    struct raw_answer *queue, **queue_end;
    char failure[512];    /* set by the handlers when the transport fails */
    char last_log[384];   /* libcoap's last warning: often OpenSSL's reason */
    struct dots_hold *hold; /* while dots_client_hold runs */
};

uint64_t dots_client_now_ms(void); /* CLOCK_MONOTONIC */
/* Keeps the first cause of a failure of the session (c->failure). */
void dots_client_set_failure(struct dots_client *c, const char *what, bool handshake);
/* -1 with err: what failed (waited < 0: c->failure) or timed out. */
int dots_client_transport_error(struct dots_client *c, int waited, const char *what, struct scrub_err *err);

/* ---- dots_client_hold.c */
/* The server's heartbeats (PUT /.well-known/dots/hb, over TLS CoAP Pings)
 * are answered on every session, held or not. */
void dots_hold_setup(struct dots_client *c);
/* An answer on session with token: true if it answers a heartbeat. */
bool dots_hold_answer(struct dots_client *c, coap_session_t *session, coap_bin_const_t token);
/* An event of a session other than c->session (a parallel one). */
void dots_hold_event(struct dots_client *c, coap_session_t *session, coap_event_t event);

#endif
