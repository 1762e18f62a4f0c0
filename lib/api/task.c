/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public API: tasks. */
#include "api/api.h"

XENOPS_API int xenops_task_stat(char **json_out, xenops_ctx *ctx, const char *task)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(task, "task");
	return xo_api_ret(err, xo_engine_task_stat(ctx->e, task, json_out, err));
}

XENOPS_API int xenops_task_get_state(int *state_out, double *progress_out, int *error_out,
				     xenops_ctx *ctx, const char *task)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(task, "task");
	return xo_api_ret(err,
			  xo_engine_task_state(ctx->e, task, state_out, progress_out, error_out,
					       err));
}

XENOPS_API int xenops_task_wait(xenops_ctx *ctx, const char *task, int timeout_ms)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(task, "task");
	return xo_api_ret(err, xo_engine_task_wait(ctx->e, task, timeout_ms, NULL, err));
}

XENOPS_API int xenops_task_cancel(xenops_ctx *ctx, const char *task)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(task, "task");
	return xo_api_ret(err, xo_engine_task_cancel(ctx->e, task, err));
}

XENOPS_API int xenops_task_destroy(xenops_ctx *ctx, const char *task)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(task, "task");
	return xo_api_ret(err, xo_engine_task_destroy(ctx->e, task, err));
}

XENOPS_API int xenops_task_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx)
{
	struct xo_strv sv = { 0 };

	XO_API_ENTER();
	XO_CHECK_OUT(ids_out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err,
			  xo_api_strv_out(ids_out, n_out, &sv,
					  xo_engine_task_list(ctx->e, &sv, err), err));
}
