/* The control channel between scrub-simcard (the server, sim/simcard) and
 * its one client (the simcard HAL backend): a POSIX shared-memory object
 * holding one HAL transaction at a time and its results. Owns the layout,
 * the request/reply protocol and the session rule (one client at a time).
 *
 * Layout (all fields native-endian, the object is local to one machine):
 *
 *   struct simcard_chan                  header, written by the server at start
 *     magic, version, header_bytes       what a client checks before anything else
 *     max_ops, total_bytes               the ops area's capacity
 *     server_pid                         the simcard; 0 once it stopped cleanly
 *     core                               "rtl" or "model"
 *     holder_pid                         the client holding the session, 0 if none
 *     doorbell                           bumped (and futex-woken) by the client
 *     state                              IDLE, POSTED, RUNNING, DONE
 *     request: req_version, n_ops, commit
 *     reply:   rc, code, failed, error[512]
 *   struct simcard_op ops[max_ops]       the transaction, values written back
 *
 * Protocol: the client holding the session fills the request while the
 * state is IDLE, sets POSTED, bumps the doorbell and wakes it. The server
 * copies the request out, checks all of it, runs it between two frames,
 * writes the values back into ops[], sets the reply and DONE, and wakes the
 * state word. The client reads the reply and sets IDLE.
 *
 * Synchronisation is by futexes on these words rather than process-shared
 * pthread mutexes and condition variables: a robust mutex survives its
 * holder's death, but a process killed inside pthread_cond_wait leaves
 * waiter bookkeeping in the condition variable that nothing cleans up (in
 * glibc before 2.41 the next signal can block on it), and a client killed
 * at any point must not wedge the card. A futex word holds no hidden state:
 * every value the client can leave behind means something, and the server
 * never waits for the client. Session ownership is a compare-and-swap on
 * holder_pid; a holder that no longer exists is taken over. */
#ifndef SIMCARD_CHAN_H
#define SIMCARD_CHAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The channel's default name and the variable that overrides it. */
#define SIMCARD_CHAN_DEFAULT "/scrub-simcard"
#define SIMCARD_CHAN_ENV "SCRUB_SIMCARD_SHM"

#define SIMCARD_CHAN_MAGIC 0x53434348u /* 'SCCH' */
#define SIMCARD_CHAN_VERSION 1u
#define SIMCARD_CHAN_ERROR_BYTES 512u
/* The longest poll a request may carry: the HAL's longest wait (commit). */
#define SIMCARD_MAX_POLL_US 1000000u

enum simcard_state {
    SIMCARD_IDLE,
    SIMCARD_POSTED,
    SIMCARD_RUNNING,
    SIMCARD_DONE,
};

/* One op, as struct scrub_hal_op with a fixed layout. */
struct simcard_op {
    uint32_t kind; /* SCRUB_HAL_* */
    uint32_t addr, value, mask, expect, timeout_us;
};

struct simcard_chan {
    uint32_t magic, version, header_bytes, max_ops;
    uint64_t total_bytes;
    _Atomic int32_t server_pid;
    char core[12];
    _Atomic int32_t holder_pid;
    _Atomic uint32_t doorbell;
    _Atomic uint32_t state;
    /* request */
    uint32_t req_version, n_ops, commit;
    /* reply */
    int32_t rc, code; /* rc 0 or -1; code: an errno value */
    uint32_t failed;  /* rc -1: the op that failed (n_ops: the commit) */
    char error[SIMCARD_CHAN_ERROR_BYTES];
    struct simcard_op ops[];
};

/* The object's size for a capacity of max_ops. */
uint64_t simcard_chan_bytes(uint32_t max_ops);

/* Waits while *word == expected, at most timeout_ms (0: no limit);
 * returns early on a wake, a signal or a timeout, the caller rechecks. */
void simcard_futex_wait(_Atomic uint32_t *word, uint32_t expected, unsigned timeout_ms);
void simcard_futex_wake(_Atomic uint32_t *word);

/* Takes the session for pid: 0, or the pid of a live holder (a holder
 * that no longer exists is taken over). */
pid_t simcard_chan_claim(struct simcard_chan *ch, pid_t pid);

/* Whether a process with this pid exists (it may be a zombie). */
bool simcard_pid_alive(pid_t pid);

#endif
