/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Operations as lists of atoms. A plan checks the VM's state when the task
 * reaches the front of its queue and lists the atoms; each atom makes one
 * backend call and commits its effect to the VM's state; abort leaves a
 * valid state (xenopsd's rule: not rolled back, never half built).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define W_FAST 1
#define W_DEVICE 2
#define W_BUILD 5
#define W_WAIT 10
#define W_SAVE 20

int xo_run_add_atom(struct xo_run *r, const char *name, unsigned int weight,
		    int (*fn)(struct xo_run *, int, struct xo_error *), int arg,
		    struct xo_error *err)
{
	struct xo_atom *a;

	if (r->natoms == r->atomcap) {
		size_t cap = r->atomcap ? r->atomcap * 2 : 8;
		struct xo_atom *v = realloc(r->atoms, cap * sizeof(*v));

		if (!v)
			return xo_err(err, XENOPS_ENOMEM, "out of memory planning atoms");
		r->atoms = v;
		r->atomcap = cap;
	}
	a = &r->atoms[r->natoms++];
	xo_strlcpy(a->name, name, sizeof(a->name));
	a->weight = weight;
	a->fn = fn;
	a->arg = arg;
	return 0;
}

void xo_run_free(struct xo_run *r)
{
	xo_vm_config_free(r->cfg);
	for (size_t i = 0; i < r->ndevs; i++)
		xo_dev_config_free(r->devs[i]);
	free(r->devs);
	free(r->atoms);
}

static struct xo_engine *E(struct xo_run *r)
{
	return r->e;
}

int xo_run_write_intent_locked(struct xo_run *r, struct xo_error *err)
{
	struct xo_task *t = r->t;
	struct xo_intent in = { .op = t->op, .task = t->id, .started = xo_wall_time(),
				.flags = t->flags, .path = t->path, .media = t->media,
				.dev_kind = t->dev_kind, .dev = t->dev };
	struct json_object *o;
	int rc;

	if (!E(r)->sops->keeps_records) {
		r->intent = true; /* as if written: the store keeps none */
		return 0;
	}
	o = xo_intent_to_json(&in, err);
	if (!o)
		return err->code;
	rc = E(r)->sops->put_intent(E(r)->s, r->vm->id, o, err);
	json_object_put(o);
	if (rc == 0)
		r->intent = true;
	return rc;
}

enum snap { SNAP_ALL, SNAP_TASK_DEV, SNAP_IN_IMAGE };

/* Copy the devices to act on: all, the task's one, or those in the image. */
static int snapshot_devs_locked(struct xo_run *r, enum snap which, struct xo_error *err)
{
	struct xo_vm *vm = r->vm;

	r->devs = calloc(vm->ndevs ? vm->ndevs : 1, sizeof(*r->devs));
	if (!r->devs)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	for (size_t i = 0; i < vm->ndevs; i++) {
		struct xo_dev_config *c = vm->devs[i]->cfg;

		if (which == SNAP_TASK_DEV && (c->kind != r->t->dev_kind || strcmp(c->id, r->t->dev)))
			continue;
		if (which == SNAP_IN_IMAGE && !vm->devs[i]->st.in_image)
			continue;
		r->devs[r->ndevs] = xo_dev_config_dup(c, err);
		if (!r->devs[r->ndevs])
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		r->ndevs++;
	}
	return 0;
}

static void set_power_locked(struct xo_run *r, int power)
{
	r->vm->st.power = power;
	xo_unode_touch_locked(E(r), r->vm->un);
}

static void dev_commit_locked(struct xo_run *r, const struct xo_dev_config *cfg,
			      const struct xo_dev_state *st)
{
	struct xo_dev *d = xo_vm_dev_find(r->vm, cfg->kind, cfg->id);

	if (!d)
		return;
	d->st = *st;
	xo_unode_touch_locked(E(r), d->un);
}

/*
 * The domain is gone, so are its devices. Going to Suspended, the devices
 * that were plugged are part of the image: resume plugs those again.
 */
static void all_devs_unplugged_locked(struct xo_run *r, bool into_image)
{
	for (size_t i = 0; i < r->vm->ndevs; i++) {
		struct xo_dev *d = r->vm->devs[i];
		/* A resume cut short keeps the image's devices not yet plugged. */
		int in_image = into_image && (d->st.plugged || d->st.in_image);

		if (!d->st.plugged && !d->st.active && d->st.in_image == in_image)
			continue;
		memset(&d->st, 0, sizeof(d->st));
		d->st.in_image = in_image;
		xo_unode_touch_locked(E(r), d->un);
	}
}

/* The VM has no domain any more. */
static void vm_domain_gone_locked(struct xo_run *r, int power)
{
	r->vm->st.domid = -1;
	r->vm->st.start_time = 0;
	r->domid = -1;
	all_devs_unplugged_locked(r, power == XENOPS_POWER_SUSPENDED);
	set_power_locked(r, power);
}

/* ---- commits: what an atom's effect changes in the records (locked) ---- */

struct dev_change {
	const struct xo_dev_config *cfg;
	struct xo_dev_state st;
};

static bool apply_dev_state(struct xo_run *r, void *arg)
{
	const struct dev_change *c = arg;

	dev_commit_locked(r, c->cfg, &c->st);
	return true;
}

static bool apply_domain_created(struct xo_run *r, void *arg)
{
	r->domid = *(const int *)arg;
	r->created = true;
	r->vm->st.domid = r->domid;
	xo_unode_touch_locked(E(r), r->vm->un);
	return true;
}

static bool apply_power(struct xo_run *r, void *arg)
{
	set_power_locked(r, *(const int *)arg);
	return true;
}

/* The domain is gone; @arg: the power state the VM is left in. */
static bool apply_domain_gone(struct xo_run *r, void *arg)
{
	vm_domain_gone_locked(r, *(const int *)arg);
	return true;
}

/* This run destroyed the domain. */
static bool apply_domain_destroyed(struct xo_run *r, void *arg)
{
	r->created = false;
	r->destroyed = true;
	if (r->reason != XO_SHUTDOWN_NONE)
		xo_strlcpy(r->vm->st.last_shutdown_reason, xo_shutdown_reason_name(r->reason),
			   sizeof(r->vm->st.last_shutdown_reason));
	return apply_domain_gone(r, arg);
}

/* The suspend image is complete: from here a crash ends Suspended. */
static bool apply_image_saved(struct xo_run *r, void *arg)
{
	(void)arg;
	free(r->vm->st.suspend_path);
	r->vm->st.suspend_path = xo_strdup(r->t->path);
	return true;
}

static bool apply_image_forgotten(struct xo_run *r, void *arg)
{
	(void)arg;
	free(r->vm->st.suspend_path);
	r->vm->st.suspend_path = NULL;
	all_devs_unplugged_locked(r, false);
	set_power_locked(r, XENOPS_POWER_HALTED);
	return true;
}

/* A device's configuration changes too (media, carrier): stored first. */
struct dev_cfg_change {
	char *media; /* VBD media, taken on success */
	struct xo_error *err;
	int rc;
};

static bool apply_media(struct xo_run *r, void *arg)
{
	struct dev_cfg_change *c = arg;
	struct xo_dev *d = xo_vm_dev_find(r->vm, XENOPS_KIND_VBD, r->t->dev);

	if (!d)
		return false;
	free(d->cfg->u.vbd.backend);
	d->cfg->u.vbd.backend = c->media;
	c->media = NULL;
	d->st.media_present = d->cfg->u.vbd.backend[0] != '\0';
	c->rc = E(r)->sops->put_dev(E(r)->s, r->vm->id, d->cfg, c->err);
	xo_unode_touch_locked(E(r), d->un);
	return true;
}

static bool apply_carrier(struct xo_run *r, void *arg)
{
	struct dev_cfg_change *c = arg;
	struct xo_dev *d = xo_vm_dev_find(r->vm, XENOPS_KIND_VIF, r->t->dev);

	if (!d)
		return false;
	d->cfg->u.vif.carrier = r->t->carrier != 0;
	if (d->st.plugged)
		d->st.carrier = r->t->carrier != 0;
	c->rc = E(r)->sops->put_dev(E(r)->s, r->vm->id, d->cfg, c->err);
	xo_unode_touch_locked(E(r), d->un);
	return true;
}

/* ---- atoms ---- */

/* Create a domain, fresh or from a suspend image (@from_image). */
static int a_create(struct xo_run *r, int from_image, struct xo_error *err)
{
	int domid = -1, rc;

	rc = from_image ? E(r)->bops->domain_restore(E(r)->b, &r->env, r->cfg, r->t->path, &domid,
						     err)
			: E(r)->bops->domain_create(E(r)->b, &r->env, r->cfg, &domid, err);
	if (rc < 0)
		return rc;
	xo_run_commit(r, apply_domain_created, &domid);
	return 0;
}

static int a_build(struct xo_run *r, int arg, struct xo_error *err)
{
	(void)arg;
	return E(r)->bops->domain_build(E(r)->b, &r->env, r->cfg, r->domid, err);
}

static int a_plug(struct xo_run *r, int i, struct xo_error *err);

int xo_atom_plug(struct xo_run *r, int i, struct xo_error *err)
{
	return a_plug(r, i, err);
}

static int a_plug(struct xo_run *r, int i, struct xo_error *err)
{
	struct dev_change c = { .cfg = r->devs[i] };
	int rc = E(r)->bops->dev_plug(E(r)->b, &r->env, r->domid, r->devs[i], &c.st, err);

	if (rc < 0)
		return rc;
	c.st.plugged = 1;
	xo_run_commit(r, apply_dev_state, &c);
	return 0;
}

static int a_unplug(struct xo_run *r, int i, struct xo_error *err)
{
	struct dev_change c = { .cfg = r->devs[i] };
	int rc = E(r)->bops->dev_unplug(E(r)->b, &r->env, r->domid, r->devs[i],
					(r->t->flags & XENOPS_FORCE) != 0, err);

	if (rc < 0)
		return rc;
	xo_run_commit(r, apply_dev_state, &c);
	return 0;
}

/* Pause or unpause: @power is the state the VM ends in. */
static int a_run_state(struct xo_run *r, int power, struct xo_error *err)
{
	int rc = power == XENOPS_POWER_RUNNING ? E(r)->bops->domain_unpause(E(r)->b, &r->env,
									    r->domid, err)
					       : E(r)->bops->domain_pause(E(r)->b, &r->env,
									  r->domid, err);

	if (rc < 0)
		return rc;
	xo_run_commit(r, apply_power, &power);
	return 0;
}

static int a_request(struct xo_run *r, int reason, struct xo_error *err)
{
	r->deadline_ms = xo_now_ms() + (uint64_t)r->t->timeout_s * 1000u;
	return E(r)->bops->domain_request_shutdown(E(r)->b, &r->env, r->domid, reason, err);
}

static unsigned int remaining_ms(struct xo_run *r)
{
	uint64_t now = xo_now_ms();

	return now >= r->deadline_ms ? 0 : (unsigned int)(r->deadline_ms - now);
}

static int a_wait_ack(struct xo_run *r, int arg, struct xo_error *err)
{
	(void)arg;
	return E(r)->bops->domain_wait_ack(E(r)->b, &r->env, r->domid, remaining_ms(r), err);
}

static int a_wait_shutdown(struct xo_run *r, int expected, struct xo_error *err)
{
	int reason = XO_SHUTDOWN_NONE, rc;

	rc = E(r)->bops->domain_wait_shutdown(E(r)->b, &r->env, r->domid, remaining_ms(r), &reason,
					      err);
	if (rc == XENOPS_ENOTFOUND && expected != XO_SHUTDOWN_SUSPEND) {
		/* Gone already (destroyed under us): the goal is reached. */
		xo_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	r->reason = reason;
	if (reason != expected)
		xo_log(&E(r)->log, XENOPS_LOG_WARNING, "vm %s: asked for %s, guest did %s", r->vm->id,
		       xo_shutdown_reason_name(expected), xo_shutdown_reason_name(reason));
	return 0;
}

/* Destroy the domain; @arg is the power state the VM is left in. */
static int a_destroy(struct xo_run *r, int power, struct xo_error *err)
{
	int rc = E(r)->bops->domain_destroy(E(r)->b, &r->env, r->domid, err);

	if (rc == XENOPS_ENOTFOUND)
		rc = 0; /* already gone: the goal is reached */
	if (rc < 0)
		return rc;
	xo_run_commit(r, apply_domain_destroyed, &power);
	return 0;
}

static int a_save(struct xo_run *r, int arg, struct xo_error *err)
{
	int rc;

	(void)arg;
	rc = E(r)->bops->domain_save(E(r)->b, &r->env, r->domid, r->cfg, r->t->path, err);
	r->saved = rc == 0;
	if (rc == 0)
		xo_run_commit(r, apply_image_saved, NULL);
	return rc;
}

static int a_forget_image(struct xo_run *r, int arg, struct xo_error *err)
{
	(void)arg;
	(void)err;
	xo_run_commit(r, apply_image_forgotten, NULL);
	return 0;
}

/* Change the media of a CD drive; updates the stored configuration too. */
static int a_media(struct xo_run *r, int arg, struct xo_error *err)
{
	const char *media = r->t->op == XO_OP_VBD_INSERT ? r->t->media : "";
	struct dev_cfg_change c = { .err = err };
	int rc = 0;

	(void)arg;
	if (r->domid >= 0 && r->ndevs) {
		rc = E(r)->bops->vbd_set_media(E(r)->b, &r->env, r->domid, r->devs[0], media, err);
		if (rc < 0)
			return rc;
		/* Between the backend and the record: where the two views can part. */
		xo_crash_point(E(r));
	}
	c.media = strdup(media);
	if (!c.media)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	xo_run_commit(r, apply_media, &c);
	free(c.media);
	return c.rc;
}

static int a_carrier(struct xo_run *r, int arg, struct xo_error *err)
{
	struct dev_cfg_change c = { .err = err };
	int rc = 0;

	(void)arg;
	if (r->domid >= 0 && r->ndevs) {
		rc = E(r)->bops->vif_set_carrier(E(r)->b, &r->env, r->domid, r->devs[0],
						 r->t->carrier, err);
		if (rc < 0)
			return rc;
	}
	xo_run_commit(r, apply_carrier, &c);
	return c.rc;
}

/* ---- plans ---- */

static int plan_plug_all_unpause(struct xo_run *r, bool unpause, struct xo_error *err)
{
	char name[XO_ATOM_NAME_MAX];
	int rc = 0;

	for (size_t i = 0; i < r->ndevs && rc == 0; i++) {
		xo_strcat_n(name, sizeof(name), "plug_", xo_kind_name(r->devs[i]->kind), ":",
			    r->devs[i]->id, (char *)NULL);
		rc = xo_run_add_atom(r, name, W_DEVICE, a_plug, (int)i, err);
	}
	if (rc == 0 && unpause)
		rc = xo_run_add_atom(r, "unpause", W_FAST, a_run_state, XENOPS_POWER_RUNNING, err);
	return rc;
}

/* A new domain: created, built, its devices plugged (paused). */
static int plan_build(struct xo_run *r, struct xo_error *err)
{
	int rc = xo_run_add_atom(r, "create_domain", W_FAST, a_create, 0, err);

	if (rc == 0)
		rc = xo_run_add_atom(r, "build_domain", W_BUILD, a_build, 0, err);
	return rc ? rc : plan_plug_all_unpause(r, false, err);
}

static int plan_clean_shutdown(struct xo_run *r, int reason, struct xo_error *err)
{
	int rc = xo_run_add_atom(r, "request_shutdown", W_FAST, a_request, reason, err);

	if (rc == 0)
		rc = xo_run_add_atom(r, "wait_ack", W_WAIT, a_wait_ack, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "wait_shutdown", W_WAIT, a_wait_shutdown, reason, err);
	return rc;
}

static bool vm_has_domain(const struct xo_vm *vm)
{
	return vm->st.power == XENOPS_POWER_RUNNING || vm->st.power == XENOPS_POWER_PAUSED;
}

static int bad_state(struct xo_run *r, const char *what, struct xo_error *err)
{
	return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" is %s: cannot %s", r->vm->id,
		      xo_power_state_name(r->vm->st.power), what);
}

static int plan_vm_op(struct xo_run *r, struct xo_error *err)
{
	struct xo_vm *vm = r->vm;
	struct xo_task *t = r->t;
	bool forced = (t->flags & XENOPS_FORCE) || t->timeout_s == 0;
	int rc = 0;

	switch (t->op) {
	case XO_OP_VM_START:
		if (vm->st.power == XENOPS_POWER_SUSPENDED)
			return xo_err(err, XENOPS_EBADSTATE,
				      "VM \"%s\" is Suspended: resume it, or destroy it first",
				      vm->id);
		if (vm->st.power != XENOPS_POWER_HALTED)
			return bad_state(r, "start", err);
		if (!strcmp(vm->st.last_shutdown_reason, "migrated"))
			return xo_err(err, XENOPS_EBADSTATE,
				      "VM \"%s\" was migrated to another host: it runs there; remove it here",
				      vm->id);
		rc = snapshot_devs_locked(r, SNAP_ALL, err);
		if (rc == 0)
			rc = plan_build(r, err);
		if (rc == 0 && !(t->flags & XENOPS_START_PAUSED))
			rc = xo_run_add_atom(r, "unpause", W_FAST, a_run_state,
					     XENOPS_POWER_RUNNING, err);
		return rc;
	case XO_OP_VM_SHUTDOWN:
	case XO_OP_VM_REBOOT:
		if (!vm_has_domain(vm))
			return bad_state(r, t->op == XO_OP_VM_SHUTDOWN ? "shut it down" : "reboot",
					 err);
		if (!forced)
			rc = plan_clean_shutdown(r, t->op == XO_OP_VM_SHUTDOWN ? XO_SHUTDOWN_POWEROFF
									  : XO_SHUTDOWN_REBOOT, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "destroy_domain", W_FAST, a_destroy,
					     XENOPS_POWER_HALTED, err);
		if (rc == 0 && t->op == XO_OP_VM_REBOOT) {
			rc = snapshot_devs_locked(r, SNAP_ALL, err);
			if (rc == 0)
				rc = plan_build(r, err);
			if (rc == 0)
				rc = xo_run_add_atom(r, "unpause", W_FAST, a_run_state,
						     XENOPS_POWER_RUNNING, err);
		}
		return rc;
	case XO_OP_VM_PAUSE:
		if (vm->st.power != XENOPS_POWER_RUNNING)
			return bad_state(r, "pause", err);
		return xo_run_add_atom(r, "pause", W_FAST, a_run_state, XENOPS_POWER_PAUSED, err);
	case XO_OP_VM_UNPAUSE:
		if (vm->st.power != XENOPS_POWER_PAUSED)
			return bad_state(r, "unpause", err);
		return xo_run_add_atom(r, "unpause", W_FAST, a_run_state, XENOPS_POWER_RUNNING,
				       err);
	case XO_OP_VM_SUSPEND:
		if (!vm_has_domain(vm))
			return bad_state(r, "suspend", err);
		t->timeout_s = t->timeout_s ? t->timeout_s : 60;
		rc = plan_clean_shutdown(r, XO_SHUTDOWN_SUSPEND, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "save", W_SAVE, a_save, 0, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "destroy_domain", W_FAST, a_destroy,
					     XENOPS_POWER_SUSPENDED, err);
		return rc;
	case XO_OP_VM_RESUME:
		if (vm->st.power != XENOPS_POWER_SUSPENDED)
			return bad_state(r, "resume", err);
		rc = snapshot_devs_locked(r, SNAP_IN_IMAGE, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "restore", W_SAVE, a_create, 1, err);
		if (rc == 0)
			rc = plan_plug_all_unpause(r, !(t->flags & XENOPS_START_PAUSED), err);
		return rc;
	case XO_OP_VM_DESTROY:
		if (vm->st.power == XENOPS_POWER_SUSPENDED)
			return xo_run_add_atom(r, "forget_suspend_image", W_FAST, a_forget_image, 0,
					       err);
		if (vm->st.domid < 0)
			return 0; /* halted already: nothing to do */
		return xo_run_add_atom(r, "destroy_domain", W_FAST, a_destroy, XENOPS_POWER_HALTED,
				       err);
	default:
		return xo_err(err, XENOPS_EINTERNAL, "unknown VM operation %d", t->op);
	}
}

static int plan_dev_op(struct xo_run *r, struct xo_error *err)
{
	struct xo_task *t = r->t;
	struct xo_dev *d = xo_vm_dev_find(r->vm, t->dev_kind, t->dev);
	const char *k = t->dev_kind >= XENOPS_KIND_VBD && t->dev_kind <= XENOPS_KIND_PCI ? xo_kind_name(t->dev_kind) : "?";
	char name[XO_ATOM_NAME_MAX];
	int rc;

	if (!d)
		return xo_err(err, XENOPS_ENOTFOUND, "VM \"%s\" has no %s \"%s\" (removed?)",
			      r->vm->id, k, t->dev);
	rc = snapshot_devs_locked(r, SNAP_TASK_DEV, err);
	if (rc < 0)
		return rc;
	switch (t->op) {
	case XO_OP_DEV_PLUG:
		if (!vm_has_domain(r->vm))
			return xo_err(err, XENOPS_EBADSTATE,
				      "VM \"%s\" is %s: devices are hot-plugged into a running or paused VM (they are plugged at start)",
				      r->vm->id, xo_power_state_name(r->vm->st.power));
		if (d->st.plugged)
			return xo_err(err, XENOPS_EBADSTATE, "%s \"%s\" is already plugged", k,
				      t->dev);
		xo_strcat_n(name, sizeof(name), "plug_", k, ":", t->dev, (char *)NULL);
		return xo_run_add_atom(r, name, W_DEVICE, a_plug, 0, err);
	case XO_OP_DEV_UNPLUG:
		if (!d->st.plugged)
			return xo_err(err, XENOPS_EBADSTATE, "%s \"%s\" is not plugged", k, t->dev);
		if (t->dev_kind == XENOPS_KIND_VBD && !d->cfg->u.vbd.unpluggable && !(t->flags & XENOPS_FORCE))
			return xo_err(err, XENOPS_EBADSTATE,
				      "vbd \"%s\" is not unpluggable (use force)", t->dev);
		xo_strcat_n(name, sizeof(name), "unplug_", k, ":", t->dev, (char *)NULL);
		return xo_run_add_atom(r, name, W_DEVICE, a_unplug, 0, err);
	case XO_OP_VBD_EJECT:
	case XO_OP_VBD_INSERT:
		if (!d->cfg->u.vbd.cdrom)
			return xo_err(err, XENOPS_EBADSTATE,
				      "vbd \"%s\" is a disk, not a removable CD drive", t->dev);
		if (t->op == XO_OP_VBD_EJECT && !d->cfg->u.vbd.backend[0])
			return xo_err(err, XENOPS_EBADSTATE, "vbd \"%s\" has no media to eject",
				      t->dev);
		if (t->op == XO_OP_VBD_INSERT && d->cfg->u.vbd.backend[0])
			return xo_err(err, XENOPS_EBADSTATE,
				      "vbd \"%s\" already has media: eject it first", t->dev);
		if (!d->st.plugged)
			r->domid = -1;
		return xo_run_add_atom(r, t->op == XO_OP_VBD_EJECT ? "eject" : "insert", W_DEVICE,
				       a_media, 0, err);
	case XO_OP_VIF_SET_CARRIER:
		if (!d->st.plugged)
			r->domid = -1;
		return xo_run_add_atom(r, "set_carrier", W_FAST, a_carrier, 0, err);
	default:
		return xo_err(err, XENOPS_EINTERNAL, "unknown device operation %d", t->op);
	}
}

/* ---- state checks: what the engine does when a domain or device changes ---- */

static int a_check_dev(struct xo_run *r, int arg, struct xo_error *err)
{
	struct dev_change c = { 0 };
	int rc;

	(void)arg;
	if (r->domid < 0 || !r->ndevs)
		return 0;
	rc = E(r)->bops->dev_info(E(r)->b, r->domid, r->devs[0], &c.st, err);
	if (rc == 0 && c.st.active && c.st.backend_state < 5)
		return 0; /* still connected: nothing to do */
	/* The guest let go of it (or it vanished): release the backend side. */
	rc = E(r)->bops->dev_unplug(E(r)->b, &r->env, r->domid, r->devs[0], 1, err);
	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		return rc;
	memset(&c.st, 0, sizeof(c.st));
	c.cfg = r->devs[0];
	xo_run_commit(r, apply_dev_state, &c);
	xo_log(&E(r)->log, XENOPS_LOG_INFO, "vm %s: %s %s unplugged by the guest", r->vm->id,
	       xo_kind_name(r->devs[0]->kind), r->devs[0]->id);
	return 0;
}

/* A check saw the domain running or paused: follow it. */
static bool apply_observed_power(struct xo_run *r, void *arg)
{
	int want = *(const int *)arg;

	if (!vm_has_domain(r->vm) || r->vm->st.power == want)
		return false;
	set_power_locked(r, want);
	return true;
}

/* on_* = preserve: the dead domain stays, for inspection. */
static bool apply_preserved(struct xo_run *r, void *arg)
{
	xo_strlcpy(r->vm->st.last_shutdown_reason, xo_shutdown_reason_name(*(const int *)arg),
		   sizeof(r->vm->st.last_shutdown_reason));
	set_power_locked(r, XENOPS_POWER_PAUSED);
	return true;
}

/* A suspend the guest completed but the run did not: the image decides. */
static bool apply_suspend_ended(struct xo_run *r, void *arg)
{
	int power = r->saved ? XENOPS_POWER_SUSPENDED : XENOPS_POWER_HALTED;

	if (r->saved)
		apply_image_saved(r, arg);
	return apply_domain_gone(r, &power);
}

static int action_for_reason(const struct xo_vm_config *cfg, int reason)
{
	switch (reason) {
	case XO_SHUTDOWN_POWEROFF:
		return cfg->on_shutdown;
	case XO_SHUTDOWN_REBOOT:
		return cfg->on_reboot;
	default:
		return cfg->on_crash;
	}
}

static int a_check_vm(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_domain_info info;
	int rc, action;

	(void)arg;
	if (r->domid < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	rc = E(r)->bops->domain_info(E(r)->b, r->domid, &info, err);
	if (rc == XENOPS_ENOTFOUND) {
		int halted = XENOPS_POWER_HALTED;
		struct xo_error ignored = { 0 };

		/* Destroyed behind our back (xl destroy): the backend still holds its
		 * device entries (and through them loop devices and vifs): release them. */
		E(r)->bops->domain_destroy(E(r)->b, &r->env, r->domid, &ignored);
		xo_log(&E(r)->log, XENOPS_LOG_WARNING, "vm %s: domain %d vanished", r->vm->id, r->domid);
		xo_run_commit(r, apply_domain_gone, &halted);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (info.status == XO_DOM_RUNNING || info.status == XO_DOM_PAUSED) {
		int want = info.status == XO_DOM_RUNNING ? XENOPS_POWER_RUNNING : XENOPS_POWER_PAUSED;

		xo_run_commit(r, apply_observed_power, &want);
		return 0;
	}
	if (info.status != XO_DOM_SHUTDOWN)
		return 0; /* dying: another notification follows */
	if (info.shutdown_reason == XO_SHUTDOWN_SUSPEND)
		return 0; /* only our own suspend does that, and it handles it */
	r->reason = info.shutdown_reason;
	action = action_for_reason(r->cfg, info.shutdown_reason);
	xo_log(&E(r)->log, XENOPS_LOG_INFO, "vm %s: guest did %s, action %s", r->vm->id,
	       xo_shutdown_reason_name(info.shutdown_reason), xo_action_name(action));
	if (action == XO_ACTION_PRESERVE) {
		/* Keep the dead domain for inspection; destroy releases it. */
		xo_run_commit(r, apply_preserved, &info.shutdown_reason);
		return 0;
	}
	xo_engine_lock(E(r));
	rc = xo_run_write_intent_locked(r, err);
	xo_engine_unlock(E(r));
	if (rc == 0)
		rc = xo_run_add_atom(r, "destroy_domain", W_FAST, a_destroy, XENOPS_POWER_HALTED,
				     err);
	if (rc == 0 && action == XO_ACTION_RESTART) {
		rc = plan_build(r, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "unpause", W_FAST, a_run_state,
					     XENOPS_POWER_RUNNING, err);
	}
	return rc;
}

int xo_ops_paths_check(int op, const char *path, const char *media, struct xo_error *err)
{
	switch (op) {
	case XO_OP_VM_SUSPEND:
		return path ? xo_path_check_new("path", path, err) : 0;
	case XO_OP_VM_RESUME:
		return path ? xo_path_check_readable("path", path, false, err) : 0;
	case XO_OP_VBD_INSERT:
		if (media && !strncmp(media, "file:", 5))
			return xo_path_check_readable("backend", media + 5, false, err);
		if (media && !strncmp(media, "phy:", 4))
			return xo_path_check_readable("backend", media + 4, true, err);
		return 0;
	default:
		return 0;
	}
}

int xo_atom_run_state(struct xo_run *r, int power, struct xo_error *err)
{
	return a_run_state(r, power, err);
}

int xo_ops_plan_locked(struct xo_run *r, struct xo_error *err)
{
	struct xo_task *t = r->t;

	if (!r->vm->cfg)
		return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" is in error state: %s", r->vm->id,
			      r->vm->st.error && r->vm->st.error->msg[0] ? r->vm->st.error->msg
									    : "records unreadable");
	r->cfg = xo_vm_config_dup(r->vm->cfg, err);
	if (!r->cfg)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	r->domid = r->vm->st.domid;
	/* Checked at submission too; the files may have changed since. */
	if (xo_ops_paths_check(t->op, t->path, t->media, err) < 0)
		return err->code;
	switch (t->op) {
	case XO_OP_VM_CHECK: {
		int rc = snapshot_devs_locked(r, SNAP_ALL, err);

		return rc ? rc : xo_run_add_atom(r, "check_state", W_FAST, a_check_vm, 0, err);
	}
	case XO_OP_DEV_CHECK: {
		struct xo_dev *d = xo_vm_dev_find(r->vm, t->dev_kind, t->dev);
		int rc;

		if (!d || !d->st.plugged)
			return 0; /* unplugged meanwhile: nothing to check */
		rc = snapshot_devs_locked(r, SNAP_TASK_DEV, err);
		return rc ? rc : xo_run_add_atom(r, "check_device", W_FAST, a_check_dev, 0, err);
	}
	case XO_OP_DEV_PLUG:
	case XO_OP_DEV_UNPLUG:
	case XO_OP_VBD_EJECT:
	case XO_OP_VBD_INSERT:
	case XO_OP_VIF_SET_CARRIER:
		return plan_dev_op(r, err);
	case XO_OP_VM_SET_MEMORY:
	case XO_OP_VM_SET_VCPUS:
	case XO_OP_VM_SET_XENSTORE:
	case XO_OP_VM_SET_SCHEDULER:
		return xo_ops_plan_running_locked(r, err);
	case XO_OP_VM_MIGRATE_SEND:
	case XO_OP_VM_MIGRATE_RECEIVE:
	case XO_OP_VM_MIGRATE_LOCAL:
		return xo_migrate_plan_locked(r, err);
	default:
		return plan_vm_op(r, err);
	}
}

void xo_ops_complete_locked(struct xo_run *r)
{
	struct xo_task *t = r->t;

	switch (t->op) {
	case XO_OP_VM_START:
	case XO_OP_VM_REBOOT:
	case XO_OP_VM_RESUME:
		if (t->op == XO_OP_VM_RESUME) {
			free(r->vm->st.suspend_path);
			r->vm->st.suspend_path = NULL;
		}
		if (t->flags & XENOPS_START_PAUSED)
			set_power_locked(r, XENOPS_POWER_PAUSED);
		r->vm->st.start_time = xo_wall_time();
		r->vm->st.last_shutdown_reason[0] = '\0';
		xo_unode_touch_locked(E(r), r->vm->un);
		xo_persist_runtime_locked(E(r), r->vm);
		t->result_domid = r->domid;
		break;
	case XO_OP_VM_SUSPEND:
		free(r->vm->st.suspend_path);
		r->vm->st.suspend_path = xo_strdup(t->path);
		xo_persist_runtime_locked(E(r), r->vm);
		break;
	case XO_OP_VM_MIGRATE_SEND:
	case XO_OP_VM_MIGRATE_RECEIVE:
	case XO_OP_VM_MIGRATE_LOCAL:
		xo_migrate_complete_locked(r);
		break;
	case XO_OP_VM_CHECK:
		if (r->created && r->domid >= 0) {
			/* A restart by on_reboot / on_crash: a fresh domain. */
			r->vm->st.start_time = xo_wall_time();
			xo_persist_runtime_locked(E(r), r->vm);
		}
		break;
	default:
		break;
	}
}

void xo_ops_abort(struct xo_run *r, int code)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	struct xo_engine *e = E(r);

	if (r->t->op == XO_OP_VM_MIGRATE_SEND || r->t->op == XO_OP_VM_MIGRATE_RECEIVE ||
	    r->t->op == XO_OP_VM_MIGRATE_LOCAL) {
		xo_migrate_abort(r, code);
		return;
	}
	if (r->created && r->domid >= 0) {
		/* A domain this run made is half built: take it down. */
		int rc = e->bops->domain_destroy(e->b, &r->env, r->domid, err);

		if (rc < 0 && rc != XENOPS_ENOTFOUND)
			xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: destroying half-built domain %d failed: %s",
			       r->vm->id, r->domid, err->msg);
		/* A failed resume keeps its suspend image and stays Suspended. */
		int power = r->t->op == XO_OP_VM_RESUME ? XENOPS_POWER_SUSPENDED : XENOPS_POWER_HALTED;

		xo_run_commit(r, apply_domain_gone, &power);
		return;
	}
	if (r->t->op == XO_OP_VM_SUSPEND && !r->destroyed && r->reason == XO_SHUTDOWN_SUSPEND &&
	    !r->saved) {
		/* No image: the guest runs on, as after a suspend it cancelled. */
		int power = XENOPS_POWER_RUNNING;
		int rc = e->bops->domain_resume(e->b, &r->env, r->domid, err);

		if (rc == 0) {
			xo_log(&e->log, XENOPS_LOG_WARNING,
			       "vm %s: the suspend failed before its image was complete; the guest "
			       "runs on",
			       r->vm->id);
			xo_run_commit(r, apply_power, &power);
			return;
		}
		xo_log(&e->log, XENOPS_LOG_ERROR,
		       "vm %s: resuming the guest after a failed suspend failed: %s", r->vm->id,
		       err->msg);
	}
	if (r->t->op == XO_OP_VM_SUSPEND && !r->destroyed && r->reason == XO_SHUTDOWN_SUSPEND) {
		/*
		 * The guest suspended itself and cannot run on: with a complete
		 * image the VM is Suspended, without one it is cleanly halted.
		 */
		int rc = e->bops->domain_destroy(e->b, &r->env, r->domid, err);

		if (rc < 0 && rc != XENOPS_ENOTFOUND)
			xo_log(&e->log, XENOPS_LOG_ERROR, "vm %s: destroying suspended domain failed", r->vm->id);
		xo_run_commit(r, apply_suspend_ended, NULL);
		return;
	}
	/* Otherwise every atom left a valid state; let a check reconcile. */
	if (r->t->op != XO_OP_VM_CHECK && r->t->op != XO_OP_DEV_CHECK && r->vm->cfg) {
		xo_engine_lock(e);
		if (r->vm->st.domid >= 0)
			xo_queue_check_locked(e, r->vm, XO_OP_VM_CHECK, 0, NULL);
		xo_engine_unlock(e);
	}
}
