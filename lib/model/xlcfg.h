/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xl.cfg(5) text to a VM template: the VM configuration with its "devices"
 * (the JSON that xenops_vm_add accepts). Pure: no I/O, no global state;
 * errors go to a caller-owned struct that names the key and the line.
 */
#ifndef XO_XLCFG_H
#define XO_XLCFG_H

#include <json-c/json.h>

/* Why a conversion failed. */
struct xo_xlcfg_error {
	int code;      /* XENOPS_EINVAL or XENOPS_ENOMEM */
	int line;      /* 1-based line of the statement; 0 when none */
	char key[64];  /* the xl.cfg key ("disk"), "" when none */
	char msg[512]; /* the whole message, starting with "line N: " when line > 0 */
};

/*
 * Convert the xl.cfg text @text (NUL-terminated) into a VM template object
 * (*out, owned by the caller, json_object_put). Returns 0, or a negative
 * XENOPS_E* code with @err filled and *out NULL. Keys and values this
 * conversion does not support are errors, never skipped.
 */
int xo_xlcfg_convert(struct json_object **out, const char *text, struct xo_xlcfg_error *err);

#endif /* XO_XLCFG_H */
