/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: what a guest does on its own (power off, reboot,
 * crash, release a device), told to the engine through the upcalls as
 * xenstore watches would tell the xen backend.
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>

/* Only a running guest can act: a paused one has no vcpu to act with. */
static int require_running(const struct xo_sim_dom *d, const char *action, struct xo_error *err)
{
	if (d->status != XO_DOM_RUNNING)
		return xo_err(err, XENOPS_EBADSTATE, "the guest of domain %d cannot %s: it is %s",
			      d->domid, action, xo_sim_status_word(d));
	return 0;
}

static int guest_shutdown(struct xo_backend *b, int domid, const char *action, int reason,
			  struct xo_error *err)
{
	char vm_id[XO_ID_MAX + 1];
	struct xo_sim_dom *d;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, action, &d, err);
	if (rc == 0)
		rc = require_running(d, action, err);
	if (rc == 0) {
		xo_sim_set_status(d, XO_DOM_SHUTDOWN, xo_now_ms());
		d->reason = reason;
		d->req_reason = XO_SHUTDOWN_NONE;
		d->notify_pending = false; /* told below */
		snprintf(vm_id, sizeof(vm_id), "%s", d->vm_id);
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc == 0 && b->events.domain_changed)
		b->events.domain_changed(b->events.opaque, vm_id);
	return rc;
}

static int guest_unplug(struct xo_backend *b, int domid, int kind, const char *dev_id,
			struct xo_error *err)
{
	char vm_id[XO_ID_MAX + 1];
	struct xo_sim_dom *d;
	struct xo_sim_dev *v;
	int rc;

	if (!dev_id)
		return xo_err(err, XENOPS_EINVAL, "guest action unplug: no device");
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "unplug a device of", &d, err);
	if (rc == 0)
		rc = require_running(d, "unplug a device", err);
	if (rc == 0)
		rc = xo_sim_dev_get(d, kind, dev_id, &v, err);
	if (rc == 0) {
		/* The frontend closed: the backend follows it to Closed. */
		v->active = 0;
		v->backend_state = XO_SIM_XENBUS_CLOSED;
		snprintf(vm_id, sizeof(vm_id), "%s", d->vm_id);
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc == 0 && b->events.device_changed)
		b->events.device_changed(b->events.opaque, vm_id, kind, dev_id);
	return rc;
}

/*
 * The device model of an HVM domain exits: as on xen, the library notices
 * and crashes the domain (its emulated devices are gone), so the VM's
 * on_crash action applies.
 */
static int guest_dm_exit(struct xo_backend *b, int domid, struct xo_error *err)
{
	char vm_id[XO_ID_MAX + 1];
	struct xo_sim_dom *d;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "kill the device model of", &d, err);
	if (rc == 0 && (!d->hvm || d->dm != XO_SIM_DM_RUNNING))
		rc = xo_err(err, XENOPS_EBADSTATE, "domain %d has no device model running", domid);
	if (rc == 0) {
		d->dm = XO_SIM_DM_DEAD;
		if (d->status == XO_DOM_RUNNING || d->status == XO_DOM_PAUSED) {
			xo_sim_set_status(d, XO_DOM_SHUTDOWN, xo_now_ms());
			d->reason = XO_SHUTDOWN_CRASH;
			d->req_reason = XO_SHUTDOWN_NONE;
			d->notify_pending = false;
		}
		snprintf(vm_id, sizeof(vm_id), "%s", d->vm_id);
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc == 0 && b->events.domain_changed)
		b->events.domain_changed(b->events.opaque, vm_id);
	return rc;
}

int xo_sim_guest_action(struct xo_backend *b, int domid, const char *action, int kind,
			const char *dev_id, struct xo_error *err)
{
	static const struct {
		const char *name;
		int reason;
	} shutdowns[] = {
		{ "poweroff", XO_SHUTDOWN_POWEROFF },
		{ "reboot", XO_SHUTDOWN_REBOOT },
		{ "crash", XO_SHUTDOWN_CRASH },
	};

	if (!action)
		return xo_err(err, XENOPS_EINVAL, "guest action: none given");
	for (size_t i = 0; i < XO_ARRAY_SIZE(shutdowns); i++)
		if (strcmp(action, shutdowns[i].name) == 0)
			return guest_shutdown(b, domid, action, shutdowns[i].reason, err);
	if (strcmp(action, "unplug") == 0)
		return guest_unplug(b, domid, kind, dev_id, err);
	if (strcmp(action, "dm-exit") == 0)
		return guest_dm_exit(b, domid, err);
	return xo_err(err, XENOPS_EINVAL,
		      "unknown guest action \"%s\" (poweroff, reboot, crash, unplug or dm-exit)",
		      action);
}
