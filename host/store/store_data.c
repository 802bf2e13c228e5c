/* The data channel's ACLs and aliases (per cuid) and the signal channel's
 * session configurations (per identity). */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

static const char *const activation_names[] = {"activate-when-mitigating", "immediate", "deactivate"};
#define N_ACTIVATION (sizeof(activation_names) / sizeof(activation_names[0]))

const char *scrub_store_activation_name(enum scrub_store_activation a)
{
    return (unsigned)a < N_ACTIVATION ? activation_names[a] : "invalid";
}

static const char SQL_ACL_PUT[] =
    "INSERT INTO data_acl (cuid, name, position, activation, body, expires_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (cuid, name) DO UPDATE SET position = ?3, activation = ?4,"
    " body = ?5, expires_at = ?6, updated_at = ?7";
static const char SQL_ACL_DELETE[] = "DELETE FROM data_acl WHERE cuid = ?1 AND name = ?2";
#define ACL_COLUMNS "SELECT cuid, name, position, activation, body, expires_at, updated_at FROM data_acl"
static const char SQL_ACLS[] = ACL_COLUMNS " ORDER BY cuid, position, name";
static const char SQL_ACLS_OF[] = ACL_COLUMNS " WHERE cuid = ?1 ORDER BY position, name";

static const char SQL_ALIAS_PUT[] =
    "INSERT INTO data_alias (cuid, name, body, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (cuid, name) DO UPDATE SET body = ?3, expires_at = ?4, updated_at = ?5";
static const char SQL_ALIAS_DELETE[] = "DELETE FROM data_alias WHERE cuid = ?1 AND name = ?2";
#define ALIAS_COLUMNS "SELECT cuid, name, body, expires_at, updated_at FROM data_alias"
static const char SQL_ALIASES[] = ALIAS_COLUMNS " ORDER BY cuid, name";
static const char SQL_ALIASES_OF[] = ALIAS_COLUMNS " WHERE cuid = ?1 ORDER BY name";

static const char SQL_CONFIG_PUT[] =
    "INSERT INTO session_config (identity, sid, body, updated_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (identity) DO UPDATE SET sid = ?2, body = ?3, updated_at = ?4";
static const char SQL_CONFIG_DELETE[] = "DELETE FROM session_config WHERE identity = ?1";
static const char SQL_CONFIGS[] = "SELECT identity, sid, body, updated_at FROM session_config ORDER BY identity";

/* ACLs and aliases belong to a registered cuid; say so rather than let
 * the foreign key's anonymous refusal speak. */
static int need_cuid(struct scrub_store *s, const char *cuid, const char *what, struct scrub_err *err)
{
    char owner[256];
    int found = scrub_store_cuid_owner(s, cuid, owner, sizeof(owner), err);
    if (found < 0)
        return scrub_err_prefix(err, "%s", what);
    if (found == 0)
        return store_refuse(s, err, ENOENT, what, "cuid '%s' is not claimed by any identity", cuid);
    return 0;
}

static int deleted(struct scrub_store *s, int n, const char *what, const char *thing, struct scrub_err *err)
{
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "no such %s", thing) : 0;
}

int scrub_store_acl_put(struct scrub_store *s, const struct scrub_store_acl *a, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "put ACL '%s' of cuid '%s'", a->name ? a->name : "(null)",
             a->cuid ? a->cuid : "(null)");
    if (store_need_txn(s, err, what) || need_cuid(s, a->cuid, what, err))
        return -1;
    if ((unsigned)a->activation >= N_ACTIVATION)
        return store_refuse(s, err, EINVAL, what, "activation %d is not an activation type", (int)a->activation);
    return store_write(s, err, what, SQL_ACL_PUT, "ttittzi", a->cuid, a->name, a->position,
                       activation_names[a->activation], a->body, a->expires_at, a->updated_at) < 0
               ? -1
               : 0;
}

int scrub_store_acl_delete(struct scrub_store *s, const char *cuid, const char *name, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "delete ACL '%s' of cuid '%s'", name, cuid);
    if (store_need_txn(s, err, what))
        return -1;
    return deleted(s, store_write(s, err, what, SQL_ACL_DELETE, "tt", cuid, name), what, "ACL", err);
}

int scrub_store_acls_each(struct scrub_store *s, const char *cuid, scrub_store_acl_fn fn, void *ctx,
                          struct scrub_err *err)
{
    const char *what = "list ACLs";
    sqlite3_stmt *st =
        cuid ? store_query(s, err, what, SQL_ACLS_OF, "t", cuid) : store_query(s, err, what, SQL_ACLS, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        const char *activation = store_col_text(st, 3);
        int ai = store_name_index(activation_names, N_ACTIVATION, activation);
        if (ai < 0) {
            sqlite3_reset(st);
            return store_refuse(s, err, EILSEQ, what, "stored activation '%s' is not an activation type", activation);
        }
        struct scrub_store_acl a = {
            .cuid = store_col_text(st, 0),
            .name = store_col_text(st, 1),
            .position = sqlite3_column_int64(st, 2),
            .activation = (enum scrub_store_activation)ai,
            .body = store_col_text(st, 4),
            .expires_at = sqlite3_column_int64(st, 5),
            .updated_at = sqlite3_column_int64(st, 6),
        };
        int r = fn(ctx, &a);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}

int scrub_store_alias_put(struct scrub_store *s, const struct scrub_store_alias *a, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "put alias '%s' of cuid '%s'", a->name ? a->name : "(null)",
             a->cuid ? a->cuid : "(null)");
    if (store_need_txn(s, err, what) || need_cuid(s, a->cuid, what, err))
        return -1;
    return store_write(s, err, what, SQL_ALIAS_PUT, "tttzi", a->cuid, a->name, a->body, a->expires_at,
                       a->updated_at) < 0
               ? -1
               : 0;
}

int scrub_store_alias_delete(struct scrub_store *s, const char *cuid, const char *name, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "delete alias '%s' of cuid '%s'", name, cuid);
    if (store_need_txn(s, err, what))
        return -1;
    return deleted(s, store_write(s, err, what, SQL_ALIAS_DELETE, "tt", cuid, name), what, "alias", err);
}

int scrub_store_aliases_each(struct scrub_store *s, const char *cuid, scrub_store_alias_fn fn, void *ctx,
                             struct scrub_err *err)
{
    const char *what = "list aliases";
    sqlite3_stmt *st =
        cuid ? store_query(s, err, what, SQL_ALIASES_OF, "t", cuid) : store_query(s, err, what, SQL_ALIASES, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        struct scrub_store_alias a = {
            .cuid = store_col_text(st, 0),
            .name = store_col_text(st, 1),
            .body = store_col_text(st, 2),
            .expires_at = sqlite3_column_int64(st, 3),
            .updated_at = sqlite3_column_int64(st, 4),
        };
        int r = fn(ctx, &a);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}

int scrub_store_session_config_put(struct scrub_store *s, const struct scrub_store_session_config *c,
                                   struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "put session configuration of '%s' (sid %lld)",
             c->identity ? c->identity : "(null)", (long long)c->sid);
    if (store_need_txn(s, err, what))
        return -1;
    return store_write(s, err, what, SQL_CONFIG_PUT, "titi", c->identity, c->sid, c->body, c->updated_at) < 0 ? -1
                                                                                                               : 0;
}

int scrub_store_session_config_delete(struct scrub_store *s, const char *identity, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "delete session configuration of '%s'", identity);
    if (store_need_txn(s, err, what))
        return -1;
    return deleted(s, store_write(s, err, what, SQL_CONFIG_DELETE, "t", identity), what, "session configuration",
                   err);
}

int scrub_store_session_configs_each(struct scrub_store *s, scrub_store_session_config_fn fn, void *ctx,
                                     struct scrub_err *err)
{
    const char *what = "list session configurations";
    sqlite3_stmt *st = store_query(s, err, what, SQL_CONFIGS, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        struct scrub_store_session_config c = {
            .identity = store_col_text(st, 0),
            .sid = sqlite3_column_int64(st, 1),
            .body = store_col_text(st, 2),
            .updated_at = sqlite3_column_int64(st, 3),
        };
        int r = fn(ctx, &c);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}
