/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The API layer's private header: the context structure and the argument
 * checks every public entry point starts with.
 */
#ifndef XO_API_H
#define XO_API_H

#include <stdatomic.h>

#include "engine/engine.h"
#include "util/util.h"
#include "xenops/xenops.h"

struct xenops_ctx {
	atomic_uint refs;
	struct xo_engine *e;
};

/*
 * Every public call starts with XO_API_ENTER(): it resets the thread's last
 * error and declares the call's error value `err`, which the layers below
 * fill. Every return of a public call goes through xo_api_ret(), the only
 * writer of the thread's last error besides the reset.
 */
#define XO_API_ENTER()                      \
	struct xo_error err_value_;         \
	struct xo_error *err = &err_value_; \
	xo_error_clear(err);                \
	xo_tls_error_clear()

/*
 * Finish a public call returning @rc: on failure copy *err (or, if the
 * layers below left no error of that code, the code's description) to the
 * thread's last error. Returns @rc.
 */
int xo_api_ret(struct xo_error *err, int rc);

/* Refuse a bad argument: fill err, set the last error, return. */
#define XO_API_FAIL(...) return xo_api_ret(err, xo_err(err, XENOPS_EINVAL, __VA_ARGS__))

#define XO_CHECK_CTX(ctx)                                  \
	do {                                               \
		if (!(ctx))                                \
			XO_API_FAIL("ctx: must not be NULL"); \
	} while (0)

#define XO_CHECK_OUT(p)                                     \
	do {                                                \
		if (!(p))                                   \
			XO_API_FAIL(#p ": must not be NULL"); \
		*(p) = NULL;                                \
	} while (0)

#define XO_CHECK_ID(id, what)                             \
	do {                                              \
		int rc_ = xo_id_check((id), (what), err); \
		if (rc_ < 0)                              \
			return xo_api_ret(err, rc_);      \
	} while (0)

#define XO_CHECK_FLAGS(flags, allowed)                                         \
	do {                                                                   \
		if ((flags) & ~(allowed))                                      \
			XO_API_FAIL("flags: unsupported bits 0x%x",            \
				    (flags) & ~(allowed));                     \
	} while (0)

/* Queue an operation and honour XENOPS_WAIT (api/op.c). */
int xo_api_submit(char **task_out, xenops_ctx *ctx, struct xo_op_req *req, unsigned int flags,
		  struct xo_error *err);

/* Copy a string list out to the caller. */
int xo_api_strv_out(char ***ids_out, size_t *n_out, struct xo_strv *sv, int rc,
		    struct xo_error *err);

#endif /* XO_API_H */
