/* One RFC 8783 ACL as JSON (what the data channel stores: name, type,
 * activation-type, aces) into struct scrub_ace entries, as host/config
 * reads a profile's ACL from its data tree: every match leaf as written,
 * the leaves the card cannot match remembered by name (the compiler
 * refuses them), anything else refused here. The data channel has
 * validated the body with libyang; this reads stored bodies too, so it
 * checks what it uses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "data_acls.h"

/* A member's name without its module prefix. */
static const char *local(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? colon + 1 : name;
}

/* The member of o whose local name is name, or NULL. */
static json_object *member(json_object *o, const char *name)
{
    if (!o || !json_object_is_type(o, json_type_object))
        return NULL;
    json_object_object_foreach(o, key, val) if (strcmp(local(key), name) == 0) return val;
    return NULL;
}

/* An unsigned number, written as a JSON number or (RFC 7951 for 64-bit
 * and decimal types) a string. */
static int read_uint(json_object *v, uint64_t max, uint64_t *out)
{
    const char *text = json_object_get_string(v);
    if (!text || !*text || (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_string)))
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno || *end || text[0] == '-' || n > max)
        return -1;
    *out = n;
    return 0;
}

struct reader {
    const char *acl, *ace;
    struct scrub_err *err;
};

static int bad(const struct reader *r, const char *where, const char *what)
{
    return scrub_err_set(r->err, EINVAL, "ACL '%s', ACE '%s': %s: %s", r->acl, r->ace, where, what);
}

static int uint_leaf(const struct reader *r, json_object *v, const char *name, uint64_t max, uint64_t *out)
{
    if (read_uint(v, max, out) == 0)
        return 0;
    char what[80];
    snprintf(what, sizeof(what), "not a number of 0..%llu", (unsigned long long)max);
    return bad(r, name, what);
}

/* Bits as RFC 8783 writes them: space-separated names. */
static int bits_value(const char *text, const char *const *names, unsigned n, unsigned *bits)
{
    *bits = 0;
    while (text && *text) {
        size_t len = strcspn(text, " ");
        unsigned i = 0;
        while (i < n && !(strlen(names[i]) == len && strncmp(names[i], text, len) == 0))
            i++;
        if (i == n)
            return -1;
        *bits |= 1u << i;
        text += len;
        text += strspn(text, " ");
    }
    return 0;
}

/* fragment (type) and flags-bitmask (bitmask) with their operator. */
static int read_bits(const struct reader *r, json_object *o, const char *name, struct scrub_bits_cond *cond)
{
    enum { NOT = 1, ANY = 4 };
    static const char *const operators[] = {"not", "match", "any"};
    static const char *const fragment_types[] = {"df", "isf", "ff", "lf"};
    json_object *op = member(o, "operator");
    unsigned opb = 2;
    if (op && bits_value(json_object_get_string(op), operators, 3, &opb))
        return bad(r, name, "operator is not 'match', 'any', 'not match' or 'not any'");
    cond->present = true;
    cond->op = (opb & ANY) ? ((opb & NOT) ? SCRUB_BITS_NOT_ANY : SCRUB_BITS_ANY)
                           : ((opb & NOT) ? SCRUB_BITS_NOT_MATCH : SCRUB_BITS_MATCH);
    if (strcmp(name, "flags-bitmask") == 0) {
        uint64_t v;
        if (uint_leaf(r, member(o, "bitmask"), "flags-bitmask bitmask", 0xffff, &v))
            return -1;
        cond->bits = (uint16_t)v;
        return 0;
    }
    unsigned bits;
    json_object *type = member(o, "type");
    if (!type || bits_value(json_object_get_string(type), fragment_types, 4, &bits))
        return bad(r, "fragment type", "not a list of df, isf, ff, lf");
    cond->bits = (uint16_t)bits;
    return 0;
}

static int read_network(const struct reader *r, json_object *v, const char *name, bool *has, struct scrub_prefix *p)
{
    const char *text = json_object_get_string(v);
    if (!json_object_is_type(v, json_type_string) || !scrub_prefix_parse(text, p))
        return bad(r, name, "not a prefix");
    *has = true;
    return 0;
}

static int unmatchable(const struct reader *r, const char *container, const char *name, struct scrub_ace_matches *m)
{
    enum scrub_ace_leaf which = scrub_ace_leaf_find(container, name);
    if (which == SCRUB_LEAF_COUNT) {
        char where[120];
        snprintf(where, sizeof(where), "%s/%s", container, name);
        return bad(r, where, "not a match this software knows");
    }
    m->unmatchable |= 1u << which;
    return 0;
}

static int read_l3(const struct reader *r, const char *container, json_object *l3, struct scrub_ace_matches *m)
{
    m->l3 = strcmp(container, "ipv6") == 0 ? SCRUB_FAMILY_IPV6 : SCRUB_FAMILY_IPV4;
    json_object_object_foreach(l3, key, val)
    {
        const char *name = local(key);
        uint64_t v = 0;
        int rc = 0;
        if (strcmp(name, "dscp") == 0) {
            rc = uint_leaf(r, val, name, 63, &v);
            m->has_dscp = true;
            m->dscp = (uint8_t)v;
        } else if (strcmp(name, "length") == 0) {
            rc = uint_leaf(r, val, name, 0xffff, &v);
            m->has_length = true;
            m->length = (uint16_t)v;
        } else if (strcmp(name, "protocol") == 0) {
            rc = uint_leaf(r, val, name, 0xff, &v);
            m->has_protocol = true;
            m->protocol = (uint8_t)v;
        } else if (strncmp(name, "destination-ipv", 15) == 0) {
            rc = read_network(r, val, name, &m->has_dst, &m->dst);
        } else if (strncmp(name, "source-ipv", 10) == 0) {
            rc = read_network(r, val, name, &m->has_src, &m->src);
        } else if (strcmp(name, "fragment") == 0) {
            rc = read_bits(r, val, name, &m->fragment);
        } else {
            rc = unmatchable(r, container, name, m);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int read_ports(const struct reader *r, json_object *o, const char *name, struct scrub_port_cond *c)
{
    uint64_t lo, hi;
    if (member(o, "lower-port")) {
        if (uint_leaf(r, member(o, "lower-port"), "lower-port", 0xffff, &lo) ||
            uint_leaf(r, member(o, "upper-port"), "upper-port", 0xffff, &hi))
            return -1;
        if (lo > hi)
            return bad(r, name, "lower-port is above upper-port");
        *c = (struct scrub_port_cond){SCRUB_PORT_RANGE, (uint16_t)lo, (uint16_t)hi};
        return 0;
    }
    if (uint_leaf(r, member(o, "port"), "port", 0xffff, &lo))
        return -1;
    json_object *op = member(o, "operator");
    const char *t = op ? json_object_get_string(op) : "eq";
    c->lower = c->upper = (uint16_t)lo;
    if (strcmp(t, "eq") == 0)
        c->op = SCRUB_PORT_EQ;
    else if (strcmp(t, "neq") == 0)
        c->op = SCRUB_PORT_NEQ;
    else if (strcmp(t, "lte") == 0)
        c->op = SCRUB_PORT_LTE;
    else if (strcmp(t, "gte") == 0)
        c->op = SCRUB_PORT_GTE;
    else
        return bad(r, name, "operator is not eq, neq, lte or gte");
    return 0;
}

static int read_l4(const struct reader *r, const char *container, json_object *l4, struct scrub_ace_matches *m)
{
    m->l4 = strcmp(container, "tcp") == 0 ? SCRUB_L4_TCP : strcmp(container, "udp") == 0 ? SCRUB_L4_UDP : SCRUB_L4_ICMP;
    json_object_object_foreach(l4, key, val)
    {
        const char *name = local(key);
        uint64_t v = 0;
        int rc;
        if (m->l4 != SCRUB_L4_ICMP && strcmp(name, "source-port-range-or-operator") == 0) {
            rc = read_ports(r, val, name, &m->sport);
        } else if (m->l4 != SCRUB_L4_ICMP && strcmp(name, "destination-port-range-or-operator") == 0) {
            rc = read_ports(r, val, name, &m->dport);
        } else if (m->l4 == SCRUB_L4_TCP && strcmp(name, "flags-bitmask") == 0) {
            rc = read_bits(r, val, name, &m->tcp_flags);
        } else if (m->l4 == SCRUB_L4_ICMP && strcmp(name, "type") == 0) {
            rc = uint_leaf(r, val, "icmp type", 0xff, &v);
            m->has_icmp_type = true;
            m->icmp_type = (uint8_t)v;
        } else if (m->l4 == SCRUB_L4_ICMP && strcmp(name, "code") == 0) {
            rc = uint_leaf(r, val, "icmp code", 0xff, &v);
            m->has_icmp_code = true;
            m->icmp_code = (uint8_t)v;
        } else {
            rc = unmatchable(r, container, name, m);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int read_matches(const struct reader *r, json_object *matches, struct scrub_ace_matches *m)
{
    if (!matches)
        return 0;
    if (!json_object_is_type(matches, json_type_object))
        return bad(r, "matches", "not an object");
    bool l3 = false, l4 = false;
    json_object_object_foreach(matches, key, val)
    {
        const char *name = local(key);
        int rc;
        if (!json_object_is_type(val, json_type_object))
            return bad(r, name, "not an object");
        if (strcmp(name, "ipv4") == 0 || strcmp(name, "ipv6") == 0) {
            rc = l3 ? bad(r, name, "a second l3 match (ipv4 and ipv6 are one choice)") : read_l3(r, name, val, m);
            l3 = true;
        } else if (strcmp(name, "tcp") == 0 || strcmp(name, "udp") == 0 || strcmp(name, "icmp") == 0) {
            rc = l4 ? bad(r, name, "a second l4 match (tcp, udp and icmp are one choice)") : read_l4(r, name, val, m);
            l4 = true;
        } else {
            rc = bad(r, name, "not a match this software knows");
        }
        if (rc)
            return -1;
    }
    return 0;
}

/* decimal64 with 2 fraction digits, as a string (RFC 7951) or a number. */
static int read_rate(const struct reader *r, json_object *v, int64_t *centi)
{
    const char *text = json_object_get_string(v);
    char *end;
    errno = 0;
    double d = text ? strtod(text, &end) : -1;
    if (!text || errno || *end || d < 0 || d > 9.2e16)
        return bad(r, "rate-limit", "not a rate of bytes per second");
    *centi = (int64_t)(d * 100 + 0.5);
    return 0;
}

static int read_actions(const struct reader *r, json_object *actions, struct scrub_ace *ace)
{
    json_object *fwd = member(actions, "forwarding");
    const char *f = fwd ? json_object_get_string(fwd) : NULL;
    if (!f)
        return bad(r, "actions", "no forwarding action");
    if (strcmp(f, "ietf-access-control-list:accept") == 0)
        ace->forwarding = SCRUB_FORWARD_ACCEPT;
    else if (strcmp(f, "ietf-access-control-list:drop") == 0)
        ace->forwarding = SCRUB_FORWARD_DROP;
    else
        return scrub_err_set(r->err, ENOTSUP,
                             "ACL '%s', ACE '%s': forwarding '%s' is not supported: the card accepts or drops (RFC "
                             "8783 does not support reject)",
                             r->acl, r->ace, f);
    json_object *rate = member(actions, "rate-limit");
    if (rate) {
        if (read_rate(r, rate, &ace->rate_limit_centi))
            return -1;
        if (ace->forwarding != SCRUB_FORWARD_ACCEPT)
            return bad(r, "rate-limit", "only valid with forwarding accept (RFC 8783 section 7.3)");
        ace->has_rate_limit = true;
    }
    return 0;
}

/* The one family an ACL's type admits (as host/config reads it). */
static int type_family(json_object *type, enum scrub_family *family)
{
    if (!type) {
        *family = SCRUB_FAMILY_ANY;
        return 0;
    }
    const char *t = local(json_object_get_string(type));
    if (strcmp(t, "ipv4-acl-type") == 0 || strcmp(t, "mixed-eth-ipv4-acl-type") == 0)
        *family = SCRUB_FAMILY_IPV4;
    else if (strcmp(t, "ipv6-acl-type") == 0 || strcmp(t, "mixed-eth-ipv6-acl-type") == 0)
        *family = SCRUB_FAMILY_IPV6;
    else if (strcmp(t, "mixed-eth-ipv4-ipv6-acl-type") == 0 || strcmp(t, "eth-acl-type") == 0)
        *family = SCRUB_FAMILY_ANY;
    else
        return -1;
    return 0;
}

static const char *const activation_names[] = {
    [SCRUB_STORE_ACTIVATE_WHEN_MITIGATING] = "activate-when-mitigating",
    [SCRUB_STORE_ACTIVATE_IMMEDIATE] = "immediate",
    [SCRUB_STORE_DEACTIVATE] = "deactivate",
};

void data_acl_parsed_free(struct data_acl_parsed *p)
{
    for (size_t i = 0; i < p->n_aces; i++)
        free(p->aces[i].name);
    free(p->aces);
    free(p->name);
    free(p->type);
    memset(p, 0, sizeof(*p));
}

int data_acl_parse(const char *body, struct data_acl_parsed *out, struct scrub_err *err)
{
    memset(out, 0, sizeof(*out));
    json_object *o = json_tokener_parse(body);
    json_object *name = member(o, "name"), *aces = member(member(o, "aces"), "ace");
    int rc = 0;
    if (!o || !json_object_is_type(o, json_type_object))
        rc = scrub_err_set(err, EINVAL, "an ACL is not a JSON object");
    else if (!name || !json_object_is_type(name, json_type_string) || !*json_object_get_string(name))
        rc = scrub_err_set(err, EINVAL, "an ACL has no name");
    else if (!(out->name = strdup(json_object_get_string(name))))
        rc = scrub_err_set(err, ENOMEM, "out of memory reading an ACL");
    else if (type_family(member(o, "type"), &out->family))
        rc = scrub_err_set(err, EINVAL, "ACL '%s': type '%s' is not an ACL type of RFC 8519", out->name,
                           json_object_get_string(member(o, "type")));
    else if (member(o, "type") && !(out->type = strdup(json_object_get_string(member(o, "type")))))
        rc = scrub_err_set(err, ENOMEM, "out of memory reading an ACL");
    else if (aces && !json_object_is_type(aces, json_type_array))
        rc = scrub_err_set(err, EINVAL, "ACL '%s': aces/ace is not a list", out->name);
    json_object *act = rc ? NULL : member(o, "activation-type");
    if (act) {
        const char *t = local(json_object_get_string(act));
        size_t i = 0;
        while (i < 3 && strcmp(activation_names[i], t) != 0)
            i++;
        if (i == 3)
            rc = scrub_err_set(err, EINVAL, "ACL '%s': activation-type '%s' is not one of RFC 8783", out->name, t);
        else
            out->activation = (enum scrub_store_activation)i;
    }
    size_t n = rc == 0 && aces ? json_object_array_length(aces) : 0;
    if (rc == 0 && !(out->aces = calloc(n ? n : 1, sizeof(*out->aces))))
        rc = scrub_err_set(err, ENOMEM, "out of memory reading an ACL");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_object *ace = json_object_array_get_idx(aces, i), *an = member(ace, "name");
        struct scrub_ace *a = &out->aces[out->n_aces++];
        a->policer = -1;
        if (!an || !json_object_is_type(an, json_type_string) || !*json_object_get_string(an)) {
            rc = scrub_err_set(err, EINVAL, "ACL '%s': ACE %zu has no name", out->name, i + 1);
            break;
        }
        if (!(a->name = strdup(json_object_get_string(an)))) {
            rc = scrub_err_set(err, ENOMEM, "out of memory reading an ACL");
            break;
        }
        for (size_t k = 0; k + 1 < out->n_aces; k++)
            if (strcmp(out->aces[k].name, a->name) == 0)
                rc = scrub_err_set(err, EEXIST, "ACL '%s': two ACEs are named '%s'", out->name, a->name);
        struct reader r = {out->name, a->name, err};
        if (rc == 0)
            rc = read_matches(&r, member(ace, "matches"), &a->matches);
        if (rc == 0)
            rc = read_actions(&r, member(ace, "actions"), a);
    }
    json_object_put(o);
    if (rc)
        data_acl_parsed_free(out);
    return rc;
}
