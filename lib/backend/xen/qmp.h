/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QMP, the device model's control protocol, over a unix socket (qmp.c). */
#ifndef XO_XEN_QMP_H
#define XO_XEN_QMP_H

#include <stddef.h>

#include "util/util.h"

struct xo_qmp;

/* Connect, read the greeting and negotiate capabilities. */
int xo_qmp_open(const char *path, unsigned int timeout_ms, struct xo_qmp **out,
		struct xo_error *err);
/*
 * Send one command (a JSON object) and wait for its reply: 0 on
 * "return" (the line copied into @reply when not NULL), XENOPS_EBACKEND
 * naming the error's description otherwise.
 */
int xo_qmp_command(struct xo_qmp *q, const char *json, unsigned int timeout_ms, char *reply,
		   size_t reply_len, struct xo_error *err);
/*
 * The same, with @fd (stays the caller's) passed along with the command's
 * first bytes (SCM_RIGHTS), for the commands that take one (add-fd).
 */
int xo_qmp_command_fd(struct xo_qmp *q, const char *json, int fd, unsigned int timeout_ms,
		      char *reply, size_t reply_len, struct xo_error *err);
void xo_qmp_close(struct xo_qmp *q);

#endif /* XO_XEN_QMP_H */
