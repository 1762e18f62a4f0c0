/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API helpers shared by the operation entry points: queueing a task
 * and, with XENOPS_WAIT, waiting for it and returning its result.
 */
#include <stdlib.h>

#include "api/api.h"

int xo_api_submit(char **task_out, xenops_ctx *ctx, struct xo_op_req *req, unsigned int flags)
{
	struct xo_error err = { 0 };
	char *task = NULL;
	int rc;

	if (task_out)
		*task_out = NULL;
	req->flags = flags & ~XENOPS_WAIT;
	/* Waiting needs the task to outlive its end, so keep an id either way. */
	rc = xo_engine_submit(ctx->e, req, (task_out || (flags & XENOPS_WAIT)) ? &task : NULL);
	if (rc < 0)
		return rc;
	if (flags & XENOPS_WAIT) {
		rc = xo_engine_task_wait(ctx->e, task, -1, &err);
		if (rc == 0 && err.code)
			rc = xo_err(err.code, "%s", err.msg ? err.msg : xenops_strerror(err.code));
		xo_error_clear(&err);
		if (!task_out)
			xo_engine_task_destroy(ctx->e, task);
	}
	if (task_out)
		*task_out = task;
	else
		free(task);
	return rc;
}

int xo_api_strv_out(char ***ids_out, size_t *n_out, struct xo_strv *sv, int rc)
{
	if (rc < 0) {
		xo_strv_clear(sv);
		return rc;
	}
	if (n_out)
		*n_out = sv->n;
	*ids_out = xo_strv_steal(sv);
	return *ids_out ? 0 : xo_err(XENOPS_ENOMEM, "out of memory");
}
