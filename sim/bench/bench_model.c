/* model_mpps: classification throughput of hw/model on one core with the
 * deployment-size tables filled (1,024 ACL entries, 65,536 exact-match
 * entries, 16,384 destination prefixes), through the indexed ACL and, for
 * comparison, the linear one. Prints key=value lines.
 *
 * Workload: 4,096 tenants of 4 prefixes each (IPv4 /24 and /32, IPv6 /48
 * and /64), 32 profiles of 32 ACL entries (reflection ports, TCP flag and
 * fragment rules, ICMP, length and DSCP conditions, count-only and police
 * entries), 65,536 source entries (accept, drop, police); packets: 80% to
 * protected prefixes (20% of those from listed sources), 20% unprotected;
 * TCP, UDP and ICMP, IPv4 and IPv6, 64 to 1,500 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrub_hal.h"
#include "scrub_hal_model.h"
#include "scrub_model.h"

#define TENANTS 4096u
#define PREFIXES_PER_TENANT 4u
#define PROFILES 32u
#define RULES_PER_PROFILE 32u
#define SOURCES 65536u
#define PACKETS 200000u
#define FRAME_MAX 1514u

static uint64_t rng_state = 0x5eed;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void die(const char *what, const struct scrub_err *err)
{
    fprintf(stderr, "bench-model: %s: %s\n", what, err->msg);
    exit(1);
}

/* The destination of tenant t's prefix k, and an address inside it. */
static void tenant_prefix(uint32_t t, unsigned k, struct scrub_addr *prefix, uint8_t *plen)
{
    switch (k) {
    case 0: /* 10.t.t.0/24 */
        *prefix = scrub_addr_v4(0x0a000000u | t << 8);
        *plen = 96 + 24;
        break;
    case 1: /* 11.t.t.1/32 */
        *prefix = scrub_addr_v4(0x0b000001u | t << 8);
        *plen = 96 + 32;
        break;
    default: /* 2001:db8:t::/48 and 2001:db9:t:1::/64 */
        memset(prefix, 0, sizeof(*prefix));
        prefix->b[0] = 0x20;
        prefix->b[1] = 0x01;
        prefix->b[2] = 0x0d;
        prefix->b[3] = k == 2 ? 0xb8 : 0xb9;
        prefix->b[4] = (uint8_t)(t >> 8);
        prefix->b[5] = (uint8_t)t;
        if (k == 3)
            prefix->b[7] = 1;
        *plen = k == 2 ? 48 : 64;
        break;
    }
}

static struct scrub_addr listed_source(uint32_t i)
{
    return scrub_addr_v4(0x64400000u | i); /* 100.64.0.0/10 */
}

static void program(struct scrub_hal *h)
{
    struct scrub_err err;
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w;
    uint32_t counter = 0;

    /* Policers: 256 plain ones and one per-source group of 256. */
    for (uint32_t i = 0; i < 512; i++) {
        struct scrub_policer_entry p = {.packets = i % 2, .rate = 1000 + i * 100, .burst = 10000, .reset = true,
                                        .counter = 2 * (i % 256)};
        scrub_policer_pack(&p, w);
        scrub_txn_table_write(&t, SCRUB_TABLE_POLICER, i, w, SCRUB_TABLE_POLICER_WORDS);
    }
    counter = 512;

    static const uint16_t reflection[] = {53, 123, 11211, 1900, 389, 19, 161, 137, 5353, 3702};
    for (uint32_t p = 0; p < PROFILES; p++) {
        for (uint32_t r = 0; r < RULES_PER_PROFILE; r++) {
            struct scrub_acl_entry e;
            scrub_acl_entry_any(&e);
            e.valid = true;
            e.profile_value = (uint8_t)(p + 1);
            e.profile_mask = 0xff;
            e.counter = counter++;
            e.action = SCRUB_ACTION_DROP;
            if (r < 10) { /* reflection source ports */
                e.proto_value = 17;
                e.proto_mask = 0xff;
                e.sport_lo = e.sport_hi = reflection[r];
            } else if (r < 14) { /* SYN, pure ACK, RST, FIN policed */
                static const uint8_t flags[] = {0x02, 0x10, 0x04, 0x11};
                e.proto_value = 6;
                e.proto_mask = 0xff;
                e.flags_value = flags[r - 10];
                e.flags_mask = 0x3f;
                e.action = SCRUB_ACTION_POLICE;
                e.policer = r - 10 + 4 * p;
            } else if (r < 16) { /* fragments: later ones dropped, first ones policed */
                e.frag_value = e.frag_mask = (uint8_t)(1u << (r == 14 ? SCRUB_FRAG_LATER : SCRUB_FRAG_FF));
                e.action = r == 14 ? SCRUB_ACTION_DROP : SCRUB_ACTION_POLICE;
                e.policer = 128 + p;
            } else if (r < 18) { /* ICMP echo per source, ICMPv6 */
                e.proto_value = r == 16 ? 1 : 58;
                e.proto_mask = 0xff;
                e.itype_value = r == 16 ? 8 : 128;
                e.itype_mask = 0xff;
                e.action = SCRUB_ACTION_POLICE;
                e.policer = 256;
                e.policer_bits = 8;
            } else if (r < 22) { /* count-only observers */
                e.count_only = true;
                e.dscp_value = (uint8_t)(r - 18);
                e.dscp_mask = 0x3f;
            } else if (r < 30) { /* service ports accepted, large UDP dropped */
                e.proto_value = r < 26 ? 6 : 17;
                e.proto_mask = 0xff;
                e.dport_lo = (uint16_t)(r < 26 ? 80 + (r - 22) * 100 : 1024);
                e.dport_hi = (uint16_t)(e.dport_lo + (r < 26 ? 10 : 30000));
                e.len_lo = r < 26 ? 0 : 1200;
                e.action = r < 26 ? SCRUB_ACTION_ACCEPT : SCRUB_ACTION_DROP;
            } else { /* source prefixes of known bad networks */
                e.src_value = scrub_addr_v4(0xc6120000u + (r << 8) + (p << 12));
                e.src_mask = scrub_addr_mask(96 + 24);
            }
            scrub_acl_pack(&e, w);
            scrub_txn_table_write(&t, SCRUB_TABLE_ACL, p * RULES_PER_PROFILE + r, w, SCRUB_TABLE_ACL_WORDS);
        }
    }

    for (uint32_t ten = 0; ten < TENANTS; ten++) {
        for (unsigned k = 0; k < PREFIXES_PER_TENANT; k++) {
            struct scrub_dest_entry d = {.valid = true, .enable = true, .tenant = (uint16_t)(ten + 1),
                                         .profile = (uint8_t)(ten % PROFILES + 1), .counter = counter};
            counter += 2;
            tenant_prefix(ten, k, &d.prefix, &d.plen);
            scrub_dest_pack(&d, w);
            scrub_txn_table_write(&t, SCRUB_TABLE_DEST, ten * PREFIXES_PER_TENANT + k, w, SCRUB_TABLE_DEST_WORDS);
        }
    }
    t.commit = true;
    if (scrub_hal_run(h, &t, &err))
        die("programming the tables", &err);

    uint32_t full = 0;
    for (uint32_t i = 0; i < SOURCES; i++) {
        struct scrub_em_entry e = {.tenant = (uint16_t)(i % TENANTS + 1), .addr = listed_source(i),
                                   .action = (uint8_t)(i % 3), .policer = i % 256, .counter = counter + i % 4096};
        scrub_em_pack(&e, w);
        scrub_txn_reset(&t);
        scrub_txn_em_command(&t, SCRUB_CMD_EM_INSERT, w);
        if (scrub_hal_run(h, &t, &err))
            full++;
    }
    printf("em_inserted=%u em_refused_full=%u\n", SOURCES - full, full);
    scrub_txn_free(&t);
}

struct frame {
    uint16_t len;
    uint8_t bytes[FRAME_MAX];
};

static uint16_t csum(const uint8_t *p, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void make_frame(struct frame *f)
{
    static const uint16_t sizes[] = {64, 64, 64, 64, 64, 64, 64, 576, 576, 576, 1500, 1500};
    uint16_t size = sizes[rnd() % 12];
    uint32_t tenant = (uint32_t)(rnd() % TENANTS);
    unsigned k = (unsigned)(rnd() % PREFIXES_PER_TENANT);
    bool protected_ = rnd() % 10 < 8, listed = rnd() % 5 == 0;
    struct scrub_addr dst, src;
    uint8_t plen;
    tenant_prefix(tenant, k, &dst, &plen);
    bool v6 = !scrub_addr_is_v4(&dst);
    if (!protected_)
        dst.b[v6 ? 2 : 12] ^= 0x40; /* outside every prefix */
    dst.b[15] = (uint8_t)(plen == 128 ? dst.b[15] : rnd() % 250 + 2);
    if (listed && !v6)
        src = listed_source((uint32_t)(rnd() % (SOURCES / TENANTS)) * TENANTS + tenant);
    else if (v6) {
        src = dst;
        src.b[1] = 0x02;
        src.b[15] = (uint8_t)(rnd() % 250 + 1);
    } else
        src = scrub_addr_v4(0x30000000u + (uint32_t)(rnd() % 0x1000000));

    memset(f->bytes, 0, sizeof(f->bytes));
    uint8_t *e = f->bytes, *ip = e + 14;
    e[12] = v6 ? 0x86 : 0x08;
    e[13] = v6 ? 0xdd : 0x00;
    unsigned l3 = size - 14 < 60 ? 60 - 14 : size - 14u, iph = v6 ? 40 : 20;
    unsigned kind = (unsigned)(rnd() % 10); /* 0-4 UDP, 5-8 TCP, 9 ICMP */
    uint8_t proto = kind < 5 ? 17 : kind < 9 ? 6 : (v6 ? 58 : 1);
    if (v6) {
        ip[0] = 0x60;
        ip[4] = (uint8_t)((l3 - 40) >> 8);
        ip[5] = (uint8_t)(l3 - 40);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, src.b, 16);
        memcpy(ip + 24, dst.b, 16);
    } else {
        ip[0] = 0x45;
        ip[1] = (uint8_t)(rnd() % 8 << 2);
        ip[2] = (uint8_t)(l3 >> 8);
        ip[3] = (uint8_t)l3;
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, src.b + 12, 4);
        memcpy(ip + 16, dst.b + 12, 4);
        uint16_t c = csum(ip, 20);
        ip[10] = (uint8_t)(c >> 8);
        ip[11] = (uint8_t)c;
    }
    uint8_t *l4 = ip + iph;
    uint16_t sport = (uint16_t)(rnd() % 4 == 0 ? 53 + rnd() % 2 * 70 : 1024 + rnd() % 60000);
    uint16_t dport = (uint16_t)(rnd() % 2 ? 80 + rnd() % 4 * 100 : 1024 + rnd() % 60000);
    l4[0] = (uint8_t)(sport >> 8);
    l4[1] = (uint8_t)sport;
    l4[2] = (uint8_t)(dport >> 8);
    l4[3] = (uint8_t)dport;
    if (proto == 17) {
        l4[4] = (uint8_t)((l3 - iph) >> 8);
        l4[5] = (uint8_t)(l3 - iph);
    } else if (proto == 6) {
        static const uint8_t flags[] = {0x02, 0x10, 0x18, 0x12, 0x11, 0x04};
        l4[12] = 0x50;
        l4[13] = flags[rnd() % 6];
    } else {
        l4[0] = (uint8_t)(v6 ? 128 : 8);
        l4[1] = 0;
    }
    f->len = (uint16_t)(14 + l3);
}

static double run(struct scrub_model *m, const struct frame *frames, uint32_t n, uint64_t *ts, uint32_t *passed)
{
    static uint8_t out[FRAME_MAX];
    struct scrub_verdict v;
    struct timespec a, b;
    *passed = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint32_t i = 0; i < n; i++) {
        scrub_model_packet(m, frames[i].bytes, frames[i].len, *ts += 100, &v);
        if (v.pass)
            *passed += scrub_model_output_pop(m, out, sizeof(out), NULL) > 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)n / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9) / 1e6;
}

int main(void)
{
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_DEPLOY;
    struct scrub_err err = {0};
    struct scrub_model *m = scrub_model_new(&params);
    struct scrub_hal *h = m ? scrub_hal_model_attach(m, &err) : NULL;
    if (!h)
        die("creating the deployment-size model", &err);
    program(h);
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, SCRUB_CFG_ACTIONS_MALFORMED_MASK);
    scrub_model_write(m, SCRUB_REG_COMMIT, 1);
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);

    struct frame *frames = malloc(PACKETS * sizeof(*frames));
    if (!frames) {
        fprintf(stderr, "bench-model: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i < PACKETS; i++)
        make_frame(&frames[i]);

    uint64_t ts = 1;
    uint32_t passed;
    double best = 0;
    run(m, frames, PACKETS, &ts, &passed); /* warm up caches and policers */
    for (int rep = 0; rep < 5; rep++) {
        double mpps = run(m, frames, PACKETS, &ts, &passed);
        best = mpps > best ? mpps : best;
    }
    scrub_model_set_acl_linear(m, true);
    uint32_t passed_linear;
    double linear = run(m, frames, PACKETS / 10, &ts, &passed_linear);

    struct scrub_counter g[SCRUB_GSTAT_COUNT];
    if (scrub_hal_snapshot(h, &err) ||
        scrub_hal_read_counters(h, SCRUB_TABLE_GSTAT, 0, SCRUB_GSTAT_COUNT, g, &err))
        die("reading counters", &err);
    printf("packets_per_run=%u passed_last_run=%u\n", PACKETS, passed);
    printf("protected_filtered=%llu unprotected=%llu dropped_src=%llu dropped_acl=%llu dropped_policer=%llu\n",
           (unsigned long long)g[SCRUB_GSTAT_PASS_FILTERED].packets,
           (unsigned long long)g[SCRUB_GSTAT_PASS_UNPROTECTED].packets,
           (unsigned long long)g[SCRUB_GSTAT_DROP_SRC].packets, (unsigned long long)g[SCRUB_GSTAT_DROP_ACL].packets,
           (unsigned long long)g[SCRUB_GSTAT_DROP_POLICER].packets);
    printf("model_linear_acl_mpps=%.3f\n", linear);
    printf("model_mpps=%.3f\n", best);
    free(frames);
    scrub_hal_close(h);
    scrub_model_free(m);
    return 0;
}
