/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON-RPC 2.0 envelope: parse a request line, check it and its
 * parameters against the method table, run the method, build the response;
 * and parked long-polls, which re-run their method until it answers.
 */
#include "rpc_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

struct xd_rpc {
	xenops_ctx *ctx;
	int debug;
	struct json_tokener *tok;
	char *head; /* the update log's head token when last asked, or NULL */
	/* The last UPDATES.get answer made (its result's text) and its token,
	 * until the log moves; both NULL when none. */
	char *upd_from, *upd_text;
	struct xd_park_stats stats;
};

struct xd_park {
	const struct xd_method *method;
	struct json_object *request; /* owned: holds the id and the params */
	uint64_t deadline_ms;
};

struct xd_rpc *xd_rpc_new(xenops_ctx *ctx, unsigned int flags)
{
	struct xd_rpc *rpc = calloc(1, sizeof(*rpc));

	if (!rpc)
		return NULL;
	rpc->ctx = ctx;
	rpc->debug = !!(flags & XD_RPC_DEBUG);
	/* json-c refuses a text as deep as its limit: one more lets the
	 * documented depth itself through. */
	rpc->tok = json_tokener_new_ex(XD_RPC_MAX_DEPTH + 1);
	if (!rpc->tok) {
		free(rpc);
		return NULL;
	}
	json_tokener_set_flags(rpc->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	return rpc;
}

void xd_rpc_free(struct xd_rpc *rpc)
{
	if (!rpc)
		return;
	free(rpc->head);
	xd_rpc_log_moved(rpc);
	json_tokener_free(rpc->tok);
	free(rpc);
}

/* ---- errors ------------------------------------------------------------ */

int xd_fail(struct xd_call *c, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(c->err_msg);
	c->err_msg = msg;
	c->err_code = code;
	c->err_name = NULL;
	return code;
}

int xd_lib(struct xd_call *c, int rc)
{
	const char *msg;

	if (rc >= 0)
		return rc;
	/* Read the message before any other library call resets it. */
	msg = xenops_last_error_message();
	free(c->err_msg);
	c->err_msg = strdup(msg[0] ? msg : xenops_strerror(rc));
	c->err_code = rc;
	c->err_name = xenops_strerror_name(rc);
	return rc;
}

/* ---- responses --------------------------------------------------------- */

/* Serialise @resp (consumed) as one line; NULL on ENOMEM. */
static char *to_line(struct json_object *resp, size_t *len_out)
{
	size_t len = 0;
	const char *s;
	char *line = NULL;

	if (!resp)
		return NULL;
	s = json_object_to_json_string_length(
	        resp, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s)
		line = malloc(len + 2);
	if (line) {
		memcpy(line, s, len);
		line[len] = '\n';
		line[len + 1] = '\0';
		*len_out = len + 1;
	}
	json_object_put(resp);
	return line;
}

static struct json_object *envelope(struct json_object *id)
{
	struct json_object *resp = json_object_new_object();

	if (!resp)
		return NULL;
	json_object_object_add(resp, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(resp, "id", json_object_get(id));
	return resp;
}

static struct json_object *error_object(int code, const char *message, const char *name,
                                        const char *param)
{
	struct json_object *err = json_object_new_object();
	struct json_object *data;

	if (!err)
		return NULL;
	json_object_object_add(err, "code", json_object_new_int(code));
	json_object_object_add(err, "message", json_object_new_string(message ? message : ""));
	if (!name && !param)
		return err;
	data = json_object_new_object();
	if (data && name)
		json_object_object_add(data, "name", json_object_new_string(name));
	if (data && param)
		json_object_object_add(data, "param", json_object_new_string(param));
	json_object_object_add(err, "data", data);
	return err;
}

static char *error_line(struct json_object *id, int code, const char *message, const char *name,
                        const char *param, size_t *len_out)
{
	struct json_object *resp = envelope(id);

	if (resp)
		json_object_object_add(resp, "error", error_object(code, message, name, param));
	return to_line(resp, len_out);
}

char *xd_rpc_error_line(int code, const char *message, const char *name, size_t *len_out)
{
	return error_line(NULL, code, message, name, NULL, len_out);
}

/*
 * {"jsonrpc":"2.0","id":ID,"result":TEXT} and a newline, written by hand
 * around a result that is text already: the same bytes json-c prints for
 * the envelope object, without its hash table and print buffer.
 */
static char *raw_line(struct json_object *id, const char *text, size_t *len_out)
{
	static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":", mid[] = ",\"result\":";
	const char *idt = id ? json_object_to_json_string_ext(
	                               id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
	                     : "null";
	size_t hl = sizeof(head) - 1, il, ml = sizeof(mid) - 1, tl = strlen(text), len;
	char *line, *p;

	if (!idt)
		return NULL;
	il = strlen(idt);
	len = hl + il + ml + tl + 2;
	line = malloc(len + 1);
	if (!line)
		return NULL;
	p = line;
	memcpy(p, head, hl);
	memcpy(p += hl, idt, il);
	memcpy(p += il, mid, ml);
	memcpy(p += ml, text, tl);
	p += tl;
	*p++ = '}';
	*p++ = '\n';
	*p = '\0';
	*len_out = len;
	return line;
}

/* The answer to a call that ran (result or recorded error). */
static void answer(struct xd_call *c, struct json_object *id, struct xd_reply *out)
{
	struct json_object *resp;

	if (c->err_code) {
		/* Library codes are small negatives, JSON-RPC ones below -32000. */
		if (!c->err_name && c->err_code > -32000)
			c->err_name = xenops_strerror_name(c->err_code);
		out->line = error_line(id, c->err_code, c->err_msg, c->err_name, c->err_param,
		                       &out->len);
		return;
	}
	if (c->result && c->result == c->raw_result) {
		out->line = raw_line(id, c->raw_text, &out->len);
		return;
	}
	resp = envelope(id);
	if (resp)
		json_object_object_add(resp, "result",
		                       c->result ? json_object_get(c->result)
		                                 : json_object_new_object());
	out->line = to_line(resp, &out->len);
}

/* ---- parameters ---------------------------------------------------------- */

static const struct xd_param *param_spec(const struct xd_method *m, const char *name)
{
	for (const struct xd_param *p = m->params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static int is_integral(struct json_object *v)
{
	double d;

	if (json_object_is_type(v, json_type_int))
		return 1;
	if (!json_object_is_type(v, json_type_double))
		return 0;
	d = json_object_get_double(v);
	return isfinite(d) && d == floor(d);
}

static int type_ok(int type, struct json_object *v)
{
	double d;

	switch (type) {
	case XP_STR:
		return json_object_is_type(v, json_type_string);
	case XP_STR_OR_NULL:
		return !v || json_object_is_type(v, json_type_string);
	case XP_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case XP_UINT:
		if (!is_integral(v))
			return 0;
		d = json_object_get_double(v);
		return d >= 0 && d <= UINT_MAX;
	case XP_SECONDS:
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return 0;
		d = json_object_get_double(v);
		return isfinite(d) && d >= 0;
	case XP_OBJECT:
		return json_object_is_type(v, json_type_object);
	case XP_STR_OR_ARRAY:
		return json_object_is_type(v, json_type_string) ||
		       json_object_is_type(v, json_type_array);
	}
	return 0;
}

static const char *type_desc(int type)
{
	static const char *const desc[] = {
		[XP_STR] = "a string",
		[XP_STR_OR_NULL] = "a string or null",
		[XP_BOOL] = "a boolean",
		[XP_UINT] = "a non-negative integer",
		[XP_SECONDS] = "a non-negative number of seconds",
		[XP_OBJECT] = "an object",
		[XP_STR_OR_ARRAY] = "a string or an array",
	};
	return desc[type];
}

/* Every given parameter is known and well typed; every required one is there. */
static int check_params(struct xd_call *c)
{
	const struct xd_method *m = c->method;

	json_object_object_foreach (c->params, key, val) {
		const struct xd_param *p = param_spec(m, key);

		if (!p) {
			/* The name is the request's: it outlives the answer. */
			c->err_param = key;
			return xd_fail(c, XD_RPC_INVALID_PARAMS, "unknown parameter '%.64s' for %s",
			               key, m->name);
		}
		if (!val && p->type != XP_STR_OR_NULL && !p->required)
			continue; /* null stands for "absent" in optional parameters */
		if (!type_ok(p->type, val)) {
			c->err_param = p->name;
			return xd_fail(c, XD_RPC_INVALID_PARAMS, "parameter '%s' must be %s",
			               p->name, type_desc(p->type));
		}
	}
	for (const struct xd_param *p = m->params; p->name; p++) {
		if (p->required && !json_object_object_get_ex(c->params, p->name, NULL)) {
			xd_fail(c, XD_RPC_INVALID_PARAMS, "missing parameter '%s'", p->name);
			c->err_param = p->name;
			return c->err_code;
		}
	}
	return 0;
}

static struct json_object *param(const struct xd_call *c, const char *name)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(c->params, name, &v);
	return v;
}

const char *xd_str(const struct xd_call *c, const char *name)
{
	struct json_object *v = param(c, name);

	return v ? json_object_get_string(v) : NULL;
}

int xd_bool(const struct xd_call *c, const char *name, int dflt)
{
	struct json_object *v = param(c, name);

	return v ? json_object_get_boolean(v) : dflt;
}

unsigned int xd_uint(const struct xd_call *c, const char *name, unsigned int dflt)
{
	struct json_object *v = param(c, name);

	return v ? (unsigned int)json_object_get_double(v) : dflt;
}

uint64_t xd_ms(const struct xd_call *c, const char *name, uint64_t dflt_ms)
{
	struct json_object *v = param(c, name);
	double ms;

	if (!v)
		return dflt_ms;
	ms = ceil(json_object_get_double(v) * 1000.0);
	return ms >= (double)XD_MAX_WAIT_MS ? XD_MAX_WAIT_MS : (uint64_t)ms;
}

struct json_object *xd_obj(const struct xd_call *c, const char *name)
{
	return param(c, name);
}

char *xd_config_text(const struct xd_call *c)
{
	if (c->config_text)
		return strndup(c->config_text, c->config_len);
	return strdup(json_object_to_json_string_ext(xd_obj(c, "config"), JSON_C_TO_STRING_PLAIN));
}

static int raw_serialize(struct json_object *jso, struct printbuf *pb, int level, int flags)
{
	const char *text = json_object_get_userdata(jso);

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, text, (int)strlen(text));
}

static void raw_free(struct json_object *jso, void *userdata)
{
	(void)jso;
	free(userdata);
}

/*
 * The library's JSON text goes into the answer as it is: parsing it only
 * to print it again cost half of VM.stat's throughput (bench/). The
 * library makes one JSON object per call, on one line.
 */
int xd_result_text(struct xd_call *c, const char *json_text)
{
	struct json_object *obj;
	char *copy;

	if (!json_text || json_text[0] != '{' || strchr(json_text, '\n'))
		return xd_fail(c, XENOPS_EINTERNAL, "the library returned invalid JSON");
	copy = strdup(json_text);
	/* Only printed, never looked into: a boolean is the cheapest holder
	 * (an object would allocate a hash table per answer). */
	obj = copy ? json_object_new_boolean(0) : NULL;
	if (!obj) {
		free(copy);
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	}
	json_object_set_serializer(obj, raw_serialize, copy, raw_free);
	json_object_put(c->result);
	c->result = obj;
	c->raw_result = obj;
	c->raw_text = copy;
	return 0;
}

int xd_wait_or_answer(struct xd_call *c, uint64_t wait_ms)
{
	if (c->notification)
		return 0;
	if (!c->deadline_ms)
		c->deadline_ms = c->now_ms + wait_ms;
	if (c->now_ms >= c->deadline_ms)
		return 0;
	c->park = 1;
	return 1;
}

/* ---- requests ------------------------------------------------------------ */

static const struct xd_method *find_method(const char *name, int debug)
{
	for (const struct xd_method *m = xd_methods; m->name; m++)
		if (strcmp(m->name, name) == 0 && (debug || !(m->flags & XD_M_DEBUG)))
			return m;
	return NULL;
}

/*
 * Parse one line into a JSON value (which may be null): -1 for anything but
 * exactly one JSON text (trailing garbage, truncation, too deep, invalid
 * UTF-8).
 */
static int parse_line(struct xd_rpc *rpc, const char *line, size_t len, struct json_object **out)
{
	struct json_object *obj;
	size_t end;

	*out = NULL;
	if (len > INT_MAX)
		return -1;
	json_tokener_reset(rpc->tok);
	obj = json_tokener_parse_ex(rpc->tok, line, (int)len);
	end = json_tokener_get_parse_end(rpc->tok);
	/* A bare number at the end of input may go on: a blank ends it,
	 * and then the whole line was consumed. */
	if (json_tokener_get_error(rpc->tok) == json_tokener_continue) {
		obj = json_tokener_parse_ex(rpc->tok, " ", 1);
		end = len;
	}
	if (json_tokener_get_error(rpc->tok) != json_tokener_success)
		return -1;
	for (; end < len; end++) {
		if (!line[end] || !strchr(" \t\r\n", line[end])) {
			json_object_put(obj);
			return -1;
		}
	}
	*out = obj;
	return 0;
}

/* ---- NUL characters --------------------------------------------------------- */

/*
 * Where the first "\u0000" escape of a request line sits. json-c keeps a
 * string value whole (its length says where it ends) but cuts a member name
 * at the NUL, and everything past the daemon takes C strings: so the raw
 * text is the one place where every NUL can be seen. Names are decoded as
 * far as needed to tell which envelope member or parameter holds it.
 */
#define NAME_MAX_LEN 64

struct nul_hit {
	int found;
	int depth;                     /* 1: an envelope member; 2 and more: inside one */
	char member[NAME_MAX_LEN + 1]; /* the envelope member holding it */
	char param[NAME_MAX_LEN + 1];  /* inside "params": the parameter holding it */
	/* The text of params.config (the last one, as json-c keeps), when it
	 * is an object: line[config_start, config_end). */
	size_t config_start, config_end;
};

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The code unit of "\uXXXX" at @s (@len bytes left), or -1. */
static long unicode_escape(const char *s, size_t len)
{
	long cp = 0;

	if (len < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -1;
		cp = cp * 16 + d;
	}
	return cp;
}

static void name_append(char *name, char ch)
{
	size_t n = strlen(name);

	if (n < NAME_MAX_LEN) {
		name[n] = ch;
		name[n + 1] = '\0';
	}
}

/*
 * Scan one string starting after its opening quote at @i; returns the index
 * after its closing quote. Bytes go to @name when not NULL; a NUL escape
 * sets @hit->found (and the scan stops there).
 */
static size_t scan_string(const char *line, size_t len, size_t i, char *name, struct nul_hit *hit)
{
	while (i < len && line[i] != '"') {
		char ch = line[i];

		if (ch == '\\' && i + 1 < len) {
			long cp = unicode_escape(line + i, len - i);

			if (cp == 0) {
				hit->found = 1;
				return i;
			}
			if (cp > 0) {
				ch = cp < 0x80 ? (char)cp : '?';
				i += 6;
			} else {
				static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
				const char *e = strchr(from, line[i + 1]);

				ch = e ? to[e - from] : '?';
				i += 2;
			}
		} else {
			i++;
		}
		if (name)
			name_append(name, ch);
	}
	return i + 1;
}

/*
 * Scan a parsed line (so valid JSON): find its first NUL escape and return
 * how deeply its containers nest. json-c counts a scalar inside the
 * innermost container as a level of its own, so its limit alone cannot
 * enforce the documented depth.
 */
static int scan_line(const char *line, size_t len, struct nul_hit *hit)
{
	int depth = 0, max_depth = 0;
	/* Per level: an object; a member name comes next. */
	int is_object[XD_RPC_MAX_DEPTH + 2] = { 0 }, expect_key[XD_RPC_MAX_DEPTH + 2] = { 0 };
	char key[NAME_MAX_LEN + 1] = "";

	/* params.config: its name was read (1), then its ':' (2), then its '{' (3). */
	int config = 0;
	size_t config_start = 0;

	memset(hit, 0, sizeof(*hit));
	for (size_t i = 0; i < len && !hit->found;) {
		char ch = line[i];

		if (config == 2 && !strchr(" \t\r\n{", ch))
			config = 0; /* not an object: the type check refuses it */
		if (ch == '"') {
			int is_key = depth > 0 && expect_key[depth];
			char *name = NULL;

			if (is_key && depth == 1)
				name = hit->member;
			else if (is_key && depth == 2 && strcmp(hit->member, "params") == 0)
				name = hit->param;
			else if (is_key)
				name = key; /* decoded, not kept */
			if (name)
				name[0] = '\0';
			i = scan_string(line, len, i + 1, name, hit);
			if (hit->found)
				hit->depth = depth;
			if (name == hit->param)
				config = strcmp(hit->param, "config") == 0;
			continue;
		}
		if (ch == '{' && config == 2 && depth == 2) {
			config = 3;
			config_start = i;
		}
		if (ch == '{' || ch == '[') {
			if (++depth > max_depth)
				max_depth = depth;
			if (depth > XD_RPC_MAX_DEPTH)
				break; /* too deep: refused whatever else it holds */
			is_object[depth] = expect_key[depth] = ch == '{';
		} else if ((ch == '}' || ch == ']') && depth > 0) {
			if (--depth == 2 && config == 3) {
				hit->config_start = config_start;
				hit->config_end = i + 1;
				config = 0;
			}
		} else if (ch == ':' && depth > 0) {
			expect_key[depth] = 0;
			if (config == 1 && depth == 2)
				config = 2;
		} else if (ch == ',' && depth > 0) {
			/* In an object a name follows; in an array, never. */
			expect_key[depth] = is_object[depth];
		}
		i++;
	}
	return max_depth;
}

/*
 * scan_line() for the common line: without a backslash and without
 * "config" it holds no NUL and no config text, and it nests at most as
 * deep as its number of opening brackets; only other lines are scanned
 * byte by byte (that scan was a few per cent of VM.stat's cost).
 */
static int scan_line_quick(const char *line, size_t len, struct nul_hit *hit)
{
	int opens = 0;

	if (memchr(line, '\\', len) || memmem(line, len, "\"config\"", 8))
		return scan_line(line, len, hit);
	for (size_t i = 0; i < len && opens <= XD_RPC_MAX_DEPTH; i++)
		opens += line[i] == '{' || line[i] == '[';
	if (opens > XD_RPC_MAX_DEPTH)
		return scan_line(line, len, hit);
	memset(hit, 0, sizeof(*hit));
	return opens;
}

static int valid_id(struct json_object *id)
{
	return !id || json_object_is_type(id, json_type_string) ||
	       json_object_is_type(id, json_type_int) || json_object_is_type(id, json_type_double);
}

/*
 * Any method but UPDATES.get may move the update log on this thread (a
 * VM.add, a barrier, a TASK.wait answered after its task's events): a
 * client that goes on with UPDATES.get must see that, so the answer kept
 * for parked listeners is forgotten first.
 */
static void run_method(struct xd_call *c)
{
	if (!(c->method->flags & XD_M_WAKE_UPDATES))
		xd_rpc_log_moved(c->rpc);
	c->method->fn(c);
}

/* Run the method on a call whose envelope and params are checked. */
static void run(struct xd_call *c)
{
	if (check_params(c) == 0)
		run_method(c);
}

static void call_clear(struct xd_call *c)
{
	json_object_put(c->result);
	free(c->err_msg);
}

static struct xd_park *park_new(const struct xd_call *c, struct json_object *request)
{
	struct xd_park *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->method = c->method;
	p->request = json_object_get(request);
	p->deadline_ms = c->deadline_ms;
	return p;
}

/*
 * Check the envelope: 0, or the code recorded in @c. An invalid request
 * object (-32600, and params not an object) is answered even without an id,
 * as JSON-RPC 2.0 wants; @c->notification then stays 0.
 */
static int check_envelope(struct xd_rpc *rpc, struct xd_call *c, struct json_object *req,
                          const struct nul_hit *nul, struct json_object **params)
{
	struct json_object *version = NULL, *method = NULL;

	json_object_object_get_ex(req, "jsonrpc", &version);
	json_object_object_get_ex(req, "method", &method);
	json_object_object_get_ex(req, "params", params);
	if (nul->found && (nul->depth == 1 || strcmp(nul->member, "params") != 0))
		return xd_fail(c, XD_RPC_INVALID_REQUEST,
		               "member '%s' of the request holds a NUL character", nul->member);
	if (!json_object_is_type(version, json_type_string) ||
	    strcmp(json_object_get_string(version), "2.0") != 0)
		return xd_fail(c, XD_RPC_INVALID_REQUEST, "jsonrpc must be \"2.0\"");
	if (!json_object_is_type(method, json_type_string))
		return xd_fail(c, XD_RPC_INVALID_REQUEST, "method must be a string");
	if (*params && !json_object_is_type(*params, json_type_object))
		return xd_fail(c, XD_RPC_INVALID_PARAMS, "params must be an object");
	/* From here on the request object is valid: a notification stays unanswered. */
	c->notification = c->has_no_id;
	if (!(c->method = find_method(json_object_get_string(method), rpc->debug)))
		return xd_fail(c, XD_RPC_METHOD_NOT_FOUND, "method not found: %.64s",
		               json_object_get_string(method));
	if (nul->found) {
		c->err_param = nul->param;
		return xd_fail(c, XD_RPC_INVALID_PARAMS, "parameter '%s' holds a NUL character",
		               nul->param);
	}
	return 0;
}

/* The request's envelope is an object: check it, run it. */
static void handle_request(struct xd_rpc *rpc, struct json_object *req, const char *line,
                           const struct nul_hit *nul, uint64_t now_ms, struct xd_reply *out)
{
	struct json_object *id = NULL, *params = NULL;
	struct json_object *empty = NULL;
	struct xd_call c = { .ctx = rpc->ctx, .rpc = rpc, .now_ms = now_ms, .debug = rpc->debug };

	c.has_no_id = !json_object_object_get_ex(req, "id", &id);
	if (nul->config_end) {
		c.config_text = line + nul->config_start;
		c.config_len = nul->config_end - nul->config_start;
	}
	if (!valid_id(id) || (nul->found && nul->depth == 1 && strcmp(nul->member, "id") == 0)) {
		out->line = error_line(NULL, XD_RPC_INVALID_REQUEST,
		                       "id must be a string without NUL, a number or null", NULL,
		                       NULL, &out->len);
		return;
	}
	if (!check_envelope(rpc, &c, req, nul, &params)) {
		if (!params)
			params = empty = json_object_new_object();
		c.params = params;
		if (params)
			run(&c);
		else
			xd_fail(&c, XENOPS_ENOMEM, "out of memory");
	}
	if (c.park) {
		out->park = park_new(&c, req);
		if (!out->park)
			out->line = error_line(id, XENOPS_ENOMEM, "out of memory", "XENOPS_ENOMEM",
			                       NULL, &out->len);
	} else if (!c.notification) {
		answer(&c, id, out);
	}
	json_object_put(empty);
	call_clear(&c);
}

void xd_rpc_handle(struct xd_rpc *rpc, const char *line, size_t len, uint64_t now_ms,
                   struct xd_reply *out)
{
	struct json_object *req;
	struct nul_hit nul;

	memset(out, 0, sizeof(*out));
	if (parse_line(rpc, line, len, &req) < 0 ||
	    scan_line_quick(line, len, &nul) > XD_RPC_MAX_DEPTH) {
		json_object_put(req);
		out->line =
		        error_line(NULL, XD_RPC_PARSE_ERROR, "parse error", NULL, NULL, &out->len);
		return;
	}
	if (!json_object_is_type(req, json_type_object))
		out->line = error_line(NULL, XD_RPC_INVALID_REQUEST,
		                       "request must be a JSON object", NULL, NULL, &out->len);
	else
		handle_request(rpc, req, line, &nul, now_ms, out);
	json_object_put(req);
}

/* ---- parks --------------------------------------------------------------- */

int xd_park_poll(struct xd_rpc *rpc, struct xd_park *park, uint64_t now_ms, struct xd_reply *out)
{
	struct json_object *id = NULL, *params = NULL, *empty = NULL;
	struct xd_call c = {
		.ctx = rpc->ctx,
		.rpc = rpc,
		.debug = rpc->debug,
		.method = park->method,
		.now_ms = now_ms,
		.deadline_ms = park->deadline_ms,
	};

	memset(out, 0, sizeof(*out));
	rpc->stats.retried++;
	json_object_object_get_ex(park->request, "id", &id);
	if (!json_object_object_get_ex(park->request, "params", &params) || !params)
		params = empty = json_object_new_object();
	c.params = params;
	if (params)
		run_method(&c);
	else
		xd_fail(&c, XENOPS_ENOMEM, "out of memory");
	if (!c.park)
		answer(&c, id, out);
	json_object_put(empty);
	call_clear(&c);
	if (c.park)
		return 0;
	rpc->stats.answered++;
	xd_park_free(park);
	return 1;
}

/* The string parameter @name of a parked request, or NULL. */
static const char *park_str(const struct xd_park *park, const char *name)
{
	struct json_object *params = NULL, *v = NULL;

	json_object_object_get_ex(park->request, "params", &params);
	json_object_object_get_ex(params, name, &v);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int xd_park_concerned(const struct xd_park *park, const struct xd_wake *w)
{
	const char *key;

	if (park->method->flags & XD_M_WAKE_UPDATES) {
		/* Parked at the head: nothing after its token yet. Any other
		 * spelling of the token is retried, and the library decides. */
		key = park_str(park, "from");
		return !w->head || !key || strcmp(key, w->head) != 0;
	}
	if (park->method->flags & XD_M_WAKE_TASK) {
		if (w->all_tasks)
			return 1;
		key = park_str(park, "id");
		for (size_t i = 0; key && i < w->n_tasks; i++)
			if (strcmp(w->tasks[i], key) == 0)
				return 1;
		return 0;
	}
	return 1;
}

int xd_park_wants_head(const struct xd_park *park)
{
	return !!(park->method->flags & XD_M_WAKE_UPDATES);
}

void xd_rpc_log_moved(struct xd_rpc *rpc)
{
	free(rpc->upd_from);
	free(rpc->upd_text);
	rpc->upd_from = rpc->upd_text = NULL;
}

const char *xd_rpc_updates_cached(struct xd_rpc *rpc, const char *from)
{
	return rpc->upd_from && from && strcmp(rpc->upd_from, from) == 0 ? rpc->upd_text : NULL;
}

void xd_rpc_updates_remember(struct xd_rpc *rpc, const char *from, const char *text)
{
	char *f = strdup(from), *t = strdup(text);

	xd_rpc_log_moved(rpc);
	if (!f || !t) {
		free(f);
		free(t);
		return;
	}
	rpc->upd_from = f;
	rpc->upd_text = t;
}

const char *xd_rpc_updates_head(struct xd_rpc *rpc)
{
	xenops_updates *u = NULL;
	char *head;

	/* From the last head the answer holds only what changed since. */
	if (xenops_updates_get(&u, rpc->ctx, rpc->head, 0) < 0 &&
	    xenops_updates_get(&u, rpc->ctx, NULL, 0) < 0)
		return NULL;
	head = strdup(xenops_updates_next(u));
	xenops_updates_free(u);
	if (!head)
		return NULL;
	free(rpc->head);
	rpc->head = head;
	return head;
}

struct xd_park_stats xd_rpc_park_stats(const struct xd_rpc *rpc)
{
	return rpc->stats;
}

uint64_t xd_park_deadline(const struct xd_park *park)
{
	return park->deadline_ms;
}

void xd_park_free(struct xd_park *park)
{
	if (!park)
		return;
	json_object_put(park->request);
	free(park);
}
