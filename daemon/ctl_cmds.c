/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl subcommands: a table with one entry per command (positional
 * arguments and options map to RPC params), and the few handlers that do
 * more than one call (task waiting, lists shown as tables, the event feed).
 */
#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_POS 3
#define MAX_OPTS 16

/* How a positional argument becomes a param. */
enum pos_type {
	A_STR,   /* as given */
	A_PATH,  /* made absolute: the daemon does not share our directory */
	A_ONOFF, /* "on" / "off" as a boolean */
	A_FILE,  /* optional config file ("-": stdin), not a param */
};

/* How an option becomes a param, or a field of the config being added. */
enum opt_type {
	O_TRUE,  /* flag: param = true */
	O_ZERO,  /* flag: param = 0 (e.g. --force is timeout 0) */
	O_UINT,  /* param = N */
	O_COUNT, /* local: a count (events --count) */
	F_STR,   /* config field, a string */
	F_INT,   /* config field, an integer */
	F_MIB,   /* config field in MiB, given as 512, 512M, 2G */
	F_BOOL,  /* config field, on/off */
};

struct posdef {
	const char *param;
	int type;
};

struct optdef {
	const char *name;  /* --name */
	const char *param; /* param or config field */
	int type;
	const char *help;
};

struct args {
	const char *pos[MAX_POS];
	int npos;
	const char *val[MAX_OPTS]; /* by index in cmd->opts; NULL when absent */
};

struct cmd;
typedef int (*cmd_fn)(struct ctl *c, const struct cmd *cmd, struct args *a);

struct cmd {
	const char *group; /* "vm", "vbd"...; NULL for top-level commands */
	const char *name;
	const char *method;
	cmd_fn fn;
	const char *help;
	int min_pos;
	struct posdef pos[MAX_POS];
	struct optdef opts[MAX_OPTS];
};

static int usage_error(const struct cmd *cmd, const char *fmt, const char *what)
{
	fprintf(stderr, "xenopsctl: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\nTry 'xenopsctl %s%s%s --help'.\n", cmd->group ? cmd->group : "",
	        cmd->group ? " " : "", cmd->name);
	return CTL_USAGE;
}

/* ---- params ------------------------------------------------------------------ */

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;

	if (!s[0] || s[0] == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_onoff(const char *s)
{
	static const char *const on[] = { "on", "true", "yes", "1", NULL };
	static const char *const off[] = { "off", "false", "no", "0", NULL };

	for (int i = 0; on[i]; i++) {
		if (strcmp(s, on[i]) == 0)
			return 1;
		if (strcmp(s, off[i]) == 0)
			return 0;
	}
	return -1;
}

/* "512", "512M", "2G", "1T" in MiB. */
static int parse_mib(const char *s, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v, mul = 1;

	if (!s[0] || s[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'G' || *end == 'g')
		mul = 1024;
	else if (*end == 'T' || *end == 't')
		mul = 1024 * 1024;
	else if (*end && *end != 'M' && *end != 'm')
		return -1;
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -1;
	if (v > INT_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int add_pos(const struct cmd *cmd, struct json_object *params, const struct posdef *p,
                   const char *arg)
{
	char cwd[PATH_MAX], path[PATH_MAX * 2];
	int b;

	switch (p->type) {
	case A_PATH:
		if (arg[0] != '/' && getcwd(cwd, sizeof(cwd))) {
			snprintf(path, sizeof(path), "%s/%s", cwd, arg);
			arg = path;
		}
		/* fall through */
	case A_STR:
		json_object_object_add(params, p->param, json_object_new_string(arg));
		return 0;
	case A_ONOFF:
		b = parse_onoff(arg);
		if (b < 0)
			return usage_error(cmd, "expected on or off, not '%s'", arg);
		json_object_object_add(params, p->param, json_object_new_boolean(b));
		return 0;
	}
	return 0;
}

static int add_opt(const struct cmd *cmd, struct json_object *params, const struct optdef *o,
                   const char *val)
{
	unsigned long long v;

	switch (o->type) {
	case O_TRUE:
		json_object_object_add(params, o->param, json_object_new_boolean(1));
		break;
	case O_ZERO:
		json_object_object_add(params, o->param, json_object_new_int(0));
		break;
	case O_UINT:
		if (parse_uint(val, UINT_MAX, &v) < 0)
			return usage_error(cmd, "expected a non-negative integer, not '%s'", val);
		json_object_object_add(params, o->param, json_object_new_int64((int64_t)v));
		break;
	}
	return 0;
}

/* The RPC params of a command from its arguments (not config fields). */
static int build_params(const struct cmd *cmd, const struct args *a, struct json_object **out)
{
	struct json_object *params = json_object_new_object();
	int rc = 0;

	for (int i = 0; i < a->npos && !rc; i++)
		if (cmd->pos[i].type != A_FILE)
			rc = add_pos(cmd, params, &cmd->pos[i], a->pos[i]);
	for (int i = 0; cmd->opts[i].name && !rc; i++)
		if (a->val[i] && cmd->opts[i].type <= O_UINT)
			rc = add_opt(cmd, params, &cmd->opts[i], a->val[i]);
	if (rc) {
		json_object_put(params);
		return rc;
	}
	*out = params;
	return 0;
}

/* ---- configs for the add commands ------------------------------------------------ */

static struct json_object *read_json_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct json_object *obj = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "xenopsctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			char *nt = realloc(text, cap = cap ? cap * 2 : 8192);

			if (!nt)
				break;
			text = nt;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (text) {
		text[len] = '\0';
		obj = json_tokener_parse(text);
	}
	if (f != stdin)
		fclose(f);
	free(text);
	if (!json_object_is_type(obj, json_type_object)) {
		fprintf(stderr, "xenopsctl: %s: not a JSON object\n", path);
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static int set_field(const struct cmd *cmd, struct json_object *config, const struct optdef *o,
                     const char *val)
{
	unsigned long long v;
	int b;

	switch (o->type) {
	case F_STR:
		json_object_object_add(config, o->param, json_object_new_string(val));
		return 0;
	case F_INT:
		if (parse_uint(val, INT_MAX, &v) < 0)
			return usage_error(cmd, "expected a non-negative integer, not '%s'", val);
		break;
	case F_MIB:
		if (parse_mib(val, &v) < 0)
			return usage_error(cmd, "expected a size such as 512M or 2G, not '%s'",
			                   val);
		break;
	case F_BOOL:
		b = parse_onoff(val);
		if (b < 0)
			return usage_error(cmd, "expected on or off, not '%s'", val);
		json_object_object_add(config, o->param, json_object_new_boolean(b));
		return 0;
	default:
		return 0;
	}
	json_object_object_add(config, o->param, json_object_new_int64((int64_t)v));
	return 0;
}

/* From the file argument if any, then the field options on top of it. */
static int build_config(const struct cmd *cmd, const struct args *a, struct json_object **out)
{
	struct json_object *config = NULL;
	int fields = 0, rc = 0;

	for (int i = 0; i < a->npos; i++)
		if (cmd->pos[i].type == A_FILE && !(config = read_json_file(a->pos[i])))
			return CTL_USAGE;
	if (!config)
		config = json_object_new_object();
	for (int i = 0; cmd->opts[i].name && !rc; i++) {
		if (a->val[i] && cmd->opts[i].type >= F_STR) {
			rc = set_field(cmd, config, &cmd->opts[i], a->val[i]);
			fields++;
		}
	}
	if (!rc && !fields && json_object_object_length(config) == 0 && a->npos < cmd->min_pos + 1)
		rc = usage_error(cmd, "%s",
		                 "give a configuration FILE ('-' for stdin) or field options");
	if (rc) {
		json_object_put(config);
		return rc;
	}
	*out = config;
	return 0;
}

/* ---- tasks ---------------------------------------------------------------------- */

static const char *str_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The exit code of an ended task; prints its error. */
static int task_outcome(struct json_object *stat)
{
	const char *state = str_member(stat, "state");
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
		         str_member(e, "name") ? str_member(e, "name") : "error");
		snprintf(err.message, sizeof(err.message), "%s",
		         str_member(e, "message") ? str_member(e, "message") : "");
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
static int follow(struct ctl *c, const char *task, struct json_object **stat_out)
{
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
		state = str_member(*stat_out, "state");
		if (!state || strcmp(state, "pending") != 0)
			break;
		json_object_object_get_ex(*stat_out, "progress", &v);
		if (tty || !c->json)
			ctl_progress_update(&prog, task, json_object_get_double(v),
			                    str_member(*stat_out, "atom"));
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
static int wait_task(struct ctl *c, const char *task, int destroy)
{
	struct json_object *stat = NULL, *params, *ignored = NULL;
	int rc = follow(c, task, &stat), drc;

	if (rc)
		goto out;
	if (c->json)
		ctl_print_json(stat, 0);
	rc = task_outcome(stat);
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
static int call_cmd(struct ctl *c, const struct cmd *cmd, const struct args *a,
		    struct json_object **res)
{
	struct json_object *params = NULL;
	int rc = build_params(cmd, a, &params);

	return rc ? rc : ctl_call(c, cmd->method, params, res);
}

/* An operation: submit, then wait for its task (unless --no-wait). */
static int run_op(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *res = NULL;
	const char *task;
	int rc = call_cmd(c, cmd, a, &res);

	if (rc)
		return rc;
	task = str_member(res, "task");
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
	int rc = call_cmd(c, cmd, a, &res);

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

/* get-config: the configuration. */
static int run_config(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	return call_and_show(c, cmd, a, SHOW_CONFIG);
}

static int run_add(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *params = NULL, *config = NULL, *res = NULL;
	int rc = build_params(cmd, a, &params);

	if (rc)
		return rc;
	rc = build_config(cmd, a, &config);
	if (rc) {
		json_object_put(params);
		return rc;
	}
	json_object_object_add(params, "config", config);
	rc = ctl_call(c, cmd->method, params, &res);
	if (rc)
		return rc;
	if (c->json)
		ctl_print_json(res, 0);
	else
		printf("%s\n", str_member(res, "id") ? str_member(res, "id") : "");
	json_object_put(res);
	return CTL_OK;
}

static int run_task_wait(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	(void)cmd;
	return wait_task(c, a->pos[0], 0);
}

/* ---- lists as tables ------------------------------------------------------------ */

/* Columns of a list table: a header and a dotted path into the stat object. */
struct column {
	const char *header;
	const char *path;
};

struct list_view {
	const char *list_key;    /* "vms", "vbds", "tasks"... */
	const char *stat_method; /* called for each id */
	const char *owner_param; /* "vm" for devices, NULL otherwise */
	struct column cols[6];   /* after the ID column; NULL header ends */
};

static const struct list_view vm_view = {
	"vms",
	"VM.stat",
	NULL,
	{ { "NAME", "config.name" },
	  { "POWER", "state.power_state" },
	  { "DOMID", "state.domid" },
	  { "MEMORY_MIB", "config.memory_mib" },
	  { "VCPUS", "config.vcpus" } },
};
static const struct list_view vbd_view = {
	"vbds",
	"VBD.stat",
	"vm",
	{ { "DEVICE", "config.device" },
	  { "KIND", "config.kind" },
	  { "MODE", "config.mode" },
	  { "PLUGGED", "state.plugged" },
	  { "BACKEND", "config.backend" } },
};
static const struct list_view vif_view = {
	"vifs",
	"VIF.stat",
	"vm",
	{ { "INDEX", "config.index" },
	  { "MAC", "config.mac" },
	  { "BRIDGE", "config.bridge" },
	  { "PLUGGED", "state.plugged" },
	  { "CARRIER", "state.carrier" } },
};
static const struct list_view pci_view = {
	"pcis",
	"PCI.stat",
	"vm",
	{ { "ADDRESS", "config.address" }, { "PLUGGED", "state.plugged" } },
};
static const struct list_view task_view = {
	"tasks",
	"TASK.stat",
	NULL,
	{ { "OPERATION", "operation" },
	  { "VM", "vm" },
	  { "STATE", "state" },
	  { "PROGRESS", "progress" },
	  { "ATOM", "atom" } },
};

static const struct list_view *view_of(const struct cmd *cmd)
{
	if (!cmd->group || strcmp(cmd->group, "vm") == 0)
		return &vm_view;
	if (strcmp(cmd->group, "vbd") == 0)
		return &vbd_view;
	if (strcmp(cmd->group, "vif") == 0)
		return &vif_view;
	if (strcmp(cmd->group, "pci") == 0)
		return &pci_view;
	return &task_view;
}

static void table_row(struct ctl_table *t, const struct list_view *v, const char *id,
                      struct json_object *stat)
{
	char bufs[6][128];
	const char *row[7] = { id };
	size_t n = 1;

	for (size_t i = 0; i < 6 && v->cols[i].header; i++, n++)
		row[n] = stat ? ctl_get_text(stat, v->cols[i].path, bufs[i], sizeof(bufs[i])) : "?";
	ctl_table_add(t, row);
}

/* Stat every listed object with pipelined requests, one table row each. */
static int print_table(struct ctl *c, const struct list_view *v, struct json_object *ids,
                       const char *owner)
{
	const char *headers[7] = { "ID" };
	size_t ncols = 1, n = json_object_array_length(ids);
	struct ctl_table t;
	int rc = 0;

	for (size_t i = 0; i < 6 && v->cols[i].header; i++)
		headers[ncols++] = v->cols[i].header;
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *params = json_object_new_object();

		json_object_object_add(params, "id",
		                       json_object_get(json_object_array_get_idx(ids, i)));
		if (v->owner_param)
			json_object_object_add(params, v->owner_param,
			                       json_object_new_string(owner));
		rc = ctl_send(c, v->stat_method, params);
	}
	if (rc)
		return rc;
	ctl_table_init(&t, headers, ncols);
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *stat = NULL;
		struct ctl_error err;
		int r = ctl_recv(c, &stat, &err);

		/* An object removed between the list and its stat shows as "?". */
		if (r > 0)
			rc = r;
		else
			table_row(&t, v, json_object_get_string(json_object_array_get_idx(ids, i)),
			          stat);
		json_object_put(stat);
	}
	if (!rc)
		ctl_table_print(&t);
	ctl_table_free(&t);
	return rc;
}

static int run_list(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	const struct list_view *v = view_of(cmd);
	struct json_object *res = NULL, *ids = NULL;
	int rc = call_cmd(c, cmd, a, &res);

	if (rc)
		return rc;
	if (c->json) {
		ctl_print_json(res, 0);
	} else if (!json_object_object_get_ex(res, v->list_key, &ids) ||
	           !json_object_is_type(ids, json_type_array)) {
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd (no %s)\n", v->list_key);
		rc = CTL_PROTOCOL;
	} else {
		rc = print_table(c, v, ids, a->npos ? a->pos[0] : NULL);
	}
	json_object_put(res);
	return rc;
}

/* ---- events ------------------------------------------------------------------ */

/* How long one UPDATES.get may wait; the loop asks again after it. */
#define EVENTS_POLL_S 30
/* After losing the daemon: attempts to reconnect, and the pause between them. */
#define RECONNECT_TRIES 50
#define RECONNECT_PAUSE_MS 100

struct feed {
	char *token; /* NULL: resync */
	long printed;
	long count; /* stop after this many lines; 0: never */
};

static void print_item(const struct ctl *c, struct json_object *it)
{
	const char *kind = str_member(it, "kind"), *id = str_member(it, "id");
	const char *vm = str_member(it, "vm");
	struct json_object *del = NULL;
	int deleted =
	        json_object_object_get_ex(it, "deleted", &del) && json_object_get_boolean(del);

	if (c->json) {
		ctl_print_json(it, 0);
	} else if (vm && kind && strcmp(kind, "vm") != 0) {
		printf("%s %s/%s %s\n", kind, vm, id ? id : "?", deleted ? "deleted" : "changed");
	} else {
		printf("%s %s %s\n", kind ? kind : "?", id ? id : "?",
		       deleted ? "deleted" : "changed");
	}
}

static void print_barrier(const struct ctl *c, struct json_object *b)
{
	struct json_object *id = NULL, *out;

	json_object_object_get_ex(b, "id", &id);
	if (!c->json) {
		printf("barrier %s vm %s\n", json_object_get_string(id),
		       str_member(b, "vm") ? str_member(b, "vm") : "?");
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "barrier", json_object_get(id));
	json_object_object_add(
	        out, "vm", json_object_new_string(str_member(b, "vm") ? str_member(b, "vm") : ""));
	ctl_print_json(out, 0);
	json_object_put(out);
}

/* Print a batch; returns 1 once --count lines were printed. */
static int print_batch(const struct ctl *c, struct feed *f, struct json_object *res)
{
	struct json_object *arr = NULL;
	const char *keys[2] = { "barriers", "updates" };

	for (int k = 0; k < 2; k++) {
		if (!json_object_object_get_ex(res, keys[k], &arr) ||
		    !json_object_is_type(arr, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			if (k == 0)
				print_barrier(c, json_object_array_get_idx(arr, i));
			else
				print_item(c, json_object_array_get_idx(arr, i));
			fflush(stdout);
			if (f->count && ++f->printed >= f->count)
				return 1;
		}
	}
	return 0;
}

static void announce_resync(const struct ctl *c)
{
	printf(c->json ? "{\"resync\":true}\n" : "resync\n");
	fflush(stdout);
}

static int reconnect(struct ctl *c)
{
	struct timespec pause = { 0, RECONNECT_PAUSE_MS * 1000000L };

	ctl_close(c);
	for (int i = 0; i < RECONNECT_TRIES; i++) {
		struct json_object *res = NULL;

		if (ctl_call(c, "Query", NULL, &res) == 0) {
			json_object_put(res);
			return 0;
		}
		ctl_close(c);
		nanosleep(&pause, NULL);
	}
	return CTL_CONNECT;
}

/* Seconds one UPDATES.get may wait, within --timeout. */
static double feed_wait(const struct ctl *c)
{
	double left;

	if (!c->deadline_ms)
		return EVENTS_POLL_S;
	left = ((double)c->deadline_ms - (double)ctl_now_ms()) / 1000.0 - 0.2;
	if (left < 0)
		return 0;
	return left < EVENTS_POLL_S ? left : EVENTS_POLL_S;
}

/* One UPDATES.get; 1 when the feed is complete, 0 to go on, or an exit code. */
static int feed_step(struct ctl *c, struct feed *f, int first)
{
	struct json_object *params = json_object_new_object(), *res = NULL;
	struct ctl_error err;
	int rc;

	json_object_object_add(params, "from", f->token ? json_object_new_string(f->token) : NULL);
	json_object_object_add(params, "timeout", json_object_new_double(feed_wait(c)));
	rc = ctl_send(c, "UPDATES.get", params);
	if (!rc)
		rc = ctl_recv(c, &res, &err);
	if (rc == CTL_CONNECT)
		return reconnect(c);
	/* A resync answers a token; without one it would be a daemon bug. */
	if (rc == -1 && f->token && strcmp(err.name, "XENOPS_ERESYNC") == 0) {
		free(f->token);
		f->token = NULL;
		return feed_step(c, f, 0);
	}
	if (rc)
		return rc == -1 ? ctl_error_exit(&err) : rc;
	/* The first batch is the current state, not a change; after a resync
	 * everything may have changed, so it is shown. */
	if (!f->token && !first)
		announce_resync(c);
	rc = !f->token && first ? 0 : print_batch(c, f, res);
	free(f->token);
	f->token = str_member(res, "next") ? strdup(str_member(res, "next")) : NULL;
	json_object_put(res);
	return rc;
}

static int run_events(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct feed f = { 0 };
	unsigned long long count = 0;
	int rc;

	if (a->val[0] && (parse_uint(a->val[0], LONG_MAX, &count) < 0 || count == 0))
		return usage_error(cmd, "expected a positive count, not '%s'", a->val[0]);
	f.count = (long)count;
	rc = feed_step(c, &f, 1);
	while (rc == 0 && (!c->deadline_ms || ctl_now_ms() < c->deadline_ms))
		rc = feed_step(c, &f, 0);
	free(f.token);
	if (rc == 0)
		return CTL_TIMEOUT; /* only the deadline ends the loop with 0 */
	return rc == 1 ? CTL_OK : rc;
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
	{ group, "list", G ".list", run_list, "list the VM's devices", 1, { VM }, NO_OPTS },  \
	{ group, "stat", G ".stat", run_show, "show configuration and state", 2, { VM, ID },  \
	  NO_OPTS },                                                                         \
	{ group, "get-config", G ".get_config", run_config, "show the configuration", 2,      \
	  { VM, ID }, NO_OPTS },                                                             \
	{ group, "remove", G ".remove", run_quiet, "remove an unplugged device", 2, { VM, ID }, \
	  NO_OPTS },                                                                         \
	{ group, "plug", G ".plug", run_op, "hot-plug into the running VM", 2, { VM, ID },     \
	  NO_OPTS },                                                                         \
	{ group, "unplug", G ".unplug", run_op, "unplug from the running VM", 2, { VM, ID },   \
	  { { "force", "force", O_TRUE, "without the guest's co-operation" } } }

static const struct cmd commands[] = {
	{ NULL, "query", "Query", run_show, "show the daemon's version, backend and instance", 0,
	  { { 0 } }, NO_OPTS },
	{ NULL, "host", "HOST.stat", run_show, "show the host: backend, CPUs, memory", 0,
	  { { 0 } }, NO_OPTS },
	{ NULL, "events", "UPDATES.get", run_events, "print each change as it happens", 0,
	  { { 0 } }, { { "count", NULL, O_COUNT, "stop after N lines" } } },
	{ NULL, "barrier", "UPDATES.inject_barrier", run_show,
	  "inject a barrier for a VM into the update stream", 1, { VM }, NO_OPTS },

	{ "vm", "add", "VM.add", run_add, "define a VM from a JSON FILE and/or fields", 0,
	  { FILE_ARG },
	  { { "id", "id", F_STR, "VM id (default: a new UUID)" },
	    { "name", "name", F_STR, "name" },
	    { "type", "type", F_STR, "pv or pvh" },
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
	{ "vm", "list", "VM.list", run_list, "list VMs", 0, { { 0 } }, NO_OPTS },
	{ "vm", "stat", "VM.stat", run_show, "show configuration and state", 1, { ID }, NO_OPTS },
	{ "vm", "get-config", "VM.get_config", run_config, "show the configuration", 1, { ID },
	  NO_OPTS },
	{ "vm", "start", "VM.start", run_op, "start a halted VM", 1, { ID },
	  { { "paused", "paused", O_TRUE, "leave it paused" } } },
	{ "vm", "shutdown", "VM.shutdown", run_op, "shut down (cleanly unless --force)", 1, { ID },
	  SHUTDOWN_OPTS },
	{ "vm", "reboot", "VM.reboot", run_op, "reboot (cleanly unless --force)", 1, { ID },
	  SHUTDOWN_OPTS },
	{ "vm", "pause", "VM.pause", run_op, "pause a running VM", 1, { ID }, NO_OPTS },
	{ "vm", "unpause", "VM.unpause", run_op, "unpause a paused VM", 1, { ID }, NO_OPTS },
	{ "vm", "suspend", "VM.suspend", run_op, "suspend to the file PATH", 2,
	  { ID, { "path", A_PATH } }, NO_OPTS },
	{ "vm", "resume", "VM.resume", run_op, "resume from the file PATH", 2,
	  { ID, { "path", A_PATH } }, { { "paused", "paused", O_TRUE, "leave it paused" } } },
	{ "vm", "destroy", "VM.destroy", run_op, "destroy the domain at once", 1, { ID },
	  NO_OPTS },
	{ "vm", "remove", "VM.remove", run_quiet, "remove a halted VM", 1, { ID }, NO_OPTS },

	DEV_COMMANDS("vbd", "VBD",
		     { "id", "id", F_STR, "device id (default: the device name)" },
			{ "device", "device", F_STR, "xvda, xvdb..." },
			{ "backend", "backend", F_STR, "file:PATH, phy:DEV, or empty" },
			{ "mode", "mode", F_STR, "rw or ro" },
			{ "kind", "kind", F_STR, "disk or cdrom" },
			{ "unpluggable", "unpluggable", F_BOOL, "on or off" }),
	{ "vbd", "eject", "VBD.eject", run_op, "remove the media of a CD drive", 2, { VM, ID },
	  NO_OPTS },
	{ "vbd", "insert", "VBD.insert", run_op, "insert media (file:PATH) into a CD drive", 3,
	  { VM, ID, { "backend", A_STR } }, NO_OPTS },

	DEV_COMMANDS("vif", "VIF",
		     { "id", "id", F_STR, "device id (default: the index)" },
			{ "index", "index", F_INT, "device index" },
			{ "mac", "mac", F_STR, "MAC address (default: generated)" },
			{ "bridge", "bridge", F_STR, "bridge to attach to" },
			{ "mtu", "mtu", F_INT, "MTU" },
			{ "carrier", "carrier", F_BOOL, "on or off" }),
	{ "vif", "set-carrier", "VIF.set_carrier", run_op, "set the link on or off", 3,
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

	{ "task", "list", "TASK.list", run_list, "list tasks", 0, { { 0 } }, NO_OPTS },
	{ "task", "stat", "TASK.stat", run_show, "show a task", 1, { ID }, NO_OPTS },
	{ "task", "wait", "TASK.wait", run_task_wait, "wait for a task to end", 1, { ID },
	  NO_OPTS },
	{ "task", "cancel", "TASK.cancel", run_quiet, "cancel a task", 1, { ID }, NO_OPTS },
	{ "task", "destroy", "TASK.destroy", run_quiet, "forget a task", 1, { ID }, NO_OPTS },
	{ NULL, NULL, NULL, NULL, NULL, 0, { { 0 } }, NO_OPTS },
};
/* clang-format on */

/* ---- argument parsing and help ------------------------------------------------------ */

static int max_pos(const struct cmd *cmd)
{
	int n = 0;

	while (n < MAX_POS && (cmd->pos[n].param || cmd->pos[n].type == A_FILE))
		n++;
	return n;
}

static int takes_value(int type)
{
	return type != O_TRUE && type != O_ZERO;
}

static void synopsis(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "xenopsctl [GLOBAL OPTIONS] %s%s%s", cmd->group ? cmd->group : "",
	        cmd->group ? " " : "", cmd->name);
	for (int i = 0; i < max_pos(cmd); i++) {
		char name[32];
		size_t j;

		if (cmd->pos[i].type == A_FILE) {
			fprintf(f, " [FILE|-]");
			continue;
		}
		for (j = 0; cmd->pos[i].param[j] && j < sizeof(name) - 1; j++)
			name[j] = (char)(cmd->pos[i].param[j] & ~0x20);
		name[j] = '\0';
		fprintf(f, i < cmd->min_pos ? " %s" : " [%s]", name);
	}
	if (cmd->opts[0].name)
		fprintf(f, " [OPTIONS]");
	fprintf(f, "\n");
}

static void cmd_help(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "Usage: ");
	synopsis(f, cmd);
	fprintf(f, "%s%s.\n", cmd->help, cmd->fn == run_op ? "; waits for the task" : "");
	if (cmd->method)
		fprintf(f, "RPC method: %s\n", cmd->method);
	fprintf(f, "\nOptions:\n");
	for (int i = 0; cmd->opts[i].name; i++)
		fprintf(f, "  --%s%s\t%s\n", cmd->opts[i].name,
		        takes_value(cmd->opts[i].type) ? " VALUE" : "", cmd->opts[i].help);
	fprintf(f, "  --json\tmachine-readable output\n");
	if (cmd->fn == run_op)
		fprintf(f, "  --no-wait\tprint the task id instead of waiting\n");
	fprintf(f, "  --help\tthis text\n");
}

static int find_opt(const struct cmd *cmd, const char *name, size_t len)
{
	for (int i = 0; cmd->opts[i].name; i++)
		if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, name, len) == 0)
			return i;
	return -1;
}

/* The options every command takes; 1 when @name was one. */
static int common_opt(struct ctl *c, const char *name, int *help)
{
	if (strcmp(name, "json") == 0)
		c->json = 1;
	else if (strcmp(name, "no-wait") == 0)
		c->no_wait = 1;
	else if (strcmp(name, "help") == 0)
		*help = 1;
	else
		return 0;
	return 1;
}

static int parse_option(struct ctl *c, const struct cmd *cmd, struct args *a, int argc, char **argv,
                        int *i, int *help)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int idx;

	if (!eq && common_opt(c, name, help))
		return 0;
	idx = find_opt(cmd, name, len);
	if (idx < 0)
		return usage_error(cmd, "unknown option '%s'", argv[*i]);
	if (!takes_value(cmd->opts[idx].type)) {
		if (eq)
			return usage_error(cmd, "option '--%s' takes no value",
			                   cmd->opts[idx].name);
		a->val[idx] = "1";
	} else if (eq) {
		a->val[idx] = eq + 1;
	} else if (*i + 1 < argc) {
		a->val[idx] = argv[++*i];
	} else {
		return usage_error(cmd, "option '--%s' needs a value", cmd->opts[idx].name);
	}
	return 0;
}

static int parse_args(struct ctl *c, const struct cmd *cmd, int argc, char **argv, struct args *a,
                      int *help)
{
	int only_pos = 0, rc;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_pos && strcmp(arg, "--") == 0) {
			only_pos = 1;
		} else if (!only_pos && (strcmp(arg, "-h") == 0)) {
			*help = 1;
		} else if (!only_pos && strncmp(arg, "--", 2) == 0) {
			rc = parse_option(c, cmd, a, argc, argv, &i, help);
			if (rc)
				return rc;
		} else if (!only_pos && arg[0] == '-' && arg[1]) {
			return usage_error(cmd, "unknown option '%s'", arg);
		} else if (a->npos < max_pos(cmd)) {
			a->pos[a->npos++] = arg;
		} else {
			return usage_error(cmd, "unexpected argument '%s'", arg);
		}
	}
	if (!*help && a->npos < cmd->min_pos)
		return usage_error(cmd, "%s", "missing arguments");
	return 0;
}

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

	if (is_group(argv[0])) {
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
	rc = parse_args(c, cmd, argc - 1, argv + 1, &a, &help);
	if (rc)
		return rc;
	if (help) {
		cmd_help(stdout, cmd);
		return CTL_OK;
	}
	return cmd->fn(c, cmd, &a);
}
