/* Crash durability: a child commits a stream of changes and acknowledges
 * each commit through a pipe; the parent SIGKILLs it at a random point,
 * reopens the store and checks that every acknowledged change is there,
 * whole, and nothing in part. Repeated ROUNDS times on the same store.
 *
 * A kill point is a number of acknowledgements to wait for (0: while the
 * child starts, opens and recovers the store, the first time while it is
 * created) and then a delay of up to 3 ms, which lands anywhere in the
 * next commit: statements, WAL writes, fsync, or between the commit and
 * its acknowledgement. Counting acknowledgements, not time, keeps the
 * coverage the same on a slow machine. The points come from
 * SCRUB_STORE_SEED (default 1, printed; a failing round prints its own).
 * SIGKILL tests the process dying, not the machine: it shows that no
 * acknowledgement runs ahead of SQLite's commit (store_fsync_order shows
 * the commit is fsynced). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_test_util.h"
#include "store_writer.h"

#define ROUNDS 120
#define MAX_ACKS_BEFORE_KILL 5
#define MAX_DELAY_US 3000

static unsigned base_seed(void)
{
    const char *env = getenv("SCRUB_STORE_SEED");
    return env && *env ? (unsigned)strtoul(env, NULL, 0) : 1u;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void every_acknowledged_change_survives_sigkill(void **state)
{
    (void)state;
    const char *dir = store_test_dir();
    char dir_copy[512], path[1024];
    snprintf(dir_copy, sizeof(dir_copy), "%s", dir);
    snprintf(path, sizeof(path), "%s", store_test_path(dir_copy, "crash.db"));
    unsigned seed = base_seed();
    print_message("crash test: seed %u (SCRUB_STORE_SEED), %d rounds, store %s\n", seed, ROUNDS, path);
    srand(seed);
    int64_t next = 0, acks = 0;
    int kills = 0, rounds_without_ack = 0, committed_unacked = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int64_t wait_for = rand() % (MAX_ACKS_BEFORE_KILL + 1);
        long delay = rand() % MAX_DELAY_US;
        unsigned child_seed = (unsigned)rand();
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            store_writer_run(path, next, child_seed, fds[1]);
        }
        close(fds[1]);
        int64_t n_acks = 0;
        int64_t acked = store_wait_acks(fds[0], wait_for, &n_acks, -1);
        sleep_us(delay);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail_msg("round %d (seed %u, %lld acknowledgements, %ld us): the writer ended on its own (status %d); "
                     "see its message",
                     round, seed, (long long)wait_for, delay, status);
        kills++;
        int64_t later = store_read_acks(fds[0], &n_acks);
        if (later > acked)
            acked = later;
        close(fds[0]);
        struct store_stream_state st = store_stream_check(path);
        if (st.changes < next)
            fail_msg("round %d (seed %u): the store held changes 0..%lld before this round and only 0..%lld after",
                     round, seed, (long long)next - 1, (long long)st.changes - 1);
        if (acked >= st.changes)
            fail_msg("round %d (seed %u, %lld acknowledgements, %ld us): change %lld was acknowledged but the "
                     "store holds only changes 0..%lld",
                     round, seed, (long long)wait_for, delay, (long long)acked, (long long)st.changes - 1);
        if (n_acks == 0)
            rounds_without_ack++;
        /* Committed but killed before its acknowledgement: allowed (the
         * client retries), and the sign that a kill fell in that window. */
        if (st.changes - 1 > (acked >= 0 ? acked : next - 1))
            committed_unacked++;
        acks += n_acks;
        next = st.changes;
    }
    print_message("crash test: %d kills, %lld acknowledged commits checked, %lld changes stored; %d rounds killed "
                  "before any acknowledgement, %d with a commit stored but not acknowledged\n",
                  kills, (long long)acks, (long long)next, rounds_without_ack, committed_unacked);
    assert_true(kills >= 100);
    /* The rounds waited for 2.5 acknowledgements each on average. */
    assert_true(acks >= ROUNDS);
    store_test_remove_dir(dir_copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_acknowledged_change_survives_sigkill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
