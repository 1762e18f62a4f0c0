/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * version_macros: the compile-time XENOPS_VERSION_* macros, the runtime
 * xenops_version() / xenops_version_number(), and the project() version in
 * CMakeLists.txt (passed as XO_PROJECT_VERSION_*) all say the same.
 */
#include <stdio.h>
#include <string.h>

#include <xenops/xenops.h>

#if !defined(XO_PROJECT_VERSION) || !defined(XO_PROJECT_VERSION_MAJOR) || \
	!defined(XO_PROJECT_VERSION_MINOR) || !defined(XO_PROJECT_VERSION_PATCH)
#error "tests/abi/CMakeLists.txt passes the project() version as XO_PROJECT_VERSION*"
#endif

static int failures;

static void check_uint(const char *what, unsigned long got, unsigned long want)
{
	if (got != want) {
		printf("FAIL %s: %lu, expected %lu\n", what, got, want);
		failures++;
	} else {
		printf("ok   %s: %lu\n", what, got);
	}
}

static void check_str(const char *what, const char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0) {
		printf("FAIL %s: \"%s\", expected \"%s\"\n", what, got ? got : "(null)", want);
		failures++;
	} else {
		printf("ok   %s: \"%s\"\n", what, got);
	}
}

int main(void)
{
	char from_macros[64];

	check_uint("XENOPS_VERSION_MAJOR vs project()", XENOPS_VERSION_MAJOR, XO_PROJECT_VERSION_MAJOR);
	check_uint("XENOPS_VERSION_MINOR vs project()", XENOPS_VERSION_MINOR, XO_PROJECT_VERSION_MINOR);
	check_uint("XENOPS_VERSION_PATCH vs project()", XENOPS_VERSION_PATCH, XO_PROJECT_VERSION_PATCH);

	/* 0xMMmmpp holds minor and patch only below 256. */
	if (XENOPS_VERSION_MINOR > 255 || XENOPS_VERSION_PATCH > 255) {
		printf("FAIL minor and patch must fit in 8 bits for XENOPS_VERSION_NUMBER\n");
		failures++;
	}
	check_uint("XENOPS_VERSION_NUMBER",
		   XENOPS_VERSION_NUMBER,
		   ((unsigned long)XENOPS_VERSION_MAJOR << 16) | ((unsigned long)XENOPS_VERSION_MINOR << 8) |
			   (unsigned long)XENOPS_VERSION_PATCH);

	snprintf(from_macros, sizeof(from_macros), "%d.%d.%d", XENOPS_VERSION_MAJOR, XENOPS_VERSION_MINOR,
		 XENOPS_VERSION_PATCH);
	check_str("XENOPS_VERSION_* vs project()", from_macros, XO_PROJECT_VERSION);
	check_str("xenops_version() vs XENOPS_VERSION_*", xenops_version(), from_macros);
	check_uint("xenops_version_number() vs XENOPS_VERSION_NUMBER", xenops_version_number(),
		   XENOPS_VERSION_NUMBER);

	if (failures) {
		printf("%d mismatch(es)\n", failures);
		return 1;
	}
	return 0;
}
