/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Object definitions: adding, removing, listing and describing VMs and
 * their devices. Synchronous: no backend work except live facts in stats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

static struct xo_vm *vm_get_locked(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_vm *vm = xo_vm_find(e, id);

	if (!vm)
		xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", id);
	return vm;
}

/*
 * A VM is busy while the user's operations are queued or running. The
 * engine's own state checks are not the user's: queued ones are dropped
 * and a running one (short: one backend query) is waited for.
 */
static bool vm_busy_locked(struct xo_engine *e, struct xo_vm *vm)
{
	struct xo_task *t, *next;
	struct xo_error why = { 0 };

	for (t = vm->q_head; t; t = t->qnext)
		if (!t->internal)
			return true;
	if (vm->running && !vm->running->internal)
		return true;
	xo_err(&why, XENOPS_ECANCELLED, "VM removed");
	for (t = vm->q_head; t; t = next) {
		next = t->qnext;
		xo_vm_dequeue_locked(vm, t);
		xo_task_end_locked(e, t, XENOPS_ECANCELLED, &why);
	}
	while (vm->running)
		pthread_cond_wait(&e->task_cond, &e->lock);
	/* A check that ran may have queued another (a restart): look again. */
	return vm->q_head != NULL;
}

static int vm_add_one(struct xo_engine *e, struct json_object *obj, char **id_out,
		      struct xo_error *err)
{
	struct xo_vm_config *cfg = NULL;
	struct xo_vm *vm = NULL;
	char *id = NULL;
	int rc = xo_vm_config_from_json(&cfg, obj, err);

	if (rc < 0)
		return rc;
	vm = calloc(1, sizeof(*vm));
	if (!vm || !(id = strdup(cfg->id))) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto fail;
	}
	xo_strlcpy(vm->id, cfg->id, sizeof(vm->id));
	vm->cfg = cfg;
	xo_vm_state_init(&vm->st);
	xo_engine_lock(e);
	if (xo_vm_find(e, vm->id)) {
		xo_engine_unlock(e);
		rc = xo_err(err, XENOPS_EEXIST, "a VM \"%s\" already exists", vm->id);
		goto fail;
	}
	rc = e->sops->put_vm(e->s, cfg, err);
	if (rc == 0)
		rc = xo_map_put(&e->vms, vm->id, vm) < 0 ? xo_err(err, XENOPS_ENOMEM,
								  "out of memory") : 0;
	if (rc == 0) {
		vm->un = xo_unode_new_locked(e, XENOPS_KIND_VM, vm->id, vm->id);
		if (!vm->un) {
			xo_map_del(&e->vms, vm->id);
			e->sops->remove_vm(e->s, vm->id, err);
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	if (rc == 0)
		xo_persist_runtime_locked(e, vm);
	xo_engine_unlock(e);
	if (rc < 0)
		goto fail;
	if (id_out)
		*id_out = id;
	return 0;
fail:
	free(id);
	free(vm);
	xo_vm_config_free(cfg);
	return rc;
}

/* Out of the table and the update log, and freed. Locked. */
static void vm_forget_locked(struct xo_engine *e, struct xo_vm *vm)
{
	/* A VM whose queued checks were just dropped may still be on the ready list. */
	if (vm->ready) {
		struct xo_vm **pp = &e->ready_head, *prev = NULL;

		while (*pp && *pp != vm) {
			prev = *pp;
			pp = &(*pp)->ready_next;
		}
		if (*pp) {
			*pp = vm->ready_next;
			if (e->ready_tail == vm)
				e->ready_tail = prev;
		}
		vm->ready = false;
	}
	xo_map_del(&e->vms, vm->id);
	for (size_t i = 0; i < vm->ndevs; i++) {
		xo_unode_delete_locked(e, vm->devs[i]->un);
		xo_dev_config_free(vm->devs[i]->cfg);
		free(vm->devs[i]);
	}
	xo_unode_delete_locked(e, vm->un);
	json_object_put(vm->disagreements);
	free(vm->devs);
	xo_vm_cfg_changed_locked(vm);
	xo_vm_config_free(vm->cfg);
	xo_vm_state_clear(&vm->st);
	free(vm);
}

int xo_engine_vm_remove(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_vm *vm;
	int rc;

	xo_engine_lock(e);
	vm = vm_get_locked(e, id, err);
	if (!vm) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	if (vm_busy_locked(e, vm)) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EBUSY, "VM \"%s\" has operations queued or running", id);
	}
	if (vm->st.power != XENOPS_POWER_HALTED && vm->st.power != XENOPS_POWER_ERROR) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EBUSY,
			      "VM \"%s\" is %s: shut it down or destroy it first", id,
			      xo_power_state_name(vm->st.power));
	}
	rc = e->sops->remove_vm(e->s, id, err);
	if (rc < 0) {
		xo_engine_unlock(e);
		return rc;
	}
	vm_forget_locked(e, vm);
	xo_engine_unlock(e);
	return 0;
}

bool xo_vm_drop_locked(struct xo_engine *e, struct xo_vm *vm)
{
	struct xo_error err = { 0 };

	if (vm_busy_locked(e, vm))
		return false;
	if (e->sops->remove_vm(e->s, vm->id, &err) < 0)
		xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: removing its records failed: %s", vm->id,
		       err.msg);
	vm_forget_locked(e, vm);
	return true;
}

/* Define each device of a template's "devices" object: {"vbd": [...], ...}. */
static int add_template_devices(struct xo_engine *e, const char *vm, struct json_object *devs,
				struct xo_error *err)
{
	if (!json_object_is_type(devs, json_type_object))
		return xo_err(err, XENOPS_EINVAL, "vm config: field \"devices\" must be an object");
	json_object_object_foreach(devs, key, arr)
	{
		int kind = !strcmp(key, "vbd") ? XENOPS_KIND_VBD
			   : !strcmp(key, "vif") ? XENOPS_KIND_VIF
			   : !strcmp(key, "pci") ? XENOPS_KIND_PCI
						 : 0;

		if (!kind)
			return xo_err(err, XENOPS_EINVAL,
				      "vm config: devices: unknown kind \"%.32s\"", key);
		if (!json_object_is_type(arr, json_type_array))
			return xo_err(err, XENOPS_EINVAL, "vm config: devices.%s must be an array",
				      key);
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *d = json_object_array_get_idx(arr, i);
			int rc;

			/* "plugged" is what get_config reports, not configuration. */
			if (json_object_is_type(d, json_type_object))
				json_object_object_del(d, "plugged");
			rc = xo_engine_dev_add(e, kind, vm, json_object_to_json_string(d), NULL,
					       err);
			if (rc < 0)
				return xo_err(err, rc, "vm config: devices.%s[%zu]: %s", key, i,
					      err->msg);
		}
	}
	return 0;
}

/*
 * A VM from its configuration, or from a get_config template with its
 * devices: the VM and all its devices are defined, or none of them.
 */
int xo_engine_vm_add(struct xo_engine *e, const char *json, char **id_out, struct xo_error *err)
{
	struct json_object *obj = NULL, *devs = NULL, *v;
	char *id = NULL;
	int rc = xo_json_loads(&obj, json, "vm config", err);

	if (rc < 0)
		return rc;
	if (json_object_is_type(obj, json_type_object)) {
		if (json_object_object_get_ex(obj, "disagreements", &v)) {
			json_object_put(obj);
			return xo_err(err, XENOPS_EINVAL,
				      "vm config: field \"disagreements\": the template reports "
						     "stored and live views that disagree; resolve and remove it first");
		}
		if (json_object_object_get_ex(obj, "devices", &v)) {
			devs = json_object_get(v);
			json_object_object_del(obj, "devices");
		}
	}
	rc = vm_add_one(e, obj, &id, err);
	if (rc == 0 && devs) {
		rc = add_template_devices(e, id, devs, err);
		if (rc < 0) {
			struct xo_error undo = { 0 }; /* *err keeps why */

			xo_engine_vm_remove(e, id, &undo);
		}
	}
	json_object_put(devs);
	json_object_put(obj);
	if (rc == 0 && id_out)
		*id_out = id;
	else
		free(id);
	return rc;
}

/*
 * Replace a halted VM's configuration: validated as by VM.add; the id inside
 * may be left out (the VM's own is kept) and must otherwise be the VM's. The
 * devices stay as they are.
 */
int xo_engine_vm_set_config(struct xo_engine *e, const char *id, const char *json,
			    struct xo_error *err)
{
	struct json_object *obj = NULL, *v;
	struct xo_vm_config *cfg = NULL, *old;
	struct xo_vm *vm;
	int rc = xo_json_loads(&obj, json, "vm config", err);

	if (rc < 0)
		return rc;
	if (json_object_is_type(obj, json_type_object)) {
		if (json_object_object_get_ex(obj, "id", &v) &&
		    (!json_object_is_type(v, json_type_string) ||
		     strcmp(json_object_get_string(v), id) != 0)) {
			json_object_put(obj);
			return xo_err(err, XENOPS_EINVAL,
				      "vm config: field \"id\" must be the VM's own id \"%s\" or left out",
				      id);
		}
		if (json_object_object_get_ex(obj, "devices", &v) ||
		    json_object_object_get_ex(obj, "disagreements", &v)) {
			json_object_put(obj);
			return xo_err(err, XENOPS_EINVAL,
				      "vm config: fields \"devices\" and \"disagreements\" do not belong in "
				      "VM.set_config (devices are changed with VBD.add, VIF.add ...)");
		}
		json_object_object_add(obj, "id", json_object_new_string(id));
	}
	rc = xo_vm_config_from_json(&cfg, obj, err);
	json_object_put(obj);
	if (rc < 0)
		return rc;
	xo_engine_lock(e);
	vm = vm_get_locked(e, id, err);
	if (!vm) {
		rc = XENOPS_ENOTFOUND;
	} else if (vm_busy_locked(e, vm)) {
		rc = xo_err(err, XENOPS_EBUSY, "VM \"%s\" has operations queued or running", id);
	} else if (vm->st.power != XENOPS_POWER_HALTED) {
		rc = xo_err(err, XENOPS_EBADSTATE,
			    "VM \"%s\" is %s: its configuration can only be replaced while Halted",
			    id, xo_power_state_name(vm->st.power));
	} else {
		rc = e->sops->put_vm(e->s, cfg, err);
	}
	if (rc == 0) {
		old = vm->cfg;
		vm->cfg = cfg;
		cfg = old;
		xo_vm_cfg_changed_locked(vm);
		xo_unode_touch_locked(e, vm->un);
	}
	xo_engine_unlock(e);
	xo_vm_config_free(cfg);
	return rc;
}

static int list_cb(const char *key, void *value, void *arg)
{
	(void)value;
	return xo_strv_push(arg, key);
}

int xo_engine_vm_list(struct xo_engine *e, struct xo_strv *out, struct xo_error *err)
{
	int rc;

	xo_engine_lock(e);
	rc = xo_map_foreach(&e->vms, list_cb, out);
	xo_engine_unlock(e);
	if (rc < 0)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	xo_strv_sort(out);
	return 0;
}

int xo_engine_vm_power(struct xo_engine *e, const char *id, int *state, int *domid,
		       struct xo_error *err)
{
	struct xo_vm *vm;

	xo_engine_lock(e);
	vm = vm_get_locked(e, id, err);
	if (vm) {
		if (state)
			*state = vm->st.power;
		if (domid)
			*domid = vm->st.domid;
	}
	xo_engine_unlock(e);
	return vm ? 0 : XENOPS_ENOTFOUND;
}

/* Live facts from the backend, added to a state object: 0 or XENOPS_ENOMEM. */
static int add_live_facts(struct xo_engine *e, int domid, struct json_object *st,
			  struct xo_error *err)
{
	struct xo_error gone = { 0 }; /* no domain (any more): no live facts */
	/* On the stack: a heap block this size costs a malloc_consolidate per call. */
	struct xo_domain_info info_buf, *info = &info_buf;
	struct json_object *vt = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	if (domid < 0 || e->bops->domain_info(e->b, domid, info, &gone) < 0)
		return 0;
	rc = xo_jw_int(st, "memory_actual", (int64_t)info->memory_actual, err);
	if (rc == 0)
		rc = xo_jw_int(st, "memory_target", (int64_t)info->memory_target, err);
	if (rc == 0)
		rc = xo_jw_int(st, "vcpus", (int)info->vcpus_online, err);
	if (rc == 0)
		rc = xo_jw_double(st, "cpu_time", (double)info->cpu_time_ns / 1e9, err);
	if (rc == 0) {
		vt = json_object_new_array();
		rc = vt ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; rc == 0 && i < info->vcpus_max && i < XO_MAX_VCPUS; i++) {
		struct json_object *v = json_object_new_double((double)info->vcpu_time_ns[i] / 1e9);

		if (!v || json_object_array_add(vt, v) < 0) {
			json_object_put(v);
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	if (rc == 0)
		rc = xo_jw_take(st, "vcpu_time", vt, err);
	else
		json_object_put(vt);
	if (rc == 0)
		rc = xo_engine_guest_facts_json(e, domid, st, err);
	if (rc == 0)
		rc = xo_engine_sched_json(e, domid, st, err);
	return rc;
}

void xo_vm_cfg_changed_locked(struct xo_vm *vm)
{
	free(vm->cfg_text);
	vm->cfg_text = NULL;
}

/*
 * A copy of the VM's configuration as VM.stat prints it (free()), from
 * the text kept since its last change, made first when there is none;
 * NULL on ENOMEM. Locked; vm->cfg is not NULL.
 */
static char *vm_cfg_text_locked(struct xo_vm *vm, struct xo_error *err)
{
	if (!vm->cfg_text) {
		struct json_object *cfg = xo_vm_config_to_json(vm->cfg, err);
		const char *c = cfg ? json_object_to_json_string_ext(
					      cfg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
				    : NULL;

		vm->cfg_text = c ? strdup(c) : NULL;
		json_object_put(cfg);
		if (!vm->cfg_text)
			return NULL;
	}
	return strdup(vm->cfg_text);
}

/*
 * {"config": @c, "state": @st} as text, as xo_json_dumps() prints it,
 * put together from the parts' own text (no object around them, no copy
 * of the whole); @st taken. @c is the configuration's text, or NULL on
 * ENOMEM.
 */
static int stat_text_from(const char *c, size_t clen, struct json_object *st, char **json_out,
			  struct xo_error *err)
{
	static const char k1[] = "{\"config\":", k2[] = ",\"state\":";
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t slen = 0;
	const char *s = json_object_to_json_string_length(st, flags, &slen);
	char *out = c && s ? malloc(sizeof(k1) - 1 + clen + sizeof(k2) - 1 + slen + 2) : NULL;
	int rc = out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");

	if (out) {
		char *p = out;

		memcpy(p, k1, sizeof(k1) - 1);
		p += sizeof(k1) - 1;
		memcpy(p, c, clen);
		p += clen;
		memcpy(p, k2, sizeof(k2) - 1);
		p += sizeof(k2) - 1;
		memcpy(p, s, slen);
		p += slen;
		p[0] = '}';
		p[1] = '\0';
		*json_out = out;
	}
	json_object_put(st);
	return rc;
}

/* The same from a configuration object (taken); @cfg NULL: "config" is null. */
static int stat_text(struct json_object *cfg, struct json_object *st, char **json_out,
		     struct xo_error *err)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t clen = 4;
	const char *c = cfg ? json_object_to_json_string_length(cfg, flags, &clen) : "null";
	int rc = stat_text_from(c, clen, st, json_out, err);

	json_object_put(cfg);
	return rc;
}

int xo_engine_vm_stat(struct xo_engine *e, const char *id, char **json_out, struct xo_error *err)
{
	struct json_object *st = NULL;
	char *cfg = NULL;
	struct xo_vm *vm;
	int domid, rc;
	bool nomem;

	xo_engine_lock(e);
	vm = vm_get_locked(e, id, err);
	if (!vm) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	/* A VM in error state has no configuration: "config" is null. */
	cfg = vm->cfg ? vm_cfg_text_locked(vm, err) : NULL;
	st = xo_vm_state_to_json(&vm->st, err);
	domid = vm->st.domid;
	nomem = (vm->cfg && !cfg) || !st;
	xo_engine_unlock(e);
	rc = nomem ? xo_err(err, XENOPS_ENOMEM, "out of memory") : add_live_facts(e, domid, st, err);
	if (rc < 0) {
		free(cfg);
		json_object_put(st);
		return rc;
	}
	rc = stat_text_from(cfg ? cfg : "null", cfg ? strlen(cfg) : 4, st, json_out, err);
	free(cfg);
	return rc;
}

/* ---- devices ---- */

/* A device field that must be unique within the VM. */
static int dev_conflict(const struct xo_vm *vm, const struct xo_dev_config *c, struct xo_error *err)
{
	for (size_t i = 0; i < vm->ndevs; i++) {
		const struct xo_dev_config *o = vm->devs[i]->cfg;

		if (o->kind != c->kind)
			continue;
		if (!strcmp(o->id, c->id))
			return xo_err(err, XENOPS_EEXIST,
				      "VM \"%s\" already has a %s with id \"%s\"", vm->id,
				      xo_kind_name(c->kind), c->id);
		if (c->kind == XENOPS_KIND_VBD && !strcmp(o->u.vbd.device, c->u.vbd.device))
			return xo_err(err, XENOPS_EEXIST,
				      "device: VM \"%s\" already has a vbd \"%s\"", vm->id,
				      c->u.vbd.device);
		if (c->kind == XENOPS_KIND_VIF && o->u.vif.index == c->u.vif.index)
			return xo_err(err, XENOPS_EEXIST,
				      "index: VM \"%s\" already has a vif with index %d",
				      vm->id, c->u.vif.index);
		if (c->kind == XENOPS_KIND_PCI && !strcmp(o->u.pci.address, c->u.pci.address))
			return xo_err(err, XENOPS_EEXIST,
				      "address: PCI device %s is already given to VM \"%s\"",
				      c->u.pci.address, vm->id);
	}
	return 0;
}

/* Defaults that depend on the VM: the lowest free VIF index, a MAC. */
static int dev_fill_defaults(const struct xo_vm *vm, struct xo_dev_config *c, struct xo_error *err)
{
	if (c->kind == XENOPS_KIND_VIF) {
		if (c->u.vif.index < 0) {
			for (int idx = 0; idx < 64 && c->u.vif.index < 0; idx++) {
				bool used = false;

				for (size_t i = 0; i < vm->ndevs; i++)
					if (vm->devs[i]->cfg->kind == XENOPS_KIND_VIF &&
					    vm->devs[i]->cfg->u.vif.index == idx)
						used = true;
				if (!used)
					c->u.vif.index = idx;
			}
			if (c->u.vif.index < 0)
				return xo_err(err, XENOPS_EINVAL,
					      "index: VM \"%s\" has no free VIF index", vm->id);
		}
		if (!c->u.vif.mac[0])
			xo_mac_generate(c->u.vif.mac);
	}
	xo_dev_config_default_id(c);
	return 0;
}

int xo_engine_dev_add(struct xo_engine *e, int kind, const char *vm_id, const char *json,
		      char **id_out, struct xo_error *err)
{
	struct xo_dev_config *cfg = NULL;
	struct xo_dev *d = NULL, **v;
	struct xo_vm *vm;
	char *id = NULL;
	int rc = xo_dev_config_parse(&cfg, kind, json, err);

	if (rc < 0)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d) {
		xo_dev_config_free(cfg);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	d->cfg = cfg;
	xo_engine_lock(e);
	vm = vm_get_locked(e, vm_id, err);
	rc = vm ? 0 : XENOPS_ENOTFOUND;
	if (rc == 0 && !vm->cfg)
		rc = xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" is in error state", vm_id);
	if (rc == 0)
		rc = dev_fill_defaults(vm, cfg, err);
	if (rc == 0)
		rc = dev_conflict(vm, cfg, err);
	if (rc == 0 && id_out && !(id = strdup(cfg->id)))
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (rc == 0 && vm->ndevs == vm->devcap) {
		size_t cap = vm->devcap ? vm->devcap * 2 : 4;

		v = realloc(vm->devs, cap * sizeof(*v));
		if (!v)
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		else {
			vm->devs = v;
			vm->devcap = cap;
		}
	}
	if (rc == 0)
		rc = e->sops->put_dev(e->s, vm->id, cfg, err);
	if (rc == 0) {
		d->un = xo_unode_new_locked(e, kind, vm->id, cfg->id);
		if (!d->un) {
			e->sops->remove_dev(e->s, vm->id, kind, cfg->id, err);
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	if (rc == 0)
		vm->devs[vm->ndevs++] = d;
	xo_engine_unlock(e);
	if (rc < 0) {
		free(id);
		xo_dev_config_free(cfg);
		free(d);
		return rc;
	}
	if (id_out)
		*id_out = id;
	return 0;
}

static struct xo_dev *dev_get_locked(struct xo_engine *e, int kind, const char *vm_id,
				     const char *dev, struct xo_vm **vm_out, struct xo_error *err)
{
	struct xo_vm *vm = vm_get_locked(e, vm_id, err);
	struct xo_dev *d;

	if (!vm)
		return NULL;
	d = xo_vm_dev_find(vm, kind, dev);
	if (!d)
		xo_err(err, XENOPS_ENOTFOUND, "VM \"%s\" has no %s \"%s\"", vm_id,
		       xo_kind_name(kind), dev);
	if (vm_out)
		*vm_out = vm;
	return d;
}

int xo_engine_dev_remove(struct xo_engine *e, int kind, const char *vm_id, const char *dev,
			 struct xo_error *err)
{
	struct xo_vm *vm = NULL;
	struct xo_dev *d;
	int rc;

	xo_engine_lock(e);
	d = dev_get_locked(e, kind, vm_id, dev, &vm, err);
	if (!d) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	if (d->st.plugged) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EBUSY, "%s \"%s\" is plugged: unplug it first",
			      xo_kind_name(kind), dev);
	}
	/* A queued plug of it would find it gone; refuse instead. */
	for (struct xo_task *t = vm->q_head; t; t = t->qnext)
		if (!t->internal && t->dev_kind == kind && !strcmp(t->dev, dev)) {
			xo_engine_unlock(e);
			return xo_err(err, XENOPS_EBUSY, "%s \"%s\" has operations queued",
				      xo_kind_name(kind), dev);
		}
	rc = e->sops->remove_dev(e->s, vm->id, kind, dev, err);
	if (rc == 0) {
		for (size_t i = 0; i < vm->ndevs; i++)
			if (vm->devs[i] == d) {
				memmove(&vm->devs[i], &vm->devs[i + 1], (vm->ndevs - i - 1) * sizeof(*vm->devs));
				vm->ndevs--;
				break;
			}
		xo_unode_delete_locked(e, d->un);
	}
	xo_engine_unlock(e);
	if (rc < 0)
		return rc;
	xo_dev_config_free(d->cfg);
	free(d);
	return 0;
}

int xo_engine_dev_list(struct xo_engine *e, int kind, const char *vm_id, struct xo_strv *out,
		       struct xo_error *err)
{
	struct xo_vm *vm;
	int rc = 0;

	xo_engine_lock(e);
	vm = vm_get_locked(e, vm_id, err);
	if (!vm) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	for (size_t i = 0; i < vm->ndevs && rc == 0; i++)
		if (vm->devs[i]->cfg->kind == kind)
			rc = xo_strv_push(out, vm->devs[i]->cfg->id);
	xo_engine_unlock(e);
	if (rc < 0)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	xo_strv_sort(out);
	return 0;
}

int xo_engine_dev_stat(struct xo_engine *e, int kind, const char *vm_id, const char *dev,
		       int with_state, char **json_out, struct xo_error *err)
{
	struct json_object *cfg, *st = NULL;
	struct xo_dev *d;

	xo_engine_lock(e);
	d = dev_get_locked(e, kind, vm_id, dev, NULL, err);
	if (!d) {
		xo_engine_unlock(e);
		return XENOPS_ENOTFOUND;
	}
	cfg = xo_dev_config_to_json(d->cfg, err);
	if (with_state)
		st = xo_dev_state_to_json(kind, &d->st, err);
	xo_engine_unlock(e);
	if (!cfg || (with_state && !st)) {
		json_object_put(cfg);
		json_object_put(st);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	if (with_state)
		return stat_text(cfg, st, json_out, err);
	*json_out = xo_json_dumps(cfg);
	json_object_put(cfg);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}
