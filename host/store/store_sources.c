/* Source-list entries added at run time: (tenant, address) -> action. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

static const char *const action_names[] = {"accept", "drop", "police"};
#define N_ACTION (sizeof(action_names) / sizeof(action_names[0]))

const char *scrub_store_source_action_name(enum scrub_store_source_action a)
{
    return (unsigned)a < N_ACTION ? action_names[a] : "invalid";
}

static const char SQL_PUT[] =
    "INSERT INTO source_entry (tenant, address, action, policer, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (tenant, address) DO UPDATE SET action = ?3, policer = ?4, updated_at = ?5";
static const char SQL_DELETE[] = "DELETE FROM source_entry WHERE tenant = ?1 AND address = ?2";
#define COLUMNS "SELECT tenant, address, action, policer, updated_at FROM source_entry"
static const char SQL_ALL[] = COLUMNS " ORDER BY tenant, address";
static const char SQL_OF_TENANT[] = COLUMNS " WHERE tenant = ?1 ORDER BY address";

/* One spelling per address, so that the key finds it however it was
 * written: IPv4 (also as ::ffff:a.b.c.d) dotted, IPv6 as inet_ntop has it. */
static bool canonical_address(const char *text, char *out, size_t size)
{
    unsigned char a[16];
    if (!text)
        return false;
    if (inet_pton(AF_INET, text, a) == 1)
        return inet_ntop(AF_INET, a, out, size) != NULL;
    if (inet_pton(AF_INET6, text, a) != 1)
        return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, sizeof(mapped)) == 0)
        return inet_ntop(AF_INET, a + 12, out, size) != NULL;
    return inet_ntop(AF_INET6, a, out, size) != NULL;
}

int scrub_store_source_put(struct scrub_store *s, const struct scrub_store_source *e, struct scrub_err *err)
{
    char what[320], addr[INET6_ADDRSTRLEN];
    snprintf(what, sizeof(what), "put source entry '%s' of tenant '%s'", e->address ? e->address : "(null)",
             e->tenant ? e->tenant : "(null)");
    if (store_need_txn(s, err, what))
        return -1;
    if (!canonical_address(e->address, addr, sizeof(addr)))
        return store_refuse(s, err, EINVAL, what, "'%s' is not an IPv4 or IPv6 address",
                            e->address ? e->address : "(null)");
    if ((unsigned)e->action >= N_ACTION)
        return store_refuse(s, err, EINVAL, what, "action %d is not a source action", (int)e->action);
    return store_write(s, err, what, SQL_PUT, "tttti", e->tenant, addr,
                       action_names[e->action], e->policer, e->updated_at) < 0
               ? -1
               : 0;
}

int scrub_store_source_delete(struct scrub_store *s, const char *tenant, const char *address, struct scrub_err *err)
{
    char what[320], addr[INET6_ADDRSTRLEN];
    snprintf(what, sizeof(what), "delete source entry '%s' of tenant '%s'", address ? address : "(null)", tenant);
    if (store_need_txn(s, err, what))
        return -1;
    if (!canonical_address(address, addr, sizeof(addr)))
        return store_refuse(s, err, EINVAL, what, "'%s' is not an IPv4 or IPv6 address", address ? address : "(null)");
    int n = store_write(s, err, what, SQL_DELETE, "tt", tenant, addr);
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "no such source entry") : 0;
}

int scrub_store_sources_each(struct scrub_store *s, const char *tenant, scrub_store_source_fn fn, void *ctx,
                             struct scrub_err *err)
{
    const char *what = "list source entries";
    sqlite3_stmt *st =
        tenant ? store_query(s, err, what, SQL_OF_TENANT, "t", tenant) : store_query(s, err, what, SQL_ALL, "");
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        const char *action = store_col_text(st, 2);
        int ai = store_name_index(action_names, N_ACTION, action);
        if (ai < 0) {
            sqlite3_reset(st);
            return store_refuse(s, err, EILSEQ, what, "stored action '%s' is not a source action", action);
        }
        struct scrub_store_source e = {
            .tenant = store_col_text(st, 0),
            .address = store_col_text(st, 1),
            .action = (enum scrub_store_source_action)ai,
            .policer = store_col_text_or_null(st, 3),
            .updated_at = sqlite3_column_int64(st, 4),
        };
        int r = fn(ctx, &e);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}
