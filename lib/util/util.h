/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal helpers used by every layer: errors (thread-local last error),
 * id validation, logging, time, string arrays and a string-keyed hash map.
 * Nothing here is exported.
 */
#ifndef XO_UTIL_H
#define XO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "xenops/common.h"

#define XO_ID_MAX 64

#if defined(__GNUC__)
#define XO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define XO_UNUSED __attribute__((unused))
#else
#define XO_PRINTF(a, b)
#define XO_UNUSED
#endif

#define XO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ---- */

/* Reset the calling thread's last error (every public entry point does). */
void xo_err_clear(void);
/* Set the calling thread's last error; returns @code for tail calls. */
int xo_err(int code, const char *fmt, ...) XO_PRINTF(2, 3);
int xo_verr(int code, const char *fmt, va_list ap);
/* The calling thread's last error message ("" if none). */
const char *xo_err_msg(void);
int xo_err_code(void);

/*
 * An error kept on an object (a task, a VM in error state): code + message,
 * copied. xo_error_set_from_tls copies the thread's last error.
 */
struct xo_error {
	int code;
	char *msg;
};
void xo_error_set(struct xo_error *e, int code, const char *msg);
void xo_error_set_from_tls(struct xo_error *e, int code);
void xo_error_clear(struct xo_error *e);

/* ---- ids ---- */

/*
 * The one id validator: [A-Za-z0-9_.:-]{1,64}, not "." or "..".
 * Returns 0 or XENOPS_EINVAL with a message naming @what.
 */
int xo_id_check(const char *id, const char *what);
bool xo_id_valid(const char *id);

/* ---- logging ---- */

struct xo_log {
	void (*fn)(int level, const char *msg, void *userdata);
	void *userdata;
	int level;
};
void xo_log(const struct xo_log *log, int level, const char *fmt, ...) XO_PRINTF(3, 4);

/* ---- time ---- */

/* Monotonic milliseconds. */
uint64_t xo_now_ms(void);
/* An absolute CLOCK_MONOTONIC time @ms from now, for timed condition waits
 * (the engine's condition variables use the monotonic clock). */
struct timespec;
void xo_deadline(struct timespec *ts, unsigned int ms);
/* Wall-clock seconds since the epoch, with fractions. */
double xo_wall_time(void);

/* ---- memory and strings ---- */

/* strdup that tolerates NULL (returns NULL). */
char *xo_strdup(const char *s);
/* printf into a new string; NULL on ENOMEM. */
char *xo_asprintf(const char *fmt, ...) XO_PRINTF(1, 2);

/* A growable array of owned strings, NULL-terminated. */
struct xo_strv {
	char **v;
	size_t n, cap;
};
int xo_strv_push(struct xo_strv *sv, const char *s);
void xo_strv_sort(struct xo_strv *sv);
/* Give the array away (NULL-terminated, never NULL on success). */
char **xo_strv_steal(struct xo_strv *sv);
void xo_strv_clear(struct xo_strv *sv);

/* ---- hash map: string key -> pointer; keys are copied ---- */

struct xo_map_entry;
struct xo_map {
	struct xo_map_entry **buckets;
	size_t nbuckets, count;
};
void *xo_map_get(const struct xo_map *m, const char *key);
/* Insert or replace; returns 0 or XENOPS_ENOMEM. */
int xo_map_put(struct xo_map *m, const char *key, void *value);
/* Remove; returns the value or NULL. */
void *xo_map_del(struct xo_map *m, const char *key);
/* Iterate: fn returns non-zero to stop. Do not modify the map inside. */
int xo_map_foreach(const struct xo_map *m, int (*fn)(const char *key, void *value, void *arg),
		   void *arg);
void xo_map_clear(struct xo_map *m);

/* ---- files (atomic.c) ---- */

/*
 * Set the last error for a failed system call: XENOPS_ENOSPC (ENOSPC,
 * EDQUOT), XENOPS_EPERM (EACCES, EPERM) or XENOPS_EIO, the message being
 * the formatted text, ": " and strerror(@errnum). Returns the code.
 */
int xo_err_errno(int errnum, const char *fmt, ...) XO_PRINTF(2, 3);
/*
 * Create directory @path (mode 0700) unless it exists. Errors as
 * xo_err_errno gives them: "<what>: cannot create <path>: <strerror>".
 */
int xo_mkdir(const char *what, const char *path);
/*
 * Replace <dir>/<name> with @data so that a crash leaves either the old or
 * the new content: temporary file, fsync, rename, fsync of @dir. Mode 0600.
 * Errors as xo_err_errno gives them, XENOPS_ENOMEM.
 */
int xo_write_file_atomic(const char *dir, const char *name, const void *data, size_t len);
/*
 * Read a whole file of at most @max bytes into a new NUL-terminated buffer
 * (free with free()); *len_out (may be NULL) gets its length.
 * Errors: XENOPS_ENOTFOUND (no such file), XENOPS_EINVAL (larger than
 * @max), as xo_err_errno otherwise, XENOPS_ENOMEM.
 */
int xo_read_file(char **out, size_t *len_out, const char *path, size_t max);

#endif /* XO_UTIL_H */
