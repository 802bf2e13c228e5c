/* The source exact-match table (docs/card.md, "Exact match" and step 4):
 * the commands, the actions on packets, and the placement of every key.
 * The test carries its own implementation of the spec's algorithm (CRC-32C
 * and CRC-32 buckets, lowest free slot of way 0 then way 1, the 16-step
 * cuckoo walk, the stash) and requires TBL_RESULT to name the same slot
 * for a long random sequence, through a full table. */
#include <string.h>

#include "card_test.h"

#define BUCKETS 512u
#define SLOTS 4u
#define WAY_SLOTS (BUCKETS * SLOTS)
#define STASH_BASE (2 * WAY_SLOTS)
#define SIZE (STASH_BASE + 8)

/* ---- commands -------------------------------------------------------------------- */

static struct scrub_em_entry em(uint16_t tenant, const char *addr, uint8_t action, uint32_t policer, uint32_t counter)
{
    return (struct scrub_em_entry){
        .tenant = tenant, .addr = card_addr(addr), .action = action, .policer = policer, .counter = counter};
}

static uint32_t way0_bucket(uint16_t tenant, const struct scrub_addr *a)
{
    uint8_t key[18] = {(uint8_t)(tenant >> 8), (uint8_t)tenant};
    memcpy(key + 2, a->b, 16);
    return card_crc32c(key, sizeof(key)) & (BUCKETS - 1);
}

static void geometry(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_EM_BUCKETS), BUCKETS);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_EM_GEOM), 2u | SLOTS << 8 | 8u << 16);
    card_free(m);
}

static void insert_lookup_update_delete(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_em_entry e = em(5, "192.0.2.10", SCRUB_ACTION_ACCEPT, 0, 7), got;
    uint32_t slot = 0, found = 0;
    assert_int_equal(card_em_insert(m, &e, &slot), SCRUB_STATUS_OK);
    /* The empty table: the first slot of the way-0 bucket. */
    assert_int_equal(slot, way0_bucket(5, &e.addr) * SLOTS);
    assert_int_equal(card_em_lookup(m, 5, &e.addr, &got, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot);
    e.valid = true;
    assert_memory_equal(&got, &e, sizeof(e));
    scrub_words w;
    card_read(m, SCRUB_TABLE_EM, slot, w);
    scrub_em_unpack(w, &got);
    assert_memory_equal(&got, &e, sizeof(e));

    /* Another tenant, same address: another key. */
    assert_int_equal(card_em_lookup(m, 6, &e.addr, NULL, NULL), SCRUB_STATUS_NOT_FOUND);
    struct scrub_addr other = card_addr("192.0.2.11");
    assert_int_equal(card_em_lookup(m, 5, &other, NULL, NULL), SCRUB_STATUS_NOT_FOUND);

    /* Insert of a present key updates it in place. */
    struct scrub_em_entry u = em(5, "192.0.2.10", SCRUB_ACTION_POLICE, 9, 8);
    assert_int_equal(card_em_insert(m, &u, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot);
    assert_int_equal(card_em_lookup(m, 5, &u.addr, &got, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot);
    assert_int_equal(got.action, SCRUB_ACTION_POLICE);
    assert_int_equal(got.policer, 9);
    assert_int_equal(got.counter, 8);

    /* A second key of the same bucket takes the next slot. */
    struct scrub_em_entry f = em(5, "192.0.2.10", SCRUB_ACTION_DROP, 0, 9);
    for (unsigned i = 0;; i++) {
        f.addr = scrub_addr_v4(0xc0000200u + 11 + i);
        if (way0_bucket(5, &f.addr) == way0_bucket(5, &e.addr))
            break;
    }
    assert_int_equal(card_em_insert(m, &f, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot + 1);

    assert_int_equal(card_em_delete(m, 5, &e.addr), SCRUB_STATUS_OK);
    assert_int_equal(card_em_lookup(m, 5, &e.addr, NULL, NULL), SCRUB_STATUS_NOT_FOUND);
    assert_int_equal(card_em_delete(m, 5, &e.addr), SCRUB_STATUS_NOT_FOUND);
    card_read(m, SCRUB_TABLE_EM, slot, w);
    scrub_em_unpack(w, &got);
    assert_false(got.valid);
    /* Nothing moves on delete; the freed slot is the lowest free again. */
    assert_int_equal(card_em_lookup(m, 5, &f.addr, NULL, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot + 1);
    assert_int_equal(card_em_insert(m, &e, &found), SCRUB_STATUS_OK);
    assert_int_equal(found, slot);
    /* The VALID bit of the written data does not matter to an insert. */
    struct scrub_em_entry g = em(77, "2001:db8::77", SCRUB_ACTION_ACCEPT, 0, 1);
    g.valid = false;
    assert_int_equal(card_em_insert(m, &g, &found), SCRUB_STATUS_OK);
    assert_int_equal(card_em_lookup(m, 77, &g.addr, &got, NULL), SCRUB_STATUS_OK);
    assert_true(got.valid);
    card_free(m);
}

static void commands_and_checks(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    scrub_words w = {0};
    card_data_put(m, w, SCRUB_DATA_WORDS);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_EM, 0, SCRUB_CMD_WRITE), SCRUB_STATUS_BAD_CMD);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_EM, 0, 0), SCRUB_STATUS_BAD_CMD);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_EM, 0, 6), SCRUB_STATUS_BAD_CMD);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_EM, SIZE - 1, SCRUB_CMD_READ), SCRUB_STATUS_OK);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_EM, SIZE, SCRUB_CMD_READ), SCRUB_STATUS_BAD_INDEX);

    static const struct {
        uint8_t action;
        uint32_t policer, counter, word;
    } bad[] = {
        {3, 0, 0, SCRUB_EM_ACTION_WORD},
        {SCRUB_ACTION_POLICE, 256, 0, SCRUB_EM_POLICER_WORD},
        {SCRUB_ACTION_POLICE, 0xffffffffu, 0, SCRUB_EM_POLICER_WORD},
        {SCRUB_ACTION_ACCEPT, 0, 4096, SCRUB_EM_COUNTER_WORD},
        {SCRUB_ACTION_DROP, 0, 4096, SCRUB_EM_COUNTER_WORD},
        {SCRUB_ACTION_POLICE, 1, 4096, SCRUB_EM_COUNTER_WORD},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct scrub_em_entry e = em(1, "192.0.2.1", bad[i].action, bad[i].policer, bad[i].counter);
        assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_BAD_ENTRY);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_RESULT), bad[i].word);
        assert_int_equal(card_em_lookup(m, 1, &e.addr, NULL, NULL), SCRUB_STATUS_NOT_FOUND);
    }
    /* A rejected update leaves the present entry as it was. */
    struct scrub_em_entry e = em(1, "192.0.2.1", SCRUB_ACTION_POLICE, 255, 4095), got;
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);
    e.action = 3;
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_BAD_ENTRY);
    assert_int_equal(card_em_lookup(m, 1, &e.addr, &got, NULL), SCRUB_STATUS_OK);
    assert_int_equal(got.action, SCRUB_ACTION_POLICE);
    assert_int_equal(got.policer, 255);
    assert_int_equal(got.counter, 4095);
    card_free(m);
}

/* ---- on packets -------------------------------------------------------------------- */

static struct scrub_verdict from(struct scrub_model *m, const char *src, uint64_t ts)
{
    struct pkt p;
    struct pkt_spec s = pkt_spec(src, strchr(src, ':') ? "2001:db8:100::1" : "198.51.100.1", PROTO_TCP);
    s.payload = 10;
    pkt_build(&p, &s);
    return card_send(m, &p, ts);
}

static void actions_on_packets(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 5, 0, 100);
    card_dest(m, 0, &d);
    d = card_dest_entry("2001:db8:100::", 48, 5, 0, 100);
    card_dest(m, 1, &d);
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 20);
    card_acl(m, 0, &drop);
    struct scrub_policer_entry pol = {.packets = true, .rate = 0, .burst = 1, .counter = 30, .reset = true};
    card_policer(m, 9, &pol);
    card_commit(m);

    uint32_t s_accept, s_drop, s_police;
    struct scrub_em_entry e = em(5, "192.0.2.1", SCRUB_ACTION_ACCEPT, 0, 10);
    assert_int_equal(card_em_insert(m, &e, &s_accept), SCRUB_STATUS_OK);
    e = em(5, "2001:db8:aa::2", SCRUB_ACTION_DROP, 0, 11);
    assert_int_equal(card_em_insert(m, &e, &s_drop), SCRUB_STATUS_OK);
    e = em(5, "192.0.2.3", SCRUB_ACTION_POLICE, 9, 12);
    assert_int_equal(card_em_insert(m, &e, &s_police), SCRUB_STATUS_OK);
    e = em(6, "192.0.2.4", SCRUB_ACTION_ACCEPT, 0, 13);
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);

    /* No COMMIT: the table is live. Accept skips the ACL. */
    struct scrub_verdict v = from(m, "192.0.2.1", 1);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.em, (int32_t)s_accept);
    assert_int_equal(v.acl, -1);
    v = from(m, "2001:db8:aa::2", 2);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_SRC);
    assert_int_equal(v.em, (int32_t)s_drop);
    assert_int_equal(v.acl, -1);
    v = from(m, "192.0.2.3", 3);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
    assert_int_equal(v.policer, 9);
    assert_int_equal(v.acl, -1);
    v = from(m, "192.0.2.3", 4);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_POLICER);
    assert_int_equal(v.em, (int32_t)s_police);
    /* Tenant 6's entry is not tenant 5's; an unknown source goes to the ACL. */
    v = from(m, "192.0.2.4", 5);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.em, -1);
    v = from(m, "192.0.2.5", 6);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);

    card_snapshot(m);
    assert_int_equal(card_counter(m, 10).packets, 1);
    assert_int_equal(card_counter(m, 10).bytes, 50);
    assert_int_equal(card_counter(m, 11).packets, 1);
    assert_int_equal(card_counter(m, 11).bytes, 70);
    assert_int_equal(card_counter(m, 12).packets, 2);
    assert_int_equal(card_counter(m, 13).packets, 0);
    assert_int_equal(card_counter(m, 20).packets, 2);
    assert_int_equal(card_counter(m, 30).packets, 1);
    assert_int_equal(card_counter(m, 31).packets, 1);
    assert_int_equal(card_counter(m, 100).packets, 6);
    assert_int_equal(card_counter(m, 101).packets, 4);

    /* Deleting is live too. */
    struct scrub_addr gone = card_addr("192.0.2.1");
    assert_int_equal(card_em_delete(m, 5, &gone), SCRUB_STATUS_OK);
    v = from(m, "192.0.2.1", 7);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.em, -1);
    card_free(m);
}

/* ---- the reference ---------------------------------------------------------------------- */

struct ref_slot {
    bool valid;
    uint16_t tenant;
    struct scrub_addr addr;
    uint32_t counter; /* the value that tells entries apart */
};

static struct ref_slot ref[SIZE];

static uint32_t ref_bucket(unsigned way, uint16_t tenant, const struct scrub_addr *a)
{
    uint8_t key[18] = {(uint8_t)(tenant >> 8), (uint8_t)tenant};
    memcpy(key + 2, a->b, 16);
    return (way ? card_crc32(key, sizeof(key)) : card_crc32c(key, sizeof(key))) & (BUCKETS - 1);
}

static uint32_t base(unsigned way, uint32_t bucket)
{
    return way * WAY_SLOTS + bucket * SLOTS;
}

static bool holds(const struct ref_slot *s, uint16_t tenant, const struct scrub_addr *a)
{
    return s->valid && s->tenant == tenant && scrub_addr_eq(&s->addr, a);
}

static int32_t ref_find(uint16_t tenant, const struct scrub_addr *a)
{
    for (unsigned way = 0; way < 2; way++) {
        uint32_t b = base(way, ref_bucket(way, tenant, a));
        for (uint32_t s = b; s < b + SLOTS; s++)
            if (holds(&ref[s], tenant, a))
                return (int32_t)s;
    }
    for (uint32_t s = STASH_BASE; s < SIZE; s++)
        if (holds(&ref[s], tenant, a))
            return (int32_t)s;
    return -1;
}

static int32_t lowest_free(uint32_t first, uint32_t n)
{
    for (uint32_t s = first; s < first + n; s++)
        if (!ref[s].valid)
            return (int32_t)s;
    return -1;
}

/* The spec's insert; the slot or -1 for FULL. */
static int32_t ref_insert(uint16_t tenant, const struct scrub_addr *a, uint32_t counter)
{
    struct ref_slot e = {.valid = true, .tenant = tenant, .addr = *a, .counter = counter};
    int32_t s = ref_find(tenant, a);
    if (s < 0)
        s = lowest_free(base(0, ref_bucket(0, tenant, a)), SLOTS);
    if (s < 0)
        s = lowest_free(base(1, ref_bucket(1, tenant, a)), SLOTS);
    if (s >= 0) {
        ref[s] = e;
        return s;
    }
    /* The cuckoo walk, planned first. */
    uint32_t path[17];
    unsigned way = 0, n = 0;
    uint32_t bucket = ref_bucket(0, tenant, a);
    for (unsigned k = 0; k < 16; k++) {
        uint32_t pos = base(way, bucket) + k % SLOTS;
        for (unsigned i = 0; i < n; i++)
            if (path[i] == pos)
                goto stash;
        path[n++] = pos;
        way ^= 1;
        bucket = ref_bucket(way, ref[pos].tenant, &ref[pos].addr);
        int32_t free_slot = lowest_free(base(way, bucket), SLOTS);
        if (free_slot >= 0) {
            path[n] = (uint32_t)free_slot;
            for (unsigned i = n; i > 0; i--)
                ref[path[i]] = ref[path[i - 1]];
            ref[path[0]] = e;
            return (int32_t)path[0];
        }
    }
stash:
    s = lowest_free(STASH_BASE, SIZE - STASH_BASE);
    if (s >= 0)
        ref[s] = e;
    return s;
}

/* ---- the comparison ------------------------------------------------------------------------ */

static uint64_t rng = 0xe4a7c0de;

static void random_key(uint16_t *tenant, struct scrub_addr *a)
{
    *tenant = (uint16_t)(1 + card_rand_below(&rng, 8));
    uint64_t r = card_rand(&rng);
    if (r & 1) {
        /* IPv4 in 1.0.0.0 .. 126.255.255.255 */
        *a = scrub_addr_v4((uint32_t)(1 + (r >> 8) % 126) << 24 | (uint32_t)(r >> 32) >> 8);
    } else {
        memset(a->b, 0, 16);
        a->b[0] = 0x20, a->b[1] = 0x01, a->b[2] = 0x0d, a->b[3] = 0xb8;
        uint64_t r2 = card_rand(&rng);
        memcpy(a->b + 8, &r2, 8);
        a->b[15] |= 2;
    }
}

/* Every slot of the card (READ by slot) equals the reference. */
static void compare_all(struct scrub_model *m)
{
    for (uint32_t s = 0; s < SIZE; s++) {
        scrub_words w;
        struct scrub_em_entry got;
        card_read(m, SCRUB_TABLE_EM, s, w);
        scrub_em_unpack(w, &got);
        if (got.valid != ref[s].valid)
            fail_msg("slot %u: valid %d, reference %d", s, got.valid, ref[s].valid);
        if (ref[s].valid && (got.tenant != ref[s].tenant || !scrub_addr_eq(&got.addr, &ref[s].addr) ||
                             got.counter != ref[s].counter))
            fail_msg("slot %u holds another entry than the reference", s);
    }
}

static uint8_t insert(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a, uint32_t counter,
                      uint32_t *slot)
{
    struct scrub_em_entry e = {.tenant = tenant, .addr = *a, .action = SCRUB_ACTION_ACCEPT, .counter = counter};
    return card_em_insert(m, &e, slot);
}

#define MAX_KEYS SIZE
static uint16_t key_tenant[MAX_KEYS + 1];
static struct scrub_addr key_addr[MAX_KEYS + 1];

static void fill_until_full_then_churn(void **state)
{
    (void)state;
    memset(ref, 0, sizeof(ref));
    struct scrub_model *m = card_new();
    unsigned n = 0, stashed = 0, walked = 0;
    uint32_t counter = 0;
    /* Fill with new random keys until the first FULL. */
    for (;;) {
        assert_true(n <= MAX_KEYS);
        random_key(&key_tenant[n], &key_addr[n]);
        if (ref_find(key_tenant[n], &key_addr[n]) >= 0)
            continue;
        counter = (counter + 1) % 4096;
        bool both_full = lowest_free(base(0, ref_bucket(0, key_tenant[n], &key_addr[n])), SLOTS) < 0 &&
                         lowest_free(base(1, ref_bucket(1, key_tenant[n], &key_addr[n])), SLOTS) < 0;
        int32_t want = ref_insert(key_tenant[n], &key_addr[n], counter);
        uint32_t slot = 0;
        uint8_t st = insert(m, key_tenant[n], &key_addr[n], counter, &slot);
        if (want < 0) {
            assert_int_equal(st, SCRUB_STATUS_FULL);
            break;
        }
        if (st != SCRUB_STATUS_OK || slot != (uint32_t)want)
            fail_msg("insert of key %u: status %u slot %u, reference slot %d", n, st, slot, want);
        stashed += want >= (int32_t)STASH_BASE;
        walked += both_full && want < (int32_t)STASH_BASE;
        n++;
    }
    print_message("%u keys fit in %u slots (%u by a cuckoo walk, %u in the stash)\n", n, SIZE, walked, stashed);
    assert_true(n > SIZE * 8 / 10);
    assert_int_equal(stashed, 8);
    assert_true(walked > 100);

    /* FULL changed nothing: every key still found, in its slot, with its value. */
    assert_int_equal(card_em_lookup(m, key_tenant[n], &key_addr[n], NULL, NULL), SCRUB_STATUS_NOT_FOUND);
    for (unsigned i = 0; i < n; i++) {
        struct scrub_em_entry got;
        uint32_t slot;
        assert_int_equal(card_em_lookup(m, key_tenant[i], &key_addr[i], &got, &slot), SCRUB_STATUS_OK);
        int32_t want = ref_find(key_tenant[i], &key_addr[i]);
        assert_int_equal(slot, want);
        assert_int_equal(got.counter, ref[want].counter);
    }
    compare_all(m);

    /* Every key is found by packets too: sources of tenant 3 behind a /0. */
    struct scrub_dest_entry d = card_dest_entry("::", 0, 3, 0, 4000);
    card_dest(m, 0, &d);
    card_commit(m);
    unsigned sent = 0;
    for (unsigned i = 0; i < n; i++) {
        if (key_tenant[i] != 3)
            continue;
        struct pkt p;
        struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
        if (!scrub_addr_is_v4(&key_addr[i]))
            s = pkt_spec("2001:db8::1", "2001:db8:ffff::1", PROTO_UDP);
        s.src = key_addr[i];
        pkt_build(&p, &s);
        struct scrub_verdict v = card_send(m, &p, i);
        assert_int_equal(v.em, ref_find(3, &key_addr[i]));
        assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_FILTERED);
        sent++;
    }
    assert_true(sent > n / 10);

    /* Churn: deletes of present keys, inserts of new ones, updates. */
    unsigned fulls = 0;
    for (unsigned op = 0; op < 30000; op++) {
        unsigned r = card_rand_below(&rng, 100);
        if (r < 45 && n > 0) {
            unsigned i = card_rand_below(&rng, n);
            int32_t s = ref_find(key_tenant[i], &key_addr[i]);
            assert_true(s >= 0);
            ref[s].valid = false;
            assert_int_equal(card_em_delete(m, key_tenant[i], &key_addr[i]), SCRUB_STATUS_OK);
            key_tenant[i] = key_tenant[n - 1];
            key_addr[i] = key_addr[n - 1];
            n--;
        } else if (r < 55 && n > 0) {
            unsigned i = card_rand_below(&rng, n);
            counter = (counter + 1) % 4096;
            int32_t want = ref_insert(key_tenant[i], &key_addr[i], counter);
            uint32_t slot = 0;
            assert_int_equal(insert(m, key_tenant[i], &key_addr[i], counter, &slot), SCRUB_STATUS_OK);
            assert_int_equal(slot, want);
        } else {
            random_key(&key_tenant[n], &key_addr[n]);
            if (ref_find(key_tenant[n], &key_addr[n]) >= 0)
                continue;
            counter = (counter + 1) % 4096;
            int32_t want = ref_insert(key_tenant[n], &key_addr[n], counter);
            uint32_t slot = 0;
            uint8_t st = insert(m, key_tenant[n], &key_addr[n], counter, &slot);
            if (want < 0) {
                if (st != SCRUB_STATUS_FULL)
                    fail_msg("op %u: status %u, the reference is full", op, st);
                fulls++;
                continue;
            }
            if (st != SCRUB_STATUS_OK || slot != (uint32_t)want)
                fail_msg("op %u: status %u slot %u, reference slot %d", op, st, slot, want);
            n++;
        }
        if (op % 5000 == 4999)
            compare_all(m);
    }
    print_message("churn: %u keys at the end, %u inserts found the table full\n", n, fulls);
    assert_true(fulls > 0);
    compare_all(m);
    card_free(m);
}

/* ---- a walk that comes back on itself ------------------------------------------------- */

/* Table-driven CRCs continuing from a state, for the key search below;
 * every key found is checked with the bitwise CRCs. */
static uint32_t crc_table[2][256];

static void crc_tables(void)
{
    static const uint32_t poly[2] = {0x82f63b78u, 0xedb88320u};
    for (int t = 0; t < 2; t++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? (c >> 1) ^ poly[t] : c >> 1;
            crc_table[t][i] = c;
        }
}

static uint32_t crc_more(int t, uint32_t c, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c = crc_table[t][(c ^ d[i]) & 0xff] ^ (c >> 8);
    return c;
}

/* The next key of tenant 1 in 2001:db8::/64 after *cursor whose way-0
 * bucket is b0 and whose way-1 bucket is b1 (or anything but b1). */
static struct scrub_addr next_key(uint64_t *cursor, uint32_t b0, uint32_t b1, bool other_than_b1)
{
    uint8_t key[18] = {0, 1, 0x20, 0x01, 0x0d, 0xb8};
    uint32_t head[2] = {crc_more(0, 0xffffffffu, key, 10), crc_more(1, 0xffffffffu, key, 10)};
    for (;;) {
        uint64_t c = ++*cursor;
        for (int i = 0; i < 8; i++)
            key[10 + i] = (uint8_t)(c >> (56 - 8 * i));
        uint32_t h0 = ~crc_more(0, head[0], key + 10, 8) & (BUCKETS - 1);
        if (h0 != b0)
            continue;
        uint32_t h1 = ~crc_more(1, head[1], key + 10, 8) & (BUCKETS - 1);
        if (other_than_b1 ? h1 == b1 : h1 != b1)
            continue;
        assert_int_equal(card_crc32c(key, 18) & (BUCKETS - 1), h0);
        assert_int_equal(card_crc32(key, 18) & (BUCKETS - 1), h1);
        struct scrub_addr a;
        memcpy(a.b, key + 2, 16);
        return a;
    }
}

/* Nine keys share the way-0 bucket A; all but one also share the way-1
 * bucket B. With A and B full, the walk goes A0 -> B1 -> A2 -> B3 and
 * would evict A0 again: it fails, and the key goes to the stash, although
 * evicting A1 (whose other bucket is empty) would have found room. */
static void walk_back_on_itself_fails(void **state)
{
    (void)state;
    crc_tables();
    memset(ref, 0, sizeof(ref));
    struct scrub_model *m = card_new();
    uint64_t cursor = 0;
    struct scrub_addr k0 = next_key(&cursor, 0, 0, true); /* any first key */
    uint32_t a = ref_bucket(0, 1, &k0), b = ref_bucket(1, 1, &k0);
    cursor = 0;
    struct scrub_addr keys[8], x = next_key(&cursor, a, b, true);
    for (int i = 0; i < 8; i++)
        keys[i] = next_key(&cursor, a, b, false);
    /* A: keys 0, x, 1, 2; B (way 1): keys 3..6. */
    const struct scrub_addr *order[8] = {&keys[0], &x, &keys[1], &keys[2], &keys[3], &keys[4], &keys[5], &keys[6]};
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t slot = 0;
        uint32_t want = i < 4 ? a * SLOTS + i : WAY_SLOTS + b * SLOTS + (i - 4);
        assert_int_equal(insert(m, 1, order[i], i, &slot), SCRUB_STATUS_OK);
        assert_int_equal(slot, want);
        assert_int_equal(ref_insert(1, order[i], i), (int32_t)want);
    }
    uint32_t slot = 0;
    assert_int_equal(insert(m, 1, &keys[7], 8, &slot), SCRUB_STATUS_OK);
    assert_int_equal(slot, STASH_BASE);
    assert_int_equal(ref_insert(1, &keys[7], 8), (int32_t)STASH_BASE);
    for (int i = 0; i < 8; i++)
        assert_int_equal(card_em_lookup(m, 1, order[i], NULL, NULL), SCRUB_STATUS_OK);
    compare_all(m);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(geometry),
        cmocka_unit_test(insert_lookup_update_delete),
        cmocka_unit_test(commands_and_checks),
        cmocka_unit_test(actions_on_packets),
        cmocka_unit_test(fill_until_full_then_churn),
        cmocka_unit_test(walk_back_on_itself_fails),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
