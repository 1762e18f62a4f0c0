/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Check suites: temp dirs and a suite runner. */
#ifndef XO_TESTUTIL_H
#define XO_TESTUTIL_H

#include <check.h>

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
/* Run one suite (forking unless CK_FORK=no); returns the exit status. */
int xo_test_run(Suite *s);

#endif
