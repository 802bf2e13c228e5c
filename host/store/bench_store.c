/* scrub-bench-store DIR [SECONDS]: durable changes per second through the
 * store, one change per commit and grouped. A change is what the signal
 * channel writes for a new mitigation: the mitigation row (scope of ~100
 * bytes of JSON) and its audit record. Each group size runs on a fresh
 * store in DIR for SECONDS (default 3); DIR must be on the disk under test
 * (not tmpfs). Prints key=value lines. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "scrub_store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int change(struct scrub_store *s, int64_t mid, struct scrub_err *err)
{
    char scope[160], what[64];
    snprintf(scope, sizeof(scope),
             "{\"target-prefix\":[\"198.51.%d.0/24\"],\"target-protocol\":[6,17],\"lifetime\":3600,"
             "\"trigger-mitigation\":true}",
             (int)(mid % 256));
    snprintf(what, sizeof(what), "mitigation put cuid=bench mid=%lld", (long long)mid);
    struct scrub_store_mitigation m = {
        .identity = "bench.example.net", .cuid = "bench", .mid = mid, .scope = scope, .profile = "standard",
        .lifetime = 3600, .status = SCRUB_STORE_ACTIVE, .created_at = time(NULL), .triggered_at = time(NULL),
        .expires_at = time(NULL) + 3600, .boot_id = "bench", .expires_boottime_ms = 3600000,
    };
    struct scrub_store_audit a = {
        .at_ms = (int64_t)time(NULL) * 1000, .who_kind = SCRUB_STORE_WHO_CERTIFICATE, .who = "bench.example.net",
        .channel = SCRUB_STORE_CHANNEL_SIGNAL, .what = what, .result = "ok",
    };
    return scrub_store_mitigation_put(s, &m, err) || scrub_store_audit_append(s, &a, err) ? -1 : 0;
}

/* Commits groups of `group` changes for `seconds`; prints the rates. */
static int run(const char *dir, int group, double seconds)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/bench-group%d.db", dir, group);
    scrub_store_unlink(path);
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(path, 1000, &err);
    if (!s) {
        fprintf(stderr, "scrub-bench-store: %s\n", err.msg);
        return -1;
    }
    int64_t mid = 0, commits = 0;
    double start = now_s(), end = start;
    while (end - start < seconds) {
        if (scrub_store_begin(s, &err))
            goto fail;
        for (int i = 0; i < group; i++)
            if (change(s, mid++, &err))
                goto fail;
        if (scrub_store_commit(s, &err))
            goto fail;
        commits++;
        end = now_s();
    }
    double t = end - start;
    printf("durable_commits_per_s_group%d=%.0f\n", group, (double)commits / t);
    printf("durable_changes_per_s_group%d=%.0f\n", group, (double)mid / t);
    printf("commit_mean_us_group%d=%.0f\n", group, t / (double)commits * 1e6);
    scrub_store_close(s);
    scrub_store_unlink(path);
    return 0;
fail:
    fprintf(stderr, "scrub-bench-store: %s\n", err.msg);
    scrub_store_close(s);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: scrub-bench-store DIR [SECONDS]\n"
                        "  DIR: a directory on the disk under test; SECONDS per group size (default 3)\n");
        return 2;
    }
    double seconds = argc == 3 ? atof(argv[2]) : 3.0;
    if (seconds <= 0) {
        fprintf(stderr, "scrub-bench-store: SECONDS must be positive, not '%s'\n", argv[2]);
        return 2;
    }
    printf("workload=one change = mitigation put (new mid, ~100-byte JSON scope) + audit record; "
           "WAL, synchronous=FULL; %.1f s per group size\n",
           seconds);
    static const int groups[] = {1, 16, 64};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (run(argv[1], groups[i], seconds))
            return 1;
    return 0;
}
