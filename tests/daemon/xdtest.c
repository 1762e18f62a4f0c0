/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the xenopsd tests: daemon processes, connections, children. */
#include "xdtest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t xdt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t xdt_quick_ms(void)
{
	return getenv("XDT_WRAPPER") ? 10000 : 2000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the daemon ------------------------------------------------------------ */

/* XDT_WRAPPER (e.g. "valgrind --error-exitcode=66") runs the daemon under a tool. */
static int build_argv(const char **argv, size_t max, char *wrapper, const struct xdt_daemon *d,
                      const char *const *extra)
{
	size_t n = 0;

	for (char *tok = strtok(wrapper, " "); tok && n < max - 16; tok = strtok(NULL, " "))
		argv[n++] = tok;
	argv[n++] = XDT_XENOPSD;
	argv[n++] = "--backend";
	argv[n++] = "sim";
	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--state-dir";
	argv[n++] = d->state;
	argv[n++] = "--log-level";
	argv[n++] = "debug";
	for (size_t i = 0; extra && extra[i] && n < max - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	return 0;
}

static void exec_daemon(const struct xdt_daemon *d, const char *const *extra)
{
	const char *argv[64];
	char wrapper[512] = "";
	int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

	/* Whatever happens to the test, its daemon goes with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	if (getenv("XDT_WRAPPER"))
		snprintf(wrapper, sizeof(wrapper), "%s", getenv("XDT_WRAPPER"));
	build_argv(argv, 64, wrapper, d, extra);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

static int can_connect(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return 0;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

int xdt_start(struct xdt_daemon *d, const char *const *extra)
{
	/* Tools like valgrind start slowly. */
	uint64_t deadline = xdt_now_ms() + (getenv("XDT_WRAPPER") ? 60000 : XDT_TIMEOUT_MS);

	if (!d->dir[0]) {
		snprintf(d->dir, sizeof(d->dir), "/tmp/xdtest-XXXXXX");
		if (!mkdtemp(d->dir))
			return -1;
	}
	snprintf(d->sock, sizeof(d->sock), "%s/xenopsd.sock", d->dir);
	snprintf(d->state, sizeof(d->state), "%s/state", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/xenopsd.log", d->dir);
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0)
		exec_daemon(d, extra);
	while (xdt_now_ms() < deadline) {
		if (can_connect(d->sock))
			return 0;
		if (!xdt_alive(d))
			return -1;
		sleep_ms(20);
	}
	return -1;
}

int xdt_alive(struct xdt_daemon *d)
{
	int status;

	if (d->pid <= 0)
		return 0;
	if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
		d->pid = 0;
		return 0;
	}
	return 1;
}

int xdt_wait_exit(struct xdt_daemon *d, int timeout_ms)
{
	uint64_t deadline = xdt_now_ms() + (uint64_t)timeout_ms;
	int status;

	while (d->pid > 0 && xdt_now_ms() < deadline) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		sleep_ms(10);
	}
	return -1;
}

int xdt_stop(struct xdt_daemon *d)
{
	uint64_t deadline = xdt_now_ms() + (getenv("XDT_WRAPPER") ? 60000 : XDT_TIMEOUT_MS);
	int status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	while (xdt_now_ms() < deadline) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);

		if (r == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		sleep_ms(10);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void xdt_cleanup(struct xdt_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	/* XDT_KEEP=1 keeps the directory (and the daemon's log) for debugging. */
	if (d->dir[0] && !getenv("XDT_KEEP"))
		nftw(d->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	d->dir[0] = '\0';
}

/* ---- connections ----------------------------------------------------------- */

struct xdt_conn *xdt_open(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xdt_conn *c = calloc(1, sizeof(*c));

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c->next_id = 1;
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		xdt_close(c);
		return NULL;
	}
	return c;
}

void xdt_close(struct xdt_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

int xdt_send(struct xdt_conn *c, const char *data, size_t len)
{
	uint64_t deadline = xdt_now_ms() + XDT_TIMEOUT_MS;

	while (len > 0 && xdt_now_ms() < deadline) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return len == 0 ? 0 : -1;
}

int xdt_send_str(struct xdt_conn *c, const char *text)
{
	return xdt_send(c, text, strlen(text));
}

/* Read more into the buffer; 1 got data, 0 timeout, -1 EOF or error. */
static int fill(struct xdt_conn *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->len + 65536 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		c->buf = realloc(c->buf, c->cap);
	}
	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 1;
}

char *xdt_line(struct xdt_conn *c, int timeout_ms)
{
	uint64_t deadline = xdt_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		uint64_t now;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			char *line = strndup(c->buf, n);

			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		now = xdt_now_ms();
		if (now >= deadline || fill(c, (int)(deadline - now)) < 0)
			return NULL;
	}
}

int xdt_closed(struct xdt_conn *c, int timeout_ms)
{
	uint64_t deadline = xdt_now_ms() + (uint64_t)timeout_ms;

	while (xdt_now_ms() < deadline) {
		c->len = 0; /* unread lines do not matter here */
		if (fill(c, 50) < 0)
			return 1;
	}
	return 0;
}

struct json_object *xdt_reply(struct xdt_conn *c, int timeout_ms)
{
	char *line = xdt_line(c, timeout_ms);
	struct json_object *obj = line ? json_tokener_parse(line) : NULL;

	free(line);
	return obj;
}

long xdt_request(struct xdt_conn *c, const char *method, const char *params_json)
{
	char *req = NULL;
	long id = c->next_id++;
	int n = asprintf(&req, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"%s\",\"params\":%s}\n",
	                 id, method, params_json && params_json[0] ? params_json : "{}");

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(xdt_send_str(c, req), 0);
	free(req);
	return id;
}

static struct json_object *vcall(struct xdt_conn *c, const char *method, const char *fmt,
                                 va_list ap)
{
	char *params = NULL;
	struct json_object *reply;
	long id;

	if (fmt)
		ck_assert_int_ge(vasprintf(&params, fmt, ap), 0);
	id = xdt_request(c, method, params);
	free(params);
	reply = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_msg(reply != NULL, "no reply to %s", method);
	ck_assert_int_eq(xdt_int(reply, "id"), id);
	return reply;
}

struct json_object *xdt_call(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
{
	va_list ap;
	struct json_object *r;

	va_start(ap, params_fmt);
	r = vcall(c, method, params_fmt, ap);
	va_end(ap);
	return r;
}

struct json_object *xdt_ok(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
{
	va_list ap;
	struct json_object *reply, *result;

	va_start(ap, params_fmt);
	reply = vcall(c, method, params_fmt, ap);
	va_end(ap);
	ck_assert_msg(xdt_get(reply, "error") == NULL, "%s failed: %s", method,
	              json_object_to_json_string(reply));
	result = json_object_get(xdt_get(reply, "result"));
	ck_assert_msg(json_object_is_type(result, json_type_object), "%s: result not an object",
	              method);
	json_object_put(reply);
	return result;
}

int xdt_err(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
{
	va_list ap;
	struct json_object *reply;
	int code;

	va_start(ap, params_fmt);
	reply = vcall(c, method, params_fmt, ap);
	va_end(ap);
	code = (int)xdt_int(reply, "error.code");
	json_object_put(reply);
	return code;
}

struct json_object *xdt_get(struct json_object *obj, const char *path)
{
	char part[128];

	while (*path && obj) {
		size_t n = strcspn(path, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, path);
		if (json_object_is_type(obj, json_type_array) && n &&
		    strspn(part, "0123456789") == n) { /* an index into an array */
			obj = json_object_array_get_idx(obj, (size_t)strtoul(part, NULL, 10));
			path += n + (path[n] == '.');
			continue;
		}
		if (!json_object_is_type(obj, json_type_object) ||
		    !json_object_object_get_ex(obj, part, &obj))
			return NULL;
		path += n + (path[n] == '.');
	}
	return obj;
}

const char *xdt_str(struct json_object *obj, const char *path)
{
	struct json_object *v = xdt_get(obj, path);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

long long xdt_int(struct json_object *obj, const char *path)
{
	return json_object_get_int64(xdt_get(obj, path));
}

const char *xdt_wait_task(struct xdt_conn *c, const char *task)
{
	static char state[32];

	for (int i = 0; i < 100; i++) {
		struct json_object *st =
		        xdt_ok(c, "TASK.wait", "{\"id\":\"%s\",\"timeout\":0.5}", task);

		snprintf(state, sizeof(state), "%s", xdt_str(st, "state"));
		json_object_put(st);
		if (strcmp(state, "pending") != 0)
			return state;
	}
	ck_abort_msg("task %s did not end", task);
	return NULL;
}

const char *xdt_op(struct xdt_conn *c, const char *method, const char *params_fmt, ...)
{
	va_list ap;
	struct json_object *reply;
	const char *state;
	char task[128];

	va_start(ap, params_fmt);
	reply = vcall(c, method, params_fmt, ap);
	va_end(ap);
	ck_assert_msg(xdt_get(reply, "error") == NULL, "%s failed: %s", method,
	              json_object_to_json_string(reply));
	snprintf(task, sizeof(task), "%s", xdt_str(reply, "result.task"));
	json_object_put(reply);
	ck_assert_msg(task[0], "%s returned no task", method);
	state = xdt_wait_task(c, task);
	json_object_put(xdt_ok(c, "TASK.destroy", "{\"id\":\"%s\"}", task));
	return state;
}

void xdt_assert_healthy(struct xdt_daemon *d)
{
	struct xdt_conn *c;
	struct json_object *r;

	ck_assert_msg(xdt_alive(d), "xenopsd died");
	c = xdt_open(d->sock);
	ck_assert_msg(c != NULL, "cannot connect to xenopsd");
	r = xdt_ok(c, "Query", NULL);
	ck_assert_str_eq(xdt_str(r, "name"), "xenopsd");
	json_object_put(r);
	xdt_close(c);
}

/* ---- child processes --------------------------------------------------------- */

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void child(int in, int out, int err, const char *const *argv)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* Collect stdout and stderr until both close, within a minute. */
static void collect(struct xdt_run *r, int out, int err)
{
	size_t out_len = 0, err_len = 0;
	uint64_t deadline = xdt_now_ms() + 60000;
	struct pollfd p[2] = { { .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN } };

	append(&r->out, &out_len, "", 0);
	append(&r->err, &err_len, "", 0);
	while ((p[0].fd >= 0 || p[1].fd >= 0) && xdt_now_ms() < deadline) {
		char buf[4096];

		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				p[i].fd = -1;
				continue;
			}
			if (i == 0)
				append(&r->out, &out_len, buf, (size_t)n);
			else
				append(&r->err, &err_len, buf, (size_t)n);
		}
	}
}

int xdt_spawn(struct xdt_child *ch, const char *stdin_text, const char *const *argv)
{
	int in[2], out[2], err[2];

	memset(ch, 0, sizeof(*ch));
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
		return -1;
	ch->pid = fork();
	if (ch->pid == 0) {
		close(in[1]);
		close(out[0]);
		close(err[0]);
		child(in[0], out[1], err[1], argv);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	/* Small inputs fit the pipe; a child that does not read them is fine. */
	if (stdin_text) {
		ssize_t ignored = write(in[1], stdin_text, strlen(stdin_text));

		(void)ignored;
	}
	close(in[1]);
	ch->out = out[0];
	ch->err = err[0];
	return 0;
}

int xdt_finish(struct xdt_child *ch, struct xdt_run *r)
{
	int status = 0;

	memset(r, 0, sizeof(*r));
	collect(r, ch->out, ch->err);
	close(ch->out);
	close(ch->err);
	for (int i = 0; i < 1000 && waitpid(ch->pid, &status, WNOHANG) != ch->pid; i++)
		sleep_ms(10);
	if (kill(ch->pid, 0) == 0) {
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, &status, 0);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

int xdt_exec(struct xdt_run *r, const char *stdin_text, const char *const *argv)
{
	struct xdt_child ch;

	if (xdt_spawn(&ch, stdin_text, argv) < 0)
		return -1;
	return xdt_finish(&ch, r);
}

void xdt_run_free(struct xdt_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
