/* sim/rtl: the Verilated card (hw/rtl, top scrub_pipeline, simulation
 * configuration) behind a C interface: register access over AXI4-Lite,
 * frames in with their timestamps, frames and per-frame events out, clock
 * stepping. Traffic keeps flowing while a register access runs, as on a
 * card. Random idle cycles on the input and back-pressure on the output are
 * set per instance. Single-threaded. */
#ifndef SCRUB_RTL_H
#define SCRUB_RTL_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scrub_rtl;

struct scrub_rtl_params {
    uint32_t idle_permille;  /* chance of an idle clock between input beats */
    uint32_t stall_permille; /* chance that the output is not ready on a clock */
    uint64_t seed;
};

struct scrub_rtl *scrub_rtl_new(const struct scrub_rtl_params *params);
/* In the coverage build (SCRUB_RTL_COVERAGE, scripts/coverage-rtl) it first
 * writes the card's coverage to $SCRUB_RTL_COVERAGE_FILE (coverage.dat). */
void scrub_rtl_free(struct scrub_rtl *r);

uint32_t scrub_rtl_read(struct scrub_rtl *r, uint32_t addr);
void scrub_rtl_write(struct scrub_rtl *r, uint32_t addr, uint32_t value);

/* The MAC's free-running clock, in ns (frames carry their own stamps). */
void scrub_rtl_set_time(struct scrub_rtl *r, uint64_t ns);

/* Queues a frame; it enters beat by beat as clocks run. A frame has at
 * least one byte, as from any MAC: false (and nothing queued) otherwise. */
bool scrub_rtl_send(struct scrub_rtl *r, const uint8_t *frame, uint32_t len, uint64_t ts_ns);
void scrub_rtl_run(struct scrub_rtl *r, uint64_t clocks);
/* Runs until every queued frame has gone in and everything the card holds
 * has come out (the output is kept ready meanwhile). */
void scrub_rtl_drain(struct scrub_rtl *r);
/* Frames queued and not yet fully in the card. */
uint32_t scrub_rtl_pending(const struct scrub_rtl *r);

/* What the card did with a frame, at its last beat, in frame order. */
struct scrub_rtl_event {
    uint32_t len;
    uint8_t outcome; /* SCRUB_GSTAT_* */
    bool tx;
    bool seen_valid, late_valid;
    uint8_t seen, late;
    uint32_t lost;
    uint64_t cycle; /* the clock of the frame's last beat at the output stage */
};
bool scrub_rtl_event_pop(struct scrub_rtl *r, struct scrub_rtl_event *e);

/* Where a change took effect between two frames (docs/rtl.md, "Control"):
 * a commit's swap, the end of an exact-match command, a COUNTER write, a
 * snapshot. count: how many have happened since the card started; frame:
 * for the last one, the number of frames before it, counting every frame
 * the card received, from 0. A change applied to the model after that many
 * frames leaves it where the card is. */
enum scrub_rtl_point_kind {
    SCRUB_RTL_SWAP,
    SCRUB_RTL_EM_CMD,
    SCRUB_RTL_COUNTER_SET,
    SCRUB_RTL_SNAPSHOT,
    SCRUB_RTL_POINTS
};
void scrub_rtl_point(const struct scrub_rtl *r, enum scrub_rtl_point_kind p, uint64_t *count, uint64_t *frame);

/* The next frame out; its length (0 when none), at most cap bytes copied;
 * *bad: the card marked it bad on its last beat (the MAC drops it). */
uint32_t scrub_rtl_output_pop(struct scrub_rtl *r, uint8_t *buf, uint32_t cap, bool *bad);

uint64_t scrub_rtl_cycles(const struct scrub_rtl *r);

/* Beats in and out since the card started, and, over the frames the card
 * passed, the clocks from a frame's first beat in to its first beat out
 * (meaningful only while no frame is marked bad: such a frame leaves the
 * card without having passed, and the pairing slips). */
struct scrub_rtl_timing {
    uint64_t beats_in, beats_out, frames_out;
    uint64_t latency_min, latency_max;
};
void scrub_rtl_timing_get(const struct scrub_rtl *r, struct scrub_rtl_timing *t);
/* The policer's lookups since the card started (mon_pol_lookup), and how
 * many of them were on the same bucket as the lookup of the clock before:
 * back-to-back packets on one bucket as the policer sees them, the closest
 * read-modify-write hazard (docs/rtl.md, "The pipeline scoreboard"). */
struct scrub_rtl_policer_stats {
    uint64_t lookups, same_bucket_back_to_back;
};
void scrub_rtl_policer_stats_get(const struct scrub_rtl *r, struct scrub_rtl_policer_stats *s);

/* An internal bound broke (scrub_pipeline's error output): never. */
bool scrub_rtl_error(const struct scrub_rtl *r);

#ifdef __cplusplus
}
#endif

#endif
