#include "parse.h"

#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define V6_HOP_BY_HOP 0
#define V6_ROUTING 43
#define V6_FRAGMENT 44
#define V6_DEST_OPTS 60
#define MAX_VLAN_TAGS 2
#define MAX_V6_EXT 4

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void stop(struct scrub_pkt *p, enum scrub_pkt_kind kind, uint8_t mal)
{
    p->kind = kind;
    p->mal = mal;
}

static void malformed(struct scrub_pkt *p, uint8_t mal)
{
    stop(p, SCRUB_PKT_MALFORMED, mal);
}

static bool v4_martian(const uint8_t *src, const uint8_t *dst)
{
    /* Sources in 0/8, 127/8, 224/4 (multicast) and 240/4 (reserved and
     * broadcast); destinations in 0/8 and 127/8. */
    return src[0] == 0 || src[0] == 127 || src[0] >= 224 || dst[0] == 0 || dst[0] == 127;
}

static bool v6_unspecified_or_loopback(const struct scrub_addr *a)
{
    static const uint8_t zero[15];
    return memcmp(a->b, zero, 15) == 0 && a->b[15] <= 1;
}

static bool v6_martian(const struct scrub_addr *src, const struct scrub_addr *dst)
{
    /* ::, ::1 and IPv4-mapped addresses either way; multicast sources. The
     * mapped check keeps the two families apart in the card's one address
     * space. */
    return v6_unspecified_or_loopback(src) || v6_unspecified_or_loopback(dst) || src->b[0] == 0xff ||
           scrub_addr_is_v4(src) || scrub_addr_is_v4(dst);
}

static bool ipv4_checksum_ok(const uint8_t *h, unsigned hlen)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < hlen; i += 2)
        sum += be16(h + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

static bool tcp_flags_possible(uint8_t flags)
{
    uint8_t f = flags & 0x3f;
    if (f == 0)
        return false;
    if ((f & TCP_SYN) && (f & (TCP_FIN | TCP_RST)))
        return false;
    return !((f & TCP_FIN) && !(f & TCP_ACK));
}

static unsigned l4_min_header(uint8_t proto)
{
    switch (proto) {
    case PROTO_TCP:
        return 20;
    case PROTO_UDP:
    case PROTO_ICMP:
    case PROTO_ICMPV6:
        return 8;
    default:
        return 0;
    }
}

/* Fragment checks and the L4 header, common to both families. l4 is the
 * offset of the upper-layer header in the frame, payload its length per
 * the IP header, offset the fragment offset in 8-byte units. */
static void parse_l4(const uint8_t *f, struct scrub_pkt *p, unsigned l4, unsigned payload, unsigned offset,
                     bool more)
{
    bool is_fragment = more || offset != 0;
    if (is_fragment) {
        p->frag |= 1u << SCRUB_FRAG_ISF;
        if (offset == 0)
            p->frag |= 1u << SCRUB_FRAG_FF;
        else
            p->frag |= 1u << SCRUB_FRAG_LATER;
        if (offset != 0 && !more)
            p->frag |= 1u << SCRUB_FRAG_LF;
        if (offset * 8 + payload > 65535)
            return malformed(p, SCRUB_MAL_FRAG_OVERSIZE);
        if (more && payload % 8)
            return malformed(p, SCRUB_MAL_FRAG_ALIGN);
    }
    if (offset != 0) {
        if (p->proto == PROTO_TCP && offset == 1)
            return malformed(p, SCRUB_MAL_FRAG_OVERLAP);
        return; /* a later fragment carries no L4 header */
    }
    unsigned need = l4_min_header(p->proto);
    if (need == 0)
        return;
    uint8_t too_short = more ? SCRUB_MAL_FRAG_TINY : SCRUB_MAL_L4_TRUNCATED;
    if (payload < need)
        return malformed(p, too_short);
    if (l4 + need > SCRUB_WINDOW_BYTES)
        return stop(p, SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE);
    const uint8_t *h = f + l4;
    switch (p->proto) {
    case PROTO_TCP: {
        unsigned doff = h[12] >> 4;
        if (doff < 5)
            return malformed(p, SCRUB_MAL_TCP_DOFF);
        if (doff * 4 > payload)
            return malformed(p, too_short);
        p->tcp_flags = h[13];
        if (!tcp_flags_possible(p->tcp_flags))
            return malformed(p, SCRUB_MAL_TCP_FLAGS);
        p->has_tcp = p->has_ports = true;
        p->sport = be16(h);
        p->dport = be16(h + 2);
        break;
    }
    case PROTO_UDP:
        /* A first fragment's UDP length covers the whole datagram. */
        if (!is_fragment && be16(h + 4) != payload)
            return malformed(p, SCRUB_MAL_UDP_LENGTH);
        p->has_ports = true;
        p->sport = be16(h);
        p->dport = be16(h + 2);
        break;
    default: /* ICMP, ICMPv6 */
        p->has_icmp = true;
        p->icmp_type = h[0];
        p->icmp_code = h[1];
        break;
    }
}

/* The bytes after offset l3 as far as the window knows: a frame longer
 * than the window may be any length. */
static unsigned known_avail(uint32_t len, unsigned l3)
{
    return len > SCRUB_WINDOW_BYTES ? UINT16_MAX : len - l3;
}

static void parse_ipv4(const uint8_t *f, uint32_t len, unsigned l3, struct scrub_pkt *p)
{
    const uint8_t *h = f + l3;
    unsigned avail = known_avail(len, l3);
    if (avail < 20)
        return malformed(p, SCRUB_MAL_IP_TRUNCATED);
    if (h[0] >> 4 != 4)
        return malformed(p, SCRUB_MAL_IP_VERSION);
    unsigned hlen = (h[0] & 15u) * 4;
    if (hlen < 20)
        return malformed(p, SCRUB_MAL_IPV4_IHL);
    unsigned total = be16(h + 2);
    if (hlen > avail || total < hlen || total > avail)
        return malformed(p, SCRUB_MAL_IP_TRUNCATED);
    if (!ipv4_checksum_ok(h, hlen))
        return malformed(p, SCRUB_MAL_IPV4_CHECKSUM);
    p->src = scrub_addr_v4((uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15]);
    p->dst = scrub_addr_v4((uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19]);
    if (v4_martian(h + 12, h + 16))
        return malformed(p, SCRUB_MAL_MARTIAN);
    if (memcmp(h + 12, h + 16, 4) == 0)
        return malformed(p, SCRUB_MAL_LAND);
    p->dscp = h[1] >> 2;
    p->proto = h[9];
    p->l3_len = (uint16_t)total;
    p->ip_end = (uint16_t)(l3 + total);
    uint16_t fl = be16(h + 6);
    if (fl & 0x4000)
        p->frag |= 1u << SCRUB_FRAG_DF;
    p->kind = SCRUB_PKT_IP;
    parse_l4(f, p, l3 + hlen, total - hlen, fl & 0x1fff, fl & 0x2000);
}

static void parse_ipv6(const uint8_t *f, uint32_t len, unsigned l3, struct scrub_pkt *p)
{
    const uint8_t *h = f + l3;
    unsigned avail = known_avail(len, l3);
    if (avail < 40)
        return malformed(p, SCRUB_MAL_IP_TRUNCATED);
    if (h[0] >> 4 != 6)
        return malformed(p, SCRUB_MAL_IP_VERSION);
    unsigned plen = be16(h + 4);
    if (plen == 0 || 40 + plen > avail)
        return malformed(p, SCRUB_MAL_IP_TRUNCATED);
    p->v6 = true;
    memcpy(p->src.b, h + 8, 16);
    memcpy(p->dst.b, h + 24, 16);
    if (v6_martian(&p->src, &p->dst))
        return malformed(p, SCRUB_MAL_MARTIAN);
    if (scrub_addr_eq(&p->src, &p->dst))
        return malformed(p, SCRUB_MAL_LAND);
    p->dscp = (uint8_t)((be16(h) >> 6) & 0x3f);
    p->l3_len = (uint16_t)(40 + plen);
    p->ip_end = (uint16_t)(l3 + 40 + plen);

    unsigned nh = h[6], cur = l3 + 40, end = l3 + 40 + plen, count = 0, offset = 0;
    bool more = false, fragment_seen = false;
    while (nh == V6_HOP_BY_HOP || nh == V6_ROUTING || nh == V6_FRAGMENT || nh == V6_DEST_OPTS) {
        if (nh == V6_HOP_BY_HOP && count > 0)
            return malformed(p, SCRUB_MAL_IPV6_EXT);
        if (count == MAX_V6_EXT)
            return stop(p, SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE);
        unsigned need = nh == V6_FRAGMENT ? 8 : 2;
        if (cur + need > end)
            return malformed(p, SCRUB_MAL_IPV6_EXT);
        if (cur + need > SCRUB_WINDOW_BYTES)
            return stop(p, SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE);
        unsigned hdr_len;
        if (nh == V6_FRAGMENT) {
            if (fragment_seen)
                return malformed(p, SCRUB_MAL_IPV6_EXT);
            fragment_seen = true;
            uint16_t fo = be16(f + cur + 2);
            offset = fo >> 3;
            more = fo & 1;
            hdr_len = 8;
        } else {
            hdr_len = (f[cur + 1] + 1u) * 8;
        }
        if (cur + hdr_len > end)
            return malformed(p, SCRUB_MAL_IPV6_EXT);
        nh = f[cur];
        cur += hdr_len;
        count++;
        if (offset != 0)
            break; /* past a later fragment's header lies no header of ours */
    }
    p->proto = (uint8_t)nh;
    p->kind = SCRUB_PKT_IP;
    parse_l4(f, p, cur, end - cur, offset, more);
}

void scrub_parse(const uint8_t *f, uint32_t len, struct scrub_pkt *p)
{
    memset(p, 0, sizeof(*p));
    if (len < 14)
        return malformed(p, SCRUB_MAL_RUNT);
    unsigned off = 14, tags = 0;
    uint16_t type = be16(f + 12);
    while (type == ETH_VLAN || type == ETH_QINQ) {
        if (tags == MAX_VLAN_TAGS)
            return stop(p, SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE);
        if (off + 4 > len)
            return malformed(p, SCRUB_MAL_RUNT);
        p->vlan = (uint16_t)(0x1000 | (be16(f + off) & 0x0fff));
        type = be16(f + off + 2);
        off += 4;
        tags++;
    }
    if (type == ETH_IPV4)
        parse_ipv4(f, len, off, p);
    else if (type == ETH_IPV6)
        parse_ipv6(f, len, off, p);
    else
        stop(p, SCRUB_PKT_NONIP, SCRUB_MAL_NONE);
}

uint8_t scrub_parse_late(const struct scrub_pkt *p, uint32_t len)
{
    if (len > SCRUB_MAX_FRAME)
        return SCRUB_MAL_GIANT;
    if (p->ip_end > len)
        return SCRUB_MAL_IP_TRUNCATED;
    return SCRUB_MAL_NONE;
}
