/* Group commit on the signal channel (docs/dots.md, Group commit): the
 * mitigation PUTs and DELETEs that one pass of the loop reads share one
 * store commit and one card sync (scrub_core_group_*). An accepted one is
 * not answered in its handler: its answer waits, as a separate response
 * (RFC 7252 section 5.2.2, libcoap's async), until the group is durable
 * and on the card; if the group fails, it is answered 5.03 with why. A
 * request that reads or writes anything else ends the group first
 * (dots_group_flush), so it never sees what is not durable. */
#include <stdlib.h>
#include <string.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

/* An answer waiting for its group; the async's app data once deferred. */
struct dots_deferred {
    coap_session_t *session; /* referenced while in the group */
    uint8_t *token;
    size_t token_len;
    coap_pdu_code_t code;
    uint8_t *cbor; /* the answer's body, or NULL */
    size_t len;
    bool ready;  /* the group ended: the answer may go */
    bool failed; /* with its group: answered 5.03 with why */
    struct scrub_err why;
    struct dots_deferred *next;
};

static void free_deferred(struct dots_deferred *d)
{
    free(d->token);
    free(d->cbor);
    free(d);
}

void dots_group_begin(struct dots_signal *s)
{
    if (s->cfg.core && !s->group_open) {
        scrub_core_group_begin(s->cfg.core);
        s->group_open = true;
    }
}

int dots_group_end(struct dots_signal *s)
{
    if (!s->group_open)
        return 0;
    s->group_open = false;
    struct scrub_err err = {0};
    size_t n = scrub_core_group_size(s->cfg.core);
    bool failed = scrub_core_group_end(s->cfg.core, &err) < 0;
    if (failed)
        dots_say(s, DOTS_LOG_ERROR, "%zu accepted mitigation requests failed, answered 5.03: %s", n, err.msg);
    while (s->deferred) {
        struct dots_deferred *d = s->deferred;
        s->deferred = d->next;
        d->next = NULL;
        d->ready = true;
        d->failed = failed;
        d->why = err;
        coap_async_t *async = coap_find_async(d->session, (coap_bin_const_t){d->token_len, d->token});
        if (async)
            coap_async_trigger(async); /* the handler runs again and answers (dots_group_answered) */
        coap_session_release(d->session);
        d->session = NULL;
        if (!async)
            free_deferred(d); /* its session went: nobody to answer */
    }
    return failed ? -1 : 0;
}

int dots_group_flush(struct dots_signal *s)
{
    if (!s->group_open)
        return 0;
    int rc = dots_group_end(s);
    dots_group_begin(s);
    return rc;
}

int dots_group_defer(struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                     coap_pdu_code_t code, uint8_t *cbor, size_t len)
{
    if (!s->group_open)
        return 0;
    coap_bin_const_t token = coap_pdu_get_token(request);
    struct dots_deferred *d = calloc(1, sizeof *d);
    if (d)
        d->token = malloc(token.length ? token.length : 1);
    coap_async_t *async = d && d->token ? coap_register_async(session, request, 0) : NULL;
    if (!async) { /* it cannot wait: made durable now, answered at once */
        if (d)
            free(d->token);
        free(d);
        return dots_group_flush(s);
    }
    memcpy(d->token, token.s, token.length);
    d->token_len = token.length;
    d->session = coap_session_reference(session);
    d->code = code;
    d->cbor = cbor;
    d->len = len;
    d->next = s->deferred;
    s->deferred = d;
    coap_async_set_app_data(async, d);
    return 1;
}

bool dots_group_answered(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                         coap_pdu_t *response)
{
    coap_async_t *async = coap_find_async(session, coap_pdu_get_token(request));
    if (!async)
        return false;
    struct dots_deferred *d = coap_async_get_app_data(async);
    if (!d)
        return true; /* answered already, by a repeat of the request */
    if (!d->ready)
        return true; /* a repeat of a request whose group has not ended: its answer comes then */
    if (d->failed)
        dots_refuse(response, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE, d->why.msg);
    else if (d->cbor)
        dots_answer_cbor(resource, session, request, response, d->code, d->cbor, d->len, -1);
    else
        coap_pdu_set_code(response, d->code);
    coap_async_set_app_data(async, NULL);
    free_deferred(d); /* the async itself is libcoap's to free once its handler returned */
    return true;
}
