/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names of the model's enumerations, as they appear in JSON and messages.
 * The tables are indexed by the enum values, so reading and writing share
 * one spelling.
 */
#include <string.h>

#include "model/model_int.h"
#include "xenops/task.h"
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
	[XO_VM_HVM] = "hvm",
	NULL,
};

const char *const xo_hvm_firmware_names[] = {
	[XO_FW_BIOS] = "bios",
	NULL,
};

const char *const xo_hvm_nic_names[] = {
	[XO_NIC_E1000] = "e1000",
	[XO_NIC_RTL8139] = "rtl8139",
	NULL,
};

const char *const xo_hvm_serial_names[] = {
	[XO_SERIAL_FILE] = "file",
	[XO_SERIAL_NONE] = "none",
	NULL,
};

const char *const xo_vm_boot_names[] = {
	[XO_BOOT_DIRECT] = "direct",
	[XO_BOOT_GRUB] = "grub",
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

static const char *const kind_names[] = {
	[XENOPS_KIND_VM] = "vm",   [XENOPS_KIND_VBD] = "vbd", [XENOPS_KIND_VIF] = "vif",
	[XENOPS_KIND_PCI] = "pci", [XENOPS_KIND_TASK] = "task",
};

static const char *const task_state_names[] = {
	[XENOPS_TASK_PENDING] = "pending",
	[XENOPS_TASK_COMPLETED] = "completed",
	[XENOPS_TASK_FAILED] = "failed",
	[XENOPS_TASK_CANCELLED] = "cancelled",
};

/* Column 0: the generic name; device operations also have one per kind. */
static const char *const op_names[XO_OP__COUNT][XENOPS_KIND_PCI + 1] = {
	[XO_OP_VM_START] = { "VM.start" },
	[XO_OP_VM_SHUTDOWN] = { "VM.shutdown" },
	[XO_OP_VM_REBOOT] = { "VM.reboot" },
	[XO_OP_VM_PAUSE] = { "VM.pause" },
	[XO_OP_VM_UNPAUSE] = { "VM.unpause" },
	[XO_OP_VM_SUSPEND] = { "VM.suspend" },
	[XO_OP_VM_RESUME] = { "VM.resume" },
	[XO_OP_VM_DESTROY] = { "VM.destroy" },
	[XO_OP_VM_CHECK] = { "VM.check" },
	[XO_OP_DEV_PLUG] = { "DEVICE.plug", [XENOPS_KIND_VBD] = "VBD.plug",
			     [XENOPS_KIND_VIF] = "VIF.plug", [XENOPS_KIND_PCI] = "PCI.plug" },
	[XO_OP_DEV_UNPLUG] = { "DEVICE.unplug", [XENOPS_KIND_VBD] = "VBD.unplug",
			       [XENOPS_KIND_VIF] = "VIF.unplug", [XENOPS_KIND_PCI] = "PCI.unplug" },
	[XO_OP_VBD_EJECT] = { "VBD.eject" },
	[XO_OP_VBD_INSERT] = { "VBD.insert" },
	[XO_OP_VIF_SET_CARRIER] = { "VIF.set_carrier" },
	[XO_OP_DEV_CHECK] = { "DEVICE.check", [XENOPS_KIND_VBD] = "VBD.check",
			      [XENOPS_KIND_VIF] = "VIF.check", [XENOPS_KIND_PCI] = "PCI.check" },
	[XO_OP_VM_SET_MEMORY] = { "VM.set_memory" },
	[XO_OP_VM_SET_VCPUS] = { "VM.set_vcpus" },
	[XO_OP_VM_SET_XENSTORE] = { "VM.set_xenstore" },
	[XO_OP_VM_SET_SCHEDULER] = { "VM.set_scheduler" },
	[XO_OP_VM_MIGRATE_SEND] = { "VM.migrate_send" },
	[XO_OP_VM_MIGRATE_RECEIVE] = { "VM.migrate_receive" },
	[XO_OP_VM_MIGRATE_LOCAL] = { "VM.migrate_local" },
};

/* Xen's SHUTDOWN_* numbering (public/sched.h). */
static const char *const shutdown_reason_names[] = {
	"poweroff", "reboot", "suspend", "crash", "watchdog",
};

/* Out-of-range values get "unknown" rather than a NULL a caller might print. */
static const char *table_name(const char *const *table, size_t n, int value)
{
	if (value < 0 || (size_t)value >= n || !table[value])
		return "unknown";
	return table[value];
}

const char *xo_kind_name(int kind)
{
	return table_name(kind_names, XO_ARRAY_SIZE(kind_names), kind);
}

const char *xo_power_state_name(int state)
{
	return table_name(xo_power_state_names, XO_ARRAY_SIZE(xo_power_state_names) - 1, state);
}

const char *xo_task_state_name(int state)
{
	return table_name(task_state_names, XO_ARRAY_SIZE(task_state_names), state);
}

const char *xo_op_name(int op, int kind)
{
	if (op < 0 || op >= XO_OP__COUNT)
		return "unknown";
	if (kind >= XENOPS_KIND_VBD && kind <= XENOPS_KIND_PCI && op_names[op][kind])
		return op_names[op][kind];
	return op_names[op][0];
}

int xo_op_from_name(const char *name)
{
	for (int op = 0; name && op < XO_OP__COUNT; op++)
		if (!strcmp(op_names[op][0], name))
			return op;
	return -1;
}

const char *xo_action_name(int action)
{
	return table_name(xo_action_names, XO_ARRAY_SIZE(xo_action_names) - 1, action);
}

const char *xo_vm_type_name(int type)
{
	return table_name(xo_vm_type_names, XO_ARRAY_SIZE(xo_vm_type_names) - 1, type);
}

const char *xo_vm_boot_name(int boot)
{
	return table_name(xo_vm_boot_names, XO_ARRAY_SIZE(xo_vm_boot_names) - 1, boot);
}

const char *xo_shutdown_reason_name(int reason)
{
	return table_name(shutdown_reason_names, XO_ARRAY_SIZE(shutdown_reason_names), reason);
}
