/* The libFuzzer entry point of the data channel's request path (docs/dots.md,
 * Fuzzing): RESTCONF requests served as scrubd serves them, routing,
 * libyang validation, the store and the host core on a card model, without
 * sockets or TLS (dots_data_serve_detached). An input is up to 8 requests
 * separated by lines "%%"; each is a line "IDENTITY METHOD URI [MEDIA-TYPE]"
 * (IDENTITY: acme or globex, the tenants of host/config/examples/demo.json)
 * and the body after it, sent as application/yang-data+json unless the
 * line names another media type. What evhttp itself would refuse (other
 * methods, a URI it does not parse) is skipped.
 *
 * Every answer must be exactly one, with a status the data channel gives
 * (never 500), an ietf-restconf:errors body for an error, JSON for a body,
 * Allow with 405 and Location with a POST's 201. After each input every
 * dots-client is removed through the channel (DELETE), which must leave no
 * registration and no ACL behind, so that inputs do not depend on each
 * other. A broken rule abort()s, which libFuzzer and the replay report as a
 * crash. Built with libFuzzer (scripts/fuzz-data) and with fuzz_replay.c
 * (ctest dots_fuzz_data_replay); DOTS_FUZZ_DATA_TRACE=1 in the environment
 * prints each request and its answer. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h> /* a request's method and URI have no setters */
#include <json-c/json.h>

#include "dots_data.h"
#include "scrub_core.h"
#include "scrub_hal_model.h"
#include "scrub_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 8
/* The store is made afresh this often: each input leaves it empty, but its
 * audit log grows. */
#define INPUTS_PER_STORE 5000

static const char *const identities[] = {"acme", "globex"};

/* The server with its store and the core on a model card. */
struct bed {
    char dir[256], store_path[300];
    struct scrub_config cfg;
    struct scrub_model *model;
    struct scrub_hal *hal;
    struct scrub_store *store;
    struct scrub_core *core;
    struct dots_data *data;
    unsigned inputs;
};

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_data: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void bed_close(struct bed *b)
{
    dots_data_stop(b->data);
    scrub_core_free(b->core);
    if (b->hal)
        scrub_hal_close(b->hal);
    scrub_model_free(b->model);
    scrub_store_close(b->store);
    scrub_config_free(&b->cfg);
    scrub_store_unlink(b->store_path);
    b->data = NULL, b->core = NULL, b->hal = NULL, b->model = NULL, b->store = NULL;
}

static void bed_open(struct bed *b)
{
    struct scrub_err err = {0};
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    snprintf(b->store_path, sizeof b->store_path, "%s/store.db", b->dir);
    if (scrub_config_load(DOTS_FUZZ_CONFIG, NULL, &b->cfg, &err) < 0)
        die("the configuration " DOTS_FUZZ_CONFIG, err.msg);
    if (!(b->model = scrub_model_new(&params)))
        die("no card model", NULL);
    if (!(b->store = scrub_store_open(b->store_path, 1000, &err)) || !(b->hal = scrub_hal_model_attach(b->model, &err)) ||
        !(b->core = scrub_core_new(b->store, NULL, &err)) || scrub_core_set_config(b->core, &b->cfg, &err) < 0 ||
        scrub_core_attach(b->core, b->hal, NULL, &err) < 0)
        die("the store, card model and core", err.msg);
    struct dots_data_config cfg = {.yang_dir = DOTS_FUZZ_YANG_DIR, .store = b->store, .core = b->core};
    if (dots_data_open(&cfg, &b->data, &err) < 0)
        die("the data channel", err.msg);
}

static struct bed bed;

static void bed_remove(void)
{
    bed_close(&bed);
    rmdir(bed.dir);
}

/* Opened once for the process and remade every INPUTS_PER_STORE inputs, in
 * a new folder in $DOTS_FUZZ_DATA_DIR, else /dev/shm (tmpfs: the store's
 * fsyncs cost nothing there). libFuzzer may end without running atexit
 * (and a crash does), so scripts/fuzz-dots gives a folder it removes. */
static struct bed *bed_once(void)
{
    if (!bed.dir[0]) {
        const char *base = getenv("DOTS_FUZZ_DATA_DIR") ? getenv("DOTS_FUZZ_DATA_DIR") : "/dev/shm";
        snprintf(bed.dir, sizeof bed.dir, "%.200s/dots-fuzz-data.XXXXXX", base);
        if (!mkdtemp(bed.dir))
            die("cannot make a folder for the store", strerror(errno));
        atexit(bed_remove);
        bed_open(&bed);
    } else if (bed.inputs % INPUTS_PER_STORE == 0) {
        bed_close(&bed);
        bed_open(&bed);
    }
    bed.inputs++;
    return &bed;
}

static bool method_of(const char *word, enum evhttp_cmd_type *m)
{
    static const struct {
        const char *name;
        enum evhttp_cmd_type m;
    } methods[] = {{"GET", EVHTTP_REQ_GET},       {"HEAD", EVHTTP_REQ_HEAD},   {"POST", EVHTTP_REQ_POST},
                   {"PUT", EVHTTP_REQ_PUT},       {"DELETE", EVHTTP_REQ_DELETE}, {"PATCH", EVHTTP_REQ_PATCH},
                   {"OPTIONS", EVHTTP_REQ_OPTIONS}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(word, methods[i].name) == 0) {
            *m = methods[i].m;
            return true;
        }
    return false;
}

/* A request as evhttp hands it over after parsing its request line, its
 * headers and a body no larger than the limit; NULL for what evhttp would
 * have refused. */
static struct evhttp_request *make_request(enum evhttp_cmd_type m, const char *uri, const char *media_type,
                                           const char *body, size_t len)
{
    if (strlen(uri) > DOTS_DATA_MAX_HEADERS || len > DOTS_DATA_MAX_BODY)
        return NULL;
    for (const char *c = uri; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return NULL;
    struct evhttp_uri *parsed = evhttp_uri_parse_with_flags(uri, EVHTTP_URI_NONCONFORMANT);
    if (!parsed)
        return NULL;
    struct evhttp_request *req = evhttp_request_new(NULL, NULL);
    if (!req || !(req->uri = strdup(uri)))
        die("out of memory", NULL);
    req->kind = EVHTTP_REQUEST;
    req->type = m;
    req->uri_elems = parsed;
    if (media_type)
        evhttp_add_header(evhttp_request_get_input_headers(req), "Content-Type", media_type);
    evbuffer_add(evhttp_request_get_input_buffer(req), body, len);
    return req;
}

static const char *header(struct evhttp_request *req, const char *name)
{
    return evhttp_find_header(evhttp_request_get_output_headers(req), name);
}

/* An ietf-restconf:errors body (RFC 8040 section 7.1). */
static void check_errors(const char *text, int status)
{
    json_object *top = json_tokener_parse(text), *errors, *list;
    char where[64];
    snprintf(where, sizeof where, "a %d answer's body is not ietf-restconf:errors", status);
    if (!top || !json_object_object_get_ex(top, "ietf-restconf:errors", &errors) ||
        !json_object_object_get_ex(errors, "error", &list) || !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) == 0)
        die(where, text);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i), *type, *tag, *msg;
        const char *t;
        if (!json_object_object_get_ex(e, "error-type", &type) || !json_object_object_get_ex(e, "error-tag", &tag) ||
            !json_object_object_get_ex(e, "error-message", &msg) || !*json_object_get_string(tag) ||
            !*json_object_get_string(msg))
            die(where, text);
        t = json_object_get_string(type);
        if (strcmp(t, "transport") && strcmp(t, "rpc") && strcmp(t, "protocol") && strcmp(t, "application"))
            die("an error-type RFC 8040 does not have", text);
    }
    json_object_put(top);
}

static void check_answer(struct evhttp_request *req, const struct dots_data_answer *a, const char *line)
{
    static const int statuses[] = {200, 201, 204, 400, 403, 404, 405, 409, 415, 501};
    char what[160];
    bool known = false;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        known = known || a->status == statuses[i];
    snprintf(what, sizeof what, "%u answers, status %d, to '%.100s'", a->answers, a->status, line);
    if (a->answers != 1 || !known)
        die("a request not answered once with a status of the data channel", what);
    size_t len = evbuffer_get_length(a->body);
    char *text = (char *)evbuffer_pullup(a->body, -1);
    if (len && (!text || memchr(text, '\0', len)))
        die("an answer's body holds a NUL", what);
    char *copy = strndup(text ? text : "", len);
    if (!copy)
        die("out of memory", NULL);
    const char *type = header(req, "Content-Type");
    if (a->status >= 400) {
        if (!type || strcmp(type, "application/yang-data+json") != 0)
            die("an error without its media type", what);
        check_errors(copy, a->status);
    } else if (len && (!type || strcmp(type, "application/xrd+xml") != 0)) {
        json_object *j = json_tokener_parse(copy);
        if (!j || !type || strcmp(type, "application/yang-data+json") != 0)
            die("a body that is not application/yang-data+json", what);
        json_object_put(j);
    }
    if (a->status == 204 && len)
        die("a 204 with a body", what);
    if (a->status == 405 && !header(req, "Allow"))
        die("a 405 without Allow", what);
    if (a->status == 201 && evhttp_request_get_command(req) == EVHTTP_REQ_POST && !header(req, "Location"))
        die("a POST's 201 without Location", what);
    free(copy);
}

/* Serves one request; false when evhttp would not have passed it on. */
static bool serve(struct bed *b, const char *identity, enum evhttp_cmd_type m, const char *uri,
                  const char *media_type, const char *body, size_t len, const char *line, int *status)
{
    struct evhttp_request *req = make_request(m, uri, media_type, body, len);
    if (!req)
        return false;
    struct dots_data_answer a = {.body = evbuffer_new()};
    if (!a.body)
        die("out of memory", NULL);
    dots_data_serve_detached(b->data, req, identity, &a);
    if (getenv("DOTS_FUZZ_DATA_TRACE")) /* for writing corpus entries: what each request got */
        fprintf(stderr, "fuzz_data: %s -> %d %.*s\n", line, a.status, (int)evbuffer_get_length(a.body),
                (const char *)evbuffer_pullup(a.body, -1));
    check_answer(req, &a, line);
    if (status)
        *status = a.status;
    evbuffer_free(a.body);
    evhttp_request_free(req);
    return true;
}

/* One request of the input: its line and its body. */
static void serve_part(struct bed *b, const char *part, size_t len)
{
    const char *nl = memchr(part, '\n', len);
    size_t line_len = nl ? (size_t)(nl - part) : len;
    char line[DOTS_DATA_MAX_HEADERS + 64], *words[5], *save = NULL;
    if (line_len >= sizeof line || memchr(part, '\0', line_len))
        return;
    memcpy(line, part, line_len);
    line[line_len] = '\0';
    char whole[160];
    snprintf(whole, sizeof whole, "%.150s", line);
    size_t n = 0;
    for (char *w = strtok_r(line, " ", &save); w && n < 5; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    enum evhttp_cmd_type m;
    if (n < 3 || n > 4 || (strcmp(words[0], identities[0]) && strcmp(words[0], identities[1])) ||
        !method_of(words[1], &m))
        return;
    const char *body = nl ? nl + 1 : part + len;
    size_t body_len = nl ? len - line_len - 1 : 0;
    const char *media_type = n == 4 ? words[3] : body_len ? "application/yang-data+json" : NULL;
    serve(b, words[0], m, words[2], media_type, body, body_len, whole, NULL);
}

static int count_acl(void *ctx, const struct scrub_data_acl_view *v)
{
    (void)v;
    ++*(size_t *)ctx;
    return 0;
}

struct cuids {
    char *list[64];
    size_t n;
    bool more;
};

static int add_cuid(void *ctx, const struct scrub_store_data_client *c)
{
    struct cuids *l = ctx;
    if (l->n == sizeof l->list / sizeof l->list[0]) {
        l->more = true;
        return 1;
    }
    if (!(l->list[l->n++] = strdup(c->cuid)))
        die("out of memory", NULL);
    return 0;
}

/* Every dots-client removed through the channel, as its owner would. */
static void reset(struct bed *b)
{
    struct scrub_err err = {0};
    static const char root[] = "/restconf/data/ietf-dots-data-channel:dots-data/dots-client=";
    for (size_t i = 0; i < 2; i++) {
        struct cuids l = {.n = 0};
        do {
            for (size_t k = 0; k < l.n; k++)
                free(l.list[k]);
            l = (struct cuids){.n = 0};
            if (scrub_store_data_clients_each(b->store, identities[i], add_cuid, &l, &err) < 0)
                die("listing the registrations", err.msg);
            for (size_t k = 0; k < l.n; k++) {
                char *key = evhttp_uriencode(l.list[k], -1, 0), *uri = key ? malloc(sizeof root + strlen(key)) : NULL;
                int status = 0;
                if (!uri)
                    die("out of memory", NULL);
                sprintf(uri, "%s%s", root, key);
                if (!serve(b, identities[i], EVHTTP_REQ_DELETE, uri, NULL, "", 0, uri, &status) || status != 204)
                    die("a registration the channel does not remove", uri);
                free(uri);
                free(key);
            }
        } while (l.more);
        for (size_t k = 0; k < l.n; k++)
            free(l.list[k]);
    }
    size_t acls = 0;
    if (scrub_core_data_acls_each(b->core, NULL, NULL, false, count_acl, &acls, &err) < 0)
        die("listing the ACLs", err.msg);
    if (acls)
        die("ACLs left after every dots-client was removed", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n%%\n";
    struct bed *b = bed_once();
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < MAX_REQUESTS && p < end; i++) {
        const char *next = memmem(p, (size_t)(end - p), sep, sizeof sep - 1);
        size_t len = next ? (size_t)(next - p) : (size_t)(end - p);
        serve_part(b, p, len);
        p = next ? next + sizeof sep - 1 : end;
    }
    reset(b);
    return 0;
}
