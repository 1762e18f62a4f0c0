/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 1,000 clients, each with a parked UPDATES.get, while another connection
 * drives operations on the simulator: every change reaches every client,
 * none is starved, and the daemon's memory stays bounded. Prints the
 * figures (answers, latency, the daemon's peak VmRSS).
 */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "xdtest.h"

#define CLIENTS 1000
#define VMS 10
/* Generous: the daemon holds ~1,000 connections and their buffers (about
 * 14 MiB in a plain build). A sanitizer's shadow memory and quarantine
 * take far more, still bounded. */
#ifdef XDT_SANITIZED
#define RSS_LIMIT_KIB (2048 * 1024)
#else
#define RSS_LIMIT_KIB (256 * 1024)
#endif
#define TEST_DEADLINE_MS 90000

static struct xdt_daemon d;

struct client {
	struct xdt_conn *conn;
	unsigned int vms_seen; /* bit i: VM s<i> seen */
	int done;              /* the final barrier arrived */
	long answers;
	uint64_t done_ms;
};

static struct client clients[CLIENTS];

/* Set by the driver: when it began injecting the barrier that ends the test. */
static _Atomic uint64_t final_ms;
static _Atomic int driver_failed;

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int op(struct xdt_conn *c, const char *method, const char *vm)
{
	struct json_object *r = xdt_call(c, method, "{\"id\":\"%s\"}", vm);
	char task[128];

	if (!r || !xdt_get(r, "result.task")) {
		json_object_put(r);
		return -1;
	}
	snprintf(task, sizeof(task), "%s", xdt_str(r, "result.task"));
	json_object_put(r);
	r = xdt_call(c, "TASK.wait", "{\"id\":\"%s\",\"timeout\":30}", task);
	if (!r || strcmp(xdt_str(r, "result.state"), "completed") != 0) {
		json_object_put(r);
		return -1;
	}
	json_object_put(r);
	json_object_put(xdt_call(c, "TASK.destroy", "{\"id\":\"%s\"}", task));
	return 0;
}

static void *driver(void *arg)
{
	struct xdt_conn *c = xdt_open(d.sock);
	struct json_object *r;

	(void)arg;
	for (int i = 0; c && i < VMS && !driver_failed; i++) {
		char vm[16];

		snprintf(vm, sizeof(vm), "s%d", i);
		r = xdt_call(c, "VM.add", "{\"config\":{\"id\":\"%s\",\"memory_mib\":64}}", vm);
		if (!r || !xdt_get(r, "result"))
			driver_failed = 1;
		json_object_put(r);
		if (!driver_failed && (op(c, "VM.start", vm) < 0 || op(c, "VM.pause", vm) < 0 ||
		                       op(c, "VM.unpause", vm) < 0))
			driver_failed = 1;
	}
	/* The clock starts before the barrier exists: no client can see it
	 * earlier. */
	final_ms = xdt_now_ms();
	r = c ? xdt_call(c, "UPDATES.inject_barrier", "{\"vm\":\"s0\"}") : NULL;
	if (!r || !xdt_get(r, "result.barrier"))
		driver_failed = 1;
	json_object_put(r);
	xdt_close(c);
	return NULL;
}

static void ask(struct client *cl, const char *from)
{
	char params[320];

	if (from)
		snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":60}", from);
	else
		snprintf(params, sizeof(params), "{\"timeout\":60}");
	xdt_request(cl->conn, "UPDATES.get", params);
}

/* One answer: record what it shows, ask again unless finished. 0, or -1. */
static int take(struct client *cl, uint64_t now)
{
	struct json_object *r = xdt_reply(cl->conn, XDT_TIMEOUT_MS);
	struct json_object *ups = xdt_get(r, "result.updates");
	struct json_object *bars = xdt_get(r, "result.barriers");

	if (!r || !ups || !bars) {
		fprintf(stderr, "bad answer: %s\n", r ? json_object_to_json_string(r) : "(none)");
		json_object_put(r);
		return -1;
	}
	cl->answers++;
	for (size_t i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);
		int n;

		if (strcmp(xdt_str(u, "kind"), "vm") == 0 && sscanf(xdt_str(u, "id"), "s%d", &n) == 1 &&
		    n >= 0 && n < VMS)
			cl->vms_seen |= 1u << n;
	}
	/* The driver injects one barrier, after its last change: it may reach
	 * a client before the driver has read its own answer. */
	if (json_object_array_length(bars) > 0) {
		cl->done = 1;
		cl->done_ms = now;
	}
	if (!cl->done)
		ask(cl, xdt_str(r, "result.next"));
	json_object_put(r);
	return 0;
}

static int run_scale(void)
{
	static const char *const extra[] = { "--max-clients", "1100", "--idle-timeout", "0",
		                             NULL };
	static struct pollfd pfds[CLIENTS];
	struct xdt_conn *ctl;
	struct json_object *r;
	pthread_t th;
	uint64_t start, deadline, worst = 0;
	long rss_peak = 0, rss, answers = 0, min_answers = -1;
	int finished = 0, failed = 0;
	char token[256];

	if (xdt_start(&d, extra) < 0) {
		fprintf(stderr, "xenopsd did not start\n");
		return 1;
	}
	start = xdt_now_ms();
	deadline = start + TEST_DEADLINE_MS;
	ctl = xdt_open(d.sock);
	r = ctl ? xdt_call(ctl, "UPDATES.get", "{\"timeout\":0}") : NULL;
	snprintf(token, sizeof(token), "%s", xdt_str(r, "result.next"));
	json_object_put(r);
	for (int i = 0; i < CLIENTS; i++) {
		clients[i].conn = xdt_open(d.sock);
		if (!clients[i].conn) {
			fprintf(stderr, "client %d cannot connect\n", i);
			xdt_cleanup(&d);
			return 1;
		}
		ask(&clients[i], token);
	}
	rss = rss_kib(d.pid);
	printf("%d clients parked: daemon VmRSS %ld KiB\n", CLIENTS, rss);
	fflush(stdout);
	pthread_create(&th, NULL, driver, NULL);
	while (finished < CLIENTS && !failed && xdt_now_ms() < deadline) {
		int n;

		for (int i = 0; i < CLIENTS; i++)
			pfds[i] = (struct pollfd){ .fd = clients[i].done ? -1 : clients[i].conn->fd,
				                   .events = POLLIN };
		n = poll(pfds, CLIENTS, 200);
		for (int i = 0; n > 0 && i < CLIENTS && !failed; i++) {
			if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			failed = take(&clients[i], xdt_now_ms()) < 0;
			finished += clients[i].done;
		}
		rss = rss_kib(d.pid);
		if (rss > rss_peak)
			rss_peak = rss;
		if (driver_failed)
			failed = 1;
	}
	pthread_join(th, NULL);
	for (int i = 0; i < CLIENTS; i++) {
		struct client *cl = &clients[i];

		answers += cl->answers;
		if (min_answers < 0 || cl->answers < min_answers)
			min_answers = cl->answers;
		if (!cl->done || cl->vms_seen != (1u << VMS) - 1) {
			if (!failed)
				fprintf(stderr, "client %d starved: done %d, VMs seen %#x\n", i,
				        cl->done, cl->vms_seen);
			failed = 1;
		} else if (cl->done_ms - final_ms > worst) {
			worst = cl->done_ms - final_ms;
		}
		xdt_close(cl->conn);
	}
	printf("%d clients, %d VMs x 4 operations: %ld answers (fewest per client %ld), "
	       "last client reached %llu ms after the final change, %.1f s in all\n",
	       CLIENTS, VMS, answers, min_answers, (unsigned long long)worst,
	       (double)(xdt_now_ms() - start) / 1000.0);
	printf("daemon VmRSS peak %ld KiB (limit %d KiB)\n", rss_peak, RSS_LIMIT_KIB);
	fflush(stdout);
	if (driver_failed)
		fprintf(stderr, "the operations failed\n");
	if (rss_peak <= 0 || rss_peak > RSS_LIMIT_KIB) {
		fprintf(stderr, "daemon memory out of bounds\n");
		failed = 1;
	}
	xdt_close(ctl);
	if (xdt_stop(&d) != 0) {
		fprintf(stderr, "xenopsd did not stop cleanly\n");
		failed = 1;
	}
	xdt_cleanup(&d);
	return failed ? 1 : 0;
}

START_TEST(test_thousand_clients)
{
	ck_assert_int_eq(run_scale(), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xenopsd-scale");
	TCase *tc = tcase_create("scale");
	struct rlimit rl;
	SRunner *sr;
	int failed;

	/* The test holds a descriptor per client, and so does the daemon
	 * (which raises its own limit; it inherits this one). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < CLIENTS + 200) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < CLIENTS + 200) {
		printf("SKIP: RLIMIT_NOFILE hard limit %llu is too low for %d clients\n",
		       (unsigned long long)rl.rlim_max, CLIENTS);
		return 77;
	}
	tcase_add_test(tc, test_thousand_clients);
	tcase_set_timeout(tc, 170);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
