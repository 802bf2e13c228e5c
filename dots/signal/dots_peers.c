/* The client sessions the signal channel has established: each one's
 * identity, counted by the guard (sessions per identity), and what the
 * heartbeats need (dots_heartbeat.c): when anything last came on it, and
 * when the server last sent it a heartbeat. A session is known
 * from its handshake (DTLS_CONNECTED, also raised for TLS) until libcoap
 * closes or deletes it; its record is the session's app data. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dots_signal_internal.h"

int64_t dots_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void forget(struct dots_signal *s, struct dots_peer *p)
{
    struct dots_peer **it = &s->peers;
    while (*it && *it != p)
        it = &(*it)->next;
    if (*it)
        *it = p->next;
    dots_guard_session_closed(s, p->guard);
    coap_session_set_app_data(p->session, NULL);
    free(p);
}

static int on_session_event(coap_session_t *session, const coap_event_t event)
{
    struct dots_signal *s = dots_signal_of(session);
    struct dots_peer *p = coap_session_get_app_data(session);
    if (!s)
        return 0;
    if (event == COAP_EVENT_DTLS_CONNECTED && !p) {
        p = calloc(1, sizeof *p);
        if (!p || dots_session_identity(session, p->identity, sizeof p->identity) < 0) {
            free(p);
            return 0; /* its requests are refused 5.00 for want of an identity */
        }
        p->session = session;
        p->tcp = coap_session_get_proto(session) == COAP_PROTO_TLS;
        p->heard_ms = p->hb_tx_ms = dots_now_ms();
        p->guard = dots_guard_session_opened(s, p->identity);
        p->next = s->peers;
        s->peers = p;
        coap_session_set_app_data(session, p);
    } else if ((event == COAP_EVENT_DTLS_CLOSED || event == COAP_EVENT_TCP_CLOSED ||
                event == COAP_EVENT_SESSION_CLOSED || event == COAP_EVENT_SERVER_SESSION_DEL) &&
               p) {
        forget(s, p);
    }
    return 0;
}

struct dots_peer *dots_peer_heard(coap_session_t *session)
{
    struct dots_peer *p = coap_session_get_app_data(session);
    if (p)
        p->heard_ms = dots_now_ms();
    return p;
}

size_t dots_signal_sessions(const struct dots_signal *s)
{
    size_t n = 0;
    for (const struct dots_peer *p = s->peers; p; p = p->next)
        n++;
    return n;
}

void dots_peers_start(struct dots_signal *s)
{
    coap_register_event_handler(s->ctx, on_session_event);
}

void dots_peers_stop(struct dots_signal *s)
{
    while (s->peers)
        forget(s, s->peers);
}
