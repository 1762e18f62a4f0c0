/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The migration stream's framing: header and control messages, encoded
 * and parsed with bounds on every length, so that a hostile or confused
 * peer gets a clear error and never a large allocation.
 */
#include "model/migstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json.h"
#include "model/model.h"

static const char *const msg_names[XO_MIG__KINDS] = {
	[XO_MIG_READY] = "ready",         [XO_MIG_REFUSED] = "refused",
	[XO_MIG_PREPARED] = "prepared",   [XO_MIG_COMMIT] = "commit",
	[XO_MIG_COMMITTED] = "committed", [XO_MIG_ABORT] = "abort",
};

uint32_t xo_be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void xo_be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

const char *xo_mig_msg_name(int kind)
{
	return kind >= 0 && kind < XO_MIG__KINDS ? msg_names[kind] : "unknown";
}

int xo_mig_header_encode(const char *vm_template, int live, int paused, char **buf_out,
			 size_t *len_out, struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err), *vm = NULL;
	char *text = NULL, *buf = NULL;
	size_t n;
	int rc;

	if (!o)
		return XENOPS_ENOMEM;
	rc = xo_json_loads(&vm, vm_template, "vm template", err);
	if (rc == 0)
		rc = xo_jw_take(o, "vm", vm, err);
	if (rc == 0)
		rc = xo_jw_bool(o, "live", live, err);
	if (rc == 0)
		rc = xo_jw_bool(o, "paused", paused, err);
	if (rc == 0 && !(text = xo_json_dumps(o)))
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
	json_object_put(o);
	if (rc < 0)
		return rc;
	n = strlen(text);
	if (n > XO_MIG_HEADER_MAX) {
		free(text);
		return xo_err(err, XENOPS_EINVAL,
			      "the VM's configuration is %zu bytes, more than a migration header holds (%d)",
			      n, XO_MIG_HEADER_MAX);
	}
	buf = malloc(XO_MIG_PREFIX_LEN + n);
	if (!buf) {
		free(text);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	memcpy(buf, XO_MIG_MAGIC, XO_MIG_MAGIC_LEN);
	xo_be32_put((uint8_t *)buf + 8, XO_MIG_VERSION);
	xo_be32_put((uint8_t *)buf + 12, (uint32_t)n);
	memcpy(buf + XO_MIG_PREFIX_LEN, text, n);
	free(text);
	*buf_out = buf;
	*len_out = XO_MIG_PREFIX_LEN + n;
	return 0;
}

int xo_mig_prefix_parse(const uint8_t *prefix, size_t n, uint32_t *len_out, struct xo_error *err)
{
	uint32_t version, len;

	if (n < XO_MIG_PREFIX_LEN || memcmp(prefix, XO_MIG_MAGIC, XO_MIG_MAGIC_LEN) != 0)
		return xo_err(err, XENOPS_EINVAL, "not a libxenops migration stream (bad magic)");
	version = xo_be32_get(prefix + 8);
	if (version != XO_MIG_VERSION)
		return xo_err(err, XENOPS_ENOTSUP,
			      "migration stream version %u, this library speaks version %d", version,
			      XO_MIG_VERSION);
	len = xo_be32_get(prefix + 12);
	if (len == 0 || len > XO_MIG_HEADER_MAX)
		return xo_err(err, XENOPS_EINVAL,
			      "migration header of %u bytes (1 to %d allowed)", len,
			      XO_MIG_HEADER_MAX);
	*len_out = len;
	return 0;
}

static const char *const header_fields[] = { "vm", "live", "paused", NULL };
static const char *const msg_fields[] = { "msg", "code", "message", NULL };

/*
 * @len bytes of JSON text (no NUL, terminator or not) holding an object
 * with only @fields: *o_out, or an error naming @what.
 */
static int load_object(const char *text, size_t len, const char *what,
		       const char *const *fields, struct json_object **o_out,
		       struct xo_error *err)
{
	struct json_object *o = NULL;
	char *s;
	int rc;

	*o_out = NULL;
	if (memchr(text, '\0', len))
		return xo_err(err, XENOPS_EINVAL, "migration stream: NUL byte in JSON text");
	s = malloc(len + 1);
	if (!s)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	memcpy(s, text, len);
	s[len] = '\0';
	rc = xo_json_loads(&o, s, what, err);
	free(s);
	if (rc < 0)
		return rc;
	if (!json_object_is_type(o, json_type_object))
		rc = xo_err(err, XENOPS_EINVAL, "%s: not a JSON object", what);
	else
		rc = xo_jf_known(o, what, fields, err);
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	*o_out = o;
	return 0;
}

int xo_mig_header_parse(const char *text, size_t len, struct json_object **vm_out,
			int *live_out, int *paused_out, struct xo_error *err)
{
	static const char what[] = "migration header";
	struct json_object *o = NULL, *vm;
	const char *id;
	int live = 0, paused = 0;
	int rc = load_object(text, len, what, header_fields, &o, err);

	if (rc < 0)
		return rc;
	rc = xo_jf_bool(o, what, "live", &live, err);
	if (rc >= 0)
		rc = xo_jf_bool(o, what, "paused", &paused, err);
	if (rc < 0)
		goto out;
	if (!json_object_object_get_ex(o, "vm", &vm) || !json_object_is_type(vm, json_type_object)) {
		rc = xo_err(err, XENOPS_EINVAL, "%s: field \"vm\" must be an object", what);
		goto out;
	}
	rc = xo_jf_need_string(vm, "migration header: vm", "id", XO_ID_MAX, &id, err);
	if (rc == 0)
		rc = xo_id_check(id, "migration header: vm id", err);
	if (rc < 0)
		goto out;
	*vm_out = json_object_get(vm);
	*live_out = live;
	*paused_out = paused;
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int xo_mig_header_parse_all(const uint8_t *buf, size_t len, struct json_object **vm_out,
			    int *live_out, int *paused_out, struct xo_error *err)
{
	uint32_t n;
	int rc = xo_mig_prefix_parse(buf, len, &n, err);

	if (rc < 0)
		return rc;
	if (len - XO_MIG_PREFIX_LEN != n)
		return xo_err(err, XENOPS_EINVAL, "migration header: %zu bytes of JSON, %u announced",
			      len - XO_MIG_PREFIX_LEN, n);
	return xo_mig_header_parse((const char *)buf + XO_MIG_PREFIX_LEN, n, vm_out, live_out,
				   paused_out, err);
}

int xo_mig_msg_encode(const struct xo_mig_msg *m, char **buf_out, size_t *len_out,
		      struct xo_error *err)
{
	struct json_object *o = xo_jw_new_object(err);
	char *text = NULL, *buf;
	size_t n;
	int rc;

	if (!o)
		return XENOPS_ENOMEM;
	rc = xo_jw_string(o, "msg", xo_mig_msg_name(m->kind), err);
	if (rc == 0 && (m->kind == XO_MIG_REFUSED || m->kind == XO_MIG_ABORT)) {
		rc = xo_jw_int(o, "code", m->code, err);
		if (rc == 0)
			rc = xo_jw_string(o, "message", m->message, err);
	}
	if (rc == 0 && !(text = xo_json_dumps(o)))
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
	json_object_put(o);
	if (rc < 0)
		return rc;
	n = strlen(text);
	buf = n <= XO_MIG_MSG_MAX ? malloc(4 + n) : NULL;
	if (!buf) {
		free(text);
		return xo_err(err, n > XO_MIG_MSG_MAX ? XENOPS_EINTERNAL : XENOPS_ENOMEM,
			      "cannot encode a migration message of %zu bytes", n);
	}
	xo_be32_put((uint8_t *)buf, (uint32_t)n);
	memcpy(buf + 4, text, n);
	free(text);
	*buf_out = buf;
	*len_out = 4 + n;
	return 0;
}

int xo_mig_msg_parse(const char *text, size_t len, struct xo_mig_msg *out, struct xo_error *err)
{
	static const char what[] = "migration message";
	struct json_object *o = NULL;
	const char *name = NULL, *message = "";
	int64_t code = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > XO_MIG_MSG_MAX)
		return xo_err(err, XENOPS_EINVAL, "%s of %zu bytes (1 to %d allowed)", what, len,
			      XO_MIG_MSG_MAX);
	rc = load_object(text, len, what, msg_fields, &o, err);
	if (rc < 0)
		return rc;
	rc = xo_jf_need_string(o, what, "msg", 32, &name, err);
	if (rc >= 0)
		rc = xo_jf_int(o, what, "code", -1000, 0, &code, err);
	if (rc >= 0)
		rc = xo_jf_string(o, what, "message", sizeof(out->message) - 1, &message, err);
	if (rc < 0)
		goto out;
	out->kind = -1;
	for (int k = 0; k < XO_MIG__KINDS; k++)
		if (!strcmp(name, msg_names[k]))
			out->kind = k;
	if (out->kind < 0) {
		rc = xo_err(err, XENOPS_EINVAL, "%s: unknown message \"%.32s\"", what, name);
		goto out;
	}
	out->code = (int)code;
	if ((out->kind == XO_MIG_REFUSED || out->kind == XO_MIG_ABORT) && out->code == 0)
		out->code = XENOPS_EBACKEND;
	snprintf(out->message, sizeof(out->message), "%s", message);
	rc = 0;
out:
	json_object_put(o);
	return rc;
}
