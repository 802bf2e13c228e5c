#include "acl_compile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define PROTO_ICMP 1u
#define PROTO_TCP 6u
#define PROTO_UDP 17u
#define PROTO_ICMPV6 58u
#define IPV6_HEADER 40u
#define VLAN_TAGGED 0x1000u
#define VLAN_FULL_MASK 0x1fffu
#define DSCP_MASK 0x3fu
#define CARD_FLAG_BITS 0xffu

/* One value of the family/protocol pair. */
struct protocol_alt {
    uint8_t v6_value, v6_mask, proto_value, proto_mask;
};

struct port_range {
    uint16_t lo, hi;
};

/* One value/mask alternative of a bitmask condition. */
struct bits_alt {
    uint8_t value, mask;
};

static int ace_error(struct scrub_err *err, int code, const struct scrub_ace *ace, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int ace_error(struct scrub_err *err, int code, const struct scrub_ace *ace, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return scrub_err_set(err, code, "ACE '%s': %s", ace->name, what);
}

static const char *l3_name(enum scrub_family f)
{
    return f == SCRUB_FAMILY_IPV6 ? "ipv6" : "ipv4";
}

static int unmatchable_leaf(const struct scrub_ace *ace, struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    for (unsigned i = 0; i < SCRUB_LEAF_COUNT; i++) {
        if (!(m->unmatchable & (1u << i)))
            continue;
        enum scrub_ace_leaf leaf = (enum scrub_ace_leaf)i;
        return ace_error(err, ENOTSUP, ace, "matches/%s/%s: the card cannot match this leaf (%s)",
                         scrub_ace_leaf_container(leaf, m->l3), scrub_ace_leaf_name(leaf), scrub_ace_leaf_hint(leaf));
    }
    return 0;
}

static void set_family(struct protocol_alt *p, enum scrub_family f)
{
    p->v6_mask = f != SCRUB_FAMILY_ANY;
    p->v6_value = f == SCRUB_FAMILY_IPV6;
}

static void set_proto(struct protocol_alt *p, unsigned proto)
{
    p->proto_value = (uint8_t)proto;
    p->proto_mask = 0xff;
}

/* The family/protocol alternatives: 1, or 2 for ICMP of either family. */
static int protocols(const struct scrub_ace *ace, enum scrub_family family, struct protocol_alt out[2],
                     struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    static const char *const l4_names[] = {"", "tcp", "udp", "icmp"};
    unsigned implied = 0;
    switch (m->l4) {
    case SCRUB_L4_TCP:
        implied = PROTO_TCP;
        break;
    case SCRUB_L4_UDP:
        implied = PROTO_UDP;
        break;
    case SCRUB_L4_ICMP:
        implied = family == SCRUB_FAMILY_IPV6 ? PROTO_ICMPV6 : PROTO_ICMP;
        break;
    case SCRUB_L4_NONE:
        break;
    }
    out[0] = (struct protocol_alt){0};
    set_family(&out[0], family);
    if (m->has_protocol) {
        if (implied && m->protocol != implied)
            return ace_error(err, EINVAL, ace, "matches/%s/protocol %u contradicts the %s container (protocol %u)",
                             l3_name(m->l3), m->protocol, l4_names[m->l4], implied);
        set_proto(&out[0], m->protocol);
        return 1;
    }
    if (!implied)
        return 1;
    if (m->l4 == SCRUB_L4_ICMP && family == SCRUB_FAMILY_ANY) {
        set_family(&out[0], SCRUB_FAMILY_IPV4);
        set_proto(&out[0], PROTO_ICMP);
        out[1] = (struct protocol_alt){0};
        set_family(&out[1], SCRUB_FAMILY_IPV6);
        set_proto(&out[1], PROTO_ICMPV6);
        return 2;
    }
    set_proto(&out[0], implied);
    return 1;
}

static int port_ranges(const struct scrub_port_cond *c, struct port_range out[2])
{
    switch (c->op) {
    case SCRUB_PORT_ANY:
        out[0] = (struct port_range){0, 0xffff};
        return 1;
    case SCRUB_PORT_RANGE:
        out[0] = (struct port_range){c->lower, c->upper};
        return 1;
    case SCRUB_PORT_EQ:
        out[0] = (struct port_range){c->lower, c->lower};
        return 1;
    case SCRUB_PORT_LTE:
        out[0] = (struct port_range){0, c->lower};
        return 1;
    case SCRUB_PORT_GTE:
        out[0] = (struct port_range){c->lower, 0xffff};
        return 1;
    case SCRUB_PORT_NEQ:
        break;
    }
    int n = 0;
    if (c->lower > 0)
        out[n++] = (struct port_range){0, (uint16_t)(c->lower - 1)};
    if (c->lower < 0xffff)
        out[n++] = (struct port_range){(uint16_t)(c->lower + 1), 0xffff};
    return n;
}

/* The alternatives of an operator on card bits bm; 0 when it can never
 * match. */
static int bits_alternatives(enum scrub_bits_op op, uint8_t bm, struct bits_alt out[8])
{
    int n = 0;
    switch (op) {
    case SCRUB_BITS_MATCH:
        out[n++] = (struct bits_alt){bm, bm};
        break;
    case SCRUB_BITS_NOT_ANY:
        out[n++] = (struct bits_alt){0, bm};
        break;
    case SCRUB_BITS_NOT_MATCH:
    case SCRUB_BITS_ANY:
        for (unsigned b = 0; b < 8; b++)
            if (bm & (1u << b))
                out[n++] = (struct bits_alt){op == SCRUB_BITS_ANY ? (uint8_t)(1u << b) : 0, (uint8_t)(1u << b)};
        break;
    }
    return n;
}

static const char *bits_op_name(enum scrub_bits_op op)
{
    static const char *const names[] = {"match", "not match", "any", "not any"};
    return names[op];
}

static int tcp_flags(const struct scrub_ace *ace, struct bits_alt out[8], struct scrub_err *err)
{
    const struct scrub_bits_cond *c = &ace->matches.tcp_flags;
    if (!c->present) {
        out[0] = (struct bits_alt){0, 0};
        return 1;
    }
    if (c->bits & 0xf000u)
        return ace_error(err, EINVAL, ace,
                         "matches/tcp/flags-bitmask: bits 12..15 are the data offset, which RFC 8783 leaves out "
                         "of flags matching (bitmask 0x%04x)",
                         c->bits);
    if (c->bits & 0x0f00u)
        return ace_error(err, ENOTSUP, ace,
                         "matches/tcp/flags-bitmask: bits 8..11 (NS and the reserved bits) cannot be matched by "
                         "the card (bitmask 0x%04x)",
                         c->bits);
    int n = bits_alternatives(c->op, (uint8_t)(c->bits & CARD_FLAG_BITS), out);
    if (n == 0)
        return ace_error(err, EINVAL, ace, "matches/tcp/flags-bitmask: operator '%s' with bitmask 0 never matches",
                         bits_op_name(c->op));
    return n;
}

static int fragment(const struct scrub_ace *ace, struct bits_alt out[8], struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    const struct scrub_bits_cond *c = &m->fragment;
    if (!c->present) {
        out[0] = (struct bits_alt){0, 0};
        return 1;
    }
    if (m->l3 == SCRUB_FAMILY_IPV6 && (c->bits & SCRUB_ACE_FRAG_DF))
        return ace_error(err, EINVAL, ace,
                         "matches/ipv6/fragment: df is the IPv4 don't-fragment bit and must be 0 in an IPv6 "
                         "filter (RFC 8783)");
    uint8_t card = 0;
    if (c->bits & SCRUB_ACE_FRAG_DF)
        card |= 1u << SCRUB_FRAG_DF;
    if (c->bits & SCRUB_ACE_FRAG_ISF)
        card |= 1u << SCRUB_FRAG_ISF;
    if (c->bits & SCRUB_ACE_FRAG_FF)
        card |= 1u << SCRUB_FRAG_FF;
    if (c->bits & SCRUB_ACE_FRAG_LF)
        card |= 1u << SCRUB_FRAG_LF;
    int n = bits_alternatives(c->op, card, out);
    if (n == 0)
        return ace_error(err, EINVAL, ace, "matches/%s/fragment: operator '%s' with no fragment type never matches",
                         l3_name(m->l3), bits_op_name(c->op));
    return n;
}

/* The L3 length range: the length leaf made the card's L3 length, or the
 * l3-length augment, or no condition. */
static int length_range(const struct scrub_ace *ace, struct port_range *out, struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    *out = (struct port_range){0, 0xffff};
    if (m->has_length && m->has_l3_length)
        return ace_error(err, EINVAL, ace, "matches: 'length' and 'l3-length' both given; use one");
    if (m->has_l3_length) {
        if (m->l3_length_lower > m->l3_length_upper)
            return ace_error(err, EINVAL, ace, "matches/l3-length: lower %u is above upper %u", m->l3_length_lower,
                             m->l3_length_upper);
        *out = (struct port_range){m->l3_length_lower, m->l3_length_upper};
    } else if (m->has_length) {
        unsigned l3 = m->length + (m->l3 == SCRUB_FAMILY_IPV6 ? IPV6_HEADER : 0);
        if (l3 > 0xffff)
            return ace_error(err, EINVAL, ace,
                             "matches/ipv6/length: payload length %u is %u bytes at L3, beyond the card's 16-bit "
                             "length",
                             m->length, l3);
        *out = (struct port_range){(uint16_t)l3, (uint16_t)l3};
    }
    return 0;
}

/* The fields every entry of the ACE shares. */
static int common_fields(const struct scrub_ace *ace, struct scrub_acl_entry *e, struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    /* The card refuses value bits outside the mask. */
    if (m->has_src) {
        e->src_mask = scrub_addr_mask(m->src.plen);
        e->src_value = m->src.addr;
        scrub_addr_and(&e->src_value, &e->src_mask);
    }
    if (m->has_dst) {
        e->dst_mask = scrub_addr_mask(m->dst.plen);
        e->dst_value = m->dst.addr;
        scrub_addr_and(&e->dst_value, &e->dst_mask);
    }
    if (m->has_dscp) {
        if (m->dscp > DSCP_MASK)
            return ace_error(err, EINVAL, ace, "matches/%s/dscp %u is beyond 63", l3_name(m->l3), m->dscp);
        e->dscp_value = m->dscp;
        e->dscp_mask = DSCP_MASK;
    }
    struct port_range len;
    if (length_range(ace, &len, err))
        return -1;
    e->len_lo = len.lo;
    e->len_hi = len.hi;
    if (m->has_vlan) {
        if (m->vlan > 0xfff)
            return ace_error(err, EINVAL, ace, "matches/vlan %u is beyond 4095", m->vlan);
        e->vlan_value = (uint16_t)(VLAN_TAGGED | m->vlan);
        e->vlan_mask = VLAN_FULL_MASK;
    }
    if (m->has_icmp_type) {
        e->itype_value = m->icmp_type;
        e->itype_mask = 0xff;
    }
    if (m->has_icmp_code) {
        e->icode_value = m->icmp_code;
        e->icode_mask = 0xff;
    }
    return 0;
}

int scrub_ace_compile(const struct scrub_ace *ace, enum scrub_family acl_family, const struct scrub_acl_entry *base,
                      struct scrub_acl_entry *out, size_t cap, struct scrub_err *err)
{
    const struct scrub_ace_matches *m = &ace->matches;
    if (unmatchable_leaf(ace, err))
        return -1;
    enum scrub_family family = m->l3 != SCRUB_FAMILY_ANY ? m->l3 : acl_family;

    struct protocol_alt protos[2];
    struct port_range sports[2], dports[2];
    struct bits_alt flags[8], frags[8];
    int n_protos = protocols(ace, family, protos, err);
    if (n_protos < 0)
        return -1;
    int n_flags = tcp_flags(ace, flags, err);
    if (n_flags < 0)
        return -1;
    int n_frags = fragment(ace, frags, err);
    if (n_frags < 0)
        return -1;
    const struct scrub_port_cond *ports[] = {&m->sport, &m->dport};
    for (int i = 0; i < 2; i++)
        if (ports[i]->op == SCRUB_PORT_RANGE && ports[i]->lower > ports[i]->upper)
            return ace_error(err, EINVAL, ace, "%s port range %u..%u is empty", i ? "destination" : "source",
                             ports[i]->lower, ports[i]->upper);
    int n_sports = port_ranges(&m->sport, sports);
    int n_dports = port_ranges(&m->dport, dports);

    struct scrub_acl_entry shared = *base;
    if (common_fields(ace, &shared, err))
        return -1;

    size_t n = 0;
    for (int p = 0; p < n_protos; p++)
        for (int s = 0; s < n_sports; s++)
            for (int d = 0; d < n_dports; d++)
                for (int f = 0; f < n_flags; f++)
                    for (int g = 0; g < n_frags; g++, n++) {
                        if (n >= cap)
                            continue;
                        struct scrub_acl_entry *e = &out[n];
                        *e = shared;
                        e->v6_value = protos[p].v6_value;
                        e->v6_mask = protos[p].v6_mask;
                        e->proto_value = protos[p].proto_value;
                        e->proto_mask = protos[p].proto_mask;
                        e->sport_lo = sports[s].lo;
                        e->sport_hi = sports[s].hi;
                        e->dport_lo = dports[d].lo;
                        e->dport_hi = dports[d].hi;
                        e->flags_value = flags[f].value;
                        e->flags_mask = flags[f].mask;
                        e->frag_value = frags[g].value;
                        e->frag_mask = frags[g].mask;
                    }
    return (int)n;
}
