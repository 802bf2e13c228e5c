/* dots-data-server: the data channel on its own, until scrubd carries it:
 * listens for HTTPS, authenticates clients, serves host-meta and the
 * dots-client registrations kept in the store --store names. Stops on
 * SIGINT or SIGTERM. Log lines go to stderr. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "dots_data.h"
#include "scrub_store.h"

static const char *const level_names[] = {"error", "warning", "info", "debug"};

static void log_line(void *ctx, enum dots_log_level level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "dots-data-server: %s: %s\n", level_names[level], msg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

static void usage(void)
{
    fprintf(stderr, "usage: dots-data-server --yang DIR --ca PEM --cert PEM --key PEM --store DB [--crl PEM]\n"
                    "                        [--address ADDR] [--port PORT] [--identity NAME]...\n"
                    "  --yang: the build's patched IETF modules (<build>/dots/yang)\n"
                    "  --ca holds the CAs clients chain to, --crl their CRLs; --identity limits who may\n"
                    "  connect (default: any client the CA vouches for); port %d, address ::\n"
                    "  --store: the scrubd store (created if absent) keeping the registrations\n",
            DOTS_DATA_PORT);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"yang", required_argument, NULL, 'y'}, {"ca", required_argument, NULL, 'c'},
        {"crl", required_argument, NULL, 'r'}, {"cert", required_argument, NULL, 'e'},
        {"key", required_argument, NULL, 'k'}, {"address", required_argument, NULL, 'a'},
        {"port", required_argument, NULL, 'p'}, {"identity", required_argument, NULL, 'i'},
        {"store", required_argument, NULL, 's'}, {NULL, 0, NULL, 0},
    };
    struct dots_data_config cfg = {.address = "::", .port = DOTS_DATA_PORT, .log = log_line};
    struct scrub_err err;
    const char *store_path = NULL, **identities = calloc((size_t)argc, sizeof *identities);
    size_t nids = 0;
    int opt;
    if (!identities)
        return 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char *end;
        long port;
        switch (opt) {
        case 'y': cfg.yang_dir = optarg; break;
        case 'c': cfg.ca_file = optarg; break;
        case 'r': cfg.crl_file = optarg; break;
        case 'e': cfg.cert_file = optarg; break;
        case 'k': cfg.key_file = optarg; break;
        case 'a': cfg.address = optarg; break;
        case 'i': identities[nids++] = optarg; break;
        case 's': store_path = optarg; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 1 || port > 65535) {
                fprintf(stderr, "dots-data-server: --port %s is not a port number (1-65535)\n", optarg);
                return 2;
            }
            cfg.port = (uint16_t)port;
            break;
        default: usage(); return 2;
        }
    }
    if (!cfg.yang_dir || !cfg.ca_file || !cfg.cert_file || !cfg.key_file || !store_path || optind != argc) {
        usage();
        return 2;
    }
    cfg.identities = nids ? identities : NULL;

    struct dots_data *server;
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "dots-data-server: no event loop\n");
        return 1;
    }
    cfg.store = scrub_store_open(store_path, 1000, &err);
    if (!cfg.store) {
        fprintf(stderr, "dots-data-server: %s\n", err.msg);
        return 1;
    }
    if (dots_data_start(base, &cfg, &server, &err) < 0) {
        fprintf(stderr, "dots-data-server: %s\n", err.msg);
        scrub_store_close(cfg.store);
        event_base_free(base);
        free(identities);
        return 1;
    }
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    event_base_dispatch(base);
    event_free(sigint);
    event_free(sigterm);
    dots_data_stop(server);
    scrub_store_close(cfg.store);
    event_base_free(base);
    free(identities);
    return 0;
}
