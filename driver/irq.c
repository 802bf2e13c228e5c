// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts: the card's MSI-X vector (when it has one) wakes whoever waits
 * for a register to change; a card without MSI-X is polled, its waiters
 * sleeping between reads. The register map has no interrupt cause: any
 * vector means "look again".
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>

#include "scrub_pcie.h"

static irqreturn_t scrub_irq(int irq, void *data)
{
	struct scrub_dev *sdev = data;

	atomic_inc(&sdev->irq_events);
	wake_up_all(&sdev->irq_wait);
	return IRQ_HANDLED;
}

void scrub_irq_setup(struct scrub_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	int err;

	init_waitqueue_head(&sdev->irq_wait);
	sdev->msix = false;
	if (!pdev->msix_cap) {
		pci_info(pdev, "no MSI-X capability: polling the card\n");
		return;
	}
	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (err < 0) {
		pci_info(pdev, "MSI-X vectors unavailable (%d): polling the card\n", err);
		return;
	}
	err = request_irq(pci_irq_vector(pdev, 0), scrub_irq, 0, SCRUB_PCIE_NAME, sdev);
	if (err) {
		pci_free_irq_vectors(pdev);
		pci_info(pdev, "MSI-X vector not requested (%d): polling the card\n", err);
		return;
	}
	sdev->msix = true;
	pci_info(pdev, "MSI-X: one vector\n");
}

void scrub_irq_teardown(struct scrub_dev *sdev)
{
	if (!sdev->msix)
		return;
	free_irq(pci_irq_vector(sdev->pdev, 0), sdev);
	pci_free_irq_vectors(sdev->pdev);
	sdev->msix = false;
}

/* Waits about us microseconds, less when the card signals. */
void scrub_irq_wait(struct scrub_dev *sdev, unsigned int us)
{
	int seen;

	if (!sdev->msix) {
		usleep_range(us, 2 * us);
		return;
	}
	/* An hrtimer: a jiffy would make every poll step milliseconds long. */
	seen = atomic_read(&sdev->irq_events);
	wait_event_hrtimeout(sdev->irq_wait, atomic_read(&sdev->irq_events) != seen,
			     ns_to_ktime((u64)us * NSEC_PER_USEC));
}
