/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: the context (one per managed host), its options, host
 * information, and event-loop integration (pollable fd + dispatch).
 */
#ifndef XENOPS_CONTEXT_H
#define XENOPS_CONTEXT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle on one managed host. Reference counted. @since 0.1 */
typedef struct xenops_ctx xenops_ctx;

/** Log levels passed to the log callback. @since 0.1 */
enum xenops_log_level {
	XENOPS_LOG_ERROR = 0,
	XENOPS_LOG_WARNING = 1,
	XENOPS_LOG_INFO = 2,
	XENOPS_LOG_DEBUG = 3,
};

/**
 * Log callback. May be called from any library thread (workers included),
 * concurrently: it must be thread-safe and must not call back into the
 * library. @p msg is borrowed for the duration of the call.
 * @since 0.1
 */
typedef void (*xenops_log_fn)(int level, const char *msg, void *userdata);

/** Current version of struct xenops_ctx_options. @since 0.1 */
#define XENOPS_CTX_OPTIONS_VERSION 1

/**
 * Options for xenops_ctx_new(). Initialise with XENOPS_CTX_OPTIONS_INIT and
 * set what you need; fields are only ever appended, under a new version.
 * @since 0.1
 */
typedef struct xenops_ctx_options {
	unsigned int version;   /**< XENOPS_CTX_OPTIONS_VERSION */
	const char *state_dir;  /**< where state is kept; NULL: in memory only */
	const char *backend;    /**< "xen", "sim", or NULL for automatic */
	unsigned int workers;   /**< worker threads; 0: default (4) */
	xenops_log_fn log_fn;   /**< NULL: no logging */
	void *log_userdata;     /**< passed to log_fn */
	int log_level;          /**< highest level passed to log_fn */
} xenops_ctx_options;

/** Initialiser for struct xenops_ctx_options. @since 0.1 */
#define XENOPS_CTX_OPTIONS_INIT \
	{ XENOPS_CTX_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, XENOPS_LOG_INFO }

/**
 * Create a context. @p opts may be NULL (all defaults). Strings in @p opts
 * are copied. Automatic backend selection picks "xen" where
 * /dev/xen/privcmd or /proc/xen/privcmd exists, else "sim"; the choice is
 * logged and returned by xenops_ctx_backend().
 *
 * On success *out holds a new reference (release with xenops_ctx_unref).
 * Errors: XENOPS_EINVAL (bad options, unknown backend, version 0 or newer
 * than the library), XENOPS_EBACKEND (backend could not start, e.g. no
 * hypervisor), XENOPS_EIO / XENOPS_EPERM (state dir unusable), XENOPS_ENOMEM.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_ctx_new(xenops_ctx **out, const xenops_ctx_options *opts);

/** Take a reference. Returns @p ctx. Any thread. @since 0.1 */
XENOPS_API xenops_ctx *xenops_ctx_ref(xenops_ctx *ctx);

/**
 * Drop a reference; the last one stops the workers (running tasks are
 * cancelled at their next cancel point and waited for) and frees the
 * context. NULL is harmless. Must not be called from a callback.
 * @since 0.1
 */
XENOPS_API void xenops_ctx_unref(xenops_ctx *ctx);

/** Name of the backend in use ("xen" or "sim"); borrowed, static. @since 0.1 */
XENOPS_API const char *xenops_ctx_backend(xenops_ctx *ctx);

/**
 * Instance epoch: a string that changes each time a context is created,
 * also embedded in update tokens. Borrowed, valid as long as @p ctx.
 * @since 0.1
 */
XENOPS_API const char *xenops_ctx_instance(xenops_ctx *ctx);

/**
 * Host information as a JSON object text: {"backend", "hypervisor",
 * "nr_cpus", "total_memory", "free_memory"} (memory in bytes), and, where
 * the backend keeps any, "backend_counters": an object of counters since
 * the context was opened (names and meaning per backend, for diagnostics
 * and benchmarks, not part of the stable interface; see docs/api.md).
 * *json_out is the caller's, free with xenops_free(). Any thread.
 * Errors: XENOPS_EINVAL, XENOPS_EBACKEND, XENOPS_ENOMEM. @since 0.1
 */
XENOPS_API int xenops_host_stat(char **json_out, xenops_ctx *ctx);

/* ---- event-loop integration ------------------------------------------ */

/** Kinds of objects, used by events and updates. @since 0.1 */
enum xenops_kind {
	XENOPS_KIND_VM = 1,
	XENOPS_KIND_VBD = 2,
	XENOPS_KIND_VIF = 3,
	XENOPS_KIND_PCI = 4,
	XENOPS_KIND_TASK = 5,
};

/** Name of a kind ("vm", "vbd", ...), static; "unknown" otherwise. @since 0.1 */
XENOPS_API const char *xenops_kind_name(int kind);

/**
 * An event passed to an event callback. Allocated by the library and
 * borrowed for the duration of the callback; fields are only ever appended
 * (check @c version before reading a later field).
 * @since 0.1
 */
typedef struct xenops_event {
	unsigned int version; /**< 1 */
	int kind;             /**< enum xenops_kind */
	const char *vm;       /**< owning VM id (devices, VMs), or NULL (tasks) */
	const char *id;       /**< object id (VM id, device id, task id) */
	int deleted;          /**< 1 if the object was removed */
} xenops_event;

/**
 * Event callback: runs only inside xenops_ctx_dispatch(), on its caller's
 * thread. It may call any library function except xenops_ctx_unref() of
 * the last reference. Events are coalesced per object: several changes to
 * one object between two dispatches give one event.
 * @since 0.1
 */
typedef void (*xenops_event_fn)(xenops_ctx *ctx, const xenops_event *ev, void *userdata);

/**
 * Register @p fn for events of the kinds in @p kind_mask (bit 1 << kind; 0
 * means all kinds). *watch_out receives a handle for
 * xenops_ctx_unsubscribe(); it may be NULL. Events that happened before
 * the call are not delivered. Any thread.
 * Errors: XENOPS_EINVAL, XENOPS_ENOMEM. @since 0.1
 */
XENOPS_API int xenops_ctx_subscribe(uint64_t *watch_out, xenops_ctx *ctx, unsigned int kind_mask,
				    xenops_event_fn fn, void *userdata);

/** Remove a subscription. Errors: XENOPS_ENOTFOUND. Any thread. @since 0.1 */
XENOPS_API int xenops_ctx_unsubscribe(xenops_ctx *ctx, uint64_t watch);

/**
 * A file descriptor that polls readable (POLLIN) while events are pending
 * for dispatch. Owned by the context: do not read or close it. @since 0.1
 */
XENOPS_API int xenops_ctx_get_fd(xenops_ctx *ctx);

/**
 * Run the callbacks of pending events on the calling thread; never blocks.
 * Returns the number of events delivered (>= 0) or a negative error.
 * Call it from one thread at a time. @since 0.1
 */
XENOPS_API int xenops_ctx_dispatch(xenops_ctx *ctx);

/* ---- test hooks -------------------------------------------------------- */

/**
 * Set a debugging or simulation knob. Keys:
 *  - "fault.fail_atom" = N: the N-th atom run from now fails (XENOPS_EBACKEND);
 *  - "fault.cancel_point" = N: the task passing the N-th cancel point from now
 *    is cancelled there;
 *  - "fault.crash_point" = N: the process exits (status 99) at the N-th cancel
 *    point from now, to test recovery;
 *  - "fault.off": clear all faults;
 *  - "boot.grub_pv", "boot.grub_pvh" = an absolute path, or "" for the
 *    default (/usr/lib/grub-xen/grub-x86_64-xen.bin,
 *    /usr/lib/grub-xen/grub-i386-xen_pvh.bin): the GRUB image a VM with
 *    "boot": "grub" of that type loads; every backend;
 *  - "sim.*": simulator knobs, e.g. "sim.delay.<atom>" = milliseconds,
 *    "sim.delay" = milliseconds for every atom, "sim.shutdown_ack" = 0 (guest
 *    ignores clean shutdown requests), "sim.shutdown_complete" = 0 (guest
 *    acknowledges but never shuts down); XENOPS_ENOTSUP on another backend.
 * Any thread. Errors: XENOPS_EINVAL (unknown key or bad value), XENOPS_ENOTSUP.
 * @since 0.1
 */
XENOPS_API int xenops_debug_set(xenops_ctx *ctx, const char *key, const char *value);

/**
 * Simulator only: make the guest of a running VM do @p action, as a real
 * guest would: "poweroff", "reboot", "crash", or "unplug" of the device
 * @p device ("vbd:ID", "vif:ID" or "pci:ID"; NULL for the other actions).
 * The engine notices and acts on the VM's on_shutdown / on_reboot /
 * on_crash actions, as it does on Xen. Returns once the guest did it; the
 * reaction is asynchronous (watch updates).
 * Errors: XENOPS_ENOTSUP (not the simulator), XENOPS_ENOTFOUND,
 * XENOPS_EBADSTATE (no running domain), XENOPS_EINVAL. @since 0.1
 */
XENOPS_API int xenops_sim_guest_action(xenops_ctx *ctx, const char *vm, const char *action,
				       const char *device);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_CONTEXT_H */
