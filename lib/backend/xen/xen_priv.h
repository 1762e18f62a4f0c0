/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the xen backend: the backend's state (hypervisor and xenstore
 * handles, the domains it built, the domain-death watch) and the helpers
 * its files share. Only lib/backend/xen/ includes Xen headers.
 */
#ifndef XO_XEN_PRIV_H
#define XO_XEN_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

#include <xenctrl.h>
#include <xenguest.h>
#include <xenstore.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xentoollog.h>

#include "backend/backend.h"
#include "backend/boot.h"
#include "backend/xen/xen.h"

/* Marker under /local/domain/<domid>: maps a domain back to its VM after a restart. */
#define XO_XEN_MARKER "xenops/vm-id"

/* What the backend remembers about a domain it created (keyed by domid). */
struct xo_xen_dom {
	int domid;
	char vm_id[XO_ID_MAX + 1];
	int store_port, console_port; /* -1 until allocated */
	double start_time;
};

/* One domain in the watch thread's snapshot. */
struct xo_xen_snap {
	int domid;
	unsigned int key; /* the flags that make a state change: see watch.c */
	char vm_id[XO_ID_MAX + 1];
	bool changed, is_new; /* during a rescan only */
};

/* A state change the backend made itself (pause, unpause): see watch.c. */
struct xo_xen_note {
	int domid;
	uint32_t set, clear;
};
#define XO_XEN_NOTES 64

struct xo_xen_watch {
	pthread_t thread;
	bool running;
	int stop_pipe[2];
	struct xs_handle *xsh; /* the watch thread's own connection */
	pthread_mutex_t lock;  /* protects everything below */
	pthread_cond_t cond;
	struct xo_xen_snap *snap;
	size_t n_snap;
	uint64_t generation; /* bumped after each rescan */
	struct xo_xen_note notes[XO_XEN_NOTES]; /* the last notes, a ring */
	uint64_t note_seq;
	struct xo_xen_stats stats;
};

/* A xentoollog logger whose messages go to the application's log callback. */
struct xo_xen_logger {
	xentoollog_logger vtable; /* first: libxc sees a xentoollog_logger */
	struct xo_log *log;
};

struct xo_backend {
	struct xo_xen_logger xtl;
	struct xo_log log;
	struct xo_backend_events events;
	xc_interface *xch;
	struct xs_handle *xsh;
	xenevtchn_handle *xce;
	xengnttab_handle *xgt;
	pthread_mutex_t lock; /* protects doms */
	struct xo_map doms;   /* "domid" -> struct xo_xen_dom */
	struct xo_xen_watch watch;
	unsigned int getinfo_hint; /* buffer size that held every domain last time */
	char *kcache_dir;          /* <state_dir>/xen/kernels, NULL: no kernel cache */
	struct xo_boot_paths boot; /* GRUB images: knobs boot.grub_pv, boot.grub_pvh */
	struct xo_xen_dms *dms;    /* HVM device models (dm.c) */
	/* Atomic counters (see struct xo_xen_stats). */
	uint64_t domain_info_calls;
	uint64_t kcache_hits, kcache_stores;
};

/* ---- xen.c ---- */

/* Fill *err from a failed libxc call: XENOPS_EBACKEND "what: strerror". */
int xo_xen_err(struct xo_backend *b, const char *what, struct xo_error *err);
/* Reject dom0 and reserved ids before touching the hypervisor. */
int xo_xen_check_domid(int domid, struct xo_error *err);

/* Domains this process knows (under b->lock inside). */
int xo_xen_dom_add(struct xo_backend *b, int domid, const char *vm_id, struct xo_error *err);
/* Copy of the record into *out; false when unknown. */
bool xo_xen_dom_get(struct xo_backend *b, int domid, struct xo_xen_dom *out);
void xo_xen_dom_set_ports(struct xo_backend *b, int domid, int store_port, int console_port);
void xo_xen_dom_del(struct xo_backend *b, int domid);
/* The VM of a domain: our record, else the xenstore marker; "" if none. */
void xo_xen_dom_vm_id(struct xo_backend *b, struct xs_handle *h, int domid,
		      char out[XO_ID_MAX + 1]);

/* ---- kcache.c: decompressed-kernel cache ---- */

struct xo_kcache_ref {
	bool usable;          /* the cache can take this kernel */
	bool hit;             /* path names a cached ELF of it */
	uint64_t key;
	uint64_t kernel_size; /* of the original file */
	char path[PATH_MAX];
};

/* Set up <state_dir>/xen/kernels (NULL: no cache); trouble is only logged. */
int xo_xen_kcache_init(struct xo_backend *b, const char *state_dir, struct xo_error *err);
/* Fill *ref for @kernel: a hit gives the cached ELF's path. */
void xo_xen_kcache_lookup(struct xo_backend *b, const char *kernel, struct xo_kcache_ref *ref);
/* Treat a hit as a miss: the original is used, and its ELF stored again. */
void xo_xen_kcache_forget(struct xo_backend *b, struct xo_kcache_ref *ref);
/* The cached ELF did not load: delete it; the caller retries with the original. */
void xo_xen_kcache_drop(struct xo_backend *b, struct xo_kcache_ref *ref,
			const struct xo_error *why);
/* Keep @elf (libxenguest's decompressed kernel) for the kernel of @ref. */
void xo_xen_kcache_store(struct xo_backend *b, const struct xo_kcache_ref *ref, const void *elf,
			 size_t size);

/* Fill out->counters from the stats (HOST.stat's "backend_counters"). */
void xo_xen_counters(struct xo_backend *b, struct xo_host_info *out);

/* ---- xs_util.c ---- */

typedef int (*xo_xs_txn_fn)(struct xo_backend *b, xs_transaction_t t, void *arg,
			    struct xo_error *err);
/* Run fn in a transaction of b->xsh, retried while the commit says EAGAIN. */
int xo_xs_transaction(struct xo_backend *b, const char *what, xo_xs_txn_fn fn, void *arg,
		      struct xo_error *err);
/*
 * Write @value at @path with the given permissions (owner first), inside
 * transaction @t. Errors: XENOPS_EBACKEND naming the path.
 */
int xo_xs_write_perms(struct xo_backend *b, xs_transaction_t t, const char *path,
		      const char *value, struct xs_permissions *perms, unsigned int n_perms,
		      struct xo_error *err);
int xo_xs_mkdir_perms(struct xo_backend *b, xs_transaction_t t, const char *path,
		      struct xs_permissions *perms, unsigned int n_perms, struct xo_error *err);
/* Remove @path; absent is fine. */
int xo_xs_rm(struct xo_backend *b, xs_transaction_t t, const char *path, struct xo_error *err);
/* Read a key into a malloc'd string; NULL (errno set) when absent. */
char *xo_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path);
/* The same at a formatted path (NULL, errno ENAMETOOLONG, past XO_XS_PATH_MAX). */
#define XO_XS_PATH_MAX 256
char *xo_xs_readf(struct xs_handle *h, xs_transaction_t t, const char *fmt, ...) XO_PRINTF(3, 4);
/* Permission sets for a domain's nodes. */
void xo_xs_perms_ro(struct xs_permissions p[2], int domid);  /* dom0 owns, guest reads */
void xo_xs_perms_rw(struct xs_permissions p[1], int domid);  /* guest owns */

/* ---- domain.c ---- */
int xo_xen_domain_create(struct xo_backend *b, struct xo_env *env,
			 const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err);
int xo_xen_domain_build(struct xo_backend *b, struct xo_env *env,
			const struct xo_vm_config *cfg, int domid, struct xo_error *err);
int xo_xen_domain_unpause(struct xo_backend *b, struct xo_env *env, int domid,
			  struct xo_error *err);
int xo_xen_domain_pause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err);
int xo_xen_domain_destroy(struct xo_backend *b, struct xo_env *env, int domid,
			  struct xo_error *err);
/* A domain for @cfg without its boot checks (kernel, GRUB image): for a restore. */
int xo_xen_domain_create_empty(struct xo_backend *b, struct xo_env *env,
			       const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err);
/* Can this backend build that VM (PV or PVH, sane vcpus and memory, a kernel unless grub)? */
int xo_xen_config_check(const struct xo_vm_config *cfg, struct xo_error *err);
/* The xenstore and console event channels of a domain (allocated once). */
int xo_xen_alloc_ports(struct xo_backend *b, int domid, int *store_port, int *console_port,
		       struct xo_error *err);
/* Write console/ and store/ and introduce the domain to xenstored. */
int xo_xen_domain_introduce(struct xo_backend *b, int domid, int store_port,
			    unsigned long store_mfn, int console_port, unsigned long console_mfn,
			    struct xo_error *err);
/* Remove the xenstore subtrees of our domains that no longer exist (after a crash). */
int xo_xen_sweep_orphans(struct xo_backend *b, struct xo_error *err);
int xo_xen_domain_find_unmarked(struct xo_backend *b, const char *vm_id, int **domids,
				size_t *n_out, struct xo_error *err);

/* ---- pvh.c: what a PVH build adds to a PV one ---- */
/* Before any domain exists: XENOPS_EINVAL unless @kernel has a PVH entry point. */
int xo_xen_pvh_probe(struct xo_backend *b, const char *kernel, struct xo_error *err);
/* HVM container with HAP, only the local APIC emulated. */
void xo_xen_pvh_createdomain(struct xen_domctl_createdomain *cc);
/* After create: the paging pool. */
int xo_xen_pvh_limits(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		      struct xo_error *err);
/* Before parsing: container type and the guest-physical layout for @mem bytes. */
void xo_xen_pvh_dom_init(struct xc_dom_image *dom, uint64_t mem);
/* After xc_dom_boot_mem_init: the ACPI tables and the memory map. */
int xo_xen_pvh_hw(struct xo_backend *b, struct xc_dom_image *dom, const struct xo_vm_config *cfg,
		  struct xo_error *err);

/* ---- hvm.c: what an HVM build adds (firmware, device model) ---- */
#define XO_HVM_LOADER "/usr/lib/xen-4.17/boot/hvmloader"
#define XO_HVM_SEABIOS "/usr/share/seabios/bios-256k.bin"
/* Before any domain exists: hvmloader, SeaBIOS, the device model, the kernel if any. */
int xo_xen_hvm_check(struct xo_backend *b, const struct xo_vm_config *cfg, struct xo_error *err);
/* HVM container with HAP and every platform device emulated. */
void xo_xen_hvm_createdomain(struct xen_domctl_createdomain *cc);
/* After create: the paging pool, and room for what the device model populates. */
int xo_xen_hvm_limits(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		      struct xo_error *err);
/* hvmloader and SeaBIOS loaded, HVM params set; the rings' guest frames out. */
int xo_xen_hvm_build_image(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			   int store_port, int console_port, unsigned long *store_pfn,
			   unsigned long *console_pfn, struct xo_error *err);
/* The keys hvmloader reads (hvmloader/bios, platform/). */
int xo_xen_hvm_xenstore(struct xo_backend *b, int domid, struct xo_error *err);

/* ---- dm.c: the device model (qemu-xen) of HVM domains ---- */
#define XO_DM_QEMU "/usr/libexec/xen-qemu-system-i386"
#define XO_DM_RUN_DIR "/run/xenops"     /* QMP sockets, pidfiles */
#define XO_DM_LOG_DIR "/var/log/xenops" /* the device model's log, the serial port */
/* Deprivileged device models run as uid = gid = dm.uid_base + domid. */
#define XO_DM_UID_BASE_DEFAULT 131072u
#define XO_DM_UID_BASE_MAX 4294901759u /* 2^32 - 1 - 65536: room for every domid */
int xo_xen_dm_init(struct xo_backend *b, struct xo_error *err);
/*
 * The knobs "dm.restrict" ("1" on, "0" off, "" the default 0) and
 * "dm.uid_base" (1..XO_DM_UID_BASE_MAX, "" the default): 0 when set,
 * XENOPS_EINVAL for a bad value, 1 when @key is not one of them. They apply
 * to the device models registered afterwards.
 */
int xo_xen_dm_knob(struct xo_backend *b, const char *key, const char *value,
		   struct xo_error *err);
/* Tests: the command line of @domid's registered device model, one argument a line. */
int xo_xen_dm_cmdline(struct xo_backend *b, int domid, char *out, size_t len);
/*
 * Tests: run @prog in place of the device model of @domid (registered, not
 * started), with the arguments and inherited descriptors it would get, its
 * output to @out_fd; waits for it. Its exit status (128 + signal), or a
 * negative XENOPS_E* code.
 */
int xo_xen_dm_exec_test(struct xo_backend *b, int domid, const char *prog, int out_fd,
			struct xo_error *err);
/* XO_DM_RUN_DIR/dm-root-<domid>: the chroot of a deprivileged device model. */
void xo_xen_dm_root_path(int domid, char path[128]);
/* The daemon stops: supervision ends, the device models go on. */
void xo_xen_dm_fini(struct xo_backend *b);
/* Build: what the device model of @domid will be started with. */
int xo_xen_dm_register(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		       struct xo_error *err);
/* A device model registered and not started yet. */
bool xo_xen_dm_pending(struct xo_backend *b, int domid);
/* Before the start: a disk plugged also becomes an emulated IDE disk. */
void xo_xen_dm_add_vbd(struct xo_backend *b, int domid, const struct xo_dev_config *cfg);
/* Before the start: a NIC plugged also gets an emulated twin (the VM's nic_model). */
void xo_xen_dm_add_vif(struct xo_backend *b, int domid, const struct xo_dev_config *cfg);
/* First unpause: start it, QMP cont, running (nothing to do when none is pending). */
int xo_xen_dm_start(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err);
/* Destroy: quit, else kill; also any process of that domid found in /proc. */
void xo_xen_dm_stop(struct xo_backend *b, int domid);
/* An HVM domain (it has the keys of hvm.c), whose vCPUs must not run without one. */
bool xo_xen_dm_needed(struct xo_backend *b, int domid);
/* A supervised device model for @domid. */
bool xo_xen_dm_running(struct xo_backend *b, int domid);
/* One QMP command to the running device model of @domid. */
int xo_xen_dm_qmp(struct xo_backend *b, int domid, const char *json, char *reply,
		  size_t reply_len, struct xo_error *err);
/*
 * Poweroff of an HVM guest without PV shutdown support (no
 * control/feature-poweroff = 1): the ACPI power button through QMP (0);
 * 1 when the PV request applies instead (not HVM, or PV drivers there).
 */
int xo_xen_dm_acpi_poweroff(struct xo_backend *b, int domid, struct xo_error *err);
/* At open: adopt the device models of our live domains, kill the others. */
void xo_xen_dm_sweep(struct xo_backend *b);
void xo_xen_dm_paths(int domid, char qmp[128], char pidfile[128]);
/* XO_DM_RUN_DIR/dm-WHAT-<domid>: "save" (written by the device model), "incoming". */
void xo_xen_dm_state_path(int domid, const char *what, char path[128]);
/* The registered device model will load its state from @path (-incoming). */
int xo_xen_dm_set_incoming(struct xo_backend *b, int domid, const char *path,
			   struct xo_error *err);
/* QMP xen-save-devices-state: the emulation stops, its state goes to @path. */
int xo_xen_dm_save_state(struct xo_backend *b, int domid, bool live, const char *path,
			 struct xo_error *err);
/* QMP xen-set-global-dirty-log (live migration of an HVM domain). */
int xo_xen_dm_logdirty(struct xo_backend *b, int domid, bool enable, struct xo_error *err);
/* QMP cont: the emulation runs again (after a save that did not complete). */
int xo_xen_dm_cont(struct xo_backend *b, int domid, struct xo_error *err);
/* The QMP id of the emulated IDE drive at index N: XO_DM_DRIVE_ID "N". */
#define XO_DM_DRIVE_ID "xo-ide"
/*
 * A device model registered but not started (the domain never unpaused):
 * its CD drive at @index gets @path ("" empty) as media. 1 if there was
 * such a drive, 0 otherwise.
 */
int xo_xen_dm_pending_media(struct xo_backend *b, int domid, int index, const char *path);
/* The running device model of @domid runs as a uid other than root (dm.restrict). */
bool xo_xen_dm_deprivileged(struct xo_backend *b, int domid);
/*
 * CD media for a running deprivileged device model, which cannot open
 * @path itself: opened here read-only, passed over QMP (add-fd, a new fd
 * set), then blockdev-change-medium on /dev/fdset/<set> for the drive at
 * @index.
 */
int xo_xen_dm_insert_fd(struct xo_backend *b, int domid, int index, const char *path,
			struct xo_error *err);
/* An HVM guest's CD drive gets @backend ("file:/path" or "" to eject) through QMP (cdrom.c). */
int xo_xen_cd_set_media(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
			const char *backend, struct xo_error *err);

/* ---- shutdown.c ---- */
int xo_xen_domain_request_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				   int reason, struct xo_error *err);
int xo_xen_domain_wait_ack(struct xo_backend *b, struct xo_env *env, int domid,
			   unsigned int timeout_ms, struct xo_error *err);
int xo_xen_domain_wait_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				unsigned int timeout_ms, int *reason_out, struct xo_error *err);

/* ---- watch.c ---- */
/* Init never fails; stop undoes init and start (whichever happened). */
void xo_xen_watch_init(struct xo_backend *b);
int xo_xen_watch_start(struct xo_backend *b, struct xo_error *err);
void xo_xen_watch_stop(struct xo_backend *b);
/* The generation counter of the snapshot: waiters re-check when it moves. */
uint64_t xo_xen_watch_generation(struct xo_backend *b);
/*
 * Our own pause/unpause changes the snapshot entry at once, so the next
 * firing does not report it as a change to every VM unpaused since.
 */
void xo_xen_watch_note(struct xo_backend *b, int domid, uint32_t set, uint32_t clear);
/* The domain's state flags in the last snapshot; false if it is not there. */
bool xo_xen_watch_lookup(struct xo_backend *b, int domid, uint32_t *flags_out);

/* ---- monitor.c ---- */
/* One xc_domain_getinfolist for every domain; *out freed with free(). */
int xo_xen_getinfo_all(struct xo_backend *b, xc_domaininfo_t **out, size_t *n_out,
		       unsigned int *calls_out, struct xo_error *err);
/* One domain; XENOPS_ENOTFOUND when it does not exist. */
int xo_xen_getinfo_one(struct xo_backend *b, int domid, xc_domaininfo_t *out, struct xo_error *err);
int xo_xen_domain_info(struct xo_backend *b, int domid, struct xo_domain_info *out,
		       struct xo_error *err);
int xo_xen_domain_list(struct xo_backend *b, struct xo_domain_info **out, size_t *n_out,
		       struct xo_error *err);
/* The hypervisor's version, e.g. "4.17.7". */
int xo_xen_version(struct xo_backend *b, char *out, size_t len, struct xo_error *err);
int xo_xen_host_info(struct xo_backend *b, struct xo_host_info *out, struct xo_error *err);

/* ---- loop.c ---- */
/*
 * Attach @path to a free loop device (auto-clearing), named in @dev. On
 * success *loop_fd stays open: the caller closes it once blkback holds the
 * device (auto-clear then frees it when blkback closes it, or at once if
 * blkback never opened it).
 */
int xo_xen_loop_attach(const char *path, bool ro, char dev[32], int *loop_fd, struct xo_error *err);

/* ---- netif.c: host network interfaces ---- */
/* netback's host-side interface of a VIF: vif<domid>.<index>. */
void xo_netif_name(char *buf, size_t n, int domid, int index);
/* Wait (cancel points included) until netback has made @ifname. */
int xo_netif_wait(struct xo_env *env, const char *ifname, struct xo_error *err);
int xo_netif_set_up(const char *ifname, bool up, struct xo_error *err);
/* false also when @ifname cannot be read. */
bool xo_netif_is_up(const char *ifname);
int xo_netif_set_mtu(const char *ifname, unsigned int mtu, struct xo_error *err);
int xo_netif_bridge_add(const char *bridge, const char *ifname, struct xo_error *err);
bool xo_netif_bridge_exists(const char *bridge);

/* ---- device.c (dispatch by kind through the xenbus table: xenbus.h), save.c ---- */
int xo_xen_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out,
		    struct xo_error *err);
int xo_xen_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err);
int xo_xen_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out, struct xo_error *err);
int xo_xen_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend,
			 struct xo_error *err);
int xo_xen_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier, struct xo_error *err);
int xo_xen_domain_resume(struct xo_backend *b, struct xo_env *env, int domid,
			 struct xo_error *err);
int xo_xen_domain_save(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, const char *path, struct xo_error *err);
int xo_xen_domain_restore(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, const char *path, int *domid_out,
			  struct xo_error *err);

/* ---- migrate.c: the domain's stream (suspend to a file and migration) ---- */
/*
 * Write our header and libxenguest's stream of @domid to @fd (@what names
 * it in errors). Not @live: the domain is suspended first (nothing to do if
 * it already shut down for suspend). On success the domain is shut down
 * for suspend; on failure it runs on (failure or cancel during pre-copy)
 * or is shut down for suspend (domain_resume lets it run on).
 * An HVM domain's device model state follows libxenguest's stream; with
 * @migrating its disk images are released for the receiving device model.
 */
int xo_xen_stream_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, bool live, bool migrating,
		       const char *what, struct xo_error *err);
/* A new paused domain from such a stream, xenstore and rings set up, introduced. */
int xo_xen_stream_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, const char *what, int *domid_out,
			  struct xo_error *err);
int xo_xen_domain_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, int live, struct xo_error *err);
int xo_xen_domain_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, int *domid_out,
			  struct xo_error *err);
/* libxenguest's progress report (pages of the current round), from the logger. */
void xo_xen_stream_xtl_progress(unsigned long done, unsigned long total);

/* ---- tune.c: running guests ---- */
int xo_xen_domain_set_memory(struct xo_backend *b, struct xo_env *env, int domid,
			     uint64_t target, uint64_t max, struct xo_error *err);
/* sched.c: the configuration's scheduler values on a new domain; live changes; read back. */
int xo_xen_sched_apply_config(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			      struct xo_error *err);
int xo_xen_domain_set_sched(struct xo_backend *b, struct xo_env *env, int domid,
			    const struct xo_sched_req *req, struct xo_error *err);
int xo_xen_domain_get_sched(struct xo_backend *b, int domid, struct xo_sched_info *out,
			    struct xo_error *err);
int xo_xen_domain_set_vcpus(struct xo_backend *b, struct xo_env *env, int domid,
			    unsigned int vcpus, struct xo_error *err);

/* ---- stats.c: statistics ---- */
int xo_xen_domain_stats(struct xo_backend *b, int domid, struct xo_domain_stats *out,
			struct xo_error *err);
int xo_xen_dev_stats(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		     uint64_t out[XO_DEV_COUNTERS], struct xo_error *err);
int xo_xen_host_facts(struct xo_backend *b, struct xo_host_facts *out, struct xo_error *err);
int xo_xen_host_dmesg(struct xo_backend *b, char **text_out, struct xo_error *err);
int xo_xen_guest_facts(struct xo_backend *b, int domid, struct xo_guest_facts *out,
		       struct xo_error *err);
int xo_xen_domain_set_xenstore(struct xo_backend *b, struct xo_env *env, int domid,
			       const struct xo_kv *kv, size_t n, struct xo_error *err);

#endif /* XO_XEN_PRIV_H */
