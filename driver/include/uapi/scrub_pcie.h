/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * scrub_pcie: the ioctl ABI of /dev/scrubN, the scrubbing card's kernel
 * driver. Owns the structs and numbers shared by the driver and host code
 * (the daemon's kdrv HAL backend, the driver's test program). docs/driver.md
 * explains the ABI and its errno table.
 *
 * Every struct starts with argsz, its size as the caller knows it, so that
 * the ABI can grow at the end: a caller built against an older header
 * passes a smaller argsz, a newer one a larger argsz. The driver accepts any
 * argsz from the first version's size (the *_SIZE_V1 constants) up; bytes
 * beyond what the driver knows must be zero (else E2BIG). On return an
 * output struct's argsz says how many bytes the driver filled.
 */
#ifndef _UAPI_SCRUB_PCIE_H
#define _UAPI_SCRUB_PCIE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SCRUB_PCIE_IOCTL_TYPE 0xbc

/* ---- SCRUB_PCIE_IOCTL_INFO: who the card is ------------------------------------ */

#define SCRUB_PCIE_INFO_MSIX (1u << 0) /* MSI-X vectors allocated (else polling) */

struct scrub_pcie_info {
	__u32 argsz;              /* in: the caller's size; out: bytes filled */
	__u32 flags;              /* SCRUB_PCIE_INFO_* */
	__u16 vendor, device;     /* PCI IDs */
	__u16 subsystem_vendor, subsystem_device;
	__u32 minor;              /* N of /dev/scrubN */
	__u32 bar;                /* the BAR holding the register window */
	__u64 bar_len;            /* the register window's length in bytes */
	/* The identification block, read once at probe (read-only registers). */
	__u32 magic, version;
	__u32 cap_match, cap_action, cap_dest, cap_em_buckets, cap_em_geom, cap_acl;
	__u32 cap_policers, cap_counters, cap_fifo_beats, cap_window, cap_count_only;
	__u32 reserved;           /* zero */
};
#define SCRUB_PCIE_INFO_SIZE_V1 88u

/* ---- SCRUB_PCIE_IOCTL_TXN: a HAL transaction ----------------------------------- */

enum scrub_pcie_op_kind {
	SCRUB_PCIE_OP_WRITE = 0, /* addr <- value */
	SCRUB_PCIE_OP_READ = 1,  /* value <- addr */
	SCRUB_PCIE_OP_POLL = 2,  /* read addr until (read & mask) == expect, at most
				  * timeout_us; value <- the last read */
};

struct scrub_pcie_op {
	__u32 kind;       /* SCRUB_PCIE_OP_* */
	__u32 addr;       /* byte offset in the register window, 4-aligned */
	__u32 value;
	__u32 mask, expect;
	__u32 timeout_us; /* polls: at most SCRUB_PCIE_POLL_MAX_US */
};
#define SCRUB_PCIE_OP_SIZE_V1 24u

/* End with the card's commit: wait until STATUS.COMMIT_BUSY is clear (a
 * COMMIT written while it is set is ignored), write 1 to COMMIT, wait until
 * COMMIT_BUSY is clear again; each wait at most SCRUB_PCIE_COMMIT_TIMEOUT_US. */
#define SCRUB_PCIE_TXN_COMMIT (1u << 0)

#define SCRUB_PCIE_MAX_OPS (1u << 22)
#define SCRUB_PCIE_POLL_MAX_US 1000000u
#define SCRUB_PCIE_COMMIT_TIMEOUT_US 1000000u
#define SCRUB_PCIE_NO_FAILED_OP 0xffffffffu

struct scrub_pcie_txn {
	__u32 argsz;    /* in: the caller's size */
	__u32 flags;    /* SCRUB_PCIE_TXN_* */
	__u32 op_size;  /* sizeof(struct scrub_pcie_op) as the caller knows it */
	__u32 n_ops;    /* at most SCRUB_PCIE_MAX_OPS */
	__u64 ops;      /* user pointer to n_ops ops; values of reads and polls
			 * are written back */
	__u32 failed;   /* out: the op that failed (n_ops: the commit), or
			 * SCRUB_PCIE_NO_FAILED_OP */
	__u32 reserved; /* zero */
};
#define SCRUB_PCIE_TXN_SIZE_V1 32u

/* The size is not encoded in the numbers: argsz carries it. */
#define SCRUB_PCIE_IOCTL_INFO _IO(SCRUB_PCIE_IOCTL_TYPE, 0x00)
#define SCRUB_PCIE_IOCTL_TXN _IO(SCRUB_PCIE_IOCTL_TYPE, 0x01)

#endif /* _UAPI_SCRUB_PCIE_H */
