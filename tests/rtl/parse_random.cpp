#include "parse_random.h"

#include <algorithm>

namespace rtl_tb {

uint64_t Rng::next()
{
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t Rng::below(uint32_t n)
{
    return (uint32_t)(next() % n);
}

bool Rng::chance(unsigned percent)
{
    return below(100) < percent;
}

namespace {

template <typename T, size_t N> T pick(Rng &r, const T (&from)[N])
{
    return from[r.below(N)];
}

/* Mostly routable unicast; sometimes the martian and special ones. */
void random_v4(Rng &r, uint8_t a[16])
{
    static const uint8_t special[] = {0, 1, 126, 127, 128, 223, 224, 239, 240, 255};
    for (int i = 12; i < 16; i++)
        a[i] = (uint8_t)r.below(256);
    a[12] = r.chance(10) ? pick(r, special) : (uint8_t)(1 + r.below(223));
    if (a[12] == 127 && r.chance(80))
        a[12] = 128;
}

void random_v6(Rng &r, uint8_t a[16])
{
    for (int i = 0; i < 16; i++)
        a[i] = (uint8_t)r.below(256);
    switch (r.below(12)) {
    case 0: /* ::, ::1, ::2 */
        std::fill(a, a + 15, 0);
        a[15] = (uint8_t)r.below(3);
        break;
    case 1: /* IPv4-mapped, and near misses */
        std::fill(a, a + 10, 0);
        a[10] = 0xff;
        a[11] = r.chance(70) ? 0xff : 0xfe;
        break;
    case 2: /* multicast */
        a[0] = 0xff;
        break;
    default:
        a[0] = 0x20;
        a[1] = 0x01;
        break;
    }
}

void random_ip(Rng &r, FrameSpec &s)
{
    bool v4 = s.family == 4;
    static const uint8_t protos[] = {PROTO_TCP, PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_UDP, PROTO_UDP,
                                     PROTO_ICMP, PROTO_ICMPV6, 47, 50, PROTO_NONE, 132};
    s.proto = r.chance(5) ? (uint8_t)r.below(256) : pick(r, protos);
    if (v4) {
        random_v4(r, s.src);
        random_v4(r, s.dst);
    } else {
        random_v6(r, s.src);
        random_v6(r, s.dst);
    }
    if (r.chance(3))
        std::copy(s.src, s.src + 16, s.dst);
    s.tos = (uint8_t)r.below(256);
    if (r.chance(25)) {
        static const uint16_t offsets[] = {0, 0, 0, 1, 1, 2, 3, 185, 8190, 8191};
        s.frag = r.chance(20) ? (uint16_t)r.below(8192) : pick(r, offsets);
        s.mf = r.chance(50);
    }
    s.df = v4 && r.chance(40);
    if (v4 && r.chance(25))
        s.v4_options = 4 * (1 + r.below(10));
    if (!v4) {
        static const uint8_t types[] = {EXT_HOP, EXT_ROUTING, EXT_FRAGMENT, EXT_DEST};
        unsigned n = r.chance(50) ? 0 : 1 + r.below(5);
        for (unsigned i = 0; i < n; i++) {
            uint8_t len = r.chance(80) ? (uint8_t)r.below(4) : r.chance(70) ? (uint8_t)(18 + r.below(12))
                                                                             : (uint8_t)r.below(256);
            s.exts.push_back({pick(r, types), len});
        }
        bool has_frag = std::any_of(s.exts.begin(), s.exts.end(), [](const Ext &e) { return e.type == EXT_FRAGMENT; });
        if ((s.frag || s.mf) && !has_frag && r.chance(80))
            s.exts.insert(s.exts.begin() + r.below((uint32_t)s.exts.size() + 1), Ext{EXT_FRAGMENT, 0});
    }
    s.sport = (uint16_t)r.below(65536);
    s.dport = (uint16_t)r.below(65536);
    static const uint8_t flags[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST};
    s.tcp_flags = r.chance(50) ? (uint8_t)r.below(256) : pick(r, flags);
    s.tcp_doff = r.chance(85) ? 5 : (uint8_t)r.below(16);
    s.icmp_type = (uint8_t)r.below(256);
    s.icmp_code = (uint8_t)r.below(256);
    if (r.chance(10))
        s.l4_bytes = (int)r.below(21);
}

} // namespace

Bytes random_frame(Rng &r)
{
    FrameSpec s;
    unsigned tags = r.chance(70) ? 0 : r.chance(50) ? 1 : r.chance(85) ? 2 : 3;
    for (unsigned i = 0; i < tags; i++)
        s.tags.push_back({r.chance(50) ? (uint16_t)0x8100 : (uint16_t)0x88a8, (uint16_t)r.below(65536)});
    unsigned f = r.below(20);
    s.family = f < 9 ? 4 : f < 18 ? 6 : 0;
    if (s.family == 0) {
        static const uint16_t types[] = {0x0806, 0x8847, 0x8864, 0x88cc};
        s.ethertype = r.chance(70) ? pick(r, types) : (uint16_t)r.below(65536);
    } else {
        random_ip(r, s);
    }
    unsigned size = r.below(10);
    s.payload = size < 6 ? r.below(64) : size < 9 ? r.below(300) : r.below(1500);
    s.fill = (uint8_t)r.below(256);
    if (r.chance(20))
        s.pad = r.below(40);
    return frame_build(s);
}

Frame mutate(Rng &r, const Bytes &f)
{
    Frame m{f, (uint32_t)f.size()};
    if (r.chance(50)) {
        switch (r.below(4)) {
        case 0:
            m.len = r.below(m.len + 1);
            break;
        case 1:
            m.len = r.below(400);
            break;
        case 2: {
            static const uint32_t lens[] = {16382, 16383, 16384, 16385, 65535, 65536, 70000};
            m.len = pick(r, lens);
            break;
        }
        default:
            m.len = r.below(20000);
            break;
        }
        if (m.len < m.bytes.size())
            m.bytes.resize(m.len);
    }
    size_t span = std::min<size_t>(128, m.bytes.size());
    for (unsigned n = span ? r.below(5) : 0; n > 0; n--) {
        size_t at = r.below((uint32_t)span);
        m.bytes[at] = r.chance(50) ? (uint8_t)(m.bytes[at] ^ 1u << r.below(8)) : (uint8_t)r.below(256);
    }
    uint16_t type;
    size_t l3 = frame_l3(m.bytes, &type);
    if (l3 && r.chance(50)) {
        uint32_t ip = m.len > l3 ? m.len - (uint32_t)l3 : 0;
        if (type == 0x0800 && l3 + 20 <= m.bytes.size()) {
            if (r.chance(50))
                put16(m.bytes, l3 + 2, (uint16_t)std::min<uint32_t>(ip, 65535));
            ipv4_fix_checksum(m.bytes, l3);
        } else if (type == 0x86dd && l3 + 40 <= m.bytes.size() && r.chance(50)) {
            put16(m.bytes, l3 + 4, (uint16_t)std::min<uint32_t>(ip > 40 ? ip - 40 : 0, 65535));
        }
    }
    return m;
}

} // namespace rtl_tb
