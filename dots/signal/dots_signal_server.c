/* dots-signal-server: the signal channel transport on its own, until scrubd
 * carries it: listens, authenticates clients, serves /.well-known/dots/config.
 * Stops on SIGINT or SIGTERM. Log lines go to stderr. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dots_schema.h"
#include "dots_signal.h"

static const char *const level_names[] = {"error", "warning", "info", "debug"};

static void log_line(void *ctx, enum dots_log_level level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "dots-signal-server: %s: %s\n", level_names[level], msg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

static void usage(void)
{
    fprintf(stderr, "usage: dots-signal-server --yang DIR --ca PEM --cert PEM --key PEM [--crl PEM]\n"
                    "                          [--address ADDR] [--port PORT] [--identity NAME]...\n"
                    "  --ca holds the CAs clients chain to, --crl their CRLs; --identity limits who may\n"
                    "  connect (default: any client the CA vouches for); port 4646, address ::\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"yang", required_argument, NULL, 'y'}, {"ca", required_argument, NULL, 'c'},
        {"crl", required_argument, NULL, 'r'}, {"cert", required_argument, NULL, 'e'},
        {"key", required_argument, NULL, 'k'},
        {"address", required_argument, NULL, 'a'}, {"port", required_argument, NULL, 'p'},
        {"identity", required_argument, NULL, 'i'}, {NULL, 0, NULL, 0},
    };
    struct dots_signal_config cfg = {.address = "::", .port = DOTS_SIGNAL_PORT, .log = log_line};
    const char *yang = NULL, **identities = calloc((size_t)argc, sizeof *identities);
    size_t nids = 0;
    int opt;
    if (!identities)
        return 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char *end;
        long port;
        switch (opt) {
        case 'y': yang = optarg; break;
        case 'c': cfg.ca_file = optarg; break;
        case 'r': cfg.crl_file = optarg; break;
        case 'e': cfg.cert_file = optarg; break;
        case 'k': cfg.key_file = optarg; break;
        case 'a': cfg.address = optarg; break;
        case 'i': identities[nids++] = optarg; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 1 || port > 65535) {
                fprintf(stderr, "dots-signal-server: --port %s is not a port number (1-65535)\n", optarg);
                return 2;
            }
            cfg.port = (uint16_t)port;
            break;
        default: usage(); return 2;
        }
    }
    if (!yang || !cfg.ca_file || !cfg.cert_file || !cfg.key_file || optind != argc) {
        usage();
        return 2;
    }
    cfg.identities = nids ? identities : NULL;

    struct scrub_err err;
    struct dots_schema *schema;
    struct dots_signal *server;
    struct event_base *base = event_base_new();
    if (!base || dots_schema_open(yang, &schema, &err) < 0) {
        fprintf(stderr, "dots-signal-server: %s\n", base ? err.msg : "no event loop");
        return 1;
    }
    cfg.schema = schema;
    if (dots_signal_start(base, &cfg, &server, &err) < 0) {
        fprintf(stderr, "dots-signal-server: %s\n", err.msg);
        return 1;
    }
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    event_base_dispatch(base);
    event_free(sigint);
    event_free(sigterm);
    dots_signal_stop(server);
    dots_schema_close(schema);
    event_base_free(base);
    free(identities);
    return 0;
}
