#include <errno.h>
#include <event2/event.h>

#include "expiry.h"
#include "log.h"

#define ACL_EXPIRY_EVERY 40 /* ticks: 10 s */

static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct scrubd *d = arg;
    if (!d->hal)
        return; /* expired at the next attach */
    struct scrub_err err = {0};
    int n = scrub_core_expire(d->core, &err);
    if (n < 0)
        log_error("mitigations: expiring: %s", err.msg);
    else if (n > 0)
        log_info("mitigations: %d expired and withdrawn", n);
    /* ACL and alias lifetimes are in minutes and their check reads the store: less often */
    if (++d->expiry_ticks % ACL_EXPIRY_EVERY != 0)
        return;
    n = scrub_core_data_acls_expire(d->core, &err);
    if (n < 0)
        log_error("data-channel ACLs: expiring: %s", err.msg);
    else if (n > 0)
        log_info("data-channel ACLs: %d expired and removed", n);
    n = scrub_core_data_aliases_expire(d->core, &err);
    if (n < 0)
        log_error("data-channel aliases: expiring: %s", err.msg);
    else if (n > 0)
        log_info("data-channel aliases: %d expired and removed", n);
}

int expiry_start(struct scrubd *d, struct scrub_err *err)
{
    d->expiry = event_new(d->base, -1, EV_PERSIST, tick, d);
    struct timeval tv = {.tv_sec = 0, .tv_usec = EXPIRY_TICK_MS * 1000};
    if (!d->expiry || event_add(d->expiry, &tv))
        return scrub_err_set(err, ENOMEM, "cannot add the lifetime timer to the event loop");
    return 0;
}

void expiry_stop(struct scrubd *d)
{
    if (d->expiry)
        event_free(d->expiry);
    d->expiry = NULL;
}
