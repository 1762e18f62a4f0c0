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

/**
 * Name of a power state.
 *
 * @param state  a power state (enum xenops_power_state).
 * @return "Halted", "Running", "Paused", "Suspended" or "Error", static;
 * "unknown" for any other value.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
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
 * Define a VM from a JSON configuration (docs/schema.md). No backend work.
 *
 * @param id_out       receives the VM id (generated when the configuration has
 *                     none), the caller's (free with xenops_free()); may be
 *                     NULL. NULL on failure.
 * @param ctx          the context.
 * @param config_json  the configuration; copied.
 * @param flags        must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument; for the configuration the
 * message names the bad field), XENOPS_EEXIST, XENOPS_EIO, XENOPS_ENOSPC,
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_add(char **id_out, xenops_ctx *ctx, const char *config_json,
			     unsigned int flags);

/**
 * Remove a halted VM and its device definitions.
 *
 * @param ctx    the context.
 * @param vm     id of the VM; borrowed for the call.
 * @param flags  must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND, XENOPS_EBUSY
 * (not halted, or an operation is queued), XENOPS_EIO. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_remove(xenops_ctx *ctx, const char *vm, unsigned int flags);

/**
 * List the VM ids, sorted.
 *
 * @param ids_out  receives a NULL-terminated array, the caller's (free with
 *                 xenops_strv_free()); NULL on failure.
 * @param n_out    receives the number of ids; may be NULL.
 * @param ctx      the context.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL argument), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx);

/**
 * The VM's configuration as JSON: the stored configuration updated with live
 * values (see docs/schema.md, "get_config"), with its devices.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND,
 * XENOPS_EBACKEND, XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_get_config(char **json_out, xenops_ctx *ctx, const char *vm);

/**
 * The VM's configuration and state as JSON {"config": ..., "state": ...}
 * (state: power_state, domid, vcpus, memory_target, memory_actual, vcpu_time,
 * start_time, last_shutdown_reason, error). Since 0.2 a VM with a domain
 * also has "consoles": [{"protocol": "vt100", "path": pty}] (empty while the
 * console is not known) and "guest": what the guest publishes under its
 * xenstore data/ and attr/, as {"data/key": "value"} — untrusted and
 * bounded (64 keys, keys of 128 and values of 256 characters, 4 levels;
 * bytes other than printable ASCII become '?'; "guest_truncated": true when
 * something was left out), and "sched": the scheduler as the hypervisor
 * holds it, {"scheduler", "weight", "cap", "affinity": [...],
 * "soft_affinity": [...]} with one CPU list per vCPU ("all": every CPU).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND,
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_stat(char **json_out, xenops_ctx *ctx, const char *vm);

/**
 * The VM's power state and domain.
 *
 * @param state_out  receives the power state (enum xenops_power_state); must
 *                   not be NULL.
 * @param domid_out  receives the domid, -1 when the VM has no domain; may be
 *                   NULL.
 * @param ctx        the context.
 * @param vm         id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND. Any thread.
 * @since 0.1
 */
XENOPS_API int xenops_vm_get_power_state(int *state_out, int *domid_out, xenops_ctx *ctx,
					 const char *vm);

/**
 * Start a halted VM and plug its devices.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param flags     XENOPS_WAIT, XENOPS_START_PAUSED (leave the new domain
 *                  paused), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBADSTATE: the VM is not halted; XENOPS_EBACKEND)
 * are returned here only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_start(char **task_out, xenops_ctx *ctx, const char *vm,
			       unsigned int flags);

/**
 * Shut a running or paused VM down. Clean (the guest is asked and given
 * @p timeout_s seconds) unless XENOPS_FORCE is set or @p timeout_s is 0. A
 * clean shutdown that times out fails with XENOPS_ENOACK (the guest did not
 * acknowledge) or XENOPS_ENOSHUTDOWN (it did but did not shut down) and leaves
 * the VM running. A forced shutdown overtakes a queued or running clean
 * shutdown or reboot of the same VM, which end cancelled.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param timeout_s seconds the guest is given; 0: forced.
 * @param flags     XENOPS_WAIT, XENOPS_FORCE (no guest co-operation), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (XENOPS_EBADSTATE, XENOPS_ENOACK, XENOPS_ENOSHUTDOWN,
 * XENOPS_ECANCELLED, XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_shutdown(char **task_out, xenops_ctx *ctx, const char *vm,
				  unsigned int timeout_s, unsigned int flags);

/**
 * Reboot: as xenops_vm_shutdown(), then start again with a new domain.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param timeout_s seconds the guest is given; 0: forced.
 * @param flags     XENOPS_WAIT, XENOPS_FORCE (no guest co-operation), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (as xenops_vm_shutdown(), and those of a start) are returned here
 * only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_reboot(char **task_out, xenops_ctx *ctx, const char *vm,
				unsigned int timeout_s, unsigned int flags);

/**
 * Pause a running VM.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBADSTATE: the VM is not running; XENOPS_EBACKEND)
 * are returned here only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_pause(char **task_out, xenops_ctx *ctx, const char *vm,
			       unsigned int flags);

/**
 * Unpause a paused VM.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBADSTATE: the VM is not paused; XENOPS_EBACKEND)
 * are returned here only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_unpause(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags);

/**
 * Suspend a running or paused VM to a file, then release its domain: the VM
 * ends Suspended.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param path      absolute path of the file to create (it must not exist);
 *                  copied.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBADSTATE, XENOPS_EEXIST: the file exists,
 * XENOPS_EIO, XENOPS_ENOSPC, XENOPS_EBACKEND) are returned here only with
 * XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_suspend(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *path, unsigned int flags);

/**
 * Resume a suspended VM from the file written by a suspend of the same VM; it
 * ends Running (Paused with XENOPS_START_PAUSED).
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param path      absolute path of the suspend image; copied.
 *
 * @param flags     XENOPS_WAIT, XENOPS_START_PAUSED, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBADSTATE: the VM is not suspended,
 * XENOPS_ENOTFOUND, XENOPS_EINVAL: not an image of this VM, XENOPS_EIO: the
 * image cannot be read, or on Xen ends before the domain is complete (the
 * simulator calls a cut image XENOPS_EINVAL, not JSON), XENOPS_EBACKEND) are
 * returned here only with XENOPS_WAIT; a failed resume leaves the VM
 * Suspended with its image. Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_resume(char **task_out, xenops_ctx *ctx, const char *vm,
				const char *path, unsigned int flags);

/**
 * Destroy the VM's domain at once, whatever its state, releasing its devices;
 * it ends Halted (a suspended VM forgets its suspend image). Overtakes queued
 * or running clean shutdowns like a forced shutdown.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's
 * own errors (e.g. XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vm_destroy(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags);

/**
 * Change a VM's memory target (the balloon) and, optionally, its domain's
 * maximum. With a domain (Running or Paused) the target is given to the
 * guest and the task waits until the guest holds it (within 1%, at least
 * 1 MiB) or @timeout_s passes; the task's result is {"target_mib",
 * "actual_mib", "reached", "applied": true}: a guest that did not reach the
 * target in time is a completed task with "reached": false. Without a
 * domain only the configuration changes (result {"target_mib", "applied":
 * false}). Either way the stored configuration's memory_target_mib becomes
 * @target_mib in the same operation; the maximum lasts as long as the
 * domain.
 *
 * @param task_out   receives the task id, the caller's (free with
 *                   xenops_free(); forget the task with xenops_task_destroy());
 *                   may be NULL: the task is then destroyed when it ends. NULL
 *                   on failure.
 * @param ctx        the context.
 * @param vm         id of the VM; borrowed for the call.
 * @param target_mib the new target in MiB, 16 or more, at most the maximum.
 * @param max_mib    the domain's new maximum in MiB, at most the VM's static
 *                   maximum (memory_mib); 0 keeps the current one.
 * @param timeout_s  how long to wait for the guest, in seconds; 0: 30.
 * @param flags      XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag; the message names target_mib or max_mib when one is out
 * of range), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's own
 * errors (e.g. XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.2
 */
XENOPS_API int xenops_vm_set_memory(char **task_out, xenops_ctx *ctx, const char *vm,
				    uint64_t target_mib, uint64_t max_mib, unsigned int timeout_s,
				    unsigned int flags);

/**
 * Bring vCPUs 0 to @vcpus - 1 of a VM online and the others offline (vCPU
 * hot-plug), up to the VM's vcpus_max. With a domain the guest is told at
 * once (it follows through its hot-plug driver); without one only the
 * configuration changes. The stored configuration's vcpus becomes @vcpus in
 * the same operation. The task's result is {"vcpus", "applied"}.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vcpus     how many vCPUs online, from 1 to vcpus_max.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag; the message names vcpus when it is out of range),
 * XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the task's own errors (e.g.
 * XENOPS_EBACKEND) are returned here only with XENOPS_WAIT. Any thread.
 * @since 0.2
 */
XENOPS_API int xenops_vm_set_vcpus(char **task_out, xenops_ctx *ctx, const char *vm,
				   unsigned int vcpus, unsigned int flags);

/**
 * Change a VM's scheduler weight and cap and its hard and soft vCPU
 * affinity. @params_json is an object with at least one of "weight" (1 to
 * 65535), "cap" (0 to 100 per vCPU of vcpus_max; 0: no cap), "affinity" and
 * "soft_affinity" (a CPU list such as "0-3,5", "all" or "all,^1" for every
 * vCPU, or an array of at most vcpus_max lists, one per vCPU from vCPU 0,
 * the vCPUs past the last on every CPU), as in the VM configuration
 * (docs/schema.md); fields left out keep their value. With a domain the
 * hypervisor is changed at once; the stored configuration gets the new
 * values in the same operation, so that they apply at every later start.
 * The task's result is {"applied"} (true when a domain was changed).
 *
 * @param task_out    receives the task id, the caller's (free with
 *                    xenops_free(); forget the task with
 *                    xenops_task_destroy()); may be NULL: the task is then
 *                    destroyed when it ends. NULL on failure.
 * @param ctx         the context.
 * @param vm          id of the VM; borrowed for the call.
 * @param params_json the parameters as a JSON object; borrowed for the call.
 * @param flags       XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag, bad parameters: the message names the field, e.g. weight
 * out of range, more affinity lists than vcpus_max), XENOPS_ENOTFOUND (no
 * such VM), XENOPS_ENOMEM; the task's own errors are returned here only with
 * XENOPS_WAIT: XENOPS_EINVAL naming affinity or soft_affinity when a list
 * names a CPU the host lacks, XENOPS_ENOTSUP when the backend cannot change
 * a running domain's scheduler, XENOPS_EBACKEND. Any thread. @since 0.2
 */
XENOPS_API int xenops_vm_set_scheduler(char **task_out, xenops_ctx *ctx, const char *vm,
				       const char *params_json, unsigned int flags);

/**
 * Replace the configuration of a halted VM, synchronously. The new
 * configuration is validated as by xenops_vm_add(); its "id" may be left
 * out (the VM keeps its id) and otherwise must be the VM's id. The VM keeps
 * its devices: a "devices" field is refused. The change applies from the
 * VM's next start.
 *
 * @param ctx         the context.
 * @param vm          id of the VM; borrowed for the call.
 * @param config_json the VM configuration as a JSON object; borrowed.
 * @return 0, or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument, invalid configuration: the
 * message names the field; an id other than the VM's), XENOPS_ENOTFOUND (no
 * such VM), XENOPS_EBADSTATE (the VM is not Halted), XENOPS_EBUSY
 * (operations queued or running on the VM), XENOPS_EIO or XENOPS_ENOSPC (the
 * configuration could not be stored; the old one stays), XENOPS_ENOMEM.
 * Any thread. @since 0.2
 */
XENOPS_API int xenops_vm_set_config(xenops_ctx *ctx, const char *vm, const char *config_json);

/**
 * Statistics of a VM, cheap and synchronous (they never wait for the VM's
 * tasks), as a JSON object: {"time", "vcpus": [{"id", "online", "time_ns"}],
 * "memory": {"target", "actual", "max"}, "vbds": [{"id", "rd_reqs",
 * "wr_reqs", "rd_sectors", "wr_sectors"}], "vifs": [{"id", "rx_bytes",
 * "tx_bytes", "rx_packets", "tx_packets", "rx_drops", "tx_drops"}]}, and
 * for a VM with a domain (since 0.2) "sched" as in xenops_vm_stat().
 * "time" is a monotonic timestamp in seconds (for rates between two
 * calls), memory is in bytes, CPU time in nanoseconds, sectors of 512
 * bytes; VIF counters are the guest's view (rx: received by the guest).
 * Only plugged VBDs and VIFs are listed. A VM without a domain has no
 * vCPUs or devices and its configured target and maximum, actual 0.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @return 0, or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM), XENOPS_ENOMEM. Any thread. @since 0.2
 */
XENOPS_API int xenops_vm_stats(char **json_out, xenops_ctx *ctx, const char *vm);

/**
 * Statistics of every VM in one call, for monitoring agents: {"vms": [...]}
 * where each element is what xenops_vm_stats() returns with the VM's "id"
 * added, in the order of the VM ids.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @return 0, or a negative error.
 * Errors: XENOPS_EINVAL (NULL argument), XENOPS_ENOMEM. Any thread.
 * @since 0.2
 */
XENOPS_API int xenops_vm_stats_all(char **json_out, xenops_ctx *ctx);

/**
 * Write and remove keys of a running or paused VM's guest data in xenstore,
 * in one transaction. Keys are relative to the guest's domain path and
 * must be under "data/" (segments of [A-Za-z0-9_.-], at most 128
 * characters); values are strings of at most 1024 bytes, or null to remove
 * the key and everything below it; 1 to 64 keys. The guest owns what is
 * written (it may change it). Not stored in the configuration. The task's
 * result is empty.
 *
 * @param task_out  receives the task id, the caller's (free with
 *                  xenops_free(); forget the task with xenops_task_destroy());
 *                  may be NULL: the task is then destroyed when it ends. NULL
 *                  on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param data_json a JSON object {"data/key": "value" or null}; copied.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument; the
 * message names the data key at fault), XENOPS_ENOTFOUND (no such VM),
 * XENOPS_ENOMEM; the task's own errors (XENOPS_EBADSTATE: no domain;
 * XENOPS_EBACKEND) are returned here only with XENOPS_WAIT. Any thread.
 * @since 0.2
 */
XENOPS_API int xenops_vm_set_xenstore(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *data_json, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_VM_H */
