/* The audit log: appended inside the transaction of the change it records,
 * so that a change and its record are durable together. */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

static const char *const who_names[] = {"certificate", "local-user", "daemon"};
static const char *const channel_names[] = {"signal", "data", "control", "config"};
#define N_WHO (sizeof(who_names) / sizeof(who_names[0]))
#define N_CHANNEL (sizeof(channel_names) / sizeof(channel_names[0]))

const char *scrub_store_who_name(enum scrub_store_who w)
{
    return (unsigned)w < N_WHO ? who_names[w] : "invalid";
}

const char *scrub_store_channel_name(enum scrub_store_channel c)
{
    return (unsigned)c < N_CHANNEL ? channel_names[c] : "invalid";
}

static const char SQL_APPEND[] =
    "INSERT INTO audit (at_ms, who_kind, who, channel, what, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_AFTER[] =
    "SELECT id, at_ms, who_kind, who, channel, what, result FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2";

int scrub_store_audit_append(struct scrub_store *s, const struct scrub_store_audit *a, struct scrub_err *err)
{
    char what[320];
    snprintf(what, sizeof(what), "append audit record (%s '%s', %s: %s)", scrub_store_who_name(a->who_kind),
             a->who ? a->who : "(null)", scrub_store_channel_name(a->channel), a->what ? a->what : "(null)");
    if (store_need_txn(s, err, what))
        return -1;
    if ((unsigned)a->who_kind >= N_WHO || (unsigned)a->channel >= N_CHANNEL)
        return store_refuse(s, err, EINVAL, what, "who kind %d or channel %d out of range", (int)a->who_kind,
                            (int)a->channel);
    return store_write(s, err, what, SQL_APPEND, "ittttt", a->at_ms, who_names[a->who_kind], a->who,
                       channel_names[a->channel], a->what, a->result) < 0
               ? -1
               : 0;
}

int scrub_store_audit_each(struct scrub_store *s, int64_t after_id, size_t limit, scrub_store_audit_fn fn, void *ctx,
                           struct scrub_err *err)
{
    const char *what = "read the audit log";
    /* LIMIT -1 is SQLite's "no limit". */
    sqlite3_stmt *st = store_query(s, err, what, SQL_AFTER, "ii", after_id, limit ? (int64_t)limit : (int64_t)-1);
    if (!st)
        return -1;
    int row;
    while ((row = store_row(s, st, err, what)) == 1) {
        int wi = store_name_index(who_names, N_WHO, store_col_text(st, 2));
        int ci = store_name_index(channel_names, N_CHANNEL, store_col_text(st, 4));
        if (wi < 0 || ci < 0) {
            long long id = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
            return store_refuse(s, err, EILSEQ, what, "record %lld has an unknown who kind or channel", id);
        }
        struct scrub_store_audit a = {
            .id = sqlite3_column_int64(st, 0),
            .at_ms = sqlite3_column_int64(st, 1),
            .who_kind = (enum scrub_store_who)wi,
            .who = store_col_text(st, 3),
            .channel = (enum scrub_store_channel)ci,
            .what = store_col_text(st, 5),
            .result = store_col_text(st, 6),
        };
        int r = fn(ctx, &a);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    return row;
}
