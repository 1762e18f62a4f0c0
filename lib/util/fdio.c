/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole reads and writes on a stream file descriptor with cancel checks and
 * an idle limit: what the migration stream's two ends are made of.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

#define SLICE_MS 100

/* Wait for @events; 1 ready, 0 not yet, <0 error. */
static int wait_fd(int fd, short events, struct xo_error *err)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, SLICE_MS);

	if (n < 0)
		return errno == EINTR ? 0 : xo_err_errno(err, errno, "waiting on the stream");
	if (n == 0)
		return 0;
	if (p.revents & POLLNVAL)
		return xo_err(err, XENOPS_EIO, "the stream's file descriptor is not open");
	return 1;
}

static int io_all(int fd, void *buf, size_t len, bool out, unsigned int idle_ms,
		  xo_fd_check_fn check, void *arg, struct xo_error *err)
{
	uint64_t last = xo_now_ms();
	size_t done = 0;
	bool sock = true;

	while (done < len) {
		ssize_t n;
		int rc;

		if (check && (rc = check(arg, err)) < 0)
			return rc;
		rc = wait_fd(fd, out ? POLLOUT : POLLIN, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (idle_ms && xo_now_ms() - last >= idle_ms)
				return xo_err(err, XENOPS_ETIMEDOUT,
					      "no progress on the stream for %u ms", idle_ms);
			continue;
		}
		if (out && sock)
			n = send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		else if (out)
			n = write(fd, (char *)buf + done, len - done);
		else if (sock)
			n = recv(fd, (char *)buf + done, len - done, MSG_DONTWAIT);
		else
			n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == ENOTSOCK && sock) {
			sock = false;
			continue;
		}
		if (n == 0 && !out)
			return xo_err(err, XENOPS_EIO, "connection closed by the peer");
		if (n > 0) {
			done += (size_t)n;
			last = xo_now_ms();
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return xo_err(err, XENOPS_EIO, "connection closed by the peer");
		return xo_err(err, XENOPS_EIO, "stream %s failed: %s", out ? "write" : "read",
			      n < 0 ? strerror(errno) : "no progress");
	}
	return 0;
}

int xo_fd_write_all(int fd, const void *buf, size_t len, unsigned int idle_ms,
		    xo_fd_check_fn check, void *arg, struct xo_error *err)
{
	return io_all(fd, (void *)buf, len, true, idle_ms, check, arg, err);
}

int xo_fd_read_all(int fd, void *buf, size_t len, unsigned int idle_ms, xo_fd_check_fn check,
		   void *arg, struct xo_error *err)
{
	return io_all(fd, buf, len, false, idle_ms, check, arg, err);
}
