/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public API: the update stream and its batches. */
#include "api/api.h"

XENOPS_API int xenops_updates_get(xenops_updates **out, xenops_ctx *ctx, const char *from_token,
				  int timeout_ms)
{
	XO_API_ENTER();
	XO_CHECK_OUT(out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_updates_get(ctx->e, from_token, timeout_ms, out, err));
}

XENOPS_API void xenops_updates_free(xenops_updates *u)
{
	xo_updates_free(u);
}

XENOPS_API const char *xenops_updates_next(const xenops_updates *u)
{
	return u ? u->next : "";
}

XENOPS_API size_t xenops_updates_count(const xenops_updates *u)
{
	return u ? u->n : 0;
}

XENOPS_API int xenops_updates_item(int *kind_out, const char **vm_out, const char **id_out,
				   int *deleted_out, const xenops_updates *u, size_t i)
{
	XO_API_ENTER();
	if (!u || i >= u->n)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "i: index %zu out of range", i));
	if (kind_out)
		*kind_out = u->items[i].kind;
	if (vm_out)
		*vm_out = u->items[i].vm;
	if (id_out)
		*id_out = u->items[i].id;
	if (deleted_out)
		*deleted_out = u->items[i].deleted;
	return 0;
}

XENOPS_API size_t xenops_updates_barrier_count(const xenops_updates *u)
{
	return u ? u->nbarriers : 0;
}

XENOPS_API int xenops_updates_barrier(uint64_t *id_out, const char **vm_out,
				      const xenops_updates *u, size_t i)
{
	XO_API_ENTER();
	if (!u || i >= u->nbarriers)
		return xo_api_ret(err,
				  xo_err(err, XENOPS_EINVAL, "i: barrier index %zu out of range",
					 i));
	if (id_out)
		*id_out = u->barriers[i].id;
	if (vm_out)
		*vm_out = u->barriers[i].vm;
	return 0;
}

XENOPS_API int xenops_updates_inject_barrier(uint64_t *id_out, xenops_ctx *ctx, const char *vm)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err, xo_engine_inject_barrier(ctx->e, vm, id_out, err));
}
