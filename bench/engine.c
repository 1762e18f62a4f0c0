/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench engine: the simulator engine under load. For 100, 1,000 and
 * 10,000 VMs (each with one VBD and one VIF) and 1, 4 and 16 workers, and
 * 100,000 VMs with 4 workers (the default) only:
 * define them, then start and cleanly shut each down; throughput, the
 * latency of every task (submit to completion), resident memory per
 * defined VM and peak RSS. Every trial runs in a child process of its own
 * so that ru_maxrss and the RSS delta belong to that trial alone.
 *
 * The simulated host has 16 GiB and the smallest VM 16 MiB, so at most
 * 1,000 VMs have a domain at once: start/shutdown pairs are submitted
 * through a sliding window of 1,000 VMs.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define WINDOW 1000
#define CALIB_ITERS 20000
#define DESTROY_SAMPLE 2000
#define BIG_VMS 100000

static const char VM_FMT[] = "{\"id\": \"bench-%05zu\", \"memory_mib\": 16, "
			     "\"kernel\": \"/boot/vmlinuz-bench\", \"cmdline\": \"console=hvc0\"}";
static const char VBD_FMT[] = "{\"device\": \"xvda\", \"backend\": \"file:/srv/bench/disk-%05zu.img\"}";
static const char VIF_JSON[] = "{\"bridge\": \"xenbr0\"}";

struct trial {
	double add_s, cycle_s, total_s, calib_s, cpu_s;
	double p50_ms, p99_ms;
	double rss_per_vm, heap_per_vm;
	double rss_peak;
	double destroy_us;
	int failed;
};

/*
 * The peer: a fixed amount of work close to the engine's own (parsing and
 * printing a VM configuration with json-c), measured in the same process
 * just before the trial, so that a slower moment of this shared machine
 * shows in both.
 */
static double calibrate(void)
{
	char cfg[256];
	uint64_t t0 = bn_mono_ns();
	size_t sum = 0;

	for (size_t i = 0; i < CALIB_ITERS; i++) {
		struct json_object *o;

		snprintf(cfg, sizeof(cfg), VM_FMT, i);
		o = json_tokener_parse(cfg);
		sum += strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	if (!sum)
		bn_die("calibration produced nothing");
	return (double)(bn_mono_ns() - t0) / 1e9;
}

static void vm_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "bench-%05zu", i);
}

static void define_vms(xenops_ctx *ctx, size_t n)
{
	char json[256], id[32];

	for (size_t i = 0; i < n; i++) {
		vm_id(id, sizeof(id), i);
		snprintf(json, sizeof(json), VM_FMT, i);
		bn_check(xenops_vm_add(NULL, ctx, json, 0), "vm_add");
		snprintf(json, sizeof(json), VBD_FMT, i);
		bn_check(xenops_vbd_add(NULL, ctx, id, json, 0), "vbd_add");
		bn_check(xenops_vif_add(NULL, ctx, id, VIF_JSON, 0), "vif_add");
	}
}

struct cycle {
	char **start_task, **shut_task;
	double *start_sub, *shut_sub;
};

static void submit_pair(xenops_ctx *ctx, struct cycle *c, size_t i)
{
	char id[32];

	vm_id(id, sizeof(id), i);
	c->start_sub[i] = bn_wall();
	bn_check(xenops_vm_start(&c->start_task[i], ctx, id, 0), "vm_start");
	c->shut_sub[i] = bn_wall();
	bn_check(xenops_vm_shutdown(&c->shut_task[i], ctx, id, 60, 0), "vm_shutdown");
}

/* Latency of a finished task from its submission; counts failures. */
static double task_latency(xenops_ctx *ctx, const char *task, double submitted, int *failed)
{
	struct json_object *o, *v;
	char *json = NULL;
	double fin = submitted;
	int state = -1;

	bn_check(xenops_task_get_state(&state, NULL, NULL, ctx, task), "task_get_state");
	if (state != XENOPS_TASK_COMPLETED)
		(*failed)++;
	bn_check(xenops_task_stat(&json, ctx, task), "task_stat");
	o = json_tokener_parse(json);
	if (o && json_object_object_get_ex(o, "finished", &v))
		fin = json_object_get_double(v);
	json_object_put(o);
	xenops_free(json);
	return (fin - submitted) * 1e3;
}

static void run_trial(size_t n, unsigned int workers, struct trial *r)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	struct cycle c;
	xenops_ctx *ctx;
	uint64_t rss0, heap0, t0, t1, t2, t3;
	double c0;
	size_t window = n < WINDOW ? n : WINDOW, nlat = 0, ndestroyed = 0;
	double *lat;

	r->calib_s = calibrate();
	opts.backend = "sim";
	opts.workers = workers;
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");

	c.start_task = calloc(n, sizeof(char *));
	c.shut_task = calloc(n, sizeof(char *));
	c.start_sub = calloc(n, sizeof(double));
	c.shut_sub = calloc(n, sizeof(double));
	lat = calloc(2 * n, sizeof(double));
	if (!c.start_task || !c.shut_task || !c.start_sub || !c.shut_sub || !lat)
		bn_die("out of memory");

	rss0 = bn_rss_now();
	heap0 = bn_heap_used();
	c0 = bn_cpu_s();
	t0 = bn_mono_ns();
	define_vms(ctx, n);
	t1 = bn_mono_ns();
	r->rss_per_vm = ((double)bn_rss_now() - (double)rss0) / (double)n;
	r->heap_per_vm = ((double)bn_heap_used() - (double)heap0) / (double)n;

	for (size_t i = 0; i < window; i++)
		submit_pair(ctx, &c, i);
	for (size_t i = 0; i < n; i++) {
		bn_check(xenops_task_wait(ctx, c.shut_task[i], -1), "task_wait");
		if (i + window < n)
			submit_pair(ctx, &c, i + window);
	}
	t2 = bn_mono_ns();
	r->cpu_s = bn_cpu_s() - c0;

	r->failed = 0;
	for (size_t i = 0; i < n; i++) {
		lat[nlat++] = task_latency(ctx, c.start_task[i], c.start_sub[i], &r->failed);
		lat[nlat++] = task_latency(ctx, c.shut_task[i], c.shut_sub[i], &r->failed);
	}
	/*
	 * Forgetting tasks is part of an application's load too; time it on
	 * the first DESTROY_SAMPLE tasks only (the rest go with the context),
	 * which bounds the run whatever the cost of one destroy.
	 */
	t3 = bn_mono_ns();
	for (size_t i = 0; i < n && 2 * i < DESTROY_SAMPLE; i++) {
		bn_check(xenops_task_destroy(ctx, c.start_task[i]), "task_destroy");
		bn_check(xenops_task_destroy(ctx, c.shut_task[i]), "task_destroy");
		ndestroyed += 2;
	}
	r->destroy_us = ndestroyed ? (double)(bn_mono_ns() - t3) / 1e3 / (double)ndestroyed : 0;
	for (size_t i = 0; i < n; i++) {
		xenops_free(c.start_task[i]);
		xenops_free(c.shut_task[i]);
	}
	r->add_s = (double)(t1 - t0) / 1e9;
	r->cycle_s = (double)(t2 - t1) / 1e9;
	r->total_s = (double)(t2 - t0) / 1e9;
	r->p50_ms = bn_percentile(lat, nlat, 50);
	r->p99_ms = bn_percentile(lat, nlat, 99);
	r->rss_peak = (double)bn_rss_peak();
	xenops_ctx_unref(ctx);
	free(c.start_task);
	free(c.shut_task);
	free(c.start_sub);
	free(c.shut_sub);
	free(lat);
}

/* Run one trial in a child: its peak RSS and heap are its own. */
static void trial_in_child(size_t n, unsigned int workers, struct trial *r)
{
	int pfd[2], status;
	pid_t pid;
	ssize_t got;

	if (pipe(pfd) < 0)
		bn_die("pipe failed");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		bn_die("fork failed");
	if (pid == 0) {
		struct trial t = { 0 };

		close(pfd[0]);
		run_trial(n, workers, &t);
		if (write(pfd[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	got = read(pfd[0], r, sizeof(*r));
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    got != (ssize_t)sizeof(*r))
		bn_die("engine trial (%zu VMs, %u workers) failed", n, workers);
}

#define MED(field)                                        \
	({                                                \
		double v_[64];                            \
		for (int k_ = 0; k_ < reps; k_++)         \
			v_[k_] = t[k_].field;             \
		bn_median(v_, (size_t)reps);              \
	})

static void solo_latency(int quick)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	size_t n = quick ? 100 : 300;
	double *st = calloc(n, sizeof(double)), *sh = calloc(n, sizeof(double));
	xenops_ctx *ctx;
	char note[128];

	if (!st || !sh)
		bn_die("out of memory");
	opts.backend = "sim";
	opts.workers = 4;
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
	define_vms(ctx, 1);
	for (size_t i = 0; i < n; i++) {
		char *task;
		uint64_t t0 = bn_mono_ns();

		bn_check(xenops_vm_start(&task, ctx, "bench-00000", 0), "vm_start");
		bn_check(xenops_task_wait(ctx, task, -1), "task_wait");
		st[i] = (double)(bn_mono_ns() - t0) / 1e6;
		bn_check(xenops_task_destroy(ctx, task), "task_destroy");
		xenops_free(task);
		t0 = bn_mono_ns();
		bn_check(xenops_vm_shutdown(&task, ctx, "bench-00000", 60, 0), "vm_shutdown");
		bn_check(xenops_task_wait(ctx, task, -1), "task_wait");
		sh[i] = (double)(bn_mono_ns() - t0) / 1e6;
		bn_check(xenops_task_destroy(ctx, task), "task_destroy");
		xenops_free(task);
	}
	xenops_ctx_unref(ctx);
	snprintf(note, sizeof(note), "one task at a time, %zu samples, 4 workers", n);
	bn_emit("engine-solo", "VM.start (VBD+VIF)", "p50", bn_percentile(st, n, 50), "ms", note);
	bn_emit("engine-solo", "VM.start (VBD+VIF)", "p99", bn_percentile(st, n, 99), "ms", note);
	bn_emit("engine-solo", "VM.shutdown (clean)", "p50", bn_percentile(sh, n, 50), "ms", note);
	bn_emit("engine-solo", "VM.shutdown (clean)", "p99", bn_percentile(sh, n, 99), "ms", note);
	free(st);
	free(sh);
}

int bn_engine_main(const struct bn_opts *o)
{
	static const size_t sizes[] = { 100, 1000, 10000, BIG_VMS };
	static const unsigned int workers[] = { 1, 4, 16 };
	int reps = o->reps > 0 ? o->reps : (o->quick ? 3 : 5);

	if (reps > 64)
		reps = 64;
	bn_info("engine: sim backend, in-memory store; each VM has one VBD and one VIF; "
		"start + clean shutdown (timeout 60 s) per VM, at most %d VMs in flight; "
		"median of %d trials, each in its own process",
		WINDOW, reps);
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (size_t wi = 0; wi < sizeof(workers) / sizeof(workers[0]); wi++) {
			struct trial t[64];
			size_t n = sizes[si];
			unsigned int w = workers[wi];
			char row[64], note[160];
			int failed = 0;
			double total, calib;

			if ((o->only_vms && o->only_vms != n) || (o->only_workers && o->only_workers != w))
				continue;
			/* 100,000 VMs: the default worker count only, unless asked. */
			if (n == BIG_VMS && w != 4 && !o->only_workers)
				continue;
			bn_progress("engine: %zu VMs, %u workers", n, w);
			for (int k = 0; k < reps; k++) {
				trial_in_child(n, w, &t[k]);
				failed += t[k].failed;
			}
			snprintf(row, sizeof(row), "%zu VMs, %u workers", n, w);
			total = MED(total_s);
			calib = MED(calib_s);
			snprintf(note, sizeof(note), "%d trials; %d tasks failed", reps, failed);
			bn_emit("engine", row, "add_s", MED(add_s), "s", note);
			bn_emit("engine", row, "start_shutdown_s", MED(cycle_s), "s", note);
			bn_emit("engine", row, "total_s", total, "s", note);
			bn_emit("engine", row, "vms_per_s", (double)n / total, "VM/s", note);
			bn_emit("engine", row, "us_per_vm", total / (double)n * 1e6, "us", note);
			bn_emit("engine", row, "cpu_us_per_vm", MED(cpu_s) / (double)n * 1e6, "us",
				"CPU time (user + system, all threads) of add+start+shutdown per VM");
			bn_emit("engine", row, "task_p50", MED(p50_ms), "ms", note);
			bn_emit("engine", row, "task_p99", MED(p99_ms), "ms", note);
			bn_emit("engine-memory", row, "rss_per_vm", MED(rss_per_vm), "B", note);
			bn_emit("engine-memory", row, "heap_per_vm", MED(heap_per_vm), "B", note);
			bn_emit("engine-memory", row, "peak_rss", MED(rss_peak) / 1048576.0, "MiB", note);
			/* Per VM, in units of one JSON parse+print of a VM config. */
			bn_emit("engine", row, "peer_ratio", (total / (double)n) / (calib / CALIB_ITERS), "x",
				"total time per VM / one json-c parse+print of its config, measured in the same process");
			bn_emit("engine-memory", row, "task_destroy", MED(destroy_us), "us",
				"mean time of xenops_task_destroy over the first 2,000 ended tasks, after the run");
			bn_emit("engine", row, "failed", failed, "tasks", note);
		}
	}
	if (!o->only_vms && !o->only_workers)
		solo_latency(o->quick);
	return 0;
}
