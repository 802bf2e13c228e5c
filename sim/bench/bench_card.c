/* The Verilated card's throughput, latency and simulation speed
 * (scripts/bench-card; issue 3's figures). Simulation configuration, every
 * table at least 90% full, every frame decided by the lowest-priority ACL
 * entry, which polices it in a per-source group of policers that always
 * conform, output always ready, no idle clocks on the input. Prints one
 * key=value a line; exits 1 when a frame did not take that path.
 *
 * Phases: 200,000 back-to-back 64-byte frames (one a clock: beats and
 * frames per clock in the steady state); frames of every length from 64 to
 * 9,600 bytes, a gap after each (latency, first beat in to first beat out);
 * 200,000 frames of a simple IMIX, 7:4:1 of 64, 594 and 1,518 bytes, back
 * to back (simulated clocks and frames per second of wall time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrub_entry.h"
#include "scrub_regmap.h"
#include "scrub_rtl.h"

#define FRAMES 200000u
#define ACL_COUNTER 10u /* the lowest-priority entry's counter */
#define DEST_COUNTER 20u
#define POLICER_COUNTER 30u

static uint64_t rng = 1;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void die(const char *what, unsigned long long a, unsigned long long b)
{
    fprintf(stderr, "bench-card: ");
    fprintf(stderr, what, a, b);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t reg(struct scrub_rtl *r, uint32_t addr)
{
    return scrub_rtl_read(r, addr);
}

/* A table command; returns its status. */
static uint32_t command(struct scrub_rtl *r, uint32_t table, uint32_t cmd, uint32_t index, const scrub_words w,
                        unsigned words)
{
    for (unsigned i = 0; i < words; i++)
        scrub_rtl_write(r, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    scrub_rtl_write(r, SCRUB_REG_TBL_SELECT, table);
    scrub_rtl_write(r, SCRUB_REG_TBL_INDEX, index);
    scrub_rtl_write(r, SCRUB_REG_TBL_CMD, cmd);
    uint32_t st;
    while ((st = reg(r, SCRUB_REG_TBL_STATUS)) & SCRUB_TBL_STATUS_BUSY_MASK)
        ;
    return st & SCRUB_TBL_STATUS_RESULT_MASK;
}

static void must(uint32_t status, const char *what, uint32_t index)
{
    if (status != SCRUB_STATUS_OK)
        die(what, index, status);
}

static void wait_idle(struct scrub_rtl *r, uint32_t busy_mask)
{
    while (reg(r, SCRUB_REG_STATUS) & busy_mask)
        ;
}

/* Tables: the traffic goes to 10.0.0.0/8 from 198.18.0.0/15. */
static unsigned fill_tables(struct scrub_rtl *r, unsigned *em_entries)
{
    unsigned dest_n = reg(r, SCRUB_REG_CAP_DEST), acl_n = reg(r, SCRUB_REG_CAP_ACL);
    unsigned pol_n = reg(r, SCRUB_REG_CAP_POLICERS), buckets = reg(r, SCRUB_REG_CAP_EM_BUCKETS);
    scrub_words w;

    for (unsigned i = 0; i < dest_n - dest_n / 20; i++) { /* 95% */
        struct scrub_dest_entry d = {.valid = true, .enable = true, .tenant = 1, .profile = 1,
                                     .counter = DEST_COUNTER};
        if (i == 0) {
            d.prefix = scrub_addr_v4(0x0a000000u);
            d.plen = 96 + 8;
        } else { /* 172.16.0.0/12, /24s: none of the traffic */
            d.prefix = scrub_addr_v4(0xac100000u | i << 8);
            d.plen = 96 + 24;
            d.tenant = (uint16_t)(2 + i % 100);
        }
        memset(w, 0, sizeof(w));
        scrub_dest_pack(&d, w);
        must(command(r, SCRUB_TABLE_DEST, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_DEST_WORDS), "dest %llu: %llu", i);
    }
    for (unsigned i = 0; i < acl_n; i++) {
        struct scrub_acl_entry a;
        scrub_acl_entry_any(&a);
        a.valid = true;
        a.action = SCRUB_ACTION_DROP;
        a.counter = ACL_COUNTER + 1;
        if (i + 1 < acl_n) { /* another tenant's entries: never the traffic's */
            a.tenant_value = (uint16_t)(2 + i);
            a.tenant_mask = 0xffff;
        } else { /* the lowest priority: everything, policed per source */
            a.action = SCRUB_ACTION_POLICE;
            a.policer = 0;
            a.policer_bits = 4;
            a.counter = ACL_COUNTER;
        }
        memset(w, 0, sizeof(w));
        scrub_acl_pack(&a, w);
        must(command(r, SCRUB_TABLE_ACL, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_ACL_WORDS), "acl %llu: %llu", i);
    }
    for (unsigned i = 0; i < pol_n - pol_n / 20; i++) {
        struct scrub_policer_entry p = {.packets = true, .rate = (1ull << 40) - 1, .burst = 0xffffffffu,
                                        .reset = true, .counter = POLICER_COUNTER};
        memset(w, 0, sizeof(w));
        scrub_policer_pack(&p, w);
        must(command(r, SCRUB_TABLE_POLICER, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_POLICER_WORDS), "policer %llu: %llu",
             i);
    }
    /* Exact-match keys of other tenants, until 90% of the slots are taken. */
    unsigned slots = 2 * 4 * buckets + 8, want = slots - slots / 10;
    *em_entries = 0;
    for (unsigned tries = 0; *em_entries < want; tries++) {
        if (tries > 2 * want)
            die("exact match: %llu entries after %llu inserts", *em_entries, tries);
        struct scrub_em_entry e = {.valid = true, .tenant = (uint16_t)(2 + rnd() % 50), .action = SCRUB_ACTION_DROP,
                                   .counter = 1};
        for (unsigned b = 0; b < 16; b++)
            e.addr.b[b] = (uint8_t)rnd();
        memset(w, 0, sizeof(w));
        scrub_em_pack(&e, w);
        *em_entries += command(r, SCRUB_TABLE_EM, SCRUB_CMD_EM_INSERT, 0, w, SCRUB_TABLE_EM_WORDS) == SCRUB_STATUS_OK;
    }
    scrub_rtl_write(r, SCRUB_REG_COMMIT, 1);
    wait_idle(r, SCRUB_STATUS_COMMIT_BUSY_MASK);
    scrub_rtl_write(r, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    return slots;
}

/* An IPv4/UDP frame of len bytes (at least 60) to 10.0.0.x from a random
 * source in 198.18.0.0/15. */
static void make_frame(uint8_t *f, uint32_t len)
{
    memset(f, 0, len);
    memset(f, 0x02, 12);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    uint32_t ip_len = len - 14, src = 0xc6120000u | (uint32_t)(rnd() & 0x1ffff);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len;
    ip[8] = 64, ip[9] = 17;
    ip[12] = (uint8_t)(src >> 24), ip[13] = (uint8_t)(src >> 16), ip[14] = (uint8_t)(src >> 8), ip[15] = (uint8_t)src;
    ip[16] = 10, ip[19] = (uint8_t)(1 + rnd() % 200);
    uint32_t sum = 0;
    for (unsigned i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8), ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    uint32_t udp_len = ip_len - 20;
    udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x00, udp[3] = 53;
    udp[4] = (uint8_t)(udp_len >> 8), udp[5] = (uint8_t)udp_len;
}

static uint64_t ts = 1000000000ull;

static void send(struct scrub_rtl *r, uint32_t len)
{
    static uint8_t f[SCRUB_MAX_FRAME];
    make_frame(f, len);
    ts += 3;
    if (!scrub_rtl_send(r, f, len, ts))
        die("a frame of %llu bytes refused (%llu)", len, 0);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void discard_outputs(struct scrub_rtl *r)
{
    static uint8_t buf[16];
    bool bad;
    while (scrub_rtl_output_pop(r, buf, sizeof(buf), &bad))
        if (bad)
            die("a frame marked bad (%llu, %llu)", 0, 0);
    struct scrub_rtl_event e;
    while (scrub_rtl_event_pop(r, &e))
        if (e.outcome != SCRUB_GSTAT_PASS_FILTERED)
            die("a frame's outcome is %llu, not pass_filtered (%llu)", e.outcome, SCRUB_GSTAT_PASS_FILTERED);
}

static uint64_t counter_packets(struct scrub_rtl *r, uint32_t table, uint32_t index)
{
    scrub_words w = {0};
    must(command(r, table, SCRUB_CMD_READ, index, w, 0), "reading counter %llu: %llu", index);
    return (uint64_t)reg(r, SCRUB_REG_TBL_DATA) << 32 | reg(r, SCRUB_REG_TBL_DATA + 4);
}

int main(void)
{
    struct scrub_rtl_params p = {.idle_permille = 0, .stall_permille = 0, .seed = 1};
    struct scrub_rtl *r = scrub_rtl_new(&p);
    unsigned em_entries, em_slots = fill_tables(r, &em_entries);
    printf("tables: dest %u/%u, acl %u/%u, policers %u/%u, em %u/%u\n", reg(r, SCRUB_REG_CAP_DEST) * 19 / 20,
           reg(r, SCRUB_REG_CAP_DEST), reg(r, SCRUB_REG_CAP_ACL), reg(r, SCRUB_REG_CAP_ACL),
           reg(r, SCRUB_REG_CAP_POLICERS) * 19 / 20, reg(r, SCRUB_REG_CAP_POLICERS), em_entries, em_slots);
    unsigned long long sent = 0;

    /* 1: back-to-back 64-byte frames; the steady state between the first
     * frames' way through and the last ones' arrival. */
    for (unsigned i = 0; i < FRAMES; i++)
        send(r, 64);
    sent += FRAMES;
    struct scrub_rtl_timing t0, t1;
    scrub_rtl_run(r, 1000);
    scrub_rtl_timing_get(r, &t0);
    uint64_t c0 = scrub_rtl_cycles(r), window = FRAMES - 2000;
    scrub_rtl_run(r, window);
    scrub_rtl_timing_get(r, &t1);
    uint64_t c1 = scrub_rtl_cycles(r);
    scrub_rtl_drain(r);
    discard_outputs(r);
    printf("beats_per_clock=%.2f\n", (double)(t1.beats_out - t0.beats_out) / (double)(c1 - c0));
    printf("beats_in_per_clock=%.2f\n", (double)(t1.beats_in - t0.beats_in) / (double)(c1 - c0));
    printf("pkts_per_clock_64B=%.2f\n", (double)(t1.frames_out - t0.frames_out) / (double)(c1 - c0));

    /* 2: every length, each frame alone. */
    scrub_rtl_timing_get(r, &t0);
    for (uint32_t len = 64; len <= SCRUB_MAX_FRAME; len += len < 200 ? 1 : 61) {
        send(r, len);
        sent++;
        scrub_rtl_drain(r);
        discard_outputs(r);
    }
    scrub_rtl_timing_get(r, &t1);
    if (t1.latency_min != t1.latency_max)
        die("latency from %llu to %llu clocks: not fixed", t1.latency_min, t1.latency_max);
    printf("latency_clocks=%llu\n", (unsigned long long)t1.latency_max);

    /* 3: simulation speed on an IMIX, back to back. */
    static const uint32_t imix[12] = {64, 64, 64, 64, 64, 64, 64, 594, 594, 594, 594, 1518};
    for (unsigned i = 0; i < FRAMES; i++)
        send(r, imix[rnd() % 12]);
    sent += FRAMES;
    c0 = scrub_rtl_cycles(r);
    double s0 = seconds();
    scrub_rtl_drain(r);
    double s1 = seconds();
    c1 = scrub_rtl_cycles(r);
    discard_outputs(r);
    printf("sim_cycles_per_s=%.0f\n", (double)(c1 - c0) / (s1 - s0));
    printf("sim_pkts_per_s=%.0f\n", FRAMES / (s1 - s0));

    /* Every frame took the lowest-priority ACL entry and a policer. */
    scrub_rtl_write(r, SCRUB_REG_SNAPSHOT, 1);
    wait_idle(r, SCRUB_STATUS_SNAPSHOT_BUSY_MASK);
    uint64_t acl = counter_packets(r, SCRUB_TABLE_COUNTER, ACL_COUNTER);
    uint64_t policed = counter_packets(r, SCRUB_TABLE_COUNTER, POLICER_COUNTER);
    uint64_t filtered = counter_packets(r, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_PASS_FILTERED);
    printf("frames=%llu lowest_acl_entry=%llu policed_conforming=%llu pass_filtered=%llu\n", sent,
           (unsigned long long)acl, (unsigned long long)policed, (unsigned long long)filtered);
    if (acl != sent || policed != sent || filtered != sent)
        die("%llu frames sent, %llu took the lowest ACL entry", sent, acl);
    scrub_rtl_free(r);
    return 0;
}
