/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test hooks of the engine: fault injection (a failing atom, a cancel or a
 * crash at the n-th point), the debug keys that set them and the
 * simulator's knobs, and the guest actions the simulator acts out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/engine_int.h"

#ifdef XENOPS_TEST_HOOKS
/*
 * The process ends as a crash would: no clean-up, and not through _exit(),
 * which a sanitizer intercepts to run its own end-of-process checks (a
 * thread sanitizer then reports the worker a teardown had just stopped and
 * not yet joined as leaked: a report about the simulated crash, not the code).
 */
static void crash_now(void)
{
	syscall(SYS_exit_group, 99);
	_exit(99);
}
#endif

/* Test hook: die here as a crash would, with no clean-up. Locked. Only a
 * build with the test hooks can die here. */
void xo_crash_point_locked(struct xo_engine *e)
{
#ifdef XENOPS_TEST_HOOKS
	if (e->crash_point > 0 && --e->crash_point == 0)
		crash_now();
#else
	(void)e;
#endif
}

void xo_crash_point(struct xo_engine *e)
{
	xo_engine_lock(e);
	xo_crash_point_locked(e);
	xo_engine_unlock(e);
}

void xo_mig_fault(struct xo_engine *e, const char *step, int fd)
{
	xo_engine_lock(e);
#ifdef XENOPS_TEST_HOOKS
	if (e->mig_crash[0] && !strcmp(e->mig_crash, step))
		crash_now();
#endif
	if (e->mig_cut[0] && !strcmp(e->mig_cut, step)) {
		e->mig_cut[0] = '\0';
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		xo_log(&e->log, XENOPS_LOG_WARNING, "test hook: migration stream cut at %s", step);
	}
	xo_engine_unlock(e);
}

int xo_atom_fault_locked(struct xo_engine *e, const struct xo_atom *a, struct xo_error *err)
{
	if (e->fail_atom > 0 && --e->fail_atom == 0)
		return xo_err(err, XENOPS_EBACKEND, "injected fault in atom %s", a->name);
	return 0;
}

static int parse_count(const char *key, const char *value, long *out, struct xo_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = value ? strtol(value, &end, 10) : -1;
	if (!value || errno || *end || v < 0)
		return xo_err(err, XENOPS_EINVAL, "%s: value must be a non-negative integer", key);
	*out = v;
	return 0;
}

int xo_engine_debug_set(struct xo_engine *e, const char *key, const char *value,
			struct xo_error *err)
{
	long v = 0;
	int rc;

	if (!strncmp(key, "sim.", 4)) {
		if (!e->bops->set_knob || strcmp(e->bops->name, "sim"))
			return xo_err(err, XENOPS_ENOTSUP,
				      "%s: simulator knobs need the sim backend", key);
		return e->bops->set_knob(e->b, key, value, err);
	}
	/* The context's options (xenops_ctx_set_option) are knobs too. */
	if (!strncmp(key, "boot.", 5) || !strncmp(key, "dm.", 3))
		return xo_engine_set_option(e, key, value, err);
	if (!strcmp(key, "fault.off")) {
		xo_engine_lock(e);
		e->fail_atom = e->cancel_point = e->crash_point = 0;
		e->mig_crash[0] = e->mig_cut[0] = '\0';
		xo_engine_unlock(e);
		return 0;
	}
	if (!strcmp(key, "fault.migrate_crash") || !strcmp(key, "fault.migrate_cut")) {
		char *slot = !strcmp(key, "fault.migrate_crash") ? e->mig_crash : e->mig_cut;

		if (!value || strlen(value) >= sizeof(e->mig_crash))
			return xo_err(err, XENOPS_EINVAL, "%s: value must be a migration step name",
				      key);
		xo_engine_lock(e);
		snprintf(slot, sizeof(e->mig_crash), "%s", value);
		xo_engine_unlock(e);
		return 0;
	}
	if (strcmp(key, "fault.fail_atom") && strcmp(key, "fault.cancel_point") &&
	    strcmp(key, "fault.crash_point"))
		return xo_err(err, XENOPS_EINVAL, "key: unknown debug key \"%.64s\"", key);
	rc = parse_count(key, value, &v, err);
	if (rc < 0)
		return rc;
	xo_engine_lock(e);
	if (!strcmp(key, "fault.fail_atom"))
		e->fail_atom = v;
	else if (!strcmp(key, "fault.cancel_point"))
		e->cancel_point = v;
	else
		e->crash_point = v;
	xo_engine_unlock(e);
	return 0;
}

static int parse_device_ref(const char *device, int *kind, const char **id, struct xo_error *err)
{
	static const struct {
		const char *prefix;
		int kind;
	} kinds[] = { { "vbd:", XENOPS_KIND_VBD }, { "vif:", XENOPS_KIND_VIF }, { "pci:", XENOPS_KIND_PCI } };

	for (size_t i = 0; i < XO_ARRAY_SIZE(kinds); i++)
		if (!strncmp(device, kinds[i].prefix, 4)) {
			*kind = kinds[i].kind;
			*id = device + 4;
			return xo_id_check(*id, "device", err);
		}
	return xo_err(err, XENOPS_EINVAL, "device: expected \"vbd:ID\", \"vif:ID\" or \"pci:ID\"");
}

int xo_engine_sim_guest_action(struct xo_engine *e, const char *vm_id, const char *action,
			       const char *device, struct xo_error *err)
{
	struct xo_vm *vm;
	const char *dev_id = NULL;
	int kind = 0, domid, rc;

	if (!e->bops->guest_action)
		return xo_err(err, XENOPS_ENOTSUP,
			      "guest actions are only simulated by the sim backend");
	if (!strcmp(action, "unplug")) {
		if (!device)
			return xo_err(err, XENOPS_EINVAL, "device: required for \"unplug\"");
		rc = parse_device_ref(device, &kind, &dev_id, err);
		if (rc < 0)
			return rc;
	} else if (strcmp(action, "poweroff") && strcmp(action, "reboot") && strcmp(action, "crash") &&
		   strcmp(action, "dm-exit")) {
		return xo_err(err, XENOPS_EINVAL, "action: unknown guest action \"%.32s\"", action);
	}
	xo_engine_lock(e);
	vm = xo_vm_find(e, vm_id);
	if (!vm) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", vm_id);
	}
	if (dev_id && !xo_vm_dev_find(vm, kind, dev_id)) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "VM \"%s\" has no %s \"%s\"", vm_id,
			      xo_kind_name(kind), dev_id);
	}
	domid = vm->st.domid;
	xo_engine_unlock(e);
	if (domid < 0)
		return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" has no running domain", vm_id);
	return e->bops->guest_action(e->b, domid, action, kind, dev_id, err);
}
