/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator backend, driven through its ops table as the engine drives
 * it, with a fake environment (cancel point counter) and recorded upcalls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/boot.h"
#include "testutil.h"

/* The error value the internal calls under test fill. */
static struct xo_error test_err;
static struct xo_error *const err = &test_err;

#define GIB (1ull << 30)
#define MIB (1ull << 20)

static const struct xo_backend_ops *ops = &xo_backend_sim;

/* ---- fake environment: a cancel point counter ---- */

struct fake_env {
	struct xo_env env;
	int calls;        /* check() and sleep() calls so far */
	int cancel_after; /* calls that succeed before cancellation; -1: never */
	unsigned int slept_ms;
	unsigned int longest_sleep_ms;
};

static int fake_check(struct xo_env *env, struct xo_error *e)
{
	struct fake_env *fe = env->priv;

	fe->calls++;
	if (fe->cancel_after >= 0 && fe->calls > fe->cancel_after)
		return xo_err(e, XENOPS_ECANCELLED, "fake cancel");
	return 0;
}

static int fake_sleep(struct xo_env *env, unsigned int ms, struct xo_error *e)
{
	struct fake_env *fe = env->priv;
	int rc = fake_check(env, e);

	if (rc < 0)
		return rc;
	fe->slept_ms += ms;
	if (ms > fe->longest_sleep_ms)
		fe->longest_sleep_ms = ms;
	usleep(ms * 1000);
	return 0;
}

static void fake_progress(struct xo_env *env, double fraction)
{
	(void)env;
	(void)fraction;
}

static void env_init(struct fake_env *fe, int cancel_after)
{
	memset(fe, 0, sizeof(*fe));
	fe->env.check = fake_check;
	fe->env.sleep = fake_sleep;
	fe->env.progress = fake_progress;
	fe->env.priv = fe;
	fe->cancel_after = cancel_after;
}

/* ---- recorded upcalls and logs ---- */

static struct {
	int domain_changed;
	char vm[XO_ID_MAX + 1];
	int device_changed;
	int kind;
	char dev[XO_ID_MAX + 1];
	int warnings;
	char last_warning[1024];
	struct xo_backend *b; /* when set, upcalls query it: deadlocks if its lock is held */
	int nested_rc;
} rec;

/* Upcalls come from any thread of the backend. */
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_domain_changed(void *opaque, const char *vm_id)
{
	ck_assert_ptr_eq(opaque, &rec);
	pthread_mutex_lock(&rec_lock);
	rec.domain_changed++;
	snprintf(rec.vm, sizeof(rec.vm), "%s", vm_id);
	pthread_mutex_unlock(&rec_lock);
	if (rec.b) {
		struct xo_domain_info *list = NULL;
		size_t n = 0;

		rec.nested_rc = ops->domain_list(rec.b, &list, &n, err);
		free(list);
	}
}

static void on_device_changed(void *opaque, const char *vm_id, int kind, const char *dev_id)
{
	ck_assert_ptr_eq(opaque, &rec);
	rec.device_changed++;
	snprintf(rec.vm, sizeof(rec.vm), "%s", vm_id);
	rec.kind = kind;
	snprintf(rec.dev, sizeof(rec.dev), "%s", dev_id);
	if (rec.b) {
		struct xo_host_info hi;

		rec.nested_rc = ops->host_info(rec.b, &hi, err);
	}
}

static void on_log(int level, const char *msg, void *userdata)
{
	(void)userdata;
	if (level != XENOPS_LOG_WARNING)
		return;
	rec.warnings++;
	snprintf(rec.last_warning, sizeof(rec.last_warning), "%s", msg);
}

static const struct xo_log test_log = { on_log, NULL, XENOPS_LOG_DEBUG };

static struct xo_backend *sim_open(const char *state_dir)
{
	struct xo_backend_params p = {
		.state_dir = state_dir,
		.log = &test_log,
		.events = { on_domain_changed, on_device_changed, &rec },
	};
	struct xo_backend *b = NULL;

	ck_assert_int_eq(ops->open(&b, &p, err), 0);
	ck_assert_ptr_nonnull(b);
	return b;
}

static void setup(void)
{
	memset(&rec, 0, sizeof(rec));
}

/* ---- configurations ---- */

static struct xo_vm_config vm_cfg(const char *id, uint64_t memory)
{
	struct xo_vm_config c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.name = (char *)id;
	c.memory_max = memory;
	c.memory_target = memory;
	c.vcpus_max = 2;
	c.vcpus = 2;
	c.kernel = c.ramdisk = c.cmdline = (char *)"";
	return c;
}

static struct xo_dev_config vbd_cfg(const char *id, const char *device, const char *backend)
{
	struct xo_dev_config c;

	memset(&c, 0, sizeof(c));
	c.kind = XENOPS_KIND_VBD;
	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.u.vbd.device, sizeof(c.u.vbd.device), "%s", device);
	c.u.vbd.backend = (char *)backend;
	c.u.vbd.unpluggable = 1;
	return c;
}

static struct xo_dev_config vif_cfg(const char *id, int index, int carrier)
{
	struct xo_dev_config c;

	memset(&c, 0, sizeof(c));
	c.kind = XENOPS_KIND_VIF;
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.u.vif.index = index;
	snprintf(c.u.vif.mac, sizeof(c.u.vif.mac), "00:16:3e:00:00:%02x", index);
	c.u.vif.bridge = (char *)"br0";
	c.u.vif.mtu = 1500;
	c.u.vif.carrier = carrier;
	return c;
}

static struct xo_dev_config pci_cfg(const char *id, const char *address)
{
	struct xo_dev_config c;

	memset(&c, 0, sizeof(c));
	c.kind = XENOPS_KIND_PCI;
	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.u.pci.address, sizeof(c.u.pci.address), "%s", address);
	return c;
}

/* Create and build; unpause too when @run. */
static int start_dom(struct xo_backend *b, const struct xo_vm_config *cfg, int run)
{
	struct fake_env fe;
	int domid = -1;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, cfg, &domid, err), 0);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, cfg, domid, err), 0);
	if (run)
		ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	return domid;
}

static struct xo_domain_info info_of(struct xo_backend *b, int domid)
{
	struct xo_domain_info info;

	ck_assert_int_eq(ops->domain_info(b, domid, &info, err), 0);
	return info;
}

static void knob(struct xo_backend *b, const char *key, const char *value)
{
	ck_assert_int_eq(ops->set_knob(b, key, value, err), 0);
}

/* ---- host and lifecycle ---- */

START_TEST(test_host_info)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_host_info hi;
	struct fake_env fe;
	int domid;

	env_init(&fe, -1);
	ck_assert_str_eq(ops->name, "sim");
	ck_assert_int_eq(ops->host_info(b, &hi, err), 0);
	ck_assert_str_eq(hi.hypervisor, "sim-0.1");
	ck_assert_uint_eq(hi.nr_cpus, 4);
	ck_assert_uint_eq(hi.total_memory, 16 * GIB);
	ck_assert_uint_eq(hi.free_memory, 16 * GIB);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	ck_assert_int_eq(ops->host_info(b, &hi, err), 0);
	ck_assert_uint_eq(hi.free_memory, 15 * GIB);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->host_info(b, &hi, err), 0);
	ck_assert_uint_eq(hi.free_memory, 16 * GIB);
	ops->close(b);
}
END_TEST

START_TEST(test_lifecycle)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("vm-a", 512 * MIB);
	struct xo_domain_info info;
	struct fake_env fe;
	int domid = -1;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	ck_assert_int_eq(domid, 1);
	info = info_of(b, domid);
	ck_assert_int_eq(info.domid, 1);
	ck_assert_str_eq(info.vm_id, "vm-a");
	ck_assert_int_eq(info.status, XO_DOM_PAUSED);
	ck_assert_int_eq(info.shutdown_reason, XO_SHUTDOWN_NONE);
	ck_assert_uint_eq(info.memory_target, 512 * MIB);
	ck_assert_uint_eq(info.memory_actual, 512 * MIB);
	ck_assert_uint_eq(info.vcpus_max, 2);
	ck_assert_uint_eq(info.vcpus_online, 2);
	ck_assert(info.start_time > 1e9);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &a, domid, err), 0);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_RUNNING);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_PAUSED);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_info(b, domid, &info, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), XENOPS_ENOTFOUND);
	ops->close(b);
}
END_TEST

START_TEST(test_illegal_transitions)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), other = vm_cfg("other", GIB);
	struct xo_dev_config disk = vbd_cfg("disk", "xvda", "file:/img");
	struct fake_env fe;
	int domid, reason;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	/* Created, not built. */
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "not built"));
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_POWEROFF, err),
			 XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &disk, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &other, domid, err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &a, domid, err), 0);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &a, domid, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "already built"));
	/* Built and paused. */
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "paused"));
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "running"));
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_CRASH, err),
			 XENOPS_EINVAL);
	/* Shut down. */
	ck_assert_int_eq(ops->guest_action(b, domid, "poweroff", 0, NULL, err), 0);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "shut down"));
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_POWEROFF, err),
			 XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &disk, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->guest_action(b, domid, "crash", 0, NULL, err), XENOPS_EBADSTATE);
	/* Unknown domain. */
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &a, 99, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, 99, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, 99, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, 99, XO_SHUTDOWN_POWEROFF, err),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, 99, 10, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, 99, 10, &reason, err),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, 99, &disk, NULL, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->guest_action(b, 99, "poweroff", 0, NULL, err), XENOPS_ENOTFOUND);
	ops->close(b);
}
END_TEST

/* HVM: the device model starts at the first unpause; its death crashes the domain. */
START_TEST(test_hvm_device_model)
{
	char *dir = xo_test_mkdtemp("sim-hvm");
	struct xo_backend *b = sim_open(dir);
	struct xo_vm_config h = vm_cfg("h", GIB);
	struct xo_domain_info info;
	struct fake_env fe;
	int domid, reason;

	env_init(&fe, -1);
	h.type = XO_VM_HVM;
	h.kernel = (char *)"/nonexistent/vmlinuz"; /* loaded by the device model: must exist */
	ck_assert_int_lt(ops->domain_create(b, &fe.env, &h, &domid, err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/vmlinuz"));
	h.kernel = (char *)"";
	h.boot = XO_BOOT_GRUB;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &h, &domid, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "firmware"));
	h.boot = XO_BOOT_DIRECT; /* no kernel: the firmware boots from the disks */
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &h, &domid, err), 0);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &h, domid, err), 0);
	/* Paused, never unpaused: no device model to kill yet. */
	ck_assert_int_eq(ops->guest_action(b, domid, "dm-exit", 0, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	/* The device model's state survives a restart of the backend. */
	ops->close(b);
	b = sim_open(dir);
	ck_assert_int_eq(ops->guest_action(b, domid, "dm-exit", 0, NULL, err), 0);
	ck_assert_int_eq(ops->domain_info(b, domid, &info, err), 0);
	ck_assert_int_eq(info.status, XO_DOM_SHUTDOWN);
	ck_assert_int_eq(info.shutdown_reason, XO_SHUTDOWN_CRASH);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 10, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_CRASH);
	ck_assert_int_eq(ops->guest_action(b, domid, "dm-exit", 0, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	/* A PV domain has no device model. */
	h = vm_cfg("p", GIB);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &h, &domid, err), 0);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &h, domid, err), 0);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->guest_action(b, domid, "dm-exit", 0, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ops->close(b);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_bad_config)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config c = vm_cfg("a", GIB);
	struct xo_domain_info *list;
	struct fake_env fe;
	size_t n;
	int domid;

	env_init(&fe, -1);
	c.vcpus_max = XO_MAX_VCPUS + 1;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "vcpus_max"));
	c = vm_cfg("a", GIB);
	c.vcpus = 3;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_EINVAL);
	c = vm_cfg("../a", GIB);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
}
END_TEST

/* ---- PVH and GRUB boot: refused before any domain exists ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void assert_no_domain(struct xo_backend *b)
{
	struct xo_domain_info *list;
	size_t n;

	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
}

START_TEST(test_pvh_and_grub_boot)
{
	char *dir = xo_test_mkdtemp("sim-boot");
	char plain[512], pvh[512], grub_pv[512], grub_pvh[512], big[512];
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config c = vm_cfg("a", GIB);
	struct fake_env fe;
	FILE *f;
	int domid;

	env_init(&fe, -1);
	snprintf(plain, sizeof(plain), "%s/vmlinuz-pv", dir);
	snprintf(pvh, sizeof(pvh), "%s/vmlinuz-pvh", dir);
	snprintf(grub_pv, sizeof(grub_pv), "%s/grub-pv.bin", dir);
	snprintf(grub_pvh, sizeof(grub_pvh), "%s/grub-pvh.bin", dir);
	snprintf(big, sizeof(big), "%s/vmlinuz-big", dir);
	write_file(plain, "an ELF without the note");
	write_file(pvh, "ELF ... XEN_ELFNOTE_PHYS32_ENTRY ...");
	write_file(grub_pv, "grub");
	write_file(grub_pvh, "grub");
	/* The marker straddles the 64 KiB reads of the scan. */
	f = fopen(big, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 65536 - 5; i++)
		fputc('x', f);
	fputs("XEN_ELFNOTE_PHYS32_ENTRY", f);
	fclose(f);

	/* PVH direct: a kernel is needed, and it must have the PVH entry point. */
	c.type = XO_VM_PVH;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "needs a \"kernel\""));
	c.kernel = plain;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "no PVH entry point"));
	ck_assert_ptr_nonnull(strstr(err->msg, plain));
	c.kernel = (char *)"/nonexistent/vmlinuz";
	ck_assert_int_lt(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/vmlinuz"));
	assert_no_domain(b);
	c.kernel = pvh;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &c, domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	c.kernel = big;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	/* PV direct: the simulated guest needs no kernel file at all. */
	c.type = XO_VM_PV;
	c.kernel = plain;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);

	/* GRUB: the image of the VM's type must be there. */
	c = vm_cfg("g", GIB);
	c.boot = XO_BOOT_GRUB;
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pv", "/nonexistent/grub-pv.bin", err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/grub-pv.bin"));
	ck_assert_ptr_nonnull(strstr(err->msg, "boot.grub_pv"));
	assert_no_domain(b);
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pv", grub_pv, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	c.type = XO_VM_PVH; /* needs its own image, not the PV one */
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", "/nonexistent/grub-pvh.bin", err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err->msg, "boot.grub_pvh"));
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", dir, err), 0); /* a directory */
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err->msg, "not a regular file"));
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", grub_pvh, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	/* "" restores the default; relative paths are refused. */
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", "", err), 0);
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", "grub.bin", err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_pvh", NULL, err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->set_knob(b, "boot.grub_hvm", "/x", err), XENOPS_EINVAL);
	if (access(XO_GRUB_PVH_DEFAULT, R_OK) != 0) {
		ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &domid, err), XENOPS_ENOTSUP);
		ck_assert_ptr_nonnull(strstr(err->msg, XO_GRUB_PVH_DEFAULT));
	}
	ops->close(b);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_domid_monotonic)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", GIB);
	struct xo_domain_info *list = NULL;
	struct fake_env fe;
	int d1, d2, d3, d4;
	size_t n = 0;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &d1, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &d2, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, d2, err), 0);
	/* A reboot: same VM, new domain, new domid. */
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &d3, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, d1, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, d3, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &d4, err), 0);
	ck_assert_int_eq(d1, 1);
	ck_assert_int_eq(d2, 2);
	ck_assert_int_eq(d3, 3);
	ck_assert_int_eq(d4, 4);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &c, &d1, err), 0);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(list[0].domid, 4);
	ck_assert_str_eq(list[0].vm_id, "a");
	ck_assert_int_eq(list[1].domid, 5);
	ck_assert_str_eq(list[1].vm_id, "c");
	free(list);
	ops->close(b);
}
END_TEST

START_TEST(test_memory_exhausted)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config big = vm_cfg("big", 10 * GIB), more = vm_cfg("more", 7 * GIB);
	struct xo_domain_info *list = NULL;
	struct fake_env fe;
	int d1, d2 = -1;
	size_t n = 0;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &big, &d1, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &more, &d2, err), XENOPS_EBACKEND);
	ck_assert_ptr_nonnull(strstr(err->msg, "not enough free memory"));
	ck_assert_int_eq(d2, -1);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 1);
	free(list);
	more.memory_max = more.memory_target = 6 * GIB;
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &more, &d2, err), 0);
	ops->close(b);
}
END_TEST

START_TEST(test_cpu_time)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_domain_info i1, i2;
	struct fake_env fe;
	int domid = start_dom(b, &a, 0);

	env_init(&fe, -1);
	/* Built but paused: no vcpu runs. */
	i1 = info_of(b, domid);
	usleep(20000);
	i2 = info_of(b, domid);
	ck_assert_uint_eq(i1.cpu_time_ns, i2.cpu_time_ns);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	usleep(40000);
	i1 = info_of(b, domid);
	ck_assert_uint_ge(i1.vcpu_time_ns[0], 30 * 1000000ull);
	ck_assert_uint_eq(i1.vcpu_time_ns[0], i1.vcpu_time_ns[1]);
	ck_assert_uint_eq(i1.vcpu_time_ns[2], 0);
	ck_assert_uint_eq(i1.cpu_time_ns, i1.vcpu_time_ns[0] + i1.vcpu_time_ns[1]);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), 0);
	i1 = info_of(b, domid);
	usleep(20000);
	i2 = info_of(b, domid);
	ck_assert_uint_eq(i1.cpu_time_ns, i2.cpu_time_ns);
	ops->close(b);
}
END_TEST

/* ---- clean shutdown ---- */

START_TEST(test_clean_shutdown)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", GIB);
	int da = start_dom(b, &a, 1), dc = start_dom(b, &c, 1), reason = -5;
	struct xo_domain_info info;
	struct fake_env fe;

	env_init(&fe, -1);
	rec.b = b;
	rec.nested_rc = 1;
	/* No request pending: nothing to acknowledge, nothing shuts down. */
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, da, 0, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, da, 0, &reason, err),
			 XENOPS_ENOSHUTDOWN);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, da, XO_SHUTDOWN_POWEROFF, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, da, 1000, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, da, 1000, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_POWEROFF);
	info = info_of(b, da);
	ck_assert_int_eq(info.status, XO_DOM_SHUTDOWN);
	ck_assert_int_eq(info.shutdown_reason, XO_SHUTDOWN_POWEROFF);
	/* The wait that saw it tells the engine, once, without the lock. */
	ck_assert_int_eq(rec.domain_changed, 1);
	ck_assert_str_eq(rec.vm, "a");
	ck_assert_int_eq(rec.nested_rc, 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, da, 1000, &reason, err), 0);
	ck_assert_int_eq(rec.domain_changed, 1);
	/* Reboot, seen first by domain_info: the wait still tells. */
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, dc, XO_SHUTDOWN_REBOOT, err), 0);
	ck_assert_int_eq(info_of(b, dc).status, XO_DOM_SHUTDOWN);
	ck_assert_int_eq(rec.domain_changed, 1);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, dc, 0, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_REBOOT);
	ck_assert_int_eq(rec.domain_changed, 2);
	ck_assert_str_eq(rec.vm, "c");
	ops->close(b);
}
END_TEST

START_TEST(test_shutdown_delays)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = start_dom(b, &a, 1), reason;
	struct fake_env fe;
	uint64_t t0;

	env_init(&fe, -1);
	knob(b, "sim.delay.ack", "60");
	/* Long enough that a loaded machine cannot pass it between two calls. */
	knob(b, "sim.delay.shutdown", "1000");
	t0 = xo_now_ms();
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_POWEROFF, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 10, err), XENOPS_ENOACK);
	ck_assert_ptr_nonnull(strstr(err->msg, "acknowledge"));
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 2000, err), 0);
	ck_assert_uint_ge(xo_now_ms() - t0, 60);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 5, &reason, err),
			 XENOPS_ENOSHUTDOWN);
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_RUNNING);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 5000, &reason, err), 0);
	ck_assert_uint_ge(xo_now_ms() - t0, 1060);
	ck_assert_int_eq(reason, XO_SHUTDOWN_POWEROFF);
	/* The waits slept in steps of at most 10 ms through env->sleep. */
	ck_assert_int_ge(fe.calls, 4);
	ck_assert_uint_le(fe.longest_sleep_ms, 10);
	ops->close(b);
}
END_TEST

START_TEST(test_paused_guest_does_not_ack)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = start_dom(b, &a, 1), reason;
	struct fake_env fe;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_REBOOT, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 40, err), XENOPS_ENOACK);
	ck_assert_uint_le(fe.longest_sleep_ms, 10);
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_PAUSED);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 1000, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 1000, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_REBOOT);
	ops->close(b);
}
END_TEST

START_TEST(test_knob_no_ack)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = start_dom(b, &a, 1), reason;
	struct fake_env fe;

	env_init(&fe, -1);
	knob(b, "sim.shutdown_ack", "0");
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_POWEROFF, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 30, err), XENOPS_ENOACK);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 30, &reason, err),
			 XENOPS_ENOSHUTDOWN);
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_RUNNING);
	knob(b, "sim.shutdown_ack", "1");
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 1000, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 1000, &reason, err), 0);
	ops->close(b);
}
END_TEST

START_TEST(test_knob_no_complete)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = start_dom(b, &a, 1), reason;
	struct fake_env fe;

	env_init(&fe, -1);
	knob(b, "sim.shutdown_complete", "0");
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_POWEROFF, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 1000, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 30, &reason, err),
			 XENOPS_ENOSHUTDOWN);
	ck_assert_ptr_nonnull(strstr(err->msg, "shut down"));
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_RUNNING);
	/* A later request replaces the first: the guest reboots instead. */
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_REBOOT, err),
			 0);
	knob(b, "sim.shutdown_complete", "1");
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 1000, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_REBOOT);
	ops->close(b);
}
END_TEST

START_TEST(test_knobs_checked)
{
	struct xo_backend *b = sim_open(NULL);
	static const char *const bad[][2] = {
		{ "sim.bogus", "1" },          { "sim.delay.bogus", "1" },
		{ "sim.delayx", "1" },         { "sim.delay", "abc" },
		{ "sim.delay", "-1" },         { "sim.delay", "" },
		{ "sim.delay", NULL },         { "sim.delay.create", "3600001" },
		{ "sim.delay.ack", "1e3" },    { "sim.shutdown_ack", "2" },
		{ "sim.shutdown_complete", "yes" }, { "sim.host_reboot", "0" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(ops->set_knob(b, bad[i][0], bad[i][1], err), XENOPS_EINVAL);
		ck_assert_ptr_nonnull(strstr(err->msg, bad[i][0]));
	}
	ck_assert_int_eq(ops->set_knob(b, NULL, "1", err), XENOPS_EINVAL);
	knob(b, "sim.delay", "3600000");
	knob(b, "sim.delay", "0");
	knob(b, "sim.delay.shutdown", "5");
	knob(b, "sim.shutdown_ack", "1");
	knob(b, "sim.shutdown_complete", "0");
	ops->close(b);
}
END_TEST

START_TEST(test_op_delays)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_domain_info *list = NULL;
	struct fake_env fe;
	size_t n = 0;
	uint64_t t0;
	int domid;

	env_init(&fe, -1);
	knob(b, "sim.delay.create", "40");
	t0 = xo_now_ms();
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	ck_assert_uint_ge(xo_now_ms() - t0, 40);
	ck_assert_uint_eq(fe.slept_ms, 40);
	/* "sim.delay" sets every delay, build's included. */
	knob(b, "sim.delay", "25");
	fe.slept_ms = 0;
	ck_assert_int_eq(ops->domain_build(b, &fe.env, &a, domid, err), 0);
	ck_assert_uint_eq(fe.slept_ms, 25);
	/* Cancelled during the delay: nothing happened. */
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	env_init(&fe, 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), XENOPS_ECANCELLED);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
}
END_TEST

START_TEST(test_cancel_waits)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = start_dom(b, &a, 1), reason;
	struct fake_env fe;
	uint64_t t0;

	knob(b, "sim.shutdown_ack", "0");
	ck_assert_int_eq(ops->domain_request_shutdown(b, NULL, domid, XO_SHUTDOWN_POWEROFF, err),
			 0);
	env_init(&fe, 3);
	t0 = xo_now_ms();
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 60000, err), XENOPS_ECANCELLED);
	ck_assert_uint_lt(xo_now_ms() - t0, 500);
	ck_assert_int_eq(fe.calls, 4);
	env_init(&fe, 2);
	t0 = xo_now_ms();
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 60000, &reason, err),
			 XENOPS_ECANCELLED);
	ck_assert_uint_lt(xo_now_ms() - t0, 500);
	ck_assert_int_eq(fe.calls, 3);
	/* The domain is left as it was. */
	ck_assert_int_eq(info_of(b, domid).status, XO_DOM_RUNNING);
	ops->close(b);
}
END_TEST

/* ---- save and restore ---- */

static char *tmp_path(const char *dir, const char *name)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Start a domain and suspend it as the engine does before a save. */
static int suspended_dom(struct xo_backend *b, const struct xo_vm_config *cfg)
{
	int domid = start_dom(b, cfg, 1), reason;
	struct fake_env fe;

	env_init(&fe, -1);
	usleep(10000);
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, domid, XO_SHUTDOWN_SUSPEND, err),
			 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, domid, 1000, err), 0);
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, domid, 1000, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_SUSPEND);
	return domid;
}

START_TEST(test_save_restore)
{
	char *dir = xo_test_mkdtemp("sim-save");
	char *path = tmp_path(dir, "a.save");
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	int domid = suspended_dom(b, &a), restored = -1;
	struct xo_domain_info before = info_of(b, domid), after;
	struct json_object *obj, *v;
	struct fake_env fe;
	struct stat st;
	char *text;

	env_init(&fe, -1);
	ck_assert_uint_gt(before.cpu_time_ns, 0);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(xo_read_file(&text, NULL, path, 4096, err), 0);
	ck_assert_int_eq(xo_json_loads(&obj, text, "save file", err), 0);
	ck_assert(json_object_object_get_ex(obj, "format", &v));
	ck_assert_str_eq(json_object_get_string(v), "xenops-sim-save");
	ck_assert(json_object_object_get_ex(obj, "version", &v));
	ck_assert_int_eq(json_object_get_int(v), 1);
	ck_assert(json_object_object_get_ex(obj, "vm", &v));
	ck_assert_str_eq(json_object_get_string(v), "a");
	ck_assert(json_object_object_get_ex(obj, "memory", &v));
	ck_assert_int_eq(json_object_get_int64(v), (int64_t)GIB);
	ck_assert(json_object_object_get_ex(obj, "vcpus", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	ck_assert(json_object_object_get_ex(obj, "cpu_time_ns", &v));
	ck_assert_int_eq(json_object_get_int64(v), (int64_t)before.cpu_time_ns);
	json_object_put(obj);
	free(text);
	/* Never overwrites. */
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), XENOPS_EEXIST);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, path, &restored, err), 0);
	ck_assert_int_gt(restored, domid);
	after = info_of(b, restored);
	ck_assert_int_eq(after.status, XO_DOM_PAUSED);
	ck_assert_str_eq(after.vm_id, "a");
	ck_assert_uint_eq(after.cpu_time_ns, before.cpu_time_ns);
	/* Restored means built: it can run at once. */
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, restored, err), 0);
	ops->close(b);
	xo_test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_save_needs_suspend)
{
	char *dir = xo_test_mkdtemp("sim-save");
	char *path = tmp_path(dir, "x.save");
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), other = vm_cfg("other", GIB);
	int domid = start_dom(b, &a, 1);
	struct fake_env fe;
	struct stat st;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "suspend"));
	ck_assert_int_eq(ops->guest_action(b, domid, "poweroff", 0, NULL, err), 0);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), XENOPS_EBADSTATE);
	domid = suspended_dom(b, &other);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, 99, &a, path, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(stat(path, &st), -1);
	ops->close(b);
	xo_test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_restore_checks)
{
	char *dir = xo_test_mkdtemp("sim-restore");
	char *path = tmp_path(dir, "a.save"), *junk = tmp_path(dir, "junk");
	char *missing = tmp_path(dir, "missing");
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), other = vm_cfg("other", GIB);
	int domid = suspended_dom(b, &a), restored = -1;
	struct xo_domain_info *list = NULL;
	struct fake_env fe;
	size_t n = 0;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->domain_save(b, &fe.env, domid, &a, path, err), 0);
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &other, path, &restored, err),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "belongs to VM a"));
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, missing, &restored, err),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, dir, &restored, err), XENOPS_EIO);
	write_text(junk, "not json");
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, junk, &restored, err), XENOPS_EINVAL);
	unlink(junk);
	write_text(junk, "{\"format\": \"xl-save\", \"version\": 1, \"vm\": \"a\"}");
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, junk, &restored, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "not a simulator save file"));
	unlink(junk);
	write_text(junk, "{\"format\": \"xenops-sim-save\", \"version\": 2, \"vm\": \"a\", "
			 "\"memory\": 1, \"vcpus\": 1, \"cpu_time_ns\": 0}");
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, junk, &restored, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "version 2"));
	unlink(junk);
	write_text(junk, "{\"format\": \"xenops-sim-save\", \"version\": 1, \"vm\": \"a\", "
			 "\"memory\": 1, \"vcpus\": 0, \"cpu_time_ns\": 0}");
	ck_assert_int_eq(ops->domain_restore(b, &fe.env, &a, junk, &restored, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "vcpus"));
	ck_assert_int_eq(restored, -1);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
	xo_test_rmtree(dir);
	free(path);
	free(junk);
	free(missing);
	free(dir);
}
END_TEST

/* ---- devices ---- */

static struct xo_dev_state dev_state(struct xo_backend *b, int domid,
				     const struct xo_dev_config *cfg)
{
	struct xo_dev_state st;

	ck_assert_int_eq(ops->dev_info(b, domid, cfg, &st, err), 0);
	return st;
}

START_TEST(test_vbd)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_dev_config disk = vbd_cfg("disk", "xvda", "file:/img/a.raw");
	struct xo_dev_config cd = vbd_cfg("cd", "xvdb", "");
	struct xo_dev_config clash = vbd_cfg("clash", "xvda", "phy:/dev/sdb");
	int domid = start_dom(b, &a, 0);
	struct xo_dev_state st;
	struct fake_env fe;

	cd.u.vbd.cdrom = 1;
	env_init(&fe, -1);
	/* Plugging into a paused domain is how a VM start does it. */
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &disk, &st, err), 0);
	ck_assert_int_eq(st.plugged, 1);
	ck_assert_int_eq(st.active, 1);
	ck_assert_int_eq(st.backend_state, 4);
	ck_assert_int_eq(st.media_present, 1);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &disk, &st, err), XENOPS_EEXIST);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &clash, &st, err), XENOPS_EEXIST);
	ck_assert_ptr_nonnull(strstr(err->msg, "xvda"));
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &cd, &st, err), 0);
	ck_assert_int_eq(st.media_present, 0);
	/* A PV guest's CD drive is blkback's: no media change in place (as on xen). */
	ck_assert_int_eq(ops->vbd_set_media(b, &fe.env, domid, &cd, "file:/iso/x.iso", err), XENOPS_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err->msg, "HVM guests only"));
	ck_assert_int_eq(dev_state(b, domid, &cd).media_present, 0);
	{
		/* An HVM guest's is its device model's: media in and out. */
		struct xo_vm_config h = vm_cfg("h", GIB);
		int hd;

		h.type = XO_VM_HVM;
		hd = start_dom(b, &h, 0);
		ck_assert_int_eq(ops->dev_plug(b, &fe.env, hd, &cd, &st, err), 0);
		ck_assert_int_eq(ops->vbd_set_media(b, &fe.env, hd, &cd, "file:/iso/x.iso", err), 0);
		ck_assert_int_eq(dev_state(b, hd, &cd).media_present, 1);
		ck_assert_int_eq(ops->vbd_set_media(b, &fe.env, hd, &cd, "", err), 0);
		ck_assert_int_eq(dev_state(b, hd, &cd).media_present, 0);
		ck_assert_int_eq(ops->domain_destroy(b, &fe.env, hd, err), 0);
	}
	ck_assert_int_eq(ops->vbd_set_media(b, &fe.env, domid, &clash, "", err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, domid, &disk, 0, err), 0);
	ck_assert_int_eq(ops->dev_info(b, domid, &disk, &st, err), XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, domid, &disk, 0, err), XENOPS_ENOTFOUND);
	/* Its slot is free again. */
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &clash, &st, err), 0);
	/* Destroy takes the devices with the domain. */
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, domid, err), 0);
	ck_assert_int_eq(ops->dev_info(b, domid, &cd, &st, err), XENOPS_ENOTFOUND);
	ops->close(b);
}
END_TEST

START_TEST(test_vif_pci)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", GIB);
	struct xo_dev_config nic = vif_cfg("nic0", 0, 1), nic2 = vif_cfg("nic2", 0, 0);
	struct xo_dev_config gpu = pci_cfg("gpu", "0000:03:00.0");
	struct xo_dev_config gpu2 = pci_cfg("gpu2", "0000:03:00.0");
	int da = start_dom(b, &a, 1), dc = start_dom(b, &c, 1);
	struct xo_dev_state st;
	struct fake_env fe;
	char ifname[32];

	env_init(&fe, -1);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, dc, &nic, &st, err), 0);
	snprintf(ifname, sizeof(ifname), "vif%d.0", dc);
	ck_assert_str_eq(st.host_ifname, ifname);
	ck_assert_int_eq(st.carrier, 1);
	ck_assert_int_eq(st.backend_state, 4);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, dc, &nic2, &st, err), XENOPS_EEXIST);
	ck_assert_int_eq(ops->vif_set_carrier(b, &fe.env, dc, &nic, 0, err), 0);
	st = dev_state(b, dc, &nic);
	ck_assert_int_eq(st.carrier, 0);
	ck_assert_str_eq(st.host_ifname, ifname);
	ck_assert_int_eq(ops->vif_set_carrier(b, &fe.env, dc, &nic, 1, err), 0);
	ck_assert_int_eq(dev_state(b, dc, &nic).carrier, 1);
	/* Kinds are checked. */
	ck_assert_int_eq(ops->vbd_set_media(b, &fe.env, dc, &nic, "", err), XENOPS_EINVAL);
	ck_assert_int_eq(ops->vif_set_carrier(b, &fe.env, dc, &gpu, 1, err), XENOPS_EINVAL);
	/* A host PCI device goes to one domain at a time. */
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, da, &gpu, &st, err), 0);
	ck_assert_int_eq(st.plugged, 1);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, dc, &gpu2, &st, err), XENOPS_EBUSY);
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, da, &gpu, 0, err), 0);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, dc, &gpu2, &st, err), 0);
	ops->close(b);
}
END_TEST

START_TEST(test_unplug_needs_guest)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_dev_config d1 = vbd_cfg("d1", "xvda", "file:/a"), d2 = vbd_cfg("d2", "xvdb", "");
	int domid = start_dom(b, &a, 1);
	struct fake_env fe;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &d1, NULL, err), 0);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, domid, &d2, NULL, err), 0);
	ck_assert_int_eq(ops->guest_action(b, domid, "unplug", XENOPS_KIND_VBD, "d2", err), 0);
	ck_assert_int_eq(ops->domain_pause(b, &fe.env, domid, err), 0);
	/* A paused guest cannot release d1; d2 it released already. */
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, domid, &d1, 0, err), XENOPS_EBADSTATE);
	ck_assert_ptr_nonnull(strstr(err->msg, "force"));
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, domid, &d2, 0, err), 0);
	ck_assert_int_eq(ops->dev_unplug(b, &fe.env, domid, &d1, 1, err), 0);
	ops->close(b);
}
END_TEST

/* ---- guest actions ---- */

START_TEST(test_guest_actions)
{
	struct xo_backend *b = sim_open(NULL);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", GIB), p = vm_cfg("p", GIB);
	struct xo_dev_config disk = vbd_cfg("disk", "xvda", "file:/a");
	int da = start_dom(b, &a, 1), dc = start_dom(b, &c, 1), dp = start_dom(b, &p, 0);
	struct xo_domain_info info;
	struct xo_dev_state st;
	struct fake_env fe;

	env_init(&fe, -1);
	rec.b = b;
	rec.nested_rc = 1;
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, da, &disk, NULL, err), 0);
	ck_assert_int_eq(ops->guest_action(b, da, "unplug", XENOPS_KIND_VBD, "disk", err), 0);
	ck_assert_int_eq(rec.device_changed, 1);
	ck_assert_str_eq(rec.vm, "a");
	ck_assert_int_eq(rec.kind, XENOPS_KIND_VBD);
	ck_assert_str_eq(rec.dev, "disk");
	ck_assert_int_eq(rec.nested_rc, 0);
	st = dev_state(b, da, &disk);
	ck_assert_int_eq(st.plugged, 1);
	ck_assert_int_eq(st.active, 0);
	ck_assert_int_eq(st.backend_state, 6);
	ck_assert_int_eq(ops->guest_action(b, da, "unplug", XENOPS_KIND_VIF, "disk", err),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(ops->guest_action(b, da, "unplug", XENOPS_KIND_VBD, NULL, err),
			 XENOPS_EINVAL);
	ck_assert_int_eq(rec.device_changed, 1);

	rec.nested_rc = 1;
	ck_assert_int_eq(ops->guest_action(b, da, "crash", 0, NULL, err), 0);
	ck_assert_int_eq(rec.domain_changed, 1);
	ck_assert_str_eq(rec.vm, "a");
	ck_assert_int_eq(rec.nested_rc, 0);
	info = info_of(b, da);
	ck_assert_int_eq(info.status, XO_DOM_SHUTDOWN);
	ck_assert_int_eq(info.shutdown_reason, XO_SHUTDOWN_CRASH);
	ck_assert_int_eq(ops->guest_action(b, dc, "reboot", 0, NULL, err), 0);
	ck_assert_int_eq(rec.domain_changed, 2);
	ck_assert_str_eq(rec.vm, "c");
	ck_assert_int_eq(info_of(b, dc).shutdown_reason, XO_SHUTDOWN_REBOOT);
	/* A paused guest cannot act; errors fire nothing. */
	ck_assert_int_eq(ops->guest_action(b, dp, "poweroff", 0, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->guest_action(b, dc, "poweroff", 0, NULL, err), XENOPS_EBADSTATE);
	ck_assert_int_eq(ops->guest_action(b, dp, "dance", 0, NULL, err), XENOPS_EINVAL);
	ck_assert_int_eq(rec.domain_changed, 2);
	/* Destroy tells too, as @releaseDomain does on Xen. */
	ck_assert_int_eq(ops->domain_destroy(b, &fe.env, dp, err), 0);
	ck_assert_int_eq(rec.domain_changed, 3);
	ck_assert_str_eq(rec.vm, "p");
	ops->close(b);
}
END_TEST

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS 50

struct worker {
	struct xo_backend *b;
	int index;
	int domids[ROUNDS];
	int failures;
};

/* The engine's pattern: one worker per VM, application threads reading. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char id[16];
	struct fake_env fe;

	snprintf(id, sizeof(id), "vm%d", w->index);
	env_init(&fe, -1);
	for (int i = 0; i < ROUNDS; i++) {
		struct xo_vm_config c = vm_cfg(id, GIB);
		struct xo_dev_config nic = vif_cfg("nic", 0, 1);
		struct xo_domain_info *list = NULL, info;
		size_t n;
		int domid, reason;

		w->failures += ops->domain_create(w->b, &fe.env, &c, &domid, err) != 0;
		w->domids[i] = domid;
		w->failures += ops->domain_build(w->b, &fe.env, &c, domid, err) != 0;
		w->failures += ops->domain_unpause(w->b, &fe.env, domid, err) != 0;
		w->failures += ops->dev_plug(w->b, &fe.env, domid, &nic, NULL, err) != 0;
		w->failures += ops->domain_list(w->b, &list, &n, err) != 0;
		free(list);
		w->failures += ops->domain_info(w->b, domid, &info, err) != 0;
		w->failures += ops->domain_request_shutdown(w->b, &fe.env, domid,
							    XO_SHUTDOWN_POWEROFF, err) != 0;
		w->failures += ops->domain_wait_shutdown(w->b, &fe.env, domid, 1000, &reason,
							 err) != 0;
		w->failures += ops->domain_destroy(w->b, &fe.env, domid, err) != 0;
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct xo_backend *b = sim_open(NULL);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct xo_host_info hi;
	int seen[THREADS * ROUNDS + 1] = { 0 };

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .b = b, .index = i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		ck_assert_int_eq(w[i].failures, 0);
		for (int j = 0; j < ROUNDS; j++) {
			int d = w[i].domids[j];

			ck_assert_int_ge(d, 1);
			ck_assert_int_le(d, THREADS * ROUNDS);
			ck_assert_int_eq(seen[d]++, 0);
		}
	}
	ck_assert_int_eq(ops->host_info(b, &hi, err), 0);
	ck_assert_uint_eq(hi.free_memory, hi.total_memory);
	/* Every domain's clean shutdown was told, once. */
	ck_assert_int_eq(rec.domain_changed, 2 * THREADS * ROUNDS);
	ops->close(b);
}
END_TEST

/* ---- persistence ---- */

static char *table_path(const char *dir)
{
	return tmp_path(dir, "sim/domains.json");
}

START_TEST(test_persistence)
{
	char *dir = xo_test_mkdtemp("sim-state");
	struct xo_backend *b = sim_open(dir);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", 2 * GIB);
	struct xo_dev_config disk = vbd_cfg("disk", "xvda", "file:/a");
	struct xo_dev_config nic = vif_cfg("nic", 1, 1);
	int da = start_dom(b, &a, 1), dc = start_dom(b, &c, 0), dn, reason;
	struct xo_domain_info *list = NULL, before;
	struct xo_host_info hi;
	struct xo_dev_state st;
	struct fake_env fe;
	size_t n = 0;

	env_init(&fe, -1);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, da, &disk, NULL, err), 0);
	ck_assert_int_eq(ops->dev_plug(b, &fe.env, da, &nic, NULL, err), 0);
	ck_assert_int_eq(ops->vif_set_carrier(b, &fe.env, da, &nic, 0, err), 0);
	knob(b, "sim.shutdown_complete", "0");
	ck_assert_int_eq(ops->domain_request_shutdown(b, &fe.env, da, XO_SHUTDOWN_REBOOT, err), 0);
	ck_assert_int_eq(ops->domain_wait_ack(b, &fe.env, da, 1000, err), 0);
	usleep(20000);
	before = info_of(b, da);
	ops->close(b);

	b = sim_open(dir);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(list[0].domid, da);
	ck_assert_str_eq(list[0].vm_id, "a");
	ck_assert_int_eq(list[1].domid, dc);
	ck_assert_str_eq(list[1].vm_id, "c");
	ck_assert_int_eq(list[1].status, XO_DOM_PAUSED);
	free(list);
	/* Its clock ran on while nobody watched. */
	ck_assert_uint_ge(info_of(b, da).cpu_time_ns, before.cpu_time_ns);
	st = dev_state(b, da, &disk);
	ck_assert_int_eq(st.media_present, 1);
	st = dev_state(b, da, &nic);
	ck_assert_int_eq(st.carrier, 0);
	ck_assert_int_eq(ops->host_info(b, &hi, err), 0);
	ck_assert_uint_eq(hi.free_memory, 13 * GIB);
	/* The acknowledged request survived too: the guest finishes it now. */
	ck_assert_int_eq(ops->domain_wait_shutdown(b, &fe.env, da, 1000, &reason, err), 0);
	ck_assert_int_eq(reason, XO_SHUTDOWN_REBOOT);
	/* The domain marked built can run. */
	ck_assert_int_eq(ops->domain_unpause(b, &fe.env, dc, err), 0);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &dn, err), 0);
	ck_assert_int_eq(dn, dc + 1);
	ops->close(b);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_host_reboot)
{
	char *dir = xo_test_mkdtemp("sim-state");
	struct xo_backend *b = sim_open(dir);
	struct xo_vm_config a = vm_cfg("a", GIB), c = vm_cfg("c", GIB);
	struct xo_domain_info *list = NULL;
	struct fake_env fe;
	int domid;
	size_t n = 1;

	env_init(&fe, -1);
	start_dom(b, &a, 1);
	start_dom(b, &c, 0);
	rec.b = b;
	knob(b, "sim.host_reboot", "1");
	ck_assert_int_eq(rec.domain_changed, 2);
	ck_assert_int_eq(rec.nested_rc, 0);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
	b = sim_open(dir);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	/* A new boot of the host numbers domains from 1 again. */
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	ck_assert_int_eq(domid, 1);
	ops->close(b);
	xo_test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_machine_reboot)
{
	char *dir = xo_test_mkdtemp("sim-state");
	char *path = table_path(dir), *text = NULL, *boot;
	struct xo_backend *b = sim_open(dir);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_domain_info *list = NULL;
	size_t n = 1;

	start_dom(b, &a, 1);
	ops->close(b);
	/* The same table, as written during another boot of the machine. */
	ck_assert_int_eq(xo_read_file(&text, NULL, path, 1 << 20, err), 0);
	boot = strstr(text, "\"boot_id\":\"");
	ck_assert_ptr_nonnull(boot);
	boot += strlen("\"boot_id\":\"");
	ck_assert_int_ne(*boot, '"');
	for (; *boot != '"'; boot++)
		*boot = *boot == '-' ? '-' : '0';
	write_text(path, text);
	free(text);
	b = sim_open(dir);
	ck_assert_int_eq(rec.warnings, 0);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
	xo_test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

static void open_with_table(const char *dir, const char *text)
{
	char *sim = tmp_path(dir, "sim"), *path = table_path(dir);
	struct xo_domain_info *list = NULL;
	struct xo_backend *b;
	size_t n = 1;

	mkdir(sim, 0700);
	write_text(path, text);
	rec.warnings = 0;
	b = sim_open(dir);
	ck_assert_int_eq(rec.warnings, 1);
	ck_assert_ptr_nonnull(strstr(rec.last_warning, "domains.json"));
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
	ops->close(b);
	free(sim);
	free(path);
}

START_TEST(test_corrupt_table)
{
	char *dir = xo_test_mkdtemp("sim-state");
	char *path = table_path(dir);
	struct xo_vm_config a = vm_cfg("a", GIB);
	struct xo_domain_info *list = NULL;
	struct xo_backend *b;
	struct fake_env fe;
	size_t n = 0;
	int domid;

	env_init(&fe, -1);
	open_with_table(dir, "{\"format\": \"xenops-sim-dom");
	open_with_table(dir, "[]");
	open_with_table(dir, "{\"format\": \"xenops-sim-domains\", \"version\": 1, "
			     "\"boot_id\": \"\", \"next_domid\": 3, "
			     "\"domains\": [{\"vm\": \"a\"}]}");
	/* A good table written over the bad one loads again. */
	b = sim_open(dir);
	ck_assert_int_eq(ops->domain_create(b, &fe.env, &a, &domid, err), 0);
	ops->close(b);
	rec.warnings = 0;
	b = sim_open(dir);
	ck_assert_int_eq(rec.warnings, 0);
	ck_assert_int_eq(ops->domain_list(b, &list, &n, err), 0);
	ck_assert_uint_eq(n, 1);
	free(list);
	ops->close(b);
	xo_test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_bad_state_dir)
{
	char *dir = xo_test_mkdtemp("sim-state");
	char *file = tmp_path(dir, "file");
	struct xo_backend_params p = { .state_dir = file, .log = &test_log };
	struct xo_backend *b = NULL;

	write_text(file, "");
	ck_assert_int_eq(ops->open(&b, &p, err), XENOPS_EIO);
	ck_assert_ptr_nonnull(strstr(err->msg, "sim"));
	ck_assert_ptr_null(b);
	xo_test_rmtree(dir);
	free(file);
	free(dir);
}
END_TEST

START_TEST(test_atomic_write)
{
	char *dir = xo_test_mkdtemp("sim-atomic");
	char *path = tmp_path(dir, "rec.json"), *missing = tmp_path(dir, "no/such");
	char *text = NULL;
	size_t len = 0, entries = 0;
	struct dirent *de;
	DIR *d;

	ck_assert_int_eq(xo_write_file_atomic(dir, "rec.json", "first", 5, err), 0);
	ck_assert_int_eq(xo_write_file_atomic(dir, "rec.json", "second", 6, err), 0);
	ck_assert_int_eq(xo_read_file(&text, &len, path, 6, err), 0);
	ck_assert_str_eq(text, "second");
	ck_assert_uint_eq(len, 6);
	free(text);
	ck_assert_int_eq(xo_read_file(&text, &len, path, 5, err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_read_file(&text, &len, missing, 5, err), XENOPS_ENOTFOUND);
	/* No temporary file is left behind. */
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		entries += de->d_name[0] != '.' || strlen(de->d_name) > 2;
	closedir(d);
	ck_assert_uint_eq(entries, 1);
	ck_assert_int_eq(xo_write_file_atomic(missing, "rec.json", "x", 1, err), XENOPS_EIO);
	ck_assert_ptr_nonnull(strstr(err->msg, "No such file"));
	xo_test_rmtree(dir);
	free(path);
	free(missing);
	free(dir);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("sim");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_host_info);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_illegal_transitions);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_pvh_and_grub_boot);
	tcase_add_test(tc, test_domid_monotonic);
	tcase_add_test(tc, test_memory_exhausted);
	tcase_add_test(tc, test_cpu_time);
	tcase_add_test(tc, test_clean_shutdown);
	tcase_add_test(tc, test_shutdown_delays);
	tcase_add_test(tc, test_paused_guest_does_not_ack);
	tcase_add_test(tc, test_knob_no_ack);
	tcase_add_test(tc, test_knob_no_complete);
	tcase_add_test(tc, test_knobs_checked);
	tcase_add_test(tc, test_op_delays);
	tcase_add_test(tc, test_cancel_waits);
	tcase_add_test(tc, test_save_restore);
	tcase_add_test(tc, test_save_needs_suspend);
	tcase_add_test(tc, test_restore_checks);
	tcase_add_test(tc, test_vbd);
	tcase_add_test(tc, test_vif_pci);
	tcase_add_test(tc, test_unplug_needs_guest);
	tcase_add_test(tc, test_guest_actions);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_persistence);
	tcase_add_test(tc, test_host_reboot);
	tcase_add_test(tc, test_machine_reboot);
	tcase_add_test(tc, test_corrupt_table);
	tcase_add_test(tc, test_bad_state_dir);
	tcase_add_test(tc, test_atomic_write);
	tcase_add_test(tc, test_hvm_device_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return xo_test_run(sim_suite());
}
