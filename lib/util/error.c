/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Error codes: their names and descriptions, the thread-local last error
 * of public calls, and errors kept on objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static _Thread_local int tls_code;
static _Thread_local char tls_msg[XO_ERR_MSG_MAX];

struct err_desc {
	int code;
	const char *name;
	const char *text;
};

static const struct err_desc err_table[] = {
	{ XENOPS_OK, "XENOPS_OK", "success" },
	{ XENOPS_EINVAL, "XENOPS_EINVAL", "invalid argument" },
	{ XENOPS_ENOMEM, "XENOPS_ENOMEM", "out of memory" },
	{ XENOPS_ENOTFOUND, "XENOPS_ENOTFOUND", "no such object" },
	{ XENOPS_EEXIST, "XENOPS_EEXIST", "object already exists" },
	{ XENOPS_EBADSTATE, "XENOPS_EBADSTATE", "operation not allowed in the current state" },
	{ XENOPS_EBUSY, "XENOPS_EBUSY", "object in use" },
	{ XENOPS_ETIMEDOUT, "XENOPS_ETIMEDOUT", "timed out" },
	{ XENOPS_ECANCELLED, "XENOPS_ECANCELLED", "cancelled" },
	{ XENOPS_ENOTSUP, "XENOPS_ENOTSUP", "not supported" },
	{ XENOPS_EBACKEND, "XENOPS_EBACKEND", "backend failure" },
	{ XENOPS_EIO, "XENOPS_EIO", "input/output error" },
	{ XENOPS_ERESYNC, "XENOPS_ERESYNC", "update token stale, resync needed" },
	{ XENOPS_ENOACK, "XENOPS_ENOACK", "guest did not acknowledge the shutdown request" },
	{ XENOPS_ENOSHUTDOWN, "XENOPS_ENOSHUTDOWN", "guest did not shut down" },
	{ XENOPS_ECORRUPT, "XENOPS_ECORRUPT", "stored record corrupt" },
	{ XENOPS_EPERM, "XENOPS_EPERM", "permission denied" },
	{ XENOPS_ENOSPC, "XENOPS_ENOSPC", "no space left on device" },
	{ XENOPS_EINTERNAL, "XENOPS_EINTERNAL", "internal error" },
};

static const struct err_desc *err_find(int code)
{
	for (size_t i = 0; i < XO_ARRAY_SIZE(err_table); i++)
		if (err_table[i].code == code)
			return &err_table[i];
	return NULL;
}

XENOPS_API const char *xenops_strerror(int code)
{
	const struct err_desc *d = err_find(code);

	return d ? d->text : "unknown error";
}

XENOPS_API const char *xenops_strerror_name(int code)
{
	const struct err_desc *d = err_find(code);

	return d ? d->name : "XENOPS_EUNKNOWN";
}

XENOPS_API int xenops_last_error(void)
{
	return tls_code;
}

XENOPS_API const char *xenops_last_error_message(void)
{
	return tls_msg;
}

void xo_tls_error_clear(void)
{
	tls_code = 0;
	tls_msg[0] = '\0';
}

void xo_tls_error_set(const struct xo_error *err)
{
	tls_code = err->code;
	snprintf(tls_msg, sizeof(tls_msg), "%s", err->code ? xo_error_msg(err) : "");
}

int xo_verr(struct xo_error *err, int code, const char *fmt, va_list ap)
{
	char tmp[XO_ERR_MSG_MAX];

	if (!err)
		return code;
	/* Through a copy: the arguments may point into err->msg. */
	if (fmt)
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
	else
		snprintf(tmp, sizeof(tmp), "%s", xenops_strerror(code));
	err->code = code;
	memcpy(err->msg, tmp, sizeof(tmp));
	return code;
}

int xo_err(struct xo_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xo_verr(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void xo_error_set(struct xo_error *err, int code, const char *msg)
{
	xo_err(err, code, "%s", msg && *msg ? msg : xenops_strerror(code));
}

void xo_error_clear(struct xo_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

const char *xo_error_msg(const struct xo_error *err)
{
	return err->msg[0] ? err->msg : xenops_strerror(err->code);
}
