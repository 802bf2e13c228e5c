/* Random table entries for the pipeline scoreboard, made from the traffic
 * it sends, so that frames hit them: destination prefixes around the
 * frames' destinations, exact-match keys from their sources, ACL entries
 * whose fields come from a frame, policers slow and fast. Now and then an
 * entry the card must refuse. */
#ifndef PIPELINE_ENTRIES_H
#define PIPELINE_ENTRIES_H

#include <stdint.h>

#include "parse.h"
#include "scrub_entry.h"
#include "scrub_model.h"

struct entry_source {
    const struct scrub_model_params *p;
    const struct scrub_pkt *pkts; /* parsed IP frames of the capture */
    uint32_t n_pkts;
    uint64_t (*rnd)(void);
};

void random_dest(const struct entry_source *s, struct scrub_dest_entry *e);
void random_em(const struct entry_source *s, struct scrub_em_entry *e);
void random_acl(const struct entry_source *s, struct scrub_acl_entry *e);
void random_policer(const struct entry_source *s, struct scrub_policer_entry *e);

#endif
