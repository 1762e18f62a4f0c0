/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backend interface: a table of functions that the engine calls to act
 * on domains and devices. A backend knows the hypervisor (or the
 * simulation), never files of the store or tasks: the engine hands each
 * call a small environment (cancel check, interruptible sleep, progress).
 * Implementations: sim/ (simulator) and xen/ (libxenctrl & co).
 */
#ifndef XO_BACKEND_H
#define XO_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"

#define XO_MAX_VCPUS 128

/*
 * Given by the engine to every call that may take time. check() and
 * sleep() are cancel points: they return XENOPS_ECANCELLED (and fill *err)
 * once the task was asked to stop (the backend then returns that code after leaving the
 * domain in a valid state). Backends must call one of them at least once
 * in every wait loop.
 */
struct xo_env {
	int (*check)(struct xo_env *env, struct xo_error *err);
	int (*sleep)(struct xo_env *env, unsigned int ms, struct xo_error *err);
	void (*progress)(struct xo_env *env, double fraction); /* within the atom */
	/*
	 * Migration streams (may be NULL): bytes moved so far, the pre-copy
	 * iteration (0 before the first), and the pages dirtied in the last
	 * iteration.
	 */
	void (*stream_progress)(struct xo_env *env, uint64_t bytes, unsigned int iteration,
				uint64_t dirty_pages);
	void *priv;
	/*
	 * Test hook (may be NULL): a crash point inside an atom, between two
	 * hypervisor or xenstore calls. In a build with the test hooks the
	 * engine's fault.crash_point counts these with the cancel points.
	 */
	void (*crash)(struct xo_env *env);
};

/* A crash point inside an atom (see xo_env.crash). */
#define XO_ENV_CRASH(env)                              \
	do {                                            \
		if ((env) && (env)->crash)              \
			(env)->crash(env);              \
	} while (0)

/* Reasons of a domain shutdown, with Xen's numbering (SHUTDOWN_*). */
enum xo_shutdown_reason {
	XO_SHUTDOWN_NONE = -1,
	XO_SHUTDOWN_POWEROFF = 0,
	XO_SHUTDOWN_REBOOT = 1,
	XO_SHUTDOWN_SUSPEND = 2,
	XO_SHUTDOWN_CRASH = 3,
	XO_SHUTDOWN_WATCHDOG = 4,
};

enum xo_dom_status {
	XO_DOM_RUNNING = 0,
	XO_DOM_PAUSED = 1,
	XO_DOM_SHUTDOWN = 2, /* shut down, not yet destroyed: see shutdown_reason */
	XO_DOM_DYING = 3,
};

struct xo_domain_info {
	int domid;
	char vm_id[XO_ID_MAX + 1]; /* the VM this domain was built for ("" if unknown) */
	int status;                /* enum xo_dom_status */
	int shutdown_reason;       /* enum xo_shutdown_reason when XO_DOM_SHUTDOWN */
	uint64_t memory_actual;    /* bytes */
	uint64_t memory_target;    /* bytes */
	unsigned int vcpus_max;
	unsigned int vcpus_online;
	uint64_t cpu_time_ns;
	uint64_t vcpu_time_ns[XO_MAX_VCPUS]; /* first vcpus_max entries */
	double start_time;         /* wall clock */
};

/*
 * Scheduler parameters to change on a domain (domain_set_sched). Affinity
 * lists are as in the VM configuration; a vCPU without a list gets every
 * CPU of the host.
 */
struct xo_sched_req {
	unsigned int weight;                   /* 0: unchanged */
	int cap;                               /* percent of one CPU, 0 none; -1: unchanged */
	const struct xo_affinity *hard, *soft; /* NULL: unchanged */
};

/* What the hypervisor holds for a domain (domain_get_sched). */
struct xo_sched_info {
	char scheduler[16]; /* "credit", "credit2", "sim" ... */
	unsigned int weight, cap;
	unsigned int nr_cpus; /* of the host */
	unsigned int vcpus_max;
	uint64_t hard[XO_MAX_VCPUS][XO_CPUMAP_WORDS];
	uint64_t soft[XO_MAX_VCPUS][XO_CPUMAP_WORDS];
};

/* Statistics of a domain: memory in bytes, CPU time in nanoseconds. */
struct xo_domain_stats {
	uint64_t memory_target, memory_actual, memory_max;
	unsigned int vcpus_max;
	bool vcpu_online[XO_MAX_VCPUS];
	uint64_t vcpu_time_ns[XO_MAX_VCPUS];
};

/* Device counters as the guest sees them (a VIF's rx is what the guest received). */
enum xo_vbd_counter { XO_VBD_RD_REQS, XO_VBD_WR_REQS, XO_VBD_RD_SECTORS, XO_VBD_WR_SECTORS };
enum xo_vif_counter {
	XO_VIF_RX_BYTES,
	XO_VIF_TX_BYTES,
	XO_VIF_RX_PACKETS,
	XO_VIF_TX_PACKETS,
	XO_VIF_RX_DROPS,
	XO_VIF_TX_DROPS,
};
#define XO_DEV_COUNTERS 6

#define XO_MAX_NODES 64

/* The host's CPU topology and NUMA nodes (HOST.stat). */
struct xo_host_facts {
	char xen_version[64]; /* "4.17.7"; "" when there is no Xen (simulator) */
	unsigned int sockets, cores_per_socket, threads_per_core;
	unsigned int nr_nodes;
	struct {
		uint64_t total, free; /* bytes */
	} nodes[XO_MAX_NODES];
};

/* Bounds of what a guest's data/ and attr/ may cost us. */
#define XO_GUEST_KEYS_MAX 64
#define XO_GUEST_KEY_MAX 128
#define XO_GUEST_VALUE_MAX 256
#define XO_GUEST_DEPTH_MAX 4

struct xo_guest_facts {
	char console_path[256]; /* the text console's pty, "" when unknown */
	size_t n_keys;           /* keys below data/ and attr/, "data/x", sanitised */
	struct {
		char key[XO_GUEST_KEY_MAX + 1];
		char value[XO_GUEST_VALUE_MAX + 1];
	} keys[XO_GUEST_KEYS_MAX];
	bool truncated;          /* more keys, deeper trees or longer values left out */
};

/* Upcalls from the backend, from any thread of the backend. */
struct xo_backend_events {
	/* A domain of that VM changed state (died, shut down, paused...). */
	void (*domain_changed)(void *opaque, const char *vm_id);
	/* A device of that VM changed on the guest's or backend's side. */
	void (*device_changed)(void *opaque, const char *vm_id, int kind, const char *dev_id);
	void *opaque;
};

struct xo_backend_params {
	const char *state_dir;         /* NULL: memory only */
	const struct xo_log *log;
	struct xo_backend_events events;
};

struct xo_backend; /* each implementation defines it */

/*
 * Every call that can fail takes the caller's error value last (util.h)
 * and fills it on failure.
 */
struct xo_backend_ops {
	const char *name;
	/* Open: errors XENOPS_EBACKEND (e.g. no hypervisor) with a message. */
	int (*open)(struct xo_backend **out, const struct xo_backend_params *params,
		    struct xo_error *err);
	void (*close)(struct xo_backend *b);
	int (*host_info)(struct xo_backend *b, struct xo_host_info *out, struct xo_error *err);
	/* Knobs ("sim.*" keys); XENOPS_ENOTSUP where there are none. */
	int (*set_knob)(struct xo_backend *b, const char *key, const char *value,
			struct xo_error *err);

	/* Domains. domid is the backend's handle for a domain. */
	int (*domain_create)(struct xo_backend *b, struct xo_env *env,
			     const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err);
	int (*domain_build)(struct xo_backend *b, struct xo_env *env,
			    const struct xo_vm_config *cfg, int domid, struct xo_error *err);
	int (*domain_unpause)(struct xo_backend *b, struct xo_env *env, int domid,
			      struct xo_error *err);
	int (*domain_pause)(struct xo_backend *b, struct xo_env *env, int domid,
			    struct xo_error *err);
	/* Ask the guest to shut down with @reason (poweroff, reboot, suspend). */
	int (*domain_request_shutdown)(struct xo_backend *b, struct xo_env *env, int domid,
				       int reason, struct xo_error *err);
	/* Wait for the guest to acknowledge the request: 0, XENOPS_ENOACK. */
	int (*domain_wait_ack)(struct xo_backend *b, struct xo_env *env, int domid,
			       unsigned int timeout_ms, struct xo_error *err);
	/* Wait for the domain to shut down: 0 and *reason_out, XENOPS_ENOSHUTDOWN. */
	int (*domain_wait_shutdown)(struct xo_backend *b, struct xo_env *env, int domid,
				    unsigned int timeout_ms, int *reason_out, struct xo_error *err);
	/* Destroy the domain and everything the backend made for it (xenstore, devices). */
	int (*domain_destroy)(struct xo_backend *b, struct xo_env *env, int domid,
			      struct xo_error *err);
	/* Save the (suspended) domain's memory to @path; the domain is then shut down. */
	int (*domain_save)(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_vm_config *cfg, const char *path, struct xo_error *err);
	/*
	 * A domain that shut down for suspend runs on as if the suspend had
	 * been cancelled (the guest's suspend call returns "cancelled"); for a
	 * suspend whose image could not be written. XENOPS_EBADSTATE when the
	 * domain did not shut down for suspend.
	 */
	int (*domain_resume)(struct xo_backend *b, struct xo_env *env, int domid,
			     struct xo_error *err);
	/* Create a domain from a file written by domain_save of the same VM. */
	int (*domain_restore)(struct xo_backend *b, struct xo_env *env,
			      const struct xo_vm_config *cfg, const char *path, int *domid_out,
			      struct xo_error *err);
	/* Current facts about a domain; XENOPS_ENOTFOUND when it is gone. */
	int (*domain_info)(struct xo_backend *b, int domid, struct xo_domain_info *out,
			   struct xo_error *err);
	/* Every domain this backend manages (for recovery); *out freed with free(). */
	int (*domain_list)(struct xo_backend *b, struct xo_domain_info **out, size_t *n_out,
			   struct xo_error *err);

	/* Devices (every kind): plug into / unplug from a domain. */
	int (*dev_plug)(struct xo_backend *b, struct xo_env *env, int domid,
			const struct xo_dev_config *cfg, struct xo_dev_state *st_out,
			struct xo_error *err);
	int (*dev_unplug)(struct xo_backend *b, struct xo_env *env, int domid,
			  const struct xo_dev_config *cfg, int force, struct xo_error *err);
	/* Current facts about a plugged device; XENOPS_ENOTFOUND when gone. */
	int (*dev_info)(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
			struct xo_dev_state *st_out, struct xo_error *err);
	/* VBD: change media (@backend "" ejects). */
	int (*vbd_set_media)(struct xo_backend *b, struct xo_env *env, int domid,
			     const struct xo_dev_config *cfg, const char *backend,
			     struct xo_error *err);
	/* VIF: set the link state. */
	int (*vif_set_carrier)(struct xo_backend *b, struct xo_env *env, int domid,
			       const struct xo_dev_config *cfg, int carrier, struct xo_error *err);

	/* Simulator only (NULL elsewhere): the guest does @action. */
	int (*guest_action)(struct xo_backend *b, int domid, const char *action, int kind,
			    const char *dev_id, struct xo_error *err);

	/*
	 * Running guests. Set the balloon target (bytes) and, when @max is not
	 * 0, the domain's maximum (bytes): the guest moves towards the target
	 * by itself; the call does not wait for it.
	 */
	int (*domain_set_memory)(struct xo_backend *b, struct xo_env *env, int domid,
				 uint64_t target, uint64_t max, struct xo_error *err);
	/* Bring vCPUs 0..@vcpus-1 online and the others offline (hot-plug). */
	int (*domain_set_vcpus)(struct xo_backend *b, struct xo_env *env, int domid,
				unsigned int vcpus, struct xo_error *err);

	/* Statistics (cheap, no waiting): the domain's, XENOPS_ENOTFOUND when gone. */
	int (*domain_stats)(struct xo_backend *b, int domid, struct xo_domain_stats *out,
			    struct xo_error *err);
	/* A plugged device's counters (enum xo_vbd_counter / xo_vif_counter order). */
	int (*dev_stats)(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
			 uint64_t out[XO_DEV_COUNTERS], struct xo_error *err);

	/* Host facts beyond host_info: version, CPU topology, NUMA nodes. */
	int (*host_facts)(struct xo_backend *b, struct xo_host_facts *out, struct xo_error *err);
	/* The hypervisor's log (its console ring), a malloc'd string. */
	int (*host_dmesg)(struct xo_backend *b, char **text_out, struct xo_error *err);
	/*
	 * What a running guest shows: its console and what it publishes
	 * (untrusted). Callers read console_path, truncated and the first
	 * n_keys entries only; the rest of *out may be left as it was.
	 */
	int (*guest_facts)(struct xo_backend *b, int domid, struct xo_guest_facts *out,
			   struct xo_error *err);
	/*
	 * Scheduler weight and cap, hard and soft vCPU affinity: XENOPS_EINVAL
	 * naming the field when a list names a CPU the host lacks (nothing is
	 * changed then). Backends apply the VM configuration's values
	 * themselves when they create or restore a domain.
	 */
	int (*domain_set_sched)(struct xo_backend *b, struct xo_env *env, int domid,
				const struct xo_sched_req *req, struct xo_error *err);
	int (*domain_get_sched)(struct xo_backend *b, int domid, struct xo_sched_info *out,
				struct xo_error *err);
	/* Write (value NULL: remove) keys relative to the domain's path, in one transaction. */
	int (*domain_set_xenstore)(struct xo_backend *b, struct xo_env *env, int domid,
				   const struct xo_kv *kv, size_t n, struct xo_error *err);

	/*
	 * Migration (NULL: the backend cannot migrate; the engine answers
	 * XENOPS_ENOTSUP). domain_send writes the domain's memory stream to
	 * @fd: with @live, pre-copy rounds while the guest runs, then the last
	 * round with the guest suspended; without, the guest is suspended
	 * first. On success the domain is left shut down for suspend, not
	 * destroyed: the engine destroys it after the commit, or resumes it
	 * with domain_resume when the migration fails or is cancelled. On
	 * failure the domain is left as the failure found it: still running
	 * (failed before the suspend) or shut down for suspend; domain_send
	 * does not resume it, the engine calls domain_resume (which answers
	 * XENOPS_EBADSTATE for a guest that still runs).
	 * domain_receive creates a paused domain from such a stream on @fd
	 * (the same VM configuration on the sending side); the engine then
	 * plugs the devices and unpauses only after the commit. Neither call
	 * closes @fd. Both report progress through env->stream_progress.
	 */
	int (*domain_send)(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_vm_config *cfg, int fd, int live, struct xo_error *err);
	int (*domain_receive)(struct xo_backend *b, struct xo_env *env,
			      const struct xo_vm_config *cfg, int fd, int *domid_out,
			      struct xo_error *err);

	/*
	 * Recovery (may be NULL): the domains whose hypervisor handle is the
	 * one derived from @vm_id (xo_vm_handle) and that carry no VM marker
	 * yet: a create cut short before its first xenstore write. *domids
	 * freed with free().
	 */
	int (*domain_find_unmarked)(struct xo_backend *b, const char *vm_id, int **domids,
				    size_t *n, struct xo_error *err);
};

extern const struct xo_backend_ops xo_backend_sim;
#ifdef XENOPS_HAVE_XEN
extern const struct xo_backend_ops xo_backend_xen;
#endif

#endif /* XO_BACKEND_H */
