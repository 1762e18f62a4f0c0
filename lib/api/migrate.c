/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public entry points of migration: send, receive (which reads the header
 * and defines the VM before queueing its task) and local migration.
 */
#include <stdlib.h>

#include "api/api.h"

XENOPS_API int xenops_vm_migrate_send(char **task_out, xenops_ctx *ctx, const char *vm, int fd,
				      unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_MIGRATE_SEND, .vm = vm, .fd = fd };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT | XENOPS_MIGRATE_LIVE);
	if (fd < 0)
		XO_API_FAIL("fd: must be an open file descriptor");
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

XENOPS_API int xenops_vm_migrate_local(char **task_out, xenops_ctx *ctx, const char *vm,
				       unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_MIGRATE_LOCAL, .vm = vm, .fd = -1 };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT | XENOPS_MIGRATE_LIVE);
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

XENOPS_API int xenops_vm_migrate_receive(char **task_out, xenops_ctx *ctx, int fd,
					 unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_MIGRATE_RECEIVE, .fd = fd };
	struct xo_error task_err = { 0 };
	unsigned int mflags = 0;
	char *vm = NULL, *task = NULL;
	int rc;

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_FLAGS(flags, XENOPS_WAIT);
	if (fd < 0)
		XO_API_FAIL("fd: must be an open file descriptor");
	rc = xo_engine_migrate_arrive(ctx->e, fd, &vm, &mflags, err);
	if (rc < 0)
		return xo_api_ret(err, rc);
	req.vm = vm;
	if (!(flags & XENOPS_WAIT)) {
		rc = xo_api_submit(task_out, ctx, &req, mflags, err);
		if (rc < 0)
			xo_engine_migrate_arrival_failed(ctx->e, vm, fd, err);
		free(vm);
		return xo_api_ret(err, rc);
	}
	rc = xo_api_submit(&task, ctx, &req, mflags, err);
	if (rc < 0)
		xo_engine_migrate_arrival_failed(ctx->e, vm, fd, err);
	free(vm);
	if (rc < 0)
		return xo_api_ret(err, rc);
	rc = xo_engine_task_wait(ctx->e, task, -1, &task_err, err);
	if (rc == 0 && task_err.code) {
		*err = task_err;
		rc = task_err.code;
	}
	if (task_out)
		*task_out = task;
	else {
		xo_engine_task_destroy(ctx->e, task, &task_err);
		free(task);
	}
	return xo_api_ret(err, rc);
}
