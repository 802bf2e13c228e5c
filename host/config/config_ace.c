/* One ACE node of the data tree into struct scrub_ace: every match leaf as
 * written, the leaves the card cannot match by name, and the actions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_read.h"

static bool named(const struct lyd_node *node, const char *name)
{
    return strcmp(LYD_NAME(node), name) == 0;
}

static int unexpected(const struct config_reader *r, const struct lyd_node *node)
{
    return config_node_error(r, node, EINVAL, "'%s' is not a match this software knows", LYD_NAME(node));
}

/* The bits set in a bits value ("not match", "isf ff") as 1 << their index
 * in names; libyang has checked that every token is one of them. */
static unsigned bits_value(const char *text, const char *const *names, unsigned n_names)
{
    unsigned bits = 0;
    while (text && *text) {
        size_t len = strcspn(text, " ");
        for (unsigned i = 0; i < n_names; i++)
            if (strlen(names[i]) == len && strncmp(names[i], text, len) == 0)
                bits |= 1u << i;
        text += len + (text[len] == ' ');
    }
    return bits;
}

/* An operator and its bits (fragment-fields' type, tcp-flags' bitmask)
 * into cond. The module makes the operator match or any, either possibly
 * with not. */
static void read_bits(const struct lyd_node *node, struct scrub_bits_cond *cond)
{
    enum { NOT = 1, ANY = 4 };
    static const char *const operators[] = {"not", "match", "any"};
    static const char *const fragment_types[] = {"df", "isf", "ff", "lf"};
    const char *op_text = config_leaf(node, "operator");
    unsigned op = bits_value(op_text ? op_text : "match", operators, 3);
    cond->present = true;
    cond->op = (op & ANY) ? ((op & NOT) ? SCRUB_BITS_NOT_ANY : SCRUB_BITS_ANY)
                          : ((op & NOT) ? SCRUB_BITS_NOT_MATCH : SCRUB_BITS_MATCH);
    if (named(node, "flags-bitmask"))
        cond->bits = (uint16_t)config_leaf_uint(node, "bitmask");
    else
        cond->bits = (uint16_t)bits_value(config_leaf(node, "type"), fragment_types, 4);
}

static int read_network(const struct config_reader *r, const struct lyd_node *leaf, bool *has, struct scrub_prefix *p)
{
    const char *text = lyd_get_value(leaf);
    if (!scrub_prefix_parse(text, p))
        return config_node_error(r, leaf, EINVAL, "'%s' is not a prefix", text);
    *has = true;
    return 0;
}

static int read_l3(const struct config_reader *r, const struct lyd_node *l3, struct scrub_ace_matches *m)
{
    const char *container = LYD_NAME(l3);
    m->l3 = named(l3, "ipv6") ? SCRUB_FAMILY_IPV6 : SCRUB_FAMILY_IPV4;
    const struct lyd_node *leaf;
    LY_LIST_FOR (lyd_child(l3), leaf) {
        const char *name = LYD_NAME(leaf);
        int rc = 0;
        if (named(leaf, "dscp")) {
            m->has_dscp = true;
            m->dscp = (uint8_t)strtoul(lyd_get_value(leaf), NULL, 10);
        } else if (named(leaf, "length")) {
            m->has_length = true;
            m->length = (uint16_t)strtoul(lyd_get_value(leaf), NULL, 10);
        } else if (named(leaf, "protocol")) {
            m->has_protocol = true;
            m->protocol = (uint8_t)strtoul(lyd_get_value(leaf), NULL, 10);
        } else if (strncmp(name, "destination-ipv", 15) == 0) {
            rc = read_network(r, leaf, &m->has_dst, &m->dst);
        } else if (strncmp(name, "source-ipv", 10) == 0) {
            rc = read_network(r, leaf, &m->has_src, &m->src);
        } else if (named(leaf, "fragment")) {
            read_bits(leaf, &m->fragment);
        } else {
            enum scrub_ace_leaf which = scrub_ace_leaf_find(container, name);
            if (which == SCRUB_LEAF_COUNT)
                return unexpected(r, leaf);
            m->unmatchable |= 1u << which;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static void read_ports(const struct lyd_node *node, struct scrub_port_cond *c)
{
    const char *op = config_leaf(node, "operator");
    if (config_child(node, "lower-port")) {
        c->op = SCRUB_PORT_RANGE;
        c->lower = (uint16_t)config_leaf_uint(node, "lower-port");
        c->upper = (uint16_t)config_leaf_uint(node, "upper-port");
        return;
    }
    c->lower = c->upper = (uint16_t)config_leaf_uint(node, "port");
    c->op = !op || strcmp(op, "eq") == 0 ? SCRUB_PORT_EQ
            : strcmp(op, "neq") == 0     ? SCRUB_PORT_NEQ
            : strcmp(op, "lte") == 0     ? SCRUB_PORT_LTE
                                         : SCRUB_PORT_GTE;
}

static int read_l4(const struct config_reader *r, const struct lyd_node *l4, struct scrub_ace_matches *m)
{
    const char *container = LYD_NAME(l4);
    m->l4 = named(l4, "tcp") ? SCRUB_L4_TCP : named(l4, "udp") ? SCRUB_L4_UDP : SCRUB_L4_ICMP;
    const struct lyd_node *leaf;
    LY_LIST_FOR (lyd_child(l4), leaf) {
        if (named(leaf, "source-port-range-or-operator")) {
            read_ports(leaf, &m->sport);
        } else if (named(leaf, "destination-port-range-or-operator")) {
            read_ports(leaf, &m->dport);
        } else if (named(leaf, "flags-bitmask")) {
            read_bits(leaf, &m->tcp_flags);
        } else if (m->l4 == SCRUB_L4_ICMP && named(leaf, "type")) {
            m->has_icmp_type = true;
            m->icmp_type = (uint8_t)strtoul(lyd_get_value(leaf), NULL, 10);
        } else if (m->l4 == SCRUB_L4_ICMP && named(leaf, "code")) {
            m->has_icmp_code = true;
            m->icmp_code = (uint8_t)strtoul(lyd_get_value(leaf), NULL, 10);
        } else {
            enum scrub_ace_leaf which = scrub_ace_leaf_find(container, LYD_NAME(leaf));
            if (which == SCRUB_LEAF_COUNT)
                return unexpected(r, leaf);
            m->unmatchable |= 1u << which;
        }
    }
    return 0;
}

static int read_matches(const struct config_reader *r, const struct lyd_node *matches, struct scrub_ace_matches *m)
{
    const struct lyd_node *node;
    LY_LIST_FOR (lyd_child(matches), node) {
        int rc = 0;
        if (named(node, "ipv4") || named(node, "ipv6")) {
            rc = read_l3(r, node, m);
        } else if (named(node, "tcp") || named(node, "udp") || named(node, "icmp")) {
            rc = read_l4(r, node, m);
        } else if (named(node, "l3-length")) {
            m->has_l3_length = true;
            m->l3_length_lower = (uint16_t)config_leaf_uint(node, "lower");
            m->l3_length_upper = (uint16_t)config_leaf_uint(node, "upper");
        } else if (named(node, "vlan")) {
            m->has_vlan = true;
            m->vlan = (uint16_t)strtoul(lyd_get_value(node), NULL, 10);
        } else {
            rc = unexpected(r, node);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int read_actions(const struct config_reader *r, const struct lyd_node *actions, struct scrub_ace *ace)
{
    const struct lyd_node *forwarding = config_child(actions, "forwarding");
    const struct lysc_ident *id = forwarding ? ((const struct lyd_node_term *)forwarding)->value.ident : NULL;
    bool ietf = id && strcmp(id->module->name, "ietf-access-control-list") == 0;
    if (ietf && strcmp(id->name, "accept") == 0)
        ace->forwarding = SCRUB_FORWARD_ACCEPT;
    else if (ietf && strcmp(id->name, "drop") == 0)
        ace->forwarding = SCRUB_FORWARD_DROP;
    else
        return config_node_error(r, forwarding ? forwarding : actions, ENOTSUP,
                                 "forwarding '%s' is not supported: the card accepts or drops (RFC 8783 does not "
                                 "support reject)",
                                 forwarding ? lyd_get_value(forwarding) : "(none)");

    const struct lyd_node *rate = config_child(actions, "rate-limit");
    if (rate) {
        ace->has_rate_limit = true;
        ace->rate_limit_centi = ((const struct lyd_node_term *)rate)->value.dec64;
        if (ace->rate_limit_centi < 0)
            return config_node_error(r, rate, EINVAL, "a rate limit of %s bytes per second is negative",
                                     lyd_get_value(rate));
    }
    ace->count_only = config_leaf_is(actions, "count-only", "true");
    ace->policer = config_policer_index(r->cfg, config_leaf(actions, "policer"));
    return 0;
}

int config_read_ace(struct config_reader *r, const struct lyd_node *node, struct scrub_ace *ace)
{
    ace->policer = -1;
    if (!(ace->name = config_copy(r, config_leaf(node, "name"))))
        return -1;
    if (read_matches(r, config_child(node, "matches"), &ace->matches))
        return -1;
    return read_actions(r, config_child(node, "actions"), ace);
}
