/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal helpers used by every layer: errors as values,
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

/*
 * Errors are values. A function that can fail takes a caller-owned
 * `struct xo_error *err` as its LAST parameter, returns 0 or a negative
 * XENOPS_E* code and, on failure, fills *err with that code and a message
 * (err may be NULL when the caller only wants the code). Callers that add
 * context rewrite the message with xo_err(err, rc, "...: %s", err->msg)
 * (the message may be formatted from itself). Nothing below lib/api
 * touches the thread-local last error of public calls: lib/api copies the
 * error value there (api.h) and resets it at the start of every entry
 * point. The message buffer is fixed so that reporting ENOMEM never needs
 * memory.
 */
#define XO_ERR_MSG_MAX 512

struct xo_error {
	int code;
	char msg[XO_ERR_MSG_MAX];
};

/* Fill *err (if not NULL) with @code and a formatted message; returns @code. */
int xo_err(struct xo_error *err, int code, const char *fmt, ...) XO_PRINTF(3, 4);
int xo_verr(struct xo_error *err, int code, const char *fmt, va_list ap);
/* Fill *err with @code and a copy of @msg (NULL or "": the code's description). */
void xo_error_set(struct xo_error *err, int code, const char *msg);
/* Reset to "no error". */
void xo_error_clear(struct xo_error *err);
/* The message, or the code's description if none was given. */
const char *xo_error_msg(const struct xo_error *err);

/* The thread-local last error of public calls: only lib/api uses these. */
void xo_tls_error_clear(void);
void xo_tls_error_set(const struct xo_error *err);

/* ---- ids ---- */

/*
 * The one id validator: [A-Za-z0-9_.:-]{1,64}, not "." or "..".
 * Returns 0 or XENOPS_EINVAL with a message naming @what.
 */
int xo_id_check(const char *id, const char *what, struct xo_error *err);
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

/*
 * Bounded string building without printf, for the hot paths (a printf of
 * "%s" costs hundreds of instructions). Each writes at most @size bytes
 * to @dst (size > 0), always NUL-terminated, truncated where snprintf
 * would truncate, and returns the length of the untruncated result, as
 * snprintf does.
 */
/* snprintf(dst, size, "%s", src) */
size_t xo_strlcpy(char *dst, const char *src, size_t size);
/* snprintf(dst, size, "%s%s...", s1, s2, ...): the list ends with NULL */
size_t xo_strcat_n(char *dst, size_t size, ...)
#if defined(__GNUC__)
	__attribute__((sentinel))
#endif
	;
/* snprintf(dst, size, "%lld", v) */
size_t xo_fmt_ll(char *dst, size_t size, long long v);
/* snprintf(dst, size, "%llu", v) */
size_t xo_fmt_ull(char *dst, size_t size, unsigned long long v);

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

struct xo_map_slot;
struct xo_map {
	struct xo_map_slot *slots;
	size_t cap, count, used; /* used: count + deleted slots */
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
 * Fill *err for a failed system call: XENOPS_ENOSPC (ENOSPC, EDQUOT),
 * XENOPS_EPERM (EACCES, EPERM) or XENOPS_EIO, the message being the
 * formatted text, ": " and strerror(@errnum). Returns the code.
 */
int xo_err_errno(struct xo_error *err, int errnum, const char *fmt, ...) XO_PRINTF(3, 4);
/*
 * Create directory @path (mode 0700) unless it exists. Errors as
 * xo_err_errno gives them: "<what>: cannot create <path>: <strerror>".
 */
int xo_mkdir(const char *what, const char *path, struct xo_error *err);
/*
 * Replace <dir>/<name> with @data so that a crash leaves either the old or
 * the new content: temporary file, fsync, rename, fsync of @dir. Mode 0600.
 * Errors as xo_err_errno gives them, XENOPS_ENOMEM.
 */
int xo_write_file_atomic(const char *dir, const char *name, const void *data, size_t len,
			 struct xo_error *err);
/*
 * Read a whole file of at most @max bytes into a new NUL-terminated buffer
 * (free with free()); *len_out (may be NULL) gets its length.
 * Errors: XENOPS_ENOTFOUND (no such file), XENOPS_EINVAL (larger than
 * @max), as xo_err_errno otherwise, XENOPS_ENOMEM.
 */
int xo_read_file(char **out, size_t *len_out, const char *path, size_t max, struct xo_error *err);

/*
 * Preconditions of operations that write or read a file the caller names,
 * checked before their first effect (and again when the task runs).
 * xo_path_check_new: @path must not exist and its directory must exist, be
 * a directory and be writable. Errors: XENOPS_EEXIST, XENOPS_ENOTFOUND (no
 * directory), XENOPS_EINVAL (not a directory), XENOPS_EPERM, as
 * xo_err_errno otherwise; the message starts with @what.
 * xo_path_check_readable: @path must exist, be a regular file (or, with
 * @block_ok, a block device) and be readable. Errors: XENOPS_ENOTFOUND,
 * XENOPS_EINVAL (another kind of file), XENOPS_EPERM, as xo_err_errno.
 */
int xo_path_check_new(const char *what, const char *path, struct xo_error *err);
int xo_path_check_readable(const char *what, const char *path, bool block_ok,
			   struct xo_error *err);

/* The value of a hexadecimal digit (either case), -1 for any other character. */
int xo_hex_digit(char c);

/* ---- UUIDs (uuid.c) ---- */

/* The project's fixed namespace for name-based domain handles. */
extern const uint8_t xo_uuid_ns_vm[16];
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits, either case) -> 16 bytes. */
bool xo_uuid_parse(const char *s, uint8_t out[16]);
/* Lower-case textual form. */
void xo_uuid_format(const uint8_t u[16], char out[37]);
/* RFC 4122 version 5 (name-based, SHA-1) UUID of @name in namespace @ns. */
void xo_uuid_v5(const uint8_t ns[16], const void *name, size_t len, uint8_t out[16]);
/*
 * A VM's domain handle: the id itself when it is a UUID, else the version 5
 * UUID of the id in xo_uuid_ns_vm.
 */
void xo_vm_handle(const char *vm_id, uint8_t out[16]);

/* ---- streams over a file descriptor (migration) ---- */

/*
 * A cancel check called between waits: 0 to go on, or a negative code
 * (and *err) to stop.
 */
typedef int (*xo_fd_check_fn)(void *arg, struct xo_error *err);
/*
 * Write or read exactly @len bytes on a blocking or non-blocking @fd,
 * waiting in slices of at most 100 ms and calling @check (may be NULL)
 * between them. @idle_ms (0: no limit) bounds the time without progress:
 * XENOPS_ETIMEDOUT. A closed peer is XENOPS_EIO ("connection closed"),
 * other failures XENOPS_EIO with the system's reason. Never raises SIGPIPE.
 */
int xo_fd_write_all(int fd, const void *buf, size_t len, unsigned int idle_ms,
		    xo_fd_check_fn check, void *arg, struct xo_error *err);
int xo_fd_read_all(int fd, void *buf, size_t len, unsigned int idle_ms, xo_fd_check_fn check,
		   void *arg, struct xo_error *err);

#endif /* XO_UTIL_H */
