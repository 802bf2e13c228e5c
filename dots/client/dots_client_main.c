/* dots-client: a DOTS signal channel client on the command line (RFC 9132):
 * session configuration and mitigation requests over DTLS or TLS with
 * certificates, and a session held with heartbeats. Exit status: 0 for a 2.xx answer, 1 for a 4.xx or 5.xx
 * answer, 2 for a usage error, 3 when no answer came (transport failure). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dots_client.h"
#include "dots_cuid.h"
#include "dots_client_msg.h"
#include "dots_client_print.h"

#ifndef DOTS_CLIENT_YANG_DIR
#error "DOTS_CLIENT_YANG_DIR (the build's patched modules) must be defined"
#endif

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_TRANSPORT = 3 };
#define MAX_ITEMS 64

static void usage(void)
{
    fprintf(stderr,
            "usage: dots-client --server HOST --ca PEM --cert PEM --key PEM [--port PORT] [--tcp]\n"
            "                   [--yang DIR] [--timeout SECONDS] [--json] COMMAND...\n"
            "       dots-client --cert PEM cuid\n"
            "  config get [--sid N]\n"
            "  config put --sid N [--heartbeat-interval S] [--missing-hb-allowed N] [--max-retransmit N]\n"
            "                     [--ack-timeout D] [--ack-random-factor D] [--probing-rate N]\n"
            "      (each value for mitigating and idle time; --mitigating-NAME or --idle-NAME for one)\n"
            "  config delete [--sid N]\n"
            "  mitigate put [--cuid C] --mid N (--target-prefix P | --alias-name A)...\n"
            "               [--target-port-range LO[-HI]]... [--target-protocol N]... [--lifetime S]\n"
            "               [--trigger-mitigation true|false]\n"
            "               [--acl NAME[=immediate|activate-when-mitigating|deactivate]]...\n"
            "  mitigate get [--cuid C] [--mid N] [--observe SECONDS [--sid N]]\n"
            "  mitigate delete [--cuid C] --mid N\n"
            "  efficacy [--cuid C] --mid N --attack-status under-attack|attack-successfully-mitigated\n"
            "           [--lifetime S] [the scope options of mitigate put]\n"
            "  session --hold SECONDS [--sid N]\n"
            "      (heartbeats at the interval of the session configuration sid N, else the server's defaults;\n"
            "      an observation holds its session the same way)\n"
            "  cuid: print the cuid derived from --cert (RFC 9132 section 4.4.1), which the mitigation\n"
            "      commands use when --cuid is not given\n"
            "  --acl: RFC 9133's acl-list, an ACL made on the data channel and its activation-type\n"
            "  --tcp: CoAP over TLS (coaps+tcp) instead of DTLS (coaps); port 4646; --lifetime 3600 (-1: indefinite)\n"
            "  --json: each answer as one line of JSON, the body as its YANG JSON (RFC 7951)\n"
            "  exit status: 0 for 2.xx, 1 for 4.xx/5.xx, 2 for usage errors, 3 when no answer came\n");
}

/* Everything the command line can say; which command may use what is
 * checked after parsing. */
struct args {
    struct dots_client_config cfg;
    const char *yang;
    bool json;
    const char *sid, *cuid, *mid, *attack_status;
    const char *prefixes[MAX_ITEMS], *aliases[MAX_ITEMS];
    struct dots_acl_activation acls[MAX_ITEMS];
    struct dots_port_range ports[MAX_ITEMS];
    uint8_t protocols[MAX_ITEMS];
    size_t nprefixes, nports, nprotocols, naliases, nacls;
    int64_t lifetime;
    int trigger;
    double observe;  /* seconds, < 0: none */
    double hold;     /* seconds, < 0: none */
    struct dots_client_sc_request sc;
    bool any_scope;  /* a scope or config option was given */
};

static int bad(const char *option, const char *value, const char *want)
{
    fprintf(stderr, "dots-client: %s %s: %s\n", option, value, want);
    return -1;
}

static int parse_uint(const char *option, const char *text, unsigned long max, unsigned long *out)
{
    char *end, want[48];
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || errno || v > max || text[0] == '-' || text[0] == '+') {
        snprintf(want, sizeof want, "want an integer from 0 to %lu", max);
        return bad(option, text, want);
    }
    *out = v;
    return 0;
}

static int parse_seconds(const char *option, const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (!*text || *end || !(v > 0) || v > 86400)
        return bad(option, text, "want a number of seconds above 0 (at most 86400)");
    *out = v;
    return 0;
}

static int parse_port_range(const char *text, struct dots_port_range *r)
{
    char lo[8] = "", *dash = strchr(text, '-');
    unsigned long a, b;
    size_t n = dash ? (size_t)(dash - text) : strlen(text);
    if (n == 0 || n >= sizeof lo)
        return bad("--target-port-range", text, "want PORT or LOW-HIGH");
    memcpy(lo, text, n);
    if (parse_uint("--target-port-range", lo, 65535, &a) < 0 ||
        parse_uint("--target-port-range", dash ? dash + 1 : lo, 65535, &b) < 0)
        return -1;
    if (b < a)
        return bad("--target-port-range", text, "the upper port is below the lower one");
    *r = (struct dots_port_range){(uint16_t)a, (uint16_t)b};
    return 0;
}

/* NAME or NAME=ACTIVATION; the '=' is cut in place. */
static int parse_acl(char *text, struct dots_acl_activation *acl)
{
    static const char *const activations[] = {"immediate", "activate-when-mitigating", "deactivate"};
    static const char want[] = "want NAME or NAME=immediate|activate-when-mitigating|deactivate";
    char *eq = strchr(text, '=');
    if (!*text || eq == text)
        return bad("--acl", text, want);
    *acl = (struct dots_acl_activation){.name = text};
    if (!eq)
        return 0;
    for (size_t i = 0; i < sizeof activations / sizeof *activations; i++)
        if (strcmp(eq + 1, activations[i]) == 0)
            acl->activation = activations[i];
    if (!acl->activation)
        return bad("--acl", text, want);
    *eq = '\0';
    return 0;
}

/* Option codes: 256 + i for the common and scope options, then three per
 * session configuration parameter (both times, mitigating, idle). */
enum {
    O_SERVER = 256, O_PORT, O_TCP, O_CA, O_CERT, O_KEY, O_YANG, O_TIMEOUT, O_JSON, O_SID, O_CUID, O_MID,
    O_PREFIX, O_PORTS, O_PROTOCOL, O_LIFETIME, O_TRIGGER, O_OBSERVE, O_ATTACK, O_HELP, O_HOLD, O_ALIAS, O_ACL, O_SC,
};

static int parse(int argc, char **argv, struct args *a)
{
    static char names[DOTS_CLIENT_SC_PARAMS][2][48];
    struct option options[O_SC - O_SERVER + 3 * DOTS_CLIENT_SC_PARAMS + 1] = {
        {"server", required_argument, NULL, O_SERVER}, {"port", required_argument, NULL, O_PORT},
        {"tcp", no_argument, NULL, O_TCP}, {"ca", required_argument, NULL, O_CA},
        {"cert", required_argument, NULL, O_CERT}, {"key", required_argument, NULL, O_KEY},
        {"yang", required_argument, NULL, O_YANG}, {"timeout", required_argument, NULL, O_TIMEOUT},
        {"json", no_argument, NULL, O_JSON}, {"sid", required_argument, NULL, O_SID},
        {"cuid", required_argument, NULL, O_CUID}, {"mid", required_argument, NULL, O_MID},
        {"target-prefix", required_argument, NULL, O_PREFIX}, {"target-port-range", required_argument, NULL, O_PORTS},
        {"target-protocol", required_argument, NULL, O_PROTOCOL}, {"lifetime", required_argument, NULL, O_LIFETIME},
        {"trigger-mitigation", required_argument, NULL, O_TRIGGER}, {"observe", required_argument, NULL, O_OBSERVE},
        {"attack-status", required_argument, NULL, O_ATTACK}, {"help", no_argument, NULL, O_HELP},
        {"hold", required_argument, NULL, O_HOLD}, {"alias-name", required_argument, NULL, O_ALIAS},
        {"acl", required_argument, NULL, O_ACL},
    };
    size_t n = O_SC - O_SERVER;
    for (int p = 0; p < DOTS_CLIENT_SC_PARAMS; p++) {
        snprintf(names[p][0], sizeof names[p][0], "mitigating-%s", dots_client_sc_names[p]);
        snprintf(names[p][1], sizeof names[p][1], "idle-%s", dots_client_sc_names[p]);
        options[n++] = (struct option){dots_client_sc_names[p], required_argument, NULL, O_SC + 3 * p};
        options[n++] = (struct option){names[p][0], required_argument, NULL, O_SC + 3 * p + 1};
        options[n++] = (struct option){names[p][1], required_argument, NULL, O_SC + 3 * p + 2};
    }
    options[n] = (struct option){0};
    int opt;
    unsigned long v;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case O_SERVER: a->cfg.server = optarg; break;
        case O_PORT:
            if (parse_uint("--port", optarg, 65535, &v) < 0)
                return -1;
            if (v == 0)
                return bad("--port", optarg, "want a port from 1 to 65535");
            a->cfg.port = (uint16_t)v;
            break;
        case O_TCP: a->cfg.tcp = true; break;
        case O_CA: a->cfg.ca_file = optarg; break;
        case O_CERT: a->cfg.cert_file = optarg; break;
        case O_KEY: a->cfg.key_file = optarg; break;
        case O_YANG: a->yang = optarg; break;
        case O_TIMEOUT: {
            double s;
            if (parse_seconds("--timeout", optarg, &s) < 0)
                return -1;
            a->cfg.timeout_ms = (unsigned)(s * 1000 + 0.5);
            break;
        }
        case O_JSON: a->json = true; break;
        case O_SID:
            if (parse_uint("--sid", optarg, UINT32_MAX, &v) < 0)
                return -1;
            a->sid = optarg;
            break;
        case O_CUID:
            if (!*optarg || strchr(optarg, '/'))
                return bad("--cuid", optarg, "want a non-empty client identifier without '/'");
            a->cuid = optarg;
            break;
        case O_MID:
            if (parse_uint("--mid", optarg, UINT32_MAX, &v) < 0)
                return -1;
            a->mid = optarg;
            break;
        case O_PREFIX:
        case O_PORTS:
        case O_PROTOCOL: {
            size_t *count = opt == O_PREFIX ? &a->nprefixes : opt == O_PORTS ? &a->nports : &a->nprotocols;
            if (*count == MAX_ITEMS)
                return bad(opt == O_PREFIX ? "--target-prefix" : opt == O_PORTS ? "--target-port-range"
                                                                                 : "--target-protocol",
                           optarg, "too many (at most 64)");
            if (opt == O_PREFIX)
                a->prefixes[a->nprefixes] = optarg;
            else if (opt == O_PORTS && parse_port_range(optarg, &a->ports[a->nports]) < 0)
                return -1;
            else if (opt == O_PROTOCOL) {
                if (parse_uint("--target-protocol", optarg, 255, &v) < 0)
                    return -1;
                a->protocols[a->nprotocols] = (uint8_t)v;
            }
            (*count)++;
            a->any_scope = true;
            break;
        }
        case O_ALIAS:
            if (a->naliases == MAX_ITEMS)
                return bad("--alias-name", optarg, "too many (at most 64)");
            if (!*optarg)
                return bad("--alias-name", optarg, "want an alias name");
            a->aliases[a->naliases++] = optarg;
            a->any_scope = true;
            break;
        case O_ACL:
            if (a->nacls == MAX_ITEMS)
                return bad("--acl", optarg, "too many (at most 64)");
            if (parse_acl(optarg, &a->acls[a->nacls]) < 0)
                return -1;
            a->nacls++;
            a->any_scope = true;
            break;
        case O_LIFETIME:
            if (strcmp(optarg, "-1") == 0)
                a->lifetime = -1;
            else if (parse_uint("--lifetime", optarg, UINT32_MAX, &v) < 0)
                return -1;
            else
                a->lifetime = (int64_t)v;
            break;
        case O_TRIGGER:
            if (strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0)
                return bad("--trigger-mitigation", optarg, "want true or false");
            a->trigger = strcmp(optarg, "true") == 0;
            a->any_scope = true;
            break;
        case O_OBSERVE:
            if (parse_seconds("--observe", optarg, &a->observe) < 0)
                return -1;
            break;
        case O_ATTACK: a->attack_status = optarg; break;
        case O_HOLD:
            if (parse_seconds("--hold", optarg, &a->hold) < 0)
                return -1;
            break;
        case O_HELP: usage(); exit(0);
        default:
            if (opt >= O_SC && opt < O_SC + 3 * DOTS_CLIENT_SC_PARAMS) {
                int p = (opt - O_SC) / 3, which = (opt - O_SC) % 3;
                if (which != 2)
                    a->sc.value[DOTS_CLIENT_MITIGATING][p] = optarg;
                if (which != 1)
                    a->sc.value[DOTS_CLIENT_IDLE][p] = optarg;
                a->any_scope = true;
                break;
            }
            return -1;
        }
    }
    return 0;
}

/* Prints an answer: a refusal goes to stderr for people (and the JSON to
 * stdout for programs, with a line on stderr). Returns its exit status. */
static int show(const struct args *a, const char *what, const struct dots_client_answer *answer)
{
    bool refused = answer->code >= 400;
    if (a->json)
        dots_client_print_json(stdout, answer);
    if (refused)
        fprintf(stderr, "dots-client: %s: ", what);
    if (!a->json)
        dots_client_print_human(refused ? stderr : stdout, answer);
    else if (refused)
        fprintf(stderr, "%s%s%s\n", dots_client_code_name(answer->code), answer->text ? ": " : "",
                answer->text ? answer->text : "");
    fflush(stdout);
    return refused ? EXIT_REFUSED : 0;
}

/* The library's sentence, without its "dots client: " (ours says who). */
static void say_error(const struct scrub_err *err)
{
    const char *msg = err->msg;
    if (strncmp(msg, "dots client: ", 13) == 0)
        msg += 13;
    fprintf(stderr, "dots-client: %s\n", msg);
}

/* What the hold's callbacks share: the options, and the exit status the
 * notifications of an observation make. */
struct watch {
    const struct args *a;
    int status;
    bool ended; /* the server ended the observation */
};

static bool on_notification(void *arg, const struct dots_client_answer *answer)
{
    struct watch *w = arg;
    if (show(w->a, "notification", answer) != 0)
        w->status = EXIT_REFUSED;
    w->ended = answer->code >= 300; /* the server dropped us with it (RFC 7641) */
    return !w->ended;
}

static void on_hold_event(void *arg, const struct dots_client_event *e);

/* Sends the request and shows the answer; with observe, the notifications
 * until the time is up, the session held with heartbeats as h says. */
static int run(struct dots_client *client, const struct args *a, const struct dots_client_request *req,
               const struct dots_client_hold_config *h)
{
    struct dots_client_answer answer;
    struct scrub_err err;
    char what[400];
    snprintf(what, sizeof what, "%s /.well-known/dots/%s",
             req->method == DOTS_CLIENT_GET ? "GET" : req->method == DOTS_CLIENT_PUT ? "PUT" : "DELETE", req->path);
    if (dots_client_send(client, req, &answer, &err) < 0) {
        say_error(&err);
        return EXIT_TRANSPORT;
    }
    int status = show(a, what, &answer);
    bool observing = req->observe && answer.has_observe && answer.code < 300;
    dots_client_answer_free(&answer);
    if (req->observe && !observing && status == 0)
        fprintf(stderr, "dots-client: %s: the server did not register the observation\n", what);
    if (!observing)
        return status;
    struct watch w = {.a = a, .status = status};
    struct dots_client_hold_config watching = *h;
    watching.on_notification = on_notification;
    if (dots_client_hold(client, (unsigned)(a->observe * 1000 + 0.5), &watching, on_hold_event, &w, NULL, &err) < 0 ||
        (!w.ended && dots_client_cancel_observe(client, &err) < 0)) {
        say_error(&err);
        return EXIT_TRANSPORT;
    }
    return w.status;
}

/* A parameter's current value in a configuration of a GET /config answer. */
/* The text of a parameter's leaf (current-value, current-value-decimal)
 * in a configuration, or NULL. */
static const char *current(const struct lyd_node *config, const char *param, const char *leaf)
{
    const struct lyd_node *p, *v;
    LY_LIST_FOR(lyd_child(config), p) {
        if (strcmp(LYD_NAME(p), param) != 0)
            continue;
        LY_LIST_FOR(lyd_child(p), v)
            if (strcmp(LYD_NAME(v), leaf) == 0)
                return lyd_get_value(v);
    }
    return NULL;
}

static unsigned current_value(const struct lyd_node *config, const char *param)
{
    const char *text = current(config, param, "current-value");
    return text ? (unsigned)strtoul(text, NULL, 10) : 0;
}

/* A decimal parameter's current value in thousandths (0: none). */
static unsigned current_milli(const struct lyd_node *config, const char *param)
{
    const char *text = current(config, param, "current-value-decimal");
    return text ? (unsigned)(strtod(text, NULL) * 1000 + 0.5) : 0;
}

/* What to hold with, from a GET /config answer: our heartbeats at the
 * shorter of the two heartbeat intervals (so that they are on time whether
 * the server applies the mitigating or the idle values: it knows whether
 * we have an active mitigation, we need not), paired with the missing-hb-
 * allowed of the same configuration; the server's heartbeats count as
 * missing only after the longer of the two loss times. */
static void hold_values(const struct lyd_node *tree, struct dots_client_hold_config *h)
{
    unsigned hb[2] = {0, 0}, missing[2] = {0, 0};
    const struct lyd_node *n;
    LY_LIST_FOR(tree, n) {
        int i = strcmp(LYD_NAME(n), "mitigating-config") == 0 ? 0 : strcmp(LYD_NAME(n), "idle-config") == 0 ? 1 : -1;
        if (i < 0)
            continue;
        hb[i] = current_value(n, "heartbeat-interval");
        missing[i] = current_value(n, "missing-hb-allowed");
    }
    int shorter = !hb[0] || (hb[1] && hb[1] < hb[0]) ? 1 : 0;
    unsigned loss0 = hb[0] * missing[0], loss1 = hb[1] * missing[1];
    *h = (struct dots_client_hold_config){.interval_ms = hb[shorter] * 1000, .missing_allowed = missing[shorter],
                                          .server_loss_ms = (loss0 > loss1 ? loss0 : loss1) * 1000};
    /* the transmission parameters of the same configuration */
    LY_LIST_FOR(tree, n)
        if (strcmp(LYD_NAME(n), shorter ? "idle-config" : "mitigating-config") == 0) {
            h->max_retransmit = current_value(n, "max-retransmit");
            h->ack_timeout_milli = current_milli(n, "ack-timeout");
            h->ack_random_factor_milli = current_milli(n, "ack-random-factor");
        }
}

static void on_hold_event(void *arg, const struct dots_client_event *e)
{
    const struct args *a = ((const struct watch *)arg)->a;
    static const char *const json_names[] = {
        [DOTS_CLIENT_SERVER_HEARTBEAT] = "server-heartbeat", [DOTS_CLIENT_UNANSWERED] = "unanswered",
        [DOTS_CLIENT_ANSWERED_AGAIN] = "answered-again", [DOTS_CLIENT_OPENING] = "opening",
        [DOTS_CLIENT_UP] = "up", [DOTS_CLIENT_FAILED] = "failed",
    };
    if (a->json) {
        printf("{\"event\":\"%s\",\"session\":%u", e->kind == DOTS_CLIENT_SERVER_HEARTBEAT && e->ping ? "server-ping"
                                                                                                : json_names[e->kind],
               e->session);
        if (e->kind == DOTS_CLIENT_SERVER_HEARTBEAT && !e->ping)
            printf(",\"peer-hb-status\":%s", e->peer_hb_status ? "true" : "false");
        else if (e->kind == DOTS_CLIENT_UNANSWERED)
            printf(",\"heartbeats\":%u", e->count);
        else if (e->kind == DOTS_CLIENT_OPENING || e->kind == DOTS_CLIENT_FAILED)
            printf(",\"attempt\":%u", e->count);
        printf("}\n");
    } else {
        printf("session %u: ", e->session);
        switch (e->kind) {
        case DOTS_CLIENT_SERVER_HEARTBEAT:
            if (e->ping)
                printf("heartbeat from the server (Ping)\n");
            else
                printf("heartbeat from the server, peer-hb-status %s\n", e->peer_hb_status ? "true" : "false");
            break;
        case DOTS_CLIENT_UNANSWERED:
            printf("%u heartbeats unanswered: keeping it, opening another session in parallel (RFC 9132 section "
                   "4.7)\n", e->count);
            break;
        case DOTS_CLIENT_ANSWERED_AGAIN: printf("heartbeats answered again\n"); break;
        case DOTS_CLIENT_OPENING: printf("opening (attempt %u)\n", e->count); break;
        case DOTS_CLIENT_UP: printf("up\n"); break;
        case DOTS_CLIENT_FAILED: printf("attempt %u failed; trying again\n", e->count); break;
        }
    }
    fflush(stdout);
}

/* The heartbeats to hold a session with, from GET /config (sid N, else
 * the defaults); this also sets the session up. 0, or the exit status of a
 * refusal or of a transport failure. A refusal is shown as an answer, or
 * when quiet said in a line (h is left as it was). */
static int session_values(struct dots_client *client, const struct args *a, bool quiet,
                          struct dots_client_hold_config *h)
{
    char path[64], what[96];
    struct dots_client_answer answer;
    struct scrub_err err;
    snprintf(path, sizeof path, "config%s%s", a->sid ? "/sid=" : "", a->sid ? a->sid : "");
    snprintf(what, sizeof what, "GET /.well-known/dots/%s", path);
    struct dots_client_request req = {.method = DOTS_CLIENT_GET, .path = path};
    if (dots_client_send(client, &req, &answer, &err) < 0) {
        say_error(&err);
        return EXIT_TRANSPORT;
    }
    int status = 0;
    if (answer.code < 300)
        hold_values(answer.tree, h);
    else if (!quiet)
        status = show(a, what, &answer);
    else {
        fprintf(stderr, "dots-client: %s: %s, so no heartbeats are sent\n", what, dots_client_code_name(answer.code));
        status = EXIT_REFUSED;
    }
    dots_client_answer_free(&answer);
    return status;
}

/* session --hold: the configuration first, then the session held with
 * heartbeats. */
static int hold_session(struct dots_client *client, const struct args *a)
{
    struct dots_client_hold_config h;
    struct dots_client_hold_stats st;
    struct scrub_err err;
    int status = session_values(client, a, false, &h);
    if (status)
        return status;
    if (a->json) {
        printf("{\"event\":\"hold\",\"seconds\":%g,\"heartbeat-interval\":%u,\"missing-hb-allowed\":%u,"
               "\"server-loss\":%u", a->hold, h.interval_ms / 1000, h.missing_allowed, h.server_loss_ms / 1000);
        if (!a->cfg.tcp)
            printf(",\"max-retransmit\":%u,\"ack-timeout\":%u.%03u,\"ack-random-factor\":%u.%03u", h.max_retransmit,
                   h.ack_timeout_milli / 1000, h.ack_timeout_milli % 1000, h.ack_random_factor_milli / 1000,
                   h.ack_random_factor_milli % 1000);
        printf("}\n");
    } else if (h.interval_ms) {
        printf("holding the session for %g s: a heartbeat every %u s, another session in parallel after %u "
               "unanswered, the server's heartbeats missing after %u s\n", a->hold, h.interval_ms / 1000,
               h.missing_allowed, h.server_loss_ms / 1000);
    } else {
        printf("holding the session for %g s: heartbeat-interval 0, no heartbeats\n", a->hold);
    }
    if (!a->json && !a->cfg.tcp)
        printf("CoAP over DTLS with max-retransmit %u, ack-timeout %u.%03u s, ack-random-factor %u.%03u\n",
               h.max_retransmit, h.ack_timeout_milli / 1000, h.ack_timeout_milli % 1000,
               h.ack_random_factor_milli / 1000, h.ack_random_factor_milli % 1000);
    fflush(stdout);
    struct watch w = {.a = a};
    if (dots_client_hold(client, (unsigned)(a->hold * 1000 + 0.5), &h, on_hold_event, &w, &st, &err) < 0) {
        say_error(&err);
        return EXIT_TRANSPORT;
    }
    if (a->json) {
        printf("{\"event\":\"held\",\"seconds\":%g,\"sessions\":[", a->hold);
        for (unsigned i = 0; i < st.sessions; i++)
            printf("%s{\"session\":%u,\"sent\":%u,\"answered\":%u,\"server-heartbeats\":%u}", i ? "," : "", i + 1,
                   st.s[i].sent, st.s[i].answered, st.s[i].server);
        printf("]}\n");
    } else {
        printf("held %g s", a->hold);
        for (unsigned i = 0; i < st.sessions; i++)
            printf("%s session %u: %u heartbeats sent, %u answered, %u from the server", i ? ";" : ":", i + 1,
                   st.s[i].sent, st.s[i].answered, st.s[i].server);
        printf("\n");
    }
    return 0;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "dots-client: %s (see dots-client --help)\n", msg);
    return EXIT_USAGE;
}

/* The cuid command: what the mitigation commands use without --cuid. */
static int print_cuid(const char *cert_file)
{
    char cuid[DOTS_CUID_DERIVED_LEN + 1];
    if (!cert_file)
        return usage_error("cuid needs --cert");
    if (dots_cuid_from_pem_file(cert_file, cuid) < 0) {
        fprintf(stderr, "dots-client: --cert %s: %s\n", cert_file,
                errno == EINVAL ? "holds no usable certificate" : strerror(errno));
        return EXIT_USAGE;
    }
    printf("%s\n", cuid);
    return 0;
}

int main(int argc, char **argv)
{
    struct args a = {.yang = DOTS_CLIENT_YANG_DIR, .lifetime = 3600, .trigger = -1, .observe = -1, .hold = -1};
    if (parse(argc, argv, &a) < 0)
        return EXIT_USAGE;
    if (optind + 1 == argc && strcmp(argv[optind], "cuid") == 0)
        return print_cuid(a.cfg.cert_file);
    if (!a.cfg.server || !a.cfg.ca_file || !a.cfg.cert_file || !a.cfg.key_file)
        return usage_error("--server, --ca, --cert and --key are needed");
    const char *cmd = optind < argc ? argv[optind] : "", *sub = optind + 1 < argc ? argv[optind + 1] : "";
    bool config = strcmp(cmd, "config") == 0, mitigate = strcmp(cmd, "mitigate") == 0,
         efficacy = strcmp(cmd, "efficacy") == 0, session = strcmp(cmd, "session") == 0;
    int words = efficacy || session ? 1 : 2;
    if (!config && !mitigate && !efficacy && !session)
        return usage_error("want a command: config, mitigate, efficacy or session");
    if (argc - optind != words)
        return usage_error(efficacy || session ? "efficacy and session take no further words"
                                               : "want get, put or delete after the command");
    if (session && (a.hold < 0 || a.cuid || a.mid || a.attack_status || a.observe >= 0 || a.any_scope))
        return usage_error("session takes --hold SECONDS and --sid N only, and needs --hold");
    if (!session && a.hold >= 0)
        return usage_error("--hold goes with session");
    enum dots_client_method method = session ? DOTS_CLIENT_GET
                                     : efficacy ? DOTS_CLIENT_PUT
                                     : strcmp(sub, "get") == 0    ? DOTS_CLIENT_GET
                                     : strcmp(sub, "put") == 0    ? DOTS_CLIENT_PUT
                                     : strcmp(sub, "delete") == 0 ? DOTS_CLIENT_DELETE
                                                                  : (enum dots_client_method)-1;
    if ((int)method < 0)
        return usage_error("want get, put or delete");
    bool put = method == DOTS_CLIENT_PUT;
    /* what each command takes */
    if (config && (a.cuid || a.mid || a.attack_status || a.observe >= 0 || a.nprefixes || a.nports || a.nprotocols ||
                   a.naliases || a.nacls || a.trigger >= 0))
        return usage_error("config takes --sid and, with put, the configuration values only");
    if (config && !put && a.any_scope)
        return usage_error("configuration values go with config put only");
    if (config && put && !a.sid)
        return usage_error("config put needs --sid");
    if (!config && !session && a.sid && a.observe < 0)
        return usage_error("--sid belongs to config, session and mitigate get --observe");
    if (mitigate && !put && (a.any_scope || a.attack_status))
        return usage_error("scope options go with mitigate put and efficacy only");
    if ((mitigate && put) || efficacy) {
        if (!a.mid)
            return usage_error("mitigate put, delete and efficacy need --mid");
        if (mitigate && !a.nprefixes && !a.naliases)
            return usage_error("mitigate put needs at least one --target-prefix or --alias-name");
        if (efficacy && !a.attack_status)
            return usage_error("efficacy needs --attack-status");
        if (mitigate && a.attack_status)
            return usage_error("--attack-status goes with efficacy");
    }
    if (mitigate && method == DOTS_CLIENT_DELETE && !a.mid)
        return usage_error("mitigate delete needs --mid");
    if (a.observe >= 0 && !(mitigate && method == DOTS_CLIENT_GET))
        return usage_error("--observe goes with mitigate get");

    char derived[DOTS_CUID_DERIVED_LEN + 1];
    if ((mitigate || efficacy) && !a.cuid) {
        if (dots_cuid_from_pem_file(a.cfg.cert_file, derived) < 0) {
            fprintf(stderr, "dots-client: --cert %s: %s, so no cuid can be derived from it (give --cuid)\n",
                    a.cfg.cert_file, errno == EINVAL ? "holds no usable certificate" : strerror(errno));
            return EXIT_USAGE;
        }
        a.cuid = derived;
    }
    char path[320];
    if (config)
        snprintf(path, sizeof path, "config%s%s", a.sid ? "/sid=" : "", a.sid ? a.sid : "");
    else
        snprintf(path, sizeof path, "mitigate%s%s%s%s", a.cuid ? "/cuid=" : "", a.cuid ? a.cuid : "",
                 a.mid ? "/mid=" : "", a.mid ? a.mid : "");

    struct scrub_err err;
    struct dots_schema *schema;
    struct dots_client *client = NULL;
    struct lyd_node *body = NULL;
    int status = EXIT_TRANSPORT;
    if (dots_schema_open(a.yang, &schema, &err) < 0) {
        say_error(&err);
        return EXIT_TRANSPORT;
    }
    if (put) {
        struct dots_mitigation_scope scope = {
            .prefixes = a.prefixes, .nprefixes = a.nprefixes, .ports = a.ports, .nports = a.nports,
            .protocols = a.protocols, .nprotocols = a.nprotocols, .aliases = a.aliases, .naliases = a.naliases,
            .acls = a.acls, .nacls = a.nacls, .lifetime = a.lifetime,
            .trigger_mitigation = a.trigger, .attack_status = a.attack_status,
        };
        if ((config ? dots_client_config_tree(schema, &a.sc, &body, &err)
                    : dots_client_mitigation_tree(schema, &scope, &body, &err)) < 0) {
            say_error(&err);
            status = EXIT_USAGE;
            goto done;
        }
    }
    a.cfg.schema = schema;
    if (dots_client_open(&a.cfg, &client, &err) < 0) {
        say_error(&err);
        goto done;
    }
    struct dots_client_request req = {
        .method = method, .path = path, .body = body, .if_match_empty = efficacy, .observe = a.observe > 0,
    };
    struct dots_client_hold_config h = {0};
    if (session)
        status = hold_session(client, &a);
    else if (req.observe && session_values(client, &a, true, &h) == EXIT_TRANSPORT)
        status = EXIT_TRANSPORT;
    else
        status = run(client, &a, &req, &h);
done:
    dots_client_close(client);
    lyd_free_all(body);
    dots_schema_close(schema);
    return status;
}
