/* scrubd: the appliance's daemon. Parses its options, opens the store and
 * the card, serves the control socket and runs the one event loop until
 * SIGTERM (docs/daemon.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "card.h"
#include "control.h"
#include "data_channel.h"
#include "expiry.h"
#include "log.h"
#include "reload.h"
#include "scrub_control.h"
#include "scrubd.h"
#include "signal_channel.h"
#include "stats.h"

#define CONFIG_DEFAULT "/etc/scrubd/scrubd.json"
#define STORE_DEFAULT "/var/lib/scrubd/scrubd.db"
#define WDOG_TIMEOUT_DEFAULT_MS 5000u
#define STATS_DEFAULT_MS 1000u
/* How long a store statement waits for another connection's lock (a backup). */
#define STORE_BUSY_MS 5000

static void usage(FILE *f)
{
    fprintf(f,
            "usage: scrubd [-f CONFIG] [-S STORE] [-s SOCKET] [-b BACKEND] [-l LEVEL] [--syslog]\n"
            "              [--socket-owner USER] [--socket-group GROUP] [--socket-mode MODE]\n"
            "              [--watchdog-ms MS] [--kick-ms MS] [--fail-closed] [--stats-ms MS]\n"
            "  -f, --config FILE      the configuration (default " CONFIG_DEFAULT ")\n"
            "  -S, --store FILE       the durable store (default " STORE_DEFAULT ")\n"
            "  -s, --socket PATH      the control socket (default " SCRUB_CONTROL_SOCKET_DEFAULT ")\n"
            "  -b, --backend SPEC     the card: simcard (default), model, xrt:xclbin=PATH[,device=N]\n"
            "  -l, --log-level LEVEL  error, warning, info (default) or debug; logs go to stderr\n"
            "      --syslog           also log to syslog (facility daemon)\n"
            "      --socket-owner, --socket-group, --socket-mode (octal, default 0660)\n"
            "      --watchdog-ms MS   the card's watchdog timeout (default %u; 0: off)\n"
            "      --kick-ms MS       how often it is kicked (default a fifth of the timeout)\n"
            "      --fail-closed      when the watchdog expires the card drops everything (default: passes)\n"
            "      --stats-ms MS      how often the card's counters are polled for rates (default %u; 0: never)\n"
            "      --max-lifetime S   the longest mitigation lifetime granted, an indefinite one too (default 0: "
            "no cap)\n"
            "  The DOTS signal channel (RFC 9132: DTLS on UDP, TLS on TCP) runs when --dots-cert is given:\n"
            "      --dots-cert PEM, --dots-key PEM   the server's certificate and key\n"
            "      --dots-ca PEM      the CAs client certificates chain to; --dots-crl PEM their CRLs\n"
            "      --dots-address ADDR, --dots-port PORT   where it listens (default :: port 4646)\n"
            "      --dots-yang DIR    the IETF YANG modules (default " SCRUBD_DOTS_YANG_DIR ")\n"
            "      --dots-range PARAMETER=MIN-MAX   what clients may set in their session configurations,\n"
            "                         e.g. heartbeat-interval=15-240, ack-timeout=1.00-30.00 (RFC 9132 4.5.1's)\n"
            "      --dots-notify-s S  while mitigating, observers get fresh counters this often (default 60)\n"
            "      --dots-cuid-from-cert   a mitigation request's cuid must be the one derived from the\n"
            "                         client's certificate (RFC 9132 section 4.4.1); else 4.03\n"
            "      --dots-terminating-s S   after a client's DELETE its mitigation stays on the card this\n"
            "                         long, status 5 (RFC 9132 4.4.4's active-but-terminating; default 120;\n"
            "                         0: withdrawn at once)\n"
            "      --dots-quiet-s S   a mitigation that dropped, then dropped nothing this long, is status 3\n"
            "                         attack-stopped (default 300)\n"
            "      --dots-bucket-s S  bps-dropped and pps-dropped average whole buckets of this length\n"
            "                         (default 300, the module's five minutes)\n"
            "      --dots-config-max-age S  the Max-Age of /config answers (default 3600)\n"
            "      --dots-observe-keepalive-s S   in peace time observers are told at least this often, so\n"
            "                         that a Confirmable notification goes at least every 24 hours\n"
            "                         (default 17280: libcoap makes every fifth one Confirmable)\n"
            "      --dots-max-sessions N, --dots-max-handshakes N, --dots-rate R, --dots-burst B\n"
            "                         self-protection: sessions per client identity (default 8), DTLS/TLS\n"
            "                         handshakes in progress (128), requests per second per identity (50) and\n"
            "                         its bursts (100); more is refused (4.29 for requests)\n"
            "      --data-port PORT   also serve the DOTS data channel (RFC 8783, HTTPS) on this port, with\n"
            "                         the same certificates; --data-address ADDR (default: --dots-address)\n"
            "scrubd stays in the foreground; SIGHUP reloads the configuration and the DOTS certificates,\n"
            "SIGTERM stops it.\n",
            WDOG_TIMEOUT_DEFAULT_MS, STATS_DEFAULT_MS);
}

static int parse_u32(const char *opt, const char *s, uint32_t max, int base, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || end == s || *end || *s == '-' || v > max) {
        fprintf(stderr, "scrubd: %s '%s': not a number from 0 to %u%s\n", opt, s, max, base == 8 ? " (octal)" : "");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_options(int argc, char **argv, struct scrubd_options *o, enum log_level *level, bool *use_syslog)
{
    enum { OPT_SYSLOG = 256, OPT_OWNER, OPT_GROUP, OPT_MODE, OPT_WDOG, OPT_KICK, OPT_FAIL_CLOSED, OPT_STATS, OPT_MAX_LIFETIME,
           OPT_DOTS_CERT, OPT_DOTS_KEY, OPT_DOTS_CA, OPT_DOTS_CRL, OPT_DOTS_ADDRESS, OPT_DOTS_PORT, OPT_DOTS_YANG,
           OPT_DOTS_RANGE, OPT_DOTS_NOTIFY, OPT_DATA_PORT, OPT_DATA_ADDRESS,
           OPT_DOTS_MAX_SESSIONS, OPT_DOTS_MAX_HANDSHAKES, OPT_DOTS_RATE, OPT_DOTS_BURST,
           OPT_DOTS_TERMINATING, OPT_DOTS_QUIET, OPT_DOTS_BUCKET, OPT_DOTS_MAX_AGE, OPT_DOTS_KEEPALIVE,
           OPT_DOTS_CUID_FROM_CERT };
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'f'},     {"store", required_argument, NULL, 'S'},
        {"socket", required_argument, NULL, 's'},     {"backend", required_argument, NULL, 'b'},
        {"log-level", required_argument, NULL, 'l'},  {"syslog", no_argument, NULL, OPT_SYSLOG},
        {"socket-owner", required_argument, NULL, OPT_OWNER}, {"socket-group", required_argument, NULL, OPT_GROUP},
        {"socket-mode", required_argument, NULL, OPT_MODE},   {"watchdog-ms", required_argument, NULL, OPT_WDOG},
        {"kick-ms", required_argument, NULL, OPT_KICK}, {"fail-closed", no_argument, NULL, OPT_FAIL_CLOSED},
        {"stats-ms", required_argument, NULL, OPT_STATS}, {"max-lifetime", required_argument, NULL, OPT_MAX_LIFETIME},
        {"dots-cert", required_argument, NULL, OPT_DOTS_CERT}, {"dots-key", required_argument, NULL, OPT_DOTS_KEY},
        {"dots-ca", required_argument, NULL, OPT_DOTS_CA},     {"dots-crl", required_argument, NULL, OPT_DOTS_CRL},
        {"dots-address", required_argument, NULL, OPT_DOTS_ADDRESS},
        {"dots-port", required_argument, NULL, OPT_DOTS_PORT}, {"dots-yang", required_argument, NULL, OPT_DOTS_YANG},
        {"dots-range", required_argument, NULL, OPT_DOTS_RANGE}, {"dots-notify-s", required_argument, NULL, OPT_DOTS_NOTIFY},
        {"dots-max-sessions", required_argument, NULL, OPT_DOTS_MAX_SESSIONS},
        {"dots-max-handshakes", required_argument, NULL, OPT_DOTS_MAX_HANDSHAKES},
        {"dots-rate", required_argument, NULL, OPT_DOTS_RATE}, {"dots-burst", required_argument, NULL, OPT_DOTS_BURST},
        {"dots-cuid-from-cert", no_argument, NULL, OPT_DOTS_CUID_FROM_CERT},
        {"dots-terminating-s", required_argument, NULL, OPT_DOTS_TERMINATING},
        {"dots-quiet-s", required_argument, NULL, OPT_DOTS_QUIET},
        {"dots-bucket-s", required_argument, NULL, OPT_DOTS_BUCKET},
        {"dots-config-max-age", required_argument, NULL, OPT_DOTS_MAX_AGE},
        {"dots-observe-keepalive-s", required_argument, NULL, OPT_DOTS_KEEPALIVE},
        {"data-port", required_argument, NULL, OPT_DATA_PORT}, {"data-address", required_argument, NULL, OPT_DATA_ADDRESS},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
    };
    *o = (struct scrubd_options){
        .config_path = CONFIG_DEFAULT,
        .store_path = STORE_DEFAULT,
        .socket_path = SCRUB_CONTROL_SOCKET_DEFAULT,
        .socket_mode = 0660,
        .backend = "simcard",
        .wdog_timeout_ms = WDOG_TIMEOUT_DEFAULT_MS,
        .stats_ms = STATS_DEFAULT_MS,
        .dots = {.address = "::", .port = DOTS_SIGNAL_PORT, .yang_dir = SCRUBD_DOTS_YANG_DIR,
                 .terminating_s = DOTS_TERMINATING_DEFAULT_S,
                 .ranges = dots_sc_default_ranges, .limits = dots_default_limits},
    };
    bool kick_given = false;
    uint32_t v;
    for (int c; (c = getopt_long(argc, argv, "f:S:s:b:l:h", longs, NULL)) != -1;) {
        switch (c) {
        case 'f': o->config_path = optarg; break;
        case 'S': o->store_path = optarg; break;
        case 's': o->socket_path = optarg; break;
        case 'b': o->backend = optarg; break;
        case 'l': {
            int l = log_level_parse(optarg);
            if (l < 0) {
                fprintf(stderr, "scrubd: --log-level '%s': one of error, warning, info, debug\n", optarg);
                return -1;
            }
            *level = (enum log_level)l;
            break;
        }
        case OPT_SYSLOG: *use_syslog = true; break;
        case OPT_OWNER: o->socket_owner = optarg; break;
        case OPT_GROUP: o->socket_group = optarg; break;
        case OPT_MODE:
            if (parse_u32("--socket-mode", optarg, 0777, 8, &v))
                return -1;
            o->socket_mode = (mode_t)v;
            break;
        case OPT_WDOG:
            if (parse_u32("--watchdog-ms", optarg, UINT32_MAX, 10, &o->wdog_timeout_ms))
                return -1;
            break;
        case OPT_KICK:
            if (parse_u32("--kick-ms", optarg, UINT32_MAX, 10, &o->wdog_kick_ms))
                return -1;
            kick_given = true;
            break;
        case OPT_FAIL_CLOSED: o->fail_closed = true; break;
        case OPT_STATS:
            if (parse_u32("--stats-ms", optarg, UINT32_MAX, 10, &o->stats_ms))
                return -1;
            break;
        case OPT_MAX_LIFETIME:
            if (parse_u32("--max-lifetime", optarg, UINT32_MAX, 10, &v))
                return -1;
            o->max_lifetime_s = v;
            break;
        case OPT_DOTS_CERT: o->dots.cert_file = optarg; break;
        case OPT_DOTS_KEY: o->dots.key_file = optarg; break;
        case OPT_DOTS_CA: o->dots.ca_file = optarg; break;
        case OPT_DOTS_CRL: o->dots.crl_file = optarg; break;
        case OPT_DOTS_ADDRESS: o->dots.address = optarg; break;
        case OPT_DOTS_YANG: o->dots.yang_dir = optarg; break;
        case OPT_DOTS_RANGE: {
            struct scrub_err err;
            char *eq = strchr(optarg, '=');
            int p = -1;
            if (eq) {
                *eq = '\0';
                p = dots_sc_param_by_name(optarg);
            }
            if (p < 0) {
                fprintf(stderr, "scrubd: --dots-range %s: want PARAMETER=MIN-MAX, PARAMETER one of heartbeat-interval, "
                        "missing-hb-allowed, probing-rate, max-retransmit, ack-timeout, ack-random-factor\n", optarg);
                return -1;
            }
            if (dots_sc_parse_range((enum dots_sc_param)p, eq + 1, &o->dots.ranges.r[p], &err) < 0) {
                fprintf(stderr, "scrubd: --dots-range: %s\n", err.msg);
                return -1;
            }
            break;
        }
        case OPT_DOTS_MAX_SESSIONS:
        case OPT_DOTS_MAX_HANDSHAKES:
        case OPT_DOTS_RATE:
        case OPT_DOTS_BURST: {
            static const char *const names[] = {"--dots-max-sessions", "--dots-max-handshakes", "--dots-rate",
                                                "--dots-burst"};
            unsigned *fields[] = {&o->dots.limits.max_sessions, &o->dots.limits.max_handshakes,
                                  &o->dots.limits.rate_per_s, &o->dots.limits.burst};
            int k = c - OPT_DOTS_MAX_SESSIONS;
            if (parse_u32(names[k], optarg, 1000000, 10, &v))
                return -1;
            if (v == 0) {
                fprintf(stderr, "scrubd: %s 0: give at least 1\n", names[k]);
                return -1;
            }
            *fields[k] = v;
            break;
        }
        case OPT_DATA_ADDRESS: o->dots.data_address = optarg; break;
        case OPT_DATA_PORT:
            if (parse_u32("--data-port", optarg, 65535, 10, &v))
                return -1;
            if (v == 0) {
                fprintf(stderr, "scrubd: --data-port 0: give a port from 1 to 65535\n");
                return -1;
            }
            o->dots.data_port = (uint16_t)v;
            break;
        case OPT_DOTS_CUID_FROM_CERT: o->dots.cuid_from_cert = true; break;
        case OPT_DOTS_TERMINATING:
        case OPT_DOTS_QUIET:
        case OPT_DOTS_BUCKET:
        case OPT_DOTS_MAX_AGE:
        case OPT_DOTS_KEEPALIVE: {
            static const char *const names[] = {"--dots-terminating-s", "--dots-quiet-s", "--dots-bucket-s",
                                                "--dots-config-max-age", "--dots-observe-keepalive-s"};
            uint32_t *fields[] = {&o->dots.terminating_s, &o->quiet_s, &o->bucket_s, &o->dots.config_max_age_s,
                                  &o->dots.observe_keepalive_s};
            int k = c - OPT_DOTS_TERMINATING;
            if (parse_u32(names[k], optarg, 604800, 10, &v))
                return -1;
            if (v == 0 && c != OPT_DOTS_TERMINATING) { /* no period: withdrawn at once */
                fprintf(stderr, "scrubd: %s 0: give at least 1 second\n", names[k]);
                return -1;
            }
            *fields[k] = v;
            break;
        }
        case OPT_DOTS_NOTIFY:
            if (parse_u32("--dots-notify-s", optarg, 86400, 10, &o->dots.notify_s))
                return -1;
            break;
        case OPT_DOTS_PORT:
            if (parse_u32("--dots-port", optarg, 65535, 10, &v))
                return -1;
            o->dots.port = (uint16_t)v;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "scrubd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    const struct scrubd_dots_options *dots = &o->dots;
    if ((dots->cert_file || dots->key_file || dots->ca_file || dots->crl_file) &&
        (!dots->cert_file || !dots->key_file || !dots->ca_file)) {
        fprintf(stderr, "scrubd: the DOTS signal channel needs --dots-cert, --dots-key and --dots-ca together\n");
        return -1;
    }
    if (dots->data_port && !dots->cert_file) {
        fprintf(stderr, "scrubd: the DOTS data channel (--data-port) needs the signal channel's --dots-cert, "
                "--dots-key and --dots-ca\n");
        return -1;
    }
    if (!o->dots.data_address)
        o->dots.data_address = o->dots.address;
    if (!kick_given)
        o->wdog_kick_ms = o->wdog_timeout_ms / 5 ? o->wdog_timeout_ms / 5 : 1;
    if (o->wdog_timeout_ms && (o->wdog_kick_ms == 0 || o->wdog_kick_ms >= o->wdog_timeout_ms)) {
        fprintf(stderr, "scrubd: --kick-ms %u must be above 0 and below --watchdog-ms %u, or the card's watchdog "
                "expires between kicks\n", o->wdog_kick_ms, o->wdog_timeout_ms);
        return -1;
    }
    return 0;
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct scrubd *d = arg;
    log_info("%s: stopping (the card keeps its tables and keeps filtering)", strsignal((int)sig));
    event_base_loopbreak(d->base);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    struct scrubd *d = arg;
    struct scrub_err err = {0};
    config_reload(d, SCRUB_STORE_WHO_DAEMON, "SIGHUP", SCRUB_STORE_CHANNEL_CONFIG, &err);
    signal_channel_reload(d);
    data_channel_reload(d);
}

/* Everything that can fail at start, in order; -1 with err. */
static int start(struct scrubd *d, struct event **signals, struct scrub_err *err)
{
    if (config_load_first(d, err))
        return -1;
    d->store = scrub_store_open(d->opt.store_path, STORE_BUSY_MS, err);
    if (!d->store)
        return -1;
    log_info("store %s: open (schema version %d)", d->opt.store_path, scrub_store_schema_version());
    struct scrub_core_options core_opt = {.max_lifetime_s = d->opt.max_lifetime_s,
                                          .quiet_s = d->opt.quiet_s,
                                          .bucket_s = d->opt.bucket_s};
    d->core = scrub_core_new(d->store, &core_opt, err);
    if (!d->core || scrub_core_set_config(d->core, &d->cfg, err))
        return -1;
    if (card_start(d, err) || card_timer_start(d, err) || stats_start(d, err) || expiry_start(d, err))
        return -1;
    /* Caught from here on, so that a SIGTERM from now removes the socket. */
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        signals[i] = evsignal_new(d->base, sigs[i], sigs[i] == SIGHUP ? on_hup : on_stop, d);
        if (!signals[i] || evsignal_add(signals[i], NULL))
            return scrub_err_set(err, ENOMEM, "cannot watch signal %s on the event loop", strsignal(sigs[i]));
    }
    if (signal_channel_start(d, err) || data_channel_start(d, err))
        return -1;
    d->control = control_open(d, err);
    return d->control ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct scrubd d = {0};
    enum log_level level = LOG_LEVEL_INFO;
    bool use_syslog = false;
    if (parse_options(argc, argv, &d.opt, &level, &use_syslog))
        return 2;
    log_init(level, use_syslog);
    signal(SIGPIPE, SIG_IGN);
    clock_gettime(CLOCK_MONOTONIC, &d.started);
    d.started_wall = time(NULL);

    struct event *signals[3] = {0};
    struct scrub_err err = {0};
    int rc = 0;
    d.base = event_base_new();
    if (!d.base) {
        scrub_err_set(&err, ENOMEM, "cannot create the event loop");
        rc = 1;
    } else if (start(&d, signals, &err)) {
        rc = 1;
    }
    if (rc) {
        log_error("not started: %s", err.msg);
    } else {
        log_info("ready: pid %d, control socket %s, backend %s", (int)getpid(), d.opt.socket_path, d.opt.backend);
        if (event_base_dispatch(d.base) < 0) {
            log_error("the event loop failed");
            rc = 1;
        }
    }

    for (int i = 0; i < 3; i++)
        if (signals[i])
            event_free(signals[i]);
    control_close(d.control);
    data_channel_stop(&d);
    signal_channel_stop(&d);
    expiry_stop(&d);
    stats_stop(&d);
    card_stop(&d);
    scrub_core_free(d.core);
    scrub_store_close(d.store);
    scrub_config_free(&d.cfg);
    if (d.base)
        event_base_free(d.base);
    if (rc == 0)
        log_info("stopped");
    return rc;
}
