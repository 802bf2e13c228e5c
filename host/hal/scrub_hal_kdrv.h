/* The kdrv backend: a card through the project's kernel driver, scrub_pcie
 * (driver/, docs/driver.md). Selected as "kdrv[:dev=PATH]" (scrub_hal_open),
 * the device defaulting to /dev/scrub0. Each transaction is one ioctl: the
 * driver checks it whole, runs it under the card's lock and commits when
 * asked. */
#ifndef SCRUB_HAL_KDRV_H
#define SCRUB_HAL_KDRV_H

#include "scrub_hal.h"

#define SCRUB_KDRV_DEFAULT_DEV "/dev/scrub0"

extern const struct scrub_hal_backend scrub_hal_kdrv_backend;

/* A backend context on the device the options name ("dev=/dev/scrub1", the
 * part after "kdrv:"). NULL with err naming the device and what is wrong. */
void *scrub_hal_kdrv_open(const char *options, struct scrub_err *err);

#endif
