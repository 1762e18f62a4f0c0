/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl console on the simulator, driven through a pseudo-terminal as a
 * person would: the VM's console is a pty the simulator owns, with a guest
 * that answers lines; xenopsctl runs on the terminal end of our own pty
 * (forkpty), makes it raw, relays both ways, detaches on Ctrl-] and puts
 * the terminal back as it was. Also: the clear errors when the VM is not
 * running or unknown.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "xdtest.h"

static struct xdt_daemon d;
static struct xdt_conn *conn;

static void start(void)
{
	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	conn = xdt_open(d.sock);
	ck_assert_ptr_nonnull(conn);
	json_object_put(xdt_ok(conn, "VM.add",
			       "{\"config\":{\"id\":\"c1\",\"name\":\"c1\",\"memory_mib\":64,"
			       "\"vcpus\":1,\"kernel\":\"/k\"}}"));
}

static void stop(void)
{
	xdt_close(conn);
	xdt_cleanup(&d);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read from @fd into @buf (appending) until @want is in it or the time is up. */
static int read_until(int fd, char *buf, size_t cap, const char *want, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	size_t len = strlen(buf);

	while (!strstr(buf, want)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		r = read(fd, buf + len, cap - 1 - len);
		if (r <= 0)
			return 0;
		len += (size_t)r;
		buf[len] = '\0';
		if (len + 1 >= cap)
			return strstr(buf, want) != NULL;
	}
	return 1;
}

/* Exit status of @pid within the time, or -1. */
static int wait_child(pid_t pid, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int st;

	while (now_ms() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* xenopsctl console VM on a new pty: its pid, the pty's master in *master. */
static pid_t spawn_console(const char *vm, int *master)
{
	pid_t pid = forkpty(master, NULL, NULL, NULL);

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(XDT_XENOPSCTL, "xenopsctl", "--socket", d.sock, "console", vm, (char *)NULL);
		_exit(127);
	}
	return pid;
}

START_TEST(test_console_pty)
{
	char buf[8192] = "";
	struct termios during, after;
	int master, slave_probe;
	pid_t pid;

	start();
	ck_assert_str_eq(xdt_op(conn, "VM.start", "{\"id\":\"c1\"}"), "completed");
	pid = spawn_console("c1", &master);
	/* The banner of the simulated guest and xenopsctl's own line. */
	ck_assert_msg(read_until(master, buf, sizeof(buf), "Escape character is '^]'", 5000),
		      "no greeting: '%s'", buf);
	ck_assert_msg(read_until(master, buf, sizeof(buf), "sim-guest: console of VM c1", 5000),
		      "no banner: '%s'", buf);
	/* Our terminal is raw while attached: no echo, no line editing, no signals. */
	slave_probe = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave_probe, 0);
	ck_assert_int_eq(tcgetattr(slave_probe, &during), 0);
	ck_assert(!(during.c_lflag & (ECHO | ICANON | ISIG)));
	/* A line typed reaches the guest, which echoes it and answers. */
	buf[0] = '\0';
	ck_assert_int_eq(write(master, "hello console\r", 14), 14);
	ck_assert_msg(read_until(master, buf, sizeof(buf), "sim-guest: hello console", 5000),
		      "no answer: '%s'", buf);
	/* Ctrl-C goes to the guest (raw), it does not end xenopsctl. */
	ck_assert_int_eq(write(master, "\003", 1), 1);
	usleep(200000);
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), 0);
	/* Ctrl-] detaches: exit 0, and the terminal is as before (echo, canonical). */
	ck_assert_int_eq(write(master, "\035", 1), 1);
	ck_assert_int_eq(wait_child(pid, 5000), 0);
	ck_assert_int_eq(tcgetattr(slave_probe, &after), 0);
	ck_assert(after.c_lflag & ECHO);
	ck_assert(after.c_lflag & ICANON);
	ck_assert(after.c_lflag & ISIG);
	close(slave_probe);
	close(master);

	/* Attach again: the same console, still answering. */
	buf[0] = '\0';
	pid = spawn_console("c1", &master);
	ck_assert(read_until(master, buf, sizeof(buf), "Escape character", 5000));
	ck_assert_int_eq(write(master, "again\r", 6), 6);
	ck_assert_msg(read_until(master, buf, sizeof(buf), "sim-guest: again", 5000),
		      "no answer: '%s'", buf);
	ck_assert_int_eq(write(master, "\035", 1), 1);
	ck_assert_int_eq(wait_child(pid, 5000), 0);
	close(master);
	stop();
}
END_TEST

START_TEST(test_console_errors)
{
	char buf[4096] = "";
	int master;
	pid_t pid;

	start();
	/* Halted: a clear error, exit 15 (XENOPS_EBADSTATE). */
	pid = spawn_console("c1", &master);
	ck_assert_int_eq(wait_child(pid, 5000), 15);
	read_until(master, buf, sizeof(buf), "\n", 2000);
	ck_assert_msg(strstr(buf, "vm c1 is not running (Halted)"), "message: '%s'", buf);
	close(master);
	/* Unknown VM: exit 13 (XENOPS_ENOTFOUND). */
	buf[0] = '\0';
	pid = spawn_console("nope", &master);
	ck_assert_int_eq(wait_child(pid, 5000), 13);
	close(master);
	/* The console goes with the domain: after a stop, the path is gone from VM.stat. */
	ck_assert_str_eq(xdt_op(conn, "VM.start", "{\"id\":\"c1\"}"), "completed");
	struct json_object *st = xdt_ok(conn, "VM.stat", "{\"id\":\"c1\"}");
	const char *path = xdt_str(st, "state.consoles.0.path");

	ck_assert_msg(strncmp(path, "/dev/pts/", 9) == 0, "path '%s'", path);
	ck_assert_int_eq(access(path, R_OK | W_OK), 0);
	json_object_put(st);
	ck_assert_str_eq(xdt_op(conn, "VM.shutdown", "{\"id\":\"c1\",\"timeout\":0}"),
			 "completed");
	st = xdt_ok(conn, "VM.stat", "{\"id\":\"c1\"}");
	ck_assert_ptr_null(xdt_get(st, "state.consoles.0"));
	json_object_put(st);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_console_pty);
	tcase_add_test(tc, test_console_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
