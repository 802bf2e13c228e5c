/* scrub_ace_compile: every expansion rule of acl_compile.h, entry by
 * entry. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "acl_compile.h"

static struct scrub_acl_entry out[SCRUB_ACE_MAX_ENTRIES];
static struct scrub_err err;

static struct scrub_ace ace(void)
{
    return (struct scrub_ace){.name = "t", .policer = -1};
}

/* What a caller puts in every entry. */
static struct scrub_acl_entry base(void)
{
    struct scrub_acl_entry b;
    scrub_acl_entry_any(&b);
    b.valid = true;
    b.profile_value = 3;
    b.profile_mask = 0xff;
    b.action = SCRUB_ACTION_POLICE;
    b.policer = 7;
    b.policer_bits = 2;
    b.counter = 42;
    return b;
}

static int compile(const struct scrub_ace *a, enum scrub_family acl_family)
{
    struct scrub_acl_entry b = base();
    memset(out, 0xa5, sizeof(out));
    memset(&err, 0, sizeof(err));
    return scrub_ace_compile(a, acl_family, &b, out, SCRUB_ACE_MAX_ENTRIES, &err);
}

static void assert_error(const struct scrub_ace *a, enum scrub_family family, int code, const char *part)
{
    assert_int_equal(compile(a, family), -1);
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, part))
        fail_msg("'%s' does not contain '%s'", err.msg, part);
}

static void assert_ports(const struct scrub_acl_entry *e, unsigned slo, unsigned shi, unsigned dlo, unsigned dhi)
{
    assert_int_equal(e->sport_lo, slo);
    assert_int_equal(e->sport_hi, shi);
    assert_int_equal(e->dport_lo, dlo);
    assert_int_equal(e->dport_hi, dhi);
}

static void assert_bits(uint8_t value, uint8_t mask, unsigned want_value, unsigned want_mask)
{
    assert_int_equal(value, want_value);
    assert_int_equal(mask, want_mask);
}

static struct scrub_ace udp_dport(enum scrub_port_op op, uint16_t lower, uint16_t upper)
{
    struct scrub_ace a = ace();
    a.matches.l4 = SCRUB_L4_UDP;
    a.matches.dport = (struct scrub_port_cond){op, lower, upper};
    return a;
}

static void test_base_is_kept(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    struct scrub_acl_entry b = base();
    scrub_words got = {0}, want = {0};
    scrub_acl_pack(&out[0], got);
    scrub_acl_pack(&b, want);
    assert_memory_equal(got, want, sizeof(got));
}

static void test_counting_without_room(void **state)
{
    (void)state;
    struct scrub_ace a = udp_dport(SCRUB_PORT_NEQ, 80, 0);
    struct scrub_acl_entry b = base();
    assert_int_equal(scrub_ace_compile(&a, SCRUB_FAMILY_ANY, &b, NULL, 0, &err), 2);
    memset(out, 0, sizeof(out));
    assert_int_equal(scrub_ace_compile(&a, SCRUB_FAMILY_ANY, &b, out, 1, &err), 2);
    assert_ports(&out[0], 0, 0xffff, 0, 79);
    assert_int_equal(out[1].valid, false);
}

static void test_ports_eq_lte_gte_range(void **state)
{
    (void)state;
    struct scrub_ace a = udp_dport(SCRUB_PORT_EQ, 53, 53);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 53, 53);
    assert_bits(out[0].proto_value, out[0].proto_mask, 17, 0xff);

    a = udp_dport(SCRUB_PORT_LTE, 1023, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 0, 1023);

    a = udp_dport(SCRUB_PORT_GTE, 1024, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 1024, 0xffff);

    a = udp_dport(SCRUB_PORT_RANGE, 1000, 2000);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 1000, 2000);
}

static void test_ports_neq(void **state)
{
    (void)state;
    struct scrub_ace a = udp_dport(SCRUB_PORT_NEQ, 443, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 2);
    assert_ports(&out[0], 0, 0xffff, 0, 442);
    assert_ports(&out[1], 0, 0xffff, 444, 0xffff);

    a = udp_dport(SCRUB_PORT_NEQ, 0, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 1, 0xffff);

    a = udp_dport(SCRUB_PORT_NEQ, 0xffff, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_ports(&out[0], 0, 0xffff, 0, 0xfffe);
}

static void test_ports_source_and_destination_neq(void **state)
{
    (void)state;
    struct scrub_ace a = udp_dport(SCRUB_PORT_NEQ, 80, 0);
    a.matches.sport = (struct scrub_port_cond){SCRUB_PORT_NEQ, 53, 0};
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 4);
    assert_ports(&out[0], 0, 52, 0, 79);
    assert_ports(&out[1], 0, 52, 81, 0xffff);
    assert_ports(&out[2], 54, 0xffff, 0, 79);
    assert_ports(&out[3], 54, 0xffff, 81, 0xffff);
}

static struct scrub_ace tcp_flags(enum scrub_bits_op op, uint16_t bits)
{
    struct scrub_ace a = ace();
    a.matches.l4 = SCRUB_L4_TCP;
    a.matches.tcp_flags = (struct scrub_bits_cond){true, op, bits};
    return a;
}

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

static void test_flags_match(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_MATCH, SYN | ACK);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_bits(out[0].flags_value, out[0].flags_mask, SYN | ACK, SYN | ACK);
    assert_bits(out[0].proto_value, out[0].proto_mask, 6, 0xff);
}

static void test_flags_not_match(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_NOT_MATCH, SYN | ACK);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 2);
    assert_bits(out[0].flags_value, out[0].flags_mask, 0, SYN);
    assert_bits(out[1].flags_value, out[1].flags_mask, 0, ACK);
}

static void test_flags_any(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_ANY, FIN | RST | PSH);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 3);
    assert_bits(out[0].flags_value, out[0].flags_mask, FIN, FIN);
    assert_bits(out[1].flags_value, out[1].flags_mask, RST, RST);
    assert_bits(out[2].flags_value, out[2].flags_mask, PSH, PSH);
}

static void test_flags_not_any(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_NOT_ANY, SYN | FIN | RST);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_bits(out[0].flags_value, out[0].flags_mask, 0, SYN | FIN | RST);
}

static void test_flags_empty_bitmask(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_MATCH, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_int_equal(out[0].flags_mask, 0);
    a = tcp_flags(SCRUB_BITS_NOT_ANY, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_int_equal(out[0].flags_mask, 0);
    a = tcp_flags(SCRUB_BITS_ANY, 0);
    assert_error(&a, SCRUB_FAMILY_ANY, EINVAL, "operator 'any' with bitmask 0 never matches");
    a = tcp_flags(SCRUB_BITS_NOT_MATCH, 0);
    assert_error(&a, SCRUB_FAMILY_ANY, EINVAL, "operator 'not match' with bitmask 0 never matches");
}

static void test_flags_beyond_the_card(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_MATCH, 0x100 | SYN);
    assert_error(&a, SCRUB_FAMILY_ANY, ENOTSUP, "ACE 't': matches/tcp/flags-bitmask: bits 8..11 (NS");
    a = tcp_flags(SCRUB_BITS_MATCH, 0x5000);
    assert_error(&a, SCRUB_FAMILY_ANY, EINVAL, "bits 12..15 are the data offset");
}

static struct scrub_ace fragment(enum scrub_family l3, enum scrub_bits_op op, uint16_t bits)
{
    struct scrub_ace a = ace();
    a.matches.l3 = l3;
    a.matches.fragment = (struct scrub_bits_cond){true, op, bits};
    return a;
}

#define CARD(bit) (1u << SCRUB_FRAG_##bit)

static void test_fragment_operators(void **state)
{
    (void)state;
    struct scrub_ace a = fragment(SCRUB_FAMILY_IPV4, SCRUB_BITS_MATCH, SCRUB_ACE_FRAG_ISF);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].frag_value, out[0].frag_mask, CARD(ISF), CARD(ISF));

    a = fragment(SCRUB_FAMILY_IPV4, SCRUB_BITS_NOT_MATCH, SCRUB_ACE_FRAG_FF | SCRUB_ACE_FRAG_LF);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 2);
    assert_bits(out[0].frag_value, out[0].frag_mask, 0, CARD(FF));
    assert_bits(out[1].frag_value, out[1].frag_mask, 0, CARD(LF));

    a = fragment(SCRUB_FAMILY_IPV4, SCRUB_BITS_ANY, SCRUB_ACE_FRAG_DF | SCRUB_ACE_FRAG_ISF);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 2);
    assert_bits(out[0].frag_value, out[0].frag_mask, CARD(DF), CARD(DF));
    assert_bits(out[1].frag_value, out[1].frag_mask, CARD(ISF), CARD(ISF));

    a = fragment(SCRUB_FAMILY_IPV4, SCRUB_BITS_NOT_ANY, SCRUB_ACE_FRAG_ISF | SCRUB_ACE_FRAG_DF);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].frag_value, out[0].frag_mask, 0, CARD(ISF) | CARD(DF));

    a = fragment(SCRUB_FAMILY_IPV4, SCRUB_BITS_ANY, 0);
    assert_error(&a, SCRUB_FAMILY_IPV4, EINVAL, "matches/ipv4/fragment: operator 'any' with no fragment type");
}

static void test_fragment_df_in_ipv6(void **state)
{
    (void)state;
    struct scrub_ace a = fragment(SCRUB_FAMILY_IPV6, SCRUB_BITS_MATCH, SCRUB_ACE_FRAG_DF);
    assert_error(&a, SCRUB_FAMILY_ANY, EINVAL, "matches/ipv6/fragment: df is the IPv4 don't-fragment bit");
    a = fragment(SCRUB_FAMILY_IPV6, SCRUB_BITS_MATCH, SCRUB_ACE_FRAG_LF);
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_bits(out[0].frag_value, out[0].frag_mask, CARD(LF), CARD(LF));
    assert_bits(out[0].v6_value, out[0].v6_mask, 1, 1);
}

static void test_families(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_int_equal(out[0].v6_mask, 0);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].v6_value, out[0].v6_mask, 0, 1);
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV6), 1);
    assert_bits(out[0].v6_value, out[0].v6_mask, 1, 1);
    /* The l3 container wins over a type admitting both. */
    a.matches.l3 = SCRUB_FAMILY_IPV6;
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_bits(out[0].v6_value, out[0].v6_mask, 1, 1);
    assert_int_equal(out[0].proto_mask, 0);
}

static void test_addresses(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.has_src = a.matches.has_dst = true;
    assert_true(scrub_prefix_parse("192.0.2.0/24", &a.matches.src));
    assert_true(scrub_prefix_parse("198.51.100.53/32", &a.matches.dst));
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    struct scrub_addr v, m = scrub_addr_mask(120);
    assert_true(scrub_addr_parse("192.0.2.0", &v));
    assert_memory_equal(&out[0].src_value, &v, sizeof(v));
    assert_memory_equal(&out[0].src_mask, &m, sizeof(m));
    assert_true(scrub_addr_parse("198.51.100.53", &v));
    m = scrub_addr_mask(128);
    assert_memory_equal(&out[0].dst_value, &v, sizeof(v));
    assert_memory_equal(&out[0].dst_mask, &m, sizeof(m));

    a.matches.l3 = SCRUB_FAMILY_IPV6;
    a.matches.has_dst = false;
    assert_true(scrub_prefix_parse("2001:db8:100::/48", &a.matches.src));
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV6), 1);
    assert_true(scrub_addr_parse("2001:db8:100::", &v));
    m = scrub_addr_mask(48);
    assert_memory_equal(&out[0].src_value, &v, sizeof(v));
    assert_memory_equal(&out[0].src_mask, &m, sizeof(m));
    assert_int_equal(out[0].dst_mask.b[0], 0);
}

static void test_icmp_both_families(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l4 = SCRUB_L4_ICMP;
    a.matches.has_icmp_type = true;
    a.matches.icmp_type = 3;
    a.matches.has_icmp_code = true;
    a.matches.icmp_code = 4;
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 2);
    assert_bits(out[0].v6_value, out[0].v6_mask, 0, 1);
    assert_bits(out[0].proto_value, out[0].proto_mask, 1, 0xff);
    assert_bits(out[1].v6_value, out[1].v6_mask, 1, 1);
    assert_bits(out[1].proto_value, out[1].proto_mask, 58, 0xff);
    for (int i = 0; i < 2; i++) {
        assert_bits(out[i].itype_value, out[i].itype_mask, 3, 0xff);
        assert_bits(out[i].icode_value, out[i].icode_mask, 4, 0xff);
    }
}

static void test_icmp_one_family(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l4 = SCRUB_L4_ICMP;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].proto_value, out[0].proto_mask, 1, 0xff);
    assert_int_equal(out[0].itype_mask, 0);
    a.matches.l3 = SCRUB_FAMILY_IPV6;
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_bits(out[0].proto_value, out[0].proto_mask, 58, 0xff);
    assert_bits(out[0].v6_value, out[0].v6_mask, 1, 1);
}

static void test_protocol_leaf(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.has_protocol = true;
    a.matches.protocol = 47;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].proto_value, out[0].proto_mask, 47, 0xff);

    a.matches.protocol = 6;
    a.matches.l4 = SCRUB_L4_TCP;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_bits(out[0].proto_value, out[0].proto_mask, 6, 0xff);

    a.matches.protocol = 17;
    assert_error(&a, SCRUB_FAMILY_IPV4, EINVAL,
                 "matches/ipv4/protocol 17 contradicts the tcp container (protocol 6)");

    a.matches.l3 = SCRUB_FAMILY_IPV6;
    a.matches.l4 = SCRUB_L4_ICMP;
    a.matches.protocol = 1;
    assert_error(&a, SCRUB_FAMILY_IPV6, EINVAL, "contradicts the icmp container (protocol 58)");
}

static void test_length(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.has_length = true;
    a.matches.length = 1500;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_int_equal(out[0].len_lo, 1500);
    assert_int_equal(out[0].len_hi, 1500);

    a.matches.l3 = SCRUB_FAMILY_IPV6;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV6), 1);
    assert_int_equal(out[0].len_lo, 1540);
    assert_int_equal(out[0].len_hi, 1540);

    a.matches.length = 65496;
    assert_error(&a, SCRUB_FAMILY_IPV6, EINVAL, "matches/ipv6/length: payload length 65496 is 65536 bytes at L3");
}

static void test_length_range(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.has_l3_length = true;
    a.matches.l3_length_lower = 40;
    a.matches.l3_length_upper = 60;
    assert_int_equal(compile(&a, SCRUB_FAMILY_ANY), 1);
    assert_int_equal(out[0].len_lo, 40);
    assert_int_equal(out[0].len_hi, 60);

    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.has_length = true;
    assert_error(&a, SCRUB_FAMILY_IPV4, EINVAL, "'length' and 'l3-length' both given");
}

static void test_vlan_and_dscp(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.has_vlan = true;
    a.matches.vlan = 200;
    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.has_dscp = true;
    a.matches.dscp = 46;
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 1);
    assert_int_equal(out[0].vlan_value, 0x1000 | 200);
    assert_int_equal(out[0].vlan_mask, 0x1fff);
    assert_bits(out[0].dscp_value, out[0].dscp_mask, 46, 0x3f);
}

static void test_unmatchable_leaves(void **state)
{
    (void)state;
    struct scrub_ace a = ace();
    a.matches.l3 = SCRUB_FAMILY_IPV6;
    a.matches.unmatchable = 1u << SCRUB_LEAF_TTL;
    assert_error(&a, SCRUB_FAMILY_ANY, ENOTSUP, "ACE 't': matches/ipv6/ttl: the card cannot match this leaf");

    a = ace();
    a.matches.l4 = SCRUB_L4_TCP;
    a.matches.unmatchable = 1u << SCRUB_LEAF_TCP_WINDOW_SIZE;
    assert_error(&a, SCRUB_FAMILY_ANY, ENOTSUP, "matches/tcp/window-size");

    a = ace();
    a.matches.l4 = SCRUB_L4_UDP;
    a.matches.unmatchable = 1u << SCRUB_LEAF_UDP_LENGTH;
    assert_error(&a, SCRUB_FAMILY_ANY, ENOTSUP, "matches/udp/length");

    a = ace();
    a.matches.l4 = SCRUB_L4_ICMP;
    a.matches.unmatchable = 1u << SCRUB_LEAF_ICMP_REST_OF_HEADER;
    assert_error(&a, SCRUB_FAMILY_ANY, ENOTSUP, "matches/icmp/rest-of-header");

    for (unsigned i = 0; i < SCRUB_LEAF_COUNT; i++) {
        const char *container = scrub_ace_leaf_container((enum scrub_ace_leaf)i, SCRUB_FAMILY_IPV4);
        assert_int_equal(scrub_ace_leaf_find(container, scrub_ace_leaf_name((enum scrub_ace_leaf)i)), i);
    }
    assert_int_equal(scrub_ace_leaf_find("ipv4", "dscp"), SCRUB_LEAF_COUNT);
}

static void test_product_order(void **state)
{
    (void)state;
    struct scrub_ace a = tcp_flags(SCRUB_BITS_ANY, SYN | ACK);
    a.matches.l3 = SCRUB_FAMILY_IPV4;
    a.matches.sport = (struct scrub_port_cond){SCRUB_PORT_NEQ, 53, 0};
    a.matches.dport = (struct scrub_port_cond){SCRUB_PORT_NEQ, 80, 0};
    a.matches.fragment = (struct scrub_bits_cond){true, SCRUB_BITS_NOT_MATCH, SCRUB_ACE_FRAG_FF | SCRUB_ACE_FRAG_LF};
    assert_int_equal(compile(&a, SCRUB_FAMILY_IPV4), 2 * 2 * 2 * 2);
    /* Fragment alternatives vary fastest, then flags, then destination,
     * then source ports. */
    assert_bits(out[0].frag_value, out[0].frag_mask, 0, CARD(FF));
    assert_bits(out[1].frag_value, out[1].frag_mask, 0, CARD(LF));
    assert_bits(out[1].flags_value, out[1].flags_mask, SYN, SYN);
    assert_bits(out[2].flags_value, out[2].flags_mask, ACK, ACK);
    assert_ports(&out[3], 0, 52, 0, 79);
    assert_ports(&out[4], 0, 52, 81, 0xffff);
    assert_ports(&out[15], 54, 0xffff, 81, 0xffff);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(out[i].counter, 42);
        assert_bits(out[i].proto_value, out[i].proto_mask, 6, 0xff);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_kept),
        cmocka_unit_test(test_counting_without_room),
        cmocka_unit_test(test_ports_eq_lte_gte_range),
        cmocka_unit_test(test_ports_neq),
        cmocka_unit_test(test_ports_source_and_destination_neq),
        cmocka_unit_test(test_flags_match),
        cmocka_unit_test(test_flags_not_match),
        cmocka_unit_test(test_flags_any),
        cmocka_unit_test(test_flags_not_any),
        cmocka_unit_test(test_flags_empty_bitmask),
        cmocka_unit_test(test_flags_beyond_the_card),
        cmocka_unit_test(test_fragment_operators),
        cmocka_unit_test(test_fragment_df_in_ipv6),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_icmp_both_families),
        cmocka_unit_test(test_icmp_one_family),
        cmocka_unit_test(test_protocol_leaf),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_length_range),
        cmocka_unit_test(test_vlan_and_dscp),
        cmocka_unit_test(test_unmatchable_leaves),
        cmocka_unit_test(test_product_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
