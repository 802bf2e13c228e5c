/* The model's ACL index against the plain linear search (docs/card.md,
 * "Model-only notes"): two cards get the same random configuration and the
 * same random packets, one searching through the index and one linearly
 * (scrub_model_set_acl_linear); every verdict and, at the end, every
 * counter must be equal. The configurations mix exact, partial and absent
 * tenant, profile and protocol conditions, the three the index filters on.
 * Entries change during the traffic, a few per commit (the index changes
 * in place), now and then all of them (it is rebuilt), and with enough new
 * tenants that the tenant table fills with stale ones (rebuilt too). */
#include <stdio.h>
#include <string.h>

#include "card_test.h"

#define CONFIGS 8
#define PACKETS_PER_CONFIG 5000

static uint64_t rng;

static uint32_t below(uint32_t n)
{
    return card_rand_below(&rng, n);
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

static const uint16_t tenants[] = {1, 2, 3, 0x100, 0x101, 0x1234, 0x1235, 0xfffe, 0xffff, 0x8000};
static const uint8_t profiles[] = {0, 1, 2, 3, 7, 0x80, 0xff};
static const uint8_t protos[] = {PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6, 47, 50};
static const uint16_t ports[] = {53, 80, 123, 443, 1024, 8080, 40000, 65535};
static const uint8_t flag_sets[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_ACK | TCP_PSH, TCP_FIN | TCP_ACK,
                                    TCP_RST, TCP_SYN | TCP_ECE | TCP_CWR, TCP_URG | TCP_ACK};
static const uint8_t icmp_types[] = {0, 3, 8, 11, 128, 129, 135};

#define N_DEST 24
#define N_SRC 24
static struct scrub_addr dest_prefix[N_DEST];
static uint8_t dest_plen[N_DEST];
static struct scrub_addr sources[N_SRC];

#define ITEMS(a) (sizeof(a) / sizeof(*(a)))
#define PICK(a) (a)[below(ITEMS(a))]

/* A random address of the family: IPv4 in 10/8 or 198.18/15, IPv6 in
 * 2001:db8::/32; never martian. */
static struct scrub_addr random_addr(bool v6)
{
    struct scrub_addr a;
    if (!v6) {
        uint32_t r = (uint32_t)card_rand(&rng);
        return scrub_addr_v4(chance(50) ? 0x0a000000u | (r & 0x00ff0f0fu) : 0xc6120000u | (r & 0x0001ff0fu));
    }
    memset(a.b, 0, 16);
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[2] = 0x0d, a.b[3] = 0xb8;
    a.b[5] = (uint8_t)below(4);
    a.b[7] = (uint8_t)below(3);
    a.b[15] = (uint8_t)(1 + below(200));
    return a;
}

static struct scrub_addr masked(struct scrub_addr a, unsigned plen)
{
    struct scrub_addr m = scrub_addr_mask(plen);
    scrub_addr_and(&a, &m);
    return a;
}

#define ACL_ENTRIES 64
#define TENANT_SLOTS 128 /* the model's for 64 entries: the least power of two >= 2n */

/* Exact tenants written since the last rebuild, to show the tenant table
 * must have filled: the index keeps a slot for each until it is rebuilt. */
static uint16_t written[1u << 16];
static unsigned n_written, most_written;

static void note_tenant(const struct scrub_acl_entry *e)
{
    if (!e->valid || e->tenant_mask != 0xffff)
        return;
    for (unsigned k = 0; k < n_written; k++)
        if (written[k] == e->tenant_value)
            return;
    written[n_written++] = e->tenant_value;
    if (n_written > most_written)
        most_written = n_written;
}

/* ---- configuration ---------------------------------------------------------- */

static void random_acl_entry(struct scrub_acl_entry *e)
{
    scrub_acl_entry_any(e);
    e->valid = chance(92);
    unsigned r = below(100);
    if (r < 50) {
        e->tenant_mask = 0xffff;
        e->tenant_value = PICK(tenants);
    } else if (r < 80) {
        static const uint16_t masks[] = {0xff00, 0x00ff, 0xfffe, 0x8000, 0x0001, 0xfff0, 0x0f0f};
        e->tenant_mask = chance(30) ? (uint16_t)card_rand(&rng) : PICK(masks);
        e->tenant_value = PICK(tenants) & e->tenant_mask;
    }
    r = below(100);
    if (r < 40) {
        e->profile_mask = 0xff;
        e->profile_value = PICK(profiles);
    } else if (r < 60) {
        e->profile_mask = (uint8_t)card_rand(&rng);
        e->profile_value = PICK(profiles) & e->profile_mask;
    }
    r = below(100);
    if (r < 50) {
        e->proto_mask = 0xff;
        e->proto_value = PICK(protos);
    } else if (r < 65) {
        e->proto_mask = (uint8_t)card_rand(&rng);
        e->proto_value = PICK(protos) & e->proto_mask;
    }
    if (chance(25)) {
        const struct scrub_addr *a = &sources[below(N_SRC)];
        unsigned plen = scrub_addr_is_v4(a) ? 96 + below(33) : below(129);
        e->src_mask = scrub_addr_mask(plen);
        e->src_value = masked(*a, plen);
    }
    if (chance(20)) {
        unsigned d = below(N_DEST);
        unsigned plen = dest_plen[d] + below(129 - dest_plen[d]);
        e->dst_mask = scrub_addr_mask(plen);
        e->dst_value = masked(dest_prefix[d], plen);
    }
    if (chance(20)) {
        uint16_t a = PICK(ports), b = PICK(ports);
        e->sport_lo = a < b ? a : b, e->sport_hi = a < b ? b : a;
    }
    if (chance(25)) {
        uint16_t a = PICK(ports), b = PICK(ports);
        e->dport_lo = a < b ? a : b, e->dport_hi = a < b ? b : a;
    }
    if (chance(15)) {
        e->flags_mask = (uint8_t)card_rand(&rng);
        e->flags_value = PICK(flag_sets) & e->flags_mask;
    }
    if (chance(10)) {
        e->itype_mask = 0xff;
        e->itype_value = PICK(icmp_types);
    }
    if (chance(5)) {
        e->icode_mask = 0xff;
        e->icode_value = (uint8_t)below(2);
    }
    if (chance(15)) {
        e->frag_mask = (uint8_t)below(32);
        e->frag_value = (uint8_t)below(32) & e->frag_mask;
    }
    if (chance(15)) {
        uint16_t a = (uint16_t)below(400), b = (uint16_t)below(400);
        e->len_lo = a < b ? a : b, e->len_hi = a < b ? b : a;
    }
    if (chance(10)) {
        e->dscp_mask = 0x3f;
        e->dscp_value = chance(50) ? 46 : 0;
    }
    if (chance(10)) {
        e->vlan_mask = chance(50) ? 0x1fff : 0x1000;
        e->vlan_value = (uint16_t)(chance(50) ? 0 : 0x1000 | below(4)) & e->vlan_mask;
    }
    if (chance(20)) {
        e->v6_mask = 1;
        e->v6_value = (uint8_t)below(2);
    }
    e->count_only = chance(20);
    e->action = (uint8_t)below(3);
    e->policer_bits = (uint8_t)(chance(30) ? below(4) : 0);
    e->policer = below(32);
    e->counter = below(4096);
}

/* The same register writes to both cards. */
static void configure(struct scrub_model *const cards[2])
{
    for (unsigned d = 0; d < N_DEST; d++) {
        bool v6 = d % 2;
        dest_plen[d] = (uint8_t)(v6 ? 32 + 8 * below(6) : 96 + 8 * below(4));
        dest_prefix[d] = masked(random_addr(v6), dest_plen[d]);
    }
    for (unsigned s = 0; s < N_SRC; s++)
        sources[s] = random_addr(s % 2);
    for (int c = 0; c < 2; c++) {
        uint64_t saved = rng; /* both cards draw the same numbers */
        for (unsigned d = 0; d < N_DEST; d++) {
            struct scrub_dest_entry e = {.prefix = dest_prefix[d],
                                         .plen = dest_plen[d],
                                         .valid = true,
                                         .enable = chance(90),
                                         .tenant = PICK(tenants),
                                         .profile = PICK(profiles),
                                         .counter = 2 * d};
            card_dest(cards[c], d, &e);
        }
        for (uint32_t i = 0; i < ACL_ENTRIES; i++) {
            struct scrub_acl_entry e;
            random_acl_entry(&e);
            card_acl(cards[c], i, &e);
            if (c == 0)
                note_tenant(&e);
        }
        for (uint32_t i = 0; i < 40; i++) {
            struct scrub_policer_entry p = {.packets = chance(30),
                                            .reset = true,
                                            .rate = 1000 + below(200000),
                                            .burst = 100 + below(3000),
                                            .counter = 100 + 2 * i};
            card_policer(cards[c], i, &p);
        }
        for (unsigned k = 0; k < 6; k++) {
            struct scrub_em_entry e = {.tenant = PICK(tenants),
                                       .addr = sources[below(N_SRC)],
                                       .action = (uint8_t)below(3),
                                       .policer = below(40),
                                       .counter = 200 + k};
            assert_int_equal(card_em_insert(cards[c], &e, NULL), SCRUB_STATUS_OK);
        }
        card_actions(cards[c], chance(50) ? SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK : 0);
        if (c == 0)
            rng = saved;
    }
}

/* ---- changes during traffic ---------------------------------------------------- */

/* Writes count random entries (all of them when count is ACL_ENTRIES) to
 * both cards and commits. */
static void change_acl(struct scrub_model *const cards[2], unsigned count)
{
    if (count == ACL_ENTRIES)
        n_written = 0;
    for (unsigned k = 0; k < count; k++) {
        uint32_t i = count == ACL_ENTRIES ? k : below(ACL_ENTRIES);
        struct scrub_acl_entry e;
        random_acl_entry(&e);
        if (e.valid && chance(40)) { /* a tenant the table has not seen */
            e.tenant_mask = 0xffff;
            e.tenant_value = (uint16_t)card_rand(&rng);
        }
        note_tenant(&e);
        card_acl(cards[0], i, &e);
        card_acl(cards[1], i, &e);
    }
    card_commit(cards[0]);
    card_commit(cards[1]);
}

/* ---- packets -------------------------------------------------------------------- */

static void random_packet(struct pkt *p)
{
    bool v6 = chance(50);
    uint8_t proto = PICK(protos);
    if (proto == PROTO_ICMP || proto == PROTO_ICMPV6)
        proto = v6 ? PROTO_ICMPV6 : PROTO_ICMP;
    struct pkt_spec s = pkt_spec(v6 ? "2001:db8::1" : "192.0.2.1", v6 ? "2001:db8::2" : "192.0.2.2", proto);
    /* Sources mostly from the pool the entries use. */
    s.src = chance(80) ? sources[below(N_SRC / 2) * 2 + v6] : random_addr(v6);
    unsigned d = below(N_DEST / 2) * 2 + v6;
    struct scrub_addr host = random_addr(v6), m = scrub_addr_mask(dest_plen[d]);
    for (unsigned i = 0; i < 16; i++)
        s.dst.b[i] = (uint8_t)((dest_prefix[d].b[i] & m.b[i]) | (host.b[i] & ~m.b[i]));
    if (chance(5))
        s.dst = random_addr(v6);
    if (scrub_addr_eq(&s.src, &s.dst))
        s.dst.b[15] ^= 1;
    s.sport = chance(50) ? PICK(ports) : (uint16_t)card_rand(&rng);
    s.dport = chance(70) ? PICK(ports) : (uint16_t)card_rand(&rng);
    s.tcp_flags = PICK(flag_sets);
    s.icmp_type = PICK(icmp_types);
    s.icmp_code = (uint8_t)below(2);
    s.tos = chance(30) ? 46 << 2 : (uint8_t)card_rand(&rng);
    s.vlans = below(3);
    for (unsigned i = 0; i < s.vlans; i++) {
        s.tpid[i] = chance(50) ? 0x8100 : 0x88a8;
        s.tci[i] = (uint16_t)below(4);
    }
    s.payload = below(300);
    if (v6 && chance(20)) {
        s.exts = 1 + below(2);
        s.ext[0] = 0;
        s.ext[1] = 60;
    }
    if (chance(20)) { /* a fragment: first, middle or last */
        unsigned kind = below(3);
        s.frag = kind == 0 ? 0 : (uint16_t)(1 + below(100));
        s.mf = kind != 2;
        if (v6)
            s.ext[s.exts++] = 44;
        if (s.mf) { /* a fragment payload that is a multiple of 8 */
            unsigned header = s.frag ? 0 : proto == PROTO_TCP ? 20 : proto == 47 || proto == 50 ? 0 : 8;
            s.payload = 8 * below(30) + (8 - header % 8) % 8;
        }
    }
    s.df = chance(30);
    if (chance(3))
        s.tcp_flags = 0; /* malformed when TCP */
    pkt_build(p, &s);
}

/* ---- the comparison ------------------------------------------------------------ */

static void index_equals_linear(void **state)
{
    (void)state;
    static struct pkt p;
    unsigned decided = 0, by_entry[CONFIGS][64] = {{0}}, policed = 0, em_hits = 0, protected_pkts = 0;
    for (unsigned config = 0; config < CONFIGS; config++) {
        rng = 0x5eed0000u + config;
        n_written = 0;
        struct scrub_model *cards[2] = {card_new(), card_new()};
        scrub_model_set_acl_linear(cards[1], true);
        configure(cards);
        uint64_t ts = 1000000000ull;
        for (unsigned n = 0; n < PACKETS_PER_CONFIG; n++) {
            if (n % 2500 == 2499)
                change_acl(cards, ACL_ENTRIES);
            else if (n % 10 == 9)
                change_acl(cards, 1 + below(3));
            random_packet(&p);
            ts += 1 + below(20000);
            struct scrub_verdict v[2];
            for (int c = 0; c < 2; c++)
                v[c] = card_send(cards[c], &p, ts);
            if (v[0].pass != v[1].pass || v[0].gstat != v[1].gstat || v[0].mal != v[1].mal ||
                v[0].dest != v[1].dest || v[0].em != v[1].em || v[0].acl != v[1].acl ||
                v[0].policer != v[1].policer)
                fail_msg("config %u packet %u: index gstat %u dest %d em %d acl %d policer %d, linear gstat %u "
                         "dest %d em %d acl %d policer %d",
                         config, n, v[0].gstat, v[0].dest, v[0].em, v[0].acl, v[0].policer, v[1].gstat,
                         v[1].dest, v[1].em, v[1].acl, v[1].policer);
            protected_pkts += v[0].dest >= 0;
            em_hits += v[0].em >= 0;
            policed += v[0].policer >= 0;
            if (v[0].acl >= 0) {
                decided++;
                by_entry[config][v[0].acl]++;
            }
        }
        /* Count-only entries and everything else landed in the same counters. */
        card_snapshot(cards[0]);
        card_snapshot(cards[1]);
        for (uint32_t i = 0; i < 4096; i++) {
            struct scrub_counter a = card_counter(cards[0], i), b = card_counter(cards[1], i);
            if (a.packets != b.packets || a.bytes != b.bytes)
                fail_msg("config %u counter %u: index %llu/%llu, linear %llu/%llu", config, i,
                         (unsigned long long)a.packets, (unsigned long long)a.bytes,
                         (unsigned long long)b.packets, (unsigned long long)b.bytes);
        }
        for (uint32_t i = 0; i < SCRUB_GSTAT_COUNT; i++) {
            struct scrub_counter a = card_gstat(cards[0], i), b = card_gstat(cards[1], i);
            assert_int_equal(a.packets, b.packets);
            assert_int_equal(a.bytes, b.bytes);
        }
        card_free(cards[0]);
        card_free(cards[1]);
    }
    /* The comparison means something only if the ACL decided a good share
     * of the packets, through many different entries. */
    unsigned entries_used = 0;
    for (unsigned c = 0; c < CONFIGS; c++)
        for (unsigned i = 0; i < 64; i++)
            entries_used += by_entry[c][i] > 0;
    print_message("%u packets: %u protected, %u decided by %u (config, entry) pairs, %u policed, %u EM hits\n",
                  CONFIGS * PACKETS_PER_CONFIG, protected_pkts, decided, entries_used, policed, em_hits);
    assert_true(CONFIGS * PACKETS_PER_CONFIG >= 20000);
    assert_true(decided > CONFIGS * PACKETS_PER_CONFIG / 5);
    assert_true(entries_used >= 8 * CONFIGS);
    assert_true(policed > 1000);
    print_message("at most %u exact tenants written between rebuilds, %u slots\n", most_written, TENANT_SLOTS);
    assert_true(4 * most_written > 3 * TENANT_SLOTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_equals_linear),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
