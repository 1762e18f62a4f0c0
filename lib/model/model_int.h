/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to lib/model: the per-kind device code, name tables and
 * randomness (the JSON helpers are in model/json.h).
 * Nothing outside lib/model includes this.
 */
#ifndef XO_MODEL_INT_H
#define XO_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* ---- names (NULL-ended tables indexed by the enum value) ---- */

extern const char *const xo_action_names[];
extern const char *const xo_vm_type_names[];
extern const char *const xo_vm_boot_names[];
extern const char *const xo_hvm_firmware_names[];
extern const char *const xo_hvm_nic_names[];
extern const char *const xo_hvm_serial_names[];
extern const char *const xo_power_state_names[];

/* ---- per-kind device code (dev_config.c dispatches) ---- */

int xo_vbd_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_vbd_fill_json(struct json_object *obj, const struct xo_dev_config *cfg,
		     struct xo_error *err);
int xo_vif_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_vif_fill_json(struct json_object *obj, const struct xo_dev_config *cfg,
		     struct xo_error *err);
int xo_pci_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err);
int xo_pci_fill_json(struct json_object *obj, const struct xo_dev_config *cfg,
		     struct xo_error *err);
/* Read the optional "id" of a device into cfg->id ("" stays "": defaulted later). */
int xo_dev_read_id(struct xo_dev_config *cfg, struct json_object *obj, const char *what,
		   struct xo_error *err);

/* ---- randomness ---- */

/* Fill @buf from the kernel's CSPRNG; 0 or XENOPS_EINTERNAL. */
int xo_random_bytes(void *buf, size_t len, struct xo_error *err);
/* A random (version 4) UUID in lower case; 0 or XENOPS_EINTERNAL. */
int xo_uuid_generate(char out[37], struct xo_error *err);

#endif /* XO_MODEL_INT_H */
