/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CD drive of an HVM guest: an emulated IDE CD drive of its device
 * model, whose media changes through QMP ("eject", "blockdev-change-medium"
 * on the drive's id, XO_DM_DRIVE_ID and its IDE index, given on the device
 * model's -drive). The VBD's backend keys in xenstore record the media
 * (vbd.c: blkback has no device for it), rewritten once the device model
 * took the change. A device model not started yet (the domain never
 * unpaused) gets the media on its command line instead. A deprivileged
 * device model cannot open the file by path: it gets it open, over QMP.
 */
#include <stdio.h>
#include <string.h>

#include "backend/xen/xenbus.h"

/* What QMP's JSON strings carry as is: no quote, backslash or control character. */
static bool json_plain(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

struct cd_keys {
	const char *be, *backend;
};

static int cd_keys_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct cd_keys *k = arg;
	int rc = xo_xenbus_write(b, t, k->be, "params", k->backend[0] ? k->backend + 5 : "", err);

	if (rc == 0)
		rc = xo_xenbus_write(b, t, k->be, "xenops-media", k->backend, err);
	return rc;
}

int xo_xen_cd_set_media(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
			const char *backend, struct xo_error *err)
{
	const struct xo_vbd_config *v = &cfg->u.vbd;
	int idx = xo_vbd_ide_index(v->device);
	const char *file = backend[0] ? backend + 5 : "";
	char be[128], cmd[PATH_MAX + 256];
	struct cd_keys k = { .be = be, .backend = backend };
	struct xo_xenbus_dev d;
	int rc;

	/* Every check before any effect. */
	if (!v->cdrom)
		return xo_err(err, XENOPS_EINVAL, "xen backend: vbd %s is a disk, not a CD drive",
			      v->device);
	if (idx < 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: vbd %s is not one of the device model's emulated IDE "
			      "drives (hd, sd or xvd followed by a to d)",
			      v->device);
	if (backend[0] && strncmp(backend, "file:", 5) != 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: the CD drive %s of an HVM guest takes a file: as media, "
			      "not %s",
			      v->device, backend);
	if (!json_plain(file))
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: the media file name %s has a quote, backslash or "
			      "control character",
			      file);
	if (backend[0]) {
		rc = xo_path_check_readable("backend", file, false, err);
		if (rc < 0)
			return rc;
	}
	/* The VBD's own backend directory: its device number as vbd.c makes it. */
	rc = xo_xenbus_dev_init(&d, &xo_xenbus_vbd, domid, cfg, err);
	if (rc < 0)
		return rc;
	snprintf(be, sizeof(be), "%s", d.be);
	if (xo_xenbus_state(b, be) < 0)
		return xo_err(err, XENOPS_EBADSTATE, "xen backend: vbd %s of domain %d is not plugged",
			      v->device, domid);
	if (!xo_xen_dm_running(b, domid)) {
		if (!xo_xen_dm_pending_media(b, domid, idx, file))
			return xo_err(err, XENOPS_EBADSTATE,
				      "xen backend: domain %d has no device model running or to "
				      "start with a CD drive %s",
				      domid, v->device);
	} else if (backend[0] && xo_xen_dm_deprivileged(b, domid)) {
		/* It cannot open the file by path (its chroot, its uid): handed over open. */
		rc = xo_xen_dm_insert_fd(b, domid, idx, file, err);
		if (rc < 0)
			return rc;
	} else {
		if (backend[0])
			snprintf(cmd, sizeof(cmd),
				 "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
				 "{\"device\": \"" XO_DM_DRIVE_ID "%d\", \"filename\": \"%s\", "
				 "\"format\": \"raw\", \"read-only-mode\": \"read-only\"}}",
				 idx, file);
		else
			/* force: a guest that locked the tray does not keep its media. */
			snprintf(cmd, sizeof(cmd),
				 "{\"execute\": \"eject\", \"arguments\": "
				 "{\"device\": \"" XO_DM_DRIVE_ID "%d\", \"force\": true}}",
				 idx);
		rc = xo_xen_dm_qmp(b, domid, cmd, NULL, 0, err);
		if (rc < 0)
			return rc;
	}
	rc = xo_xs_transaction(b, "write the CD drive's media", cd_keys_txn, &k, err);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: CD drive %s of domain %d: %s%s",
		       v->device, domid, backend[0] ? "inserted " : "ejected", file);
	return rc;
}
