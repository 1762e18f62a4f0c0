/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One state directory, one user: a second library context on a state
 * directory in use fails with XENOPS_EBUSY, in the same process or in
 * another; two xenopsd started at the same instant on one state directory
 * (with one socket or two) leave exactly one running.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "xdtest.h"

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/xdlock-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int open_ctx(xenops_ctx **ctx, const char *state)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;

	o.backend = "sim";
	o.state_dir = state;
	o.workers = 1;
	return xenops_ctx_new(ctx, &o);
}

START_TEST(test_two_contexts_one_process)
{
	xenops_ctx *a = NULL, *b = NULL;
	char state[128];

	make_dir();
	snprintf(state, sizeof(state), "%s/state", dir);
	ck_assert_int_eq(open_ctx(&a, state), 0);
	ck_assert_int_eq(open_ctx(&b, state), XENOPS_EBUSY);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(xenops_last_error_message(), state), "message: %s",
	              xenops_last_error_message());
	/* The first one is unharmed; once it is gone, the directory is free. */
	{
		char *id = NULL;

		ck_assert_int_eq(xenops_vm_add(&id, a, "{\"id\":\"keep\"}", 0), 0);
		xenops_free(id);
	}
	xenops_ctx_unref(a);
	ck_assert_int_eq(open_ctx(&b, state), 0);
	{
		char *json = NULL;

		ck_assert_int_eq(xenops_vm_stat(&json, b, "keep"), 0);
		xenops_free(json);
	}
	/* A memory-only context locks nothing. */
	ck_assert_int_eq(open_ctx(&a, NULL), 0);
	xenops_ctx_unref(a);
	xenops_ctx_unref(b);
	remove_dir();
}
END_TEST

struct daemon {
	pid_t pid;
	char sock[128];
	char log[128];
};

static void spawn(struct daemon *d, const char *sock, const char *state, int n)
{
	snprintf(d->sock, sizeof(d->sock), "%s", sock);
	snprintf(d->log, sizeof(d->log), "%s/xenopsd-%d.log", dir, n);
	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execl(XDT_XENOPSD, "xenopsd", "--backend", "sim", "--socket", d->sock,
		      "--state-dir", state, (char *)NULL);
		_exit(127);
	}
}

static int log_has(const struct daemon *d, const char *what)
{
	char buf[4096];
	FILE *f = fopen(d->log, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

/* Start two daemons at once; exactly one must run, serving its socket. */
static void race(int same_socket, int round)
{
	struct daemon d[2];
	char state[128], sock[2][128];
	int status, loser = -1, winner;
	uint64_t deadline = xdt_now_ms() + XDT_TIMEOUT_MS;

	snprintf(state, sizeof(state), "%s/state", dir);
	for (int i = 0; i < 2; i++)
		snprintf(sock[i], sizeof(sock[i]), "%s/s%d-%d.sock", dir, round,
		         same_socket ? 0 : i);
	spawn(&d[0], sock[0], state, 2 * round);
	spawn(&d[1], sock[1], state, 2 * round + 1);
	while (loser < 0 && xdt_now_ms() < deadline) {
		for (int i = 0; i < 2 && loser < 0; i++)
			if (waitpid(d[i].pid, &status, WNOHANG) == d[i].pid)
				loser = i;
		usleep(10000);
	}
	ck_assert_msg(loser >= 0, "round %d: both daemons run on one state dir", round);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "round %d: loser status %d",
	              round, status);
	ck_assert_msg(log_has(&d[loser], "in use"), "round %d: the loser does not say why",
	              round);
	winner = !loser;
	/* The winner keeps running and answers on its socket. */
	{
		struct xdt_conn *c = NULL;

		while (!c && xdt_now_ms() < deadline) {
			c = xdt_open(d[winner].sock);
			if (!c)
				usleep(20000);
		}
		ck_assert_msg(c != NULL, "round %d: the winner does not answer", round);
		json_object_put(xdt_ok(c, "Query", NULL));
		xdt_close(c);
	}
	ck_assert_int_eq(waitpid(d[winner].pid, &status, WNOHANG), 0);
	kill(d[winner].pid, SIGTERM);
	ck_assert_int_eq(waitpid(d[winner].pid, &status, 0), d[winner].pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(test_two_daemons_two_sockets)
{
	make_dir();
	for (int round = 0; round < 5; round++)
		race(0, round);
	remove_dir();
}
END_TEST

START_TEST(test_two_daemons_one_socket)
{
	make_dir();
	for (int round = 0; round < 5; round++)
		race(1, round);
	remove_dir();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state-lock");
	TCase *tc = tcase_create("lock");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_two_contexts_one_process);
	tcase_add_test(tc, test_two_daemons_two_sockets);
	tcase_add_test(tc, test_two_daemons_one_socket);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
