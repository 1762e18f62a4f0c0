/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Xen backend: running guests. The balloon target is the guest's xenstore
 * memory/target (KiB), which its balloon driver follows; the domain's
 * maximum is raised or lowered with xc_domain_setmaxmem (plus the same
 * slack as at creation). vCPU hot-plug writes cpu/<n>/availability, which
 * the guest's vCPU hot-plug driver follows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "xen_priv.h"

#define TUNE_KIB UINT64_C(1024)
#define TUNE_MAXMEM_SLACK_KIB 1024ull /* as domain.c gives at creation */

struct mem_txn {
	int domid;
	uint64_t target, max;
};

static int mem_write(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct mem_txn *m = arg;
	char path[96], buf[32];
	int rc = 0;

	if (m->max) {
		snprintf(path, sizeof(path), "/local/domain/%d/memory/static-max", m->domid);
		snprintf(buf, sizeof(buf), "%" PRIu64, m->max / TUNE_KIB);
		rc = xo_xs_write_perms(b, t, path, buf, NULL, 0, err);
	}
	snprintf(path, sizeof(path), "/local/domain/%d/memory/target", m->domid);
	snprintf(buf, sizeof(buf), "%" PRIu64, m->target / TUNE_KIB);
	if (rc == 0)
		rc = xo_xs_write_perms(b, t, path, buf, NULL, 0, err);
	return rc;
}

int xo_xen_domain_set_memory(struct xo_backend *b, struct xo_env *env, int domid,
			     uint64_t target, uint64_t max, struct xo_error *err)
{
	struct mem_txn m = { .domid = domid, .target = target, .max = max };
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	if (rc < 0)
		return rc;
	if (target == 0 || (max && target > max))
		return xo_err(err, XENOPS_EINVAL, "domain %d: memory target must be from 1 byte to the maximum",
			      domid);
	/* The maximum first: the guest may grow to the target at once. */
	if (max && xc_domain_setmaxmem(b->xch, (uint32_t)domid,
				       max / TUNE_KIB + TUNE_MAXMEM_SLACK_KIB) < 0)
		return xo_xen_err(b, "xc_domain_setmaxmem", err);
	return xo_xs_transaction(b, "set the memory target", mem_write, &m, err);
}

struct vcpu_txn {
	int domid;
	unsigned int vcpus, max;
};

static int vcpu_write(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct vcpu_txn *v = arg;
	char path[96];
	int rc = 0;

	for (unsigned int i = 0; rc == 0 && i < v->max; i++) {
		snprintf(path, sizeof(path), "/local/domain/%d/cpu/%u/availability", v->domid, i);
		rc = xo_xs_write_perms(b, t, path, i < v->vcpus ? "online" : "offline", NULL, 0,
				       err);
	}
	return rc;
}

int xo_xen_domain_set_vcpus(struct xo_backend *b, struct xo_env *env, int domid,
			    unsigned int vcpus, struct xo_error *err)
{
	struct vcpu_txn v = { .domid = domid, .vcpus = vcpus };
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	v.max = info.max_vcpu_id + 1;
	if (vcpus == 0 || vcpus > v.max)
		return xo_err(err, XENOPS_EINVAL, "domain %d: vcpus must be from 1 to %u, not %u",
			      domid, v.max, vcpus);
	return xo_xs_transaction(b, "set the vcpus", vcpu_write, &v, err);
}

struct xs_txn {
	int domid;
	const struct xo_kv *kv;
	size_t n;
};

static int guest_data_write(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct xs_txn *x = arg;
	struct xs_permissions p[1];
	char path[256];
	int rc = 0;

	/* data/ belongs to the guest: keys written there stay the guest's to change. */
	xo_xs_perms_rw(p, x->domid);
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		snprintf(path, sizeof(path), "/local/domain/%d/%s", x->domid, x->kv[i].key);
		rc = x->kv[i].value ? xo_xs_write_perms(b, t, path, x->kv[i].value, p, 1, err)
				    : xo_xs_rm(b, t, path, err);
	}
	return rc;
}

int xo_xen_domain_set_xenstore(struct xo_backend *b, struct xo_env *env, int domid,
			       const struct xo_kv *kv, size_t n, struct xo_error *err)
{
	struct xs_txn x = { .domid = domid, .kv = kv, .n = n };
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	return rc < 0 ? rc : xo_xs_transaction(b, "write guest data", guest_data_write, &x, err);
}
