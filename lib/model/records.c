/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON shapes of the engine's objects that are not configurations:
 * host information, intent records, task records and disagreements. Built
 * with the checked writers: every allocation failure is XENOPS_ENOMEM.
 */
#include "model/model_int.h"
#include "xenops/task.h"

struct json_object *xo_host_info_to_json(const char *backend, const struct xo_host_info *hi,
					 struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err), *c = NULL;
	int rc;

	if (!o)
		return NULL;
	rc = xo_jw_string(o, "backend", backend, err);
	if (rc == 0)
		rc = xo_jw_string(o, "hypervisor", hi->hypervisor, err);
	if (rc == 0)
		rc = xo_jw_int(o, "nr_cpus", hi->nr_cpus, err);
	if (rc == 0)
		rc = xo_jw_int(o, "total_memory", (int64_t)hi->total_memory, err);
	if (rc == 0)
		rc = xo_jw_int(o, "free_memory", (int64_t)hi->free_memory, err);
	if (rc == 0 && hi->n_counters) {
		c = xo_jw_new_object(err);
		rc = c ? 0 : XENOPS_ENOMEM;
		for (unsigned int i = 0; rc == 0 && i < hi->n_counters && i < XO_HOST_COUNTERS_MAX; i++)
			rc = xo_jw_int(c, hi->counters[i].name, (int64_t)hi->counters[i].value,
				       err);
		if (rc == 0)
			rc = xo_jw_take(o, "backend_counters", c, err);
		else
			json_object_put(c);
	}
	if (rc < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *xo_intent_to_json(const struct xo_intent *in, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);
	int rc;

	if (!o)
		return NULL;
	rc = xo_jw_string(o, "operation", xo_op_name(in->op, 0), err);
	if (rc == 0)
		rc = xo_jw_string(o, "task", in->task, err);
	if (rc == 0)
		rc = xo_jw_double(o, "started", in->started, err);
	if (rc == 0)
		rc = xo_jw_int(o, "flags", (int)in->flags, err);
	if (rc == 0 && in->path)
		rc = xo_jw_string(o, "path", in->path, err);
	if (rc == 0 && in->media)
		rc = xo_jw_string(o, "media", in->media, err);
	if (rc == 0 && in->dev && in->dev[0]) {
		rc = xo_jw_string(o, "device_kind", xo_kind_name(in->dev_kind), err);
		if (rc == 0)
			rc = xo_jw_string(o, "device", in->dev, err);
	}
	if (rc < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A time, or null before it happened. */
static int jw_time(struct json_object *o, const char *key, double t, struct xo_error *err)
{
	return t > 0 ? xo_jw_double(o, key, t, err) : xo_jw_take(o, key, NULL, err);
}

static struct json_object *error_json(const struct xo_error *e, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);

	if (o && (xo_jw_int(o, "code", e->code, err) < 0 ||
		  xo_jw_string(o, "name", xenops_strerror_name(e->code), err) < 0 ||
		  xo_jw_string(o, "message", xo_error_msg(e), err) < 0)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static int task_fields(struct json_object *o, const struct xo_task_record *t, struct xo_error *err)
{
	struct json_object *done, *v;
	int rc;

	rc = xo_jw_string(o, "id", t->id, err);
	if (rc == 0)
		rc = xo_jw_string(o, "operation", xo_op_name(t->op, t->dev_kind), err);
	if (rc == 0)
		rc = xo_jw_string(o, "vm", t->vm, err);
	if (rc == 0 && t->dev[0])
		rc = xo_jw_string(o, "device", t->dev, err);
	if (rc == 0)
		rc = xo_jw_string(o, "state", xo_task_state_name(t->state), err);
	if (rc == 0)
		rc = xo_jw_double(o, "progress", t->progress, err);
	if (rc == 0)
		rc = t->atom[0] ? xo_jw_string(o, "atom", t->atom, err) : xo_jw_take(o, "atom", NULL, err);
	if (rc < 0)
		return rc;
	done = json_object_new_array();
	if (!done)
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	for (size_t i = 0; i < t->ndone; i++) {
		v = json_object_new_string(t->done[i]);
		if (!v || json_object_array_add(done, v) < 0) {
			json_object_put(v);
			json_object_put(done);
			return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
		}
	}
	rc = xo_jw_take(o, "atoms_done", done, err);
	if (rc == 0 && t->done_times) {
		done = json_object_new_array();
		if (!done)
			return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
		rc = xo_jw_take(o, "atom_times", done, err);
		for (size_t i = 0; rc == 0 && i < t->ndone; i++) {
			v = xo_jw_new_object(err);
			rc = v ? xo_jw_string(v, "atom", t->done[i], err) : XENOPS_ENOMEM;
			if (rc == 0)
				rc = xo_jw_double(v, "started", t->done_times[2 * i], err);
			if (rc == 0)
				rc = xo_jw_double(v, "finished", t->done_times[2 * i + 1], err);
			if (rc == 0 && json_object_array_add(done, v) < 0)
				rc = xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
			if (rc < 0)
				json_object_put(v);
		}
	}
	if (rc == 0 && t->result_domid >= 0) {
		v = xo_jw_new_object(err);
		rc = v ? xo_jw_int(v, "domid", t->result_domid, err) : XENOPS_ENOMEM;
		rc = rc == 0 ? xo_jw_take(o, "result", v, err) : (json_object_put(v), rc);
	}
	if (rc == 0 && t->result_json) {
		rc = xo_json_loads(&v, t->result_json, "task result", err);
		rc = rc == 0 ? xo_jw_take(o, "result", v, err) : rc;
	}
	if (rc == 0 && t->migration) {
		v = xo_jw_new_object(err);
		rc = v ? 0 : XENOPS_ENOMEM;
		if (rc == 0)
			rc = xo_jw_int(v, "bytes", (int64_t)t->migration->bytes, err);
		if (rc == 0)
			rc = xo_jw_int(v, "iteration", t->migration->iteration, err);
		if (rc == 0)
			rc = xo_jw_int(v, "dirty_pages", (int64_t)t->migration->dirty_pages, err);
		if (rc == 0)
			rc = xo_jw_double(v, "dirty_rate", t->migration->dirty_rate, err);
		if (rc == 0)
			rc = xo_jw_string(v, "phase", t->migration->phase, err);
		rc = rc == 0 ? xo_jw_take(o, "migration", v, err) : (json_object_put(v), rc);
	}
	if (rc == 0 && (t->state == XENOPS_TASK_FAILED || t->state == XENOPS_TASK_CANCELLED)) {
		v = error_json(t->error, err);
		rc = v ? xo_jw_take(o, "error", v, err) : XENOPS_ENOMEM;
	}
	if (rc == 0)
		rc = jw_time(o, "created", t->created, err);
	if (rc == 0)
		rc = jw_time(o, "started", t->started, err);
	if (rc == 0)
		rc = jw_time(o, "finished", t->finished, err);
	return rc;
}

struct json_object *xo_task_record_to_json(const struct xo_task_record *t, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);

	if (o && task_fields(o, t, err) < 0) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

struct json_object *xo_disagreement_to_json(int kind, const char *id, const char *field,
					    const char *stored, const char *live, const char *seen,
					    struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);
	int rc;

	if (!o)
		return NULL;
	rc = xo_jw_string(o, "kind", xo_kind_name(kind), err);
	if (rc == 0)
		rc = xo_jw_string(o, "id", id, err);
	if (rc == 0)
		rc = xo_jw_string(o, "field", field, err);
	if (rc == 0)
		rc = xo_jw_string(o, "stored", stored, err);
	if (rc == 0)
		rc = xo_jw_string(o, "live", live, err);
	if (rc == 0 && seen)
		rc = xo_jw_string(o, "seen", seen, err);
	if (rc < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Serialise @o (consumed) to text; NULL with *err on failure. */
static char *dumps_consumed(struct json_object *o, int rc, struct xo_error *err)
{
	char *text = NULL;

	if (rc == 0) {
		text = xo_json_dumps(o);
		if (!text)
			xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	}
	json_object_put(o);
	return text;
}

char *xo_memory_result_dumps(uint64_t target_mib, int applied, uint64_t actual_mib, int reached,
			     struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);
	int rc;

	if (!o)
		return NULL;
	rc = xo_jw_int(o, "target_mib", (int64_t)target_mib, err);
	if (rc == 0 && applied)
		rc = xo_jw_int(o, "actual_mib", (int64_t)actual_mib, err);
	if (rc == 0 && applied)
		rc = xo_jw_bool(o, "reached", reached, err);
	if (rc == 0)
		rc = xo_jw_bool(o, "applied", applied, err);
	return dumps_consumed(o, rc, err);
}

char *xo_vcpus_result_dumps(unsigned int vcpus, int applied, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);
	int rc;

	if (!o)
		return NULL;
	rc = xo_jw_int(o, "vcpus", vcpus, err);
	if (rc == 0)
		rc = xo_jw_bool(o, "applied", applied, err);
	return dumps_consumed(o, rc, err);
}
