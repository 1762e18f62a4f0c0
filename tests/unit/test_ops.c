/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Operations through the public API on the simulator: the lifecycle,
 * illegal transitions, devices, guest-initiated events, time-outs,
 * cancellation and faults at every point, overtaking, and tasks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static xenops_ctx *ctx;
/* A CD image that exists: an insert checks its media before it queues. */
static char iso[64], iso_media[80];

static void setup(void)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	FILE *f;

	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	snprintf(iso, sizeof(iso), "/tmp/xo-test-ops-%d.iso", getpid());
	snprintf(iso_media, sizeof(iso_media), "file:%s", iso);
	f = fopen(iso, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

static void teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
	unlink(iso);
}

static int power(const char *vm)
{
	int st = -1;

	ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, vm), 0);
	return st;
}

static int domid(const char *vm)
{
	int st, d = -2;

	ck_assert_int_eq(xenops_vm_get_power_state(&st, &d, ctx, vm), 0);
	return d;
}

static void define_vm(const char *id, const char *extra)
{
	char cfg[512];

	snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"memory_mib\": 128%s%s}", id, extra ? ", " : "",
		 extra ? extra : "");
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), 0);
}

/* A VM with a disk, a CD drive, a NIC and a PCI device. */
static void define_full_vm(const char *id)
{
	define_vm(id, NULL);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, id, "{\"device\": \"xvda\", \"backend\": \"file:/img/root\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, id, "{\"device\": \"xvdd\", \"kind\": \"cdrom\", \"backend\": \"file:/iso/a.iso\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, id, "{}", 0), 0);
	ck_assert_int_eq(xenops_pci_add(NULL, ctx, id, "{\"address\": \"0000:04:00.0\"}", 0), 0);
}

static int dev_plugged(int kind, const char *vm, const char *dev)
{
	char *json = NULL;
	int plugged, rc;

	switch (kind) {
	case XENOPS_KIND_VBD:
		rc = xenops_vbd_stat(&json, ctx, vm, dev);
		break;
	case XENOPS_KIND_VIF:
		rc = xenops_vif_stat(&json, ctx, vm, dev);
		break;
	default:
		rc = xenops_pci_stat(&json, ctx, vm, dev);
		break;
	}
	ck_assert_int_eq(rc, 0);
	plugged = strstr(json, "\"plugged\":true") != NULL;
	xenops_free(json);
	return plugged;
}

static long long free_memory(void)
{
	char *json = NULL, *p;
	long long v;

	ck_assert_int_eq(xenops_host_stat(&json, ctx), 0);
	p = strstr(json, "\"free_memory\":");
	ck_assert_ptr_nonnull(p);
	v = atoll(p + strlen("\"free_memory\":"));
	xenops_free(json);
	return v;
}

/* The engine's asynchronous reactions are done. */
static void settle(const char *vm)
{
	(void)vm;
	xo_test_settle(ctx);
}

START_TEST(full_lifecycle)
{
	char *task = NULL, *json = NULL, path[128];
	int state, err, d1, d2;
	double progress;

	define_full_vm("vm");
	ck_assert_int_eq(xenops_vm_start(&task, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_ptr_nonnull(task);
	ck_assert_int_eq(xenops_task_get_state(&state, &progress, &err, ctx, task), 0);
	ck_assert_int_eq(state, XENOPS_TASK_COMPLETED);
	ck_assert_double_eq(progress, 1.0);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(xenops_task_stat(&json, ctx, task), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"operation\":\"VM.start\""));
	ck_assert_ptr_nonnull(strstr(json, "\"create_domain\""));
	ck_assert_ptr_nonnull(strstr(json, "\"plug_vbd:xvda\""));
	ck_assert_ptr_nonnull(strstr(json, "\"plug_pci:0000:04:00.0\""));
	ck_assert_ptr_nonnull(strstr(json, "\"result\":{\"domid\":"));
	/* Each done atom's times, in the order of atoms_done. */
	ck_assert_ptr_nonnull(strstr(json, "\"atom_times\":[{\"atom\":\"create_domain\",\"started\":"));
	ck_assert_ptr_nonnull(strstr(json, "{\"atom\":\"plug_vbd:xvda\",\"started\":"));
	xenops_free(json);
	ck_assert_int_eq(xenops_task_destroy(ctx, task), 0);
	ck_assert_int_eq(xenops_task_stat(&json, ctx, task), XENOPS_ENOTFOUND);
	xenops_free(task);

	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	d1 = domid("vm");
	ck_assert_int_gt(d1, 0);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));
	ck_assert(dev_plugged(XENOPS_KIND_VIF, "vm", "0"));
	ck_assert(dev_plugged(XENOPS_KIND_PCI, "vm", "0000:04:00.0"));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"vcpu_time\""));
	ck_assert_ptr_nonnull(strstr(json, "\"memory_actual\":134217728"));
	xenops_free(json);

	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_PAUSED);
	ck_assert_int_eq(xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);

	ck_assert_int_eq(xenops_vm_reboot(NULL, ctx, "vm", 10, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	d2 = domid("vm");
	ck_assert_int_ne(d1, d2); /* a reboot gives a new domain */
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));

	snprintf(path, sizeof(path), "/tmp/xo-test-%d.save", getpid());
	unlink(path);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_SUSPENDED);
	ck_assert_int_eq(domid("vm"), -1);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	ck_assert_ptr_nonnull(strstr(json, path));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	ck_assert(dev_plugged(XENOPS_KIND_VIF, "vm", "0"));
	unlink(path);

	/* Resume restores the devices the guest had, not every one defined. */
	ck_assert_int_eq(xenops_vif_unplug(NULL, ctx, "vm", "0", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vif_stat(&json, ctx, "vm", "0"), 0);
	ck_assert_ptr_null(strstr(json, "in_image"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "vm", "xvda"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"in_image\":true"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));
	ck_assert(!dev_plugged(XENOPS_KIND_VIF, "vm", "0"));
	ck_assert_int_eq(xenops_vif_plug(NULL, ctx, "vm", "0", XENOPS_WAIT), 0);
	unlink(path);

	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(domid("vm"), -1);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));
	ck_assert(!dev_plugged(XENOPS_KIND_PCI, "vm", "0000:04:00.0"));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"last_shutdown_reason\":\"poweroff\""));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), 0);
}
END_TEST

START_TEST(start_paused_and_destroy)
{
	long long before = free_memory();

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_START_PAUSED | XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_PAUSED);
	ck_assert_int_lt(free_memory(), before);
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(free_memory(), before);
	/* Destroying a halted VM is harmless. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
}
END_TEST

START_TEST(forced_shutdown_variants)
{
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_ack", "0"), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	/* Timeout 0 means forced: the deaf guest does not matter. */
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 0, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 60, XENOPS_FORCE | XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_reboot(NULL, ctx, "vm", 0, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
}
END_TEST

START_TEST(clean_shutdown_timeouts_are_distinct)
{
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_ack", "0"), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 1, XENOPS_WAIT), XENOPS_ENOACK);
	ck_assert_int_eq(xenops_last_error(), XENOPS_ENOACK);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_ack", "1"), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_complete", "0"), 0);
	ck_assert_int_eq(xenops_vm_reboot(NULL, ctx, "vm", 1, XENOPS_WAIT), XENOPS_ENOSHUTDOWN);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_complete", "1"), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 0, XENOPS_WAIT), 0);
}
END_TEST

/* Each illegal transition fails its task with XENOPS_EBADSTATE. */
START_TEST(illegal_transitions)
{
	char path[128], *json = NULL;

	snprintf(path, sizeof(path), "/tmp/xo-test-illegal-%d.save", getpid());
	define_full_vm("vm");
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "Halted"));
	ck_assert_int_eq(xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 5, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_reboot(NULL, ctx, "vm", 5, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", iso, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "vm", "xvda", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvda", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "vm", "xvda", iso_media, XENOPS_WAIT),
			 XENOPS_EBADSTATE); /* a disk is not removable */
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "disk"));
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "vm", "xvda", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "vm", "xvdd", iso_media, XENOPS_WAIT),
			 XENOPS_EBADSTATE); /* has media */
	/* A Halted PV VM's media change is a configuration change. */
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "vm", "xvdd", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "vm", "xvdd"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"media_present\":false"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "vm", "xvdd", iso_media, XENOPS_WAIT), 0);

	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", iso, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "vm", "xvda", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "already plugged"));
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), XENOPS_EBUSY);
	ck_assert_int_eq(xenops_vbd_remove(ctx, "vm", "xvda", 0), XENOPS_EBUSY);
	ck_assert_int_eq(xenops_vif_remove(ctx, "vm", "0", 0), XENOPS_EBUSY);

	unlink(path);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "resume"));
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), XENOPS_EBUSY);
	/* Destroy forgets the suspend image; then the VM can go. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	unlink(path);
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), 0);
}
END_TEST

START_TEST(unknown_objects)
{
	char *task = (char *)0x1;

	ck_assert_int_eq(xenops_vm_start(&task, ctx, "ghost", 0), XENOPS_ENOTFOUND);
	ck_assert_ptr_null(task);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "ghost"));
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "vm", "xvdq", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vif_unplug(NULL, ctx, "vm", "7", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_pci_plug(NULL, ctx, "vm", "0000:00:01.0", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vif_set_carrier(NULL, ctx, "vm", "0", 1, 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "ghost", "xvda", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_task_wait(ctx, "task-999999", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_task_cancel(ctx, "task-999999"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_task_destroy(ctx, "task-999999"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_task_get_state(NULL, NULL, NULL, ctx, "task-999999"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "ghost", "poweroff", NULL), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "poweroff", NULL), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "explode", NULL), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "unplug", "disk:xvda"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_updates_inject_barrier(NULL, ctx, "ghost"), XENOPS_ENOTFOUND);
}
END_TEST

START_TEST(device_hotplug)
{
	char *json = NULL;

	define_full_vm("vm");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdb\", \"backend\": \"phy:/dev/sdb\"}", 0), 0);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb")); /* defining is not plugging */
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT), 0);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_remove(ctx, "vm", "xvdb", 0), 0);

	/* A running PV guest's CD drive is blkback's: no media change in place
	 * (as on xen); the stored config keeps its media. HVM: hvm_cd_media. */
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "vm", "xvdd", XENOPS_WAIT), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "HVM guests only"));
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "vm", "xvdd", iso_media, XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "vm", "xvdd"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"media_present\":true"));
	ck_assert_ptr_nonnull(strstr(json, "/iso/a.iso"));
	xenops_free(json);

	ck_assert_int_eq(xenops_vif_set_carrier(NULL, ctx, "vm", "0", 0, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vif_stat(&json, ctx, "vm", "0"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"carrier\":false"));
	ck_assert_ptr_nonnull(strstr(json, "\"host_ifname\":\"vif"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vif_unplug(NULL, ctx, "vm", "0", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vif_plug(NULL, ctx, "vm", "0", XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_VIF, "vm", "0"));

	ck_assert_int_eq(xenops_pci_unplug(NULL, ctx, "vm", "0000:04:00.0", XENOPS_WAIT), 0);
	ck_assert(!dev_plugged(XENOPS_KIND_PCI, "vm", "0000:04:00.0"));
	ck_assert_int_eq(xenops_pci_plug(NULL, ctx, "vm", "0000:04:00.0", XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_PCI, "vm", "0000:04:00.0"));

	/* Paused VMs take devices too. */
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vif_unplug(NULL, ctx, "vm", "0", XENOPS_FORCE | XENOPS_WAIT), 0);
	ck_assert(!dev_plugged(XENOPS_KIND_VIF, "vm", "0"));
}
END_TEST

START_TEST(non_unpluggable_disk)
{
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"unpluggable\": false}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvda", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "unpluggable"));
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvda", XENOPS_FORCE | XENOPS_WAIT), 0);
}
END_TEST

/* Wait until the VM reaches @state (the engine reacts asynchronously). */
static int wait_power(const char *vm, int state)
{
	for (int i = 0; i < 400; i++) {
		if (power(vm) == state)
			return 1;
		usleep(5000);
	}
	return 0;
}

START_TEST(guest_poweroff_follows_on_shutdown)
{
	long long before = free_memory();
	char *json = NULL;

	define_vm("destroy", "\"on_shutdown\": \"destroy\"");
	define_vm("restart", "\"on_shutdown\": \"restart\"");
	define_vm("preserve", "\"on_shutdown\": \"preserve\"");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "destroy", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "restart", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "preserve", XENOPS_WAIT), 0);
	int d = domid("restart");

	ck_assert_int_eq(xenops_sim_guest_action(ctx, "destroy", "poweroff", NULL), 0);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "restart", "poweroff", NULL), 0);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "preserve", "poweroff", NULL), 0);
	ck_assert(wait_power("destroy", XENOPS_POWER_HALTED));
	ck_assert(wait_power("preserve", XENOPS_POWER_PAUSED));
	settle("restart");
	ck_assert_int_eq(power("restart"), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(domid("restart"), d);
	ck_assert_int_ge(domid("preserve"), 0); /* kept for inspection */
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "destroy"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"last_shutdown_reason\":\"poweroff\""));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "preserve", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "restart", XENOPS_WAIT), 0);
	ck_assert_int_eq(free_memory(), before);
}
END_TEST

START_TEST(guest_reboot_and_crash)
{
	char *json = NULL;
	int d;

	define_vm("vm", "\"on_crash\": \"restart\"");
	define_vm("fragile", NULL); /* on_crash defaults to destroy */
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "fragile", XENOPS_WAIT), 0);
	d = domid("vm");
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "reboot", NULL), 0);
	for (int i = 0; i < 400 && domid("vm") == d; i++)
		usleep(5000);
	settle("vm");
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(domid("vm"), d);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvda"));

	d = domid("vm");
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "crash", NULL), 0);
	for (int i = 0; i < 400 && domid("vm") == d; i++)
		usleep(5000);
	settle("vm");
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(domid("vm"), d);

	ck_assert_int_eq(xenops_sim_guest_action(ctx, "fragile", "crash", NULL), 0);
	ck_assert(wait_power("fragile", XENOPS_POWER_HALTED));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "fragile"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"last_shutdown_reason\":\"crash\""));
	xenops_free(json);
}
END_TEST

/*
 * HVM on the simulator: the device model's death is a crash; suspend and
 * resume work (the simulated guest has PV drivers), and the resumed domain
 * gets a device model of its own at its unpause.
 */
START_TEST(hvm_device_model_death)
{
	char *json = NULL, path[64];
	int d;

	define_vm("h", "\"type\": \"hvm\", \"on_crash\": \"restart\"");
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "h", "dm-exit", NULL), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "h", XENOPS_WAIT), 0);
	snprintf(path, sizeof(path), "/tmp/xo-hvm-%d.save", (int)getpid());
	unlink(path);
	d = domid("h");
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "h", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("h"), XENOPS_POWER_SUSPENDED);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "h", "dm-exit", NULL), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "h", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("h"), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(domid("h"), d);
	unlink(path);
	d = domid("h");
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "h", "dm-exit", NULL), 0);
	for (int i = 0; i < 400 && domid("h") == d; i++)
		usleep(5000);
	settle("h");
	/* on_crash restart: a new domain, with a new device model that can die too. */
	ck_assert_int_eq(power("h"), XENOPS_POWER_RUNNING);
	ck_assert_int_ne(domid("h"), d);
	/* on_crash destroy (the default): Halted, the crash reported. */
	define_vm("h2", "\"type\": \"hvm\"");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "h2", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "h2", "dm-exit", NULL), 0);
	ck_assert(wait_power("h2", XENOPS_POWER_HALTED));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "h2"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"last_shutdown_reason\":\"crash\""));
	xenops_free(json);
}
END_TEST

/*
 * An HVM guest's CD drive is the device model's emulated IDE CD drive (on
 * xen, media changes go through QMP): eject and insert work live; a CD
 * drive outside the four IDE names or with a phy: media is refused.
 */
START_TEST(hvm_cd_media)
{
	char *json = NULL;

	define_vm("hc", "\"type\": \"hvm\"");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "hc", "{\"device\": \"xvdc\", \"kind\": \"cdrom\", \"backend\": \"file:/iso/a.iso\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "hc", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "hc", "xvdc", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "hc", "xvdc"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"media_present\":false"));
	ck_assert_ptr_nonnull(strstr(json, "\"backend\":\"\""));
	xenops_free(json);
	ck_assert_int_eq(xenops_vbd_eject(NULL, ctx, "hc", "xvdc", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "hc", "xvdc", "relative.iso", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "hc", "xvdc", iso_media, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "hc", "xvdc"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"media_present\":true"));
	ck_assert_ptr_nonnull(strstr(json, iso));
	xenops_free(json);
	/* Only hd, sd, xvd followed by a to d are emulated drives. */
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "hc", "{\"device\": \"xvde\", \"kind\": \"cdrom\", \"backend\": \"file:/iso/a.iso\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "hc", "xvde", XENOPS_WAIT), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "emulated IDE"));
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "hc", "xvde"));
	/* A phy: media is not for the device model's drive. */
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "hc", "{\"device\": \"xvdb\", \"kind\": \"cdrom\", \"backend\": \"phy:/dev/sr0\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "hc", "xvdb", XENOPS_WAIT), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "file:"));
	/* No emulated device is hot-plugged. */
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "hc", "{\"device\": \"xvdd\", \"kind\": \"cdrom\", \"backend\": \"\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "hc", "xvdd", XENOPS_WAIT), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "hot-plugged"));
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "hc", 0, XENOPS_WAIT | XENOPS_FORCE), 0);
}
END_TEST

START_TEST(guest_unplugs_a_device)
{
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdb\", \"backend\": \"file:/b\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
	ck_assert_int_eq(xenops_sim_guest_action(ctx, "vm", "unplug", "vbd:xvdb"), 0);
	for (int i = 0; i < 400 && dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"); i++)
		usleep(5000);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	/* It can be plugged again. */
	ck_assert_int_eq(xenops_vbd_plug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT), 0);
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
}
END_TEST

START_TEST(task_wait_timeout_cancel_destroy)
{
	char *task = NULL, **ids = NULL;
	int state, err;
	size_t n;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.build", "2000"), 0);
	ck_assert_int_eq(xenops_vm_start(&task, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_task_wait(ctx, task, 10), XENOPS_ETIMEDOUT);
	ck_assert_int_eq(xenops_task_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ids[0], task);
	xenops_strv_free(ids);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, task), 0);
	ck_assert_int_eq(state, XENOPS_TASK_PENDING);
	ck_assert_int_eq(xenops_task_cancel(ctx, task), 0);
	ck_assert_int_eq(xenops_task_wait(ctx, task, 10000), 0);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, &err, ctx, task), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(err, XENOPS_ECANCELLED);
	/* Cancelled mid-build: no half-built domain is left. */
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(domid("vm"), -1);
	ck_assert_int_eq(xenops_task_cancel(ctx, task), 0); /* ended: nothing to do */
	ck_assert_int_eq(xenops_task_destroy(ctx, task), 0);
	ck_assert_int_eq(xenops_task_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 0);
	xenops_strv_free(ids);
	xenops_free(task);
}
END_TEST

START_TEST(cancel_a_queued_task)
{
	char *t1 = NULL, *t2 = NULL;
	int state;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.build", "300"), 0);
	ck_assert_int_eq(xenops_vm_start(&t1, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_pause(&t2, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_task_cancel(ctx, t2), 0);
	/* A task that never started ends at once. */
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, t2), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(xenops_task_wait(ctx, t1, 10000), 0);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, t1), 0);
	ck_assert_int_eq(state, XENOPS_TASK_COMPLETED);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	xenops_free(t1);
	xenops_free(t2);
}
END_TEST

START_TEST(destroy_pending_task_goes_when_done)
{
	char *task = NULL, **ids = NULL;
	size_t n = 9;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.build", "100"), 0);
	ck_assert_int_eq(xenops_vm_start(&task, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_task_destroy(ctx, task), 0);
	ck_assert(wait_power("vm", XENOPS_POWER_RUNNING));
	settle("vm");
	ck_assert_int_eq(xenops_task_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 0);
	xenops_strv_free(ids);
	xenops_free(task);
}
END_TEST

/* A queue is FIFO: operations on one VM run in order, one at a time. */
START_TEST(per_vm_fifo)
{
	char *tasks[6] = { 0 };
	int state;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay", "5"), 0);
	ck_assert_int_eq(xenops_vm_start(&tasks[0], ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_pause(&tasks[1], ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_unpause(&tasks[2], ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_pause(&tasks[3], ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_unpause(&tasks[4], ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_shutdown(&tasks[5], ctx, "vm", 10, 0), 0);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(xenops_task_wait(ctx, tasks[i], 20000), 0);
		ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, tasks[i]), 0);
		ck_assert_msg(state == XENOPS_TASK_COMPLETED, "task %d ended %d", i, state);
		xenops_free(tasks[i]);
	}
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
}
END_TEST

START_TEST(forced_shutdown_overtakes_clean_one)
{
	char *running = NULL, *queued = NULL, *forced = NULL;
	int state;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	/* A guest that never answers: a clean shutdown would take 600 s. */
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_ack", "0"), 0);
	ck_assert_int_eq(xenops_vm_shutdown(&running, ctx, "vm", 600, 0), 0);
	ck_assert_int_eq(xenops_vm_reboot(&queued, ctx, "vm", 600, 0), 0);
	for (int i = 0; i < 200; i++) {
		char *json = NULL;
		int waiting;

		ck_assert_int_eq(xenops_task_stat(&json, ctx, running), 0);
		waiting = strstr(json, "\"atom\":\"wait_ack\"") != NULL;
		xenops_free(json);
		if (waiting)
			break;
		usleep(5000);
	}
	ck_assert_int_eq(xenops_vm_shutdown(&forced, ctx, "vm", 0, 0), 0);
	ck_assert_int_eq(xenops_task_wait(ctx, forced, 20000), 0);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, forced), 0);
	ck_assert_int_eq(state, XENOPS_TASK_COMPLETED);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, running), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, queued), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	xenops_free(running);
	xenops_free(queued);
	xenops_free(forced);
}
END_TEST

START_TEST(destroy_overtakes_clean_shutdown)
{
	char *clean = NULL;
	int state;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.shutdown_complete", "0"), 0);
	ck_assert_int_eq(xenops_vm_shutdown(&clean, ctx, "vm", 600, 0), 0);
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, clean), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	xenops_free(clean);
}
END_TEST

/*
 * A destroy that overtakes a queued clean shutdown cancels that task with
 * its own error; the destroy itself succeeded, so the caller's last error
 * stays clear.
 */
START_TEST(overtaken_task_error_stays_on_the_task)
{
	char *slow = NULL, *clean = NULL, *destroy = NULL, *json = NULL;
	int state, error;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	/* A slow pause holds the VM's queue: the clean shutdown waits behind it. */
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.pause", "300"), 0);
	ck_assert_int_eq(xenops_vm_pause(&slow, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_shutdown(&clean, ctx, "vm", 600, 0), 0);
	ck_assert_int_eq(xenops_vm_destroy(&destroy, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_last_error(), 0);
	ck_assert_str_eq(xenops_last_error_message(), "");
	/* Ended at submission: no worker ever ran it. */
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, &error, ctx, clean), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	ck_assert_int_eq(error, XENOPS_ECANCELLED);
	ck_assert_int_eq(xenops_task_stat(&json, ctx, clean), 0);
	ck_assert_ptr_nonnull(strstr(json, "overtaken by a forced operation"));
	xenops_free(json);
	ck_assert_int_eq(xenops_task_wait(ctx, destroy, 20000), 0);
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, destroy), 0);
	ck_assert_int_eq(state, XENOPS_TASK_COMPLETED);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);

	/* The same with XENOPS_WAIT, the way the CLI calls it. */
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	xenops_free(clean);
	xenops_free(slow);
	ck_assert_int_eq(xenops_vm_pause(&slow, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_shutdown(&clean, ctx, "vm", 600, 0), 0);
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_last_error(), 0);
	ck_assert_str_eq(xenops_last_error_message(), "");
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, clean), 0);
	ck_assert_int_eq(state, XENOPS_TASK_CANCELLED);
	xenops_free(slow);
	xenops_free(clean);
	xenops_free(destroy);
}
END_TEST

static int events_seen;

static void count_event(xenops_ctx *c, const xenops_event *ev, void *ud)
{
	(void)c, (void)ev, (void)ud;
	events_seen++;
}

/* Leave a failure in the thread's last error. */
static void fail_first(void)
{
	char *json = NULL;

	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "no-such-vm"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_last_error(), XENOPS_ENOTFOUND);
	ck_assert_str_ne(xenops_last_error_message(), "");
}

/* @call must succeed and leave no error behind, right after a failure. */
#define CLEAN(call)                                                                            \
	do {                                                                                   \
		int rc_;                                                                       \
		fail_first();                                                                  \
		rc_ = (call);                                                                  \
		ck_assert_msg(rc_ >= 0, "%s: %d %s", #call, rc_, xenops_last_error_message()); \
		ck_assert_msg(xenops_last_error() == 0, "%s left %d \"%s\"", #call,            \
			      xenops_last_error(), xenops_last_error_message());               \
		ck_assert_msg(!strcmp(xenops_last_error_message(), ""), "%s left \"%s\"",      \
			      #call, xenops_last_error_message());                             \
	} while (0)

/* Every public call that returns success leaves the last error at 0. */
START_TEST(successful_calls_leave_no_error)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *c2 = NULL;
	xenops_updates *u = NULL;
	char *json = NULL, *task = NULL, **ids = NULL, path[64];
	const char *vm_of = NULL, *id_of = NULL;
	int state = 0, d = 0, kind = 0, deleted = 0, error = 0;
	double progress = 0;
	uint64_t watch = 0, barrier = 0;
	size_t n = 0;

	o.backend = "sim";
	CLEAN(xenops_ctx_new(&c2, &o));
	xenops_ctx_unref(c2);
	CLEAN(xenops_host_stat(&json, ctx));
	xenops_free(json);
	CLEAN(xenops_debug_set(ctx, "fault.off", NULL));
	CLEAN(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"memory_mib\": 128}", 0));
	CLEAN(xenops_vbd_add(NULL, ctx, "vm",
			     "{\"device\": \"xvda\", \"backend\": \"file:/img/root\"}", 0));
	CLEAN(xenops_vbd_add(NULL, ctx, "vm",
			     "{\"device\": \"xvdb\", \"backend\": \"phy:/dev/sdb\"}", 0));
	CLEAN(xenops_vbd_add(NULL, ctx, "vm",
			     "{\"device\": \"xvdd\", \"kind\": \"cdrom\", \"backend\": \"file:/iso/a.iso\"}", 0));
	CLEAN(xenops_vif_add(NULL, ctx, "vm", "{}", 0));
	CLEAN(xenops_pci_add(NULL, ctx, "vm", "{\"address\": \"0000:04:00.0\"}", 0));
	CLEAN(xenops_vm_list(&ids, &n, ctx));
	xenops_strv_free(ids);
	CLEAN(xenops_vm_get_config(&json, ctx, "vm"));
	xenops_free(json);
	CLEAN(xenops_vm_stat(&json, ctx, "vm"));
	xenops_free(json);
	CLEAN(xenops_vm_get_power_state(&state, &d, ctx, "vm"));
	CLEAN(xenops_vbd_list(&ids, &n, ctx, "vm"));
	xenops_strv_free(ids);
	CLEAN(xenops_vif_list(&ids, &n, ctx, "vm"));
	xenops_strv_free(ids);
	CLEAN(xenops_pci_list(&ids, &n, ctx, "vm"));
	xenops_strv_free(ids);
	CLEAN(xenops_vbd_get_config(&json, ctx, "vm", "xvda"));
	xenops_free(json);
	CLEAN(xenops_vif_get_config(&json, ctx, "vm", "0"));
	xenops_free(json);
	CLEAN(xenops_pci_get_config(&json, ctx, "vm", "0000:04:00.0"));
	xenops_free(json);

	CLEAN(xenops_ctx_subscribe(&watch, ctx, 1u << XENOPS_KIND_VM, count_event, NULL));
	CLEAN(xenops_ctx_get_fd(ctx));
	CLEAN(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT));
	CLEAN(xenops_ctx_dispatch(ctx));
	CLEAN(xenops_ctx_unsubscribe(ctx, watch));
	CLEAN(xenops_vbd_stat(&json, ctx, "vm", "xvda"));
	xenops_free(json);
	CLEAN(xenops_vif_stat(&json, ctx, "vm", "0"));
	xenops_free(json);
	CLEAN(xenops_pci_stat(&json, ctx, "vm", "0000:04:00.0"));
	xenops_free(json);
	CLEAN(xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT));
	CLEAN(xenops_vbd_plug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT));
	/* Live media changes are an HVM guest's (its device model's CD drive). */
	CLEAN(xenops_vm_add(NULL, ctx, "{\"id\": \"hc\", \"type\": \"hvm\"}", 0));
	CLEAN(xenops_vbd_add(NULL, ctx, "hc",
			     "{\"device\": \"xvdc\", \"kind\": \"cdrom\", \"backend\": \"file:/iso/a.iso\"}", 0));
	CLEAN(xenops_vm_start(NULL, ctx, "hc", XENOPS_WAIT));
	CLEAN(xenops_vbd_eject(NULL, ctx, "hc", "xvdc", XENOPS_WAIT));
	CLEAN(xenops_vbd_insert(NULL, ctx, "hc", "xvdc", iso_media, XENOPS_WAIT));
	CLEAN(xenops_vm_shutdown(NULL, ctx, "hc", 0, XENOPS_WAIT | XENOPS_FORCE));
	CLEAN(xenops_vif_set_carrier(NULL, ctx, "vm", "0", 0, XENOPS_WAIT));
	CLEAN(xenops_vif_unplug(NULL, ctx, "vm", "0", XENOPS_WAIT));
	CLEAN(xenops_vif_plug(NULL, ctx, "vm", "0", XENOPS_WAIT));
	CLEAN(xenops_pci_unplug(NULL, ctx, "vm", "0000:04:00.0", XENOPS_WAIT));
	CLEAN(xenops_pci_plug(NULL, ctx, "vm", "0000:04:00.0", XENOPS_WAIT));
	CLEAN(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT));
	CLEAN(xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT));
	CLEAN(xenops_vm_reboot(NULL, ctx, "vm", 10, XENOPS_WAIT));
	snprintf(path, sizeof(path), "/tmp/xo-clean-%d.save", getpid());
	unlink(path);
	CLEAN(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT));
	CLEAN(xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT));
	unlink(path);

	/* Tasks. */
	CLEAN(xenops_vm_pause(&task, ctx, "vm", 0));
	CLEAN(xenops_task_wait(ctx, task, 20000));
	CLEAN(xenops_task_get_state(&state, &progress, &error, ctx, task));
	CLEAN(xenops_task_stat(&json, ctx, task));
	xenops_free(json);
	CLEAN(xenops_task_list(&ids, &n, ctx));
	xenops_strv_free(ids);
	CLEAN(xenops_task_cancel(ctx, task));
	CLEAN(xenops_task_destroy(ctx, task));
	xenops_free(task);
	CLEAN(xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT));

	/* Updates. */
	CLEAN(xenops_updates_inject_barrier(&barrier, ctx, "vm"));
	CLEAN(xenops_updates_get(&u, ctx, NULL, 0));
	ck_assert_uint_gt(xenops_updates_count(u), 0);
	CLEAN(xenops_updates_item(&kind, &vm_of, &id_of, &deleted, u, 0));
	ck_assert_uint_gt(xenops_updates_barrier_count(u), 0);
	CLEAN(xenops_updates_barrier(&barrier, &vm_of, u, 0));
	xenops_updates_free(u);

	/* The guest's own actions, then the way down. */
	CLEAN(xenops_sim_guest_action(ctx, "vm", "unplug", "vbd:xvdb"));
	CLEAN(xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT));
	CLEAN(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT));
	CLEAN(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT));
	CLEAN(xenops_vbd_remove(ctx, "vm", "xvdb", 0));
	CLEAN(xenops_vif_remove(ctx, "vm", "0", 0));
	CLEAN(xenops_pci_remove(ctx, "vm", "0000:04:00.0", 0));
	CLEAN(xenops_vm_remove(ctx, "vm", 0));
	ck_assert_int_gt(events_seen, 0);
}
END_TEST

/* Many notifications while a VM is busy give one queued check. */
START_TEST(state_checks_are_coalesced)
{
	xenops_updates *u = NULL;
	char *slow = NULL, token[64];
	size_t tasks_seen = 0;

	define_vm("vm", NULL);
	for (int i = 0; i < 3; i++) {
		char cfg[96];

		snprintf(cfg, sizeof(cfg), "{\"device\": \"xvd%c\", \"backend\": \"file:/d%d\"}", 'b' + i, i);
		ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", cfg, 0), 0);
	}
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.pause", "300"), 0);
	ck_assert_int_eq(xenops_vm_pause(&slow, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_updates_get(&u, ctx, NULL, 0), 0);
	snprintf(token, sizeof(token), "%s", xenops_updates_next(u));
	xenops_updates_free(u);
	/* The guest lets go of the same disk many times while the VM is busy. */
	for (int i = 0; i < 5; i++)
		xenops_sim_guest_action(ctx, "vm", "unplug", "vbd:xvdb");
	ck_assert_int_eq(xenops_task_wait(ctx, slow, 20000), 0);
	settle("vm");
	ck_assert_int_eq(xenops_updates_get(&u, ctx, token, 0), 0);
	for (size_t i = 0; i < xenops_updates_count(u); i++) {
		int kind;

		ck_assert_int_eq(xenops_updates_item(&kind, NULL, NULL, NULL, u, i), 0);
		if (kind == XENOPS_KIND_TASK)
			tasks_seen++;
	}
	xenops_updates_free(u);
	/* The pause task and exactly one device check. */
	ck_assert_uint_eq(tasks_seen, 2);
	ck_assert(!dev_plugged(XENOPS_KIND_VBD, "vm", "xvdb"));
	ck_assert(dev_plugged(XENOPS_KIND_VBD, "vm", "xvdc"));
	xenops_free(slow);
}
END_TEST

/* The VM is in a valid state: no domain and no devices when halted. */
static void check_valid(const char *vm, long long halted_free)
{
	int st = power(vm), d = domid(vm);

	switch (st) {
	case XENOPS_POWER_HALTED:
	case XENOPS_POWER_SUSPENDED:
		ck_assert_int_eq(d, -1);
		ck_assert_int_eq(free_memory(), halted_free);
		ck_assert(!dev_plugged(XENOPS_KIND_VBD, vm, "xvda"));
		ck_assert(!dev_plugged(XENOPS_KIND_VIF, vm, "0"));
		break;
	case XENOPS_POWER_RUNNING:
	case XENOPS_POWER_PAUSED:
		ck_assert_int_ge(d, 0);
		ck_assert_int_lt(free_memory(), halted_free);
		/* A running VM has every device plugged (none was unplugged). */
		ck_assert(dev_plugged(XENOPS_KIND_VBD, vm, "xvda"));
		ck_assert(dev_plugged(XENOPS_KIND_VIF, vm, "0"));
		break;
	default:
		ck_abort_msg("VM in state %d", st);
	}
}

enum { OP_START, OP_SHUTDOWN, OP_REBOOT, OP_SUSPEND, OP_RESUME, OP_PAUSE, OP__N };

static int run_op(int op, const char *path)
{
	switch (op) {
	case OP_START:
		return xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT);
	case OP_SHUTDOWN:
		return xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT);
	case OP_REBOOT:
		return xenops_vm_reboot(NULL, ctx, "vm", 10, XENOPS_WAIT);
	case OP_SUSPEND:
		return xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT);
	case OP_RESUME:
		return xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT);
	default:
		return xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT);
	}
}

/* Bring the VM to the state the operation starts from. */
static void prepare(int op, const char *path)
{
	if (op != OP_START)
		ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	unlink(path); /* a suspend cut short may have written it */
	if (op == OP_RESUME) {
		unlink(path);
		ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	}
}

/*
 * Cancel at each cancel point in turn (and fail each atom in turn): every
 * time the VM ends in a valid state and can be started and stopped again.
 */
static void fault_sweep(const char *key, int op)
{
	char path[128];
	int points = 0;

	snprintf(path, sizeof(path), "/tmp/xo-test-sweep-%d-%d.save", getpid(), op);
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{}", 0), 0);
	long long halted_free = free_memory();

	for (int n = 1; n < 50; n++) {
		int rc;

		prepare(op, path);
		settle("vm");
		{
			char v[16];

			snprintf(v, sizeof(v), "%d", n);
			ck_assert_int_eq(xenops_debug_set(ctx, key, v), 0);
		}
		rc = run_op(op, path);
		ck_assert_int_eq(xenops_debug_set(ctx, "fault.off", NULL), 0);
		settle("vm");
		check_valid("vm", halted_free);
		/* Reset to Halted for the next round, which proves it operable. */
		ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
		check_valid("vm", halted_free);
		if (rc == 0)
			break; /* the fault was past the last point: all covered */
		ck_assert(rc == XENOPS_ECANCELLED || rc == XENOPS_EBACKEND);
		points++;
	}
	unlink(path);
	ck_assert_int_gt(points, 0);
}

START_TEST(cancel_at_every_point)
{
	fault_sweep("fault.cancel_point", _i);
}
END_TEST

START_TEST(fail_at_every_atom)
{
	fault_sweep("fault.fail_atom", _i);
}
END_TEST

/*
 * A suspend's file is checked before the guest is asked to suspend: an
 * existing file, a missing directory or one that is a file refuse the call
 * at once and the guest runs on (it used to be suspended, then lost when
 * the save found the file there).
 */
/* @to: the first half of the small file @from. */
static void copy_half(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	char buf[4096];
	size_t got;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	got = fread(buf, 1, sizeof(buf), in);
	ck_assert_uint_gt(got, 2);
	ck_assert_uint_eq(fwrite(buf, 1, got / 2, out), got / 2);
	fclose(in);
	fclose(out);
}

START_TEST(suspend_checks_path_first)
{
	char path[128], dir_file[140], half[160];
	char **tasks = NULL;
	size_t n = 99;

	snprintf(path, sizeof(path), "/tmp/xo-test-exists-%d.save", getpid());
	snprintf(dir_file, sizeof(dir_file), "%s/x.save", iso);
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", iso, XENOPS_WAIT), XENOPS_EEXIST);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "already exists"));
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", "/nonexistent-dir/x.save", 0),
			 XENOPS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "/nonexistent-dir"));
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", dir_file, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_task_list(&tasks, &n, ctx), 0);
	ck_assert_uint_eq(n, 0); /* refused before any task existed */
	xenops_strv_free(tasks);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	/* A resume needs its image; an insert its media. */
	unlink(path);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", "/nonexistent-dir/x.save", 0),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_SUSPENDED);
	/* A cut image fails the resume and keeps the VM Suspended with its image. */
	snprintf(half, sizeof(half), "%s.half", path);
	copy_half(path, half);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", half, XENOPS_WAIT), XENOPS_EINVAL);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_SUSPENDED);
	ck_assert_int_eq(domid("vm"), -1);
	unlink(half);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_RUNNING);
	unlink(path);
}
END_TEST

/*
 * A suspend that fails after the guest suspended, before its image was
 * complete, lets the guest run on instead of halting it.
 */
START_TEST(failed_save_resumes_guest)
{
	char path[128];
	char *json = NULL;
	int domid = -1, domid2 = -2, st = -1;

	snprintf(path, sizeof(path), "/tmp/xo-test-failsave-%d.save", getpid());
	unlink(path);
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, &domid, ctx, "vm"), 0);
	/* Atoms: request_shutdown, wait_ack, wait_shutdown, save, destroy_domain. */
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "4"), 0);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), XENOPS_EBACKEND);
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.off", NULL), 0);
	settle("vm");
	ck_assert_int_eq(xenops_vm_get_power_state(&st, &domid2, ctx, "vm"), 0);
	ck_assert_int_eq(st, XENOPS_POWER_RUNNING);
	ck_assert_int_eq(domid2, domid); /* the same domain runs on */
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"power_state\":\"Running\""));
	xenops_free(json);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* And it can still be suspended, and shut down. */
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "vm", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT), 0);
	unlink(path);
}
END_TEST

START_TEST(failed_start_leaves_nothing)
{
	long long before = free_memory();
	char *task = NULL, *json = NULL;
	int state;

	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "3"), 0);
	ck_assert_int_eq(xenops_vm_start(&task, ctx, "vm", XENOPS_WAIT), XENOPS_EBACKEND);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "injected"));
	ck_assert_int_eq(xenops_task_get_state(&state, NULL, NULL, ctx, task), 0);
	ck_assert_int_eq(state, XENOPS_TASK_FAILED);
	ck_assert_int_eq(xenops_task_stat(&json, ctx, task), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"XENOPS_EBACKEND\""));
	ck_assert_ptr_nonnull(strstr(json, "plug_vbd:xvda"));
	xenops_free(json);
	ck_assert_int_eq(power("vm"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(free_memory(), before);
	xenops_free(task);
}
END_TEST

START_TEST(unref_with_tasks_in_flight)
{
	define_vm("vm", NULL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.build", "5000"), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", 0), 0);
	usleep(20000);
	/* The running task is cancelled at its next cancel point, promptly. */
	xenops_ctx_unref(ctx);
	ctx = NULL;
	setup();
}
END_TEST

/* GRUB boot through the API: the image path is a knob; a missing one fails the start cleanly. */
START_TEST(grub_boot_start)
{
	char *dir = xo_test_mkdtemp("ops-grub"), img[512];
	FILE *f;

	snprintf(img, sizeof(img), "%s/grub-pvh.bin", dir);
	define_vm("g", "\"type\": \"pvh\", \"boot\": \"grub\"");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "g", "{\"device\": \"xvda\", \"backend\": \"file:/img/g\"}", 0), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "boot.grub_pvh", img), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "g", XENOPS_WAIT), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), img));
	ck_assert_int_eq(power("g"), XENOPS_POWER_HALTED);
	ck_assert_int_eq(domid("g"), -1);
	f = fopen(img, "w");
	ck_assert_ptr_nonnull(f);
	fputs("grub", f);
	fclose(f);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "g", XENOPS_WAIT), 0);
	ck_assert_int_eq(power("g"), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(dev_plugged(XENOPS_KIND_VBD, "g", "xvda"), 1);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "g", 0, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "boot.grub_pvh", "relative"), XENOPS_EINVAL);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

/* The device model's privileges are the xen backend's options: the simulator refuses them. */
START_TEST(dm_options_need_xen)
{
	ck_assert_int_eq(xenops_ctx_set_option(ctx, "dm.restrict", "0"), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "dm.restrict"));
	ck_assert_int_eq(xenops_ctx_set_option(ctx, "dm.uid_base", "131072"), XENOPS_ENOTSUP);
	ck_assert_int_eq(xenops_debug_set(ctx, "dm.restrict", "1"), XENOPS_ENOTSUP);
	ck_assert_int_eq(xenops_ctx_set_option(ctx, "dm.other", "1"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_ctx_set_option(ctx, "dm.restrict", NULL), XENOPS_EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, full_lifecycle);
	tcase_add_test(tc, hvm_device_model_death);
	tcase_add_test(tc, hvm_cd_media);
	tcase_add_test(tc, grub_boot_start);
	tcase_add_test(tc, dm_options_need_xen);
	tcase_add_test(tc, start_paused_and_destroy);
	tcase_add_test(tc, forced_shutdown_variants);
	tcase_add_test(tc, clean_shutdown_timeouts_are_distinct);
	tcase_add_test(tc, illegal_transitions);
	tcase_add_test(tc, unknown_objects);
	tcase_add_test(tc, device_hotplug);
	tcase_add_test(tc, non_unpluggable_disk);
	tcase_add_test(tc, guest_poweroff_follows_on_shutdown);
	tcase_add_test(tc, guest_reboot_and_crash);
	tcase_add_test(tc, guest_unplugs_a_device);
	tcase_add_test(tc, task_wait_timeout_cancel_destroy);
	tcase_add_test(tc, cancel_a_queued_task);
	tcase_add_test(tc, destroy_pending_task_goes_when_done);
	tcase_add_test(tc, per_vm_fifo);
	tcase_add_test(tc, forced_shutdown_overtakes_clean_one);
	tcase_add_test(tc, destroy_overtakes_clean_shutdown);
	tcase_add_test(tc, overtaken_task_error_stays_on_the_task);
	tcase_add_test(tc, successful_calls_leave_no_error);
	tcase_add_test(tc, state_checks_are_coalesced);
	tcase_add_loop_test(tc, cancel_at_every_point, 0, OP__N);
	tcase_add_loop_test(tc, fail_at_every_atom, 0, OP__N);
	tcase_add_test(tc, failed_start_leaves_nothing);
	tcase_add_test(tc, suspend_checks_path_first);
	tcase_add_test(tc, failed_save_resumes_guest);
	tcase_add_test(tc, unref_with_tasks_in_flight);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
