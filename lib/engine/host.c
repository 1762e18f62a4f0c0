/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's backend: which one a context uses, and what the host is. */
#include <string.h>
#include <unistd.h>

#include "engine/engine_int.h"

const struct xo_backend_ops *xo_backend_pick(struct xo_engine *e, const char *name,
						 struct xo_error *err)
{
	if (!name) {
		bool xen = !access("/dev/xen/privcmd", F_OK) || !access("/proc/xen/privcmd", F_OK);

		name = xen ? "xen" : "sim";
		xo_log(&e->log, XENOPS_LOG_INFO, "backend: automatic choice \"%s\" (%s)", name,
		       xen ? "privcmd present" : "no Xen privcmd device");
	}
	if (!strcmp(name, "sim"))
		return &xo_backend_sim;
	if (!strcmp(name, "xen")) {
#ifdef XENOPS_HAVE_XEN
		return &xo_backend_xen;
#else
		xo_err(err, XENOPS_ENOTSUP,
		       "backend \"xen\": this build has no xen backend (libxen-dev missing at build time)");
		return NULL;
#endif
	}
	xo_err(err, XENOPS_EINVAL,
	       "options.backend: unknown backend \"%s\" (use \"xen\", \"sim\" or NULL)", name);
	return NULL;
}

int xo_engine_host_stat(struct xo_engine *e, char **json_out, struct xo_error *err)
{
	struct xo_host_info hi = { 0 };
	struct json_object *o;
	int rc = e->bops->host_info(e->b, &hi, err);

	if (rc < 0)
		return rc;
	o = xo_host_info_to_json(e->bops->name, &hi, err);
	if (!o)
		return err->code;
	rc = xo_engine_host_facts_json(e, o, err);
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	*json_out = xo_json_dumps(o);
	json_object_put(o);
	return *json_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

int xo_engine_set_option(struct xo_engine *e, const char *key, const char *value,
			 struct xo_error *err)
{
	if (strcmp(key, "boot.grub_pv") && strcmp(key, "boot.grub_pvh") &&
	    strcmp(key, "dm.restrict") && strcmp(key, "dm.uid_base"))
		return xo_err(err, XENOPS_EINVAL, "key: unknown option \"%.64s\"", key);
	if (!value)
		return xo_err(err, XENOPS_EINVAL, "value: must not be NULL");
	/* A backend without such an option (the simulator's dm.*) answers ENOTSUP. */
	if (!e->bops->set_knob)
		return xo_err(err, XENOPS_ENOTSUP, "%s: not supported by the %s backend", key,
			      e->bops->name);
	return e->bops->set_knob(e->b, key, value, err);
}
