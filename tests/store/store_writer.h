/* A stream of changes for the crash and backup tests, and the check of
 * what a store holds of it.
 *
 * Change k is one mitigation (cuid "stream", mid k) and its audit record,
 * in one transaction with the other changes of its group; changes are
 * numbered from 0 without gaps, in commit order. */
#ifndef STORE_WRITER_H
#define STORE_WRITER_H

#include <stdint.h>

/* In a child process: opens the store at path and commits groups of 1 to 8
 * changes from first_id on, for ever; after each commit writes the last id
 * of the group (an int64_t) to ack_fd: the acknowledgement. Exits 1 with a
 * message on error, never returns. */
void store_writer_run(const char *path, int64_t first_id, unsigned seed, int ack_fd) __attribute__((noreturn));

struct store_stream_state {
    int64_t changes;   /* the changes present: ids 0..changes-1 */
    int64_t audit_rows;
};

/* Opens the store at path as scrubd would (recovery included) and checks
 * that it holds changes 0..n-1 without gaps, each whole (its mitigation and
 * its audit record), and that SQLite's integrity check passes. Fails the
 * test with what is wrong. */
struct store_stream_state store_stream_check(const char *path);

/* Reads acknowledgements until *count reaches want; returns the largest
 * id seen (max if none was read). Fails the test if the writer stops. */
int64_t store_wait_acks(int fd, int64_t want, int64_t *count, int64_t max);

/* Reads every acknowledgement from fd until end of file; returns the
 * largest id, or -1 if there was none. */
int64_t store_read_acks(int fd, int64_t *count);

#endif
