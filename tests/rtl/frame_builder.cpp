#include "frame_builder.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace rtl_tb {

namespace {

const uint8_t MACS[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

void parse_addr(const char *text, uint8_t out[16], bool *v4)
{
    std::memset(out, 0, 16);
    *v4 = std::strchr(text, ':') == nullptr;
    int ok = *v4 ? inet_pton(AF_INET, text, out + 12) : inet_pton(AF_INET6, text, out);
    if (ok != 1)
        throw std::invalid_argument(std::string("bad address ") + text);
}

size_t l4_header_len(const FrameSpec &s)
{
    if (s.frag != 0)
        return 0;
    switch (s.proto) {
    case PROTO_TCP:
        return s.tcp_doff > 5 ? s.tcp_doff * 4u : 20u;
    case PROTO_UDP:
    case PROTO_ICMP:
    case PROTO_ICMPV6:
        return 8;
    default:
        return 0;
    }
}

/* The L4 header (cut to l4_bytes) and the payload at the end of f. */
void put_l4(Bytes &f, const FrameSpec &s)
{
    size_t hlen = l4_header_len(s);
    Bytes h(hlen, 0);
    switch (hlen ? s.proto : 0) {
    case PROTO_TCP:
        put16(h, 0, s.sport);
        put16(h, 2, s.dport);
        h[7] = 1; /* sequence number */
        h[12] = (uint8_t)((s.tcp_doff ? s.tcp_doff : 5) << 4);
        h[13] = s.tcp_flags;
        h[15] = 0xff; /* window */
        break;
    case PROTO_UDP:
        put16(h, 0, s.sport);
        put16(h, 2, s.dport);
        put16(h, 4, (uint16_t)(8 + s.payload));
        break;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
        h[0] = s.icmp_type;
        h[1] = s.icmp_code;
        break;
    default:
        break;
    }
    if (s.l4_bytes >= 0 && (size_t)s.l4_bytes < hlen)
        h.resize((size_t)s.l4_bytes);
    f.insert(f.end(), h.begin(), h.end());
    for (unsigned i = 0; i < s.payload; i++)
        f.push_back((uint8_t)(s.fill + i));
}

void put_v4(Bytes &f, const FrameSpec &s)
{
    size_t l3 = f.size(), hlen = 20 + s.v4_options;
    if (hlen > 60 || s.v4_options % 4)
        throw std::invalid_argument("IPv4 options");
    f.resize(l3 + hlen, 1); /* NOP options */
    std::memset(&f[l3], 0, 20);
    put_l4(f, s);
    f[l3] = (uint8_t)(0x40 | hlen / 4);
    f[l3 + 1] = s.tos;
    put16(f, l3 + 2, (uint16_t)(f.size() - l3));
    put16(f, l3 + 4, 0x1234);
    put16(f, l3 + 6, (uint16_t)((s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) | (s.frag & 0x1fff)));
    f[l3 + 8] = 64;
    f[l3 + 9] = s.proto;
    std::memcpy(&f[l3 + 12], s.src + 12, 4);
    std::memcpy(&f[l3 + 16], s.dst + 12, 4);
    ipv4_fix_checksum(f, l3);
}

void put_v6(Bytes &f, const FrameSpec &s)
{
    size_t l3 = f.size();
    f.resize(l3 + 40, 0);
    f[l3] = (uint8_t)(0x60 | s.tos >> 4);
    f[l3 + 1] = (uint8_t)(s.tos << 4);
    f[l3 + 6] = s.exts.empty() ? s.proto : s.exts[0].type;
    f[l3 + 7] = 64;
    std::memcpy(&f[l3 + 8], s.src, 16);
    std::memcpy(&f[l3 + 24], s.dst, 16);
    for (size_t i = 0; i < s.exts.size(); i++) {
        size_t cur = f.size();
        bool frag = s.exts[i].type == EXT_FRAGMENT;
        f.resize(cur + (frag ? 8u : (s.exts[i].len + 1u) * 8), 0);
        f[cur] = i + 1 < s.exts.size() ? s.exts[i + 1].type : s.proto;
        if (frag) {
            put16(f, cur + 2, (uint16_t)(s.frag << 3 | (s.mf ? 1 : 0)));
            f[cur + 7] = 0x42; /* identification */
        } else {
            f[cur + 1] = s.exts[i].len;
        }
    }
    put_l4(f, s);
    put16(f, l3 + 4, (uint16_t)(f.size() - l3 - 40));
}

} // namespace

FrameSpec frame_spec(const char *src, const char *dst, uint8_t proto)
{
    FrameSpec s;
    bool v4_src, v4_dst;
    parse_addr(src, s.src, &v4_src);
    parse_addr(dst, s.dst, &v4_dst);
    if (v4_src != v4_dst)
        throw std::invalid_argument("addresses of two families");
    s.family = v4_src ? 4 : 6;
    s.proto = proto;
    s.dport = proto == PROTO_UDP ? 53 : 80;
    s.icmp_type = proto == PROTO_ICMPV6 ? 128 : 8;
    return s;
}

Bytes frame_build(const FrameSpec &s)
{
    Bytes f(MACS, MACS + sizeof(MACS));
    for (const Tag &t : s.tags) {
        f.resize(f.size() + 4);
        put16(f, f.size() - 4, t.tpid);
        put16(f, f.size() - 2, t.tci);
    }
    f.resize(f.size() + 2);
    put16(f, f.size() - 2, s.family == 4 ? 0x0800 : s.family == 6 ? 0x86dd : s.ethertype);
    if (s.family == 4) {
        put_v4(f, s);
    } else if (s.family == 6) {
        put_v6(f, s);
    } else {
        for (unsigned i = 0; i < s.payload; i++)
            f.push_back((uint8_t)(s.fill + i));
    }
    f.resize(f.size() + s.pad, 0);
    return f;
}

size_t frame_l3(const Bytes &f, uint16_t *ethertype)
{
    size_t off = 12;
    for (int tags = 0; off + 2 <= f.size(); tags++, off += 4) {
        uint16_t type = (uint16_t)(f[off] << 8 | f[off + 1]);
        if ((type != 0x8100 && type != 0x88a8) || tags == 2) {
            *ethertype = type;
            return off + 2;
        }
    }
    return 0;
}

void put16(Bytes &f, size_t off, uint16_t v)
{
    f[off] = (uint8_t)(v >> 8);
    f[off + 1] = (uint8_t)v;
}

void ipv4_fix_checksum(Bytes &f, size_t l3)
{
    if (l3 + 20 > f.size())
        return;
    size_t hlen = (f[l3] & 15u) * 4;
    if (hlen < 20 || l3 + hlen > f.size())
        return;
    f[l3 + 10] = f[l3 + 11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < hlen; i += 2)
        sum += (uint32_t)f[l3 + i] << 8 | f[l3 + i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(f, l3 + 10, (uint16_t)~sum);
}

} // namespace rtl_tb
