// SPDX-License-Identifier: GPL-2.0
/*
 * The argsz rule of every ioctl struct (include/uapi/scrub_pcie.h): the
 * caller's size comes first; the driver takes what it knows of it.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "scrub_pcie.h"

/*
 * Copies an input struct whose first u32 is argsz into karg (ksize bytes).
 * A caller older than version 1 (argsz < v1_size) gets EINVAL; a newer one
 * may pass more, as long as what the driver does not know is zero (else
 * E2BIG: it asks for something this driver cannot do). Fields the caller
 * did not pass are zero.
 */
int scrub_copy_args(void *karg, size_t ksize, size_t v1_size, const void __user *uarg)
{
	u32 argsz;
	int zero;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < v1_size)
		return -EINVAL;
	if (argsz > ksize) {
		zero = check_zeroed_user(uarg + ksize, argsz - ksize);
		if (zero < 0)
			return zero;
		if (!zero)
			return -E2BIG;
	}
	memset(karg, 0, ksize);
	if (copy_from_user(karg, uarg, min_t(size_t, argsz, ksize)))
		return -EFAULT;
	*(u32 *)karg = argsz;
	return 0;
}
