/* The parser (docs/card.md, "Parser"): every malformation reason in the
 * spec's order, unparsed and non-IP frames, the exception actions of
 * CFG_ACTIONS, and what the parser hands the ACL (VLAN, protocol, fragment
 * bits, ports, DSCP), observed through ACL entries. Table-driven checks
 * report every mismatching case before failing. */
#include <stdio.h>
#include <string.h>

#include "card_test.h"

enum kind { WELL_FORMED, MALFORMED, UNPARSED, NONIP };

#define ALL_ACTIONS                                                                                          \
    (SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK | SCRUB_CFG_ACTIONS_NONIP_MASK | SCRUB_CFG_ACTIONS_UNPARSED_MASK |  \
     SCRUB_CFG_ACTIONS_MALFORMED_MASK)

static const uint32_t kind_action[] = {0, SCRUB_CFG_ACTIONS_MALFORMED_MASK, SCRUB_CFG_ACTIONS_UNPARSED_MASK,
                                       SCRUB_CFG_ACTIONS_NONIP_MASK};
static const uint8_t kind_drop[] = {0, SCRUB_GSTAT_DROP_MALFORMED, SCRUB_GSTAT_DROP_UNPARSED, SCRUB_GSTAT_DROP_NONIP};
static const char *const kind_name[] = {"well formed", "malformed", "unparsed", "non-IP"};

static unsigned failures;

static void mismatch(const char *what, const char *fmt, unsigned long a, unsigned long b)
{
    char msg[256];
    snprintf(msg, sizeof(msg), fmt, a, b);
    print_error("  %s: %s\n", what, msg);
    failures++;
}

#define CHECK(what, got, want, label)                                                                        \
    do {                                                                                                   \
        if ((unsigned long)(got) != (unsigned long)(want))                                                 \
            mismatch(what, label " %lu, want %lu", (unsigned long)(got), (unsigned long)(want));           \
    } while (0)

/* Sends the frame to a fresh card twice: with the action of its kind set
 * to pass (every other action drop) and set to drop. Checks the verdict and
 * every global counter. */
static void expect_frame(const char *what, const uint8_t *f, uint32_t len, enum kind k, uint8_t mal)
{
    for (int drop = 0; drop < 2; drop++) {
        if (k == WELL_FORMED && drop)
            break;
        struct scrub_model *m = card_new();
        card_actions(m, k == WELL_FORMED ? ALL_ACTIONS : drop ? kind_action[k] : ALL_ACTIONS & ~kind_action[k]);
        struct scrub_verdict v = card_send_frame(m, f, len, 1000);
        uint8_t outcome = k == WELL_FORMED ? SCRUB_GSTAT_PASS_UNPROTECTED
                          : drop           ? kind_drop[k]
                                           : SCRUB_GSTAT_PASS_EXCEPTION;
        char ctx[200];
        snprintf(ctx, sizeof(ctx), "%s (%s, action %s)", what, kind_name[k], drop ? "drop" : "pass");
        CHECK(ctx, v.mal, mal, "mal");
        CHECK(ctx, v.gstat, outcome, "gstat");
        CHECK(ctx, v.pass, !drop, "pass");
        card_snapshot(m);
        for (uint32_t i = 0; i < SCRUB_GSTAT_COUNT; i++) {
            bool counted = i == SCRUB_GSTAT_RX || i == outcome || (i == SCRUB_GSTAT_TX && !drop) ||
                           (k == MALFORMED && i == SCRUB_GSTAT_MALFORMED_BASE + mal) ||
                           (k == UNPARSED && i == SCRUB_GSTAT_SEEN_UNPARSED) ||
                           (k == NONIP && i == SCRUB_GSTAT_SEEN_NONIP);
            struct scrub_counter c = card_gstat(m, i);
            char ctr[240];
            snprintf(ctr, sizeof(ctr), "%s GSTAT[%u]", ctx, i);
            CHECK(ctr, c.packets, counted ? 1 : 0, "packets");
            CHECK(ctr, c.bytes, counted ? len : 0, "bytes");
        }
        card_free(m);
    }
}

static void expect(const char *what, const struct pkt *p, enum kind k, uint8_t mal)
{
    expect_frame(what, p->b, p->len, k, mal);
}

static void expect_mal(const char *what, const struct pkt *p, uint8_t mal)
{
    expect(what, p, MALFORMED, mal);
}

static void expect_ok(const char *what, const struct pkt *p)
{
    expect(what, p, WELL_FORMED, SCRUB_MAL_NONE);
}

static void done(void)
{
    assert_int_equal(failures, 0);
}

static struct pkt P; /* the frame under test */

static void build(const struct pkt_spec *s)
{
    pkt_build(&P, s);
}

/* ---- 1. Ethernet and VLAN ------------------------------------------------------------ */

static void runt_and_cut_vlan_tags(void **state)
{
    (void)state;
    failures = 0;
    uint8_t f[64] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    expect_frame("empty frame", f, 0, MALFORMED, SCRUB_MAL_RUNT);
    expect_frame("1 byte", f, 1, MALFORMED, SCRUB_MAL_RUNT);
    expect_frame("13 bytes", f, 13, MALFORMED, SCRUB_MAL_RUNT);
    f[12] = 0x08, f[13] = 0x06;
    expect_frame("14-byte ARP header only", f, 14, NONIP, SCRUB_MAL_NONE);
    f[12] = 0x08, f[13] = 0x00;
    expect_frame("14 bytes, IPv4 ethertype", f, 14, MALFORMED, SCRUB_MAL_IP_TRUNCATED);

    f[12] = 0x81, f[13] = 0x00;
    expect_frame("802.1Q tag missing", f, 14, MALFORMED, SCRUB_MAL_RUNT);
    expect_frame("802.1Q tag cut after 3 bytes", f, 17, MALFORMED, SCRUB_MAL_RUNT);
    f[14] = 0x00, f[15] = 0x64, f[16] = 0x08, f[17] = 0x06;
    expect_frame("802.1Q tag whole, ARP", f, 18, NONIP, SCRUB_MAL_NONE);
    f[12] = 0x88, f[13] = 0xa8, f[16] = 0x81, f[17] = 0x00;
    expect_frame("802.1ad tag, inner tag missing", f, 18, MALFORMED, SCRUB_MAL_RUNT);
    expect_frame("802.1ad tag, inner tag cut", f, 21, MALFORMED, SCRUB_MAL_RUNT);
    done();
}

/* A check only the frame's end can make: the outcome under each malformed
 * action, the reason, and the reason's counter. */
static void expect_late(const char *what, const struct pkt *p, uint8_t mal, uint8_t if_pass, uint8_t if_drop)
{
    for (int drop = 0; drop < 2; drop++) {
        struct scrub_model *m = card_new();
        card_actions(m, drop ? ALL_ACTIONS : ALL_ACTIONS & ~SCRUB_CFG_ACTIONS_MALFORMED_MASK);
        struct scrub_verdict v = card_send_frame(m, p->b, p->len, 1000);
        uint8_t outcome = drop ? if_drop : if_pass;
        char ctx[200];
        snprintf(ctx, sizeof(ctx), "%s (late, action %s)", what, drop ? "drop" : "pass");
        CHECK(ctx, v.mal, mal, "mal");
        CHECK(ctx, v.gstat, outcome, "gstat");
        card_snapshot(m);
        CHECK(ctx, card_gstat(m, SCRUB_GSTAT_MALFORMED_BASE + mal).packets, 1, "reason counter");
        CHECK(ctx, card_gstat(m, outcome).packets, 1, "outcome counter");
        card_free(m);
    }
}

static void giant(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = SCRUB_MAX_FRAME - 14 - 28;
    build(&s);
    assert_int_equal(P.len, SCRUB_MAX_FRAME);
    expect_ok("16383-byte frame", &P);
    s.payload++;
    build(&s);
    /* Known only at the last beat; no buffer holds a giant, so it is
     * dropped whatever the malformed action says. */
    expect_late("16384-byte frame", &P, SCRUB_MAL_GIANT, SCRUB_GSTAT_DROP_MALFORMED, SCRUB_GSTAT_DROP_MALFORMED);
    /* What the window shows comes first. */
    P.b[P.l3 + 10] ^= 0xff;
    expect_mal("16384-byte frame with a bad checksum", &P, SCRUB_MAL_IPV4_CHECKSUM);
    done();
}

static void ip_length_past_a_long_frame(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.payload = 1000;
    build(&s);
    /* The IP header claims one byte more than the frame has, past the
     * window: the verdict cannot know, the end of the frame can. (TCP: no
     * length field of its own to disagree first.) */
    pkt_put16(&P, P.l3 + 2, (uint16_t)(P.len - P.l3 + 1));
    pkt_v4_checksum(&P);
    expect_late("IPv4 total length one past a 1042-byte frame", &P, SCRUB_MAL_IP_TRUNCATED,
                SCRUB_GSTAT_PASS_EXCEPTION, SCRUB_GSTAT_DROP_MALFORMED);

    struct pkt_spec s6 = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s6.payload = 1000;
    build(&s6);
    pkt_put16(&P, P.l3 + 4, (uint16_t)(P.len - P.l3 - 40 + 1));
    expect_late("IPv6 payload length one past a 1062-byte frame", &P, SCRUB_MAL_IP_TRUNCATED,
                SCRUB_GSTAT_PASS_EXCEPTION, SCRUB_GSTAT_DROP_MALFORMED);

    /* At the window's edge the frame's end is still seen: found early. */
    s.payload = SCRUB_WINDOW_BYTES - 14 - 20 - 20;
    build(&s);
    assert_int_equal(P.len, SCRUB_WINDOW_BYTES);
    pkt_put16(&P, P.l3 + 2, (uint16_t)(P.len - P.l3 + 1));
    pkt_v4_checksum(&P);
    expect_mal("IPv4 total length one past a 256-byte frame", &P, SCRUB_MAL_IP_TRUNCATED);
    done();
}

/* ---- 3. IPv4 header -------------------------------------------------------------------- */

static void ip_version_and_ihl(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    build(&s);
    P.b[P.l3] = 0x65;
    expect_mal("IPv4 ethertype, version 6", &P, SCRUB_MAL_IP_VERSION);
    P.b[P.l3] = 0x54;
    expect_mal("version 5 and IHL 4: the version first", &P, SCRUB_MAL_IP_VERSION);
    P.b[P.l3] = 0x44;
    expect_mal("IHL 4", &P, SCRUB_MAL_IPV4_IHL);
    P.b[P.l3] = 0x40;
    expect_mal("IHL 0", &P, SCRUB_MAL_IPV4_IHL);
    P.b[P.l3] = 0x44;
    pkt_put16(&P, P.l3 + 2, 2000);
    expect_mal("IHL 4 and total length beyond the frame: IHL first", &P, SCRUB_MAL_IPV4_IHL);

    struct pkt_spec s6 = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    build(&s6);
    P.b[P.l3] = (uint8_t)((P.b[P.l3] & 0x0f) | 0x40);
    expect_mal("IPv6 ethertype, version 4", &P, SCRUB_MAL_IP_VERSION);
    done();
}

static void ip_truncated(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = 8;
    build(&s);
    expect_ok("UDP with 8 bytes of payload", &P);
    struct pkt q = P;

    P.len = 14 + 19;
    expect_mal("19 bytes of IPv4", &P, SCRUB_MAL_IP_TRUNCATED);
    P.len = 14 + 20;
    expect_mal("20 bytes of IPv4, total length 36", &P, SCRUB_MAL_IP_TRUNCATED);

    P = q;
    P.b[P.l3] = 0x4f;
    pkt_v4_checksum(&P);
    expect_mal("IHL 15 in a 36-byte packet", &P, SCRUB_MAL_IP_TRUNCATED);

    P = q;
    pkt_put16(&P, P.l3 + 2, 19);
    pkt_v4_checksum(&P);
    expect_mal("total length 19", &P, SCRUB_MAL_IP_TRUNCATED);
    P = q;
    P.b[P.l3] = 0x46;
    pkt_put16(&P, P.l3 + 2, 20);
    pkt_v4_checksum(&P);
    expect_mal("total length 20 below a 24-byte header", &P, SCRUB_MAL_IP_TRUNCATED);

    P = q;
    pkt_put16(&P, P.l3 + 2, 37);
    pkt_v4_checksum(&P);
    expect_mal("total length one beyond the frame", &P, SCRUB_MAL_IP_TRUNCATED);
    P.b[P.l3 + 10] ^= 0x55;
    expect_mal("total length beyond the frame and a bad checksum", &P, SCRUB_MAL_IP_TRUNCATED);

    s.pad = 30;
    build(&s);
    expect_ok("padding after the total length", &P);

    s.vlans = 2;
    s.tpid[0] = 0x88a8, s.tci[0] = 10, s.tpid[1] = 0x8100, s.tci[1] = 20;
    s.pad = 0;
    build(&s);
    expect_ok("QinQ UDP", &P);
    P.len = P.l3 + 19;
    expect_mal("19 bytes of IPv4 after two tags", &P, SCRUB_MAL_IP_TRUNCATED);

    struct pkt_spec s6 = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s6.payload = 8;
    build(&s6);
    expect_ok("IPv6 UDP", &P);
    q = P;
    P.len = P.l3 + 39;
    expect_mal("39 bytes of IPv6", &P, SCRUB_MAL_IP_TRUNCATED);
    P = q;
    pkt_put16(&P, P.l3 + 4, 0);
    expect_mal("IPv6 payload length 0", &P, SCRUB_MAL_IP_TRUNCATED);
    P = q;
    pkt_put16(&P, P.l3 + 4, 17);
    expect_mal("IPv6 payload length one beyond the frame", &P, SCRUB_MAL_IP_TRUNCATED);
    s6.pad = 20;
    build(&s6);
    expect_ok("IPv6 with padding", &P);
    done();
}

static void ipv4_checksum(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    build(&s);
    P.b[P.l3 + 11] ^= 1;
    expect_mal("checksum off by one bit", &P, SCRUB_MAL_IPV4_CHECKSUM);
    build(&s);
    P.b[P.l3 + 8] = 63; /* TTL changed, checksum not */
    expect_mal("TTL changed", &P, SCRUB_MAL_IPV4_CHECKSUM);

    s.v4_options = 8;
    build(&s);
    expect_ok("8 bytes of options", &P);
    P.b[P.l3 + 24] = 0;
    expect_mal("an option byte changed", &P, SCRUB_MAL_IPV4_CHECKSUM);

    s = pkt_spec("127.0.0.1", "198.51.100.1", PROTO_TCP);
    build(&s);
    P.b[P.l3 + 10] ^= 0x10;
    expect_mal("bad checksum and a martian source: the checksum first", &P, SCRUB_MAL_IPV4_CHECKSUM);
    done();
}

static void martian_and_land_v4(void **state)
{
    (void)state;
    failures = 0;
    static const char *const bad_src[] = {"0.0.0.0",   "0.255.255.255",   "127.0.0.1",   "127.255.255.254",
                                          "224.0.0.1", "239.255.255.255", "240.0.0.1",   "255.255.255.255"};
    static const char *const good_src[] = {"1.0.0.0", "126.255.255.255", "128.0.0.1", "223.255.255.255"};
    static const char *const bad_dst[] = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.1.2.3"};
    static const char *const good_dst[] = {"1.0.0.1", "126.255.255.255", "224.0.0.5", "240.0.0.1",
                                           "255.255.255.255"};
    char what[80];
    for (size_t i = 0; i < sizeof(bad_src) / sizeof(*bad_src); i++) {
        struct pkt_spec s = pkt_spec(bad_src[i], "198.51.100.1", PROTO_TCP);
        build(&s);
        snprintf(what, sizeof(what), "source %s", bad_src[i]);
        expect_mal(what, &P, SCRUB_MAL_MARTIAN);
    }
    for (size_t i = 0; i < sizeof(good_src) / sizeof(*good_src); i++) {
        struct pkt_spec s = pkt_spec(good_src[i], "198.51.100.1", PROTO_TCP);
        build(&s);
        snprintf(what, sizeof(what), "source %s", good_src[i]);
        expect_ok(what, &P);
    }
    for (size_t i = 0; i < sizeof(bad_dst) / sizeof(*bad_dst); i++) {
        struct pkt_spec s = pkt_spec("192.0.2.1", bad_dst[i], PROTO_TCP);
        build(&s);
        snprintf(what, sizeof(what), "destination %s", bad_dst[i]);
        expect_mal(what, &P, SCRUB_MAL_MARTIAN);
    }
    for (size_t i = 0; i < sizeof(good_dst) / sizeof(*good_dst); i++) {
        struct pkt_spec s = pkt_spec("192.0.2.1", good_dst[i], PROTO_UDP);
        build(&s);
        snprintf(what, sizeof(what), "destination %s", good_dst[i]);
        expect_ok(what, &P);
    }
    struct pkt_spec s = pkt_spec("192.0.2.1", "192.0.2.1", PROTO_TCP);
    build(&s);
    expect_mal("IPv4 source = destination", &P, SCRUB_MAL_LAND);
    s = pkt_spec("127.0.0.1", "127.0.0.1", PROTO_TCP);
    build(&s);
    expect_mal("127.0.0.1 to itself: martian first", &P, SCRUB_MAL_MARTIAN);
    s = pkt_spec("192.0.2.1", "192.0.2.1", PROTO_UDP);
    s.frag = 8191;
    s.payload = 16;
    build(&s);
    expect_mal("land and an oversize fragment: land first", &P, SCRUB_MAL_LAND);
    done();
}

/* ---- 4. IPv6 ------------------------------------------------------------------------------ */

static void build_v6(const char *src, const char *dst)
{
    struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s.src = card_addr(src);
    s.dst = card_addr(dst);
    build(&s);
}

static void martian_and_land_v6(void **state)
{
    (void)state;
    failures = 0;
    static const char *const bad_src[] = {"::", "::1", "::ffff:192.0.2.1", "::ffff:0.0.0.0", "ff02::1", "ff0e::1"};
    static const char *const good_src[] = {"::2", "::192.0.2.1", "fe80::1", "2001:db8::1:0:0:1"};
    static const char *const bad_dst[] = {"::", "::1", "::ffff:198.51.100.1"};
    static const char *const good_dst[] = {"ff02::1", "::2", "fe80::2"};
    char what[80];
    for (size_t i = 0; i < sizeof(bad_src) / sizeof(*bad_src); i++) {
        build_v6(bad_src[i], "2001:db8::2");
        snprintf(what, sizeof(what), "source %s", bad_src[i]);
        expect_mal(what, &P, SCRUB_MAL_MARTIAN);
    }
    for (size_t i = 0; i < sizeof(good_src) / sizeof(*good_src); i++) {
        build_v6(good_src[i], "2001:db8::2");
        snprintf(what, sizeof(what), "source %s", good_src[i]);
        expect_ok(what, &P);
    }
    for (size_t i = 0; i < sizeof(bad_dst) / sizeof(*bad_dst); i++) {
        build_v6("2001:db8::1", bad_dst[i]);
        snprintf(what, sizeof(what), "destination %s", bad_dst[i]);
        expect_mal(what, &P, SCRUB_MAL_MARTIAN);
    }
    for (size_t i = 0; i < sizeof(good_dst) / sizeof(*good_dst); i++) {
        build_v6("2001:db8::1", good_dst[i]);
        snprintf(what, sizeof(what), "destination %s", good_dst[i]);
        expect_ok(what, &P);
    }
    build_v6("2001:db8::1", "2001:db8::1");
    expect_mal("IPv6 source = destination", &P, SCRUB_MAL_LAND);
    build_v6("::1", "::1");
    expect_mal("::1 to itself: martian first", &P, SCRUB_MAL_MARTIAN);
    done();
}

static void ipv6_ext(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s.exts = 2;
    s.ext[0] = 0, s.ext[1] = 60;
    build(&s);
    expect_ok("hop-by-hop first", &P);
    s.ext[0] = 60, s.ext[1] = 0;
    build(&s);
    expect_mal("hop-by-hop second", &P, SCRUB_MAL_IPV6_EXT);
    s.exts = 3;
    s.ext[0] = 0, s.ext[1] = 43, s.ext[2] = 0;
    build(&s);
    expect_mal("hop-by-hop third", &P, SCRUB_MAL_IPV6_EXT);

    s.exts = 2;
    s.ext[0] = 44, s.ext[1] = 44; /* atomic fragments: the walk goes on */
    build(&s);
    expect_mal("two fragment headers", &P, SCRUB_MAL_IPV6_EXT);
    s.exts = 3;
    s.ext[0] = 44, s.ext[1] = 60, s.ext[2] = 44;
    build(&s);
    expect_mal("two fragment headers apart", &P, SCRUB_MAL_IPV6_EXT);

    /* A destination options header of 24 bytes in a payload of 16. */
    s = pkt_spec("2001:db8::1", "2001:db8::2", 59);
    s.exts = 1;
    s.ext[0] = 60, s.ext_len[0] = 2;
    build(&s);
    expect_ok("24-byte destination options, no next header", &P);
    pkt_put16(&P, P.l3 + 4, 16);
    P.len = P.l3 + 40 + 16;
    expect_mal("destination options past the payload", &P, SCRUB_MAL_IPV6_EXT);
    pkt_put16(&P, P.l3 + 4, 1);
    P.len = P.l3 + 40 + 1;
    expect_mal("one byte of an extension header", &P, SCRUB_MAL_IPV6_EXT);

    s.ext[0] = 44;
    build(&s);
    expect_ok("atomic fragment, no next header", &P);
    pkt_put16(&P, P.l3 + 4, 6);
    P.len = P.l3 + 40 + 6;
    expect_mal("fragment header cut by the payload length", &P, SCRUB_MAL_IPV6_EXT);

    /* The next header of a routing header says TCP, but the payload ends. */
    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s.exts = 2;
    s.ext[0] = 43, s.ext[1] = 60, s.ext_len[1] = 1;
    build(&s);
    pkt_put16(&P, P.l3 + 4, 8 + 8);
    P.len = P.l3 + 40 + 16;
    expect_mal("second header reaching past the payload", &P, SCRUB_MAL_IPV6_EXT);
    done();
}

/* ---- 5. fragments -------------------------------------------------------------------------- */

static struct pkt_spec fragment(const char *src, const char *dst, uint8_t proto, uint16_t offset, bool more,
                                unsigned payload)
{
    struct pkt_spec s = pkt_spec(src, dst, proto);
    s.frag = offset;
    s.mf = more;
    if (s.family == 6) {
        s.exts = 1;
        s.ext[0] = 44;
    }
    unsigned header = proto == PROTO_TCP ? 20 : 8;
    if (offset != 0)
        s.payload = payload;
    else if (payload <= header)
        s.l4_bytes = (int)payload; /* the L4 header, cut */
    else
        s.payload = payload - header;
    return s;
}

static void frag_checks(void **state)
{
    (void)state;
    failures = 0;
    static const char *const fam[2][2] = {{"192.0.2.1", "198.51.100.1"}, {"2001:db8::1", "2001:db8::2"}};
    for (int f = 0; f < 2; f++) {
        const char *src = fam[f][0], *dst = fam[f][1];
        char what[120];
#define CASE(proto, off, more, payload, want)                                                                \
    do {                                                                                                   \
        struct pkt_spec s = fragment(src, dst, proto, off, more, payload);                                 \
        build(&s);                                                                                         \
        snprintf(what, sizeof(what), "IPv%d proto %d offset %d%s, %u bytes", f ? 6 : 4, proto, off,         \
                 more ? " MF" : "", (unsigned)(payload));                                                   \
        if ((want) == SCRUB_MAL_NONE)                                                                      \
            expect_ok(what, &P);                                                                           \
        else                                                                                               \
            expect_mal(what, &P, want);                                                                    \
    } while (0)
        /* FRAG_OVERSIZE: offset x 8 + payload > 65535. */
        CASE(PROTO_UDP, 8191, false, 16, SCRUB_MAL_FRAG_OVERSIZE);
        CASE(PROTO_UDP, 8191, false, 8, SCRUB_MAL_FRAG_OVERSIZE);
        CASE(PROTO_UDP, 8190, false, 15, SCRUB_MAL_NONE);
        CASE(PROTO_UDP, 8190, false, 16, SCRUB_MAL_FRAG_OVERSIZE);
        CASE(PROTO_UDP, 8191, true, 12, SCRUB_MAL_FRAG_OVERSIZE); /* before FRAG_ALIGN */
        /* FRAG_ALIGN: MF and a payload not a multiple of 8. */
        CASE(PROTO_UDP, 0, true, 12, SCRUB_MAL_FRAG_ALIGN);
        CASE(PROTO_UDP, 2, true, 12, SCRUB_MAL_FRAG_ALIGN);
        CASE(PROTO_UDP, 2, false, 12, SCRUB_MAL_NONE);
        CASE(PROTO_UDP, 2, true, 16, SCRUB_MAL_NONE);
        CASE(PROTO_TCP, 0, true, 12, SCRUB_MAL_FRAG_ALIGN); /* before FRAG_TINY */
        CASE(PROTO_TCP, 1, true, 12, SCRUB_MAL_FRAG_ALIGN); /* before FRAG_OVERLAP */
        /* FRAG_OVERLAP: TCP at offset 1. */
        CASE(PROTO_TCP, 1, true, 8, SCRUB_MAL_FRAG_OVERLAP);
        CASE(PROTO_TCP, 1, false, 8, SCRUB_MAL_FRAG_OVERLAP);
        CASE(PROTO_TCP, 2, false, 8, SCRUB_MAL_NONE);
        CASE(PROTO_UDP, 1, false, 8, SCRUB_MAL_NONE);
        /* FRAG_TINY: a first fragment too short for its L4 header. */
        CASE(PROTO_TCP, 0, true, 16, SCRUB_MAL_FRAG_TINY);
        CASE(PROTO_TCP, 0, true, 0, SCRUB_MAL_FRAG_TINY);
        CASE(PROTO_TCP, 0, true, 24, SCRUB_MAL_NONE);
        CASE(PROTO_UDP, 0, true, 0, SCRUB_MAL_FRAG_TINY);
        CASE(f ? PROTO_ICMPV6 : PROTO_ICMP, 0, true, 0, SCRUB_MAL_FRAG_TINY);
#undef CASE
        /* The TCP data offset beyond a first fragment's payload. */
        struct pkt_spec s = fragment(src, dst, PROTO_TCP, 0, true, 24);
        s.tcp_doff = 8;
        s.payload = 0;
        s.l4_bytes = 24;
        build(&s);
        expect_mal("first fragment, TCP header of 32 in 24 bytes", &P, SCRUB_MAL_FRAG_TINY);
        s.l4_bytes = -1;
        build(&s);
        expect_ok("first fragment, TCP header of 32 in 32 bytes", &P);
    }

    /* An atomic IPv6 fragment is not a first fragment: L4_TRUNCATED. */
    struct pkt_spec s = fragment("2001:db8::1", "2001:db8::2", PROTO_TCP, 0, false, 16);
    build(&s);
    expect_mal("atomic fragment with 16 bytes of TCP", &P, SCRUB_MAL_L4_TRUNCATED);
    done();
}

/* ---- 6. L4 --------------------------------------------------------------------------------- */

static void tcp_doff_and_l4_truncated(void **state)
{
    (void)state;
    failures = 0;
    static const char *const fam[2][2] = {{"192.0.2.1", "198.51.100.1"}, {"2001:db8::1", "2001:db8::2"}};
    for (int f = 0; f < 2; f++) {
        const char *src = fam[f][0], *dst = fam[f][1];
        uint8_t icmp = f ? PROTO_ICMPV6 : PROTO_ICMP;
        struct pkt_spec s = pkt_spec(src, dst, PROTO_TCP);
        build(&s);
        expect_ok("TCP SYN", &P);
        P.b[P.l4 + 12] = 0x40;
        expect_mal("TCP data offset 4", &P, SCRUB_MAL_TCP_DOFF);
        P.b[P.l4 + 12] = 0x00;
        P.b[P.l4 + 13] = 0;
        expect_mal("TCP data offset 0 and no flags: the offset first", &P, SCRUB_MAL_TCP_DOFF);

        s.l4_bytes = 19;
        build(&s);
        expect_mal("19 bytes of TCP", &P, SCRUB_MAL_L4_TRUNCATED);
        P.b[P.l4 + 12] = 0x40;
        expect_mal("19 bytes of TCP with data offset 4: the length first", &P, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = 20;
        s.tcp_doff = 6;
        build(&s);
        expect_mal("TCP data offset 6 in 20 bytes", &P, SCRUB_MAL_L4_TRUNCATED);
        P.b[P.l4 + 13] = 0;
        expect_mal("TCP data offset 6 in 20 bytes, no flags: the length first", &P, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = -1;
        build(&s);
        expect_ok("TCP with 4 bytes of options", &P);

        s = pkt_spec(src, dst, PROTO_UDP);
        s.l4_bytes = 7;
        build(&s);
        expect_mal("7 bytes of UDP", &P, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = -1;
        build(&s);
        expect_ok("bare UDP header", &P);

        s = pkt_spec(src, dst, icmp);
        s.l4_bytes = 7;
        build(&s);
        expect_mal("7 bytes of ICMP", &P, SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = 0;
        build(&s);
        /* In IPv6 that is a payload length of 0. */
        expect_mal("no ICMP header", &P, f ? SCRUB_MAL_IP_TRUNCATED : SCRUB_MAL_L4_TRUNCATED);
        s.l4_bytes = -1;
        build(&s);
        expect_ok("8 bytes of ICMP", &P);
    }
    done();
}

static void tcp_flags(void **state)
{
    (void)state;
    failures = 0;
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
    char what[64];
    for (int f = 0; f < 2; f++) {
        struct pkt_spec s = f ? pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP)
                              : pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
        for (size_t i = 0; i < sizeof(bad); i++) {
            s.tcp_flags = bad[i];
            build(&s);
            snprintf(what, sizeof(what), "IPv%d TCP flags 0x%02x", f ? 6 : 4, bad[i]);
            expect_mal(what, &P, SCRUB_MAL_TCP_FLAGS);
        }
        for (size_t i = 0; i < sizeof(good); i++) {
            s.tcp_flags = good[i];
            build(&s);
            snprintf(what, sizeof(what), "IPv%d TCP flags 0x%02x", f ? 6 : 4, good[i]);
            expect_ok(what, &P);
        }
    }
    done();
}

static void udp_length(void **state)
{
    (void)state;
    failures = 0;
    for (int f = 0; f < 2; f++) {
        struct pkt_spec s = f ? pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP)
                              : pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
        s.payload = 20;
        build(&s);
        expect_ok("UDP length 28", &P);
        pkt_put16(&P, P.l4 + 4, 29);
        expect_mal("UDP length one above the payload", &P, SCRUB_MAL_UDP_LENGTH);
        pkt_put16(&P, P.l4 + 4, 27);
        expect_mal("UDP length one below the payload", &P, SCRUB_MAL_UDP_LENGTH);
        pkt_put16(&P, P.l4 + 4, 0);
        expect_mal("UDP length 0", &P, SCRUB_MAL_UDP_LENGTH);
        s.pad = 10;
        build(&s);
        expect_ok("UDP with frame padding", &P);

        /* A first fragment's UDP length covers the datagram. */
        s = fragment(f ? "2001:db8::1" : "192.0.2.1", f ? "2001:db8::2" : "198.51.100.1", PROTO_UDP, 0, true, 8);
        s.l4_bytes = -1;
        s.payload = 16;
        build(&s);
        pkt_put16(&P, P.l4 + 4, 1000);
        expect_ok("first fragment, UDP length 1000", &P);
    }
    /* After extension headers the UDP length is the upper-layer length. */
    struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s.exts = 2;
    s.ext[0] = 0, s.ext[1] = 60, s.ext_len[1] = 1;
    s.payload = 4;
    build(&s);
    expect_ok("UDP after 24 bytes of extension headers", &P);
    pkt_put16(&P, P.l4 + 4, 12 + 24);
    expect_mal("UDP length counting the extension headers", &P, SCRUB_MAL_UDP_LENGTH);
    done();
}

/* ---- unparsed and non-IP ---------------------------------------------------------------------- */

static void unparsed(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.vlans = 2;
    s.tpid[0] = 0x8100, s.tci[0] = 1, s.tpid[1] = 0x8100, s.tci[1] = 2;
    build(&s);
    expect_ok("two 802.1Q tags", &P);
    s.vlans = 3;
    s.tpid[2] = 0x8100, s.tci[2] = 3;
    build(&s);
    expect("three 802.1Q tags", &P, UNPARSED, SCRUB_MAL_NONE);
    s.tpid[0] = 0x88a8, s.tpid[2] = 0x88a8;
    build(&s);
    expect("three tags, 802.1ad third", &P, UNPARSED, SCRUB_MAL_NONE);
    s.family = 0, s.ethertype = 0x0806, s.payload = 28;
    build(&s);
    expect("three tags before ARP", &P, UNPARSED, SCRUB_MAL_NONE);

    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s.exts = 4;
    s.ext[0] = 0, s.ext[1] = 60, s.ext[2] = 43, s.ext[3] = 60;
    build(&s);
    expect_ok("four extension headers", &P);
    s.exts = 5;
    s.ext[4] = 60;
    build(&s);
    expect("five extension headers", &P, UNPARSED, SCRUB_MAL_NONE);
    s.ext[4] = 44;
    build(&s);
    expect("five extension headers, the fifth a fragment header", &P, UNPARSED, SCRUB_MAL_NONE);

    /* Frame offsets: Ethernet 14, IPv6 40, so extensions start at 54. */
    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s.exts = 1;
    s.ext[0] = 60, s.ext_len[0] = 24; /* 200 bytes: UDP at 254..262 */
    build(&s);
    expect("UDP header across the window's end", &P, UNPARSED, SCRUB_MAL_NONE);
    s.ext_len[0] = 23; /* 192 bytes: UDP at 246..254 */
    build(&s);
    expect_ok("UDP header ending at 254", &P);
    s.proto = PROTO_TCP; /* TCP at 246..266 */
    build(&s);
    expect("TCP header across the window's end", &P, UNPARSED, SCRUB_MAL_NONE);
    s.proto = 59; /* no next header: nothing lies beyond the window */
    s.payload = 100;
    build(&s);
    expect_ok("no next header after the window", &P);

    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_TCP);
    s.exts = 2;
    s.ext[0] = 60, s.ext_len[0] = 25, s.ext[1] = 60; /* the second header at 262 */
    build(&s);
    expect("extension header beyond the window", &P, UNPARSED, SCRUB_MAL_NONE);
    done();
}

static void non_ip(void **state)
{
    (void)state;
    failures = 0;
    static const uint16_t types[] = {0x0806, 0x8847, 0x8848, 0x8863, 0x8864, 0x88cc, 0x88e5, 0x0842, 0x0000, 0x05dc};
    char what[64];
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
        struct pkt_spec s = {.family = 0, .ethertype = types[i], .payload = 46, .l4_bytes = -1};
        build(&s);
        snprintf(what, sizeof(what), "ethertype 0x%04x", types[i]);
        expect(what, &P, NONIP, SCRUB_MAL_NONE);
        s.vlans = 2;
        s.tpid[0] = 0x88a8, s.tpid[1] = 0x8100, s.tci[0] = 5, s.tci[1] = 6;
        build(&s);
        snprintf(what, sizeof(what), "QinQ, ethertype 0x%04x", types[i]);
        expect(what, &P, NONIP, SCRUB_MAL_NONE);
    }
    done();
}

/* The exception actions are shadowed: only COMMIT makes them active. */
static void actions_take_effect_at_commit(void **state)
{
    (void)state;
    struct pkt bad, arp, tags;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.tcp_flags = 0;
    pkt_build(&bad, &s);
    struct pkt_spec a = {.family = 0, .ethertype = 0x0806, .payload = 28, .l4_bytes = -1};
    pkt_build(&arp, &a);
    s.tcp_flags = TCP_SYN;
    s.vlans = 3;
    s.tpid[0] = s.tpid[1] = s.tpid[2] = 0x8100;
    pkt_build(&tags, &s);
    const struct pkt *pkts[3] = {&bad, &tags, &arp};
    static const uint32_t bits[3] = {SCRUB_CFG_ACTIONS_MALFORMED_MASK, SCRUB_CFG_ACTIONS_UNPARSED_MASK,
                                     SCRUB_CFG_ACTIONS_NONIP_MASK};
    static const uint8_t drops[3] = {SCRUB_GSTAT_DROP_MALFORMED, SCRUB_GSTAT_DROP_UNPARSED, SCRUB_GSTAT_DROP_NONIP};

    for (int k = 0; k < 3; k++) {
        struct scrub_model *m = card_new();
        scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, bits[k]);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CFG_ACTIONS), bits[k]);
        for (int j = 0; j < 3; j++)
            assert_int_equal(card_send(m, pkts[j], 1).gstat, SCRUB_GSTAT_PASS_EXCEPTION);
        card_commit(m);
        for (int j = 0; j < 3; j++)
            assert_int_equal(card_send(m, pkts[j], 2).gstat, j == k ? drops[j] : SCRUB_GSTAT_PASS_EXCEPTION);
        /* Back to pass: again only at the commit. */
        scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, 0);
        assert_int_equal(card_send(m, pkts[k], 3).gstat, drops[k]);
        card_commit(m);
        assert_int_equal(card_send(m, pkts[k], 4).gstat, SCRUB_GSTAT_PASS_EXCEPTION);
        /* The actions apply to protected traffic too, before any lookup. */
        struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 1, 0);
        card_dest(m, 0, &d);
        scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, bits[k]);
        card_commit(m);
        struct scrub_verdict v = card_send(m, pkts[k], 5);
        assert_int_equal(v.gstat, drops[k]);
        assert_int_equal(v.dest, -1);
        assert_int_equal(card_counter_now(m, 0).packets, 0);
        card_free(m);
    }
}

/* ---- what the parser hands the ACL --------------------------------------------------------------- */

/* Does an ACL entry (made a valid drop) match the packet? A fresh card with
 * one protected /0 destination. */
static bool acl_matches(const struct pkt *p, struct scrub_acl_entry e)
{
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 1, 0);
    card_dest(m, 0, &d);
    e.valid = true;
    e.action = SCRUB_ACTION_DROP;
    e.counter = 2;
    card_acl(m, 0, &e);
    card_commit(m);
    struct scrub_verdict v = card_send(m, p, 1000);
    card_free(m);
    assert_int_equal(v.mal, SCRUB_MAL_NONE);
    assert_int_equal(v.dest, 0);
    if (v.gstat != SCRUB_GSTAT_DROP_ACL)
        assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    return v.gstat == SCRUB_GSTAT_DROP_ACL;
}

static void expect_match(const char *what, const struct pkt *p, const struct scrub_acl_entry *e, bool want)
{
    if (acl_matches(p, *e) != want) {
        print_error("  %s: the entry %s, it should%s\n", what, want ? "does not match" : "matches",
                    want ? "" : " not");
        failures++;
    }
}

static struct scrub_acl_entry vlan_is(uint16_t vlan)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.vlan_mask = 0x1fff;
    e.vlan_value = vlan;
    return e;
}

static void vlan_innermost(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    build(&s);
    struct scrub_acl_entry e = vlan_is(0);
    expect_match("untagged is VLAN 0", &P, &e, true);
    e = vlan_is(0x1000);
    expect_match("untagged has no tag bit", &P, &e, false);

    s.vlans = 1;
    s.tpid[0] = 0x8100, s.tci[0] = 0xa064; /* PCP 5, VID 100 */
    build(&s);
    e = vlan_is(0x1064);
    expect_match("one tag: bit 12 and VID 100, PCP ignored", &P, &e, true);
    e = vlan_is(0x0064);
    expect_match("one tag without the tag bit", &P, &e, false);
    s.tci[0] = 0x1005; /* DEI set */
    build(&s);
    e = vlan_is(0x1005);
    expect_match("DEI is not the tag bit", &P, &e, true);
    s.tci[0] = 0x0000; /* priority tag */
    build(&s);
    e = vlan_is(0x1000);
    expect_match("VID 0 tag", &P, &e, true);

    s.vlans = 2;
    s.tpid[0] = 0x88a8, s.tci[0] = 200, s.tpid[1] = 0x8100, s.tci[1] = 300;
    build(&s);
    e = vlan_is(0x1000 | 300);
    expect_match("QinQ: the inner VID", &P, &e, true);
    e = vlan_is(0x1000 | 200);
    expect_match("QinQ: not the outer VID", &P, &e, false);
    s.tpid[0] = 0x8100, s.tpid[1] = 0x88a8;
    build(&s);
    e = vlan_is(0x1000 | 300);
    expect_match("two tags of either TPID: the inner VID", &P, &e, true);

    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s.vlans = 2;
    s.tpid[0] = 0x88a8, s.tci[0] = 7, s.tpid[1] = 0x8100, s.tci[1] = 4095;
    build(&s);
    e = vlan_is(0x1fff);
    expect_match("IPv6 in QinQ, VID 4095", &P, &e, true);
    done();
}

static struct scrub_acl_entry dport_is(uint16_t port)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.dport_lo = e.dport_hi = port;
    return e;
}

static struct scrub_acl_entry proto_is(uint8_t proto)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.proto_mask = 0xff;
    e.proto_value = proto;
    return e;
}

static void ipv4_options(void **state)
{
    (void)state;
    failures = 0;
    for (unsigned opt = 4; opt <= 40; opt += 4) {
        struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
        s.v4_options = opt;
        s.dport = 443;
        build(&s);
        char what[64];
        snprintf(what, sizeof(what), "%u bytes of options: port 443", opt);
        struct scrub_acl_entry e = dport_is(443);
        expect_match(what, &P, &e, true);
        e = dport_is(80);
        expect_match(what, &P, &e, false);
    }
    done();
}

static void ipv6_extension_types(void **state)
{
    (void)state;
    failures = 0;
    static const uint8_t types[] = {0, 43, 44, 60};
    char what[80];
    for (size_t i = 0; i < 4; i++) {
        for (int k = 0; k < 2; k++) {
            uint8_t proto = k ? PROTO_UDP : PROTO_TCP;
            struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8::2", proto);
            s.exts = 1;
            s.ext[0] = types[i];
            s.ext_len[0] = 1;
            s.dport = 8443;
            build(&s);
            snprintf(what, sizeof(what), "extension %u then protocol %u", types[i], proto);
            struct scrub_acl_entry e = proto_is(proto);
            expect_match(what, &P, &e, true);
            e = proto_is(types[i]);
            expect_match(what, &P, &e, false);
            e = dport_is(8443);
            expect_match(what, &P, &e, true);
        }
    }
    /* All four kinds, then ICMPv6. */
    struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_ICMPV6);
    s.exts = 4;
    s.ext[0] = 0, s.ext[1] = 43, s.ext[2] = 44, s.ext[3] = 60;
    s.icmp_type = 135;
    build(&s);
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.itype_mask = 0xff, e.itype_value = 135;
    expect_match("four extensions then ICMPv6 type 135", &P, &e, true);

    /* The last next header is the protocol, whatever it is. */
    static const uint8_t others[] = {50, 47, 59, 51, 132};
    for (size_t i = 0; i < sizeof(others); i++) {
        s = pkt_spec("2001:db8::1", "2001:db8::2", others[i]);
        s.exts = 1;
        s.ext[0] = 60;
        s.payload = 24;
        build(&s);
        snprintf(what, sizeof(what), "destination options then protocol %u", others[i]);
        e = proto_is(others[i]);
        expect_match(what, &P, &e, true);
        e = proto_is(60);
        expect_match(what, &P, &e, false);
    }

    /* After a fragment header with a non-zero offset nothing is walked: a
     * hop-by-hop header there would be malformed if it were. */
    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s.exts = 2;
    s.ext[0] = 44, s.ext[1] = 0;
    s.frag = 5;
    s.payload = 16;
    build(&s);
    e = proto_is(0);
    expect_match("later fragment: its next header is the protocol", &P, &e, true);
    done();
}

#define DF (1u << SCRUB_FRAG_DF)
#define ISF (1u << SCRUB_FRAG_ISF)
#define FF (1u << SCRUB_FRAG_FF)
#define LF (1u << SCRUB_FRAG_LF)
#define LATER (1u << SCRUB_FRAG_LATER)

/* The fragment bits are exactly `bits`: the full-mask entry with them
 * matches, and flipping any one bit of its value makes it miss. */
static void expect_frag_bits(const char *what, const struct pkt *p, uint8_t bits)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.frag_mask = 0x1f;
    e.frag_value = bits;
    expect_match(what, p, &e, true);
    for (unsigned b = 0; b < 5; b++) {
        e.frag_value = (uint8_t)(bits ^ (1u << b));
        expect_match(what, p, &e, false);
    }
}

static void fragment_bits(void **state)
{
    (void)state;
    failures = 0;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = 16;
    build(&s);
    expect_frag_bits("IPv4 unfragmented", &P, 0);
    s.df = true;
    build(&s);
    expect_frag_bits("IPv4 DF", &P, DF);
    s.df = false;
    s = fragment("192.0.2.1", "198.51.100.1", PROTO_UDP, 0, true, 8);
    build(&s);
    expect_frag_bits("IPv4 first fragment", &P, ISF | FF);
    s.df = true;
    build(&s);
    expect_frag_bits("IPv4 first fragment with DF", &P, DF | ISF | FF);
    s = fragment("192.0.2.1", "198.51.100.1", PROTO_UDP, 10, true, 16);
    build(&s);
    expect_frag_bits("IPv4 middle fragment", &P, ISF | LATER);
    s = fragment("192.0.2.1", "198.51.100.1", PROTO_UDP, 10, false, 5);
    build(&s);
    expect_frag_bits("IPv4 last fragment", &P, ISF | LF | LATER);

    s = fragment("2001:db8::1", "2001:db8::2", PROTO_UDP, 0, false, 8);
    s.l4_bytes = -1;
    build(&s);
    expect_frag_bits("IPv6 atomic fragment", &P, 0);
    s = fragment("2001:db8::1", "2001:db8::2", PROTO_UDP, 0, true, 8);
    build(&s);
    expect_frag_bits("IPv6 first fragment", &P, ISF | FF);
    s = fragment("2001:db8::1", "2001:db8::2", PROTO_UDP, 100, true, 8);
    build(&s);
    expect_frag_bits("IPv6 middle fragment", &P, ISF | LATER);
    s = fragment("2001:db8::1", "2001:db8::2", PROTO_TCP, 100, false, 3);
    build(&s);
    expect_frag_bits("IPv6 last fragment", &P, ISF | LF | LATER);
    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    build(&s);
    expect_frag_bits("IPv6 unfragmented", &P, 0);
    done();
}

/* A non-first fragment has no ports, flags or ICMP fields; a first one has. */
static void later_fragments_have_no_l4(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_acl_entry port = dport_is(80), any_port = dport_is(0), flags, icmp;
    any_port.dport_hi = 0xffff;
    scrub_acl_entry_any(&flags);
    flags.flags_mask = TCP_SYN;
    flags.flags_value = TCP_SYN;
    scrub_acl_entry_any(&icmp);
    icmp.itype_mask = 0xff;
    icmp.itype_value = 8;
    static const char *const fam[2][2] = {{"192.0.2.1", "198.51.100.1"}, {"2001:db8::1", "2001:db8::2"}};
    for (int f = 0; f < 2; f++) {
        struct pkt_spec s = fragment(fam[f][0], fam[f][1], PROTO_TCP, 0, true, 24);
        build(&s);
        expect_match("first TCP fragment: port 80", &P, &port, true);
        expect_match("first TCP fragment: SYN", &P, &flags, true);
        s = fragment(fam[f][0], fam[f][1], PROTO_TCP, 3, false, 24);
        build(&s);
        /* The bytes where a header would be hold port 80 and SYN anyway. */
        pkt_put16(&P, P.l4 + 2, 80);
        P.b[P.l4 + 13] = TCP_SYN;
        expect_match("later TCP fragment: no port 80", &P, &port, false);
        expect_match("later TCP fragment: any port", &P, &any_port, true);
        expect_match("later TCP fragment: no flags", &P, &flags, false);
        uint8_t icmp_proto = f ? PROTO_ICMPV6 : PROTO_ICMP;
        icmp.itype_value = f ? 128 : 8;
        s = fragment(fam[f][0], fam[f][1], icmp_proto, 0, true, 16);
        build(&s);
        expect_match("first ICMP fragment: echo request", &P, &icmp, true);
        s = fragment(fam[f][0], fam[f][1], icmp_proto, 2, false, 16);
        build(&s);
        P.b[P.l4] = icmp.itype_value;
        expect_match("later ICMP fragment: no type", &P, &icmp, false);
    }
    done();
}

static void dscp(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.dscp_mask = 0x3f;
    e.dscp_value = 46;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.tos = 46 << 2 | 1; /* EF, ECT(1) */
    build(&s);
    expect_match("IPv4 TOS 0xb9: DSCP 46", &P, &e, true);
    s.tos = 45 << 2 | 2;
    build(&s);
    expect_match("IPv4 DSCP 45", &P, &e, false);
    s = pkt_spec("2001:db8::1", "2001:db8::2", PROTO_UDP);
    s.tos = 46 << 2 | 2;
    build(&s);
    expect_match("IPv6 traffic class 0xba: DSCP 46", &P, &e, true);
    s.tos = 47 << 2;
    build(&s);
    expect_match("IPv6 DSCP 47", &P, &e, false);
    done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runt_and_cut_vlan_tags),
        cmocka_unit_test(giant),
        cmocka_unit_test(ip_length_past_a_long_frame),
        cmocka_unit_test(ip_version_and_ihl),
        cmocka_unit_test(ip_truncated),
        cmocka_unit_test(ipv4_checksum),
        cmocka_unit_test(martian_and_land_v4),
        cmocka_unit_test(martian_and_land_v6),
        cmocka_unit_test(ipv6_ext),
        cmocka_unit_test(frag_checks),
        cmocka_unit_test(tcp_doff_and_l4_truncated),
        cmocka_unit_test(tcp_flags),
        cmocka_unit_test(udp_length),
        cmocka_unit_test(unparsed),
        cmocka_unit_test(non_ip),
        cmocka_unit_test(actions_take_effect_at_commit),
        cmocka_unit_test(vlan_innermost),
        cmocka_unit_test(ipv4_options),
        cmocka_unit_test(ipv6_extension_types),
        cmocka_unit_test(fragment_bits),
        cmocka_unit_test(later_fragments_have_no_l4),
        cmocka_unit_test(dscp),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
