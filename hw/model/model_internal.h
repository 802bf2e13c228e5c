/* The model's state, shared by its register side (model.c) and its packet
 * side (pipeline.c). */
#ifndef SCRUB_MODEL_INTERNAL_H
#define SCRUB_MODEL_INTERNAL_H

#include "acl.h"
#include "dirty.h"
#include "em.h"
#include "fifo.h"
#include "lpm.h"
#include "policer.h"
#include "scrub_model.h"

struct scrub_model {
    struct scrub_model_params p;

    /* registers */
    uint32_t ctrl, wdog_timeout_ms, cookie_lo, cookie_hi, commit_count, time_hi_latch;
    uint32_t tbl_select, tbl_index, tbl_status, tbl_result;
    scrub_words data;
    uint32_t cfg_actions_shadow, cfg_actions;

    uint64_t now, wdog_kicked;
    bool wdog_expired;

    /* tables: shadow written by software, active seen by packets; what
     * was written since the last commit */
    struct scrub_dest_entry *dest_shadow, *dest;
    struct scrub_lpm lpm;
    struct scrub_em em;
    struct scrub_acl_entry *acl_shadow, *acl;
    struct scrub_acl_index acl_index;
    bool acl_linear;
    struct scrub_policer_entry *pol_shadow, *pol;
    struct scrub_policer_state *pol_state;
    struct scrub_dirty dest_dirty, acl_dirty, pol_dirty;

    /* counters: live and snapshot */
    struct scrub_counter *ctr, *ctr_snap;
    struct scrub_counter gstat[SCRUB_GSTAT_COUNT], gstat_snap[SCRUB_GSTAT_COUNT];

    struct scrub_fifo fifo;
};

void scrub_model_update_watchdog(struct scrub_model *m);

#endif
