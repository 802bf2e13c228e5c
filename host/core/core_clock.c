/* The clocks of lifetimes and the monotonic guard (docs/store.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core_internal.h"

static void system_clock(struct scrub_core_clock *now)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now->wall_s = ts.tv_sec;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    now->boottime_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    static char boot_id[40];
    if (!boot_id[0]) {
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
        if (!f || !fgets(boot_id, sizeof(boot_id), f))
            snprintf(boot_id, sizeof(boot_id), "unknown"); /* then the wall clock decides */
        if (f)
            fclose(f);
        boot_id[strcspn(boot_id, "\n")] = 0;
    }
    memcpy(now->boot_id, boot_id, sizeof(now->boot_id));
}

void core_now(const struct scrub_core *c, struct scrub_core_clock *now)
{
    memset(now, 0, sizeof(*now));
    if (c->opt.clock)
        c->opt.clock(c->opt.clock_ctx, now);
    else
        system_clock(now);
}

int64_t core_remaining_ms(const struct core_mitigation *m, const struct scrub_core_clock *now)
{
    if (m->lifetime == SCRUB_STORE_LIFETIME_INDEFINITE)
        return INT64_MAX;
    int64_t left = strcmp(m->boot_id, now->boot_id) == 0 && strcmp(now->boot_id, "unknown") != 0
                       ? m->expires_boottime_ms - now->boottime_ms
                       : (m->expires_at - now->wall_s) * 1000;
    return left > 0 ? left : 0;
}

bool core_expired(const struct core_mitigation *m, const struct scrub_core_clock *now)
{
    return core_remaining_ms(m, now) == 0;
}
