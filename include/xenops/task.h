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

/** Name of a task state ("pending", "completed", ...), static. @since 0.1 */
XENOPS_API const char *xenops_task_state_name(int state);

/**
 * The task as JSON: {"id", "operation", "vm", "device"?, "state",
 * "progress" (0..1), "atom" (running, or null), "atoms_done": [...],
 * "result"?, "error"?: {"code", "name", "message"}, "created", "started"?,
 * "finished"?} (times in seconds since the epoch, with fractions).
 * Free with xenops_free. Errors: XENOPS_EINVAL, XENOPS_ENOTFOUND.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_task_stat(char **json_out, xenops_ctx *ctx, const char *task);

/**
 * The task's state (enum xenops_task_state), progress (0..1) and error
 * code (0 unless failed or cancelled). Any out-parameter may be NULL.
 * Errors: XENOPS_EINVAL, XENOPS_ENOTFOUND. Any thread. @since 0.1
 */
XENOPS_API int xenops_task_get_state(int *state_out, double *progress_out, int *error_out,
				     xenops_ctx *ctx, const char *task);

/**
 * Wait until the task has ended (completed, failed or cancelled), at most
 * @p timeout_ms milliseconds (negative: no limit). Returns 0 once it has
 * ended (whatever its outcome: read it with xenops_task_get_state),
 * XENOPS_ETIMEDOUT if it has not. Errors: XENOPS_ENOTFOUND. Any thread but
 * a callback's. @since 0.1
 */
XENOPS_API int xenops_task_wait(xenops_ctx *ctx, const char *task, int timeout_ms);

/**
 * Ask a pending task to stop. A queued task ends cancelled at once; a
 * running one at its next cancel point, leaving its VM in a valid state.
 * Cancelling an ended task does nothing and returns 0.
 * Errors: XENOPS_ENOTFOUND. Any thread. @since 0.1
 */
XENOPS_API int xenops_task_cancel(xenops_ctx *ctx, const char *task);

/**
 * Forget a task. A pending task is marked destroy-on-finish and goes when
 * it ends. Errors: XENOPS_ENOTFOUND. Any thread. @since 0.1
 */
XENOPS_API int xenops_task_destroy(xenops_ctx *ctx, const char *task);

/**
 * Ids of the tasks not destroyed, oldest first, NULL-terminated (free with
 * xenops_strv_free); *n_out (may be NULL) the count. @since 0.1
 */
XENOPS_API int xenops_task_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_TASK_H */
