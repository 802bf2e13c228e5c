#include "simcard_chan.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

uint64_t simcard_chan_bytes(uint32_t max_ops)
{
    return sizeof(struct simcard_chan) + (uint64_t)max_ops * sizeof(struct simcard_op);
}

/* Shared (not FUTEX_PRIVATE) operations: the word lives in a mapping of
 * two processes. */
void simcard_futex_wait(_Atomic uint32_t *word, uint32_t expected, unsigned timeout_ms)
{
    struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, timeout_ms ? &ts : NULL, NULL, 0);
}

void simcard_futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

bool simcard_pid_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

pid_t simcard_chan_claim(struct simcard_chan *ch, pid_t pid)
{
    for (;;) {
        int32_t holder = atomic_load(&ch->holder_pid);
        if (holder == pid || (holder && simcard_pid_alive(holder)))
            return holder;
        if (atomic_compare_exchange_strong(&ch->holder_pid, &holder, pid))
            return 0;
    }
}
