/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator: scheduler weight and cap, hard and soft vCPU affinity. The
 * simulated host has XO_SIM_NR_CPUS CPUs and a scheduler named "sim" that
 * keeps what it is given (it schedules nothing). Values are checked like
 * Xen's credit2: weight 1 to 65535, cap at most 100 per vCPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

_Static_assert(XO_SIM_NR_CPUS <= 8, "sim affinity maps are one byte per vCPU");

#define ALL_CPUS ((uint8_t)((1u << XO_SIM_NR_CPUS) - 1))

/* The maps of @a for @n vCPUs into @maps (a vCPU without a list: every CPU). */
static int resolve(const struct xo_affinity *a, const char *field, unsigned int n, uint8_t *maps,
		   struct xo_error *err)
{
	uint64_t map[XO_CPUMAP_WORDS];
	int rc = xo_affinity_check_host(a, field, XO_SIM_NR_CPUS, err);

	for (unsigned int v = 0; rc == 0 && v < n; v++) {
		rc = xo_cpulist_map(xo_affinity_list(a, v), XO_SIM_NR_CPUS, map, field, err);
		if (rc == 0)
			maps[v] = (uint8_t)(map[0] & ALL_CPUS);
	}
	return rc;
}

int xo_sim_sched_init(struct xo_sim_dom *d, const struct xo_vm_config *cfg, struct xo_error *err)
{
	int rc;

	if (cfg->vcpus_max > XO_MAX_VCPUS)
		return xo_err(err, XENOPS_EINVAL, "vcpus_max above %d", XO_MAX_VCPUS);
	if (cfg->sched_weight > 65535)
		return xo_err(err, XENOPS_EINVAL, "weight: must be from 1 to 65535");
	if (cfg->sched_cap > 100 * cfg->vcpus_max)
		return xo_err(err, XENOPS_EINVAL, "cap: must be at most 100 per vCPU");
	rc = resolve(&cfg->affinity, "affinity", cfg->vcpus_max, d->hard, err);
	if (rc == 0)
		rc = resolve(&cfg->soft_affinity, "soft_affinity", cfg->vcpus_max, d->soft, err);
	if (rc < 0)
		return rc;
	d->weight = xo_vm_sched_weight(cfg);
	d->cap = cfg->sched_cap;
	return 0;
}

int xo_sim_domain_set_sched(struct xo_backend *b, struct xo_env *env, int domid,
			    const struct xo_sched_req *req, struct xo_error *err)
{
	uint8_t hard[XO_MAX_VCPUS], soft[XO_MAX_VCPUS];
	struct xo_sim_dom *d;
	int rc;

	(void)env;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "set the scheduler of", &d, err);
	if (rc < 0)
		goto out;
	if (req->weight > 65535 || (req->cap > 0 && (unsigned int)req->cap > 100 * d->vcpus_max)) {
		rc = xo_err(err, XENOPS_EINVAL,
			    "domain %d: weight must be 1 to 65535 and cap at most 100 per vCPU",
			    domid);
		goto out;
	}
	memcpy(hard, d->hard, sizeof(hard));
	memcpy(soft, d->soft, sizeof(soft));
	if (req->hard)
		rc = resolve(req->hard, "affinity", d->vcpus_max, hard, err);
	if (rc == 0 && req->soft)
		rc = resolve(req->soft, "soft_affinity", d->vcpus_max, soft, err);
	if (rc < 0)
		goto out;
	if (req->weight)
		d->weight = req->weight;
	if (req->cap >= 0)
		d->cap = (unsigned int)req->cap;
	memcpy(d->hard, hard, sizeof(hard));
	memcpy(d->soft, soft, sizeof(soft));
	xo_sim_store_save(b);
out:
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_domain_get_sched(struct xo_backend *b, int domid, struct xo_sched_info *out,
			    struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get the scheduler of", &d, err);
	if (rc == 0) {
		snprintf(out->scheduler, sizeof(out->scheduler), "sim");
		out->weight = d->weight;
		out->cap = d->cap;
		out->nr_cpus = XO_SIM_NR_CPUS;
		out->vcpus_max = d->vcpus_max;
		for (unsigned int v = 0; v < d->vcpus_max && v < XO_MAX_VCPUS; v++) {
			out->hard[v][0] = d->hard[v];
			out->soft[v][0] = d->soft[v];
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* ---- the store: "sched": {weight, cap, hard, soft}, maps as two hex digits per vCPU ---- */

static void maps_text(const uint8_t *maps, unsigned int n, char *out)
{
	for (unsigned int v = 0; v < n; v++)
		snprintf(out + 2 * v, 3, "%02x", maps[v]);
	out[2 * n] = '\0';
}

struct json_object *xo_sim_sched_to_json(const struct xo_sim_dom *d, struct xo_error *err)
{
	char text[2 * XO_MAX_VCPUS + 1];
	struct json_object *o = xo_jw_new_object(err);

	if (!o)
		return NULL;
	if (xo_jw_int(o, "weight", d->weight, err) < 0 || xo_jw_int(o, "cap", d->cap, err) < 0)
		goto fail;
	maps_text(d->hard, d->vcpus_max, text);
	if (xo_jw_string(o, "hard", text, err) < 0)
		goto fail;
	maps_text(d->soft, d->vcpus_max, text);
	if (xo_jw_string(o, "soft", text, err) < 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

static int maps_read(struct json_object *o, const char *field, unsigned int n, uint8_t *maps,
		     const char *what, struct xo_error *err)
{
	const char *s;
	int rc = xo_jf_need_string(o, what, field, 2 * XO_MAX_VCPUS, &s, err);

	if (rc < 0)
		return rc;
	if (strlen(s) != 2 * n)
		return xo_err(err, XENOPS_EINVAL, "%s: sched %s: one map per vCPU", what, field);
	for (unsigned int v = 0; v < n; v++) {
		unsigned int x;
		char hex[3] = { s[2 * v], s[2 * v + 1], '\0' };

		if (sscanf(hex, "%2x", &x) != 1 || !(x & ALL_CPUS) || (x & ~ALL_CPUS))
			return xo_err(err, XENOPS_EINVAL, "%s: sched %s: bad map", what, field);
		maps[v] = (uint8_t)x;
	}
	return 0;
}

int xo_sim_sched_from_json(struct xo_sim_dom *d, struct json_object *obj, const char *what,
			   struct xo_error *err)
{
	struct json_object *o;
	int64_t weight = 256, cap = 0;
	int rc;

	/* A table written before the scheduler was simulated: the defaults. */
	d->weight = 256;
	d->cap = 0;
	memset(d->hard, ALL_CPUS, sizeof(d->hard));
	memset(d->soft, ALL_CPUS, sizeof(d->soft));
	if (!json_object_object_get_ex(obj, "sched", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return xo_err(err, XENOPS_EINVAL, "%s: sched must be an object", what);
	rc = xo_jf_need_int(o, what, "weight", 1, 65535, &weight, err);
	if (rc == 0)
		rc = xo_jf_need_int(o, what, "cap", 0, 65535, &cap, err);
	if (rc == 0)
		rc = maps_read(o, "hard", d->vcpus_max, d->hard, what, err);
	if (rc == 0)
		rc = maps_read(o, "soft", d->vcpus_max, d->soft, what, err);
	d->weight = (unsigned int)weight;
	d->cap = (unsigned int)cap;
	return rc;
}
