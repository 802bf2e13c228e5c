/* scrub-model: replays a capture through the card model programmed with an
 * operator configuration, writes the frames the card passed, and prints
 * the card's counters per countermeasure and, given the traffic
 * generator's labels, per traffic class. The card is programmed through
 * the HAL exactly as the daemon programs any card. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_report.h"
#include "config_apply.h"
#include "labels.h"
#include "pcap_io.h"
#include "scrub_config.h"
#include "scrub_hal_model.h"
#include "scrub_model.h"

struct options {
    const char *config, *in, *out, *labels, *yang_dirs;
    bool sim_card;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: scrub-model --config FILE --in CAPTURE [--out CAPTURE] [--labels FILE]\n"
               "                   [--card deploy|sim] [--yang DIRS]\n"
               "  --config  the card configuration (JSON, checked against scrub-config.yang)\n"
               "  --in      an Ethernet pcap to replay; record times are the packets' arrival times\n"
               "  --out     write the frames the card passed here (nanosecond pcap)\n"
               "  --labels  the traffic generator's labels, for the per-class report\n"
               "  --card    table sizes: deploy (Alveo U250, the default) or sim\n"
               "  --yang    ':'-separated YANG module directories (default: the build's)\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'}, {"in", required_argument, NULL, 'i'},
        {"out", required_argument, NULL, 'o'},    {"labels", required_argument, NULL, 'l'},
        {"card", required_argument, NULL, 'k'},   {"yang", required_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'i': o->in = optarg; break;
        case 'o': o->out = optarg; break;
        case 'l': o->labels = optarg; break;
        case 'y': o->yang_dirs = optarg; break;
        case 'k':
            if (strcmp(optarg, "sim") != 0 && strcmp(optarg, "deploy") != 0) {
                fprintf(stderr, "scrub-model: --card '%s': expected deploy or sim\n", optarg);
                return -1;
            }
            o->sim_card = strcmp(optarg, "sim") == 0;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "scrub-model: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->config || !o->in) {
        fprintf(stderr, "scrub-model: --config and --in are required\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

struct replay {
    struct scrub_model *model;
    struct scrub_hal *hal;
    struct scrub_layout layout;
    struct scrub_labels labels;
    struct scrub_class_tally tally;
    bool have_labels;
    uint64_t frames;
};

/* Every frame of the capture through the card; passed frames out. */
static int replay_capture(struct replay *r, const struct options *o, struct scrub_err *err)
{
    struct scrub_pcap_in *in = scrub_pcap_open_in(o->in, err);
    if (!in)
        return -1;
    struct scrub_pcap_out *out = o->out ? scrub_pcap_open_out(o->out, err) : NULL;
    if (o->out && !out) {
        scrub_pcap_close_in(in);
        return -1;
    }
    static uint8_t buf[SCRUB_MAX_FRAME + 1];
    const uint8_t *frame;
    uint32_t len;
    uint64_t ts;
    int rc;
    while ((rc = scrub_pcap_next(in, &frame, &len, &ts, err)) == 1) {
        if (r->have_labels && r->frames >= r->labels.packets) {
            rc = scrub_err_set(err, EINVAL, "%s labels %u packets, but %s has more", o->labels, r->labels.packets,
                               o->in);
            break;
        }
        struct scrub_verdict v;
        scrub_model_packet(r->model, frame, len, ts, &v);
        if (r->have_labels)
            scrub_class_tally_add(&r->tally, (uint32_t)r->frames, v.gstat);
        r->frames++;
        uint64_t out_ts;
        uint32_t n;
        while ((n = scrub_model_output_pop(r->model, buf, sizeof(buf), &out_ts)) > 0)
            if (out)
                scrub_pcap_write(out, buf, n, out_ts);
    }
    if (rc == 0 && r->have_labels && r->frames != r->labels.packets)
        rc = scrub_err_set(err, EINVAL, "%s labels %u packets, but %s has %llu", o->labels, r->labels.packets, o->in,
                           (unsigned long long)r->frames);
    scrub_pcap_close_in(in);
    if (out && scrub_pcap_close_out(out, rc ? NULL : err) && rc == 0)
        rc = -1;
    return rc;
}

static void print_countermeasures(const struct scrub_layout *layout, const struct scrub_counter *pairs)
{
    static const char *const second[] = {
        [SCRUB_COUNTER_DEST] = "dropped",
        [SCRUB_COUNTER_POLICER] = "exceeding",
    };
    static const char *const first[] = {
        [SCRUB_COUNTER_DEST] = "offered",
        [SCRUB_COUNTER_EM] = "hits",
        [SCRUB_COUNTER_ACL] = "hits",
        [SCRUB_COUNTER_POLICER] = "conforming",
    };
    printf("\nPer countermeasure (the card's counters)\n");
    printf("  %-58s %-10s %10s %13s\n", "counter", "", "packets", "bytes");
    for (size_t i = 0; i < layout->n_counters; i++) {
        const struct scrub_layout_counter *c = &layout->counters[i];
        for (unsigned k = 0; k < c->pairs; k++) {
            const struct scrub_counter *p = &pairs[c->index + k];
            printf("  %-58.58s %-10s %10llu %13llu\n", k ? "" : c->name, k ? second[c->kind] : first[c->kind],
                   (unsigned long long)p->packets, (unsigned long long)p->bytes);
        }
    }
}

static void print_outcomes(const struct scrub_counter *g)
{
    static const char *const names[] = SCRUB_GSTAT_NAMES;
    static const char *const mal[] = SCRUB_MAL_NAMES;
    printf("\nCard outcomes (global counters, frame bytes)\n");
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
        if (g[i].packets)
            printf("  %-24s %10llu %13llu\n", names[i], (unsigned long long)g[i].packets,
                   (unsigned long long)g[i].bytes);
    for (unsigned i = 1; i < SCRUB_MAL_COUNT; i++)
        if (g[SCRUB_GSTAT_MALFORMED_BASE + i].packets)
            printf("  malformed %-14s %10llu %13llu\n", mal[i],
                   (unsigned long long)g[SCRUB_GSTAT_MALFORMED_BASE + i].packets,
                   (unsigned long long)g[SCRUB_GSTAT_MALFORMED_BASE + i].bytes);
}

static int report(struct replay *r, const struct options *o, struct scrub_err *err)
{
    struct scrub_counter g[SCRUB_GSTAT_COUNT];
    uint32_t n_pairs = r->layout.counter_pairs.used;
    struct scrub_counter *pairs = calloc(n_pairs ? n_pairs : 1, sizeof(*pairs));
    if (!pairs)
        return scrub_err_set(err, ENOMEM, "out of memory reading counters");
    if (scrub_hal_snapshot(r->hal, err) ||
        scrub_hal_read_counters(r->hal, SCRUB_TABLE_GSTAT, 0, SCRUB_GSTAT_COUNT, g, err) ||
        scrub_hal_read_counters(r->hal, SCRUB_TABLE_COUNTER, 0, n_pairs, pairs, err)) {
        free(pairs);
        return -1;
    }
    printf("scrub-model: %llu frames of %s through the card model (%s tables), configured by %s\n",
           (unsigned long long)r->frames, o->in, o->sim_card ? "sim" : "deploy", o->config);
    printf("  tables used: dest %u/%u, exact-match %u/%u, acl %u/%u, policers %u/%u, counter pairs %u/%u\n",
           r->layout.dest.used, r->layout.dest.total, r->layout.em.used, r->layout.em.total, r->layout.acl.used,
           r->layout.acl.total, r->layout.policers.used, r->layout.policers.total, r->layout.counter_pairs.used,
           r->layout.counter_pairs.total);
    print_countermeasures(&r->layout, pairs);
    print_outcomes(g);
    free(pairs);
    if (r->have_labels && !scrub_class_report(stdout, &r->tally, g))
        return scrub_err_set(err, EPROTO, "the per-class tallies disagree with the card's counters");
    return 0;
}

static int run(const struct options *o, struct scrub_err *err)
{
    struct replay r = {0};
    struct scrub_config cfg;
    if (scrub_config_load(o->config, o->yang_dirs, &cfg, err))
        return -1;
    int rc = -1;
    struct scrub_model_params sim = SCRUB_MODEL_PARAMS_SIM, deploy = SCRUB_MODEL_PARAMS_DEPLOY;
    if (o->labels) {
        if (scrub_labels_load(o->labels, &r.labels, err))
            goto out;
        r.have_labels = true;
        if (scrub_class_tally_init(&r.tally, &r.labels)) {
            scrub_err_set(err, ENOMEM, "out of memory");
            goto out;
        }
    }
    r.model = scrub_model_new(o->sim_card ? &sim : &deploy);
    if (!r.model) {
        scrub_err_set(err, errno, "cannot create the card model: %s", strerror(errno));
        goto out;
    }
    r.hal = scrub_hal_model_attach(r.model, err);
    if (!r.hal)
        goto out;
    if (scrub_config_apply(r.hal, &cfg, &r.layout, err)) {
        scrub_err_prefix(err, "%s", o->config);
        goto out;
    }
    rc = replay_capture(&r, o, err);
    if (rc == 0)
        rc = report(&r, o, err);
out:
    scrub_layout_free(&r.layout);
    scrub_hal_close(r.hal);
    scrub_model_free(r.model);
    scrub_class_tally_free(&r.tally);
    scrub_labels_free(&r.labels);
    scrub_config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_options(argc, argv, &o))
        return 2;
    struct scrub_err err = {0};
    if (run(&o, &err)) {
        fprintf(stderr, "scrub-model: %s\n", err.msg);
        return 1;
    }
    return 0;
}
