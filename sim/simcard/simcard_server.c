#include "simcard_server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simcard_chan.h"

/* The waiter thread rechecks its stop flag this often. */
#define WAITER_MS 200u

struct simcard_server {
    struct simcard_chan *ch;
    size_t bytes;
    char name[NAME_MAX + 1];
    int efd;
    pthread_t waiter;
    bool waiter_started;
    atomic_bool quit;
    struct scrub_hal_txn txn; /* the request, copied out of the shared area before it is checked */
    int32_t holder_seen;
    uint64_t ended, txns, refused;
};

/* The doorbell is a futex word the main loop cannot poll; this thread
 * turns its rings into eventfd counts, so that one poll waits for the
 * client, the traffic and signals. It touches nothing else. */
static void *waiter(void *arg)
{
    struct simcard_server *s = arg;
    uint32_t seen = atomic_load(&s->ch->doorbell);
    while (!atomic_load(&s->quit)) {
        simcard_futex_wait(&s->ch->doorbell, seen, WAITER_MS);
        uint32_t now = atomic_load(&s->ch->doorbell);
        if (now != seen) {
            seen = now;
            simcard_server_poke(s);
        }
    }
    return NULL;
}

/* An existing object of this name: refused if a simcard serves it or it is
 * not a channel; 1 if it was left by a stopped simcard (to be replaced). */
static int check_existing(const char *name, struct scrub_err *err)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd < 0)
        return errno == ENOENT ? 1 : scrub_err_set(err, errno, "shm name %s exists and cannot be opened: %s", name,
                                                   strerror(errno));
    struct stat st;
    struct simcard_chan *h = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(*h))
        h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (h == MAP_FAILED)
        return scrub_err_set(err, EEXIST, "shm name %s is in use by something that is not a scrub-simcard channel; "
                             "choose another with --shm", name);
    int rc = 1;
    pid_t server = atomic_load(&h->server_pid);
    if (h->magic != SIMCARD_CHAN_MAGIC)
        rc = scrub_err_set(err, EEXIST, "shm name %s is in use by something that is not a scrub-simcard channel; "
                           "choose another with --shm", name);
    else if (simcard_pid_alive(server))
        rc = scrub_err_set(err, EEXIST, "shm name %s is in use by scrub-simcard pid %d; choose another with --shm",
                           name, (int)server);
    munmap(h, sizeof(*h));
    return rc;
}

static int create(struct simcard_server *s, uint32_t max_ops, const char *core, struct scrub_err *err)
{
    int fd;
    while ((fd = shm_open(s->name, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0) {
        if (errno != EEXIST)
            return scrub_err_set(err, errno, "shm name %s: cannot create it: %s", s->name, strerror(errno));
        if (check_existing(s->name, err) < 0)
            return -1;
        fprintf(stderr, "scrub-simcard: replacing channel %s, left by a simcard that stopped\n", s->name);
        shm_unlink(s->name);
    }
    s->bytes = (size_t)simcard_chan_bytes(max_ops);
    if (ftruncate(fd, (off_t)s->bytes)) {
        scrub_err_set(err, errno, "shm name %s: cannot size it to %zu bytes: %s", s->name, s->bytes, strerror(errno));
        close(fd);
        shm_unlink(s->name);
        return -1;
    }
    void *map = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        scrub_err_set(err, errno, "shm name %s: mmap of %zu bytes: %s", s->name, s->bytes, strerror(errno));
        shm_unlink(s->name);
        return -1;
    }
    s->ch = map;
    s->ch->version = SIMCARD_CHAN_VERSION;
    s->ch->header_bytes = sizeof(*s->ch);
    s->ch->max_ops = max_ops;
    s->ch->total_bytes = s->bytes;
    snprintf(s->ch->core, sizeof(s->ch->core), "%s", core);
    atomic_store(&s->ch->server_pid, getpid());
    atomic_store(&s->ch->state, SIMCARD_IDLE);
    /* Last: a client checks the magic first. */
    atomic_store((_Atomic uint32_t *)&s->ch->magic, SIMCARD_CHAN_MAGIC);
    return 0;
}

struct simcard_server *simcard_server_open(const char *name, uint32_t max_ops, const char *core,
                                           struct scrub_err *err)
{
    if (name[0] != '/' || strchr(name + 1, '/') || strlen(name) > NAME_MAX || !name[1]) {
        scrub_err_set(err, EINVAL, "shm name '%s': must be '/' and up to %d characters without another '/'", name,
                      NAME_MAX - 1);
        return NULL;
    }
    struct simcard_server *s = calloc(1, sizeof(*s));
    if (!s) {
        scrub_err_set(err, ENOMEM, "out of memory opening the channel");
        return NULL;
    }
    strcpy(s->name, name);
    scrub_txn_init(&s->txn);
    s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->efd < 0) {
        scrub_err_set(err, errno, "eventfd: %s", strerror(errno));
        free(s);
        return NULL;
    }
    if (create(s, max_ops, core, err)) {
        close(s->efd);
        free(s);
        return NULL;
    }
    /* Signals go to the main thread, never to the waiter. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->waiter, NULL, waiter, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        scrub_err_set(err, rc, "cannot start the channel's waiter thread: %s", strerror(rc));
        simcard_server_close(s, false);
        return NULL;
    }
    s->waiter_started = true;
    return s;
}

int simcard_server_fd(const struct simcard_server *s)
{
    return s->efd;
}

void simcard_server_poke(const struct simcard_server *s)
{
    uint64_t one = 1;
    ssize_t n = write(s->efd, &one, sizeof(one));
    (void)n; /* the count saturating is still readable */
}

bool simcard_server_posted(const struct simcard_server *s)
{
    return atomic_load_explicit(&s->ch->state, memory_order_acquire) == SIMCARD_POSTED;
}

uint64_t simcard_server_sessions_ended(const struct simcard_server *s)
{
    return s->ended;
}

uint64_t simcard_server_txns(const struct simcard_server *s)
{
    return s->txns;
}

uint64_t simcard_server_refused(const struct simcard_server *s)
{
    return s->refused;
}

/* Clients coming and going; a holder that died is released, so the card
 * stays free for the next one (which could also take it over itself). */
static void watch_session(struct simcard_server *s)
{
    int32_t holder = atomic_load(&s->ch->holder_pid);
    if (holder && holder == s->holder_seen && !simcard_pid_alive(holder)) {
        fprintf(stderr, "scrub-simcard: client pid %d died without closing the channel; the card keeps its state\n",
                (int)holder);
        atomic_compare_exchange_strong(&s->ch->holder_pid, &holder, 0);
        holder = atomic_load(&s->ch->holder_pid);
    }
    if (holder == s->holder_seen)
        return;
    if (s->holder_seen) {
        fprintf(stderr, "scrub-simcard: client pid %d left\n", (int)s->holder_seen);
        s->ended++;
    }
    if (holder)
        fprintf(stderr, "scrub-simcard: client pid %d connected\n", (int)holder);
    s->holder_seen = holder;
}

/* The whole request, before anything runs: what a client could get wrong
 * or a stray writer could put there. */
static int check_request(const struct simcard_server *s, uint32_t version, uint32_t commit, uint32_t *bad_op,
                         struct scrub_err *err)
{
    const struct scrub_hal_txn *t = &s->txn;
    *bad_op = 0;
    if (version != SIMCARD_CHAN_VERSION)
        return scrub_err_set(err, EPROTONOSUPPORT, "request of channel version %u, this simcard speaks %u", version,
                             SIMCARD_CHAN_VERSION);
    if (commit > 1)
        return scrub_err_set(err, EINVAL, "commit flag %u is neither 0 nor 1", commit);
    for (size_t i = 0; i < t->n; i++) {
        const struct scrub_hal_op *op = &t->ops[i];
        *bad_op = (uint32_t)i;
        if (op->addr & 3)
            return scrub_err_set(err, EINVAL, "op %zu: address 0x%08x is not 32-bit aligned", i, op->addr);
        if (!scrub_reg_name(op->addr))
            return scrub_err_set(err, EINVAL, "op %zu: address 0x%08x is not a register of the map", i, op->addr);
        if (op->kind != SCRUB_HAL_POLL)
            continue;
        if (op->timeout_us > SIMCARD_MAX_POLL_US)
            return scrub_err_set(err, EINVAL, "op %zu: poll timeout %u us beyond the limit of %u us", i,
                                 op->timeout_us, SIMCARD_MAX_POLL_US);
        if (op->expect & ~op->mask)
            return scrub_err_set(err, EINVAL, "op %zu: poll wants 0x%08x, which has bits outside its mask 0x%08x",
                                 i, op->expect, op->mask);
    }
    return 0;
}

/* Copies the request out (so that nothing the client writes meanwhile
 * changes what was checked), checks it, runs it. */
static void serve_request(struct simcard_server *s, struct simcard_core *core)
{
    struct simcard_chan *ch = s->ch;
    uint32_t n = ch->n_ops, version = ch->req_version, commit = ch->commit, bad_op = 0;
    struct scrub_err err = {0};
    int rc = 0;
    scrub_txn_reset(&s->txn);
    if (n > ch->max_ops) {
        rc = scrub_err_set(&err, E2BIG, "a request of %u ops exceeds the channel's capacity of %u", n, ch->max_ops);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            struct simcard_op o = ch->ops[i];
            if (o.kind > SCRUB_HAL_POLL) {
                bad_op = i;
                rc = scrub_err_set(&err, EINVAL, "op %u: unknown kind %u", i, o.kind);
                break;
            }
            scrub_txn_write(&s->txn, 0, 0);
            if (s->txn.oom) {
                rc = scrub_err_set(&err, ENOMEM, "out of memory copying a request of %u ops", n);
                break;
            }
            s->txn.ops[s->txn.n - 1] = (struct scrub_hal_op){.kind = (uint8_t)o.kind, .addr = o.addr,
                                                             .value = o.value, .mask = o.mask, .expect = o.expect,
                                                             .timeout_us = o.timeout_us};
        }
        s->txn.commit = commit == 1;
        if (rc == 0)
            rc = check_request(s, version, commit, &bad_op, &err);
    }
    if (rc) {
        s->refused++;
        scrub_err_prefix(&err, "simcard: channel %s: request refused, nothing executed", s->name);
        ch->failed = bad_op;
    } else {
        s->txns++;
        rc = simcard_core_run(core, &s->txn, &err);
        for (uint32_t i = 0; i < n; i++)
            ch->ops[i].value = s->txn.ops[i].value;
        ch->failed = (uint32_t)s->txn.failed;
    }
    ch->rc = rc;
    ch->code = rc ? err.code : 0;
    snprintf(ch->error, sizeof(ch->error), "%s", rc ? err.msg : "");
    atomic_store_explicit(&ch->state, SIMCARD_DONE, memory_order_release);
    simcard_futex_wake(&ch->state);
}

void simcard_server_serve(struct simcard_server *s, struct simcard_core *core)
{
    uint64_t count;
    while (read(s->efd, &count, sizeof(count)) > 0)
        ;
    watch_session(s);
    uint32_t posted = SIMCARD_POSTED;
    if (atomic_compare_exchange_strong(&s->ch->state, &posted, SIMCARD_RUNNING))
        serve_request(s, core);
}

void simcard_server_close(struct simcard_server *s, bool keep)
{
    if (!s)
        return;
    if (s->waiter_started) {
        atomic_store(&s->quit, true);
        simcard_futex_wake(&s->ch->doorbell);
        pthread_join(s->waiter, NULL);
    }
    /* A client waiting on a transaction sees the simcard gone at once. */
    atomic_store(&s->ch->server_pid, 0);
    simcard_futex_wake(&s->ch->state);
    if (!keep)
        shm_unlink(s->name);
    munmap(s->ch, s->bytes);
    close(s->efd);
    scrub_txn_free(&s->txn);
    free(s);
}
