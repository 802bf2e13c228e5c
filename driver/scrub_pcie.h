/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scrub_pcie: the kernel driver of the scrubbing card's control BAR. This
 * header is the driver's own: the per-card state and what its files share.
 * The ABI is include/uapi/scrub_pcie.h; docs/driver.md explains both.
 */
#ifndef SCRUB_PCIE_H
#define SCRUB_PCIE_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "scrub_regmap.h"
#include "uapi/scrub_pcie.h"

#define SCRUB_PCIE_NAME "scrub_pcie"

/* The identification block, MAGIC to CAP_COUNT_ONLY, read once at probe. */
#define SCRUB_ID_WORDS (SCRUB_REG_CAP_COUNT_ONLY / 4 + 1)

struct scrub_dev {
	struct kref ref;          /* the PCI binding and every open file */
	struct pci_dev *pdev;
	struct miscdevice misc;
	char name[16];            /* "scrubN" */
	int minor_index;          /* N */

	/* Serialises every access to the card: transactions, counter reads. */
	struct mutex lock;
	void __iomem *regs;       /* NULL once the card is gone (under lock) */
	resource_size_t regs_phys, regs_len;
	int bar;
	u32 id[SCRUB_ID_WORDS];

	/* Mappings: faults insert the window while the card is present. */
	struct rw_semaphore map_lock;
	bool unmapped;            /* under map_lock: the card is gone */
	struct list_head files;   /* open files, under lock */

	/* MSI-X: the vector wakes pollers; without it they sleep and retry. */
	bool msix;
	atomic_t irq_events;
	wait_queue_head_t irq_wait;
};

struct scrub_file {
	struct scrub_dev *sdev;
	struct file *file;
	struct list_head node;    /* in sdev->files */
};

extern struct kmem_cache *scrub_dev_cache;
extern struct kmem_cache *scrub_file_cache;

void scrub_dev_put(struct scrub_dev *sdev);

/* cdev.c: /dev/scrubN */
int scrub_cdev_register(struct scrub_dev *sdev);
void scrub_cdev_unregister(struct scrub_dev *sdev);

/* txn.c: transactions from user space, and the driver's own register work */
long scrub_txn_ioctl(struct scrub_dev *sdev, void __user *arg);
int scrub_read_gstat(struct scrub_dev *sdev, u32 index, u64 *packets, u64 *bytes);

/* irq.c: MSI-X, or polling when the card has none */
void scrub_irq_setup(struct scrub_dev *sdev);
void scrub_irq_teardown(struct scrub_dev *sdev);
void scrub_irq_wait(struct scrub_dev *sdev, unsigned int us);

/* sysfs.c */
void scrub_sysfs_init(void);
extern const struct attribute_group *scrub_groups[];

/* abi.c: argsz handling */
int scrub_copy_args(void *karg, size_t ksize, size_t v1_size, const void __user *uarg);

#endif /* SCRUB_PCIE_H */
