/* Per traffic class tallies of a replay: what the card did with each
 * labelled packet (its outcome, a SCRUB_GSTAT_* index), and the report that
 * cross-checks them against the card's global counters. */
#ifndef SCRUB_CLASS_REPORT_H
#define SCRUB_CLASS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "labels.h"
#include "scrub_entry.h"

struct scrub_class_tally {
    const struct scrub_labels *labels;
    uint64_t (*by_outcome)[SCRUB_GSTAT_COUNT]; /* [class][outcome] packets */
};

int scrub_class_tally_init(struct scrub_class_tally *t, const struct scrub_labels *labels);
void scrub_class_tally_add(struct scrub_class_tally *t, uint32_t packet, uint8_t outcome);
void scrub_class_tally_free(struct scrub_class_tally *t);

/* Prints the per-class table; returns false (after saying why) when the
 * tallies disagree with the card's global counters. */
bool scrub_class_report(FILE *out, const struct scrub_class_tally *t, const struct scrub_counter *gstat);

#endif
