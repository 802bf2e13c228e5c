/* The counter poller: every opt.stats_ms a counter snapshot and the card's
 * global counters, so that rates (packets and bits per second) are known
 * over the last interval. Per-mitigation counters come with mitigations. */
#ifndef SCRUBD_STATS_H
#define SCRUBD_STATS_H

#include <json-c/json.h>

#include "scrubd.h"

/* Polls once now, then every opt.stats_ms on d->base (0: never). */
int stats_start(struct scrubd *d, struct scrub_err *err);
void stats_stop(struct scrubd *d);
/* The rates over the last interval: {"interval_ms", "age_ms", "global":
 * {name: {"pps", "bps"}}}, or NULL before two polls. A counter that went
 * back (the card was reset) has no rate (null) for that interval. */
json_object *stats_rates(const struct scrubd *d);

#endif
