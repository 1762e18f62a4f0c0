/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private structures shared by the engine's files. One mutex (e->lock)
 * guards everything here; backend and store calls are made without it,
 * except store writes, which are short and keep records in change order.
 */
#ifndef XO_ENGINE_INT_H
#define XO_ENGINE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "backend/backend.h"
#include "engine/engine.h"
#include "model/model.h"
#include "store/store.h"

/* One object in the update log: a doubly linked list in change order. */
struct xo_unode {
	struct xo_unode *prev, *next;
	struct xo_unode *tnext; /* tombstones only: the next one deleted after it */
	uint64_t seq;
	int kind;
	bool deleted;
	char *vm; /* points into id's allocation, NULL for tasks */
	char id[];
};

struct xo_dev {
	struct xo_dev_config *cfg;
	struct xo_dev_state st;
	struct xo_unode *un;
};

struct xo_task;

#define XO_PERSIST_STRIPES 16

struct xo_vm {
	char id[XO_ID_MAX + 1];
	bool ready; /* on the engine's ready list (here: in id's padding) */
	struct xo_vm_config *cfg; /* NULL while in error state */
	struct xo_vm_state st;
	struct xo_dev **devs;
	size_t ndevs, devcap;
	struct xo_task *q_head, *q_tail; /* queued, not yet running */
	struct xo_task *running;
	struct json_object *disagreements; /* seen at recovery, or NULL */
	struct xo_vm *ready_next;
	struct xo_unode *un;
	/* Runtime records: each encoding under the lock takes the next number
	 * (persist_seq); a writer outside the lock writes only a newer one than
	 * the last written (persisted_seq, under the VM's persist stripe). */
	uint64_t persist_seq, persisted_seq;
	/* The configuration as VM.stat prints it, made at the first VM.stat
	 * after a change; NULL until then (xo_vm_cfg_changed_locked). */
	char *cfg_text;
};

/*
 * The VM's configuration changed (or the VM goes): drop its printed
 * configuration. Every change of vm->cfg, or of a field in it, calls this
 * under the engine's lock.
 */
void xo_vm_cfg_changed_locked(struct xo_vm *vm);

#define XO_ATOM_NAME_MAX 96

struct xo_run;

struct xo_atom {
	char name[XO_ATOM_NAME_MAX];
	unsigned int weight;
	int (*fn)(struct xo_run *r, int arg, struct xo_error *err);
	int arg;
};

struct xo_task {
	char id[24];
	int op;
	char vm[XO_ID_MAX + 1];
	int dev_kind;
	char dev[XO_ID_MAX + 1];
	unsigned int flags, timeout_s;
	int carrier;
	char *path, *media;

	int state; /* enum xenops_task_state */
	double progress;
	char atom[XO_ATOM_NAME_MAX]; /* running atom, "" if none */
	struct xo_strv done;
	double *done_times; /* per done atom: started, finished (wall time); 2 x done.n */
	struct xo_error err;
	int result_domid; /* the task's result (start, resume), or -1 */
	double created, started, finished;
	bool cancel, destroy_on_finish, running, internal;

	struct xo_task *qnext;        /* in its VM's queue */
	struct xo_task *lprev, *lnext; /* in the engine's task list */
	struct xo_unode *un;
	uint64_t mem_target, mem_max; /* set_memory */
	unsigned int vcpus;            /* set_vcpus */
	char *xs_data;                 /* set_xenstore, set_scheduler: checked JSON text */
	char *result_json;             /* a result object other than a domid, or NULL */
	int fd;                        /* migration: the stream */
	struct xo_task_mig *mig;       /* migration tasks: progress */
};

struct xo_task_mig {
	struct xo_mig_progress progress;
	uint64_t last_ms; /* when the last round was reported */
	uint64_t phase_ms; /* when the phase began (0 while queued) */
};

struct xo_sub {
	struct xo_sub *next;
	uint64_t id;
	unsigned int mask;
	uint64_t since; /* events up to this seq are not for it */
	xenops_event_fn fn;
	void *ud;
};

struct xo_barrier {
	uint64_t id, seq;
	char vm[XO_ID_MAX + 1];
};

#define XO_MAX_TOMBSTONES 4096
#define XO_MAX_BARRIERS 1024

struct xo_engine {
	pthread_mutex_t lock;
	/* Order the runtime writes of one VM made outside the lock; striped by
	 * VM so that no VM needs a mutex of its own. Taken after e->lock, never
	 * before it. */
	pthread_mutex_t persist_locks[XO_PERSIST_STRIPES];
	pthread_cond_t work_cond;   /* workers: a VM became ready, or stop */
	pthread_cond_t task_cond;   /* a task ended */
	pthread_cond_t cancel_cond; /* a task was asked to stop (wakes sleeps) */
	pthread_cond_t upd_cond;    /* the update log advanced */
	struct xo_log log;

	const struct xo_backend_ops *bops;
	struct xo_backend *b;
	const struct xo_store_ops *sops;
	struct xo_store *s;

	struct xo_map vms; /* id -> struct xo_vm */
	struct xo_map tasks; /* id -> struct xo_task */
	struct xo_task *tfirst, *tlast;
	uint64_t next_task;

	struct xo_vm *ready_head, *ready_tail;
	pthread_t *workers;
	unsigned int nworkers;
	bool stopping;

	/* update log */
	char epoch[20];
	uint64_t seq;
	struct xo_unode *uhead, *utail;
	size_t ntombs;
	struct xo_unode *thead, *ttail; /* tombstones, oldest deletion first */
	uint64_t horizon; /* tokens below this missed dropped tombstones */
	struct xo_barrier *barriers; /* ring of the last XO_MAX_BARRIERS */
	size_t nbarriers, barrier_pos;
	uint64_t next_barrier;

	/* event dispatch */
	int evfd;
	bool evfd_armed;
	uint64_t dispatch_seq;
	struct xo_sub *subs;
	uint64_t next_sub;

	/* fault injection (test hooks), counted down under the lock */
	long fail_atom, cancel_point, crash_point;

	/* One guest-facts buffer (about 25 KiB) kept for the next VM.stat,
	 * taken and given back by atomic exchange; NULL while in use. */
	struct xo_guest_facts *gf_spare;
	/* The same for the scheduler's answer (about 16 KiB), for VM.stat. */
	struct xo_sched_info *si_spare;
	/* Migration faults: the step to die at / to cut the stream at ("" none). */
	char mig_crash[48], mig_cut[48];
};

/* The state of one running task, owned by its worker. */
struct xo_run {
	struct xo_engine *e;
	struct xo_task *t;
	struct xo_vm *vm; /* stable while the task is queued or running */
	struct xo_vm_config *cfg; /* snapshot */
	struct xo_dev_config **devs; /* snapshot of the devices to act on */
	size_t ndevs;
	int domid;
	bool created;   /* this run made a domain that may need undoing */
	bool destroyed; /* this run destroyed the VM's domain */
	bool saved;     /* a suspend image was written completely */
	bool intent;    /* an intent record was written for this run */
	int reason;     /* shutdown reason seen */
	/* Migration: the domain built from the stream (local migration: the
	 * new one while the old one is the VM's), whether the sending side's
	 * domain is shut down for suspend, the handshake reached;
	 * mig_send_tried: domain_send was called, so a failure may have left
	 * the guest shut down for suspend (the backend does not resume it). */
	int mig_domid, mig_src_domid;
	bool mig_sent, mig_commit_sent, mig_committed, mig_send_tried;
	int mig_live, mig_paused;
	uint64_t deadline_ms;
	struct xo_env env;
	struct xo_atom *atoms;
	size_t natoms, atomcap, cur;
};

/* engine.c */
void xo_engine_lock(struct xo_engine *e);
void xo_engine_unlock(struct xo_engine *e);
struct xo_vm *xo_vm_find(struct xo_engine *e, const char *vm);
struct xo_dev *xo_vm_dev_find(struct xo_vm *vm, int kind, const char *dev);

/* queue.c */
/* Put @vm on the ready list if it has queued work and none running. Locked. */
void xo_vm_make_ready_locked(struct xo_engine *e, struct xo_vm *vm);
void xo_vm_dequeue_locked(struct xo_vm *vm, struct xo_task *t);
/* Queue an internal state check of a VM (coalesced). Locked. */
void xo_queue_check_locked(struct xo_engine *e, struct xo_vm *vm, int op, int kind,
			   const char *dev);

/* worker.c */
void *xo_worker_main(void *arg);
/* Persist the VM's runtime record. Locked. */
void xo_persist_runtime_locked(struct xo_engine *e, struct xo_vm *vm);
/*
 * An atom's one commit (unlocked): under the engine lock, @apply changes
 * the VM's or its devices' state (marking in the update log what it
 * changed) and returns whether it changed anything; if so the VM's runtime
 * record is persisted before the lock is released.
 */
void xo_run_commit(struct xo_run *r, bool (*apply)(struct xo_run *r, void *arg),
		   void *arg);

/* hooks.c: fault injection. */
/* A crash point (test hook): the process dies here when it is the chosen one. */
void xo_crash_point_locked(struct xo_engine *e);
/* The same, unlocked: for points inside an atom that are not cancel points. */
void xo_crash_point(struct xo_engine *e);
/* XENOPS_EBACKEND when this atom is the one chosen to fail. Locked. */
int xo_atom_fault_locked(struct xo_engine *e, const struct xo_atom *a, struct xo_error *err);

/* host.c: the backend @name ("sim", "xen", NULL: automatic), or NULL and *err. */
const struct xo_backend_ops *xo_backend_pick(struct xo_engine *e, const char *name,
					     struct xo_error *err);

/* config.c: remember a stored/live disagreement found at recovery. Locked. */
void xo_vm_note_disagreement_locked(struct xo_vm *vm, int kind, const char *dev, const char *what,
				    const char *stored, const char *live);

/* recover.c: load the store's VMs and reconcile them with the backend. */
int xo_engine_load(struct xo_engine *e, struct xo_error *err);

/* task.c */
struct xo_task *xo_task_new_locked(struct xo_engine *e, const struct xo_op_req *req);
struct xo_task *xo_task_find(struct xo_engine *e, const char *id);
/* End @t with @code; on failure the task keeps *err (a copy). */
void xo_task_end_locked(struct xo_engine *e, struct xo_task *t, int code,
			const struct xo_error *err);
void xo_task_free(struct xo_task *t);
void xo_task_unlink_locked(struct xo_engine *e, struct xo_task *t);

/* ops.c */
/* Record what the run is about to do, before its first effect (locked). */
int xo_run_write_intent_locked(struct xo_run *r, struct xo_error *err);
/* Plan the atoms of @r's task (locked): checks the VM's state. */
/*
 * The preconditions on files an operation names (suspend: @path must not
 * exist, its directory writable; resume: @path readable; VBD insert: the
 * media's file or device readable). Checked at submission and again when
 * the plan runs, before the first effect.
 */
int xo_ops_paths_check(int op, const char *path, const char *media, struct xo_error *err);
int xo_ops_plan_locked(struct xo_run *r, struct xo_error *err);
/* Run after success (locked). */
void xo_ops_complete_locked(struct xo_run *r);
/* Undo after failure or cancellation (unlocked): leave a valid state. */
void xo_ops_abort(struct xo_run *r, int code);
int xo_run_add_atom(struct xo_run *r, const char *name, unsigned int weight,
		    int (*fn)(struct xo_run *, int, struct xo_error *), int arg,
		    struct xo_error *err);
void xo_run_free(struct xo_run *r);

/* ops_running.c: memory and vCPUs of a running guest. */
/* Checks of a request against the VM's configuration (locked). */
int xo_ops_running_check_locked(const struct xo_vm *vm, const struct xo_op_req *req,
				struct xo_error *err);
int xo_ops_plan_running_locked(struct xo_run *r, struct xo_error *err);

/* sched.c: add "sched" (the domain's scheduler as the hypervisor holds it) to @parent. */
int xo_engine_sched_json(struct xo_engine *e, int domid, struct json_object *parent,
			 struct xo_error *err);
/* stats.c: add xen_version, cpu_topology and numa_nodes to a HOST.stat object. */
int xo_engine_host_facts_json(struct xo_engine *e, struct json_object *o, struct xo_error *err);
/* Add "consoles" and "guest" of a live domain to a state object (VM.stat). */
int xo_engine_guest_facts_json(struct xo_engine *e, int domid, struct json_object *st,
			       struct xo_error *err);

/* ops.c: atoms other files plan too. */
int xo_atom_plug(struct xo_run *r, int i, struct xo_error *err);
int xo_atom_run_state(struct xo_run *r, int power, struct xo_error *err);

/* migrate.c */
int xo_migrate_plan_locked(struct xo_run *r, struct xo_error *err);
/* Undo a failed or cancelled migration task (unlocked). */
void xo_migrate_abort(struct xo_run *r, int code);
void xo_migrate_complete_locked(struct xo_run *r);
void xo_migrate_stream_progress(struct xo_env *env, uint64_t bytes, unsigned int iteration,
				uint64_t dirty_pages);
/* Recovery of a VM whose migration was cut short (recover.c calls it). */
enum xo_mig_recovery { XO_MIG_REC_KEEP, XO_MIG_REC_HALT, XO_MIG_REC_REMOVE };
int xo_migrate_recover(struct xo_engine *e, struct xo_vm *vm, int op,
		       const struct json_object *intent, const struct xo_domain_info *mine,
		       struct xo_env *env);
/* Fault injection at a named migration step (hooks.c). */
void xo_mig_fault(struct xo_engine *e, const char *step, int fd);
/* objects.c: remove a VM unless the user queued work on it (locked). */
bool xo_vm_drop_locked(struct xo_engine *e, struct xo_vm *vm);

/* updates.c */
struct xo_unode *xo_unode_new_locked(struct xo_engine *e, int kind, const char *vm,
				     const char *id);
void xo_unode_touch_locked(struct xo_engine *e, struct xo_unode *n);
/* Turn the node into a tombstone (the object is gone). */
void xo_unode_delete_locked(struct xo_engine *e, struct xo_unode *n);
void xo_updates_init(struct xo_engine *e);
void xo_updates_fini(struct xo_engine *e);

#endif /* XO_ENGINE_INT_H */
