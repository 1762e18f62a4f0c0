/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenopsd event loop: one poll()-based thread serving the listening
 * socket, every client, the library's event fd and a signal fd.
 */
#ifndef XD_SERVER_H
#define XD_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include <xenops/xenops.h>

struct xd_server_config {
	xenops_ctx *ctx; /* borrowed */
	int listen_fd;   /* listening, non-blocking; borrowed */
	int signal_fd;   /* readable on SIGTERM/SIGINT; borrowed */
	size_t max_line; /* longest request line in bytes */
	unsigned int max_clients;
	unsigned int idle_timeout_s; /* 0: never */
	int have_group;              /* members of @group may connect */
	gid_t group;
	int debug_methods; /* offer DEBUG.* (tests only) */
};

/*
 * Serve until a signal arrives on signal_fd. Returns 0 on a clean stop, or
 * -1 when the loop cannot go on (logged). Every client is closed on return.
 */
int xd_server_run(const struct xd_server_config *cfg);

#endif /* XD_SERVER_H */
