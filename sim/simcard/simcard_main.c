/* scrub-simcard: the simulated card as a process of its own. The Verilated
 * RTL (or hw/model) behind the shared-memory control channel the simcard
 * HAL backend speaks, with its traffic ports: a capture replayed (at its
 * own pace or as fast as possible), or live interfaces (simcard_live.h),
 * and the passed frames written out. Like
 * a card it keeps filtering whoever comes and goes on the control channel.
 * One thread drives the card; a transaction runs between two frames. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcap_io.h"
#include "scrub_hal_simcard.h"
#include "simcard_chan.h"
#include "simcard_core.h"
#include "simcard_live.h"
#include "simcard_server.h"

#define DEFAULT_MAX_OPS (1u << 21)
/* The main loop looks at its clients at least this often. */
#define HOUSEKEEPING_MS 1000

struct options {
    enum simcard_core_kind core;
    bool deploy, keep_shm, wait_client, linger;
    const char *shm, *in_pcap, *out_pcap, *outside, *inside;
    double speed; /* 0: as fast as possible */
    uint32_t max_ops;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: scrub-simcard [--core rtl|model] [--card sim|deploy] [--shm NAME] [--max-ops N] [--keep-shm]\n"
               "                     [--in-pcap FILE [--speed X] [--wait-client] [--linger] | --outside IF --inside IF]\n"
               "                     [--out-pcap FILE]\n"
               "  --core      the card: the Verilated RTL (default) or hw/model\n"
               "  --card      table sizes of the model core: sim (default) or deploy\n"
               "  --shm       the control channel's shared-memory name (default $%s, else %s)\n"
               "  --max-ops   the channel's capacity in ops per transaction (default %u)\n"
               "  --keep-shm  leave the channel's object behind at exit\n"
               "  --in-pcap   replay this Ethernet capture (record times are arrival times); the process\n"
               "              prints the card's counters and exits when it is done\n"
               "  --speed     replay at X times real time (default: as fast as possible)\n"
               "  --wait-client  hold the traffic until a client has connected and closed the channel\n"
               "  --linger    after the capture, keep serving the channel (the card and its counters)\n"
               "              until SIGTERM or SIGINT, then print the counters and exit\n"
               "  --outside   live traffic from this interface goes through the card to --inside;\n"
               "  --inside    what arrives here goes back to --outside unfiltered (AF_PACKET, root)\n"
               "  --out-pcap  write the frames the card passed here (nanosecond pcap)\n"
               "Without --in-pcap the card serves the channel until SIGTERM or SIGINT.\n",
            SIMCARD_CHAN_ENV, SIMCARD_CHAN_DEFAULT, DEFAULT_MAX_OPS);
}

static int parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || !*s || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "scrub-simcard: %s '%s': expected a number in %u..%u\n", opt, s, lo, hi);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        {"core", required_argument, NULL, 'c'},    {"card", required_argument, NULL, 'k'},
        {"shm", required_argument, NULL, 's'},     {"max-ops", required_argument, NULL, 'm'},
        {"keep-shm", no_argument, NULL, 'K'},      {"in-pcap", required_argument, NULL, 'i'},
        {"out-pcap", required_argument, NULL, 'o'}, {"speed", required_argument, NULL, 'x'},
        {"wait-client", no_argument, NULL, 'w'},   {"outside", required_argument, NULL, 'O'},
        {"inside", required_argument, NULL, 'I'},  {"linger", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->max_ops = DEFAULT_MAX_OPS;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        char *end;
        switch (c) {
        case 'c':
            if (strcmp(optarg, "rtl") && strcmp(optarg, "model")) {
                fprintf(stderr, "scrub-simcard: --core '%s': expected rtl or model\n", optarg);
                return -1;
            }
            o->core = strcmp(optarg, "model") == 0 ? SIMCARD_CORE_MODEL : SIMCARD_CORE_RTL;
            break;
        case 'k':
            if (strcmp(optarg, "sim") && strcmp(optarg, "deploy")) {
                fprintf(stderr, "scrub-simcard: --card '%s': expected sim or deploy\n", optarg);
                return -1;
            }
            o->deploy = strcmp(optarg, "deploy") == 0;
            break;
        case 's': o->shm = optarg; break;
        case 'm':
            if (parse_u32("--max-ops", optarg, 64, 1u << 26, &o->max_ops))
                return -1;
            break;
        case 'K': o->keep_shm = true; break;
        case 'i': o->in_pcap = optarg; break;
        case 'o': o->out_pcap = optarg; break;
        case 'w': o->wait_client = true; break;
        case 'L': o->linger = true; break;
        case 'O': o->outside = optarg; break;
        case 'I': o->inside = optarg; break;
        case 'x':
            o->speed = strtod(optarg, &end);
            if (*end || !*optarg || !isfinite(o->speed) || o->speed <= 0) {
                fprintf(stderr, "scrub-simcard: --speed '%s': expected a positive number\n", optarg);
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "scrub-simcard: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if ((o->speed || o->wait_client || o->linger) && !o->in_pcap) {
        fprintf(stderr, "scrub-simcard: --speed, --wait-client and --linger need --in-pcap\n");
        return -1;
    }
    if (!o->outside != !o->inside) {
        fprintf(stderr, "scrub-simcard: --outside and --inside go together\n");
        return -1;
    }
    if (o->outside && o->in_pcap) {
        fprintf(stderr, "scrub-simcard: traffic from --in-pcap or from --outside, not both\n");
        return -1;
    }
    return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;
static struct simcard_server *signal_server;

static void on_signal(int sig)
{
    stop_signal = sig;
    if (signal_server)
        simcard_server_poke(signal_server);
}

struct run {
    const struct options *o;
    struct simcard_core *core;
    struct simcard_server *server;
    struct scrub_pcap_in *in;
    struct scrub_pcap_out *out;
    struct simcard_live *live;
    /* the next frame of the capture, read ahead for pacing */
    const uint8_t *frame;
    uint32_t len;
    uint64_t ts;
    bool have_frame, in_done;
    uint64_t first_ts, start_ns, frames_in, frames_out;
    uint64_t next_housekeeping;
};

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Sleeps until the channel rings, a signal or a frame comes, or
 * timeout_ms passes. */
static void wait_events(struct run *r, int timeout_ms)
{
    struct pollfd p[3] = {{.fd = simcard_server_fd(r->server), .events = POLLIN}};
    if (r->live)
        simcard_live_pollfds(r->live, p + 1);
    poll(p, r->live ? 3 : 1, timeout_ms);
}

static void serve(struct run *r)
{
    if (r->live)
        simcard_core_set_time(r->core, wall_ns()); /* the watchdog runs on wall time */
    simcard_server_serve(r->server, r->core);
    r->next_housekeeping = mono_ns() + HOUSEKEEPING_MS * 1000000ull;
}

static void write_outputs(struct run *r)
{
    static uint8_t buf[SCRUB_MAX_FRAME + 1];
    uint64_t ts;
    uint32_t n;
    while ((n = simcard_core_output(r->core, buf, sizeof(buf), &ts)) > 0) {
        r->frames_out++;
        if (r->live)
            simcard_live_send_inside(r->live, buf, n);
        if (r->out)
            scrub_pcap_write(r->out, buf, n < sizeof(buf) ? n : (uint32_t)sizeof(buf), ts);
    }
}

static int read_ahead(struct run *r, struct scrub_err *err)
{
    int rc = scrub_pcap_next(r->in, &r->frame, &r->len, &r->ts, err);
    if (rc < 0)
        return -1;
    r->have_frame = rc == 1;
    r->in_done = rc == 0;
    if (r->have_frame && r->frames_in == 0) {
        r->first_ts = r->ts;
        r->start_ns = mono_ns();
    }
    return 0;
}

/* How long before the next frame is due (0: now). */
static int64_t due_in_ns(const struct run *r)
{
    if (!r->o->speed)
        return 0;
    double offset = (double)(r->ts - r->first_ts) / r->o->speed;
    int64_t due = (int64_t)(r->start_ns + (uint64_t)offset);
    return due - (int64_t)mono_ns();
}

static int replay_step(struct run *r, struct scrub_err *err)
{
    if (r->o->wait_client && simcard_server_sessions_ended(r->server) == 0) {
        wait_events(r, HOUSEKEEPING_MS);
        serve(r);
        return 0;
    }
    int64_t wait = due_in_ns(r);
    if (wait > 0) {
        wait_events(r, (int)(wait / 1000000 + 1 < HOUSEKEEPING_MS ? wait / 1000000 + 1 : HOUSEKEEPING_MS));
        return 0;
    }
    simcard_core_frame(r->core, r->frame, r->len, r->ts);
    r->frames_in++;
    write_outputs(r);
    return read_ahead(r, err);
}

/* Live frames from the outside through the card, a batch at a time, then
 * the return path; false when there was nothing to do. */
#define LIVE_BATCH 64

static bool live_step(struct run *r)
{
    static uint8_t buf[65536];
    unsigned n_frames = 0;
    uint32_t n;
    while (n_frames < LIVE_BATCH && (n = simcard_live_recv_outside(r->live, buf, sizeof(buf))) > 0) {
        if (simcard_server_posted(r->server))
            serve(r);
        simcard_core_frame(r->core, buf, n, wall_ns());
        r->frames_in++;
        n_frames++;
        write_outputs(r);
    }
    if (n_frames) {
        simcard_core_flush(r->core); /* nothing waits inside the card for the next frame */
        write_outputs(r);
    }
    return simcard_live_return_path(r->live) + n_frames > 0;
}

static int loop(struct run *r, struct scrub_err *err)
{
    bool drained = false;
    while (!stop_signal && (!r->in_done || r->o->linger)) {
        if (r->in_done && !drained) { /* --linger: the whole capture through the card before lingering */
            simcard_core_flush(r->core);
            write_outputs(r);
            fprintf(stderr, "scrub-simcard: capture done (%llu frames in, %llu passed): lingering until a signal\n",
                    (unsigned long long)r->frames_in, (unsigned long long)r->frames_out);
            drained = true;
        }
        if (simcard_server_posted(r->server) || mono_ns() >= r->next_housekeeping) {
            serve(r);
            write_outputs(r); /* frames that left the RTL while the transaction ran */
        }
        if (r->have_frame) {
            if (replay_step(r, err))
                return -1;
        } else if (r->live && live_step(r)) {
            continue;
        } else {
            wait_events(r, HOUSEKEEPING_MS);
            serve(r);
        }
    }
    /* A client waiting now still gets its answer. */
    serve(r);
    return 0;
}

/* The card's own counters, read through the register path. */
static int print_summary(struct run *r, struct scrub_err *err)
{
    struct scrub_hal *h = simcard_core_hal(r->core, err);
    struct scrub_counter g[SCRUB_GSTAT_COUNT];
    if (!h || scrub_hal_snapshot(h, err) || scrub_hal_read_counters(h, SCRUB_TABLE_GSTAT, 0, SCRUB_GSTAT_COUNT, g, err)) {
        scrub_hal_close(h);
        return -1;
    }
    scrub_hal_close(h);
    static const char *const names[] = SCRUB_GSTAT_NAMES;
    static const char *const mal[] = SCRUB_MAL_NAMES;
    printf("scrub-simcard: %s core, %llu frames in, %llu passed frames out, %llu transactions run, %llu refused\n",
           simcard_core_name(r->core), (unsigned long long)r->frames_in, (unsigned long long)r->frames_out,
           (unsigned long long)simcard_server_txns(r->server), (unsigned long long)simcard_server_refused(r->server));
    printf("card counters (GSTAT: packets, frame bytes)\n");
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
        if (g[i].packets || i == SCRUB_GSTAT_RX || i == SCRUB_GSTAT_TX)
            printf("  card %-22s %12llu %15llu\n", names[i], (unsigned long long)g[i].packets,
                   (unsigned long long)g[i].bytes);
    for (unsigned i = 1; i < SCRUB_MAL_COUNT; i++)
        if (g[SCRUB_GSTAT_MALFORMED_BASE + i].packets)
            printf("  card malformed_%-12s %12llu %15llu\n", mal[i],
                   (unsigned long long)g[SCRUB_GSTAT_MALFORMED_BASE + i].packets,
                   (unsigned long long)g[SCRUB_GSTAT_MALFORMED_BASE + i].bytes);
    if (r->live)
        simcard_live_report(r->live, stdout);
    fflush(stdout);
    return 0;
}

static int run(const struct options *o, struct scrub_err *err)
{
    struct run r = {.o = o};
    int rc = -1;
    if (o->in_pcap && !(r.in = scrub_pcap_open_in(o->in_pcap, err)))
        return -1;
    if (o->out_pcap && !(r.out = scrub_pcap_open_out(o->out_pcap, err)))
        goto out;
    if (o->outside && !(r.live = simcard_live_open(o->outside, o->inside, err)))
        goto out;
    if (!(r.core = simcard_core_new(o->core, o->deploy, err)))
        goto out;
    const char *shm = scrub_hal_simcard_channel(o->shm);
    if (!(r.server = simcard_server_open(shm, o->max_ops, simcard_core_name(r.core), err)))
        goto out;
    signal_server = r.server;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    fprintf(stderr, "scrub-simcard: ready: %s core (%s tables), channel %s (%u ops), pid %d\n",
            simcard_core_name(r.core), o->deploy ? "deploy" : "sim", shm, o->max_ops, (int)getpid());
    if (r.in && read_ahead(&r, err))
        goto out;
    rc = loop(&r, err);
    simcard_core_flush(r.core);
    write_outputs(&r);
    if (stop_signal)
        fprintf(stderr, "scrub-simcard: stopping on signal %d\n", (int)stop_signal);
    if (rc == 0)
        rc = print_summary(&r, err);
out:
    if (r.out && scrub_pcap_close_out(r.out, rc ? NULL : err) && rc == 0)
        rc = -1;
    if (r.in)
        scrub_pcap_close_in(r.in);
    simcard_live_close(r.live);
    signal_server = NULL;
    simcard_server_close(r.server, o->keep_shm);
    simcard_core_free(r.core);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_options(argc, argv, &o))
        return 2;
    struct scrub_err err = {0};
    if (run(&o, &err)) {
        fprintf(stderr, "scrub-simcard: %s\n", err.msg);
        return 1;
    }
    return 0;
}
