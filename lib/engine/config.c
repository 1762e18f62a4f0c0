/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Retrieve configuration: the stored configuration used as a template,
 * updated with live values from the backend, with the VM's devices and
 * whether each is really plugged. Where the stored view and the live one
 * disagree (a crash between a backend change and its record), both views
 * are kept and the disagreement is reported, never silently dropped.
 * Also the other direction: a VM added from such a template, devices
 * included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define MIB (1024ull * 1024ull)

struct dev_view {
	struct xo_dev_config *cfg;
	struct xo_dev_state stored;
};

void xo_vm_note_disagreement_locked(struct xo_vm *vm, int kind, const char *dev, const char *what,
				    const char *stored, const char *live)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* a note we cannot keep is only lost */
	struct json_object *d = xo_disagreement_to_json(kind, dev, what, stored, live,
							"at recovery", err);

	if (!d)
		return;
	if (!vm->disagreements)
		vm->disagreements = json_object_new_array();
	if (!vm->disagreements || json_object_array_add(vm->disagreements, d) < 0)
		json_object_put(d);
}

static int add_disagreement(struct json_object *arr, const struct xo_dev_config *c,
			    const char *field,
			    const char *stored, const char *live, struct xo_error *err)
{
	struct json_object *d = xo_disagreement_to_json(c->kind, c->id, field, stored, live, NULL,
							err);

	if (!d)
		return err->code;
	if (json_object_array_add(arr, d) < 0) {
		json_object_put(d);
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	}
	return 0;
}

/* One device: its configuration, "plugged" as it really is, and any disagreement. */
static struct json_object *merge_device(struct xo_engine *e, int domid, const struct dev_view *v,
					struct json_object *disagreements, struct xo_error *err)
{
	struct json_object *o = xo_dev_config_to_json(v->cfg, err);
	struct xo_dev_state live = { 0 };
	bool live_known = false, live_plugged = false;
	int rc;

	if (!o)
		return NULL;
	if (domid >= 0) {
		rc = e->bops->dev_info(e->b, domid, v->cfg, &live, err);

		live_known = rc == 0 || rc == XENOPS_ENOTFOUND;
		live_plugged = rc == 0;
		xo_error_clear(err);
	} else {
		live_known = true; /* no domain: nothing can be plugged */
	}
	rc = xo_jw_bool(o, "plugged", live_known ? live_plugged : v->stored.plugged, err);
	if (rc == 0 && live_known && live_plugged != (bool)v->stored.plugged)
		rc = add_disagreement(disagreements, v->cfg, "plugged",
				      v->stored.plugged ? "plugged" : "unplugged",
				      live_plugged ? "plugged" : "unplugged", err);
	if (rc == 0 && live_plugged && v->cfg->kind == XENOPS_KIND_VBD && v->cfg->u.vbd.cdrom &&
	    live.media_present != (v->cfg->u.vbd.backend[0] != '\0'))
		rc = add_disagreement(disagreements, v->cfg, "media",
				      v->cfg->u.vbd.backend[0] ? v->cfg->u.vbd.backend : "empty",
				      live.media_present ? "present" : "empty", err);
	if (rc < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Copy what the merge needs, so the backend can be asked without the lock. */
static int snapshot_locked(struct xo_vm *vm, struct json_object **cfg, struct json_object **dis,
			   struct dev_view **views, size_t *nviews, struct xo_error *err)
{
	*cfg = xo_vm_config_to_json(vm->cfg, err);
	*dis = json_object_new_array();
	*views = calloc(vm->ndevs ? vm->ndevs : 1, sizeof(**views));
	*nviews = 0;
	if (!*cfg || !*dis || !*views)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	/* Recovery's notes first: their elements are never changed, share them. */
	for (size_t i = 0; vm->disagreements && i < json_object_array_length(vm->disagreements); i++) {
		struct json_object *d = json_object_array_get_idx(vm->disagreements, i);

		if (json_object_array_add(*dis, json_object_get(d)) < 0) {
			json_object_put(d);
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < vm->ndevs; i++) {
		(*views)[i].cfg = xo_dev_config_dup(vm->devs[i]->cfg, err);
		(*views)[i].stored = vm->devs[i]->st;
		(*nviews)++;
		if (!(*views)[i].cfg)
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	return 0;
}

int xo_engine_vm_get_config(struct xo_engine *e, const char *id, char **json_out,
			    struct xo_error *err)
{
	struct json_object *cfg = NULL, *devs = NULL, *dis = NULL, *arr;
	struct xo_error gone = { 0 }; /* no domain (any more): the template's values stand */
	struct xo_domain_info *info = NULL;
	struct dev_view *views = NULL;
	size_t nviews = 0;
	struct xo_vm *vm;
	int domid = -1, rc;

	xo_engine_lock(e);
	vm = xo_vm_find(e, id);
	if (!vm)
		rc = xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", id);
	else if (!vm->cfg)
		rc = xo_err(err, XENOPS_ECORRUPT, "VM \"%s\" is in error state: %s", id,
			    vm->st.error && vm->st.error->msg[0] ? vm->st.error->msg
								  : "records unreadable");
	else
		rc = snapshot_locked(vm, &cfg, &dis, &views, &nviews, err);
	if (vm)
		domid = vm->st.domid;
	xo_engine_unlock(e);
	if (rc < 0)
		goto out;

	devs = json_object_new_object();
	info = calloc(1, sizeof(*info));
	if (!devs || !info) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	if (domid >= 0 && e->bops->domain_info(e->b, domid, info, &gone) == 0) {
		/* Live values win over the template where the domain has them. */
		rc = xo_jw_int(cfg, "memory_target_mib", (int64_t)(info->memory_target / MIB), err);
		if (rc == 0)
			rc = xo_jw_int(cfg, "vcpus", (int)info->vcpus_online, err);
		if (rc < 0)
			goto out;
	}
	for (int k = XENOPS_KIND_VBD; k <= XENOPS_KIND_PCI; k++) {
		arr = json_object_new_array();
		if (!arr) {
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < nviews; i++) {
			struct json_object *d;

			if (views[i].cfg->kind != k)
				continue;
			d = merge_device(e, domid, &views[i], dis, err);
			if (!d || json_object_array_add(arr, d) < 0) {
				json_object_put(d);
				json_object_put(arr);
				rc = err->code ? err->code : xo_err(err, XENOPS_ENOMEM,
								    "out of memory");
				goto out;
			}
		}
		rc = xo_jw_take(devs, xo_kind_name(k), arr, err);
		if (rc < 0)
			goto out;
	}
	rc = xo_jw_take(cfg, "devices", devs, err);
	devs = NULL;
	if (rc == 0 && json_object_array_length(dis)) {
		rc = xo_jw_take(cfg, "disagreements", dis, err);
		dis = NULL;
	}
	if (rc < 0)
		goto out;
	*json_out = xo_json_dumps(cfg);
	if (!*json_out)
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < nviews; i++)
		xo_dev_config_free(views[i].cfg);
	free(views);
	free(info);
	json_object_put(cfg);
	json_object_put(devs);
	json_object_put(dis);
	return rc;
}
