/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: <state_dir>/sim/domains.json, the simulated host's
 * memory. Its domains outlive the process as real domains outlive the
 * daemon, so that recovery can be tested on the simulator.
 */
#include "sim.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_FILE "domains.json"
#define TABLE_FORMAT "xenops-sim-domains"
#define TABLE_VERSION 1
#define TABLE_MAX (256 * 1024 * 1024)
#define MS_MAX (INT64_MAX / 1000000) /* run times in ns must fit an int64 */

#define DOM_FIELD(name, member, type, min, max) \
	{ name, offsetof(struct xo_sim_dom, member), type, min, max }
#define DEV_FIELD(name, member, min, max) \
	{ name, offsetof(struct xo_sim_dev, member), XO_JF_INT, min, max }

static const struct xo_jfield dom_fields[] = {
	DOM_FIELD("domid", domid, XO_JF_INT, 1, INT_MAX),
	DOM_FIELD("status", status, XO_JF_INT, XO_DOM_RUNNING, XO_DOM_DYING),
	DOM_FIELD("reason", reason, XO_JF_INT, XO_SHUTDOWN_NONE, XO_SHUTDOWN_WATCHDOG),
	DOM_FIELD("built", built, XO_JF_BOOL, 0, 1),
	DOM_FIELD("hvm", hvm, XO_JF_BOOL, 0, 1),
	DOM_FIELD("dm", dm, XO_JF_INT, XO_SIM_DM_NONE, XO_SIM_DM_DEAD),
	DOM_FIELD("memory_max", memory_max, XO_JF_U64, 1, XO_SIM_TOTAL_MEMORY),
	DOM_FIELD("memory_target", memory_target, XO_JF_U64, 1, XO_SIM_TOTAL_MEMORY),
	DOM_FIELD("vcpus_max", vcpus_max, XO_JF_UINT, 1, XO_MAX_VCPUS),
	DOM_FIELD("vcpus", vcpus, XO_JF_UINT, 1, XO_MAX_VCPUS),
	DOM_FIELD("cpu_base_ns", cpu_base_ns, XO_JF_U64, 0, INT64_MAX / 2),
	DOM_FIELD("run_ms", run_ms, XO_JF_U64, 0, MS_MAX / 2),
	DOM_FIELD("run_since", run_since, XO_JF_U64, 0, MS_MAX / 2),
	DOM_FIELD("req_reason", req_reason, XO_JF_INT, XO_SHUTDOWN_NONE, XO_SHUTDOWN_SUSPEND),
	DOM_FIELD("req_run_ms", req_run_ms, XO_JF_U64, 0, MS_MAX / 2),
	DOM_FIELD("acked", acked, XO_JF_BOOL, 0, 1),
	DOM_FIELD("ack_run_ms", ack_run_ms, XO_JF_U64, 0, MS_MAX / 2),
};

static const struct xo_jfield dev_fields[] = {
	DEV_FIELD("kind", kind, XENOPS_KIND_VBD, XENOPS_KIND_PCI),
	DEV_FIELD("vif_index", vif_index, 0, INT_MAX),
	DEV_FIELD("active", active, 0, 1),
	DEV_FIELD("backend_state", backend_state, 0, 8),
	DEV_FIELD("media_present", media_present, 0, 1),
	DEV_FIELD("carrier", carrier, 0, 1),
};

/* ---- writing ---- */

static struct json_object *dev_to_json(const struct xo_sim_dev *v, struct xo_error *err)
{
	struct json_object *obj = json_object_new_object();

	if (!obj || xo_jw_string(obj, "id", v->id, err) < 0 ||
	    xo_jw_string(obj, "slot", v->slot, err) < 0 ||
	    xo_jw_fields(obj, v, dev_fields, XO_ARRAY_SIZE(dev_fields), err) < 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *dom_to_json(const struct xo_sim_dom *d, struct xo_error *err)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *devs = json_object_new_array();
	struct json_object *sched = xo_sim_sched_to_json(d, err);

	int taken;

	if (!obj || !sched)
		goto fail;
	taken = xo_jw_take(obj, "sched", sched, err);
	sched = NULL; /* the object's now, or put by the failed take */
	if (taken < 0)
		goto fail;
	if (!obj || !devs || xo_jw_string(obj, "vm", d->vm_id, err) < 0 ||
	    xo_jw_double(obj, "start_time", d->start_time, err) < 0 ||
	    xo_jw_fields(obj, d, dom_fields, XO_ARRAY_SIZE(dom_fields), err) < 0)
		goto fail;
	for (const struct xo_sim_dev *v = d->devs; v; v = v->next) {
		struct json_object *jv = dev_to_json(v, err);

		if (!jv || json_object_array_add(devs, jv) < 0) {
			json_object_put(jv);
			goto fail;
		}
	}
	if (xo_jw_take(obj, "devices", devs, err) == 0)
		return obj;
	devs = NULL; /* taken by the failed put */
fail:
	json_object_put(sched);
	json_object_put(devs);
	json_object_put(obj);
	return NULL;
}

static char *table_text(const struct xo_backend *b, struct xo_error *err)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *doms = json_object_new_array();
	char *text = NULL;

	if (!obj || !doms || xo_jw_string(obj, "format", TABLE_FORMAT, err) ||
	    xo_jw_int(obj, "version", TABLE_VERSION, err) ||
	    xo_jw_string(obj, "boot_id", b->boot_id, err) ||
	    xo_jw_int(obj, "next_domid", b->next_domid, err))
		goto out;
	for (size_t i = 0; i < b->n_doms; i++) {
		struct json_object *jd = dom_to_json(b->doms[i], err);

		if (!jd || json_object_array_add(doms, jd) < 0) {
			json_object_put(jd);
			goto out;
		}
	}
	if (xo_jw_take(obj, "domains", doms, err) == 0)
		text = xo_json_dumps(obj);
	doms = NULL;
out:
	json_object_put(doms);
	json_object_put(obj);
	return text;
}

/*
 * A failure is logged and the operation stands: the simulated host did
 * change, only its copy on disk is stale, as a daemon's would be.
 */
void xo_sim_store_save(struct xo_backend *b)
{
	struct xo_error err_value, *err = &err_value; /* not passed up: logged or ignored */
	char *text;
	int rc;

	if (!b->dir)
		return;
	xo_error_clear(err); /* after the check: without a directory this is called per change */
	text = table_text(b, err);
	rc = text ? xo_write_file_atomic(b->dir, TABLE_FILE, text, strlen(text), err)
		  : xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (rc < 0)
		xo_log(&b->log, XENOPS_LOG_WARNING, "simulator: cannot save %s/%s: %s", b->dir,
		       TABLE_FILE, err->msg);
	free(text);
}

/* ---- loading ---- */

static int dev_from_json(struct xo_sim_dom *d, struct json_object *obj, const char *what,
			 struct xo_error *err)
{
	struct xo_sim_dev *v = calloc(1, sizeof(*v));
	const char *id, *slot;
	int rc;

	if (!v)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = xo_jf_need_string(obj, what, "id", XO_ID_MAX, &id, err);
	if (rc == 0)
		rc = xo_jf_need_string(obj, what, "slot", XO_ID_MAX, &slot, err);
	if (rc == 0)
		rc = xo_jf_fields(v, obj, what, dev_fields, XO_ARRAY_SIZE(dev_fields), err);
	if (rc == 0 && (!xo_id_valid(id) || !*slot))
		rc = xo_err(err, XENOPS_EINVAL, "%s: bad device id or slot", what);
	if (rc == 0 && xo_sim_dev_find(d, v->kind, id))
		rc = xo_err(err, XENOPS_EINVAL, "%s: device %s twice", what, id);
	if (rc < 0) {
		free(v);
		return rc;
	}
	snprintf(v->id, sizeof(v->id), "%s", id);
	snprintf(v->slot, sizeof(v->slot), "%s", slot);
	xo_sim_dev_append(d, v);
	return 0;
}

static int dom_check(const struct xo_sim_dom *d, const char *what, uint64_t now,
		     struct xo_error *err)
{
	if (!xo_id_valid(d->vm_id))
		return xo_err(err, XENOPS_EINVAL, "%s: bad VM id", what);
	if (d->vcpus > d->vcpus_max || d->memory_target > d->memory_max)
		return xo_err(err, XENOPS_EINVAL, "%s: vcpus or memory out of range", what);
	/* The guests' clocks are monotonic times of this boot of the machine. */
	if (d->run_since > now)
		return xo_err(err, XENOPS_EINVAL, "%s: its clock is in the future", what);
	return 0;
}

static int dom_from_json(struct xo_backend *b, struct json_object *obj, size_t index,
			 struct xo_error *err)
{
	struct xo_sim_dom *d = calloc(1, sizeof(*d));
	struct json_object *devs = NULL, *start;
	char what[64];
	const char *vm;
	int rc;

	snprintf(what, sizeof(what), "domain #%zu", index);
	if (!d)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = xo_jf_need_string(obj, what, "vm", XO_ID_MAX, &vm, err);
	if (rc == 0)
		rc = xo_jf_fields(d, obj, what, dom_fields, XO_ARRAY_SIZE(dom_fields), err);
	if (rc == 0 && (!json_object_object_get_ex(obj, "start_time", &start) ||
			!json_object_is_type(start, json_type_double) ||
			!json_object_object_get_ex(obj, "devices", &devs) ||
			!json_object_is_type(devs, json_type_array)))
		rc = xo_err(err, XENOPS_EINVAL, "%s: bad start_time or devices", what);
	if (rc == 0) {
		snprintf(d->vm_id, sizeof(d->vm_id), "%s", vm);
		d->start_time = json_object_get_double(start);
		rc = dom_check(d, what, xo_now_ms(), err);
	}
	if (rc == 0)
		rc = xo_sim_sched_from_json(d, obj, what, err);
	for (size_t i = 0; rc == 0 && i < json_object_array_length(devs); i++)
		rc = dev_from_json(d, json_object_array_get_idx(devs, i), what, err);
	if (rc == 0 && xo_sim_find(b, d->domid))
		rc = xo_err(err, XENOPS_EINVAL, "%s: domid %d twice", what, d->domid);
	if (rc == 0)
		rc = xo_sim_insert(b, d, err);
	if (rc < 0)
		xo_sim_dom_free(d);
	return rc;
}

/*
 * Which boot of the machine this is: domains do not outlive a reboot, and
 * the guests' clocks (monotonic times) only make sense within one boot.
 * Left empty where the kernel does not tell.
 */
static void read_boot_id(struct xo_backend *b)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	char *text = NULL;

	if (xo_read_file(&text, NULL, "/proc/sys/kernel/random/boot_id", 64, err) == 0)
		snprintf(b->boot_id, sizeof(b->boot_id), "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
}

/* 1: the table is from an earlier boot (nothing loaded), 0: loaded, < 0: corrupt. */
static int table_from_json(struct xo_backend *b, struct json_object *obj, const char *what,
			   struct xo_error *err)
{
	struct json_object *doms;
	const char *format, *boot;
	int64_t version, next;
	int rc;

	if (!json_object_is_type(obj, json_type_object))
		return xo_err(err, XENOPS_EINVAL, "%s: not a JSON object", what);
	rc = xo_jf_need_string(obj, what, "format", 64, &format, err);
	if (rc == 0 && strcmp(format, TABLE_FORMAT) != 0)
		rc = xo_err(err, XENOPS_EINVAL, "%s: format is not %s", what, TABLE_FORMAT);
	if (rc == 0)
		rc = xo_jf_need_int(obj, what, "version", TABLE_VERSION, TABLE_VERSION, &version,
				    err);
	if (rc == 0)
		rc = xo_jf_need_string(obj, what, "boot_id", sizeof(b->boot_id) - 1, &boot, err);
	if (rc == 0 && *boot && *b->boot_id && strcmp(boot, b->boot_id) != 0)
		return 1;
	if (rc == 0)
		rc = xo_jf_need_int(obj, what, "next_domid", 1, INT_MAX, &next, err);
	if (rc == 0 && (!json_object_object_get_ex(obj, "domains", &doms) ||
			!json_object_is_type(doms, json_type_array)))
		rc = xo_err(err, XENOPS_EINVAL, "%s: field \"domains\" must be an array", what);
	for (size_t i = 0; rc == 0 && i < json_object_array_length(doms); i++)
		rc = dom_from_json(b, json_object_array_get_idx(doms, i), i, err);
	if (rc < 0)
		return rc;
	b->next_domid = (int)next;
	/* Never hand out a domid still in use. */
	if (b->n_doms && b->doms[b->n_doms - 1]->domid >= b->next_domid)
		b->next_domid = b->doms[b->n_doms - 1]->domid + 1;
	return 0;
}

void xo_sim_store_load(struct xo_backend *b)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	struct json_object *obj = NULL;
	char *path = xo_asprintf("%s/%s", b->dir, TABLE_FILE);
	char *text = NULL;
	int rc;

	read_boot_id(b);
	if (!path) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	rc = xo_read_file(&text, NULL, path, TABLE_MAX, err);
	if (rc == XENOPS_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc == 0)
		rc = xo_json_loads(&obj, text, path, err);
	if (rc == 0)
		rc = table_from_json(b, obj, path, err);
	if (rc == 1)
		xo_log(&b->log, XENOPS_LOG_INFO,
		       "simulator: the machine rebooted since %s was written: no domain survived",
		       path);
out:
	if (rc < 0) {
		xo_log(&b->log, XENOPS_LOG_WARNING,
		       "simulator: ignoring %s: %s; the host starts with no domains",
		       path ? path : TABLE_FILE, err->msg);
		xo_sim_clear(b);
		b->next_domid = 1;
	}
	json_object_put(obj);
	free(text);
	free(path);
}
