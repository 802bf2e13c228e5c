// SPDX-License-Identifier: GPL-2.0
/*
 * scrub_pcie: the PCI driver of the scrubbing card's control BAR. Probe
 * maps the register window, checks that the card is ours (MAGIC) and speaks
 * this driver's register map (VERSION major), sets the DMA mask, enables bus
 * mastering and MSI-X (or polling), and creates /dev/scrubN. Several cards
 * work at once; remove is clean while files are still open.
 *
 * The card's IDs are not final: the driver knows a placeholder and binds to
 * any other device through /sys/bus/pci/drivers/scrub_pcie/new_id, where
 * the magic check keeps it off devices that are not scrub cards.
 */
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "scrub_pcie.h"

/* Placeholder IDs of the card (Xilinx's vendor ID, a device ID of ours). */
#define SCRUB_PCI_VENDOR 0x10ee
#define SCRUB_PCI_DEVICE 0x5c5b

/* The register map ends with the table data window. */
#define SCRUB_REGS_MIN_LEN (SCRUB_REG_TBL_DATA + 4 * SCRUB_DATA_WORDS)

static int control_bar;
module_param(control_bar, int, 0444);
MODULE_PARM_DESC(control_bar, "BAR holding the card's registers (default 0)");

struct kmem_cache *scrub_dev_cache;
struct kmem_cache *scrub_file_cache;
static DEFINE_IDA(scrub_minors);

static void scrub_dev_release(struct kref *ref)
{
	struct scrub_dev *sdev = container_of(ref, struct scrub_dev, ref);

	mutex_destroy(&sdev->lock);
	pci_dev_put(sdev->pdev);
	kmem_cache_free(scrub_dev_cache, sdev);
}

void scrub_dev_put(struct scrub_dev *sdev)
{
	kref_put(&sdev->ref, scrub_dev_release);
}

/* Reads the identification block and checks that this is a card we speak. */
static int scrub_identify(struct scrub_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	u32 major;
	int i;

	for (i = 0; i < SCRUB_ID_WORDS; i++)
		sdev->id[i] = ioread32(sdev->regs + 4 * i);
	if (sdev->id[SCRUB_REG_MAGIC / 4] != SCRUB_MAGIC_VALUE) {
		pci_err(pdev, "BAR %d: magic register reads 0x%08x, not 0x%08x: not a scrub card\n",
			sdev->bar, sdev->id[SCRUB_REG_MAGIC / 4], SCRUB_MAGIC_VALUE);
		return -ENODEV;
	}
	major = (sdev->id[SCRUB_REG_VERSION / 4] & SCRUB_VERSION_MAJOR_MASK) >>
		SCRUB_VERSION_MAJOR_LSB;
	if (major != SCRUB_VERSION_MAJOR) {
		pci_err(pdev, "register map version 0x%08x: major %u, this driver speaks %u\n",
			sdev->id[SCRUB_REG_VERSION / 4], major, SCRUB_VERSION_MAJOR);
		return -ENODEV;
	}
	return 0;
}

static int scrub_map(struct scrub_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	int err;

	if (control_bar < 0 || control_bar >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(pdev, control_bar) & IORESOURCE_MEM)) {
		pci_err(pdev, "BAR %d is not a memory BAR\n", control_bar);
		return -ENODEV;
	}
	sdev->bar = control_bar;
	sdev->regs_phys = pci_resource_start(pdev, control_bar);
	sdev->regs_len = pci_resource_len(pdev, control_bar);
	if (sdev->regs_len < SCRUB_REGS_MIN_LEN || sdev->regs_len > U32_MAX) {
		pci_err(pdev, "BAR %d holds %llu bytes; the register map needs %u to 4 GiB\n",
			control_bar, (unsigned long long)sdev->regs_len, SCRUB_REGS_MIN_LEN);
		return -ENODEV;
	}
	err = pci_request_region(pdev, control_bar, SCRUB_PCIE_NAME);
	if (err)
		return err;
	sdev->regs = pci_iomap(pdev, control_bar, 0);
	if (!sdev->regs) {
		pci_release_region(pdev, control_bar);
		return -ENOMEM;
	}
	return 0;
}

static void scrub_unmap(struct scrub_dev *sdev, void __iomem *regs)
{
	pci_iounmap(sdev->pdev, regs);
	pci_release_region(sdev->pdev, sdev->bar);
}

static int scrub_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct scrub_dev *sdev;
	int err;

	sdev = kmem_cache_zalloc(scrub_dev_cache, GFP_KERNEL);
	if (!sdev)
		return -ENOMEM;
	kref_init(&sdev->ref);
	mutex_init(&sdev->lock);
	init_rwsem(&sdev->map_lock);
	INIT_LIST_HEAD(&sdev->files);
	sdev->pdev = pci_dev_get(pdev);

	err = pci_enable_device(pdev);
	if (err)
		goto err_put;
	err = scrub_map(sdev);
	if (err)
		goto err_disable;
	err = scrub_identify(sdev);
	if (err)
		goto err_unmap;
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err) {
		pci_err(pdev, "no usable DMA mask\n");
		goto err_unmap;
	}
	pci_set_master(pdev);
	scrub_irq_setup(sdev);

	err = ida_alloc(&scrub_minors, GFP_KERNEL);
	if (err < 0)
		goto err_irq;
	sdev->minor_index = err;
	pci_set_drvdata(pdev, sdev);
	err = scrub_cdev_register(sdev);
	if (err)
		goto err_ida;
	pci_info(pdev, "%s: register map %u.%u, BAR %d (%llu bytes), %s\n", sdev->name,
		 sdev->id[SCRUB_REG_VERSION / 4] >> SCRUB_VERSION_MAJOR_LSB,
		 sdev->id[SCRUB_REG_VERSION / 4] & SCRUB_VERSION_MINOR_MASK, sdev->bar,
		 (unsigned long long)sdev->regs_len, sdev->msix ? "MSI-X" : "polling");
	return 0;

err_ida:
	ida_free(&scrub_minors, sdev->minor_index);
err_irq:
	scrub_irq_teardown(sdev);
	pci_clear_master(pdev);
err_unmap:
	scrub_unmap(sdev, sdev->regs);
err_disable:
	pci_disable_device(pdev);
err_put:
	scrub_dev_put(sdev);
	return err;
}

/*
 * The card goes: no new opens, no sysfs readers; then, under the lock, no
 * transaction can reach it and every mapping of it is zapped. Open files
 * keep the (now empty) state until they are closed.
 */
static void scrub_remove(struct pci_dev *pdev)
{
	struct scrub_dev *sdev = pci_get_drvdata(pdev);
	struct scrub_file *f;
	void __iomem *regs;

	scrub_cdev_unregister(sdev);
	mutex_lock(&sdev->lock);
	down_write(&sdev->map_lock);
	sdev->unmapped = true;
	up_write(&sdev->map_lock);
	list_for_each_entry(f, &sdev->files, node)
		unmap_mapping_range(f->file->f_mapping, 0, 0, 1);
	regs = sdev->regs;
	sdev->regs = NULL;
	mutex_unlock(&sdev->lock);

	scrub_irq_teardown(sdev);
	pci_clear_master(pdev);
	scrub_unmap(sdev, regs);
	pci_disable_device(pdev);
	ida_free(&scrub_minors, sdev->minor_index);
	pci_info(pdev, "%s: removed\n", sdev->name);
	scrub_dev_put(sdev);
}

static const struct pci_device_id scrub_ids[] = {
	{ PCI_DEVICE(SCRUB_PCI_VENDOR, SCRUB_PCI_DEVICE) },
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, scrub_ids);

static struct pci_driver scrub_driver = {
	.name = SCRUB_PCIE_NAME,
	.id_table = scrub_ids,
	.probe = scrub_probe,
	.remove = scrub_remove,
};

static int __init scrub_init(void)
{
	int err;

	scrub_sysfs_init();
	/* Caches of their own, so a leak shows in /proc/slabinfo and at unload. */
	scrub_dev_cache = kmem_cache_create("scrub_pcie_dev", sizeof(struct scrub_dev), 0, 0, NULL);
	scrub_file_cache = kmem_cache_create("scrub_pcie_file", sizeof(struct scrub_file), 0, 0,
					     NULL);
	if (!scrub_dev_cache || !scrub_file_cache) {
		err = -ENOMEM;
		goto err_caches;
	}
	err = pci_register_driver(&scrub_driver);
	if (err)
		goto err_caches;
	return 0;

err_caches:
	kmem_cache_destroy(scrub_file_cache);
	kmem_cache_destroy(scrub_dev_cache);
	return err;
}

static void __exit scrub_exit(void)
{
	pci_unregister_driver(&scrub_driver);
	kmem_cache_destroy(scrub_file_cache);
	kmem_cache_destroy(scrub_dev_cache);
}

module_init(scrub_init);
module_exit(scrub_exit);

MODULE_DESCRIPTION("scrubbing card: control registers, transactions, counters");
MODULE_LICENSE("GPL");
