/* scrub_config_apply on the card model: the demo configuration's layout,
 * what does not fit, and packets getting the verdicts the configuration
 * says. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_apply.h"
#include "scrub_hal_model.h"
#include "test_frames.h"

struct fixture {
    struct scrub_model *model;
    struct scrub_hal *hal;
    struct scrub_config cfg;
    struct scrub_layout layout;
    uint64_t now;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_err err = {0};
    assert_non_null(f);
    assert_non_null(f->model = scrub_model_new(&params));
    f->hal = scrub_hal_model_attach(f->model, &err);
    if (!f->hal)
        fail_msg("%s", err.msg);
    if (scrub_config_load(DEMO_JSON, NULL, &f->cfg, &err))
        fail_msg("%s", err.msg);
    f->now = 1000000000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scrub_layout_free(&f->layout);
    scrub_config_free(&f->cfg);
    scrub_hal_close(f->hal);
    scrub_model_free(f->model);
    free(f);
    return 0;
}

static void apply(struct fixture *f)
{
    struct scrub_err err = {0};
    scrub_layout_free(&f->layout);
    if (scrub_config_apply(f->hal, &f->cfg, &f->layout, &err))
        fail_msg("%s", err.msg);
}

static void apply_fails(struct fixture *f, int code, const char *message)
{
    struct scrub_err err = {0};
    assert_int_equal(scrub_config_apply(f->hal, &f->cfg, &f->layout, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, message);
    assert_int_equal(f->layout.n_counters, 0);
    /* Nothing reached the card. */
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_CTRL), 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_CFG_ACTIONS), 0);
}

static const struct scrub_layout_counter *counter(const struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->layout.n_counters; i++)
        if (strcmp(f->layout.counters[i].name, name) == 0)
            return &f->layout.counters[i];
    fail_msg("no counter '%s'", name);
    return NULL;
}

/* The packets and bytes of a counter pair (second = 1 for the second pair
 * of a DEST entry or policer). */
static struct scrub_counter read_pair(struct fixture *f, const char *name, unsigned second)
{
    struct scrub_err err = {0};
    struct scrub_counter c;
    if (scrub_hal_snapshot(f->hal, &err) ||
        scrub_hal_read_counters(f->hal, SCRUB_TABLE_COUNTER, counter(f, name)->index + second, 1, &c, &err))
        fail_msg("%s", err.msg);
    return c;
}

static struct scrub_verdict send_frame(struct fixture *f, const uint8_t *frame, size_t len)
{
    struct scrub_verdict v;
    scrub_model_packet(f->model, frame, (uint32_t)len, f->now, &v);
    uint8_t out[TEST_FRAME_MAX];
    uint64_t ts;
    while (scrub_model_output_pop(f->model, out, sizeof(out), &ts))
        ;
    return v;
}

static struct scrub_verdict send(struct fixture *f, const struct test_packet *p)
{
    uint8_t frame[TEST_FRAME_MAX];
    size_t len = test_frame(p, frame);
    assert_true(len > 0);
    f->now += 1000;
    return send_frame(f, frame, len);
}

static void expect(struct fixture *f, const struct test_packet *p, unsigned gstat)
{
    struct scrub_verdict v = send(f, p);
    assert_int_equal(v.mal, SCRUB_MAL_NONE);
    assert_int_equal(v.gstat, gstat);
}

/* ---- layout ------------------------------------------------------------------------ */

static void test_demo_layout(void **state)
{
    struct fixture *f = *state;
    apply(f);
    const struct scrub_layout *l = &f->layout;
    assert_int_equal(l->acl.used, 24);
    assert_int_equal(l->acl.total, 64);
    assert_int_equal(l->policers.used, 1 + 1 + 16 + 1 + 2);
    assert_int_equal(l->policers.total, 256);
    assert_int_equal(l->dest.used, 4);
    assert_int_equal(l->em.used, 3);
    assert_int_equal(l->em.total, 2 * 512 * 4 + 8);
    assert_int_equal(l->counter_pairs.used, 8 + 21 + 4 + 8 + 3);
    assert_int_equal(l->counter_pairs.total, 4096);
    assert_int_equal(l->n_counters, 4 + 21 + 2 + 4 + 3);

    const struct scrub_layout_counter *c = counter(f, "policer syn");
    assert_int_equal(c->index, 0);
    assert_int_equal(c->pairs, 2);
    assert_int_equal(c->kind, SCRUB_COUNTER_POLICER);
    c = counter(f, "profile standard / acl reflection / ace dns");
    assert_int_equal(c->index, 8);
    assert_int_equal(c->pairs, 1);
    assert_int_equal(c->kind, SCRUB_COUNTER_ACL);
    c = counter(f, "profile standard / acl fragments / ace ipv4 / rate-limit");
    assert_int_equal(c->index, 29);
    assert_int_equal(c->kind, SCRUB_COUNTER_POLICER);
    c = counter(f, "tenant acme 198.51.100.0/24");
    assert_int_equal(c->index, 33);
    assert_int_equal(c->pairs, 2);
    assert_int_equal(c->kind, SCRUB_COUNTER_DEST);
    c = counter(f, "tenant globex 2001:db8:200::/48");
    assert_int_equal(c->index, 39);
    c = counter(f, "tenant acme source 100.100.100.100");
    assert_int_equal(c->index, 43);
    assert_int_equal(c->kind, SCRUB_COUNTER_EM);
    for (size_t i = 1; i < l->n_counters; i++)
        assert_true(l->counters[i].index == l->counters[i - 1].index + l->counters[i - 1].pairs);
    assert_string_equal(scrub_counter_kind_name(SCRUB_COUNTER_DEST), "dest");

    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), 1);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_CTRL) & SCRUB_CTRL_ENABLE_MASK, SCRUB_CTRL_ENABLE_MASK);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_CFG_ACTIONS),
                     SCRUB_CFG_ACTIONS_MALFORMED_MASK | SCRUB_CFG_ACTIONS_UNPARSED_MASK);
}

static void test_reapply(void **state)
{
    struct fixture *f = *state;
    apply(f);
    apply(f);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), 2);
    assert_int_equal(f->layout.acl.used, 24);
    struct test_packet reflection = {
        .src = "45.33.0.7", .dst = "198.51.100.53", .proto = TEST_UDP, .sport = 123, .dport = 40000, .payload = 64};
    expect(f, &reflection, SCRUB_GSTAT_DROP_ACL);
}

/* ---- what does not fit ---------------------------------------------------------- */

static void test_acl_does_not_fit(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.acl = 20;
    apply_fails(f, ENOSPC,
                "the profiles need 24 ACL entries, the card has 20: profile 'standard' 17, 'strict' 6, "
                "'blackhole' 1");
}

static void test_policers_do_not_fit(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.policers = 16;
    apply_fails(f, ENOSPC,
                "the policers need 21, the card has 16: 'syn' 1, 'ack' 1, 'icmp' 16, 'syn-strict' 1, rate limits 2");
}

static void test_destinations_do_not_fit(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.dest = 3;
    apply_fails(f, ENOSPC,
                "the protected prefixes need 4 destination entries, the card has 3: tenant 'acme' 2, 'globex' 2");
}

static void test_sources_do_not_fit(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.em_buckets = 0;
    f->hal->caps.em_stash = 2;
    apply_fails(f, ENOSPC,
                "the sources need 3 exact-match entries, the card holds at most 2: tenant 'acme' 3, 'globex' 0");
}

static void test_counters_do_not_fit(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.counters = 40;
    apply_fails(f, ENOSPC,
                "the configuration needs 44 counter pairs, the card has 40: named policers 8, ACEs 21, rate limits "
                "4, protected prefixes 8, sources 3");
}

static void test_missing_capabilities(void **state)
{
    struct fixture *f = *state;
    f->hal->caps.actions &= ~SCRUB_CAP_ACTION_PER_SOURCE_MASK;
    apply_fails(f, ENOTSUP, "policer 'icmp': this card cannot police per source (CAP_ACTION 0x0000006f)");
    f->hal->caps.actions |= SCRUB_CAP_ACTION_PER_SOURCE_MASK;
    f->hal->caps.match &= ~SCRUB_CAP_MATCH_FRAG_MASK;
    apply_fails(f, ENOTSUP,
                "profile standard / acl fragments / ace ipv4 matches fragment bits, which this card cannot "
                "(CAP_MATCH 0x0001fbff)");
}

static void test_em_full_names_the_source(void **state)
{
    struct fixture *f = *state;
    /* A card with one bucket per way (8 slots and the stash of 8) that
     * claims 512: the planner lets 20 sources through, the card refuses
     * the 17th. */
    struct scrub_model_params small = SCRUB_MODEL_PARAMS_SIM;
    small.em_buckets = 1;
    struct scrub_err err = {0};
    struct scrub_model *model = scrub_model_new(&small);
    assert_non_null(model);
    struct scrub_hal *hal = scrub_hal_model_attach(model, &err);
    assert_non_null(hal);
    hal->caps.em_buckets = 512;

    struct scrub_tenant *acme = &f->cfg.tenants[0];
    struct scrub_source *sources = realloc(acme->sources, 20 * sizeof(*sources));
    assert_non_null(sources);
    acme->sources = sources;
    acme->n_sources = 20;
    for (uint32_t i = 0; i < 20; i++)
        sources[i] = (struct scrub_source){scrub_addr_v4(0xc0000200u + i + 1), SCRUB_SOURCE_DROP, -1};

    struct scrub_layout layout;
    assert_int_equal(scrub_config_apply(hal, &f->cfg, &layout, &err), -1);
    assert_int_equal(layout.n_counters, 0);
    if (!strstr(err.msg, "inserting tenant acme source 192.0.2.17 (nothing committed; the sources inserted before "
                         "it stay): ") ||
        !strstr(err.msg, ": full"))
        fail_msg("%s", err.msg);
    assert_int_equal(scrub_model_read(model, SCRUB_REG_COMMIT_COUNT), 0);
    scrub_hal_close(hal);
    scrub_model_free(model);
}

/* ---- verdicts -------------------------------------------------------------------------- */

static void test_reflection_dropped(void **state)
{
    struct fixture *f = *state;
    apply(f);
    static const uint16_t ports[] = {53, 123, 11211, 1900, 389, 19, 161};
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        struct test_packet p = {.src = "45.33.0.7",
                                .dst = "198.51.100.53",
                                .proto = TEST_UDP,
                                .sport = ports[i],
                                .dport = 40000,
                                .payload = 400};
        expect(f, &p, SCRUB_GSTAT_DROP_ACL);
    }
    struct test_packet v6 = {.src = "2001:db8:bad::1",
                             .dst = "2001:db8:100::10",
                             .proto = TEST_UDP,
                             .sport = 53,
                             .dport = 40000,
                             .payload = 400};
    expect(f, &v6, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(read_pair(f, "profile standard / acl reflection / ace dns", 0).packets, 2);
    assert_int_equal(read_pair(f, "profile standard / acl reflection / ace ntp", 0).packets, 1);
    assert_int_equal(read_pair(f, "tenant acme 198.51.100.0/24", 0).packets, 7);
    assert_int_equal(read_pair(f, "tenant acme 198.51.100.0/24", 1).packets, 7);
    assert_int_equal(read_pair(f, "tenant acme 2001:db8:100::/48", 1).packets, 1);
}

static void test_resolvers_accepted(void **state)
{
    struct fixture *f = *state;
    apply(f);
    struct test_packet answer = {
        .src = "192.0.2.201", .dst = "198.51.100.53", .proto = TEST_UDP, .sport = 53, .dport = 40000, .payload = 300};
    struct scrub_verdict v = send(f, &answer);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_true(v.em >= 0);
    assert_int_equal(v.acl, -1);
    answer.src = "192.0.2.202";
    expect(f, &answer, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(read_pair(f, "tenant acme source 192.0.2.201", 0).packets, 1);
    assert_int_equal(read_pair(f, "tenant acme source 192.0.2.202", 0).packets, 1);
    /* The same answer from anyone else is reflection. */
    answer.src = "192.0.2.203";
    expect(f, &answer, SCRUB_GSTAT_DROP_ACL);
}

static void test_blocklisted_source_dropped(void **state)
{
    struct fixture *f = *state;
    apply(f);
    struct test_packet p = {.src = "100.100.100.100",
                            .dst = "198.51.100.10",
                            .proto = TEST_TCP,
                            .sport = 40000,
                            .dport = 443,
                            .tcp_flags = TEST_SYN};
    expect(f, &p, SCRUB_GSTAT_DROP_SRC);
    assert_int_equal(read_pair(f, "tenant acme source 100.100.100.100", 0).packets, 1);
    /* acme's block list is acme's only. */
    p.dst = "203.0.113.80";
    struct scrub_verdict v = send(f, &p);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.em, -1);
}

static void test_unprotected_passes(void **state)
{
    struct fixture *f = *state;
    apply(f);
    struct test_packet p = {
        .src = "100.64.1.2", .dst = "192.0.2.99", .proto = TEST_UDP, .sport = 123, .dport = 40000, .payload = 48};
    expect(f, &p, SCRUB_GSTAT_PASS_UNPROTECTED);
}

static void test_acme_services(void **state)
{
    struct fixture *f = *state;
    apply(f);
    struct test_packet game = {.src = "100.64.1.2",
                               .dst = "198.51.100.20",
                               .proto = TEST_UDP,
                               .sport = 40000,
                               .dport = 27015,
                               .payload = 100};
    struct scrub_verdict v = send(f, &game);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.acl, -1); /* the default action */

    struct test_packet web = {.src = "100.64.1.2",
                              .dst = "198.51.100.10",
                              .proto = TEST_TCP,
                              .sport = 40000,
                              .dport = 443,
                              .tcp_flags = TEST_SYN};
    v = send(f, &web);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, 0); /* syn */
    web.tcp_flags = TEST_ACK;
    v = send(f, &web);
    assert_int_equal(v.policer, 1); /* ack */
    web.tcp_flags = TEST_PSH | TEST_ACK;
    web.payload = 500;
    v = send(f, &web);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, -1);

    struct test_packet web6 = {.src = "2001:db8:f00::1",
                               .dst = "2001:db8:100::10",
                               .proto = TEST_TCP,
                               .sport = 40000,
                               .dport = 443,
                               .tcp_flags = TEST_SYN};
    v = send(f, &web6);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, 0);

    struct test_packet ping = {
        .src = "100.64.1.2", .dst = "198.51.100.10", .proto = TEST_ICMP, .icmp_type = 8, .payload = 56};
    v = send(f, &ping);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_true(v.policer >= 2 && v.policer < 18); /* the icmp group */
    struct test_packet ping6 = {
        .src = "2001:db8:f00::1", .dst = "2001:db8:100::10", .proto = TEST_ICMPV6, .icmp_type = 128, .payload = 56};
    v = send(f, &ping6);
    assert_true(v.policer >= 2 && v.policer < 18);

    struct test_packet fragment = {.src = "100.64.1.2",
                                   .dst = "198.51.100.20",
                                   .proto = TEST_UDP,
                                   .sport = 40000,
                                   .dport = 27015,
                                   .more_fragments = true,
                                   .payload = 64};
    v = send(f, &fragment);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, 19); /* the ipv4 fragments' rate limit */
}

static void test_pure_ack_policer(void **state)
{
    struct fixture *f = *state;
    apply(f);
    uint8_t frame[TEST_FRAME_MAX];
    struct test_packet ack = {.src = "45.33.0.7",
                              .dst = "198.51.100.10",
                              .proto = TEST_TCP,
                              .sport = 40000,
                              .dport = 80,
                              .tcp_flags = TEST_ACK};
    size_t len = test_frame(&ack, frame);
    /* All at one instant: the bucket holds its burst, 1000 packets. */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(send_frame(f, frame, len).gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(send_frame(f, frame, len).gstat, SCRUB_GSTAT_DROP_POLICER);
    assert_int_equal(read_pair(f, "policer ack", 0).packets, 1000);
    assert_int_equal(read_pair(f, "policer ack", 1).packets, 1);
    assert_int_equal(read_pair(f, "profile standard / acl tcp / ace pure-ack", 0).packets, 1001);
}

static void test_globex_strict(void **state)
{
    struct fixture *f = *state;
    apply(f);
    struct test_packet p = {.src = "100.64.1.2",
                            .dst = "203.0.113.80",
                            .proto = TEST_TCP,
                            .sport = 40000,
                            .dport = 443,
                            .tcp_flags = TEST_SYN,
                            .vlans = 1,
                            .vid = {200}};
    struct scrub_verdict v = send(f, &p);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, 18); /* syn-strict */
    p.tcp_flags = TEST_ACK;
    v = send(f, &p);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, -1);
    /* QinQ: service VLAN 10 outside, globex's 200 inside. */
    p.vlans = 2;
    p.vid[0] = 10;
    p.vid[1] = 200;
    expect(f, &p, SCRUB_GSTAT_PASS_FILTERED);

    struct test_packet dns = {.src = "100.64.1.2",
                              .dst = "203.0.113.80",
                              .proto = TEST_UDP,
                              .sport = 40000,
                              .dport = 53,
                              .vlans = 1,
                              .vid = {200},
                              .payload = 40};
    expect(f, &dns, SCRUB_GSTAT_PASS_FILTERED);
    dns.dport = 5000;
    expect(f, &dns, SCRUB_GSTAT_DROP_ACL);
    struct test_packet ssh = {.src = "2001:db8:f00::1",
                              .dst = "2001:db8:200::22",
                              .proto = TEST_TCP,
                              .sport = 40000,
                              .dport = 22,
                              .tcp_flags = TEST_SYN};
    expect(f, &ssh, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(read_pair(f, "profile strict / acl default / ace drop-all", 0).packets, 2);
}

static void test_exceptions(void **state)
{
    struct fixture *f = *state;
    apply(f);
    uint8_t arp[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06};
    assert_int_equal(send_frame(f, arp, sizeof(arp)).gstat, SCRUB_GSTAT_PASS_EXCEPTION);
    uint8_t frame[TEST_FRAME_MAX];
    struct test_packet land = {.src = "198.51.100.10",
                               .dst = "198.51.100.10",
                               .proto = TEST_TCP,
                               .sport = 80,
                               .dport = 80,
                               .tcp_flags = TEST_SYN};
    size_t len = test_frame(&land, frame);
    struct scrub_verdict v = send_frame(f, frame, len);
    assert_int_equal(v.mal, SCRUB_MAL_LAND);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_MALFORMED);
}

static void test_monitor_only(void **state)
{
    struct fixture *f = *state;
    f->cfg.tenants[0].monitor_only = true;
    apply(f);
    struct test_packet reflection = {
        .src = "45.33.0.7", .dst = "198.51.100.53", .proto = TEST_UDP, .sport = 123, .dport = 40000, .payload = 400};
    expect(f, &reflection, SCRUB_GSTAT_PASS_UNPROTECTED);
    assert_int_equal(read_pair(f, "tenant acme 198.51.100.0/24", 0).packets, 1);
    assert_int_equal(read_pair(f, "tenant acme 198.51.100.0/24", 1).packets, 0);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_demo_layout),
        TEST(test_reapply),
        TEST(test_acl_does_not_fit),
        TEST(test_policers_do_not_fit),
        TEST(test_destinations_do_not_fit),
        TEST(test_sources_do_not_fit),
        TEST(test_counters_do_not_fit),
        TEST(test_missing_capabilities),
        TEST(test_em_full_names_the_source),
        TEST(test_reflection_dropped),
        TEST(test_resolvers_accepted),
        TEST(test_blocklisted_source_dropped),
        TEST(test_unprotected_passes),
        TEST(test_acme_services),
        TEST(test_pure_ack_policer),
        TEST(test_globex_strict),
        TEST(test_exceptions),
        TEST(test_monitor_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
