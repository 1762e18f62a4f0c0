/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host network interfaces of the xen backend: the work a vif hotplug
 * script would do on netback's vif<domid>.<n> (wait for it, bridge port,
 * MTU, link up or down) and the reads behind a VIF's carrier.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "backend/xen/xen_priv.h"

/*
 * As long as a backend's connection may take (xenbus.c): dom0's kernel
 * probes every new backend in one thread (xenwatch), so with 8 guests
 * starting at once on a busy host the vif's turn came after more than 10 s.
 */
#define XO_NETIF_WAIT_MS 30000u

void xo_netif_name(char *buf, size_t n, int domid, int index)
{
	/* netback's name for the host side. */
	snprintf(buf, n, "vif%d.%d", domid, index);
}

static void ifreq_init(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%.15s", ifname);
}

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

int xo_netif_set_up(const char *ifname, bool up, struct xo_error *err)
{
	struct ifreq ifr;
	int rc;

	ifreq_init(&ifr, ifname);
	rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr, "get flags of", err);
	if (rc < 0)
		return rc;
	ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr, "set flags of", err);
}

bool xo_netif_is_up(const char *ifname)
{
	struct xo_error ignored = { 0 };
	struct ifreq ifr;

	ifreq_init(&ifr, ifname);
	if (ifreq_ioctl(SIOCGIFFLAGS, &ifr, "get flags of", &ignored) < 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) != 0;
}

int xo_netif_set_mtu(const char *ifname, unsigned int mtu, struct xo_error *err)
{
	struct ifreq ifr;

	ifreq_init(&ifr, ifname);
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr, "set MTU of", err);
}

int xo_netif_bridge_add(const char *bridge, const char *ifname, struct xo_error *err)
{
	struct ifreq ifr;

	ifreq_init(&ifr, bridge);
	ifr.ifr_ifindex = (int)if_nametoindex(ifname);
	if (!ifr.ifr_ifindex)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: no interface %s", ifname);
	return ifreq_ioctl(SIOCBRADDIF, &ifr, "add interface to bridge", err);
}

bool xo_netif_bridge_exists(const char *bridge)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", bridge);
	return access(path, F_OK) == 0;
}

int xo_netif_wait(struct xo_env *env, const char *ifname, struct xo_error *err)
{
	uint64_t start = xo_now_ms();
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	while (access(path, F_OK) < 0) {
		int rc;

		if (xo_now_ms() - start >= XO_NETIF_WAIT_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: netback made no %s within %u ms (is xen-netback loaded?)",
				      ifname, XO_NETIF_WAIT_MS);
		rc = env->sleep(env, 20, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
