/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench updates: how long a thread blocked in xenops_updates_get takes
 * to return after a change, measured from the moment just before the
 * change is made (a barrier injected, or a VM.pause/unpause submitted) to
 * the moment the blocked call has returned in the other thread. The peer,
 * interleaved sample by sample: the same hand-off through a bare
 * pthread_cond_signal, the floor this machine's scheduler sets.
 *
 * Before each sample the listener must really be asleep in the call: the
 * main thread waits until /proc says the listener's thread is sleeping.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

enum { MODE_BARRIER, MODE_TASK, MODE_PEER, MODE_STOP };

struct listener {
	xenops_ctx *ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int cmd;       /* next mode to run, -1 when idle */
	int ready;     /* about to block */
	int done;      /* returned */
	pid_t tid;
	uint64_t t_return;
	size_t seen;   /* items + barriers in the batch that woke it */
	char token[128];

	/* the peer's own hand-off */
	pthread_mutex_t pmu;
	pthread_cond_t pcv;
	int pflag;
};

static void drain(struct listener *l)
{
	for (;;) {
		xenops_updates *u;
		size_t n;

		bn_check(xenops_updates_get(&u, l->ctx, l->token, 0), "updates_get");
		n = xenops_updates_count(u) + xenops_updates_barrier_count(u);
		snprintf(l->token, sizeof(l->token), "%s", xenops_updates_next(u));
		xenops_updates_free(u);
		if (!n)
			return;
	}
}

static void *listener_main(void *arg)
{
	struct listener *l = arg;

	l->tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		int cmd;
		xenops_updates *u = NULL;

		pthread_mutex_lock(&l->mu);
		while (l->cmd < 0)
			pthread_cond_wait(&l->cv, &l->mu);
		cmd = l->cmd;
		l->cmd = -1;
		pthread_mutex_unlock(&l->mu);
		if (cmd == MODE_STOP)
			return NULL;
		if (cmd != MODE_PEER)
			drain(l);
		__atomic_store_n(&l->ready, 1, __ATOMIC_RELEASE);
		if (cmd == MODE_PEER) {
			pthread_mutex_lock(&l->pmu);
			while (!l->pflag)
				pthread_cond_wait(&l->pcv, &l->pmu);
			l->pflag = 0;
			pthread_mutex_unlock(&l->pmu);
			l->t_return = bn_mono_ns();
			l->seen = 1;
		} else {
			bn_check(xenops_updates_get(&u, l->ctx, l->token, 5000), "updates_get");
			l->t_return = bn_mono_ns();
			l->seen = xenops_updates_count(u) + xenops_updates_barrier_count(u);
			snprintf(l->token, sizeof(l->token), "%s", xenops_updates_next(u));
			xenops_updates_free(u);
		}
		pthread_mutex_lock(&l->mu);
		l->done = 1;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
	}
}

/* Sleeping ('S') in the kernel, i.e. blocked in its futex wait. */
static int thread_sleeping(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	int s = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		s = p[2] == 'S';
	fclose(f);
	return s;
}

static void command(struct listener *l, int cmd)
{
	pthread_mutex_lock(&l->mu);
	l->cmd = cmd;
	l->done = 0;
	__atomic_store_n(&l->ready, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void wait_asleep(struct listener *l)
{
	while (!__atomic_load_n(&l->ready, __ATOMIC_ACQUIRE))
		usleep(20);
	while (!thread_sleeping(l->tid))
		usleep(20);
}

static void wait_done(struct listener *l)
{
	pthread_mutex_lock(&l->mu);
	while (!l->done)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

/* One sample of @mode: latency in microseconds. */
static double sample(struct listener *l, int mode, int *paused, size_t *empty)
{
	char *task = NULL;
	uint64_t t0;
	double us;

	command(l, mode);
	wait_asleep(l);
	t0 = bn_mono_ns();
	if (mode == MODE_BARRIER) {
		bn_check(xenops_updates_inject_barrier(NULL, l->ctx, "upd-vm"), "inject_barrier");
	} else if (mode == MODE_TASK) {
		if (*paused)
			bn_check(xenops_vm_unpause(&task, l->ctx, "upd-vm", 0), "vm_unpause");
		else
			bn_check(xenops_vm_pause(&task, l->ctx, "upd-vm", 0), "vm_pause");
	} else {
		pthread_mutex_lock(&l->pmu);
		l->pflag = 1;
		pthread_cond_signal(&l->pcv);
		pthread_mutex_unlock(&l->pmu);
	}
	wait_done(l);
	us = (double)(l->t_return - t0) / 1e3;
	if (!l->seen)
		(*empty)++;
	if (task) {
		int state = -1;

		bn_check(xenops_task_wait(l->ctx, task, 10000), "task_wait");
		bn_check(xenops_task_get_state(&state, NULL, NULL, l->ctx, task), "task_state");
		if (state != XENOPS_TASK_COMPLETED)
			bn_die("pause/unpause task ended %s", xenops_task_state_name(state));
		bn_check(xenops_task_destroy(l->ctx, task), "task_destroy");
		xenops_free(task);
		*paused = !*paused;
	}
	return us;
}

static void emit_row(const char *row, double *v, size_t n, double peer50, double peer99, size_t empty)
{
	char note[160];
	double p50 = bn_percentile(v, n, 50), p99 = bn_percentile(v, n, 99);

	snprintf(note, sizeof(note), "%zu samples; %zu wake-ups without a change", n, empty);
	bn_emit("updates", row, "p50", p50, "us", note);
	bn_emit("updates", row, "p99", p99, "us", note);
	bn_emit("updates", row, "max", v[n - 1], "us", note);
	if (peer50 > 0) {
		bn_emit("updates", row, "peer_ratio_p50", p50 / peer50, "x", "vs bare pthread_cond_signal wake-up");
		bn_emit("updates", row, "peer_ratio_p99", p99 / peer99, "x", "vs bare pthread_cond_signal wake-up");
	}
}

int bn_updates_main(const struct bn_opts *o)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	size_t n = o->quick ? 300 : 1000, empty[3] = { 0, 0, 0 };
	double *v[3];
	struct listener l;
	pthread_t th;
	int paused = 0;

	memset(&l, 0, sizeof(l));
	pthread_mutex_init(&l.mu, NULL);
	pthread_cond_init(&l.cv, NULL);
	pthread_mutex_init(&l.pmu, NULL);
	pthread_cond_init(&l.pcv, NULL);
	l.cmd = -1;
	for (int m = 0; m < 3; m++)
		if (!(v[m] = calloc(n, sizeof(double))))
			bn_die("out of memory");
	opts.backend = "sim";
	opts.workers = 4;
	bn_check(xenops_ctx_new(&l.ctx, &opts), "ctx_new");
	bn_check(xenops_vm_add(NULL, l.ctx,
			       "{\"id\": \"upd-vm\", \"memory_mib\": 16, \"kernel\": \"/boot/vmlinuz-bench\"}", 0),
		 "vm_add");
	bn_check(xenops_vbd_add(NULL, l.ctx, "upd-vm", "{\"device\": \"xvda\", \"backend\": \"file:/srv/u.img\"}", 0),
		 "vbd_add");
	bn_check(xenops_vm_start(NULL, l.ctx, "upd-vm", XENOPS_WAIT), "vm_start");
	{
		xenops_updates *u;

		bn_check(xenops_updates_get(&u, l.ctx, NULL, 0), "updates_get");
		snprintf(l.token, sizeof(l.token), "%s", xenops_updates_next(u));
		xenops_updates_free(u);
	}
	if (pthread_create(&th, NULL, listener_main, &l))
		bn_die("pthread_create failed");
	bn_info("updates: one listener thread blocked in xenops_updates_get (sim backend, 4 workers); "
		"%zu samples of each kind, interleaved",
		n);
	for (size_t i = 0; i < n; i++) {
		v[MODE_BARRIER][i] = sample(&l, MODE_BARRIER, &paused, &empty[MODE_BARRIER]);
		v[MODE_TASK][i] = sample(&l, MODE_TASK, &paused, &empty[MODE_TASK]);
		v[MODE_PEER][i] = sample(&l, MODE_PEER, &paused, &empty[MODE_PEER]);
	}
	command(&l, MODE_STOP);
	pthread_join(th, NULL);
	{
		double p50 = bn_percentile(v[MODE_PEER], n, 50), p99 = bn_percentile(v[MODE_PEER], n, 99);

		emit_row("VM.pause/unpause submitted", v[MODE_TASK], n, p50, p99, empty[MODE_TASK]);
		emit_row("barrier injected", v[MODE_BARRIER], n, p50, p99, empty[MODE_BARRIER]);
		emit_row("peer: pthread_cond_signal", v[MODE_PEER], n, 0, 0, 0);
	}
	xenops_ctx_unref(l.ctx);
	for (int m = 0; m < 3; m++)
		free(v[m]);
	return 0;
}
