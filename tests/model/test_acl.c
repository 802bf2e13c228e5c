/* The ACL (docs/card.md, "ACL fields" and step 5 of the packet path):
 * every field matching and not matching, priority by index, count-only
 * entries and their limit, the actions and the default, and the BAD_ENTRY
 * checks with their TBL_RESULT word. */
#include <stdio.h>
#include <string.h>

#include "card_test.h"

#define TENANT 7
#define PROFILE 3

static unsigned failures;

/* Destinations: 198.51.100.0/24 and 2001:db8:100::/48 protected for
 * (TENANT, PROFILE), 203.0.113.0/24 for tenant 9 profile 4. */
static struct scrub_model *protected_card(void)
{
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, TENANT, PROFILE, 100);
    card_dest(m, 0, &d);
    d = card_dest_entry("2001:db8:100::", 48, TENANT, PROFILE, 102);
    card_dest(m, 1, &d);
    d = card_dest_entry("203.0.113.0", 120, 9, 4, 104);
    card_dest(m, 2, &d);
    card_commit(m);
    return m;
}

/* Does the entry (made a valid drop at index 0) decide the packet? */
static bool matches(struct scrub_acl_entry e, const struct pkt *p)
{
    struct scrub_model *m = protected_card();
    e.valid = true;
    e.action = SCRUB_ACTION_DROP;
    e.count_only = false;
    e.counter = 10;
    card_acl(m, 0, &e);
    card_commit(m);
    struct scrub_verdict v = card_send(m, p, 1000);
    struct scrub_counter c = card_counter_now(m, 10);
    card_free(m);
    assert_int_equal(v.mal, SCRUB_MAL_NONE);
    assert_true(v.dest >= 0);
    if (v.gstat == SCRUB_GSTAT_DROP_ACL) {
        assert_int_equal(v.acl, 0);
        assert_int_equal(c.packets, 1);
        return true;
    }
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, -1);
    assert_int_equal(c.packets, 0);
    return false;
}

static void expect_match(const char *what, const struct scrub_acl_entry *e, const struct pkt *p, bool want)
{
    if (matches(*e, p) != want) {
        print_error("  %s: the entry %s, it should%s\n", what, want ? "does not match" : "matches", want ? "" : " not");
        failures++;
    }
}

static struct scrub_acl_entry any(void)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    return e;
}

static struct pkt TCP4, UDP4, ICMP4, TCP6, UDP6, ICMP6, TO_T9;

static int build_packets(void **state)
{
    (void)state;
    struct pkt_spec s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_TCP);
    pkt_build(&TCP4, &s);
    s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_UDP);
    pkt_build(&UDP4, &s);
    s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_ICMP);
    pkt_build(&ICMP4, &s);
    s = pkt_spec("2001:db8:aaaa::5", "2001:db8:100::10", PROTO_TCP);
    pkt_build(&TCP6, &s);
    s = pkt_spec("2001:db8:aaaa::5", "2001:db8:100::10", PROTO_UDP);
    pkt_build(&UDP6, &s);
    s = pkt_spec("2001:db8:aaaa::5", "2001:db8:100::10", PROTO_ICMPV6);
    pkt_build(&ICMP6, &s);
    s = pkt_spec("192.0.2.77", "203.0.113.10", PROTO_TCP);
    pkt_build(&TO_T9, &s);
    return 0;
}

static void no_condition_matches_everything(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_acl_entry e = any();
    const struct pkt *all[] = {&TCP4, &UDP4, &ICMP4, &TCP6, &UDP6, &ICMP6, &TO_T9};
    for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
        expect_match("an entry without conditions", &e, all[i], true);
    assert_int_equal(failures, 0);
}

static void tenant_and_profile(void **state)
{
    (void)state;
    failures = 0;
    static const struct {
        uint16_t value, mask;
        bool want;
    } tenants[] = {{7, 0xffff, true}, {8, 0xffff, false}, {6, 0xfffe, true}, {4, 0xfffc, true},
                   {5, 0x0007, false}, {7, 0x0007, true}, {0x8007, 0xffff, false}};
    for (size_t i = 0; i < sizeof(tenants) / sizeof(*tenants); i++) {
        struct scrub_acl_entry e = any();
        e.tenant_value = tenants[i].value;
        e.tenant_mask = tenants[i].mask;
        char what[64];
        snprintf(what, sizeof(what), "tenant %#x/%#x", tenants[i].value, tenants[i].mask);
        expect_match(what, &e, &TCP4, tenants[i].want);
        expect_match(what, &e, &TCP6, tenants[i].want);
    }
    struct scrub_acl_entry e = any();
    e.tenant_value = TENANT, e.tenant_mask = 0xffff;
    expect_match("tenant 7 entry, packet of tenant 9", &e, &TO_T9, false);
    e.tenant_value = 9;
    expect_match("tenant 9 entry, packet of tenant 9", &e, &TO_T9, true);

    static const struct {
        uint8_t value, mask;
        bool want;
    } profiles[] = {{3, 0xff, true}, {2, 0xff, false}, {2, 0xfe, true}, {1, 0x01, true}, {0, 0x02, false}};
    for (size_t i = 0; i < sizeof(profiles) / sizeof(*profiles); i++) {
        e = any();
        e.profile_value = profiles[i].value;
        e.profile_mask = profiles[i].mask;
        char what[64];
        snprintf(what, sizeof(what), "profile %#x/%#x", profiles[i].value, profiles[i].mask);
        expect_match(what, &e, &TCP4, profiles[i].want);
    }
    e = any();
    e.profile_value = 4, e.profile_mask = 0xff;
    expect_match("profile 4, packet of profile 4", &e, &TO_T9, true);
    expect_match("profile 4, packet of profile 3", &e, &TCP4, false);
    assert_int_equal(failures, 0);
}

static struct scrub_acl_entry src_is(const char *value, const char *mask)
{
    struct scrub_acl_entry e = any();
    e.src_value = card_addr(value);
    e.src_mask = card_addr(mask);
    return e;
}

static struct scrub_acl_entry dst_is(const char *value, const char *mask)
{
    struct scrub_acl_entry e = any();
    e.dst_value = card_addr(value);
    e.dst_mask = card_addr(mask);
    return e;
}

static void addresses(void **state)
{
    (void)state;
    failures = 0;
    static const char *const v4_24 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00";
    static const char *const all = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    struct scrub_acl_entry e = src_is("::ffff:192.0.2.0", v4_24);
    expect_match("source 192.0.2.0/24", &e, &TCP4, true);
    expect_match("source 192.0.2.0/24 against IPv6", &e, &TCP6, false);
    e = src_is("::ffff:192.0.3.0", v4_24);
    expect_match("source 192.0.3.0/24", &e, &TCP4, false);
    e = src_is("::ffff:192.0.2.77", all);
    expect_match("source 192.0.2.77/32", &e, &TCP4, true);
    e = src_is("::ffff:192.0.2.76", all);
    expect_match("source 192.0.2.76/32", &e, &TCP4, false);
    /* Ternary, not only prefixes: odd last byte (77 is odd). */
    e = src_is("::1", "::1");
    expect_match("source with the lowest bit set", &e, &TCP4, true);
    e = src_is("::", "::1");
    expect_match("source with the lowest bit clear", &e, &TCP4, false);
    e = src_is("::ffff:0:0", "ffff:ffff:ffff:ffff:ffff:ffff::");
    expect_match("source ::ffff:0:0/96 (all of IPv4)", &e, &TCP4, true);
    expect_match("source ::ffff:0:0/96 against IPv6", &e, &TCP6, false);
    e = src_is("2001:db8:aaaa::", "ffff:ffff:ffff::");
    expect_match("source 2001:db8:aaaa::/48", &e, &TCP6, true);
    expect_match("source 2001:db8:aaaa::/48 against IPv4", &e, &TCP4, false);
    e = src_is("2001:db8:aaab::", "ffff:ffff:ffff::");
    expect_match("source 2001:db8:aaab::/48", &e, &TCP6, false);
    e = src_is("::5", "::ffff");
    expect_match("source ::5 in the last 16 bits", &e, &TCP6, true);

    e = dst_is("::ffff:198.51.100.10", all);
    expect_match("destination 198.51.100.10", &e, &TCP4, true);
    e = dst_is("::ffff:198.51.100.11", all);
    expect_match("destination 198.51.100.11", &e, &TCP4, false);
    e = dst_is("::ffff:198.51.100.8", "::ffff:ffff:ffff:fff8");
    expect_match("destination 198.51.100.8/29", &e, &TCP4, true);
    e = dst_is("2001:db8:100::10", all);
    expect_match("destination 2001:db8:100::10", &e, &TCP6, true);
    e = dst_is("2001:db8:100::11", all);
    expect_match("destination 2001:db8:100::11", &e, &TCP6, false);
    e = dst_is("2001:db8:100::", "ffff:ffff:ffff:ffff::");
    expect_match("destination 2001:db8:100::/64", &e, &TCP6, true);
    assert_int_equal(failures, 0);
}

static void protocol_and_ports(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_acl_entry e = any();
    e.proto_value = PROTO_TCP, e.proto_mask = 0xff;
    expect_match("protocol 6, TCP", &e, &TCP4, true);
    expect_match("protocol 6, UDP", &e, &UDP4, false);
    expect_match("protocol 6, IPv6 TCP", &e, &TCP6, true);
    e.proto_value = PROTO_ICMPV6;
    expect_match("protocol 58, ICMPv6", &e, &ICMP6, true);
    expect_match("protocol 58, ICMP", &e, &ICMP4, false);
    e.proto_value = 0x01, e.proto_mask = 0x01; /* odd protocols: ICMP, UDP */
    expect_match("odd protocol, UDP", &e, &UDP4, true);
    expect_match("odd protocol, TCP", &e, &TCP4, false);

    /* Port ranges, both ends inclusive, on both ports and both L4s. */
    struct pkt p;
    for (int side = 0; side < 2; side++) {
        for (int l4 = 0; l4 < 2; l4++) {
            static const uint16_t ports[] = {999, 1000, 1500, 2000, 2001};
            static const bool in[] = {false, true, true, true, false};
            for (size_t i = 0; i < 5; i++) {
                struct pkt_spec s = pkt_spec("192.0.2.77", "198.51.100.10", l4 ? PROTO_UDP : PROTO_TCP);
                if (side)
                    s.dport = ports[i];
                else
                    s.sport = ports[i];
                pkt_build(&p, &s);
                e = any();
                if (side)
                    e.dport_lo = 1000, e.dport_hi = 2000;
                else
                    e.sport_lo = 1000, e.sport_hi = 2000;
                char what[80];
                snprintf(what, sizeof(what), "%s port %u in 1000..2000 (%s)", side ? "dst" : "src", ports[i],
                         l4 ? "UDP" : "TCP");
                expect_match(what, &e, &p, in[i]);
            }
        }
    }
    e = any();
    e.dport_lo = 0, e.dport_hi = 65534;
    expect_match("dport 0..65534, ICMP (no ports)", &e, &ICMP4, false);
    e.dport_lo = 1, e.dport_hi = 65535;
    expect_match("dport 1..65535, ICMPv6 (no ports)", &e, &ICMP6, false);
    e.sport_lo = 0, e.sport_hi = 65535, e.dport_lo = 0;
    expect_match("ports 0..65535, ICMP: no condition", &e, &ICMP4, true);
    e.sport_lo = e.sport_hi = 40000;
    expect_match("sport 40000..40000, TCP", &e, &TCP6, true);
    e.sport_lo = e.sport_hi = 40001;
    expect_match("sport 40001..40001, TCP", &e, &TCP6, false);

    /* "Needs ports": a later fragment has none; a first fragment has. */
    struct pkt_spec s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_UDP);
    s.frag = 4;
    s.payload = 32;
    pkt_build(&p, &s);
    e = any();
    e.dport_lo = 0, e.dport_hi = 65534;
    expect_match("dport 0..65534, later fragment", &e, &p, false);
    e.dport_hi = 65535;
    expect_match("dport 0..65535, later fragment", &e, &p, true);
    s.frag = 0, s.mf = true, s.payload = 24;
    pkt_build(&p, &s);
    e.dport_lo = e.dport_hi = 53;
    expect_match("dport 53, first fragment", &e, &p, true);
    assert_int_equal(failures, 0);
}

static void tcp_flags_and_icmp(void **state)
{
    (void)state;
    failures = 0;
    struct pkt synack;
    struct pkt_spec s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_TCP);
    s.tcp_flags = TCP_SYN | TCP_ACK | TCP_ECE;
    pkt_build(&synack, &s);
    struct scrub_acl_entry e = any();
    e.flags_mask = TCP_SYN | TCP_ACK, e.flags_value = TCP_SYN;
    expect_match("SYN without ACK, SYN", &e, &TCP4, true);
    expect_match("SYN without ACK, SYN-ACK", &e, &synack, false);
    e.flags_value = TCP_SYN | TCP_ACK;
    expect_match("SYN and ACK, SYN-ACK", &e, &synack, true);
    e.flags_mask = TCP_ECE, e.flags_value = TCP_ECE;
    expect_match("ECE, SYN-ACK-ECE", &e, &synack, true);
    expect_match("ECE, SYN", &e, &TCP4, false);
    e.flags_mask = TCP_FIN, e.flags_value = 0;
    expect_match("FIN clear, TCP SYN", &e, &TCP4, true);
    expect_match("FIN clear, UDP: needs a TCP header", &e, &UDP4, false);
    expect_match("FIN clear, ICMP: needs a TCP header", &e, &ICMP4, false);
    e.flags_mask = 0;
    expect_match("flags mask 0, UDP", &e, &UDP4, true);

    e = any();
    e.itype_mask = 0xff, e.itype_value = 8;
    expect_match("ICMP type 8, echo request", &e, &ICMP4, true);
    e.itype_value = 0;
    expect_match("ICMP type 0, echo request", &e, &ICMP4, false);
    expect_match("ICMP type 0, TCP: needs an ICMP header", &e, &TCP4, false);
    e.itype_value = 128;
    expect_match("ICMPv6 type 128, echo request", &e, &ICMP6, true);
    e.itype_mask = 0x80, e.itype_value = 0x80;
    expect_match("ICMPv6 informational (type & 0x80)", &e, &ICMP6, true);
    expect_match("ICMP type & 0x80, type 8", &e, &ICMP4, false);

    struct pkt unreach;
    s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_ICMP);
    s.icmp_type = 3, s.icmp_code = 4;
    pkt_build(&unreach, &s);
    e = any();
    e.icode_mask = 0xff, e.icode_value = 4;
    expect_match("ICMP code 4, unreachable code 4", &e, &unreach, true);
    expect_match("ICMP code 4, echo code 0", &e, &ICMP4, false);
    e.icode_value = 0;
    expect_match("ICMP code 0, echo", &e, &ICMP4, true);
    expect_match("ICMP code 0, UDP: needs an ICMP header", &e, &UDP4, false);
    e.itype_mask = 0xff, e.itype_value = 3, e.icode_value = 4;
    expect_match("type 3 code 4, unreachable 3/4", &e, &unreach, true);
    e.icode_value = 3;
    expect_match("type 3 code 3, unreachable 3/4", &e, &unreach, false);
    assert_int_equal(failures, 0);
}

static void frag_length_dscp_vlan_family(void **state)
{
    (void)state;
    failures = 0;
    struct pkt df;
    struct pkt_spec s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_TCP);
    s.df = true;
    pkt_build(&df, &s);
    struct scrub_acl_entry e = any();
    e.frag_mask = 1u << SCRUB_FRAG_DF, e.frag_value = 1u << SCRUB_FRAG_DF;
    expect_match("DF set, DF packet", &e, &df, true);
    expect_match("DF set, packet without DF", &e, &TCP4, false);
    e.frag_value = 0;
    expect_match("DF clear, packet without DF", &e, &TCP4, true);
    e.frag_mask = 1u << SCRUB_FRAG_ISF, e.frag_value = 0;
    expect_match("not a fragment, unfragmented", &e, &df, true);

    /* L3 length: IPv4 total length 40; IPv6 40 + payload length 20. */
    static const struct {
        uint16_t lo, hi;
        bool v4, v6;
    } lens[] = {{40, 40, true, false}, {41, 65535, false, true}, {0, 39, false, false}, {60, 60, false, true},
                {0, 59, true, false},  {61, 100, false, false}};
    for (size_t i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
        e = any();
        e.len_lo = lens[i].lo, e.len_hi = lens[i].hi;
        char what[64];
        snprintf(what, sizeof(what), "length %u..%u", lens[i].lo, lens[i].hi);
        expect_match(what, &e, &TCP4, lens[i].v4);
        expect_match(what, &e, &TCP6, lens[i].v6);
    }

    struct pkt ef;
    s = pkt_spec("2001:db8:aaaa::5", "2001:db8:100::10", PROTO_TCP);
    s.tos = 46 << 2;
    pkt_build(&ef, &s);
    e = any();
    e.dscp_mask = 0x3f, e.dscp_value = 46;
    expect_match("DSCP 46, EF", &e, &ef, true);
    expect_match("DSCP 46, best effort", &e, &TCP6, false);
    e.dscp_mask = 0x38, e.dscp_value = 0x28; /* class 5 */
    expect_match("DSCP class 5, EF", &e, &ef, true);
    e.dscp_value = 0;
    expect_match("DSCP class 0, best effort", &e, &TCP6, true);

    struct pkt tagged;
    s = pkt_spec("192.0.2.77", "198.51.100.10", PROTO_TCP);
    s.vlans = 1, s.tpid[0] = 0x8100, s.tci[0] = 42;
    pkt_build(&tagged, &s);
    e = any();
    e.vlan_mask = 0x1fff, e.vlan_value = 0x1000 | 42;
    expect_match("VLAN 42, tagged 42", &e, &tagged, true);
    expect_match("VLAN 42, untagged", &e, &TCP4, false);
    e.vlan_value = 0x1000 | 43;
    expect_match("VLAN 43, tagged 42", &e, &tagged, false);
    e.vlan_mask = 0x1000, e.vlan_value = 0;
    expect_match("untagged only, untagged", &e, &TCP4, true);
    expect_match("untagged only, tagged", &e, &tagged, false);

    e = any();
    e.v6_mask = 1, e.v6_value = 1;
    expect_match("IPv6 only, IPv6", &e, &TCP6, true);
    expect_match("IPv6 only, IPv4", &e, &TCP4, false);
    e.v6_value = 0;
    expect_match("IPv4 only, IPv4", &e, &ICMP4, true);
    expect_match("IPv4 only, IPv6", &e, &ICMP6, false);
    assert_int_equal(failures, 0);
}

/* A combination: every field constrained at once, and each one alone
 * failing it. */
static void all_fields_together(void **state)
{
    (void)state;
    failures = 0;
    struct pkt p;
    struct pkt_spec s = pkt_spec("2001:db8:aaaa::5", "2001:db8:100::10", PROTO_TCP);
    s.vlans = 1, s.tpid[0] = 0x8100, s.tci[0] = 99;
    s.tos = 10 << 2;
    s.tcp_flags = TCP_ACK | TCP_PSH;
    s.sport = 5555, s.dport = 443;
    s.payload = 100;
    pkt_build(&p, &s);
    struct scrub_acl_entry e = any();
    e.tenant_value = TENANT, e.tenant_mask = 0xffff;
    e.profile_value = PROFILE, e.profile_mask = 0xff;
    e.src_value = card_addr("2001:db8:aaaa::"), e.src_mask = card_addr("ffff:ffff:ffff::");
    e.dst_value = card_addr("2001:db8:100::10"), e.dst_mask = card_addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    e.proto_value = PROTO_TCP, e.proto_mask = 0xff;
    e.sport_lo = 5000, e.sport_hi = 6000, e.dport_lo = 443, e.dport_hi = 443;
    e.flags_value = TCP_ACK, e.flags_mask = TCP_ACK | TCP_SYN;
    e.frag_value = 0, e.frag_mask = 0x1f;
    e.len_lo = 160, e.len_hi = 160;
    e.dscp_value = 10, e.dscp_mask = 0x3f;
    e.vlan_value = 0x1000 | 99, e.vlan_mask = 0x1fff;
    e.v6_value = 1, e.v6_mask = 1;
    expect_match("every field", &e, &p, true);
    struct scrub_acl_entry x;
#define SPOIL(stmt)                                                                                          \
    do {                                                                                                   \
        x = e;                                                                                             \
        stmt;                                                                                              \
        expect_match("every field but " #stmt, &x, &p, false);                                             \
    } while (0)
    SPOIL(x.tenant_value = TENANT + 1);
    SPOIL(x.profile_value = PROFILE + 1);
    SPOIL(x.src_value.b[5] = 0xab);
    SPOIL(x.dst_value.b[15] = 0x11);
    SPOIL(x.proto_value = PROTO_UDP);
    SPOIL(x.sport_lo = 5556);
    SPOIL(x.dport_lo = x.dport_hi = 444);
    SPOIL(x.flags_value = TCP_SYN);
    SPOIL(x.frag_value = 1u << SCRUB_FRAG_ISF);
    SPOIL(x.len_lo = x.len_hi = 161);
    SPOIL(x.dscp_value = 11);
    SPOIL(x.vlan_value = 0x1000 | 98);
    SPOIL(x.v6_value = 0);
#undef SPOIL
    assert_int_equal(failures, 0);
}

/* ---- the search -------------------------------------------------------------------------------- */

static void lower_index_wins(void **state)
{
    (void)state;
    struct scrub_model *m = protected_card();
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 22), accept = card_acl_entry(SCRUB_ACTION_ACCEPT, 20);
    struct scrub_acl_entry invalid = card_acl_entry(SCRUB_ACTION_DROP, 24);
    invalid.valid = false;
    card_acl(m, 1, &invalid);
    card_acl(m, 3, &accept);
    card_acl(m, 5, &drop);
    card_commit(m);
    struct scrub_verdict v = card_send(m, &TCP4, 1);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, 3);
    card_acl(m, 3, &drop);
    card_acl(m, 5, &accept);
    card_commit(m);
    v = card_send(m, &TCP4, 2);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.acl, 3);
    /* A higher-index entry decides what the lower one does not match. */
    struct scrub_acl_entry udp_only = drop;
    udp_only.proto_value = PROTO_UDP, udp_only.proto_mask = 0xff;
    card_acl(m, 3, &udp_only);
    card_commit(m);
    v = card_send(m, &TCP4, 3);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, 5);
    v = card_send(m, &UDP4, 4);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.acl, 3);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 20).packets, 2);
    assert_int_equal(card_counter(m, 22).packets, 2);
    assert_int_equal(card_counter(m, 24).packets, 0);
    /* The last entry of the table works like any other. */
    struct scrub_acl_entry none = card_acl_entry(SCRUB_ACTION_ACCEPT, 20);
    none.valid = false;
    card_acl(m, 3, &none);
    card_acl(m, 5, &none);
    card_acl(m, 63, &drop);
    card_commit(m);
    v = card_send(m, &TCP6, 5);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.acl, 63);
    card_free(m);
}

static void count_only_entries(void **state)
{
    (void)state;
    struct scrub_model *m = protected_card();
    /* 0..5 count-only (1 only for UDP), 6 decides, 7 count-only after it. */
    for (uint32_t i = 0; i < 6; i++) {
        struct scrub_acl_entry c = card_acl_entry(SCRUB_ACTION_DROP, 30 + i);
        c.count_only = true;
        if (i == 1)
            c.proto_value = PROTO_UDP, c.proto_mask = 0xff;
        card_acl(m, i, &c);
    }
    struct scrub_acl_entry d = card_acl_entry(SCRUB_ACTION_DROP, 40);
    d.proto_value = PROTO_TCP, d.proto_mask = 0xff;
    card_acl(m, 6, &d);
    struct scrub_acl_entry after = card_acl_entry(SCRUB_ACTION_ACCEPT, 41);
    after.count_only = true;
    card_acl(m, 7, &after);
    card_commit(m);

    struct scrub_verdict v = card_send(m, &TCP4, 1);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.acl, 6);
    card_snapshot(m);
    static const uint64_t tcp_counts[] = {1, 0, 1, 1, 1, 0};
    for (uint32_t i = 0; i < 6; i++) {
        struct scrub_counter c = card_counter(m, 30 + i);
        assert_int_equal(c.packets, tcp_counts[i]);
        assert_int_equal(c.bytes, 40 * tcp_counts[i]);
    }
    assert_int_equal(card_counter(m, 40).packets, 1);
    assert_int_equal(card_counter(m, 41).packets, 0);
    struct scrub_counter lost = card_gstat(m, SCRUB_GSTAT_COUNT_ONLY_LOST);
    assert_int_equal(lost.packets, 1);
    assert_int_equal(lost.bytes, 0);

    /* UDP: all six count-only entries and 7 match, nothing decides: four
     * counted, three lost, the default accepts. */
    v = card_send(m, &UDP4, 2);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, -1);
    card_snapshot(m);
    static const uint64_t total[] = {2, 1, 2, 2, 1, 0};
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(card_counter(m, 30 + i).packets, total[i]);
    assert_int_equal(card_counter(m, 41).packets, 0);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_COUNT_ONLY_LOST).packets, 1 + 3);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_COUNT_ONLY_LOST).bytes, 0);

    /* With the default drop, the same packet is dropped by the default. */
    card_actions(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);
    v = card_send(m, &UDP4, 3);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_DEFAULT);
    assert_int_equal(v.acl, -1);
    assert_int_equal(card_counter_now(m, 30).packets, 3);
    /* A count-only entry's action is never applied. */
    struct scrub_acl_entry police = card_acl_entry(SCRUB_ACTION_POLICE, 42);
    police.count_only = true;
    card_acl(m, 0, &police);
    card_actions(m, 0);
    v = card_send(m, &ICMP4, 4);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, -1);
    assert_int_equal(card_counter_now(m, 42).packets, 1);
    card_free(m);
}

static void actions(void **state)
{
    (void)state;
    struct scrub_model *m = protected_card();
    struct scrub_acl_entry e = card_acl_entry(SCRUB_ACTION_ACCEPT, 20);
    card_acl(m, 0, &e);
    card_commit(m);
    struct scrub_verdict v = card_send(m, &TCP4, 1);
    assert_true(v.pass);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, 0);
    assert_int_equal(v.dest, 0);
    assert_int_equal(v.em, -1);
    assert_int_equal(v.policer, -1);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 20).packets, 1);
    assert_int_equal(card_counter(m, 20).bytes, 40);
    assert_int_equal(card_counter(m, 100).packets, 1);
    assert_int_equal(card_counter(m, 101).packets, 0);

    e.action = SCRUB_ACTION_DROP;
    card_acl(m, 0, &e);
    card_commit(m);
    v = card_send(m, &TCP6, 2);
    assert_false(v.pass);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.dest, 1);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 20).packets, 2);
    assert_int_equal(card_counter(m, 20).bytes, 40 + 60);
    assert_int_equal(card_counter(m, 102).packets, 1);
    assert_int_equal(card_counter(m, 103).packets, 1);
    assert_int_equal(card_counter(m, 103).bytes, 60);

    /* Police: a bucket of 100 bytes, no refill. Two 40-byte packets
     * conform, the third exceeds. */
    struct scrub_policer_entry pol = {.rate = 0, .burst = 100, .counter = 50, .reset = true};
    card_policer(m, 5, &pol);
    e.action = SCRUB_ACTION_POLICE;
    e.policer = 5;
    card_acl(m, 0, &e);
    card_commit(m);
    static const uint8_t want[] = {SCRUB_GSTAT_PASS_FILTERED, SCRUB_GSTAT_PASS_FILTERED, SCRUB_GSTAT_DROP_POLICER};
    for (int i = 0; i < 3; i++) {
        v = card_send(m, &TCP4, 10 + (uint64_t)i);
        assert_int_equal(v.gstat, want[i]);
        assert_int_equal(v.policer, 5);
        assert_int_equal(v.acl, 0);
    }
    card_snapshot(m);
    assert_int_equal(card_counter(m, 50).packets, 2);
    assert_int_equal(card_counter(m, 50).bytes, 80);
    assert_int_equal(card_counter(m, 51).packets, 1);
    assert_int_equal(card_counter(m, 51).bytes, 40);
    assert_int_equal(card_counter(m, 20).packets, 5);
    assert_int_equal(card_counter(m, 100).packets, 4);
    assert_int_equal(card_counter(m, 101).packets, 1);

    /* Unprotected traffic is never filtered. */
    struct pkt other;
    struct pkt_spec s = pkt_spec("192.0.2.77", "192.0.2.200", PROTO_TCP);
    pkt_build(&other, &s);
    v = card_send(m, &other, 20);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_UNPROTECTED);
    assert_int_equal(v.acl, -1);
    assert_int_equal(v.dest, -1);
    card_free(m);
}

static void default_action(void **state)
{
    (void)state;
    struct scrub_model *m = protected_card();
    struct scrub_acl_entry udp = card_acl_entry(SCRUB_ACTION_ACCEPT, 20);
    udp.proto_value = PROTO_UDP, udp.proto_mask = 0xff;
    card_acl(m, 0, &udp);
    card_commit(m);
    struct scrub_verdict v = card_send(m, &TCP4, 1);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, -1);
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);
    assert_int_equal(card_send(m, &TCP4, 2).gstat, SCRUB_GSTAT_PASS_FILTERED);
    card_commit(m);
    v = card_send(m, &TCP4, 3);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_DEFAULT);
    assert_int_equal(v.acl, -1);
    assert_int_equal(card_send(m, &UDP4, 4).gstat, SCRUB_GSTAT_PASS_FILTERED);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 100).packets, 4);
    assert_int_equal(card_counter(m, 101).packets, 1);
    assert_int_equal(card_counter(m, 101).bytes, 40);
    assert_int_equal(card_counter(m, 20).packets, 1);
    /* The default does not touch unprotected traffic. */
    struct pkt other;
    struct pkt_spec s = pkt_spec("192.0.2.77", "192.0.2.200", PROTO_TCP);
    pkt_build(&other, &s);
    assert_int_equal(card_send(m, &other, 5).gstat, SCRUB_GSTAT_PASS_UNPROTECTED);
    card_free(m);
}

/* ---- BAD_ENTRY ------------------------------------------------------------------------------------ */

/* Writes e at index 2 over a known good entry and expects BAD_ENTRY naming
 * `word`, with the entry unchanged. */
static void expect_bad(struct scrub_model *m, const char *what, const struct scrub_acl_entry *e, uint32_t word)
{
    struct scrub_acl_entry good = card_acl_entry(SCRUB_ACTION_ACCEPT, 77);
    card_acl(m, 2, &good);
    scrub_words before, after;
    card_read(m, SCRUB_TABLE_ACL, 2, before);
    uint8_t st = card_acl_try(m, 2, e);
    uint32_t result = scrub_model_read(m, SCRUB_REG_TBL_RESULT);
    card_read(m, SCRUB_TABLE_ACL, 2, after);
    if (st != SCRUB_STATUS_BAD_ENTRY || result != word) {
        print_error("  %s: status %u TBL_RESULT %u, want BAD_ENTRY (%u) word %u\n", what, st, result,
                    SCRUB_STATUS_BAD_ENTRY, word);
        failures++;
    }
    if (memcmp(before, after, sizeof(before)) != 0) {
        print_error("  %s: the rejected write changed the entry\n", what);
        failures++;
    }
}

static void expect_good(struct scrub_model *m, const char *what, const struct scrub_acl_entry *e)
{
    uint8_t st = card_acl_try(m, 2, e);
    if (st != SCRUB_STATUS_OK) {
        print_error("  %s: status %u, want OK\n", what, st);
        failures++;
        return;
    }
    scrub_words w, packed;
    card_read(m, SCRUB_TABLE_ACL, 2, w);
    scrub_acl_pack(e, packed);
    if (memcmp(w, packed, SCRUB_TABLE_ACL_WORDS * 4) != 0) {
        print_error("  %s: READ returns another entry than written\n", what);
        failures++;
    }
}

static void bad_entries(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_model *m = card_new();
    struct scrub_acl_entry e, base = card_acl_entry(SCRUB_ACTION_DROP, 5);
    expect_good(m, "a plain drop entry", &base);

    e = base;
    e.src_mask = card_addr("ffff:ffff::"), e.src_value = card_addr("2001:db8:1::");
    expect_bad(m, "source value beyond its mask", &e, SCRUB_ACL_SRC_VALUE_WORD);
    e.src_value = card_addr("2001:db8::");
    expect_good(m, "source value within its mask", &e);
    e = base;
    e.dst_mask = card_addr("::ffff:ffff:ff00"), e.dst_value = card_addr("::ffff:198.51.100.1");
    expect_bad(m, "destination value beyond its mask", &e, SCRUB_ACL_DST_VALUE_WORD);
    e = base;
    e.sport_lo = 1001, e.sport_hi = 1000;
    expect_bad(m, "source port low > high", &e, SCRUB_ACL_SPORT_LO_WORD);
    e.sport_lo = 1000;
    expect_good(m, "source port low = high", &e);
    e = base;
    e.dport_lo = 65535, e.dport_hi = 0;
    expect_bad(m, "destination port low > high", &e, SCRUB_ACL_DPORT_LO_WORD);
    e = base;
    e.len_lo = 100, e.len_hi = 99;
    expect_bad(m, "length low > high", &e, SCRUB_ACL_LEN_LO_WORD);
    e = base;
    e.action = 3;
    expect_bad(m, "action 3", &e, SCRUB_ACL_ACTION_WORD);
    e.count_only = true;
    expect_bad(m, "count-only with action 3", &e, SCRUB_ACL_ACTION_WORD);

    e = base;
    e.action = SCRUB_ACTION_POLICE;
    e.policer = 255;
    expect_good(m, "police with the last policer", &e);
    e.policer = 256;
    expect_bad(m, "police with policer 256 of 256", &e, SCRUB_ACL_POLICER_WORD);
    e.policer = 248, e.policer_bits = 3;
    expect_good(m, "police with the group 248..255", &e);
    e.policer = 249;
    expect_bad(m, "police with the group 249..256", &e, SCRUB_ACL_POLICER_WORD);
    e.policer = 0, e.policer_bits = 8;
    expect_good(m, "police with the group of all 256", &e);

    e = base;
    e.counter = 4095;
    expect_good(m, "the last counter", &e);
    e.counter = 4096;
    expect_bad(m, "counter 4096 of 4096", &e, SCRUB_ACL_COUNTER_WORD);
    e.count_only = true;
    expect_bad(m, "count-only with counter 4096", &e, SCRUB_ACL_COUNTER_WORD);
    e = base;
    e.action = SCRUB_ACTION_POLICE, e.policer = 1, e.counter = 4096;
    expect_bad(m, "police entry with counter 4096", &e, SCRUB_ACL_COUNTER_WORD);
    e.action = SCRUB_ACTION_ACCEPT;
    expect_bad(m, "accept entry with counter 4096", &e, SCRUB_ACL_COUNTER_WORD);

    /* Entries that are not valid are not checked. */
    e = base;
    e.valid = false;
    e.src_value = card_addr("2001:db8::1"), e.sport_lo = 9, e.sport_hi = 1, e.action = 3, e.counter = 99999;
    expect_good(m, "an invalid entry full of errors", &e);

    /* A valid entry of errors changes nothing for the packets either. */
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 1, 0);
    card_dest(m, 0, &d);
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 5);
    card_acl(m, 0, &drop);
    card_commit(m);
    struct scrub_acl_entry bad = card_acl_entry(SCRUB_ACTION_ACCEPT, 4096);
    assert_int_equal(card_acl_try(m, 0, &bad), SCRUB_STATUS_BAD_ENTRY);
    card_commit(m);
    assert_int_equal(card_send(m, &TCP4, 1).gstat, SCRUB_GSTAT_DROP_ACL);
    card_free(m);
    assert_int_equal(failures, 0);
}

/* POLICER_BITS > 16 is refused on its own, on a card with policers enough
 * for a group of 2^17, and TBL_RESULT names the POLICER_BITS word. */
static void policer_bits_above_16(void **state)
{
    (void)state;
    failures = 0;
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    p.policers = 1u << 18;
    struct scrub_model *m = card_new_with(&p);
    struct scrub_acl_entry e = card_acl_entry(SCRUB_ACTION_POLICE, 5);
    e.policer = 0, e.policer_bits = 16;
    expect_good(m, "POLICER_BITS 16", &e);
    e.policer_bits = 17;
    expect_bad(m, "POLICER_BITS 17", &e, SCRUB_ACL_POLICER_BITS_WORD);
    e.policer_bits = 31;
    expect_bad(m, "POLICER_BITS 31", &e, SCRUB_ACL_POLICER_BITS_WORD);
    card_free(m);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_condition_matches_everything),
        cmocka_unit_test(tenant_and_profile),
        cmocka_unit_test(addresses),
        cmocka_unit_test(protocol_and_ports),
        cmocka_unit_test(tcp_flags_and_icmp),
        cmocka_unit_test(frag_length_dscp_vlan_family),
        cmocka_unit_test(all_fields_together),
        cmocka_unit_test(lower_index_wins),
        cmocka_unit_test(count_only_entries),
        cmocka_unit_test(actions),
        cmocka_unit_test(default_action),
        cmocka_unit_test(bad_entries),
        cmocka_unit_test(policer_bits_above_16),
    };
    return cmocka_run_group_tests(tests, build_packets, card_free_all);
}
