// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of /sys/class/misc/scrubN: the card's identity and
 * capabilities (read at probe), how it is driven (MSI-X or polling, and
 * the vectors received), and its global counters, each read through a
 * fresh snapshot under the card's lock.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "scrub_pcie.h"

static struct scrub_dev *attr_dev(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct scrub_dev, misc);
}

/* ---- identity ---- */

struct scrub_id_attr {
	struct device_attribute attr;
	u32 reg;
	const char *format;
};

static ssize_t id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct scrub_id_attr *a = container_of(attr, struct scrub_id_attr, attr);

	return sysfs_emit(buf, a->format, attr_dev(dev)->id[a->reg / 4]);
}

#define SCRUB_ID_ATTR(name, reg, format) \
	static struct scrub_id_attr id_attr_##name = { __ATTR(name, 0444, id_show, NULL), reg, format }

SCRUB_ID_ATTR(magic, SCRUB_REG_MAGIC, "0x%08x\n");
SCRUB_ID_ATTR(cap_match, SCRUB_REG_CAP_MATCH, "0x%08x\n");
SCRUB_ID_ATTR(cap_action, SCRUB_REG_CAP_ACTION, "0x%08x\n");
SCRUB_ID_ATTR(cap_dest, SCRUB_REG_CAP_DEST, "%u\n");
SCRUB_ID_ATTR(cap_em_buckets, SCRUB_REG_CAP_EM_BUCKETS, "%u\n");
SCRUB_ID_ATTR(cap_em_geom, SCRUB_REG_CAP_EM_GEOM, "0x%08x\n");
SCRUB_ID_ATTR(cap_acl, SCRUB_REG_CAP_ACL, "%u\n");
SCRUB_ID_ATTR(cap_policers, SCRUB_REG_CAP_POLICERS, "%u\n");
SCRUB_ID_ATTR(cap_counters, SCRUB_REG_CAP_COUNTERS, "%u\n");
SCRUB_ID_ATTR(cap_fifo_beats, SCRUB_REG_CAP_FIFO_BEATS, "%u\n");
SCRUB_ID_ATTR(cap_window, SCRUB_REG_CAP_WINDOW, "%u\n");
SCRUB_ID_ATTR(cap_count_only, SCRUB_REG_CAP_COUNT_ONLY, "%u\n");

static ssize_t version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 v = attr_dev(dev)->id[SCRUB_REG_VERSION / 4];

	return sysfs_emit(buf, "%u.%u\n", (v & SCRUB_VERSION_MAJOR_MASK) >> SCRUB_VERSION_MAJOR_LSB,
			  (v & SCRUB_VERSION_MINOR_MASK) >> SCRUB_VERSION_MINOR_LSB);
}
static DEVICE_ATTR_RO(version);

static ssize_t irq_mode_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", attr_dev(dev)->msix ? "msix" : "polling");
}
static DEVICE_ATTR_RO(irq_mode);

static ssize_t irq_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&attr_dev(dev)->irq_events));
}
static DEVICE_ATTR_RO(irq_count);

static ssize_t bar_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", attr_dev(dev)->bar);
}
static DEVICE_ATTR_RO(bar);

static struct attribute *id_attrs[] = {
	&id_attr_magic.attr.attr,
	&dev_attr_version.attr,
	&id_attr_cap_match.attr.attr,
	&id_attr_cap_action.attr.attr,
	&id_attr_cap_dest.attr.attr,
	&id_attr_cap_em_buckets.attr.attr,
	&id_attr_cap_em_geom.attr.attr,
	&id_attr_cap_acl.attr.attr,
	&id_attr_cap_policers.attr.attr,
	&id_attr_cap_counters.attr.attr,
	&id_attr_cap_fifo_beats.attr.attr,
	&id_attr_cap_window.attr.attr,
	&id_attr_cap_count_only.attr.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_irq_count.attr,
	&dev_attr_bar.attr,
	NULL,
};

static const struct attribute_group id_group = {
	.attrs = id_attrs,
};

/* ---- counters: counters/<gstat name> and counters/malformed_<reason> ---- */

#define N_MAL (SCRUB_MAL_NAMES_LEN - 1) /* every reason but "none" */
#define N_COUNTERS (SCRUB_GSTAT_NAMES_LEN + N_MAL)

struct scrub_counter_attr {
	struct device_attribute attr;
	u32 index;
	char name[32];
};

static struct scrub_counter_attr counter_attrs[N_COUNTERS];
static struct attribute *counter_attr_list[N_COUNTERS + 1];

/* "packets bytes" */
static ssize_t counter_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct scrub_counter_attr *a = container_of(attr, struct scrub_counter_attr, attr);
	u64 packets, bytes;
	int err;

	err = scrub_read_gstat(attr_dev(dev), a->index, &packets, &bytes);
	if (err)
		return err;
	return sysfs_emit(buf, "%llu %llu\n", packets, bytes);
}

static void counter_attr_init(struct scrub_counter_attr *a, u32 index, const char *prefix,
			      const char *name)
{
	snprintf(a->name, sizeof(a->name), "%s%s", prefix, name);
	a->index = index;
	a->attr.attr.name = a->name;
	a->attr.attr.mode = 0444;
	a->attr.show = counter_show;
}

/* The names come from the register map's lists, so they are filled in once
 * at module load. */
void scrub_sysfs_init(void)
{
	static const char *const gstat[] = SCRUB_GSTAT_NAMES;
	static const char *const mal[] = SCRUB_MAL_NAMES;
	unsigned int i;

	for (i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
		counter_attr_init(&counter_attrs[i], i, "", gstat[i]);
	for (i = 0; i < N_MAL; i++)
		counter_attr_init(&counter_attrs[SCRUB_GSTAT_NAMES_LEN + i],
				  SCRUB_GSTAT_MALFORMED_BASE + 1 + i, "malformed_", mal[1 + i]);
	for (i = 0; i < N_COUNTERS; i++) {
		sysfs_attr_init(&counter_attrs[i].attr.attr);
		counter_attr_list[i] = &counter_attrs[i].attr.attr;
	}
}

static const struct attribute_group counter_group = {
	.name = "counters",
	.attrs = counter_attr_list,
};

const struct attribute_group *scrub_groups[] = {
	&id_group,
	&counter_group,
	NULL,
};
