/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API: the context (options, reference counting), names of enum
 * values, host information and event-loop integration (the test hooks are
 * in test_hooks.c).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

XENOPS_API int xenops_ctx_new(xenops_ctx **out, const xenops_ctx_options *opts)
{
	xenops_ctx_options defaults = XENOPS_CTX_OPTIONS_INIT;
	struct xo_engine_opts eo = { 0 };
	xenops_ctx *ctx;
	int rc;

	XO_API_ENTER();
	if (!out)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "out: must not be NULL"));
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version == 0 || opts->version > XENOPS_CTX_OPTIONS_VERSION)
		return xo_api_ret(err,
				  xo_err(err, XENOPS_EINVAL,
					 "options.version: %u is not supported (this library knows 1..%d)",
			      opts->version, XENOPS_CTX_OPTIONS_VERSION));
	if (opts->state_dir && opts->state_dir[0] != '/')
		return xo_api_ret(err,
				  xo_err(err, XENOPS_EINVAL,
					 "options.state_dir: must be an absolute path"));
	if (opts->log_level < XENOPS_LOG_ERROR || opts->log_level > XENOPS_LOG_DEBUG)
		return xo_api_ret(err,
				  xo_err(err, XENOPS_EINVAL,
					 "options.log_level: must be XENOPS_LOG_ERROR..XENOPS_LOG_DEBUG"));
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return xo_api_ret(err, xo_err(err, XENOPS_ENOMEM, "out of memory"));
	atomic_init(&ctx->refs, 1);
	eo.state_dir = opts->state_dir;
	eo.backend = opts->backend;
	eo.workers = opts->workers;
	eo.log.fn = opts->log_fn;
	eo.log.userdata = opts->log_userdata;
	eo.log.level = opts->log_level;
	rc = xo_engine_new(&ctx->e, &eo, err);
	if (rc < 0) {
		free(ctx);
		return xo_api_ret(err, rc);
	}
	*out = ctx;
	return 0;
}

XENOPS_API xenops_ctx *xenops_ctx_ref(xenops_ctx *ctx)
{
	if (ctx)
		atomic_fetch_add(&ctx->refs, 1);
	return ctx;
}

XENOPS_API void xenops_ctx_unref(xenops_ctx *ctx)
{
	if (!ctx || atomic_fetch_sub(&ctx->refs, 1) != 1)
		return;
	xo_engine_free(ctx->e);
	free(ctx);
}

XENOPS_API const char *xenops_ctx_backend(xenops_ctx *ctx)
{
	return ctx ? xo_engine_backend_name(ctx->e) : "";
}

XENOPS_API const char *xenops_ctx_instance(xenops_ctx *ctx)
{
	return ctx ? xo_engine_instance(ctx->e) : "";
}

XENOPS_API int xenops_host_stat(char **json_out, xenops_ctx *ctx)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_host_stat(ctx->e, json_out, err));
}

XENOPS_API const char *xenops_kind_name(int kind)
{
	return xo_kind_name(kind);
}

XENOPS_API const char *xenops_power_state_name(int state)
{
	return xo_power_state_name(state);
}

XENOPS_API const char *xenops_task_state_name(int state)
{
	return xo_task_state_name(state);
}

XENOPS_API int xenops_ctx_subscribe(uint64_t *watch_out, xenops_ctx *ctx, unsigned int kind_mask,
				    xenops_event_fn fn, void *userdata)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	if (!fn)
		return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, "fn: must not be NULL"));
	if (kind_mask & ~((1u << XENOPS_KIND_VM) | (1u << XENOPS_KIND_VBD) | (1u << XENOPS_KIND_VIF) |
			  (1u << XENOPS_KIND_PCI) | (1u << XENOPS_KIND_TASK)))
		return xo_api_ret(err,
				  xo_err(err, XENOPS_EINVAL, "kind_mask: unknown kind bits 0x%x",
					 kind_mask));
	return xo_api_ret(err,
			  xo_engine_subscribe(ctx->e, kind_mask, fn, userdata, watch_out, err));
}

XENOPS_API int xenops_ctx_unsubscribe(xenops_ctx *ctx, uint64_t watch)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_unsubscribe(ctx->e, watch, err));
}

XENOPS_API int xenops_ctx_get_fd(xenops_ctx *ctx)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_fd(ctx->e));
}

XENOPS_API int xenops_ctx_dispatch(xenops_ctx *ctx)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_dispatch(ctx->e, ctx, err));
}

XENOPS_API int xenops_ctx_set_option(xenops_ctx *ctx, const char *key, const char *value)
{
	XO_API_ENTER();
	XO_CHECK_CTX(ctx);
	if (!key)
		XO_API_FAIL("key: must not be NULL");
	return xo_api_ret(err, xo_engine_set_option(ctx->e, key, value, err));
}

XENOPS_API int xenops_host_dmesg(char **text_out, xenops_ctx *ctx)
{
	XO_API_ENTER();
	XO_CHECK_OUT(text_out);
	XO_CHECK_CTX(ctx);
	return xo_api_ret(err, xo_engine_host_dmesg(ctx->e, text_out, err));
}
