/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl commands: the command table's types (ctl_cmds.c holds the
 * table and the handlers), the mapping of arguments to RPC params
 * (ctl_args.c), and the views that show lists and the event feed
 * (ctl_views.c).
 */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include "ctl.h"

#define MAX_POS 3
#define MAX_OPTS 16

/* How a positional argument becomes a param. */
enum pos_type {
	A_STR,   /* as given */
	A_PATH,  /* made absolute: the daemon does not share our directory */
	A_ONOFF, /* "on" / "off" as a boolean */
	A_FILE,  /* optional config file ("-": stdin), not a param */
	A_UINT,  /* a non-negative integer */
	A_MIB,   /* a size in MiB, given as 512, 512M, 2G */
	A_XSKEY, /* param "data" = {arg: null} */
	A_XSVAL, /* the value of the A_XSKEY before it */
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
	O_MIB,   /* param = a size in MiB, given as 512, 512M, 2G */
	O_CPUS,  /* param = a CPU list, or with ';' an array of lists (one per vCPU) */
	O_FALSE, /* flag: param = false */
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

/* ---- ctl_args.c: arguments to params ---- */

/* Print a usage error about @cmd (@fmt takes @what); returns CTL_USAGE. */
int ctl_usage_error(const struct cmd *cmd, const char *fmt, const char *what);
/* A decimal number up to @max: 0, or -1. */
int ctl_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
/* The RPC params of @cmd from @a (*out owned); 0 or an exit code. */
int ctl_build_params(const struct cmd *cmd, const struct args *a, struct json_object **out);
/* The configuration of an add command (file and fields); 0 or an exit code. */
int ctl_build_config(const struct cmd *cmd, const struct args *a, struct json_object **out);
/* argv (after the command name) to @a; *help set for --help. 0 or an exit code. */
int ctl_parse_args(struct ctl *c, const struct cmd *cmd, int argc, char **argv, struct args *a,
                   int *help);
void ctl_cmd_help(FILE *f, const struct cmd *cmd);

/* ---- ctl_cmds.c: calls ---- */

/* The string member @key of @obj, or NULL. */
const char *ctl_str_member(struct json_object *obj, const char *key);
/* Call @cmd's method with params from @a; 0 with *res (owned), or an exit code. */
int ctl_call_cmd(struct ctl *c, const struct cmd *cmd, const struct args *a,
                 struct json_object **res);
/* The handler of the commands that submit an operation and follow its task. */
int ctl_run_op(struct ctl *c, const struct cmd *cmd, struct args *a);

/* ---- ctl_views.c: handlers that show more than one answer ---- */

int ctl_run_list(struct ctl *c, const struct cmd *cmd, struct args *a);
int ctl_run_events(struct ctl *c, const struct cmd *cmd, struct args *a);

/* ---- ctl_top.c: statistics ---- */

int ctl_run_stats(struct ctl *c, const struct cmd *cmd, struct args *a);
int ctl_run_top(struct ctl *c, const struct cmd *cmd, struct args *a);

/* ---- ctl_console.c: a VM's text console ---- */

int ctl_run_console(struct ctl *c, const struct cmd *cmd, struct args *a);

#endif /* CTL_CMD_H */
