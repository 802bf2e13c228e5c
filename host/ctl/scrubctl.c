/* scrubctl: the operator's command line for scrubd, in the spirit of
 * bgpctl. Talks to the daemon's control socket (scrub_control.h), except
 * `config check`, which validates a file offline with host/config. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Sends one request and reads one answer line; NULL after saying why. */
static json_object *ask(const char *path, const char *command)
{
    int fd = connect_daemon(path);
    if (fd < 0)
        return NULL;
    char req[128];
    int n = snprintf(req, sizeof(req), "{\"command\":\"%s\"}\n", command);
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0) {
            fail("sending to scrubd at %s: %s", path, strerror(errno));
            close(fd);
            return NULL;
        }
        off += (int)w;
    }
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

static int remote(const char *path, const char *command, bool json, void (*show)(FILE *, json_object *))
{
    json_object *answer = ask(path, command);
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
    if (n == 0)
        fail("no command given%s%s", "", "");
    else
        fail("unknown command '%s'%s", a[0], n > 1 ? " (or wrong arguments)" : "");
    usage(stderr);
    return 2;
}
