/* Online backup: SQLite's backup API from a connection of its own, in one
 * step, so that the copy is one read snapshot of the WAL database while
 * writers go on (a WAL reader never blocks a writer). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"

static int fail(sqlite3 *db, const char *src, const char *dest, const char *step, struct scrub_err *err)
{
    int rc = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    return scrub_err_set(err, rc == SQLITE_BUSY ? EBUSY : EIO, "store %s: backup to %s: %s: %s (SQLite %s)", src,
                         dest, step, db ? sqlite3_errmsg(db) : "out of memory", sqlite3_errstr(rc));
}

int scrub_store_backup(struct scrub_store *s, const char *dest_path, struct scrub_err *err)
{
    sqlite3 *src = NULL, *dest = NULL;
    int r = -1;
    if (strcmp(dest_path, s->path) == 0)
        return scrub_err_set(err, EINVAL, "store %s: backup: the copy must go to another file", s->path);
    if (sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail(src, s->path, dest_path, "opening the store for reading", err);
        goto out;
    }
    sqlite3_busy_timeout(src, 5000);
    /* A leftover file (or its WAL) would be taken for the destination's
     * current contents; the copy replaces it whole. */
    unlink(dest_path);
    char side[4096];
    snprintf(side, sizeof(side), "%s-wal", dest_path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", dest_path);
    unlink(side);
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fail(dest, s->path, dest_path, "creating the copy", err);
        goto out;
    }
    if (sqlite3_exec(dest, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
        fail(dest, s->path, dest_path, "preparing the copy", err);
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", src, "main");
    if (!b) {
        fail(dest, s->path, dest_path, "starting", err);
        goto out;
    }
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        fail(dest, s->path, dest_path, "copying", err);
        goto out;
    }
    r = 0;
out:
    if (dest && sqlite3_close(dest) != SQLITE_OK && r == 0)
        r = fail(dest, s->path, dest_path, "closing the copy", err);
    sqlite3_close(src);
    return r;
}
