/* The tests' client of scrub-simcard. Through the simcard HAL backend
 * (channel from $SCRUB_SIMCARD_SHM):
 *   apply CONFIG            lay a configuration out on the card (host/config)
 *   ident                   what the card says of itself
 *   read ADDR | write ADDR VALUE [ADDR VALUE...] (one transaction)
 *   hold SECONDS            keep the session that long
 *   compare-tables CONFIG   the card's tables equal those of a model given CONFIG
 *   bench N                 N one-read transactions: microseconds each
 * And straight on the channel, as a faulty client would:
 *   raw-bad                 post malformed requests; each must be refused whole
 *   die-before-post         claim the session, write half a request, die
 *   die-after-post VALUE    post COOKIE_HI = VALUE, die before the reply
 *   version-mismatch        a channel of another version is refused, saying so
 * Prints what it found; exits 1 on a failed check. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config_apply.h"
#include "scrub_config.h"
#include "scrub_hal.h"
#include "scrub_hal_model.h"
#include "scrub_hal_simcard.h"
#include "scrub_model.h"
#include "simcard_chan.h"

static void die_err(const struct scrub_err *err)
{
    fprintf(stderr, "simcard_client: %s\n", err->msg);
    exit(1);
}

static struct scrub_hal *open_simcard(void)
{
    struct scrub_err err = {0};
    struct scrub_hal *h = scrub_hal_open("simcard", &err);
    if (!h)
        die_err(&err);
    return h;
}

static uint32_t num(const char *s)
{
    return (uint32_t)strtoul(s, NULL, 0);
}

static int cmd_apply(const char *path)
{
    struct scrub_err err = {0};
    struct scrub_config cfg;
    struct scrub_layout layout = {0};
    if (scrub_config_load(path, NULL, &cfg, &err))
        die_err(&err);
    struct scrub_hal *h = open_simcard();
    if (scrub_config_apply(h, &cfg, &layout, &err))
        die_err(&err);
    printf("applied %s: dest %u, em %u, acl %u, policers %u, counter pairs %u\n", path, layout.dest.used,
           layout.em.used, layout.acl.used, layout.policers.used, layout.counter_pairs.used);
    scrub_layout_free(&layout);
    scrub_config_free(&cfg);
    scrub_hal_close(h);
    return 0;
}

static int cmd_ident(void)
{
    struct scrub_hal *h = open_simcard();
    const struct scrub_caps *c = &h->caps;
    printf("version %u.%u, dest %u, em %u x %u x %u + %u, acl %u, policers %u, counters %u, fifo %u beats\n",
           c->version >> SCRUB_VERSION_MAJOR_LSB, c->version & SCRUB_VERSION_MINOR_MASK, c->dest, c->em_ways,
           c->em_buckets, c->em_slots, c->em_stash, c->acl, c->policers, c->counters, c->fifo_beats);
    scrub_hal_close(h);
    return 0;
}

static int cmd_read(uint32_t addr)
{
    struct scrub_err err = {0};
    struct scrub_hal *h = open_simcard();
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_read(&t, addr);
    if (scrub_hal_run(h, &t, &err))
        die_err(&err);
    printf("0x%08x\n", t.ops[0].value);
    scrub_txn_free(&t);
    scrub_hal_close(h);
    return 0;
}

static int cmd_write(int n, char **args)
{
    struct scrub_err err = {0};
    struct scrub_hal *h = open_simcard();
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    for (int i = 0; i + 1 < n; i += 2)
        scrub_txn_write(&t, num(args[i]), num(args[i + 1]));
    if (scrub_hal_run(h, &t, &err))
        die_err(&err);
    scrub_txn_free(&t);
    scrub_hal_close(h);
    return 0;
}

static int cmd_hold(unsigned seconds)
{
    struct scrub_hal *h = open_simcard();
    printf("holding pid %d\n", (int)getpid());
    fflush(stdout);
    sleep(seconds);
    scrub_hal_close(h);
    return 0;
}

/* Every entry of the shadowed tables and the policer configuration. */
static void read_tables(struct scrub_hal *h, struct scrub_hal_txn *t)
{
    static const struct {
        uint32_t table, words;
    } tables[] = {{SCRUB_TABLE_DEST, SCRUB_TABLE_DEST_WORDS}, {SCRUB_TABLE_ACL, SCRUB_TABLE_ACL_WORDS},
                  {SCRUB_TABLE_POLICER, 5 /* configuration; tokens and time are live */}};
    struct scrub_err err = {0};
    scrub_txn_init(t);
    scrub_txn_read(t, SCRUB_REG_CFG_ACTIONS);
    scrub_txn_read(t, SCRUB_REG_CTRL);
    for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
        uint32_t n = tables[k].table == SCRUB_TABLE_DEST ? h->caps.dest
                     : tables[k].table == SCRUB_TABLE_ACL ? h->caps.acl
                                                          : h->caps.policers;
        for (uint32_t i = 0; i < n; i++)
            scrub_txn_table_read(t, tables[k].table, i, tables[k].words);
    }
    if (scrub_hal_run(h, t, &err))
        die_err(&err);
}

static int cmd_compare_tables(const char *path)
{
    struct scrub_err err = {0};
    struct scrub_config cfg;
    struct scrub_layout layout = {0};
    if (scrub_config_load(path, NULL, &cfg, &err))
        die_err(&err);
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_model *m = scrub_model_new(&p);
    struct scrub_hal *ref = scrub_hal_model_attach(m, &err);
    if (!ref || scrub_config_apply(ref, &cfg, &layout, &err))
        die_err(&err);
    struct scrub_hal *h = open_simcard();
    struct scrub_hal_txn a, b;
    read_tables(h, &a);
    read_tables(ref, &b);
    size_t values = 0, nonzero = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (a.ops[i].kind != SCRUB_HAL_READ)
            continue;
        if (a.ops[i].value != b.ops[i].value) {
            fprintf(stderr, "compare-tables: op %zu (%s 0x%03x): card 0x%08x, model 0x%08x\n", i,
                    scrub_reg_name(a.ops[i].addr), a.ops[i].addr, a.ops[i].value, b.ops[i].value);
            return 1;
        }
        values++;
        nonzero += a.ops[i].value != 0;
    }
    printf("tables equal: %zu words compared, %zu non-zero\n", values, nonzero);
    scrub_txn_free(&a);
    scrub_txn_free(&b);
    scrub_hal_close(h);
    scrub_hal_close(ref);
    scrub_model_free(m);
    scrub_layout_free(&layout);
    scrub_config_free(&cfg);
    return nonzero ? 0 : 1;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmd_bench(unsigned n)
{
    struct scrub_err err = {0};
    struct scrub_hal *h = open_simcard();
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_read(&t, SCRUB_REG_COMMIT_COUNT);
    double start = now_us();
    for (unsigned i = 0; i < n; i++)
        if (scrub_hal_run(h, &t, &err))
            die_err(&err);
    double per = (now_us() - start) / n;
    printf("round_trip_us=%.1f (%u transactions of one register read)\n", per, n);
    scrub_txn_free(&t);
    scrub_hal_close(h);
    return 0;
}

/* ---- straight on the channel ---------------------------------------------------------- */

static struct simcard_chan *raw_claim(void)
{
    const char *name = scrub_hal_simcard_channel(NULL);
    int fd = shm_open(name, O_RDWR, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        fprintf(stderr, "simcard_client: %s: %s\n", name, strerror(errno));
        exit(1);
    }
    struct simcard_chan *ch = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (ch == MAP_FAILED || simcard_chan_claim(ch, getpid())) {
        fprintf(stderr, "simcard_client: cannot claim %s\n", name);
        exit(1);
    }
    return ch;
}

static void raw_post(struct simcard_chan *ch)
{
    atomic_store(&ch->state, SIMCARD_POSTED);
    atomic_fetch_add(&ch->doorbell, 1);
    simcard_futex_wake(&ch->doorbell);
}

static void raw_wait(struct simcard_chan *ch)
{
    for (uint32_t s; (s = atomic_load(&ch->state)) != SIMCARD_DONE;)
        simcard_futex_wait(&ch->state, s, 100);
}

static void raw_request(struct simcard_chan *ch, uint32_t version, uint32_t n, uint32_t commit)
{
    ch->req_version = version;
    ch->n_ops = n;
    ch->commit = commit;
    raw_post(ch);
    raw_wait(ch);
}

static uint32_t raw_read(struct simcard_chan *ch, uint32_t addr)
{
    ch->ops[0] = (struct simcard_op){.kind = SCRUB_HAL_READ, .addr = addr};
    raw_request(ch, SIMCARD_CHAN_VERSION, 1, 0);
    if (ch->rc) {
        fprintf(stderr, "simcard_client: a valid read was refused: %s\n", ch->error);
        exit(1);
    }
    atomic_store(&ch->state, SIMCARD_IDLE);
    return ch->ops[0].value;
}

static int cmd_raw_bad(void)
{
    struct simcard_chan *ch = raw_claim();
    uint32_t cookie = raw_read(ch, SCRUB_REG_COOKIE_LO), commits = raw_read(ch, SCRUB_REG_COMMIT_COUNT);
    struct simcard_op good = {.kind = SCRUB_HAL_WRITE, .addr = SCRUB_REG_COOKIE_LO, .value = cookie + 1};
    static const struct {
        const char *what, *says;
        struct simcard_op bad;
        uint32_t version, n, commit;
    } cases[] = {
        {"unknown op kind", "unknown kind 7", {.kind = 7, .addr = SCRUB_REG_CTRL}, SIMCARD_CHAN_VERSION, 2, 1},
        {"misaligned address", "not 32-bit aligned", {.kind = SCRUB_HAL_WRITE, .addr = SCRUB_REG_CTRL + 2},
         SIMCARD_CHAN_VERSION, 2, 1},
        {"address outside the map", "not a register of the map", {.kind = SCRUB_HAL_READ, .addr = 0x10000},
         SIMCARD_CHAN_VERSION, 2, 1},
        {"address in a hole of the map", "not a register of the map", {.kind = SCRUB_HAL_READ, .addr = 0x0034},
         SIMCARD_CHAN_VERSION, 2, 1},
        {"poll beyond its mask", "bits outside its mask",
         {.kind = SCRUB_HAL_POLL, .addr = SCRUB_REG_STATUS, .mask = 1, .expect = 2}, SIMCARD_CHAN_VERSION, 2, 1},
        {"poll too long", "beyond the limit",
         {.kind = SCRUB_HAL_POLL, .addr = SCRUB_REG_STATUS, .mask = 1, .timeout_us = SIMCARD_MAX_POLL_US + 1},
         SIMCARD_CHAN_VERSION, 2, 1},
        {"wrong request version", "channel version 99", {.kind = SCRUB_HAL_READ, .addr = SCRUB_REG_CTRL}, 99, 2, 1},
        {"commit flag not 0 or 1", "commit flag 2", {.kind = SCRUB_HAL_READ, .addr = SCRUB_REG_CTRL},
         SIMCARD_CHAN_VERSION, 2, 2},
        {"more ops than the capacity", "exceeds the channel's capacity",
         {.kind = SCRUB_HAL_READ, .addr = SCRUB_REG_CTRL}, SIMCARD_CHAN_VERSION, 0, 1},
    };
    unsigned refused = 0, n = sizeof(cases) / sizeof(cases[0]);
    for (unsigned i = 0; i < n; i++) {
        ch->ops[0] = good;
        ch->ops[1] = cases[i].bad;
        raw_request(ch, cases[i].version, cases[i].n ? cases[i].n : ch->max_ops + 1, cases[i].commit);
        bool ok = ch->rc == -1 && strstr(ch->error, "request refused, nothing executed") &&
                  strstr(ch->error, cases[i].says);
        printf("%-28s %s: %s\n", cases[i].what, ok ? "refused" : "NOT REFUSED AS EXPECTED", ch->error);
        atomic_store(&ch->state, SIMCARD_IDLE);
        uint32_t c = raw_read(ch, SCRUB_REG_COOKIE_LO), k = raw_read(ch, SCRUB_REG_COMMIT_COUNT);
        if (c != cookie || k != commits) {
            printf("  but something ran: COOKIE_LO 0x%x (was 0x%x), COMMIT_COUNT %u (was %u)\n", c, cookie, k,
                   commits);
            ok = false;
        }
        refused += ok;
    }
    /* The same first op in a valid request does run. */
    ch->ops[0] = good;
    raw_request(ch, SIMCARD_CHAN_VERSION, 1, 0);
    atomic_store(&ch->state, SIMCARD_IDLE);
    bool ran = ch->rc == 0 && raw_read(ch, SCRUB_REG_COOKIE_LO) == cookie + 1;
    printf("raw_bad_refused=%u/%u valid_after=%s\n", refused, n, ran ? "ran" : "DID NOT RUN");
    int32_t me = getpid();
    atomic_compare_exchange_strong(&ch->holder_pid, &me, 0);
    return refused == n && ran ? 0 : 1;
}

static int cmd_die_before_post(void)
{
    struct simcard_chan *ch = raw_claim();
    for (uint32_t i = 0; i < 1000; i++)
        ch->ops[i] = (struct simcard_op){.kind = SCRUB_HAL_WRITE, .addr = SCRUB_REG_COOKIE_HI, .value = i};
    ch->n_ops = 2000;
    raise(SIGKILL);
    return 1;
}

static int cmd_die_after_post(uint32_t value)
{
    struct simcard_chan *ch = raw_claim();
    uint32_t n = 20000;
    for (uint32_t i = 0; i + 1 < n; i++)
        ch->ops[i] = (struct simcard_op){.kind = SCRUB_HAL_READ, .addr = SCRUB_REG_COMMIT_COUNT};
    ch->ops[n - 1] = (struct simcard_op){.kind = SCRUB_HAL_WRITE, .addr = SCRUB_REG_COOKIE_HI, .value = value};
    ch->req_version = SIMCARD_CHAN_VERSION;
    ch->n_ops = n;
    ch->commit = 0;
    raw_post(ch);
    raise(SIGKILL);
    return 1;
}

/* A channel this process serves itself, of a version from the future. */
static int cmd_version_mismatch(void)
{
    char name[64];
    snprintf(name, sizeof(name), "/scrub-simcard-vm-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    size_t bytes = (size_t)simcard_chan_bytes(64);
    struct simcard_chan *ch = MAP_FAILED;
    if (fd >= 0 && ftruncate(fd, (off_t)bytes) == 0)
        ch = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fd >= 0)
        close(fd);
    if (ch == MAP_FAILED) {
        fprintf(stderr, "simcard_client: cannot make %s: %s\n", name, strerror(errno));
        return 1;
    }
    ch->magic = SIMCARD_CHAN_MAGIC;
    ch->version = SIMCARD_CHAN_VERSION + 1;
    ch->header_bytes = sizeof(*ch);
    ch->max_ops = 64;
    ch->total_bytes = bytes;
    atomic_store(&ch->server_pid, getpid());
    struct scrub_err err = {0};
    void *ctx = scrub_hal_simcard_open(name, &err);
    shm_unlink(name);
    munmap(ch, bytes);
    printf("%s\n", err.msg);
    return !ctx && strstr(err.msg, name) && strstr(err.msg, "version mismatch") ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "apply") == 0 && argc == 3)
        return cmd_apply(argv[2]);
    if (strcmp(cmd, "ident") == 0 && argc == 2)
        return cmd_ident();
    if (strcmp(cmd, "read") == 0 && argc == 3)
        return cmd_read(num(argv[2]));
    if (strcmp(cmd, "write") == 0 && argc >= 4 && argc % 2 == 0)
        return cmd_write(argc - 2, argv + 2);
    if (strcmp(cmd, "hold") == 0 && argc == 3)
        return cmd_hold(num(argv[2]));
    if (strcmp(cmd, "compare-tables") == 0 && argc == 3)
        return cmd_compare_tables(argv[2]);
    if (strcmp(cmd, "bench") == 0 && argc == 3)
        return cmd_bench(num(argv[2]));
    if (strcmp(cmd, "raw-bad") == 0 && argc == 2)
        return cmd_raw_bad();
    if (strcmp(cmd, "die-before-post") == 0 && argc == 2)
        return cmd_die_before_post();
    if (strcmp(cmd, "die-after-post") == 0 && argc == 3)
        return cmd_die_after_post(num(argv[2]));
    if (strcmp(cmd, "version-mismatch") == 0 && argc == 2)
        return cmd_version_mismatch();
    fprintf(stderr, "usage: simcard_client apply CONFIG | ident | read ADDR | write ADDR VALUE... | hold SECONDS |\n"
                    "       compare-tables CONFIG | bench N | raw-bad | die-before-post | die-after-post VALUE |\n"
                    "       version-mismatch\n");
    return 2;
}
