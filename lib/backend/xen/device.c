/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Devices on Xen: the backend entry points, dispatched by kind through the
 * table of xenbus kinds (xenbus.c drives vbd.c: blkback, vif.c: netback).
 * PCI passthrough is not implemented (no hardware to test it on here); VBD
 * media change is not possible on blkback, which cannot swap the device
 * under a connected frontend: only the CD drives of HVM guests, the device
 * model's, change media (cdrom.c).
 */
#include "backend/xen/xenbus.h"

static const struct xo_xenbus_kind *const kinds[] = {
	[XENOPS_KIND_VBD] = &xo_xenbus_vbd,
	[XENOPS_KIND_VIF] = &xo_xenbus_vif,
};

/* Check @domid and find the xenbus kind of @cfg. */
static int kind_of(const struct xo_xenbus_kind **out, int domid, const struct xo_dev_config *cfg,
		   struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	*out = cfg->kind >= 0 && (size_t)cfg->kind < XO_ARRAY_SIZE(kinds) ? kinds[cfg->kind] : NULL;
	if (!*out)
		return xo_err(err, XENOPS_ENOTSUP, "xen backend: PCI passthrough not implemented yet");
	return 0;
}

int xo_xen_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out, struct xo_error *err)
{
	const struct xo_xenbus_kind *kind = NULL;
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid, err);

	/* Without its domain a backend never connects: fail now, not after a timeout. */
	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc == 0)
		rc = kind_of(&kind, domid, cfg, err);
	/* An HVM guest's CD drive is an emulated one, and those are not hot-plugged. */
	if (rc == 0 && cfg->kind == XENOPS_KIND_VBD && cfg->u.vbd.cdrom &&
	    xo_xen_dm_needed(b, domid) && !xo_xen_dm_pending(b, domid))
		rc = xo_err(err, XENOPS_ENOTSUP,
			    "xen backend: the CD drive %s cannot be hot-plugged into HVM domain %d: "
			    "no emulated device is hot-plugged",
			    cfg->u.vbd.device, domid);
	if (rc == 0)
		rc = xo_xenbus_plug(b, env, kind, domid, cfg, st_out, err);
	/* An HVM domain not started yet: its firmware sees the disk as IDE too. */
	if (rc == 0 && cfg->kind == XENOPS_KIND_VBD)
		xo_xen_dm_add_vbd(b, domid, cfg);
	else if (rc == 0 && cfg->kind == XENOPS_KIND_VIF)
		xo_xen_dm_add_vif(b, domid, cfg);
	return rc;
}

int xo_xen_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	const struct xo_xenbus_kind *kind = NULL;
	int rc = kind_of(&kind, domid, cfg, err);

	return rc < 0 ? rc : xo_xenbus_unplug(b, env, kind, domid, cfg, force, err);
}

int xo_xen_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out, struct xo_error *err)
{
	const struct xo_xenbus_kind *kind = NULL;
	int rc = kind_of(&kind, domid, cfg, err);

	return rc < 0 ? rc : xo_xenbus_info(b, kind, domid, cfg, st_out, err);
}

int xo_xen_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	if (rc < 0)
		return rc;
	if (!backend)
		return xo_err(err, XENOPS_EINVAL, "xen backend: vbd %s: no media (\"\" ejects)",
			      cfg->id);
	/* An HVM guest's CD drive is the device model's. */
	if (cfg->kind == XENOPS_KIND_VBD && cfg->u.vbd.cdrom && xo_xen_dm_needed(b, domid))
		return xo_xen_cd_set_media(b, domid, cfg, backend, err);
	return xo_err(err, XENOPS_ENOTSUP,
		      "xen backend: VBD media change is done for the CD drives of HVM guests "
		      "only (blkback cannot swap a device in place: unplug and plug instead)");
}

int xo_xen_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	return rc < 0 ? rc : xo_xen_vif_carrier(b, domid, cfg, carrier, err);
}
