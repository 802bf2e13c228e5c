/* The validated data tree into struct scrub_config: card actions,
 * policers, profiles with their ACLs (ACEs in config_ace.c), tenants. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/plugins_types.h>

#include "config_read.h"

/* ---- helpers shared by the readers ---------------------------------------------- */

static int node_message(const struct config_reader *r, const struct lyd_node *node, const char *what, int code)
{
    char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
    int rc = scrub_err_set(r->err, code, "%s: %s: %s", r->file, path ? path : "(no path)", what);
    free(path);
    return rc;
}

int config_node_error(const struct config_reader *r, const struct lyd_node *node, int code, const char *fmt, ...)
{
    char what[sizeof(r->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return node_message(r, node, what, code);
}

int config_node_prefix(const struct config_reader *r, const struct lyd_node *node)
{
    char what[sizeof(r->err->msg)];
    memcpy(what, r->err->msg, sizeof(what));
    return node_message(r, node, what, r->err->code);
}

const struct lyd_node *config_child(const struct lyd_node *parent, const char *name)
{
    const struct lyd_node *child;
    LY_LIST_FOR (lyd_child(parent), child) {
        if (strcmp(LYD_NAME(child), name) == 0)
            return child;
    }
    return NULL;
}

const char *config_leaf(const struct lyd_node *parent, const char *name)
{
    const struct lyd_node *leaf = config_child(parent, name);
    return leaf ? lyd_get_value(leaf) : NULL;
}

uint64_t config_leaf_uint(const struct lyd_node *parent, const char *name)
{
    const char *text = config_leaf(parent, name);
    return text ? strtoull(text, NULL, 10) : 0;
}

bool config_leaf_is(const struct lyd_node *parent, const char *name, const char *value)
{
    const char *text = config_leaf(parent, name);
    return text && strcmp(text, value) == 0;
}

int config_policer_index(const struct scrub_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_policers; i++)
        if (strcmp(cfg->policers[i].name, name) == 0)
            return (int)i;
    return -1;
}

static size_t count_children(const struct lyd_node *parent, const char *name)
{
    size_t n = 0;
    const struct lyd_node *child;
    LY_LIST_FOR (lyd_child(parent), child) {
        n += strcmp(LYD_NAME(child), name) == 0;
    }
    return n;
}

/* calloc for n elements, with a message naming what ran out. */
static void *alloc_array(const struct config_reader *r, size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        scrub_err_set(r->err, ENOMEM, "%s: out of memory reading %zu %s", r->file, n, what);
    return p;
}

char *config_copy(const struct config_reader *r, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        scrub_err_set(r->err, ENOMEM, "%s: out of memory", r->file);
    return copy;
}

/* ---- card and policers ------------------------------------------------------------ */

static void read_card(const struct lyd_node *root, struct scrub_card_actions *card)
{
    const struct lyd_node *c = config_child(root, "card");
    card->default_drop = config_leaf_is(c, "default-action", "drop");
    card->nonip_drop = config_leaf_is(c, "non-ip", "drop");
    card->unparsed_drop = config_leaf_is(c, "unparsed", "drop");
    card->malformed_drop = config_leaf_is(c, "malformed", "drop");
}

static int read_policers(struct config_reader *r, const struct lyd_node *root)
{
    struct scrub_config *cfg = r->cfg;
    cfg->policers = alloc_array(r, count_children(root, "policer"), sizeof(*cfg->policers), "policers");
    if (!cfg->policers)
        return -1;
    const struct lyd_node *node;
    LY_LIST_FOR (lyd_child(root), node) {
        if (strcmp(LYD_NAME(node), "policer") != 0)
            continue;
        struct scrub_policer_config *p = &cfg->policers[cfg->n_policers++];
        if (!(p->name = config_copy(r, config_leaf(node, "name"))))
            return -1;
        p->packets = config_leaf_is(node, "unit", "packets");
        p->rate = config_leaf_uint(node, "rate");
        p->burst = (uint32_t)config_leaf_uint(node, "burst");
        p->per_source_bits = (unsigned)config_leaf_uint(node, "per-source-bits");
    }
    return 0;
}

/* ---- profiles ------------------------------------------------------------------------ */

static const struct lysc_ident *acl_identity(const struct lyd_node *node, const char *name)
{
    const struct lys_module *mod = ly_ctx_get_module_implemented(LYD_CTX(node), "ietf-access-control-list");
    if (!mod)
        return NULL;
    LY_ARRAY_COUNT_TYPE i;
    LY_ARRAY_FOR (mod->identities, i) {
        if (strcmp(mod->identities[i].name, name) == 0)
            return &mod->identities[i];
    }
    return NULL;
}

static bool is_or_derives(const struct lysc_ident *id, const struct lysc_ident *base)
{
    return base && (id == base || lyplg_type_identity_isderived(base, id) == LY_SUCCESS);
}

/* The one family an ACL's type admits (ipv4-acl-type and the mixed types
 * derived from it, or the IPv6 ones), else ANY (no type, or both). */
static enum scrub_family type_family(const struct lyd_node *acl)
{
    const struct lyd_node *type = config_child(acl, "type");
    if (!type)
        return SCRUB_FAMILY_ANY;
    const struct lysc_ident *id = ((const struct lyd_node_term *)type)->value.ident;
    bool v4 = is_or_derives(id, acl_identity(type, "ipv4-acl-type"));
    bool v6 = is_or_derives(id, acl_identity(type, "ipv6-acl-type"));
    if (v4 != v6)
        return v4 ? SCRUB_FAMILY_IPV4 : SCRUB_FAMILY_IPV6;
    return SCRUB_FAMILY_ANY;
}

static int read_acl(struct config_reader *r, const struct lyd_node *node, struct scrub_acl *acl)
{
    if (!(acl->name = config_copy(r, config_leaf(node, "name"))))
        return -1;
    acl->type_family = type_family(node);
    const char *activation = config_leaf(node, "activation-type");
    acl->activation = activation && strcmp(activation, "deactivate") == 0  ? SCRUB_DEACTIVATED
                      : activation && strcmp(activation, "immediate") == 0 ? SCRUB_ACTIVATE_IMMEDIATE
                                                                           : SCRUB_ACTIVATE_WHEN_MITIGATING;
    const struct lyd_node *aces = config_child(node, "aces");
    acl->aces = alloc_array(r, count_children(aces, "ace"), sizeof(*acl->aces), "ACEs");
    if (!acl->aces)
        return -1;
    const struct lyd_node *ace;
    LY_LIST_FOR (lyd_child(aces), ace) {
        struct scrub_ace *a = &acl->aces[acl->n_aces++];
        if (config_read_ace(r, ace, a) || config_check_ace(r, ace, acl->type_family, a))
            return -1;
    }
    return 0;
}

static int read_profile(struct config_reader *r, const struct lyd_node *node, struct scrub_profile *p)
{
    if (!(p->name = config_copy(r, config_leaf(node, "name"))))
        return -1;
    const char *description = config_leaf(node, "description");
    if (description && !(p->description = config_copy(r, description)))
        return -1;
    p->operator_only = config_leaf_is(node, "operator-only", "true");
    const struct lyd_node *acls = config_child(node, "acls");
    p->acls = alloc_array(r, count_children(acls, "acl"), sizeof(*p->acls), "ACLs");
    if (!p->acls)
        return -1;
    const struct lyd_node *acl;
    LY_LIST_FOR (lyd_child(acls), acl) {
        if (read_acl(r, acl, &p->acls[p->n_acls++]))
            return -1;
    }
    return 0;
}

static int read_profiles(struct config_reader *r, const struct lyd_node *root)
{
    struct scrub_config *cfg = r->cfg;
    cfg->profiles = alloc_array(r, count_children(root, "profile"), sizeof(*cfg->profiles), "profiles");
    if (!cfg->profiles)
        return -1;
    const struct lyd_node *node;
    LY_LIST_FOR (lyd_child(root), node) {
        if (strcmp(LYD_NAME(node), "profile") == 0 && read_profile(r, node, &cfg->profiles[cfg->n_profiles++]))
            return -1;
    }
    return 0;
}

/* ---- tenants ------------------------------------------------------------------------- */

static int read_prefix(struct config_reader *r, const struct lyd_node *node, struct scrub_prefix *p)
{
    const char *text = lyd_get_value(node);
    if (!scrub_prefix_parse(text, p))
        return config_node_error(r, node, EINVAL, "'%s' is not a prefix the card can hold", text);
    if (strchr(text, ':') && scrub_prefix_meets_v4_space(p))
        return config_node_error(r, node, EINVAL,
                                 "%s reaches into ::ffff:0:0/96, where the card keeps IPv4 addresses; protect "
                                 "IPv4 with IPv4 prefixes and IPv6 outside that range",
                                 text);
    return 0;
}

static int read_source(struct config_reader *r, const struct lyd_node *node, struct scrub_source *s)
{
    const struct lyd_node *address = config_child(node, "address");
    const char *text = lyd_get_value(address);
    if (!scrub_addr_parse(text, &s->addr))
        return config_node_error(r, address, EINVAL, "'%s' is not an address the card can match%s", text,
                                 strchr(text, '%') ? " (zones are not supported)" : "");
    if (strchr(text, ':') && scrub_addr_is_v4(&s->addr))
        return config_node_error(r, address, EINVAL,
                                 "%s is an IPv4-mapped IPv6 address, which never arrives as IPv6; write the IPv4 "
                                 "address",
                                 text);
    s->action = config_leaf_is(node, "action", "drop")     ? SCRUB_SOURCE_DROP
                : config_leaf_is(node, "action", "police") ? SCRUB_SOURCE_POLICE
                                                           : SCRUB_SOURCE_ACCEPT;
    s->policer = config_policer_index(r->cfg, config_leaf(node, "policer"));
    return 0;
}

static int profile_index(const struct scrub_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_profiles; i++)
        if (strcmp(cfg->profiles[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int read_tenant(struct config_reader *r, const struct lyd_node *node, struct scrub_tenant *t)
{
    if (!(t->name = config_copy(r, config_leaf(node, "name"))))
        return -1;
    const char *identity = config_leaf(node, "identity");
    if (!(t->identity = config_copy(r, identity ? identity : t->name)))
        return -1;
    for (const struct scrub_tenant *other = r->cfg->tenants; other < t; other++)
        if (strcmp(other->identity, t->identity) == 0)
            return config_node_error(r, node, EEXIST, "identity '%s' is tenant '%s''s already; identities are unique",
                                     t->identity, other->name);
    int profile = profile_index(r->cfg, config_leaf(node, "profile"));
    if (profile < 0)
        return config_node_error(r, node, EINVAL, "names no known profile");
    t->profile = (size_t)profile;
    t->monitor_only = config_leaf_is(node, "monitor-only", "true");
    t->gateway = config_leaf_is(node, "gateway", "true");
    t->conflict_newest = config_leaf_is(node, "conflict-policy", "newest");
    t->prefixes = alloc_array(r, count_children(node, "protected-prefix"), sizeof(*t->prefixes), "prefixes");
    t->sources = alloc_array(r, count_children(node, "source"), sizeof(*t->sources), "sources");
    if (!t->prefixes || !t->sources)
        return -1;
    const struct lyd_node *child;
    LY_LIST_FOR (lyd_child(node), child) {
        if (strcmp(LYD_NAME(child), "protected-prefix") == 0 && read_prefix(r, child, &t->prefixes[t->n_prefixes++]))
            return -1;
        if (strcmp(LYD_NAME(child), "source") == 0 && read_source(r, child, &t->sources[t->n_sources++]))
            return -1;
    }
    return 0;
}

static int read_tenants(struct config_reader *r, const struct lyd_node *root)
{
    struct scrub_config *cfg = r->cfg;
    cfg->tenants = alloc_array(r, count_children(root, "tenant"), sizeof(*cfg->tenants), "tenants");
    if (!cfg->tenants)
        return -1;
    const struct lyd_node *node;
    LY_LIST_FOR (lyd_child(root), node) {
        if (strcmp(LYD_NAME(node), "tenant") == 0 && read_tenant(r, node, &cfg->tenants[cfg->n_tenants++]))
            return -1;
    }
    return 0;
}

int config_read(struct config_reader *r, const struct lyd_node *root)
{
    read_card(root, &r->cfg->card);
    if (read_policers(r, root) || read_profiles(r, root) || read_tenants(r, root))
        return -1;
    return config_check_prefixes(r, root);
}
