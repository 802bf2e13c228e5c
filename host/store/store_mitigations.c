/* Mitigations: one row per (cuid, mid). */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

static const char *const status_names[] = {"requested", "active", "withdrawn", "expired", "displaced"};
#define N_STATUS (sizeof(status_names) / sizeof(status_names[0]))

const char *scrub_store_status_name(enum scrub_store_mitigation_status st)
{
    return (unsigned)st < N_STATUS ? status_names[st] : "invalid";
}

static const char SQL_PUT[] =
    "INSERT INTO mitigation (cuid, mid, identity, cdid, scope, profile, lifetime, status, created_at,"
    " triggered_at, expires_at, boot_id, expires_boottime_ms, terminating_s, by_operator, displaced_by,"
    " displaced_by_mid, last_drop_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    " ON CONFLICT (cuid, mid) DO UPDATE SET identity = ?3, cdid = ?4, scope = ?5, profile = ?6, lifetime = ?7,"
    " status = ?8, created_at = ?9, triggered_at = ?10, expires_at = ?11, boot_id = ?12, expires_boottime_ms = ?13,"
    " terminating_s = ?14, by_operator = ?15, displaced_by = ?16, displaced_by_mid = ?17, last_drop_at = ?18";
static const char SQL_DELETE[] = "DELETE FROM mitigation WHERE cuid = ?1 AND mid = ?2";
static const char SQL_LAST_DROP[] = "UPDATE mitigation SET last_drop_at = ?1 WHERE cuid = ?2 AND mid = ?3";
#define COLUMNS                                                                                                     \
    "SELECT identity, cuid, mid, cdid, scope, profile, lifetime, status, created_at, triggered_at, expires_at,"    \
    " boot_id, expires_boottime_ms, terminating_s, by_operator, displaced_by, displaced_by_mid, last_drop_at"      \
    " FROM mitigation"
static const char SQL_GET[] = COLUMNS " WHERE cuid = ?1 AND mid = ?2";
static const char SQL_ALL[] = COLUMNS " ORDER BY cuid, mid";
static const char SQL_OF_CUID[] = COLUMNS " WHERE cuid = ?1 ORDER BY mid";

int scrub_store_mitigation_put(struct scrub_store *s, const struct scrub_store_mitigation *m, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "put mitigation (cuid '%s', mid %lld)", m->cuid ? m->cuid : "(null)",
             (long long)m->mid);
    if (store_need_txn(s, err, what))
        return -1;
    if ((unsigned)m->status >= N_STATUS)
        return store_refuse(s, err, EINVAL, what, "status %d is not a mitigation status", (int)m->status);
    if (store_claim(s, m->cuid, m->identity, m->created_at, what, err))
        return -1;
    bool displaced = m->status == SCRUB_STORE_DISPLACED;
    if (displaced != (m->displaced_by != NULL))
        return store_refuse(s, err, EINVAL, what, "a displaced mitigation, and only one, names what displaced it");
    return store_write(s, err, what, SQL_PUT, "tittttitizztziitii", m->cuid, m->mid, m->identity, m->cdid, m->scope,
                       m->profile, m->lifetime, status_names[m->status], m->created_at, m->triggered_at,
                       m->expires_at, m->boot_id ? m->boot_id : "", m->expires_boottime_ms, m->terminating_s,
                       (int64_t)m->by_operator, m->displaced_by, displaced ? (int64_t)m->displaced_by_mid : (int64_t)0, m->last_drop_at) < 0
               ? -1
               : 0;
}

int scrub_store_mitigation_last_drop(struct scrub_store *s, const char *cuid, int64_t mid, int64_t at,
                                     struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "the last drop of mitigation (cuid '%s', mid %lld)", cuid, (long long)mid);
    if (store_need_txn(s, err, what))
        return -1;
    int n = store_write(s, err, what, SQL_LAST_DROP, "iti", at, cuid, mid);
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "no such mitigation") : 0;
}

int scrub_store_mitigation_delete(struct scrub_store *s, const char *cuid, int64_t mid, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "delete mitigation (cuid '%s', mid %lld)", cuid, (long long)mid);
    if (store_need_txn(s, err, what))
        return -1;
    int n = store_write(s, err, what, SQL_DELETE, "ti", cuid, mid);
    if (n < 0)
        return -1;
    return n == 0 ? store_refuse(s, err, ENOENT, what, "no such mitigation") : 0;
}

/* Steps st and calls fn for each row; returns fn's first non-zero value, 0
 * at the end, -1 on error. */
static int walk(struct scrub_store *s, sqlite3_stmt *st, const char *what, scrub_store_mitigation_fn fn, void *ctx,
                struct scrub_err *err)
{
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        const char *status = store_col_text(st, 7);
        int si = store_name_index(status_names, N_STATUS, status);
        if (si < 0) {
            sqlite3_reset(st);
            return store_refuse(s, err, EILSEQ, what, "stored status '%s' is not a mitigation status", status);
        }
        struct scrub_store_mitigation m = {
            .identity = store_col_text(st, 0),
            .cuid = store_col_text(st, 1),
            .mid = sqlite3_column_int64(st, 2),
            .cdid = store_col_text_or_null(st, 3),
            .scope = store_col_text(st, 4),
            .profile = store_col_text(st, 5),
            .lifetime = sqlite3_column_int64(st, 6),
            .status = (enum scrub_store_mitigation_status)si,
            .created_at = sqlite3_column_int64(st, 8),
            .triggered_at = sqlite3_column_int64(st, 9),
            .expires_at = sqlite3_column_int64(st, 10),
            .boot_id = store_col_text(st, 11),
            .expires_boottime_ms = sqlite3_column_int64(st, 12),
            .terminating_s = sqlite3_column_int64(st, 13),
            .by_operator = sqlite3_column_int64(st, 14) != 0,
            .displaced_by = store_col_text_or_null(st, 15),
            .displaced_by_mid = sqlite3_column_int64(st, 16),
            .last_drop_at = sqlite3_column_int64(st, 17),
        };
        int r = fn(ctx, &m);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}

/* Calls the caller's function and remembers that a row was found. */
struct found {
    scrub_store_mitigation_fn fn;
    void *ctx;
    int found;
};

static int call_found(void *ctx, const struct scrub_store_mitigation *m)
{
    struct found *f = ctx;
    f->found = 1;
    f->fn(f->ctx, m);
    return 0;
}

int scrub_store_mitigation_get(struct scrub_store *s, const char *cuid, int64_t mid, scrub_store_mitigation_fn fn,
                               void *ctx, struct scrub_err *err)
{
    char what[256];
    snprintf(what, sizeof(what), "get mitigation (cuid '%s', mid %lld)", cuid, (long long)mid);
    sqlite3_stmt *st = store_query(s, err, what, SQL_GET, "ti", cuid, mid);
    if (!st)
        return -1;
    struct found f = {fn, ctx, 0};
    return walk(s, st, what, call_found, &f, err) < 0 ? -1 : f.found;
}

int scrub_store_mitigations_each(struct scrub_store *s, const char *cuid, scrub_store_mitigation_fn fn, void *ctx,
                                 struct scrub_err *err)
{
    const char *what = "list mitigations";
    sqlite3_stmt *st =
        cuid ? store_query(s, err, what, SQL_OF_CUID, "t", cuid) : store_query(s, err, what, SQL_ALL, "");
    if (!st)
        return -1;
    return walk(s, st, what, fn, ctx, err);
}
