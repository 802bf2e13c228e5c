/* scrub_config_load: the demo configuration as structs, and every kind of
 * error with the file, line and data path it must name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scrub_config.h"

#define INVALID CONFIG_TEST_DIR "/invalid/"

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("'%s'\ndoes not contain\n'%s'", text, part);
}

static int load(const char *path, struct scrub_config *cfg, struct scrub_err *err)
{
    memset(err, 0, sizeof(*err));
    return scrub_config_load(path, NULL, cfg, err);
}

/* Loads JSON text through a temporary file; the error names that file. */
static int load_text(const char *json, struct scrub_config *cfg, struct scrub_err *err)
{
    char path[] = "/tmp/scrub-config-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(json);
    assert_int_equal(write(fd, json, len), (ssize_t)len);
    close(fd);
    int rc = load(path, cfg, err);
    unlink(path);
    return rc;
}

/* A configuration with one profile holding one ACL (of type acl_type, or
 * none when NULL) holding one ACE whose members are ace_members. */
static int load_ace(const char *acl_type, const char *ace_members, struct scrub_config *cfg, struct scrub_err *err)
{
    char json[4096], type[128] = "";
    if (acl_type)
        snprintf(type, sizeof(type), "\"type\": \"ietf-access-control-list:%s\",", acl_type);
    snprintf(json, sizeof(json),
             "{\"scrub-config:scrub-config\": {"
             "\"policer\": [{\"name\": \"p\", \"unit\": \"packets\", \"rate\": \"10\", \"burst\": 10}],"
             "\"profile\": [{\"name\": \"x\", \"acls\": {\"acl\": [{\"name\": \"a\", %s"
             "\"aces\": {\"ace\": [{\"name\": \"e\", %s}]}}]}}]}}",
             type, ace_members);
    return load_text(json, cfg, err);
}

static const struct scrub_ace *find_ace(const struct scrub_config *cfg, const char *profile, const char *acl,
                                        const char *ace)
{
    for (size_t i = 0; i < cfg->n_profiles; i++)
        for (size_t k = 0; strcmp(cfg->profiles[i].name, profile) == 0 && k < cfg->profiles[i].n_acls; k++)
            for (size_t e = 0; strcmp(cfg->profiles[i].acls[k].name, acl) == 0 && e < cfg->profiles[i].acls[k].n_aces;
                 e++)
                if (strcmp(cfg->profiles[i].acls[k].aces[e].name, ace) == 0)
                    return &cfg->profiles[i].acls[k].aces[e];
    fail_msg("no ACE %s/%s/%s", profile, acl, ace);
    return NULL;
}

static void prefix_is(const struct scrub_prefix *p, const char *text)
{
    char buf[SCRUB_PREFIX_TEXT];
    scrub_prefix_format(p, buf, sizeof(buf));
    assert_string_equal(buf, text);
}

static void test_demo_loads(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    if (load(DEMO_JSON, &cfg, &err))
        fail_msg("%s", err.msg);

    assert_false(cfg.card.default_drop);
    assert_true(cfg.card.malformed_drop);
    assert_true(cfg.card.unparsed_drop);
    assert_false(cfg.card.nonip_drop);

    assert_int_equal(cfg.n_policers, 4);
    assert_string_equal(cfg.policers[2].name, "icmp");
    assert_true(cfg.policers[2].packets);
    assert_int_equal(cfg.policers[2].rate, 50);
    assert_int_equal(cfg.policers[2].burst, 20);
    assert_int_equal(cfg.policers[2].per_source_bits, 4);

    assert_int_equal(cfg.n_profiles, 3);
    assert_string_equal(cfg.profiles[0].name, "standard");
    assert_non_null(cfg.profiles[0].description);
    assert_int_equal(cfg.profiles[0].n_acls, 4);
    assert_true(cfg.profiles[2].operator_only);
    assert_false(cfg.profiles[0].operator_only);

    const struct scrub_ace *dns = find_ace(&cfg, "standard", "reflection", "dns");
    assert_int_equal(dns->matches.l4, SCRUB_L4_UDP);
    assert_int_equal(dns->matches.sport.op, SCRUB_PORT_EQ);
    assert_int_equal(dns->matches.sport.lower, 53);
    assert_int_equal(dns->matches.dport.op, SCRUB_PORT_ANY);
    assert_int_equal(dns->forwarding, SCRUB_FORWARD_DROP);

    const struct scrub_ace *frag = find_ace(&cfg, "standard", "fragments", "ipv6");
    assert_int_equal(cfg.profiles[0].acls[1].type_family, SCRUB_FAMILY_ANY);
    assert_int_equal(frag->matches.l3, SCRUB_FAMILY_IPV6);
    assert_true(frag->matches.fragment.present);
    assert_int_equal(frag->matches.fragment.op, SCRUB_BITS_MATCH);
    assert_int_equal(frag->matches.fragment.bits, SCRUB_ACE_FRAG_ISF);
    assert_true(frag->has_rate_limit);
    assert_int_equal(frag->rate_limit_centi, 12500000);

    const struct scrub_ace *any = find_ace(&cfg, "standard", "tcp", "psh-fin-rst");
    assert_int_equal(any->matches.tcp_flags.op, SCRUB_BITS_ANY);
    assert_int_equal(any->matches.tcp_flags.bits, 13);
    const struct scrub_ace *icmp = find_ace(&cfg, "standard", "icmp", "icmp");
    assert_int_equal(icmp->matches.l4, SCRUB_L4_ICMP);
    assert_int_equal(icmp->policer, 2);
    const struct scrub_ace *drop_all = find_ace(&cfg, "strict", "default", "drop-all");
    assert_int_equal(drop_all->matches.l3, SCRUB_FAMILY_ANY);
    assert_int_equal(drop_all->matches.l4, SCRUB_L4_NONE);

    assert_int_equal(cfg.n_tenants, 2);
    const struct scrub_tenant *acme = &cfg.tenants[0];
    assert_string_equal(acme->name, "acme");
    assert_int_equal(acme->profile, 0);
    assert_false(acme->monitor_only);
    assert_int_equal(acme->n_prefixes, 2);
    prefix_is(&acme->prefixes[0], "198.51.100.0/24");
    assert_int_equal(acme->prefixes[0].plen, 120);
    prefix_is(&acme->prefixes[1], "2001:db8:100::/48");
    assert_int_equal(acme->n_sources, 3);
    assert_int_equal(acme->sources[0].action, SCRUB_SOURCE_ACCEPT);
    assert_int_equal(acme->sources[2].action, SCRUB_SOURCE_DROP);
    assert_int_equal(cfg.tenants[1].profile, 1);
    assert_int_equal(cfg.tenants[1].n_sources, 0);
    scrub_config_free(&cfg);
}

static void test_json_syntax_error_names_file_and_line(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "syntax.json", &cfg, &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_contains(err.msg, INVALID "syntax.json:5: ");
    assert_int_equal(cfg.n_policers, 0);
}

static void test_schema_error_names_path(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "range.json", &cfg, &err), -1);
    assert_contains(err.msg,
                    INVALID "range.json:4: /scrub-config:scrub-config/policer[name='flood']/per-source-bits: ");
    assert_contains(err.msg, "17");
}

static void test_unknown_leaf_is_refused(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "unknown-leaf.json", &cfg, &err), -1);
    assert_contains(err.msg, "/scrub-config:scrub-config/tenant[name='acme']");
    assert_contains(err.msg, "\"colour\"");
}

static void test_overlapping_tenant_prefixes(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "overlap.json", &cfg, &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_contains(err.msg,
                    INVALID "overlap.json: /scrub-config:scrub-config/tenant[name='globex']/protected-prefix");
    assert_contains(err.msg, "198.51.100.128/25 overlaps 198.51.100.0/24 of tenant 'acme'");
}

/* Two tenants, wholesale (198.51.100.0/24, 2001:db8::/32) and customer
 * (its prefixes and members given), in a configuration's text. */
static int load_nested(const char *customer_prefixes, const char *customer_members, struct scrub_config *cfg,
                       struct scrub_err *err)
{
    char json[1024];
    snprintf(json, sizeof(json),
             "{\"scrub-config:scrub-config\": {\"profile\": [{\"name\": \"x\"}], \"tenant\": ["
             "{\"name\": \"wholesale\", \"profile\": \"x\", \"protected-prefix\": [\"198.51.100.0/24\", "
             "\"2001:db8::/32\"]},"
             "{\"name\": \"customer\", \"profile\": \"x\", \"protected-prefix\": [%s]%s}]}}",
             customer_prefixes, customer_members);
    return load_text(json, cfg, err);
}

static void test_nested_tenant_prefixes(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    /* Declared: a longer prefix inside the other tenant's, in both families,
     * and one of its own inside that. */
    if (load_nested("\"198.51.100.128/25\", \"198.51.100.192/26\", \"2001:db8:1::/48\", \"192.0.2.0/24\"",
                    ", \"nested-in\": [\"wholesale\"]", &cfg, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cfg.tenants[1].n_prefixes, 4);
    scrub_config_free(&cfg);
    /* Not declared. */
    assert_int_equal(load_nested("\"198.51.100.128/25\"", "", &cfg, &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_contains(err.msg, "tenant[name='customer']/protected-prefix");
    assert_contains(err.msg, "198.51.100.128/25 overlaps 198.51.100.0/24 of tenant 'wholesale': prefixes of "
                             "different tenants must not overlap, unless the tenant of the longer one is nested-in "
                             "the other");
    /* Declared the wrong way round: the wholesale prefix is the longer one's
     * container, so the customer must declare it, not the reverse. */
    assert_int_equal(load_text("{\"scrub-config:scrub-config\": {\"profile\": [{\"name\": \"x\"}], \"tenant\": ["
                               "{\"name\": \"wholesale\", \"profile\": \"x\", \"protected-prefix\": "
                               "[\"198.51.100.0/24\"], \"nested-in\": [\"customer\"]},"
                               "{\"name\": \"customer\", \"profile\": \"x\", \"protected-prefix\": "
                               "[\"198.51.100.128/25\"]}]}}",
                               &cfg, &err),
                     -1);
    assert_contains(err.msg, "198.51.100.128/25 overlaps 198.51.100.0/24 of tenant 'wholesale'");
    /* The same prefix twice: nobody would win. */
    assert_int_equal(load_nested("\"2001:db8::/32\"", ", \"nested-in\": [\"wholesale\"]", &cfg, &err), -1);
    assert_contains(err.msg, "2001:db8::/32 is also tenant 'wholesale''s: a nested prefix must be longer than the "
                             "one it lies in");
    /* A tenant that does not exist. */
    assert_int_equal(load_nested("\"198.51.100.128/25\"", ", \"nested-in\": [\"nobody\"]", &cfg, &err), -1);
    assert_contains(err.msg, "nested-in");
}

static void test_unsupported_match_field(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "ttl.json", &cfg, &err), -1);
    assert_int_equal(err.code, ENOTSUP);
    assert_contains(err.msg, "/scrub-config:scrub-config/profile[name='standard']/acls/acl[name='spoofing']/aces/"
                             "ace[name='low-ttl']: ACE 'low-ttl': matches/ipv4/ttl: the card cannot match this leaf");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load(INVALID "absent.json", &cfg, &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_contains(err.msg, "absent.json");
}

static void test_empty_file(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_text("{}", &cfg, &err), -1);
    assert_contains(err.msg, "holds no /scrub-config:scrub-config");
}

static void test_yang_dirs(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err = {0};
    assert_int_equal(scrub_config_load(DEMO_JSON, "/nonexistent", &cfg, &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_contains(err.msg, "'/nonexistent' for scrub-config@2026-11-23");
    assert_int_equal(scrub_config_load(DEMO_JSON, CONFIG_TEST_DIR, &cfg, &err), -1);
    assert_contains(err.msg, "loading scrub-config@2026-11-23 from '" CONFIG_TEST_DIR "': ");

    setenv("SCRUB_YANG_DIRS", "/elsewhere", 1);
    assert_string_equal(scrub_config_yang_dirs(), "/elsewhere");
    unsetenv("SCRUB_YANG_DIRS");
    assert_string_not_equal(scrub_config_yang_dirs(), "/elsewhere");
}

static void test_dangling_profile(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_text("{\"scrub-config:scrub-config\": {\"tenant\": [{\"name\": \"acme\", \"profile\": "
                               "\"nope\"}]}}",
                               &cfg, &err),
                     -1);
    assert_contains(err.msg, "/scrub-config:scrub-config/tenant[name='acme']/profile: ");
}

/* A tenant's client identity: its name unless given; unique. */
static void test_tenant_identity(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    if (load_text("{\"scrub-config:scrub-config\": {\"profile\": [{\"name\": \"x\"}], \"tenant\": ["
                  "{\"name\": \"acme\", \"profile\": \"x\", \"identity\": \"dots.acme.example\"},"
                  "{\"name\": \"globex\", \"profile\": \"x\"}]}}",
                  &cfg, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.tenants[0].identity, "dots.acme.example");
    assert_string_equal(cfg.tenants[1].identity, "globex");
    scrub_config_free(&cfg);
    assert_int_equal(load_text("{\"scrub-config:scrub-config\": {\"profile\": [{\"name\": \"x\"}], \"tenant\": ["
                               "{\"name\": \"acme\", \"profile\": \"x\"},"
                               "{\"name\": \"globex\", \"profile\": \"x\", \"identity\": \"acme\"}]}}",
                               &cfg, &err),
                     -1);
    assert_contains(err.msg, "tenant[name='globex']: identity 'acme' is tenant 'acme''s already; identities are "
                             "unique");
}

static void test_v6_prefix_over_v4_space(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_text("{\"scrub-config:scrub-config\": {\"profile\": [{\"name\": \"x\"}], \"tenant\": "
                               "[{\"name\": \"acme\", \"profile\": \"x\", \"protected-prefix\": [\"::/0\"]}]}}",
                               &cfg, &err),
                     -1);
    assert_contains(err.msg, "tenant[name='acme']/protected-prefix");
    assert_contains(err.msg, "::ffff:0:0/96");
}

static void test_source_policer_must_be_single(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(
        load_text("{\"scrub-config:scrub-config\": {\"policer\": [{\"name\": \"g\", \"unit\": \"bytes\", \"rate\": "
                  "\"1000\", \"burst\": 1500, \"per-source-bits\": 2}], \"profile\": [{\"name\": \"x\"}], "
                  "\"tenant\": [{\"name\": \"acme\", \"profile\": \"x\", \"source\": [{\"address\": \"192.0.2.1\", "
                  "\"action\": \"police\", \"policer\": \"g\"}]}]}}",
                  &cfg, &err),
        -1);
    assert_contains(err.msg, "tenant[name='acme']/source[address='192.0.2.1']/policer");
    assert_contains(err.msg, "per-source group");
}

static void test_forwarding_reject(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL, "\"actions\": {\"forwarding\": \"ietf-access-control-list:reject\"}", &cfg, &err),
                     -1);
    assert_int_equal(err.code, ENOTSUP);
    assert_contains(err.msg, "ace[name='e']/actions/forwarding");
    assert_contains(err.msg, "reject");
}

static void test_tcp_flags_beyond_the_card(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL,
                              "\"matches\": {\"tcp\": {\"flags-bitmask\": {\"bitmask\": 256}}},"
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']: ACE 'e': matches/tcp/flags-bitmask: bits 8..11");
}

static void test_tcp_flags_leaf_is_refused(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL,
                              "\"matches\": {\"tcp\": {\"flags\": \"syn\"}},"
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "matches/tcp/flags: the card cannot match this leaf (match TCP flags with "
                             "'flags-bitmask' instead)");
}

static void test_operator_match_and_any(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL,
                              "\"matches\": {\"tcp\": {\"flags-bitmask\": {\"operator\": \"match any\", "
                              "\"bitmask\": 2}}}, \"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/matches/tcp/flags-bitmask/operator: An operator is match or any");
}

static void test_protocol_contradicts_l4(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace("mixed-eth-ipv6-acl-type",
                              "\"matches\": {\"ipv6\": {\"protocol\": 1}, \"icmp\": {}}, "
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/matches/ipv6/protocol: The protocol contradicts");
}

static void test_df_in_ipv6(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace("mixed-eth-ipv6-acl-type",
                              "\"matches\": {\"ipv6\": {\"fragment\": {\"type\": \"df isf\"}}}, "
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/matches/ipv6/fragment/type: df is the IPv4 don't-fragment bit");
}

static void test_ipv4_acl_type_cannot_hold_ipv4(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    /* The published module's when uses derived-from, which excludes
     * ipv4-acl-type itself: such an ACL is typed mixed-eth-ipv4-acl-type. */
    assert_int_equal(load_ace("ipv4-acl-type",
                              "\"matches\": {\"ipv4\": {\"dscp\": 46}}, "
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/matches/ipv4: When condition");
}

static void test_policer_needs_accept(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL,
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:drop\", \"policer\": \"p\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/actions/policer");
}

static void test_count_only_decides_nothing(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace(NULL,
                              "\"actions\": {\"forwarding\": \"ietf-access-control-list:accept\", \"count-only\": "
                              "true, \"policer\": \"p\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/actions/count-only: A count-only ACE counts");
}

static void test_length_with_l3_length(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    assert_int_equal(load_ace("mixed-eth-ipv4-acl-type",
                              "\"matches\": {\"ipv4\": {\"length\": 60}, \"l3-length\": {\"lower\": 40, \"upper\": "
                              "80}}, \"actions\": {\"forwarding\": \"ietf-access-control-list:drop\"}",
                              &cfg, &err),
                     -1);
    assert_contains(err.msg, "ace[name='e']/matches/l3-length: An ACE matches either");
}

static void test_card_augments_load(void **state)
{
    (void)state;
    struct scrub_config cfg;
    struct scrub_err err;
    if (load_ace("mixed-eth-ipv6-acl-type",
                 "\"matches\": {\"ipv6\": {\"destination-ipv6-network\": \"2001:db8::/32\", \"dscp\": 46}, "
                 "\"udp\": {\"destination-port-range-or-operator\": {\"lower-port\": 1000, \"upper-port\": 2000}}, "
                 "\"l3-length\": {\"lower\": 100, \"upper\": 200}, \"vlan\": 200}, "
                 "\"actions\": {\"forwarding\": \"ietf-access-control-list:accept\", \"count-only\": true}",
                 &cfg, &err))
        fail_msg("%s", err.msg);
    const struct scrub_acl *acl = &cfg.profiles[0].acls[0];
    const struct scrub_ace_matches *m = &acl->aces[0].matches;
    assert_int_equal(acl->type_family, SCRUB_FAMILY_IPV6);
    assert_int_equal(m->l3, SCRUB_FAMILY_IPV6);
    assert_true(m->has_dst);
    prefix_is(&m->dst, "2001:db8::/32");
    assert_int_equal(m->dscp, 46);
    assert_int_equal(m->dport.op, SCRUB_PORT_RANGE);
    assert_int_equal(m->dport.lower, 1000);
    assert_int_equal(m->dport.upper, 2000);
    assert_true(m->has_l3_length);
    assert_int_equal(m->l3_length_lower, 100);
    assert_int_equal(m->l3_length_upper, 200);
    assert_true(m->has_vlan);
    assert_int_equal(m->vlan, 200);
    assert_true(acl->aces[0].count_only);
    scrub_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_loads),
        cmocka_unit_test(test_json_syntax_error_names_file_and_line),
        cmocka_unit_test(test_schema_error_names_path),
        cmocka_unit_test(test_unknown_leaf_is_refused),
        cmocka_unit_test(test_overlapping_tenant_prefixes),
        cmocka_unit_test(test_nested_tenant_prefixes),
        cmocka_unit_test(test_unsupported_match_field),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_yang_dirs),
        cmocka_unit_test(test_dangling_profile),
        cmocka_unit_test(test_v6_prefix_over_v4_space),
        cmocka_unit_test(test_source_policer_must_be_single),
        cmocka_unit_test(test_forwarding_reject),
        cmocka_unit_test(test_tcp_flags_beyond_the_card),
        cmocka_unit_test(test_tcp_flags_leaf_is_refused),
        cmocka_unit_test(test_operator_match_and_any),
        cmocka_unit_test(test_protocol_contradicts_l4),
        cmocka_unit_test(test_df_in_ipv6),
        cmocka_unit_test(test_ipv4_acl_type_cannot_hold_ipv4),
        cmocka_unit_test(test_policer_needs_accept),
        cmocka_unit_test(test_count_only_decides_nothing),
        cmocka_unit_test(test_length_with_l3_length),
        cmocka_unit_test(test_card_augments_load),
        cmocka_unit_test(test_tenant_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
