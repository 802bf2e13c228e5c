#include "parse_cases.h"

#include <cstdio>
#include <utility>

extern "C" {
#include "parse.h"
}

namespace rtl_tb {

namespace {

const char *const V4_SRC = "192.0.2.1", *const V4_DST = "198.51.100.1";
const char *const V6_SRC = "2001:db8::1", *const V6_DST = "2001:db8::2";

class Cases {
public:
    std::vector<ParseCase> list;

    void add(std::string name, Bytes f, uint8_t kind, uint8_t mal, uint32_t len)
    {
        list.push_back({std::move(name), std::move(f), len, kind, mal});
    }
    void ok(std::string name, Bytes f)
    {
        uint32_t len = (uint32_t)f.size();
        add(std::move(name), std::move(f), SCRUB_PKT_IP, SCRUB_MAL_NONE, len);
    }
    void bad(std::string name, Bytes f, uint8_t mal)
    {
        uint32_t len = (uint32_t)f.size();
        add(std::move(name), std::move(f), SCRUB_PKT_MALFORMED, mal, len);
    }
    void unparsed(std::string name, Bytes f)
    {
        uint32_t len = (uint32_t)f.size();
        add(std::move(name), std::move(f), SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE, len);
    }
    void nonip(std::string name, Bytes f)
    {
        uint32_t len = (uint32_t)f.size();
        add(std::move(name), std::move(f), SCRUB_PKT_NONIP, SCRUB_MAL_NONE, len);
    }
};

FrameSpec v4(uint8_t proto)
{
    return frame_spec(V4_SRC, V4_DST, proto);
}

FrameSpec v6(uint8_t proto)
{
    return frame_spec(V6_SRC, V6_DST, proto);
}

FrameSpec family(int f, uint8_t proto)
{
    return f == 4 ? v4(proto) : v6(proto);
}

std::string fam(int f, const std::string &what)
{
    return (f == 4 ? "IPv4 " : "IPv6 ") + what;
}

Bytes cut(Bytes f, size_t len)
{
    f.resize(len);
    return f;
}

void l2(Cases &c)
{
    Bytes f = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    c.bad("empty frame", cut(f, 0), SCRUB_MAL_RUNT);
    c.bad("1 byte", cut(f, 1), SCRUB_MAL_RUNT);
    c.bad("13 bytes", cut(f, 13), SCRUB_MAL_RUNT);
    put16(f, 12, 0x0806);
    c.nonip("14-byte ARP header only", cut(f, 14));
    put16(f, 12, 0x0800);
    c.bad("14 bytes, IPv4 ethertype", cut(f, 14), SCRUB_MAL_IP_TRUNCATED);
    put16(f, 12, 0x86dd);
    c.bad("14 bytes, IPv6 ethertype", cut(f, 14), SCRUB_MAL_IP_TRUNCATED);

    put16(f, 12, 0x8100);
    c.bad("802.1Q tag missing", cut(f, 14), SCRUB_MAL_RUNT);
    c.bad("802.1Q tag cut after 3 bytes", cut(f, 17), SCRUB_MAL_RUNT);
    put16(f, 14, 0xe064);
    put16(f, 16, 0x0806);
    c.nonip("802.1Q tag whole (PCP 7), ARP", cut(f, 18));
    put16(f, 12, 0x88a8);
    put16(f, 16, 0x8100);
    c.bad("802.1ad tag, inner tag missing", cut(f, 18), SCRUB_MAL_RUNT);
    c.bad("802.1ad tag, inner tag cut", cut(f, 21), SCRUB_MAL_RUNT);
    put16(f, 18, 0x1fff);
    put16(f, 20, 0x8100);
    c.unparsed("third tag, cut", cut(f, 22));
    c.unparsed("third tag, whole", cut(f, 26));
    put16(f, 20, 0x88a8);
    c.unparsed("third tag 0x88a8", f);

    static const uint16_t nonip_types[] = {0x0806, 0x8847, 0x8864, 0x88cc, 0x0801, 0x86dc, 0x0000, 0xffff};
    for (uint16_t t : nonip_types) {
        FrameSpec s;
        s.family = 0;
        s.ethertype = t;
        s.payload = 46;
        char name[64];
        std::snprintf(name, sizeof(name), "ethertype 0x%04x", t);
        c.nonip(name, frame_build(s));
        s.tags = {{0x8100, 0x0123}};
        std::snprintf(name, sizeof(name), "ethertype 0x%04x behind a tag", t);
        c.nonip(name, frame_build(s));
    }

    FrameSpec s = v4(PROTO_UDP);
    s.tags = {{0x88a8, 10}, {0x8100, 200}};
    c.ok("QinQ UDP", frame_build(s));
    s.tags = {{0x8100, 0xf00a}, {0x88a8, 0xafff}};
    c.ok("0x8100 outside 0x88a8, PCP and DEI set", frame_build(s));
    s.tags = {{0x8100, 0}};
    c.ok("VID 0 tag", frame_build(s));
    Bytes q = frame_build(s);
    c.bad("19 bytes of IPv4 behind a tag", cut(q, 18 + 19), SCRUB_MAL_IP_TRUNCATED);
    s = v6(PROTO_TCP);
    s.tags = {{0x88a8, 4095}, {0x8100, 1}};
    c.ok("QinQ IPv6 TCP", frame_build(s));

    /* GIANT is the end of frame's check, not the parser's. */
    s = v4(PROTO_UDP);
    s.payload = SCRUB_MAX_FRAME + 1 - 14 - 28;
    Bytes big = frame_build(s);
    c.ok("16384-byte frame", big);
    big[14 + 10] ^= 0xff;
    c.bad("16384-byte frame with a bad checksum", big, SCRUB_MAL_IPV4_CHECKSUM);
    Bytes small = frame_build(v4(PROTO_TCP));
    c.add("length 65535, garbage past the IP packet", small, SCRUB_PKT_IP, SCRUB_MAL_NONE, 65535);
    c.add("length 70000 (s_len saturates)", small, SCRUB_PKT_IP, SCRUB_MAL_NONE, 70000);
}

void ipv4(Cases &c)
{
    Bytes f = frame_build(v4(PROTO_TCP));
    Bytes g = f;
    g[14] = 0x65;
    c.bad("IPv4 ethertype, version 6", g, SCRUB_MAL_IP_VERSION);
    g[14] = 0x54;
    c.bad("version 5 and IHL 4: the version first", g, SCRUB_MAL_IP_VERSION);
    g[14] = 0x44;
    c.bad("IHL 4", g, SCRUB_MAL_IPV4_IHL);
    g[14] = 0x40;
    c.bad("IHL 0", g, SCRUB_MAL_IPV4_IHL);
    g[14] = 0x44;
    put16(g, 16, 2000);
    c.bad("IHL 4 and total length beyond the frame: IHL first", g, SCRUB_MAL_IPV4_IHL);
    g = frame_build(v6(PROTO_TCP));
    g[14] = (uint8_t)((g[14] & 0x0f) | 0x40);
    c.bad("IPv6 ethertype, version 4", g, SCRUB_MAL_IP_VERSION);

    FrameSpec s = v4(PROTO_UDP);
    s.payload = 8;
    f = frame_build(s);
    c.ok("UDP with 8 bytes of payload", f);
    c.bad("19 bytes of IPv4", cut(f, 14 + 19), SCRUB_MAL_IP_TRUNCATED);
    c.bad("20 bytes of IPv4, total length 36", cut(f, 14 + 20), SCRUB_MAL_IP_TRUNCATED);
    g = f;
    g[14] = 0x4f;
    ipv4_fix_checksum(g, 14);
    c.bad("IHL 15 in a 36-byte packet", g, SCRUB_MAL_IP_TRUNCATED);
    g = f;
    put16(g, 16, 19);
    ipv4_fix_checksum(g, 14);
    c.bad("total length 19", g, SCRUB_MAL_IP_TRUNCATED);
    g = f;
    g[14] = 0x46;
    put16(g, 16, 20);
    ipv4_fix_checksum(g, 14);
    c.bad("total length 20 below a 24-byte header", g, SCRUB_MAL_IP_TRUNCATED);
    g = f;
    put16(g, 16, 37);
    ipv4_fix_checksum(g, 14);
    c.bad("total length one beyond the frame", g, SCRUB_MAL_IP_TRUNCATED);
    g[24] ^= 0x55;
    c.bad("total length beyond the frame and a bad checksum", g, SCRUB_MAL_IP_TRUNCATED);
    s.pad = 30;
    c.ok("padding after the total length", frame_build(s));

    /* An IP length past the frame's end is the parser's only when the
     * frame ends within the window. */
    s = v4(PROTO_NONE);
    s.pad = 256 - 34;
    f = frame_build(s);
    g = f;
    put16(g, 16, 256 - 14 + 1);
    ipv4_fix_checksum(g, 14);
    c.bad("total length one beyond a 256-byte frame", g, SCRUB_MAL_IP_TRUNCATED);
    g = f;
    g.push_back(0);
    put16(g, 16, 257 - 14 + 1);
    ipv4_fix_checksum(g, 14);
    c.ok("total length one beyond a 257-byte frame", g);
    g.resize(300);
    put16(g, 16, 65535);
    ipv4_fix_checksum(g, 14);
    c.ok("total length 65535 in a 300-byte frame (the IP end wraps)", g);
    s.tags = {{0x8100, 1}, {0x8100, 2}};
    s.pad = 0;
    g = frame_build(s);
    g.resize(400);
    put16(g, 24, 65535 - 7);
    ipv4_fix_checksum(g, 22);
    c.ok("total length 65528 behind two tags in a 400-byte frame", g);

    s = v4(PROTO_TCP);
    f = frame_build(s);
    g = f;
    g[25] ^= 1;
    c.bad("checksum off by one bit", g, SCRUB_MAL_IPV4_CHECKSUM);
    g = f;
    g[22] = 63;
    c.bad("TTL changed, checksum not", g, SCRUB_MAL_IPV4_CHECKSUM);
    s.v4_options = 8;
    g = frame_build(s);
    c.ok("8 bytes of options", g);
    g[14 + 24] = 0;
    c.bad("an option byte changed", g, SCRUB_MAL_IPV4_CHECKSUM);
    s.v4_options = 40;
    g = frame_build(s);
    c.ok("IHL 15", g);
    g[14 + 59] ^= 0x80;
    c.bad("the last option byte changed", g, SCRUB_MAL_IPV4_CHECKSUM);
    s.tags = {{0x8100, 5}, {0x8100, 6}};
    c.ok("IHL 15 behind two tags", frame_build(s));
    /* Both ones' complement zeros in the checksum field are good. */
    s = v4(PROTO_UDP);
    for (unsigned id = 0; id < 0x10000; id++) {
        g = frame_build(s);
        put16(g, 18, (uint16_t)id);
        ipv4_fix_checksum(g, 14);
        if (g[24] == 0 && g[25] == 0)
            break;
    }
    c.ok("checksum field 0x0000", g);
    put16(g, 24, 0xffff);
    c.ok("checksum field 0xffff, the other zero", g);

    f = frame_build(frame_spec("127.0.0.1", V4_DST, PROTO_TCP));
    f[24] ^= 0x10;
    c.bad("bad checksum and a martian source: the checksum first", f, SCRUB_MAL_IPV4_CHECKSUM);

    static const char *const bad_src[] = {"0.0.0.0",   "0.255.255.255",   "127.0.0.1", "127.255.255.254",
                                          "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255"};
    static const char *const good_src[] = {"1.0.0.0", "126.255.255.255", "128.0.0.1", "223.255.255.255"};
    static const char *const bad_dst[] = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.1.2.3"};
    static const char *const good_dst[] = {"1.0.0.1", "126.255.255.255", "224.0.0.5", "240.0.0.1",
                                           "255.255.255.255"};
    for (const char *a : bad_src)
        c.bad(std::string("source ") + a, frame_build(frame_spec(a, V4_DST, PROTO_TCP)), SCRUB_MAL_MARTIAN);
    for (const char *a : good_src)
        c.ok(std::string("source ") + a, frame_build(frame_spec(a, V4_DST, PROTO_TCP)));
    for (const char *a : bad_dst)
        c.bad(std::string("destination ") + a, frame_build(frame_spec(V4_SRC, a, PROTO_TCP)), SCRUB_MAL_MARTIAN);
    for (const char *a : good_dst)
        c.ok(std::string("destination ") + a, frame_build(frame_spec(V4_SRC, a, PROTO_UDP)));
    c.bad("IPv4 source = destination", frame_build(frame_spec(V4_SRC, V4_SRC, PROTO_TCP)), SCRUB_MAL_LAND);
    c.bad("127.0.0.1 to itself: martian first", frame_build(frame_spec("127.0.0.1", "127.0.0.1", PROTO_TCP)),
          SCRUB_MAL_MARTIAN);
    s = frame_spec(V4_SRC, V4_SRC, PROTO_UDP);
    s.frag = 8191;
    s.payload = 16;
    c.bad("land and an oversize fragment: land first", frame_build(s), SCRUB_MAL_LAND);

    s = v4(PROTO_TCP);
    s.tos = 0xff;
    c.ok("TOS 0xff", frame_build(s));
    s.tos = 0xb9;
    s.df = true;
    c.ok("DSCP 46, ECN 1, DF", frame_build(s));
}

void ipv6(Cases &c)
{
    FrameSpec s = v6(PROTO_UDP);
    s.payload = 8;
    Bytes f = frame_build(s);
    c.ok("IPv6 UDP", f);
    c.bad("39 bytes of IPv6", cut(f, 14 + 39), SCRUB_MAL_IP_TRUNCATED);
    Bytes g = f;
    put16(g, 18, 0);
    c.bad("IPv6 payload length 0", g, SCRUB_MAL_IP_TRUNCATED);
    put16(g, 18, 17);
    c.bad("IPv6 payload length one beyond the frame", g, SCRUB_MAL_IP_TRUNCATED);
    g[14] = 0x50;
    c.bad("IPv6 version 5 and a bad payload length: the version first", g, SCRUB_MAL_IP_VERSION);
    s.pad = 20;
    c.ok("IPv6 with padding", frame_build(s));
    s = v6(PROTO_NONE);
    s.payload = 10;
    s.pad = 256 - 64;
    f = frame_build(s);
    g = f;
    put16(g, 18, 256 - 54 + 1);
    c.bad("IPv6 payload length one beyond a 256-byte frame", g, SCRUB_MAL_IP_TRUNCATED);
    g.push_back(0);
    put16(g, 18, 257 - 54 + 1);
    c.ok("IPv6 payload length one beyond a 257-byte frame", g);
    put16(g, 18, 65535 - 40);
    c.ok("IPv6 payload length 65495 in a 257-byte frame (the IP end wraps)", g);
    /* 40 + payload length above 65535 is past any frame's end. */
    put16(g, 18, 65535 - 39);
    c.bad("IPv6 payload length 65496 in a 257-byte frame", g, SCRUB_MAL_IP_TRUNCATED);
    s = v6(PROTO_UDP);
    s.payload = 300;
    g = frame_build(s);
    put16(g, 18, 65535 - 40);
    c.bad("IPv6 payload length 65495 and a UDP length of 308", g, SCRUB_MAL_UDP_LENGTH);
    s.pad = 0;
    s.tos = 0xfe;
    c.ok("traffic class 0xfe", frame_build(s));

    static const char *const bad_src[] = {"::", "::1", "::ffff:192.0.2.1", "::ffff:0.0.0.0", "ff02::1", "ff0e::1"};
    static const char *const good_src[] = {"::2",      "::192.0.2.1", "fe80::1", "2001:db8::1:0:0:1", "::100:1",
                                           "::1:0:0:1", "::fffe:0:1",  "0:0:0:0:1:ffff::1", "fe00::1"};
    static const char *const bad_dst[] = {"::", "::1", "::ffff:198.51.100.1"};
    static const char *const good_dst[] = {"ff02::1", "::2", "fe80::2", "::ffff:0:0:1"};
    for (const char *a : bad_src)
        c.bad(std::string("source ") + a, frame_build(frame_spec(a, V6_DST, PROTO_TCP)), SCRUB_MAL_MARTIAN);
    for (const char *a : good_src)
        c.ok(std::string("source ") + a, frame_build(frame_spec(a, V6_DST, PROTO_TCP)));
    for (const char *a : bad_dst)
        c.bad(std::string("destination ") + a, frame_build(frame_spec(V6_SRC, a, PROTO_TCP)), SCRUB_MAL_MARTIAN);
    for (const char *a : good_dst)
        c.ok(std::string("destination ") + a, frame_build(frame_spec(V6_SRC, a, PROTO_TCP)));
    c.bad("IPv6 source = destination", frame_build(frame_spec(V6_SRC, V6_SRC, PROTO_TCP)), SCRUB_MAL_LAND);
    c.bad("::1 to itself: martian first", frame_build(frame_spec("::1", "::1", PROTO_TCP)), SCRUB_MAL_MARTIAN);
    s = frame_spec(V6_SRC, V6_SRC, PROTO_TCP);
    s.exts = {{EXT_DEST, 0}, {EXT_HOP, 0}};
    c.bad("land and hop-by-hop out of place: land first", frame_build(s), SCRUB_MAL_LAND);
}

/* Extension headers: a chain ending in proto. */
FrameSpec chain(std::vector<Ext> exts, uint8_t proto)
{
    FrameSpec s = v6(proto);
    s.exts = std::move(exts);
    return s;
}

void ipv6_ext(Cases &c)
{
    c.ok("hop-by-hop first", frame_build(chain({{EXT_HOP, 0}, {EXT_DEST, 0}}, PROTO_TCP)));
    c.bad("hop-by-hop second", frame_build(chain({{EXT_DEST, 0}, {EXT_HOP, 0}}, PROTO_TCP)), SCRUB_MAL_IPV6_EXT);
    c.bad("hop-by-hop third", frame_build(chain({{EXT_HOP, 0}, {EXT_ROUTING, 0}, {EXT_HOP, 0}}, PROTO_TCP)),
          SCRUB_MAL_IPV6_EXT);
    c.bad("two fragment headers", frame_build(chain({{EXT_FRAGMENT, 0}, {EXT_FRAGMENT, 0}}, PROTO_TCP)),
          SCRUB_MAL_IPV6_EXT);
    c.bad("two fragment headers apart",
          frame_build(chain({{EXT_FRAGMENT, 0}, {EXT_DEST, 0}, {EXT_FRAGMENT, 0}}, PROTO_TCP)),
          SCRUB_MAL_IPV6_EXT);
    c.ok("four headers", frame_build(chain({{EXT_HOP, 1}, {EXT_ROUTING, 2}, {EXT_FRAGMENT, 0}, {EXT_DEST, 0}},
                                           PROTO_UDP)));
    c.unparsed("five headers",
               frame_build(chain({{EXT_HOP, 0}, {EXT_ROUTING, 0}, {EXT_DEST, 0}, {EXT_ROUTING, 0}, {EXT_DEST, 0}},
                                 PROTO_TCP)));
    c.unparsed("five headers, the fifth a fragment header",
               frame_build(chain({{EXT_DEST, 0}, {EXT_ROUTING, 0}, {EXT_DEST, 0}, {EXT_ROUTING, 0},
                                  {EXT_FRAGMENT, 0}},
                                 PROTO_TCP)));
    c.bad("five headers, the fifth hop-by-hop",
          frame_build(chain({{EXT_HOP, 0}, {EXT_ROUTING, 0}, {EXT_DEST, 0}, {EXT_ROUTING, 0}, {EXT_HOP, 0}},
                            PROTO_TCP)),
          SCRUB_MAL_IPV6_EXT);

    FrameSpec s = chain({{EXT_DEST, 2}}, PROTO_NONE);
    Bytes f = frame_build(s);
    c.ok("24-byte destination options, no next header", f);
    Bytes g = cut(f, 14 + 40 + 16);
    put16(g, 18, 16);
    c.bad("destination options past the payload", g, SCRUB_MAL_IPV6_EXT);
    g = cut(f, 14 + 40 + 1);
    put16(g, 18, 1);
    c.bad("one byte of an extension header", g, SCRUB_MAL_IPV6_EXT);
    s.exts = {{EXT_FRAGMENT, 0}};
    f = frame_build(s);
    c.ok("atomic fragment, no next header", f);
    g = cut(f, 14 + 40 + 6);
    put16(g, 18, 6);
    c.bad("fragment header cut by the payload length", g, SCRUB_MAL_IPV6_EXT);
    f = frame_build(chain({{EXT_ROUTING, 0}, {EXT_DEST, 1}}, PROTO_TCP));
    g = cut(f, 14 + 40 + 16);
    put16(g, 18, 16);
    c.bad("second header reaching past the payload", g, SCRUB_MAL_IPV6_EXT);

    /* The window: a header's first bytes (2; 8 for a fragment header) at
     * 14 + 40 + 200 = 254 fit, at 262 they do not. */
    s = chain({{EXT_ROUTING, 24}, {EXT_DEST, 0}}, PROTO_NONE);
    c.ok("destination options at bytes 254-255", frame_build(s));
    s.exts[0].len = 25;
    c.unparsed("destination options at byte 262", frame_build(s));
    s.tags = {{0x8100, 7}};
    s.exts[0].len = 24;
    c.unparsed("destination options at byte 258 (behind a tag)", frame_build(s));
    s = chain({{EXT_ROUTING, 23}, {EXT_FRAGMENT, 0}}, PROTO_NONE);
    c.ok("fragment header at bytes 246-253", frame_build(s));
    s.exts[0].len = 24;
    c.unparsed("fragment header at byte 254", frame_build(s));
    s = chain({{EXT_ROUTING, 25}, {EXT_DEST, 0}}, PROTO_NONE);
    g = frame_build(s);
    put16(g, 18, 208);
    c.bad("a header past the payload and the window: the payload first", cut(g, 14 + 40 + 208),
          SCRUB_MAL_IPV6_EXT);
    s = chain({{EXT_HOP, 255}}, PROTO_TCP);
    c.unparsed("2048-byte hop-by-hop, then TCP", frame_build(s));

    /* A later fragment ends the walk: its next header is the protocol. */
    s = chain({{EXT_FRAGMENT, 0}}, EXT_DEST);
    s.frag = 5;
    s.payload = 16;
    c.ok("later fragment, next header destination options", frame_build(s));
    s = chain({{EXT_HOP, 0}, {EXT_FRAGMENT, 0}, {EXT_DEST, 0}}, PROTO_UDP);
    s.mf = true;
    s.payload = 8;
    c.ok("first fragment, then destination options and UDP", frame_build(s));
}

/* A fragment of proto carrying payload bytes of the IP payload (the L4
 * header, cut if need be, in a first fragment). */
FrameSpec fragment(int f, uint8_t proto, uint16_t offset, bool more, unsigned payload)
{
    FrameSpec s = family(f, proto);
    s.frag = offset;
    s.mf = more;
    if (f == 6)
        s.exts = {{EXT_FRAGMENT, 0}};
    unsigned header = proto == PROTO_TCP ? 20 : 8;
    if (offset != 0)
        s.payload = payload;
    else if (payload <= header)
        s.l4_bytes = (int)payload;
    else
        s.payload = payload - header;
    return s;
}

void fragments(Cases &c)
{
    struct {
        uint8_t proto;
        uint16_t offset;
        bool more;
        unsigned payload;
        uint8_t mal;
    } const table[] = {
        /* FRAG_OVERSIZE: offset x 8 + payload > 65535 */
        {PROTO_UDP, 8191, false, 16, SCRUB_MAL_FRAG_OVERSIZE},
        {PROTO_UDP, 8191, false, 8, SCRUB_MAL_FRAG_OVERSIZE},
        {PROTO_UDP, 8191, false, 7, SCRUB_MAL_NONE},
        {PROTO_UDP, 8190, false, 15, SCRUB_MAL_NONE},
        {PROTO_UDP, 8190, false, 16, SCRUB_MAL_FRAG_OVERSIZE},
        {PROTO_UDP, 8191, true, 12, SCRUB_MAL_FRAG_OVERSIZE}, /* before FRAG_ALIGN */
        /* FRAG_ALIGN: MF and a payload not a multiple of 8 */
        {PROTO_UDP, 0, true, 12, SCRUB_MAL_FRAG_ALIGN},
        {PROTO_UDP, 2, true, 12, SCRUB_MAL_FRAG_ALIGN},
        {PROTO_UDP, 2, false, 12, SCRUB_MAL_NONE},
        {PROTO_UDP, 2, true, 16, SCRUB_MAL_NONE},
        {PROTO_UDP, 0, true, 16, SCRUB_MAL_NONE},
        {PROTO_TCP, 0, true, 12, SCRUB_MAL_FRAG_ALIGN}, /* before FRAG_TINY */
        {PROTO_TCP, 1, true, 12, SCRUB_MAL_FRAG_ALIGN}, /* before FRAG_OVERLAP */
        /* FRAG_OVERLAP: TCP at offset 1 */
        {PROTO_TCP, 1, true, 8, SCRUB_MAL_FRAG_OVERLAP},
        {PROTO_TCP, 1, false, 8, SCRUB_MAL_FRAG_OVERLAP},
        {PROTO_TCP, 2, false, 8, SCRUB_MAL_NONE},
        {PROTO_UDP, 1, false, 8, SCRUB_MAL_NONE},
        {PROTO_ICMP, 1, false, 8, SCRUB_MAL_NONE},
        {PROTO_TCP, 185, false, 1000, SCRUB_MAL_NONE},
        /* FRAG_TINY: a first fragment too short for its L4 header */
        {PROTO_TCP, 0, true, 16, SCRUB_MAL_FRAG_TINY},
        {PROTO_TCP, 0, true, 0, SCRUB_MAL_FRAG_TINY},
        {PROTO_TCP, 0, true, 24, SCRUB_MAL_NONE},
        {PROTO_UDP, 0, true, 0, SCRUB_MAL_FRAG_TINY},
        {PROTO_ICMP, 0, true, 0, SCRUB_MAL_FRAG_TINY},
        {PROTO_ICMPV6, 0, true, 0, SCRUB_MAL_FRAG_TINY},
        {PROTO_NONE, 0, true, 0, SCRUB_MAL_NONE},
        {47, 3, true, 64, SCRUB_MAL_NONE},
    };
    for (int f = 4; f <= 6; f += 2) {
        for (const auto &t : table) {
            char name[96];
            std::snprintf(name, sizeof(name), "fragment of proto %u at offset %u%s, %u bytes", t.proto, t.offset,
                          t.more ? " MF" : "", t.payload);
            Bytes b = frame_build(fragment(f, t.proto, t.offset, t.more, t.payload));
            if (t.mal == SCRUB_MAL_NONE)
                c.ok(fam(f, name), b);
            else
                c.bad(fam(f, name), b, t.mal);
        }
        FrameSpec s = fragment(f, PROTO_TCP, 0, true, 24);
        s.tcp_doff = 8;
        s.payload = 0;
        s.l4_bytes = 24;
        c.bad(fam(f, "first fragment, TCP header of 32 in 24 bytes"), frame_build(s), SCRUB_MAL_FRAG_TINY);
        s.l4_bytes = -1;
        c.ok(fam(f, "first fragment, TCP header of 32 in 32 bytes"), frame_build(s));
        s = fragment(f, PROTO_UDP, 0, true, 8);
        s.payload = 8;
        Bytes b = frame_build(s);
        put16(b, b.size() - 16 + 4, 4000);
        c.ok(fam(f, "first fragment's UDP length covers the datagram"), b);
    }
    c.bad("IPv6 atomic fragment with 16 bytes of TCP", frame_build(fragment(6, PROTO_TCP, 0, false, 16)),
          SCRUB_MAL_L4_TRUNCATED);
    FrameSpec s = fragment(4, PROTO_UDP, 0, false, 8);
    s.df = true;
    c.ok("IPv4 DF", frame_build(s));
    s = fragment(4, PROTO_UDP, 100, false, 8);
    s.df = true;
    c.ok("IPv4 DF on a last fragment", frame_build(s));
}

void l4(Cases &c)
{
    for (int f = 4; f <= 6; f += 2) {
        uint8_t icmp = f == 4 ? PROTO_ICMP : PROTO_ICMPV6;
        FrameSpec s = family(f, PROTO_TCP);
        Bytes b = frame_build(s);
        size_t l4 = b.size() - 20;
        c.ok(fam(f, "TCP SYN"), b);
        b[l4 + 12] = 0x40;
        c.bad(fam(f, "TCP data offset 4"), b, SCRUB_MAL_TCP_DOFF);
        b[l4 + 12] = 0x00;
        b[l4 + 13] = 0;
        c.bad(fam(f, "TCP data offset 0 and no flags: the offset first"), b, SCRUB_MAL_TCP_DOFF);
        s.l4_bytes = 19;
        b = frame_build(s);
        c.bad(fam(f, "19 bytes of TCP"), b, SCRUB_MAL_L4_TRUNCATED);
        b[l4 + 12] = 0x40;
        c.bad(fam(f, "19 bytes of TCP with data offset 4: the length first"), b, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = 20;
        s.tcp_doff = 6;
        b = frame_build(s);
        c.bad(fam(f, "TCP data offset 6 in 20 bytes"), b, SCRUB_MAL_L4_TRUNCATED);
        b[l4 + 13] = 0;
        c.bad(fam(f, "TCP data offset 6 in 20 bytes, no flags: the length first"), b, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = -1;
        c.ok(fam(f, "TCP with 4 bytes of options"), frame_build(s));
        s.tcp_doff = 15;
        s.payload = 100;
        c.ok(fam(f, "TCP with 40 bytes of options"), frame_build(s));

        s = family(f, PROTO_UDP);
        s.l4_bytes = 7;
        c.bad(fam(f, "7 bytes of UDP"), frame_build(s), SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = -1;
        c.ok(fam(f, "bare UDP header"), frame_build(s));
        s.payload = 100;
        b = frame_build(s);
        c.ok(fam(f, "UDP with 100 bytes"), b);
        put16(b, b.size() - 108 + 4, 107);
        c.bad(fam(f, "UDP length one short"), b, SCRUB_MAL_UDP_LENGTH);
        put16(b, b.size() - 108 + 4, 109);
        c.bad(fam(f, "UDP length one long"), b, SCRUB_MAL_UDP_LENGTH);
        s.payload = 0;
        s.pad = 10;
        c.ok(fam(f, "UDP with padding after the IP packet"), frame_build(s));

        s = family(f, icmp);
        s.l4_bytes = 7;
        c.bad(fam(f, "7 bytes of ICMP"), frame_build(s), SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = 0;
        /* In IPv6 that is a payload length of 0. */
        c.bad(fam(f, "no ICMP header"), frame_build(s), f == 4 ? SCRUB_MAL_L4_TRUNCATED : SCRUB_MAL_IP_TRUNCATED);
        s.l4_bytes = -1;
        s.icmp_type = 3;
        s.icmp_code = 13;
        c.ok(fam(f, "ICMP unreachable"), frame_build(s));
        s.proto = f == 4 ? PROTO_ICMPV6 : PROTO_ICMP;
        c.ok(fam(f, "the other family's ICMP"), frame_build(s));
        static const uint8_t others[] = {47, 50, PROTO_NONE, 132, 255};
        for (uint8_t p : others) {
            s = family(f, p);
            s.payload = 30;
            char name[48];
            std::snprintf(name, sizeof(name), "protocol %u", p);
            c.ok(fam(f, name), frame_build(s));
        }
    }

    static const uint8_t bad[] = {0,
                                  TCP_ECE | TCP_CWR,
                                  TCP_SYN | TCP_FIN,
                                  TCP_SYN | TCP_RST,
                                  TCP_SYN | TCP_FIN | TCP_ACK,
                                  TCP_SYN | TCP_RST | TCP_ACK,
                                  TCP_SYN | TCP_FIN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG,
                                  TCP_FIN,
                                  TCP_FIN | TCP_PSH,
                                  TCP_FIN | TCP_URG,
                                  TCP_FIN | TCP_RST};
    static const uint8_t good[] = {TCP_SYN,
                                   TCP_SYN | TCP_ACK,
                                   TCP_ACK,
                                   TCP_FIN | TCP_ACK,
                                   TCP_FIN | TCP_ACK | TCP_PSH,
                                   TCP_RST,
                                   TCP_RST | TCP_ACK,
                                   TCP_RST | TCP_FIN | TCP_ACK,
                                   TCP_PSH,
                                   TCP_URG,
                                   TCP_SYN | TCP_ECE | TCP_CWR,
                                   TCP_SYN | TCP_ACK | TCP_PSH | TCP_URG};
    for (int f = 4; f <= 6; f += 2) {
        FrameSpec s = family(f, PROTO_TCP);
        char name[48];
        for (uint8_t flags : bad) {
            s.tcp_flags = flags;
            std::snprintf(name, sizeof(name), "TCP flags 0x%02x", flags);
            c.bad(fam(f, name), frame_build(s), SCRUB_MAL_TCP_FLAGS);
        }
        for (uint8_t flags : good) {
            s.tcp_flags = flags;
            std::snprintf(name, sizeof(name), "TCP flags 0x%02x", flags);
            c.ok(fam(f, name), frame_build(s));
        }
    }

    /* The window: the fixed L4 header must end by byte 256. IPv6 behind a
     * routing header of 8 * (len + 1) bytes puts it at 54 + that. */
    struct {
        uint8_t proto, routing_len;
        bool fits;
    } const window[] = {
        {PROTO_UDP, 23, true},     /* 246..253 */
        {PROTO_UDP, 24, false},    /* 254..261 */
        {PROTO_ICMPV6, 23, true},
        {PROTO_ICMPV6, 24, false},
        {PROTO_TCP, 21, true},     /* 230..249 */
        {PROTO_TCP, 22, false},    /* 238..257 */
        {PROTO_NONE, 30, true},
    };
    for (const auto &w : window) {
        FrameSpec s = chain({{EXT_ROUTING, w.routing_len}}, w.proto);
        s.payload = 40;
        char name[64];
        std::snprintf(name, sizeof(name), "protocol %u at byte %u", w.proto, 54 + 8 * (w.routing_len + 1));
        if (w.fits)
            c.ok(name, frame_build(s));
        else
            c.unparsed(name, frame_build(s));
    }
    FrameSpec s = chain({{EXT_ROUTING, 21}}, PROTO_TCP);
    s.tcp_doff = 15;
    c.ok("TCP options past the window", frame_build(s));
    s.tcp_flags = TCP_FIN;
    c.bad("TCP options past the window, flags FIN", frame_build(s), SCRUB_MAL_TCP_FLAGS);
    s = chain({{EXT_ROUTING, 24}}, PROTO_UDP);
    s.l4_bytes = 4;
    c.bad("4 bytes of UDP at byte 254: the length first", frame_build(s), SCRUB_MAL_L4_TRUNCATED);
    s = chain({{EXT_ROUTING, 22}}, PROTO_TCP);
    s.tcp_doff = 4;
    c.unparsed("TCP data offset 4 past the window: the window first", frame_build(s));
}

} // namespace

std::vector<ParseCase> parse_cases()
{
    Cases c;
    l2(c);
    ipv4(c);
    ipv6(c);
    ipv6_ext(c);
    fragments(c);
    l4(c);
    return c.list;
}

} // namespace rtl_tb
