/* scrub-trafgen: writes a reproducible mix of legitimate and attack traffic
 * as a pcap with nanosecond timestamps, and beside it a TSV labelling every
 * packet with its class. The mix itself is mix.c; this file is the command:
 * options, timestamps and the two output files. */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"
#include "rng.h"

#define PROG "scrub-trafgen"
#define NS_PER_S UINT64_C(1000000000)
#define NS_PER_MS UINT64_C(1000000)
#define START_S UINT64_C(1700000000)
#define MAX_PACKETS UINT64_C(1000000000)
#define MAX_DURATION_MS UINT64_C(1000000000)
/* Timestamps draw from their own stream, so --duration-ms changes only
 * the timestamps, never the packets. */
#define TIMESTAMP_STREAM UINT64_C(0x74696d657374616d)

struct options {
    uint64_t packets, seed, duration_ms;
    const char *pcap_path, *labels_path;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " [--packets N] [--seed S] [--duration-ms D] OUT.pcap OUT.labels\n"
            "\n"
            "Writes a reproducible mix of legitimate and DDoS traffic aimed at the demo\n"
            "network (sim/trafgen/README.md) as a pcap with nanosecond timestamps, and a\n"
            "TSV naming each packet's class (header: index, class, kind).\n"
            "\n"
            "  --packets N       packets to write, 1..%" PRIu64 " (default 200000)\n"
            "  --seed S          random seed, 0..2^64-1 (default 1); same arguments, same bytes\n"
            "  --duration-ms D   spread the packets over D ms from 1700000000 s, 1..%" PRIu64
            " (default 1000)\n"
            "  --help            show this help\n",
            MAX_PACKETS, MAX_DURATION_MS);
}

/* A decimal number in [lo, hi]; strtoull alone would take "-1" and " 5". */
static bool parse_u64(const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* 0: run; 1: exit 1 (said why); 2: exit 0 (--help). */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"packets", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"duration-ms", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.packets = 200000, .seed = 1, .duration_ms = 1000};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_u64(optarg, 1, MAX_PACKETS, &o->packets)) {
                fprintf(stderr, PROG ": --packets: '%s' is not a whole number in 1..%" PRIu64 "\n", optarg,
                        MAX_PACKETS);
                return 1;
            }
            break;
        case 's':
            if (!parse_u64(optarg, 0, UINT64_MAX, &o->seed)) {
                fprintf(stderr, PROG ": --seed: '%s' is not a whole number in 0..%" PRIu64 "\n", optarg,
                        UINT64_MAX);
                return 1;
            }
            break;
        case 'd':
            if (!parse_u64(optarg, 1, MAX_DURATION_MS, &o->duration_ms)) {
                fprintf(stderr, PROG ": --duration-ms: '%s' is not a whole number in 1..%" PRIu64 "\n", optarg,
                        MAX_DURATION_MS);
                return 1;
            }
            break;
        case 'h':
            usage(stdout);
            return 2;
        default: /* getopt_long named the option and the problem */
            fprintf(stderr, "Try '" PROG " --help'.\n");
            return 1;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, PROG ": expected two arguments, OUT.pcap and OUT.labels (got %d); try --help\n",
                argc - optind);
        return 1;
    }
    o->pcap_path = argv[optind];
    o->labels_path = argv[optind + 1];
    if (strcmp(o->pcap_path, o->labels_path) == 0) {
        fprintf(stderr, PROG ": OUT.pcap and OUT.labels are the same file, '%s'\n", o->pcap_path);
        return 1;
    }
    if (o->duration_ms * NS_PER_MS < o->packets) {
        fprintf(stderr,
                PROG ": --duration-ms: %" PRIu64 " ms cannot hold %" PRIu64
                " strictly increasing nanosecond timestamps\n",
                o->duration_ms, o->packets);
        return 1;
    }
    return 0;
}

static FILE *open_output(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, PROG ": %s: cannot open for writing: %s\n", path, strerror(errno));
    return f;
}

/* Writes both files; false (having said why) on any failure. */
static bool generate(const struct options *o, FILE *pcap_file, FILE *labels)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    if (!dead) {
        fprintf(stderr, PROG ": libpcap: cannot create a capture handle\n");
        fclose(pcap_file);
        return false;
    }
    pcap_dumper_t *dumper = pcap_dump_fopen(dead, pcap_file); /* owns pcap_file from here */
    if (!dumper) {
        fprintf(stderr, PROG ": %s: %s\n", o->pcap_path, pcap_geterr(dead));
        pcap_close(dead);
        fclose(pcap_file);
        return false;
    }
    struct mix *mix = mix_new(o->seed);
    if (!mix) {
        fprintf(stderr, PROG ": out of memory\n");
        pcap_dump_close(dumper);
        pcap_close(dead);
        return false;
    }

    /* Packet i lands at a random point of the i-th of N equal slots of the
     * duration: strictly increasing, jittered, and exactly spread. Slot
     * widths are span / N, with the remainder spread Bresenham-style. */
    struct rng ts_rng = {o->seed ^ TIMESTAMP_STREAM};
    uint64_t span = o->duration_ms * NS_PER_MS, width = span / o->packets, rem = span % o->packets;
    uint64_t slot = START_S * NS_PER_S, carry = 0;
    uint8_t frame[FRAME_MAX];

    fprintf(labels, "index\tclass\tkind\n");
    for (uint64_t i = 0; i < o->packets; i++) {
        uint64_t w = width;
        carry += rem;
        if (carry >= o->packets) {
            carry -= o->packets;
            w++;
        }
        uint64_t t = slot + rng_next(&ts_rng) % w;
        slot += w;

        unsigned cls;
        size_t len = mix_next(mix, frame, &cls);
        struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
        h.ts.tv_sec = (time_t)(t / NS_PER_S);
        h.ts.tv_usec = (suseconds_t)(t % NS_PER_S); /* nanoseconds at this precision */
        pcap_dump((u_char *)dumper, &h, frame);
        fprintf(labels, "%" PRIu64 "\t%s\t%s\n", i, mix_class_name(cls),
                mix_class_is_attack(cls) ? "attack" : "legit");
    }
    mix_free(mix);

    /* pcap_dump reports nothing: the stream's error flag tells. */
    bool ok = pcap_dump_flush(dumper) == 0 && !ferror(pcap_dump_file(dumper));
    if (!ok)
        fprintf(stderr, PROG ": %s: write failed: %s\n", o->pcap_path, strerror(errno));
    pcap_dump_close(dumper);
    pcap_close(dead);
    return ok;
}

int main(int argc, char **argv)
{
    struct options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc == 2 ? 0 : 1;

    FILE *pcap_file = open_output(o.pcap_path);
    if (!pcap_file)
        return 1;
    FILE *labels = open_output(o.labels_path);
    if (!labels) {
        fclose(pcap_file);
        return 1;
    }
    bool ok = generate(&o, pcap_file, labels);
    bool labels_ok = !ferror(labels);
    if (fclose(labels) != 0)
        labels_ok = false;
    if (ok && !labels_ok)
        fprintf(stderr, PROG ": %s: write failed: %s\n", o.labels_path, strerror(errno));
    return ok && labels_ok ? 0 : 1;
}
