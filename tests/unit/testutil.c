/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Check suites. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenops/xenops.h>

char *xo_test_mkdtemp(const char *tag)
{
	const char *base = getenv("XO_TEST_TMPDIR");
	char *path = NULL;

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	if (asprintf(&path, "%s/%s.XXXXXX", base, tag) < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT) {
		/* A read-only directory made by a test: open it up and retry. */
		chmod(path, 0700);
		remove(path);
	}
	return 0;
}

void xo_test_rmtree(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int xo_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	/* Check forks by default; CK_FORK=no (for valgrind, gdb) is honoured. */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void xo_test_settle(xenops_ctx *ctx)
{
	xenops_updates *u = NULL;
	char token[64];

	ck_assert_int_eq(xenops_updates_get(&u, ctx, NULL, 0), 0);
	for (int i = 0; i < 300; i++) {
		size_t n;

		snprintf(token, sizeof(token), "%s", xenops_updates_next(u));
		xenops_updates_free(u);
		ck_assert_int_eq(xenops_updates_get(&u, ctx, token, 100), 0);
		n = xenops_updates_count(u);
		if (!n)
			break;
	}
	xenops_updates_free(u);
}

struct xenops_ctx *xo_test_open_sim(const char *state_dir)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	int rc;

	o.backend = "sim";
	o.state_dir = state_dir;
	rc = xenops_ctx_new(&ctx, &o);
	ck_assert_msg(rc == 0, "ctx_new: %s", xenops_last_error_message());
	return ctx;
}

void xo_test_log_fn(int level, const char *msg, void *ud)
{
	struct xo_test_log *l = ud;
	size_t have, add = strlen(msg);

	(void)level;
	pthread_mutex_lock(&l->lock);
	l->n++;
	have = strlen(l->text);
	if (have + add + 2 <= sizeof(l->text)) {
		memcpy(l->text + have, msg, add);
		memcpy(l->text + have + add, "\n", 2);
	}
	pthread_mutex_unlock(&l->lock);
}

bool xo_test_log_has(struct xo_test_log *l, const char *what)
{
	bool has;

	pthread_mutex_lock(&l->lock);
	has = strstr(l->text, what) != NULL;
	pthread_mutex_unlock(&l->lock);
	return has;
}
