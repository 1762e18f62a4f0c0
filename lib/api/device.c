/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API: VBD, VIF and PCI definitions and operations. The three kinds
 * share one implementation; the public functions are thin wrappers.
 */
#include "api/api.h"

static int dev_add(int kind, char **id_out, xenops_ctx *ctx, const char *vm, const char *json,
		   unsigned int flags)
{
	XO_API_ENTER();
	if (id_out)
		*id_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_FLAGS(flags, 0);
	if (!json)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "config_json: must not be NULL"));
	return xo_api_ret(err, xo_engine_dev_add(ctx->e, kind, vm, json, id_out, err));
}

static int dev_remove(int kind, xenops_ctx *ctx, const char *vm, const char *dev, unsigned int flags)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_ID(dev, xenops_kind_name(kind));
	XO_CHECK_FLAGS(flags, 0);
	return xo_api_ret(err, xo_engine_dev_remove(ctx->e, kind, vm, dev, err));
}

static int dev_list(int kind, char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm)
{
	struct xo_strv sv = { 0 };

	XO_API_ENTER();
	XO_CHECK_OUT(ids_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	return xo_api_ret(err,
			  xo_api_strv_out(ids_out, n_out, &sv,
					  xo_engine_dev_list(ctx->e, kind, vm, &sv, err), err));
}

static int dev_describe(int kind, char **json_out, xenops_ctx *ctx, const char *vm, const char *dev,
			int with_state)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_ID(dev, xenops_kind_name(kind));
	return xo_api_ret(err,
			  xo_engine_dev_stat(ctx->e, kind, vm, dev, with_state, json_out, err));
}

static int dev_op(int kind, int op, char **task_out, xenops_ctx *ctx, const char *vm,
		  const char *dev, unsigned int flags, unsigned int allowed, struct xo_op_req *req)
{
	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_ID(vm, "vm");
	XO_CHECK_ID(dev, xenops_kind_name(kind));
	XO_CHECK_FLAGS(flags, allowed | XENOPS_WAIT);
	req->op = op;
	req->vm = vm;
	req->dev_kind = kind;
	req->dev = dev;
	return xo_api_ret(err, xo_api_submit(task_out, ctx, req, flags, err));
}

#define XO_DEVICE_API(kind_lc, KIND)                                                                  \
	XENOPS_API int xenops_##kind_lc##_add(char **id_out, xenops_ctx *ctx, const char *vm,          \
					      const char *config_json, unsigned int flags)              \
	{                                                                                              \
		return dev_add(KIND, id_out, ctx, vm, config_json, flags);                             \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_remove(xenops_ctx *ctx, const char *vm, const char *dev,     \
						 unsigned int flags)                                   \
	{                                                                                              \
		return dev_remove(KIND, ctx, vm, dev, flags);                                          \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx,        \
					       const char *vm)                                         \
	{                                                                                              \
		return dev_list(KIND, ids_out, n_out, ctx, vm);                                        \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_get_config(char **json_out, xenops_ctx *ctx, const char *vm, \
						     const char *dev)                                  \
	{                                                                                              \
		return dev_describe(KIND, json_out, ctx, vm, dev, 0);                                  \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_stat(char **json_out, xenops_ctx *ctx, const char *vm,       \
					       const char *dev)                                        \
	{                                                                                              \
		return dev_describe(KIND, json_out, ctx, vm, dev, 1);                                  \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_plug(char **task_out, xenops_ctx *ctx, const char *vm,       \
					       const char *dev, unsigned int flags)                    \
	{                                                                                              \
		struct xo_op_req req = { 0 };                                                          \
		return dev_op(KIND, XO_OP_DEV_PLUG, task_out, ctx, vm, dev, flags, 0, &req);           \
	}                                                                                              \
	XENOPS_API int xenops_##kind_lc##_unplug(char **task_out, xenops_ctx *ctx, const char *vm,     \
						 const char *dev, unsigned int flags)                  \
	{                                                                                              \
		struct xo_op_req req = { 0 };                                                          \
		return dev_op(KIND, XO_OP_DEV_UNPLUG, task_out, ctx, vm, dev, flags, XENOPS_FORCE,     \
			      &req);                                                                   \
	}

XO_DEVICE_API(vbd, XENOPS_KIND_VBD)
XO_DEVICE_API(vif, XENOPS_KIND_VIF)
XO_DEVICE_API(pci, XENOPS_KIND_PCI)

XENOPS_API int xenops_vbd_eject(char **task_out, xenops_ctx *ctx, const char *vm, const char *vbd,
				unsigned int flags)
{
	struct xo_op_req req = { 0 };

	return dev_op(XENOPS_KIND_VBD, XO_OP_VBD_EJECT, task_out, ctx, vm, vbd, flags, 0, &req);
}

XENOPS_API int xenops_vbd_insert(char **task_out, xenops_ctx *ctx, const char *vm, const char *vbd,
				 const char *backend, unsigned int flags)
{
	struct xo_op_req req = { .media = backend };

	XO_API_ENTER();
	if (task_out)
		*task_out = NULL;
	if (!backend)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "backend: must not be NULL"));
	return dev_op(XENOPS_KIND_VBD, XO_OP_VBD_INSERT, task_out, ctx, vm, vbd, flags, 0, &req);
}

XENOPS_API int xenops_vif_set_carrier(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *vif, int carrier, unsigned int flags)
{
	struct xo_op_req req = { .carrier = carrier != 0 };

	return dev_op(XENOPS_KIND_VIF, XO_OP_VIF_SET_CARRIER, task_out, ctx, vm, vif, flags, 0, &req);
}
