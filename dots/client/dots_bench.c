/* dots-bench: one DOTS client session of load for scripts/bench-dots. It
 * creates its mitigations, then for the given time sends, one after the
 * other, PUTs that refresh them, efficacy updates, and (one request in ten)
 * a withdrawal followed by a creation, and prints one JSON line: requests
 * answered, failures, seconds, requests per second, and the latency
 * percentiles. Every answered request is durable on the server before its
 * answer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dots_client.h"
#include "dots_client_msg.h"

struct bench {
    struct dots_client *client;
    const struct dots_schema *schema;
    const char *cuid;
    unsigned group;   /* this session's number: its prefixes */
    double *lat_ms;
    size_t n, cap, failed;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* One request for mitigation mid of this session; its latency kept. */
static int send_one(struct bench *b, enum dots_client_method method, unsigned mid, unsigned slot,
                    const char *attack_status, unsigned want)
{
    char prefix[64], path[200];
    snprintf(prefix, sizeof prefix, "2001:db8:100:%x::%x/128", b->group, slot);
    snprintf(path, sizeof path, "mitigate/cuid=%s/mid=%u", b->cuid, mid);
    const char *prefixes[] = {prefix};
    struct dots_mitigation_scope scope = {.prefixes = prefixes, .nprefixes = 1, .lifetime = 3600,
                                          .trigger_mitigation = -1, .attack_status = attack_status};
    struct lyd_node *tree = NULL;
    struct scrub_err err;
    if (method == DOTS_CLIENT_PUT && dots_client_mitigation_tree(b->schema, &scope, &tree, &err) < 0) {
        fprintf(stderr, "dots-bench: %s\n", err.msg);
        return -1;
    }
    struct dots_client_request req = {.method = method, .path = path, .body = tree,
                                      .if_match_empty = attack_status != NULL};
    struct dots_client_answer a = {0};
    double t0 = now_s();
    int r = dots_client_send(b->client, &req, &a, &err);
    double ms = (now_s() - t0) * 1000;
    lyd_free_all(tree);
    if (r < 0 || a.code != want) {
        if (b->failed++ < 3)
            fprintf(stderr, "dots-bench: %s %s: %s\n", method == DOTS_CLIENT_PUT ? "PUT" : "DELETE", path,
                    r < 0 ? err.msg : a.text ? a.text : dots_client_code_name(a.code));
    } else {
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 4096;
            double *l = realloc(b->lat_ms, b->cap * sizeof *l);
            if (!l)
                return -1;
            b->lat_ms = l;
        }
        b->lat_ms[b->n++] = ms;
    }
    dots_client_answer_free(&a);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"server", required_argument, NULL, 's'}, {"port", required_argument, NULL, 'p'},
        {"ca", required_argument, NULL, 'c'},     {"cert", required_argument, NULL, 'e'},
        {"key", required_argument, NULL, 'k'},    {"yang", required_argument, NULL, 'y'},
        {"cuid", required_argument, NULL, 'u'},   {"group", required_argument, NULL, 'g'},
        {"mitigations", required_argument, NULL, 'm'}, {"seconds", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    struct dots_client_config cfg = {.server = "127.0.0.1", .timeout_ms = 10000};
    const char *yang = NULL;
    struct bench b = {0};
    unsigned mitigations = 10;
    double seconds = 10;
    for (int o; (o = getopt_long(argc, argv, "", options, NULL)) != -1;) {
        switch (o) {
        case 's': cfg.server = optarg; break;
        case 'p': cfg.port = (uint16_t)atoi(optarg); break;
        case 'c': cfg.ca_file = optarg; break;
        case 'e': cfg.cert_file = optarg; break;
        case 'k': cfg.key_file = optarg; break;
        case 'y': yang = optarg; break;
        case 'u': b.cuid = optarg; break;
        case 'g': b.group = (unsigned)atoi(optarg); break;
        case 'm': mitigations = (unsigned)atoi(optarg); break;
        case 't': seconds = atof(optarg); break;
        default: return 2;
        }
    }
    if (!yang || !cfg.ca_file || !cfg.cert_file || !cfg.key_file || !b.cuid || mitigations == 0 || seconds <= 0) {
        fprintf(stderr, "usage: dots-bench --server ADDR --port P --ca PEM --cert PEM --key PEM --yang DIR --cuid C "
                        "[--group N] [--mitigations M] [--seconds S]\n");
        return 2;
    }
    struct dots_schema *schema;
    struct scrub_err err;
    if (dots_schema_open(yang, &schema, &err) < 0) {
        fprintf(stderr, "dots-bench: %s\n", err.msg);
        return 1;
    }
    cfg.schema = b.schema = schema;
    if (dots_client_open(&cfg, &b.client, &err) < 0) {
        fprintf(stderr, "dots-bench: %s\n", err.msg);
        return 1;
    }
    /* mid m holds slot m % mitigations; a replaced one gets the next mid */
    unsigned *mid_of = calloc(mitigations, sizeof *mid_of), next_mid = 1;
    for (unsigned i = 0; mid_of && i < mitigations; i++) {
        mid_of[i] = next_mid++;
        if (send_one(&b, DOTS_CLIENT_PUT, mid_of[i], i, NULL, 201) < 0)
            return 1;
    }
    b.n = b.failed = 0;
    double t0 = now_s(), end = t0 + seconds;
    for (unsigned k = 0; mid_of && now_s() < end; k++) {
        unsigned slot = k % mitigations;
        if (k % 10 == 9) {
            send_one(&b, DOTS_CLIENT_DELETE, mid_of[slot], slot, NULL, 202);
            mid_of[slot] = next_mid++;
            send_one(&b, DOTS_CLIENT_PUT, mid_of[slot], slot, NULL, 201);
        } else {
            send_one(&b, DOTS_CLIENT_PUT, mid_of[slot], slot, k % 10 == 4 ? "under-attack" : NULL, 204);
        }
    }
    double took = now_s() - t0;
    qsort(b.lat_ms, b.n, sizeof *b.lat_ms, cmp_double);
    printf("{\"requests\": %zu, \"failed\": %zu, \"seconds\": %.3f, \"per_s\": %.1f, \"p50_ms\": %.2f, "
           "\"p99_ms\": %.2f}\n",
           b.n, b.failed, took, b.n / took, b.n ? b.lat_ms[b.n / 2] : 0, b.n ? b.lat_ms[b.n * 99 / 100] : 0);
    free(b.lat_ms);
    free(mid_of);
    dots_client_close(b.client);
    dots_schema_close(schema);
    return b.failed ? 1 : 0;
}
