/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between the JSON-RPC envelope (rpc.c) and the method table (methods.c):
 * the call being handled, parameter specifications and accessors.
 */
#ifndef XD_RPC_INT_H
#define XD_RPC_INT_H

#include <stdint.h>

#include <json-c/json.h>

#include "rpc.h"

/* Types a parameter may have on the wire; checked before the handler runs. */
enum xd_ptype {
	XP_STR,         /* string */
	XP_STR_OR_NULL, /* string or null */
	XP_BOOL,        /* true / false */
	XP_UINT,        /* integer, 0 .. UINT_MAX */
	XP_SECONDS,     /* number >= 0, fractions allowed */
	XP_OBJECT,      /* JSON object */
	XP_STR_OR_ARRAY, /* string or array (CPU lists: the library checks the elements) */
};

struct xd_param {
	const char *name; /* NULL ends the list */
	int type;         /* enum xd_ptype */
	int required;
};

#define XD_MAX_PARAMS 6

struct xd_call;

/* struct xd_method flags. */
enum {
	XD_M_DEBUG = 1 << 0, /* offered only with XD_RPC_DEBUG */
	/* What may make a parked call ready (see xd_park_concerned); a
	 * long-poll with neither is retried after any change. */
	XD_M_WAKE_UPDATES = 1 << 1, /* the update log moving past "from" */
	XD_M_WAKE_TASK = 1 << 2,    /* an event of the task "id" */
};

struct xd_method {
	const char *name;
	/* 0, or a negative code with the error recorded by xd_fail/xd_lib. */
	int (*fn)(struct xd_call *c);
	const void *arg; /* per-method data (e.g. the device family) */
	unsigned int flags; /* XD_M_* */
	struct xd_param params[XD_MAX_PARAMS];
};

/* One request being handled (or retried from a park). */
struct xd_call {
	xenops_ctx *ctx;
	struct xd_rpc *rpc;
	const struct xd_method *method;
	struct json_object *params; /* borrowed; never NULL */
	/* params.config as the request spelled it (not NUL-terminated), or
	 * NULL (parked calls, and whenever the raw text is not at hand). */
	const char *config_text;
	size_t config_len;
	int has_no_id;              /* the request has no "id" member */
	int notification;           /* no id, valid request object: nobody reads the answer */
	int debug;                  /* the DEBUG.* methods are offered */
	uint64_t now_ms;
	uint64_t deadline_ms;       /* long-polls: 0 until first computed */
	int park;                   /* set by a long-poll that is not ready */
	struct json_object *result; /* owned; set by the handler on success */
	/* When c->result is this holder (xd_result_text), the answer's text is
	 * raw_text: the envelope is written around it without json-c. */
	struct json_object *raw_result;
	const char *raw_text;
	int err_code;
	char *err_msg;         /* owned */
	const char *err_name;  /* static, or NULL */
	const char *err_param; /* static, borrowed from the request, or NULL */
};

/* The table, sorted by nothing in particular; ends with a NULL name. */
extern const struct xd_method xd_methods[];

/* Record a protocol error (JSON-RPC code); returns @code. */
int xd_fail(struct xd_call *c, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * Pass a library return value through: when negative, record it with the
 * thread's last-error message. Call it right after the library call, before
 * any other library function resets the last error.
 */
int xd_lib(struct xd_call *c, int rc);

/* Parameter accessors; absent (or null) gives the default. */
const char *xd_str(const struct xd_call *c, const char *name);
int xd_bool(const struct xd_call *c, const char *name, int dflt);
unsigned int xd_uint(const struct xd_call *c, const char *name, unsigned int dflt);
/* Seconds converted to milliseconds, clamped to XD_MAX_WAIT_MS. */
uint64_t xd_ms(const struct xd_call *c, const char *name, uint64_t dflt_ms);
struct json_object *xd_obj(const struct xd_call *c, const char *name);
/*
 * The "config" parameter as JSON text for the library (free()): the
 * request's own text of it, which the daemon already parsed and checked,
 * so it is not printed again; NULL on ENOMEM.
 */
char *xd_config_text(const struct xd_call *c);

/* Longest long-poll a client may ask for: one day. */
#define XD_MAX_WAIT_MS (24ull * 3600 * 1000)

/* Set the result to JSON text returned by the library (parsed). */
int xd_result_text(struct xd_call *c, const char *json_text);

/*
 * The printed result of an UPDATES.get from token @from, as answered
 * since the update log last moved (see xd_rpc_log_moved), or NULL: the
 * listeners parked at one token all get the same answer, made once.
 */
const char *xd_rpc_updates_cached(struct xd_rpc *rpc, const char *from);
/* Remember @text (copied) as the answer from @from; nothing on ENOMEM. */
void xd_rpc_updates_remember(struct xd_rpc *rpc, const char *from, const char *text);

/*
 * Long-polls: called when the answer is not ready. Parks the call unless
 * its deadline (now + @wait_ms at the first attempt) has passed or nobody
 * waits for it; returns 1 when parked, 0 when the handler must answer now.
 */
int xd_wait_or_answer(struct xd_call *c, uint64_t wait_ms);

#endif /* XD_RPC_INT_H */
