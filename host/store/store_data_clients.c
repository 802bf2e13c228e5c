/* Data channel client registrations: which cuids have registered on the
 * data channel (RFC 8783 section 7.1), and their removal with everything
 * the data channel keeps for them. */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

static const char SQL_PUT[] =
    "INSERT INTO data_client (cuid, identity, registered_at, cdid) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (cuid) DO NOTHING";
#define COLUMNS "SELECT cuid, identity, registered_at, cdid FROM data_client"
static const char SQL_GET[] = COLUMNS " WHERE cuid = ?1";
static const char SQL_ALL[] = COLUMNS " ORDER BY cuid";
static const char SQL_OF[] = COLUMNS " WHERE identity = ?1 ORDER BY cuid";
static const char SQL_DELETE_ACLS[] = "DELETE FROM data_acl WHERE cuid = ?1";
static const char SQL_DELETE_ALIASES[] = "DELETE FROM data_alias WHERE cuid = ?1";
static const char SQL_DELETE[] = "DELETE FROM data_client WHERE cuid = ?1";

int scrub_store_data_client_put(struct scrub_store *s, const struct scrub_store_data_client *c,
                                struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "register cuid '%s' of '%s' on the data channel", c->cuid ? c->cuid : "(null)",
             c->identity ? c->identity : "(null)");
    if (store_need_txn(s, err, what) || store_claim(s, c->cuid, c->identity, c->registered_at, what, err))
        return -1;
    int n = store_write(s, err, what, SQL_PUT, "ttit", c->cuid, c->identity, c->registered_at, c->cdid);
    return n < 0 ? -1 : n;
}

/* Calls fn for each row of the query st; 0 at the end, fn's non-zero
 * return, or -1. */
static int each(struct scrub_store *s, sqlite3_stmt *st, const char *what, scrub_store_data_client_fn fn, void *ctx,
                struct scrub_err *err)
{
    int row;
    if (!st)
        return -1;
    while ((row = store_row(s, st, err, what)) == 1) {
        struct scrub_store_data_client c = {
            .cuid = store_col_text(st, 0),
            .identity = store_col_text(st, 1),
            .registered_at = sqlite3_column_int64(st, 2),
            .cdid = store_col_text_or_null(st, 3),
        };
        int r = fn(ctx, &c);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}

static int found(void *ctx, const struct scrub_store_data_client *c)
{
    const struct {
        scrub_store_data_client_fn fn;
        void *ctx;
    } *inner = ctx;
    inner->fn(inner->ctx, c);
    return 1;
}

int scrub_store_data_client_get(struct scrub_store *s, const char *cuid, scrub_store_data_client_fn fn, void *ctx,
                                struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "read the data channel registration of cuid '%s'", cuid);
    struct {
        scrub_store_data_client_fn fn;
        void *ctx;
    } inner = {fn, ctx};
    return each(s, store_query(s, err, what, SQL_GET, "t", cuid), what, found, &inner, err);
}

int scrub_store_data_clients_each(struct scrub_store *s, const char *identity, scrub_store_data_client_fn fn,
                                  void *ctx, struct scrub_err *err)
{
    const char *what = "list data channel registrations";
    sqlite3_stmt *st =
        identity ? store_query(s, err, what, SQL_OF, "t", identity) : store_query(s, err, what, SQL_ALL, "");
    return each(s, st, what, fn, ctx, err);
}

int scrub_store_data_client_remove(struct scrub_store *s, const char *cuid, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "remove the data channel registration of cuid '%s'", cuid);
    if (store_need_txn(s, err, what))
        return -1;
    int n = store_write(s, err, what, SQL_DELETE, "t", cuid);
    if (n == 0)
        return store_refuse(s, err, ENOENT, what, "the cuid is not registered");
    if (n < 0 || store_write(s, err, what, SQL_DELETE_ACLS, "t", cuid) < 0 ||
        store_write(s, err, what, SQL_DELETE_ALIASES, "t", cuid) < 0)
        return -1;
    return 0;
}
