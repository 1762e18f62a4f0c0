/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: devices (VBD, VIF, PCI) plugged into simulated
 * domains, media and carrier changes, with the xen backend's rules.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xo_sim_dev *xo_sim_dev_find(struct xo_sim_dom *d, int kind, const char *id)
{
	for (struct xo_sim_dev *v = d->devs; v; v = v->next)
		if (v->kind == kind && strcmp(v->id, id) == 0)
			return v;
	return NULL;
}

int xo_sim_dev_get(struct xo_sim_dom *d, int kind, const char *id, struct xo_sim_dev **out,
		   struct xo_error *err)
{
	*out = xo_sim_dev_find(d, kind, id);
	if (!*out)
		return xo_err(err, XENOPS_ENOTFOUND, "%s %s is not plugged into domain %d",
			      xo_kind_name(kind), id, d->domid);
	return 0;
}

static int check_dev(const struct xo_dev_config *cfg, int kind, struct xo_error *err)
{
	if (!cfg)
		return xo_err(err, XENOPS_EINVAL, "no device configuration");
	if (cfg->kind != XENOPS_KIND_VBD && cfg->kind != XENOPS_KIND_VIF &&
	    cfg->kind != XENOPS_KIND_PCI)
		return xo_err(err, XENOPS_EINVAL, "unknown device kind %d", cfg->kind);
	if (kind && cfg->kind != kind)
		return xo_err(err, XENOPS_EINVAL, "device %s is a %s, not a %s", cfg->id,
			      xo_kind_name(cfg->kind), xo_kind_name(kind));
	return xo_id_check(cfg->id, "device id", err);
}

/*
 * As on xen, an HVM guest's CD drive is the device model's emulated IDE CD
 * drive: one of its four IDE names, a file or nothing as media, and a media
 * change needs a device model that is running or still to start.
 */
static int hvm_cd_check(const struct xo_sim_dom *d, const struct xo_dev_config *cfg,
			const char *backend, bool change, struct xo_error *err)
{
	const struct xo_vbd_config *v = &cfg->u.vbd;

	if (!d->hvm || cfg->kind != XENOPS_KIND_VBD || !v->cdrom)
		return 0;
	if (xo_vbd_ide_index(v->device) < 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "the CD drive %s of an HVM guest must be one of the emulated IDE "
			      "drives (hd, sd or xvd followed by a to d)",
			      v->device);
	if (backend && backend[0] && strncmp(backend, "file:", 5) != 0)
		return xo_err(err, XENOPS_ENOTSUP,
			      "the CD drive %s of an HVM guest takes a file: as media, not %s",
			      v->device, backend);
	if (!change && d->dm != XO_SIM_DM_NONE)
		return xo_err(err, XENOPS_ENOTSUP,
			      "the CD drive %s cannot be hot-plugged into HVM domain %d: no "
			      "emulated device is hot-plugged",
			      v->device, d->domid);
	if (change && d->dm == XO_SIM_DM_DEAD)
		return xo_err(err, XENOPS_EBADSTATE,
			      "domain %d has no device model running or to start with a CD drive "
			      "%s",
			      d->domid, v->device);
	return 0;
}

/* The slot is what the guest sees of the device, so two devices cannot share it. */
static int dev_slot(const struct xo_dev_config *cfg, char *slot, size_t size, struct xo_error *err)
{
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		if (!cfg->u.vbd.device[0])
			return xo_err(err, XENOPS_EINVAL, "vbd %s has no device name", cfg->id);
		xo_strlcpy(slot, cfg->u.vbd.device, size);
		return 0;
	case XENOPS_KIND_VIF:
		if (cfg->u.vif.index < 0)
			return xo_err(err, XENOPS_EINVAL, "vif %s has no index", cfg->id);
		xo_fmt_ll(slot, size, cfg->u.vif.index);
		return 0;
	default:
		if (!cfg->u.pci.address[0])
			return xo_err(err, XENOPS_EINVAL, "pci %s has no address", cfg->id);
		xo_strlcpy(slot, cfg->u.pci.address, size);
		return 0;
	}
}

static int check_free(struct xo_backend *b, struct xo_sim_dom *d, const struct xo_sim_dev *nv,
		      struct xo_error *err)
{
	const char *kind = xo_kind_name(nv->kind);

	for (const struct xo_sim_dev *v = d->devs; v; v = v->next) {
		if (v->kind != nv->kind)
			continue;
		if (strcmp(v->id, nv->id) == 0)
			return xo_err(err, XENOPS_EEXIST, "%s %s is already plugged into domain %d",
				      kind, nv->id, d->domid);
		if (strcmp(v->slot, nv->slot) == 0)
			return xo_err(err, XENOPS_EEXIST, "%s %s: %s of domain %d already uses %s",
				      kind,
				      nv->id, v->id, d->domid, v->slot);
	}
	if (nv->kind != XENOPS_KIND_PCI)
		return 0;
	/* A host PCI device can be assigned to one domain at a time. */
	for (size_t i = 0; i < b->n_doms; i++)
		for (const struct xo_sim_dev *v = b->doms[i]->devs; v; v = v->next)
			if (v->kind == XENOPS_KIND_PCI && strcmp(v->slot, nv->slot) == 0)
				return xo_err(err, XENOPS_EBUSY,
					      "PCI device %s is already assigned to domain %d",
					      nv->slot, b->doms[i]->domid);
	return 0;
}

static void fill_state(const struct xo_sim_dom *d, const struct xo_sim_dev *v,
		       struct xo_dev_state *st)
{
	memset(st, 0, sizeof(*st));
	st->plugged = 1;
	st->active = v->active;
	st->backend_state = v->backend_state;
	st->media_present = v->media_present;
	st->carrier = v->carrier;
	if (v->kind == XENOPS_KIND_VIF) {
		char dom[24], idx[24];

		xo_fmt_ll(dom, sizeof(dom), d->domid);
		xo_fmt_ll(idx, sizeof(idx), v->vif_index);
		xo_strcat_n(st->host_ifname, sizeof(st->host_ifname), "vif", dom, ".", idx,
			    (char *)NULL);
	}
}

static struct xo_sim_dev *dev_new(const struct xo_dev_config *cfg)
{
	struct xo_sim_dev *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->kind = cfg->kind;
	xo_strlcpy(v->id, cfg->id, sizeof(v->id));
	v->active = 1;
	v->backend_state = XO_SIM_XENBUS_CONNECTED;
	if (cfg->kind == XENOPS_KIND_VBD)
		v->media_present = cfg->u.vbd.backend && cfg->u.vbd.backend[0];
	if (cfg->kind == XENOPS_KIND_VIF) {
		v->vif_index = cfg->u.vif.index;
		v->carrier = !!cfg->u.vif.carrier;
	}
	return v;
}

void xo_sim_dev_append(struct xo_sim_dom *d, struct xo_sim_dev *nv)
{
	struct xo_sim_dev **p = &d->devs;

	while (*p)
		p = &(*p)->next;
	*p = nv;
}

int xo_sim_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out,
		    struct xo_error *err)
{
	struct xo_sim_dev *nv = NULL;
	struct xo_sim_dom *d;
	int rc = check_dev(cfg, 0, err);

	if (rc == 0)
		rc = xo_sim_delay(b, env, XO_SIM_DELAY_PLUG, err);
	if (rc < 0)
		return rc;
	nv = dev_new(cfg);
	if (!nv)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = dev_slot(cfg, nv->slot, sizeof(nv->slot), err);
	if (rc < 0)
		goto out;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "plug a device into", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "plug a device into", err);
	if (rc == 0)
		rc = hvm_cd_check(d, cfg, cfg->kind == XENOPS_KIND_VBD ? cfg->u.vbd.backend : NULL,
				  false, err);
	if (rc == 0)
		rc = check_free(b, d, nv, err);
	if (rc == 0) {
		xo_sim_dev_append(d, nv);
		if (st_out)
			fill_state(d, nv, st_out);
		nv = NULL;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
out:
	free(nv);
	return rc;
}

static void dev_remove(struct xo_sim_dom *d, struct xo_sim_dev *v)
{
	for (struct xo_sim_dev **p = &d->devs; *p; p = &(*p)->next) {
		if (*p == v) {
			*p = v->next;
			free(v);
			return;
		}
	}
}

/*
 * Without force the guest must release the device, which it can only do
 * while it runs, unless it already closed its end.
 */
int xo_sim_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	struct xo_sim_dom *d;
	struct xo_sim_dev *v;
	int rc = check_dev(cfg, 0, err);

	if (rc == 0)
		rc = xo_sim_delay(b, env, XO_SIM_DELAY_UNPLUG, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "unplug a device from", &d, err);
	if (rc == 0)
		rc = xo_sim_dev_get(d, cfg->kind, cfg->id, &v, err);
	if (rc == 0 && !force && v->backend_state != XO_SIM_XENBUS_CLOSED &&
	    d->status != XO_DOM_RUNNING)
		rc = xo_err(err, XENOPS_EBADSTATE,
			    "cannot unplug %s %s from domain %d without force: the guest is %s "
			    "and cannot release it",
			    xo_kind_name(cfg->kind), cfg->id, domid, xo_sim_status_word(d));
	if (rc == 0) {
		dev_remove(d, v);
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out, struct xo_error *err)
{
	struct xo_sim_dom *d;
	struct xo_sim_dev *v;
	int rc = check_dev(cfg, 0, err);

	if (rc < 0)
		return rc;
	if (!st_out)
		return xo_err(err, XENOPS_EINVAL, "dev_info: no output");
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get a device of", &d, err);
	if (rc == 0)
		rc = xo_sim_dev_get(d, cfg->kind, cfg->id, &v, err);
	if (rc == 0)
		fill_state(d, v, st_out);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* Media and carrier are host-side settings: they work whatever the guest's state. */
static int dev_set(struct xo_backend *b, struct xo_env *env, int domid,
		   const struct xo_dev_config *cfg, enum xo_sim_delay which, int value,
		   const char *media, struct xo_error *err)
{
	struct xo_sim_dom *d;
	struct xo_sim_dev *v;
	int rc = xo_sim_delay(b, env, which, err);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "change a device of", &d, err);
	if (rc == 0)
		rc = xo_sim_dev_get(d, cfg->kind, cfg->id, &v, err);
	/* As on xen: blkback cannot swap a PV drive's device in place. */
	if (rc == 0 && which == XO_SIM_DELAY_MEDIA && !(d->hvm && cfg->u.vbd.cdrom))
		rc = xo_err(err, XENOPS_ENOTSUP,
			    "VBD media change is done for the CD drives of HVM guests only "
			    "(blkback cannot swap a device in place: unplug and plug instead)");
	if (rc == 0 && which == XO_SIM_DELAY_MEDIA)
		rc = hvm_cd_check(d, cfg, media, true, err);
	if (rc == 0) {
		if (which == XO_SIM_DELAY_MEDIA)
			v->media_present = value;
		else
			v->carrier = value;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend, struct xo_error *err)
{
	int rc = check_dev(cfg, XENOPS_KIND_VBD, err);

	if (rc < 0)
		return rc;
	if (!backend)
		return xo_err(err, XENOPS_EINVAL, "vbd %s: no media backend (\"\" ejects)",
			      cfg->id);
	return dev_set(b, env, domid, cfg, XO_SIM_DELAY_MEDIA, backend[0] != '\0', backend, err);
}

int xo_sim_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier, struct xo_error *err)
{
	int rc = check_dev(cfg, XENOPS_KIND_VIF, err);

	if (rc < 0)
		return rc;
	return dev_set(b, env, domid, cfg, XO_SIM_DELAY_CARRIER, !!carrier, NULL, err);
}
