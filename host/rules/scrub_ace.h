/* One RFC 8783 access control entry (ACE) as the operator or a DOTS client
 * wrote it: every match leaf as parsed, the leaves the card cannot match
 * remembered by name, and the actions. Owns the representation and the
 * names of those leaves; host/config fills it, acl_compile.h turns it into
 * card entries. */
#ifndef SCRUB_ACE_H
#define SCRUB_ACE_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_prefix.h"

enum scrub_family {
    SCRUB_FAMILY_ANY, /* not known: the entry matches both */
    SCRUB_FAMILY_IPV4,
    SCRUB_FAMILY_IPV6,
};

enum scrub_l4 {
    SCRUB_L4_NONE,
    SCRUB_L4_TCP,
    SCRUB_L4_UDP,
    SCRUB_L4_ICMP,
};

/* packet-fields:port-range-or-operator. */
enum scrub_port_op {
    SCRUB_PORT_ANY, /* no condition */
    SCRUB_PORT_RANGE,
    SCRUB_PORT_EQ,
    SCRUB_PORT_NEQ,
    SCRUB_PORT_LTE,
    SCRUB_PORT_GTE,
};

struct scrub_port_cond {
    enum scrub_port_op op;
    uint16_t lower, upper; /* RANGE: lower..upper; the operators: lower is the port */
};

/* The data channel's operator bits on a bitmask (TCP flags, fragment
 * types): match (x & bits) == bits, any (x & bits) != 0, each possibly
 * negated. */
enum scrub_bits_op {
    SCRUB_BITS_MATCH,
    SCRUB_BITS_NOT_MATCH,
    SCRUB_BITS_ANY,
    SCRUB_BITS_NOT_ANY,
};

struct scrub_bits_cond {
    bool present;
    enum scrub_bits_op op;
    uint16_t bits; /* flags-bitmask: bit 0 FIN .. bit 7 CWR, 8..11 NS and reserved; fragment: SCRUB_ACE_FRAG_* */
};

/* fragment-type bits as the data channel numbers them. */
#define SCRUB_ACE_FRAG_DF 0x1u
#define SCRUB_ACE_FRAG_ISF 0x2u
#define SCRUB_ACE_FRAG_FF 0x4u
#define SCRUB_ACE_FRAG_LF 0x8u

/* Match leaves of RFC 8519/8783 that the card cannot match. */
enum scrub_ace_leaf {
    SCRUB_LEAF_ECN,
    SCRUB_LEAF_TTL,
    SCRUB_LEAF_IHL,
    SCRUB_LEAF_IPV4_FLAGS,
    SCRUB_LEAF_OFFSET,
    SCRUB_LEAF_IDENTIFICATION,
    SCRUB_LEAF_FLOW_LABEL,
    SCRUB_LEAF_TCP_SEQUENCE_NUMBER,
    SCRUB_LEAF_TCP_ACKNOWLEDGEMENT_NUMBER,
    SCRUB_LEAF_TCP_DATA_OFFSET,
    SCRUB_LEAF_TCP_RESERVED,
    SCRUB_LEAF_TCP_FLAGS,
    SCRUB_LEAF_TCP_WINDOW_SIZE,
    SCRUB_LEAF_TCP_URGENT_POINTER,
    SCRUB_LEAF_TCP_OPTIONS,
    SCRUB_LEAF_UDP_LENGTH,
    SCRUB_LEAF_ICMP_REST_OF_HEADER,
    SCRUB_LEAF_COUNT,
};

struct scrub_ace_matches {
    enum scrub_family l3; /* which l3 container is present: ipv4, ipv6 or none */
    bool has_src, has_dst, has_dscp, has_length, has_protocol;
    struct scrub_prefix src, dst;
    uint8_t dscp, protocol;
    uint16_t length; /* as written: IPv4 total length, IPv6 payload length */
    struct scrub_bits_cond fragment;

    enum scrub_l4 l4;
    struct scrub_bits_cond tcp_flags; /* flags-bitmask */
    struct scrub_port_cond sport, dport;
    bool has_icmp_type, has_icmp_code;
    uint8_t icmp_type, icmp_code;

    /* The card's additions. */
    bool has_l3_length, has_vlan;
    uint16_t l3_length_lower, l3_length_upper; /* IPv4 total length, 40 + IPv6 payload length */
    uint16_t vlan;                             /* VID of the innermost tag */

    uint32_t unmatchable; /* 1 << SCRUB_LEAF_* for each such leaf present */
};

enum scrub_forwarding {
    SCRUB_FORWARD_ACCEPT,
    SCRUB_FORWARD_DROP,
};

struct scrub_ace {
    char *name;
    struct scrub_ace_matches matches;
    enum scrub_forwarding forwarding;
    bool has_rate_limit;
    int64_t rate_limit_centi; /* RFC 8783 rate-limit in bytes/s, times 100 (decimal64, 2 digits) */
    bool count_only;
    int policer; /* index of a named policer in the configuration, -1 for none */
};

/* The ACE's rate-limit in whole bytes per second, rounded up so that the
 * card never limits harder than asked. */
uint64_t scrub_ace_rate_limit_bytes(const struct scrub_ace *ace);

/* Where a leaf the card cannot match sits: "ipv4"/"ipv6" (whichever the
 * ACE uses), "tcp", "udp" or "icmp"; its name as RFC 8519 spells it; and a
 * short hint for the person who wrote it. */
const char *scrub_ace_leaf_container(enum scrub_ace_leaf leaf, enum scrub_family l3);
const char *scrub_ace_leaf_name(enum scrub_ace_leaf leaf);
const char *scrub_ace_leaf_hint(enum scrub_ace_leaf leaf);
/* The leaf of that name under container ("ipv4", "ipv6", "tcp", "udp",
 * "icmp"), or SCRUB_LEAF_COUNT if the card can match it or it is no leaf. */
enum scrub_ace_leaf scrub_ace_leaf_find(const char *container, const char *name);

#endif
