/* The loader: a libyang context on the YANG directories, the JSON parse
 * with libyang's messages turned into ours, then config_read.c. */
#include "scrub_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_read.h"

#define MODULE "scrub-config"
#define MODULE_REVISION "2026-11-23"
#define ACL_MODULE "ietf-access-control-list"
#define ACL_MODULE_REVISION "2019-03-04"
/* libyang's messages can quote the rest of the input; this much is shown. */
#define LIBYANG_MSG_MAX 240

const char *scrub_config_yang_dirs(void)
{
    const char *env = getenv("SCRUB_YANG_DIRS");
    return env && *env ? env : SCRUB_YANG_DIRS;
}

/* Copies a libyang message with whitespace runs made single spaces (YANG
 * error-messages span lines) and long quotes cut, saying so. */
static void tidy(const char *in, char *out, size_t size)
{
    size_t n = 0;
    bool space = false;
    for (; *in && n + 4 < size; in++) {
        bool ws = *in == ' ' || *in == '\n' || *in == '\t' || *in == '\r';
        if (ws && (space || n == 0))
            continue;
        space = ws;
        out[n++] = ws ? ' ' : *in;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    if (*in) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* libyang puts the place in the item's path: 'Data location "/a/b",
 * line number 3.' or 'Schema location "/a/b".' or 'Line number 3.'. */
static void split_location(const char *where, char *path, size_t size, unsigned long *line)
{
    path[0] = '\0';
    *line = 0;
    if (!where)
        return;
    const char *q = strchr(where, '"');
    const char *end = strrchr(where, '"');
    if (q && end > q) {
        size_t len = (size_t)(end - q - 1) < size - 1 ? (size_t)(end - q - 1) : size - 1;
        memcpy(path, q + 1, len);
        path[len] = '\0';
    }
    const char *ln = strstr(where, "ine number "); /* "Line number" or ", line number" */
    if (ln)
        *line = strtoul(ln + strlen("ine number "), NULL, 10);
}

/* Sets err from libyang's first stored error: "PLACE[:LINE]: [PATH: ]MSG". */
static int libyang_error(struct ly_ctx *ctx, const char *place, struct scrub_err *err)
{
    struct ly_err_item *e = ly_err_first(ctx);
    if (!e)
        return scrub_err_set(err, EINVAL, "%s: libyang failed without saying why", place);
    char msg[LIBYANG_MSG_MAX + 4], path[sizeof(err->msg)];
    unsigned long line;
    tidy(e->msg ? e->msg : "no message", msg, sizeof(msg));
    split_location(e->path, path, sizeof(path), &line);
    char at[32] = "";
    if (line)
        snprintf(at, sizeof(at), ":%lu", line);
    return scrub_err_set(err, EINVAL, "%s%s: %s%s%s", place, at, path, path[0] ? ": " : "", msg);
}

/* A context on yang_dirs with our module and the ACL types it uses. */
static int open_context(const char *yang_dirs, struct ly_ctx **ctx, struct scrub_err *err)
{
    static const char *const all_features[] = {"*", NULL};
    if (ly_ctx_new(yang_dirs, LY_CTX_DISABLE_SEARCHDIR_CWD, ctx) != LY_SUCCESS) {
        *ctx = NULL;
        return scrub_err_set(err, ENOENT,
                             "cannot search the YANG directories '%s' for %s@%s: one is missing or unreadable",
                             yang_dirs, MODULE, MODULE_REVISION);
    }
    /* Implemented with every feature, so that ACL types such as
     * ipv4-acl-type are values a configuration may use. */
    if (!ly_ctx_load_module(*ctx, ACL_MODULE, ACL_MODULE_REVISION, (const char **)all_features) ||
        !ly_ctx_load_module(*ctx, MODULE, MODULE_REVISION, NULL)) {
        char place[512];
        snprintf(place, sizeof(place), "loading %s@%s from '%s'", MODULE, MODULE_REVISION, yang_dirs);
        libyang_error(*ctx, place, err);
        ly_ctx_destroy(*ctx);
        *ctx = NULL;
        return -1;
    }
    return 0;
}

static int parse(struct ly_ctx *ctx, const char *path, struct lyd_node **tree, struct scrub_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return scrub_err_set(err, errno, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return scrub_err_set(err, EINVAL, "%s: not a regular file", path);
    }
    ly_err_clean(ctx, NULL);
    LY_ERR rc = lyd_parse_data_fd(ctx, fd, LYD_JSON, LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
                                  LYD_VALIDATE_NO_STATE | LYD_VALIDATE_PRESENT, tree);
    close(fd);
    if (rc != LY_SUCCESS)
        return libyang_error(ctx, path, err);
    return 0;
}

/* The /scrub-config:scrub-config container, the only data a configuration
 * file may hold. */
static int find_root(const struct config_reader *r, const struct lyd_node *tree, const struct lyd_node **root)
{
    for (const struct lyd_node *node = tree; node; node = node->next) {
        const struct lys_module *mod = lyd_owner_module(node);
        if (!mod || strcmp(mod->name, MODULE) != 0)
            return config_node_error(r, node, EINVAL, "is not part of the card's configuration");
        *root = node;
    }
    if (!*root)
        return scrub_err_set(r->err, EINVAL, "%s: holds no /%s:scrub-config", r->file, MODULE);
    return 0;
}

int scrub_config_load(const char *path, const char *yang_dirs, struct scrub_config *cfg, struct scrub_err *err)
{
    struct scrub_err unread; /* the readers build messages in err */
    if (!err)
        err = &unread;
    if (!cfg)
        return scrub_err_set(err, EINVAL, "no configuration to fill");
    memset(cfg, 0, sizeof(*cfg));
    if (!path)
        return scrub_err_set(err, EINVAL, "no configuration file named");
    if (!yang_dirs)
        yang_dirs = scrub_config_yang_dirs();

    /* Store every message instead of printing it: the caller gets one
     * error value. libyang's log options are process-wide. */
    uint32_t log_options = ly_log_options(LY_LOSTORE);
    struct ly_ctx *ctx = NULL;
    struct lyd_node *tree = NULL;
    int rc = open_context(yang_dirs, &ctx, err);
    if (rc == 0)
        rc = parse(ctx, path, &tree, err);
    if (rc == 0) {
        struct config_reader reader = {.file = path, .cfg = cfg, .err = err};
        const struct lyd_node *root = NULL;
        rc = find_root(&reader, tree, &root);
        if (rc == 0)
            rc = config_read(&reader, root);
    }
    lyd_free_all(tree);
    ly_ctx_destroy(ctx);
    ly_log_options(log_options);
    if (rc)
        scrub_config_free(cfg);
    return rc;
}

static void free_acl(struct scrub_acl *acl)
{
    for (size_t i = 0; i < acl->n_aces; i++)
        free(acl->aces[i].name);
    free(acl->aces);
    free(acl->name);
}

void scrub_config_free(struct scrub_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_policers; i++)
        free(cfg->policers[i].name);
    free(cfg->policers);
    for (size_t i = 0; i < cfg->n_profiles; i++) {
        struct scrub_profile *p = &cfg->profiles[i];
        for (size_t k = 0; k < p->n_acls; k++)
            free_acl(&p->acls[k]);
        free(p->acls);
        free(p->name);
        free(p->description);
    }
    free(cfg->profiles);
    for (size_t i = 0; i < cfg->n_tenants; i++) {
        struct scrub_tenant *t = &cfg->tenants[i];
        free(t->name);
        free(t->identity);
        free(t->prefixes);
        free(t->sources);
    }
    free(cfg->tenants);
    memset(cfg, 0, sizeof(*cfg));
}
