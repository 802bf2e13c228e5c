/* dots-data-server: the data channel on its own, until scrubd carries it:
 * listens for HTTPS, authenticates clients, serves host-meta and the
 * dots-client registrations kept in the store --store names. With
 * --config (a scrubd configuration) it runs the host core on a card model
 * in this process and serves ACLs too (expiring them when their
 * pending-lifetime ends, checked every 10 s); SIGUSR1 then prints the card's
 * tenant-matching ACL entries and policers, read back from the card, for
 * tests. Stops on SIGINT or SIGTERM. Log lines go to stderr. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "card_readback.h"
#include "dots_data.h"
#include "scrub_core.h"
#include "scrub_hal_model.h"
#include "scrub_store.h"

/* The core on a model card, with --config. */
struct card {
    struct scrub_config cfg;
    struct scrub_model *model;
    struct scrub_hal *hal;
    struct scrub_core *core;
};

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

/* The card's ACL entries that match a tenant (the data channel's) and the
 * policers they use, one line each, as the card holds them. */
static void on_dump(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    struct card *c = arg;
    struct card_image img;
    struct scrub_err err;
    if (card_readback_shadow(c->hal, &img, &err) < 0) {
        fprintf(stderr, "dots-data-server: card: %s\n", err.msg);
        return;
    }
    size_t n = 0;
    for (uint32_t i = 0; i < img.caps.acl; i++) {
        const struct scrub_acl_entry *e = &img.acl[i];
        if (!e->valid || !e->tenant_mask)
            continue;
        char dst[64];
        scrub_addr_format(&e->dst_value, dst, sizeof dst);
        fprintf(stderr, "dots-data-server: card acl %u: tenant %u %s proto %u dst %s dport %u-%u", i,
                e->tenant_value, e->action == SCRUB_ACTION_DROP ? "drop" : e->action == SCRUB_ACTION_POLICE ? "police" : "accept",
                e->proto_value, dst, e->dport_lo, e->dport_hi);
        if (e->action == SCRUB_ACTION_POLICE)
            fprintf(stderr, " policer %u rate %llu bytes/s", e->policer,
                    (unsigned long long)img.policers[e->policer].rate);
        fprintf(stderr, "\n");
        n++;
    }
    fprintf(stderr, "dots-data-server: card: %zu tenant ACL entries\n", n);
    card_image_free(&img);
}

#define EXPIRE_EVERY_S 10 /* how often ACLs and aliases whose pending-lifetime ended are looked for */

static void on_expire(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct card *c = arg;
    struct scrub_err err;
    int n = scrub_core_data_acls_expire(c->core, &err);
    if (n < 0)
        fprintf(stderr, "dots-data-server: error: expiring ACLs: %s\n", err.msg);
    else if (n > 0)
        fprintf(stderr, "dots-data-server: info: %d ACLs expired (pending-lifetime)\n", n);
    n = scrub_core_data_aliases_expire(c->core, &err);
    if (n < 0)
        fprintf(stderr, "dots-data-server: error: expiring aliases: %s\n", err.msg);
    else if (n > 0)
        fprintf(stderr, "dots-data-server: info: %d aliases expired (pending-lifetime)\n", n);
}

static int start_card(struct card *c, const char *config, struct scrub_store *store, struct scrub_err *err)
{
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    if (scrub_config_load(config, NULL, &c->cfg, err) < 0)
        return -1;
    if (!(c->model = scrub_model_new(&params)))
        return scrub_err_set(err, ENOMEM, "no card model");
    if (!(c->hal = scrub_hal_model_attach(c->model, err)) || !(c->core = scrub_core_new(store, NULL, err)) ||
        scrub_core_set_config(c->core, &c->cfg, err) < 0 || scrub_core_attach(c->core, c->hal, NULL, err) < 0)
        return -1;
    return 0;
}

static void stop_card(struct card *c)
{
    scrub_core_free(c->core);
    if (c->hal)
        scrub_hal_close(c->hal);
    scrub_model_free(c->model);
    scrub_config_free(&c->cfg);
}

static void usage(void)
{
    fprintf(stderr, "usage: dots-data-server --yang DIR --ca PEM --cert PEM --key PEM --store DB [--crl PEM]\n"
                    "                        [--address ADDR] [--port PORT] [--identity NAME]... [--config JSON]\n"
                    "  --yang: the build's patched IETF modules (<build>/dots/yang)\n"
                    "  --ca holds the CAs clients chain to, --crl their CRLs; --identity limits who may\n"
                    "  connect (default: any client the CA vouches for); port %d, address ::\n"
                    "  --store: the scrubd store (created if absent) keeping the registrations\n"
                    "  --config: a scrubd configuration: ACLs go through the host core to a card model in\n"
                    "  this process (SIGUSR1 prints its tenant ACL entries)\n",
            DOTS_DATA_PORT);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"yang", required_argument, NULL, 'y'}, {"ca", required_argument, NULL, 'c'},
        {"crl", required_argument, NULL, 'r'}, {"cert", required_argument, NULL, 'e'},
        {"key", required_argument, NULL, 'k'}, {"address", required_argument, NULL, 'a'},
        {"port", required_argument, NULL, 'p'}, {"identity", required_argument, NULL, 'i'},
        {"store", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct dots_data_config cfg = {.address = "::", .port = DOTS_DATA_PORT, .log = log_line};
    struct scrub_err err;
    const char *store_path = NULL, *config = NULL, **identities = calloc((size_t)argc, sizeof *identities);
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
        case 'f': config = optarg; break;
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
    struct card card = {0};
    if (config && start_card(&card, config, cfg.store, &err) < 0) {
        fprintf(stderr, "dots-data-server: %s: %s\n", config, err.msg);
        stop_card(&card);
        scrub_store_close(cfg.store);
        event_base_free(base);
        free(identities);
        return 1;
    }
    cfg.core = card.core;
    if (dots_data_start(base, &cfg, &server, &err) < 0) {
        fprintf(stderr, "dots-data-server: %s\n", err.msg);
        stop_card(&card);
        scrub_store_close(cfg.store);
        event_base_free(base);
        free(identities);
        return 1;
    }
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *sigusr1 = card.core ? evsignal_new(base, SIGUSR1, on_dump, &card) : NULL;
    struct event *expire = card.core ? event_new(base, -1, EV_PERSIST, on_expire, &card) : NULL;
    struct timeval every = {EXPIRE_EVERY_S, 0};
    if (expire)
        event_add(expire, &every);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    if (sigusr1)
        event_add(sigusr1, NULL);
    event_base_dispatch(base);
    event_free(sigint);
    event_free(sigterm);
    if (sigusr1)
        event_free(sigusr1);
    if (expire)
        event_free(expire);
    dots_data_stop(server);
    stop_card(&card);
    scrub_store_close(cfg.store);
    event_base_free(base);
    free(identities);
    return 0;
}
