/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: VM definitions, VM operations (asynchronous tasks) and VM
 * monitoring. The JSON schema of a VM configuration is in docs/schema.md.
 */
#ifndef XENOPS_VM_H
#define XENOPS_VM_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Power states of a VM. @since 0.1 */
enum xenops_power_state {
	XENOPS_POWER_HALTED = 0,
	XENOPS_POWER_RUNNING = 1,
	XENOPS_POWER_PAUSED = 2,
	XENOPS_POWER_SUSPENDED = 3,
	XENOPS_POWER_ERROR = 4, /**< stored records unreadable; see VM stat "error" */
};

/** Name of a power state ("Halted", "Running", ...), static. @since 0.1 */
XENOPS_API const char *xenops_power_state_name(int state);

/* Flags of operations (bits of @c flags). @since 0.1 */
/** Block until the task ends; return its result (0 or its error code). */
#define XENOPS_WAIT (1u << 0)
/** VM start: leave the new domain paused. */
#define XENOPS_START_PAUSED (1u << 1)
/** Shutdown, reboot, device unplug: forced, no guest co-operation. */
#define XENOPS_FORCE (1u << 2)

/*
 * Operations return at once with a task (see task.h) unless XENOPS_WAIT is
 * given. In all of them:
 *  - task_out may be NULL: the task is then destroyed when it finishes.
 *    Otherwise *task_out receives the task id (free with xenops_free) and
 *    the caller destroys the task with xenops_task_destroy().
 *  - With XENOPS_WAIT the call returns the task's result: 0, or the task's
 *    error code with the message available through xenops_last_error_*().
 *  - Errors raised before the task is queued: XENOPS_EINVAL (bad id or
 *    argument), XENOPS_ENOTFOUND (unknown VM or device), XENOPS_ENOMEM.
 *    State errors (XENOPS_EBADSTATE: e.g. pause of a halted VM) are the
 *    task's, since the state is checked when the task runs, in queue order.
 *  - Any thread may call them.
 */

/**
 * Define a VM from a JSON configuration (copied). *id_out receives the VM
 * id (generated when the configuration has none; free with xenops_free;
 * may be NULL). No backend work. Errors: XENOPS_EINVAL (the message names
 * the bad field), XENOPS_EEXIST, XENOPS_EIO, XENOPS_ENOSPC, XENOPS_ENOMEM.
 * @since 0.1
 */
XENOPS_API int xenops_vm_add(char **id_out, xenops_ctx *ctx, const char *config_json,
			     unsigned int flags);

/**
 * Remove a halted VM and its device definitions. Errors: XENOPS_ENOTFOUND,
 * XENOPS_EBUSY (not halted, or an operation is queued), XENOPS_EIO.
 * @since 0.1
 */
XENOPS_API int xenops_vm_remove(xenops_ctx *ctx, const char *vm, unsigned int flags);

/**
 * List VM ids, sorted. *ids_out is a NULL-terminated array owned by the
 * caller (free with xenops_strv_free); *n_out (may be NULL) its length.
 * @since 0.1
 */
XENOPS_API int xenops_vm_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx);

/**
 * The VM's configuration as JSON: the stored configuration updated with
 * live values (see docs/schema.md, "get_config"), with its devices.
 * Free with xenops_free. Errors: XENOPS_ENOTFOUND, XENOPS_EBACKEND.
 * @since 0.1
 */
XENOPS_API int xenops_vm_get_config(char **json_out, xenops_ctx *ctx, const char *vm);

/**
 * The VM's configuration and state as JSON {"config": ..., "state": ...}
 * (state: power_state, domid, vcpus, memory_target, memory_actual,
 * vcpu_time, start_time, last_shutdown_reason, error). Free with
 * xenops_free. Errors: XENOPS_ENOTFOUND. @since 0.1
 */
XENOPS_API int xenops_vm_stat(char **json_out, xenops_ctx *ctx, const char *vm);

/**
 * The VM's power state (enum xenops_power_state) in *state_out, and its
 * domid in *domid_out (-1 when it has no domain; may be NULL).
 * Errors: XENOPS_ENOTFOUND. @since 0.1
 */
XENOPS_API int xenops_vm_get_power_state(int *state_out, int *domid_out, xenops_ctx *ctx,
					 const char *vm);

/** Start a halted VM and plug its devices (XENOPS_START_PAUSED). @since 0.1 */
XENOPS_API int xenops_vm_start(char **task_out, xenops_ctx *ctx, const char *vm,
			       unsigned int flags);

/**
 * Shut a running or paused VM down. Clean (the guest is asked and given
 * @p timeout_s seconds) unless XENOPS_FORCE is set or @p timeout_s is 0.
 * A clean shutdown that times out fails with XENOPS_ENOACK (the guest did
 * not acknowledge) or XENOPS_ENOSHUTDOWN (it did but did not shut down) and
 * leaves the VM running. A forced shutdown overtakes a queued or running
 * clean shutdown or reboot of the same VM, which end cancelled.
 * @since 0.1
 */
XENOPS_API int xenops_vm_shutdown(char **task_out, xenops_ctx *ctx, const char *vm,
				  unsigned int timeout_s, unsigned int flags);

/** Reboot: as shutdown, then start again with a new domain. @since 0.1 */
XENOPS_API int xenops_vm_reboot(char **task_out, xenops_ctx *ctx, const char *vm,
				unsigned int timeout_s, unsigned int flags);

/** Pause a running VM. @since 0.1 */
XENOPS_API int xenops_vm_pause(char **task_out, xenops_ctx *ctx, const char *vm,
			       unsigned int flags);

/** Unpause a paused VM. @since 0.1 */
XENOPS_API int xenops_vm_unpause(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags);

/**
 * Suspend a running or paused VM to the file @p path (absolute; created,
 * must not exist), then release its domain: the VM ends Suspended.
 * @since 0.1
 */
XENOPS_API int xenops_vm_suspend(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *path, unsigned int flags);

/**
 * Resume a suspended VM from the file @p path written by a suspend of the
 * same VM; it ends Running (Paused with XENOPS_START_PAUSED).
 * @since 0.1
 */
XENOPS_API int xenops_vm_resume(char **task_out, xenops_ctx *ctx, const char *vm,
				const char *path, unsigned int flags);

/**
 * Destroy the VM's domain at once, whatever its state, releasing its
 * devices; it ends Halted (a suspended VM forgets its suspend image).
 * Overtakes queued or running clean shutdowns like a forced shutdown.
 * @since 0.1
 */
XENOPS_API int xenops_vm_destroy(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_VM_H */
