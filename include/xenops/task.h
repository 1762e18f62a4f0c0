/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: tasks, the handles of asynchronous operations: state,
 * progress, the atom running, result and error; wait, cancel, destroy.
 */
#ifndef XENOPS_TASK_H
#define XENOPS_TASK_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** States of a task. @since 0.1 */
enum xenops_task_state {
	XENOPS_TASK_PENDING = 0,   /**< queued or running */
	XENOPS_TASK_COMPLETED = 1,
	XENOPS_TASK_FAILED = 2,
	XENOPS_TASK_CANCELLED = 3,
};

/**
 * Name of a task state.
 *
 * @param state  a task state (enum xenops_task_state).
 * @return "pending", "completed", "failed" or "cancelled", static; "unknown"
 * for any other value.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_task_state_name(int state);

/**
 * The task as JSON: {"id", "operation", "vm", "device"?, "state", "progress"
 * (0..1), "atom" (running, or null), "atoms_done": [...], "atom_times"?:
 * [{"atom", "started", "finished"}...] (one per done atom, in the same order),
 * "result"?, "error"?: {"code", "name", "message"}, "created", "started"?,
 * "finished"?} (times in seconds since the epoch, with fractions).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free()); NULL on failure.
 * @param ctx       the context.
 * @param task      id of the task; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND,
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_task_stat(char **json_out, xenops_ctx *ctx, const char *task);

/**
 * The task's state, progress and error code.
 *
 * @param state_out     receives the state (enum xenops_task_state); may be
 *                      NULL.
 * @param progress_out  receives the progress, 0..1; may be NULL.
 * @param error_out     receives the task's error code, 0 unless it failed or
 *                      was cancelled; may be NULL.
 * @param ctx           the context.
 * @param task          id of the task; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND. Any thread.
 * @since 0.1
 */
XENOPS_API int xenops_task_get_state(int *state_out, double *progress_out, int *error_out,
				     xenops_ctx *ctx, const char *task);

/**
 * Wait until the task has ended (completed, failed or cancelled).
 *
 * @param ctx         the context.
 * @param task        id of the task; borrowed for the call.
 * @param timeout_ms  the longest wait in milliseconds; negative: no limit.
 * @return 0 once it has ended, whatever its outcome (read it with
 * xenops_task_get_state()), or a negative error.
 * Errors: XENOPS_ETIMEDOUT (it has not ended in time), XENOPS_EINVAL (NULL or
 * bad argument), XENOPS_ENOTFOUND. Any thread but an event callback's.
 * @since 0.1
 */
XENOPS_API int xenops_task_wait(xenops_ctx *ctx, const char *task, int timeout_ms);

/**
 * Ask a pending task to stop. A queued task ends cancelled at once; a running
 * one at its next cancel point, leaving its VM in a valid state. Cancelling an
 * ended task does nothing and returns 0.
 *
 * @param ctx   the context.
 * @param task  id of the task; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND. Any thread.
 * @since 0.1
 */
XENOPS_API int xenops_task_cancel(xenops_ctx *ctx, const char *task);

/**
 * Forget a task. A pending task is marked destroy-on-finish and goes when it
 * ends.
 *
 * @param ctx   the context.
 * @param task  id of the task; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND. Any thread.
 * @since 0.1
 */
XENOPS_API int xenops_task_destroy(xenops_ctx *ctx, const char *task);

/**
 * The ids of the tasks not destroyed, oldest first.
 *
 * @param ids_out  receives a NULL-terminated array, the caller's (free with
 *                 xenops_strv_free()); NULL on failure.
 * @param n_out    receives the number of ids; may be NULL.
 * @param ctx      the context.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL argument), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_task_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_TASK_H */
