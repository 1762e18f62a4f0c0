/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's workers: each takes a ready VM, runs the task at the head of
 * its queue atom by atom with cancel points between and inside them, ends
 * the task with its error value, and goes back for more. Also the one
 * commit an atom makes its effects known with (state, update log, record).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

/* The VM's runtime record as text (NULL: the store keeps none). Locked. */
static char *encode_runtime_locked(struct xo_engine *e, struct xo_vm *vm, uint64_t *seq_out)
{
	struct xo_error err_value, *err = &err_value;
	const struct xo_dev_config **cfgs = NULL;
	struct xo_dev_state *sts = NULL;
	char *text = NULL;

	if (!e->sops->keeps_records) {
		*seq_out = ++vm->persist_seq;
		return NULL; /* nothing to encode: the store would drop it */
	}
	xo_error_clear(err); /* not before: this runs for every atom, with the memory store too */
	if (vm->ndevs) {
		cfgs = calloc(vm->ndevs, sizeof(*cfgs));
		sts = calloc(vm->ndevs, sizeof(*sts));
		if (!cfgs || !sts) {
			xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: out of memory saving runtime",
			       vm->id);
			goto out;
		}
	}
	for (size_t i = 0; i < vm->ndevs; i++) {
		cfgs[i] = vm->devs[i]->cfg;
		sts[i] = vm->devs[i]->st;
	}
	if (e->sops->encode_runtime(e->s, &vm->st, cfgs, sts, vm->ndevs, &text, err) < 0)
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: saving runtime state failed: %s", vm->id,
		       err->msg);
	*seq_out = ++vm->persist_seq;
out:
	free(cfgs);
	free(sts);
	return text;
}

/*
 * Write a runtime record encoded with number @seq, unless a newer one was
 * written meanwhile: records of one VM land in the order they were encoded
 * even when written outside the engine's lock. The VM cannot go away
 * meanwhile: the writers are its own running task, or hold the lock.
 */
static void write_runtime(struct xo_engine *e, struct xo_vm *vm, char *text, uint64_t seq)
{
	struct xo_error err_value, *err = &err_value;
	pthread_mutex_t *stripe = &e->persist_locks[(uintptr_t)vm / 64 % XO_PERSIST_STRIPES];

	if (!text)
		return;
	xo_error_clear(err); /* not before: no text, as with the memory store, is the common case */
	pthread_mutex_lock(stripe);
	if (seq > vm->persisted_seq) {
		if (e->sops->write_runtime(e->s, vm->id, text, err) < 0)
			xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: saving runtime state failed: %s",
			       vm->id, err->msg);
		vm->persisted_seq = seq;
	}
	pthread_mutex_unlock(stripe);
	free(text);
}

void xo_persist_runtime_locked(struct xo_engine *e, struct xo_vm *vm)
{
	uint64_t seq = 0;
	char *text = encode_runtime_locked(e, vm, &seq);

	write_runtime(e, vm, text, seq);
}

/*
 * An atom's one commit: the change to the VM's state and the update log
 * under the lock, the record's text encoded there too; the file written
 * after the lock is let go, so that one VM's fsync does not hold up every
 * other VM. It is written before this returns, so before the atom's next
 * effect: the recovery promise holds as when it was written under the lock.
 */
void xo_run_commit(struct xo_run *r, bool (*apply)(struct xo_run *r, void *arg),
		   void *arg)
{
	uint64_t seq = 0;
	char *text = NULL;

	xo_engine_lock(r->e);
	if (apply(r, arg))
		text = encode_runtime_locked(r->e, r->vm, &seq);
	xo_engine_unlock(r->e);
	write_runtime(r->e, r->vm, text, seq);
}

static struct xo_run *run_from_env(struct xo_env *env)
{
	return env->priv;
}

/* The one cancel point: between atoms and inside every backend wait. */
static int cancel_point(struct xo_run *r, struct xo_error *err)
{
	struct xo_engine *e = r->e;
	bool cancel;

	xo_engine_lock(e);
	xo_crash_point_locked(e);
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

/* A crash point inside an atom: counted with the others, never a cancel. */
static void env_crash(struct xo_env *env)
{
	xo_crash_point(run_from_env(env)->e);
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

/*
 * A done atom's start and end, next to its name in t->done (task stat's
 * "atom_times"). Out of memory only loses the times (all of them, so that
 * they stay in step with the names).
 */
static size_t atom_times_cap(size_t n)
{
	size_t cap = 8;

	while (cap < n)
		cap *= 2;
	return cap;
}

static void note_atom_time(struct xo_task *t, double started)
{
	double *v = t->done_times;

	if (t->done.n > 1 && !t->done_times)
		return;
	/* Room for 8 atoms, then doubled: one allocation for most tasks. */
	if (t->done.n == 1 || atom_times_cap(t->done.n) != atom_times_cap(t->done.n - 1)) {
		v = realloc(t->done_times, 2 * atom_times_cap(t->done.n) * sizeof(*v));
		if (!v) {
			free(t->done_times);
			t->done_times = NULL;
			return;
		}
	}
	v[2 * t->done.n - 2] = started;
	v[2 * t->done.n - 1] = xo_wall_time();
	t->done_times = v;
}

static int run_atoms(struct xo_run *r, struct xo_error *err)
{
	struct xo_engine *e = r->e;
	int rc = 0;

	for (r->cur = 0; r->cur < r->natoms; r->cur++) {
		struct xo_atom *a = &r->atoms[r->cur];
		unsigned int total = 0, upto = 0;
		double t0;

		rc = cancel_point(r, err);
		if (rc < 0)
			break;
		xo_engine_lock(e);
		xo_strlcpy(r->t->atom, a->name, sizeof(r->t->atom));
		xo_unode_touch_locked(e, r->t->un);
		rc = xo_atom_fault_locked(e, a, err);
		xo_engine_unlock(e);
		if (rc < 0)
			break;
		xo_error_clear(err);
		t0 = xo_wall_time();
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
		if (xo_strv_push(&r->t->done, a->name) == 0)
			note_atom_time(r->t, t0);
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
	struct xo_error err_value = { 0 }, *err = &err_value, clear_err = { 0 };
	bool drop;
	int rc;

	r.env.check = env_check;
	r.env.sleep = env_sleep;
	r.env.progress = env_progress;
	r.env.crash = env_crash;
	r.env.stream_progress = xo_migrate_stream_progress;
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
		xo_crash_point_locked(e);
	if (rc == 0)
		xo_ops_complete_locked(&r);
	if (r.intent && e->sops->put_intent(e->s, vm->id, NULL, &clear_err) < 0)
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: clearing the intent record failed: %s",
		       vm->id,
		       clear_err.msg);
	vm->running = NULL;
	/* A VM that failed to arrive was never this host's: it goes. */
	drop = t->op == XO_OP_VM_MIGRATE_RECEIVE && rc < 0 && !r.mig_committed;
	xo_task_end_locked(e, t, rc, err);
	xo_run_free(&r);
	if (!drop || !xo_vm_drop_locked(e, vm))
		xo_vm_make_ready_locked(e, vm);
}

void *xo_worker_main(void *arg)
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
