/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenbus device layer of the xen backend, for every split-device kind:
 * frontend and backend directories, the standard keys, state reads, the
 * wait for the backend to connect, the closing handshake, node removal and
 * the rollback of a failed plug. The kinds (vbd.c, vif.c) add their keys
 * and host-side work through struct xo_xenbus_kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xenbus.h"

#define XO_XENBUS_CONNECT_MS 30000u
#define XO_XENBUS_CLOSE_MS 20000u
#define XO_XENBUS_POLL_MS 20u

/* ---- paths, keys, states ---- */

/* Only CD drives ask: the others' plug costs no xenstore read for it. */
static bool xo_xenbus_dm_cd(struct xo_backend *b, int domid, const struct xo_dev_config *cfg)
{
	return cfg->kind == XENOPS_KIND_VBD && cfg->u.vbd.cdrom && xo_xen_dm_needed(b, domid);
}

int xo_xenbus_dev_init(struct xo_xenbus_dev *d, const struct xo_xenbus_kind *kind, int domid,
		       const struct xo_dev_config *cfg, struct xo_error *err)
{
	char name[24];

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->cfg = cfg;
	d->domid = domid;
	d->bk.fd = -1;
	d->devid = kind->devid(cfg, err);
	if (d->devid < 0)
		return d->devid;
	snprintf(d->fe, sizeof(d->fe), "/local/domain/%d/device/%s/%d", domid, kind->name, d->devid);
	snprintf(d->be, sizeof(d->be), "/local/domain/0/backend/%s/%d/%d", kind->name, domid,
		 d->devid);
	kind->label(cfg, name, sizeof(name));
	snprintf(d->label, sizeof(d->label), "%s %s of domain %d", kind->title, name, domid);
	return 0;
}

int xo_xenbus_write(struct xo_backend *b, xs_transaction_t t, const char *dir, const char *key,
		    const char *value, struct xo_error *err)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	/* Children inherit the directory's permissions. */
	return xo_xs_write_perms(b, t, path, value, NULL, 0, err);
}

int xo_xenbus_write_all(struct xo_backend *b, xs_transaction_t t, const char *dir,
			const struct xo_xenbus_kv *kv, size_t n, struct xo_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = xo_xenbus_write(b, t, dir, kv[i].key, kv[i].value, err);
	return rc;
}

int xo_xenbus_state(struct xo_backend *b, const char *dir)
{
	char *v = xo_xs_readf(b->xsh, XBT_NULL, "%s/state", dir);
	int s;

	if (!v)
		return -1;
	s = atoi(v);
	free(v);
	return s;
}

int xo_xenbus_plugged_state(struct xo_backend *b, const struct xo_xenbus_dev *d,
			    struct xo_error *err)
{
	int s = xo_xenbus_state(b, d->be);

	if (s < 0)
		return xo_err(err, XENOPS_ENOTFOUND, "xen backend: %s is not plugged", d->label);
	return s;
}

/* Running: can a frontend react (not paused, shut down or dying)? */
static bool domain_running(struct xo_backend *b, int domid)
{
	struct xo_error ignored = { 0 };
	xc_domaininfo_t info;

	if (xo_xen_getinfo_one(b, domid, &info, &ignored) < 0)
		return false;
	return !(info.flags & (XEN_DOMINF_paused | XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

/* ---- the plug transaction ---- */

/* A fresh @dir with the two permissions @p and the standard keys @kv. */
static int write_dir(struct xo_backend *b, xs_transaction_t t, const char *dir,
		     struct xs_permissions *p, const struct xo_xenbus_kv *kv, size_t n,
		     struct xo_error *err)
{
	int rc = xo_xs_rm(b, t, dir, err);

	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, dir, p, 2, err);
	return rc == 0 ? xo_xenbus_write_all(b, t, dir, kv, n, err) : rc;
}

static int write_frontend(struct xo_backend *b, xs_transaction_t t, const struct xo_xenbus_dev *d,
			  struct xo_error *err)
{
	/* The guest owns its end; dom0 may read it. */
	struct xs_permissions p[2] = { { .id = (unsigned int)d->domid, .perms = XS_PERM_NONE },
				       { .id = 0, .perms = XS_PERM_READ } };
	const struct xo_xenbus_kv kv[] = {
		{ "backend", d->be },
		{ "backend-id", "0" },
		{ "state", "1" },
	};
	int rc = write_dir(b, t, d->fe, p, kv, XO_ARRAY_SIZE(kv), err);

	return rc == 0 ? d->kind->frontend_keys(b, t, d, err) : rc;
}

static int write_backend(struct xo_backend *b, xs_transaction_t t, const struct xo_xenbus_dev *d,
			 struct xo_error *err)
{
	struct xs_permissions p[2];
	char fe_id[16];
	const struct xo_xenbus_kv kv[] = {
		{ "frontend", d->fe },
		{ "frontend-id", fe_id },
		{ "online", "1" },
		{ "state", "1" },
	};
	int rc;

	snprintf(fe_id, sizeof(fe_id), "%d", d->domid);
	/* dom0 owns the backend's end; the guest may read it. */
	xo_xs_perms_ro(p, d->domid);
	rc = write_dir(b, t, d->be, p, kv, XO_ARRAY_SIZE(kv), err);
	return rc == 0 ? d->kind->backend_keys(b, t, d, err) : rc;
}

static int plug_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	int rc = write_frontend(b, t, arg, err);

	return rc == 0 ? write_backend(b, t, arg, err) : rc;
}

static int rm_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct xo_xenbus_dev *d = arg;
	int rc = xo_xs_rm(b, t, d->be, err);

	return rc == 0 ? xo_xs_rm(b, t, d->fe, err) : rc;
}

static int remove_nodes(struct xo_backend *b, const struct xo_xenbus_dev *d, struct xo_error *err)
{
	char what[32];

	snprintf(what, sizeof(what), "remove %s nodes", d->kind->title);
	return xo_xs_transaction(b, what, rm_txn, (void *)d, err);
}

/* ---- waits ---- */

static int wait_connected(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_dev *d,
			  bool running, struct xo_error *err)
{
	uint64_t start = xo_now_ms();

	for (;;) {
		int s = xo_xenbus_state(b, d->be);
		int rc;

		switch (d->kind->connected(d, running, s)) {
		case XO_XENBUS_CONNECTED:
			return 0;
		case XO_XENBUS_CLOSED:
			return xo_err(err, XENOPS_EBACKEND, "xen backend: %s closed %s (state %d)",
				      d->kind->driver, d->be, s);
		case XO_XENBUS_WAIT:
			break;
		}
		if (xo_now_ms() - start >= XO_XENBUS_CONNECT_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: %s did not connect within %u ms (state %d)", d->be,
				      XO_XENBUS_CONNECT_MS, s);
		rc = env->sleep(env, XO_XENBUS_POLL_MS, err);
		if (rc < 0)
			return rc;
	}
}

static int close_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct xo_xenbus_dev *d = arg;
	const struct xo_xenbus_kv kv[] = { { "online", "0" }, { "state", "5" } };

	return xo_xenbus_write_all(b, t, d->be, kv, XO_ARRAY_SIZE(kv), err);
}

/* The closing handshake: set the backend closing and wait (cancel points
 * included) for the guest to let go: state 6 or gone. */
static int close_handshake(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_dev *d,
			   struct xo_error *err)
{
	uint64_t start = xo_now_ms();
	char txn[32];
	int rc;

	snprintf(txn, sizeof(txn), "close %s", d->kind->title);
	rc = xo_xs_transaction(b, txn, close_txn, (void *)d, err);
	while (rc == 0) {
		int s = xo_xenbus_state(b, d->be);

		if (s < 0 || s == 6)
			return 0;
		if (xo_now_ms() - start >= XO_XENBUS_CLOSE_MS)
			return xo_err(err, XENOPS_ETIMEDOUT,
				      "xen backend: the guest did not release %s within %u ms", d->fe,
				      XO_XENBUS_CLOSE_MS);
		rc = env->sleep(env, XO_XENBUS_POLL_MS, err);
	}
	return rc;
}

/* ---- plug / unplug / info ---- */

int xo_xenbus_plug(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_kind *kind,
		   int domid, const struct xo_dev_config *cfg, struct xo_dev_state *st,
		   struct xo_error *err)
{
	struct xo_xenbus_dev d;
	char tail[320] = "";
	char what[32];
	int rc;

	rc = xo_xenbus_dev_init(&d, kind, domid, cfg, err);
	d.hvm = rc == 0 && xo_xenbus_dm_cd(b, domid, cfg);
	if (rc == 0 && kind->check)
		rc = kind->check(&d, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc == 0 && kind->setup)
		rc = kind->setup(&d, err);
	if (rc < 0)
		return rc;
	XO_ENV_CRASH(env); /* the host side (a loop device) is set up */
	snprintf(what, sizeof(what), "write %s nodes", kind->title);
	rc = xo_xs_transaction(b, what, plug_txn, &d, err);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc == 0 && kind->hotplug)
		rc = kind->hotplug(b, env, &d, err);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc == 0)
		rc = wait_connected(b, env, &d, domain_running(b, domid), err);
	/* The backend holds the host side now (or never will). */
	if (kind->teardown)
		kind->teardown(&d);
	if (rc < 0) {
		struct xo_error undo = { 0 }; /* *err keeps why the plug failed */

		remove_nodes(b, &d, &undo);
		return rc;
	}
	if (kind->plugged_msg)
		kind->plugged_msg(&d, tail, sizeof(tail));
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: %s%s", d.label, tail);
	return xo_xenbus_info(b, kind, domid, cfg, st, err);
}

int xo_xenbus_unplug(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_kind *kind,
		     int domid, const struct xo_dev_config *cfg, int force, struct xo_error *err)
{
	struct xo_xenbus_dev d;
	int rc = xo_xenbus_dev_init(&d, kind, domid, cfg, err);

	if (rc < 0)
		return rc;
	if (xo_xenbus_state(b, d.be) < 0)
		return 0; /* not plugged: nothing to undo */
	/* A guest that cannot run cannot answer the handshake. */
	if (!force && domain_running(b, domid)) {
		rc = close_handshake(b, env, &d, err);
		if (rc < 0)
			return rc;
	}
	XO_ENV_CRASH(env);
	rc = remove_nodes(b, &d, err);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: %s unplugged%s", d.label,
		       force ? " (forced)" : "");
	return rc;
}

int xo_xenbus_info(struct xo_backend *b, const struct xo_xenbus_kind *kind, int domid,
		   const struct xo_dev_config *cfg, struct xo_dev_state *st, struct xo_error *err)
{
	struct xo_xenbus_dev d;
	int rc = xo_xenbus_dev_init(&d, kind, domid, cfg, err);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	d.hvm = xo_xenbus_dm_cd(b, domid, cfg);
	rc = xo_xenbus_plugged_state(b, &d, err);
	st->backend_state = rc < 0 ? -1 : rc;
	if (rc < 0)
		return rc;
	st->plugged = 1;
	st->active = st->backend_state == 4;
	if (kind->info)
		kind->info(b, &d, st);
	return 0;
}
