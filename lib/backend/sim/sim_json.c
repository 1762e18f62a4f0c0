/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: reading and writing the integer fields of its own
 * files (domains.json, save files) from tables of struct members.
 */
#include "sim.h"

#include <inttypes.h>
#include <string.h>

static int64_t field_load(const void *base, const struct xo_sim_field *f)
{
	const char *p = (const char *)base + f->offset;

	switch (f->type) {
	case XO_SIM_F_INT:
		return *(const int *)p;
	case XO_SIM_F_UINT:
		return *(const unsigned int *)p;
	case XO_SIM_F_U64:
		return (int64_t)*(const uint64_t *)p;
	default:
		return *(const bool *)p;
	}
}

/* @v is within the field's range, which fits its type. */
static void field_store(void *base, const struct xo_sim_field *f, int64_t v)
{
	char *p = (char *)base + f->offset;

	switch (f->type) {
	case XO_SIM_F_INT:
		*(int *)p = (int)v;
		break;
	case XO_SIM_F_UINT:
		*(unsigned int *)p = (unsigned int)v;
		break;
	case XO_SIM_F_U64:
		*(uint64_t *)p = (uint64_t)v;
		break;
	default:
		*(bool *)p = v != 0;
		break;
	}
}

int xo_sim_json_int(struct json_object *obj, const char *what, const char *field, int64_t min,
		    int64_t max, int64_t *out, struct xo_error *err)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, field, &v))
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" is missing", what, field);
	if (!json_object_is_type(v, json_type_int))
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" must be an integer", what, field);
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return xo_err(err, XENOPS_EINVAL,
			      "%s: field \"%s\" must be between %" PRId64 " and %" PRId64, what,
			      field, min, max);
	*out = n;
	return 0;
}

int xo_sim_json_str(struct json_object *obj, const char *what, const char *field, size_t max,
		    const char **out, struct xo_error *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, field, &v))
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" is missing", what, field);
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) > max)
		return xo_err(err, XENOPS_EINVAL,
			      "%s: field \"%s\" must be a string of at most %zu bytes", what, field,
			      max);
	*out = json_object_get_string(v);
	return 0;
}

int xo_sim_json_put(struct json_object *obj, const char *key, struct json_object *value, struct xo_error *err)
{
	if (!value || json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	return 0;
}

int xo_sim_fields_to_json(struct json_object *obj, const void *base,
			  const struct xo_sim_field *fields, size_t n, struct xo_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = xo_sim_json_put(obj, fields[i].name,
				     json_object_new_int64(field_load(base, &fields[i])), err);
	return rc;
}

int xo_sim_fields_from_json(void *base, struct json_object *obj, const char *what,
			    const struct xo_sim_field *fields, size_t n, struct xo_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v;
		int rc = xo_sim_json_int(obj, what, fields[i].name, fields[i].min, fields[i].max,
					 &v, err);

		if (rc < 0)
			return rc;
		field_store(base, &fields[i], v);
	}
	return 0;
}
