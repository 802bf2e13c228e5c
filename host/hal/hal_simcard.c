#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scrub_hal_simcard.h"
#include "simcard_chan.h"

/* How often a waiting client checks that the simcard still runs. */
#define LIVENESS_MS 200u

struct simcard_client {
    struct simcard_chan *ch;
    size_t bytes;
    pid_t pid;
    char name[NAME_MAX + 1];
};

const char *scrub_hal_simcard_channel(const char *name)
{
    const char *env = getenv(SIMCARD_CHAN_ENV);
    return name ? name : env && *env ? env : SIMCARD_CHAN_DEFAULT;
}

static void ring(struct simcard_chan *ch)
{
    atomic_fetch_add(&ch->doorbell, 1);
    simcard_futex_wake(&ch->doorbell);
}

/* The header, checked before the whole object is mapped. */
static int check_header(const char *name, int fd, size_t *bytes, struct scrub_err *err)
{
    struct stat st;
    if (fstat(fd, &st))
        return scrub_err_set(err, errno, "simcard backend: channel %s: %s", name, strerror(errno));
    if ((size_t)st.st_size < sizeof(struct simcard_chan))
        return scrub_err_set(err, EPROTO, "simcard backend: channel %s: %lld bytes, too small for a channel: not a "
                             "scrub-simcard channel", name, (long long)st.st_size);
    struct simcard_chan *h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED)
        return scrub_err_set(err, errno, "simcard backend: channel %s: mmap: %s", name, strerror(errno));
    int rc = 0;
    pid_t server = atomic_load(&h->server_pid);
    if (h->magic != SIMCARD_CHAN_MAGIC)
        rc = scrub_err_set(err, EPROTO, "simcard backend: channel %s: magic 0x%08x: not a scrub-simcard channel",
                           name, h->magic);
    else if (h->version != SIMCARD_CHAN_VERSION || h->header_bytes != sizeof(*h))
        rc = scrub_err_set(err, EPROTONOSUPPORT, "simcard backend: channel %s: version mismatch: the simcard speaks "
                           "channel version %u (%u-byte header), this client version %u (%zu-byte header)",
                           name, h->version, h->header_bytes, SIMCARD_CHAN_VERSION, sizeof(*h));
    else if (h->total_bytes != simcard_chan_bytes(h->max_ops) || h->total_bytes > (uint64_t)st.st_size)
        rc = scrub_err_set(err, EPROTO, "simcard backend: channel %s: header says %llu bytes for %u ops, the object "
                           "has %lld: not a valid channel", name, (unsigned long long)h->total_bytes, h->max_ops,
                           (long long)st.st_size);
    else if (!simcard_pid_alive(server))
        rc = scrub_err_set(err, ECONNREFUSED, "simcard backend: channel %s: no scrub-simcard running (the channel "
                           "was left by a simcard that stopped)", name);
    *bytes = (size_t)h->total_bytes;
    munmap(h, sizeof(*h));
    return rc;
}

/* Takes the session, or says who holds it; a holder that no longer exists
 * is taken over (it died without closing). */
static int claim(struct simcard_client *c, struct scrub_err *err)
{
    pid_t holder = simcard_chan_claim(c->ch, c->pid);
    if (holder == c->pid)
        return scrub_err_set(err, EBUSY, "simcard backend: channel %s: busy: this process (pid %d) already holds it",
                             c->name, (int)holder);
    if (holder)
        return scrub_err_set(err, EBUSY, "simcard backend: channel %s: busy: held by pid %d (one client at a time)",
                             c->name, (int)holder);
    /* A client that died after posting leaves its transaction to finish. */
    for (uint32_t s; (s = atomic_load(&c->ch->state)) == SIMCARD_POSTED || s == SIMCARD_RUNNING;) {
        if (!simcard_pid_alive(atomic_load(&c->ch->server_pid))) {
            atomic_store(&c->ch->holder_pid, 0);
            return scrub_err_set(err, ECONNRESET, "simcard backend: channel %s: the simcard stopped", c->name);
        }
        simcard_futex_wait(&c->ch->state, s, LIVENESS_MS);
    }
    atomic_store(&c->ch->state, SIMCARD_IDLE);
    ring(c->ch);
    return 0;
}

void *scrub_hal_simcard_open(const char *name, struct scrub_err *err)
{
    name = scrub_hal_simcard_channel(name);
    struct simcard_client *c = calloc(1, sizeof(*c));
    if (!c) {
        scrub_err_set(err, ENOMEM, "out of memory opening the simcard backend");
        return NULL;
    }
    if (strlen(name) > NAME_MAX) {
        scrub_err_set(err, ENAMETOOLONG, "simcard backend: channel name '%.40s...' longer than %d", name, NAME_MAX);
        free(c);
        return NULL;
    }
    strcpy(c->name, name);
    c->pid = getpid();
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) {
        if (errno == ENOENT)
            scrub_err_set(err, ECONNREFUSED, "simcard backend: channel %s: no scrub-simcard running (no such "
                          "shared memory object; start scrub-simcard or set %s)", name, SIMCARD_CHAN_ENV);
        else
            scrub_err_set(err, errno, "simcard backend: channel %s: shm_open: %s", name, strerror(errno));
        free(c);
        return NULL;
    }
    void *map = MAP_FAILED;
    if (check_header(name, fd, &c->bytes, err) == 0) {
        map = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
            scrub_err_set(err, errno, "simcard backend: channel %s: mmap of %zu bytes: %s", name, c->bytes,
                          strerror(errno));
    }
    close(fd);
    if (map == MAP_FAILED) {
        free(c);
        return NULL;
    }
    c->ch = map;
    if (claim(c, err)) {
        munmap(c->ch, c->bytes);
        free(c);
        return NULL;
    }
    return c;
}

static int run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct simcard_client *c = ctx;
    struct simcard_chan *ch = c->ch;
    if (t->n > ch->max_ops)
        return scrub_err_set(err, E2BIG, "simcard backend: channel %s: a transaction of %zu ops exceeds the "
                             "channel's capacity of %u ops (scrub-simcard --max-ops)", c->name, t->n, ch->max_ops);
    if (atomic_load(&ch->holder_pid) != c->pid)
        return scrub_err_set(err, EPIPE, "simcard backend: channel %s: this client no longer holds the session",
                             c->name);
    for (size_t i = 0; i < t->n; i++) {
        const struct scrub_hal_op *op = &t->ops[i];
        ch->ops[i] = (struct simcard_op){.kind = op->kind, .addr = op->addr, .value = op->value, .mask = op->mask,
                                         .expect = op->expect, .timeout_us = op->timeout_us};
    }
    ch->req_version = SIMCARD_CHAN_VERSION;
    ch->n_ops = (uint32_t)t->n;
    ch->commit = t->commit;
    atomic_store(&ch->state, SIMCARD_POSTED);
    ring(ch);
    for (uint32_t s; (s = atomic_load(&ch->state)) != SIMCARD_DONE;) {
        pid_t server = atomic_load(&ch->server_pid);
        if (!simcard_pid_alive(server))
            return scrub_err_set(err, ECONNRESET, "simcard backend: channel %s: the simcard stopped during the "
                                 "transaction", c->name);
        simcard_futex_wait(&ch->state, s, LIVENESS_MS);
    }
    for (size_t i = 0; i < t->n; i++)
        t->ops[i].value = ch->ops[i].value;
    int rc = 0;
    if (ch->rc) {
        t->failed = ch->failed;
        ch->error[sizeof(ch->error) - 1] = '\0';
        rc = scrub_err_set(err, ch->code ? ch->code : EIO, "%s", ch->error);
    }
    atomic_store(&ch->state, SIMCARD_IDLE);
    return rc;
}

static void close_ctx(void *ctx)
{
    struct simcard_client *c = ctx;
    int32_t me = c->pid;
    atomic_compare_exchange_strong(&c->ch->holder_pid, &me, 0);
    ring(c->ch);
    munmap(c->ch, c->bytes);
    free(c);
}

const struct scrub_hal_backend scrub_hal_simcard_backend = {.name = "simcard", .run = run, .close = close_ctx};
