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
 * Create a context. Automatic backend selection picks "xen" where
 * /dev/xen/privcmd or /proc/xen/privcmd exists, else "sim"; the choice is
 * logged and returned by xenops_ctx_backend().
 *
 * @param out   receives a new reference on success (release it with
 *              xenops_ctx_unref()); NULL on failure.
 * @param opts  the options, or NULL for all defaults; its strings are copied.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p out, bad options, unknown backend, version 0
 * or newer than the library), XENOPS_EBACKEND (backend could not start, e.g.
 * no hypervisor), XENOPS_EIO / XENOPS_EPERM (state dir unusable),
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_ctx_new(xenops_ctx **out, const xenops_ctx_options *opts);

/**
 * Take a reference on a context.
 *
 * @param ctx  the context; NULL is harmless.
 * @return @p ctx.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API xenops_ctx *xenops_ctx_ref(xenops_ctx *ctx);

/**
 * Drop a reference; the last one stops the workers (running tasks are
 * cancelled at their next cancel point and waited for) and frees the context.
 *
 * @param ctx  the context; NULL is harmless.
 * Cannot fail. Any thread, but not from an event callback. @since 0.1
 */
XENOPS_API void xenops_ctx_unref(xenops_ctx *ctx);

/**
 * Name of the backend in use.
 *
 * @param ctx  the context.
 * @return "xen" or "sim", static; "" when @p ctx is NULL.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_ctx_backend(xenops_ctx *ctx);

/**
 * Instance epoch: a string that changes each time a context is created, also
 * embedded in update tokens.
 *
 * @param ctx  the context.
 * @return the epoch, borrowed, valid as long as @p ctx; "" when @p ctx is
 * NULL.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_ctx_instance(xenops_ctx *ctx);

/**
 * Host information as a JSON object text: {"backend", "hypervisor", "nr_cpus",
 * "total_memory", "free_memory"} (memory in bytes), and, where the backend
 * keeps any, "backend_counters": an object of counters since the context was
 * opened (names and meaning per backend, for diagnostics and benchmarks, not
 * part of the stable interface; see docs/api.md). Since 0.2 also
 * "xen_version" (e.g. "4.17.7"; null on the simulator), "cpu_topology":
 * {"sockets", "cores_per_socket", "cores", "threads_per_core"} and
 * "numa_nodes": [{"id", "total_memory", "free_memory"}] (bytes).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL argument), XENOPS_EBACKEND, XENOPS_ENOMEM. Any
 * thread. @since 0.1
 */
XENOPS_API int xenops_host_stat(char **json_out, xenops_ctx *ctx);

/**
 * The hypervisor's log: on Xen its console ring (what xl dmesg prints, at
 * most the last 256 KiB), on the simulator a fixed simulated text.
 *
 * @param text_out  receives the text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL argument), XENOPS_EBACKEND (e.g. not allowed
 * to read it), XENOPS_ENOMEM. Any thread. @since 0.2
 */
XENOPS_API int xenops_host_dmesg(char **text_out, xenops_ctx *ctx);

/* ---- event-loop integration ------------------------------------------ */

/** Kinds of objects, used by events and updates. @since 0.1 */
enum xenops_kind {
	XENOPS_KIND_VM = 1,
	XENOPS_KIND_VBD = 2,
	XENOPS_KIND_VIF = 3,
	XENOPS_KIND_PCI = 4,
	XENOPS_KIND_TASK = 5,
};

/**
 * Name of an object kind.
 *
 * @param kind  a kind (enum xenops_kind).
 * @return "vm", "vbd", "vif", "pci" or "task", static; "unknown" for any other
 * value.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
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
 * Register an event callback. Events that happened before the call are not
 * delivered; the callback runs only inside xenops_ctx_dispatch().
 *
 * @param watch_out  receives a handle for xenops_ctx_unsubscribe(); may be
 *                   NULL.
 * @param ctx        the context.
 * @param kind_mask  the kinds to deliver, bit 1 << kind (enum xenops_kind); 0
 *                   means all kinds.
 * @param fn         the callback; must not be NULL.
 * @param userdata   passed to @p fn as is; the library does not own it.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p ctx or @p fn, unknown kind bits),
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_ctx_subscribe(uint64_t *watch_out, xenops_ctx *ctx, unsigned int kind_mask,
				    xenops_event_fn fn, void *userdata);

/**
 * Remove a subscription.
 *
 * @param ctx    the context.
 * @param watch  the handle xenops_ctx_subscribe() gave.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p ctx), XENOPS_ENOTFOUND (no such
 * subscription). Any thread. @since 0.1
 */
XENOPS_API int xenops_ctx_unsubscribe(xenops_ctx *ctx, uint64_t watch);

/**
 * A file descriptor that polls readable (POLLIN) while events are pending for
 * dispatch.
 *
 * @param ctx  the context.
 * @return the descriptor (>= 0), owned by the context: do not read or close
 * it; or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p ctx). Any thread. @since 0.1
 */
XENOPS_API int xenops_ctx_get_fd(xenops_ctx *ctx);

/**
 * Run the callbacks of pending events on the calling thread; never blocks.
 *
 * @param ctx  the context.
 * @return the number of events delivered (>= 0) or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p ctx). Call it from one thread at a time.
 * @since 0.1
 */
XENOPS_API int xenops_ctx_dispatch(xenops_ctx *ctx);

/**
 * Set a run-time option of the context. The keys:
 *  - "boot.grub_pv": the GRUB image that a PV VM with "boot": "grub" loads
 *    as its kernel (default /usr/lib/grub-xen/grub-x86_64-xen.bin, from
 *    Debian's grub-xen-host);
 *  - "boot.grub_pvh": the same for PVH VMs (default
 *    /usr/lib/grub-xen/grub-i386-xen_pvh.bin).
 * A value is an absolute path, or "" for the default. The file is checked
 * when a VM starts (a missing one fails the start before any domain exists).
 * The xen backend only (XENOPS_ENOTSUP on the others; since 0.2):
 *  - "dm.restrict": "1" runs the device model of each HVM guest
 *    deprivileged, "0" (the default, also "") as root (docs/hvm.md);
 *  - "dm.uid_base": a deprivileged device model runs as uid and gid this
 *    number + its domain id, 1 to 4294901759 (default 131072, also "").
 * They apply to the HVM VMs started (or resumed) afterwards.
 *
 * @param ctx    the context.
 * @param key    the option; copied.
 * @param value  its value; copied.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p ctx, @p key or @p value, an unknown key, a
 * value that is neither an absolute path nor "" for boot.*, out of range
 * for dm.*), XENOPS_ENOTSUP (the backend has no such option). Any thread.
 * @since 0.2
 */
XENOPS_API int xenops_ctx_set_option(xenops_ctx *ctx, const char *key, const char *value);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_CONTEXT_H */
