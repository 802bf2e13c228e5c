/* The card inside scrub-simcard: the Verilated RTL (sim/rtl, simulation
 * configuration) or hw/model, behind one interface: transactions on the
 * register map (as a HAL backend, so the control channel and the process's
 * own counter reads take the same path), frames in with their timestamps,
 * passed frames out with theirs. Single-threaded: one caller drives both. */
#ifndef SIMCARD_CORE_H
#define SIMCARD_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_hal.h"

enum simcard_core_kind {
    SIMCARD_CORE_RTL,
    SIMCARD_CORE_MODEL,
};

struct simcard_core;

/* deploy: the model with the deployment table sizes (the RTL has the
 * simulation configuration only). */
struct simcard_core *simcard_core_new(enum simcard_core_kind kind, bool deploy, struct scrub_err *err);
void simcard_core_free(struct simcard_core *c);
/* "rtl" or "model". */
const char *simcard_core_name(const struct simcard_core *c);

/* Runs a transaction on the card: the ops in order, polls with simulated
 * time passing (the RTL's clocks run, and frames inside it move on), then
 * the commit; errors as every HAL backend gives them. */
int simcard_core_run(struct simcard_core *c, struct scrub_hal_txn *t, struct scrub_err *err);
/* A HAL on the core (the core stays the caller's; close the HAL first). */
struct scrub_hal *simcard_core_hal(struct simcard_core *c, struct scrub_err *err);

/* The MAC's clock, in ns, between frames (live traffic); never backwards. */
void simcard_core_set_time(struct simcard_core *c, uint64_t ns);
/* One frame into the card, fully: on return it has entered the card. */
void simcard_core_frame(struct simcard_core *c, const uint8_t *frame, uint32_t len, uint64_t ts_ns);
/* Lets everything inside the card come out (the RTL's pipeline and FIFO). */
void simcard_core_flush(struct simcard_core *c);
/* The next frame the card passed: its length (0 when none), at most cap
 * bytes copied, *ts_ns the arrival time of the frame it was. */
uint32_t simcard_core_output(struct simcard_core *c, uint8_t *buf, uint32_t cap, uint64_t *ts_ns);

#endif
