/* Opening and closing the store, and its transactions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"

/* One pragma whose answer must read back as want (checked, because SQLite
 * ignores a journal mode it cannot set and an unknown pragma silently). */
static int pragma(struct scrub_store *s, const char *sql, const char *want, struct scrub_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, err, sql);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return store_fail(s, err, sql);
    }
    if (want) {
        const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!got || strcmp(got, want) != 0) {
            int r = store_refuse(s, err, ENOTSUP, sql, "SQLite answered '%s', not '%s'", got ? got : "(nothing)", want);
            sqlite3_finalize(st);
            return r;
        }
    }
    sqlite3_finalize(st);
    return 0;
}

struct scrub_store *scrub_store_open(const char *path, int busy_timeout_ms, struct scrub_err *err)
{
    struct scrub_store *s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        scrub_err_set(err, ENOMEM, "store %s: open: out of memory", path);
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, err, "open");
        scrub_store_close(s);
        return NULL;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, busy_timeout_ms);
    int64_t version;
    if (store_check_version(s, &version, err) || pragma(s, "PRAGMA journal_mode = WAL", "wal", err) ||
        pragma(s, "PRAGMA synchronous = FULL", NULL, err) || pragma(s, "PRAGMA synchronous", "2", err) ||
        pragma(s, "PRAGMA foreign_keys = ON", NULL, err) || pragma(s, "PRAGMA foreign_keys", "1", err) ||
        store_migrate(s, err)) {
        scrub_store_close(s);
        return NULL;
    }
    return s;
}

void scrub_store_close(struct scrub_store *s)
{
    if (!s)
        return;
    if (s->in_txn)
        scrub_store_rollback(s);
    for (size_t i = 0; i < STORE_STMT_CACHE && s->cache[i].sql; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

void scrub_store_unlink(const char *path)
{
    static const char *const sides[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
        char name[4200];
        snprintf(name, sizeof(name), "%s%s", path, sides[i]);
        unlink(name);
    }
}

int scrub_store_begin(struct scrub_store *s, struct scrub_err *err)
{
    if (s->in_txn)
        return scrub_err_set(err, EINVAL, "store %s: begin: a transaction is already open", s->path);
    /* IMMEDIATE takes the write lock now, so that no statement inside the
     * transaction can fail later for want of it. */
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, err, "begin");
    s->in_txn = true;
    return 0;
}

int scrub_store_commit(struct scrub_store *s, struct scrub_err *err)
{
    if (store_need_txn(s, err, "commit"))
        return -1;
    /* With journal_mode=WAL and synchronous=FULL, COMMIT returns after the
     * WAL frames and their commit record are written and fsynced. */
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, err, "commit");
    s->in_txn = false;
    return 0;
}

void scrub_store_rollback(struct scrub_store *s)
{
    if (!s->in_txn)
        return;
    for (size_t i = 0; i < STORE_STMT_CACHE && s->cache[i].sql; i++)
        sqlite3_reset(s->cache[i].stmt);
    /* After some errors (I/O, full disk) SQLite has already rolled back;
     * then ROLLBACK fails harmlessly. */
    if (sqlite3_get_autocommit(s->db) == 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_txn = false;
}

int scrub_store_savepoint(struct scrub_store *s, struct scrub_err *err)
{
    if (store_need_txn(s, err, "savepoint"))
        return -1;
    if (sqlite3_exec(s->db, "SAVEPOINT change", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, err, "savepoint");
    return 0;
}

int scrub_store_release(struct scrub_store *s, struct scrub_err *err)
{
    if (store_need_txn(s, err, "release"))
        return -1;
    if (sqlite3_exec(s->db, "RELEASE change", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, err, "release of a savepoint");
    return 0;
}

void scrub_store_rollback_to(struct scrub_store *s)
{
    if (!s->in_txn)
        return;
    for (size_t i = 0; i < STORE_STMT_CACHE && s->cache[i].sql; i++)
        sqlite3_reset(s->cache[i].stmt);
    if (sqlite3_exec(s->db, "ROLLBACK TO change; RELEASE change", NULL, NULL, NULL) != SQLITE_OK)
        scrub_store_rollback(s); /* the savepoint is gone: nothing of the transaction stays */
}

bool scrub_store_in_transaction(const struct scrub_store *s)
{
    return s->in_txn;
}
