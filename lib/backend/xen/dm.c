/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device model of HVM guests: qemu-xen (Debian's qemu-system-xen),
 * one process per HVM domain, started, supervised and stopped here.
 *
 *  - build (hvm.c) registers what the device model will need; the devices
 *    plugged before the first unpause are added to it (emulated IDE disks
 *    for the firmware); the first unpause starts it: the process is
 *    started stopped (-S), QMP is connected on a unix socket,
 *    qmp_capabilities, then "cont" and query-status must say "running"
 *    before the domain's vCPUs run;
 *  - a supervisor thread per device model waits for the process to exit
 *    (a pidfd, so an adopted process is watched as well as a child) and
 *    checks every few seconds that its domain still exists: an exit that
 *    was not asked for is logged and crashes the domain (its emulated
 *    devices are gone), so the VM's on_crash action applies; a device
 *    model whose domain is gone is killed;
 *  - destroy stops it (QMP quit, then SIGKILL) before the domain goes;
 *  - the processes are found again from /proc alone, by their
 *    "-pidfile XO_DM_RUN_DIR/dm-<domid>.pid" argument: at open (after a
 *    restart of the daemon) those of our live domains are adopted, the
 *    others (orphans: their domain died or was never finished) are killed;
 *  - deprivileged when the knob dm.restrict is 1: the process runs as
 *    uid = gid = dm.uid_base + domid (-runas), chrooted to an empty
 *    directory of its own, XO_DM_RUN_DIR/dm-root-<domid> (-chroot), and
 *    its Xen handles restricted to its domain (-xen-domid-restrict). QEMU
 *    drops its privileges at the end of its initialisation: what it opens
 *    before (taps, serial file, QMP and VNC sockets, the pidfile, the saved
 *    state on fd 3) is opened as root. Its disk images and CD media are
 *    opened here and inherited as fd sets (-add-fd, file=/dev/fdset/N),
 *    since QEMU reopens an image (another access mode, the activation at
 *    "cont" after -incoming) after its chroot; CD media inserted later
 *    come the same way over QMP (add-fd, SCM_RIGHTS). The saved state of a
 *    suspend is made in the chroot for it (xo_xen_dm_save_state). The
 *    directory goes when the device model is stopped or found orphaned.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/xen/qmp.h"
#include "backend/xen/xen_priv.h"

#define XO_DM_MAX_DISKS 4 /* the IDE bus: hda..hdd */
#define XO_DM_START_MS 30000u
#define XO_DM_QMP_MS 5000u
#define XO_DM_QUIT_MS 5000u
#define XO_DM_LIVENESS_MS 2000
#define XO_DM_INCOMING_FD 3
#define XO_DM_INCOMING_MS 60000u
/*
 * A deprivileged device model's images, in the child: disk i (in the order
 * of dm_pending.disks) read-only at XO_DM_FD_FIRST + 2i, read-write (a
 * writable disk) at XO_DM_FD_FIRST + 2i + 1; both in fd set <IDE index>.
 */
#define XO_DM_FD_FIRST (XO_DM_INCOMING_FD + 1)
#define XO_DM_N_FDS (1 + 2 * XO_DM_MAX_DISKS) /* the saved state, then the images' */
/* The saved state of a suspend, in the chroot ("/" is its directory). */
#define XO_DM_ROOT_SAVE "save"

struct dm_disk {
	char path[PATH_MAX];
	int index; /* 0..3 */
	bool cdrom, ro;
};

#define XO_DM_MAX_NICS 8

struct dm_nic {
	int index;
	char mac[18];
	char bridge[64];
};

/* What a device model will be started with (registered at build). */
struct dm_pending {
	int domid;
	char vm_id[XO_ID_MAX + 1];
	char name[130];
	uint64_t memory_mib;
	unsigned int vcpus, vcpus_max;
	char boot_order[5];
	int serial, vnc;
	char *kernel, *ramdisk, *cmdline;
	struct dm_disk disks[XO_DM_MAX_DISKS];
	size_t n_disks;
	int nic_model;
	struct dm_nic nics[XO_DM_MAX_NICS];
	size_t n_nics;
	char incoming[128]; /* a saved state to load (-incoming), or "" */
	uint32_t uid;       /* deprivileged as uid = gid = this; 0: runs as root */
};

/* One supervised device model process. */
struct dm_sup {
	struct xo_backend *b;
	int domid;
	pid_t pid;
	char vm_id[XO_ID_MAX + 1];
	bool child;    /* ours to reap */
	bool expected; /* stop asked: its exit is not a crash (under dms->lock) */
	bool exited;   /* under dms->lock */
	int stop_pipe[2];
	pthread_t thread;
};

struct xo_xen_dms {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct xo_map pending; /* "domid" -> struct dm_pending */
	struct xo_map sups;    /* "domid" -> struct dm_sup */
	bool restricted;       /* knob dm.restrict */
	uint32_t uid_base;     /* knob dm.uid_base */
};

static void key_of(char key[16], int domid)
{
	snprintf(key, 16, "%d", domid);
}

/* Takes the lock; the device model of @domid still to start, or NULL. The
 * caller unlocks. */
static struct dm_pending *pending_locked(struct xo_backend *b, int domid)
{
	char key[16];

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	return xo_map_get(&b->dms->pending, key);
}

static void pending_free(struct dm_pending *p)
{
	if (!p)
		return;
	free(p->kernel);
	free(p->ramdisk);
	free(p->cmdline);
	free(p);
}

void xo_xen_dm_paths(int domid, char qmp[128], char pidfile[128])
{
	snprintf(qmp, 128, "%s/qmp-%d", XO_DM_RUN_DIR, domid);
	snprintf(pidfile, 128, "%s/dm-%d.pid", XO_DM_RUN_DIR, domid);
}

void xo_xen_dm_state_path(int domid, const char *what, char path[128])
{
	snprintf(path, 128, "%s/dm-%s-%d", XO_DM_RUN_DIR, what, domid);
}

void xo_xen_dm_root_path(int domid, char path[128])
{
	xo_xen_dm_state_path(domid, "root", path);
}

/* The chroot directory and what it may hold; quiet when there is none. */
static void root_remove(int domid)
{
	char root[128], file[160];

	xo_xen_dm_root_path(domid, root);
	snprintf(file, sizeof(file), "%s/%s", root, XO_DM_ROOT_SAVE);
	unlink(file);
	rmdir(root);
}

/* A fresh, empty chroot directory for the device model of @domid, root's, 0755. */
static int root_make(int domid, struct xo_error *err)
{
	char root[128];

	root_remove(domid);
	xo_xen_dm_root_path(domid, root);
	if (mkdir(root, 0755) < 0 || chmod(root, 0755) < 0)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", root);
	return 0;
}

/* ---- init / fini ---- */

int xo_xen_dm_init(struct xo_backend *b, struct xo_error *err)
{
	b->dms = calloc(1, sizeof(*b->dms));
	if (!b->dms)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	pthread_mutex_init(&b->dms->lock, NULL);
	pthread_cond_init(&b->dms->cond, NULL);
	/* Off by default until a deprivileged resume has been seen to pass (docs/hvm.md). */
	b->dms->restricted = false;
	b->dms->uid_base = XO_DM_UID_BASE_DEFAULT;
	return 0;
}

int xo_xen_dm_knob(struct xo_backend *b, const char *key, const char *value,
		   struct xo_error *err)
{
	unsigned long long v = XO_DM_UID_BASE_DEFAULT;
	char *end = NULL;

	if (strcmp(key, "dm.restrict") == 0) {
		if (!value || (*value && strcmp(value, "0") && strcmp(value, "1")))
			return xo_err(err, XENOPS_EINVAL,
				      "knob dm.restrict: value must be 1 (on), 0 (off) or \"\" for "
				      "the default 0");
		pthread_mutex_lock(&b->dms->lock);
		b->dms->restricted = strcmp(value, "1") == 0;
		pthread_mutex_unlock(&b->dms->lock);
		return 0;
	}
	if (strcmp(key, "dm.uid_base") == 0) {
		if (value && *value) {
			errno = 0;
			v = *value >= '0' && *value <= '9' ? strtoull(value, &end, 10) : 0;
			if (errno || !end || *end)
				v = 0;
		}
		if (!value || v < 1 || v > XO_DM_UID_BASE_MAX)
			return xo_err(err, XENOPS_EINVAL,
				      "knob dm.uid_base: value must be a number from 1 to %u, or \"\" "
				      "for the default %u",
				      XO_DM_UID_BASE_MAX, XO_DM_UID_BASE_DEFAULT);
		pthread_mutex_lock(&b->dms->lock);
		b->dms->uid_base = (uint32_t)v;
		pthread_mutex_unlock(&b->dms->lock);
		return 0;
	}
	return 1;
}

static int free_pending_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	pending_free(value);
	return 0;
}

static void sup_join(struct dm_sup *s)
{
	if (write(s->stop_pipe[1], "x", 1) < 0) {
		/* the thread also ends when the process does */
	}
	pthread_join(s->thread, NULL);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
}

static int collect_cb(const char *key, void *value, void *arg)
{
	struct dm_sup ***list = arg;

	(void)key;
	*(*list)++ = value;
	return 0;
}

/* The daemon stops, the guests go on: the device models are left running. */
void xo_xen_dm_fini(struct xo_backend *b)
{
	struct xo_xen_dms *d = b->dms;
	struct dm_sup **all, **end;
	size_t n;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	n = d->sups.count;
	all = calloc(n ? n : 1, sizeof(*all));
	end = all;
	if (all)
		xo_map_foreach(&d->sups, collect_cb, &end);
	xo_map_clear(&d->sups);
	pthread_mutex_unlock(&d->lock);
	for (struct dm_sup **s = all; s && s < end; s++) {
		sup_join(*s);
		free(*s);
	}
	free(all);
	xo_map_foreach(&d->pending, free_pending_cb, NULL);
	xo_map_clear(&d->pending);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
	b->dms = NULL;
}

/* ---- registration (build, device plugs) ---- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int xo_xen_dm_register(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		       struct xo_error *err)
{
	struct dm_pending *p = calloc(1, sizeof(*p)), *old;
	uint64_t mem = cfg->memory_target ? cfg->memory_target : cfg->memory_max;
	char key[16];
	int rc;

	if (!p)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	p->domid = domid;
	snprintf(p->vm_id, sizeof(p->vm_id), "%s", cfg->id);
	snprintf(p->name, sizeof(p->name), "%s", cfg->name && *cfg->name ? cfg->name : cfg->id);
	p->memory_mib = mem >> 20;
	p->vcpus = cfg->vcpus;
	p->vcpus_max = cfg->vcpus_max;
	snprintf(p->boot_order, sizeof(p->boot_order), "%s",
		 *cfg->boot_order ? cfg->boot_order : "cd");
	p->serial = cfg->serial;
	p->nic_model = cfg->nic_model;
	p->vnc = cfg->vnc;
	p->kernel = dup_or_empty(cfg->kernel);
	p->ramdisk = dup_or_empty(cfg->ramdisk);
	p->cmdline = dup_or_empty(cfg->cmdline);
	if (!p->kernel || !p->ramdisk || !p->cmdline) {
		pending_free(p);
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	}
	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	p->uid = b->dms->restricted ? b->dms->uid_base + (uint32_t)domid : 0;
	old = xo_map_del(&b->dms->pending, key);
	rc = xo_map_put(&b->dms->pending, key, p);
	pthread_mutex_unlock(&b->dms->lock);
	pending_free(old);
	if (rc < 0) {
		pending_free(p);
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	}
	return 0;
}

bool xo_xen_dm_pending(struct xo_backend *b, int domid)
{
	char key[16];
	bool r;

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	r = xo_map_get(&b->dms->pending, key) != NULL;
	pthread_mutex_unlock(&b->dms->lock);
	return r;
}

void xo_xen_dm_add_vbd(struct xo_backend *b, int domid, const struct xo_dev_config *cfg)
{
	const struct xo_vbd_config *v = &cfg->u.vbd;
	int idx = xo_vbd_ide_index(v->device);
	struct dm_pending *p;

	/* Only files are handed to the emulated disks; CD drives with media too,
	 * and an empty CD drive is an empty emulated one. */
	if (idx < 0 || !v->backend)
		return;
	if (strncmp(v->backend, "file:", 5) != 0 && !(v->cdrom && !v->backend[0]))
		return;
	p = pending_locked(b, domid);
	if (p && p->n_disks < XO_DM_MAX_DISKS) {
		struct dm_disk *d = &p->disks[p->n_disks++];

		snprintf(d->path, sizeof(d->path), "%s", v->backend[0] ? v->backend + 5 : "");
		d->index = idx;
		d->cdrom = v->cdrom != 0;
		d->ro = v->readonly || v->cdrom;
	}
	pthread_mutex_unlock(&b->dms->lock);
}

void xo_xen_dm_add_vif(struct xo_backend *b, int domid, const struct xo_dev_config *cfg)
{
	const struct xo_vif_config *v = &cfg->u.vif;
	struct dm_pending *p;

	p = pending_locked(b, domid);
	if (p && p->n_nics < XO_DM_MAX_NICS) {
		struct dm_nic *n = &p->nics[p->n_nics++];

		n->index = v->index;
		snprintf(n->mac, sizeof(n->mac), "%s", v->mac);
		snprintf(n->bridge, sizeof(n->bridge), "%s", v->bridge ? v->bridge : "");
	}
	pthread_mutex_unlock(&b->dms->lock);
}

/* The host side of an emulated NIC: a tap next to netback's vif<domid>.<n>. */
static void tap_name(char *buf, size_t n, int domid, int index)
{
	snprintf(buf, n, "vif%d.%d-emu", domid, index);
}

/* ---- the process ---- */

struct argv {
	char *v[96];
	size_t n;
	char store[8192];
	size_t used;
};

static void arg(struct argv *a, const char *fmt, ...) XO_PRINTF(2, 3);
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (a->n + 1 >= XO_ARRAY_SIZE(a->v) || a->used >= sizeof(a->store))
		return;
	va_start(ap, fmt);
	n = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->store) - a->used)
		return;
	a->v[a->n++] = a->store + a->used;
	a->used += (size_t)n + 1;
	a->v[a->n] = NULL;
}

static void build_argv(const struct dm_pending *p, struct argv *a)
{
	char qmp[128], pidfile[128];

	xo_xen_dm_paths(p->domid, qmp, pidfile);
	arg(a, "%s", XO_DM_QEMU);
	arg(a, "-xen-domid");
	arg(a, "%d", p->domid);
	arg(a, "-pidfile");
	arg(a, "%s", pidfile);
	arg(a, "-chardev");
	arg(a, "socket,id=xo-qmp,path=%s,server=on,wait=off", qmp);
	arg(a, "-mon");
	arg(a, "chardev=xo-qmp,mode=control");
	arg(a, "-no-shutdown");
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-S");
	if (p->uid) {
		char root[128];

		xo_xen_dm_root_path(p->domid, root);
		arg(a, "-runas");
		arg(a, "%u:%u", p->uid, p->uid);
		arg(a, "-chroot");
		arg(a, "%s", root);
		arg(a, "-xen-domid-restrict");
	}
	if (*p->incoming) {
		arg(a, "-incoming");
		arg(a, "fd:%d", XO_DM_INCOMING_FD);
	}
	arg(a, "-name");
	arg(a, "%s", p->name);
	arg(a, "-machine");
	arg(a, "xenfv,suppress-vmdesc=on");
	arg(a, "-m");
	arg(a, "%llu", (unsigned long long)p->memory_mib);
	arg(a, "-smp");
	arg(a, "%u,maxcpus=%u", p->vcpus, p->vcpus_max);
	arg(a, "-boot");
	arg(a, "order=%s", p->boot_order);
	arg(a, "-display");
	arg(a, "none");
	if (p->vnc) {
		arg(a, "-vga");
		arg(a, "cirrus");
		arg(a, "-vnc");
		arg(a, "unix:%s/vnc-%d", XO_DM_RUN_DIR, p->domid);
	} else {
		arg(a, "-vga");
		arg(a, "none");
	}
	arg(a, "-serial");
	if (p->serial == XO_SERIAL_FILE)
		arg(a, "file:%s/serial-%s.log", XO_DM_LOG_DIR, p->vm_id);
	else
		arg(a, "none");
	if (!p->n_nics) {
		arg(a, "-net");
		arg(a, "none");
	}
	for (size_t i = 0; i < p->n_nics; i++) {
		const struct dm_nic *n = &p->nics[i];
		char tap[32];

		tap_name(tap, sizeof(tap), p->domid, n->index);
		arg(a, "-netdev");
		arg(a, "type=tap,id=xo-net%d,ifname=%s,script=no,downscript=no", n->index, tap);
		arg(a, "-device");
		/* No option ROM: network boot ('n') is not offered (docs/hvm.md). */
		arg(a, "%s,id=xo-nic%d,netdev=xo-net%d,mac=%s,romfile=",
		    p->nic_model == XO_NIC_RTL8139 ? "rtl8139" : "e1000", n->index, n->index, n->mac);
	}
	for (size_t i = 0; i < p->n_disks; i++) {
		const struct dm_disk *d = &p->disks[i];
		char file[PATH_MAX + 16];

		if (!*d->path) {
			arg(a, "-drive");
			/* The id names the drive in QMP (CD media changes: cdrom.c). */
			arg(a, "if=ide,index=%d,media=cdrom,id=" XO_DM_DRIVE_ID "%d%s", d->index,
			    d->index, d->ro ? ",readonly=on" : "");
			continue;
		}
		if (p->uid) {
			/* QEMU picks the descriptor whose access mode it asks for. */
			arg(a, "-add-fd");
			arg(a, "fd=%d,set=%d,opaque=" XO_DM_DRIVE_ID "%d-ro",
			    XO_DM_FD_FIRST + 2 * (int)i, d->index, d->index);
			if (!d->ro) {
				arg(a, "-add-fd");
				arg(a, "fd=%d,set=%d,opaque=" XO_DM_DRIVE_ID "%d-rw",
				    XO_DM_FD_FIRST + 2 * (int)i + 1, d->index, d->index);
			}
			snprintf(file, sizeof(file), "/dev/fdset/%d", d->index);
		} else
			snprintf(file, sizeof(file), "%s", d->path);
		arg(a, "-drive");
		arg(a,
		    "file=%s,if=ide,index=%d,media=%s,format=raw,cache=writeback,"
		    "id=" XO_DM_DRIVE_ID "%d%s",
		    file, d->index, d->cdrom ? "cdrom" : "disk", d->index,
		    d->ro ? ",readonly=on" : "");
	}
	if (*p->kernel) {
		arg(a, "-kernel");
		arg(a, "%s", p->kernel);
		if (*p->ramdisk) {
			arg(a, "-initrd");
			arg(a, "%s", p->ramdisk);
		}
		arg(a, "-append");
		arg(a, "%s", p->cmdline);
	}
}

static void close_fds(int fds[XO_DM_N_FDS])
{
	for (size_t i = 0; i < XO_DM_N_FDS; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * What the child inherits, at XO_DM_INCOMING_FD + slot: the saved state of
 * a resume (slot 0), and for a deprivileged device model its images (the
 * slots of XO_DM_FD_FIRST). Opened with O_CLOEXEC; -1 where none.
 */
static int open_fds(const struct dm_pending *p, int fds[XO_DM_N_FDS], struct xo_error *err)
{
	for (size_t i = 0; i < XO_DM_N_FDS; i++)
		fds[i] = -1;
	if (*p->incoming) {
		fds[0] = open(p->incoming, O_RDONLY | O_CLOEXEC);
		if (fds[0] < 0)
			return xo_err_errno(err, errno, "xen backend: cannot open %s", p->incoming);
	}
	for (size_t i = 0; p->uid && i < p->n_disks; i++) {
		const struct dm_disk *d = &p->disks[i];
		size_t slot = 1 + 2 * i;

		if (!*d->path)
			continue;
		fds[slot] = open(d->path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
		if (fds[slot] >= 0 && !d->ro)
			fds[slot + 1] = open(d->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fds[slot] < 0 || (!d->ro && fds[slot + 1] < 0)) {
			int e = errno;

			close_fds(fds);
			return xo_err_errno(err, e, "xen backend: cannot open %s (%s) for the device "
				     "model", d->path, d->ro ? "read-only" : "read-write");
		}
	}
	return 0;
}

/*
 * In the child, after fork: @fds[i] becomes XO_DM_INCOMING_FD + i (dup2
 * clears O_CLOEXEC), every other descriptor above stderr is closed. They
 * are first moved above the slots, so that no source is overwritten.
 */
static void child_fds(const int fds[XO_DM_N_FDS])
{
	const int top = XO_DM_INCOMING_FD + XO_DM_N_FDS;
	int tmp[XO_DM_N_FDS];

	for (size_t i = 0; i < XO_DM_N_FDS; i++)
		tmp[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, top) : -1;
	for (int fd = XO_DM_INCOMING_FD; fd < top; fd++)
		close(fd);
	for (size_t i = 0; i < XO_DM_N_FDS; i++)
		if (tmp[i] >= 0)
			dup2(tmp[i], XO_DM_INCOMING_FD + (int)i);
	if (close_range((unsigned int)top, ~0u, 0) < 0)
		for (int fd = top; fd < 1024; fd++)
			close(fd);
}

/* Fork and exec @prog with @a's arguments, its output to @out_fd, @fds inherited. */
static pid_t fork_exec(const char *prog, struct argv *a, int out_fd, const int fds[XO_DM_N_FDS])
{
	pid_t pid = fork();

	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		/* Its own session: a signal to the daemon's group does not reach it. */
		setsid();
		if (nul >= 0)
			dup2(nul, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		child_fds(fds);
		a->v[0] = (char *)prog;
		execv(prog, a->v);
		_exit(127);
	}
	return pid;
}

static int spawn(struct xo_backend *b, const struct dm_pending *p, pid_t *pid_out,
		 struct xo_error *err)
{
	struct argv a = { .n = 0 };
	char log[PATH_MAX];
	int logfd, fds[XO_DM_N_FDS], rc;
	pid_t pid;

	build_argv(p, &a);
	if (mkdir(XO_DM_RUN_DIR, 0700) < 0 && errno != EEXIST)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", XO_DM_RUN_DIR);
	if (mkdir(XO_DM_LOG_DIR, 0750) < 0 && errno != EEXIST)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", XO_DM_LOG_DIR);
	if (p->uid) {
		rc = root_make(p->domid, err);
		if (rc < 0)
			return rc;
	}
	snprintf(log, sizeof(log), "%s/qemu-dm-%s.log", XO_DM_LOG_DIR, p->vm_id);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (logfd < 0)
		return xo_err_errno(err, errno, "xen backend: cannot open %s", log);
	rc = open_fds(p, fds, err);
	if (rc < 0) {
		close(logfd);
		return rc;
	}
	pid = fork_exec(XO_DM_QEMU, &a, logfd, fds);
	if (pid < 0) {
		int e = errno;

		close(logfd);
		close_fds(fds);
		return xo_err_errno(err, e, "xen backend: fork for the device model");
	}
	close(logfd);
	close_fds(fds);
	xo_log(&b->log, XENOPS_LOG_INFO,
	       "xen backend: device model of domain %d (VM %s) started, pid %d, %s%u, log %s",
	       p->domid, p->vm_id, (int)pid, p->uid ? "deprivileged to uid " : "as root, uid ",
	       p->uid, log);
	*pid_out = pid;
	return 0;
}

int xo_xen_dm_exec_test(struct xo_backend *b, int domid, const char *prog, int out_fd,
			struct xo_error *err)
{
	struct argv a = { .n = 0 };
	struct dm_pending *p;
	int fds[XO_DM_N_FDS], status = 0, rc = 0;
	pid_t pid;

	p = pending_locked(b, domid);
	if (p) {
		build_argv(p, &a);
		rc = open_fds(p, fds, err);
	}
	pthread_mutex_unlock(&b->dms->lock);
	if (!p)
		return xo_err(err, XENOPS_ENOTFOUND, "no device model registered for domain %d",
			      domid);
	if (rc < 0)
		return rc;
	pid = fork_exec(prog, &a, out_fd, fds);
	close_fds(fds);
	if (pid < 0)
		return xo_err_errno(err, errno, "fork");
	if (waitpid(pid, &status, 0) < 0)
		return xo_err_errno(err, errno, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Connect to QMP once the socket answers, the process still being there. */
static int qmp_wait(struct xo_env *env, pid_t pid, const char *path, struct xo_qmp **q,
		    struct xo_error *err)
{
	uint64_t deadline = xo_now_ms() + XO_DM_START_MS;
	int status, rc;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: the device model exited at start (status %d): "
				      "see its log in %s",
				      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				      XO_DM_LOG_DIR);
		if (access(path, F_OK) == 0 && xo_qmp_open(path, XO_DM_QMP_MS, q, NULL) == 0)
			return 0;
		if (xo_now_ms() >= deadline)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: the device model's QMP socket %s did not answer "
				      "within %u s",
				      path, XO_DM_START_MS / 1000);
		rc = env->sleep(env, 50, err);
		if (rc < 0)
			return rc;
	}
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static void *sup_main(void *arg)
{
	struct dm_sup *s = arg;
	struct xo_backend *b = s->b;
	int pfd = pidfd_of(s->pid);
	bool gone = false, domain_gone = false;

	while (!gone) {
		struct pollfd p[2] = { { .fd = s->stop_pipe[0], .events = POLLIN },
				       { .fd = pfd, .events = POLLIN } };
		struct xo_error e = { 0 };
		xc_domaininfo_t info;

		if (poll(p, pfd >= 0 ? 2 : 1, XO_DM_LIVENESS_MS) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break; /* the daemon stops: the device model stays */
		if (pfd >= 0 ? (p[1].revents != 0) : !pid_alive(s->pid)) {
			gone = true;
			break;
		}
		/* Never outlive the domain. */
		if (xo_xen_getinfo_one(b, s->domid, &info, &e) == XENOPS_ENOTFOUND) {
			domain_gone = true;
			pthread_mutex_lock(&b->dms->lock);
			s->expected = true;
			pthread_mutex_unlock(&b->dms->lock);
			kill(s->pid, SIGKILL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (gone) {
		int status = 0;
		bool expected;

		if (s->child)
			waitpid(s->pid, &status, 0);
		pthread_mutex_lock(&b->dms->lock);
		expected = s->expected;
		s->exited = true;
		pthread_cond_broadcast(&b->dms->cond);
		pthread_mutex_unlock(&b->dms->lock);
		if (domain_gone)
			xo_log(&b->log, XENOPS_LOG_WARNING,
			       "xen backend: domain %d is gone: its device model (pid %d) was killed",
			       s->domid, (int)s->pid);
		else if (!expected) {
			xo_log(&b->log, XENOPS_LOG_ERROR,
			       "xen backend: the device model of domain %d (VM %s, pid %d) exited "
			       "unexpectedly (%s %d): the domain is crashed",
			       s->domid, s->vm_id, (int)s->pid,
			       s->child && WIFSIGNALED(status) ? "signal" : "status",
			       s->child && WIFSIGNALED(status) ? WTERMSIG(status)
								: WEXITSTATUS(status));
			xc_domain_shutdown(b->xch, (uint32_t)s->domid, SHUTDOWN_crash);
		}
	}
	return NULL;
}

static int sup_start(struct xo_backend *b, int domid, pid_t pid, const char *vm_id, bool child,
		     struct xo_error *err)
{
	struct dm_sup *s = calloc(1, sizeof(*s)), *old;
	char key[16];

	if (!s)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	s->b = b;
	s->domid = domid;
	s->pid = pid;
	s->child = child;
	snprintf(s->vm_id, sizeof(s->vm_id), "%s", vm_id);
	if (pipe2(s->stop_pipe, O_CLOEXEC) < 0) {
		free(s);
		return xo_err_errno(err, errno, "xen backend: pipe");
	}
	if (pthread_create(&s->thread, NULL, sup_main, s) != 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
		free(s);
		return xo_err(err, XENOPS_EBACKEND, "xen backend: cannot start a supervisor thread");
	}
	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	old = xo_map_del(&b->dms->sups, key);
	xo_map_put(&b->dms->sups, key, s);
	pthread_mutex_unlock(&b->dms->lock);
	if (old) {
		sup_join(old);
		free(old);
	}
	return 0;
}

/*
 * A device model started with -incoming loads its saved state before it
 * takes "cont": wait while query-status says "inmigrate".
 */
static int wait_incoming(struct xo_env *env, struct xo_qmp *q, struct xo_error *err)
{
	uint64_t deadline = xo_now_ms() + XO_DM_INCOMING_MS;
	char reply[1024];
	int rc;

	for (;;) {
		rc = xo_qmp_command(q, "{\"execute\": \"query-status\"}", XO_DM_QMP_MS, reply,
				    sizeof(reply), err);
		if (rc < 0)
			return rc;
		if (!strstr(reply, "\"inmigrate\""))
			return 0;
		rc = env->check(env, err);
		if (rc < 0)
			return rc;
		if (xo_now_ms() >= deadline)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: the device model did not load its saved state "
				      "within %u s", XO_DM_INCOMING_MS / 1000);
		usleep(50 * 1000);
	}
}

/* The uid the process runs as (from its /proc entry); false if it is gone. */
static bool proc_uid(pid_t pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0)
		return false;
	*uid = st.st_uid;
	return true;
}

/* QMP answers once QEMU is initialised, so its privileges are dropped by now. */
static int check_uid(pid_t pid, uint32_t want, struct xo_error *err)
{
	uid_t uid = 0;

	if (!proc_uid(pid, &uid))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: the device model (pid %d) is gone",
			      (int)pid);
	if (uid != (uid_t)want)
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: the device model (pid %d) runs as uid %u, not %u",
			      (int)pid, (unsigned int)uid, want);
	return 0;
}

static int start_running(struct xo_env *env, struct xo_qmp *q, struct xo_error *err)
{
	char reply[1024];
	int rc = xo_qmp_command(q, "{\"execute\": \"cont\"}", XO_DM_QMP_MS, NULL, 0, err);

	if (rc == 0)
		rc = xo_qmp_command(q, "{\"execute\": \"query-status\"}", XO_DM_QMP_MS, reply,
				    sizeof(reply), err);
	if (rc == 0 && !strstr(reply, "\"running\": true"))
		rc = xo_err(err, XENOPS_EBACKEND,
			    "xen backend: the device model is not running after cont: %.200s",
			    reply);
	(void)env;
	return rc;
}

int xo_xen_dm_start(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	struct xo_qmp *q = NULL;
	struct dm_pending *p;
	char key[16], qmp[128], pidfile[128];
	pid_t pid = -1;
	int rc;

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	p = xo_map_del(&b->dms->pending, key);
	pthread_mutex_unlock(&b->dms->lock);
	if (!p)
		return 0;
	xo_xen_dm_paths(domid, qmp, pidfile);
	unlink(qmp);
	rc = spawn(b, p, &pid, err);
	if (rc == 0)
		rc = qmp_wait(env, pid, qmp, &q, err);
	/* The taps exist once QMP answers: up, and on the VIF's bridge. */
	for (size_t i = 0; rc == 0 && i < p->n_nics; i++) {
		char tap[32];

		tap_name(tap, sizeof(tap), domid, p->nics[i].index);
		rc = xo_netif_set_up(tap, true, err);
		if (rc == 0 && *p->nics[i].bridge)
			rc = xo_netif_bridge_add(p->nics[i].bridge, tap, err);
	}
	if (rc == 0 && *p->incoming)
		rc = wait_incoming(env, q, err);
	if (rc == 0)
		rc = start_running(env, q, err);
	if (rc == 0)
		rc = check_uid(pid, p->uid, err);
	xo_qmp_close(q);
	if (rc == 0 && *p->incoming)
		unlink(p->incoming);
	if (rc == 0)
		rc = sup_start(b, domid, pid, p->vm_id, true, err);
	if (rc < 0 && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		unlink(qmp);
		root_remove(domid);
		/* Put it back: a retried unpause tries again. */
		pthread_mutex_lock(&b->dms->lock);
		if (xo_map_put(&b->dms->pending, key, p) == 0)
			p = NULL;
		pthread_mutex_unlock(&b->dms->lock);
	}
	pending_free(p);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: device model of domain %d running",
		       domid);
	return rc;
}

/* ---- finding processes from /proc ---- */

/* The domid whose pidfile argument this process has, or -1. */
static int proc_dm_domid(pid_t pid)
{
	char path[64], buf[4096];
	size_t n;
	FILE *f;
	const char *prefix = XO_DM_RUN_DIR "/dm-";
	int domid = -1;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i + 1 < n;) {
		const char *a = buf + i;
		size_t len = strlen(a);

		if (!strcmp(a, "-pidfile") && i + len + 1 < n) {
			const char *v = a + len + 1;
			char tail[16];

			if (!strncmp(v, prefix, strlen(prefix)) &&
			    sscanf(v + strlen(prefix), "%d%15s", &domid, tail) == 2 &&
			    !strcmp(tail, ".pid"))
				return domid;
			return -1;
		}
		i += len + 1;
	}
	return -1;
}

typedef void (*dm_proc_fn)(struct xo_backend *b, pid_t pid, int domid, void *arg);

static void for_each_dm(struct xo_backend *b, dm_proc_fn fn, void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int domid;

		if (*end || pid <= 1 || pid == getpid())
			continue;
		domid = proc_dm_domid((pid_t)pid);
		if (domid > 0)
			fn(b, (pid_t)pid, domid, arg);
	}
	closedir(d);
}

static void kill_of_domid(struct xo_backend *b, pid_t pid, int domid, void *arg)
{
	if (domid != *(int *)arg)
		return;
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: killing device model pid %d of domain %d",
	       (int)pid, domid);
	kill(pid, SIGKILL);
}

/* ---- stop ---- */

static void cleanup_files(struct xo_backend *b, int domid)
{
	char qmp[128], pidfile[128], path[64];

	char state[128];

	xo_xen_dm_paths(domid, qmp, pidfile);
	unlink(qmp);
	unlink(pidfile);
	xo_xen_dm_state_path(domid, "incoming", state);
	unlink(state);
	xo_xen_dm_state_path(domid, "save", state);
	unlink(state);
	root_remove(domid);
	snprintf(path, sizeof(path), "/local/domain/0/device-model/%d", domid);
	xs_rm(b->xsh, XBT_NULL, path);
}

/* Wait for the supervised process to exit (its thread reaps it). */
static bool wait_exited(struct xo_backend *b, struct dm_sup *s, unsigned int ms)
{
	uint64_t deadline = xo_now_ms() + ms;
	bool done;

	pthread_mutex_lock(&b->dms->lock);
	while (!s->exited && xo_now_ms() < deadline) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&b->dms->cond, &b->dms->lock, &ts);
	}
	done = s->exited;
	pthread_mutex_unlock(&b->dms->lock);
	return done;
}

void xo_xen_dm_stop(struct xo_backend *b, int domid)
{
	struct dm_pending *p;
	struct dm_sup *s;
	char key[16], qmp[128], pidfile[128];

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	p = xo_map_del(&b->dms->pending, key);
	s = xo_map_del(&b->dms->sups, key);
	if (s)
		s->expected = true;
	pthread_mutex_unlock(&b->dms->lock);
	pending_free(p);
	if (s) {
		struct xo_qmp *q = NULL;

		xo_xen_dm_paths(domid, qmp, pidfile);
		/* quit ends it cleanly (its disks flushed); SIGKILL if it does not. */
		if (xo_qmp_open(qmp, 1000, &q, NULL) == 0)
			xo_qmp_command(q, "{\"execute\": \"quit\"}", 1000, NULL, 0, NULL);
		xo_qmp_close(q);
		if (!wait_exited(b, s, XO_DM_QUIT_MS)) {
			kill(s->pid, SIGKILL);
			wait_exited(b, s, XO_DM_QUIT_MS);
		}
		sup_join(s);
		free(s);
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: device model of domain %d stopped",
		       domid);
	}
	/*
	 * One we did not start or adopt (the daemon died after the fork), found
	 * by /proc; only when its pidfile is there, so that a PV domain's
	 * destroy does not read every process's command line (one that died
	 * before writing it is an orphan for the next open's sweep).
	 */
	xo_xen_dm_paths(domid, qmp, pidfile);
	if (access(pidfile, F_OK) == 0)
		for_each_dm(b, kill_of_domid, &domid);
	if (p || s || access(qmp, F_OK) == 0 || access(pidfile, F_OK) == 0)
		cleanup_files(b, domid);
	else {
		char state[128];

		xo_xen_dm_state_path(domid, "incoming", state);
		unlink(state);
		root_remove(domid);
	}
}

/* ---- the device model through QMP, for running guests ---- */

int xo_xen_dm_qmp(struct xo_backend *b, int domid, const char *json, char *reply,
		  size_t reply_len, struct xo_error *err)
{
	char qmp[128], pidfile[128];
	struct xo_qmp *q = NULL;
	int rc;

	(void)b;
	xo_xen_dm_paths(domid, qmp, pidfile);
	rc = xo_qmp_open(qmp, XO_DM_QMP_MS, &q, err);
	if (rc == 0)
		rc = xo_qmp_command(q, json, XO_DM_QMP_MS, reply, reply_len, err);
	xo_qmp_close(q);
	return rc;
}

bool xo_xen_dm_needed(struct xo_backend *b, int domid)
{
	char *bios = xo_xs_readf(b->xsh, XBT_NULL, "/local/domain/%d/hvmloader/bios", domid);
	bool hvm = bios != NULL;

	free(bios);
	return hvm;
}

bool xo_xen_dm_running(struct xo_backend *b, int domid)
{
	char key[16];
	bool r;

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	r = xo_map_get(&b->dms->sups, key) != NULL;
	pthread_mutex_unlock(&b->dms->lock);
	return r;
}

/* The process id of @domid's supervised device model, 0 if none. */
static pid_t sup_pid(struct xo_backend *b, int domid)
{
	char key[16];
	struct dm_sup *s;
	pid_t pid = 0;

	key_of(key, domid);
	pthread_mutex_lock(&b->dms->lock);
	s = xo_map_get(&b->dms->sups, key);
	if (s)
		pid = s->pid;
	pthread_mutex_unlock(&b->dms->lock);
	return pid;
}

int xo_xen_dm_acpi_poweroff(struct xo_backend *b, int domid, struct xo_error *err)
{
	char *f;
	bool pv;
	int rc;

	if (!xo_xen_dm_running(b, domid))
		return 1;
	/* The guest's PV drivers say they handle control/shutdown (the value is the guest's). */
	f = xo_xs_readf(b->xsh, XBT_NULL, "/local/domain/%d/control/feature-poweroff", domid);
	pv = f && !strcmp(f, "1");
	free(f);
	if (pv)
		return 1;
	rc = xo_xen_dm_qmp(b, domid, "{\"execute\": \"system_powerdown\"}", NULL, 0, err);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO,
		       "xen backend: domain %d has no PV shutdown driver: pressed its ACPI power "
		       "button", domid);
	return rc;
}

/* ---- saving and restoring its state ---- */

int xo_xen_dm_set_incoming(struct xo_backend *b, int domid, const char *path,
			   struct xo_error *err)
{
	struct dm_pending *p;

	p = pending_locked(b, domid);
	if (p)
		snprintf(p->incoming, sizeof(p->incoming), "%s", path);
	pthread_mutex_unlock(&b->dms->lock);
	if (!p)
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: domain %d has no device model waiting to start", domid);
	return 0;
}

/*
 * A deprivileged device model opens the file after its chroot, as its uid:
 * the file is made for it in its root directory (which it cannot write),
 * then moved to @path. Not deprivileged: uid 0, no directory.
 */
static int save_target(struct xo_backend *b, int domid, char inside[160], uid_t *uid,
		       struct xo_error *err)
{
	char root[128];
	struct stat st;
	pid_t pid = sup_pid(b, domid);
	int fd;

	*uid = 0;
	xo_xen_dm_root_path(domid, root);
	if (!pid || !proc_uid(pid, uid) || *uid == 0 || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*uid = 0;
		return 0;
	}
	snprintf(inside, 160, "%s/%s", root, XO_DM_ROOT_SAVE);
	unlink(inside);
	fd = open(inside, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", inside);
	if (fchown(fd, *uid, (gid_t)*uid) < 0) {
		int e = errno;

		close(fd);
		unlink(inside);
		return xo_err_errno(err, e, "xen backend: cannot give %s to uid %u", inside,
				    (unsigned int)*uid);
	}
	close(fd);
	return 0;
}

int xo_xen_dm_save_state(struct xo_backend *b, int domid, bool live, const char *path,
			 struct xo_error *err)
{
	char cmd[256], inside[160];
	uid_t uid;
	int rc = save_target(b, domid, inside, &uid, err);

	if (rc < 0)
		return rc;
	/* It stops the emulation (runstate save-vm) and writes every device's state. */
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"xen-save-devices-state\", \"arguments\": "
		 "{\"filename\": \"%s%s\", \"live\": %s}}",
		 uid ? "/" : "", uid ? XO_DM_ROOT_SAVE : path, live ? "true" : "false");
	rc = xo_xen_dm_qmp(b, domid, cmd, NULL, 0, err);
	if (rc == 0 && uid && rename(inside, path) < 0)
		rc = xo_err_errno(err, errno, "xen backend: cannot move %s to %s", inside, path);
	if (rc < 0 && uid)
		unlink(inside);
	return rc;
}

int xo_xen_dm_logdirty(struct xo_backend *b, int domid, bool enable, struct xo_error *err)
{
	return xo_xen_dm_qmp(b, domid,
			     enable ? "{\"execute\": \"xen-set-global-dirty-log\", "
				      "\"arguments\": {\"enable\": true}}"
				    : "{\"execute\": \"xen-set-global-dirty-log\", "
				      "\"arguments\": {\"enable\": false}}",
			     NULL, 0, err);
}

int xo_xen_dm_cont(struct xo_backend *b, int domid, struct xo_error *err)
{
	return xo_xen_dm_qmp(b, domid, "{\"execute\": \"cont\"}", NULL, 0, err);
}

/* ---- after a restart: adopt or kill ---- */

static void adopt_or_kill(struct xo_backend *b, pid_t pid, int domid, void *arg)
{
	char vm_id[XO_ID_MAX + 1];
	struct xo_error e = { 0 };
	xc_domaininfo_t info;

	(void)arg;
	if (xo_xen_getinfo_one(b, domid, &info, &e) == 0 &&
	    !(info.flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown))) {
		xo_xen_dom_vm_id(b, b->xsh, domid, vm_id);
		if (*vm_id && !xo_xen_dm_running(b, domid) &&
		    sup_start(b, domid, pid, vm_id, false, &e) == 0) {
			xo_log(&b->log, XENOPS_LOG_INFO,
			       "xen backend: adopted the device model (pid %d) of domain %d (VM %s)",
			       (int)pid, domid, vm_id);
			return;
		}
	}
	xo_log(&b->log, XENOPS_LOG_WARNING,
	       "xen backend: stopping orphaned device model pid %d (domain %d is gone, shut "
	       "down or not ours)",
	       (int)pid, domid);
	kill(pid, SIGKILL);
	cleanup_files(b, domid);
}

void xo_xen_dm_sweep(struct xo_backend *b)
{
	DIR *d;
	struct dirent *e;

	for_each_dm(b, adopt_or_kill, NULL);
	/* The chroot directories of device models gone while the daemon was not there. */
	d = opendir(XO_DM_RUN_DIR);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		int domid, n = 0;

		if (sscanf(e->d_name, "dm-root-%d%n", &domid, &n) == 1 && !e->d_name[n] &&
		    domid > 0 && !xo_xen_dm_running(b, domid) && !xo_xen_dm_pending(b, domid)) {
			xo_log(&b->log, XENOPS_LOG_INFO,
			       "xen backend: removing %s/%s (no device model of domain %d)",
			       XO_DM_RUN_DIR, e->d_name, domid);
			root_remove(domid);
		}
	}
	closedir(d);
}

int xo_xen_dm_cmdline(struct xo_backend *b, int domid, char *out, size_t len)
{
	struct argv a = { .n = 0 };
	struct dm_pending *p;
	size_t used = 0;

	p = pending_locked(b, domid);
	if (p)
		build_argv(p, &a);
	pthread_mutex_unlock(&b->dms->lock);
	if (!p || !len)
		return -1;
	*out = '\0';
	for (size_t i = 0; i < a.n; i++) {
		int n = snprintf(out + used, len - used, "%s\n", a.v[i]);

		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

/* ---- CD media of a device model not started yet ---- */

int xo_xen_dm_pending_media(struct xo_backend *b, int domid, int index, const char *path)
{
	struct dm_pending *p;
	int found = 0;

	p = pending_locked(b, domid);
	for (size_t i = 0; p && i < p->n_disks; i++) {
		if (p->disks[i].index != index || !p->disks[i].cdrom)
			continue;
		snprintf(p->disks[i].path, sizeof(p->disks[i].path), "%s", path);
		found = 1;
	}
	pthread_mutex_unlock(&b->dms->lock);
	return found;
}

/* ---- CD media of a deprivileged device model ---- */

bool xo_xen_dm_deprivileged(struct xo_backend *b, int domid)
{
	pid_t pid = sup_pid(b, domid);
	uid_t uid = 0;

	return pid > 0 && proc_uid(pid, &uid) && uid != 0;
}

int xo_xen_dm_insert_fd(struct xo_backend *b, int domid, int index, const char *path,
			struct xo_error *err)
{
	char qmp[128], pidfile[128], cmd[512], reply[1024];
	struct xo_qmp *q = NULL;
	const char *at;
	long set = -1;
	int fd, rc;

	(void)b;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return xo_err_errno(err, errno, "xen backend: cannot open %s for the device model",
				    path);
	xo_xen_dm_paths(domid, qmp, pidfile);
	rc = xo_qmp_open(qmp, XO_DM_QMP_MS, &q, err);
	/* A new fd set (QEMU picks its id); the media opens from it, as on the command line. */
	if (rc == 0) {
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\": \"add-fd\", \"arguments\": "
			 "{\"opaque\": \"" XO_DM_DRIVE_ID "%d-ro\"}}",
			 index);
		rc = xo_qmp_command_fd(q, cmd, fd, XO_DM_QMP_MS, reply, sizeof(reply), err);
	}
	if (rc == 0) {
		at = strstr(reply, "\"fdset-id\":");
		if (at)
			set = strtol(at + strlen("\"fdset-id\":"), NULL, 10);
		if (set < 0)
			rc = xo_err(err, XENOPS_EBACKEND, "xen backend: QMP add-fd: no fd set in %.200s",
				    reply);
	}
	if (rc == 0) {
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
			 "{\"device\": \"" XO_DM_DRIVE_ID "%d\", \"filename\": \"/dev/fdset/%ld\", "
			 "\"format\": \"raw\", \"read-only-mode\": \"read-only\"}}",
			 index, set);
		rc = xo_qmp_command(q, cmd, XO_DM_QMP_MS, NULL, 0, err);
		if (rc < 0) {
			/* Not taken: the set goes (its descriptor closed by QEMU). */
			snprintf(cmd, sizeof(cmd),
				 "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": %ld}}",
				 set);
			xo_qmp_command(q, cmd, XO_DM_QMP_MS, NULL, 0, NULL);
		}
	}
	xo_qmp_close(q);
	close(fd);
	return rc;
}
