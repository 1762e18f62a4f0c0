/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Devices on Xen: the backend entry points, dispatched by kind to vbd.c
 * (blkback) and vif.c (netback). PCI passthrough is not implemented (no
 * hardware to test it on here); VBD media change is not possible on
 * blkback, which cannot swap the device under a connected frontend.
 */
#include "backend/xen/xen_priv.h"

int xo_xen_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out)
{
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid);

	/* Without its domain a backend never connects: fail now, not after a timeout. */
	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info);
	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_plug(b, env, domid, cfg, st_out);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_plug(b, env, domid, cfg, st_out);
	default:
		return xo_err(XENOPS_ENOTSUP, "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force)
{
	int rc = xo_xen_check_domid(domid);

	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_unplug(b, env, domid, cfg, force);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_unplug(b, env, domid, cfg, force);
	default:
		return xo_err(XENOPS_ENOTSUP, "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out)
{
	int rc = xo_xen_check_domid(domid);

	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_info(b, domid, cfg, st_out);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_info(b, domid, cfg, st_out);
	default:
		return xo_err(XENOPS_ENOTSUP, "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend)
{
	(void)b, (void)env, (void)domid, (void)cfg, (void)backend;
	return xo_err(XENOPS_ENOTSUP,
		      "xen backend: VBD media change not implemented yet (blkback cannot swap a "
		      "device in place: unplug and plug instead)");
}

int xo_xen_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier)
{
	int rc = xo_xen_check_domid(domid);

	return rc < 0 ? rc : xo_xen_vif_carrier(b, env, domid, cfg, carrier);
}
