/* Request bodies: JSON (RFC 7951) made with json-c, so every string is
 * escaped, then parsed and validated by libyang through the schema. */
#include "dots_client_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

const char *const dots_client_sc_names[DOTS_CLIENT_SC_PARAMS] = {
    "heartbeat-interval", "missing-hb-allowed", "max-retransmit", "ack-timeout", "ack-random-factor", "probing-rate",
};

static const char *const time_names[DOTS_CLIENT_SC_TIMES] = {"mitigating-config", "idle-config"};

static int add(json_object *obj, const char *key, json_object *value)
{
    return value && json_object_object_add(obj, key, value) == 0 ? 0 : (json_object_put(value), -1);
}

static int append(json_object *array, json_object *value)
{
    return value && json_object_array_add(array, value) == 0 ? 0 : (json_object_put(value), -1);
}

/* Parses the JSON text of root with the schema; frees root. */
static int to_tree(const struct dots_schema *s, json_object *root, const char *what, struct lyd_node **tree,
                   struct scrub_err *err)
{
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    int r = text ? dots_schema_parse_json(s, text, tree, err) : scrub_err_set(err, ENOMEM, "out of memory");
    json_object_put(root);
    if (r < 0)
        scrub_err_prefix(err, "dots client: the %s is not valid", what);
    return r;
}

int dots_client_mitigation_tree(const struct dots_schema *s, const struct dots_mitigation_scope *scope,
                                struct lyd_node **tree, struct scrub_err *err)
{
    json_object *root = json_object_new_object(), *list = json_object_new_array(), *entry = json_object_new_object();
    int bad = !root || !list || !entry;
    if (bad) {
        json_object_put(root);
        json_object_put(list);
        json_object_put(entry);
        return scrub_err_set(err, ENOMEM, "dots client: out of memory");
    }
    bad = add(root, "ietf-dots-signal-channel:scope", list) < 0;
    bad = bad || append(list, entry) < 0;
    if (!bad && scope->nprefixes) {
        json_object *a = json_object_new_array();
        bad = add(entry, "target-prefix", a) < 0;
        for (size_t i = 0; !bad && i < scope->nprefixes; i++)
            bad = append(a, json_object_new_string(scope->prefixes[i])) < 0;
    }
    if (!bad && scope->nports) {
        json_object *a = json_object_new_array();
        bad = add(entry, "target-port-range", a) < 0;
        for (size_t i = 0; !bad && i < scope->nports; i++) {
            json_object *r = json_object_new_object();
            bad = append(a, r) < 0 || add(r, "lower-port", json_object_new_int(scope->ports[i].lower)) < 0;
            if (!bad && scope->ports[i].upper != scope->ports[i].lower)
                bad = add(r, "upper-port", json_object_new_int(scope->ports[i].upper)) < 0;
        }
    }
    if (!bad && scope->nprotocols) {
        json_object *a = json_object_new_array();
        bad = add(entry, "target-protocol", a) < 0;
        for (size_t i = 0; !bad && i < scope->nprotocols; i++)
            bad = append(a, json_object_new_int(scope->protocols[i])) < 0;
    }
    if (!bad && scope->naliases) {
        json_object *a = json_object_new_array();
        bad = add(entry, "alias-name", a) < 0;
        for (size_t i = 0; !bad && i < scope->naliases; i++)
            bad = append(a, json_object_new_string(scope->aliases[i])) < 0;
    }
    if (!bad && scope->nacls) {
        json_object *a = json_object_new_array();
        bad = add(entry, "ietf-dots-signal-control:acl-list", a) < 0;
        for (size_t i = 0; !bad && i < scope->nacls; i++) {
            json_object *acl = json_object_new_object();
            bad = append(a, acl) < 0 || add(acl, "acl-name", json_object_new_string(scope->acls[i].name)) < 0;
            if (!bad && scope->acls[i].activation)
                bad = add(acl, "activation-type", json_object_new_string(scope->acls[i].activation)) < 0;
        }
    }
    bad = bad || add(entry, "lifetime", json_object_new_int64(scope->lifetime)) < 0;
    if (!bad && scope->trigger_mitigation >= 0)
        bad = add(entry, "trigger-mitigation", json_object_new_boolean(scope->trigger_mitigation)) < 0;
    if (!bad && scope->attack_status)
        bad = add(entry, "attack-status", json_object_new_string(scope->attack_status)) < 0;
    if (bad) {
        json_object_put(root);
        return scrub_err_set(err, ENOMEM, "dots client: out of memory");
    }
    return to_tree(s, root, scope->attack_status ? "efficacy update" : "mitigation request", tree, err);
}

static bool is_uint(const char *t)
{
    size_t n = strspn(t, "0123456789");
    return n > 0 && n <= 10 && !t[n];
}

static bool is_decimal(const char *t)
{
    size_t n = strspn(t, "0123456789");
    if (!n || n > 10)
        return false;
    if (!t[n])
        return true;
    return t[n] == '.' && strspn(t + n + 1, "0123456789") == strlen(t + n + 1) && t[n + 1];
}

int dots_client_config_tree(const struct dots_schema *s, const struct dots_client_sc_request *req,
                            struct lyd_node **tree, struct scrub_err *err)
{
    json_object *root = json_object_new_object();
    bool any = false;
    if (!root)
        return scrub_err_set(err, ENOMEM, "dots client: out of memory");
    for (int t = 0; t < DOTS_CLIENT_SC_TIMES; t++) {
        json_object *config = NULL;
        for (int p = 0; p < DOTS_CLIENT_SC_PARAMS; p++) {
            const char *v = req->value[t][p];
            bool decimal = p == DOTS_CLIENT_ACK_TIMEOUT || p == DOTS_CLIENT_ACK_RANDOM_FACTOR;
            if (!v)
                continue;
            if (decimal ? !is_decimal(v) : !is_uint(v)) {
                json_object_put(root);
                return scrub_err_set(err, EINVAL, "dots client: %s/%s: '%s' is not %s", time_names[t],
                                     dots_client_sc_names[p], v,
                                     decimal ? "a decimal number (e.g. 2.00)" : "an unsigned integer");
            }
            if (!config)
                config = json_object_new_object();
            json_object *leaf = json_object_new_object();
            int bad = !config ? (json_object_put(leaf), 1) : add(config, dots_client_sc_names[p], leaf) < 0 ||
                  add(leaf, decimal ? "current-value-decimal" : "current-value",
                      decimal ? json_object_new_string(v) : json_object_new_int64(strtoll(v, NULL, 10))) < 0;
            if (bad) {
                json_object_put(config);
                json_object_put(root);
                return scrub_err_set(err, ENOMEM, "dots client: out of memory");
            }
        }
        if (config) {
            char key[64];
            snprintf(key, sizeof key, "ietf-dots-signal-channel:%s", time_names[t]);
            if (add(root, key, config) < 0) {
                json_object_put(root);
                return scrub_err_set(err, ENOMEM, "dots client: out of memory");
            }
            any = true;
        }
    }
    if (!any) {
        json_object_put(root);
        return scrub_err_set(err, EINVAL, "dots client: a session configuration PUT needs at least one value");
    }
    return to_tree(s, root, "session configuration", tree, err);
}
