/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test hooks of lib/api/xenops_test.h. Built only with
 * XENOPS_TEST_HOOKS=ON (lib/CMakeLists.txt).
 */
#include "api/api.h"
#include "xenops_test.h"

XENOPS_API int xenops_debug_set(xenops_ctx *ctx, const char *key, const char *value)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	if (!key)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "key: must not be NULL"));
	return xo_api_ret(err, xo_engine_debug_set(ctx->e, key, value, err));
}

XENOPS_API int xenops_sim_guest_action(xenops_ctx *ctx, const char *vm, const char *action,
				       const char *device)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	if (!action)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "action: must not be NULL"));
	return xo_api_ret(err, xo_engine_sim_guest_action(ctx->e, vm, action, device, err));
}
