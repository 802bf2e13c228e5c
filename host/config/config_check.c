/* What libyang cannot check: that the card can hold every ACE, and that
 * no two tenants claim overlapping destinations (unless one is declared
 * nested in the other). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acl_compile.h"
#include "config_read.h"

int config_check_ace(const struct config_reader *r, const struct lyd_node *node, enum scrub_family family,
                     const struct scrub_ace *ace)
{
    struct scrub_acl_entry base;
    scrub_acl_entry_any(&base);
    if (scrub_ace_compile(ace, family, &base, NULL, 0, r->err) < 0)
        return config_node_prefix(r, node);
    uint64_t rate = scrub_ace_rate_limit_bytes(ace);
    if (rate > SCRUB_POLICER_RATE_MAX)
        return config_node_error(r, config_child(config_child(node, "actions"), "rate-limit"), EINVAL,
                                 "a rate limit of %llu bytes per second is beyond the card's %llu",
                                 (unsigned long long)rate, SCRUB_POLICER_RATE_MAX);
    return 0;
}

struct claimed_prefix {
    struct scrub_prefix prefix; /* first: scrub_prefix_cmp sorts these */
    size_t tenant;
    const struct lyd_node *node, *tenant_node;
};

/* Does the tenant's configuration name other among its nested-in? */
static bool nested_in(const struct lyd_node *tenant, const char *other)
{
    const struct lyd_node *child;
    LY_LIST_FOR (lyd_child(tenant), child)
        if (strcmp(LYD_NAME(child), "nested-in") == 0 && strcmp(lyd_get_value(child), other) == 0)
            return true;
    return false;
}

static int by_prefix(const void *a, const void *b)
{
    return scrub_prefix_cmp(a, b);
}

/* Sorted by address and then length, a prefix comes before those it
 * contains; a stack of the enclosing prefixes then finds, for each
 * prefix, its nearest container. Two tenants overlap exactly when some
 * prefix's nearest container belongs to another tenant: refused unless
 * the prefix is strictly longer and its tenant is nested in the other. */
static int find_overlap(const struct config_reader *r, struct claimed_prefix *all, size_t n)
{
    qsort(all, n, sizeof(*all), by_prefix);
    const struct claimed_prefix **stack = calloc(n ? n : 1, sizeof(*stack));
    if (!stack)
        return scrub_err_set(r->err, ENOMEM, "%s: out of memory checking prefixes", r->file);
    size_t depth = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        while (depth && !scrub_prefix_contains(&stack[depth - 1]->prefix, &all[i].prefix))
            depth--;
        const struct claimed_prefix *outer = depth ? stack[depth - 1] : NULL;
        if (outer && outer->tenant != all[i].tenant) {
            const char *theirs_name = r->cfg->tenants[outer->tenant].name;
            bool nested = nested_in(all[i].tenant_node, theirs_name);
            char mine[SCRUB_PREFIX_TEXT], theirs[SCRUB_PREFIX_TEXT];
            scrub_prefix_format(&all[i].prefix, mine, sizeof(mine));
            scrub_prefix_format(&outer->prefix, theirs, sizeof(theirs));
            if (nested && all[i].prefix.plen == outer->prefix.plen)
                rc = config_node_error(r, all[i].node, EEXIST,
                                       "%s is also tenant '%s''s: a nested prefix must be longer than the one it "
                                       "lies in",
                                       mine, theirs_name);
            else if (!nested)
                rc = config_node_error(r, all[i].node, EEXIST,
                                       "%s overlaps %s of tenant '%s': prefixes of different tenants must not "
                                       "overlap, unless the tenant of the longer one is nested-in the other",
                                       mine, theirs, theirs_name);
        }
        stack[depth++] = &all[i];
    }
    free(stack);
    return rc;
}

int config_check_prefixes(const struct config_reader *r, const struct lyd_node *root)
{
    const struct scrub_config *cfg = r->cfg;
    size_t n = 0;
    for (size_t t = 0; t < cfg->n_tenants; t++)
        n += cfg->tenants[t].n_prefixes;
    struct claimed_prefix *all = calloc(n ? n : 1, sizeof(*all));
    if (!all)
        return scrub_err_set(r->err, ENOMEM, "%s: out of memory checking prefixes", r->file);
    /* The tree holds the tenants and their prefixes in the order cfg does. */
    size_t t = 0, at = 0;
    const struct lyd_node *tenant, *child;
    LY_LIST_FOR (lyd_child(root), tenant) {
        if (strcmp(LYD_NAME(tenant), "tenant") != 0)
            continue;
        size_t k = 0;
        LY_LIST_FOR (lyd_child(tenant), child) {
            if (strcmp(LYD_NAME(child), "protected-prefix") == 0)
                all[at++] = (struct claimed_prefix){cfg->tenants[t].prefixes[k++], t, child, tenant};
        }
        t++;
    }
    int rc = find_overlap(r, all, at);
    free(all);
    return rc;
}
