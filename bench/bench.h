/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench: shared helpers of the benchmark program (clocks, statistics,
 * memory figures, the result lines that bench/run.sh turns into a table
 * and JSON). A benchmark reports figures; it never asserts on them.
 */
#ifndef XO_BENCH_H
#define XO_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <xenops/xenops.h>

/* ---- clocks ---- */

/* Monotonic time in nanoseconds. */
uint64_t bn_mono_ns(void);
/* Wall-clock seconds since the epoch, as the library stamps tasks. */
double bn_wall(void);
void bn_sleep_ms(unsigned int ms);

/* ---- statistics over samples (the array is sorted in place) ---- */

double bn_percentile(double *v, size_t n, double p);
double bn_median(double *v, size_t n);

/* ---- memory ---- */

/* Resident set now, in bytes (from /proc/self/statm). */
uint64_t bn_rss_now(void);
/* Peak resident set of this process, in bytes (getrusage ru_maxrss). */
uint64_t bn_rss_peak(void);
/* Bytes handed out by malloc now (mallinfo2 uordblks + hblkhd). */
uint64_t bn_heap_used(void);
/* CPU time of this process so far, user + system of all its threads, in seconds. */
double bn_cpu_s(void);

/* ---- results ---- */

/*
 * One figure on stdout, for run.sh:
 *   R|section|row|column|value|unit|note
 * Rows are the table's lines, columns its figures; "note" is free text.
 */
void bn_emit(const char *section, const char *row, const char *column, double value,
	     const char *unit, const char *note);
/* A line of information (not a figure), shown by run.sh as is. */
void bn_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress on stderr, so a long run shows it is alive. */
void bn_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Die with a message (the benchmark itself failed, not a figure). */
void bn_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Die with the library's last error when rc < 0. */
void bn_check(int rc, const char *what);

/* Options shared by every sub-command. */
struct bn_opts {
	int quick;
	int reps;           /* repetitions for medians (0: the sub-command's default) */
	const char *socket; /* rpc: the socket of a running xenopsd */
	const char *workdir; /* scratch directory (sockets, state) */
	const char *state_parent; /* where the restart benchmark keeps its state */
	size_t only_vms;    /* engine: run only this VM count (0: all) */
	unsigned int only_workers; /* engine: only this worker count (0: all) */
	unsigned int only_clients, only_depth; /* rpc: one configuration (0: all) */
	int daemon_pid;     /* rpc: the daemon's process, for its CPU time (0: not measured) */
	unsigned int only_listeners; /* rpc: only the long-poll delivery, with this many listeners */
};

int bn_engine_main(const struct bn_opts *o);
int bn_updates_main(const struct bn_opts *o);
int bn_rpc_main(const struct bn_opts *o);
int bn_restart_main(const struct bn_opts *o);
int bn_persist_main(const struct bn_opts *o);

/* Remove a directory tree; the file system's name ("tmpfs", "ext4"...) of a path. */
void bn_rm_tree(const char *dir);
const char *bn_fs_name(const char *path);

#endif /* XO_BENCH_H */
