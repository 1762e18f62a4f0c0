/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Xen backend: statistics. Memory and CPU time from the hypervisor
 * (getdomaininfo, per-vCPU info), the memory target from xenstore; a VBD's
 * counters from blkback's sysfs directory
 * /sys/bus/xen-backend/devices/vbd-<domid>-<devid>/statistics/, a VIF's
 * from its host interface's /sys/class/net/vif<domid>.<index>/statistics/,
 * where the host's rx is the guest's tx.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/guest.h"
#include "xen_priv.h"

#define STATS_PAGE 4096ull

/* The virtual-device number of xvd<letters> (major 202, or the extended form). */
static long stats_vbd_devid(const char *name)
{
	unsigned long n = 0;

	if (strncmp(name, "xvd", 3) != 0 || name[3] == '\0')
		return -1;
	for (const char *p = name + 3; *p; p++) {
		if (*p < 'a' || *p > 'z')
			return -1;
		n = n * 26 + (unsigned long)(*p - 'a') + (p == name + 3 ? 0 : 1);
	}
	if (n < 16)
		return (202L << 8) | (long)(n << 4);
	if (n < (1ul << 20))
		return (1L << 28) | (long)(n << 8);
	return -1;
}

/* A decimal counter file; XENOPS_ENOTFOUND when absent. */
static int read_counter(const char *path, uint64_t *out, struct xo_error *err)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	char *end = NULL;
	size_t n;

	if (!f)
		return xo_err(err, errno == ENOENT ? XENOPS_ENOTFOUND : XENOPS_EIO, "%s: %s", path,
			      strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return xo_err(err, XENOPS_EIO, "%s: not a counter", path);
	return 0;
}

/* /local/domain/<domid>/memory/<key> (KiB) in bytes, or @dflt. */
static uint64_t xs_kib(struct xo_backend *b, int domid, const char *key, uint64_t dflt)
{
	char path[96], *v, *end = NULL;
	unsigned long long kib;

	snprintf(path, sizeof(path), "/local/domain/%d/memory/%s", domid, key);
	v = xo_xs_read(b->xsh, XBT_NULL, path);
	if (!v)
		return dflt;
	errno = 0;
	kib = strtoull(v, &end, 10);
	if (!errno && end != v && *end == '\0')
		dflt = (uint64_t)kib * 1024;
	free(v);
	return dflt;
}

int xo_xen_domain_stats(struct xo_backend *b, int domid, struct xo_domain_stats *out,
			struct xo_error *err)
{
	xc_domaininfo_t info;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	out->memory_actual = info.tot_pages * STATS_PAGE;
	out->memory_max = info.max_pages * STATS_PAGE;
	/* The VM's maximum is memory/static-max: max_pages has the domain's slack on top. */
	out->memory_max = xs_kib(b, domid, "static-max", out->memory_max);
	out->memory_target = xs_kib(b, domid, "target", out->memory_max);
	out->vcpus_max = info.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0 : info.max_vcpu_id + 1;
	if (out->vcpus_max > XO_MAX_VCPUS)
		out->vcpus_max = XO_MAX_VCPUS;
	for (unsigned int i = 0; i < out->vcpus_max; i++) {
		xc_vcpuinfo_t vi;

		/* A vCPU that cannot be read counts as offline: statistics are best effort. */
		if (xc_vcpu_getinfo(b->xch, (uint32_t)domid, i, &vi) == 0) {
			out->vcpu_online[i] = vi.online != 0;
			out->vcpu_time_ns[i] = vi.cpu_time;
		}
	}
	return 0;
}

int xo_xen_dev_stats(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		     uint64_t out[XO_DEV_COUNTERS], struct xo_error *err)
{
	static const char *const vbd_files[] = { "rd_req", "wr_req", "rd_sect", "wr_sect" };
	/* Host-side files in the guest's order: guest rx = host tx. */
	static const char *const vif_files[] = { "tx_bytes", "rx_bytes", "tx_packets",
						 "rx_packets", "tx_dropped", "rx_dropped" };
	char path[160];
	int rc = xo_xen_check_domid(domid, err);

	(void)b;
	memset(out, 0, XO_DEV_COUNTERS * sizeof(out[0]));
	if (rc < 0)
		return rc;
	if (cfg->kind == XENOPS_KIND_VBD) {
		long devid = stats_vbd_devid(cfg->u.vbd.device);

		if (devid < 0)
			return xo_err(err, XENOPS_EINVAL, "vbd %s: device \"%s\" is not xvd<letters>",
				      cfg->id, cfg->u.vbd.device);
		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path),
				 "/sys/bus/xen-backend/devices/vbd-%d-%ld/statistics/%s", domid, devid,
				 vbd_files[i]);
			rc = read_counter(path, &out[i], err);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (cfg->kind == XENOPS_KIND_VIF) {
		for (size_t i = 0; i < XO_DEV_COUNTERS; i++) {
			snprintf(path, sizeof(path), "/sys/class/net/vif%d.%d/statistics/%s", domid,
				 cfg->u.vif.index, vif_files[i]);
			rc = read_counter(path, &out[i], err);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	return xo_err(err, XENOPS_ENOTSUP, "%s %s: no statistics for this kind", "device", cfg->id);
}

/* ---- host facts and the hypervisor's log ---- */

int xo_xen_host_facts(struct xo_backend *b, struct xo_host_facts *out, struct xo_error *err)
{
	xc_physinfo_t phys = { 0 };
	xc_meminfo_t mem[XO_MAX_NODES];
	unsigned int n = XO_MAX_NODES, per_socket;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = xo_xen_version(b, out->xen_version, sizeof(out->xen_version), err);
	if (rc < 0)
		return rc;
	if (xc_physinfo(b->xch, &phys) < 0)
		return xo_xen_err(b, "xc_physinfo", err);
	out->threads_per_core = phys.threads_per_core ? phys.threads_per_core : 1;
	out->cores_per_socket = phys.cores_per_socket ? phys.cores_per_socket : 1;
	per_socket = out->threads_per_core * out->cores_per_socket;
	out->sockets = (phys.nr_cpus + per_socket - 1) / per_socket;
	if (xc_numainfo(b->xch, &n, mem, NULL) < 0)
		return xo_xen_err(b, "xc_numainfo", err);
	out->nr_nodes = n < XO_MAX_NODES ? n : XO_MAX_NODES;
	for (unsigned int i = 0; i < out->nr_nodes; i++) {
		/* Absent nodes have XEN_INVALID_MEM_SZ. */
		out->nodes[i].total = mem[i].memsize == XEN_INVALID_MEM_SZ ? 0 : mem[i].memsize;
		out->nodes[i].free = mem[i].memfree == XEN_INVALID_MEM_SZ ? 0 : mem[i].memfree;
	}
	return 0;
}

#define DMESG_MAX (256u * 1024u)

int xo_xen_host_dmesg(struct xo_backend *b, char **text_out, struct xo_error *err)
{
	unsigned int n = DMESG_MAX - 1;
	char *buf = malloc(DMESG_MAX);

	*text_out = NULL;
	if (!buf)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (xc_readconsolering(b->xch, buf, &n, 0, 0, NULL) < 0) {
		free(buf);
		return xo_xen_err(b, "xc_readconsolering", err);
	}
	buf[n < DMESG_MAX ? n : DMESG_MAX - 1] = '\0';
	*text_out = buf;
	return 0;
}

/* ---- guest facts: the console's pty and the guest's data/ and attr/ ---- */

/* The guest's trees are walked by backend/guest.c, through this connection. */
static char *rd_read(void *arg, const char *path)
{
	return xo_xs_read(((struct xo_backend *)arg)->xsh, XBT_NULL, path);
}

static char **rd_directory(void *arg, const char *path, unsigned int *n)
{
	return xs_directory(((struct xo_backend *)arg)->xsh, XBT_NULL, path, n);
}

int xo_xen_guest_facts(struct xo_backend *b, int domid, struct xo_guest_facts *out,
		       struct xo_error *err)
{
	const struct xo_xs_reader r = { .read = rd_read, .directory = rd_directory, .arg = b };
	char base[64], path[96], *tty;
	int rc = xo_xen_check_domid(domid, err);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	snprintf(base, sizeof(base), "/local/domain/%d", domid);
	snprintf(path, sizeof(path), "%s/console/tty", base);
	tty = xo_xs_read(b->xsh, XBT_NULL, path);
	if (tty) {
		snprintf(out->console_path, sizeof(out->console_path), "%s", tty);
		xo_guest_sanitise(out->console_path);
		free(tty);
	}
	xo_guest_walk(&r, base, "data", out);
	xo_guest_walk(&r, base, "attr", out);
	return 0;
}
