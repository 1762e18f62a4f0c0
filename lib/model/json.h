/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's one set of JSON helpers (json.c): text <-> json-c objects,
 * strict typed field readers, checked writers (every json-c allocation is
 * checked, ENOMEM reported), and tables of struct members stored as JSON
 * integers. Every layer above the model builds its JSON with these.
 */
#ifndef XO_MODEL_JSON_H
#define XO_MODEL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "util/util.h"

/* Serialise to a new malloc'd string (free with free()); NULL on ENOMEM. */
char *xo_json_dumps(struct json_object *obj);
/* Parse text into an object; XENOPS_EINVAL naming @what on bad JSON. */
int xo_json_loads(struct json_object **out, const char *text, const char *what,
		  struct xo_error *err);

/* ---- reading: every function names "<what>: field \"<field>\"" on error ---- */

/* XENOPS_EINVAL naming the first key of @obj that is not in @known (NULL-ended). */
int xo_jf_known(struct json_object *obj, const char *what, const char *const *known,
		struct xo_error *err);
/*
 * Typed getters: 1 and *out set when the field is present, 0 when absent,
 * XENOPS_EINVAL for a wrong type or value. A present null is a wrong type:
 * configurations have no nullable fields.
 */
int xo_jf_string(struct json_object *obj, const char *what, const char *field, size_t max_len,
		 const char **out, struct xo_error *err);
int xo_jf_int(struct json_object *obj, const char *what, const char *field, int64_t min,
	      int64_t max, int64_t *out, struct xo_error *err);
int xo_jf_bool(struct json_object *obj, const char *what, const char *field, int *out,
	       struct xo_error *err);
/* A string that must be one of @names (NULL-ended): *out is its index. */
int xo_jf_enum(struct json_object *obj, const char *what, const char *field,
	       const char *const *names, int *out, struct xo_error *err);
/* The standard wrong-type message. */
int xo_jf_type_error(const char *what, const char *field, const char *expected,
		     struct xo_error *err);

/* Required fields: 0, or XENOPS_EINVAL naming @what and the field (also when missing). */
int xo_jf_need_string(struct json_object *obj, const char *what, const char *field, size_t max_len,
		      const char **out, struct xo_error *err);
int xo_jf_need_int(struct json_object *obj, const char *what, const char *field, int64_t min,
		   int64_t max, int64_t *out, struct xo_error *err);

/* ---- writing: 0 or XENOPS_ENOMEM ---- */

int xo_jw_string(struct json_object *obj, const char *key, const char *value, struct xo_error *err);
int xo_jw_int(struct json_object *obj, const char *key, int64_t value, struct xo_error *err);
int xo_jw_bool(struct json_object *obj, const char *key, int value, struct xo_error *err);
int xo_jw_double(struct json_object *obj, const char *key, double value, struct xo_error *err);
/* Adds @value (stolen even on failure; NULL means JSON null). */
int xo_jw_take(struct json_object *obj, const char *key, struct json_object *value,
	       struct xo_error *err);
/* A new empty object, or NULL with XENOPS_ENOMEM set. */
struct json_object *xo_jw_new_object(struct xo_error *err);

/* ---- struct members as JSON integers ---- */

enum xo_jfield_type { XO_JF_INT, XO_JF_UINT, XO_JF_U64, XO_JF_BOOL };

/* A struct member stored as a JSON integer within [min, max]. */
struct xo_jfield {
	const char *name;
	size_t offset;
	enum xo_jfield_type type;
	int64_t min, max;
};

/* Add every field of @base to @obj: 0 or XENOPS_ENOMEM. */
int xo_jw_fields(struct json_object *obj, const void *base, const struct xo_jfield *fields,
		 size_t n, struct xo_error *err);
/* Read every field (all required) into @base: 0 or XENOPS_EINVAL naming @what. */
int xo_jf_fields(void *base, struct json_object *obj, const char *what,
		 const struct xo_jfield *fields, size_t n, struct xo_error *err);

#endif /* XO_MODEL_JSON_H */
