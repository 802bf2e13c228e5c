/* Self-protection of the signal channel (issue 5, item 2): a cap on
 * handshakes in progress (libcoap's), a cap on sessions per identity,
 * checked at the handshake, and a request rate per identity (a token
 * bucket: rate per second, burst), answered 4.29 Too Many Requests (RFC
 * 8516) with Max-Age. What exceeds them is refused, counted per identity
 * and logged (at most once a second per identity and kind). DTLS cookies
 * (the cookie exchange before any state) are libcoap's, always on. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

struct guard {
    char *identity;
    unsigned sessions;             /* established, not yet closed */
    double tokens;                 /* the request bucket */
    int64_t filled_ms;             /* CLOCK_MONOTONIC of its last fill */
    uint64_t refused_sessions, refused_requests;
    int64_t said_sessions_ms, said_requests_ms; /* last log lines */
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct guard *guard_of(struct dots_signal *s, const char *identity)
{
    for (size_t i = 0; i < s->nguards; i++)
        if (strcmp(s->guards[i].identity, identity) == 0)
            return &s->guards[i];
    if (s->nguards == s->guards_cap) {
        size_t cap = s->guards_cap ? 2 * s->guards_cap : 16;
        struct guard *g = realloc(s->guards, cap * sizeof *g);
        if (!g)
            return NULL;
        s->guards = g;
        s->guards_cap = cap;
    }
    char *id = strdup(identity);
    if (!id)
        return NULL;
    s->guards[s->nguards] =
        (struct guard){.identity = id, .tokens = s->limits.burst, .filled_ms = now_ms(), .said_sessions_ms = -1000,
                       .said_requests_ms = -1000};
    return &s->guards[s->nguards++];
}

bool dots_guard_session_allowed(struct dots_signal *s, const char *identity, const char *peer)
{
    struct guard *g = guard_of(s, identity);
    /* the lower of the channel's cap and the client's own quota */
    uint32_t quota = s->cfg.core ? scrub_core_session_quota(s->cfg.core, identity) : UINT32_MAX;
    bool by_quota = quota < s->limits.max_sessions;
    if (!g || g->sessions < (by_quota ? quota : s->limits.max_sessions))
        return true; /* without memory to count, nothing to refuse on */
    g->refused_sessions++;
    int64_t now = now_ms();
    if (now - g->said_sessions_ms >= 1000) {
        g->said_sessions_ms = now;
        dots_say(s, DOTS_LOG_WARNING, "client %s refused: identity %s has %u sessions, %s (refused %llu so far)", peer,
                 identity, g->sessions,
                 by_quota ? "its quota (scrubctl client add --max-sessions)" : "the most allowed",
                 (unsigned long long)g->refused_sessions);
    }
    return false;
}

size_t dots_guard_session_opened(struct dots_signal *s, const char *identity)
{
    struct guard *g = guard_of(s, identity);
    if (!g)
        return 0;
    g->sessions++;
    return (size_t)(g - s->guards) + 1;
}

void dots_guard_session_closed(struct dots_signal *s, size_t guard)
{
    /* guards stay until the server stops: the index holds */
    if (guard && guard <= s->nguards && s->guards[guard - 1].sessions)
        s->guards[guard - 1].sessions--;
}

int dots_guard_request(struct dots_signal *s, const char *identity)
{
    struct guard *g = guard_of(s, identity);
    if (!g)
        return 0;
    int64_t now = now_ms();
    g->tokens += (double)(now - g->filled_ms) * s->limits.rate_per_s / 1000.0;
    if (g->tokens > s->limits.burst)
        g->tokens = s->limits.burst;
    g->filled_ms = now;
    if (g->tokens >= 1) {
        g->tokens -= 1;
        return 0;
    }
    g->refused_requests++;
    if (now - g->said_requests_ms >= 1000) {
        g->said_requests_ms = now;
        dots_say(s, DOTS_LOG_WARNING, "%s: over its request rate of %u/s (burst %u): refused %llu so far", identity,
                 s->limits.rate_per_s, s->limits.burst, (unsigned long long)g->refused_requests);
    }
    /* whole seconds until a token is back, at least 1 */
    return (int)((1 - g->tokens) / s->limits.rate_per_s) + 1;
}

void dots_signal_refusals(const struct dots_signal *s, struct dots_signal_refusals *out)
{
    *out = (struct dots_signal_refusals){.handshakes = s->refused_handshakes};
    for (size_t i = 0; i < s->nguards; i++) {
        out->sessions += s->guards[i].refused_sessions;
        out->requests += s->guards[i].refused_requests;
    }
}

void dots_guard_start(struct dots_signal *s)
{
    coap_context_set_max_handshake_sessions(s->ctx, s->limits.max_handshakes);
}

void dots_guard_stop(struct dots_signal *s)
{
    for (size_t i = 0; i < s->nguards; i++)
        free(s->guards[i].identity);
    free(s->guards);
    s->guards = NULL;
    s->nguards = s->guards_cap = 0;
}
