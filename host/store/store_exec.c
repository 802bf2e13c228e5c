/* Running statements and reporting their failures (store_internal.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

static int errno_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE ? EEXIST : EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return EACCES;
    case SQLITE_NOMEM:
        return ENOMEM;
    case SQLITE_TOOBIG:
        return E2BIG;
    case SQLITE_CANTOPEN:
        return ENOENT;
    default:
        return EIO;
    }
}

/* Ends the open transaction after a failure and says so in err. */
static void roll_back_after_failure(struct scrub_store *s, struct scrub_err *err)
{
    if (!s->in_txn)
        return;
    scrub_store_rollback(s);
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof(err->msg) - len, "; the transaction was rolled back, nothing of it was stored");
}

int store_fail(struct scrub_store *s, struct scrub_err *err, const char *what)
{
    int rc = sqlite3_extended_errcode(s->db);
    scrub_err_set(err, errno_of(rc), "store %s: %s: %s (SQLite %s)", s->path, what, sqlite3_errmsg(s->db),
                  sqlite3_errstr(rc));
    roll_back_after_failure(s, err);
    return -1;
}

int store_refuse(struct scrub_store *s, struct scrub_err *err, int code, const char *what, const char *fmt, ...)
{
    char reason[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    scrub_err_set(err, code, "store %s: %s: %s", s->path, what, reason);
    roll_back_after_failure(s, err);
    return -1;
}

int store_need_txn(struct scrub_store *s, struct scrub_err *err, const char *what)
{
    if (s->in_txn)
        return 0;
    return scrub_err_set(err, EINVAL, "store %s: %s: no transaction is open (call scrub_store_begin first)", s->path,
                         what);
}

/* The cached statement for sql with the right number of parameters for
 * types (a mismatch is a bug of ours, caught here rather than bound). */
static sqlite3_stmt *stmt_for(struct scrub_store *s, const char *sql, const char *types, struct scrub_err *err,
                              const char *what)
{
    sqlite3_stmt *st = store_stmt(s, sql, err, what);
    if (st && (int)strlen(types) != sqlite3_bind_parameter_count(st)) {
        store_refuse(s, err, EFAULT, what, "internal: %zu arguments for a statement of %d parameters",
                     strlen(types), sqlite3_bind_parameter_count(st));
        return NULL;
    }
    return st;
}

sqlite3_stmt *store_stmt(struct scrub_store *s, const char *sql, struct scrub_err *err, const char *what)
{
    size_t i;
    for (i = 0; i < STORE_STMT_CACHE && s->cache[i].sql; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].stmt);
            sqlite3_clear_bindings(s->cache[i].stmt);
            return s->cache[i].stmt;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        store_fail(s, err, what);
        return NULL;
    }
    if (i == STORE_STMT_CACHE) {
        /* More distinct statements than the cache holds is a bug of ours. */
        sqlite3_finalize(st);
        store_refuse(s, err, EOVERFLOW, what, "the statement cache is full (raise STORE_STMT_CACHE)");
        return NULL;
    }
    s->cache[i].sql = sql;
    s->cache[i].stmt = st;
    return st;
}

static int bind_all(sqlite3_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types[i]; i++) {
        int rc;
        if (types[i] == 't') {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
        } else {
            int64_t v = va_arg(ap, int64_t);
            rc = types[i] == 'z' && v == 0 ? sqlite3_bind_null(st, i + 1) : sqlite3_bind_int64(st, i + 1, v);
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

int store_write(struct scrub_store *s, struct scrub_err *err, const char *what, const char *sql, const char *types,
                ...)
{
    sqlite3_stmt *st = stmt_for(s, sql, types, err, what);
    if (!st)
        return -1;
    va_list ap;
    va_start(ap, types);
    int rc = bind_all(st, types, ap);
    va_end(ap);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        store_fail(s, err, what);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    return sqlite3_changes(s->db);
}

sqlite3_stmt *store_query(struct scrub_store *s, struct scrub_err *err, const char *what, const char *sql,
                          const char *types, ...)
{
    sqlite3_stmt *st = stmt_for(s, sql, types, err, what);
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, types);
    int rc = bind_all(st, types, ap);
    va_end(ap);
    if (rc != SQLITE_OK) {
        store_fail(s, err, what);
        return NULL;
    }
    return st;
}

int store_row(struct scrub_store *s, sqlite3_stmt *st, struct scrub_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    store_fail(s, err, what);
    sqlite3_reset(st);
    return -1;
}

const char *store_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

const char *store_col_text_or_null(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

int store_name_index(const char *const *names, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], text) == 0)
            return (int)i;
    return -1;
}
