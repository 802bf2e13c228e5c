/* The end of a mitigation told to its observers (RFC 9132 section 4.4.2's
 * status 6 and 7). The core only says that something changed; comparing
 * the mitigations before and after a change finds those that ended, and
 * why: one whose active-but-terminating period or lifetime ran out is
 * attack-mitigation-terminated (6), one withdrawn otherwise (by the
 * operator, replaced by a higher mid, deleted with no period) is
 * attack-mitigation-withdrawn (7). Their observers' next notification
 * carries that status; the resources go at the next sync, which ends the
 * observations. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dots_signal_internal.h"
#include "scrub_core.h"

struct dots_known {
    char *cuid, *identity;
    int64_t mid;
    int64_t expires_at; /* wall clock (a withdrawn one's: its period's end); 0: indefinite */
};

struct snapshot {
    struct dots_known *k;
    size_t n, cap;
};

static void forget(struct dots_known *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(k[i].cuid);
        free(k[i].identity);
    }
    free(k);
}

static int take(void *arg, const struct scrub_mitigation_view *m)
{
    struct snapshot *x = arg;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        struct dots_known *k = realloc(x->k, cap * sizeof *k);
        if (!k)
            return -1;
        x->k = k;
        x->cap = cap;
    }
    struct dots_known *k = &x->k[x->n];
    *k = (struct dots_known){strdup(m->cuid), strdup(m->identity), m->mid, m->expires_at};
    if (!k->cuid || !k->identity) {
        free(k->cuid);
        free(k->identity);
        return -1;
    }
    x->n++;
    return 0;
}

/* The core lists mitigations by cuid, then mid. */
static int order(const struct dots_known *a, const struct dots_known *b)
{
    int c = strcmp(a->cuid, b->cuid);
    return c ? c : (a->mid > b->mid) - (a->mid < b->mid);
}

void dots_ended_update(struct dots_signal *s, bool after_change)
{
    struct snapshot x = {0};
    struct scrub_err err;
    int rc = scrub_core_mitigations_each(s->cfg.core, NULL, false, take, &x, &err);
    if (rc != 0) {
        dots_say(s, DOTS_LOG_ERROR, "the ends of mitigations are not told: listing them: %s",
                 rc < 0 ? err.msg : "out of memory");
        forget(x.k, x.n);
        return;
    }
    int64_t now = time(NULL);
    for (size_t i = 0, k = 0; after_change && i < s->nknown; i++) {
        while (k < x.n && order(&x.k[k], &s->known[i]) < 0)
            k++;
        if (k < x.n && order(&x.k[k], &s->known[i]) == 0)
            continue;
        struct dots_ended *more = realloc(s->ended, (s->nended + 1) * sizeof *more);
        if (!more)
            break;
        s->ended = more;
        const struct dots_known *gone = &s->known[i];
        /* the core expires on the boot clock: within a second of the wall's;
         * a period's end is its expiry, so one withdrawn during its period
         * (by the operator) is no more terminated than any other */
        bool ran_out = gone->expires_at > 0 && now + 1 >= gone->expires_at;
        s->ended[s->nended++] = (struct dots_ended){gone->cuid, gone->identity, gone->mid, ran_out};
        s->known[i].cuid = s->known[i].identity = NULL; /* taken */
    }
    forget(s->known, s->nknown);
    s->known = x.k;
    s->nknown = x.n;
}

void dots_ended_clear(struct dots_signal *s, bool all)
{
    for (size_t i = 0; i < s->nended; i++) {
        free(s->ended[i].cuid);
        free(s->ended[i].identity);
    }
    free(s->ended);
    s->ended = NULL;
    s->nended = 0;
    if (all) {
        forget(s->known, s->nknown);
        s->known = NULL;
        s->nknown = 0;
    }
}
