/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Migration on the simulator, both sides in one process: two contexts with
 * their own state directories (two simulated hosts) joined by a socket
 * pair. The stream and handshake, the receiver's checks and refusals
 * travelling back, progress in the task record, cancellation on either
 * side, a cut connection at each step, and local migration.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static xenops_ctx *src, *dst;
static char *dir_a, *dir_b, disk[300];

static void setup(void)
{
	char cfg[512];
	int fd;

	dir_a = xo_test_mkdtemp("mig-a");
	dir_b = xo_test_mkdtemp("mig-b");
	snprintf(disk, sizeof(disk), "%s/disk.img", dir_a);
	fd = open(disk, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	src = xo_test_open_sim(dir_a);
	dst = xo_test_open_sim(dir_b);
	snprintf(cfg, sizeof(cfg),
		 "{\"id\": \"vm1\", \"memory_mib\": 256, \"vcpus\": 2, \"devices\": {\"vbd\": "
		 "[{\"device\": \"xvda\", \"backend\": \"file:%s\"}], \"vif\": [{\"bridge\": \"xenbr0\"}]}}",
		 disk);
	ck_assert_int_eq(xenops_vm_add(NULL, src, cfg, 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, src, "vm1", XENOPS_WAIT), 0);
}

static void teardown(void)
{
	xenops_ctx_unref(src);
	xenops_ctx_unref(dst);
	src = dst = NULL;
	xo_test_rmtree(dir_a);
	xo_test_rmtree(dir_b);
	free(dir_a);
	free(dir_b);
}

static int power(xenops_ctx *c, const char *vm, int *domid)
{
	int st = -1, d = -1;

	if (xenops_vm_get_power_state(&st, &d, c, vm) < 0)
		return -1;
	if (domid)
		*domid = d;
	return st;
}

static int stat_has(xenops_ctx *c, const char *vm, const char *needle)
{
	char *json = NULL;
	int found;

	ck_assert_int_eq(xenops_vm_stat(&json, c, vm), 0);
	found = strstr(json, needle) != NULL;
	xenops_free(json);
	return found;
}

static int vbd_plugged(xenops_ctx *c)
{
	char *json = NULL;
	int found;

	ck_assert_int_eq(xenops_vbd_stat(&json, c, "vm1", "xvda"), 0);
	found = strstr(json, "\"plugged\":true") != NULL;
	xenops_free(json);
	return found;
}

static char *task_json(xenops_ctx *c, const char *task)
{
	char *json = NULL;

	ck_assert_int_eq(xenops_task_stat(&json, c, task), 0);
	return json;
}

/* A number after "key": in @json, or -1. */
static double json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(json, pat);
	if (!p) {
		snprintf(pat, sizeof(pat), "\"%s\":", key);
		p = strstr(json, pat);
	}
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

struct recv_arg {
	int fd, rc;
	char *task;
	unsigned int flags;
};

static void *recv_main(void *p)
{
	struct recv_arg *a = p;

	a->rc = xenops_vm_migrate_receive(&a->task, dst, a->fd, XENOPS_WAIT | a->flags);
	return NULL;
}

struct outcome {
	int send_rc, recv_rc;
	char *send_json, *recv_json;
};

/* One migration of vm1 from src to dst; both tasks' records are kept. */
static void migrate(unsigned int flags, struct outcome *o)
{
	struct recv_arg ra = { .rc = 1 };
	char *task = NULL;
	pthread_t th;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ra.fd = sv[1];
	ck_assert_int_eq(pthread_create(&th, NULL, recv_main, &ra), 0);
	o->send_rc = xenops_vm_migrate_send(&task, src, "vm1", sv[0], flags);
	if (o->send_rc == 0)
		ck_assert_int_eq(xenops_task_wait(src, task, 60000), 0);
	pthread_join(th, NULL);
	o->recv_rc = ra.rc;
	o->send_json = task ? task_json(src, task) : NULL;
	o->recv_json = ra.task ? task_json(dst, ra.task) : NULL;
	if (task) {
		int state = 0, err = 0;
		double progress;

		ck_assert_int_eq(xenops_task_get_state(&state, &progress, &err, src, task), 0);
		o->send_rc = err;
		xenops_task_destroy(src, task);
		xenops_free(task);
	}
	if (ra.task) {
		xenops_task_destroy(dst, ra.task);
		xenops_free(ra.task);
	}
	close(sv[0]);
	close(sv[1]);
}

static void outcome_free(struct outcome *o)
{
	xenops_free(o->send_json);
	xenops_free(o->recv_json);
}

START_TEST(live_migration_moves_the_vm)
{
	struct outcome o = { 0 };
	int d_src = -1, d_dst = -1;

	ck_assert_int_eq(power(src, "vm1", &d_src), XENOPS_POWER_RUNNING);
	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, 0);
	ck_assert_int_eq(o.recv_rc, 0);
	ck_assert_int_eq(power(dst, "vm1", &d_dst), XENOPS_POWER_RUNNING);
	ck_assert_int_ge(d_dst, 0);
	ck_assert_int_eq(power(src, "vm1", &d_src), XENOPS_POWER_HALTED);
	ck_assert_int_eq(d_src, -1);
	ck_assert(stat_has(src, "vm1", "\"migrated\""));
	/* The devices came along and are plugged on the destination. */
	ck_assert(vbd_plugged(dst));
	/* Pre-copy: several rounds, 256 MiB and more sent, a dirty rate. */
	ck_assert_ptr_nonnull(strstr(o.send_json, "\"migration\""));
	ck_assert_int_ge((int)json_num(o.send_json, "iteration"), 2);
	ck_assert(json_num(o.send_json, "bytes") >= 256.0 * 1024 * 1024);
	ck_assert(json_num(o.send_json, "dirty_rate") >= 0);
	ck_assert_ptr_nonnull(strstr(o.send_json, "\"phase\":\"done\""));
	ck_assert_int_ge((int)json_num(o.recv_json, "iteration"), 2);
	/* The copy left behind cannot be started: it runs elsewhere. */
	ck_assert_int_eq(xenops_vm_start(NULL, src, "vm1", XENOPS_WAIT), XENOPS_EBADSTATE);
	outcome_free(&o);
}
END_TEST

START_TEST(cold_migration_is_one_round)
{
	struct outcome o = { 0 };

	migrate(0, &o);
	ck_assert_int_eq(o.send_rc, 0);
	ck_assert_int_eq(o.recv_rc, 0);
	ck_assert_int_eq((int)json_num(o.send_json, "iteration"), 1);
	ck_assert_int_eq(power(dst, "vm1", NULL), XENOPS_POWER_RUNNING);
	outcome_free(&o);
}
END_TEST

START_TEST(migrating_back_replaces_the_old_copy)
{
	struct outcome o = { 0 };
	xenops_ctx *t;

	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, 0);
	outcome_free(&o);
	t = src;
	src = dst;
	dst = t;
	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, 0);
	ck_assert_int_eq(o.recv_rc, 0);
	ck_assert_int_eq(power(dst, "vm1", NULL), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(power(src, "vm1", NULL), XENOPS_POWER_HALTED);
	outcome_free(&o);
}
END_TEST

START_TEST(missing_disk_is_refused_before_memory)
{
	struct outcome o = { 0 };
	int d0 = -1, d1 = -1;

	ck_assert_int_eq(power(src, "vm1", &d0), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(unlink(disk), 0);
	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, XENOPS_ENOTFOUND);
	ck_assert_int_eq(o.recv_rc, XENOPS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(o.send_json, "refused"));
	ck_assert_ptr_nonnull(strstr(o.send_json, "disk.img"));
	ck_assert_int_eq((int)json_num(o.send_json, "bytes"), 0);
	/* The guest never stopped; the destination forgot the VM. */
	ck_assert_int_eq(power(src, "vm1", &d1), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(d0, d1);
	ck_assert_int_eq(power(dst, "vm1", NULL), -1);
	/* The domain itself runs (not left shut down for suspend): it pauses. */
	ck_assert_int_eq(xenops_vm_pause(NULL, src, "vm1", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_unpause(NULL, src, "vm1", XENOPS_WAIT), 0);
	outcome_free(&o);
}
END_TEST

START_TEST(short_of_memory_is_refused)
{
	struct outcome o = { 0 };

	ck_assert_int_eq(xenops_vm_add(NULL, dst, "{\"id\": \"big\", \"memory_mib\": 16200, \"vcpus\": 1}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, dst, "big", XENOPS_WAIT), 0);
	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, XENOPS_ENOMEM);
	ck_assert_ptr_nonnull(strstr(o.send_json, "MiB free"));
	ck_assert_int_eq(power(src, "vm1", NULL), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(power(dst, "vm1", NULL), -1);
	outcome_free(&o);
}
END_TEST

START_TEST(existing_vm_is_refused)
{
	struct outcome o = { 0 };

	ck_assert_int_eq(xenops_vm_add(NULL, dst, "{\"id\": \"vm1\", \"memory_mib\": 64, \"vcpus\": 1}", 0), 0);
	migrate(XENOPS_MIGRATE_LIVE, &o);
	ck_assert_int_eq(o.send_rc, XENOPS_EEXIST);
	ck_assert_int_eq(o.recv_rc, XENOPS_EEXIST);
	ck_assert_int_eq(power(src, "vm1", NULL), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(power(dst, "vm1", NULL), XENOPS_POWER_HALTED);
	outcome_free(&o);
}
END_TEST

struct cancel_arg {
	xenops_ctx *c;
	const char *phase;
};

/* Cancel the first migration task of @c once it reached @phase. */
static void *canceller(void *p)
{
	struct cancel_arg *a = p;

	for (int i = 0; i < 3000; i++) {
		char **ids = NULL;
		size_t n = 0;
		int done = 0;

		if (xenops_task_list(&ids, &n, a->c) == 0) {
			for (size_t k = 0; k < n && !done; k++) {
				char *json = NULL;

				if (xenops_task_stat(&json, a->c, ids[k]) == 0 &&
				    strstr(json, "VM.migrate") && strstr(json, a->phase)) {
					xenops_task_cancel(a->c, ids[k]);
					done = 1;
				}
				xenops_free(json);
			}
			xenops_strv_free(ids);
		}
		if (done)
			break;
		usleep(2000);
	}
	return NULL;
}

static void cancel_case(int on_receiver, unsigned int flags)
{
	struct cancel_arg ca = { on_receiver ? dst : src, "\"phase\":\"memory\"" };
	struct outcome o = { 0 };
	pthread_t th;
	int d0 = -1, d1 = -1;

	ck_assert_int_eq(power(src, "vm1", &d0), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_debug_set(src, "sim.delay.migrate", "150"), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, canceller, &ca), 0);
	migrate(flags, &o);
	pthread_join(th, NULL);
	ck_assert_int_ne(o.send_rc, 0);
	ck_assert_int_ne(o.recv_rc, 0);
	if (on_receiver)
		ck_assert_int_eq(o.recv_rc, XENOPS_ECANCELLED);
	else
		ck_assert_int_eq(o.send_rc, XENOPS_ECANCELLED);
	/* The guest runs on at the source, in its own domain; nothing at the destination. */
	ck_assert_int_eq(power(src, "vm1", &d1), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(d0, d1);
	ck_assert_int_eq(power(dst, "vm1", NULL), -1);
	/* The domain itself runs (not left shut down for suspend): it pauses. */
	ck_assert_int_eq(xenops_vm_pause(NULL, src, "vm1", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_unpause(NULL, src, "vm1", XENOPS_WAIT), 0);
	outcome_free(&o);
}

START_TEST(cancel_on_sender_resumes_the_guest)
{
	cancel_case(0, XENOPS_MIGRATE_LIVE);
}
END_TEST

/*
 * Not live: the guest is shut down for suspend when the stream is cut, and
 * the backend leaves it so; the engine must resume it.
 */
START_TEST(cancel_suspended_send_resumes_the_guest)
{
	cancel_case(0, 0);
}
END_TEST

START_TEST(cancel_on_receiver_resumes_the_guest)
{
	cancel_case(1, XENOPS_MIGRATE_LIVE);
}
END_TEST

/* Steps at which the stream can be cut, each side's. */
static const char *const send_steps[] = {
	"send.header", "send.check", "send.memory", "send.memory_sent", "send.prepare",
	"send.commit", "send.commit_recorded", "send.commit_sent", "send.committed",
};
static const char *const recv_steps[] = {
	"recv.check", "recv.ready_sent", "recv.memory", "recv.memory_done", "recv.prepare",
	"recv.prepared_sent", "recv.commit", "recv.commit_recorded", "recv.committed_sent",
};

/* Exactly one copy: running on one side, or halted on both; never lost. */
static void check_one_copy(const char *what)
{
	int ps = power(src, "vm1", NULL), pd = power(dst, "vm1", NULL);
	int run_s = ps == XENOPS_POWER_RUNNING || ps == XENOPS_POWER_PAUSED;
	int run_d = pd == XENOPS_POWER_RUNNING || pd == XENOPS_POWER_PAUSED;

	ck_assert_msg(!(run_s && run_d), "%s: running on both sides", what);
	ck_assert_msg(ps >= 0 || pd >= 0, "%s: the VM is defined nowhere", what);
}

START_TEST(cut_connection_at_each_step)
{
	int side = _i / 9, k = _i % 9;
	const char *stepname = side ? recv_steps[k] : send_steps[k];
	struct outcome o = { 0 };

	ck_assert_int_eq(xenops_debug_set(side ? dst : src, "fault.migrate_cut", stepname), 0);
	migrate(XENOPS_MIGRATE_LIVE, &o);
	check_one_copy(stepname);
	outcome_free(&o);
}
END_TEST

START_TEST(local_migration_changes_the_domain)
{
	char *task = NULL, *json;
	int d0 = -1, d1 = -1;

	ck_assert_int_eq(power(src, "vm1", &d0), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_vm_migrate_local(&task, src, "vm1", XENOPS_WAIT | XENOPS_MIGRATE_LIVE), 0);
	ck_assert_int_eq(power(src, "vm1", &d1), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(d0, d1);
	ck_assert(vbd_plugged(src));
	json = task_json(src, task);
	ck_assert_int_ge((int)json_num(json, "iteration"), 2);
	xenops_free(json);
	xenops_task_destroy(src, task);
	xenops_free(task);
}
END_TEST

/* Each phase change is logged with how long the phase before took. */
START_TEST(phase_changes_are_logged)
{
	static struct xo_test_log logged = XO_TEST_LOG_INIT;
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *c = NULL;
	char *dir = xo_test_mkdtemp("mig-log");

	o.backend = "sim";
	o.state_dir = dir;
	o.log_fn = xo_test_log_fn;
	o.log_userdata = &logged;
	o.log_level = XENOPS_LOG_INFO;
	ck_assert_int_eq(xenops_ctx_new(&c, &o), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, c, "{\"id\": \"vm9\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, c, "vm9", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_migrate_local(NULL, c, "vm9", XENOPS_WAIT | XENOPS_MIGRATE_LIVE), 0);
	ck_assert_msg(xo_test_log_has(&logged, "vm vm9: migration phase memory (queued took "),
		      "%s", logged.text);
	ck_assert_msg(xo_test_log_has(&logged, "vm vm9: migration phase commit (memory took "),
		      "%s", logged.text);
	ck_assert_msg(xo_test_log_has(&logged, "vm vm9: migration phase done (commit took "),
		      "%s", logged.text);
	xenops_ctx_unref(c);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(local_migration_cancelled_keeps_the_domain)
{
	struct cancel_arg ca = { src, "\"phase\":\"memory\"" };
	pthread_t th;
	int d0 = -1, d1 = -1;

	ck_assert_int_eq(power(src, "vm1", &d0), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_debug_set(src, "sim.delay.migrate", "150"), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, canceller, &ca), 0);
	ck_assert_int_eq(xenops_vm_migrate_local(NULL, src, "vm1", XENOPS_WAIT | XENOPS_MIGRATE_LIVE),
			 XENOPS_ECANCELLED);
	pthread_join(th, NULL);
	ck_assert_int_eq(power(src, "vm1", &d1), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(d0, d1);
}
END_TEST

START_TEST(bad_stream_is_refused)
{
	int sv[2];
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[0], "GET / HTTP/1.0\r\n\r\n", 18), 18);
	ck_assert_int_eq(xenops_vm_migrate_receive(NULL, dst, sv[1], 0), XENOPS_EINVAL);
	/* The sender is told why. */
	n = read(sv[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 4);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf + 4, "refused"));
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(xenops_vm_migrate_send(NULL, src, "vm1", -1, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_migrate_send(NULL, src, "vm1", 0, 0x100), XENOPS_EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("migrate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, live_migration_moves_the_vm);
	tcase_add_test(tc, cold_migration_is_one_round);
	tcase_add_test(tc, migrating_back_replaces_the_old_copy);
	tcase_add_test(tc, missing_disk_is_refused_before_memory);
	tcase_add_test(tc, short_of_memory_is_refused);
	tcase_add_test(tc, existing_vm_is_refused);
	tcase_add_test(tc, cancel_on_sender_resumes_the_guest);
	tcase_add_test(tc, cancel_on_receiver_resumes_the_guest);
	tcase_add_test(tc, cancel_suspended_send_resumes_the_guest);
	tcase_add_loop_test(tc, cut_connection_at_each_step, 0, 18);
	tcase_add_test(tc, local_migration_changes_the_domain);
	tcase_add_test(tc, local_migration_cancelled_keeps_the_domain);
	tcase_add_test(tc, phase_changes_are_logged);
	tcase_add_test(tc, bad_stream_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return xo_test_run(suite());
}
