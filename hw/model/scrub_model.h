/* hw/model: the card in C. Owns the register file, the tables (shadow and
 * active), the counter pool, the output FIFO and the packet semantics that
 * hw/rtl must match bit for bit; docs/card.md is its prose. Nothing here
 * knows about DOTS or the daemon: software reaches it only through the
 * register map, exactly as it reaches a real card. Not thread-safe: one
 * caller drives both the registers and the packets. */
#ifndef SCRUB_MODEL_H
#define SCRUB_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_entry.h"

/* Table sizes: the RTL's parameters. em_buckets is per way and a power of
 * two; exact-match capacity is EM_WAYS * em_buckets * EM_SLOTS + EM_STASH. */
struct scrub_model_params {
    uint32_t dest_entries, em_buckets, acl_entries, policers, counters, fifo_beats;
};

/* The simulation configuration and the deployment one (Alveo U250). */
#define SCRUB_MODEL_PARAMS_SIM {256, 512, 64, 256, 4096, 256}
#define SCRUB_MODEL_PARAMS_DEPLOY {16384, 131072, 1024, 65536, 65536, 1024}

struct scrub_model;

/* NULL with errno EINVAL if a size is out of range, ENOMEM if memory ran out. */
struct scrub_model *scrub_model_new(const struct scrub_model_params *params);
void scrub_model_free(struct scrub_model *m);

/* AXI4-Lite access. Unmapped addresses read 0 and ignore writes. */
uint32_t scrub_model_read(struct scrub_model *m, uint32_t addr);
void scrub_model_write(struct scrub_model *m, uint32_t addr, uint32_t value);

/* Advances the card's clock (the MAC's timestamp counter); never backwards.
 * Packets advance it too. */
void scrub_model_set_time(struct scrub_model *m, uint64_t ns);

/* What happened to one packet. */
struct scrub_verdict {
    bool pass;      /* entered the output FIFO */
    uint8_t gstat;  /* the SCRUB_GSTAT_PASS_* or _DROP_* that counted it */
    uint8_t mal;    /* SCRUB_MAL_*, NONE if well formed */
    int32_t dest;   /* matched entries, -1 when none */
    int32_t em;     /* exact-match slot */
    int32_t acl;    /* deciding ACL entry */
    int32_t policer;
};

/* Whether an outcome (a SCRUB_GSTAT_* index) passes the frame. */
bool scrub_outcome_passes(uint8_t gstat);

/* One frame (without FCS) with its arrival time in ns. */
void scrub_model_packet(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts_ns,
                        struct scrub_verdict *v);

/* The same, for the RTL scoreboard: which frames the output FIFO drops
 * depends on the output's timing, which the model does not simulate, so the
 * testbench says so (flag SCRUB_MODEL_OVERFLOW: a frame that passes is
 * dropped at the FIFO, DROP_OVERFLOW). */
#define SCRUB_MODEL_OVERFLOW 1u
void scrub_model_packet_flags(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts_ns,
                              unsigned flags, struct scrub_verdict *v);

/* The output port. Frames leave in order; the FIFO drains only when the
 * consumer pops, so a consumer that stops popping is a stalled output.
 * Returns the frame length and copies at most cap bytes; 0 when empty. */
uint32_t scrub_model_output_pop(struct scrub_model *m, uint8_t *buf, uint32_t cap, uint64_t *ts_ns);

/* Test hook: the ACL is searched linearly instead of through its index. */
void scrub_model_set_acl_linear(struct scrub_model *m, bool linear);

#endif
