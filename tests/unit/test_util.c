/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/util: the printf-free string builders (each checked against the
 * snprintf it replaces, truncation included) and the string-keyed hash map.
 */
#include <check.h>
#include <limits.h>
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

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("strings");

	tcase_add_test(tc, strlcpy_is_snprintf_s);
	tcase_add_test(tc, strcat_n_is_snprintf_ss);
	tcase_add_test(tc, fmt_ints_are_snprintf_d);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
