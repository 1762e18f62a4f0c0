/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl against a real xenopsd: a scripted VM lifecycle checking exit
 * codes and --json output, the documented exit codes of failures, help for
 * every subcommand, and the event feed across a daemon restart.
 */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xdtest.h"

static struct xdt_daemon d;
static struct xdt_run run;

static void start(void)
{
	static const char *const extra[] = { "--debug-methods", NULL };

	memset(&d, 0, sizeof(d));
	ck_assert_msg(xdt_start(&d, extra) == 0, "xenopsd did not start");
}

static void stop(void)
{
	ck_assert_int_eq(xdt_stop(&d), 0);
	xdt_cleanup(&d);
}

/* Run xenopsctl --socket <ours> ARGS... (NULL-terminated); returns its exit code. */
static int ctl_in(const char *stdin_text, const char *first, ...)
{
	const char *argv[32] = { XDT_XENOPSCTL, "--socket", d.sock };
	size_t n = 3;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	xdt_run_free(&run);
	ck_assert_int_eq(xdt_exec(&run, stdin_text, argv), 0);
	return run.status;
}

#define ctl(...) ctl_in(NULL, __VA_ARGS__, NULL)

/* The JSON printed on stdout by the last run. */
static struct json_object *out_json(void)
{
	struct json_object *obj = json_tokener_parse(run.out);

	ck_assert_msg(obj != NULL, "not JSON: '%s' (stderr '%s')", run.out, run.err);
	return obj;
}

static void expect_ok(int status)
{
	ck_assert_msg(status == 0, "exit %d, stderr: %s", status, run.err);
}

static const char *power(const char *vm)
{
	static char state[32];
	struct json_object *o;

	expect_ok(ctl("vm", "stat", vm, "--json"));
	o = out_json();
	snprintf(state, sizeof(state), "%s", xdt_str(o, "state.power_state"));
	json_object_put(o);
	return state;
}

static void debug_set(const char *key, const char *value)
{
	struct xdt_conn *c = xdt_open(d.sock);

	json_object_put(xdt_ok(c, "DEBUG.set", "{\"key\":\"%s\",\"value\":\"%s\"}", key, value));
	xdt_close(c);
}

static int plugged(const char *kind, const char *vm, const char *id)
{
	struct json_object *o;
	int p;

	expect_ok(ctl(kind, "stat", vm, id, "--json"));
	o = out_json();
	p = json_object_get_boolean(xdt_get(o, "state.plugged"));
	json_object_put(o);
	return p;
}

START_TEST(test_lifecycle)
{
	struct json_object *o;
	char path[256];

	start();
	/* From a file on stdin, with --json. */
	expect_ok(ctl_in("{\"id\":\"web\",\"name\":\"web\",\"memory_mib\":256,\"vcpus\":2}", "vm",
	                 "add", "-", "--json", NULL));
	o = out_json();
	ck_assert_str_eq(xdt_str(o, "id"), "web");
	json_object_put(o);
	/* Inline fields, human output: the id alone. */
	expect_ok(ctl("vm", "add", "--id", "db", "--name", "database", "--memory", "1G", "--vcpus",
	              "2"));
	ck_assert_str_eq(run.out, "db\n");
	expect_ok(ctl("vm", "get-config", "db", "--json"));
	o = out_json();
	ck_assert_int_eq(xdt_int(o, "config.memory_mib"), 1024);
	ck_assert_str_eq(xdt_str(o, "config.name"), "database");
	json_object_put(o);

	expect_ok(ctl("vbd", "add", "web", "--device", "xvda", "--backend", "file:/tmp/xdt-a.img"));
	ck_assert_str_eq(run.out, "xvda\n");
	expect_ok(ctl("vif", "add", "web", "--bridge", "xenbr0", "--json"));
	o = out_json();
	ck_assert_str_eq(xdt_str(o, "id"), "0");
	json_object_put(o);

	/* Slow enough that the wait shows progress lines (stderr is a pipe). */
	debug_set("sim.delay", "250");
	expect_ok(ctl("vm", "start", "web"));
	ck_assert_msg(strstr(run.err, "task ") && strstr(run.err, "%"), "no progress: '%s'",
	              run.err);
	debug_set("sim.delay", "0");
	ck_assert_str_eq(power("web"), "Running");
	ck_assert(plugged("vbd", "web", "xvda"));
	ck_assert(plugged("vif", "web", "0"));

	expect_ok(ctl("vm", "pause", "web"));
	ck_assert_str_eq(power("web"), "Paused");
	expect_ok(ctl("vm", "unpause", "web"));
	ck_assert_str_eq(power("web"), "Running");

	expect_ok(ctl("vbd", "add", "web", "--device", "xvdb", "--backend", "file:/tmp/xdt-b.img"));
	ck_assert(!plugged("vbd", "web", "xvdb"));
	expect_ok(ctl("vbd", "plug", "web", "xvdb", "--json"));
	o = out_json(); /* the ended task */
	ck_assert_str_eq(xdt_str(o, "state"), "completed");
	json_object_put(o);
	ck_assert(plugged("vbd", "web", "xvdb"));
	expect_ok(ctl("vif", "set-carrier", "web", "0", "off"));
	expect_ok(ctl("vbd", "unplug", "web", "xvdb", "--force"));
	ck_assert(!plugged("vbd", "web", "xvdb"));

	snprintf(path, sizeof(path), "%s/web.save", d.dir);
	expect_ok(ctl("vm", "suspend", "web", path));
	ck_assert_str_eq(power("web"), "Suspended");
	expect_ok(ctl("vm", "resume", "web", path));
	ck_assert_str_eq(power("web"), "Running");
	expect_ok(ctl("vm", "shutdown", "web", "--timeout", "5"));
	ck_assert_str_eq(power("web"), "Halted");
	expect_ok(ctl("vbd", "remove", "web", "xvdb"));
	expect_ok(ctl("vm", "remove", "web"));
	expect_ok(ctl("vm", "list", "--json"));
	o = out_json();
	ck_assert_int_eq(json_object_array_length(xdt_get(o, "vms")), 1);
	json_object_put(o);
	/* The human table has a header and a row per VM. */
	expect_ok(ctl("vm", "list"));
	ck_assert_msg(strncmp(run.out, "ID", 2) == 0 && strstr(run.out, "\ndb "), "table: %s",
	              run.out);
	/* Tasks left behind: none, the waits destroyed theirs. */
	expect_ok(ctl("task", "list", "--json"));
	o = out_json();
	ck_assert_int_eq(json_object_array_length(xdt_get(o, "tasks")), 0);
	json_object_put(o);
	stop();
}
END_TEST

START_TEST(test_no_wait_and_tasks)
{
	struct json_object *o;
	char task[128];

	start();
	expect_ok(ctl("vm", "add", "--id", "t"));
	expect_ok(ctl("--no-wait", "vm", "start", "t"));
	snprintf(task, sizeof(task), "%s", run.out);
	task[strcspn(task, "\n")] = '\0';
	ck_assert_str_ne(task, "");
	expect_ok(ctl("task", "wait", task, "--json"));
	o = out_json();
	ck_assert_str_eq(xdt_str(o, "state"), "completed");
	json_object_put(o);
	expect_ok(ctl("task", "stat", task));
	ck_assert_ptr_nonnull(strstr(run.out, "state: completed"));
	expect_ok(ctl("task", "list"));
	ck_assert_ptr_nonnull(strstr(run.out, task));
	expect_ok(ctl("task", "destroy", task));
	ck_assert_int_eq(ctl("task", "stat", task), 13);
	expect_ok(ctl("vm", "shutdown", "t", "--force"));
	ck_assert_str_eq(power("t"), "Halted");
	stop();
}
END_TEST

/* A server that answers anything with a line that is not JSON-RPC. */
static pid_t fake_server(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	pid = fork();
	if (pid == 0) {
		int c = accept(fd, NULL, NULL);
		char buf[4096];

		alarm(20);
		if (c >= 0 && read(c, buf, sizeof(buf)) > 0 && write(c, "hello\n", 6) == 6)
			sleep(1);
		_exit(0);
	}
	close(fd);
	return pid;
}

START_TEST(test_exit_codes)
{
	char path[256];
	pid_t fake;

	start();
	expect_ok(ctl("vm", "add", "--id", "h"));
	/* Library errors: 10 + (-code), with the name on stderr. */
	ck_assert_int_eq(ctl("vm", "start", "nope"), 13);
	ck_assert_ptr_nonnull(strstr(run.err, "XENOPS_ENOTFOUND"));
	ck_assert_int_eq(ctl("vm", "pause", "h"), 15); /* the task fails: halted */
	ck_assert_ptr_nonnull(strstr(run.err, "XENOPS_EBADSTATE"));
	ck_assert_int_eq(ctl("vm", "add", "--id", "x", "--memory", "1"), 11);
	ck_assert_ptr_nonnull(strstr(run.err, "XENOPS_EINVAL"));
	ck_assert_int_eq(ctl("vm", "add", "--id", "h"), 14);
	/* Usage. */
	ck_assert_int_eq(ctl("vm", "start"), 1);
	ck_assert_int_eq(ctl("vm", "start", "a", "b"), 1);
	ck_assert_int_eq(ctl("vm", "frobnicate"), 1);
	ck_assert_int_eq(ctl("--bogus", "query"), 1);
	ck_assert_int_eq(ctl("vm", "start", "h", "--bogus"), 1);
	ck_assert_int_eq(ctl("vm", "add"), 1);
	ck_assert_int_eq(ctl("vm", "add", "/nonexistent/vm.json"), 1);
	ck_assert_int_eq(ctl_in("[1,2]", "vm", "add", "-", NULL), 1);
	ck_assert_int_eq(ctl("vm", "add", "--memory", "lots"), 1);
	ck_assert_int_eq(ctl("vif", "set-carrier", "h", "0", "maybe"), 1);
	ck_assert_int_eq(ctl("vm", "shutdown", "h", "--timeout", "-3"), 1);
	ck_assert_int_eq(ctl(NULL), 1);
	/* Timeout while a task runs (the knob set through xenopsctl itself). */
	expect_ok(ctl("debug", "set", "sim.delay", "1500"));
	ck_assert_int_ne(ctl("debug", "set", "no.such.knob", "1"), 0);
	ck_assert_int_eq(ctl("debug", "set", "sim.delay"), 1);
	ck_assert_int_eq(ctl("--timeout", "0.5", "vm", "start", "h"), 4);
	ck_assert_ptr_nonnull(strstr(run.err, "still running"));
	debug_set("sim.delay", "0");
	stop();

	/* Nobody listening. */
	snprintf(path, sizeof(path), "/tmp/xdtest-none-%d.sock", (int)getpid());
	{
		const char *argv[] = { XDT_XENOPSCTL, "--socket", path, "query", NULL };

		xdt_run_free(&run);
		xdt_exec(&run, NULL, argv);
		ck_assert_int_eq(run.status, 2);
	}
	/* Something that does not speak JSON-RPC. */
	fake = fake_server(path);
	{
		const char *argv[] = { XDT_XENOPSCTL, "--socket", path, "query", NULL };

		xdt_run_free(&run);
		xdt_exec(&run, NULL, argv);
		ck_assert_int_eq(run.status, 3);
	}
	kill(fake, SIGKILL);
	unlink(path);
}
END_TEST

static const char *const commands[][2] = {
	{ "query", NULL },    { "host", NULL },       { "events", NULL },
	{ "barrier", NULL },  { "vm", "add" },        { "vm", "list" },
	{ "vm", "stat" },     { "vm", "get-config" }, { "vm", "start" },
	{ "vm", "shutdown" }, { "vm", "reboot" },     { "vm", "pause" },
	{ "vm", "unpause" },  { "vm", "suspend" },    { "vm", "resume" },
	{ "vm", "destroy" },  { "vm", "remove" },     { "vbd", "add" },
	{ "vbd", "list" },    { "vbd", "stat" },      { "vbd", "get-config" },
	{ "vbd", "remove" },  { "vbd", "plug" },      { "vbd", "unplug" },
	{ "vbd", "eject" },   { "vbd", "insert" },    { "vif", "add" },
	{ "vif", "list" },    { "vif", "stat" },      { "vif", "remove" },
	{ "vif", "plug" },    { "vif", "unplug" },    { "vif", "set-carrier" },
	{ "pci", "add" },     { "pci", "list" },      { "pci", "stat" },
	{ "pci", "remove" },  { "pci", "plug" },      { "pci", "unplug" },
	{ "task", "list" },   { "task", "stat" },     { "task", "wait" },
	{ "task", "cancel" }, { "task", "destroy" },  { "debug", "set" },
};

START_TEST(test_help)
{
	/* No daemon needed: help never connects. */
	snprintf(d.sock, sizeof(d.sock), "/nonexistent.sock");
	expect_ok(ctl("--help"));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char listed[64];

		snprintf(listed, sizeof(listed), "  %s%s%s ", commands[i][0],
		         commands[i][1] ? " " : "", commands[i][1] ? commands[i][1] : "");
		ck_assert_msg(strstr(run.out, listed), "'%s' not in --help", listed);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc = commands[i][1] ? ctl(commands[i][0], commands[i][1], "--help")
		                        : ctl(commands[i][0], "--help");

		ck_assert_msg(rc == 0 && strncmp(run.out, "Usage: ", 7) == 0, "%s %s --help: %d %s",
		              commands[i][0], commands[i][1] ? commands[i][1] : "", rc, run.out);
	}
	expect_ok(ctl("vm", "--help"));
	ck_assert_ptr_nonnull(strstr(run.out, "vm start"));
}
END_TEST

START_TEST(test_events_and_resync)
{
	const char *argv[] = { XDT_XENOPSCTL, "--socket", NULL, "--timeout", "30",
		               "events",      "--count",  "2",  NULL };
	struct xdt_child ch;
	struct xdt_conn *c;
	char *lines[8] = { 0 };
	int n = 0;

	start();
	argv[2] = d.sock;
	ck_assert_int_eq(xdt_spawn(&ch, NULL, argv), 0);
	usleep(500000); /* its first UPDATES.get is the current state: not printed */
	c = xdt_open(d.sock);
	json_object_put(xdt_ok(c, "VM.add", "{\"config\":{\"id\":\"e1\"}}"));
	xdt_close(c);
	usleep(300000);
	/* The feed survives a restart: it reconnects and resyncs. */
	ck_assert_int_eq(xdt_stop(&d), 0);
	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	usleep(500000);
	c = xdt_open(d.sock);
	json_object_put(xdt_ok(c, "VM.add", "{\"config\":{\"id\":\"e2\"}}"));
	xdt_close(c);
	xdt_finish(&ch, &run);
	ck_assert_msg(run.status == 0, "events: exit %d, stderr %s", run.status, run.err);
	for (char *p = run.out, *save = NULL, *l; (l = strtok_r(p, "\n", &save)) && n < 8; p = NULL)
		lines[n++] = l;
	ck_assert_msg(n == 3, "output: '%s'", run.out);
	ck_assert_str_eq(lines[0], "vm e1 changed");
	ck_assert_str_eq(lines[1], "resync");
	/* e1 again if VMs persist across restarts, else the new e2. */
	ck_assert_msg(strcmp(lines[2], "vm e1 changed") == 0 ||
	                      strcmp(lines[2], "vm e2 changed") == 0,
	              "third line: %s", lines[2]);
	stop();
}
END_TEST

/* Running guests from the command line: set-memory, set-vcpus, stats, top. */
START_TEST(test_running_guests)
{
	struct json_object *o;

	start();
	expect_ok(ctl("vm", "add", "--id", "g", "--memory", "1G", "--memory-target", "512M",
	              "--vcpus", "1", "--vcpus-max", "2"));
	expect_ok(ctl("vbd", "add", "g", "--device", "xvda", "--backend", "file:/tmp/xdt-g.img"));
	expect_ok(ctl("vm", "start", "g"));
	expect_ok(ctl("vm", "set-memory", "g", "768M", "--timeout", "5"));
	expect_ok(ctl("vm", "set-vcpus", "g", "2"));
	ck_assert_int_eq(ctl("vm", "set-vcpus", "g", "3"), 10 + 1);
	ck_assert_ptr_nonnull(strstr(run.err, "vcpus"));
	ck_assert_int_eq(ctl("vm", "set-memory", "g", "2G"), 10 + 1);
	ck_assert_ptr_nonnull(strstr(run.err, "target_mib"));
	ck_assert_int_eq(ctl("vm", "set-memory", "g", "lots"), 1);
	expect_ok(ctl("stats", "g", "--json"));
	o = out_json();
	ck_assert_int_eq(xdt_int(o, "vms.0.memory.target"), 768ll << 20);
	ck_assert_int_eq(json_object_array_length(xdt_get(o, "vms.0.vcpus")), 2);
	ck_assert_str_eq(xdt_str(o, "vms.0.vbds.0.id"), "xvda");
	json_object_put(o);
	expect_ok(ctl("stats", "--prometheus"));
	ck_assert_ptr_nonnull(strstr(run.out, "# TYPE xenops_vm_cpu_seconds_total counter\n"));
	ck_assert_ptr_nonnull(strstr(run.out, "xenops_vm_cpu_seconds_total{vm=\"g\",vcpu=\"1\"} "));
	ck_assert_ptr_nonnull(strstr(run.out, "xenops_vm_memory_target_bytes{vm=\"g\"} 805306368\n"));
	ck_assert_ptr_nonnull(strstr(run.out, "xenops_vm_vbd_read_requests_total{vm=\"g\",vbd=\"xvda\"} "));
	/* Not a terminal: frames without screen control, then exit. */
	expect_ok(ctl("top", "--iterations", "2"));
	ck_assert_ptr_null(strchr(run.out, '\033'));
	ck_assert_ptr_nonnull(strstr(run.out, "CPU%"));
	o = NULL;
	{
		const char *first = strstr(run.out, "xenopsctl top:");

		ck_assert_ptr_nonnull(first);
		ck_assert_ptr_nonnull(strstr(first + 1, "xenopsctl top:"));
	}
	ck_assert_ptr_nonnull(strstr(run.out, "\ng "));
	expect_ok(ctl("vm", "set-xenstore", "g", "data/color", "blue"));
	expect_ok(ctl("vm", "stat", "g", "--json"));
	ck_assert_ptr_nonnull(strstr(run.out, "\"data/color\":\"blue\""));
	expect_ok(ctl("vm", "set-xenstore", "g", "data/color"));
	expect_ok(ctl("vm", "stat", "g", "--json"));
	ck_assert_ptr_null(strstr(run.out, "data/color"));
	ck_assert_int_eq(ctl("vm", "set-xenstore", "g", "control/x", "1"), 10 + 1);
	/* The host: a command and a group. */
	expect_ok(ctl("host", "--json"));
	o = out_json();
	ck_assert_int_eq(xdt_int(o, "cpu_topology.threads_per_core"), 2);
	ck_assert_int_eq(xdt_int(o, "numa_nodes.0.id"), 0);
	json_object_put(o);
	expect_ok(ctl("host", "dmesg"));
	ck_assert_ptr_nonnull(strstr(run.out, "(XEN) simulator:"));
	stop();
}
END_TEST

/* vm set-scheduler and vm set-config from the command line. */
START_TEST(test_scheduler_and_set_config)
{
	struct json_object *o;

	start();
	expect_ok(ctl("vm", "add", "--id", "g", "--vcpus", "2"));
	/* set-config reads the file ('-': stdin); the VM keeps its id. */
	expect_ok(ctl_in("{\"vcpus\": 3, \"weight\": 128}", "vm", "set-config", "g", "-", NULL));
	expect_ok(ctl("vm", "get-config", "g", "--json"));
	o = out_json();
	ck_assert_int_eq(xdt_int(o, "config.vcpus"), 3);
	ck_assert_int_eq(xdt_int(o, "config.weight"), 128);
	json_object_put(o);
	ck_assert_int_eq(ctl_in("{\"cap\": 400}", "vm", "set-config", "g", "-", NULL), 10 + 1);
	ck_assert_ptr_nonnull(strstr(run.err, "\"cap\""));
	expect_ok(ctl("vm", "start", "g"));
	expect_ok(ctl("vm", "set-scheduler", "g", "--weight", "512", "--cap", "50", "--affinity",
	              "0;1-2", "--soft-affinity", "3"));
	expect_ok(ctl("vm", "stat", "g", "--json"));
	o = out_json();
	ck_assert_int_eq(xdt_int(o, "state.sched.weight"), 512);
	ck_assert_int_eq(xdt_int(o, "state.sched.cap"), 50);
	ck_assert_str_eq(xdt_str(o, "state.sched.affinity.0"), "0");
	ck_assert_str_eq(xdt_str(o, "state.sched.affinity.1"), "1-2");
	ck_assert_str_eq(xdt_str(o, "state.sched.affinity.2"), "all");
	ck_assert_str_eq(xdt_str(o, "state.sched.soft_affinity.2"), "3");
	json_object_put(o);
	ck_assert_int_eq(ctl("vm", "set-scheduler", "g", "--weight", "0"), 10 + 1);
	ck_assert_ptr_nonnull(strstr(run.err, "\"weight\""));
	ck_assert_int_eq(ctl("vm", "set-scheduler", "g", "--affinity", "7"), 10 + 1);
	ck_assert_ptr_nonnull(strstr(run.err, "affinity: CPU 7"));
	ck_assert_int_eq(ctl_in("{\"vcpus\": 1}", "vm", "set-config", "g", "-", NULL), 10 + 5);
	ck_assert_ptr_nonnull(strstr(run.err, "Halted"));
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xenopsctl");
	TCase *tc = tcase_create("xenopsctl");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_no_wait_and_tasks);
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_events_and_resync);
	tcase_add_test(tc, test_running_guests);
	tcase_add_test(tc, test_scheduler_and_set_config);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xdt_run_free(&run);
	return failed ? 1 : 0;
}
