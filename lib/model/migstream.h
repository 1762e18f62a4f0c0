/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The migration stream's own framing (docs/migration.md): the header that
 * opens it (magic, version, the VM's configuration as JSON) and the small
 * length-prefixed control messages of the check and commit handshakes.
 * Pure encoding and parsing: no I/O, so that the parsers can be fuzzed.
 */
#ifndef XO_MIGSTREAM_H
#define XO_MIGSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct json_object;

#define XO_MIG_MAGIC "XENOPSMG"
#define XO_MIG_MAGIC_LEN 8
#define XO_MIG_VERSION 1
#define XO_MIG_PREFIX_LEN 16          /* magic, version (be32), length (be32) */
#define XO_MIG_HEADER_MAX (256 * 1024) /* bytes of the header's JSON */
#define XO_MIG_MSG_MAX 4096           /* bytes of a control message's JSON */

/* Control messages, in handshake order. */
enum xo_mig_msg_kind {
	XO_MIG_READY,     /* receiver: the checks passed, send the memory */
	XO_MIG_REFUSED,   /* receiver: cannot run the VM (code, message) */
	XO_MIG_PREPARED,  /* receiver: restored and devices plugged, paused */
	XO_MIG_COMMIT,    /* sender: recorded, ownership may move */
	XO_MIG_COMMITTED, /* receiver: recorded, the VM is the receiver's */
	XO_MIG_ABORT,     /* either: giving up before the commit (code, message) */
	XO_MIG__KINDS
};

struct xo_mig_msg {
	int kind; /* enum xo_mig_msg_kind */
	int code; /* REFUSED, ABORT: a negative XENOPS_E* code, else 0 */
	char message[256];
};

/* The header's fixed prefix and JSON text as one buffer (free()). */
int xo_mig_header_encode(const char *vm_template, int live, int paused, char **buf_out,
			 size_t *len_out, struct xo_error *err);
/* Check the 16-byte prefix: magic, version; *len_out the JSON's length. */
int xo_mig_prefix_parse(const uint8_t *prefix, size_t n, uint32_t *len_out,
			struct xo_error *err);
/*
 * Parse the header's JSON: {"vm": {...}, "live": bool, "paused": bool}.
 * *vm_out (json_object_put) is the VM template, its "id" a valid id.
 */
int xo_mig_header_parse(const char *text, size_t len, struct json_object **vm_out,
			int *live_out, int *paused_out, struct xo_error *err);
/* One whole header (prefix and JSON), as a receiver meets it. */
int xo_mig_header_parse_all(const uint8_t *buf, size_t len, struct json_object **vm_out,
			    int *live_out, int *paused_out, struct xo_error *err);

/* A control message as its 4-byte length and JSON (free()). */
int xo_mig_msg_encode(const struct xo_mig_msg *m, char **buf_out, size_t *len_out,
		      struct xo_error *err);
/* Parse a message's JSON (the length already stripped and checked). */
int xo_mig_msg_parse(const char *text, size_t len, struct xo_mig_msg *out,
		     struct xo_error *err);
const char *xo_mig_msg_name(int kind);

uint32_t xo_be32_get(const uint8_t *p);
void xo_be32_put(uint8_t *p, uint32_t v);

#endif /* XO_MIGSTREAM_H */
