/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small shared helpers: id validation, logging, time, strings, string
 * arrays, public free functions and version queries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

#define XO_STR(x) XO_STR2(x)
#define XO_STR2(x) #x

bool xo_id_valid(const char *id)
{
	size_t n;

	if (!id)
		return false;
	n = strlen(id);
	if (n == 0 || n > XO_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

int xo_id_check(const char *id, const char *what, struct xo_error *err)
{
	if (!id)
		return xo_err(err, XENOPS_EINVAL, "%s: missing (NULL)", what);
	if (xo_id_valid(id))
		return 0;
	if (!*id)
		return xo_err(err, XENOPS_EINVAL, "%s: empty id", what);
	if (strlen(id) > XO_ID_MAX)
		return xo_err(err, XENOPS_EINVAL, "%s: id longer than %d characters", what,
			      XO_ID_MAX);
	return xo_err(err, XENOPS_EINVAL,
		      "%s: invalid id \"%.80s\" (allowed: A-Z a-z 0-9 _ . : -, not \".\" or \"..\")",
		      what, id);
}

void xo_log(const struct xo_log *log, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!log || !log->fn || level > log->level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(level, buf, log->userdata);
}

uint64_t xo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void xo_deadline(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

double xo_wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *xo_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *xo_asprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

size_t xo_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	size_t c = n < size ? n : size - 1;

	memcpy(dst, src, c);
	dst[c] = '\0';
	return n;
}

size_t xo_strcat_n(char *dst, size_t size, ...)
{
	size_t at = 0, total = 0;
	const char *s;
	va_list ap;

	va_start(ap, size);
	while ((s = va_arg(ap, const char *))) {
		size_t n = strlen(s), c = at + 1 < size ? size - 1 - at : 0;

		if (c > n)
			c = n;
		memcpy(dst + at, s, c);
		at += c;
		total += n;
	}
	va_end(ap);
	dst[at] = '\0';
	return total;
}

size_t xo_fmt_ull(char *dst, size_t size, unsigned long long v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return xo_strlcpy(dst, p, size);
}

size_t xo_fmt_ll(char *dst, size_t size, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	if (v >= 0)
		return xo_fmt_ull(dst, size, u);
	tmp[0] = '-';
	xo_fmt_ull(tmp + 1, sizeof(tmp) - 1, u);
	return xo_strlcpy(dst, tmp, size);
}

int xo_strv_push(struct xo_strv *sv, const char *s)
{
	char *copy;

	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return XENOPS_ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return XENOPS_ENOMEM;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

static int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void xo_strv_sort(struct xo_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), strv_cmp);
}

char **xo_strv_steal(struct xo_strv *sv)
{
	char **v = sv->v;

	if (!v)
		v = calloc(1, sizeof(*v));
	sv->v = NULL;
	sv->n = sv->cap = 0;
	return v;
}

void xo_strv_clear(struct xo_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

XENOPS_API void xenops_free(void *ptr)
{
	free(ptr);
}

XENOPS_API void xenops_strv_free(char **strv)
{
	if (!strv)
		return;
	for (char **p = strv; *p; p++)
		free(*p);
	free(strv);
}

XENOPS_API const char *xenops_version(void)
{
	return XO_STR(XENOPS_VERSION_MAJOR) "." XO_STR(XENOPS_VERSION_MINOR) "." XO_STR(
		XENOPS_VERSION_PATCH);
}

XENOPS_API unsigned int xenops_version_number(void)
{
	return XENOPS_VERSION_NUMBER;
}
