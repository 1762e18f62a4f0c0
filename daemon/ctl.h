/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl internals: the connection to xenopsd (ctl_conn.c), output
 * helpers (ctl_out.c) and the subcommands (ctl_cmd.h: ctl_cmds.c, ctl_args.c,
 * ctl_views.c).
 */
#ifndef XD_CTL_H
#define XD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Exit codes; the contract with scripts, documented in docs/xenopsctl.md. */
enum ctl_exit {
	CTL_OK = 0,
	CTL_USAGE = 1,     /* bad command line or input file */
	CTL_CONNECT = 2,   /* cannot connect to xenopsd, or it went away */
	CTL_PROTOCOL = 3,  /* malformed reply, or a JSON-RPC protocol error */
	CTL_TIMEOUT = 4,   /* --timeout expired */
	CTL_LIB_BASE = 10, /* + (-library error code): XENOPS_ENOTFOUND gives 13 */
};

/* Highest exit code a library error maps to; beyond it codes are clamped. */
#define CTL_EXIT_MAX 125

#define CTL_DEFAULT_SOCKET "/run/xenopsd.sock"

struct ctl {
	const char *socket_path;
	int json;             /* --json: machine output */
	int no_wait;          /* --no-wait: print task ids, do not wait */
	uint64_t deadline_ms; /* from --timeout; 0: none */
	int fd;               /* -1 until connected */
	char *buf;            /* bytes read and not yet returned */
	size_t len, cap;
	long next_id;
	long pending; /* requests sent, replies not read yet */
};

/* An error reply of the daemon. */
struct ctl_error {
	int code;
	char name[64];
	char message[512];
};

/* Monotonic milliseconds. */
uint64_t ctl_now_ms(void);

/* ---- ctl_conn.c ---- */

void ctl_init(struct ctl *c);
void ctl_close(struct ctl *c);

/*
 * Send a request (pipelined: replies are read in the same order with
 * ctl_recv). @params is consumed (may be NULL). Returns 0 or an exit code.
 */
int ctl_send(struct ctl *c, const char *method, struct json_object *params);

/*
 * Read the next reply. Returns 0 with *result_out set (owned), an exit code
 * for transport faults, or -1 when the daemon answered with an error
 * (filled into *err).
 */
int ctl_recv(struct ctl *c, struct json_object **result_out, struct ctl_error *err);

/* Send and receive; errors are printed and turned into an exit code. */
int ctl_call(struct ctl *c, const char *method, struct json_object *params,
             struct json_object **result_out);

/* Print a daemon error on stderr and map it to its exit code. */
int ctl_error_exit(const struct ctl_error *err);

/* ---- ctl_out.c ---- */

/* Print @obj as JSON on one line (--json) or indented. */
void ctl_print_json(struct json_object *obj, int pretty);

/* "key.sub: value" lines, for humans. */
void ctl_print_flat(struct json_object *obj);

/* A table: column headers, then rows of cells (strings, borrowed). */
struct ctl_table {
	size_t ncols, nrows, cap;
	const char **headers;
	char **cells; /* nrows * ncols, owned */
};
void ctl_table_init(struct ctl_table *t, const char **headers, size_t ncols);
void ctl_table_add(struct ctl_table *t, const char **row);
void ctl_table_print(struct ctl_table *t);
void ctl_table_free(struct ctl_table *t);

/* The value at a dotted path ("state.power_state") as text; "-" if absent. */
const char *ctl_get_text(struct json_object *obj, const char *path, char *buf, size_t size);

/* Task progress: a bar on a terminal, plain lines otherwise (stderr). */
struct ctl_progress {
	int tty;
	int shown;
	int last_pct;
	char last_atom[64];
};
void ctl_progress_init(struct ctl_progress *p, int tty);
void ctl_progress_update(struct ctl_progress *p, const char *task, double progress,
                         const char *atom);
void ctl_progress_end(struct ctl_progress *p);

/* ---- ctl_cmds.c ---- */

/* Run the subcommand in argv[0..]; returns the exit code. */
int ctl_run(struct ctl *c, int argc, char **argv);
void ctl_usage_commands(FILE *f);

/* ---- ctl_import.c ---- */

/* vm import-xl: define a VM from the xl.cfg file @path ("-": stdin), or
 * with @dry_run print what it converts to. Returns the exit code. */
int ctl_import_xl(struct ctl *c, const char *path, int dry_run);

#endif /* XD_CTL_H */
