/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public API: xl.cfg import (the conversion is model/xlcfg.c). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/xlcfg.h"

/* The template as JSON text; errors in @err. */
static int convert(char **json_out, const char *text, struct xo_error *err)
{
	struct xo_xlcfg_error xerr;
	struct json_object *obj = NULL;
	int rc;

	if (!text)
		return xo_err(err, XENOPS_EINVAL, "text: must not be NULL");
	if (strnlen(text, XENOPS_XLCFG_MAX + 1) > XENOPS_XLCFG_MAX)
		return xo_err(err, XENOPS_EINVAL, "text: longer than %d bytes", XENOPS_XLCFG_MAX);
	rc = xo_xlcfg_convert(&obj, text, &xerr);
	if (rc < 0)
		return xo_err(err, rc, "xl.cfg: %s", xerr.msg);
	*json_out = xo_json_dumps(obj);
	json_object_put(obj);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

XENOPS_API int xenops_xlcfg_convert(char **json_out, const char *text, unsigned int flags)
{
	XO_API_ENTER();
	XO_CHECK_OUT(json_out);
	XO_CHECK_FLAGS(flags, 0);
	return xo_api_ret(err, convert(json_out, text, err));
}

XENOPS_API int xenops_vm_import_xl(char **id_out, xenops_ctx *ctx, const char *text,
				   unsigned int flags)
{
	char *json = NULL;
	int rc;

	XO_API_ENTER();
	if (id_out)
		*id_out = NULL;
	XO_CHECK_CTX(ctx);
	XO_CHECK_FLAGS(flags, 0);
	rc = convert(&json, text, err);
	if (rc == 0)
		rc = xo_engine_vm_add(ctx->e, json, id_out, err);
	free(json);
	return xo_api_ret(err, rc);
}
