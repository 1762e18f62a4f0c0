/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl views: lists shown as tables (one stat call per row,
 * pipelined) and the event feed (UPDATES.get in a loop, reconnecting).
 */
#include "ctl_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int ctl_run_list(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	const struct list_view *v = view_of(cmd);
	struct json_object *res = NULL, *ids = NULL;
	int rc = ctl_call_cmd(c, cmd, a, &res);

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
	const char *kind = ctl_str_member(it, "kind"), *id = ctl_str_member(it, "id");
	const char *vm = ctl_str_member(it, "vm");
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
		       ctl_str_member(b, "vm") ? ctl_str_member(b, "vm") : "?");
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "barrier", json_object_get(id));
	json_object_object_add(
	        out, "vm", json_object_new_string(ctl_str_member(b, "vm") ? ctl_str_member(b, "vm") : ""));
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
	f->token = ctl_str_member(res, "next") ? strdup(ctl_str_member(res, "next")) : NULL;
	json_object_put(res);
	return rc;
}

int ctl_run_events(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct feed f = { 0 };
	unsigned long long count = 0;
	int rc;

	if (a->val[0] && (ctl_parse_uint(a->val[0], LONG_MAX, &count) < 0 || count == 0))
		return ctl_usage_error(cmd, "expected a positive count, not '%s'", a->val[0]);
	f.count = (long)count;
	rc = feed_step(c, &f, 1);
	while (rc == 0 && (!c->deadline_ms || ctl_now_ms() < c->deadline_ms))
		rc = feed_step(c, &f, 0);
	free(f.token);
	if (rc == 0)
		return CTL_TIMEOUT; /* only the deadline ends the loop with 0 */
	return rc == 1 ? CTL_OK : rc;
}

