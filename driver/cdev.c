// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/scrubN: the card's character device (a misc device). ioctls for the
 * card's identity and for transactions, and a read-only mapping of the
 * register window that disappears (SIGBUS) when the card does.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "scrub_pcie.h"

static struct scrub_dev *file_dev(struct file *file)
{
	return ((struct scrub_file *)file->private_data)->sdev;
}

/* misc_open calls this under misc_mtx, so the device is still registered. */
static int scrub_open(struct inode *inode, struct file *file)
{
	struct scrub_dev *sdev = container_of(file->private_data, struct scrub_dev, misc);
	struct scrub_file *f;

	f = kmem_cache_zalloc(scrub_file_cache, GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	kref_get(&sdev->ref);
	f->sdev = sdev;
	f->file = file;
	mutex_lock(&sdev->lock);
	list_add(&f->node, &sdev->files);
	mutex_unlock(&sdev->lock);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int scrub_release(struct inode *inode, struct file *file)
{
	struct scrub_file *f = file->private_data;
	struct scrub_dev *sdev = f->sdev;

	mutex_lock(&sdev->lock);
	list_del(&f->node);
	mutex_unlock(&sdev->lock);
	kmem_cache_free(scrub_file_cache, f);
	scrub_dev_put(sdev);
	return 0;
}

static long scrub_info_ioctl(struct scrub_dev *sdev, void __user *arg)
{
	struct scrub_pcie_info info = { 0 };
	struct pci_dev *pdev = sdev->pdev;
	bool present;
	u32 argsz;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < SCRUB_PCIE_INFO_SIZE_V1)
		return -EINVAL;
	mutex_lock(&sdev->lock);
	present = sdev->regs;
	mutex_unlock(&sdev->lock);
	if (!present)
		return -ENODEV;
	info.argsz = min_t(u32, argsz, sizeof(info));
	info.flags = sdev->msix ? SCRUB_PCIE_INFO_MSIX : 0;
	info.vendor = pdev->vendor;
	info.device = pdev->device;
	info.subsystem_vendor = pdev->subsystem_vendor;
	info.subsystem_device = pdev->subsystem_device;
	info.minor = sdev->minor_index;
	info.bar = sdev->bar;
	info.bar_len = sdev->regs_len;
	info.magic = sdev->id[SCRUB_REG_MAGIC / 4];
	info.version = sdev->id[SCRUB_REG_VERSION / 4];
	info.cap_match = sdev->id[SCRUB_REG_CAP_MATCH / 4];
	info.cap_action = sdev->id[SCRUB_REG_CAP_ACTION / 4];
	info.cap_dest = sdev->id[SCRUB_REG_CAP_DEST / 4];
	info.cap_em_buckets = sdev->id[SCRUB_REG_CAP_EM_BUCKETS / 4];
	info.cap_em_geom = sdev->id[SCRUB_REG_CAP_EM_GEOM / 4];
	info.cap_acl = sdev->id[SCRUB_REG_CAP_ACL / 4];
	info.cap_policers = sdev->id[SCRUB_REG_CAP_POLICERS / 4];
	info.cap_counters = sdev->id[SCRUB_REG_CAP_COUNTERS / 4];
	info.cap_fifo_beats = sdev->id[SCRUB_REG_CAP_FIFO_BEATS / 4];
	info.cap_window = sdev->id[SCRUB_REG_CAP_WINDOW / 4];
	info.cap_count_only = sdev->id[SCRUB_REG_CAP_COUNT_ONLY / 4];
	if (copy_to_user(arg, &info, info.argsz))
		return -EFAULT;
	return 0;
}

static long scrub_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct scrub_dev *sdev = file_dev(file);

	switch (cmd) {
	case SCRUB_PCIE_IOCTL_INFO:
		return scrub_info_ioctl(sdev, (void __user *)arg);
	case SCRUB_PCIE_IOCTL_TXN:
		return scrub_txn_ioctl(sdev, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* Inserts the window's page while the card is present; after remove the
 * mapping was zapped and any access is a SIGBUS. */
static vm_fault_t scrub_vm_fault(struct vm_fault *vmf)
{
	struct scrub_dev *sdev = file_dev(vmf->vma->vm_file);
	unsigned long pfn = (sdev->regs_phys >> PAGE_SHIFT) + vmf->pgoff;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&sdev->map_lock);
	if (!sdev->unmapped)
		ret = vmf_insert_pfn_prot(vmf->vma, vmf->address, pfn,
					  pgprot_noncached(vmf->vma->vm_page_prot));
	up_read(&sdev->map_lock);
	return ret;
}

static const struct vm_operations_struct scrub_vm_ops = {
	.fault = scrub_vm_fault,
};

static int scrub_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct scrub_dev *sdev = file_dev(file);
	unsigned long pages = vma_pages(vma);
	unsigned long window = PAGE_ALIGN(sdev->regs_len) >> PAGE_SHIFT;

	/* A window that does not fill whole pages would expose its neighbours. */
	if (!PAGE_ALIGNED(sdev->regs_phys) || !PAGE_ALIGNED(sdev->regs_len))
		return -ENODEV;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	if (vma->vm_pgoff >= window || pages > window - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_flags &= ~(VM_MAYWRITE | VM_MAYEXEC);
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &scrub_vm_ops;
	return 0;
}

static const struct file_operations scrub_fops = {
	.owner = THIS_MODULE,
	.open = scrub_open,
	.release = scrub_release,
	.unlocked_ioctl = scrub_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = scrub_mmap,
	.llseek = no_llseek,
};

int scrub_cdev_register(struct scrub_dev *sdev)
{
	snprintf(sdev->name, sizeof(sdev->name), "scrub%d", sdev->minor_index);
	sdev->misc.minor = MISC_DYNAMIC_MINOR;
	sdev->misc.name = sdev->name;
	sdev->misc.fops = &scrub_fops;
	sdev->misc.parent = &sdev->pdev->dev;
	sdev->misc.groups = scrub_groups;
	return misc_register(&sdev->misc);
}

void scrub_cdev_unregister(struct scrub_dev *sdev)
{
	misc_deregister(&sdev->misc);
}
