/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine as seen from the API layer: objects, operations as tasks on
 * per-VM queues run by a worker pool, the update log and event dispatch.
 * Every function that can fail fills the caller's error value (util.h).
 */
#ifndef XO_ENGINE_H
#define XO_ENGINE_H

#include "model/model.h"
#include "util/util.h"
#include "xenops/xenops.h"

struct xo_engine;

struct xo_engine_opts {
	const char *state_dir; /* NULL: memory store */
	const char *backend;   /* "sim", "xen" or NULL (auto) */
	unsigned int workers;
	struct xo_log log;
};


/* A request to run an operation; strings are copied. */
struct xo_op_req {
	int op;
	const char *vm;
	int dev_kind;        /* devices: XENOPS_KIND_VBD/VIF/PCI */
	const char *dev;
	unsigned int flags;  /* XENOPS_START_PAUSED, XENOPS_FORCE */
	unsigned int timeout_s;
	const char *path;    /* suspend/resume */
	const char *media;   /* VBD insert */
	int carrier;         /* VIF set_carrier */
	uint64_t mem_target; /* VM set_memory: bytes */
	uint64_t mem_max;    /* VM set_memory: bytes, 0 = unchanged */
	unsigned int vcpus;  /* VM set_vcpus */
	const char *xs_data; /* VM set_xenstore: {key: value or null} as JSON text;
	                        VM set_scheduler: {weight?, cap?, affinity?, soft_affinity?} */
	int fd;              /* migration: the stream (the caller's), else unused */
};

int xo_engine_new(struct xo_engine **out, const struct xo_engine_opts *opts, struct xo_error *err);
void xo_engine_free(struct xo_engine *e);
const char *xo_engine_backend_name(const struct xo_engine *e);
const char *xo_engine_instance(const struct xo_engine *e);
int xo_engine_host_stat(struct xo_engine *e, char **json_out, struct xo_error *err);
/*
 * A run-time option of the context: "boot.grub_pv", "boot.grub_pvh",
 * "dm.restrict", "dm.uid_base" (the last two: xen backend only).
 */
int xo_engine_set_option(struct xo_engine *e, const char *key, const char *value,
			 struct xo_error *err);
int xo_engine_debug_set(struct xo_engine *e, const char *key, const char *value,
			struct xo_error *err);
int xo_engine_sim_guest_action(struct xo_engine *e, const char *vm, const char *action,
			       const char *device, struct xo_error *err);

/* Definitions. */
int xo_engine_vm_add(struct xo_engine *e, const char *json, char **id_out, struct xo_error *err);
int xo_engine_vm_remove(struct xo_engine *e, const char *vm, struct xo_error *err);
int xo_engine_vm_set_config(struct xo_engine *e, const char *vm, const char *json,
			    struct xo_error *err);
int xo_engine_vm_list(struct xo_engine *e, struct xo_strv *out, struct xo_error *err);
int xo_engine_vm_stat(struct xo_engine *e, const char *vm, char **json_out, struct xo_error *err);
int xo_engine_vm_get_config(struct xo_engine *e, const char *vm, char **json_out,
			    struct xo_error *err);
/* Statistics (stats.c): one VM's, or {vms: [...]} of every VM. */
int xo_engine_vm_stats(struct xo_engine *e, const char *vm, char **json_out,
		       struct xo_error *err);
int xo_engine_vm_stats_all(struct xo_engine *e, char **json_out, struct xo_error *err);
/* The hypervisor's log (HOST.dmesg); *text_out malloc'd. */
int xo_engine_host_dmesg(struct xo_engine *e, char **text_out, struct xo_error *err);
int xo_engine_vm_power(struct xo_engine *e, const char *vm, int *state, int *domid,
		       struct xo_error *err);
int xo_engine_dev_add(struct xo_engine *e, int kind, const char *vm, const char *json,
		      char **id_out, struct xo_error *err);
int xo_engine_dev_remove(struct xo_engine *e, int kind, const char *vm, const char *dev,
			 struct xo_error *err);
int xo_engine_dev_list(struct xo_engine *e, int kind, const char *vm, struct xo_strv *out,
		       struct xo_error *err);
int xo_engine_dev_stat(struct xo_engine *e, int kind, const char *vm, const char *dev,
		       int with_state, char **json_out, struct xo_error *err);

/* Operations: queue a task; *task_out gets its id (NULL: destroy on finish). */
int xo_engine_submit(struct xo_engine *e, const struct xo_op_req *req, char **task_out,
		     struct xo_error *err);

/*
 * Migration (migrate.c): read a stream's header from @fd, define the VM it
 * carries and record the arrival; *vm_out (free()) is its id and *flags_out
 * the task flags the header asks for. A refusal is sent to the peer.
 */
int xo_engine_migrate_arrive(struct xo_engine *e, int fd, char **vm_out, unsigned int *flags_out,
			     struct xo_error *err);
/* The receiving task could not be queued: tell the peer, forget the VM. */
void xo_engine_migrate_arrival_failed(struct xo_engine *e, const char *vm, int fd,
				      const struct xo_error *why);

/* Tasks. */
int xo_engine_task_stat(struct xo_engine *e, const char *task, char **json_out,
			struct xo_error *err);
int xo_engine_task_state(struct xo_engine *e, const char *task, int *state, double *progress,
			 int *error, struct xo_error *err);
/* Wait for the end; on success *task_err (may be NULL) gets the task's error. */
int xo_engine_task_wait(struct xo_engine *e, const char *task, int timeout_ms,
			struct xo_error *task_err, struct xo_error *err);
int xo_engine_task_cancel(struct xo_engine *e, const char *task, struct xo_error *err);
int xo_engine_task_destroy(struct xo_engine *e, const char *task, struct xo_error *err);
int xo_engine_task_list(struct xo_engine *e, struct xo_strv *out, struct xo_error *err);

/* Updates. The public struct xenops_updates is defined here. */
struct xo_update_item {
	int kind;
	char *vm;
	char *id;
	int deleted;
};
struct xo_barrier_item {
	uint64_t id;
	char *vm;
};
struct xenops_updates {
	struct xo_update_item *items;
	size_t n;
	struct xo_barrier_item *barriers;
	size_t nbarriers;
	char next[64];
};
int xo_engine_updates_get(struct xo_engine *e, const char *token, int timeout_ms,
			  struct xenops_updates **out, struct xo_error *err);
void xo_updates_free(struct xenops_updates *u);
int xo_engine_inject_barrier(struct xo_engine *e, const char *vm, uint64_t *id_out,
			     struct xo_error *err);

/* Event-loop integration. */
int xo_engine_subscribe(struct xo_engine *e, unsigned int mask, xenops_event_fn fn, void *ud,
			uint64_t *watch_out, struct xo_error *err);
int xo_engine_unsubscribe(struct xo_engine *e, uint64_t watch, struct xo_error *err);
int xo_engine_fd(struct xo_engine *e);
/* Deliver pending events to subscribers, passing @ctx to callbacks. */
int xo_engine_dispatch(struct xo_engine *e, xenops_ctx *ctx, struct xo_error *err);

#endif /* XO_ENGINE_H */
