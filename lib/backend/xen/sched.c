/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Xen backend: scheduler weight and cap (credit or credit2, after the
 * scheduler of the domain's CPU pool) and hard and soft vCPU affinity
 * (xc_vcpu_setaffinity), set from the VM configuration when a domain is
 * created and changed live; read back for VM.stat and VM.stats.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xen_priv.h"


static const char *sched_name(uint32_t id)
{
	switch (id) {
	case XEN_SCHEDULER_CREDIT:
		return "credit";
	case XEN_SCHEDULER_CREDIT2:
		return "credit2";
	case XEN_SCHEDULER_ARINC653:
		return "arinc653";
	case XEN_SCHEDULER_RTDS:
		return "rtds";
	case XEN_SCHEDULER_NULL:
		return "null";
	default:
		return "unknown";
	}
}

/* The scheduler of the domain's CPU pool, and the domain's vCPU count. */
static int pool_sched(struct xo_backend *b, int domid, uint32_t *sched_out,
		      unsigned int *vcpus_out, struct xo_error *err)
{
	xc_domaininfo_t info;
	xc_cpupoolinfo_t *pool;
	int rc = xo_xen_getinfo_one(b, domid, &info, err);

	if (rc < 0)
		return rc;
	pool = xc_cpupool_getinfo(b->xch, info.cpupool);
	if (!pool)
		return xo_xen_err(b, "xc_cpupool_getinfo", err);
	if (pool->cpupool_id != info.cpupool) {
		xc_cpupool_infofree(b->xch, pool);
		return xo_err(err, XENOPS_EBACKEND, "xen backend: domain %d: no CPU pool %u", domid,
			      info.cpupool);
	}
	*sched_out = pool->sched_id;
	*vcpus_out = info.max_vcpu_id + 1;
	xc_cpupool_infofree(b->xch, pool);
	return 0;
}

static int host_cpus(struct xo_backend *b, unsigned int *out, struct xo_error *err)
{
	xc_physinfo_t phys = { 0 };

	if (xc_physinfo(b->xch, &phys) < 0)
		return xo_xen_err(b, "xc_physinfo", err);
	*out = phys.nr_cpus;
	return 0;
}

/* Weight (0: unchanged) and cap (-1: unchanged) through the pool's scheduler. */
static int set_weight_cap(struct xo_backend *b, int domid, uint32_t sched, unsigned int weight,
			  int cap, struct xo_error *err)
{
	if (!weight && cap < 0)
		return 0;
	if (sched == XEN_SCHEDULER_CREDIT) {
		struct xen_domctl_sched_credit s;

		if (xc_sched_credit_domain_get(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit_domain_get", err);
		if (weight)
			s.weight = (uint16_t)weight;
		if (cap >= 0)
			s.cap = (uint16_t)cap;
		if (xc_sched_credit_domain_set(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit_domain_set", err);
		return 0;
	}
	if (sched == XEN_SCHEDULER_CREDIT2) {
		struct xen_domctl_sched_credit2 s;

		if (xc_sched_credit2_domain_get(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit2_domain_get", err);
		if (weight)
			s.weight = (uint16_t)weight;
		if (cap >= 0)
			s.cap = (uint16_t)cap;
		if (xc_sched_credit2_domain_set(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit2_domain_set", err);
		return 0;
	}
	return xo_err(err, XENOPS_ENOTSUP,
		      "xen backend: domain %d: the %s scheduler has no weight or cap", domid,
		      sched_name(sched));
}

/* One vCPU's map in libxc's form (bit n of byte n/8 is CPU n). */
static void to_xc(const uint64_t *map, xc_cpumap_t out, int size)
{
	memset(out, 0, (size_t)size);
	for (int c = 0; c < size * 8 && c < XO_CPUS_MAX; c++)
		if (xo_cpumap_test(map, (unsigned int)c))
			out[c / 8] |= (uint8_t)(1u << (c % 8));
}

static void from_xc(const xc_cpumap_t in, int size, uint64_t *map)
{
	memset(map, 0, XO_CPUMAP_WORDS * sizeof(*map));
	for (int c = 0; c < size * 8 && c < XO_CPUS_MAX; c++)
		if (in[c / 8] & (1u << (c % 8)))
			map[c / 64] |= UINT64_C(1) << (c % 64);
}

/*
 * Hard and/or soft affinity (NULL: unchanged) of every vCPU, after
 * checking every list against the host, so that a bad one changes nothing.
 */
static int set_affinity(struct xo_backend *b, int domid, unsigned int vcpus,
			const struct xo_affinity *hard, const struct xo_affinity *soft,
			struct xo_error *err)
{
	uint64_t (*maps)[XO_CPUMAP_WORDS];
	xc_cpumap_t xh = NULL, xs = NULL;
	unsigned int nr_cpus = 0;
	int size, rc;

	if (!hard && !soft)
		return 0;
	rc = host_cpus(b, &nr_cpus, err);
	if (rc == 0 && hard)
		rc = xo_affinity_check_host(hard, "affinity", nr_cpus, err);
	if (rc == 0 && soft)
		rc = xo_affinity_check_host(soft, "soft_affinity", nr_cpus, err);
	if (rc < 0)
		return rc;
	size = xc_get_cpumap_size(b->xch);
	if (size <= 0)
		return xo_xen_err(b, "xc_get_cpumap_size", err);
	maps = calloc(2 * (size_t)vcpus, sizeof(*maps));
	xh = xc_cpumap_alloc(b->xch);
	xs = xc_cpumap_alloc(b->xch);
	if (!maps || !xh || !xs) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned int v = 0; rc == 0 && v < vcpus; v++) {
		/* No list: every CPU, also those the host may bring online later (as xl does). */
		memset(maps[2 * v], 0xff, 2 * sizeof(maps[0]));
		if (hard && xo_affinity_list(hard, v))
			rc = xo_cpulist_map(xo_affinity_list(hard, v), nr_cpus, maps[2 * v],
					    "affinity", err);
		if (rc == 0 && soft && xo_affinity_list(soft, v))
			rc = xo_cpulist_map(xo_affinity_list(soft, v), nr_cpus, maps[2 * v + 1],
					    "soft_affinity", err);
	}
	for (unsigned int v = 0; rc == 0 && v < vcpus; v++) {
		uint32_t flags = (hard ? XEN_VCPUAFFINITY_HARD : 0) |
				 (soft ? XEN_VCPUAFFINITY_SOFT : 0);

		to_xc(maps[2 * v], xh, size);
		to_xc(maps[2 * v + 1], xs, size);
		if (xc_vcpu_setaffinity(b->xch, (uint32_t)domid, (int)v, xh, xs, flags) < 0)
			rc = xo_xen_err(b, "xc_vcpu_setaffinity", err);
	}
out:
	free(xh);
	free(xs);
	free(maps);
	return rc;
}

int xo_xen_sched_apply_config(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			      struct xo_error *err)
{
	unsigned int weight = xo_vm_sched_weight(cfg);
	unsigned int vcpus;
	uint32_t sched;
	int rc = pool_sched(b, domid, &sched, &vcpus, err);

	if (rc < 0)
		return rc;
	/* The defaults need no call, and so work on every scheduler. */
	if (weight != XO_SCHED_WEIGHT_DEFAULT || cfg->sched_cap != 0)
		rc = set_weight_cap(b, domid, sched, weight, (int)cfg->sched_cap, err);
	if (rc == 0)
		rc = set_affinity(b, domid, vcpus, cfg->affinity.n ? &cfg->affinity : NULL,
				  cfg->soft_affinity.n ? &cfg->soft_affinity : NULL, err);
	return rc;
}

int xo_xen_domain_set_sched(struct xo_backend *b, struct xo_env *env, int domid,
			    const struct xo_sched_req *req, struct xo_error *err)
{
	unsigned int vcpus = 0, nr_cpus = 0;
	uint32_t sched;
	int rc;

	(void)env;
	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = pool_sched(b, domid, &sched, &vcpus, err);
	/* Check the lists first, so that a bad one leaves the weight and cap alone. */
	if (rc == 0 && (req->hard || req->soft))
		rc = host_cpus(b, &nr_cpus, err);
	if (rc == 0 && req->hard)
		rc = xo_affinity_check_host(req->hard, "affinity", nr_cpus, err);
	if (rc == 0 && req->soft)
		rc = xo_affinity_check_host(req->soft, "soft_affinity", nr_cpus, err);
	if (rc == 0)
		rc = set_weight_cap(b, domid, sched, req->weight, req->cap, err);
	if (rc == 0)
		rc = set_affinity(b, domid, vcpus, req->hard, req->soft, err);
	return rc;
}

int xo_xen_domain_get_sched(struct xo_backend *b, int domid, struct xo_sched_info *out,
			    struct xo_error *err)
{
	xc_cpumap_t xh = NULL, xs = NULL;
	unsigned int vcpus;
	uint32_t sched;
	int size, rc;

	memset(out, 0, sizeof(*out));
	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = pool_sched(b, domid, &sched, &vcpus, err);
	if (rc == 0)
		rc = host_cpus(b, &out->nr_cpus, err);
	if (rc < 0)
		return rc;
	snprintf(out->scheduler, sizeof(out->scheduler), "%s", sched_name(sched));
	if (sched == XEN_SCHEDULER_CREDIT) {
		struct xen_domctl_sched_credit s;

		if (xc_sched_credit_domain_get(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit_domain_get", err);
		out->weight = s.weight;
		out->cap = s.cap;
	} else if (sched == XEN_SCHEDULER_CREDIT2) {
		struct xen_domctl_sched_credit2 s;

		if (xc_sched_credit2_domain_get(b->xch, (uint32_t)domid, &s) < 0)
			return xo_xen_err(b, "xc_sched_credit2_domain_get", err);
		out->weight = s.weight;
		out->cap = s.cap;
	}
	size = xc_get_cpumap_size(b->xch);
	if (size <= 0)
		return xo_xen_err(b, "xc_get_cpumap_size", err);
	xh = xc_cpumap_alloc(b->xch);
	xs = xc_cpumap_alloc(b->xch);
	if (!xh || !xs) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	out->vcpus_max = vcpus > XO_MAX_VCPUS ? XO_MAX_VCPUS : vcpus;
	for (unsigned int v = 0; v < out->vcpus_max; v++) {
		if (xc_vcpu_getaffinity(b->xch, (uint32_t)domid, (int)v, xh, xs,
					XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) < 0) {
			rc = xo_xen_err(b, "xc_vcpu_getaffinity", err);
			break;
		}
		from_xc(xh, size, out->hard[v]);
		from_xc(xs, size, out->soft[v]);
	}
out:
	free(xh);
	free(xs);
	return rc;
}
