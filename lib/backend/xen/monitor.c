/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Monitoring on Xen: domain facts (getdomaininfo, per-vCPU times, the
 * memory target and start time from xenstore), the list of the domains we
 * manage (those carrying our marker: how recovery finds survivors), and
 * host facts (version, CPUs, memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xen_priv.h"

#define XO_XEN_GETINFO_MIN 64u

int xo_xen_getinfo_all(struct xo_backend *b, xc_domaininfo_t **out, size_t *n_out,
		       unsigned int *calls_out, struct xo_error *err)
{
	unsigned int cap = __atomic_load_n(&b->getinfo_hint, __ATOMIC_RELAXED);
	unsigned int calls = 0;
	xc_domaininfo_t *info = NULL;
	int r;

	*out = NULL;
	*n_out = 0;
	if (cap < XO_XEN_GETINFO_MIN)
		cap = XO_XEN_GETINFO_MIN;
	for (;;) {
		xc_domaininfo_t *p = realloc(info, cap * sizeof(*info));

		if (!p) {
			free(info);
			return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
		}
		info = p;
		calls++;
		__atomic_add_fetch(&b->domain_info_calls, 1, __ATOMIC_RELAXED);
		r = xc_domain_getinfolist(b->xch, 0, cap, info);
		if (r < 0) {
			int rc = xo_xen_err(b, "xc_domain_getinfolist", err);

			free(info);
			return rc;
		}
		/* A full buffer may have cut the list: grow, and remember for next time. */
		if ((unsigned int)r < cap || cap >= DOMID_FIRST_RESERVED)
			break;
		cap *= 2;
	}
	__atomic_store_n(&b->getinfo_hint, cap, __ATOMIC_RELAXED);
	if (calls_out)
		*calls_out = calls;
	*out = info;
	*n_out = (size_t)r;
	return 0;
}

int xo_xen_getinfo_one(struct xo_backend *b, int domid, xc_domaininfo_t *out, struct xo_error *err)
{
	int r;

	__atomic_add_fetch(&b->domain_info_calls, 1, __ATOMIC_RELAXED);
	/* getinfolist starts at @domid and returns the next domain if it is gone. */
	r = xc_domain_getinfolist(b->xch, (uint32_t)domid, 1, out);

	if (r < 0)
		return xo_xen_err(b, "xc_domain_getinfolist", err);
	if (r == 0 || (int)out->domain != domid)
		return xo_err(err, XENOPS_ENOTFOUND, "xen backend: no domain %d", domid);
	return 0;
}

static uint64_t xs_read_u64(struct xo_backend *b, const char *path, uint64_t dflt)
{
	char *v = xo_xs_read(b->xsh, XBT_NULL, path);
	char *end = NULL;
	unsigned long long x;

	if (!v)
		return dflt;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || end == v)
		x = dflt;
	free(v);
	return x;
}

static double start_time(struct xo_backend *b, int domid)
{
	struct xo_xen_dom d;
	char path[320];
	char *vm, *v;
	double t = 0;

	if (xo_xen_dom_get(b, domid, &d))
		return d.start_time;
	snprintf(path, sizeof(path), "/local/domain/%d/vm", domid);
	vm = xo_xs_read(b->xsh, XBT_NULL, path);
	if (!vm)
		return 0;
	snprintf(path, sizeof(path), "%.250s/start_time", vm);
	v = xo_xs_read(b->xsh, XBT_NULL, path);
	if (v)
		t = strtod(v, NULL);
	free(v);
	free(vm);
	return t;
}

static void fill_status(const xc_domaininfo_t *info, struct xo_domain_info *out)
{
	out->shutdown_reason = XO_SHUTDOWN_NONE;
	if (info->flags & XEN_DOMINF_dying) {
		out->status = XO_DOM_DYING;
	} else if (info->flags & XEN_DOMINF_shutdown) {
		out->status = XO_DOM_SHUTDOWN;
		out->shutdown_reason =
			(int)((info->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
	} else if (info->flags & XEN_DOMINF_paused) {
		out->status = XO_DOM_PAUSED;
	} else {
		out->status = XO_DOM_RUNNING;
	}
}

static void fill_vcpus(struct xo_backend *b, const xc_domaininfo_t *info,
		       struct xo_domain_info *out)
{
	out->vcpus_online = info->nr_online_vcpus;
	out->vcpus_max = info->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0 : info->max_vcpu_id + 1;
	if (out->vcpus_max > XO_MAX_VCPUS)
		out->vcpus_max = XO_MAX_VCPUS;
	for (unsigned int i = 0; i < out->vcpus_max; i++) {
		xc_vcpuinfo_t v;

		/* A vcpu that cannot be read counts as idle: info is best effort. */
		if (xc_vcpu_getinfo(b->xch, info->domain, i, &v) == 0)
			out->vcpu_time_ns[i] = v.cpu_time;
	}
}

static void fill_info(struct xo_backend *b, const xc_domaininfo_t *info, const char *vm_id,
		      struct xo_domain_info *out)
{
	char path[96];

	memset(out, 0, sizeof(*out));
	out->domid = (int)info->domain;
	snprintf(out->vm_id, sizeof(out->vm_id), "%s", vm_id);
	fill_status(info, out);
	out->memory_actual = info->tot_pages * XC_PAGE_SIZE;
	snprintf(path, sizeof(path), "/local/domain/%d/memory/target", out->domid);
	out->memory_target = xs_read_u64(b, path, info->max_pages * XC_PAGE_SIZE / 1024) * 1024;
	out->cpu_time_ns = info->cpu_time;
	fill_vcpus(b, info, out);
	out->start_time = start_time(b, out->domid);
}

int xo_xen_domain_info(struct xo_backend *b, int domid, struct xo_domain_info *out,
		       struct xo_error *err)
{
	char vm_id[XO_ID_MAX + 1];
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid, err);

	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	xo_xen_dom_vm_id(b, b->xsh, domid, vm_id);
	fill_info(b, &info, vm_id, out);
	return 0;
}

int xo_xen_domain_list(struct xo_backend *b, struct xo_domain_info **out, size_t *n_out,
		       struct xo_error *err)
{
	xc_domaininfo_t *info = NULL;
	struct xo_domain_info *list;
	size_t n = 0, k = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = xo_xen_getinfo_all(b, &info, &n, NULL, err);
	if (rc < 0)
		return rc;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		free(info);
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		char vm_id[XO_ID_MAX + 1];

		if (info[i].domain == 0)
			continue;
		xo_xen_dom_vm_id(b, b->xsh, (int)info[i].domain, vm_id);
		if (*vm_id)
			fill_info(b, &info[i], vm_id, &list[k++]);
	}
	free(info);
	*out = list;
	*n_out = k;
	return 0;
}

int xo_xen_version(struct xo_backend *b, char *out, size_t len, struct xo_error *err)
{
	xen_extraversion_t extra = "";
	int ver = xc_version(b->xch, XENVER_version, NULL);

	if (ver < 0)
		return xo_xen_err(b, "xc_version", err);
	if (xc_version(b->xch, XENVER_extraversion, &extra) < 0)
		return xo_xen_err(b, "xc_version(extraversion)", err);
	extra[sizeof(extra) - 1] = '\0';
	snprintf(out, len, "%d.%d%s", ver >> 16, ver & 0xffff, extra);
	return 0;
}

int xo_xen_host_info(struct xo_backend *b, struct xo_host_info *out, struct xo_error *err)
{
	xc_physinfo_t phys = { 0 };
	char ver[48];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = xo_xen_version(b, ver, sizeof(ver), err);
	if (rc < 0)
		return rc;
	snprintf(out->hypervisor, sizeof(out->hypervisor), "xen-%s", ver);
	if (xc_physinfo(b->xch, &phys) < 0)
		return xo_xen_err(b, "xc_physinfo", err);
	out->nr_cpus = phys.nr_cpus;
	out->total_memory = phys.total_pages * XC_PAGE_SIZE;
	out->free_memory = phys.free_pages * XC_PAGE_SIZE;
	xo_xen_counters(b, out);
	return 0;
}
