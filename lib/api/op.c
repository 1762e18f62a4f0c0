/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API helpers shared by the operation entry points: queueing a task
 * and, with XENOPS_WAIT, waiting for it and returning its result.
 */
#include <stdlib.h>

#include "api/api.h"

int xo_api_ret(struct xo_error *err, int rc)
{
	if (rc >= 0)
		return rc;
	if (err->code != rc)
		xo_error_set(err, rc, NULL);
	xo_tls_error_set(err);
	return rc;
}

int xo_api_submit(char **task_out, xenops_ctx *ctx, struct xo_op_req *req, unsigned int flags,
		  struct xo_error *err)
{
	char *task = NULL;
	int rc;

	if (task_out)
		*task_out = NULL;
	req->flags = flags & ~XENOPS_WAIT;
	/* Waiting needs the task to outlive its end, so keep an id either way. */
	rc = xo_engine_submit(ctx->e, req, (task_out || (flags & XENOPS_WAIT)) ? &task : NULL, err);
	if (rc < 0)
		return rc;
	if (flags & XENOPS_WAIT) {
		struct xo_error task_err = { 0 };

		rc = xo_engine_task_wait(ctx->e, task, -1, &task_err, err);
		if (rc == 0 && task_err.code) {
			*err = task_err;
			rc = task_err.code;
		}
		if (!task_out)
			xo_engine_task_destroy(ctx->e, task, &task_err);
	}
	if (task_out)
		*task_out = task;
	else
		free(task);
	return rc;
}

int xo_api_strv_out(char ***ids_out, size_t *n_out, struct xo_strv *sv, int rc,
		    struct xo_error *err)
{
	if (rc < 0) {
		xo_strv_clear(sv);
		return rc;
	}
	if (n_out)
		*n_out = sv->n;
	*ids_out = xo_strv_steal(sv);
	return *ids_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}
