/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Check suites: temp dirs and a suite runner. */
#ifndef XO_TESTUTIL_H
#define XO_TESTUTIL_H

#include <check.h>

/* A new empty directory for one test (under $XO_TEST_TMPDIR or /tmp). Caller frees. */
char *xo_test_mkdtemp(const char *tag);
/* Remove a directory tree. */
void xo_test_rmtree(const char *path);
/* Run one suite (forking unless CK_FORK=no); returns the exit status. */
int xo_test_run(Suite *s);

#endif
