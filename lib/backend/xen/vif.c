/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual network interfaces through Linux netback: the xenstore entries,
 * then the hotplug work a vif script would do (wait for vif<domid>.<n>,
 * put it on the bridge, set MTU and link, report hotplug-status
 * connected), the wait for the guest, the closing handshake, the carrier.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "backend/xen/xen_priv.h"

#define XO_VIF_NETDEV_MS 10000u
#define XO_VIF_CONNECT_MS 30000u

struct vif_paths {
	int domid, index;
	char fe[128], be[128], ifname[IFNAMSIZ + 8];
};

static int vif_paths(struct vif_paths *p, int domid, const struct xo_dev_config *cfg,
		     struct xo_error *err)
{
	p->domid = domid;
	p->index = cfg->u.vif.index;
	if (p->index < 0)
		return xo_err(err, XENOPS_EINVAL, "xen backend: VIF %s has no index", cfg->id);
	snprintf(p->fe, sizeof(p->fe), "/local/domain/%d/device/vif/%d", domid, p->index);
	snprintf(p->be, sizeof(p->be), "/local/domain/0/backend/vif/%d/%d", domid, p->index);
	/* netback's name for the host side. */
	snprintf(p->ifname, sizeof(p->ifname), "vif%d.%d", domid, p->index);
	return 0;
}

/* ---- host interface ---- */

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr, const char *what, struct xo_error *err)
{
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (s < 0)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: socket: %s", strerror(errno));
	if (ioctl(s, req, ifr) < 0)
		rc = xo_err(err, XENOPS_EBACKEND, "xen backend: %s %s: %s", what, ifr->ifr_name,
			    strerror(errno));
	close(s);
	return rc;
}

static int if_set_up(const char *ifname, bool up, struct xo_error *err)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.15s", ifname);
	rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr, "get flags of", err);
	if (rc < 0)
		return rc;
	ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr, "set flags of", err);
}

static int if_is_up(const char *ifname, struct xo_error *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.15s", ifname);
	if (ifreq_ioctl(SIOCGIFFLAGS, &ifr, "get flags of", err) < 0) {
		xo_error_clear(err);
		return 0;
	}
	return (ifr.ifr_flags & IFF_UP) != 0;
}

static int if_set_mtu(const char *ifname, unsigned int mtu, struct xo_error *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.15s", ifname);
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr, "set MTU of", err);
}

static int bridge_add(const char *bridge, const char *ifname, struct xo_error *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.15s", bridge);
	ifr.ifr_ifindex = (int)if_nametoindex(ifname);
	if (!ifr.ifr_ifindex)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: no interface %s", ifname);
	return ifreq_ioctl(SIOCBRADDIF, &ifr, "add interface to bridge", err);
}

static bool bridge_exists(const char *bridge)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", bridge);
	return access(path, F_OK) == 0;
}

static int wait_netdev(struct xo_env *env, const struct vif_paths *p, struct xo_error *err)
{
	uint64_t start = xo_now_ms();
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s", p->ifname);
	while (access(path, F_OK) < 0) {
		int rc;

		if (xo_now_ms() - start >= XO_VIF_NETDEV_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: netback made no %s within %u ms (is xen-netback loaded?)",
				      p->ifname, XO_VIF_NETDEV_MS);
		rc = env->sleep(env, 20, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- xenstore ---- */

struct vif_plug {
	const struct vif_paths *p;
	const struct xo_vif_config *v;
};


static int plug_frontend(struct xo_backend *b, xs_transaction_t t, const struct vif_plug *x,
			 struct xo_error *err)
{
	struct xs_permissions p[2] = { { .id = (unsigned int)x->p->domid, .perms = XS_PERM_NONE },
				       { .id = 0, .perms = XS_PERM_READ } };
	char buf[16];
	int rc;

	snprintf(buf, sizeof(buf), "%d", x->p->index);
	rc = xo_xs_rm(b, t, x->p->fe, err);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, x->p->fe, p, 2, err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "backend", x->p->be, err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "backend-id", "0", err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "state", "1", err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "handle", buf, err);
	if (rc == 0)
		rc = xo_xen_kv_write(b, t, x->p->fe, "mac", x->v->mac, err);
	return rc;
}

static int plug_backend(struct xo_backend *b, xs_transaction_t t, const struct vif_plug *x,
			struct xo_error *err)
{
	struct xs_permissions p[2];
	char fe_id[16], handle[16], mtu[16];
	const struct {
		const char *k, *v;
	} kv[] = {
		{ "frontend", x->p->fe },
		{ "frontend-id", fe_id },
		{ "online", "1" },
		{ "state", "1" },
		{ "handle", handle },
		{ "mac", x->v->mac },
		{ "type", "vif" },
		{ "bridge", x->v->bridge ? x->v->bridge : "" },
		/* netback insists on reading a script; we do its work ourselves. */
		{ "script", "" },
	};
	int rc;

	snprintf(fe_id, sizeof(fe_id), "%d", x->p->domid);
	snprintf(handle, sizeof(handle), "%d", x->p->index);
	xo_xs_perms_ro(p, x->p->domid);
	rc = xo_xs_rm(b, t, x->p->be, err);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, x->p->be, p, 2, err);
	for (size_t i = 0; rc == 0 && i < XO_ARRAY_SIZE(kv); i++)
		rc = xo_xen_kv_write(b, t, x->p->be, kv[i].k, kv[i].v, err);
	snprintf(mtu, sizeof(mtu), "%u", x->v->mtu);
	if (rc == 0 && x->v->mtu)
		rc = xo_xen_kv_write(b, t, x->p->be, "mtu", mtu, err);
	return rc;
}

static int plug_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	int rc = plug_frontend(b, t, arg, err);

	return rc == 0 ? plug_backend(b, t, arg, err) : rc;
}

static int rm_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct vif_paths *p = arg;
	int rc = xo_xs_rm(b, t, p->be, err);

	return rc == 0 ? xo_xs_rm(b, t, p->fe, err) : rc;
}

static int hotplug_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct vif_paths *p = arg;

	return xo_xen_kv_write(b, t, p->be, "hotplug-status", "connected", err);
}

/* ---- plug ---- */

static int vif_hotplug(struct xo_backend *b, struct xo_env *env, const struct vif_paths *p,
		       const struct xo_vif_config *v, struct xo_error *err)
{
	int rc = wait_netdev(env, p, err);

	if (rc == 0 && v->mtu)
		rc = if_set_mtu(p->ifname, v->mtu, err);
	if (rc == 0 && v->bridge && *v->bridge)
		rc = bridge_add(v->bridge, p->ifname, err);
	if (rc == 0)
		rc = if_set_up(p->ifname, v->carrier, err);
	if (rc == 0)
		rc = xo_xs_transaction(b, "write hotplug-status", hotplug_txn, (void *)p, err);
	return rc;
}

static int vif_wait_connected(struct xo_backend *b, struct xo_env *env,
			      const struct vif_paths *p, struct xo_error *err)
{
	uint64_t start = xo_now_ms();

	for (;;) {
		int s = xo_xen_read_state(b, p->be);
		int rc;

		if (s == 4)
			return 0;
		if (s >= 5 || s < 0)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: netback closed %s (state %d)", p->be,
				      s);
		if (xo_now_ms() - start >= XO_VIF_CONNECT_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: %s did not connect within %u ms (state %d)", p->be,
				      XO_VIF_CONNECT_MS, s);
		rc = env->sleep(env, 20, err);
		if (rc < 0)
			return rc;
	}
}

int xo_xen_vif_plug(struct xo_backend *b, struct xo_env *env, int domid,
		    const struct xo_dev_config *cfg, struct xo_dev_state *st, struct xo_error *err)
{
	const struct xo_vif_config *v = &cfg->u.vif;
	struct vif_paths p;
	struct vif_plug x = { &p, v };
	int rc;

	rc = vif_paths(&p, domid, cfg, err);
	if (rc == 0 && v->bridge && *v->bridge && !bridge_exists(v->bridge))
		rc = xo_err(err, XENOPS_EINVAL, "xen backend: bridge %s does not exist", v->bridge);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc < 0)
		return rc;
	rc = xo_xs_transaction(b, "write VIF nodes", plug_txn, &x, err);
	if (rc == 0)
		rc = vif_hotplug(b, env, &p, v, err);
	/* A paused guest connects its end when it runs. */
	if (rc == 0 && xo_xen_domain_running(b, domid, err))
		rc = vif_wait_connected(b, env, &p, err);
	if (rc < 0) {
		struct xo_error undo = { 0 }; /* *err keeps why the plug failed */

		xo_xs_transaction(b, "remove VIF nodes", rm_txn, &p, &undo);
		return rc;
	}
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: VIF %d of domain %d is %s on %s", p.index,
	       domid, p.ifname, v->bridge && *v->bridge ? v->bridge : "no bridge");
	return xo_xen_vif_info(b, domid, cfg, st, err);
}

/* ---- unplug, info, carrier ---- */

int xo_xen_vif_unplug(struct xo_backend *b, struct xo_env *env, int domid,
		      const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	struct vif_paths p;
	int rc = vif_paths(&p, domid, cfg, err);

	if (rc < 0)
		return rc;
	if (xo_xen_read_state(b, p.be) < 0)
		return 0;
	if (!force && xo_xen_domain_running(b, domid, err)) {
		rc = xo_xen_dev_close(b, env, "VIF", p.be, p.fe, err);
		if (rc < 0)
			return rc;
	}
	/* netback deletes vif<domid>.<n>, and so its bridge port, with the device. */
	return xo_xs_transaction(b, "remove VIF nodes", rm_txn, &p, err);
}

int xo_xen_vif_info(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		    struct xo_dev_state *st, struct xo_error *err)
{
	struct vif_paths p;
	int rc = vif_paths(&p, domid, cfg, err);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->backend_state = xo_xen_read_state(b, p.be);
	if (st->backend_state < 0)
		return xo_err(err, XENOPS_ENOTFOUND,
			      "xen backend: VIF %d of domain %d is not plugged",
			      p.index, domid);
	st->plugged = 1;
	st->active = st->backend_state == 4;
	st->carrier = if_is_up(p.ifname, err);
	snprintf(st->host_ifname, sizeof(st->host_ifname), "%s", p.ifname);
	return 0;
}

int xo_xen_vif_carrier(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_dev_config *cfg, int carrier, struct xo_error *err)
{
	struct vif_paths p;
	int rc = vif_paths(&p, domid, cfg, err);

	(void)env;
	if (rc < 0)
		return rc;
	if (xo_xen_read_state(b, p.be) < 0)
		return xo_err(err, XENOPS_ENOTFOUND,
			      "xen backend: VIF %d of domain %d is not plugged",
			      p.index, domid);
	/* The host side's link is the carrier the guest's traffic sees. */
	return if_set_up(p.ifname, carrier != 0, err);
}
