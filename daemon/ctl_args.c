/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl argument mapping: argv to arguments (options, positionals,
 * help), and arguments to RPC params or to the configuration of an add
 * command.
 */
#include "ctl_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int ctl_usage_error(const struct cmd *cmd, const char *fmt, const char *what)
{
	fprintf(stderr, "xenopsctl: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\nTry 'xenopsctl %s%s%s --help'.\n", cmd->group ? cmd->group : "",
	        cmd->group ? " " : "", cmd->name);
	return CTL_USAGE;
}

/* ---- params ------------------------------------------------------------------ */

int ctl_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
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
	unsigned long long v;
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
			return ctl_usage_error(cmd, "expected on or off, not '%s'", arg);
		json_object_object_add(params, p->param, json_object_new_boolean(b));
		return 0;
	case A_UINT:
		if (ctl_parse_uint(arg, UINT_MAX, &v) < 0)
			return ctl_usage_error(cmd, "expected a non-negative integer, not '%s'", arg);
		json_object_object_add(params, p->param, json_object_new_int64((int64_t)v));
		return 0;
	case A_XSKEY: {
		struct json_object *data = json_object_new_object();

		json_object_object_add(data, arg, NULL);
		json_object_object_add(params, p->param, data);
		return 0;
	}
	case A_XSVAL: {
		struct json_object *data = NULL;

		if (!json_object_object_get_ex(params, p->param, &data))
			return 0;
		json_object_object_foreach(data, key, val) {
			(void)val;
			json_object_object_add(data, key, json_object_new_string(arg));
			break;
		}
		return 0;
	}
	case A_MIB:
		if (parse_mib(arg, &v) < 0)
			return ctl_usage_error(cmd, "expected a size like 512, 512M or 2G, not '%s'", arg);
		json_object_object_add(params, p->param, json_object_new_int64((int64_t)v));
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
	case O_FALSE:
		json_object_object_add(params, o->param, json_object_new_boolean(0));
		break;
	case O_UINT:
		if (ctl_parse_uint(val, UINT_MAX, &v) < 0)
			return ctl_usage_error(cmd, "expected a non-negative integer, not '%s'", val);
		json_object_object_add(params, o->param, json_object_new_int64((int64_t)v));
		break;
	case O_MIB:
		if (parse_mib(val, &v) < 0)
			return ctl_usage_error(cmd, "expected a size like 512, 512M or 2G, not '%s'", val);
		json_object_object_add(params, o->param, json_object_new_int64((int64_t)v));
		break;
	case O_CPUS:
		if (!strchr(val, ';')) {
			json_object_object_add(params, o->param, json_object_new_string(val));
		} else {
			struct json_object *arr = json_object_new_array();
			const char *p = val;

			for (;;) {
				const char *e = strchr(p, ';');
				size_t n = e ? (size_t)(e - p) : strlen(p);

				json_object_array_add(arr, json_object_new_string_len(p, (int)n));
				if (!e)
					break;
				p = e + 1;
			}
			json_object_object_add(params, o->param, arr);
		}
		break;
	}
	return 0;
}

/* The RPC params of a command from its arguments (not config fields). */
int ctl_build_params(const struct cmd *cmd, const struct args *a, struct json_object **out)
{
	struct json_object *params = json_object_new_object();
	int rc = 0;

	for (int i = 0; i < a->npos && !rc; i++)
		if (cmd->pos[i].type != A_FILE)
			rc = add_pos(cmd, params, &cmd->pos[i], a->pos[i]);
	for (int i = 0; cmd->opts[i].name && !rc; i++)
		if (a->val[i] && (cmd->opts[i].type <= O_UINT || cmd->opts[i].type == O_MIB ||
				  cmd->opts[i].type == O_CPUS))
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
		if (ctl_parse_uint(val, INT_MAX, &v) < 0)
			return ctl_usage_error(cmd, "expected a non-negative integer, not '%s'", val);
		break;
	case F_MIB:
		if (parse_mib(val, &v) < 0)
			return ctl_usage_error(cmd, "expected a size such as 512M or 2G, not '%s'",
			                   val);
		break;
	case F_BOOL:
		b = parse_onoff(val);
		if (b < 0)
			return ctl_usage_error(cmd, "expected on or off, not '%s'", val);
		json_object_object_add(config, o->param, json_object_new_boolean(b));
		return 0;
	default:
		return 0;
	}
	json_object_object_add(config, o->param, json_object_new_int64((int64_t)v));
	return 0;
}

/* From the file argument if any, then the field options on top of it. */
int ctl_build_config(const struct cmd *cmd, const struct args *a, struct json_object **out)
{
	struct json_object *config = NULL;
	int fields = 0, rc = 0;

	for (int i = 0; i < a->npos; i++)
		if (cmd->pos[i].type == A_FILE && !(config = read_json_file(a->pos[i])))
			return CTL_USAGE;
	if (!config)
		config = json_object_new_object();
	for (int i = 0; cmd->opts[i].name && !rc; i++) {
		if (a->val[i] && cmd->opts[i].type >= F_STR && cmd->opts[i].type != O_MIB &&
		    cmd->opts[i].type != O_CPUS) {
			rc = set_field(cmd, config, &cmd->opts[i], a->val[i]);
			fields++;
		}
	}
	if (!rc && !fields && json_object_object_length(config) == 0 && a->npos < cmd->min_pos + 1)
		rc = ctl_usage_error(cmd, "%s",
		                 "give a configuration FILE ('-' for stdin) or field options");
	if (rc) {
		json_object_put(config);
		return rc;
	}
	*out = config;
	return 0;
}

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
	return type != O_TRUE && type != O_ZERO && type != O_FALSE;
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

void ctl_cmd_help(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "Usage: ");
	synopsis(f, cmd);
	fprintf(f, "%s%s.\n", cmd->help, cmd->fn == ctl_run_op ? "; waits for the task" : "");
	if (cmd->method)
		fprintf(f, "RPC method: %s\n", cmd->method);
	fprintf(f, "\nOptions:\n");
	for (int i = 0; cmd->opts[i].name; i++)
		fprintf(f, "  --%s%s\t%s\n", cmd->opts[i].name,
		        takes_value(cmd->opts[i].type) ? " VALUE" : "", cmd->opts[i].help);
	fprintf(f, "  --json\tmachine-readable output\n");
	if (cmd->fn == ctl_run_op)
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
		return ctl_usage_error(cmd, "unknown option '%s'", argv[*i]);
	if (!takes_value(cmd->opts[idx].type)) {
		if (eq)
			return ctl_usage_error(cmd, "option '--%s' takes no value",
			                   cmd->opts[idx].name);
		a->val[idx] = "1";
	} else if (eq) {
		a->val[idx] = eq + 1;
	} else if (*i + 1 < argc) {
		a->val[idx] = argv[++*i];
	} else {
		return ctl_usage_error(cmd, "option '--%s' needs a value", cmd->opts[idx].name);
	}
	return 0;
}

int ctl_parse_args(struct ctl *c, const struct cmd *cmd, int argc, char **argv, struct args *a,
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
			return ctl_usage_error(cmd, "unknown option '%s'", arg);
		} else if (a->npos < max_pos(cmd)) {
			a->pos[a->npos++] = arg;
		} else {
			return ctl_usage_error(cmd, "unexpected argument '%s'", arg);
		}
	}
	if (!*help && a->npos < cmd->min_pos)
		return ctl_usage_error(cmd, "%s", "missing arguments");
	return 0;
}

