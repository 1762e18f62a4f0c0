/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsd through its socket: every method, bad input, limits, many
 * clients, pipelining, long-polls, access control and restarts, each
 * against a real daemon process on the simulator backend.
 */
#include <check.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unistd.h>

#include "xdtest.h"

static struct xdt_daemon d;

static void start(const char *const *extra)
{
	memset(&d, 0, sizeof(d));
	ck_assert_msg(xdt_start(&d, extra) == 0, "xenopsd did not start");
}

/* Every test ends with a clean stop: exit status 0 (also under valgrind). */
static void stop_clean(void)
{
	ck_assert_int_eq(xdt_stop(&d), 0);
	xdt_cleanup(&d);
}

static void start_default(void)
{
	static const char *const extra[] = { "--debug-methods", NULL };

	start(extra);
}

static struct xdt_conn *client(void)
{
	struct xdt_conn *c = xdt_open(d.sock);

	ck_assert_msg(c != NULL, "cannot connect");
	return c;
}

/* add_vm_type C ID TYPE: a VM of TYPE ("pv" or "hvm"). */
static void add_vm_type(struct xdt_conn *c, const char *id, const char *type)
{
	struct json_object *r =
	        xdt_ok(c, "VM.add",
	               "{\"config\":{\"id\":\"%s\",\"name\":\"%s\",\"type\":\"%s\","
	               "\"memory_mib\":256,\"vcpus\":1}}",
	               id, id, type);

	ck_assert_str_eq(xdt_str(r, "id"), id);
	json_object_put(r);
}

static void add_vm(struct xdt_conn *c, const char *id)
{
	add_vm_type(c, id, "pv");
}

static int array_has(struct json_object *arr, const char *s)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return 1;
	return 0;
}

static const char *power(struct xdt_conn *c, const char *vm)
{
	static char state[32];
	struct json_object *r = xdt_ok(c, "VM.stat", "{\"id\":\"%s\"}", vm);

	snprintf(state, sizeof(state), "%s", xdt_str(r, "state.power_state"));
	json_object_put(r);
	return state;
}

static struct json_object *raw(struct xdt_conn *c, const char *line);

/* ---- methods ------------------------------------------------------------------ */

START_TEST(test_query)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	r = xdt_ok(c, "Query", NULL);
	ck_assert_str_eq(xdt_str(r, "name"), "xenopsd");
	ck_assert_str_eq(xdt_str(r, "backend"), "sim");
	ck_assert_str_ne(xdt_str(r, "version"), "");
	ck_assert_str_ne(xdt_str(r, "instance"), "");
	ck_assert(json_object_is_type(xdt_get(r, "features"), json_type_array));
	ck_assert(array_has(xdt_get(r, "methods"), "VM.start"));
	json_object_put(r);
	r = xdt_ok(c, "HOST.stat", NULL);
	ck_assert_str_eq(xdt_str(r, "backend"), "sim");
	ck_assert_int_gt(xdt_int(r, "nr_cpus"), 0);
	ck_assert_int_gt(xdt_int(r, "total_memory"), 0);
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

static void check_list(struct xdt_conn *c, const char *method, const char *params, const char *key,
                       const char *id, int present)
{
	struct json_object *r = xdt_ok(c, method, "%s", params);

	ck_assert_msg(array_has(xdt_get(r, key), id) == present, "%s: %s %s", method, id,
	              present ? "missing" : "still there");
	json_object_put(r);
}

static void definitions(struct xdt_conn *c)
{
	struct json_object *r;

	/* HVM: its CD drive's media changes live (the device model's drive). */
	add_vm_type(c, "vm1", "hvm");
	check_list(c, "VM.list", "{}", "vms", "vm1", 1);
	r = xdt_ok(c, "VM.get_config", "{\"id\":\"vm1\"}");
	ck_assert_int_eq(xdt_int(r, "config.memory_mib"), 256);
	json_object_put(r);
	ck_assert_str_eq(power(c, "vm1"), "Halted");

	r = xdt_ok(c, "VBD.add",
	           "{\"vm\":\"vm1\",\"config\":{\"device\":\"xvda\","
	           "\"backend\":\"file:/tmp/xdtest-disk.img\"}}");
	ck_assert_str_eq(xdt_str(r, "id"), "xvda");
	json_object_put(r);
	json_object_put(xdt_ok(c, "VBD.add",
	                       "{\"vm\":\"vm1\",\"config\":{\"device\":\"xvdc\","
	                       "\"kind\":\"cdrom\"}}"));
	check_list(c, "VBD.list", "{\"vm\":\"vm1\"}", "vbds", "xvda", 1);
	r = xdt_ok(c, "VBD.get_config", "{\"vm\":\"vm1\",\"id\":\"xvda\"}");
	ck_assert_str_eq(xdt_str(r, "config.backend"), "file:/tmp/xdtest-disk.img");
	json_object_put(r);

	r = xdt_ok(c, "VIF.add", "{\"vm\":\"vm1\",\"config\":{\"bridge\":\"xenbr0\"}}");
	ck_assert_str_eq(xdt_str(r, "id"), "0");
	json_object_put(r);
	check_list(c, "VIF.list", "{\"vm\":\"vm1\"}", "vifs", "0", 1);
	r = xdt_ok(c, "VIF.get_config", "{\"vm\":\"vm1\",\"id\":\"0\"}");
	ck_assert_str_eq(xdt_str(r, "config.bridge"), "xenbr0");
	json_object_put(r);

	r = xdt_ok(c, "PCI.add", "{\"vm\":\"vm1\",\"config\":{\"address\":\"0000:03:00.0\"}}");
	ck_assert_str_ne(xdt_str(r, "id"), "");
	json_object_put(r);
	check_list(c, "PCI.list", "{\"vm\":\"vm1\"}", "pcis", "0000:03:00.0", 1);
	json_object_put(xdt_ok(c, "PCI.get_config", "{\"vm\":\"vm1\",\"id\":\"0000:03:00.0\"}"));
}

static int plugged(struct xdt_conn *c, const char *kind, const char *id)
{
	char method[32];
	struct json_object *r, *v;
	int p;

	snprintf(method, sizeof(method), "%s.stat", kind);
	r = xdt_ok(c, method, "{\"vm\":\"vm1\",\"id\":\"%s\"}", id);
	v = xdt_get(r, "state.plugged");
	ck_assert_msg(json_object_is_type(v, json_type_boolean), "%s %s: no state.plugged", kind,
	              id);
	p = json_object_get_boolean(v);
	json_object_put(r);
	return p;
}

static void hotplug(struct xdt_conn *c)
{
	static const char *const kinds[][2] = { { "VBD", "xvda" },
		                                { "VIF", "0" },
		                                { "PCI", "0000:03:00.0" } };
	char method[32], iso[64];
	struct json_object *r;
	FILE *f;

	for (size_t i = 0; i < 3; i++) {
		ck_assert(plugged(c, kinds[i][0], kinds[i][1]));
		snprintf(method, sizeof(method), "%s.unplug", kinds[i][0]);
		ck_assert_str_eq(xdt_op(c, method, "{\"vm\":\"vm1\",\"id\":\"%s\",\"force\":%s}",
		                        kinds[i][1], i == 1 ? "true" : "false"),
		                 "completed");
		ck_assert(!plugged(c, kinds[i][0], kinds[i][1]));
		snprintf(method, sizeof(method), "%s.plug", kinds[i][0]);
		ck_assert_str_eq(xdt_op(c, method, "{\"vm\":\"vm1\",\"id\":\"%s\"}", kinds[i][1]),
		                 "completed");
		ck_assert(plugged(c, kinds[i][0], kinds[i][1]));
	}
	ck_assert_str_eq(
	        xdt_op(c, "VIF.set_carrier", "{\"vm\":\"vm1\",\"id\":\"0\",\"carrier\":false}"),
	        "completed");
	r = xdt_ok(c, "VIF.stat", "{\"vm\":\"vm1\",\"id\":\"0\"}");
	ck_assert(!json_object_get_boolean(xdt_get(r, "state.carrier")));
	json_object_put(r);
	/* The media must exist: an insert checks it before it queues. */
	snprintf(iso, sizeof(iso), "/tmp/xdtest-%d.iso", (int)getpid());
	ck_assert_int_eq(xdt_err(c, "VBD.insert",
	                         "{\"vm\":\"vm1\",\"id\":\"xvdc\",\"backend\":\"file:%s\"}", iso),
	                 -3); /* XENOPS_ENOTFOUND */
	f = fopen(iso, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_str_eq(xdt_op(c, "VBD.insert",
	                        "{\"vm\":\"vm1\",\"id\":\"xvdc\",\"backend\":\"file:%s\"}", iso),
	                 "completed");
	unlink(iso);
	r = xdt_ok(c, "VBD.stat", "{\"vm\":\"vm1\",\"id\":\"xvdc\"}");
	ck_assert(json_object_get_boolean(xdt_get(r, "state.media_present")));
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VBD.eject", "{\"vm\":\"vm1\",\"id\":\"xvdc\"}"), "completed");
}

static void power_cycle(struct xdt_conn *c, const char *dir)
{
	ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\":\"vm1\",\"paused\":true}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Paused");
	ck_assert_str_eq(xdt_op(c, "VM.unpause", "{\"id\":\"vm1\"}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Running");
	hotplug(c);
	ck_assert_str_eq(xdt_op(c, "VM.pause", "{\"id\":\"vm1\"}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Paused");
	ck_assert_str_eq(xdt_op(c, "VM.unpause", "{\"id\":\"vm1\"}"), "completed");
	ck_assert_str_eq(xdt_op(c, "VM.suspend", "{\"id\":\"vm1\",\"path\":\"%s/vm1.save\"}", dir),
	                 "completed");
	ck_assert_str_eq(power(c, "vm1"), "Suspended");
	ck_assert_str_eq(xdt_op(c, "VM.resume", "{\"id\":\"vm1\",\"path\":\"%s/vm1.save\"}", dir),
	                 "completed");
	ck_assert_str_eq(power(c, "vm1"), "Running");
	ck_assert_str_eq(xdt_op(c, "VM.reboot", "{\"id\":\"vm1\",\"timeout\":5}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Running");
	ck_assert_str_eq(xdt_op(c, "VM.shutdown", "{\"id\":\"vm1\",\"timeout\":5}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Halted");
	ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\":\"vm1\"}"), "completed");
	ck_assert_str_eq(xdt_op(c, "VM.destroy", "{\"id\":\"vm1\"}"), "completed");
	ck_assert_str_eq(power(c, "vm1"), "Halted");
}

static void tasks_and_updates(struct xdt_conn *c)
{
	struct json_object *r;
	char task[128], token[256];

	r = xdt_ok(c, "VM.start", "{\"id\":\"vm1\"}");
	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	check_list(c, "TASK.list", "{}", "tasks", task, 1);
	ck_assert_str_eq(xdt_wait_task(c, task), "completed");
	r = xdt_ok(c, "TASK.stat", "{\"id\":\"%s\"}", task);
	ck_assert_str_eq(xdt_str(r, "id"), task);
	ck_assert_str_eq(xdt_str(r, "state"), "completed");
	ck_assert(json_object_get_double(xdt_get(r, "progress")) > 0.99);
	json_object_put(r);
	/* Cancelling an ended task does nothing. */
	json_object_put(xdt_ok(c, "TASK.cancel", "{\"id\":\"%s\"}", task));
	json_object_put(xdt_ok(c, "TASK.destroy", "{\"id\":\"%s\"}", task));
	check_list(c, "TASK.list", "{}", "tasks", task, 0);
	ck_assert_int_eq(xdt_err(c, "TASK.stat", "{\"id\":\"%s\"}", task), -3);

	r = xdt_ok(c, "UPDATES.get", "{\"from\":null,\"timeout\":0}");
	snprintf(token, sizeof(token), "%s", xdt_str(r, "next"));
	ck_assert_int_gt(json_object_array_length(xdt_get(r, "updates")), 0);
	json_object_put(r);
	r = xdt_ok(c, "UPDATES.inject_barrier", "{\"vm\":\"vm1\"}");
	ck_assert_int_gt(xdt_int(r, "barrier"), 0);
	json_object_put(r);
	r = xdt_ok(c, "UPDATES.get", "{\"from\":\"%s\",\"timeout\":5}", token);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "barriers")), 1);
	ck_assert_str_eq(xdt_str(json_object_array_get_idx(xdt_get(r, "barriers"), 0), "vm"),
	                 "vm1");
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VM.shutdown", "{\"id\":\"vm1\",\"timeout\":0}"), "completed");
}

static void removals(struct xdt_conn *c)
{
	json_object_put(xdt_ok(c, "VBD.remove", "{\"vm\":\"vm1\",\"id\":\"xvda\"}"));
	check_list(c, "VBD.list", "{\"vm\":\"vm1\"}", "vbds", "xvda", 0);
	json_object_put(xdt_ok(c, "VIF.remove", "{\"vm\":\"vm1\",\"id\":\"0\"}"));
	check_list(c, "VIF.list", "{\"vm\":\"vm1\"}", "vifs", "0", 0);
	json_object_put(xdt_ok(c, "PCI.remove", "{\"vm\":\"vm1\",\"id\":\"0000:03:00.0\"}"));
	check_list(c, "PCI.list", "{\"vm\":\"vm1\"}", "pcis", "0000:03:00.0", 0);
	json_object_put(xdt_ok(c, "VM.remove", "{\"id\":\"vm1\"}"));
	check_list(c, "VM.list", "{}", "vms", "vm1", 0);
	ck_assert_int_eq(xdt_err(c, "VM.stat", "{\"id\":\"vm1\"}"), -3);
}

START_TEST(test_every_method)
{
	struct xdt_conn *c;

	start_default();
	c = client();
	definitions(c);
	power_cycle(c, d.dir);
	tasks_and_updates(c);
	removals(c);
	xdt_close(c);
	stop_clean();
}
END_TEST

/*
 * A configuration reaches the library as the request spelled it: spacing,
 * escapes, braces inside strings, and of two "config" members the last
 * (as for every other member) all give what a plain request gives.
 */
START_TEST(test_config_as_sent)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	r = raw(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
	           "{\"config\":{\"id\":\"a\"} , \"config\" : { \"id\" : \"b\" , "
	           "\"name\":\"n\\/x\\u0041\","
	           "\"xenstore\":{\"data/x\":\"{}[]\\\"}\"}}}}");
	ck_assert_str_eq(xdt_str(r, "result.id"), "b");
	json_object_put(r);
	r = xdt_ok(c, "VM.get_config", "{\"id\":\"b\"}");
	ck_assert_str_eq(xdt_str(r, "config.name"), "n/xA");
	ck_assert_str_eq(json_object_get_string(
	                         json_object_object_get(xdt_get(r, "config.xenstore"), "data/x")),
	                 "{}[]\"}");
	json_object_put(r);
	r = xdt_ok(c, "VM.list", NULL);
	ck_assert(!array_has(xdt_get(r, "vms"), "a"));
	json_object_put(r);
	r = raw(c, "{\"params\":{\"vm\":\"b\",\"config\":{\"device\":\"xvda\","
	           "\"backend\":\"file:/tmp/x\"}},\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"VBD.add\"}");
	ck_assert_str_eq(xdt_str(r, "result.id"), "xvda");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_library_errors)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	r = xdt_call(c, "VM.stat", "{\"id\":\"nope\"}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -3);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_ENOTFOUND");
	ck_assert_str_ne(xdt_str(r, "error.message"), "");
	json_object_put(r);
	/* Invalid configuration: the message names the field. */
	r = xdt_call(c, "VM.add", "{\"config\":{\"id\":\"x\",\"bogus\":1}}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -1);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "bogus"));
	json_object_put(r);
	add_vm(c, "dup");
	r = xdt_call(c, "VM.add", "{\"config\":{\"id\":\"dup\"}}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EEXIST");
	json_object_put(r);
	/* A state error is the task's: pausing a halted VM fails in the task. */
	r = xdt_ok(c, "VM.pause", "{\"id\":\"dup\"}");
	ck_assert_str_eq(xdt_wait_task(c, xdt_str(r, "task")), "failed");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

/* Long operations come from the simulator's delay knob (--debug-methods). */
static void slow_sim(struct xdt_conn *c, const char *ms)
{
	json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"sim.delay\",\"value\":\"%s\"}", ms));
}

START_TEST(test_task_wait_long_poll)
{
	struct xdt_conn *a, *b;
	struct json_object *r;
	char task[128];
	uint64_t t0;
	long id;

	start_default();
	a = client();
	b = client();
	add_vm(a, "slow");
	slow_sim(a, "100");
	r = xdt_ok(a, "VM.start", "{\"id\":\"slow\"}");
	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	/* A short wait ends with the task still pending, and its progress. */
	r = xdt_ok(a, "TASK.wait", "{\"id\":\"%s\",\"timeout\":0.05}", task);
	ck_assert_str_eq(xdt_str(r, "state"), "pending");
	ck_assert_str_eq(xdt_str(r, "id"), task);
	json_object_put(r);
	/* A long one parks; the other client is served meanwhile. */
	t0 = xdt_now_ms();
	id = xdt_request(a, "TASK.wait", "{\"id\":\"task-0\",\"timeout\":30}");
	r = xdt_reply(a, XDT_TIMEOUT_MS);
	ck_assert_int_eq(xdt_int(r, "id"), id);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_ENOTFOUND");
	json_object_put(r);
	{
		char params[192];

		snprintf(params, sizeof(params), "{\"id\":\"%s\",\"timeout\":30}", task);
		id = xdt_request(a, "TASK.wait", params);
	}
	for (int i = 0; i < 5; i++) {
		uint64_t q = xdt_now_ms();

		json_object_put(xdt_ok(b, "Query", NULL));
		ck_assert_msg(xdt_now_ms() - q < xdt_quick_ms(), "Query blocked behind a long-poll");
	}
	r = xdt_reply(a, 20000);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(xdt_int(r, "id"), id);
	ck_assert_str_eq(xdt_str(r, "result.state"), "completed");
	ck_assert_msg(xdt_now_ms() - t0 < 20000, "TASK.wait waited for its timeout");
	json_object_put(r);
	xdt_close(a);
	xdt_close(b);
	stop_clean();
}
END_TEST

START_TEST(test_task_cancel_and_failure)
{
	struct xdt_conn *c;
	struct json_object *r;
	char task[128];

	start_default();
	c = client();
	add_vm(c, "v");
	slow_sim(c, "300");
	r = xdt_ok(c, "VM.start", "{\"id\":\"v\"}");
	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	json_object_put(xdt_ok(c, "TASK.cancel", "{\"id\":\"%s\"}", task));
	ck_assert_str_eq(xdt_wait_task(c, task), "cancelled");
	r = xdt_ok(c, "TASK.stat", "{\"id\":\"%s\"}", task);
	ck_assert_str_eq(xdt_str(r, "error.name"), "XENOPS_ECANCELLED");
	json_object_put(r);
	slow_sim(c, "0");
	json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"fault.fail_atom\",\"value\":\"1\"}"));
	r = xdt_ok(c, "VM.start", "{\"id\":\"v\"}");
	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	ck_assert_str_eq(xdt_wait_task(c, task), "failed");
	r = xdt_ok(c, "TASK.stat", "{\"id\":\"%s\"}", task);
	ck_assert_int_eq(xdt_int(r, "error.code"), -10);
	ck_assert_str_eq(xdt_str(r, "error.name"), "XENOPS_EBACKEND");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_debug_methods_off_by_default)
{
	struct xdt_conn *c;

	start(NULL);
	c = client();
	ck_assert_int_eq(xdt_err(c, "DEBUG.set", "{\"key\":\"sim.delay\",\"value\":\"1\"}"),
	                 -32601);
	xdt_close(c);
	stop_clean();
}
END_TEST

/* ---- bad input ------------------------------------------------------------------ */

struct bad {
	const char *what;
	const char *line;
	int code;       /* expected error code */
	const char *in; /* the message must contain this (NULL: anything) */
};

static const struct bad bad_inputs[] = {
	{ "malformed JSON", "{\"jsonrpc\":\"2.0\",\"id\":1,", -32700, NULL },
	{ "trailing garbage", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\"} x", -32700,
	  NULL },
	{ "two objects", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\"}{}", -32700, NULL },
	{ "array", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\"}]", -32600, NULL },
	{ "number", "42", -32600, NULL },
	{ "string", "\"Query\"", -32600, NULL },
	{ "null", "null", -32600, NULL },
	{ "no version", "{\"id\":1,\"method\":\"Query\"}", -32600, "jsonrpc" },
	{ "bad version", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"Query\"}", -32600, "jsonrpc" },
	{ "no method", "{\"jsonrpc\":\"2.0\",\"id\":1}", -32600, "method" },
	{ "method not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", -32600, "method" },
	{ "id an object", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"Query\"}", -32600, "id" },
	{ "unknown method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.fly\"}", -32601,
	  "VM.fly" },
	{ "params an array",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":[\"a\"]}", -32602,
	  "params" },
	{ "missing param", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.start\",\"params\":{}}",
	  -32602, "'id'" },
	{ "wrong type",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.start\",\"params\":{\"id\":5}}", -32602,
	  "'id'" },
	{ "wrong bool",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.start\",\"params\":"
	  "{\"id\":\"a\",\"paused\":\"yes\"}}",
	  -32602, "'paused'" },
	{ "negative timeout",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.shutdown\",\"params\":"
	  "{\"id\":\"a\",\"timeout\":-1}}",
	  -32602, "'timeout'" },
	{ "fractional uint",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.shutdown\",\"params\":"
	  "{\"id\":\"a\",\"timeout\":1.5}}",
	  -32602, "'timeout'" },
	{ "string timeout",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"TASK.wait\",\"params\":"
	  "{\"id\":\"a\",\"timeout\":\"1\"}}",
	  -32602, "'timeout'" },
	{ "config not an object",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
	  "{\"config\":\"{}\"}}",
	  -32602, "'config'" },
	{ "unknown param",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.list\",\"params\":"
	  "{\"all\":true}}",
	  -32602, "'all'" },
	{ "from a number",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"UPDATES.get\",\"params\":"
	  "{\"from\":3,\"timeout\":0}}",
	  -32602, "'from'" },
	{ "bad token",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"UPDATES.get\",\"params\":"
	  "{\"from\":\"garbage\",\"timeout\":0}}",
	  -1, NULL },
	{ "bad id chars",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":"
	  "{\"id\":\"../etc\"}}",
	  -1, NULL },
	{ "invalid UTF-8",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":"
	  "{\"id\":\"\xff\xfe\"}}",
	  -32700, NULL },
};

START_TEST(test_bad_input)
{
	struct xdt_conn *c;

	start_default();
	c = client();
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct json_object *r;

		ck_assert_int_eq(xdt_send_str(c, b->line), 0);
		ck_assert_int_eq(xdt_send_str(c, "\n"), 0);
		r = xdt_reply(c, XDT_TIMEOUT_MS);
		ck_assert_msg(r != NULL, "%s: no reply", b->what);
		ck_assert_msg(xdt_int(r, "error.code") == b->code, "%s: got %s", b->what,
		              json_object_to_json_string(r));
		ck_assert_str_eq(xdt_str(r, "jsonrpc"), "2.0");
		if (b->in)
			ck_assert_msg(strstr(xdt_str(r, "error.message"), b->in),
			              "%s: message '%s'", b->what, xdt_str(r, "error.message"));
		json_object_put(r);
		/* The framing survived: the same connection still works... */
		json_object_put(xdt_ok(c, "Query", NULL));
		/* ...and so do the daemon and other clients. */
		xdt_assert_healthy(&d);
	}
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_binary_garbage)
{
	struct xdt_conn *c;
	char junk[4096];
	unsigned int seed = 12345;

	start_default();
	c = client();
	for (size_t i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (char)(seed >> 16);
		if (junk[i] == '\n')
			junk[i] = 0;
	}
	junk[sizeof(junk) - 1] = '\n';
	ck_assert_int_eq(xdt_send(c, junk, sizeof(junk)), 0);
	{
		struct json_object *r = xdt_reply(c, XDT_TIMEOUT_MS);

		ck_assert_int_eq(xdt_int(r, "error.code"), -32700);
		json_object_put(r);
	}
	/* NUL bytes inside an otherwise valid request are not ignored. */
	{
		static const char nul_line[] =
		        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\"}\0\n";

		ck_assert_int_eq(xdt_send(c, nul_line, sizeof(nul_line) - 1), 0);
	}
	{
		struct json_object *r = xdt_reply(c, XDT_TIMEOUT_MS);

		ck_assert_int_eq(xdt_int(r, "error.code"), -32700);
		json_object_put(r);
	}
	ck_assert_int_eq(xdt_err(c, "VM.list", NULL), 0);
	xdt_close(c);
	xdt_assert_healthy(&d);
	stop_clean();
}
END_TEST

START_TEST(test_deep_nesting)
{
	struct xdt_conn *c;
	static char deep[200002];
	struct json_object *r;

	start_default();
	c = client();
	for (int i = 0; i < 100000; i++) {
		deep[i] = '[';
		deep[100000 + i] = ']';
	}
	deep[200000] = '\n';
	ck_assert_int_eq(xdt_send(c, deep, 200001), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_int_eq(xdt_int(r, "error.code"), -32700);
	json_object_put(r);
	/* Deep inside params as well. */
	ck_assert_int_eq(
	        xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
	                        "{\"config\":"),
	        0);
	ck_assert_int_eq(xdt_send(c, deep, 100000), 0);
	ck_assert_int_eq(xdt_send_str(c, "}}\n"), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_int_eq(xdt_int(r, "error.code"), -32700);
	json_object_put(r);
	json_object_put(xdt_ok(c, "Query", NULL));
	xdt_close(c);
	xdt_assert_healthy(&d);
	stop_clean();
}
END_TEST

static void oversize(size_t max_line)
{
	struct xdt_conn *c;
	struct json_object *r;
	size_t n = max_line + 100;
	char *big = malloc(n);

	memset(big, ' ', n);
	memcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\",\"pad\":\"", 49);
	c = client();
	json_object_put(xdt_ok(c, "Query", NULL));
	/* No newline at all: the limit alone ends it. */
	ck_assert_int_eq(xdt_send(c, big, n), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_int_eq(xdt_int(r, "error.code"), -32600);
	ck_assert_str_eq(xdt_str(r, "error.message"), "request too large");
	ck_assert(xdt_get(r, "id") == NULL);
	json_object_put(r);
	ck_assert_msg(xdt_closed(c, XDT_TIMEOUT_MS), "connection left open");
	xdt_close(c);
	free(big);
	xdt_assert_healthy(&d);
}

START_TEST(test_oversize_default)
{
	start_default();
	oversize(1024 * 1024);
	stop_clean();
}
END_TEST

START_TEST(test_oversize_configured)
{
	static const char *const extra[] = { "--max-line", "4096", NULL };
	struct xdt_conn *c;
	char line[5000];

	start(extra);
	oversize(4096);
	/* A line just under the limit is served; one over with its newline is not. */
	c = client();
	memset(line, ' ', sizeof(line));
	memcpy(line, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"Query\"}", 41);
	line[4000] = '\n';
	ck_assert_int_eq(xdt_send(c, line, 4001), 0);
	{
		struct json_object *r = xdt_reply(c, XDT_TIMEOUT_MS);

		ck_assert_int_eq(xdt_int(r, "id"), 7);
		ck_assert_ptr_nonnull(xdt_get(r, "result"));
		json_object_put(r);
	}
	line[4000] = ' ';
	line[4999] = '\n';
	ck_assert_int_eq(xdt_send(c, line, 5000), 0);
	{
		struct json_object *r = xdt_reply(c, XDT_TIMEOUT_MS);

		ck_assert_int_eq(xdt_int(r, "error.code"), -32600);
		json_object_put(r);
	}
	ck_assert(xdt_closed(c, XDT_TIMEOUT_MS));
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_half_line_then_disconnect)
{
	start_default();
	for (int i = 0; i < 20; i++) {
		struct xdt_conn *c = client();

		ck_assert_int_eq(xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth"), 0);
		xdt_close(c);
	}
	/* Half a line then a half-close: the complete lines before it are answered. */
	{
		struct xdt_conn *c = client();
		struct json_object *r;

		ck_assert_int_eq(
		        xdt_send_str(c,
		                     "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"Query\"}\n{\"js"),
		        0);
		shutdown(c->fd, SHUT_WR);
		r = xdt_reply(c, XDT_TIMEOUT_MS);
		ck_assert_int_eq(xdt_int(r, "id"), 3);
		json_object_put(r);
		ck_assert(xdt_closed(c, XDT_TIMEOUT_MS));
		xdt_close(c);
	}
	xdt_assert_healthy(&d);
	stop_clean();
}
END_TEST

START_TEST(test_notifications)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	/* No id: acted upon, never answered; the next answer is the next request's. */
	ck_assert_int_eq(
	        xdt_send_str(
	                c,
	                "{\"jsonrpc\":\"2.0\",\"method\":\"VM.add\",\"params\":"
	                "{\"config\":{\"id\":\"n1\"}}}\n"
	                "{\"jsonrpc\":\"2.0\",\"method\":\"VM.start\",\"params\":{\"id\":\"n1\"}}\n"
	                "{\"jsonrpc\":\"2.0\",\"method\":\"Nope\"}\n"),
	        0);
	r = xdt_ok(c, "VM.list", NULL);
	ck_assert(array_has(xdt_get(r, "vms"), "n1"));
	json_object_put(r);
	/* A null id is an id: answered. */
	ck_assert_int_eq(
	        xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"Query\"}\n"), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_ptr_nonnull(xdt_get(r, "result"));
	json_object_put(r);
	/* String ids come back as they were. */
	ck_assert_int_eq(
	        xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"Query\"}\n"), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_str_eq(xdt_str(r, "id"), "abc");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

/* Send one raw line; its reply (which must come). */
static struct json_object *raw(struct xdt_conn *c, const char *line)
{
	struct json_object *r;

	ck_assert_int_eq(xdt_send_str(c, line), 0);
	ck_assert_int_eq(xdt_send_str(c, "\n"), 0);
	r = xdt_reply(c, XDT_TIMEOUT_MS);
	ck_assert_msg(r != NULL, "no reply to %s", line);
	return r;
}

/* The reply to @line is error @code; with @param, data.param is it. */
static void raw_error(struct xdt_conn *c, const char *line, int code, const char *param)
{
	struct json_object *r = raw(c, line);

	ck_assert_msg(xdt_int(r, "error.code") == code, "%s: got %s", line,
	              json_object_to_json_string(r));
	if (param)
		ck_assert_msg(strcmp(xdt_str(r, "error.data.param"), param) == 0, "%s: got %s",
		              line, json_object_to_json_string(r));
	json_object_put(r);
}

/*
 * "\u0000" is valid JSON, but every string past the socket is a C string:
 * a NUL anywhere in a request must refuse it, never cut the string short.
 */
START_TEST(test_nul_strings)
{
	static const struct {
		const char *line;
		int code;
		const char *param;
	} cases[] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.remove\",\"params\":"
		  "{\"id\":\"web\\u0000/../x\"}}",
		  -32602, "id" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":"
		  "{\"id\":\"web\\u0000x\"}}",
		  -32602, "id" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VBD.insert\",\"params\":"
		  "{\"vm\":\"web\",\"id\":\"cd\",\"backend\":\"file:/tmp/iso\\u0000/../../etc/shadow\"}}",
		  -32602, "backend" },
		/* In a parameter's name: json-c would cut it to a known one. */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":"
		  "{\"id\\u0000zz\":\"web\"}}",
		  -32602, "id" },
		/* Anywhere in a configuration: values, nested values, names. */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
		  "{\"config\":{\"id\":\"w2\",\"name\":\"a\\u0000b\"}}}",
		  -32602, "config" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
		  "{\"config\":{\"id\":\"w2\",\"xenstore\":{\"k\":\"v\\u0000x\"}}}}",
		  -32602, "config" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
		  "{\"config\":{\"id\":\"w2\",\"xenstore\":{\"k\\u0000x\":\"v\"}}}}",
		  -32602, "config" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":"
		  "{\"config\":{\"id\\u0000x\":\"w2\"}}}",
		  -32602, "config" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VBD.add\",\"params\":"
		  "{\"vm\":\"web\",\"config\":{\"id\":\"d\",\"backend\":\"file:/x\\u0000y\"}}}",
		  -32602, "config" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"DEBUG.set\",\"params\":"
		  "{\"key\":\"sim.delay\",\"value\":\"0\\u0000\"}}",
		  -32602, "value" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"UPDATES.get\",\"params\":"
		  "{\"from\":\"x\\u0000\",\"timeout\":0}}",
		  -32602, "from" },
		/* The envelope. */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\\u0000x\"}", -32600, NULL },
		{ "{\"jsonrpc\":\"2.0\\u0000x\",\"id\":1,\"method\":\"Query\"}", -32600, NULL },
		{ "{\"jsonrpc\\u0000x\":\"2.0\",\"id\":1,\"method\":\"Query\"}", -32600, NULL },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\",\"x\":[\"\\u0000\"]}", -32600,
		  NULL },
	};
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	add_vm(c, "web");
	json_object_put(xdt_ok(c, "VBD.add",
	                       "{\"vm\":\"web\",\"config\":{\"id\":\"cd\",\"device\":\"xvdc\","
	                       "\"kind\":\"cdrom\",\"backend\":\"file:/tmp/iso\"}}"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		raw_error(c, cases[i].line, cases[i].code, cases[i].param);
	/* An id holding a NUL cannot be echoed: the answer has id null. */
	r = raw(c, "{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0000b\",\"method\":\"Query\"}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -32600);
	ck_assert(json_object_object_get_ex(r, "id", NULL) && xdt_get(r, "id") == NULL);
	json_object_put(r);
	/* An escaped backslash before "u0000" is no NUL. */
	r = raw(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\",\"x\":\"\\\\u0000\"}");
	ck_assert_ptr_nonnull(xdt_get(r, "result"));
	json_object_put(r);
	/* Nothing happened: the VM is there, the disk keeps its backend, no w2. */
	ck_assert_str_eq(power(c, "web"), "Halted");
	r = xdt_ok(c, "VM.list", NULL);
	ck_assert(!array_has(xdt_get(r, "vms"), "w2"));
	json_object_put(r);
	r = xdt_ok(c, "VBD.get_config", "{\"vm\":\"web\",\"id\":\"cd\"}");
	ck_assert_str_eq(xdt_str(r, "config.backend"), "file:/tmp/iso");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

/*
 * JSON-RPC 2.0: what is not a valid request object is answered with -32600
 * and id null, even without an id; a valid notification is never answered.
 */
START_TEST(test_invalid_request_objects)
{
	static const char *const invalid[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}",
		"{}",
		"{\"jsonrpc\":\"2.0\"}",
		"{\"method\":\"Query\"}",
		"[]",
		"[1,2]",
		"1",
		"[{\"jsonrpc\":\"2.0\",\"method\":\"Query\",\"id\":1}]",
	};
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		r = raw(c, invalid[i]);
		ck_assert_msg(xdt_int(r, "error.code") == -32600, "%s: got %s", invalid[i],
		              json_object_to_json_string(r));
		ck_assert_msg(json_object_object_get_ex(r, "id", NULL) && !xdt_get(r, "id"),
		              "%s: id not null", invalid[i]);
		json_object_put(r);
	}
	/* params of the wrong type: -32602, answered with id null as well. */
	r = raw(c, "{\"jsonrpc\":\"2.0\",\"method\":\"VM.list\",\"params\":[]}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -32602);
	ck_assert(json_object_object_get_ex(r, "id", NULL) && !xdt_get(r, "id"));
	json_object_put(r);
	/* Valid request objects without id stay unanswered, also when they fail:
	 * the next line is the Query's answer. */
	ck_assert_int_eq(xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"method\":\"VM.fly\"}\n"
	                                 "{\"jsonrpc\":\"2.0\",\"method\":\"VM.list\","
	                                 "\"params\":{\"all\":1}}\n"),
	                 0);
	r = raw(c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"Query\"}");
	ck_assert_int_eq(xdt_int(r, "id"), 5);
	json_object_put(r);
	/* Every -32602 names its parameter: unknown, missing, mistyped. */
	raw_error(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.list\",\"params\":{\"all\":1}}",
	          -32602, "all");
	raw_error(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":{}}", -32602,
	          "id");
	raw_error(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":{\"id\":1}}",
	          -32602, "id");
	xdt_close(c);
	stop_clean();
}
END_TEST

/* docs/rpc.md: nesting deeper than 32 is a parse error; 32 is served. */
static char *nested(int levels, int with_scalar)
{
	const char *head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\",\"x\":";
	char *s = malloc(strlen(head) + 2 * (size_t)levels + 8);
	size_t n = strlen(head);

	memcpy(s, head, n);
	/* The request object is the first level. */
	for (int i = 1; i < levels; i++)
		s[n++] = '[';
	if (with_scalar)
		s[n++] = '7';
	for (int i = 1; i < levels; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

START_TEST(test_nesting_boundary)
{
	struct xdt_conn *c;

	start_default();
	c = client();
	for (int scalar = 0; scalar <= 1; scalar++) {
		char *ok = nested(32, scalar), *deep = nested(33, scalar);
		struct json_object *r = raw(c, ok);

		ck_assert_msg(xdt_get(r, "result") != NULL, "32 levels refused: %s",
		              json_object_to_json_string(r));
		json_object_put(r);
		raw_error(c, deep, -32700, NULL);
		free(ok);
		free(deep);
	}
	xdt_close(c);
	stop_clean();
}
END_TEST

/* ---- many clients ------------------------------------------------------------------- */

START_TEST(test_pipelining)
{
	struct xdt_conn *c;
	char *batch = NULL;
	size_t len = 0;
	FILE *f;
	const int n = 300;

	start_default();
	c = client();
	f = open_memstream(&batch, &len);
	for (int i = 1; i <= n; i++) {
		if (i % 3 == 0)
			fprintf(f,
			        "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VM.stat\",\"params\":"
			        "{\"id\":\"none\"}}\n",
			        i);
		else if (i % 3 == 1)
			fprintf(f, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"Query\"}\n", i);
		else
			fprintf(f,
			        "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VM.add\",\"params\":"
			        "{\"config\":{\"id\":\"p%d\"}}}\n",
			        i, i);
	}
	fclose(f);
	/* One write: many requests arrive in one read on the daemon's side. */
	ck_assert_int_eq(xdt_send(c, batch, len), 0);
	free(batch);
	for (int i = 1; i <= n; i++) {
		struct json_object *r = xdt_reply(c, XDT_TIMEOUT_MS);

		ck_assert_msg(r != NULL, "reply %d missing", i);
		ck_assert_int_eq(xdt_int(r, "id"), i);
		if (i % 3 == 0)
			ck_assert_int_eq(xdt_int(r, "error.code"), -3);
		else if (i % 3 == 2)
			ck_assert_int_eq(atoi(xdt_str(r, "result.id") + 1), i);
		json_object_put(r);
	}
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_hundred_clients)
{
	struct xdt_conn *c[100];

	start_default();
	for (int i = 0; i < 100; i++)
		c[i] = client();
	/* Everybody asks before anybody reads. */
	for (int i = 0; i < 100; i++) {
		char params[96];

		snprintf(params, sizeof(params), "{\"config\":{\"id\":\"c%d\"}}", i);
		xdt_request(c[i], "VM.add", params);
	}
	for (int i = 0; i < 100; i++) {
		struct json_object *r = xdt_reply(c[i], XDT_TIMEOUT_MS);
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		ck_assert_msg(r != NULL, "client %d got no reply", i);
		ck_assert_str_eq(xdt_str(r, "result.id"), id);
		json_object_put(r);
	}
	{
		struct json_object *r = xdt_ok(c[0], "VM.list", NULL);

		ck_assert_int_eq(json_object_array_length(xdt_get(r, "vms")), 100);
		json_object_put(r);
	}
	for (int i = 0; i < 100; i++)
		xdt_close(c[i]);
	stop_clean();
}
END_TEST

START_TEST(test_max_clients)
{
	static const char *const extra[] = { "--max-clients", "3", NULL };
	struct xdt_conn *c[3], *extra_c;
	struct json_object *r;

	start(extra);
	for (int i = 0; i < 3; i++) {
		c[i] = client();
		json_object_put(xdt_ok(c[i], "Query", NULL)); /* accepted for sure */
	}
	extra_c = client();
	r = xdt_reply(extra_c, XDT_TIMEOUT_MS);
	ck_assert_int_eq(xdt_int(r, "error.code"), -6);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EBUSY");
	json_object_put(r);
	ck_assert(xdt_closed(extra_c, XDT_TIMEOUT_MS));
	xdt_close(extra_c);
	/* A freed slot can be used again. */
	xdt_close(c[0]);
	for (int tries = 0;; tries++) {
		struct xdt_conn *n = client();

		/* Until the daemon has seen the close, a newcomer is refused. */
		xdt_request(n, "Query", NULL);
		r = xdt_reply(n, XDT_TIMEOUT_MS);
		if (xdt_get(r, "result")) {
			json_object_put(r);
			xdt_close(n);
			break;
		}
		json_object_put(r);
		xdt_close(n);
		ck_assert_int_lt(tries, 50);
		usleep(20000);
	}
	xdt_close(c[1]);
	xdt_close(c[2]);
	stop_clean();
}
END_TEST

static char *initial_token(struct xdt_conn *c)
{
	struct json_object *r = xdt_ok(c, "UPDATES.get", "{\"from\":null,\"timeout\":0}");
	char *t = strdup(xdt_str(r, "next"));

	json_object_put(r);
	return t;
}

START_TEST(test_long_poll_updates)
{
	struct xdt_conn *a, *b;
	struct json_object *r, *ups;
	char params[512];
	char *token;
	long id;
	int found = 0;

	start_default();
	a = client();
	b = client();
	token = initial_token(a);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":30}", token);
	id = xdt_request(a, "UPDATES.get", params);
	/* Nothing changed: no answer yet, while b is served. */
	for (int i = 0; i < 5; i++)
		json_object_put(xdt_ok(b, "VM.list", NULL));
	ck_assert_ptr_null(xdt_line(a, 200));
	add_vm(b, "lp");
	r = xdt_reply(a, 5000);
	ck_assert_msg(r != NULL, "long-poll not answered after a change");
	ck_assert_int_eq(xdt_int(r, "id"), id);
	ups = xdt_get(r, "result.updates");
	for (size_t i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);

		found |= strcmp(xdt_str(u, "kind"), "vm") == 0 &&
		         strcmp(xdt_str(u, "id"), "lp") == 0;
	}
	ck_assert_msg(found, "the new VM is not in %s", json_object_to_json_string(r));
	ck_assert_str_ne(xdt_str(r, "result.next"), token);
	json_object_put(r);
	/* Requests pipelined behind a parked one wait for it, in order. */
	free(token);
	token = initial_token(a);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":0.3}", token);
	id = xdt_request(a, "UPDATES.get", params);
	xdt_request(a, "Query", NULL);
	r = xdt_reply(a, 5000);
	ck_assert_int_eq(xdt_int(r, "id"), id);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "result.updates")), 0);
	json_object_put(r);
	r = xdt_reply(a, 5000);
	ck_assert_int_eq(xdt_int(r, "id"), id + 1);
	json_object_put(r);
	free(token);
	xdt_close(a);
	xdt_close(b);
	stop_clean();
}
END_TEST

static uint64_t park_stat(struct xdt_conn *c, const char *which)
{
	struct json_object *r = xdt_ok(c, "DEBUG.stats", NULL);
	uint64_t v = (uint64_t)xdt_int(r, which);

	json_object_put(r);
	return v;
}

/*
 * A change wakes only the long-polls it concerns, once: N parked
 * UPDATES.get are retried and answered N times for one new VM, while the
 * TASK.wait parked on an unrelated task are not even retried.
 */
START_TEST(test_long_poll_wakes_concerned_only)
{
	enum { N = 20, M = 20 };
	struct xdt_conn *ctl, *ups[N], *waits[M];
	struct json_object *r;
	char params[512], task[128];
	char *token;
	uint64_t retried, answered;

	start_default();
	ctl = client();
	/* A task that stays pending without events: a clean shutdown of a
	 * guest that ignores the request. */
	add_vm(ctl, "g");
	ck_assert_str_eq(xdt_op(ctl, "VM.start", "{\"id\":\"g\"}"), "completed");
	json_object_put(xdt_ok(ctl, "DEBUG.set", "{\"key\":\"sim.shutdown_ack\",\"value\":\"0\"}"));
	r = xdt_ok(ctl, "VM.shutdown", "{\"id\":\"g\",\"timeout\":60}");
	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	usleep(300 * 1000);
	for (int i = 0; i < M; i++) {
		waits[i] = client();
		snprintf(params, sizeof(params), "{\"id\":\"%s\",\"timeout\":30}", task);
		xdt_request(waits[i], "TASK.wait", params);
	}
	token = initial_token(ctl);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":30}", token);
	for (int i = 0; i < N; i++) {
		ups[i] = client();
		xdt_request(ups[i], "UPDATES.get", params);
	}
	/* Everybody parked (the last client's answer would be there by now). */
	ck_assert_ptr_null(xdt_line(ups[N - 1], 300));
	ck_assert_ptr_null(xdt_line(waits[M - 1], 10));
	retried = park_stat(ctl, "parks_retried");
	answered = park_stat(ctl, "parks_answered");
	add_vm(ctl, "x");
	for (int i = 0; i < N; i++) {
		r = xdt_reply(ups[i], XDT_TIMEOUT_MS);
		ck_assert_msg(r && xdt_get(r, "result.updates"), "client %d not answered", i);
		json_object_put(r);
	}
	for (int i = 0; i < M; i++)
		ck_assert_ptr_null(xdt_line(waits[i], i ? 0 : 200));
	ck_assert_int_eq(park_stat(ctl, "parks_answered") - answered, N);
	ck_assert_int_eq(park_stat(ctl, "parks_retried") - retried, N);
	/* The task ending wakes its waiters: M answers more. */
	json_object_put(xdt_ok(ctl, "VM.destroy", "{\"id\":\"g\"}"));
	for (int i = 0; i < M; i++) {
		r = xdt_reply(waits[i], XDT_TIMEOUT_MS);
		ck_assert_msg(r && xdt_get(r, "result.state"), "waiter %d not answered", i);
		ck_assert_str_ne(xdt_str(r, "result.state"), "pending");
		json_object_put(r);
		xdt_close(waits[i]);
	}
	ck_assert_int_eq(park_stat(ctl, "parks_answered") - answered, N + M);
	for (int i = 0; i < N; i++)
		xdt_close(ups[i]);
	free(token);
	xdt_close(ctl);
	stop_clean();
}
END_TEST

/*
 * The listeners parked at one token get one answer made once, and that
 * answer is not served stale: a VM.add pipelined before an UPDATES.get
 * from the same token on one connection (both handled in one loop turn)
 * shows in the second answer; string and number ids come back as sent;
 * an empty answer is never handed to a caller that would park.
 */
START_TEST(test_long_poll_shared_answer_fresh)
{
	enum { N = 5 };
	struct xdt_conn *ctl, *ups[N];
	char line[1024], *first = NULL, *l, *token;
	struct json_object *r;

	start_default();
	ctl = client();
	token = initial_token(ctl);
	/* An empty answer (timeout 0) is not served to the next caller. */
	r = xdt_ok(ctl, "UPDATES.get", "{\"from\":\"%s\",\"timeout\":0}", token);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "updates")), 0);
	json_object_put(r);
	for (int i = 0; i < N; i++) {
		ups[i] = client();
		snprintf(line, sizeof(line),
		         "{\"jsonrpc\":\"2.0\",\"id\":\"up-%d\",\"method\":\"UPDATES.get\","
		         "\"params\":{\"from\":\"%s\",\"timeout\":30}}\n",
		         i, token);
		ck_assert_int_eq(xdt_send_str(ups[i], line), 0);
	}
	ck_assert_ptr_null(xdt_line(ups[N - 1], 300));
	add_vm(ctl, "x");
	for (int i = 0; i < N; i++) {
		char id[32], *res;

		l = xdt_line(ups[i], XDT_TIMEOUT_MS);
		ck_assert_msg(l != NULL, "listener %d not answered", i);
		snprintf(id, sizeof(id), "\"id\":\"up-%d\"", i);
		ck_assert_msg(strstr(l, id) && strstr(l, "\"id\":\"x\""), "listener %d: %s", i, l);
		/* Every listener's result is the same text. */
		res = strstr(l, "\"result\":");
		ck_assert_ptr_nonnull(res);
		if (!first)
			first = strdup(res);
		else
			ck_assert_str_eq(res, first);
		free(l);
	}
	/* One send: VM.add y, then UPDATES.get from the same token. */
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.add\",\"params\":{\"config\":"
	         "{\"id\":\"y\",\"name\":\"y\",\"memory_mib\":256,\"vcpus\":1}}}\n"
	         "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"UPDATES.get\","
	         "\"params\":{\"from\":\"%s\",\"timeout\":0}}\n",
	         token);
	ck_assert_int_eq(xdt_send_str(ctl, line), 0);
	r = xdt_reply(ctl, XDT_TIMEOUT_MS);
	ck_assert_str_eq(xdt_str(r, "result.id"), "y");
	json_object_put(r);
	l = xdt_line(ctl, XDT_TIMEOUT_MS);
	ck_assert_ptr_nonnull(l);
	ck_assert_msg(strncmp(l, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{", 34) == 0, "%s", l);
	ck_assert_msg(strstr(l, "\"id\":\"x\"") && strstr(l, "\"id\":\"y\""), "stale answer: %s", l);
	free(l);
	free(first);
	for (int i = 0; i < N; i++)
		xdt_close(ups[i]);
	free(token);
	xdt_close(ctl);
	stop_clean();
}
END_TEST

START_TEST(test_long_poll_timeout)
{
	struct xdt_conn *c;
	struct json_object *r;
	char *token;
	uint64_t t0;

	start_default();
	c = client();
	token = initial_token(c);
	t0 = xdt_now_ms();
	r = xdt_ok(c, "UPDATES.get", "{\"from\":\"%s\",\"timeout\":0.5}", token);
	ck_assert_uint_ge(xdt_now_ms() - t0, 450);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "updates")), 0);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "barriers")), 0);
	json_object_put(r);
	free(token);
	xdt_close(c);
	stop_clean();
}
END_TEST

START_TEST(test_disconnect_mid_long_poll)
{
	struct xdt_conn *c[10], *b;
	char params[512];
	char *token;

	start_default();
	b = client();
	token = initial_token(b);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":60}", token);
	for (int i = 0; i < 10; i++) {
		c[i] = client();
		xdt_request(c[i], "UPDATES.get", params);
		xdt_request(c[i], "Query", NULL); /* queued behind the park */
	}
	for (int i = 0; i < 10; i++) {
		char *line = xdt_line(c[i], 300);

		ck_assert_msg(line == NULL, "client %d not parked: %s", i, line);
	}
	for (int i = 0; i < 10; i++)
		xdt_close(c[i]);
	/* A change retries the parks of gone clients; nothing may break. */
	add_vm(b, "after");
	xdt_assert_healthy(&d);
	free(token);
	xdt_close(b);
	stop_clean(); /* under valgrind: no leak, exit 0 */
}
END_TEST

START_TEST(test_slow_reader)
{
	struct xdt_conn *slow, *fast;
	char *batch = NULL;
	size_t len = 0;
	FILE *f;
	const int n = 3000;

	start_default();
	slow = client();
	fast = client();
	f = open_memstream(&batch, &len);
	for (int i = 1; i <= n; i++)
		fprintf(f, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"Query\"}\n", i);
	fclose(f);
	/* Several MB of answers that nobody reads for now. */
	ck_assert_int_eq(xdt_send(slow, batch, len), 0);
	free(batch);
	for (int i = 0; i < 10; i++) {
		uint64_t t0 = xdt_now_ms();

		json_object_put(xdt_ok(fast, "Query", NULL));
		ck_assert_msg(xdt_now_ms() - t0 < xdt_quick_ms(),
			      "a slow reader blocked another client");
	}
	for (int i = 1; i <= n; i++) {
		struct json_object *r = xdt_reply(slow, XDT_TIMEOUT_MS);

		ck_assert_msg(r != NULL, "reply %d lost", i);
		ck_assert_int_eq(xdt_int(r, "id"), i);
		json_object_put(r);
	}
	xdt_close(slow);
	xdt_close(fast);
	stop_clean();
}
END_TEST

START_TEST(test_idle_timeout)
{
	static const char *const extra[] = { "--idle-timeout", "1", NULL };
	struct xdt_conn *idle, *parked;
	char params[512];
	char *token;
	struct json_object *r;

	start(extra);
	idle = client();
	parked = client();
	token = initial_token(parked);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":2.5}", token);
	xdt_request(parked, "UPDATES.get", params);
	ck_assert_msg(xdt_closed(idle, 1000 + xdt_quick_ms()), "idle client not closed");
	/* A client waiting on a long-poll is not idle. */
	r = xdt_reply(parked, 5000);
	ck_assert_ptr_nonnull(xdt_get(r, "result"));
	json_object_put(r);
	free(token);
	xdt_close(idle);
	xdt_close(parked);
	stop_clean();
}
END_TEST

/* ---- access --------------------------------------------------------------------------- */

START_TEST(test_socket_mode)
{
	struct stat st;

	start_default();
	ck_assert_int_eq(lstat(d.sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_uid, getuid());
	stop_clean();
}
END_TEST

/* A group that exists and is not ours, for --group; NULL if none. */
static struct group *other_group(void)
{
	struct group *g;

	setgrent();
	while ((g = getgrent()))
		if (g->gr_gid != getgid() && g->gr_gid != 0)
			break;
	endgrent();
	return g;
}

START_TEST(test_socket_group)
{
	struct group *g = other_group();
	const char *extra[] = { "--group", NULL, NULL };
	char name[64];
	gid_t gid;
	struct stat st;

	if (!g)
		return; /* no second group on this machine: nothing to check */
	snprintf(name, sizeof(name), "%s", g->gr_name);
	gid = g->gr_gid;
	extra[1] = name;
	start(extra);
	ck_assert_int_eq(lstat(d.sock, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0660);
	if (getuid() == 0)
		ck_assert_int_eq(st.st_gid, gid);
	stop_clean();
}
END_TEST

/* As another user (needs root): what the daemon tells a connecting client. */
static int connect_as(const char *sock, uid_t uid, gid_t gid, char *reply, size_t size)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	int status;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		struct xdt_conn *c;
		char *line;

		close(p[0]);
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		c = xdt_open(sock);
		if (!c)
			_exit(3);
		xdt_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Query\"}\n");
		line = xdt_line(c, XDT_TIMEOUT_MS);
		if (line && write(p[1], line, strlen(line)) < 0)
			_exit(4);
		_exit(xdt_closed(c, XDT_TIMEOUT_MS) ? 10 : 11);
	}
	close(p[1]);
	n = read(p[0], reply, size - 1);
	reply[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_peer_credentials)
{
	struct group *g;
	char reply[4096], name[64];
	const char *extra[] = { "--group", NULL, NULL };
	struct json_object *r;
	gid_t gid;

	if (getuid() != 0)
		return; /* needs root to act as another user */
	g = other_group();
	ck_assert_ptr_nonnull(g);
	snprintf(name, sizeof(name), "%s", g->gr_name);
	gid = g->gr_gid;
	extra[1] = name;
	start(extra);
	/* Open the way so that only the credential check stands in it. */
	ck_assert_int_eq(chmod(d.dir, 0711), 0);
	ck_assert_int_eq(chmod(d.sock, 0666), 0);
	ck_assert_int_eq(connect_as(d.sock, 65534, 65534, reply, sizeof(reply)), 10);
	r = json_tokener_parse(reply);
	ck_assert_msg(r != NULL, "refused client got '%s'", reply);
	ck_assert_int_eq(xdt_int(r, "error.code"), -16);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EPERM");
	json_object_put(r);
	/* A member of --group is served. */
	ck_assert_int_eq(connect_as(d.sock, 65534, gid, reply, sizeof(reply)), 11);
	r = json_tokener_parse(reply);
	ck_assert_str_eq(xdt_str(r, "result.name"), "xenopsd");
	json_object_put(r);
	xdt_assert_healthy(&d);
	stop_clean();
}
END_TEST

START_TEST(test_stale_and_live_socket)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xdt_daemon second;
	int fd;

	/* A socket file nobody listens on (a daemon that was killed). */
	memset(&d, 0, sizeof(d));
	snprintf(d.dir, sizeof(d.dir), "/tmp/xdtest-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d.dir));
	ck_assert_int_lt(snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/xenopsd.sock", d.dir),
	                 (int)sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	xdt_assert_healthy(&d);
	/* A second daemon on the same path refuses to start and leaves it alone. */
	second = d;
	second.pid = 0;
	xdt_start(&second, NULL); /* connects to the first one: no verdict */
	ck_assert_int_eq(xdt_wait_exit(&second, XDT_TIMEOUT_MS), 1);
	xdt_assert_healthy(&d);
	stop_clean();
}
END_TEST

START_TEST(test_sigterm)
{
	struct stat st;
	struct xdt_conn *c;
	char *token;
	char params[512];

	start_default();
	c = client();
	/* Stopping with a task running and a client parked. */
	add_vm(c, "t");
	slow_sim(c, "200");
	json_object_put(xdt_ok(c, "VM.start", "{\"id\":\"t\"}"));
	token = initial_token(c);
	snprintf(params, sizeof(params), "{\"from\":\"%s\",\"timeout\":60}", token);
	xdt_request(c, "UPDATES.get", params);
	ck_assert_int_eq(xdt_stop(&d), 0);
	ck_assert_int_ne(lstat(d.sock, &st), 0);
	ck_assert(xdt_closed(c, XDT_TIMEOUT_MS));
	free(token);
	xdt_close(c);
	xdt_cleanup(&d);
}
END_TEST

/* ---- restart ------------------------------------------------------------------------ */

static char *instance(void)
{
	struct xdt_conn *c = client();
	struct json_object *r = xdt_ok(c, "Query", NULL);
	char *s = strdup(xdt_str(r, "instance"));

	json_object_put(r);
	xdt_close(c);
	return s;
}

START_TEST(test_restart_resync)
{
	struct xdt_conn *c;
	struct json_object *r;
	char *before, *after, *token;

	start_default();
	c = client();
	add_vm(c, "keep");
	token = initial_token(c);
	xdt_close(c);
	before = instance();
	ck_assert_int_eq(xdt_stop(&d), 0);
	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	after = instance();
	ck_assert_str_ne(before, after);
	c = client();
	r = xdt_call(c, "UPDATES.get", "{\"from\":\"%s\",\"timeout\":1}", token);
	ck_assert_int_eq(xdt_int(r, "error.code"), -12);
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_ERESYNC");
	json_object_put(r);
	/* The explicit resync works. */
	json_object_put(xdt_ok(c, "UPDATES.get", "{\"from\":null,\"timeout\":0}"));
	xdt_close(c);
	free(before);
	free(after);
	free(token);
	stop_clean();
}
END_TEST

/*
 * Persistence across restarts belongs to the store, being written in
 * another issue: this check runs as its own CTest test, which reports
 * "skipped" (exit 77) while VMs do not survive a restart.
 */
static int persistence_skipped;

START_TEST(test_persistence)
{
	struct xdt_conn *c;
	struct json_object *r;
	int kept;

	start(NULL);
	c = client();
	add_vm(c, "persist");
	xdt_close(c);
	ck_assert_int_eq(xdt_stop(&d), 0);
	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	c = client();
	r = xdt_ok(c, "VM.list", NULL);
	kept = array_has(xdt_get(r, "vms"), "persist");
	json_object_put(r);
	if (kept)
		ck_assert_str_eq(power(c, "persist"), "Halted");
	xdt_close(c);
	stop_clean();
	persistence_skipped = !kept;
}
END_TEST

/*
 * kill -9 in the middle of operations, restart on the same state: the
 * recovery promise through the daemon. Each VM ends as its operation
 * wanted or cleanly shut down, the simulated host holds exactly the
 * domains of the running VMs, and every VM can be driven again.
 */
static long long free_memory(struct xdt_conn *c)
{
	struct json_object *r = xdt_ok(c, "HOST.stat", NULL);
	long long v = xdt_int(r, "free_memory");

	json_object_put(r);
	return v;
}

START_TEST(test_kill9_recovery)
{
	static const char *const extra[] = { "--debug-methods", NULL };
	static const char *const ops[] = { "VM.start", "VM.shutdown", "VM.reboot", "VM.pause" };
	struct xdt_conn *c;
	struct json_object *r;
	long long total;
	int status;

	start(extra);
	c = client();
	add_vm(c, "k");
	json_object_put(xdt_ok(c, "VBD.add", "{\"vm\":\"k\",\"config\":{\"device\":\"xvda\",\"backend\":\"file:/k\"}}"));
	total = free_memory(c);
	xdt_close(c);
	for (size_t round = 0; round < 3 * sizeof(ops) / sizeof(ops[0]); round++) {
		const char *op = ops[round % 4], *st;
		int running;

		c = client();
		/* Bring the VM to where the operation starts, at full speed. */
		json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"sim.delay\",\"value\":\"0\"}"));
		if (strcmp(op, "VM.start"))
			ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\":\"k\"}"), "completed");
		/* Then slowly, and kill the daemon part-way through. */
		json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"sim.delay\",\"value\":\"40\"}"));
		r = xdt_ok(c, op, "{\"id\":\"k\"}");
		json_object_put(r);
		usleep((useconds_t)(10000 + 25000 * (round / 4)));
		kill(d.pid, SIGKILL);
		waitpid(d.pid, &status, 0);
		d.pid = 0;
		xdt_close(c);

		ck_assert_int_eq(xdt_start(&d, extra), 0);
		c = client();
		st = power(c, "k");
		running = !strcmp(st, "Running") || !strcmp(st, "Paused");
		printf("kill -9 during %s: VM recovered %s\n", op, st);
		ck_assert_msg(running || !strcmp(st, "Halted"), "%s: VM ended %s", op, st);
		/* No orphan domain, no lost one. */
		ck_assert_int_eq(free_memory(c), running ? total - 256LL * 1024 * 1024 : total);
		/* Operable again. */
		json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"sim.delay\",\"value\":\"0\"}"));
		ck_assert_str_eq(xdt_op(c, "VM.destroy", "{\"id\":\"k\"}"), "completed");
		ck_assert_str_eq(power(c, "k"), "Halted");
		ck_assert_int_eq(free_memory(c), total);
		xdt_close(c);
	}
	stop_clean();
}
END_TEST

static int run_persistence(void)
{
	Suite *s = suite_create("xenopsd-persistence");
	TCase *tc = tcase_create("persistence");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_persistence);
	tcase_add_test(tc, test_kill9_recovery);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* In this process, so that the verdict variable is ours to read. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xdt_cleanup(&d);
	if (failed)
		return 1;
	if (persistence_skipped) {
		printf("SKIP: VMs do not survive a daemon restart yet (persistence is another "
		       "issue)\n");
		return 77;
	}
	return 0;
}

/* Running guests: memory and vCPUs through the daemon, bad values refused naming the field. */
START_TEST(test_running_guests)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	json_object_put(xdt_ok(c, "VM.add",
	                       "{\"config\":{\"id\":\"g\",\"memory_mib\":512,"
	                       "\"memory_target_mib\":256,\"vcpus\":1,\"vcpus_max\":2}}"));
	ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\":\"g\"}"), "completed");
	r = xdt_ok(c, "VM.set_memory", "{\"id\":\"g\",\"target_mib\":384,\"timeout\":5}");
	ck_assert_str_eq(xdt_wait_task(c, xdt_str(r, "task")), "completed");
	json_object_put(r);
	r = xdt_ok(c, "VM.stat", "{\"id\":\"g\"}");
	ck_assert_int_eq(xdt_int(r, "state.memory_target"), 384ll << 20);
	ck_assert_int_eq(xdt_int(r, "state.memory_actual"), 384ll << 20);
	ck_assert_int_eq(xdt_int(r, "config.memory_target_mib"), 384);
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VM.set_vcpus", "{\"id\":\"g\",\"vcpus\":2}"), "completed");
	r = xdt_ok(c, "VM.stat", "{\"id\":\"g\"}");
	ck_assert_int_eq(xdt_int(r, "state.vcpus"), 2);
	ck_assert_int_eq(xdt_int(r, "config.vcpus"), 2);
	json_object_put(r);
	r = xdt_call(c, "VM.set_memory", "{\"id\":\"g\",\"target_mib\":1024}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "target_mib"));
	json_object_put(r);
	r = xdt_call(c, "VM.set_memory", "{\"id\":\"g\",\"target_mib\":128,\"max_mib\":4096}");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "max_mib"));
	json_object_put(r);
	r = xdt_call(c, "VM.set_vcpus", "{\"id\":\"g\",\"vcpus\":3}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "vcpus"));
	json_object_put(r);
	r = xdt_call(c, "VM.set_vcpus", "{\"id\":\"g\",\"vcpus\":\"two\"}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -32602);
	json_object_put(r);
	/* Statistics: the shape of DESIGN section 8, memory in bytes. */
	r = xdt_ok(c, "VM.stats", "{\"id\":\"g\"}");
	ck_assert(xdt_get(r, "time") != NULL);
	ck_assert_int_eq(xdt_int(r, "memory.target"), 384ll << 20);
	ck_assert_int_eq(xdt_int(r, "memory.max"), 512ll << 20);
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "vcpus")), 2);
	ck_assert(json_object_get_boolean(xdt_get(r, "vcpus.1.online")));
	ck_assert(xdt_get(r, "vcpus.0.time_ns") != NULL);
	ck_assert(json_object_is_type(xdt_get(r, "vbds"), json_type_array));
	ck_assert(json_object_is_type(xdt_get(r, "vifs"), json_type_array));
	json_object_put(r);
	r = xdt_ok(c, "VM.stats_all", NULL);
	ck_assert_str_eq(xdt_str(r, "vms.0.id"), "g");
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VM.set_xenstore", "{\"id\":\"g\",\"data\":{\"data/k\":\"v\"}}"),
	                 "completed");
	r = xdt_ok(c, "VM.stat", "{\"id\":\"g\"}");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(xdt_get(r, "state.guest"), "data/k")), "v");
	ck_assert_str_eq(xdt_str(r, "state.consoles.0.protocol"), "vt100");
	json_object_put(r);
	r = xdt_call(c, "VM.set_xenstore", "{\"id\":\"g\",\"data\":{\"attr/k\":\"v\"}}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "attr/k"));
	json_object_put(r);
	r = xdt_call(c, "VM.stats", "{\"id\":\"nope\"}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_ENOTFOUND");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

/* VM.set_scheduler and VM.set_config, and the scheduler read back in VM.stat and VM.stats. */
START_TEST(test_scheduler_and_set_config)
{
	struct xdt_conn *c;
	struct json_object *r;

	start_default();
	c = client();
	json_object_put(xdt_ok(c, "VM.add",
	                       "{\"config\":{\"id\":\"g\",\"vcpus\":2,\"weight\":300,"
	                       "\"affinity\":[\"0\",\"1\"]}}"));
	/* Halted: the configuration can be replaced, the id kept. */
	r = xdt_ok(c, "VM.set_config", "{\"id\":\"g\",\"config\":{\"vcpus\":2,\"weight\":400,"
	                              "\"cap\":100,\"affinity\":[\"1\",\"0\"]}}");
	ck_assert_int_eq(json_object_object_length(r), 0);
	json_object_put(r);
	r = xdt_call(c, "VM.set_config", "{\"id\":\"g\",\"config\":{\"weight\":0}}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "\"weight\""));
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\":\"g\"}"), "completed");
	r = xdt_ok(c, "VM.stat", "{\"id\":\"g\"}");
	ck_assert_str_eq(xdt_str(r, "config.id"), "g");
	ck_assert_int_eq(xdt_int(r, "state.sched.weight"), 400);
	ck_assert_int_eq(xdt_int(r, "state.sched.cap"), 100);
	ck_assert_str_eq(xdt_str(r, "state.sched.affinity.0"), "1");
	ck_assert_str_eq(xdt_str(r, "state.sched.affinity.1"), "0");
	ck_assert_str_eq(xdt_str(r, "state.sched.soft_affinity.1"), "all");
	json_object_put(r);
	/* Running: set_config refused, set_scheduler live. */
	r = xdt_call(c, "VM.set_config", "{\"id\":\"g\",\"config\":{}}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EBADSTATE");
	json_object_put(r);
	ck_assert_str_eq(xdt_op(c, "VM.set_scheduler",
	                        "{\"id\":\"g\",\"weight\":800,\"affinity\":\"2-3\","
	                        "\"soft_affinity\":[\"3\"]}"),
	                 "completed");
	r = xdt_ok(c, "VM.stats", "{\"id\":\"g\"}");
	ck_assert_int_eq(xdt_int(r, "sched.weight"), 800);
	ck_assert_int_eq(xdt_int(r, "sched.cap"), 100);
	ck_assert_str_eq(xdt_str(r, "sched.affinity.1"), "2-3");
	ck_assert_str_eq(xdt_str(r, "sched.soft_affinity.0"), "3");
	ck_assert_str_eq(xdt_str(r, "sched.soft_affinity.1"), "all");
	json_object_put(r);
	r = xdt_ok(c, "VM.get_config", "{\"id\":\"g\"}");
	ck_assert_int_eq(xdt_int(r, "config.weight"), 800);
	ck_assert_str_eq(xdt_str(r, "config.affinity"), "2-3");
	json_object_put(r);
	/* Bad values: refused naming the field; wrong types are invalid params. */
	r = xdt_call(c, "VM.set_scheduler", "{\"id\":\"g\",\"cap\":201}");
	ck_assert_str_eq(xdt_str(r, "error.data.name"), "XENOPS_EINVAL");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "\"cap\""));
	json_object_put(r);
	r = xdt_call(c, "VM.set_scheduler", "{\"id\":\"g\",\"affinity\":[\"0\",\"1\",\"0\"]}");
	ck_assert_ptr_nonnull(strstr(xdt_str(r, "error.message"), "\"affinity\""));
	json_object_put(r);
	r = xdt_call(c, "VM.set_scheduler", "{\"id\":\"g\",\"affinity\":5}");
	ck_assert_int_eq(xdt_int(r, "error.code"), -32602);
	json_object_put(r);
	r = xdt_ok(c, "VM.set_scheduler", "{\"id\":\"g\",\"affinity\":\"9\"}");
	ck_assert_str_eq(xdt_wait_task(c, xdt_str(r, "task")), "failed");
	json_object_put(r);
	xdt_close(c);
	stop_clean();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("xenopsd");
	TCase *methods = tcase_create("methods");
	TCase *protocol = tcase_create("protocol");
	TCase *clients = tcase_create("clients");
	TCase *access = tcase_create("access");
	TCase *restart = tcase_create("restart");
	TCase *all[] = { methods, protocol, clients, access, restart };

	tcase_add_test(methods, test_query);
	tcase_add_test(methods, test_every_method);
	tcase_add_test(methods, test_library_errors);
	tcase_add_test(methods, test_running_guests);
	tcase_add_test(methods, test_scheduler_and_set_config);
	tcase_add_test(methods, test_config_as_sent);
	tcase_add_test(methods, test_task_wait_long_poll);
	tcase_add_test(methods, test_task_cancel_and_failure);
	tcase_add_test(methods, test_debug_methods_off_by_default);
	tcase_add_test(protocol, test_bad_input);
	tcase_add_test(protocol, test_binary_garbage);
	tcase_add_test(protocol, test_deep_nesting);
	tcase_add_test(protocol, test_oversize_default);
	tcase_add_test(protocol, test_oversize_configured);
	tcase_add_test(protocol, test_half_line_then_disconnect);
	tcase_add_test(protocol, test_notifications);
	tcase_add_test(protocol, test_nul_strings);
	tcase_add_test(protocol, test_invalid_request_objects);
	tcase_add_test(protocol, test_nesting_boundary);
	tcase_add_test(clients, test_pipelining);
	tcase_add_test(clients, test_hundred_clients);
	tcase_add_test(clients, test_max_clients);
	tcase_add_test(clients, test_long_poll_updates);
	tcase_add_test(clients, test_long_poll_wakes_concerned_only);
	tcase_add_test(clients, test_long_poll_shared_answer_fresh);
	tcase_add_test(clients, test_long_poll_timeout);
	tcase_add_test(clients, test_disconnect_mid_long_poll);
	tcase_add_test(clients, test_slow_reader);
	tcase_add_test(clients, test_idle_timeout);
	tcase_add_test(access, test_socket_mode);
	tcase_add_test(access, test_socket_group);
	tcase_add_test(access, test_peer_credentials);
	tcase_add_test(access, test_stale_and_live_socket);
	tcase_add_test(access, test_sigterm);
	tcase_add_test(restart, test_restart_resync);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_set_timeout(all[i], getenv("XDT_WRAPPER") ? 600 : 90);
		suite_add_tcase(s, all[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1 && strcmp(argv[1], "--persistence") == 0)
		return run_persistence();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
