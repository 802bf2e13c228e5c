/* The kdrv register path: a card's /dev/scrubN through the scrub_pcie
 * driver's ioctls (driver/include/uapi/scrub_pcie.h, docs/driver.md). Owns
 * opening the device and running one transaction per ioctl. Used by the
 * kdrv HAL backend and by the driver's test program, so it needs only libc
 * and scrub_err. */
#ifndef SCRUB_KDRV_DEV_H
#define SCRUB_KDRV_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_err.h"
#include "uapi/scrub_pcie.h"

/* Opens path read-write and asks the driver who the card is: the fd, or -1
 * with err naming the path and what is wrong. */
int scrub_kdrv_open(const char *path, struct scrub_pcie_info *info, struct scrub_err *err);

/* SCRUB_PCIE_IOCTL_INFO: 0 or an errno value. */
int scrub_kdrv_info(int fd, struct scrub_pcie_info *info);

/* SCRUB_PCIE_IOCTL_TXN on n ops (values of reads and polls written back),
 * ended by the card's commit when asked: 0 or an errno value, with *failed
 * the op that failed (n: the commit) or SCRUB_PCIE_NO_FAILED_OP. */
int scrub_kdrv_txn(int fd, struct scrub_pcie_op *ops, uint32_t n, bool commit, uint32_t *failed);

#endif
