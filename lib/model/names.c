/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names of the model's enumerations, as they appear in JSON and messages.
 * The tables are indexed by the enum values, so reading and writing share
 * one spelling.
 */
#include "model/model_int.h"
#include "xenops/vm.h"

const char *const xo_action_names[] = {
	[XO_ACTION_DESTROY] = "destroy",
	[XO_ACTION_RESTART] = "restart",
	[XO_ACTION_PRESERVE] = "preserve",
	NULL,
};

const char *const xo_vm_type_names[] = {
	[XO_VM_PV] = "pv",
	[XO_VM_PVH] = "pvh",
	NULL,
};

const char *const xo_power_state_names[] = {
	[XENOPS_POWER_HALTED] = "Halted",
	[XENOPS_POWER_RUNNING] = "Running",
	[XENOPS_POWER_PAUSED] = "Paused",
	[XENOPS_POWER_SUSPENDED] = "Suspended",
	[XENOPS_POWER_ERROR] = "Error",
	NULL,
};

/* Xen's SHUTDOWN_* numbering (public/sched.h). */
static const char *const shutdown_reason_names[] = {
	"poweroff", "reboot", "suspend", "crash", "watchdog",
};

/* Out-of-range values get "unknown" rather than a NULL a caller might print. */
static const char *table_name(const char *const *table, size_t n, int value)
{
	if (value < 0 || (size_t)value >= n)
		return "unknown";
	return table[value];
}

const char *xo_action_name(int action)
{
	return table_name(xo_action_names, XO_ARRAY_SIZE(xo_action_names) - 1, action);
}

const char *xo_vm_type_name(int type)
{
	return table_name(xo_vm_type_names, XO_ARRAY_SIZE(xo_vm_type_names) - 1, type);
}

const char *xo_shutdown_reason_name(int reason)
{
	return table_name(shutdown_reason_names, XO_ARRAY_SIZE(shutdown_reason_names), reason);
}
