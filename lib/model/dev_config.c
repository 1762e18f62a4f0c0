/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device configurations, whatever their kind: parsing entry points, ids,
 * JSON output, copies. The fields of each kind: {vbd,vif,pci}_config.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

static const char *kind_what(int kind)
{
	switch (kind) {
	case XENOPS_KIND_VBD:
		return "vbd config";
	case XENOPS_KIND_VIF:
		return "vif config";
	case XENOPS_KIND_PCI:
		return "pci config";
	default:
		return NULL;
	}
}

/*
 * An empty id is refused like any invalid one (ids become file names);
 * to_json leaves out the id of a parsed config that had none, so that
 * it parses back to the same configuration.
 */
int xo_dev_read_id(struct xo_dev_config *cfg, struct json_object *obj, const char *what,
		   struct xo_error *err)
{
	const char *s;
	int r = xo_jf_string(obj, what, "id", XO_ID_MAX, &s, err);

	if (r <= 0)
		return r;
	if (!xo_id_valid(s))
		return xo_err(err, XENOPS_EINVAL,
			      "%s: field \"id\" must be 1 to %d characters of [A-Za-z0-9_.:-], "
			      "not \".\" or \"..\"",
			      what, XO_ID_MAX);
	memcpy(cfg->id, s, strlen(s) + 1);
	return 0;
}

static int kind_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err)
{
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return xo_vbd_from_json(cfg, obj, err);
	case XENOPS_KIND_VIF:
		return xo_vif_from_json(cfg, obj, err);
	default:
		return xo_pci_from_json(cfg, obj, err);
	}
}

int xo_dev_config_from_json(struct xo_dev_config **out, int kind, struct json_object *obj,
			    struct xo_error *err)
{
	const char *what = kind_what(kind);
	struct xo_dev_config *cfg;
	int r;

	if (!out)
		return xo_err(err, XENOPS_EINVAL, "device config: no output");
	*out = NULL;
	if (!what)
		return xo_err(err, XENOPS_EINVAL, "device config: kind %d is not a device kind",
			      kind);
	if (!json_object_is_type(obj, json_type_object))
		return xo_err(err, XENOPS_EINVAL, "%s: must be a JSON object", what);
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return xo_err(err, XENOPS_ENOMEM, "%s: out of memory", what);
	cfg->kind = kind;
	r = kind_from_json(cfg, obj, err);
	if (r < 0) {
		xo_dev_config_free(cfg);
		return r;
	}
	*out = cfg;
	return 0;
}

int xo_dev_config_parse(struct xo_dev_config **out, int kind, const char *json_text,
			struct xo_error *err)
{
	const char *what = kind_what(kind);
	struct json_object *obj;
	int r;

	if (!out)
		return xo_err(err, XENOPS_EINVAL, "device config: no output");
	*out = NULL;
	if (!what)
		return xo_err(err, XENOPS_EINVAL, "device config: kind %d is not a device kind",
			      kind);
	r = xo_json_loads(&obj, json_text, what, err);
	if (r < 0)
		return r;
	r = xo_dev_config_from_json(out, kind, obj, err);
	json_object_put(obj);
	return r;
}

void xo_dev_config_default_id(struct xo_dev_config *cfg)
{
	if (!cfg || cfg->id[0])
		return;
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		xo_strlcpy(cfg->id, cfg->u.vbd.device, sizeof(cfg->id));
		break;
	case XENOPS_KIND_VIF:
		/* No index yet: the engine picks one, then calls us again. */
		if (cfg->u.vif.index >= 0)
			xo_fmt_ll(cfg->id, sizeof(cfg->id), cfg->u.vif.index);
		break;
	case XENOPS_KIND_PCI:
		xo_strlcpy(cfg->id, cfg->u.pci.address, sizeof(cfg->id));
		break;
	default:
		break;
	}
}

struct json_object *xo_dev_config_to_json(const struct xo_dev_config *cfg, struct xo_error *err)
{
	struct json_object *o;
	int r;

	if (!cfg || !kind_what(cfg->kind)) {
		xo_err(err, XENOPS_EINVAL, "device config: no configuration of a device kind");
		return NULL;
	}
	o = xo_jw_new_object(err);
	if (!o)
		return NULL;
	r = cfg->id[0] ? xo_jw_string(o, "id", cfg->id, err) : 0;
	if (r >= 0 && cfg->kind == XENOPS_KIND_VBD)
		r = xo_vbd_fill_json(o, cfg, err);
	else if (r >= 0 && cfg->kind == XENOPS_KIND_VIF)
		r = xo_vif_fill_json(o, cfg, err);
	else if (r >= 0)
		r = xo_pci_fill_json(o, cfg, err);
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The one owned string of each kind. */
static char **owned_string(struct xo_dev_config *cfg)
{
	switch (cfg->kind) {
	case XENOPS_KIND_VBD:
		return &cfg->u.vbd.backend;
	case XENOPS_KIND_VIF:
		return &cfg->u.vif.bridge;
	default:
		return NULL;
	}
}

struct xo_dev_config *xo_dev_config_dup(const struct xo_dev_config *cfg, struct xo_error *err)
{
	struct xo_dev_config *c;
	char **s;

	if (!cfg)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c)
		goto nomem;
	*c = *cfg;
	s = owned_string(c);
	if (s && *s) {
		*s = strdup(*s);
		if (!*s) {
			free(c);
			goto nomem;
		}
	}
	return c;
nomem:
	xo_err(err, XENOPS_ENOMEM, "device config: out of memory");
	return NULL;
}

void xo_dev_config_free(struct xo_dev_config *cfg)
{
	char **s;

	if (!cfg)
		return;
	s = owned_string(cfg);
	if (s)
		free(*s);
	free(cfg);
}
