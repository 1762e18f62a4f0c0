/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM and device states (what is, as opposed to what was asked for) and
 * their JSON form, which the store persists and the API returns.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "xenops/vm.h"

#define VM_WHAT "vm state"
#define DEV_WHAT "device state"
#define PATH_MAX_LEN 4096
#define XENBUS_STATE_MAX 8 /* XenbusStateReconfigured */

static const char *const vm_state_fields[] = {
	"power_state", "domid", "start_time", "last_shutdown_reason", "suspend_path", "error",
	NULL,
};
static const char *const error_fields[] = { "code", "name", "message", NULL };
static const char *const dev_state_fields[] = {
	"plugged", "active", "backend_state", "media_present", "carrier", "host_ifname", "in_image", NULL,
};

void xo_vm_state_init(struct xo_vm_state *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	st->power = XENOPS_POWER_HALTED;
	st->domid = -1;
}

void xo_vm_state_clear(struct xo_vm_state *st)
{
	if (!st)
		return;
	free(st->suspend_path);
	free(st->error);
	xo_vm_state_init(st);
}

static struct json_object *error_to_json(const struct xo_error *e, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);

	if (!o)
		return NULL;
	if (xo_jw_int(o, "code", e->code, err) < 0 ||
	    xo_jw_string(o, "name", xenops_strerror_name(e->code), err) < 0 ||
	    xo_jw_string(o, "message", e->msg, err) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int add_vm_extras(struct json_object *o, const struct xo_vm_state *st, struct xo_error *err)
{
	struct json_object *path = NULL, *eo = NULL;

	if (st->suspend_path) {
		path = json_object_new_string(st->suspend_path);
		if (!path)
			return xo_err(err, XENOPS_ENOMEM, VM_WHAT ": out of memory");
	}
	if (xo_jw_take(o, "suspend_path", path, err) < 0)
		return XENOPS_ENOMEM;
	if (st->error && st->error->code != 0) {
		eo = error_to_json(st->error, err);
		if (!eo)
			return XENOPS_ENOMEM;
	}
	return xo_jw_take(o, "error", eo, err);
}

struct json_object *xo_vm_state_to_json(const struct xo_vm_state *st, struct xo_error *err)
{
	struct json_object *o;
	const char *power;

	if (!st) {
		xo_err(err, XENOPS_EINVAL, VM_WHAT ": no state");
		return NULL;
	}
	power = st->power >= XENOPS_POWER_HALTED && st->power <= XENOPS_POWER_ERROR
			? xo_power_state_names[st->power]
			: "Error";
	o = xo_jw_new_object(err);
	if (!o)
		return NULL;
	if (xo_jw_string(o, "power_state", power, err) < 0 || xo_jw_int(o, "domid", st->domid,
									err) < 0 ||
	    xo_jw_double(o, "start_time", st->start_time, err) < 0 ||
	    xo_jw_string(o, "last_shutdown_reason", st->last_shutdown_reason, err) < 0 ||
	    add_vm_extras(o, st, err) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Integers are numbers too: a start time written as 0 must read back. */
static int read_start_time(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err)
{
	struct json_object *v;
	double t;

	if (!json_object_object_get_ex(obj, "start_time", &v))
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return xo_jf_type_error(VM_WHAT, "start_time", "a number", err);
	t = json_object_get_double(v);
	if (!isfinite(t) || t < 0)
		return xo_err(err, XENOPS_EINVAL,
			      VM_WHAT ": field \"start_time\" must be a time >= 0");
	st->start_time = t;
	return 0;
}

static int read_suspend_path(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err)
{
	struct json_object *v;
	const char *s;
	int r;

	if (!json_object_object_get_ex(obj, "suspend_path", &v) || !v)
		return 0;
	r = xo_jf_string(obj, VM_WHAT, "suspend_path", PATH_MAX_LEN, &s, err);
	if (r < 0)
		return r;
	st->suspend_path = strdup(s);
	return st->suspend_path ? 0 : xo_err(err, XENOPS_ENOMEM, VM_WHAT ": out of memory");
}

/* The name is derived from the code, so it is checked for type only. */
static int read_error(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err)
{
	static const char what[] = VM_WHAT ": error";
	struct json_object *e;
	const char *name, *msg = "";
	int64_t code = 0;
	int r;

	if (!json_object_object_get_ex(obj, "error", &e) || !e)
		return 0;
	if (!json_object_is_type(e, json_type_object))
		return xo_jf_type_error(VM_WHAT, "error", "null or an object", err);
	r = xo_jf_known(e, what, error_fields, err);
	if (r >= 0)
		r = xo_jf_int(e, what, "code", INT_MIN, -1, &code, err);
	if (r == 0)
		return xo_err(err, XENOPS_EINVAL, "%s: field \"code\" is required", what);
	if (r >= 0)
		r = xo_jf_string(e, what, "name", 64, &name, err);
	if (r >= 0)
		r = xo_jf_string(e, what, "message", SIZE_MAX, &msg, err);
	if (r < 0)
		return r;
	free(st->error);
	st->error = malloc(sizeof(*st->error));
	if (!st->error)
		return xo_err(err, XENOPS_ENOMEM, VM_WHAT ": out of memory");
	xo_error_set(st->error, (int)code, msg);
	return 0;
}

static int read_vm_state(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err)
{
	const char *reason = "";
	int64_t domid = -1;
	int r;

	r = xo_jf_known(obj, VM_WHAT, vm_state_fields, err);
	if (r >= 0)
		r = xo_jf_enum(obj, VM_WHAT, "power_state", xo_power_state_names, &st->power, err);
	if (r >= 0)
		r = xo_jf_int(obj, VM_WHAT, "domid", -1, INT_MAX, &domid, err);
	if (r >= 0)
		r = read_start_time(st, obj, err);
	if (r >= 0)
		r = xo_jf_string(obj, VM_WHAT, "last_shutdown_reason",
				 sizeof(st->last_shutdown_reason) - 1, &reason, err);
	if (r >= 0)
		r = read_suspend_path(st, obj, err);
	if (r >= 0)
		r = read_error(st, obj, err);
	if (r < 0)
		return r;
	st->domid = (int)domid;
	memcpy(st->last_shutdown_reason, reason, strlen(reason) + 1);
	return 0;
}

/* @st is written, never read: it need not be initialised, and what it held
 * before is not freed. On failure it is left empty (as after init). */
int xo_vm_state_from_json(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err)
{
	int r;

	if (!st)
		return xo_err(err, XENOPS_EINVAL, VM_WHAT ": no output");
	xo_vm_state_init(st);
	if (!json_object_is_type(obj, json_type_object))
		return xo_err(err, XENOPS_EINVAL, VM_WHAT ": must be a JSON object");
	r = read_vm_state(st, obj, err);
	if (r < 0)
		xo_vm_state_clear(st);
	return r;
}

static int fill_dev_state(struct json_object *o, int kind, const struct xo_dev_state *st,
			  struct xo_error *err)
{
	int r;

	r = xo_jw_bool(o, "plugged", st->plugged, err);
	if (r >= 0)
		r = xo_jw_bool(o, "active", st->active, err);
	if (r >= 0 && kind != XENOPS_KIND_PCI)
		r = xo_jw_int(o, "backend_state", st->backend_state, err);
	if (r >= 0 && kind == XENOPS_KIND_VBD)
		r = xo_jw_bool(o, "media_present", st->media_present, err);
	if (r >= 0 && kind == XENOPS_KIND_VIF)
		r = xo_jw_bool(o, "carrier", st->carrier, err);
	if (r >= 0 && kind == XENOPS_KIND_VIF)
		r = xo_jw_string(o, "host_ifname", st->host_ifname, err);
	/* Only while Suspended: the device is part of the suspend image. */
	if (r >= 0 && st->in_image)
		r = xo_jw_bool(o, "in_image", st->in_image, err);
	return r;
}

struct json_object *xo_dev_state_to_json(int kind, const struct xo_dev_state *st,
					 struct xo_error *err)
{
	struct json_object *o;

	if (!st || (kind != XENOPS_KIND_VBD && kind != XENOPS_KIND_VIF &&
		    kind != XENOPS_KIND_PCI)) {
		xo_err(err, XENOPS_EINVAL, DEV_WHAT ": no state of a device kind");
		return NULL;
	}
	o = xo_jw_new_object(err);
	if (o && fill_dev_state(o, kind, st, err) < 0) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static int read_dev_state(struct xo_dev_state *st, struct json_object *obj, struct xo_error *err)
{
	const char *ifname = "";
	int64_t bstate = 0;
	int r;

	r = xo_jf_known(obj, DEV_WHAT, dev_state_fields, err);
	if (r >= 0)
		r = xo_jf_bool(obj, DEV_WHAT, "plugged", &st->plugged, err);
	if (r >= 0)
		r = xo_jf_bool(obj, DEV_WHAT, "active", &st->active, err);
	if (r >= 0)
		r = xo_jf_int(obj, DEV_WHAT, "backend_state", 0, XENBUS_STATE_MAX, &bstate, err);
	if (r >= 0)
		r = xo_jf_bool(obj, DEV_WHAT, "media_present", &st->media_present, err);
	if (r >= 0)
		r = xo_jf_bool(obj, DEV_WHAT, "carrier", &st->carrier, err);
	if (r >= 0)
		r = xo_jf_string(obj, DEV_WHAT, "host_ifname", sizeof(st->host_ifname) - 1,
				 &ifname, err);
	if (r >= 0)
		r = xo_jf_bool(obj, DEV_WHAT, "in_image", &st->in_image, err);
	if (r < 0)
		return r;
	st->backend_state = (int)bstate;
	memcpy(st->host_ifname, ifname, strlen(ifname) + 1);
	return 0;
}

/* The shape of any kind: fields another kind does not have read as 0. */
int xo_dev_state_from_json(struct xo_dev_state *st, struct json_object *obj, struct xo_error *err)
{
	int r;

	if (!st)
		return xo_err(err, XENOPS_EINVAL, DEV_WHAT ": no output");
	memset(st, 0, sizeof(*st));
	if (!json_object_is_type(obj, json_type_object))
		return xo_err(err, XENOPS_EINVAL, DEV_WHAT ": must be a JSON object");
	r = read_dev_state(st, obj, err);
	if (r < 0)
		memset(st, 0, sizeof(*st));
	return r;
}
