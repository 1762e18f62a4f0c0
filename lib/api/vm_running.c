/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public API: operations on running guests (memory, vCPUs). */
#include <stdint.h>

#include "api/api.h"

/* Bounds of a MiB count, so that bytes fit in 64 bits with room. */
#define XO_MIB_MAX (UINT64_C(1) << 40)

XENOPS_API int xenops_vm_set_memory(char **task_out, xenops_ctx *ctx, const char *vm,
				    uint64_t target_mib, uint64_t max_mib, unsigned int timeout_s,
				    unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_SET_MEMORY, .vm = vm, .timeout_s = timeout_s };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT);
	if (target_mib == 0 || target_mib > XO_MIB_MAX)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL,
					      "target_mib: must be from 1 to %llu",
					      (unsigned long long)XO_MIB_MAX));
	if (max_mib > XO_MIB_MAX)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "max_mib: must be at most %llu",
					      (unsigned long long)XO_MIB_MAX));
	if (max_mib && target_mib > max_mib)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL,
					      "target_mib: %llu is above max_mib %llu",
					      (unsigned long long)target_mib,
					      (unsigned long long)max_mib));
	if (timeout_s > 3600)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "timeout: must be at most 3600 s"));
	req.mem_target = target_mib << 20;
	req.mem_max = max_mib << 20;
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

XENOPS_API int xenops_vm_set_vcpus(char **task_out, xenops_ctx *ctx, const char *vm,
				   unsigned int vcpus, unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_SET_VCPUS, .vm = vm, .vcpus = vcpus };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT);
	if (vcpus == 0)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "vcpus: must be 1 or more"));
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

XENOPS_API int xenops_vm_set_scheduler(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *params_json, unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_SET_SCHEDULER, .vm = vm, .xs_data = params_json };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT);
	if (!params_json)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "params_json: must not be NULL"));
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}

XENOPS_API int xenops_vm_set_config(xenops_ctx *ctx, const char *vm, const char *config_json)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	if (!config_json)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "config_json: must not be NULL"));
	return xo_api_ret(err, xo_engine_vm_set_config(ctx->e, vm, config_json, err));
}

XENOPS_API int xenops_vm_stats(char **json_out, xenops_ctx *ctx, const char *vm)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err, xo_engine_vm_stats(ctx->e, vm, json_out, err));
}

XENOPS_API int xenops_vm_stats_all(char **json_out, xenops_ctx *ctx)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_vm_stats_all(ctx->e, json_out, err));
}

XENOPS_API int xenops_vm_set_xenstore(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *data_json, unsigned int flags)
{
	struct xo_op_req req = { .op = XO_OP_VM_SET_XENSTORE, .vm = vm, .xs_data = data_json };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, XENOPS_WAIT);
	if (!data_json)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "data_json: must not be NULL"));
	return xo_api_ret(err, xo_api_submit(task_out, ctx, &req, flags, err));
}
