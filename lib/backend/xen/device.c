/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Devices on Xen: the backend entry points, dispatched by kind to vbd.c
 * (blkback) and vif.c (netback). PCI passthrough is not implemented (no
 * hardware to test it on here); VBD media change is not possible on
 * blkback, which cannot swap the device under a connected frontend.
 */
#include "backend/xen/xen_priv.h"

int xo_xen_dev_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st_out,
		    struct xo_error *err)
{
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid, err);

	/* Without its domain a backend never connects: fail now, not after a timeout. */
	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_plug(b, env, domid, cfg, st_out, err);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_plug(b, env, domid, cfg, st_out, err);
	default:
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_dev_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_unplug(b, env, domid, cfg, force, err);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_unplug(b, env, domid, cfg, force, err);
	default:
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_dev_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st_out, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_xen_vbd_info(b, domid, cfg, st_out, err);
	case XENOPS_KIND_VIF:
		return xo_xen_vif_info(b, domid, cfg, st_out, err);
	default:
		return xo_err(err, XENOPS_ENOTSUP,
			      "xen backend: PCI passthrough not implemented yet");
	}
}

int xo_xen_vbd_set_media(struct xo_backend *b, struct xo_env *env, int domid,
			 const struct xo_dev_config *cfg, const char *backend, struct xo_error *err)
{
	(void)b, (void)env, (void)domid, (void)cfg, (void)backend;
	return xo_err(err, XENOPS_ENOTSUP,
		      "xen backend: VBD media change not implemented yet (blkback cannot swap a "
		      "device in place: unplug and plug instead)");
}

int xo_xen_vif_set_carrier(struct xo_backend *b, struct xo_env *env, int domid,
			   const struct xo_dev_config *cfg, int carrier, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	return rc < 0 ? rc : xo_xen_vif_carrier(b, env, domid, cfg, carrier, err);
}

int xo_xen_kv_write(struct xo_backend *b, xs_transaction_t t, const char *dir, const char *key,
		    const char *value, struct xo_error *err)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	/* Children inherit the directory's permissions. */
	return xo_xs_write_perms(b, t, path, value, NULL, 0, err);
}

#define XO_DEV_CLOSE_MS 20000u

static int close_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const char *be = arg;
	int rc = xo_xen_kv_write(b, t, be, "online", "0", err);

	return rc == 0 ? xo_xen_kv_write(b, t, be, "state", "5", err) : rc;
}

int xo_xen_dev_close(struct xo_backend *b, struct xo_env *env, const char *what, const char *be,
		     const char *fe, struct xo_error *err)
{
	uint64_t start = xo_now_ms();
	char txn[32];
	int rc;

	snprintf(txn, sizeof(txn), "close %s", what);
	rc = xo_xs_transaction(b, txn, close_txn, (void *)be, err);
	while (rc == 0) {
		int s = xo_xen_read_state(b, be);

		if (s < 0 || s == 6)
			return 0;
		if (xo_now_ms() - start >= XO_DEV_CLOSE_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: the guest did not release %s within %u ms", fe,
				      XO_DEV_CLOSE_MS);
		rc = env->sleep(env, 20, err);
	}
	return rc;
}
