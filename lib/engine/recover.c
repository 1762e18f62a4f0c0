/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading and recovery at context start. Every VM of the store is loaded
 * (unreadable ones in error state); every VM with an intent (an operation
 * cut short) or a domain is reconciled with the backend, so that it ends
 * intact and as its operation wanted, or cleanly shut down, with its
 * devices released; domains that belong to no VM are destroyed.
 *
 * It runs before the context is handed out and before the workers start,
 * so this thread alone touches the VMs' states; the lock is taken only
 * where a backend upcall (which takes it) could meet us: the VM table and
 * the queues. Backend calls are made without it, as everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_int.h"

/* Recovery runs before the workers: nothing can cancel it. */
static int rec_check(struct xo_env *env, struct xo_error *err)
{
	(void)env;
	(void)err;
	return 0;
}

static int rec_sleep(struct xo_env *env, unsigned int ms, struct xo_error *err)
{
	(void)env;
	(void)err;
	usleep(ms * 1000u);
	return 0;
}

static void rec_progress(struct xo_env *env, double f)
{
	(void)env;
	(void)f;
}

static struct xo_env rec_env = { .check = rec_check, .sleep = rec_sleep, .progress = rec_progress };

static const char *intent_op(const struct json_object *intent)
{
	struct json_object *v;

	if (intent && json_object_object_get_ex(intent, "operation", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static const char *intent_str(const struct json_object *intent, const char *key)
{
	struct json_object *v;

	if (intent && json_object_object_get_ex(intent, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static struct xo_vm *vm_from_store(struct xo_engine *e, struct xo_store_vm *v)
{
	struct xo_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	snprintf(vm->id, sizeof(vm->id), "%s", v->id);
	vm->cfg = v->cfg;
	v->cfg = NULL;
	vm->st = v->state;
	xo_vm_state_init(&v->state);
	if (!vm->cfg) {
		xo_vm_state_clear(&vm->st);
		vm->st.power = XENOPS_POWER_ERROR;
		vm->st.error = malloc(sizeof(*vm->st.error));
		if (!vm->st.error)
			goto fail;
		*vm->st.error = v->error;
	}
	vm->devs = calloc(v->ndevs ? v->ndevs : 1, sizeof(*vm->devs));
	vm->devcap = v->ndevs ? v->ndevs : 1;
	if (!vm->devs)
		goto fail;
	for (size_t i = 0; i < v->ndevs; i++) {
		struct xo_dev *d = calloc(1, sizeof(*d));

		if (!d)
			goto fail;
		d->cfg = v->devs[i];
		v->devs[i] = NULL;
		d->st = v->dev_states[i];
		vm->devs[vm->ndevs++] = d;
		d->un = xo_unode_new_locked(e, d->cfg->kind, vm->id, d->cfg->id);
		if (!d->un)
			goto fail;
	}
	vm->un = xo_unode_new_locked(e, XENOPS_KIND_VM, vm->id, vm->id);
	if (!vm->un || xo_map_put(&e->vms, vm->id, vm) < 0)
		goto fail;
	return vm;
fail:
	/* Only on ENOMEM at start: the context fails as a whole. */
	for (size_t i = 0; i < vm->ndevs; i++) {
		xo_dev_config_free(vm->devs[i]->cfg);
		free(vm->devs[i]);
	}
	free(vm->devs);
	xo_vm_config_free(vm->cfg);
	xo_vm_state_clear(&vm->st);
	free(vm);
	return NULL;
}

/* No domain: nothing plugged. A VM left Suspended keeps its image's set. */
static void devs_unplugged(struct xo_vm *vm, bool suspended)
{
	for (size_t i = 0; i < vm->ndevs; i++) {
		struct xo_dev_state *st = &vm->devs[i]->st;
		int in_image = suspended && (st->plugged || st->in_image);

		memset(st, 0, sizeof(*st));
		st->in_image = in_image;
	}
}

static void destroy_domain(struct xo_engine *e, struct xo_vm *vm, int domid, const char *why)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	int rc = e->bops->domain_destroy(e->b, &rec_env, domid, err);

	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: destroying domain %d failed: %s",
		       vm ? vm->id : "?", domid, err->msg);
	else
		xo_log(&e->log, XENOPS_LOG_INFO, "recovery: vm %s: destroyed domain %d (%s)",
		       vm ? vm->id : "(none)", domid, why);
}

/* The VM keeps its domain: take its power state from the domain. */
static void adopt_domain(struct xo_engine *e, struct xo_vm *vm, const struct xo_domain_info *d,
			 int op, const char *dev_kind, const char *dev_id)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	vm->st.domid = d->domid;
	vm->st.power = d->status == XO_DOM_PAUSED ? XENOPS_POWER_PAUSED : XENOPS_POWER_RUNNING;
	if (!vm->st.start_time)
		vm->st.start_time = d->start_time;
	/* Devices are what the backend has, not what was last written. */
	for (size_t i = 0; i < vm->ndevs; i++) {
		struct xo_dev *dv = vm->devs[i];
		struct xo_dev_state st = { 0 };
		bool cut = dev_kind && dev_id && !strcmp(dev_kind, xo_kind_name(dv->cfg->kind)) &&
			   !strcmp(dev_id, dv->cfg->id);
		int rc = e->bops->dev_info(e->b, d->domid, dv->cfg, &st, err);

		if (rc == 0 && cut && op == XO_OP_DEV_UNPLUG) {
			/* An unplug was cut short: finish it, as it wanted. */
			e->bops->dev_unplug(e->b, &rec_env, d->domid, dv->cfg, 1, err);
			rc = XENOPS_ENOTFOUND;
		}
		if ((rc == 0) != (bool)dv->st.plugged && !cut) {
			/* Not an operation we know was cut short: say so. */
			xo_engine_lock(e);
			xo_vm_note_disagreement_locked(vm, dv->cfg->kind, dv->cfg->id, "plugged",
						       dv->st.plugged ? "plugged" : "unplugged",
						       rc == 0 ? "plugged" : "unplugged");
			xo_engine_unlock(e);
			xo_log(&e->log, XENOPS_LOG_WARNING, "recovery: vm %s: %s %s is %s, records said %s",
			       vm->id, xo_kind_name(dv->cfg->kind), dv->cfg->id,
			       rc == 0 ? "plugged" : "unplugged", dv->st.plugged ? "plugged" : "unplugged");
		}
		if (rc == 0) {
			st.plugged = 1;
			dv->st = st;
		} else {
			memset(&dv->st, 0, sizeof(dv->st));
		}
	}
	if (d->status == XO_DOM_SHUTDOWN) {
		xo_engine_lock(e);
		xo_queue_check_locked(e, vm, XO_OP_VM_CHECK, 0, NULL);
		xo_engine_unlock(e);
	}
}

/* Returns true when the VM is to be removed (an arrival cut short). */
static bool recover_vm(struct xo_engine *e, struct xo_vm *vm, struct json_object *intent,
		       struct xo_domain_info *doms, size_t ndoms)
{
	const char *op = intent_op(intent);
	int opc = op ? xo_op_from_name(op) : -1; /* -1 too for a name this build does not know */
	struct xo_domain_info *mine = NULL;
	bool keep;

	/* Domains of this VM other than the recorded one are half-built leftovers. */
	for (size_t i = 0; i < ndoms; i++) {
		if (strcmp(doms[i].vm_id, vm->id) || doms[i].domid < 0)
			continue;
		if (!mine && doms[i].domid == vm->st.domid) {
			mine = &doms[i];
			continue;
		}
		destroy_domain(e, vm, doms[i].domid, "not the VM's recorded domain");
		doms[i].domid = -1;
	}

	if (opc == XO_OP_VM_MIGRATE_SEND || opc == XO_OP_VM_MIGRATE_RECEIVE ||
	    opc == XO_OP_VM_MIGRATE_LOCAL) {
		int what = xo_migrate_recover(e, vm, opc, intent, mine, &rec_env);

		if (what == XO_MIG_REC_REMOVE)
			return true;
		if (what == XO_MIG_REC_KEEP) {
			struct xo_domain_info now = *mine;
			struct xo_error ignored = { 0 };

			/* Resumed or unpaused just now: take its state as it is. */
			e->bops->domain_info(e->b, mine->domid, &now, &ignored);
			adopt_domain(e, vm, &now, opc, NULL, NULL);
			return false;
		}
		vm->st.domid = -1;
		vm->st.start_time = 0;
		vm->st.power = XENOPS_POWER_HALTED;
		devs_unplugged(vm, false);
		return false;
	}
	if (mine && mine->status == XO_DOM_DYING) {
		/*
		 * Destroyed, but the crash came before its xenstore nodes and
		 * backends were removed: it may linger dying while dom0's
		 * backends hold its pages. Never adopt it; destroy it again,
		 * which removes what it left.
		 */
		keep = false;
	} else if (!op) {
		keep = mine != NULL;
	} else if (opc == XO_OP_VM_PAUSE || opc == XO_OP_VM_UNPAUSE || opc == XO_OP_DEV_PLUG ||
		   opc == XO_OP_DEV_UNPLUG || opc == XO_OP_DEV_CHECK || opc == XO_OP_VBD_EJECT ||
		   opc == XO_OP_VBD_INSERT || opc == XO_OP_VIF_SET_CARRIER ||
		   opc == XO_OP_VM_SET_MEMORY || opc == XO_OP_VM_SET_VCPUS ||
		   opc == XO_OP_VM_SET_XENSTORE || opc == XO_OP_VM_SET_SCHEDULER) {
		/* These never take a domain apart: it is intact if it is there. */
		keep = mine && mine->status != XO_DOM_SHUTDOWN;
	} else if (opc == XO_OP_VM_SUSPEND) {
		/* Running still (the guest never suspended): intact. */
		keep = mine && !vm->st.suspend_path && mine->status != XO_DOM_SHUTDOWN;
	} else {
		/* start, reboot, shutdown, destroy, resume, a restart by a check. */
		keep = false;
	}
	xo_log(&e->log, op ? XENOPS_LOG_WARNING : XENOPS_LOG_DEBUG,
	       "recovery: vm %s: %s%s, domain %d %s", vm->id, op ? "interrupted " : "no operation",
	       op ? op : "", mine ? mine->domid : -1, keep ? "kept" : (mine ? "destroyed" : "absent"));
	if (keep) {
		adopt_domain(e, vm, mine, opc, intent_str(intent, "device_kind"),
			     intent_str(intent, "device"));
		return false;
	}
	if (mine)
		destroy_domain(e, vm, mine->domid, op ? op : "recorded domain");
	vm->st.domid = -1;
	vm->st.start_time = 0;
	if (opc == XO_OP_VM_RESUME && intent_str(intent, "path") && !vm->st.suspend_path)
		vm->st.suspend_path = xo_strdup(intent_str(intent, "path"));
	if ((opc == XO_OP_VM_RESUME || opc == XO_OP_VM_SUSPEND) && vm->st.suspend_path) {
		/* The image is complete (recorded after the save): keep it. */
		vm->st.power = XENOPS_POWER_SUSPENDED;
	} else if (vm->st.power == XENOPS_POWER_SUSPENDED && !op) {
		/* Suspended and nothing ran: stays so. */
	} else {
		free(vm->st.suspend_path);
		vm->st.suspend_path = NULL;
		vm->st.power = XENOPS_POWER_HALTED;
	}
	devs_unplugged(vm, vm->st.power == XENOPS_POWER_SUSPENDED);
	return false;
}

/*
 * A create cut short between the hypervisor call and the domain's first
 * xenstore write leaves a domain without our marker: domain_list cannot
 * name its VM, but its handle (derived from the VM id) can.
 */
static void destroy_unmarked(struct xo_engine *e, struct xo_vm *vm)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	int *domids = NULL;
	size_t n = 0;

	if (!e->bops->domain_find_unmarked)
		return;
	if (e->bops->domain_find_unmarked(e->b, vm->id, &domids, &n, err) < 0) {
		xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: finding domains by handle: %s",
		       vm->id, err->msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		destroy_domain(e, vm, domids[i], "created for the VM, never marked");
	free(domids);
}

static void destroy_orphans(struct xo_engine *e, struct xo_domain_info *doms, size_t ndoms)
{
	for (size_t i = 0; i < ndoms; i++) {
		struct xo_vm *vm;

		if (doms[i].domid < 0)
			continue;
		xo_engine_lock(e);
		vm = doms[i].vm_id[0] ? xo_vm_find(e, doms[i].vm_id) : NULL;
		xo_engine_unlock(e);
		if (vm && !vm->cfg) {
			xo_log(&e->log, XENOPS_LOG_WARNING,
			       "recovery: domain %d belongs to VM %s, whose records are unreadable: left alone",
			       doms[i].domid, vm->id);
			continue;
		}
		if (!vm)
			destroy_domain(e, NULL, doms[i].domid, "belongs to no VM");
	}
}

int xo_engine_load(struct xo_engine *e, struct xo_error *err)
{
	struct xo_store_vm *vms = NULL;
	struct xo_domain_info *doms = NULL;
	size_t n = 0, ndoms = 0;
	int rc = e->sops->load(e->s, &vms, &n, err);

	if (rc < 0)
		return rc;
	xo_engine_lock(e);
	for (size_t i = 0; i < n; i++) {
		if (!vm_from_store(e, &vms[i])) {
			xo_engine_unlock(e);
			xo_store_vms_free(vms, n);
			return xo_err(err, XENOPS_ENOMEM, "out of memory loading VMs");
		}
	}
	xo_engine_unlock(e);
	rc = e->bops->domain_list(e->b, &doms, &ndoms, err);
	if (rc < 0) {
		xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: cannot list domains: %s", err->msg);
		ndoms = 0;
	}
	/* Mark the recorded domains that are gone before adopting the rest. */
	for (size_t i = 0; i < n; i++) {
		struct xo_vm *vm;
		bool remove;

		xo_engine_lock(e);
		vm = xo_vm_find(e, vms[i].id);
		xo_engine_unlock(e);
		if (!vm || !vm->cfg)
			continue;
		if (!vms[i].intent && vm->st.domid < 0) {
			bool has_domain = false;

			for (size_t k = 0; k < ndoms; k++)
				has_domain |= doms[k].domid >= 0 && !strcmp(doms[k].vm_id, vm->id);
			if (!has_domain)
				continue; /* the common case: halted, nothing to do */
		}
		/* Only an operation cut short can have left an unmarked domain. */
		if (vms[i].intent)
			destroy_unmarked(e, vm);
		remove = recover_vm(e, vm, vms[i].intent, doms, ndoms);
		for (size_t k = 0; k < ndoms; k++)
			if (!strcmp(doms[k].vm_id, vm->id))
				doms[k].domid = -1; /* dealt with */
		if (remove) {
			xo_engine_lock(e);
			xo_vm_drop_locked(e, vm);
			xo_engine_unlock(e);
			continue;
		}
		xo_engine_lock(e);
		xo_persist_runtime_locked(e, vm);
		xo_engine_unlock(e);
		if (vms[i].intent && e->sops->put_intent(e->s, vm->id, NULL, err) < 0)
			xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: clearing intent failed: %s", vm->id,
			       err->msg);
	}
	destroy_orphans(e, doms, ndoms);
	free(doms);
	xo_store_vms_free(vms, n);
	xo_error_clear(err);
	return 0;
}
