/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Statistics of VMs (VM.stats): a snapshot of the VM's domain and plugged
 * devices taken under the engine lock, then backend calls without it, so
 * that statistics never wait for a task. Memory in bytes, CPU time in
 * nanoseconds, "time" a monotonic timestamp in seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"
#include "engine/engine_int.h"
#include "model/json.h"

struct snap {
	int domid;
	uint64_t cfg_target, cfg_max;
	struct xo_dev_config **devs;
	size_t ndevs;
};

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->ndevs; i++)
		xo_dev_config_free(s->devs[i]);
	free(s->devs);
}

static int snap_take(struct xo_engine *e, const char *id, struct snap *s, struct xo_error *err)
{
	struct xo_vm *vm;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	xo_engine_lock(e);
	vm = xo_vm_find(e, id);
	if (!vm) {
		rc = xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", id);
		goto out;
	}
	s->domid = vm->st.power == XENOPS_POWER_RUNNING || vm->st.power == XENOPS_POWER_PAUSED
			   ? vm->st.domid
			   : -1;
	if (vm->cfg) {
		s->cfg_target = vm->cfg->memory_target ? vm->cfg->memory_target : vm->cfg->memory_max;
		s->cfg_max = vm->cfg->memory_max;
	}
	if (s->domid < 0 || !vm->ndevs)
		goto out;
	s->devs = calloc(vm->ndevs, sizeof(*s->devs));
	if (!s->devs) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < vm->ndevs && rc == 0; i++) {
		if (!vm->devs[i]->st.plugged || vm->devs[i]->cfg->kind == XENOPS_KIND_PCI)
			continue;
		s->devs[s->ndevs] = xo_dev_config_dup(vm->devs[i]->cfg, err);
		if (!s->devs[s->ndevs])
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		else
			s->ndevs++;
	}
out:
	xo_engine_unlock(e);
	if (rc < 0)
		snap_free(s);
	return rc;
}

static int64_t clamp(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_array(struct json_object *o, const char *key, struct json_object **arr,
		     struct xo_error *err)
{
	*arr = json_object_new_array();
	if (!*arr)
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	return xo_jw_take(o, key, *arr, err);
}

static int push(struct json_object *arr, struct json_object *v, struct xo_error *err)
{
	if (json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	}
	return 0;
}

static int fill_vcpus(struct json_object *arr, const struct xo_domain_stats *ds,
		      struct xo_error *err)
{
	int rc = 0;

	for (unsigned int i = 0; i < ds->vcpus_max && rc == 0; i++) {
		struct json_object *v = xo_jw_new_object(err);

		if (!v)
			return err->code;
		rc = xo_jw_int(v, "id", i, err);
		if (rc == 0)
			rc = xo_jw_bool(v, "online", ds->vcpu_online[i], err);
		if (rc == 0)
			rc = xo_jw_int(v, "time_ns", clamp(ds->vcpu_time_ns[i]), err);
		rc = rc == 0 ? push(arr, v, err) : (json_object_put(v), rc);
	}
	return rc;
}

static int fill_dev(struct xo_engine *e, const struct snap *s, const struct xo_dev_config *d,
		    struct json_object *arr, struct xo_error *err)
{
	static const char *const vbd_names[] = { "rd_reqs", "wr_reqs", "rd_sectors",
						 "wr_sectors" };
	static const char *const vif_names[] = { "rx_bytes", "tx_bytes", "rx_packets",
						 "tx_packets", "rx_drops", "tx_drops" };
	uint64_t c[XO_DEV_COUNTERS];
	struct xo_error derr = { 0 };
	struct json_object *v;
	int rc = e->bops->dev_stats(e->b, s->domid, d, c, &derr);
	size_t n = d->kind == XENOPS_KIND_VBD ? 4 : 6;

	if (rc < 0) {
		/* Unplugged meanwhile, or counters not there yet: the device is left out. */
		xo_log(&e->log, XENOPS_LOG_DEBUG, "stats: %s %s: %s", xo_kind_name(d->kind), d->id,
		       derr.msg);
		xo_error_clear(&derr);
		return 0;
	}
	v = xo_jw_new_object(err);
	if (!v)
		return err->code;
	rc = xo_jw_string(v, "id", d->id, err);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = xo_jw_int(v, d->kind == XENOPS_KIND_VBD ? vbd_names[i] : vif_names[i],
			       clamp(c[i]), err);
	return rc == 0 ? push(arr, v, err) : (json_object_put(v), rc);
}

/* The stats object of one VM, with its "id" first when @with_id. */
static struct json_object *vm_stats_json(struct xo_engine *e, const char *id, bool with_id,
					 struct xo_error *err)
{
	struct xo_domain_stats *ds = calloc(1, sizeof(*ds));
	struct json_object *o = NULL, *vcpus = NULL, *vbds = NULL, *vifs = NULL, *mem = NULL;
	struct snap s;
	int rc;

	if (!ds) {
		xo_err(err, XENOPS_ENOMEM, "out of memory");
		return NULL;
	}
	rc = snap_take(e, id, &s, err);
	if (rc < 0) {
		free(ds);
		return NULL;
	}
	if (s.domid >= 0) {
		struct xo_error derr = { 0 };

		if (e->bops->domain_stats(e->b, s.domid, ds, &derr) < 0) {
			/* The domain went away meanwhile: a halted VM's statistics. */
			xo_error_clear(&derr);
			s.domid = -1;
		}
	}
	if (s.domid < 0) {
		memset(ds, 0, sizeof(*ds));
		ds->memory_target = s.cfg_target;
		ds->memory_max = s.cfg_max;
	}
	o = xo_jw_new_object(err);
	rc = o ? 0 : err->code;
	if (rc == 0 && with_id)
		rc = xo_jw_string(o, "id", id, err);
	if (rc == 0)
		rc = xo_jw_double(o, "time", mono_seconds(), err);
	if (rc == 0)
		rc = add_array(o, "vcpus", &vcpus, err);
	if (rc == 0)
		rc = fill_vcpus(vcpus, ds, err);
	if (rc == 0) {
		mem = xo_jw_new_object(err);
		rc = mem ? xo_jw_take(o, "memory", mem, err) : err->code;
	}
	if (rc == 0)
		rc = xo_jw_int(mem, "target", clamp(ds->memory_target), err);
	if (rc == 0)
		rc = xo_jw_int(mem, "actual", clamp(ds->memory_actual), err);
	if (rc == 0)
		rc = xo_jw_int(mem, "max", clamp(ds->memory_max), err);
	if (rc == 0)
		rc = xo_engine_sched_json(e, s.domid, o, err);
	if (rc == 0)
		rc = add_array(o, "vbds", &vbds, err);
	if (rc == 0)
		rc = add_array(o, "vifs", &vifs, err);
	for (size_t i = 0; i < s.ndevs && rc == 0 && s.domid >= 0; i++)
		rc = fill_dev(e, &s, s.devs[i], s.devs[i]->kind == XENOPS_KIND_VBD ? vbds : vifs,
			      err);
	snap_free(&s);
	free(ds);
	if (rc < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int dump(struct json_object *o, char **json_out, struct xo_error *err)
{
	*json_out = xo_json_dumps(o);
	json_object_put(o);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

int xo_engine_vm_stats(struct xo_engine *e, const char *vm, char **json_out,
		       struct xo_error *err)
{
	struct json_object *o = vm_stats_json(e, vm, false, err);

	return o ? dump(o, json_out, err) : err->code;
}

int xo_engine_vm_stats_all(struct xo_engine *e, char **json_out, struct xo_error *err)
{
	struct xo_strv ids = { 0 };
	struct json_object *o = NULL, *arr = NULL;
	int rc = xo_engine_vm_list(e, &ids, err);

	if (rc == 0) {
		o = xo_jw_new_object(err);
		rc = o ? add_array(o, "vms", &arr, err) : err->code;
	}
	for (size_t i = 0; i < ids.n && rc == 0; i++) {
		struct xo_error verr = { 0 };
		struct json_object *v = vm_stats_json(e, ids.v[i], true, &verr);

		if (!v) {
			if (verr.code == XENOPS_ENOTFOUND) { /* removed meanwhile */
				xo_error_clear(&verr);
				continue;
			}
			rc = xo_err(err, verr.code, "%s", verr.msg);
			xo_error_clear(&verr);
			break;
		}
		rc = push(arr, v, err);
	}
	xo_strv_clear(&ids);
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	return dump(o, json_out, err);
}

/* ---- host facts (HOST.stat) and the hypervisor's log ---- */

int xo_engine_host_facts_json(struct xo_engine *e, struct json_object *o, struct xo_error *err)
{
	struct xo_host_facts *hf = calloc(1, sizeof(*hf));
	struct json_object *topo = NULL, *nodes = NULL;
	int rc;

	if (!hf)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = e->bops->host_facts(e->b, hf, err);
	if (rc == 0)
		rc = hf->xen_version[0] ? xo_jw_string(o, "xen_version", hf->xen_version, err)
					: xo_jw_take(o, "xen_version", NULL, err);
	if (rc == 0) {
		topo = xo_jw_new_object(err);
		rc = topo ? xo_jw_take(o, "cpu_topology", topo, err) : err->code;
	}
	if (rc == 0)
		rc = xo_jw_int(topo, "sockets", hf->sockets, err);
	if (rc == 0)
		rc = xo_jw_int(topo, "cores_per_socket", hf->cores_per_socket, err);
	if (rc == 0)
		rc = xo_jw_int(topo, "cores", (int64_t)hf->sockets * hf->cores_per_socket, err);
	if (rc == 0)
		rc = xo_jw_int(topo, "threads_per_core", hf->threads_per_core, err);
	if (rc == 0)
		rc = add_array(o, "numa_nodes", &nodes, err);
	for (unsigned int i = 0; i < hf->nr_nodes && rc == 0; i++) {
		struct json_object *n = xo_jw_new_object(err);

		if (!n) {
			rc = err->code;
			break;
		}
		rc = xo_jw_int(n, "id", i, err);
		if (rc == 0)
			rc = xo_jw_int(n, "total_memory", clamp(hf->nodes[i].total), err);
		if (rc == 0)
			rc = xo_jw_int(n, "free_memory", clamp(hf->nodes[i].free), err);
		rc = rc == 0 ? push(nodes, n, err) : (json_object_put(n), rc);
	}
	free(hf);
	return rc;
}

int xo_engine_host_dmesg(struct xo_engine *e, char **text_out, struct xo_error *err)
{
	int rc;

	*text_out = NULL;
	rc = e->bops->host_dmesg(e->b, text_out, err);
	/* Plain text for JSON clients: other bytes than printable ASCII, tab and newline become '?'. */
	for (unsigned char *p = (unsigned char *)*text_out; rc == 0 && p && *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7f)
			*p = '?';
	return rc;
}

/* Keep @gf for the next call, or free it if another one is kept already. */
static void gf_release(struct xo_engine *e, struct xo_guest_facts *gf)
{
	struct xo_guest_facts *none = NULL;

	if (!__atomic_compare_exchange_n(&e->gf_spare, &none, gf, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		free(gf);
}

int xo_engine_guest_facts_json(struct xo_engine *e, int domid, struct json_object *st,
			       struct xo_error *err)
{
	/* The backend fills the whole buffer: no need to clear it. */
	struct xo_guest_facts *gf = __atomic_exchange_n(&e->gf_spare, NULL, __ATOMIC_ACQUIRE);
	struct xo_error gone = { 0 };
	struct json_object *cons = NULL, *guest = NULL, *c;
	int rc;

	if (!gf && !(gf = malloc(sizeof(*gf))))
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (e->bops->guest_facts(e->b, domid, gf, &gone) < 0) {
		/* Gone meanwhile: nothing to add. */
		xo_error_clear(&gone);
		gf_release(e, gf);
		return 0;
	}
	rc = add_array(st, "consoles", &cons, err);
	if (rc == 0 && gf->console_path[0]) {
		c = xo_jw_new_object(err);
		rc = c ? xo_jw_string(c, "protocol", "vt100", err) : err->code;
		if (rc == 0)
			rc = xo_jw_string(c, "path", gf->console_path, err);
		rc = rc == 0 ? push(cons, c, err) : (c ? (json_object_put(c), rc) : rc);
	}
	if (rc == 0) {
		guest = xo_jw_new_object(err);
		rc = guest ? xo_jw_take(st, "guest", guest, err) : err->code;
	}
	for (size_t i = 0; i < gf->n_keys && rc == 0; i++)
		rc = xo_jw_string(guest, gf->keys[i].key, gf->keys[i].value, err);
	if (rc == 0 && gf->truncated)
		rc = xo_jw_bool(st, "guest_truncated", 1, err);
	gf_release(e, gf);
	return rc;
}
