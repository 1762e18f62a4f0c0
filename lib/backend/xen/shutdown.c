/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clean shutdown on Xen: the control/shutdown request to the guest, the
 * wait for its acknowledgement (the guest clears the key), and the wait
 * for the domain to shut down, fed by the watch thread's snapshot so that
 * waiting guests cost no hypercall per poll.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xen_priv.h"

/* A guest usually answers within a second: poll fast, then relax. */
#define XO_XEN_ACK_FAST_MS 20u
#define XO_XEN_ACK_SLOW_MS 200u
#define XO_XEN_ACK_FAST_FOR_MS 2000u
/* Snapshot checks are free; a direct query guards against a missed firing. */
#define XO_XEN_SHUTDOWN_POLL_MS 20u
#define XO_XEN_SHUTDOWN_DIRECT_MS 2000u

static const char *reason_word(int reason)
{
	switch (reason) {
	case XO_SHUTDOWN_POWEROFF:
		return "poweroff";
	case XO_SHUTDOWN_REBOOT:
		return "reboot";
	case XO_SHUTDOWN_SUSPEND:
		return "suspend";
	default:
		return NULL;
	}
}

struct request {
	int domid;
	const char *word;
};

static int request_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct request *r = arg;
	struct xs_permissions p[1];
	char path[96];
	char *v;

	/* Writing into a vanished tree would recreate it as a dom0-owned orphan. */
	snprintf(path, sizeof(path), "/local/domain/%d/control", r->domid);
	v = xo_xs_read(b->xsh, t, path);
	if (!v) {
		int saved = errno;

		if (saved == EAGAIN)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: xenstore read %s: conflict", path);
		return xo_err(err, XENOPS_ENOTFOUND,
			      "xen backend: domain %d has no control node (%s)",
			      r->domid, strerror(saved));
	}
	free(v);
	/* The guest acknowledges by clearing the key: it must stay the guest's. */
	snprintf(path, sizeof(path), "/local/domain/%d/control/shutdown", r->domid);
	xo_xs_perms_rw(p, r->domid);
	return xo_xs_write_perms(b, t, path, r->word, p, 1, err);
}

int xo_xen_domain_request_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				   int reason, struct xo_error *err)
{
	struct request r = { .domid = domid, .word = reason_word(reason) };
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	if (!r.word)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: shutdown reason %d cannot be requested",
			      reason);
	rc = env->check(env, err);
	if (rc < 0)
		return rc;
	if (reason == XO_SHUTDOWN_SUSPEND && xo_xen_dm_needed(b, domid)) {
		/*
		 * An HVM guest suspends itself through its PV drivers, which say so
		 * (control/feature-suspend); without them it is refused up front.
		 */
		char *f = xo_xs_readf(b->xsh, XBT_NULL, "/local/domain/%d/control/feature-suspend",
				      domid);
		bool pv = f && !strcmp(f, "1");

		free(f);
		if (!pv)
			return xo_err(err, XENOPS_ENOTSUP,
				      "xen backend: hvm domain %d has no PV drivers that suspend "
				      "(control/feature-suspend): suspending it is not supported",
				      domid);
	}
	if (reason == XO_SHUTDOWN_POWEROFF) {
		/* HVM without PV drivers: the ACPI power button; nothing to acknowledge. */
		rc = xo_xen_dm_acpi_poweroff(b, domid, err);
		if (rc <= 0)
			return rc;
	}
	rc = xo_xs_transaction(b, "write control/shutdown", request_txn, &r, err);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: asked domain %d to %s", domid, r.word);
	return rc;
}

/* 1: acknowledged (key cleared or gone), 0: not yet, <0: error. */
static int ack_seen(struct xo_backend *b, int domid, struct xo_error *err)
{
	char path[96];
	char *v;
	int seen;

	snprintf(path, sizeof(path), "/local/domain/%d/control/shutdown", domid);
	v = xo_xs_read(b->xsh, XBT_NULL, path);
	if (!v)
		return errno == ENOENT ? 1
				       : xo_err(err, XENOPS_EBACKEND,
						"xen backend: xenstore read %s: %s",
						path, strerror(errno));
	seen = v[0] == '\0';
	free(v);
	return seen;
}

/*
 * From the watch snapshot: has the domain shut down already? A domain not
 * in the snapshot may just be younger than the last rescan: not down.
 */
static bool snapshot_says_down(struct xo_backend *b, int domid)
{
	uint32_t flags;

	if (!xo_xen_watch_lookup(b, domid, &flags))
		return false;
	return (flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) != 0;
}

int xo_xen_domain_wait_ack(struct xo_backend *b, struct xo_env *env, int domid,
			   unsigned int timeout_ms, struct xo_error *err)
{
	uint64_t start = xo_now_ms();
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	for (;;) {
		uint64_t waited = xo_now_ms() - start;

		rc = ack_seen(b, domid, err);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		/* A guest that went down without clearing the key has answered anyway. */
		if (snapshot_says_down(b, domid))
			return 0;
		if (waited >= timeout_ms)
			return xo_err(err, XENOPS_ENOACK,
				      "xen backend: domain %d did not acknowledge the shutdown request "
				      "within %u ms",
				      domid, timeout_ms);
		rc = env->sleep(env, waited < XO_XEN_ACK_FAST_FOR_MS ? XO_XEN_ACK_FAST_MS
								     : XO_XEN_ACK_SLOW_MS, err);
		if (rc < 0)
			return rc;
	}
}

/* 1 and *reason: shut down; 0: not yet; <0: gone or error. */
static int shutdown_state(int domid, uint32_t flags, int *reason, struct xo_error *err)
{
	if (flags & XEN_DOMINF_shutdown) {
		*reason = (int)((flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
		return 1;
	}
	if (flags & XEN_DOMINF_dying)
		return xo_err(err, XENOPS_ENOTFOUND, "xen backend: domain %d was destroyed", domid);
	return 0;
}

static int direct_check(struct xo_backend *b, int domid, int *reason, struct xo_error *err)
{
	xc_domaininfo_t info;
	int rc = xo_xen_getinfo_one(b, domid, &info, err);

	if (rc < 0)
		return rc;
	return shutdown_state(domid, info.flags, reason, err);
}

static int snapshot_check(struct xo_backend *b, int domid, int *reason, struct xo_error *err)
{
	uint32_t flags;

	if (!xo_xen_watch_lookup(b, domid, &flags))
		return 0; /* not seen yet, or gone: the direct query decides */
	return shutdown_state(domid, flags, reason, err);
}

int xo_xen_domain_wait_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				unsigned int timeout_ms, int *reason_out, struct xo_error *err)
{
	uint64_t start = xo_now_ms(), last_direct = start;
	uint64_t gen = xo_xen_watch_generation(b);
	int reason = XO_SHUTDOWN_NONE;
	int rc = xo_xen_check_domid(domid, err);

	*reason_out = XO_SHUTDOWN_NONE;
	if (rc == 0)
		rc = direct_check(b, domid, &reason, err);
	while (rc == 0) {
		uint64_t now = xo_now_ms(), g = xo_xen_watch_generation(b);

		if (now - start >= timeout_ms)
			return xo_err(err, XENOPS_ENOSHUTDOWN,
				      "xen backend: domain %d did not shut down within %u ms", domid,
				      timeout_ms);
		rc = env->sleep(env, XO_XEN_SHUTDOWN_POLL_MS, err);
		if (rc < 0)
			return rc;
		if (g != gen) {
			gen = g;
			rc = snapshot_check(b, domid, &reason, err);
		}
		if (rc == 0 && now - last_direct >= XO_XEN_SHUTDOWN_DIRECT_MS) {
			last_direct = now;
			rc = direct_check(b, domid, &reason, err);
		}
	}
	if (rc < 0)
		return rc;
	*reason_out = reason;
	return 0;
}
