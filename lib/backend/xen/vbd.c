/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual block devices through Linux blkback, as a xenbus kind: the
 * device number of xvd<letters>, the backing device (phy: as is, file:
 * through a loop device from loop.c), blkback's keys, and what connected
 * means for it.
 *
 * An HVM guest's CD drive is the device model's (an emulated IDE CD; the
 * guest's blkfront does not take CD drives in HVM guests): blkback gets no
 * device for it, the backend's keys only record the media ("params" the
 * file, "" when empty), and cdrom.c changes it through QMP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backend/xen/xenbus.h"

/* Xen's virtual-device number of xvd<letters>: major 202, 16 minors a disk. */
static int vbd_number(const char *name)
{
	unsigned int disk = 0;
	const char *p;

	if (strncmp(name, "xvd", 3) || !name[3])
		return -1;
	for (p = name + 3; *p; p++) {
		if (*p < 'a' || *p > 'z')
			return -1;
		disk = disk * 26 + (unsigned int)(*p - 'a') + (p == name + 3 ? 0 : 1);
	}
	if (disk < 16)
		return (202 << 8) | (int)(disk << 4);
	if (disk < (1u << 20))
		return (1 << 28) | (int)(disk << 8); /* the extended form */
	return -1;
}

static int vbd_devid(const struct xo_dev_config *cfg, struct xo_error *err)
{
	int devid = vbd_number(cfg->u.vbd.device);

	if (devid < 0)
		return xo_err(err, XENOPS_EINVAL, "xen backend: VBD device \"%s\" is not xvd<letters>",
			      cfg->u.vbd.device);
	return devid;
}

static void vbd_label(const struct xo_dev_config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%s", cfg->u.vbd.device);
}

/* ---- the backing device ---- */

/* The device model's CD drive: no device for blkback. */
static bool vbd_dm_cd(const struct xo_xenbus_dev *d)
{
	return d->hvm;
}

static int vbd_check(const struct xo_xenbus_dev *d, struct xo_error *err)
{
	const struct xo_vbd_config *v = &d->cfg->u.vbd;

	if (!vbd_dm_cd(d))
		return 0;
	if (xo_vbd_ide_index(v->device) < 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: the CD drive %s of an HVM guest must be one of the "
			      "emulated IDE drives (hd, sd or xvd followed by a to d)",
			      v->device);
	if (v->backend[0] && strncmp(v->backend, "file:", 5) != 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: the CD drive %s of an HVM guest takes a file: as media "
			      "(the device model's emulated drive), not %s",
			      v->device, v->backend);
	return 0;
}

static int vbd_setup(struct xo_xenbus_dev *d, struct xo_error *err)
{
	const struct xo_vbd_config *v = &d->cfg->u.vbd;
	struct xo_xenbus_backing *bk = &d->bk;
	struct stat st;
	int rc;

	bk->fd = -1;
	if (vbd_dm_cd(d)) {
		/* Checked now, not when the device model opens it at the unpause. */
		if (v->backend[0])
			return xo_path_check_readable("backend", v->backend + 5, false, err);
		return 0;
	}
	if (!strncmp(v->backend, "phy:", 4)) {
		snprintf(bk->path, sizeof(bk->path), "%s", v->backend + 4);
	} else if (!strncmp(v->backend, "file:", 5)) {
		char loopdev[32];

		rc = xo_xen_loop_attach(v->backend + 5, v->readonly, loopdev, &bk->fd, err);
		if (rc < 0)
			return rc;
		snprintf(bk->path, sizeof(bk->path), "%s", loopdev);
	} else {
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: a VBD without media is not supported by blkback");
	}
	if (stat(bk->path, &st) < 0 || !S_ISBLK(st.st_mode)) {
		rc = xo_err(err, XENOPS_EINVAL, "xen backend: %s is not a block device", bk->path);
		if (bk->fd >= 0)
			close(bk->fd);
		bk->fd = -1;
		return rc;
	}
	bk->major = major(st.st_rdev);
	bk->minor = minor(st.st_rdev);
	return 0;
}

/* blkback holds the device now (or never will): the loop's auto-clear takes over. */
static void vbd_teardown(struct xo_xenbus_dev *d)
{
	if (d->bk.fd >= 0)
		close(d->bk.fd);
	d->bk.fd = -1;
}

/* ---- xenstore ---- */

static int vbd_frontend_keys(struct xo_backend *b, xs_transaction_t t,
			     const struct xo_xenbus_dev *d, struct xo_error *err)
{
	char devid[16];
	const struct xo_xenbus_kv kv[] = {
		{ "virtual-device", devid },
		{ "device-type", d->cfg->u.vbd.cdrom ? "cdrom" : "disk" },
	};

	snprintf(devid, sizeof(devid), "%d", d->devid);
	return xo_xenbus_write_all(b, t, d->fe, kv, XO_ARRAY_SIZE(kv), err);
}

static int vbd_backend_keys(struct xo_backend *b, xs_transaction_t t,
			    const struct xo_xenbus_dev *d, struct xo_error *err)
{
	const struct xo_vbd_config *v = &d->cfg->u.vbd;
	char buf[32];
	int rc;

	if (vbd_dm_cd(d)) {
		const struct xo_xenbus_kv cd[] = {
			{ "removable", "1" },
			{ "bootable", "1" },
			{ "dev", v->device },
			{ "type", "file" },
			{ "mode", "r" },
			{ "device-type", "cdrom" },
			{ "params", v->backend[0] ? v->backend + 5 : "" },
			{ "xenops-media", v->backend },
			{ "hotplug-status", "connected" },
		};

		return xo_xenbus_write_all(b, t, d->be, cd, XO_ARRAY_SIZE(cd), err);
	}
	const struct xo_xenbus_kv kv[] = {
		{ "removable", v->cdrom ? "1" : "0" },
		{ "bootable", "1" },
		{ "dev", v->device },
		{ "type", "phy" },
		{ "mode", v->readonly ? "r" : "w" },
		{ "device-type", v->cdrom ? "cdrom" : "disk" },
		{ "params", d->bk.path },
		{ "physical-device-path", d->bk.path },
		{ "xenops-media", v->backend },
		/* We are the hotplug script: there is nothing left for one to do. */
		{ "hotplug-status", "connected" },
	};
	rc = xo_xenbus_write_all(b, t, d->be, kv, XO_ARRAY_SIZE(kv), err);

	/* blkback opens the device when this appears: write it last. */
	snprintf(buf, sizeof(buf), "%x:%x", d->bk.major, d->bk.minor);
	if (rc == 0)
		rc = xo_xenbus_write(b, t, d->be, "physical-device", buf, err);
	return rc;
}

/* ---- connection, facts ---- */

/* blkback made the vbd (and so opened the device) once this sysfs node is there. */
static bool vbd_created(const struct xo_xenbus_dev *d)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/xen-backend/devices/vbd-%d-%d/physical_device",
		 d->domid, d->devid);
	return access(path, F_OK) == 0;
}

static enum xo_xenbus_wait vbd_connected(const struct xo_xenbus_dev *d, bool running, int state)
{
	/* Nothing to wait for: neither blkback nor blkfront takes it. */
	if (vbd_dm_cd(d))
		return XO_XENBUS_CONNECTED;
	/* A paused guest cannot connect its end: an open device is all we can wait for. */
	if (running ? state == 4 : vbd_created(d))
		return XO_XENBUS_CONNECTED;
	return state >= 5 ? XO_XENBUS_CLOSED : XO_XENBUS_WAIT;
}

static void vbd_info(struct xo_backend *b, const struct xo_xenbus_dev *d, struct xo_dev_state *st)
{
	char *v = xo_xs_readf(b->xsh, XBT_NULL, "%s/%s", d->be,
			      vbd_dm_cd(d) ? "xenops-media" : "physical-device");

	st->media_present = v != NULL && (!vbd_dm_cd(d) || *v);
	free(v);
}

static void vbd_plugged_msg(const struct xo_xenbus_dev *d, char *buf, size_t n)
{
	if (vbd_dm_cd(d))
		snprintf(buf, n, " (the device model's CD drive, %s)",
			 d->cfg->u.vbd.backend[0] ? d->cfg->u.vbd.backend : "empty");
	else
		snprintf(buf, n, " on %s", d->bk.path);
}

const struct xo_xenbus_kind xo_xenbus_vbd = {
	.name = "vbd",
	.title = "VBD",
	.driver = "blkback",
	.devid = vbd_devid,
	.label = vbd_label,
	.check = vbd_check,
	.setup = vbd_setup,
	.teardown = vbd_teardown,
	.frontend_keys = vbd_frontend_keys,
	.backend_keys = vbd_backend_keys,
	.connected = vbd_connected,
	.info = vbd_info,
	.plugged_msg = vbd_plugged_msg,
};
