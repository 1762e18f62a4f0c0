/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scheduler as the hypervisor holds it, read back for VM.stat and
 * VM.stats: {scheduler, weight, cap, affinity: [per vCPU], soft_affinity:
 * [per vCPU]}, each list "all" when it holds every CPU of the host.
 */
#include <stdlib.h>

#include "backend/backend.h"
#include "engine/engine_int.h"
#include "model/json.h"

static int add_maps(struct json_object *o, const char *key, const struct xo_sched_info *si,
		    const uint64_t (*maps)[XO_CPUMAP_WORDS], struct xo_error *err)
{
	struct json_object *arr = json_object_new_array();
	int rc = arr ? xo_jw_take(o, key, arr, err) : xo_err(err, XENOPS_ENOMEM, "out of memory");

	for (unsigned int v = 0; rc == 0 && v < si->vcpus_max && v < XO_MAX_VCPUS; v++) {
		char *text = xo_cpumap_format(maps[v], si->nr_cpus);
		struct json_object *s = text ? json_object_new_string(text) : NULL;

		free(text);
		if (!s || json_object_array_add(arr, s) < 0) {
			json_object_put(s);
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	return rc;
}

/* Keep @si for the next call, or free it if another one is kept already. */
static void si_release(struct xo_engine *e, struct xo_sched_info *si)
{
	struct xo_sched_info *none = NULL;

	if (!__atomic_compare_exchange_n(&e->si_spare, &none, si, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		free(si);
}

int xo_engine_sched_json(struct xo_engine *e, int domid, struct json_object *parent,
			 struct xo_error *err)
{
	struct xo_sched_info *si;
	struct xo_error gone = { 0 };
	struct json_object *o;
	int rc;

	if (domid < 0 || !e->bops->domain_get_sched)
		return 0;
	/* A buffer this size asked of malloc on every VM.stat made it
	 * consolidate its fast bins each time: one is kept (the backends
	 * clear what they fill). */
	si = __atomic_exchange_n(&e->si_spare, NULL, __ATOMIC_ACQUIRE);
	if (!si && !(si = calloc(1, sizeof(*si))))
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (e->bops->domain_get_sched(e->b, domid, si, &gone) < 0) {
		/* Gone meanwhile, or the hypervisor would not say: left out. */
		xo_log(&e->log, XENOPS_LOG_DEBUG, "domain %d: scheduler: %s", domid, gone.msg);
		xo_error_clear(&gone);
		si_release(e, si);
		return 0;
	}
	o = xo_jw_new_object(err);
	rc = o ? xo_jw_take(parent, "sched", o, err) : XENOPS_ENOMEM;
	if (rc == 0)
		rc = xo_jw_string(o, "scheduler", si->scheduler, err);
	if (rc == 0)
		rc = xo_jw_int(o, "weight", si->weight, err);
	if (rc == 0)
		rc = xo_jw_int(o, "cap", si->cap, err);
	if (rc == 0)
		rc = add_maps(o, "affinity", si, (const uint64_t(*)[XO_CPUMAP_WORDS])si->hard, err);
	if (rc == 0)
		rc = add_maps(o, "soft_affinity", si, (const uint64_t(*)[XO_CPUMAP_WORDS])si->soft,
			      err);
	si_release(e, si);
	return rc;
}
