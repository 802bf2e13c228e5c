/* The card's parser: what it extracts from the first SCRUB_WINDOW_BYTES of a
 * frame and which malformation, if any, it finds first (docs/card.md,
 * "Parser"). It sees the frame's length only as far as the window shows it:
 * every length above SCRUB_WINDOW_BYTES reads the same. What only the end
 * of a frame can tell is scrub_parse_late's. */
#ifndef SCRUB_PARSE_H
#define SCRUB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_entry.h"

enum scrub_pkt_kind {
    SCRUB_PKT_IP,        /* parsed IPv4 or IPv6: tables apply */
    SCRUB_PKT_NONIP,     /* not IP: the non-IP action applies */
    SCRUB_PKT_UNPARSED,  /* the parser gave up within the window */
    SCRUB_PKT_MALFORMED, /* mal says why */
};

struct scrub_pkt {
    uint8_t kind;          /* enum scrub_pkt_kind */
    uint8_t mal;           /* SCRUB_MAL_* */
    bool v6;
    bool has_ports;        /* TCP or UDP header parsed */
    bool has_tcp, has_icmp;
    uint8_t proto;         /* IPv4 protocol, IPv6 upper-layer header */
    uint8_t dscp;
    uint8_t frag;          /* 1 << SCRUB_FRAG_* */
    uint8_t tcp_flags, icmp_type, icmp_code;
    uint16_t vlan;         /* 0x1000 | VID of the innermost tag; 0 untagged */
    uint16_t l3_len;       /* IP total length / 40 + IPv6 payload length */
    uint16_t ip_end;       /* offset of the end of the IP packet in the frame; 0 before it is known */
    uint16_t sport, dport;
    struct scrub_addr src, dst;
};

void scrub_parse(const uint8_t *frame, uint32_t len, struct scrub_pkt *p);
/* The end-of-frame checks of a frame the parser did not find malformed:
 * SCRUB_MAL_GIANT, SCRUB_MAL_IP_TRUNCATED (the IP length reaches past a
 * frame longer than the window), or SCRUB_MAL_NONE. */
uint8_t scrub_parse_late(const struct scrub_pkt *p, uint32_t len);

#endif
