/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public API: VM definitions, operations and monitoring. */
#include <string.h>

#include "api/api.h"

#define XO_VM_OP_FLAGS (XENOPS_WAIT)

XENOPS_API int xenops_vm_add(char **id_out, xenops_ctx *ctx, const char *config_json,
			     unsigned int flags)
{
	XO_API_ENTER();
	if (id_out)
		*id_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_FLAGS(flags, 0);
	if (!config_json)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "config_json: must not be NULL"));
	return xo_api_ret(err, xo_engine_vm_add(ctx->e, config_json, id_out, err));
}

XENOPS_API int xenops_vm_remove(xenops_ctx *ctx, const char *vm, unsigned int flags)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, 0);
	return xo_api_ret(err, xo_engine_vm_remove(ctx->e, vm, err));
}

XENOPS_API int xenops_vm_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx)
{
	struct xo_strv sv = { 0 };

	XO_API_ENTER();
	XO_CHECK_OUT(ids_out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err,
			  xo_api_strv_out(ids_out, n_out, &sv, xo_engine_vm_list(ctx->e, &sv, err),
					  err));
}

XENOPS_API int xenops_vm_get_config(char **json_out, xenops_ctx *ctx, const char *vm)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err, xo_engine_vm_get_config(ctx->e, vm, json_out, err));
}

XENOPS_API int xenops_vm_stat(char **json_out, xenops_ctx *ctx, const char *vm)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err, xo_engine_vm_stat(ctx->e, vm, json_out, err));
}

XENOPS_API int xenops_vm_get_power_state(int *state_out, int *domid_out, xenops_ctx *ctx,
					 const char *vm)
{
	XO_API_ENTER();
	if (!state_out)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "state_out: must not be NULL"));
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err, xo_engine_vm_power(ctx->e, vm, state_out, domid_out, err));
}

static int vm_op(char **task_out, xenops_ctx *ctx, const char *vm, int op, unsigned int flags,
		 unsigned int allowed, unsigned int timeout_s, const char *path)
{
	struct xo_op_req req = { .op = op, .vm = vm, .timeout_s = timeout_s, .path = path };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, allowed | XENOPS_WAIT);
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

static int check_path(const char *path, struct xo_error *err)
{
	if (!path)
		return xo_err(err, XENOPS_EINVAL, "path: must not be NULL");
	if (path[0] != '/')
		return xo_err(err, XENOPS_EINVAL, "path: must be an absolute path");
	if (strlen(path) > 4000)
		return xo_err(err, XENOPS_EINVAL, "path: too long");
	return 0;
}

XENOPS_API int xenops_vm_start(char **task_out, xenops_ctx *ctx, const char *vm, unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_START, flags, XENOPS_START_PAUSED, 0, NULL);
}

XENOPS_API int xenops_vm_shutdown(char **task_out, xenops_ctx *ctx, const char *vm,
				  unsigned int timeout_s, unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_SHUTDOWN, flags, XENOPS_FORCE, timeout_s, NULL);
}

XENOPS_API int xenops_vm_reboot(char **task_out, xenops_ctx *ctx, const char *vm,
				unsigned int timeout_s, unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_REBOOT, flags, XENOPS_FORCE, timeout_s, NULL);
}

XENOPS_API int xenops_vm_pause(char **task_out, xenops_ctx *ctx, const char *vm, unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_PAUSE, flags, 0, 0, NULL);
}

XENOPS_API int xenops_vm_unpause(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_UNPAUSE, flags, 0, 0, NULL);
}

XENOPS_API int xenops_vm_suspend(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *path, unsigned int flags)
{
	int rc;

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	rc = check_path(path, err);
	if (rc < 0)
		return xo_api_ret(err, rc);
	return vm_op(task_out, ctx, vm, XO_OP_VM_SUSPEND, flags, 0, 0, path);
}

XENOPS_API int xenops_vm_resume(char **task_out, xenops_ctx *ctx, const char *vm,
				const char *path, unsigned int flags)
{
	int rc;

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	rc = check_path(path, err);
	if (rc < 0)
		return xo_api_ret(err, rc);
	return vm_op(task_out, ctx, vm, XO_OP_VM_RESUME, flags, XENOPS_START_PAUSED, 0, path);
}

XENOPS_API int xenops_vm_destroy(char **task_out, xenops_ctx *ctx, const char *vm,
				 unsigned int flags)
{
	return vm_op(task_out, ctx, vm, XO_OP_VM_DESTROY, flags, 0, 0, NULL);
}
