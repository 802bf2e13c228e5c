#include "test_frames.h"

#include <arpa/inet.h>
#include <string.h>

#define ETH_HEADER 14
#define MIN_FRAME 60

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void ipv4_checksum(uint8_t *h)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < 20; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(h + 10, ~sum & 0xffff);
}

static size_t l4_header(const struct test_packet *p, uint8_t *l4)
{
    switch (p->proto) {
    case TEST_TCP:
        put16(l4, p->sport);
        put16(l4 + 2, p->dport);
        l4[12] = 5 << 4;
        l4[13] = p->tcp_flags;
        put16(l4 + 14, 65535);
        return 20;
    case TEST_UDP:
        put16(l4, p->sport);
        put16(l4 + 2, p->dport);
        put16(l4 + 4, 8 + p->payload);
        return 8;
    case TEST_ICMP:
    case TEST_ICMPV6:
        l4[0] = p->icmp_type;
        return 8;
    default:
        return 0;
    }
}

size_t test_frame(const struct test_packet *p, uint8_t out[TEST_FRAME_MAX])
{
    memset(out, 0, TEST_FRAME_MAX);
    bool v6 = strchr(p->src, ':') != NULL;
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    memcpy(out, macs, sizeof(macs));
    size_t at = 12;
    for (unsigned i = 0; i < p->vlans && i < 2; i++) {
        put16(out + at, i + 1 < p->vlans ? 0x88a8 : 0x8100);
        put16(out + at + 2, p->vid[i]);
        at += 4;
    }
    put16(out + at, v6 ? 0x86dd : 0x0800);
    at += 2;

    uint8_t *ip = out + at;
    size_t ip_header = v6 ? 40 : 20;
    uint8_t *l4 = ip + ip_header;
    size_t l4_len = l4_header(p, l4) + p->payload;
    if (at + ip_header + l4_len > TEST_FRAME_MAX)
        return 0;
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, l4_len);
        ip[6] = p->proto;
        ip[7] = 64;
        if (inet_pton(AF_INET6, p->src, ip + 8) != 1 || inet_pton(AF_INET6, p->dst, ip + 24) != 1)
            return 0;
    } else {
        ip[0] = 0x45;
        put16(ip + 2, 20 + l4_len);
        put16(ip + 4, 0x1234);
        if (p->more_fragments)
            ip[6] = 0x20;
        ip[8] = 64;
        ip[9] = p->proto;
        if (inet_pton(AF_INET, p->src, ip + 12) != 1 || inet_pton(AF_INET, p->dst, ip + 16) != 1)
            return 0;
        ipv4_checksum(ip);
    }
    size_t len = at + ip_header + l4_len;
    return len < MIN_FRAME ? MIN_FRAME : len;
}
