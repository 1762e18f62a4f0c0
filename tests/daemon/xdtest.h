/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the xenopsd tests: spawn a real daemon (simulator backend,
 * everything in a temporary directory), talk to it over its socket, and
 * run xenopsctl as a child process.
 */
#ifndef XDTEST_H
#define XDTEST_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

/* Bound on any single wait for the daemon in a test. */
#define XDT_TIMEOUT_MS 10000

struct xdt_daemon {
	pid_t pid;
	char dir[128]; /* temporary directory holding the rest */
	char sock[192];
	char state[192];
	char log[192];
};

/*
 * Start xenopsd --backend sim with its socket, state dir and log in @d->dir
 * (created when empty, kept when set: a restart on the same state), plus
 * the NULL-terminated @extra arguments. Returns 0 once the socket accepts.
 * The daemon dies with the calling process.
 */
int xdt_start(struct xdt_daemon *d, const char *const *extra);
/* SIGTERM and wait; the exit status (0..255), or -1 (killed or stuck). */
int xdt_stop(struct xdt_daemon *d);
/* Wait for the daemon to exit by itself: its status, or -1 (killed, timeout). */
int xdt_wait_exit(struct xdt_daemon *d, int timeout_ms);
/* 1 while the daemon process runs. */
int xdt_alive(struct xdt_daemon *d);
/* Stop if running and remove the directory. */
void xdt_cleanup(struct xdt_daemon *d);

struct xdt_conn {
	int fd;
	char *buf;
	size_t len, cap;
	long next_id;
};

struct xdt_conn *xdt_open(const char *sock);
void xdt_close(struct xdt_conn *c);
int xdt_send(struct xdt_conn *c, const char *data, size_t len);
int xdt_send_str(struct xdt_conn *c, const char *text);
/* The next line (without '\n', malloc'd), or NULL on EOF or timeout. */
char *xdt_line(struct xdt_conn *c, int timeout_ms);
/* 1 if the daemon closes the connection within the timeout (unread lines skipped). */
int xdt_closed(struct xdt_conn *c, int timeout_ms);
/* The next reply parsed, or NULL. */
struct json_object *xdt_reply(struct xdt_conn *c, int timeout_ms);

/* Send a request with a fresh id; @params_json may be NULL. Returns the id. */
long xdt_request(struct xdt_conn *c, const char *method, const char *params_json);
/* Request and its reply (NULL on timeout). */
struct json_object *xdt_call(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Request that must succeed: returns a reference to its result. */
struct json_object *xdt_ok(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Request that must fail: returns its error code. */
int xdt_err(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A member at a dotted path; NULL when absent. */
struct json_object *xdt_get(struct json_object *obj, const char *path);
/* The string at a path, or "" (never NULL). */
const char *xdt_str(struct json_object *obj, const char *path);
long long xdt_int(struct json_object *obj, const char *path);

/* TASK.wait until the task ended; returns its state name (static copy). */
const char *xdt_wait_task(struct xdt_conn *c, const char *task);
/* Submit an operation, wait for it, destroy it; returns the final state. */
const char *xdt_op(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The daemon is alive and another client gets Query answered. */
void xdt_assert_healthy(struct xdt_daemon *d);

/* Run a program with args; stdout and stderr captured (malloc'd, NUL-ended). */
struct xdt_run {
	int status; /* exit code, or -1 when killed */
	char *out;
	char *err;
};
int xdt_exec(struct xdt_run *r, const char *stdin_text, const char *const *argv);
/* The same in two steps, for a child that runs while the test acts. */
struct xdt_child {
	pid_t pid;
	int out, err;
};
int xdt_spawn(struct xdt_child *ch, const char *stdin_text, const char *const *argv);
int xdt_finish(struct xdt_child *ch, struct xdt_run *r);
void xdt_run_free(struct xdt_run *r);

uint64_t xdt_now_ms(void);
/*
 * How long an answer that must not wait for anything may take: generous on
 * a loaded machine, more so when the daemon runs under a tool (valgrind).
 * A blocked loop shows as seconds beyond it.
 */
uint64_t xdt_quick_ms(void);

#endif /* XDTEST_H */
