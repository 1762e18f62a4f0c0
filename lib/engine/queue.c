/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's queues: one FIFO per VM (at most one worker on a VM at a
 * time), the ready list the workers take VMs from, submission, forced
 * operations overtaking clean shutdowns, and coalesced state checks.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

void xo_vm_make_ready_locked(struct xo_engine *e, struct xo_vm *vm)
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
	xo_vm_make_ready_locked(e, vm);
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
	struct xo_error why = { 0 };

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
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: no memory to queue a state check",
		       vm->id);
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

int xo_engine_submit(struct xo_engine *e, const struct xo_op_req *req, char **task_out,
		     struct xo_error *err)
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
	/* Arguments that name files are checked before the task exists. */
	if (xo_ops_paths_check(req->op, req->path, req->media, err) < 0)
		return err->code;
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
	if (req->op == XO_OP_VM_SET_MEMORY || req->op == XO_OP_VM_SET_VCPUS ||
	    req->op == XO_OP_VM_SET_XENSTORE || req->op == XO_OP_VM_SET_SCHEDULER) {
		int rc = xo_ops_running_check_locked(vm, req, err);

		if (rc < 0) {
			xo_engine_unlock(e);
			return rc;
		}
	}
	if (e->stopping) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EBADSTATE, "the context is shutting down");
	}
	t = xo_task_new_locked(e, req);
	if (!t) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOMEM, "out of memory queueing %s",
			      xo_op_name(req->op, 0));
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
