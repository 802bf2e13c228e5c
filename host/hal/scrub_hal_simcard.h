/* The simcard backend: the client side of scrub-simcard's control channel
 * (simcard_chan.h). Each HAL transaction goes whole to the simcard, which
 * checks it, runs it between two frames and sends the values back. The
 * channel is the shared-memory object named by the argument, else by the
 * environment variable SCRUB_SIMCARD_SHM, else "/scrub-simcard". One
 * client at a time: a second is refused, naming the holder's pid. */
#ifndef SCRUB_HAL_SIMCARD_H
#define SCRUB_HAL_SIMCARD_H

#include "scrub_hal.h"

extern const struct scrub_hal_backend scrub_hal_simcard_backend;

/* A backend context holding the channel's session; NULL with err naming
 * the channel and what failed (no simcard running, version mismatch,
 * busy). name may be NULL. */
void *scrub_hal_simcard_open(const char *name, struct scrub_err *err);

/* The channel a NULL name means: $SCRUB_SIMCARD_SHM or the default. */
const char *scrub_hal_simcard_channel(const char *name);

#endif
