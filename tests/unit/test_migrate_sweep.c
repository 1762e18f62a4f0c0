/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exactly-one-copy sweep of docs/migration.md on the simulator: the
 * sending and the receiving side each run in a process of their own (two
 * simulated hosts, two state directories, a socket pair between them); one
 * of them is made to die at every handshake step and at every cancel point
 * in turn, or the connection is cut at every step of either side. Then
 * both hosts start again (recovery) and the VM must run on exactly one of
 * them, or be halted on both with no domain left anywhere; never running
 * twice, never lost. Halted on both is allowed only where the sender is
 * in doubt (it sent the commit and never heard back), and it says so.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static const char *const send_steps[] = {
	"send.header",	"send.check",	      "send.memory",	  "send.memory_sent",
	"send.prepare", "send.commit",	      "send.commit_recorded", "send.commit_sent",
	"send.committed", "send.done_recorded",
};
static const char *const recv_steps[] = {
	"recv.check",	     "recv.ready_sent",	   "recv.memory", "recv.memory_done",
	"recv.prepare",	     "recv.prepared_sent", "recv.commit", "recv.commit_recorded",
	"recv.committed_sent", "recv.unpaused",
};

#define NSEND (sizeof(send_steps) / sizeof(send_steps[0]))
#define NRECV (sizeof(recv_steps) / sizeof(recv_steps[0]))
#define MAX_POINTS 400

struct tally {
	unsigned int cases, on_src, on_dst, halted, crashed;
};

static xenops_ctx *open_ctx(const char *dir)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *c = NULL;

	o.backend = "sim";
	o.state_dir = dir;
	if (xenops_ctx_new(&c, &o) < 0)
		return NULL;
	return c;
}

/* A fresh pair of hosts with vm1 running on the first. */
static void make_hosts(char **a, char **b)
{
	char cfg[600], disk[400];
	pid_t pid;
	int st = 0, fd;

	*a = xo_test_mkdtemp("sweep-a");
	*b = xo_test_mkdtemp("sweep-b");
	snprintf(disk, sizeof(disk), "%s/disk.img", *a);
	fd = open(disk, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cfg, sizeof(cfg),
		 "{\"id\": \"vm1\", \"memory_mib\": 256, \"vcpus\": 1, \"devices\": {\"vbd\": "
		 "[{\"device\": \"xvda\", \"backend\": \"file:%s\"}], \"vif\": [{\"bridge\": \"xenbr0\"}]}}",
		 disk);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		xenops_ctx *c = open_ctx(*a);

		if (!c || xenops_vm_add(NULL, c, cfg, 0) < 0 ||
		    xenops_vm_start(NULL, c, "vm1", XENOPS_WAIT) < 0)
			_exit(1);
		xenops_ctx_unref(c);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* One side in a process of its own; its exit status (99: the injected crash). */
static pid_t run_side(const char *dir, int sender, int fd, int other, const char *key,
		      const char *value)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		xenops_ctx *c;

		/* The peer's end must close when the peer dies. */
		close(other);
		c = open_ctx(dir);

		alarm(120);
		if (!c)
			_exit(2);
		if (key && xenops_debug_set(c, key, value) < 0)
			_exit(3);
		if (sender)
			xenops_vm_migrate_send(NULL, c, "vm1", fd, XENOPS_WAIT | XENOPS_MIGRATE_LIVE);
		else
			xenops_vm_migrate_receive(NULL, c, fd, XENOPS_WAIT);
		xenops_ctx_unref(c);
		_exit(0);
	}
	return pid;
}

static int power(xenops_ctx *c, int *domid)
{
	int st = -1;

	*domid = -1;
	if (xenops_vm_get_power_state(&st, domid, c, "vm1") < 0)
		return -1;
	return st;
}

/* Domains the simulated host holds (its own record of them). */
static int sim_domains(const char *dir)
{
	char path[400], *text = NULL;
	long n = 0, len;
	FILE *f;
	int count = 0;

	snprintf(path, sizeof(path), "%s/backend/sim/domains.json", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	if (text)
		n = (long)fread(text, 1, (size_t)len, f);
	fclose(f);
	for (const char *p = text; p && n && (p = strstr(p, "\"domid\"")); p++)
		count++;
	free(text);
	return count;
}

static int stat_has(xenops_ctx *c, const char *needle)
{
	char *json = NULL;
	int found;

	if (xenops_vm_stat(&json, c, "vm1") < 0)
		return 0;
	found = strstr(json, needle) != NULL;
	xenops_free(json);
	return found;
}

/*
 * One case: the sender's and the receiver's faults (key/value, NULL: none).
 * Returns 1 if a side died of its injected crash.
 */
static int one_case(const char *name, const char *skey, const char *sval, const char *rkey,
		    const char *rval, struct tally *t)
{
	char *a = NULL, *b = NULL;
	int sv[2], st_s = 0, st_r = 0, crashed, pa, pb, da, db, run_a, run_b;
	pid_t ps, pr;
	xenops_ctx *ca, *cb;

	make_hosts(&a, &b);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ps = run_side(a, 1, sv[0], sv[1], skey, sval);
	pr = run_side(b, 0, sv[1], sv[0], rkey, rval);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(waitpid(ps, &st_s, 0), ps);
	ck_assert_int_eq(waitpid(pr, &st_r, 0), pr);
	ck_assert_msg(WIFEXITED(st_s) && WIFEXITED(st_r), "%s: a side was killed", name);
	ck_assert_msg((WEXITSTATUS(st_s) == 0 || WEXITSTATUS(st_s) == 99) &&
			      (WEXITSTATUS(st_r) == 0 || WEXITSTATUS(st_r) == 99),
		      "%s: exit statuses %d %d", name, WEXITSTATUS(st_s), WEXITSTATUS(st_r));
	crashed = WEXITSTATUS(st_s) == 99 || WEXITSTATUS(st_r) == 99;

	/* Both hosts start again: recovery. */
	ca = open_ctx(a);
	cb = open_ctx(b);
	ck_assert_ptr_nonnull(ca);
	ck_assert_ptr_nonnull(cb);
	xo_test_settle(ca);
	xo_test_settle(cb);
	pa = power(ca, &da);
	pb = power(cb, &db);
	run_a = pa == XENOPS_POWER_RUNNING;
	run_b = pb == XENOPS_POWER_RUNNING;
	ck_assert_msg(!(run_a && run_b), "%s: running on both hosts", name);
	ck_assert_msg(pa >= 0 || pb >= 0, "%s: the VM is defined on neither host", name);
	ck_assert_msg(pa != XENOPS_POWER_PAUSED && pb != XENOPS_POWER_PAUSED,
		      "%s: left paused", name);
	/* Halted on both only when the sender was in doubt after the commit. */
	if (!run_a && !run_b)
		ck_assert_msg(pa >= 0 && stat_has(ca, "migration-doubt"),
			      "%s: halted on both without being in doubt", name);
	/* No domain left over on either host. */
	ck_assert_msg(sim_domains(a) == run_a, "%s: %d domains on the sender", name,
		      sim_domains(a));
	ck_assert_msg(sim_domains(b) == run_b, "%s: %d domains on the receiver", name,
		      sim_domains(b));
	t->cases++;
	t->crashed += crashed;
	t->on_src += run_a;
	t->on_dst += run_b;
	t->halted += !run_a && !run_b;
	fprintf(stderr, "sweep: %-40s %s%s\n", name,
		run_a ? "runs on the sender" : run_b ? "runs on the receiver" : "halted (in doubt)",
		crashed ? "" : " (no crash)");
	xenops_ctx_unref(ca);
	xenops_ctx_unref(cb);
	xo_test_rmtree(a);
	xo_test_rmtree(b);
	free(a);
	free(b);
	return crashed;
}

static void report(const char *what, const struct tally *t)
{
	fprintf(stderr,
		"sweep %s: %u cases (%u with a crash): runs on the sender %u, on the receiver %u, halted in doubt %u\n",
		what, t->cases, t->crashed, t->on_src, t->on_dst, t->halted);
}

START_TEST(crash_at_each_step)
{
	struct tally t = { 0 };
	char name[96];

	for (size_t i = 0; i < NSEND; i++) {
		snprintf(name, sizeof(name), "sender dies at %s", send_steps[i]);
		ck_assert_int_eq(one_case(name, "fault.migrate_crash", send_steps[i], NULL, NULL, &t), 1);
	}
	for (size_t i = 0; i < NRECV; i++) {
		snprintf(name, sizeof(name), "receiver dies at %s", recv_steps[i]);
		ck_assert_int_eq(one_case(name, NULL, NULL, "fault.migrate_crash", recv_steps[i], &t), 1);
	}
	report("handshake steps", &t);
	ck_assert_int_eq(t.cases, NSEND + NRECV);
}
END_TEST

START_TEST(crash_at_each_cancel_point)
{
	struct tally t = { 0 };
	char name[96], n[16];

	for (int side = 0; side < 2; side++) {
		int points = 0;

		for (int k = 1; k <= MAX_POINTS; k++) {
			snprintf(n, sizeof(n), "%d", k);
			snprintf(name, sizeof(name), "%s dies at cancel point %d",
				 side ? "receiver" : "sender", k);
			if (!one_case(name, side ? NULL : "fault.crash_point", n,
				      side ? "fault.crash_point" : NULL, n, &t))
				break; /* past the last cancel point */
			points++;
		}
		ck_assert_int_gt(points, 3);
		ck_assert_int_lt(points, MAX_POINTS);
	}
	report("cancel points", &t);
}
END_TEST

START_TEST(cut_at_each_step)
{
	struct tally t = { 0 };
	char name[96];

	for (size_t i = 0; i < NSEND; i++) {
		snprintf(name, sizeof(name), "cut by the sender at %s", send_steps[i]);
		one_case(name, "fault.migrate_cut", send_steps[i], NULL, NULL, &t);
	}
	for (size_t i = 0; i < NRECV; i++) {
		snprintf(name, sizeof(name), "cut by the receiver at %s", recv_steps[i]);
		one_case(name, NULL, NULL, "fault.migrate_cut", recv_steps[i], &t);
	}
	report("cut connection", &t);
	ck_assert_int_eq(t.cases, NSEND + NRECV);
	ck_assert_int_eq(t.crashed, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("migrate_sweep");
	TCase *tc = tcase_create("sweep");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, crash_at_each_step);
	tcase_add_test(tc, crash_at_each_cancel_point);
	tcase_add_test(tc, cut_at_each_step);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return xo_test_run(suite());
}
