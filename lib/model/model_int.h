/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to lib/model: the strict JSON field readers and writers every
 * object uses, the per-kind device code, name tables and randomness.
 * Nothing outside lib/model includes this.
 */
#ifndef XO_MODEL_INT_H
#define XO_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* ---- reading: every function names "<what>: field \"<field>\"" on error ---- */

/* XENOPS_EINVAL naming the first key of @obj that is not in @known (NULL-ended). */
int xo_jf_known(struct json_object *obj, const char *what, const char *const *known, struct xo_error *err);
/*
 * Typed getters: 1 and *out set when the field is present, 0 when absent,
 * XENOPS_EINVAL for a wrong type or value. A present null is a wrong type:
 * configurations have no nullable fields.
 */
int xo_jf_string(struct json_object *obj, const char *what, const char *field, size_t max_len,
		 const char **out, struct xo_error *err);
int xo_jf_int(struct json_object *obj, const char *what, const char *field, int64_t min,
	      int64_t max, int64_t *out, struct xo_error *err);
int xo_jf_bool(struct json_object *obj, const char *what, const char *field, int *out, struct xo_error *err);
/* A string that must be one of @names (NULL-ended): *out is its index. */
int xo_jf_enum(struct json_object *obj, const char *what, const char *field,
	       const char *const *names, int *out, struct xo_error *err);
/* The standard wrong-type message. */
int xo_jf_type_error(const char *what, const char *field, const char *expected, struct xo_error *err);

/* ---- writing: 0 or XENOPS_ENOMEM (set through xo_err) ---- */

int xo_jw_string(struct json_object *obj, const char *key, const char *value, struct xo_error *err);
int xo_jw_int(struct json_object *obj, const char *key, int64_t value, struct xo_error *err);
int xo_jw_bool(struct json_object *obj, const char *key, int value, struct xo_error *err);
int xo_jw_double(struct json_object *obj, const char *key, double value, struct xo_error *err);
/* Adds @value (stolen even on failure; NULL means JSON null). */
int xo_jw_take(struct json_object *obj, const char *key, struct json_object *value, struct xo_error *err);
/* A new empty object, or NULL with XENOPS_ENOMEM set. */
struct json_object *xo_jw_new_object(struct xo_error *err);

/* ---- names (NULL-ended tables indexed by the enum value) ---- */

extern const char *const xo_action_names[];
extern const char *const xo_vm_type_names[];
extern const char *const xo_vm_boot_names[];
extern const char *const xo_power_state_names[];

/* ---- per-kind device code (dev_config.c dispatches) ---- */

int xo_vbd_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_vbd_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err);
int xo_vif_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_vif_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err);
int xo_pci_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_pci_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err);
/* Read the optional "id" of a device into cfg->id ("" stays "": defaulted later). */
int xo_dev_read_id(struct xo_dev_config *cfg, struct json_object *obj, const char *what, struct xo_error *err);

/* ---- randomness ---- */

/* Fill @buf from the kernel's CSPRNG; 0 or XENOPS_EINTERNAL. */
int xo_random_bytes(void *buf, size_t len, struct xo_error *err);
/* A random (version 4) UUID in lower case; 0 or XENOPS_EINTERNAL. */
int xo_uuid_generate(char out[37], struct xo_error *err);

#endif /* XO_MODEL_INT_H */
