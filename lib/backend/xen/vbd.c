/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual block devices through Linux blkback: the frontend and backend
 * xenstore entries, file-backed disks through a loop device this backend
 * attaches itself (auto-clearing: the kernel frees it once blkback lets go,
 * so neither an unplug nor a crash can leak it), the wait for blkback, and
 * the closing handshake on unplug.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include "backend/xen/xen_priv.h"

#define XO_VBD_CONNECT_MS 30000u
#define XO_LOOP_TRIES 8

/* ---- names ---- */

/* Xen's virtual-device number of xvd<letters>: major 202, 16 minors a disk. */
static int vbd_devid(const char *name)
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

struct vbd_paths {
	int domid, devid;
	char fe[128], be[128];
};

static int vbd_paths(struct vbd_paths *p, int domid, const struct xo_dev_config *cfg,
		     struct xo_error *err)
{
	p->domid = domid;
	p->devid = vbd_devid(cfg->u.vbd.device);
	if (p->devid < 0)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: VBD device \"%s\" is not xvd<letters>",
			      cfg->u.vbd.device);
	snprintf(p->fe, sizeof(p->fe), "/local/domain/%d/device/vbd/%d", domid, p->devid);
	snprintf(p->be, sizeof(p->be), "/local/domain/0/backend/vbd/%d/%d", domid, p->devid);
	return 0;
}

/* ---- loop devices ---- */

static int loop_configure(int loop_fd, int file_fd, const char *path, bool ro)
{
	struct loop_config lc;

	memset(&lc, 0, sizeof(lc));
	lc.fd = (unsigned int)file_fd;
	lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", path);
	if (ioctl(loop_fd, LOOP_CONFIGURE, &lc) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	/* Kernels before 5.8: the two-step way. */
	if (ioctl(loop_fd, LOOP_SET_FD, file_fd) < 0)
		return -1;
	if (ioctl(loop_fd, LOOP_SET_STATUS64, &lc.info) < 0) {
		int saved = errno;

		ioctl(loop_fd, LOOP_CLR_FD, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Attach @path to a free loop device. On success *loop_fd stays open: the
 * caller closes it once blkback holds the device (auto-clear then frees it
 * when blkback closes it, or at once if blkback never opened it).
 */
static int loop_attach(const char *path, bool ro, char dev[32], int *loop_fd, struct xo_error *err)
{
	int ctl, file_fd, rc = XENOPS_EBACKEND;

	file_fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (file_fd < 0)
		return xo_err(err, errno == ENOENT ? XENOPS_ENOTFOUND : XENOPS_EIO,
			      "xen backend: cannot open disk image %s: %s", path, strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		rc = xo_err(err, XENOPS_EBACKEND, "xen backend: /dev/loop-control: %s",
			    strerror(errno));
		goto out;
	}
	/* Another process may take the free device first: try again. */
	for (int i = 0; i < XO_LOOP_TRIES; i++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		int fd;

		if (n < 0)
			break;
		snprintf(dev, 32, "/dev/loop%d", n);
		fd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0)
			break;
		if (loop_configure(fd, file_fd, path, ro) == 0) {
			*loop_fd = fd;
			rc = 0;
			goto out;
		}
		close(fd);
		if (errno != EBUSY)
			break;
	}
	rc = xo_err(err, XENOPS_EBACKEND, "xen backend: cannot attach %s to a loop device: %s",
		    path,
		    strerror(errno));
out:
	if (ctl >= 0)
		close(ctl);
	close(file_fd);
	return rc;
}

/* ---- the backing device ---- */

struct vbd_backing {
	char dev[256];
	unsigned int major, minor;
	int loop_fd; /* -1 unless we attached a loop device */
};

static int backing_open(struct vbd_backing *bk, const struct xo_vbd_config *v, struct xo_error *err)
{
	struct stat st;
	int rc;

	bk->loop_fd = -1;
	if (!strncmp(v->backend, "phy:", 4)) {
		snprintf(bk->dev, sizeof(bk->dev), "%s", v->backend + 4);
	} else if (!strncmp(v->backend, "file:", 5)) {
		char loopdev[32];

		rc = loop_attach(v->backend + 5, v->readonly, loopdev, &bk->loop_fd, err);
		if (rc < 0)
			return rc;
		snprintf(bk->dev, sizeof(bk->dev), "%s", loopdev);
	} else {
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: a VBD without media is not supported by blkback");
	}
	if (stat(bk->dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		rc = xo_err(err, XENOPS_EINVAL, "xen backend: %s is not a block device", bk->dev);
		if (bk->loop_fd >= 0)
			close(bk->loop_fd);
		bk->loop_fd = -1;
		return rc;
	}
	bk->major = major(st.st_rdev);
	bk->minor = minor(st.st_rdev);
	return 0;
}

/* ---- xenstore ---- */

struct vbd_plug {
	const struct vbd_paths *p;
	const struct xo_vbd_config *v;
	const struct vbd_backing *bk;
};


static int plug_frontend(struct xo_backend *b, xs_transaction_t t, const struct vbd_plug *x,
			 struct xo_error *err)
{
	struct xs_permissions p[2] = { { .id = (unsigned int)x->p->domid, .perms = XS_PERM_NONE },
				       { .id = 0, .perms = XS_PERM_READ } };
	char buf[32];
	int rc;

	rc = xo_xs_rm(b, t, x->p->fe, err);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, x->p->fe, p, 2, err); /* the guest owns its end */
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "backend", x->p->be, err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "backend-id", "0", err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "state", "1", err);
	snprintf(buf, sizeof(buf), "%d", x->p->devid);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "virtual-device", buf, err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "device-type", x->v->cdrom ? "cdrom" : "disk",
				     err);
	return rc;
}

static int plug_backend(struct xo_backend *b, xs_transaction_t t, const struct vbd_plug *x,
			struct xo_error *err)
{
	struct xs_permissions p[2];
	char buf[32];
	const struct {
		const char *k, *v;
	} kv[] = {
		{ "frontend", x->p->fe },
		{ "online", "1" },
		{ "removable", x->v->cdrom ? "1" : "0" },
		{ "bootable", "1" },
		{ "state", "1" },
		{ "dev", x->v->device },
		{ "type", "phy" },
		{ "mode", x->v->readonly ? "r" : "w" },
		{ "device-type", x->v->cdrom ? "cdrom" : "disk" },
		{ "params", x->bk->dev },
		{ "physical-device-path", x->bk->dev },
		{ "xenops-media", x->v->backend },
		/* We are the hotplug script: there is nothing left for one to do. */
		{ "hotplug-status", "connected" },
	};
	int rc;

	xo_xs_perms_ro(p, x->p->domid);
	rc = xo_xs_rm(b, t, x->p->be, err);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, x->p->be, p, 2, err);
	for (size_t i = 0; rc == 0 && i < XO_ARRAY_SIZE(kv); i++)
		rc = xo_xen_kv_write(b, t, x->p->be, kv[i].k, kv[i].v, err);
	snprintf(buf, sizeof(buf), "%d", x->p->domid);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->be, "frontend-id", buf, err);
	/* blkback opens the device when this appears: write it last. */
	snprintf(buf, sizeof(buf), "%x:%x", x->bk->major, x->bk->minor);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->be, "physical-device", buf, err);
	return rc;
}

static int plug_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	int rc = plug_frontend(b, t, arg, err);

	return rc == 0 ? plug_backend(b, t, arg, err) : rc;
}

struct vbd_rm {
	const struct vbd_paths *p;
};

static int rm_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct vbd_rm *r = arg;
	int rc = xo_xs_rm(b, t, r->p->be, err);

	return rc == 0 ? xo_xs_rm(b, t, r->p->fe, err) : rc;
}

static int vbd_remove_nodes(struct xo_backend *b, const struct vbd_paths *p, struct xo_error *err)
{
	struct vbd_rm r = { p };

	return xo_xs_transaction(b, "remove VBD nodes", rm_txn, &r, err);
}

/* ---- waits ---- */

int xo_xen_read_state(struct xo_backend *b, const char *dir)
{
	char path[256];
	char *v;
	int s;

	snprintf(path, sizeof(path), "%s/state", dir);
	v = xo_xs_read(b->xsh, XBT_NULL, path);
	if (!v)
		return -1;
	s = atoi(v);
	free(v);
	return s;
}

/* blkback made the vbd (and so opened the device) once this sysfs node is there. */
static bool vbd_created(const struct vbd_paths *p)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/xen-backend/devices/vbd-%d-%d/physical_device",
		 p->domid, p->devid);
	return access(path, F_OK) == 0;
}

static int vbd_wait_connected(struct xo_backend *b, struct xo_env *env,
			      const struct vbd_paths *p, bool want_frontend, struct xo_error *err)
{
	uint64_t start = xo_now_ms();

	for (;;) {
		int s = xo_xen_read_state(b, p->be);
		int rc;

		/* A paused guest cannot connect its end: an open device is all we can wait for. */
		if (want_frontend ? s == 4 : vbd_created(p))
			return 0;
		if (s >= 5)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: blkback closed %s (state %d)", p->be,
				      s);
		if (xo_now_ms() - start >= XO_VBD_CONNECT_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: %s did not connect within %u ms (state %d)", p->be,
				      XO_VBD_CONNECT_MS, s);
		rc = env->sleep(env, 20, err);
		if (rc < 0)
			return rc;
	}
}

/* ---- plug / unplug / info ---- */

bool xo_xen_domain_running(struct xo_backend *b, int domid, struct xo_error *err)
{
	xc_domaininfo_t info;

	if (xo_xen_getinfo_one(b, domid, &info, err) < 0) {
		xo_error_clear(err);
		return false;
	}
	return !(info.flags & (XEN_DOMINF_paused | XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

int xo_xen_vbd_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st, struct xo_error *err)
{
	struct vbd_backing bk = { .loop_fd = -1 };
	struct vbd_paths p;
	struct vbd_plug x = { &p, &cfg->u.vbd, &bk };
	bool running;
	int rc;

	rc = vbd_paths(&p, domid, cfg, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc == 0)
		rc = backing_open(&bk, &cfg->u.vbd, err);
	if (rc < 0)
		return rc;
	running = xo_xen_domain_running(b, domid, err);
	rc = xo_xs_transaction(b, "write VBD nodes", plug_txn, &x, err);
	if (rc == 0)
		rc = vbd_wait_connected(b, env, &p, running, err);
	/* blkback holds the device now (or never will): auto-clear takes over. */
	if (bk.loop_fd >= 0)
		close(bk.loop_fd);
	if (rc < 0) {
		struct xo_error undo = { 0 }; /* *err keeps why the plug failed */

		vbd_remove_nodes(b, &p, &undo);
		return rc;
	}
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: VBD %s of domain %d on %s",
	       cfg->u.vbd.device, domid, bk.dev);
	return xo_xen_vbd_info(b, domid, cfg, st, err);
}

int xo_xen_vbd_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	struct vbd_paths p;
	int rc = vbd_paths(&p, domid, cfg, err);

	if (rc < 0)
		return rc;
	if (xo_xen_read_state(b, p.be) < 0)
		return 0; /* not plugged: nothing to undo */
	/* A guest that cannot run cannot answer the handshake. */
	if (!force && xo_xen_domain_running(b, domid, err)) {
		rc = xo_xen_dev_close(b, env, "VBD", p.be, p.fe, err);
		if (rc < 0)
			return rc;
	}
	rc = vbd_remove_nodes(b, &p, err);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: VBD %s of domain %d unplugged%s",
		       cfg->u.vbd.device, domid, force ? " (forced)" : "");
	return rc;
}

int xo_xen_vbd_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st, struct xo_error *err)
{
	struct vbd_paths p;
	char path[160];
	char *v;
	int rc = vbd_paths(&p, domid, cfg, err);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->backend_state = xo_xen_read_state(b, p.be);
	if (st->backend_state < 0)
		return xo_err(err, XENOPS_ENOTFOUND,
			      "xen backend: VBD %s of domain %d is not plugged",
			      cfg->u.vbd.device, domid);
	st->plugged = 1;
	st->active = st->backend_state == 4;
	snprintf(path, sizeof(path), "%s/physical-device", p.be);
	v = xo_xs_read(b->xsh, XBT_NULL, path);
	st->media_present = v != NULL;
	free(v);
	return 0;
}
