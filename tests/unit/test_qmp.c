/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device model's QMP client (lib/backend/xen/qmp.c) against a fake
 * QMP server on a unix socket: greeting and capabilities negotiation,
 * replies, events skipped, errors with their description, a server that
 * hangs up or stays silent; a descriptor passed with a command (add-fd).
 * Built with the xen backend only.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"

#ifdef XENOPS_HAVE_XEN
#include "backend/xen/qmp.h"

static struct xo_error test_err;
static struct xo_error *const err = &test_err;

enum server_mode { SERVE, HANG_UP_AFTER_GREETING, SILENT, BAD_GREETING };

struct server {
	int listen_fd;
	enum server_mode mode;
	char seen[4096]; /* the commands received, one per line */
	int got_fd;      /* the last descriptor received with a command, or -1 */
	pthread_t thread;
};

static void say(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/*
 * One line from the client (NUL-terminated, without the newline); false at
 * EOF. A descriptor coming with its bytes (SCM_RIGHTS) goes to *got_fd.
 */
static bool hear(int fd, char *buf, size_t len, int *got_fd)
{
	size_t n = 0;

	while (n + 1 < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		char c;
		struct iovec iov = { .iov_base = &c, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm;

		if (recvmsg(fd, &msg, 0) != 1)
			return false;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(got_fd, CMSG_DATA(cm), sizeof(int));
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	char line[512];

	if (fd < 0)
		return NULL;
	if (s->mode == SILENT) {
		sleep(1);
		close(fd);
		return NULL;
	}
	if (s->mode == BAD_GREETING) {
		say(fd, "{\"hello\": 1}\n");
		close(fd);
		return NULL;
	}
	say(fd, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n");
	if (s->mode == HANG_UP_AFTER_GREETING) {
		close(fd);
		return NULL;
	}
	while (hear(fd, line, sizeof(line), &s->got_fd)) {
		strncat(s->seen, line, sizeof(s->seen) - strlen(s->seen) - 2);
		strcat(s->seen, "\n");
		if (strstr(line, "qmp_capabilities"))
			say(fd, "{\"return\": {}}\n");
		else if (strstr(line, "\"cont\""))
			/* An event comes first and must be skipped; a reply in two writes. */
			say(fd, "{\"timestamp\": {}, \"event\": \"RESUME\"}\n{\"ret"),
			    usleep(20000), say(fd, "urn\": {}}\n");
		else if (strstr(line, "query-block")) {
			/* Longer than the client's own 1 KiB line (as query-block's is). */
			char big[3000];

			memset(big, 'x', sizeof(big));
			big[sizeof(big) - 1] = '\0';
			say(fd, "{\"return\": [{\"device\": \"xo-ide2\", \"pad\": \"");
			say(fd, big);
			say(fd, "\"}]}\n");
		} else if (strstr(line, "add-fd"))
			/* QEMU's answer without a descriptor. */
			say(fd, s->got_fd >= 0 ? "{\"return\": {\"fdset-id\": 3, \"fd\": 9}}\n"
					       : "{\"error\": {\"class\": \"GenericError\", "
						 "\"desc\": \"No file descriptor supplied via "
						 "SCM_RIGHTS\"}}\n");
		else if (strstr(line, "query-status"))
			say(fd, "{\"return\": {\"status\": \"running\", \"running\": true}}\n");
		else
			say(fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
				"nope has not been found\"}}\n");
	}
	close(fd);
	return NULL;
}

static void server_start(struct server *s, enum server_mode mode, char path[108])
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *dir = xo_test_mkdtemp("qmp");

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->got_fd = -1;
	snprintf(path, 108, "%s/q", dir);
	free(dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s->listen_fd, 0);
	ck_assert_int_eq(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s->listen_fd, 1), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s, const char *path)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(path);
}

START_TEST(qmp_conversation)
{
	struct server s;
	struct xo_qmp *q = NULL;
	char path[108], reply[256];

	server_start(&s, SERVE, path);
	ck_assert_int_eq(xo_qmp_open(path, 2000, &q, err), 0);
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"cont\"}", 2000, reply, sizeof(reply),
					err), 0);
	ck_assert_str_eq(reply, "{\"return\": {}}");
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"query-status\"}", 2000, reply,
					sizeof(reply), err), 0);
	ck_assert_ptr_nonnull(strstr(reply, "\"running\": true"));
	/* An error reply: EBACKEND naming the command and the server's description. */
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"nope\"}", 2000, NULL, 0, err),
			 XENOPS_EBACKEND);
	ck_assert_ptr_nonnull(strstr(err->msg, "nope"));
	ck_assert_ptr_nonnull(strstr(err->msg, "has not been found"));
	/* A reply longer than the caller's buffer is cut, not overrun. */
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"query-status\"}", 2000, reply, 8, err),
			 0);
	ck_assert_str_eq(reply, "{\"retur");
	xo_qmp_close(q);
	server_stop(&s, path);
	ck_assert_str_eq(s.seen, "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"cont\"}\n"
				 "{\"execute\": \"query-status\"}\n{\"execute\": \"nope\"}\n"
				 "{\"execute\": \"query-status\"}\n");
}
END_TEST

/* A reply longer than 1 KiB reaches a caller's larger buffer whole. */
START_TEST(qmp_long_reply)
{
	struct server s;
	struct xo_qmp *q = NULL;
	char path[108], reply[8192];

	server_start(&s, SERVE, path);
	ck_assert_int_eq(xo_qmp_open(path, 2000, &q, err), 0);
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"query-block\"}", 2000, reply,
					sizeof(reply), err), 0);
	ck_assert_uint_eq(strlen(reply), strlen("{\"return\": [{\"device\": \"xo-ide2\", \"pad\": \"\"}]}") + 2999);
	ck_assert_str_eq(reply + strlen(reply) - 4, "\"}]}");
	xo_qmp_close(q);
	server_stop(&s, path);
}
END_TEST

/* add-fd: the descriptor travels with the command; without one QEMU refuses. */
START_TEST(qmp_pass_fd)
{
	struct server s;
	struct xo_qmp *q = NULL;
	char path[108], reply[256];
	struct stat mine, got;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	server_start(&s, SERVE, path);
	ck_assert_int_eq(xo_qmp_open(path, 2000, &q, err), 0);
	ck_assert_int_eq(xo_qmp_command(q, "{\"execute\": \"add-fd\"}", 2000, NULL, 0, err),
			 XENOPS_EBACKEND);
	ck_assert_ptr_nonnull(strstr(err->msg, "SCM_RIGHTS"));
	ck_assert_int_eq(xo_qmp_command_fd(q, "{\"execute\": \"add-fd\"}", -1, 2000, NULL, 0, err),
			 XENOPS_EINVAL);
	ck_assert_int_eq(xo_qmp_command_fd(q, "{\"execute\": \"add-fd\"}", fd, 2000, reply,
					   sizeof(reply), err),
			 0);
	ck_assert_str_eq(reply, "{\"return\": {\"fdset-id\": 3, \"fd\": 9}}");
	/* Still the caller's. */
	ck_assert_int_eq(fstat(fd, &mine), 0);
	xo_qmp_close(q);
	server_stop(&s, path);
	/* The server got the same file, a descriptor of its own. */
	ck_assert_int_ge(s.got_fd, 0);
	ck_assert_int_ne(s.got_fd, fd);
	ck_assert_int_eq(fstat(s.got_fd, &got), 0);
	ck_assert(got.st_ino == mine.st_ino && got.st_dev == mine.st_dev);
	close(s.got_fd);
	close(fd);
}
END_TEST

START_TEST(qmp_failures)
{
	struct server s;
	struct xo_qmp *q = (void *)1;
	char path[108];

	server_start(&s, HANG_UP_AFTER_GREETING, path);
	ck_assert_int_eq(xo_qmp_open(path, 2000, &q, err), XENOPS_EBACKEND);
	ck_assert_ptr_null(q);
	ck_assert_ptr_nonnull(strstr(err->msg, "closed"));
	server_stop(&s, path);

	server_start(&s, SILENT, path);
	ck_assert_int_eq(xo_qmp_open(path, 200, &q, err), XENOPS_ETIMEDOUT);
	server_stop(&s, path);

	server_start(&s, BAD_GREETING, path);
	ck_assert_int_eq(xo_qmp_open(path, 2000, &q, err), XENOPS_EBACKEND);
	ck_assert_ptr_nonnull(strstr(err->msg, "greeting"));
	server_stop(&s, path);

	/* Nobody listening. */
	ck_assert_int_lt(xo_qmp_open(path, 200, &q, err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, path));
}
END_TEST
#endif

static Suite *qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc = tcase_create("qmp");

#ifdef XENOPS_HAVE_XEN
	tcase_add_test(tc, qmp_conversation);
	tcase_add_test(tc, qmp_failures);
	tcase_add_test(tc, qmp_long_reply);
	tcase_add_test(tc, qmp_pass_fd);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return xo_test_run(qmp_suite());
}
