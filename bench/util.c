/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench: clocks, percentiles, memory figures and result lines.
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t bn_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bn_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bn_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile: the smallest sample with at least p% at or below it. */
double bn_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

double bn_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

uint64_t bn_rss_now(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t bn_rss_peak(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_maxrss * 1024u;
}

uint64_t bn_heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

void bn_emit(const char *section, const char *row, const char *column, double value,
	     const char *unit, const char *note)
{
	printf("R|%s|%s|%s|%.6g|%s|%s\n", section, row, column, value, unit, note ? note : "");
	fflush(stdout);
}

/* One line: @prefix, the formatted text, a newline. */
static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void bn_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stdout, "I|", fmt, ap);
	va_end(ap);
}

void bn_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, "xo_bench: ", fmt, ap);
	va_end(ap);
}

void bn_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, "xo_bench: error: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void bn_check(int rc, const char *what)
{
	if (rc < 0)
		bn_die("%s: %s (%s)", what, xenops_last_error_message(), xenops_strerror_name(rc));
}

double bn_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
