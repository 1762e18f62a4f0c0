/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for xenopsd's request parser and dispatcher: the input
 * is a stream of request lines, fed to the same xd_rpc_handle() the daemon
 * uses, against a simulator context kept in memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rpc.h"

/* Long-polls are answered at once by moving this clock to their deadline. */
#define FAKE_NOW_MS 1000
/* Lines handled per input, so one input cannot run for long. */
#define MAX_LINES 64
/* Save and restore files may only be written here. */
#define SANDBOX "/tmp/xenops-fuzz/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

static xenops_ctx *ctx;
static struct xd_rpc *rpc;

static int setup(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;

	if (rpc)
		return 0;
	opts.backend = "sim";
	opts.workers = 1;
	if (xenops_ctx_new(&ctx, &opts) < 0)
		return -1;
	rpc = xd_rpc_new(ctx, 0);
	return rpc ? 0 : -1;
}

void xd_fuzz_teardown(void)
{
	xd_rpc_free(rpc);
	xenops_ctx_unref(ctx);
	rpc = NULL;
	ctx = NULL;
}

/*
 * Suspend and resume write and read files named by the request: keep the
 * fuzzer's inside the sandbox. A line the loose parser cannot read cannot
 * pass the daemon's stricter one either, so it is safe to let through.
 */
static int writes_outside_sandbox(const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req = NULL, *method = NULL, *params = NULL, *path = NULL;
	const char *m, *p;
	int bad = 0;

	if (tok && len < INT32_MAX)
		req = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (json_object_object_get_ex(req, "method", &method) &&
	    json_object_is_type(method, json_type_string)) {
		m = json_object_get_string(method);
		if (strcmp(m, "VM.suspend") == 0 || strcmp(m, "VM.resume") == 0) {
			json_object_object_get_ex(req, "params", &params);
			json_object_object_get_ex(params, "path", &path);
			p = json_object_is_type(path, json_type_string)
			            ? json_object_get_string(path)
			            : NULL;
			bad = p && (strncmp(p, SANDBOX, strlen(SANDBOX)) != 0 || strstr(p, ".."));
		}
	}
	json_object_put(req);
	return bad;
}

/* Whatever came in, what goes out is one JSON-RPC 2.0 response line. */
static void check_reply(const char *line, size_t len)
{
	struct json_object *resp, *v = NULL;
	int has_result, has_error;

	if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		abort();
	resp = json_tokener_parse(line);
	if (!json_object_is_type(resp, json_type_object) ||
	    !json_object_object_get_ex(resp, "jsonrpc", &v) ||
	    strcmp(json_object_get_string(v), "2.0") != 0 ||
	    !json_object_object_get_ex(resp, "id", NULL))
		abort();
	has_result = json_object_object_get_ex(resp, "result", &v) &&
	             json_object_is_type(v, json_type_object);
	has_error = json_object_object_get_ex(resp, "error", &v) &&
	            json_object_object_get_ex(v, "code", &v) &&
	            json_object_is_type(v, json_type_int);
	if (has_result == has_error)
		abort();
	json_object_put(resp);
}

static void handle(const char *line, size_t len)
{
	struct xd_reply r;

	if (writes_outside_sandbox(line, len))
		return;
	xd_rpc_handle(rpc, line, len, FAKE_NOW_MS, &r);
	if (r.park) {
		/* The deadline is reached at once: it must answer. */
		if (xd_park_poll(rpc, r.park, xd_park_deadline(r.park), &r) != 1)
			abort();
	}
	if (r.line)
		check_reply(r.line, r.len);
	free(r.line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (setup() < 0)
		abort();
	for (int n = 0; p < end && n < MAX_LINES; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		handle(p, len);
		p += len + 1;
	}
	return 0;
}
