/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Operations on running guests: the memory target (balloon), the vCPUs
 * online, the scheduler (weight, cap, affinity). Each changes the domain when the VM has one and the stored
 * configuration in the same atom (after the backend call: a crash between
 * the two leaves the domain changed and the record not, which recovery
 * keeps and VM.get_config reports as a disagreement); a VM without a
 * domain gets the configuration change only, applied at its next start.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "model/json.h"

#define MIB (UINT64_C(1024) * 1024)
#define W_FAST 1
#define W_WAIT 10
#define BALLOON_POLL_MS 100
#define BALLOON_TIMEOUT_S 30

static bool has_domain(const struct xo_vm *vm)
{
	return vm->st.power == XENOPS_POWER_RUNNING || vm->st.power == XENOPS_POWER_PAUSED;
}

#define XS_KEYS_MAX 64
#define XS_KEY_MAX 128
#define XS_VALUE_MAX 1024

static void kv_free(struct xo_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* A key under data/: segments of [A-Za-z0-9_.-], no "." or "..", no empty one. */
static bool xs_key_ok(const char *k)
{
	size_t len = strlen(k), seg = 0;

	if (len > XS_KEY_MAX || strncmp(k, "data/", 5) != 0 || len == 5)
		return false;
	for (const char *p = k + 5;; p++) {
		if (*p == '/' || *p == '\0') {
			if (seg == 0 || (seg == 1 && p[-1] == '.') ||
			    (seg == 2 && p[-1] == '.' && p[-2] == '.'))
				return false;
			if (*p == '\0')
				return true;
			seg = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
		seg++;
	}
}

/* Parse and check VM.set_xenstore's data: *kv_out (values NULL: remove). */
static int xs_parse(const char *text, struct xo_kv **kv_out, size_t *n_out, struct xo_error *err)
{
	struct json_object *o = NULL;
	struct xo_kv *kv = NULL;
	size_t n = 0;
	int rc;

	*kv_out = NULL;
	*n_out = 0;
	if (!text)
		return xo_err(err, XENOPS_EINVAL, "data: must not be NULL");
	rc = xo_json_loads(&o, text, "data", err);
	if (rc < 0)
		return rc;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return xo_err(err, XENOPS_EINVAL, "data: must be an object");
	}
	if (json_object_object_length(o) == 0 || json_object_object_length(o) > XS_KEYS_MAX) {
		json_object_put(o);
		return xo_err(err, XENOPS_EINVAL, "data: must hold 1 to %d keys", XS_KEYS_MAX);
	}
	kv = calloc((size_t)json_object_object_length(o), sizeof(*kv));
	if (!kv) {
		json_object_put(o);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	json_object_object_foreach(o, key, val) {
		if (!xs_key_ok(key)) {
			rc = xo_err(err, XENOPS_EINVAL,
				    "data: key \"%.64s\" must be data/ and a path of [A-Za-z0-9_.-] segments, at most %d characters",
				    key, XS_KEY_MAX);
			break;
		}
		if (val && (!json_object_is_type(val, json_type_string) ||
			    json_object_get_string_len(val) > XS_VALUE_MAX)) {
			rc = xo_err(err, XENOPS_EINVAL,
				    "data: the value of \"%.64s\" must be a string of at most %d bytes, or null",
				    key, XS_VALUE_MAX);
			break;
		}
		kv[n].key = strdup(key);
		kv[n].value = val ? strdup(json_object_get_string(val)) : NULL;
		if (!kv[n].key || (val && !kv[n].value)) {
			n++;
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	json_object_put(o);
	if (rc < 0) {
		kv_free(kv, n);
		return rc;
	}
	*kv_out = kv;
	*n_out = n;
	return 0;
}

/* VM.set_scheduler's parameters, parsed. */
struct sched_change {
	bool has_weight, has_cap;
	unsigned int weight, cap;
	bool has_hard, has_soft;
	struct xo_affinity hard, soft;
};

static void sched_change_clear(struct sched_change *c)
{
	xo_affinity_clear(&c->hard);
	xo_affinity_clear(&c->soft);
}

/* {weight?, cap?, affinity?, soft_affinity?}, checked against @vcpus_max. */
static int sched_parse(const char *text, unsigned int vcpus_max, struct sched_change *c,
		       struct xo_error *err)
{
	static const char *const fields[] = { "weight", "cap", "affinity", "soft_affinity", NULL };
	struct json_object *o = NULL, *v;
	int64_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!text)
		return xo_err(err, XENOPS_EINVAL, "scheduler: no parameters");
	rc = xo_json_loads(&o, text, "scheduler", err);
	if (rc < 0)
		return rc;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return xo_err(err, XENOPS_EINVAL, "scheduler: must be an object");
	}
	rc = xo_jf_known(o, "scheduler", fields, err);
	if (rc >= 0 && json_object_object_length(o) == 0)
		rc = xo_err(err, XENOPS_EINVAL,
			    "scheduler: give at least one of weight, cap, affinity, soft_affinity");
	if (rc >= 0) {
		rc = xo_jf_int(o, "scheduler", "weight", 1, 65535, &n, err);
		c->has_weight = rc > 0;
		c->weight = rc > 0 ? (unsigned int)n : 0;
	}
	if (rc >= 0) {
		rc = xo_jf_int(o, "scheduler", "cap", 0, 65535, &n, err);
		c->has_cap = rc > 0;
		c->cap = rc > 0 ? (unsigned int)n : 0;
		if (rc > 0 && c->cap > 100 * vcpus_max)
			rc = xo_err(err, XENOPS_EINVAL,
				    "scheduler: field \"cap\" (%u) must not exceed 100 per vCPU (%u for vcpus_max %u)",
				    c->cap, 100 * vcpus_max, vcpus_max);
	}
	if (rc >= 0 && json_object_object_get_ex(o, "affinity", &v)) {
		rc = xo_affinity_from_json(&c->hard, v, "scheduler: field \"affinity\"", vcpus_max,
					   err);
		c->has_hard = rc >= 0;
	}
	if (rc >= 0 && json_object_object_get_ex(o, "soft_affinity", &v)) {
		rc = xo_affinity_from_json(&c->soft, v, "scheduler: field \"soft_affinity\"",
					   vcpus_max, err);
		c->has_soft = rc >= 0;
	}
	json_object_put(o);
	if (rc < 0) {
		sched_change_clear(c);
		return rc;
	}
	return 0;
}

/* The checks that need the VM's configuration (engine locked). */
int xo_ops_running_check_locked(const struct xo_vm *vm, const struct xo_op_req *req,
				struct xo_error *err)
{
	const struct xo_vm_config *cfg = vm->cfg;

	if (!cfg)
		return 0; /* the plan reports the error state */
	switch (req->op) {
	case XO_OP_VM_SET_MEMORY:
		/* The stored configuration must stay valid: the schema's minimum. */
		if (req->mem_target < 16 * MIB)
			return xo_err(err, XENOPS_EINVAL, "target_mib: must be at least 16");
		if (req->mem_max && req->mem_max < 16 * MIB)
			return xo_err(err, XENOPS_EINVAL, "max_mib: must be at least 16");
		if (req->mem_max > cfg->memory_max)
			return xo_err(err, XENOPS_EINVAL,
				      "max_mib: %" PRIu64 " MiB is above the VM's static maximum (memory_mib %" PRIu64 ")",
				      req->mem_max / MIB, cfg->memory_max / MIB);
		if (req->mem_target > (req->mem_max ? req->mem_max : cfg->memory_max))
			return xo_err(err, XENOPS_EINVAL,
				      "target_mib: %" PRIu64 " MiB is above the maximum of %" PRIu64 " MiB",
				      req->mem_target / MIB,
				      (req->mem_max ? req->mem_max : cfg->memory_max) / MIB);
		return 0;
	case XO_OP_VM_SET_XENSTORE: {
		struct xo_kv *kv;
		size_t n;
		int rc = xs_parse(req->xs_data, &kv, &n, err);

		if (rc == 0)
			kv_free(kv, n);
		return rc;
	}
	case XO_OP_VM_SET_SCHEDULER: {
		struct sched_change c;
		int rc = sched_parse(req->xs_data, cfg->vcpus_max, &c, err);

		if (rc == 0)
			sched_change_clear(&c);
		return rc;
	}
	case XO_OP_VM_SET_VCPUS:
		if (req->vcpus < 1 || req->vcpus > cfg->vcpus_max)
			return xo_err(err, XENOPS_EINVAL,
				      "vcpus: %u is not from 1 to the VM's vcpus_max (%u)", req->vcpus,
				      cfg->vcpus_max);
		return 0;
	default:
		return 0;
	}
}

struct cfg_change {
	struct xo_error *err;
	int rc;
};

/* Store the new value in the VM's configuration (locked, in a commit). */
static bool apply_running_cfg(struct xo_run *r, void *arg)
{
	struct cfg_change *c = arg;
	struct xo_vm_config *cfg = r->vm->cfg;
	uint64_t old_target, old_max;
	unsigned int old_vcpus;

	if (!cfg)
		return false;
	old_target = cfg->memory_target;
	old_max = cfg->memory_max;
	old_vcpus = cfg->vcpus;
	if (r->t->op == XO_OP_VM_SET_MEMORY) {
		cfg->memory_target = r->t->mem_target;
		/* The domain's new maximum is what it gets at every later start. */
		if (r->t->mem_max)
			cfg->memory_max = r->t->mem_max;
	} else {
		cfg->vcpus = r->t->vcpus;
	}
	c->rc = r->e->sops->put_vm(r->e->s, cfg, c->err);
	if (c->rc < 0) {
		cfg->memory_target = old_target;
		cfg->memory_max = old_max;
		cfg->vcpus = old_vcpus;
		return false;
	}
	xo_vm_cfg_changed_locked(r->vm);
	xo_unode_touch_locked(r->e, r->vm->un);
	return true;
}

/* The task's result: @s, built by the model (consumed; NULL: *err says why). */
static int set_result(struct xo_run *r, char *s, struct xo_error *err)
{
	if (!s)
		return err->code ? err->code : xo_err(err, XENOPS_ENOMEM, "out of memory");
	xo_engine_lock(r->e);
	free(r->t->result_json);
	r->t->result_json = s;
	xo_engine_unlock(r->e);
	return 0;
}

static int a_set_memory(struct xo_run *r, int arg, struct xo_error *err)
{
	struct cfg_change c = { .err = err };
	int rc;

	(void)arg;
	if (r->domid >= 0) {
		rc = r->e->bops->domain_set_memory(r->e->b, &r->env, r->domid, r->t->mem_target,
						   r->t->mem_max, err);
		if (rc < 0)
			return rc;
		/* Between the backend and the record: where the two views can part. */
		xo_crash_point(r->e);
	}
	xo_run_commit(r, apply_running_cfg, &c);
	if (c.rc < 0)
		return c.rc;
	if (r->domid < 0)
		return set_result(r, xo_memory_result_dumps(r->t->mem_target / MIB, 0, 0, 0, err),
				  err);
	return 0;
}

/* Close enough: within 1% of the target, at least 1 MiB. */
static bool balloon_reached(uint64_t actual, uint64_t target)
{
	uint64_t diff = actual > target ? actual - target : target - actual;
	uint64_t tol = target / 100 > MIB ? target / 100 : MIB;

	return diff <= tol;
}

static int a_wait_balloon(struct xo_run *r, int arg, struct xo_error *err)
{
	unsigned int timeout_ms = (r->t->timeout_s ? r->t->timeout_s : BALLOON_TIMEOUT_S) * 1000u;
	struct xo_domain_info *info = calloc(1, sizeof(*info));
	uint64_t start = xo_now_ms(), actual = 0;
	bool reached = false;
	int rc = 0;

	(void)arg;
	if (!info)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	for (;;) {
		rc = r->e->bops->domain_info(r->e->b, r->domid, info, err);
		if (rc < 0)
			break;
		actual = info->memory_actual;
		reached = balloon_reached(actual, r->t->mem_target);
		if (reached || xo_now_ms() - start >= timeout_ms)
			break;
		r->env.progress(&r->env, (double)(xo_now_ms() - start) / timeout_ms);
		rc = r->env.sleep(&r->env, BALLOON_POLL_MS, err);
		if (rc < 0)
			break;
	}
	free(info);
	if (rc < 0)
		return rc;
	if (!reached)
		xo_log(&r->e->log, XENOPS_LOG_WARNING,
		       "vm %s: the guest holds %" PRIu64 " MiB, not its target of %" PRIu64 " MiB, after %u s",
		       r->vm->id, actual / MIB, r->t->mem_target / MIB, timeout_ms / 1000);
	return set_result(r,
			  xo_memory_result_dumps(r->t->mem_target / MIB, 1, actual / MIB, reached,
						 err),
			  err);
}

static int a_set_vcpus(struct xo_run *r, int arg, struct xo_error *err)
{
	struct cfg_change c = { .err = err };
	int rc;

	(void)arg;
	if (r->domid >= 0) {
		rc = r->e->bops->domain_set_vcpus(r->e->b, &r->env, r->domid, r->t->vcpus, err);
		if (rc < 0)
			return rc;
		xo_crash_point(r->e);
	}
	xo_run_commit(r, apply_running_cfg, &c);
	if (c.rc < 0)
		return c.rc;
	return set_result(r, xo_vcpus_result_dumps(r->t->vcpus, r->domid >= 0, err), err);
}

struct sched_commit {
	struct sched_change *c;
	struct xo_error *err;
	int rc;
};

/* Store the new scheduler values in the VM's configuration (locked, in a commit). */
static bool apply_sched_cfg(struct xo_run *r, void *arg)
{
	struct sched_commit *sc = arg;
	struct xo_vm_config *cfg = r->vm->cfg;
	struct sched_change *c = sc->c;
	unsigned int old_weight, old_cap;
	struct xo_affinity old_hard, old_soft;

	if (!cfg)
		return false;
	old_weight = cfg->sched_weight;
	old_cap = cfg->sched_cap;
	old_hard = cfg->affinity;
	old_soft = cfg->soft_affinity;
	if (c->has_weight)
		cfg->sched_weight = c->weight;
	if (c->has_cap)
		cfg->sched_cap = c->cap;
	if (c->has_hard)
		cfg->affinity = c->hard;
	if (c->has_soft)
		cfg->soft_affinity = c->soft;
	sc->rc = r->e->sops->put_vm(r->e->s, cfg, sc->err);
	if (sc->rc < 0) {
		cfg->sched_weight = old_weight;
		cfg->sched_cap = old_cap;
		cfg->affinity = old_hard;
		cfg->soft_affinity = old_soft;
		return false;
	}
	xo_vm_cfg_changed_locked(r->vm);
	/* The configuration holds the new lists now, the change the old ones. */
	if (c->has_hard)
		c->hard = old_hard;
	if (c->has_soft)
		c->soft = old_soft;
	xo_unode_touch_locked(r->e, r->vm->un);
	return true;
}

static int a_set_scheduler(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_host_info *hi = calloc(1, sizeof(*hi));
	struct sched_change c;
	struct sched_commit sc = { .c = &c, .err = err };
	unsigned int vcpus_max;
	char *res;
	int rc;

	(void)arg;
	if (!hi)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	xo_engine_lock(r->e);
	vcpus_max = r->vm->cfg ? r->vm->cfg->vcpus_max : 1;
	xo_engine_unlock(r->e);
	rc = sched_parse(r->t->xs_data, vcpus_max, &c, err);
	if (rc < 0) {
		free(hi);
		return rc;
	}
	/* The host must have the CPUs named, running or not. */
	rc = r->e->bops->host_info(r->e->b, hi, err);
	if (rc == 0 && c.has_hard)
		rc = xo_affinity_check_host(&c.hard, "affinity", hi->nr_cpus, err);
	if (rc == 0 && c.has_soft)
		rc = xo_affinity_check_host(&c.soft, "soft_affinity", hi->nr_cpus, err);
	free(hi);
	if (rc == 0 && r->domid >= 0) {
		struct xo_sched_req req = { .weight = c.has_weight ? c.weight : 0,
					    .cap = c.has_cap ? (int)c.cap : -1,
					    .hard = c.has_hard ? &c.hard : NULL,
					    .soft = c.has_soft ? &c.soft : NULL };

		rc = r->e->bops->domain_set_sched
			     ? r->e->bops->domain_set_sched(r->e->b, &r->env, r->domid, &req, err)
			     : xo_err(err, XENOPS_ENOTSUP,
				      "this backend cannot change the scheduler of a running VM");
		if (rc == 0)
			xo_crash_point(r->e);
	}
	if (rc == 0) {
		xo_run_commit(r, apply_sched_cfg, &sc);
		rc = sc.rc;
	}
	sched_change_clear(&c);
	if (rc < 0)
		return rc;
	res = strdup(r->domid >= 0 ? "{\"applied\":true}" : "{\"applied\":false}");
	return set_result(r, res, err);
}

static int a_set_xenstore(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_kv *kv;
	size_t n;
	int rc = xs_parse(r->t->xs_data, &kv, &n, err);

	(void)arg;
	if (rc < 0)
		return rc;
	rc = r->e->bops->domain_set_xenstore(r->e->b, &r->env, r->domid, kv, n, err);
	kv_free(kv, n);
	return rc;
}

int xo_ops_plan_running_locked(struct xo_run *r, struct xo_error *err)
{
	struct xo_task *t = r->t;
	struct xo_op_req req = { .op = t->op, .mem_target = t->mem_target, .mem_max = t->mem_max,
				 .vcpus = t->vcpus, .xs_data = t->xs_data };
	int rc = xo_ops_running_check_locked(r->vm, &req, err);

	if (rc < 0)
		return rc;
	if (!has_domain(r->vm))
		r->domid = -1;
	switch (t->op) {
	case XO_OP_VM_SET_MEMORY:
		rc = xo_run_add_atom(r, "set_memory", W_FAST, a_set_memory, 0, err);
		if (rc == 0 && r->domid >= 0)
			rc = xo_run_add_atom(r, "wait_balloon", W_WAIT, a_wait_balloon, 0, err);
		return rc;
	case XO_OP_VM_SET_VCPUS:
		return xo_run_add_atom(r, "set_vcpus", W_FAST, a_set_vcpus, 0, err);
	case XO_OP_VM_SET_SCHEDULER:
		return xo_run_add_atom(r, "set_scheduler", W_FAST, a_set_scheduler, 0, err);
	case XO_OP_VM_SET_XENSTORE:
		if (r->domid < 0)
			return xo_err(err, XENOPS_EBADSTATE,
				      "VM \"%s\" is %s: guest xenstore data needs a running or paused VM",
				      r->vm->id, xo_power_state_name(r->vm->st.power));
		return xo_run_add_atom(r, "set_xenstore", W_FAST, a_set_xenstore, 0, err);
	default:
		return xo_err(err, XENOPS_EINTERNAL, "unknown running-guest operation %d", t->op);
	}
}
