/* Which client a destination belongs to: the prefixes it owns, except
 * where a tenant nested in it owns a longer one (scrub-config's
 * nested-in: the card's destination lookup takes the longest prefix, so
 * that tenant wins there). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core_internal.h"

void core_prefix_list(const struct scrub_prefix *p, size_t n, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&p[i], text, sizeof(text));
        size_t len = strlen(buf);
        if (len + strlen(text) + 6 >= size) {
            snprintf(buf + len, size - len, "...");
            return;
        }
        snprintf(buf + len, size - len, "%s%s", i ? " " : "", text);
    }
}

int core_owns(const struct scrub_core *c, const struct core_tenant *t, const struct scrub_prefix *p, const char *what,
              struct scrub_err *err)
{
    char text[SCRUB_PREFIX_TEXT];
    scrub_prefix_format(p, text, sizeof(text));
    const struct scrub_prefix *mine = NULL;
    for (size_t k = 0; k < t->n_prefixes; k++)
        if (scrub_prefix_contains(&t->prefixes[k], p) && (!mine || t->prefixes[k].plen > mine->plen))
            mine = &t->prefixes[k];
    if (!mine) {
        char owned[400];
        core_prefix_list(t->prefixes, t->n_prefixes, owned, sizeof(owned));
        return scrub_err_set(err, EACCES, "not authorized: %s%s is not inside the prefixes '%s' owns (%s)", what, text,
                             t->identity, t->n_prefixes ? owned : "none");
    }
    for (size_t o = 0; o < c->n_tenants; o++) {
        const struct core_tenant *other = &c->tenants[o];
        for (size_t k = 0; other != t && k < other->n_prefixes; k++)
            if (other->prefixes[k].plen > mine->plen && scrub_prefix_contains(&other->prefixes[k], p)) {
                char theirs[SCRUB_PREFIX_TEXT], outer[SCRUB_PREFIX_TEXT];
                scrub_prefix_format(&other->prefixes[k], theirs, sizeof(theirs));
                scrub_prefix_format(mine, outer, sizeof(outer));
                return scrub_err_set(err, EACCES,
                                     "not authorized: %s%s lies in %s, which '%s' owns inside %s: '%s' wins there "
                                     "(nested-in)",
                                     what, text, theirs, other->identity, outer, other->identity);
            }
    }
    return 0;
}
