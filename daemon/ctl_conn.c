/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl's connection to xenopsd: connect, send JSON-RPC requests (one
 * per line, pipelined), read replies in order, map errors to exit codes.
 */
#include "ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* A reply longer than this is not one xenopsd sends. */
#define MAX_REPLY (256u * 1024 * 1024)

uint64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ctl_init(struct ctl *c)
{
	memset(c, 0, sizeof(*c));
	c->socket_path = CTL_DEFAULT_SOCKET;
	c->fd = -1;
	c->next_id = 1;
}

void ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	c->pending = 0;
}

static int connect_daemon(struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (c->fd >= 0)
		return 0;
	if (strlen(c->socket_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xenopsctl: socket path too long: %s\n", c->socket_path);
		return CTL_USAGE;
	}
	strcpy(sa.sun_path, c->socket_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "xenopsctl: cannot connect to %s: %s\n", c->socket_path,
		        strerror(errno));
		ctl_close(c);
		return CTL_CONNECT;
	}
	return 0;
}

/* Wait for @events on the socket within the deadline; 0 or an exit code. */
static int wait_fd(struct ctl *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int timeout = -1, n;

	if (c->deadline_ms) {
		uint64_t now = ctl_now_ms();

		if (now >= c->deadline_ms)
			goto timeout;
		timeout = (int)(c->deadline_ms - now);
	}
	do
		n = poll(&p, 1, timeout);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return 0;
	if (n < 0) {
		fprintf(stderr, "xenopsctl: poll: %s\n", strerror(errno));
		return CTL_CONNECT;
	}
timeout:
	fprintf(stderr, "xenopsctl: timed out waiting for xenopsd\n");
	return CTL_TIMEOUT;
}

static int write_all(struct ctl *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n;
		int rc = wait_fd(c, POLLOUT);

		if (rc)
			return rc;
		n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			fprintf(stderr, "xenopsctl: lost the connection to xenopsd: %s\n",
			        strerror(errno));
			return CTL_CONNECT;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_send(struct ctl *c, const char *method, struct json_object *params)
{
	struct json_object *req = json_object_new_object();
	const char *text;
	char *line = NULL;
	int rc;

	rc = connect_daemon(c);
	if (rc) {
		json_object_put(params);
		json_object_put(req);
		return rc;
	}
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "id", json_object_new_int64(c->next_id++));
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params ? params : json_object_new_object());
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
	                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&line, "%s\n", text) < 0) {
		json_object_put(req);
		fprintf(stderr, "xenopsctl: out of memory\n");
		return CTL_PROTOCOL;
	}
	json_object_put(req);
	rc = write_all(c, line, strlen(line));
	free(line);
	if (rc == 0)
		c->pending++;
	return rc;
}

/* Read until a full line is buffered; *len_out is its length with '\n'. */
static int read_line(struct ctl *c, size_t *len_out)
{
	char *nl;

	while (!(nl = c->len ? memchr(c->buf, '\n', c->len) : NULL)) {
		ssize_t n;
		int rc;

		if (c->len + 65536 > c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 65536;
			char *nbuf;

			if (ncap > MAX_REPLY || !(nbuf = realloc(c->buf, ncap))) {
				fprintf(stderr, "xenopsctl: reply too large\n");
				return CTL_PROTOCOL;
			}
			c->buf = nbuf;
			c->cap = ncap;
		}
		rc = wait_fd(c, POLLIN);
		if (rc)
			return rc;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			fprintf(stderr, "xenopsctl: xenopsd closed the connection\n");
			return CTL_CONNECT;
		}
		c->len += (size_t)n;
	}
	*len_out = (size_t)(nl - c->buf) + 1;
	return 0;
}

static void fill_error(struct ctl_error *err, struct json_object *e)
{
	struct json_object *v = NULL, *data = NULL;

	memset(err, 0, sizeof(*err));
	if (json_object_object_get_ex(e, "code", &v))
		err->code = json_object_get_int(v);
	if (json_object_object_get_ex(e, "message", &v))
		snprintf(err->message, sizeof(err->message), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(e, "data", &data) &&
	    json_object_object_get_ex(data, "name", &v))
		snprintf(err->name, sizeof(err->name), "%s", json_object_get_string(v));
}

/* Split a parsed reply into result or error. */
static int unpack(struct json_object *reply, struct json_object **result_out, struct ctl_error *err)
{
	struct json_object *v = NULL;

	if (json_object_object_get_ex(reply, "error", &v) &&
	    json_object_is_type(v, json_type_object)) {
		fill_error(err, v);
		return -1;
	}
	if (!json_object_object_get_ex(reply, "result", &v) ||
	    !json_object_is_type(v, json_type_object)) {
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd\n");
		return CTL_PROTOCOL;
	}
	*result_out = json_object_get(v);
	return 0;
}

static struct json_object *parse(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;

	if (tok && len <= (size_t)INT32_MAX)
		obj = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	return obj;
}

int ctl_recv(struct ctl *c, struct json_object **result_out, struct ctl_error *err)
{
	struct json_object *reply;
	size_t len = 0;
	int rc;

	*result_out = NULL;
	rc = read_line(c, &len);
	if (rc)
		return rc;
	reply = parse(c->buf, len);
	memmove(c->buf, c->buf + len, c->len - len);
	c->len -= len;
	c->pending--;
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd\n");
		return CTL_PROTOCOL;
	}
	rc = unpack(reply, result_out, err);
	json_object_put(reply);
	return rc;
}

int ctl_error_exit(const struct ctl_error *err)
{
	int code;

	/* JSON-RPC's own codes mean the request itself was wrong. */
	if (err->code <= -32000 || err->code >= 0) {
		fprintf(stderr, "xenopsctl: protocol error %d: %s\n", err->code, err->message);
		return CTL_PROTOCOL;
	}
	fprintf(stderr, "xenopsctl: %s: %s\n", err->name[0] ? err->name : "error", err->message);
	code = CTL_LIB_BASE - err->code;
	return code > CTL_EXIT_MAX ? CTL_EXIT_MAX : code;
}

int ctl_call(struct ctl *c, const char *method, struct json_object *params,
             struct json_object **result_out)
{
	struct ctl_error err;
	int rc = ctl_send(c, method, params);

	*result_out = NULL;
	if (rc)
		return rc;
	rc = ctl_recv(c, result_out, &err);
	return rc == -1 ? ctl_error_exit(&err) : rc;
}
