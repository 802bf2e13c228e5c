/* Online backup while a writer commits: every copy is a consistent store
 * (SQLite's integrity check, changes 0..n-1 each whole) holding at least
 * every change acknowledged before the copy began, and opens as a store. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scrub_store.h"
#include "store_test_util.h"
#include "store_writer.h"

#define BACKUPS 8

static void backups_while_writing_are_consistent(void **state)
{
    (void)state;
    char dir[512], path[1024], copy[1024];
    snprintf(dir, sizeof(dir), "%s", store_test_dir());
    snprintf(path, sizeof(path), "%s", store_test_path(dir, "live.db"));
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(path, 1000, &err);
    if (!s)
        fail_msg("%s", err.msg);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        store_writer_run(path, 0, 7, fds[1]);
    }
    close(fds[1]);
    int64_t count = 0, acked = -1, first_copy = -1, last_copy = -1;
    for (int i = 0; i < BACKUPS; i++) {
        acked = store_wait_acks(fds[0], count + 3, &count, acked);
        snprintf(copy, sizeof(copy), "%s/copy-%d.db", dir, i);
        if (scrub_store_backup(s, copy, &err))
            fail_msg("%s", err.msg);
        struct store_stream_state st = store_stream_check(copy);
        print_message("backup %d: %lld changes (acknowledged before it began: up to %lld)\n", i,
                      (long long)st.changes, (long long)acked);
        if (acked >= st.changes)
            fail_msg("backup %d lacks acknowledged change %lld (holds 0..%lld)", i, (long long)acked,
                     (long long)st.changes - 1);
        if (first_copy < 0)
            first_copy = st.changes;
        last_copy = st.changes;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    /* The writer went on between copies: the copies are of a live store. */
    assert_true(last_copy > first_copy);
    /* A copy replaces what is at its path, and the live store cannot be its own copy. */
    if (scrub_store_backup(s, copy, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(scrub_store_backup(s, path, &err), -1);
    assert_non_null(strstr(err.msg, "another file"));
    scrub_store_close(s);
    store_test_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backups_while_writing_are_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
