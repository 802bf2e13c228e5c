/* What the store's files share: the handle, the statement cache, and the
 * helpers that run a statement and turn SQLite's failures into scrub_err
 * values naming the operation, the record and SQLite's message. */
#ifndef STORE_INTERNAL_H
#define STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scrub_store.h"

/* Prepared statements are kept by the address of their SQL text (a string
 * literal of the store's own), so each is compiled once per handle. */
#define STORE_STMT_CACHE 48

struct scrub_store {
    sqlite3 *db;
    char *path;
    bool in_txn;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STORE_STMT_CACHE];
};

/* Sets err to "store: <what>: <SQLite's message>"; if a transaction is
 * open, rolls it back and says so. Returns -1. */
int store_fail(struct scrub_store *s, struct scrub_err *err, const char *what);
/* The same with our own reason instead of SQLite's message. */
int store_refuse(struct scrub_store *s, struct scrub_err *err, int code, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fails (without touching the database) when no transaction is open. */
int store_need_txn(struct scrub_store *s, struct scrub_err *err, const char *what);

/* The cached statement for sql, reset and unbound; NULL after store_fail. */
sqlite3_stmt *store_stmt(struct scrub_store *s, const char *sql, struct scrub_err *err, const char *what);

/* Binds the arguments by types ('t': const char *, NULL binds NULL; 'i':
 * int64_t; 'z': int64_t, 0 binds NULL) and steps sql to its end. Returns
 * the number of rows changed, or -1 after store_fail. */
int store_write(struct scrub_store *s, struct scrub_err *err, const char *what, const char *sql, const char *types,
                ...);
/* Binds as store_write and returns the statement ready for stepping rows,
 * or NULL after store_fail. */
sqlite3_stmt *store_query(struct scrub_store *s, struct scrub_err *err, const char *what, const char *sql,
                          const char *types, ...);
/* Steps a query to its next row: 1 row, 0 done, -1 after store_fail. */
int store_row(struct scrub_store *s, sqlite3_stmt *st, struct scrub_err *err, const char *what);

/* A text column, "" for NULL; and one that stays NULL. */
const char *store_col_text(sqlite3_stmt *st, int col);
const char *store_col_text_or_null(sqlite3_stmt *st, int col);

/* scrub_store_cuid_claim inside an operation named what. */
int store_claim(struct scrub_store *s, const char *cuid, const char *identity, int64_t at, const char *what,
                struct scrub_err *err);

/* The index of text in names[0..n), or -1. */
int store_name_index(const char *const *names, size_t n, const char *text);

/* The schema's history: migration i takes version i to version i + 1.
 * Released migrations are never edited; a change is a new one at the end. */
struct store_migration {
    const char *what; /* one line for logs and errors */
    const char *sql;
};
extern const struct store_migration store_migrations[];
extern const int store_n_migrations;

/* PRAGMA application_id of a scrubd store ("SCRB"). */
#define STORE_APPLICATION_ID 0x53435242

/* Refuses what this code must not write into: a newer schema, or a SQLite
 * file that is something else; else sets *version. Runs before anything
 * is written, and again inside each migration's transaction so that two
 * processes opening a new store at once do not both migrate it. */
int store_check_version(struct scrub_store *s, int64_t *version, struct scrub_err *err);
/* Runs the migrations from the database's version up to the code's, each
 * in its own transaction; refuses a newer or foreign database. */
int store_migrate(struct scrub_store *s, struct scrub_err *err);

#endif
