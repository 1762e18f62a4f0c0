/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench persist: the engine's cycle with a state directory (the file
 * store), as a daemon runs it: N VMs (one VBD, one VIF each; default
 * 1,000, 300 with --quick) are defined,
 * each started and cleanly shut down (at most 1,000 in flight, 4
 * workers), the context closed, then the directory opened again. Besides
 * wall time, the CPU time of the whole process (user + system, all of its
 * threads) is reported: on a shared machine it is the steadier figure.
 * Each trial runs in a fresh directory and a child process of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define WINDOW 1000

struct ptrial {
	double cycle_s, cycle_cpu_s, open_s, open_cpu_s;
};

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void submit(xenops_ctx *ctx, char **start, char **shut, size_t i)
{
	char id[32];

	snprintf(id, sizeof(id), "pbench-%05zu", i);
	bn_check(xenops_vm_start(&start[i], ctx, id, 0), "vm_start");
	bn_check(xenops_vm_shutdown(&shut[i], ctx, id, 60, 0), "vm_shutdown");
}

static void run_trial(const char *dir, size_t n, struct ptrial *r)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	char **start = calloc(n, sizeof(char *)), **shut = calloc(n, sizeof(char *));
	size_t window = n < WINDOW ? n : WINDOW, listed = 0;
	char **ids = NULL;
	xenops_ctx *ctx;
	uint64_t t0;
	double c0;

	if (!start || !shut)
		bn_die("out of memory");
	opts.backend = "sim";
	opts.workers = 4;
	opts.state_dir = dir;
	t0 = bn_mono_ns();
	c0 = cpu_now();
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
	for (size_t i = 0; i < n; i++) {
		char id[32], json[256];

		snprintf(id, sizeof(id), "pbench-%05zu", i);
		snprintf(json, sizeof(json),
			 "{\"id\": \"%s\", \"memory_mib\": 16, \"kernel\": \"/boot/vmlinuz-bench\"}", id);
		bn_check(xenops_vm_add(NULL, ctx, json, 0), "vm_add");
		snprintf(json, sizeof(json), "{\"device\": \"xvda\", \"backend\": \"file:/srv/bench/%s.img\"}", id);
		bn_check(xenops_vbd_add(NULL, ctx, id, json, 0), "vbd_add");
		bn_check(xenops_vif_add(NULL, ctx, id, "{\"bridge\": \"xenbr0\"}", 0), "vif_add");
	}
	for (size_t i = 0; i < window; i++)
		submit(ctx, start, shut, i);
	for (size_t i = 0; i < n; i++) {
		bn_check(xenops_task_wait(ctx, shut[i], -1), "task_wait");
		if (i + window < n)
			submit(ctx, start, shut, i + window);
	}
	for (size_t i = 0; i < n; i++) {
		xenops_task_destroy(ctx, start[i]);
		xenops_task_destroy(ctx, shut[i]);
		xenops_free(start[i]);
		xenops_free(shut[i]);
	}
	xenops_ctx_unref(ctx);
	r->cycle_s = (double)(bn_mono_ns() - t0) / 1e9;
	r->cycle_cpu_s = cpu_now() - c0;

	t0 = bn_mono_ns();
	c0 = cpu_now();
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
	r->open_s = (double)(bn_mono_ns() - t0) / 1e9;
	r->open_cpu_s = cpu_now() - c0;
	bn_check(xenops_vm_list(&ids, &listed, ctx), "vm_list");
	xenops_strv_free(ids);
	if (listed != n)
		bn_die("reopened context has %zu VMs, not %zu", listed, n);
	xenops_ctx_unref(ctx);
	free(start);
	free(shut);
}

/* One trial in a child process (fresh heap, fresh directory). */
static void fork_trial(const char *parent, size_t n, struct ptrial *r)
{
	int fds[2], status;
	char dir[4096];
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/xo-bench-persist.%d", parent, (int)getpid());
	if (mkdir(dir, 0700) < 0)
		bn_die("mkdir %s: %s", dir, strerror(errno));
	if (pipe(fds) < 0)
		bn_die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		bn_die("fork: %s", strerror(errno));
	if (pid == 0) {
		struct ptrial t;

		close(fds[0]);
		run_trial(dir, n, &t);
		if (write(fds[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		bn_die("persist trial failed");
	close(fds[0]);
	waitpid(pid, &status, 0);
	bn_rm_tree(dir);
}

int bn_persist_main(const struct bn_opts *o)
{
	const char *parent = o->state_parent ? o->state_parent : o->workdir;
	size_t n = o->only_vms ? o->only_vms : (o->quick ? 300 : 1000);
	int reps = o->reps > 0 ? o->reps : (o->quick ? 3 : 5);
	double cyc[32], cyc_cpu[32], op[32], op_cpu[32];
	char row[64], note[256];

	if (reps > 32)
		reps = 32;
	bn_info("persist: sim backend, file store (state directory in %s, %s); each VM has one VBD and one VIF; "
		"add + start + clean shutdown, 4 workers; median of %d trials, each in its own process",
		parent, bn_fs_name(parent), reps);
	for (int k = 0; k < reps; k++) {
		struct ptrial t;

		bn_progress("persist: %zu VMs, trial %d of %d", n, k + 1, reps);
		fork_trial(parent, n, &t);
		cyc[k] = t.cycle_s;
		cyc_cpu[k] = t.cycle_cpu_s;
		op[k] = t.open_s;
		op_cpu[k] = t.open_cpu_s;
	}
	snprintf(row, sizeof(row), "%zu VMs, state directory", n);
	snprintf(note, sizeof(note), "%d trials on %s", reps, bn_fs_name(parent));
	bn_emit("persist", row, "cycle_s", bn_median(cyc, (size_t)reps), "s", note);
	bn_emit("persist", row, "cycle_cpu_s", bn_median(cyc_cpu, (size_t)reps), "s", note);
	bn_emit("persist", row, "open_s", bn_median(op, (size_t)reps), "s", note);
	bn_emit("persist", row, "open_cpu_s", bn_median(op_cpu, (size_t)reps), "s", note);
	return 0;
}
