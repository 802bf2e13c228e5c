// SPDX-License-Identifier: GPL-2.0
/*
 * HAL transactions: a user's list of register writes, reads and polls,
 * checked whole before the card is touched, then run in order under the
 * card's lock and, when asked, ended by the card's commit. Also the
 * driver's own register work (counter reads for sysfs), under the same lock.
 */
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "scrub_pcie.h"

/* Ops are copied in chunks, so a long transaction needs no large buffer. */
#define CHUNK_OPS 128u
/* Larger per-op records (a newer caller) than this are refused. */
#define OP_SIZE_MAX 64u
#define POLL_STEP_US 10u
#define TABLE_TIMEOUT_US 10000u
#define SNAPSHOT_TIMEOUT_US 100000u

/* ---- register access, all under sdev->lock with sdev->regs present ---- */

static u32 reg_read(struct scrub_dev *sdev, u32 addr)
{
	return ioread32(sdev->regs + addr);
}

static void reg_write(struct scrub_dev *sdev, u32 addr, u32 value)
{
	iowrite32(value, sdev->regs + addr);
}

/*
 * Reads addr until (read & mask) == expect or timeout_us have passed (at
 * least one read, and one more after the deadline). 0, -ETIMEDOUT, or
 * -EINTR when the caller is being killed.
 */
static int reg_poll(struct scrub_dev *sdev, u32 addr, u32 mask, u32 expect, u32 timeout_us,
		    u32 *last)
{
	ktime_t deadline = ktime_add_us(ktime_get(), timeout_us);
	bool late;

	for (;;) {
		late = ktime_after(ktime_get(), deadline);
		*last = reg_read(sdev, addr);
		if ((*last & mask) == expect)
			return 0;
		if (late)
			return -ETIMEDOUT;
		if (fatal_signal_pending(current))
			return -EINTR;
		scrub_irq_wait(sdev, POLL_STEP_US);
	}
}

/* card.md: a COMMIT written while COMMIT_BUSY is set is ignored, so wait
 * for the card to be idle, commit, and wait for the commit to finish. */
static int commit(struct scrub_dev *sdev)
{
	u32 status;
	int err;

	err = reg_poll(sdev, SCRUB_REG_STATUS, SCRUB_STATUS_COMMIT_BUSY_MASK, 0,
		       SCRUB_PCIE_COMMIT_TIMEOUT_US, &status);
	if (err)
		return err;
	reg_write(sdev, SCRUB_REG_COMMIT, 1);
	return reg_poll(sdev, SCRUB_REG_STATUS, SCRUB_STATUS_COMMIT_BUSY_MASK, 0,
			SCRUB_PCIE_COMMIT_TIMEOUT_US, &status);
}

/* ---- user transactions ---- */

/* One op as the caller laid it out: the v1 fields, then op_size - 24 bytes
 * that must be zero. */
static int parse_op(struct scrub_dev *sdev, const u8 *raw, u32 op_size, struct scrub_pcie_op *op)
{
	memcpy(op, raw, sizeof(*op));
	if (op_size > sizeof(*op) && memchr_inv(raw + sizeof(*op), 0, op_size - sizeof(*op)))
		return -E2BIG;
	if (op->kind > SCRUB_PCIE_OP_POLL)
		return -EINVAL;
	if (op->addr & 3)
		return -EINVAL;
	if (op->addr > sdev->regs_len - 4)
		return -ERANGE;
	if (op->kind == SCRUB_PCIE_OP_POLL && op->timeout_us > SCRUB_PCIE_POLL_MAX_US)
		return -EINVAL;
	return 0;
}

static int run_op(struct scrub_dev *sdev, struct scrub_pcie_op *op)
{
	switch (op->kind) {
	case SCRUB_PCIE_OP_WRITE:
		reg_write(sdev, op->addr, op->value);
		return 0;
	case SCRUB_PCIE_OP_READ:
		op->value = reg_read(sdev, op->addr);
		return 0;
	default:
		return reg_poll(sdev, op->addr, op->mask, op->expect, op->timeout_us, &op->value);
	}
}

struct txn_run {
	struct scrub_dev *sdev;
	const struct scrub_pcie_txn *t;
	u8 *buf;		/* CHUNK_OPS records of op_size bytes */
	u32 failed;
};

static void __user *chunk_at(const struct txn_run *r, u32 first)
{
	return u64_to_user_ptr(r->t->ops) + (size_t)first * r->t->op_size;
}

/* Every op is checked before any reaches the card. */
static int check_all(struct txn_run *r)
{
	const struct scrub_pcie_txn *t = r->t;
	struct scrub_pcie_op op;
	u32 first, n, i;
	int err;

	for (first = 0; first < t->n_ops; first += n) {
		n = min(CHUNK_OPS, t->n_ops - first);
		if (copy_from_user(r->buf, chunk_at(r, first), (size_t)n * t->op_size))
			return -EFAULT;
		for (i = 0; i < n; i++) {
			err = parse_op(r->sdev, r->buf + i * t->op_size, t->op_size, &op);
			if (err) {
				r->failed = first + i;
				return err;
			}
		}
	}
	return 0;
}

/*
 * Runs the ops under the lock, writing values back chunk by chunk. An op
 * that changed since check_all (the caller raced itself) is refused again
 * and stops the transaction there.
 */
static int run_all(struct txn_run *r)
{
	const struct scrub_pcie_txn *t = r->t;
	struct scrub_pcie_op op;
	u32 first, n, i;
	u8 *raw;
	int err = 0;

	for (first = 0; first < t->n_ops && !err; first += n) {
		n = min(CHUNK_OPS, t->n_ops - first);
		if (copy_from_user(r->buf, chunk_at(r, first), (size_t)n * t->op_size))
			return -EFAULT;
		for (i = 0; i < n && !err; i++) {
			raw = r->buf + i * t->op_size;
			err = parse_op(r->sdev, raw, t->op_size, &op);
			if (!err)
				err = run_op(r->sdev, &op);
			if (err)
				r->failed = first + i;
			memcpy(raw, &op, sizeof(op));
		}
		if (copy_to_user(chunk_at(r, first), r->buf, (size_t)i * t->op_size))
			return -EFAULT;
	}
	if (err)
		return err;
	if (t->flags & SCRUB_PCIE_TXN_COMMIT) {
		err = commit(r->sdev);
		if (err)
			r->failed = t->n_ops;
	}
	return err;
}

long scrub_txn_ioctl(struct scrub_dev *sdev, void __user *arg)
{
	struct scrub_pcie_txn __user *uarg = arg;
	struct scrub_pcie_txn t;
	struct txn_run r = { .sdev = sdev, .t = &t, .failed = SCRUB_PCIE_NO_FAILED_OP };
	int err;

	err = scrub_copy_args(&t, sizeof(t), SCRUB_PCIE_TXN_SIZE_V1, arg);
	if (err)
		return err;
	if (t.flags & ~SCRUB_PCIE_TXN_COMMIT || t.reserved)
		return -EINVAL;
	if (t.op_size < SCRUB_PCIE_OP_SIZE_V1 || t.op_size > OP_SIZE_MAX || t.op_size % 4)
		return -EINVAL;
	if (t.n_ops > SCRUB_PCIE_MAX_OPS)
		return -E2BIG;

	r.buf = kmalloc(CHUNK_OPS * t.op_size, GFP_KERNEL);
	if (!r.buf)
		return -ENOMEM;
	err = check_all(&r);
	if (!err) {
		err = mutex_lock_interruptible(&sdev->lock);
		if (!err) {
			err = sdev->regs ? run_all(&r) : -ENODEV;
			mutex_unlock(&sdev->lock);
		}
	}
	kfree(r.buf);
	if (put_user(r.failed, &uarg->failed) && !err)
		err = -EFAULT;
	return err;
}

/* ---- the driver's own reads ---- */

/* A global counter from a fresh snapshot (card.md: counters are read only
 * through the snapshot; a SNAPSHOT written while one runs is ignored). */
int scrub_read_gstat(struct scrub_dev *sdev, u32 index, u64 *packets, u64 *bytes)
{
	u32 v, w[SCRUB_TABLE_GSTAT_WORDS];
	unsigned int i;
	int err;

	err = mutex_lock_interruptible(&sdev->lock);
	if (err)
		return err;
	if (!sdev->regs) {
		err = -ENODEV;
		goto out;
	}
	err = reg_poll(sdev, SCRUB_REG_STATUS, SCRUB_STATUS_SNAPSHOT_BUSY_MASK, 0,
		       SNAPSHOT_TIMEOUT_US, &v);
	if (err)
		goto out;
	reg_write(sdev, SCRUB_REG_SNAPSHOT, 1);
	err = reg_poll(sdev, SCRUB_REG_STATUS, SCRUB_STATUS_SNAPSHOT_BUSY_MASK, 0,
		       SNAPSHOT_TIMEOUT_US, &v);
	if (err)
		goto out;
	reg_write(sdev, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_GSTAT);
	reg_write(sdev, SCRUB_REG_TBL_INDEX, index);
	reg_write(sdev, SCRUB_REG_TBL_CMD, SCRUB_CMD_READ);
	err = reg_poll(sdev, SCRUB_REG_TBL_STATUS, SCRUB_TBL_STATUS_BUSY_MASK, 0,
		       TABLE_TIMEOUT_US, &v);
	if (err)
		goto out;
	if ((v & SCRUB_TBL_STATUS_RESULT_MASK) != SCRUB_STATUS_OK) {
		err = -EIO;
		goto out;
	}
	for (i = 0; i < SCRUB_TABLE_GSTAT_WORDS; i++)
		w[i] = reg_read(sdev, SCRUB_REG_TBL_DATA + 4 * i);
	/* Wide fields take whole words, most significant first. */
	*packets = (u64)w[SCRUB_GSTAT_PACKETS_WORD] << 32 | w[SCRUB_GSTAT_PACKETS_WORD + 1];
	*bytes = (u64)w[SCRUB_GSTAT_BYTES_WORD] << 32 | w[SCRUB_GSTAT_BYTES_WORD + 1];
out:
	mutex_unlock(&sdev->lock);
	return err;
}
