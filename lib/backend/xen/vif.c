/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual network interfaces through Linux netback, as a xenbus kind:
 * netback's keys, then the hotplug work a vif script would do on
 * vif<domid>.<n> (netif.c: bridge port, MTU, link; hotplug-status
 * connected), what connected means for it, and the carrier.
 */
#include <net/if.h>
#include <stdio.h>

#include "backend/xen/xenbus.h"

static int vif_devid(const struct xo_dev_config *cfg, struct xo_error *err)
{
	if (cfg->u.vif.index < 0)
		return xo_err(err, XENOPS_EINVAL, "xen backend: VIF %s has no index", cfg->id);
	return cfg->u.vif.index;
}

static void vif_label(const struct xo_dev_config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%d", cfg->u.vif.index);
}

static bool has_bridge(const struct xo_vif_config *v)
{
	return v->bridge && *v->bridge;
}

static int vif_check(const struct xo_xenbus_dev *d, struct xo_error *err)
{
	const struct xo_vif_config *v = &d->cfg->u.vif;

	if (has_bridge(v) && !xo_netif_bridge_exists(v->bridge))
		return xo_err(err, XENOPS_EINVAL, "xen backend: bridge %s does not exist", v->bridge);
	return 0;
}

/* ---- xenstore ---- */

static int vif_frontend_keys(struct xo_backend *b, xs_transaction_t t,
			     const struct xo_xenbus_dev *d, struct xo_error *err)
{
	char handle[16];
	const struct xo_xenbus_kv kv[] = { { "handle", handle }, { "mac", d->cfg->u.vif.mac } };

	snprintf(handle, sizeof(handle), "%d", d->devid);
	return xo_xenbus_write_all(b, t, d->fe, kv, XO_ARRAY_SIZE(kv), err);
}

static int vif_backend_keys(struct xo_backend *b, xs_transaction_t t,
			    const struct xo_xenbus_dev *d, struct xo_error *err)
{
	const struct xo_vif_config *v = &d->cfg->u.vif;
	char handle[16], mtu[16];
	const struct xo_xenbus_kv kv[] = {
		{ "handle", handle },
		{ "mac", v->mac },
		{ "type", "vif" },
		{ "bridge", v->bridge ? v->bridge : "" },
		/* netback insists on reading a script; we do its work ourselves. */
		{ "script", "" },
	};
	int rc;

	snprintf(handle, sizeof(handle), "%d", d->devid);
	rc = xo_xenbus_write_all(b, t, d->be, kv, XO_ARRAY_SIZE(kv), err);
	snprintf(mtu, sizeof(mtu), "%u", v->mtu);
	if (rc == 0 && v->mtu)
		rc = xo_xenbus_write(b, t, d->be, "mtu", mtu, err);
	return rc;
}

static int hotplug_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct xo_xenbus_dev *d = arg;

	return xo_xenbus_write(b, t, d->be, "hotplug-status", "connected", err);
}

/* ---- hotplug, connection, facts ---- */

static int vif_hotplug(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_dev *d,
		       struct xo_error *err)
{
	const struct xo_vif_config *v = &d->cfg->u.vif;
	char ifname[IFNAMSIZ + 8];
	int rc;

	xo_netif_name(ifname, sizeof(ifname), d->domid, d->devid);
	rc = xo_netif_wait(env, ifname, err);
	if (rc == 0 && v->mtu)
		rc = xo_netif_set_mtu(ifname, v->mtu, err);
	if (rc == 0 && has_bridge(v))
		rc = xo_netif_bridge_add(v->bridge, ifname, err);
	if (rc == 0)
		rc = xo_netif_set_up(ifname, v->carrier, err);
	if (rc == 0)
		rc = xo_xs_transaction(b, "write hotplug-status", hotplug_txn, (void *)d, err);
	return rc;
}

static enum xo_xenbus_wait vif_connected(const struct xo_xenbus_dev *d, bool running, int state)
{
	(void)d;
	/* A paused guest connects its end when it runs. */
	if (!running || state == 4)
		return XO_XENBUS_CONNECTED;
	return state >= 5 || state < 0 ? XO_XENBUS_CLOSED : XO_XENBUS_WAIT;
}

static void vif_info(struct xo_backend *b, const struct xo_xenbus_dev *d, struct xo_dev_state *st)
{
	(void)b;
	xo_netif_name(st->host_ifname, sizeof(st->host_ifname), d->domid, d->devid);
	st->carrier = xo_netif_is_up(st->host_ifname);
}

static void vif_plugged_msg(const struct xo_xenbus_dev *d, char *buf, size_t n)
{
	const struct xo_vif_config *v = &d->cfg->u.vif;
	char ifname[IFNAMSIZ + 8];

	xo_netif_name(ifname, sizeof(ifname), d->domid, d->devid);
	snprintf(buf, n, " is %s on %s", ifname, has_bridge(v) ? v->bridge : "no bridge");
}

const struct xo_xenbus_kind xo_xenbus_vif = {
	.name = "vif",
	.title = "VIF",
	.driver = "netback",
	.devid = vif_devid,
	.label = vif_label,
	.check = vif_check,
	.frontend_keys = vif_frontend_keys,
	.backend_keys = vif_backend_keys,
	.hotplug = vif_hotplug,
	.connected = vif_connected,
	.info = vif_info,
	.plugged_msg = vif_plugged_msg,
};

int xo_xen_vif_carrier(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		       int carrier, struct xo_error *err)
{
	struct xo_xenbus_dev d;
	char ifname[IFNAMSIZ + 8];
	int rc = xo_xenbus_dev_init(&d, &xo_xenbus_vif, domid, cfg, err);

	if (rc == 0)
		rc = xo_xenbus_plugged_state(b, &d, err);
	if (rc < 0)
		return rc;
	/* The host side's link is the carrier the guest's traffic sees. */
	xo_netif_name(ifname, sizeof(ifname), domid, d.devid);
	return xo_netif_set_up(ifname, carrier != 0, err);
}
