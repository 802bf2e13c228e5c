/* scrubctl: the operator's command line for scrubd, in the spirit of
 * bgpctl. Talks to the daemon's control socket (scrub_control.h), except
 * `config check`, which validates a file offline with host/config. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl_show.h"
#include "scrub_config.h"
#include "scrub_control.h"

/* An answer longer than this is refused (a status or counters answer is
 * a few kB). */
#define MAX_ANSWER (16u << 20)

static void usage(FILE *f)
{
    fputs("usage: scrubctl [-s SOCKET] [-j] COMMAND\n"
          "  status               the daemon, the card (backend, identity, capabilities, tables), the watchdog\n"
          "  counters             the card's global counters (totals)\n"
          "  config check FILE    validate a configuration file (offline, no daemon needed)\n"
          "  config reload        ask scrubd to reload its configuration file\n"
          "  mitigation add CLIENT PREFIX... [--profile P] [--lifetime S|indefinite] [--cuid C] [--mid N]\n"
          "                       [--no-trigger]   install (or update) a mitigation for a client\n"
          "  mitigation withdraw CUID MID\n"
          "  mitigation list [CLIENT]    mitigations with their counters and rates\n"
          "  mitigation show CUID MID\n"
          "  client add IDENTITY PREFIX... --profile P [--max-mitigations N] [--max-sources N]\n"
          "                       [--max-acl-entries N] [--max-aliases N] [--max-sessions N]\n"
          "  client remove IDENTITY [--withdraw]   (--withdraw: withdraw its mitigations too)\n"
          "  client list          configured tenants and clients added at run time\n"
          "  source add TENANT ADDRESS accept|drop|police [POLICER]\n"
          "  source remove TENANT ADDRESS\n"
          "  source list [TENANT]\n"
          "  acl list [CUID]      data-channel ACLs (DOTS clients'), with each ACE's card counters\n"
          "  top [--interval S] [--count N]\n"
          "                       counters and mitigations, refreshed every S seconds (default 1)\n"
          "  backup FILE          copy the store, online, to FILE (a new file)\n"
          "  audit [--limit N]    the audit log (who changed what, through which channel)\n"
          "  -s, --socket PATH    scrubd's control socket (default " SCRUB_CONTROL_SOCKET_DEFAULT ")\n"
          "  -j, --json           print the answer as JSON\n",
          f);
}

static int fail(const char *fmt, const char *a, const char *b)
{
    fputs("scrubctl: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

static int connect_daemon(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fail("control socket %s: path too long%s", path, "");
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("socket: %s%s", strerror(errno), "");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return fd;
    int e = errno;
    close(fd);
    if (e == ENOENT || e == ECONNREFUSED)
        fail("cannot reach scrubd at %s: %s; is scrubd running? (start it, or name its socket with -s)", path,
             strerror(e));
    else if (e == EACCES || e == EPERM)
        fail("cannot reach scrubd at %s: %s; run as a user of the socket's group, or as its owner", path,
             strerror(e));
    else
        fail("cannot reach scrubd at %s: %s", path, strerror(e));
    return -1;
}

/* Sends one request (taken) and reads one answer line; NULL after saying why. */
static json_object *ask(const char *path, json_object *request)
{
    int fd = connect_daemon(path);
    if (fd < 0) {
        json_object_put(request);
        return NULL;
    }
    char *req = NULL;
    int n = asprintf(&req, "%s\n", json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN));
    json_object_put(request);
    if (n < 0) {
        fail("out of memory%s%s", "", "");
        close(fd);
        return NULL;
    }
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0) {
            fail("sending to scrubd at %s: %s", path, strerror(errno));
            free(req);
            close(fd);
            return NULL;
        }
        off += (int)w;
    }
    free(req);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fail("out of memory reading scrubd's answer%s%s", "", "");
            close(fd);
            return NULL;
        }
        if (len && buf[len - 1] == '\n')
            break;
        if (len == cap) {
            if (cap >= MAX_ANSWER) {
                fail("scrubd at %s: answer longer than %s; refused", path, "16 MiB");
                free(buf);
                close(fd);
                return NULL;
            }
            cap *= 2;
            char *more = realloc(buf, cap);
            if (!more)
                free(buf);
            buf = more;
            continue;
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fail("scrubd at %s closed the connection before answering%s (see its log)", path,
                 r < 0 ? strerror(errno) : "");
            free(buf);
            close(fd);
            return NULL;
        }
        len += (size_t)r;
    }
    close(fd);
    json_tokener *tok = json_tokener_new();
    json_object *answer = tok ? json_tokener_parse_ex(tok, buf, (int)len - 1) : NULL;
    bool whole = tok && json_tokener_get_error(tok) == json_tokener_success &&
                 json_tokener_get_parse_end(tok) == len - 1;
    if (tok)
        json_tokener_free(tok);
    free(buf);
    if (!whole || !json_object_is_type(answer, json_type_object)) {
        json_object_put(answer);
        fail("scrubd at %s answered something that is not a JSON object%s", path, "");
        return NULL;
    }
    return answer;
}

static void print_json(json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *request(const char *command)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "command", json_object_new_string(command));
    return r;
}

static int remote_req(const char *path, json_object *req, bool json, void (*show)(FILE *, json_object *))
{
    json_object *answer = ask(path, req);
    if (!answer)
        return 1;
    json_object *ok = NULL, *result = NULL, *error = NULL;
    json_object_object_get_ex(answer, "ok", &ok);
    json_object_object_get_ex(answer, "result", &result);
    json_object_object_get_ex(answer, "error", &error);
    int rc = json_object_get_boolean(ok) ? 0 : 1;
    if (json)
        print_json(answer);
    else if (rc)
        fail("scrubd: %s%s", error ? json_object_get_string(error) : "refused without a reason", "");
    else
        show(stdout, result);
    json_object_put(answer);
    return rc;
}

static int remote(const char *path, const char *command, bool json, void (*show)(FILE *, json_object *))
{
    return remote_req(path, request(command), json, show);
}

/* ---- the core's commands: arguments into a request ---------------------------------------- */

static bool parse_num(const char *opt, const char *text, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) {
        fprintf(stderr, "scrubctl: %s '%s': not a number from %lld to %lld\n", opt, text, (long long)lo,
                (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

/* Words before the first option go into a "prefixes" array (after skip
 * leading positional ones); options are handled by opt(). Returns false
 * after saying what is wrong. */
struct opt_spec {
    const char *name;
    const char *key; /* the request member; NULL for a flag */
    bool number;
    int64_t lo, hi;
};

static bool parse_opts(json_object *req, int n, char **a, const struct opt_spec *specs, json_object *target)
{
    for (int i = 0; i < n; i++) {
        const struct opt_spec *s = specs;
        while (s->name && strcmp(s->name, a[i]) != 0)
            s++;
        if (!s->name) {
            fprintf(stderr, "scrubctl: unknown option or extra argument '%s'\n", a[i]);
            return false;
        }
        if (!s->key) { /* flags: --no-trigger, --withdraw */
            json_object_object_add(req, strcmp(s->name, "--no-trigger") == 0 ? "trigger" : "withdraw",
                                   json_object_new_boolean(strcmp(s->name, "--no-trigger") != 0));
            continue;
        }
        if (i + 1 == n) {
            fprintf(stderr, "scrubctl: %s needs a value\n", s->name);
            return false;
        }
        const char *v = a[++i];
        json_object *into = strncmp(s->name, "--max-", 6) == 0 ? target : req;
        if (strcmp(s->name, "--lifetime") == 0 && strcmp(v, "indefinite") == 0) {
            json_object_object_add(into, s->key, json_object_new_int64(-1));
        } else if (s->number) {
            int64_t x;
            if (!parse_num(s->name, v, s->lo, s->hi, &x))
                return false;
            json_object_object_add(into, s->key, json_object_new_int64(x));
        } else {
            json_object_object_add(into, s->key, json_object_new_string(v));
        }
    }
    return true;
}

/* Positional words up to the first "--" option. */
static int words(int n, char **a)
{
    int k = 0;
    while (k < n && strncmp(a[k], "--", 2) != 0)
        k++;
    return k;
}

static json_object *string_array(int n, char **a)
{
    json_object *arr = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(a[i]));
    return arr;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "scrubctl: usage: scrubctl %s\n", what);
    return 2;
}

static int mitigation(const char *path, bool json, int n, char **a)
{
    static const struct opt_spec add_opts[] = {
        {"--profile", "profile", false, 0, 0},
        {"--lifetime", "lifetime", true, 1, 2147483647},
        {"--cuid", "cuid", false, 0, 0},
        {"--mid", "mid", true, 0, 4294967295ll},
        {"--no-trigger", NULL, false, 0, 0},
        {NULL, NULL, false, 0, 0},
    };
    if (n >= 1 && strcmp(a[0], "add") == 0) {
        int w = words(n - 1, a + 1);
        if (w < 2)
            return usage_error("mitigation add CLIENT PREFIX... [--profile P] [--lifetime S|indefinite] [--cuid C] "
                               "[--mid N] [--no-trigger]");
        json_object *req = request("mitigation-add");
        json_object_object_add(req, "client", json_object_new_string(a[1]));
        json_object_object_add(req, "prefixes", string_array(w - 1, a + 2));
        if (!parse_opts(req, n - 1 - w, a + 1 + w, add_opts, NULL)) {
            json_object_put(req);
            return 2;
        }
        return remote_req(path, req, json, show_added);
    }
    if (n == 3 && (strcmp(a[0], "withdraw") == 0 || strcmp(a[0], "show") == 0)) {
        int64_t mid;
        if (!parse_num("MID", a[2], 0, 4294967295ll, &mid))
            return 2;
        json_object *req = request(strcmp(a[0], "show") == 0 ? "mitigation-show" : "mitigation-withdraw");
        json_object_object_add(req, "cuid", json_object_new_string(a[1]));
        json_object_object_add(req, "mid", json_object_new_int64(mid));
        return remote_req(path, req, json, strcmp(a[0], "show") == 0 ? show_mitigation : show_withdrawn);
    }
    if ((n == 1 || n == 2) && strcmp(a[0], "list") == 0) {
        json_object *req = request("mitigation-list");
        if (n == 2)
            json_object_object_add(req, "client", json_object_new_string(a[1]));
        return remote_req(path, req, json, show_mitigations);
    }
    return usage_error("mitigation add|withdraw|list|show ... (scrubctl -h)");
}

static int client(const char *path, bool json, int n, char **a)
{
    static const struct opt_spec add_opts[] = {
        {"--profile", "profile", false, 0, 0},
        {"--max-mitigations", "mitigations", true, 0, 4294967295ll},
        {"--max-sources", "source_entries", true, 0, 4294967295ll},
        {"--max-acl-entries", "acl_entries", true, 0, 4294967295ll},
        {"--max-aliases", "aliases", true, 0, 4294967295ll},
        {"--max-sessions", "sessions", true, 0, 4294967295ll},
        {NULL, NULL, false, 0, 0},
    };
    static const struct opt_spec remove_opts[] = {{"--withdraw", NULL, false, 0, 0}, {NULL, NULL, false, 0, 0}};
    if (n >= 1 && strcmp(a[0], "add") == 0) {
        int w = words(n - 1, a + 1);
        if (w < 2)
            return usage_error("client add IDENTITY PREFIX... --profile P [--max-mitigations N] [--max-sources N] "
                               "[--max-acl-entries N] [--max-aliases N] [--max-sessions N]");
        json_object *req = request("client-add"), *quotas = json_object_new_object();
        json_object_object_add(req, "client", json_object_new_string(a[1]));
        json_object_object_add(req, "prefixes", string_array(w - 1, a + 2));
        if (!parse_opts(req, n - 1 - w, a + 1 + w, add_opts, quotas)) {
            json_object_put(req);
            json_object_put(quotas);
            return 2;
        }
        if (json_object_object_length(quotas))
            json_object_object_add(req, "quotas", quotas);
        else
            json_object_put(quotas);
        return remote_req(path, req, json, show_done);
    }
    if ((n == 2 || n == 3) && strcmp(a[0], "remove") == 0) {
        json_object *req = request("client-remove");
        json_object_object_add(req, "client", json_object_new_string(a[1]));
        if (!parse_opts(req, n - 2, a + 2, remove_opts, NULL)) {
            json_object_put(req);
            return 2;
        }
        return remote_req(path, req, json, show_done);
    }
    if (n == 1 && strcmp(a[0], "list") == 0)
        return remote(path, "client-list", json, show_clients);
    return usage_error("client add|remove|list ... (scrubctl -h)");
}

static int source(const char *path, bool json, int n, char **a)
{
    if ((n == 4 || n == 5) && strcmp(a[0], "add") == 0) {
        json_object *req = request("source-add");
        json_object_object_add(req, "tenant", json_object_new_string(a[1]));
        json_object_object_add(req, "address", json_object_new_string(a[2]));
        json_object_object_add(req, "action", json_object_new_string(a[3]));
        if (n == 5)
            json_object_object_add(req, "policer", json_object_new_string(a[4]));
        return remote_req(path, req, json, show_done);
    }
    if (n == 3 && strcmp(a[0], "remove") == 0) {
        json_object *req = request("source-remove");
        json_object_object_add(req, "tenant", json_object_new_string(a[1]));
        json_object_object_add(req, "address", json_object_new_string(a[2]));
        return remote_req(path, req, json, show_done);
    }
    if ((n == 1 || n == 2) && strcmp(a[0], "list") == 0) {
        json_object *req = request("source-list");
        if (n == 2)
            json_object_object_add(req, "tenant", json_object_new_string(a[1]));
        return remote_req(path, req, json, show_sources);
    }
    return usage_error("source add TENANT ADDRESS accept|drop|police [POLICER] | remove TENANT ADDRESS | list [TENANT]");
}

static int acl(const char *path, bool json, int n, char **a)
{
    if ((n == 1 || n == 2) && strcmp(a[0], "list") == 0) {
        json_object *req = request("acl-list");
        if (n == 2)
            json_object_object_add(req, "cuid", json_object_new_string(a[1]));
        return remote_req(path, req, json, show_acls);
    }
    return usage_error("acl list [CUID]");
}

/* The daemon writes the copy: a relative FILE is made absolute here. */
static int backup(const char *path, bool json, int n, char **a)
{
    if (n != 1)
        return usage_error("backup FILE");
    char *file = NULL;
    if (a[0][0] == '/') {
        file = strdup(a[0]);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd || asprintf(&file, "%s/%s", cwd, a[0]) < 0)
            file = NULL;
        free(cwd);
    }
    if (!file)
        return fail("backup %s: cannot make the path absolute: %s", a[0], strerror(errno));
    json_object *req = request("store-backup");
    json_object_object_add(req, "path", json_object_new_string(file));
    free(file);
    return remote_req(path, req, json, show_backup);
}

/* One command's result, or NULL after saying why. */
static json_object *ask_result(const char *path, const char *command)
{
    json_object *answer = ask(path, request(command)), *ok = NULL, *result = NULL, *error = NULL;
    if (!answer)
        return NULL;
    json_object_object_get_ex(answer, "ok", &ok);
    json_object_object_get_ex(answer, "error", &error);
    if (!json_object_get_boolean(ok) || !json_object_object_get_ex(answer, "result", &result)) {
        fail("scrubd: %s%s", error ? json_object_get_string(error) : "refused without a reason", "");
        json_object_put(answer);
        return NULL;
    }
    json_object_get(result);
    json_object_put(answer);
    return result;
}

/* The live view: counters and mitigations every interval, on a cleared
 * screen when stdout is a terminal, else one after the other (with -j, a
 * JSON object a line). */
static int top(const char *path, bool json, int n, char **a)
{
    static const struct opt_spec opts[] = {
        {"--interval", "interval", true, 1, 3600},
        {"--count", "count", true, 1, 1000000000},
        {NULL, NULL, false, 0, 0},
    };
    json_object *o = json_object_new_object(), *v;
    if (!parse_opts(o, n, a, opts, NULL)) {
        json_object_put(o);
        return 2;
    }
    int64_t interval = json_object_object_get_ex(o, "interval", &v) ? json_object_get_int64(v) : 1;
    int64_t count = json_object_object_get_ex(o, "count", &v) ? json_object_get_int64(v) : 0;
    json_object_put(o);
    bool tty = isatty(STDOUT_FILENO);
    for (int64_t k = 0; count == 0 || k < count; k++) {
        if (k)
            sleep((unsigned)interval);
        json_object *counters = ask_result(path, "counters");
        json_object *mitigations = counters ? ask_result(path, "mitigation-list") : NULL;
        if (!mitigations) {
            json_object_put(counters);
            return 1;
        }
        if (json) {
            json_object *frame = json_object_new_object();
            json_object_object_add(frame, "counters", counters);
            json_object_object_add(frame, "mitigations", mitigations);
            puts(json_object_to_json_string_ext(frame, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(frame);
        } else {
            char now[32];
            time_t t = time(NULL);
            struct tm tm;
            strftime(now, sizeof(now), "%H:%M:%S UTC", gmtime_r(&t, &tm));
            if (tty)
                fputs("\033[H\033[2J", stdout);
            printf("scrubd at %s, %s, every %" PRId64 " s%s\n\n", path, now, interval, tty ? " (Ctrl-C stops)" : "");
            show_counters(stdout, counters);
            putchar('\n');
            show_mitigations(stdout, mitigations);
            if (!tty)
                putchar('\n');
            json_object_put(counters);
            json_object_put(mitigations);
        }
        fflush(stdout);
    }
    return 0;
}

static int audit(const char *path, bool json, int n, char **a)
{
    static const struct opt_spec opts[] = {{"--limit", "limit", true, 1, 100000}, {NULL, NULL, false, 0, 0}};
    json_object *req = request("audit");
    if (!parse_opts(req, n, a, opts, NULL)) {
        json_object_put(req);
        return 2;
    }
    return remote_req(path, req, json, show_audit);
}

static int config_check(const char *file, bool json)
{
    struct scrub_config cfg;
    struct scrub_err err = {0};
    int rc = scrub_config_load(file, NULL, &cfg, &err);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "ok", json_object_new_boolean(rc == 0));
    if (rc == 0) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "path", json_object_new_string(file));
        json_object_object_add(r, "tenants", json_object_new_int64((int64_t)cfg.n_tenants));
        json_object_object_add(r, "profiles", json_object_new_int64((int64_t)cfg.n_profiles));
        json_object_object_add(r, "policers", json_object_new_int64((int64_t)cfg.n_policers));
        json_object_object_add(answer, "result", r);
        if (!json)
            printf("%s: valid (%zu tenants, %zu profiles, %zu policers)\n", file, cfg.n_tenants, cfg.n_profiles,
                   cfg.n_policers);
        scrub_config_free(&cfg);
    } else {
        json_object_object_add(answer, "error", json_object_new_string(err.msg));
        if (!json)
            fail("%s%s", err.msg, "");
    }
    if (json)
        print_json(answer);
    json_object_put(answer);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"socket", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = SCRUB_CONTROL_SOCKET_DEFAULT;
    bool json = false;
    for (int c; (c = getopt_long(argc, argv, "+s:jh", longs, NULL)) != -1;) {
        switch (c) {
        case 's': path = optarg; break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int n = argc - optind;
    char **a = argv + optind;
    if (n == 1 && strcmp(a[0], "status") == 0)
        return remote(path, "status", json, show_status);
    if (n == 1 && strcmp(a[0], "counters") == 0)
        return remote(path, "counters", json, show_counters);
    if (n == 2 && strcmp(a[0], "config") == 0 && strcmp(a[1], "reload") == 0)
        return remote(path, "config-reload", json, show_reload);
    if (n == 3 && strcmp(a[0], "config") == 0 && strcmp(a[1], "check") == 0)
        return config_check(a[2], json);
    if (n >= 1 && strcmp(a[0], "mitigation") == 0)
        return mitigation(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "client") == 0)
        return client(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "source") == 0)
        return source(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "acl") == 0)
        return acl(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "top") == 0)
        return top(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "backup") == 0)
        return backup(path, json, n - 1, a + 1);
    if (n >= 1 && strcmp(a[0], "audit") == 0)
        return audit(path, json, n - 1, a + 1);
    if (n == 0)
        fail("no command given%s%s", "", "");
    else
        fail("unknown command '%s'%s", a[0], n > 1 ? " (or wrong arguments)" : "");
    usage(stderr);
    return 2;
}
