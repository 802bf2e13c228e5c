#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "card.h"
#include "dots_signal.h"
#include "log.h"
#include "reload.h"
#include "requests.h"
#include "requests_core.h"
#include "scrub_control.h"
#include "stats.h"

static char *answer(json_object *o)
{
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

char *request_error(const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(0));
    json_object_object_add(o, "error", json_object_new_string(msg));
    return answer(o);
}

char *request_ok(json_object *result)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    json_object_object_add(o, "result", result);
    return answer(o);
}

static json_object *config_summary(const struct scrubd *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(d->opt.config_path));
    json_object_object_add(o, "generation", json_object_new_int64(d->cfg_generation));
    json_object_object_add(o, "loaded_at", json_object_new_int64(d->cfg_loaded_at));
    json_object *tenants = json_object_new_array();
    for (size_t i = 0; i < d->cfg.n_tenants; i++)
        json_object_array_add(tenants, json_object_new_string(d->cfg.tenants[i].name));
    json_object_object_add(o, "tenants", tenants);
    json_object *profiles = json_object_new_array();
    for (size_t i = 0; i < d->cfg.n_profiles; i++)
        json_object_array_add(profiles, json_object_new_string(d->cfg.profiles[i].name));
    json_object_object_add(o, "profiles", profiles);
    json_object_object_add(o, "policers", json_object_new_int64((int64_t)d->cfg.n_policers));
    return o;
}

static char *status(struct scrubd *d)
{
    json_object *result = json_object_new_object();
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    json_object *daemon = json_object_new_object();
    json_object_object_add(daemon, "pid", json_object_new_int64(getpid()));
    json_object_object_add(daemon, "started_at", json_object_new_int64(d->started_wall));
    json_object_object_add(daemon, "uptime_s", json_object_new_int64(timespec_ms(&d->started, &t) / 1000));
    json_object_object_add(daemon, "socket", json_object_new_string(d->opt.socket_path));
    json_object_object_add(result, "daemon", daemon);
    json_object *store = json_object_new_object();
    json_object_object_add(store, "path", json_object_new_string(d->opt.store_path));
    json_object_object_add(store, "schema_version", json_object_new_int64(scrub_store_schema_version()));
    json_object_object_add(result, "store", store);
    json_object_object_add(result, "config", config_summary(d));
    if (d->dots_signal) {
        json_object *dots = json_object_new_object();
        json_object_object_add(dots, "sessions", json_object_new_int64((int64_t)dots_signal_sessions(d->dots_signal)));
        struct dots_signal_refusals r;
        dots_signal_refusals(d->dots_signal, &r);
        json_object *refused = json_object_new_object();
        json_object_object_add(refused, "handshakes", json_object_new_int64((int64_t)r.handshakes));
        json_object_object_add(refused, "sessions", json_object_new_int64((int64_t)r.sessions));
        json_object_object_add(refused, "requests", json_object_new_int64((int64_t)r.requests));
        json_object_object_add(dots, "refused", refused);
        json_object_object_add(result, "dots_signal", dots);
    }
    struct scrub_err err = {0};
    if (card_status(d, result, &err)) {
        json_object_put(result);
        log_error("status: %s", err.msg);
        return request_error(err.msg);
    }
    return request_ok(result);
}

static char *counters(struct scrubd *d)
{
    struct scrub_err err = {0};
    json_object *result = card_counters(d, &err);
    if (!result) {
        log_debug("counters: %s", err.msg); /* a lost card is logged by the card timer */
        return request_error(err.msg);
    }
    json_object_object_add(result, "rates", stats_rates(d));
    return request_ok(result);
}

static char *reload(struct scrubd *d, const struct peer *p)
{
    struct scrub_err err = {0};
    if (config_reload(d, SCRUB_STORE_WHO_LOCAL_USER, p->who, SCRUB_STORE_CHANNEL_CONTROL, &err))
        return request_error(err.msg);
    json_object *result = config_summary(d);
    json_object_object_add(result, "card_synced", json_object_new_boolean(d->hal != NULL));
    return request_ok(result);
}

static const char KNOWN[] = "status, counters, config-reload, " REQUESTS_CORE_KNOWN;

char *request_answer(struct scrubd *d, const struct peer *p, const char *line, size_t len)
{
    char msg[512];
    json_tokener *tok = json_tokener_new_ex(SCRUB_CONTROL_MAX_DEPTH);
    if (!tok)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *req = json_tokener_parse_ex(tok, line, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr == json_tokener_continue) {
        json_object_put(req);
        return request_error("malformed request: the JSON ends before it is complete; send one JSON object per "
                             "line, e.g. {\"command\":\"status\"}");
    }
    if (jerr != json_tokener_success || end != len) {
        snprintf(msg, sizeof(msg), "malformed request: %s at byte %zu; send one JSON object per line, e.g. "
                 "{\"command\":\"status\"}", jerr != json_tokener_success ? json_tokener_error_desc(jerr)
                                                                          : "text after the JSON object", end);
        json_object_put(req);
        return request_error(msg);
    }

    char *out = NULL;
    json_object *cmd = NULL;
    if (!json_object_is_type(req, json_type_object) || !json_object_object_get_ex(req, "command", &cmd) ||
        !json_object_is_type(cmd, json_type_string)) {
        snprintf(msg, sizeof(msg), "a request is a JSON object with a string member \"command\" (one of: %s)", KNOWN);
        out = request_error(msg);
    } else {
        const char *name = json_object_get_string(cmd);
        bool plain = strcmp(name, "status") == 0 || strcmp(name, "counters") == 0 || strcmp(name, "config-reload") == 0;
        log_debug("control: %s asks '%s'", p->who, name);
        if (plain && json_object_object_length(req) != 1)
            out = request_error("a request has one member, \"command\"; these commands take no arguments");
        else if (strcmp(name, "status") == 0)
            out = status(d);
        else if (strcmp(name, "counters") == 0)
            out = counters(d);
        else if (strcmp(name, "config-reload") == 0)
            out = reload(d, p);
        else if (!(out = request_core(d, p, name, req))) {
            snprintf(msg, sizeof(msg), "unknown command '%.64s' (known: %s)", name, KNOWN);
            out = request_error(msg);
        }
    }
    json_object_put(req);
    return out;
}
