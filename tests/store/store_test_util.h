/* What the store tests share: a scratch directory and raw SQLite access to
 * the files the store writes. */
#ifndef STORE_TEST_UTIL_H
#define STORE_TEST_UTIL_H

#include <stdint.h>

/* A fresh directory under TMPDIR (or /tmp); the path is static storage. */
const char *store_test_dir(void);
/* dir/name into a static buffer (one at a time). */
const char *store_test_path(const char *dir, const char *name);
/* Removes dir and the files in it. */
void store_test_remove_dir(const char *dir);
/* Runs one SQL statement on path with a connection of its own and returns
 * its first column of the first row as an integer (0 if no row). Fails the
 * test on a SQLite error. */
int64_t store_test_sql_int(const char *path, const char *sql);
/* Runs SQL (several statements allowed) on path; fails the test on error. */
void store_test_sql_exec(const char *path, const char *sql);

#endif
