/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend internals: the simulated host (domain table, knobs,
 * guest clock) shared by the files of lib/backend/sim/. Not used elsewhere.
 */
#ifndef XO_SIM_H
#define XO_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "backend/boot.h"

#define XO_SIM_HYPERVISOR "sim-0.1"
#define XO_SIM_NR_CPUS 4
#define XO_SIM_TOTAL_MEMORY (16ull << 30)
/* Migration model defaults: 4 GiB/s of 4 KiB pages, 400 MiB/s dirtied. */
#define XO_SIM_MIG_BANDWIDTH 1048576u
#define XO_SIM_MIG_DIRTY_RATE 102400u
#define XO_SIM_DELAY_MAX 3600000u /* ms: one hour */

/* Delay knobs "sim.delay.<name>", in the order of xo_sim_delay_names. */
enum xo_sim_delay {
	XO_SIM_DELAY_CREATE,
	XO_SIM_DELAY_BUILD,
	XO_SIM_DELAY_UNPAUSE,
	XO_SIM_DELAY_PAUSE,
	XO_SIM_DELAY_DESTROY,
	XO_SIM_DELAY_SAVE,
	XO_SIM_DELAY_RESTORE,
	XO_SIM_DELAY_PLUG,
	XO_SIM_DELAY_UNPLUG,
	XO_SIM_DELAY_MEDIA,
	XO_SIM_DELAY_CARRIER,
	XO_SIM_DELAY_ACK,      /* guest: request -> acknowledgement */
	XO_SIM_DELAY_SHUTDOWN, /* guest: acknowledgement -> shut down */
	XO_SIM_DELAY_BALLOON,  /* guest: new memory target -> reached (guest time) */
	XO_SIM_DELAY_MIGRATE,  /* each round of a migration stream, on the sending side */
	XO_SIM_NR_DELAYS
};

/* Xenbus states reported as backend_state. */
#define XO_SIM_XENBUS_CONNECTED 4
#define XO_SIM_XENBUS_CLOSED 6

struct xo_sim_dev {
	struct xo_sim_dev *next;
	int kind; /* XENOPS_KIND_VBD / VIF / PCI */
	char id[XO_ID_MAX + 1];
	/* What the guest sees, unique per domain: VBD device name, VIF index, PCI address. */
	char slot[XO_ID_MAX + 1];
	int vif_index;
	int active;
	int backend_state;
	int media_present;
	int carrier;
};

/*
 * One simulated domain. The guest's clock is its running time: it only
 * advances while the domain is running, so a paused guest neither burns
 * cpu time nor answers shutdown requests.
 */
enum xo_sim_dm { XO_SIM_DM_NONE = 0, XO_SIM_DM_RUNNING = 1, XO_SIM_DM_DEAD = 2 };

struct xo_sim_dom {
	int domid;
	char vm_id[XO_ID_MAX + 1];
	int status; /* enum xo_dom_status */
	int reason; /* enum xo_shutdown_reason, XO_SHUTDOWN_NONE unless shut down */
	bool built;
	/* HVM: the device model "process", started at the first unpause (xen: dm.c). */
	bool hvm;
	int dm; /* enum xo_sim_dm */
	uint64_t memory_max, memory_target;
	unsigned int vcpus_max, vcpus;
	double start_time;
	uint64_t cpu_base_ns; /* per-vcpu time carried over by a restore */
	uint64_t run_ms;      /* running time accumulated before run_since */
	uint64_t run_since;   /* xo_now_ms() when it last started running */
	/* The pending shutdown request, as control/shutdown would hold it. */
	int req_reason;       /* XO_SHUTDOWN_NONE: no request */
	uint64_t req_run_ms;  /* guest time of the request */
	bool acked;
	uint64_t ack_run_ms;  /* guest time of the acknowledgement */
	/* Shut down lazily and nobody was told yet (see domain_wait_shutdown). */
	bool notify_pending;
	struct xo_sim_dev *devs;
	/* The balloon (sim_tune.c): memory_target is reached balloon_ms of guest time after balloon_run_ms; memory_from until then (0: reached). Not persisted. */
	uint64_t memory_from, balloon_run_ms;
	unsigned int balloon_ms;
	/* Scheduler (sim_sched.c): weight, cap, and per vCPU a bit per host CPU. */
	unsigned int weight, cap;
	uint8_t hard[XO_MAX_VCPUS], soft[XO_MAX_VCPUS];
	/* Keys written by domain_set_xenstore (sim_tune.c), not persisted. */
	struct xo_kv *xs;
	size_t n_xs;
	/* Its text console (sim_console.c), NULL until asked for; not persisted. */
	struct xo_sim_console *console;
};

struct xo_backend {
	pthread_mutex_t lock; /* everything below */
	struct xo_log log; /* a copy: fn NULL when there is none */
	struct xo_backend_events events;
	char *dir; /* <state_dir>/sim, or NULL: nothing persisted */
	char boot_id[40]; /* of the machine, when persisted */
	/* Sorted by domid: domids only grow, so creation appends. */
	struct xo_sim_dom **doms;
	size_t n_doms, cap_doms;
	int next_domid;
	uint64_t used_memory; /* sum of memory_max of every domain */
	unsigned int delay[XO_SIM_NR_DELAYS];
	bool ack_enabled, complete_enabled;
	/* Migration model (sim_migrate.c): pages per second of the link, and
	 * pages a running guest dirties per second. */
	unsigned int mig_bandwidth, mig_dirty_rate;
	struct xo_boot_paths boot; /* GRUB images: knobs boot.grub_pv, boot.grub_pvh */
};

extern const char *const xo_sim_delay_names[XO_SIM_NR_DELAYS];

/*
 * The marker that stands for a kernel's PVH entry point (Xen's ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY): a PVH VM booted directly needs a kernel file
 * holding these bytes somewhere (docs/simulator.md).
 */
#define XO_SIM_PVH_MARKER "XEN_ELFNOTE_PHYS32_ENTRY"

/* ---- sim.c: host, table, guest clock (call with the lock held) ---- */

struct xo_sim_dom *xo_sim_find(struct xo_backend *b, int domid);
/* Find, brought up to date (xo_sim_advance), or fail with XENOPS_ENOTFOUND naming @op. */
int xo_sim_get(struct xo_backend *b, int domid, const char *op, struct xo_sim_dom **out,
	       struct xo_error *err);
/* "running", "paused", "shut down" or "dying", for messages. */
const char *xo_sim_status_word(const struct xo_sim_dom *d);
/* Built and not shut down (its vcpus can run), or XENOPS_EBADSTATE naming @op. */
int xo_sim_require_live(const struct xo_sim_dom *d, const char *op, struct xo_error *err);
/* A plugged device, or NULL / XENOPS_ENOTFOUND. */
struct xo_sim_dev *xo_sim_dev_find(struct xo_sim_dom *d, int kind, const char *id);
int xo_sim_dev_get(struct xo_sim_dom *d, int kind, const char *id, struct xo_sim_dev **out,
		   struct xo_error *err);
/* Add @v last: devices are listed in plug order. */
void xo_sim_dev_append(struct xo_sim_dom *d, struct xo_sim_dev *v);
/* Add a new domain (takes ownership) after checking free memory. */
int xo_sim_insert(struct xo_backend *b, struct xo_sim_dom *d, struct xo_error *err);
void xo_sim_remove(struct xo_backend *b, struct xo_sim_dom *d);
void xo_sim_dom_free(struct xo_sim_dom *d);
void xo_sim_clear(struct xo_backend *b);

uint64_t xo_sim_run_ms(const struct xo_sim_dom *d, uint64_t now);
void xo_sim_set_status(struct xo_sim_dom *d, int status, uint64_t now);
/* Apply what the guest did since the last look: ack, then shut down. */
void xo_sim_advance(struct xo_backend *b, struct xo_sim_dom *d, uint64_t now);

/* Sleep the delay knob of an op (without the lock); 0 or XENOPS_ECANCELLED. */
int xo_sim_delay(struct xo_backend *b, struct xo_env *env, enum xo_sim_delay which,
		 struct xo_error *err);
/* env->sleep, or a plain sleep without an env. */
int xo_sim_sleep(struct xo_env *env, unsigned int ms, struct xo_error *err);

/* ---- sim_sched.c: scheduler and affinity ---- */

/* The configuration's scheduler values into a new domain (XENOPS_EINVAL naming the field). */
int xo_sim_sched_init(struct xo_sim_dom *d, const struct xo_vm_config *cfg, struct xo_error *err);
int xo_sim_domain_set_sched(struct xo_backend *b, struct xo_env *env, int domid,
			    const struct xo_sched_req *req, struct xo_error *err);
int xo_sim_domain_get_sched(struct xo_backend *b, int domid, struct xo_sched_info *out,
			    struct xo_error *err);
/* The store's "sched" object of a domain; reading it (absent: the defaults). */
struct json_object *xo_sim_sched_to_json(const struct xo_sim_dom *d, struct xo_error *err);
int xo_sim_sched_from_json(struct xo_sim_dom *d, struct json_object *obj, const char *what,
			   struct xo_error *err);

/* ---- sim_tune.c: running guests ---- */

/* The memory the guest holds now (lock held). */
uint64_t xo_sim_memory_actual(const struct xo_sim_dom *d, uint64_t now);
int xo_sim_domain_set_memory(struct xo_backend *b, struct xo_env *env, int domid,
			     uint64_t target, uint64_t max, struct xo_error *err);
int xo_sim_domain_set_vcpus(struct xo_backend *b, struct xo_env *env, int domid,
			    unsigned int vcpus, struct xo_error *err);
int xo_sim_domain_stats(struct xo_backend *b, int domid, struct xo_domain_stats *out,
			struct xo_error *err);
int xo_sim_dev_stats(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		     uint64_t out[XO_DEV_COUNTERS], struct xo_error *err);

int xo_sim_host_facts(struct xo_backend *b, struct xo_host_facts *out, struct xo_error *err);
int xo_sim_host_dmesg(struct xo_backend *b, char **text_out, struct xo_error *err);
int xo_sim_guest_facts(struct xo_backend *b, int domid, struct xo_guest_facts *out,
		       struct xo_error *err);
int xo_sim_domain_set_xenstore(struct xo_backend *b, struct xo_env *env, int domid,
			       const struct xo_kv *kv, size_t n, struct xo_error *err);
void xo_sim_xs_free(struct xo_sim_dom *d);

/* ---- sim_console.c: the guests' text consoles (lock held) ---- */
#define XO_SIM_CONSOLES_MAX 64
struct xo_sim_console;
/* The console's pty path, made on first call; NULL when none can be made. */
const char *xo_sim_console_path(struct xo_sim_dom *d);
void xo_sim_console_free(struct xo_sim_dom *d);

/* ---- sim_store.c: <state_dir>/sim/domains.json ---- */

/* Rewrite the file after a change (lock held); failures are logged only. */
void xo_sim_store_save(struct xo_backend *b);
/*
 * Fill an empty table from the file; a missing or corrupt file, or one
 * from an earlier boot of the machine, leaves it empty.
 */
void xo_sim_store_load(struct xo_backend *b);

/* ---- sim_image.c: the file of domain_save ---- */

struct xo_sim_image {
	char vm[XO_ID_MAX + 1];
	uint64_t memory;
	unsigned int vcpus;
	uint64_t cpu_time_ns;
};

int xo_sim_image_write(const char *path, const struct xo_sim_image *img, struct xo_error *err);
/* Read and check the header; @vm_id is the VM the caller restores. */
int xo_sim_image_read(const char *path, const char *vm_id, struct xo_sim_image *img,
		      struct xo_error *err);

/* A paused domain of @cfg from an image (restore, migration). */
int xo_sim_domain_from_image(struct xo_backend *b, const struct xo_vm_config *cfg,
			     const struct xo_sim_image *img, int *domid_out, struct xo_error *err);
/* ---- sim_migrate.c: the simulated migration stream ---- */
int xo_sim_domain_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, int live, struct xo_error *err);
int xo_sim_domain_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, int *domid_out,
			  struct xo_error *err);
/* ---- ops, one file per area ---- */

int xo_sim_domain_create(struct xo_backend *b, struct xo_env *env,
			 const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err);
int xo_sim_domain_build(struct xo_backend *b, struct xo_env *env,
			const struct xo_vm_config *cfg, int domid, struct xo_error *err);
int xo_sim_domain_unpause(struct xo_backend *b, struct xo_env *env, int domid,
			  struct xo_error *err);
int xo_sim_domain_pause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err);
int xo_sim_domain_request_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				   int reason, struct xo_error *err);
int xo_sim_domain_wait_ack(struct xo_backend *b, struct xo_env *env, int domid,
			   unsigned int timeout_ms, struct xo_error *err);
int xo_sim_domain_wait_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				unsigned int timeout_ms, int *reason_out, struct xo_error *err);
int xo_sim_domain_destroy(struct xo_backend *b, struct xo_env *env, int domid,
			  struct xo_error *err);
int xo_sim_domain_resume(struct xo_backend *b, struct xo_env *env, int domid,
			 struct xo_error *err);
int xo_sim_domain_save(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, const char *path, struct xo_error *err);
int xo_sim_domain_restore(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, const char *path, int *domid_out,
			  struct xo_error *err);
int xo_sim_domain_info(struct xo_backend *b, int domid, struct xo_domain_info *out,
		       struct xo_error *err);
int xo_sim_domain_list(struct xo_backend *b, struct xo_domain_info **out, size_t *n_out,
		       struct xo_error *err);

int xo_sim_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out,
		    struct xo_error *err);
int xo_sim_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err);
int xo_sim_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out, struct xo_error *err);
int xo_sim_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend,
			 struct xo_error *err);
int xo_sim_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier, struct xo_error *err);
int xo_sim_guest_action(struct xo_backend *b, int domid, const char *action, int kind,
			const char *dev_id, struct xo_error *err);

#endif /* XO_SIM_H */
