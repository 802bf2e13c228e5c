/* The model backend: hw/model in this process, for unit tests, benchmarks
 * and scrub-model. */
#ifndef SCRUB_HAL_MODEL_H
#define SCRUB_HAL_MODEL_H

#include "scrub_hal.h"
#include "scrub_hal_exec.h"
#include "scrub_model.h"

extern const struct scrub_hal_backend scrub_hal_model_backend;

/* A backend context owning a model of the simulation configuration. */
void *scrub_hal_model_open(struct scrub_err *err);
/* A HAL on a model the caller owns and keeps driving with packets; the
 * model must outlive the HAL. */
struct scrub_hal *scrub_hal_model_attach(struct scrub_model *m, struct scrub_err *err);
/* The register access the backend runs transactions with, for a process
 * that runs them on a model of its own (scrub-simcard). */
struct scrub_hal_regs scrub_hal_model_regs(struct scrub_model *m);

#endif
