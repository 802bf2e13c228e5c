/* Printing answers: libyang's JSON printer for --json, a walk of the tree
 * for people. */
#include "dots_client_print.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* The value of a session configuration parameter's current-value,
 * min-value or max-value leaf (or its -decimal twin) under node, or NULL. */
static const char *bound(const struct lyd_node *node, const char *name)
{
    size_t n = strlen(name);
    for (const struct lyd_node *c = lyd_child(node); c; c = c->next)
        if (strncmp(LYD_NAME(c), name, n) == 0 && (!LYD_NAME(c)[n] || strcmp(LYD_NAME(c) + n, "-decimal") == 0))
            return lyd_get_value(c);
    return NULL;
}

/* A parameter holding only current, min and max values, on one line. */
static bool print_parameter(FILE *out, const struct lyd_node *node, int depth)
{
    const char *cur = bound(node, "current-value"), *min = bound(node, "min-value"), *max = bound(node, "max-value");
    size_t children = 0;
    for (const struct lyd_node *c = lyd_child(node); c; c = c->next)
        children++;
    if (!cur || children != 1u + !!min + !!max)
        return false;
    fprintf(out, "%*s%s: %s", depth * 2, "", LYD_NAME(node), cur);
    if (min || max)
        fprintf(out, " (min %s, max %s)", min ? min : "-", max ? max : "-");
    fputc('\n', out);
    return true;
}

static void print_node(FILE *out, const struct lyd_node *node, int depth)
{
    for (const struct lyd_node *n = node; n; n = n->next) {
        if (n->flags & LYD_DEFAULT)
            continue;  /* put in by validation, not sent */
        if (n->schema->nodetype & LYD_NODE_TERM) {
            fprintf(out, "%*s%s: %s\n", depth * 2, "", LYD_NAME(n), lyd_get_value(n));
        } else if (!print_parameter(out, n, depth)) {
            fprintf(out, "%*s%s\n", depth * 2, "", LYD_NAME(n));
            print_node(out, lyd_child(n), depth + 1);
        }
    }
}

int dots_client_print_human(FILE *out, const struct dots_client_answer *answer)
{
    fprintf(out, "%s", dots_client_code_name(answer->code));
    if (answer->has_observe)
        fprintf(out, " (observe %u)", answer->observe);
    if (answer->text)
        fprintf(out, ": %s", answer->text);
    fputc('\n', out);
    print_node(out, answer->tree, 1);
    return ferror(out) ? -1 : 0;
}

int dots_client_print_json(FILE *out, const struct dots_client_answer *answer)
{
    json_object *root = json_object_new_object();
    char code[16], *body_text = NULL;
    int r = -1;
    if (!root)
        return -1;
    snprintf(code, sizeof code, "%u.%02u", answer->code / 100, answer->code % 100);
    if (json_object_object_add(root, "code", json_object_new_string(code)) < 0)
        goto done;
    if (answer->has_observe && json_object_object_add(root, "observe", json_object_new_int64(answer->observe)) < 0)
        goto done;
    if (answer->text && json_object_object_add(root, "diagnostic", json_object_new_string(answer->text)) < 0)
        goto done;
    if (answer->tree) {
        if (lyd_print_mem(&body_text, answer->tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_SHRINK) != LY_SUCCESS)
            goto done;
        json_object *body = json_tokener_parse(body_text);
        if (!body || json_object_object_add(root, "body", body) < 0)
            goto done;
    }
    fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    r = ferror(out) ? -1 : 0;
done:
    free(body_text);
    json_object_put(root);
    return r;
}
