#include "store_writer.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scrub_store.h"
#include "store_test_util.h"

static int change(struct scrub_store *s, int64_t id, struct scrub_err *err)
{
    char scope[96], what[64];
    snprintf(scope, sizeof(scope), "{\"target-prefix\":[\"198.51.100.%d/32\"],\"lifetime\":600}", (int)(id % 256));
    snprintf(what, sizeof(what), "change %lld", (long long)id);
    struct scrub_store_mitigation m = {
        .identity = "stream.example.net", .cuid = "stream", .mid = id, .scope = scope, .profile = "standard",
        .lifetime = 600, .status = SCRUB_STORE_ACTIVE, .created_at = 1700000000 + id,
        .triggered_at = 1700000000 + id, .expires_at = 1700000600 + id, .boot_id = "b", .expires_boottime_ms = id,
    };
    struct scrub_store_audit a = {.at_ms = id, .who_kind = SCRUB_STORE_WHO_CERTIFICATE, .who = "stream.example.net",
                                  .channel = SCRUB_STORE_CHANNEL_SIGNAL, .what = what, .result = "ok"};
    return scrub_store_mitigation_put(s, &m, err) || scrub_store_audit_append(s, &a, err) ? -1 : 0;
}

void store_writer_run(const char *path, int64_t first_id, unsigned seed, int ack_fd)
{
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(path, 10000, &err);
    if (!s)
        goto fail;
    srand(seed);
    for (int64_t id = first_id;;) {
        int group = 1 + rand() % 8;
        if (scrub_store_begin(s, &err))
            goto fail;
        for (int i = 0; i < group; i++, id++)
            if (change(s, id, &err))
                goto fail;
        if (scrub_store_commit(s, &err))
            goto fail;
        int64_t last = id - 1;
        if (write(ack_fd, &last, sizeof(last)) != (ssize_t)sizeof(last)) {
            fprintf(stderr, "store writer: acknowledging %lld: %s\n", (long long)last, strerror(errno));
            _exit(1);
        }
    }
fail:
    fprintf(stderr, "store writer: %s\n", err.msg);
    _exit(1);
}

struct store_stream_state store_stream_check(const char *path)
{
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(path, 10000, &err);
    if (!s)
        fail_msg("reopening after the writer: %s", err.msg);
    scrub_store_close(s);
    struct store_stream_state st = {
        .changes = store_test_sql_int(path, "SELECT count(*) FROM mitigation WHERE cuid = 'stream'"),
        .audit_rows = store_test_sql_int(path, "SELECT count(*) FROM audit WHERE what LIKE 'change %'"),
    };
    int64_t bad = store_test_sql_int(path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'");
    if (bad)
        fail_msg("%s: SQLite's integrity check reports %lld problems", path, (long long)bad);
    int64_t max = store_test_sql_int(path, "SELECT coalesce(max(mid), -1) FROM mitigation WHERE cuid = 'stream'");
    if (max != st.changes - 1)
        fail_msg("%s: %lld changes but the largest id is %lld: a gap", path, (long long)st.changes, (long long)max);
    int64_t unmatched = store_test_sql_int(
        path, "SELECT count(*) FROM mitigation m WHERE cuid = 'stream' AND NOT EXISTS"
              " (SELECT 1 FROM audit a WHERE a.what = 'change ' || m.mid)");
    if (unmatched || st.audit_rows != st.changes)
        fail_msg("%s: %lld changes, %lld audit records, %lld changes without theirs: a change stored in part", path,
                 (long long)st.changes, (long long)st.audit_rows, (long long)unmatched);
    return st;
}

int64_t store_wait_acks(int fd, int64_t want, int64_t *count, int64_t max)
{
    while (*count < want) {
        int64_t id;
        ssize_t n = read(fd, &id, sizeof(id));
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof(id))
            fail_msg("the writer stopped acknowledging (read %zd); see its message", n);
        assert_true(id > max);
        max = id;
        (*count)++;
    }
    return max;
}

int64_t store_read_acks(int fd, int64_t *count)
{
    int64_t max = -1, id;
    unsigned char *p = (unsigned char *)&id;
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, p + have, sizeof(id) - have);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n >= 0);
        if (n == 0)
            break;
        have += (size_t)n;
        if (have == sizeof(id)) {
            assert_true(id > max);
            max = id;
            (*count)++;
            have = 0;
        }
    }
    return max;
}
