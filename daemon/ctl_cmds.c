/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl subcommands: a table with one entry per command (positional
 * arguments and options map to RPC params), the handlers that make one
 * call or follow a task, and the dispatch from argv.
 */
#include "ctl_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- tasks ---------------------------------------------------------------------- */

const char *ctl_str_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The exit code of an ended task; prints its error. */
static int task_outcome(struct json_object *stat)
{
	const char *state = ctl_str_member(stat, "state");
	struct json_object *e = NULL, *v = NULL;
	struct ctl_error err = { .code = -8 };

	if (state && strcmp(state, "completed") == 0)
		return CTL_OK;
	snprintf(err.name, sizeof(err.name), "XENOPS_ECANCELLED");
	snprintf(err.message, sizeof(err.message), "task %s", state ? state : "ended");
	if (json_object_object_get_ex(stat, "error", &e) && e) {
		if (json_object_object_get_ex(e, "code", &v))
			err.code = json_object_get_int(v);
		snprintf(err.name, sizeof(err.name), "%s",
		         ctl_str_member(e, "name") ? ctl_str_member(e, "name") : "error");
		snprintf(err.message, sizeof(err.message), "%s",
		         ctl_str_member(e, "message") ? ctl_str_member(e, "message") : "");
	}
	if (err.code >= 0)
		err.code = -18; /* an ended task without a proper error is a bug */
	return ctl_error_exit(&err);
}

/* Seconds of one TASK.wait long-poll: short enough to redraw progress. */
#define WAIT_SLICE_S 0.25

static double wait_slice(const struct ctl *c)
{
	double left;

	if (!c->deadline_ms)
		return WAIT_SLICE_S;
	left = ((double)c->deadline_ms - (double)ctl_now_ms()) / 1000.0 - 0.1;
	if (left < 0)
		left = 0;
	return left < WAIT_SLICE_S ? left : WAIT_SLICE_S;
}

/*
 * TASK.wait in slices until the task ended; *stat_out gets its last stat.
 * Returns 0 or an exit code (CTL_TIMEOUT once --timeout passed).
 */
/* The running atom; for a migration also the bytes sent and the round. */
static const char *progress_label(struct json_object *stat, char *buf, size_t n)
{
	struct json_object *m = NULL, *bytes = NULL, *it = NULL;
	const char *atom = ctl_str_member(stat, "atom");

	if (!json_object_object_get_ex(stat, "migration", &m) ||
	    !json_object_object_get_ex(m, "bytes", &bytes) ||
	    !json_object_object_get_ex(m, "iteration", &it))
		return atom;
	snprintf(buf, n, "%s %.1f MiB, iteration %d", atom ? atom : "",
		 (double)json_object_get_int64(bytes) / (1024.0 * 1024.0), json_object_get_int(it));
	return buf;
}

static int follow(struct ctl *c, const char *task, struct json_object **stat_out)
{
	char label[160];
	struct ctl_progress prog;
	int tty = isatty(STDERR_FILENO), rc;

	ctl_progress_init(&prog, tty);
	for (;;) {
		struct json_object *params = json_object_new_object(), *v = NULL;
		const char *state;

		json_object_object_add(params, "id", json_object_new_string(task));
		json_object_object_add(params, "timeout", json_object_new_double(wait_slice(c)));
		json_object_put(*stat_out);
		rc = ctl_call(c, "TASK.wait", params, stat_out);
		if (rc)
			break;
		state = ctl_str_member(*stat_out, "state");
		if (!state || strcmp(state, "pending") != 0)
			break;
		json_object_object_get_ex(*stat_out, "progress", &v);
		if (tty || !c->json)
			ctl_progress_update(&prog, task, json_object_get_double(v),
			                    progress_label(*stat_out, label, sizeof(label)));
		if (c->deadline_ms && ctl_now_ms() >= c->deadline_ms) {
			rc = CTL_TIMEOUT;
			break;
		}
	}
	ctl_progress_end(&prog);
	if (rc == CTL_TIMEOUT)
		fprintf(stderr, "xenopsctl: timed out; task %s is still running\n", task);
	return rc;
}

/* Follow a task until it ends (progress on stderr); then destroy it if asked. */
/*
 * VM.set_memory completes when the guest reached its new target or the time
 * ran out: the latter is said on stderr and is exit status 17 (ETIMEDOUT).
 */
static int balloon_outcome(struct json_object *stat)
{
	struct json_object *res, *v;
	const char *vm = ctl_str_member(stat, "vm");

	if (!json_object_object_get_ex(stat, "result", &res) ||
	    !json_object_is_type(res, json_type_object) ||
	    !json_object_object_get_ex(res, "applied", &v) || !json_object_get_boolean(v) ||
	    !json_object_object_get_ex(res, "reached", &v) || json_object_get_boolean(v))
		return 0;
	fprintf(stderr,
		"xenopsctl: vm %s: the guest did not reach its memory target of %" PRId64
		" MiB in time: it holds %" PRId64 " MiB\n",
		vm ? vm : "?",
		json_object_object_get_ex(res, "target_mib", &v) ? json_object_get_int64(v) : 0,
		json_object_object_get_ex(res, "actual_mib", &v) ? json_object_get_int64(v) : 0);
	return 17; /* 10 + -XENOPS_ETIMEDOUT */
}

static int wait_task(struct ctl *c, const char *task, int destroy)
{
	struct json_object *stat = NULL, *params, *ignored = NULL;
	int rc = follow(c, task, &stat), drc;

	if (rc)
		goto out;
	if (c->json)
		ctl_print_json(stat, 0);
	rc = task_outcome(stat);
	if (!rc)
		rc = balloon_outcome(stat);
	if (destroy) {
		params = json_object_new_object();
		json_object_object_add(params, "id", json_object_new_string(task));
		drc = ctl_call(c, "TASK.destroy", params, &ignored);
		json_object_put(ignored);
		if (!rc)
			rc = drc;
	}
out:
	json_object_put(stat);
	return rc;
}

/* ---- handlers ---------------------------------------------------------------- */

/* Build the command's parameters from @a and call its method. */
int ctl_call_cmd(struct ctl *c, const struct cmd *cmd, const struct args *a,
		    struct json_object **res)
{
	struct json_object *params = NULL;
	int rc = ctl_build_params(cmd, a, &params);

	return rc ? rc : ctl_call(c, cmd->method, params, res);
}

/* An operation: submit, then wait for its task (unless --no-wait). */
int ctl_run_op(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *res = NULL;
	const char *task;
	int rc = ctl_call_cmd(c, cmd, a, &res);

	if (rc)
		return rc;
	task = ctl_str_member(res, "task");
	if (!task) {
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd (no task)\n");
		rc = CTL_PROTOCOL;
	} else if (c->no_wait) {
		if (c->json)
			ctl_print_json(res, 0);
		else
			printf("%s\n", task);
	} else {
		rc = wait_task(c, task, 1);
	}
	json_object_put(res);
	return rc;
}

/* What a one-call command prints without --json (with it: the result). */
enum shown { SHOW_FLAT, SHOW_NOTHING, SHOW_CONFIG };

static int call_and_show(struct ctl *c, const struct cmd *cmd, struct args *a, enum shown how)
{
	struct json_object *res = NULL, *config = NULL;
	int rc = ctl_call_cmd(c, cmd, a, &res);

	if (rc)
		return rc;
	if (c->json)
		ctl_print_json(res, 0);
	else if (how == SHOW_FLAT)
		ctl_print_flat(res);
	else if (how == SHOW_CONFIG && json_object_object_get_ex(res, "config", &config))
		ctl_print_json(config, 1); /* indented for humans; it can be fed to add */
	json_object_put(res);
	return CTL_OK;
}

/* One call; its result printed as "key: value" lines. */
static int run_show(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	return call_and_show(c, cmd, a, SHOW_FLAT);
}

/* One call with nothing to show but success. */
static int run_quiet(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	return call_and_show(c, cmd, a, SHOW_NOTHING);
}

/* host dmesg: the text as it is (with --json: {text}). */
static int run_dmesg(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *res = NULL;
	const char *text;
	int rc = ctl_call_cmd(c, cmd, a, &res);

	if (rc)
		return rc;
	if (c->json) {
		ctl_print_json(res, 0);
	} else {
		text = ctl_str_member(res, "text");
		fputs(text ? text : "", stdout);
		if (text && *text && text[strlen(text) - 1] != '\n')
			putchar('\n');
	}
	json_object_put(res);
	return CTL_OK;
}

/* get-config: the configuration. */
static int run_config(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	return call_and_show(c, cmd, a, SHOW_CONFIG);
}

/* Params with "config" built from the arguments, sent; *res_out the result. */
static int call_with_config(struct ctl *c, const struct cmd *cmd, struct args *a,
			    struct json_object **res_out)
{
	struct json_object *params = NULL, *config = NULL;
	int rc = ctl_build_params(cmd, a, &params);

	if (rc)
		return rc;
	rc = ctl_build_config(cmd, a, &config);
	if (rc) {
		json_object_put(params);
		return rc;
	}
	json_object_object_add(params, "config", config);
	return ctl_call(c, cmd->method, params, res_out);
}

static int run_add(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *res = NULL;
	int rc = call_with_config(c, cmd, a, &res);

	if (rc)
		return rc;
	if (c->json)
		ctl_print_json(res, 0);
	else
		printf("%s\n", ctl_str_member(res, "id") ? ctl_str_member(res, "id") : "");
	json_object_put(res);
	return CTL_OK;
}

/* vm set-config: the file's object as params.config; nothing printed. */
static int run_set_config(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *res = NULL;
	int rc = call_with_config(c, cmd, a, &res);

	if (rc)
		return rc;
	if (c->json)
		ctl_print_json(res, 0);
	json_object_put(res);
	return CTL_OK;
}

static int run_task_wait(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	(void)cmd;
	return wait_task(c, a->pos[0], 0);
}

static int run_import_xl(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	(void)cmd;
	return ctl_import_xl(c, a->pos[0], a->val[0] != NULL);
}

/* ---- the table ------------------------------------------------------------------- */

/* One entry per command, laid out by hand. */
/* clang-format off */

#define ID { "id", A_STR }
#define VM { "vm", A_STR }
#define FILE_ARG { NULL, A_FILE }
#define NO_OPTS { { NULL, NULL, 0, NULL } }
#define SHUTDOWN_OPTS                                                                       \
	{ { "force", "timeout", O_ZERO, "no guest co-operation (timeout 0)" },               \
	  { "timeout", "timeout", O_UINT, "seconds the guest is given (default 60)" } }

/* One table for the three device families; only their fields differ. */
#define DEV_COMMANDS(group, G, ...)                                                     \
	{ group, "add", G ".add", run_add, "define a device from a JSON FILE and/or fields", 1, \
	  { VM, FILE_ARG }, { __VA_ARGS__ } },                                                        \
	{ group, "list", G ".list", ctl_run_list, "list the VM's devices", 1, { VM }, NO_OPTS },  \
	{ group, "stat", G ".stat", run_show, "show configuration and state", 2, { VM, ID },  \
	  NO_OPTS },                                                                         \
	{ group, "get-config", G ".get_config", run_config, "show the configuration", 2,      \
	  { VM, ID }, NO_OPTS },                                                             \
	{ group, "remove", G ".remove", run_quiet, "remove an unplugged device", 2, { VM, ID }, \
	  NO_OPTS },                                                                         \
	{ group, "plug", G ".plug", ctl_run_op, "hot-plug into the running VM", 2, { VM, ID },     \
	  NO_OPTS },                                                                         \
	{ group, "unplug", G ".unplug", ctl_run_op, "unplug from the running VM", 2, { VM, ID },   \
	  { { "force", "force", O_TRUE, "without the guest's co-operation" } } }

static const struct cmd commands[] = {
	{ NULL, "query", "Query", run_show, "show the daemon's version, backend and instance", 0,
	  { { 0 } }, NO_OPTS },
	{ NULL, "host", "HOST.stat", run_show, "show the host: backend, CPUs, memory", 0,
	  { { 0 } }, NO_OPTS },
	{ NULL, "events", "UPDATES.get", ctl_run_events, "print each change as it happens", 0,
	  { { 0 } }, { { "count", NULL, O_COUNT, "stop after N lines" } } },
	{ NULL, "barrier", "UPDATES.inject_barrier", run_show,
	  "inject a barrier for a VM into the update stream", 1, { VM }, NO_OPTS },
	{ "host", "dmesg", "HOST.dmesg", run_dmesg, "print the hypervisor's log", 0, { { 0 } },
	  NO_OPTS },
	{ NULL, "stats", "VM.stats_all", ctl_run_stats,
	  "show the statistics of a VM, or of every VM", 0, { VM },
	  { { "prometheus", NULL, O_TRUE, "print the Prometheus text format" } } },
	{ NULL, "top", "VM.stats_all", ctl_run_top,
	  "a live table of the VMs' CPU, memory, disk and network rates", 0, { { 0 } },
	  { { "iterations", NULL, O_COUNT, "print N frames and exit" } } },
	{ NULL, "console", "VM.stat", ctl_run_console,
	  "attach to the VM's text console on this host (Ctrl-] detaches)", 1, { ID }, NO_OPTS },

	{ "vm", "add", "VM.add", run_add, "define a VM from a JSON FILE and/or fields", 0,
	  { FILE_ARG },
	  { { "id", "id", F_STR, "VM id (default: a new UUID)" },
	    { "name", "name", F_STR, "name" },
	    { "type", "type", F_STR, "pv or pvh" },
	    { "boot", "boot", F_STR, "direct (kernel from the host) or grub (from the guest's disk)" },
	    { "boot", "boot", F_STR, "direct (kernel from the host) or grub (from the guest's disk)" },
	    { "memory", "memory_mib", F_MIB, "memory, e.g. 512M or 2G" },
	    { "memory-target", "memory_target_mib", F_MIB, "balloon target" },
	    { "vcpus", "vcpus", F_INT, "vCPUs online at start" },
	    { "vcpus-max", "vcpus_max", F_INT, "most vCPUs" },
	    { "kernel", "kernel", F_STR, "kernel image path" },
	    { "ramdisk", "ramdisk", F_STR, "initrd path" },
	    { "cmdline", "cmdline", F_STR, "kernel command line" },
	    { "on-shutdown", "on_shutdown", F_STR, "destroy, restart or preserve" },
	    { "on-reboot", "on_reboot", F_STR, "destroy, restart or preserve" },
	    { "on-crash", "on_crash", F_STR, "destroy, restart or preserve" } } },
	{ "vm", "list", "VM.list", ctl_run_list, "list VMs", 0, { { 0 } }, NO_OPTS },
	{ "vm", "stat", "VM.stat", run_show, "show configuration and state", 1, { ID }, NO_OPTS },
	{ "vm", "get-config", "VM.get_config", run_config, "show the configuration", 1, { ID },
	  NO_OPTS },
	{ "vm", "start", "VM.start", ctl_run_op, "start a halted VM", 1, { ID },
	  { { "paused", "paused", O_TRUE, "leave it paused" } } },
	{ "vm", "shutdown", "VM.shutdown", ctl_run_op, "shut down (cleanly unless --force)", 1, { ID },
	  SHUTDOWN_OPTS },
	{ "vm", "reboot", "VM.reboot", ctl_run_op, "reboot (cleanly unless --force)", 1, { ID },
	  SHUTDOWN_OPTS },
	{ "vm", "pause", "VM.pause", ctl_run_op, "pause a running VM", 1, { ID }, NO_OPTS },
	{ "vm", "unpause", "VM.unpause", ctl_run_op, "unpause a paused VM", 1, { ID }, NO_OPTS },
	{ "vm", "suspend", "VM.suspend", ctl_run_op, "suspend to the file PATH", 2,
	  { ID, { "path", A_PATH } }, NO_OPTS },
	{ "vm", "resume", "VM.resume", ctl_run_op, "resume from the file PATH", 2,
	  { ID, { "path", A_PATH } }, { { "paused", "paused", O_TRUE, "leave it paused" } } },
	{ "vm", "destroy", "VM.destroy", ctl_run_op, "destroy the domain at once", 1, { ID },
	  NO_OPTS },
	{ "vm", "remove", "VM.remove", run_quiet, "remove a halted VM", 1, { ID }, NO_OPTS },
	{ "vm", "set-memory", "VM.set_memory", ctl_run_op,
	  "set the memory target (balloon), e.g. 512M or 2G", 2, { ID, { "target_mib", A_MIB } },
	  { { "max", "max_mib", O_MIB, "the domain's maximum, at most memory_mib" },
	    { "timeout", "timeout", O_UINT, "seconds to wait for the guest (default 30)" } } },
	{ "vm", "set-vcpus", "VM.set_vcpus", ctl_run_op, "set the vCPUs online, up to vcpus_max", 2,
	  { ID, { "vcpus", A_UINT } }, NO_OPTS },
	{ "vm", "set-xenstore", "VM.set_xenstore", ctl_run_op,
	  "write guest data KEY (data/...) = VALUE; without VALUE remove it", 2,
	  { ID, { "data", A_XSKEY }, { "data", A_XSVAL } }, NO_OPTS },
	{ "vm", "set-scheduler", "VM.set_scheduler", ctl_run_op,
	  "set the scheduler weight and cap and the vCPU affinity", 1, { ID },
	  { { "weight", "weight", O_UINT, "weight, 1 to 65535 (default 256)" },
	    { "cap", "cap", O_UINT, "cap in percent of one CPU, 0: none" },
	    { "affinity", "affinity", O_CPUS, "hard affinity: CPUS for every vCPU, or CPUS;CPUS;... one per vCPU" },
	    { "soft-affinity", "soft_affinity", O_CPUS, "soft affinity, the same syntax" } } },
	{ "vm", "set-config", "VM.set_config", run_set_config,
	  "replace a halted VM's configuration with a JSON FILE ('-' for stdin)", 2,
	  { ID, FILE_ARG }, NO_OPTS },
	{ "vm", "migrate", "VM.migrate", ctl_run_op,
	  "migrate to URL: xenops://HOST:PORT (another xenopsd) or local (a new domain here)", 2,
	  { ID, { "url", A_STR } },
	  { { "live", "live", O_TRUE, "copy memory while the guest runs (the default)" },
	    { "no-live", "live", O_FALSE, "suspend the guest while its memory streams" } } },
	{ "vm", "import-xl", "VM.import_xl", run_import_xl,
	  "define a VM and its devices from an xl.cfg FILE ('-' for stdin)", 1,
	  { { "file", A_STR } },
	  { { "dry-run", "dry_run", O_TRUE, "print the JSON it converts to, define nothing" } } },

	DEV_COMMANDS("vbd", "VBD",
		     { "id", "id", F_STR, "device id (default: the device name)" },
			{ "device", "device", F_STR, "xvda, xvdb..." },
			{ "backend", "backend", F_STR, "file:PATH, phy:DEV, or empty" },
			{ "mode", "mode", F_STR, "rw or ro" },
			{ "kind", "kind", F_STR, "disk or cdrom" },
			{ "unpluggable", "unpluggable", F_BOOL, "on or off" }),
	{ "vbd", "eject", "VBD.eject", ctl_run_op, "remove the media of a CD drive", 2, { VM, ID },
	  NO_OPTS },
	{ "vbd", "insert", "VBD.insert", ctl_run_op, "insert media (file:PATH) into a CD drive", 3,
	  { VM, ID, { "backend", A_STR } }, NO_OPTS },

	DEV_COMMANDS("vif", "VIF",
		     { "id", "id", F_STR, "device id (default: the index)" },
			{ "index", "index", F_INT, "device index" },
			{ "mac", "mac", F_STR, "MAC address (default: generated)" },
			{ "bridge", "bridge", F_STR, "bridge to attach to" },
			{ "mtu", "mtu", F_INT, "MTU" },
			{ "carrier", "carrier", F_BOOL, "on or off" }),
	{ "vif", "set-carrier", "VIF.set_carrier", ctl_run_op, "set the link on or off", 3,
	  { VM, ID, { "carrier", A_ONOFF } }, NO_OPTS },

	DEV_COMMANDS("pci", "PCI",
		     { "id", "id", F_STR, "device id (default: the address)" },
			{ "address", "address", F_STR, "host address DDDD:BB:DD.F" },
			{ "permissive", "permissive", F_BOOL, "on or off" },
			{ "msitranslate", "msitranslate", F_BOOL, "on or off" },
			{ "power-mgmt", "power_mgmt", F_BOOL, "on or off" }),

	{ "debug", "set", "DEBUG.set", run_quiet,
	  "set a test knob (fault.*, sim.*; xenopsd --debug-methods only)", 2,
	  { { "key", A_STR }, { "value", A_STR } }, NO_OPTS },

	{ "task", "list", "TASK.list", ctl_run_list, "list tasks", 0, { { 0 } }, NO_OPTS },
	{ "task", "stat", "TASK.stat", run_show, "show a task", 1, { ID }, NO_OPTS },
	{ "task", "wait", "TASK.wait", run_task_wait, "wait for a task to end", 1, { ID },
	  NO_OPTS },
	{ "task", "cancel", "TASK.cancel", run_quiet, "cancel a task", 1, { ID }, NO_OPTS },
	{ "task", "destroy", "TASK.destroy", run_quiet, "forget a task", 1, { ID }, NO_OPTS },
	{ NULL, NULL, NULL, NULL, NULL, 0, { { 0 } }, NO_OPTS },
};
/* clang-format on */

static int is_group(const char *name)
{
	for (const struct cmd *cmd = commands; cmd->name; cmd++)
		if (cmd->group && strcmp(cmd->group, name) == 0)
			return 1;
	return 0;
}

static const struct cmd *find_cmd(const char *group, const char *name)
{
	for (const struct cmd *cmd = commands; cmd->name; cmd++) {
		if (!group != !cmd->group || (group && strcmp(group, cmd->group) != 0))
			continue;
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

void ctl_usage_commands(FILE *f)
{
	const char *last = "";

	fprintf(f, "Commands:\n");
	for (const struct cmd *cmd = commands; cmd->name; cmd++) {
		const char *group = cmd->group ? cmd->group : "";

		if (strcmp(group, last) != 0)
			fprintf(f, "\n");
		last = group;
		fprintf(f, "  %s%s%-12s %s\n", group, group[0] ? " " : "", cmd->name, cmd->help);
	}
	fprintf(f, "\n'xenopsctl COMMAND --help' describes a command's arguments.\n");
}

static void group_usage(FILE *f, const char *group)
{
	fprintf(f, "Usage: xenopsctl %s COMMAND ...\n", group);
	for (const struct cmd *cmd = commands; cmd->name; cmd++)
		if (cmd->group && strcmp(cmd->group, group) == 0)
			fprintf(f, "  %s %-12s %s\n", group, cmd->name, cmd->help);
}

int ctl_run(struct ctl *c, int argc, char **argv)
{
	const char *group = NULL;
	const struct cmd *cmd;
	struct args a;
	int help = 0, rc;

	/* "host" is a command and a group ("host dmesg"): alone or with options, the command. */
	if (is_group(argv[0]) &&
	    !(find_cmd(NULL, argv[0]) &&
	      (argc == 1 || argv[1][0] == '-'))) {
		group = argv[0];
		argc--;
		argv++;
		if (argc == 0 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
			group_usage(argc ? stdout : stderr, group);
			return argc ? CTL_OK : CTL_USAGE;
		}
	}
	cmd = find_cmd(group, argv[0]);
	if (!cmd) {
		fprintf(stderr, "xenopsctl: unknown command '%s%s%s'; try 'xenopsctl --help'\n",
		        group ? group : "", group ? " " : "", argv[0]);
		return CTL_USAGE;
	}
	rc = ctl_parse_args(c, cmd, argc - 1, argv + 1, &a, &help);
	if (rc)
		return rc;
	if (help) {
		ctl_cmd_help(stdout, cmd);
		/* A command that is a group too ("host"): its subcommands. */
		if (!cmd->group && is_group(cmd->name)) {
			printf("\n");
			group_usage(stdout, cmd->name);
		}
		return CTL_OK;
	}
	return cmd->fn(c, cmd, &a);
}
