/* Frame building; see frame.h. */
#include "frame.h"

#include <assert.h>
#include <string.h>

#include "bytes.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define DGRAM_MAX 8192 /* the largest L4 datagram we fragment */

/* Locally administered: the upstream router sends to the scrubber. */
static const uint8_t mac_scrubber[6] = {0x02, 0x5c, 0x52, 0x42, 0x00, 0x01};
static const uint8_t mac_router[6] = {0x02, 0x5c, 0x52, 0x42, 0x00, 0x02};

/* Internet checksum: the one's complement sum of big-endian 16-bit words. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint64_t pseudo_header_sum(const struct frame_spec *s, size_t l4_len)
{
    size_t alen = s->v6 ? 16 : 4;
    uint64_t sum = sum16(sum16(0, s->src, alen), s->dst, alen);
    return sum + (l4_len >> 16) + (l4_len & 0xffff) + s->proto;
}

static size_t l4_header_len(const struct frame_spec *s)
{
    return s->proto == PROTO_TCP ? 20 + s->tcp_opts_len : 8;
}

/* Writes the L4 header and payload with its checksum, then the L4
 * malformations (which leave that checksum stale, as an attacker would). */
static size_t build_l4(const struct frame_spec *s, uint8_t *out)
{
    size_t hlen = l4_header_len(s), len = hlen + s->payload_len, csum_at;
    switch (s->proto) {
    case PROTO_TCP:
        put16(out, s->sport);
        put16(out + 2, s->dport);
        put32(out + 4, s->seq);
        put32(out + 8, s->ack);
        out[12] = (uint8_t)(hlen / 4 << 4);
        out[13] = s->tcp_flags;
        put16(out + 14, s->window);
        put32(out + 16, 0); /* checksum, urgent pointer */
        if (s->tcp_opts_len)
            memcpy(out + 20, s->tcp_opts, s->tcp_opts_len);
        csum_at = 16;
        break;
    case PROTO_UDP:
        put16(out, s->sport);
        put16(out + 2, s->dport);
        put16(out + 4, (uint32_t)len);
        put16(out + 6, 0);
        csum_at = 6;
        break;
    default: /* ICMP echo */
        out[0] = s->icmp_type;
        out[1] = 0;
        put16(out + 2, 0);
        put16(out + 4, s->icmp_id);
        put16(out + 6, s->icmp_seq);
        csum_at = 2;
        break;
    }
    if (s->payload_len)
        memcpy(out + hlen, s->payload, s->payload_len);
    uint64_t sum = s->proto == PROTO_ICMP ? 0 : pseudo_header_sum(s, len);
    uint16_t csum = fold(sum16(sum, out, len));
    if (s->proto == PROTO_UDP && csum == 0)
        csum = 0xffff; /* 0 would mean "no checksum" */
    put16(out + csum_at, csum);

    if (s->mal == FRAME_MAL_TCP_DOFF)
        out[12] = (uint8_t)(s->mal_arg << 4);
    if (s->mal == FRAME_MAL_UDP_LENGTH)
        put16(out + 4, s->mal_arg);
    return len;
}

size_t frame_build(const struct frame_spec *s, uint8_t frame[FRAME_MAX])
{
    memcpy(frame, mac_scrubber, 6);
    memcpy(frame + 6, mac_router, 6);
    size_t off = 12;
    for (unsigned i = 0; i < s->ntags; i++, off += 4) {
        put16(frame + off, s->tpid[i]);
        put16(frame + off + 2, s->vid[i]);
    }
    put16(frame + off, s->v6 ? ETH_IPV6 : ETH_IPV4);
    off += 2;

    uint8_t *ip = frame + off;
    size_t ihl = s->v6 ? 40 : 20, l4_len;
    assert(!(s->v6 && s->frag));
    if (s->raw) {
        assert(s->frag && s->payload_len <= LINK_MTU - ihl);
        memcpy(ip + ihl, s->payload, s->payload_len);
        l4_len = s->payload_len;
    } else if (s->frag) {
        uint8_t dgram[DGRAM_MAX];
        assert(l4_header_len(s) + s->payload_len <= sizeof(dgram));
        assert(s->frag_off + s->frag_len <= l4_header_len(s) + s->payload_len);
        assert(s->frag_len <= LINK_MTU - ihl);
        build_l4(s, dgram);
        memcpy(ip + ihl, dgram + s->frag_off, s->frag_len);
        l4_len = s->frag_len;
    } else {
        assert(l4_header_len(s) + s->payload_len <= LINK_MTU - ihl);
        l4_len = build_l4(s, ip + ihl);
    }

    size_t ip_len = ihl + l4_len + (s->mal == FRAME_MAL_IP_LENGTH ? s->mal_arg : 0);
    if (s->v6) {
        put32(ip, 6u << 28 | (s->flow_label & 0xfffff));
        put16(ip + 4, (uint32_t)(ip_len - 40));
        ip[6] = s->proto;
        ip[7] = s->ttl;
        memcpy(ip + 8, s->src, 16);
        memcpy(ip + 24, s->dst, 16);
    } else {
        ip[0] = (uint8_t)(0x40 | (s->mal == FRAME_MAL_IHL ? s->mal_arg : 5));
        ip[1] = 0;
        put16(ip + 2, (uint32_t)ip_len);
        put16(ip + 4, s->ip_id);
        put16(ip + 6, (s->df ? 0x4000u : 0) | (s->more_frags ? 0x2000u : 0) | (uint32_t)(s->frag_off / 8));
        ip[8] = s->ttl;
        ip[9] = s->proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, s->src, 4);
        memcpy(ip + 16, s->dst, 4);
        uint16_t csum = fold(sum16(0, ip, 20));
        if (s->mal == FRAME_MAL_IP_CHECKSUM)
            csum ^= (uint16_t)s->mal_arg;
        put16(ip + 10, csum);
    }

    size_t len = off + ihl + l4_len;
    if (len < FRAME_MIN) {
        memset(frame + len, 0, FRAME_MIN - len);
        len = FRAME_MIN;
    }
    return len;
}
