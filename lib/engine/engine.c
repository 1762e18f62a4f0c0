/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's life: creation (store, backend, recovery, worker pool),
 * freeing, the lock, and the backend's upcalls. The queues are in queue.c,
 * the workers in worker.c, test hooks in hooks.c, the backend's choice
 * and host facts in host.c.
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

static int engine_init_sync(struct xo_engine *e, struct xo_error *err)
{
	pthread_condattr_t ca;
	int rc = 0;

	pthread_mutex_init(&e->lock, NULL);
	for (int i = 0; i < XO_PERSIST_STRIPES; i++)
		pthread_mutex_init(&e->persist_locks[i], NULL);
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
	e->bops = xo_backend_pick(e, opts->backend, err);
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
		if (pthread_create(&e->workers[i], NULL, xo_worker_main, e)) {
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
	xo_vm_cfg_changed_locked(vm);
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
	free(e->gf_spare);
	free(e->si_spare);
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
	for (int i = 0; i < XO_PERSIST_STRIPES; i++)
		pthread_mutex_destroy(&e->persist_locks[i]);
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

