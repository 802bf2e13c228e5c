/* Clients added at run time, and cuid ownership. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_prefix.h"
#include "store_internal.h"

static const char SQL_CLIENT_INSERT[] =
    "INSERT INTO client (identity, profile, quota_mitigations, quota_acl_entries, quota_source_entries,"
    " quota_aliases, quota_sessions, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_CLIENT_UPDATE[] =
    "UPDATE client SET profile = ?2, quota_mitigations = ?3, quota_acl_entries = ?4, quota_source_entries = ?5,"
    " quota_aliases = ?6, quota_sessions = ?7 WHERE identity = ?1";
static const char SQL_CLIENT_DELETE[] = "DELETE FROM client WHERE identity = ?1";
static const char SQL_PREFIXES_DELETE[] = "DELETE FROM client_prefix WHERE identity = ?1";
static const char SQL_PREFIX_INSERT[] = "INSERT INTO client_prefix (identity, prefix) VALUES (?1, ?2)";
static const char SQL_CLIENTS[] =
    "SELECT identity, profile, quota_mitigations, quota_acl_entries, quota_source_entries, quota_aliases,"
    " quota_sessions, created_at FROM client ORDER BY identity";
static const char SQL_PREFIXES[] = "SELECT prefix FROM client_prefix WHERE identity = ?1 ORDER BY prefix";
static const char SQL_CUID_OWNER[] = "SELECT identity FROM cuid WHERE cuid = ?1";
static const char SQL_CUID_INSERT[] = "INSERT INTO cuid (cuid, identity, claimed_at) VALUES (?1, ?2, ?3)";
static const char SQL_CUID_DELETE[] = "DELETE FROM cuid WHERE cuid = ?1";
static const char *const SQL_CLIENT_DATA_DELETE[] = {
    "DELETE FROM data_acl WHERE cuid IN (SELECT cuid FROM cuid WHERE identity = ?1)",
    "DELETE FROM data_alias WHERE cuid IN (SELECT cuid FROM cuid WHERE identity = ?1)",
    "DELETE FROM data_client WHERE identity = ?1",
    "DELETE FROM cuid WHERE identity = ?1 AND cuid NOT IN (SELECT cuid FROM mitigation)",
};
static const char SQL_CUID_USERS[] =
    "SELECT (SELECT count(*) FROM mitigation WHERE cuid = ?1), (SELECT count(*) FROM data_acl WHERE cuid = ?1),"
    " (SELECT count(*) FROM data_alias WHERE cuid = ?1), (SELECT count(*) FROM data_client WHERE cuid = ?1)";

static int put_prefixes(struct scrub_store *s, const struct scrub_store_client *c, const char *what,
                        struct scrub_err *err)
{
    for (size_t i = 0; i < c->n_prefixes; i++) {
        struct scrub_prefix p;
        if (!c->prefixes[i] || !scrub_prefix_parse(c->prefixes[i], &p))
            return store_refuse(s, err, EINVAL, what, "owned prefix %zu '%s' is not an IPv4 or IPv6 prefix", i + 1,
                                c->prefixes[i] ? c->prefixes[i] : "(null)");
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&p, text, sizeof(text));
        if (store_write(s, err, what, SQL_PREFIX_INSERT, "tt", c->identity, text) < 0)
            return -1;
    }
    return 0;
}

static int put_client(struct scrub_store *s, const struct scrub_store_client *c, bool add, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "%s client '%s'", add ? "add" : "update", c->identity ? c->identity : "(null)");
    if (store_need_txn(s, err, what))
        return -1;
    const struct scrub_store_quotas *q = &c->quotas;
    /* The update keeps created_at: it binds one argument fewer. */
    int n = store_write(s, err, what, add ? SQL_CLIENT_INSERT : SQL_CLIENT_UPDATE, add ? "ttiiiiii" : "ttiiiii",
                        c->identity, c->profile, (int64_t)q->mitigations, (int64_t)q->acl_entries,
                        (int64_t)q->source_entries, (int64_t)q->aliases, (int64_t)q->sessions, c->created_at);
    if (n < 0)
        return -1;
    if (n == 0)
        return store_refuse(s, err, ENOENT, what, "no such client");
    if (!add && store_write(s, err, what, SQL_PREFIXES_DELETE, "t", c->identity) < 0)
        return -1;
    return put_prefixes(s, c, what, err);
}

int scrub_store_client_add(struct scrub_store *s, const struct scrub_store_client *c, struct scrub_err *err)
{
    return put_client(s, c, true, err);
}

int scrub_store_client_update(struct scrub_store *s, const struct scrub_store_client *c, struct scrub_err *err)
{
    return put_client(s, c, false, err);
}

int scrub_store_client_remove(struct scrub_store *s, const char *identity, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "remove client '%s'", identity);
    if (store_need_txn(s, err, what))
        return -1;
    int n = store_write(s, err, what, SQL_CLIENT_DELETE, "t", identity);
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "no such client") : 0;
}

int scrub_store_client_data_remove(struct scrub_store *s, const char *identity, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "remove the data-channel records and cuids of '%s'", identity);
    if (store_need_txn(s, err, what))
        return -1;
    for (size_t i = 0; i < sizeof(SQL_CLIENT_DATA_DELETE) / sizeof(SQL_CLIENT_DATA_DELETE[0]); i++)
        if (store_write(s, err, what, SQL_CLIENT_DATA_DELETE[i], "t", identity) < 0)
            return -1;
    return 0;
}

/* The client's prefixes, copied: the caller frees each and the array. */
static char **client_prefixes(struct scrub_store *s, const char *identity, size_t *n, struct scrub_err *err)
{
    const char *what = "list client prefixes";
    sqlite3_stmt *st = store_query(s, err, what, SQL_PREFIXES, "t", identity);
    if (!st)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            char **grown = realloc(v, cap * sizeof(*v));
            if (!grown)
                break;
            v = grown;
        }
        if (!(v[*n] = strdup(store_col_text(st, 0))))
            break;
        (*n)++;
    }
    if (row == 0)
        return v ? v : calloc(1, sizeof(*v));
    if (row == 1) {
        sqlite3_reset(st);
        scrub_err_set(err, ENOMEM, "store %s: %s: out of memory", s->path, what);
    }
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    return NULL;
}

int scrub_store_clients_each(struct scrub_store *s, scrub_store_client_fn fn, void *ctx, struct scrub_err *err)
{
    const char *what = "list clients";
    sqlite3_stmt *st = store_query(s, err, what, SQL_CLIENTS, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        struct scrub_store_client c = {
            .identity = store_col_text(st, 0),
            .profile = store_col_text(st, 1),
            .quotas = {(uint32_t)sqlite3_column_int64(st, 2), (uint32_t)sqlite3_column_int64(st, 3),
                       (uint32_t)sqlite3_column_int64(st, 4), (uint32_t)sqlite3_column_int64(st, 5),
                       (uint32_t)sqlite3_column_int64(st, 6)},
            .created_at = sqlite3_column_int64(st, 7),
        };
        size_t n;
        char **prefixes = client_prefixes(s, c.identity, &n, err);
        if (!prefixes) {
            sqlite3_reset(st);
            return -1;
        }
        c.prefixes = (const char *const *)prefixes;
        c.n_prefixes = n;
        int r = fn(ctx, &c);
        for (size_t i = 0; i < n; i++)
            free(prefixes[i]);
        free(prefixes);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}

int scrub_store_cuid_owner(struct scrub_store *s, const char *cuid, char *owner, size_t size, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "find the owner of cuid '%s'", cuid);
    sqlite3_stmt *st = store_query(s, err, what, SQL_CUID_OWNER, "t", cuid);
    if (!st)
        return -1;
    int row = store_row(s, st, err, what);
    if (row == 1) {
        snprintf(owner, size, "%s", store_col_text(st, 0));
        sqlite3_reset(st);
    }
    return row;
}

int store_claim(struct scrub_store *s, const char *cuid, const char *identity, int64_t at, const char *what,
                struct scrub_err *err)
{
    char owner[256];
    int found = scrub_store_cuid_owner(s, cuid, owner, sizeof(owner), err);
    if (found < 0)
        return -1;
    if (found == 0)
        return store_write(s, err, what, SQL_CUID_INSERT, "tti", cuid, identity, at) < 0 ? -1 : 0;
    if (!identity || strcmp(owner, identity) != 0)
        return store_refuse(s, err, EPERM, what, "cuid '%s' belongs to identity '%s', not '%s'", cuid, owner,
                            identity ? identity : "(null)");
    return 0;
}

int scrub_store_cuid_claim(struct scrub_store *s, const char *cuid, const char *identity, int64_t at,
                           struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "claim cuid '%s' for '%s'", cuid ? cuid : "(null)",
             identity ? identity : "(null)");
    if (store_need_txn(s, err, what))
        return -1;
    return store_claim(s, cuid, identity, at, what, err);
}

int scrub_store_cuid_release(struct scrub_store *s, const char *cuid, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "release cuid '%s'", cuid);
    if (store_need_txn(s, err, what))
        return -1;
    sqlite3_stmt *st = store_query(s, err, what, SQL_CUID_USERS, "t", cuid);
    if (!st || store_row(s, st, err, what) != 1)
        return -1;
    int64_t mitigations = sqlite3_column_int64(st, 0), acls = sqlite3_column_int64(st, 1),
            aliases = sqlite3_column_int64(st, 2), registered = sqlite3_column_int64(st, 3);
    sqlite3_reset(st);
    if (mitigations || acls || aliases || registered)
        return store_refuse(s, err, EBUSY, what,
                            "still named by %lld mitigations, %lld ACLs and %lld aliases%s", (long long)mitigations,
                            (long long)acls, (long long)aliases,
                            registered ? ", and registered on the data channel" : "");
    int n = store_write(s, err, what, SQL_CUID_DELETE, "t", cuid);
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "the cuid is not claimed") : 0;
}
