/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's core: creation, the worker pool, per-VM FIFO queues (at
 * most one worker on a VM), submission with overtaking and coalescing,
 * the atom runner with its cancel points, and the backend's upcalls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine/engine_int.h"

#define XO_DEFAULT_WORKERS 4
#define XO_MAX_WORKERS 256

void xo_engine_lock(struct xo_engine *e)
{
	pthread_mutex_lock(&e->lock);
}

void xo_engine_unlock(struct xo_engine *e)
{
	pthread_mutex_unlock(&e->lock);
}

struct xo_vm *xo_vm_find(struct xo_engine *e, const char *vm)
{
	return xo_map_get(&e->vms, vm);
}

struct xo_dev *xo_vm_dev_find(struct xo_vm *vm, int kind, const char *dev)
{
	for (size_t i = 0; i < vm->ndevs; i++)
		if (vm->devs[i]->cfg->kind == kind && !strcmp(vm->devs[i]->cfg->id, dev))
			return vm->devs[i];
	return NULL;
}

void xo_persist_runtime_locked(struct xo_engine *e, struct xo_vm *vm)
{
	struct xo_error err_value, *err = &err_value;
	const struct xo_dev_config **cfgs = NULL;
	struct xo_dev_state *sts = NULL;

	if (vm->ndevs) {
		cfgs = calloc(vm->ndevs, sizeof(*cfgs));
		sts = calloc(vm->ndevs, sizeof(*sts));
		if (!cfgs || !sts) {
			xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: out of memory saving runtime", vm->id);
			goto out;
		}
	}
	for (size_t i = 0; i < vm->ndevs; i++) {
		cfgs[i] = vm->devs[i]->cfg;
		sts[i] = vm->devs[i]->st;
	}
	if (e->sops->put_runtime(e->s, vm->id, &vm->st, cfgs, sts, vm->ndevs, err) < 0)
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: saving runtime state failed: %s", vm->id,
		       err->msg);
out:
	free(cfgs);
	free(sts);
}

/* ---- queues ---- */

static void vm_make_ready_locked(struct xo_engine *e, struct xo_vm *vm)
{
	if (vm->ready || vm->running || !vm->q_head)
		return;
	vm->ready = true;
	vm->ready_next = NULL;
	if (e->ready_tail)
		e->ready_tail->ready_next = vm;
	else
		e->ready_head = vm;
	e->ready_tail = vm;
	pthread_cond_signal(&e->work_cond);
}

static void vm_enqueue_locked(struct xo_engine *e, struct xo_vm *vm, struct xo_task *t, bool front)
{
	if (front) {
		t->qnext = vm->q_head;
		vm->q_head = t;
		if (!vm->q_tail)
			vm->q_tail = t;
	} else {
		t->qnext = NULL;
		if (vm->q_tail)
			vm->q_tail->qnext = t;
		else
			vm->q_head = t;
		vm->q_tail = t;
	}
	vm_make_ready_locked(e, vm);
}

void xo_vm_dequeue_locked(struct xo_vm *vm, struct xo_task *t)
{
	struct xo_task **pp = &vm->q_head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->qnext;
	}
	if (!*pp)
		return;
	*pp = t->qnext;
	if (vm->q_tail == t)
		vm->q_tail = prev;
	t->qnext = NULL;
}

static bool is_clean_shutdown(const struct xo_task *t)
{
	return (t->op == XO_OP_VM_SHUTDOWN || t->op == XO_OP_VM_REBOOT) && !(t->flags & XENOPS_FORCE) &&
	       t->timeout_s > 0;
}

/*
 * A forced shutdown or a destroy must not wait behind a clean shutdown that
 * may take minutes: cancel the queued ones outright and ask the running
 * one to stop, then go first.
 */
static bool overtake_locked(struct xo_engine *e, struct xo_vm *vm)
{
	struct xo_task *t = vm->q_head, *next;
	struct xo_error why;

	for (; t; t = next) {
		next = t->qnext;
		if (!is_clean_shutdown(t))
			continue;
		xo_vm_dequeue_locked(vm, t);
		xo_err(&why, XENOPS_ECANCELLED, "overtaken by a forced operation");
		xo_task_end_locked(e, t, XENOPS_ECANCELLED, &why);
	}
	if (vm->running && is_clean_shutdown(vm->running)) {
		vm->running->cancel = true;
		pthread_cond_broadcast(&e->cancel_cond);
	}
	return true;
}

void xo_queue_check_locked(struct xo_engine *e, struct xo_vm *vm, int op, int kind, const char *dev)
{
	struct xo_op_req req = { .op = op, .vm = vm->id, .dev_kind = kind, .dev = dev };
	struct xo_task *t;

	if (e->stopping)
		return;
	/* One queued check covers any number of notifications. */
	for (t = vm->q_head; t; t = t->qnext)
		if (t->op == op && t->dev_kind == kind && !strcmp(t->dev, dev ? dev : ""))
			return;
	t = xo_task_new_locked(e, &req);
	if (!t) {
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: no memory to queue a state check", vm->id);
		return;
	}
	t->internal = true;
	t->destroy_on_finish = true;
	vm_enqueue_locked(e, vm, t, false);
}

static bool op_is_forced(const struct xo_op_req *req)
{
	if (req->op == XO_OP_VM_DESTROY)
		return true;
	return (req->op == XO_OP_VM_SHUTDOWN || req->op == XO_OP_VM_REBOOT) &&
	       ((req->flags & XENOPS_FORCE) || req->timeout_s == 0);
}

int xo_engine_submit(struct xo_engine *e, const struct xo_op_req *req, char **task_out, struct xo_error *err)
{
	struct xo_vm *vm;
	struct xo_task *t;
	char *id = NULL;
	bool front = false;

	if (req->op == XO_OP_VBD_INSERT) {
		int rc = xo_vbd_backend_check(req->media, 0, "backend", err);

		if (rc < 0)
			return rc;
	}
	xo_engine_lock(e);
	vm = xo_vm_find(e, req->vm);
	if (!vm) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", req->vm);
	}
	if (req->dev && !xo_vm_dev_find(vm, req->dev_kind, req->dev)) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "VM \"%s\" has no %s \"%s\"", req->vm,
			      xo_kind_name(req->dev_kind), req->dev);
	}
	if (e->stopping) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EBADSTATE, "the context is shutting down");
	}
	t = xo_task_new_locked(e, req);
	if (!t) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOMEM, "out of memory queueing %s", xo_op_name(req->op, 0));
	}
	if (task_out) {
		id = strdup(t->id);
		if (!id) {
			xo_task_unlink_locked(e, t);
			xo_engine_unlock(e);
			xo_task_free(t);
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	} else {
		t->destroy_on_finish = true;
	}
	if (op_is_forced(req))
		front = overtake_locked(e, vm);
	vm_enqueue_locked(e, vm, t, front);
	xo_engine_unlock(e);
	if (task_out)
		*task_out = id;
	return 0;
}

/* ---- running tasks ---- */

static struct xo_run *run_from_env(struct xo_env *env)
{
	return env->priv;
}

/* Test hook: die here as a crash would, with no clean-up. Locked. */
static void crash_point_locked(struct xo_engine *e)
{
	if (e->crash_point > 0 && --e->crash_point == 0)
		_exit(99);
}

void xo_crash_point(struct xo_engine *e)
{
	xo_engine_lock(e);
	crash_point_locked(e);
	xo_engine_unlock(e);
}

/* The one cancel point: between atoms and inside every backend wait. */
static int cancel_point(struct xo_run *r, struct xo_error *err)
{
	struct xo_engine *e = r->e;
	bool cancel;

	xo_engine_lock(e);
	crash_point_locked(e);
	if (e->cancel_point > 0 && --e->cancel_point == 0)
		r->t->cancel = true;
	cancel = r->t->cancel;
	xo_engine_unlock(e);
	return cancel ? xo_err(err, XENOPS_ECANCELLED, "task %s cancelled", r->t->id) : 0;
}

static int env_check(struct xo_env *env, struct xo_error *err)
{
	return cancel_point(run_from_env(env), err);
}

static int env_sleep(struct xo_env *env, unsigned int ms, struct xo_error *err)
{
	struct xo_run *r = run_from_env(env);
	struct xo_engine *e = r->e;
	uint64_t deadline = xo_now_ms() + ms;
	int rc = cancel_point(r, err);

	if (rc < 0 || ms == 0)
		return rc;
	xo_engine_lock(e);
	while (!r->t->cancel) {
		uint64_t now = xo_now_ms();
		struct timespec ts;

		if (now >= deadline)
			break;
		xo_deadline(&ts, (unsigned int)(deadline - now));
		pthread_cond_timedwait(&e->cancel_cond, &e->lock, &ts);
	}
	rc = r->t->cancel ? xo_err(err, XENOPS_ECANCELLED, "task %s cancelled", r->t->id) : 0;
	xo_engine_unlock(e);
	return rc;
}

static void env_progress(struct xo_env *env, double fraction)
{
	struct xo_run *r = run_from_env(env);
	struct xo_engine *e = r->e;
	unsigned int total = 0, before = 0;

	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	for (size_t i = 0; i < r->natoms; i++) {
		total += r->atoms[i].weight;
		if (i < r->cur)
			before += r->atoms[i].weight;
	}
	if (!total || r->cur >= r->natoms)
		return;
	xo_engine_lock(e);
	r->t->progress = (before + fraction * r->atoms[r->cur].weight) / total;
	xo_unode_touch_locked(e, r->t->un);
	xo_engine_unlock(e);
}

static int atom_fault_locked(struct xo_engine *e, const struct xo_atom *a, struct xo_error *err)
{
	if (e->fail_atom > 0 && --e->fail_atom == 0)
		return xo_err(err, XENOPS_EBACKEND, "injected fault in atom %s", a->name);
	return 0;
}

static int run_atoms(struct xo_run *r, struct xo_error *err)
{
	struct xo_engine *e = r->e;
	int rc = 0;

	for (r->cur = 0; r->cur < r->natoms; r->cur++) {
		struct xo_atom *a = &r->atoms[r->cur];
		unsigned int total = 0, upto = 0;

		rc = cancel_point(r, err);
		if (rc < 0)
			break;
		xo_engine_lock(e);
		snprintf(r->t->atom, sizeof(r->t->atom), "%s", a->name);
		xo_unode_touch_locked(e, r->t->un);
		rc = atom_fault_locked(e, a, err);
		xo_engine_unlock(e);
		if (rc < 0)
			break;
		xo_error_clear(err);
		rc = a->fn(r, a->arg, err);
		if (rc < 0) {
			if (err->code != rc)
				xo_err(err, rc, "atom %s failed", a->name);
			break;
		}
		/* The atom list may have grown (a check that restarts a VM). */
		for (size_t i = 0; i < r->natoms; i++) {
			total += r->atoms[i].weight;
			if (i <= r->cur)
				upto += r->atoms[i].weight;
		}
		xo_engine_lock(e);
		xo_strv_push(&r->t->done, a->name);
		r->t->progress = total ? (double)upto / total : 1.0;
		r->t->atom[0] = '\0';
		xo_unode_touch_locked(e, r->t->un);
		xo_engine_unlock(e);
	}
	return rc;
}

static void run_task(struct xo_engine *e, struct xo_vm *vm, struct xo_task *t)
{
	struct xo_run r = { .e = e, .t = t, .vm = vm, .domid = -1, .reason = XO_SHUTDOWN_NONE };
	struct xo_error err_value, *err = &err_value, clear_err;
	int rc;

	r.env.check = env_check;
	r.env.sleep = env_sleep;
	r.env.progress = env_progress;
	r.env.priv = &r;
	xo_error_clear(err);

	xo_engine_lock(e);
	t->started = xo_wall_time();
	xo_unode_touch_locked(e, t->un);
	rc = t->cancel ? xo_err(err, XENOPS_ECANCELLED, "task %s cancelled", t->id)
		       : xo_ops_plan_locked(&r, err);
	/* Before the first effect: what a restart needs to finish or undo it. */
	if (rc == 0 && r.natoms && t->op != XO_OP_VM_CHECK && t->op != XO_OP_DEV_CHECK)
		rc = xo_run_write_intent_locked(&r, err);
	xo_engine_unlock(e);

	if (rc == 0)
		rc = run_atoms(&r, err);
	if (rc < 0)
		xo_ops_abort(&r, rc); /* its own errors are logged, the task keeps *err */
	/*
	 * One locked section from here to the worker's next pick: once the
	 * task ended it may be freed, and once the VM is idle it may be
	 * removed, so neither may be touched after the lock is dropped.
	 */
	xo_engine_lock(e);
	/* After the last effect, before the intent is cleared: a crash point too. */
	if (r.natoms)
		crash_point_locked(e);
	if (rc == 0)
		xo_ops_complete_locked(&r);
	if (r.intent && e->sops->put_intent(e->s, vm->id, NULL, &clear_err) < 0)
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: clearing the intent record failed: %s", vm->id,
		       clear_err.msg);
	vm->running = NULL;
	xo_task_end_locked(e, t, rc, err);
	vm_make_ready_locked(e, vm);
	xo_run_free(&r);
}

static void *worker_main(void *arg)
{
	struct xo_engine *e = arg;

	xo_engine_lock(e);
	for (;;) {
		struct xo_vm *vm;
		struct xo_task *t;

		while (!e->ready_head && !e->stopping)
			pthread_cond_wait(&e->work_cond, &e->lock);
		if (e->stopping)
			break;
		vm = e->ready_head;
		e->ready_head = vm->ready_next;
		if (!e->ready_head)
			e->ready_tail = NULL;
		vm->ready = false;
		t = vm->q_head;
		if (!t)
			continue;
		xo_vm_dequeue_locked(vm, t);
		vm->running = t;
		t->running = true;
		xo_engine_unlock(e);

		run_task(e, vm, t); /* returns with the lock held */
	}
	xo_engine_unlock(e);
	return NULL;
}

/* ---- backend upcalls (any thread, engine lock not held) ---- */

static void on_domain_changed(void *opaque, const char *vm_id)
{
	struct xo_engine *e = opaque;
	struct xo_vm *vm;

	xo_engine_lock(e);
	vm = xo_vm_find(e, vm_id);
	if (vm && vm->cfg)
		xo_queue_check_locked(e, vm, XO_OP_VM_CHECK, 0, NULL);
	xo_engine_unlock(e);
}

static void on_device_changed(void *opaque, const char *vm_id, int kind, const char *dev_id)
{
	struct xo_engine *e = opaque;
	struct xo_vm *vm;

	xo_engine_lock(e);
	vm = xo_vm_find(e, vm_id);
	if (vm && vm->cfg && xo_vm_dev_find(vm, kind, dev_id))
		xo_queue_check_locked(e, vm, XO_OP_DEV_CHECK, kind, dev_id);
	xo_engine_unlock(e);
}

/* ---- creation ---- */

static const struct xo_backend_ops *backend_pick(struct xo_engine *e, const char *name,
						 struct xo_error *err)
{
	if (!name) {
		bool xen = !access("/dev/xen/privcmd", F_OK) || !access("/proc/xen/privcmd", F_OK);

		name = xen ? "xen" : "sim";
		xo_log(&e->log, XENOPS_LOG_INFO, "backend: automatic choice \"%s\" (%s)", name,
		       xen ? "privcmd present" : "no Xen privcmd device");
	}
	if (!strcmp(name, "sim"))
		return &xo_backend_sim;
	if (!strcmp(name, "xen")) {
#ifdef XENOPS_HAVE_XEN
		return &xo_backend_xen;
#else
		xo_err(err, XENOPS_ENOTSUP, "backend \"xen\": this build has no xen backend (libxen-dev missing at build time)");
		return NULL;
#endif
	}
	xo_err(err, XENOPS_EINVAL, "options.backend: unknown backend \"%s\" (use \"xen\", \"sim\" or NULL)", name);
	return NULL;
}

static int engine_init_sync(struct xo_engine *e, struct xo_error *err)
{
	pthread_condattr_t ca;
	int rc = 0;

	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&e->work_cond, &ca) || pthread_cond_init(&e->task_cond, &ca) ||
	    pthread_cond_init(&e->cancel_cond, &ca) || pthread_cond_init(&e->upd_cond, &ca))
		rc = xo_err(err, XENOPS_ENOMEM, "cannot create condition variables");
	pthread_condattr_destroy(&ca);
	return rc;
}

int xo_engine_new(struct xo_engine **out, const struct xo_engine_opts *opts, struct xo_error *err)
{
	struct xo_backend_params bp = { 0 };
	char *backend_dir = NULL;
	struct xo_engine *e;
	int rc;

	if (opts->workers > XO_MAX_WORKERS)
		return xo_err(err, XENOPS_EINVAL, "options.workers: at most %d", XO_MAX_WORKERS);
	e = calloc(1, sizeof(*e));
	if (!e)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	e->log = opts->log;
	e->evfd = -1;
	rc = engine_init_sync(e, err);
	if (rc < 0)
		goto fail;
	xo_updates_init(e);
	e->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->evfd < 0) {
		rc = xo_err(err, XENOPS_EIO, "eventfd: %s", strerror(errno));
		goto fail;
	}
	e->bops = backend_pick(e, opts->backend, err);
	if (!e->bops) {
		rc = err->code;
		goto fail;
	}
	e->sops = opts->state_dir ? &xo_store_file : &xo_store_mem;
	rc = e->sops->open(&e->s, opts->state_dir, &e->log, err);
	if (rc < 0)
		goto fail;
	if (opts->state_dir) {
		/* The backend's own files live apart from the VMs' records. */
		backend_dir = xo_asprintf("%s/backend", opts->state_dir);
		if (!backend_dir) {
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			goto fail;
		}
	}
	bp.state_dir = backend_dir;
	bp.log = &e->log;
	bp.events.domain_changed = on_domain_changed;
	bp.events.device_changed = on_device_changed;
	bp.events.opaque = e;
	rc = e->bops->open(&e->b, &bp, err);
	if (rc < 0)
		goto fail;
	xo_log(&e->log, XENOPS_LOG_INFO, "backend \"%s\" ready, instance %s", e->bops->name, e->epoch);
	rc = xo_engine_load(e, err);
	if (rc < 0)
		goto fail;

	e->workers = calloc(opts->workers ? opts->workers : XO_DEFAULT_WORKERS, sizeof(*e->workers));
	if (!e->workers) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto fail;
	}
	for (unsigned int i = 0; i < (opts->workers ? opts->workers : XO_DEFAULT_WORKERS); i++) {
		if (pthread_create(&e->workers[i], NULL, worker_main, e)) {
			rc = xo_err(err, XENOPS_ENOMEM, "cannot start worker threads");
			goto fail;
		}
		e->nworkers = i + 1;
	}
	free(backend_dir);
	*out = e;
	return 0;
fail:
	free(backend_dir);
	xo_engine_free(e);
	return rc;
}

static int free_vm_cb(const char *key, void *value, void *arg)
{
	struct xo_vm *vm = value;

	(void)key;
	(void)arg;
	for (size_t i = 0; i < vm->ndevs; i++) {
		xo_dev_config_free(vm->devs[i]->cfg);
		free(vm->devs[i]);
	}
	free(vm->devs);
	json_object_put(vm->disagreements);
	xo_vm_config_free(vm->cfg);
	xo_vm_state_clear(&vm->st);
	free(vm);
	return 0;
}

void xo_engine_free(struct xo_engine *e)
{
	struct xo_task *t, *next;

	if (!e)
		return;
	xo_engine_lock(e);
	e->stopping = true;
	for (t = e->tfirst; t; t = t->lnext)
		if (t->state == XENOPS_TASK_PENDING)
			t->cancel = true;
	pthread_cond_broadcast(&e->work_cond);
	pthread_cond_broadcast(&e->cancel_cond);
	pthread_cond_broadcast(&e->upd_cond);
	xo_engine_unlock(e);
	for (unsigned int i = 0; i < e->nworkers; i++)
		pthread_join(e->workers[i], NULL);
	free(e->workers);

	if (e->b)
		e->bops->close(e->b);
	if (e->s)
		e->sops->close(e->s);
	for (t = e->tfirst; t; t = next) {
		next = t->lnext;
		xo_task_free(t);
	}
	xo_map_clear(&e->tasks);
	xo_map_foreach(&e->vms, free_vm_cb, NULL);
	xo_map_clear(&e->vms);
	xo_updates_fini(e);
	while (e->subs) {
		struct xo_sub *s = e->subs;

		e->subs = s->next;
		free(s);
	}
	if (e->evfd >= 0)
		close(e->evfd);
	pthread_cond_destroy(&e->work_cond);
	pthread_cond_destroy(&e->task_cond);
	pthread_cond_destroy(&e->cancel_cond);
	pthread_cond_destroy(&e->upd_cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

const char *xo_engine_backend_name(const struct xo_engine *e)
{
	return e->bops->name;
}

const char *xo_engine_instance(const struct xo_engine *e)
{
	return e->epoch;
}

int xo_engine_host_stat(struct xo_engine *e, char **json_out, struct xo_error *err)
{
	struct xo_host_info hi = { 0 };
	struct json_object *o;
	int rc = e->bops->host_info(e->b, &hi, err);

	if (rc < 0)
		return rc;
	o = json_object_new_object();
	if (!o)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(o, "backend", json_object_new_string(e->bops->name));
	json_object_object_add(o, "hypervisor", json_object_new_string(hi.hypervisor));
	json_object_object_add(o, "nr_cpus", json_object_new_int64(hi.nr_cpus));
	json_object_object_add(o, "total_memory", json_object_new_int64((int64_t)hi.total_memory));
	json_object_object_add(o, "free_memory", json_object_new_int64((int64_t)hi.free_memory));
	if (hi.n_counters) {
		struct json_object *c = json_object_new_object();

		for (unsigned int i = 0; c && i < hi.n_counters && i < XO_HOST_COUNTERS_MAX; i++)
			json_object_object_add(c, hi.counters[i].name,
					       json_object_new_int64((int64_t)hi.counters[i].value));
		json_object_object_add(o, "backend_counters", c);
	}
	*json_out = xo_json_dumps(o);
	json_object_put(o);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

static int parse_count(const char *key, const char *value, long *out, struct xo_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = value ? strtol(value, &end, 10) : -1;
	if (!value || errno || *end || v < 0)
		return xo_err(err, XENOPS_EINVAL, "%s: value must be a non-negative integer", key);
	*out = v;
	return 0;
}

int xo_engine_debug_set(struct xo_engine *e, const char *key, const char *value, struct xo_error *err)
{
	long v = 0;
	int rc;

	if (!strncmp(key, "sim.", 4)) {
		if (!e->bops->set_knob || strcmp(e->bops->name, "sim"))
			return xo_err(err, XENOPS_ENOTSUP, "%s: simulator knobs need the sim backend", key);
		return e->bops->set_knob(e->b, key, value, err);
	}
	/* Boot knobs (GRUB image paths) belong to every backend. */
	if (!strncmp(key, "boot.", 5)) {
		if (!e->bops->set_knob)
			return xo_err(err, XENOPS_ENOTSUP, "%s: not supported by this backend", key);
		return e->bops->set_knob(e->b, key, value, err);
	}
	if (!strcmp(key, "fault.off")) {
		xo_engine_lock(e);
		e->fail_atom = e->cancel_point = e->crash_point = 0;
		xo_engine_unlock(e);
		return 0;
	}
	if (strcmp(key, "fault.fail_atom") && strcmp(key, "fault.cancel_point") &&
	    strcmp(key, "fault.crash_point"))
		return xo_err(err, XENOPS_EINVAL, "key: unknown debug key \"%.64s\"", key);
	rc = parse_count(key, value, &v, err);
	if (rc < 0)
		return rc;
	xo_engine_lock(e);
	if (!strcmp(key, "fault.fail_atom"))
		e->fail_atom = v;
	else if (!strcmp(key, "fault.cancel_point"))
		e->cancel_point = v;
	else
		e->crash_point = v;
	xo_engine_unlock(e);
	return 0;
}

static int parse_device_ref(const char *device, int *kind, const char **id, struct xo_error *err)
{
	static const struct {
		const char *prefix;
		int kind;
	} kinds[] = { { "vbd:", XENOPS_KIND_VBD }, { "vif:", XENOPS_KIND_VIF }, { "pci:", XENOPS_KIND_PCI } };

	for (size_t i = 0; i < XO_ARRAY_SIZE(kinds); i++)
		if (!strncmp(device, kinds[i].prefix, 4)) {
			*kind = kinds[i].kind;
			*id = device + 4;
			return xo_id_check(*id, "device", err);
		}
	return xo_err(err, XENOPS_EINVAL, "device: expected \"vbd:ID\", \"vif:ID\" or \"pci:ID\"");
}

int xo_engine_sim_guest_action(struct xo_engine *e, const char *vm_id, const char *action,
			       const char *device, struct xo_error *err)
{
	struct xo_vm *vm;
	const char *dev_id = NULL;
	int kind = 0, domid, rc;

	if (!e->bops->guest_action)
		return xo_err(err, XENOPS_ENOTSUP, "guest actions are only simulated by the sim backend");
	if (!strcmp(action, "unplug")) {
		if (!device)
			return xo_err(err, XENOPS_EINVAL, "device: required for \"unplug\"");
		rc = parse_device_ref(device, &kind, &dev_id, err);
		if (rc < 0)
			return rc;
	} else if (strcmp(action, "poweroff") && strcmp(action, "reboot") && strcmp(action, "crash")) {
		return xo_err(err, XENOPS_EINVAL, "action: unknown guest action \"%.32s\"", action);
	}
	xo_engine_lock(e);
	vm = xo_vm_find(e, vm_id);
	if (!vm) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", vm_id);
	}
	if (dev_id && !xo_vm_dev_find(vm, kind, dev_id)) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "VM \"%s\" has no %s \"%s\"", vm_id,
			      xo_kind_name(kind), dev_id);
	}
	domid = vm->st.domid;
	xo_engine_unlock(e);
	if (domid < 0)
		return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" has no running domain", vm_id);
	return e->bops->guest_action(e->b, domid, action, kind, dev_id, err);
}
