/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Check suites: temp dirs and a suite runner. */
#ifndef XO_TESTUTIL_H
#define XO_TESTUTIL_H

#include <check.h>
#include <pthread.h>
#include <stdbool.h>

#include "xenops_test.h" /* the test hooks: xenops_debug_set, ... */

/* A new empty directory for one test (under $XO_TEST_TMPDIR or /tmp). Caller frees. */
char *xo_test_mkdtemp(const char *tag);
/* Remove a directory tree. */
void xo_test_rmtree(const char *path);
struct xenops_ctx;
/*
 * Wait until nothing has changed in @ctx for 100 ms (at most 30 s): the
 * engine's reactions (internal state checks) have no task handle to wait on.
 */
void xo_test_settle(struct xenops_ctx *ctx);
/* A context on the simulator with @state_dir (NULL: memory only); asserts success. */
struct xenops_ctx *xo_test_open_sim(const char *state_dir);
/*
 * A context's log lines, kept for a test to read (the log runs on the
 * workers): give xo_test_log_fn as the log_fn and the buffer as its
 * userdata. Lines past the buffer's size are dropped.
 */
struct xo_test_log {
	pthread_mutex_t lock;
	int n; /* lines logged, kept or not */
	char text[16384];
};
#define XO_TEST_LOG_INIT { PTHREAD_MUTEX_INITIALIZER, 0, "" }
void xo_test_log_fn(int level, const char *msg, void *ud);
/* Whether a kept line holds @what. */
bool xo_test_log_has(struct xo_test_log *l, const char *what);
/* Run one suite (forking unless CK_FORK=no); returns the exit status. */
int xo_test_run(Suite *s);

#endif
