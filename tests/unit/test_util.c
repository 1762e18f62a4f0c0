/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/util: the printf-free string builders (each checked against the
 * snprintf it replaces, truncation included) and the string-keyed hash map:
 * growth, deletion with tombstones, iteration.
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "testutil.h"

/* Every buffer size from 1 to 31: the same text, the same return value. */
START_TEST(strlcpy_is_snprintf_s)
{
	static const char *const srcs[] = { "", "a", "xvda", "bench-00042",
					    "a-longer-string-than-most-buffers-here" };

	for (size_t i = 0; i < XO_ARRAY_SIZE(srcs); i++)
		for (size_t size = 1; size < 32; size++) {
			char want[32], got[32];
			int n = snprintf(want, size, "%s", srcs[i]);

			memset(got, 'Z', sizeof(got));
			ck_assert_uint_eq(xo_strlcpy(got, srcs[i], size), (size_t)n);
			ck_assert_str_eq(got, want);
			/* Nothing written past the buffer. */
			if (size < sizeof(got))
				ck_assert_int_eq(got[size], 'Z');
		}
}
END_TEST

START_TEST(strcat_n_is_snprintf_ss)
{
	for (size_t size = 1; size < 24; size++) {
		char want[24], got[24];
		int n = snprintf(want, size, "plug_%s:%s", "vbd", "xvda");

		memset(got, 'Z', sizeof(got));
		ck_assert_uint_eq(xo_strcat_n(got, size, "plug_", "vbd", ":", "xvda", (char *)NULL),
				  (size_t)n);
		ck_assert_str_eq(got, want);
		if (size < sizeof(got))
			ck_assert_int_eq(got[size], 'Z');
		n = snprintf(want, size, "%s", "");
		ck_assert_uint_eq(xo_strcat_n(got, size, "", (char *)NULL), (size_t)n);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(xo_strcat_n(got, size, (char *)NULL), 0);
		ck_assert_str_eq(got, "");
	}
}
END_TEST

START_TEST(fmt_ints_are_snprintf_d)
{
	static const long long vals[] = { 0, 1, 9, 10, 42, 12345, -1, -10, -98765,
					  LLONG_MAX, LLONG_MIN };
	static const unsigned long long uvals[] = { 0, 7, 100, 4294967296ULL, ULLONG_MAX };

	for (size_t i = 0; i < XO_ARRAY_SIZE(vals); i++)
		for (size_t size = 1; size < 24; size++) {
			char want[24], got[24];
			int n = snprintf(want, size, "%lld", vals[i]);

			ck_assert_uint_eq(xo_fmt_ll(got, size, vals[i]), (size_t)n);
			ck_assert_str_eq(got, want);
		}
	for (size_t i = 0; i < XO_ARRAY_SIZE(uvals); i++)
		for (size_t size = 1; size < 24; size++) {
			char want[24], got[24];
			int n = snprintf(want, size, "%llu", uvals[i]);

			ck_assert_uint_eq(xo_fmt_ull(got, size, uvals[i]), (size_t)n);
			ck_assert_str_eq(got, want);
		}
}
END_TEST

static int count_cb(const char *key, void *value, void *arg)
{
	size_t *seen = arg;
	unsigned int i;

	/* Each key is "k<i>" with value i + 1: every live entry once. */
	ck_assert_int_eq(sscanf(key, "k%u", &i), 1);
	ck_assert_ptr_eq(value, (void *)(uintptr_t)(i + 1));
	ck_assert_uint_eq(seen[i], 0);
	seen[i] = 1;
	return 0;
}

static int stop_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)value;
	return ++*(int *)arg == 3 ? 7 : 0;
}

/* Growth from empty through many doublings; every key found, absent ones not. */
START_TEST(map_grows)
{
	enum { N = 5000 };
	struct xo_map m = { 0 };
	char key[32];

	ck_assert_ptr_null(xo_map_get(&m, "k0"));
	ck_assert_ptr_null(xo_map_del(&m, "k0"));
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ck_assert_int_eq(xo_map_put(&m, key, (void *)(uintptr_t)(i + 1)), 0);
		ck_assert_uint_eq(m.count, i + 1);
		/* Load at most 3/4. */
		ck_assert_uint_le(4 * m.used, 3 * m.cap);
	}
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ck_assert_ptr_eq(xo_map_get(&m, key), (void *)(uintptr_t)(i + 1));
		snprintf(key, sizeof(key), "x%u", i);
		ck_assert_ptr_null(xo_map_get(&m, key));
	}
	/* Replacing keeps one entry. */
	ck_assert_int_eq(xo_map_put(&m, "k5", (void *)(uintptr_t)99), 0);
	ck_assert_uint_eq(m.count, N);
	ck_assert_ptr_eq(xo_map_get(&m, "k5"), (void *)(uintptr_t)99);
	xo_map_clear(&m);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_ptr_null(xo_map_get(&m, "k1"));
	/* Usable again after a clear. */
	ck_assert_int_eq(xo_map_put(&m, "k1", &m), 0);
	ck_assert_ptr_eq(xo_map_get(&m, "k1"), &m);
	xo_map_clear(&m);
}
END_TEST

/*
 * Deletion leaves tombstones: keys further along a probe path are still
 * found, deleted ones are not, inserts reuse the slots, and a map that
 * churns (as the task map does) is rebuilt instead of filling up.
 */
START_TEST(map_deletes_with_tombstones)
{
	enum { N = 5000 };
	struct xo_map m = { 0 };
	size_t *seen = calloc(N, sizeof(*seen));
	char key[32];
	int calls = 0;

	ck_assert_ptr_nonnull(seen);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ck_assert_int_eq(xo_map_put(&m, key, (void *)(uintptr_t)(i + 1)), 0);
	}
	/* Delete every other key. */
	for (unsigned int i = 0; i < N; i += 2) {
		snprintf(key, sizeof(key), "k%u", i);
		ck_assert_ptr_eq(xo_map_del(&m, key), (void *)(uintptr_t)(i + 1));
		ck_assert_ptr_null(xo_map_del(&m, key));
	}
	ck_assert_uint_eq(m.count, N / 2);
	ck_assert_uint_gt(m.used, m.count); /* tombstones left */
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		if (i % 2)
			ck_assert_ptr_eq(xo_map_get(&m, key), (void *)(uintptr_t)(i + 1));
		else
			ck_assert_ptr_null(xo_map_get(&m, key));
	}
	/* Iteration sees exactly the live entries, each once. */
	ck_assert_int_eq(xo_map_foreach(&m, count_cb, seen), 0);
	for (unsigned int i = 0; i < N; i++)
		ck_assert_uint_eq(seen[i], i % 2);
	/* A non-zero return stops it and is passed on. */
	ck_assert_int_eq(xo_map_foreach(&m, stop_cb, &calls), 7);
	ck_assert_int_eq(calls, 3);
	/* Churn: a few live keys, many put and deleted; the table stays small. */
	for (unsigned int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "t%u", i);
		ck_assert_int_eq(xo_map_put(&m, key, &m), 0);
		ck_assert_ptr_eq(xo_map_del(&m, key), &m);
		ck_assert_uint_le(4 * m.used, 3 * m.cap);
	}
	ck_assert_uint_eq(m.count, N / 2);
	ck_assert_uint_le(m.cap, 8192);
	for (unsigned int i = 1; i < N; i += 2) {
		snprintf(key, sizeof(key), "k%u", i);
		ck_assert_ptr_eq(xo_map_get(&m, key), (void *)(uintptr_t)(i + 1));
	}
	/* Deleted keys come back. */
	ck_assert_int_eq(xo_map_put(&m, "k0", (void *)(uintptr_t)1), 0);
	ck_assert_ptr_eq(xo_map_get(&m, "k0"), (void *)(uintptr_t)1);
	ck_assert_uint_eq(m.count, N / 2 + 1);
	xo_map_clear(&m);
	free(seen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("strings");

	tcase_add_test(tc, strlcpy_is_snprintf_s);
	tcase_add_test(tc, strcat_n_is_snprintf_ss);
	tcase_add_test(tc, fmt_ints_are_snprintf_d);
	suite_add_tcase(s, tc);
	tc = tcase_create("map");
	/* Tens of thousands of checked operations: slow under the sanitizers. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, map_grows);
	tcase_add_test(tc, map_deletes_with_tombstones);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
