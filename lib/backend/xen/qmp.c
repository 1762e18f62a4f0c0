/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A minimal QMP client for the device model (qemu-xen): connect to its
 * unix socket, read the greeting, leave capabilities negotiation with
 * qmp_capabilities, then one command at a time. Replies are single JSON
 * lines; asynchronous events (lines holding "event") are skipped. Only
 * what the backend needs is parsed: "return" or "error" and its "desc".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend/xen/qmp.h"

#define QMP_LINE_MAX 65536

struct xo_qmp {
	int fd;
	char buf[QMP_LINE_MAX];
	size_t len;
};

static int qmp_connect(const char *path, int *fd_out, struct xo_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return xo_err(err, XENOPS_EINVAL, "QMP socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xo_err_errno(err, errno, "QMP socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return xo_err_errno(err, e, "QMP connect %s", path);
	}
	*fd_out = fd;
	return 0;
}

/* One line (without its newline) into *line, waiting up to @timeout_ms. */
static int read_line(struct xo_qmp *q, unsigned int timeout_ms, char **line,
		     struct xo_error *err)
{
	uint64_t deadline = xo_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		uint64_t now = xo_now_ms();
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*line = q->buf;
			return (int)(nl - q->buf) + 1; /* bytes to consume */
		}
		if (q->len == sizeof(q->buf))
			return xo_err(err, XENOPS_EBACKEND, "QMP: reply longer than %d bytes",
				      QMP_LINE_MAX);
		if (now >= deadline)
			return xo_err(err, XENOPS_ETIMEDOUT, "QMP: no reply within %u ms",
				      timeout_ms);
		if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return xo_err_errno(err, errno, "QMP poll");
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			n = 0;
		else if (n < 0)
			return xo_err_errno(err, errno, "QMP read");
		if (n == 0)
			return xo_err(err, XENOPS_EBACKEND, "QMP: the device model closed the socket");
		q->len += (size_t)n;
	}
}

static void consume(struct xo_qmp *q, int n)
{
	memmove(q->buf, q->buf + n, q->len - (size_t)n);
	q->len -= (size_t)n;
}

/* The next line that is not an event, copied into @out (may be NULL). */
static int read_reply(struct xo_qmp *q, unsigned int timeout_ms, char *out, size_t out_len,
		      struct xo_error *err)
{
	for (;;) {
		char *line = NULL;
		int n = read_line(q, timeout_ms, &line, err);

		if (n < 0)
			return n;
		if (strstr(line, "\"event\"") && !strstr(line, "\"return\"")) {
			consume(q, n);
			continue;
		}
		if (out && out_len) {
			size_t len = strnlen(line, out_len - 1);

			memcpy(out, line, len);
			out[len] = '\0';
		}
		consume(q, n);
		return 0;
	}
}

/*
 * @pass (or -1) goes with the first bytes as SCM_RIGHTS: QEMU's socket
 * chardev keeps it for the command those bytes belong to (add-fd).
 */
static int write_all(int fd, const char *s, int pass, struct xo_error *err)
{
	size_t len = strlen(s), done = 0;

	while (done < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = (char *)s + done, .iov_len = len - done };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (pass >= 0) {
			struct cmsghdr *c;

			memset(&ctl, 0, sizeof(ctl));
			msg.msg_control = ctl.buf;
			msg.msg_controllen = sizeof(ctl.buf);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &pass, sizeof(int));
		}
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return xo_err(err, XENOPS_EBACKEND,
				      "QMP: the device model closed the socket");
		if (n < 0)
			return xo_err_errno(err, errno, "QMP write");
		done += (size_t)n;
		pass = -1;
	}
	return 0;
}

static int command(struct xo_qmp *q, const char *json, int pass, unsigned int timeout_ms,
		   char *reply, size_t reply_len, struct xo_error *err)
{
	char small[1024];
	/* A caller's larger buffer takes the whole reply (query-block's is long). */
	char *line = reply && reply_len > sizeof(small) ? reply : small;
	size_t line_len = line == reply ? reply_len : sizeof(small);
	const char *desc;
	int rc = write_all(q->fd, json, pass, err);

	if (rc == 0)
		rc = write_all(q->fd, "\n", -1, err);
	if (rc == 0)
		rc = read_reply(q, timeout_ms, line, line_len, err);
	if (rc < 0)
		return rc;
	if (reply && line != reply)
		snprintf(reply, reply_len, "%s", line);
	if (strncmp(line, "{\"return\"", 9) == 0)
		return 0;
	desc = strstr(line, "\"desc\"");
	return xo_err(err, XENOPS_EBACKEND, "QMP %.64s: %.200s", json, desc ? desc : line);
}

int xo_qmp_command(struct xo_qmp *q, const char *json, unsigned int timeout_ms, char *reply,
		   size_t reply_len, struct xo_error *err)
{
	return command(q, json, -1, timeout_ms, reply, reply_len, err);
}

int xo_qmp_command_fd(struct xo_qmp *q, const char *json, int fd, unsigned int timeout_ms,
		      char *reply, size_t reply_len, struct xo_error *err)
{
	if (fd < 0)
		return xo_err(err, XENOPS_EINVAL, "QMP: no file descriptor to pass");
	return command(q, json, fd, timeout_ms, reply, reply_len, err);
}

int xo_qmp_open(const char *path, unsigned int timeout_ms, struct xo_qmp **out,
		struct xo_error *err)
{
	struct xo_qmp *q = calloc(1, sizeof(*q));
	char line[1024];
	int rc;

	*out = NULL;
	if (!q)
		return xo_err(err, XENOPS_ENOMEM, "QMP: out of memory");
	q->fd = -1;
	rc = qmp_connect(path, &q->fd, err);
	if (rc == 0)
		rc = read_reply(q, timeout_ms, line, sizeof(line), err);
	if (rc == 0 && !strstr(line, "\"QMP\""))
		rc = xo_err(err, XENOPS_EBACKEND, "QMP: unexpected greeting %.100s", line);
	if (rc == 0)
		rc = xo_qmp_command(q, "{\"execute\": \"qmp_capabilities\"}", timeout_ms, NULL, 0,
				    err);
	if (rc < 0) {
		xo_qmp_close(q);
		return rc;
	}
	*out = q;
	return 0;
}

void xo_qmp_close(struct xo_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}
