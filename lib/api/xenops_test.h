/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops test hooks: fault injection, simulator knobs and simulated guest
 * actions. NOT part of the public interface and never installed: these
 * functions are exported under the private version node XENOPS_TEST_PRIVATE
 * (lib/api/xenops_test.sym), may change or go at any time, and exist only in
 * a library built with XENOPS_TEST_HOOKS=ON (the default of a source build;
 * distribution packages build with it OFF). In-tree users: the test suites
 * and xenopsd's --debug-methods.
 *
 * In a build without the hooks both are macros that evaluate their
 * arguments and give XENOPS_ENOTSUP, so that their callers build either way.
 */
#ifndef XENOPS_TEST_H
#define XENOPS_TEST_H

#include <xenops/xenops.h>

#include "xenops_test_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#if XENOPS_TEST_HOOKS_BUILT

/**
 * Set a debugging or simulation knob.
 *
 * @param ctx    the context; borrowed.
 * @param key    the knob, borrowed for the call:
 *  - "fault.fail_atom" = N: the N-th atom run from now fails (XENOPS_EBACKEND);
 *  - "fault.cancel_point" = N: the task passing the N-th cancel point from
 *    now is cancelled there;
 *  - "fault.crash_point" = N: the process exits (status 99) at the N-th
 *    cancel point from now, with no clean-up, to test recovery;
 *  - "fault.migrate_crash" = STEP: the process exits (status 99) when a
 *    migration task reaches STEP ("send.commit", "recv.commit_recorded"...:
 *    docs/migration.md lists them);
 *  - "fault.migrate_cut" = STEP: the migration stream is shut down in both
 *    directions when a migration task reaches STEP (once);
 *  - "fault.off": clear all faults (@p value is ignored);
 *  - "sim.*": simulator knobs, e.g. "sim.delay.<atom>" = milliseconds,
 *    "sim.delay" = milliseconds for every atom, "sim.shutdown_ack" = 0
 *    (guest ignores clean shutdown requests), "sim.shutdown_complete" = 0
 *    (guest acknowledges but never shuts down); see docs/simulator.md.
 * @param value  the value as decimal text, borrowed for the call.
 *
 * Returns 0 or a negative error: XENOPS_EINVAL (NULL @p ctx or @p key,
 * unknown key, bad value), XENOPS_ENOTSUP ("sim.*" on another backend).
 * Any thread. Test interface, not versioned with the ABI (since 0.1).
 */
XENOPS_API int xenops_debug_set(xenops_ctx *ctx, const char *key, const char *value);

/**
 * Simulator only: make the guest of a running VM do @p action, as a real
 * guest would. The engine notices and acts on the VM's on_shutdown /
 * on_reboot / on_crash actions, as it does on Xen.
 *
 * @param ctx     the context; borrowed.
 * @param vm      the VM id; borrowed for the call.
 * @param action  "poweroff", "reboot", "crash" or "unplug"; borrowed.
 * @param device  for "unplug", the device as "vbd:ID", "vif:ID" or
 *                "pci:ID"; NULL for the other actions. Borrowed.
 *
 * Returns 0 once the guest did it (the reaction is asynchronous: watch
 * updates) or a negative error: XENOPS_ENOTSUP (not the simulator),
 * XENOPS_ENOTFOUND (no such VM or device), XENOPS_EBADSTATE (no running
 * domain), XENOPS_EINVAL (bad argument). Any thread. Test interface, not
 * versioned with the ABI (since 0.1).
 */
XENOPS_API int xenops_sim_guest_action(xenops_ctx *ctx, const char *vm, const char *action,
				       const char *device);

#else /* !XENOPS_TEST_HOOKS_BUILT */

/* Stand-ins, so that callers build either way. */
#define xenops_debug_set(ctx, key, value) ((void)(ctx), (void)(key), (void)(value), XENOPS_ENOTSUP)
#define xenops_sim_guest_action(ctx, vm, action, device) \
	((void)(ctx), (void)(vm), (void)(action), (void)(device), XENOPS_ENOTSUP)

#endif /* XENOPS_TEST_HOOKS_BUILT */

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_TEST_H */
