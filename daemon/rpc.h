/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON-RPC 2.0 layer of xenopsd: one request line in, one response line
 * out (or a parked long-poll answered later). No sockets here, so the
 * server, the tests and the fuzzer drive the very same code.
 */
#ifndef XD_RPC_H
#define XD_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <xenops/xenops.h>

/* Standard JSON-RPC 2.0 error codes (protocol faults). */
#define XD_RPC_PARSE_ERROR (-32700)
#define XD_RPC_INVALID_REQUEST (-32600)
#define XD_RPC_METHOD_NOT_FOUND (-32601)
#define XD_RPC_INVALID_PARAMS (-32602)

/* Nesting depth accepted in a request; deeper input is a parse error. */
#define XD_RPC_MAX_DEPTH 32

/* The dispatcher: a borrowed context and a reusable JSON tokener. */
struct xd_rpc;

/*
 * A request whose answer is not ready yet (UPDATES.get, TASK.wait). It owns
 * a copy of the request; xd_park_poll() answers it once the condition
 * holds or its deadline passed.
 */
struct xd_park;

/* What handling one request produced: at most one of the two is set. */
struct xd_reply {
	char *line; /* response ending in '\n' (free()), or NULL */
	size_t len;
	struct xd_park *park; /* the answer comes later */
};

/* xd_rpc_new flags: offer the DEBUG.* methods (test knobs, fault injection). */
#define XD_RPC_DEBUG (1u << 0)

/* NULL on ENOMEM. @ctx is borrowed and must outlive the dispatcher. */
struct xd_rpc *xd_rpc_new(xenops_ctx *ctx, unsigned int flags);
void xd_rpc_free(struct xd_rpc *rpc);

/*
 * Handle one request line (@len bytes, without the newline; need not be
 * NUL-terminated). @now_ms is the monotonic clock, used for deadlines.
 * Notifications (no "id") produce neither a line nor a park.
 */
void xd_rpc_handle(struct xd_rpc *rpc, const char *line, size_t len, uint64_t now_ms,
                   struct xd_reply *out);

/*
 * Retry a parked request. Returns 1 when it is answered (out->line set, the
 * park freed), 0 while it still waits. At or after its deadline it always
 * answers.
 */
int xd_park_poll(struct xd_rpc *rpc, struct xd_park *park, uint64_t now_ms, struct xd_reply *out);

/* When the park must be answered at the latest (monotonic ms). */
uint64_t xd_park_deadline(const struct xd_park *park);

void xd_park_free(struct xd_park *park);

/*
 * What changed since parked requests were last retried, gathered over one
 * loop turn: the update log's head token (NULL: unknown, retry every
 * UPDATES.get) and the tasks that had events (@all_tasks: too many to list).
 */
struct xd_wake {
	const char *head;
	const char *const *tasks;
	size_t n_tasks;
	int all_tasks;
};

/*
 * 0 when @park surely cannot be answered after the changes in @w (an
 * UPDATES.get whose token is the head, a TASK.wait for another task), 1
 * when a retry may answer it.
 */
int xd_park_concerned(const struct xd_park *park, const struct xd_wake *w);

/* 1 when deciding about @park needs the head token (an UPDATES.get). */
int xd_park_wants_head(const struct xd_park *park);

/*
 * The update log may have moved (the library's fd fired, or a request
 * other than UPDATES.get is about to run): forget the UPDATES.get answer
 * kept for the listeners parked at one token.
 */
void xd_rpc_log_moved(struct xd_rpc *rpc);

/* The update log's head token now (borrowed until the next call), or NULL. */
const char *xd_rpc_updates_head(struct xd_rpc *rpc);

/* Counts of parked-request retries and of the answers they gave. */
struct xd_park_stats {
	uint64_t retried;
	uint64_t answered;
};
struct xd_park_stats xd_rpc_park_stats(const struct xd_rpc *rpc);

/*
 * An error response with id null, for faults outside any request (oversize
 * line, refused peer, too many clients). @name may be NULL (no data).
 * Returns a malloc'd line ending in '\n', or NULL on ENOMEM.
 */
char *xd_rpc_error_line(int code, const char *message, const char *name, size_t *len_out);

#endif /* XD_RPC_H */
