/* The card's tenant ids of clients added at run time. */
#include <stdio.h>

#include "store_internal.h"

static const char SQL_PUT[] = "INSERT INTO tenant_id (identity, id) VALUES (?1, ?2)";
static const char SQL_ALL[] = "SELECT identity, id FROM tenant_id ORDER BY id";

int scrub_store_tenant_id_put(struct scrub_store *s, const char *identity, uint16_t id, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "put tenant id %u of client '%s'", id, identity ? identity : "(null)");
    if (store_need_txn(s, err, what))
        return -1;
    return store_write(s, err, what, SQL_PUT, "ti", identity, (int64_t)id) < 0 ? -1 : 0;
}

int scrub_store_tenant_ids_each(struct scrub_store *s, scrub_store_tenant_id_fn fn, void *ctx, struct scrub_err *err)
{
    const char *what = "list tenant ids";
    sqlite3_stmt *st = store_query(s, err, what, SQL_ALL, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        int r = fn(ctx, store_col_text(st, 0), (uint16_t)sqlite3_column_int64(st, 1));
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}
