/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tasks: the registry, their life (pending -> completed / failed /
 * cancelled), stat as JSON, wait, cancel, destroy and list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_int.h"

struct xo_task *xo_task_find(struct xo_engine *e, const char *id)
{
	return xo_map_get(&e->tasks, id);
}

struct xo_task *xo_task_new_locked(struct xo_engine *e, const struct xo_op_req *req)
{
	struct xo_task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	memcpy(t->id, "task-", 5);
	xo_fmt_ull(t->id + 5, sizeof(t->id) - 5, (unsigned long long)++e->next_task);
	t->op = req->op;
	xo_strlcpy(t->vm, req->vm, sizeof(t->vm));
	t->dev_kind = req->dev_kind;
	xo_strlcpy(t->dev, req->dev ? req->dev : "", sizeof(t->dev));
	t->flags = req->flags;
	t->timeout_s = req->timeout_s;
	t->carrier = req->carrier;
	t->mem_target = req->mem_target;
	t->mem_max = req->mem_max;
	t->vcpus = req->vcpus;
	t->xs_data = xo_strdup(req->xs_data);
	t->path = xo_strdup(req->path);
	t->media = xo_strdup(req->media);
	t->result_domid = -1;
	t->fd = req->fd;
	if (req->op == XO_OP_VM_MIGRATE_SEND || req->op == XO_OP_VM_MIGRATE_RECEIVE ||
	    req->op == XO_OP_VM_MIGRATE_LOCAL) {
		t->mig = calloc(1, sizeof(*t->mig));
		if (!t->mig) {
			xo_task_free(t);
			return NULL;
		}
		t->mig->progress.phase = "queued";
	}
	t->state = XENOPS_TASK_PENDING;
	t->created = xo_wall_time();
	t->un = xo_unode_new_locked(e, XENOPS_KIND_TASK, NULL, t->id);
	if ((req->path && !t->path) || (req->media && !t->media) || (req->xs_data && !t->xs_data) || !t->un ||
	    xo_map_put(&e->tasks, t->id, t) < 0) {
		if (t->un)
			xo_unode_delete_locked(e, t->un);
		xo_task_free(t);
		return NULL;
	}
	t->lprev = e->tlast;
	if (e->tlast)
		e->tlast->lnext = t;
	else
		e->tfirst = t;
	e->tlast = t;
	return t;
}

void xo_task_free(struct xo_task *t)
{
	if (!t)
		return;
	free(t->path);
	free(t->media);
	free(t->result_json);
	free(t->mig);
	free(t->xs_data);
	xo_strv_clear(&t->done);
	free(t->done_times);
	xo_error_clear(&t->err);
	free(t);
}

/* Out of the registry and the list; the update node becomes a tombstone. */
void xo_task_unlink_locked(struct xo_engine *e, struct xo_task *t)
{
	xo_map_del(&e->tasks, t->id);
	if (t->lprev)
		t->lprev->lnext = t->lnext;
	else
		e->tfirst = t->lnext;
	if (t->lnext)
		t->lnext->lprev = t->lprev;
	else
		e->tlast = t->lprev;
	t->lprev = t->lnext = NULL;
	if (t->un)
		xo_unode_delete_locked(e, t->un);
	t->un = NULL;
}

void xo_task_end_locked(struct xo_engine *e, struct xo_task *t, int code,
			const struct xo_error *err)
{
	t->running = false;
	t->finished = xo_wall_time();
	t->atom[0] = '\0';
	if (code == 0) {
		t->state = XENOPS_TASK_COMPLETED;
		t->progress = 1.0;
	} else {
		t->state = code == XENOPS_ECANCELLED ? XENOPS_TASK_CANCELLED : XENOPS_TASK_FAILED;
		/* Only trust the message if it belongs to this code. */
		xo_error_set(&t->err, code, err && err->code == code ? err->msg : NULL);
	}
	if (code < 0 && !t->internal)
		xo_log(&e->log, XENOPS_LOG_INFO, "task %s (%s %s) %s: %s", t->id,
		       xo_op_name(t->op, 0),
		       t->vm, xo_task_state_name(t->state), t->err.msg);
	pthread_cond_broadcast(&e->task_cond);
	if (t->destroy_on_finish) {
		xo_task_unlink_locked(e, t);
		xo_task_free(t);
		return;
	}
	xo_unode_touch_locked(e, t->un);
}

static struct xo_task *task_get_locked(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_task *t = xo_task_find(e, id);

	if (!t)
		xo_err(err, XENOPS_ENOTFOUND, "no task \"%s\"", id);
	return t;
}

static struct json_object *task_to_json_locked(const struct xo_task *t, struct xo_error *err)
{
	struct xo_task_record rec = {
		.id = t->id, .op = t->op, .dev_kind = t->dev_kind, .vm = t->vm, .dev = t->dev,
		.state = t->state, .progress = t->progress, .atom = t->atom,
		.done = (const char *const *)t->done.v, .ndone = t->done.n,
		.done_times = t->done_times,
		.result_domid = t->result_domid, .error = &t->err,
		.created = t->created, .started = t->started, .finished = t->finished,
		.result_json = t->result_json,
		.migration = t->mig ? &t->mig->progress : NULL,
	};

	return xo_task_record_to_json(&rec, err);
}

int xo_engine_task_stat(struct xo_engine *e, const char *id, char **json_out, struct xo_error *err)
{
	struct json_object *o = NULL;
	struct xo_task *t;

	xo_engine_lock(e);
	t = task_get_locked(e, id, err);
	if (t)
		o = task_to_json_locked(t, err);
	xo_engine_unlock(e);
	if (!t)
		return XENOPS_ENOTFOUND;
	if (!o)
		return err->code;
	*json_out = xo_json_dumps(o);
	json_object_put(o);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

int xo_engine_task_state(struct xo_engine *e, const char *id, int *state, double *progress,
			 int *error, struct xo_error *err)
{
	struct xo_task *t;

	xo_engine_lock(e);
	t = task_get_locked(e, id, err);
	if (t) {
		if (state)
			*state = t->state;
		if (progress)
			*progress = t->progress;
		if (error)
			*error = t->err.code;
	}
	xo_engine_unlock(e);
	return t ? 0 : XENOPS_ENOTFOUND;
}

int xo_engine_task_wait(struct xo_engine *e, const char *id, int timeout_ms,
			struct xo_error *task_err, struct xo_error *err)
{
	struct timespec ts;
	struct xo_task *t;
	bool expired = false;
	int rc = 0;

	if (timeout_ms >= 0)
		xo_deadline(&ts, (unsigned int)timeout_ms);
	xo_engine_lock(e);
	for (;;) {
		t = task_get_locked(e, id, err);
		if (!t) {
			rc = XENOPS_ENOTFOUND;
			break;
		}
		if (t->state != XENOPS_TASK_PENDING) {
			if (task_err)
				*task_err = t->err;
			break;
		}
		if (expired) {
			rc = xo_err(err, XENOPS_ETIMEDOUT, "task %s still pending after %d ms", id,
				    timeout_ms);
			break;
		}
		if (timeout_ms < 0)
			pthread_cond_wait(&e->task_cond, &e->lock);
		else
			expired = pthread_cond_timedwait(&e->task_cond, &e->lock, &ts) != 0;
	}
	xo_engine_unlock(e);
	return rc;
}

int xo_engine_task_cancel(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_task *t;
	struct xo_vm *vm;

	xo_engine_lock(e);
	t = task_get_locked(e, id, err);
	if (!t) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	if (t->state == XENOPS_TASK_PENDING) {
		vm = xo_vm_find(e, t->vm);
		if (!t->running && vm) {
			/* Still queued: it never started, so it ends now. */
			struct xo_error why = { 0 };

			xo_vm_dequeue_locked(vm, t);
			xo_err(&why, XENOPS_ECANCELLED, "task %s cancelled before it started", id);
			xo_task_end_locked(e, t, XENOPS_ECANCELLED, &why);
		} else {
			t->cancel = true;
			pthread_cond_broadcast(&e->cancel_cond);
		}
	}
	xo_engine_unlock(e);
	return 0;
}

int xo_engine_task_destroy(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_task *t;

	xo_engine_lock(e);
	t = task_get_locked(e, id, err);
	if (!t) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	if (t->state == XENOPS_TASK_PENDING) {
		t->destroy_on_finish = true;
	} else {
		xo_task_unlink_locked(e, t);
		xo_task_free(t);
	}
	xo_engine_unlock(e);
	return 0;
}

int xo_engine_task_list(struct xo_engine *e, struct xo_strv *out, struct xo_error *err)
{
	int rc = 0;

	xo_engine_lock(e);
	for (struct xo_task *t = e->tfirst; t && !rc; t = t->lnext)
		if (!t->destroy_on_finish)
			rc = xo_strv_push(out, t->id);
	xo_engine_unlock(e);
	return rc < 0 ? xo_err(err, XENOPS_ENOMEM, "out of memory") : 0;
}
