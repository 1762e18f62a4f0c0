/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Persistence and crash recovery on the simulator: state survives a
 * restart; a process killed at any cancel point of any operation leaves,
 * after restart, every VM intact and as the operation wanted or cleanly
 * shut down, with no orphan domain; damaged records, old formats, a full
 * disk and a read-only state dir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static char *dir;

static void setup(void)
{
	dir = xo_test_mkdtemp("persist");
	ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
	xo_test_rmtree(dir);
	free(dir);
}

static int power(xenops_ctx *ctx, const char *vm, int *domid)
{
	int st = -1;

	ck_assert_int_eq(xenops_vm_get_power_state(&st, domid, ctx, vm), 0);
	return st;
}

static long long free_memory(xenops_ctx *ctx)
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

static int plugged(xenops_ctx *ctx, const char *vm, int kind, const char *dev)
{
	char *json = NULL;
	int r;

	ck_assert_int_eq(kind == XENOPS_KIND_VBD ? xenops_vbd_stat(&json, ctx, vm, dev)
						 : xenops_vif_stat(&json, ctx, vm, dev),
			 0);
	r = strstr(json, "\"plugged\":true") != NULL;
	xenops_free(json);
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *vm_file(const char *state_dir, const char *vm, const char *name)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/vm/%s/%s", state_dir, vm, name), 0);
	return p;
}

START_TEST(state_survives_restart)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *json1 = NULL, *json2 = NULL, **ids = NULL, path[512];
	int d_run, d_paused, d;
	size_t n;

	snprintf(path, sizeof(path), "%s/suspended.img", dir);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"run\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"paused\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"susp\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"off\", \"name\": \"halted one\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "run", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "run", "{\"device\": \"xvdb\", \"backend\": \"file:/b\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "run", "{\"mac\": \"00:16:3e:01:02:03\"}", 0), 0);
	ck_assert_int_eq(xenops_pci_add(NULL, ctx, "off", "{\"address\": \"01:00.0\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "run", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "run", "xvdb", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "paused", XENOPS_START_PAUSED | XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "susp", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "susp", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_get_config(&json1, ctx, "run"), 0);
	power(ctx, "run", &d_run);
	power(ctx, "paused", &d_paused);
	xenops_ctx_unref(ctx);

	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 4);
	xenops_strv_free(ids);
	ck_assert_int_eq(power(ctx, "run", &d), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(d, d_run); /* the same domain, found again */
	ck_assert_int_eq(power(ctx, "paused", &d), XENOPS_POWER_PAUSED);
	ck_assert_int_eq(d, d_paused);
	ck_assert_int_eq(power(ctx, "susp", NULL), XENOPS_POWER_SUSPENDED);
	ck_assert_int_eq(power(ctx, "off", NULL), XENOPS_POWER_HALTED);
	ck_assert(plugged(ctx, "run", XENOPS_KIND_VBD, "xvda"));
	ck_assert(!plugged(ctx, "run", XENOPS_KIND_VBD, "xvdb"));
	ck_assert(plugged(ctx, "run", XENOPS_KIND_VIF, "0"));
	ck_assert_int_eq(xenops_vm_get_config(&json2, ctx, "run"), 0);
	ck_assert_str_eq(json1, json2);
	xenops_free(json2);
	ck_assert_int_eq(xenops_vm_get_config(&json2, ctx, "off"), 0);
	ck_assert_ptr_nonnull(strstr(json2, "\"name\":\"halted one\""));
	xenops_free(json2);
	ck_assert_int_eq(xenops_pci_list(&ids, &n, ctx, "off"), 0);
	ck_assert_uint_eq(n, 1);
	xenops_strv_free(ids);
	/* Everything operable. */
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "susp", path, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_unpause(NULL, ctx, "paused", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "run", 10, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_remove(ctx, "off", 0), 0);
	xenops_ctx_unref(ctx);

	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(power(ctx, "susp", NULL), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(power(ctx, "run", NULL), XENOPS_POWER_HALTED);
	ck_assert_int_eq(xenops_vm_stat(&json2, ctx, "off"), XENOPS_ENOTFOUND);
	xenops_free(json1);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(domain_gone_while_down_is_noticed)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	/* A host reboot while the library is down loses every domain. */
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.host_reboot", "1"), 0);
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(power(ctx, "vm", NULL), XENOPS_POWER_HALTED);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	xenops_ctx_unref(ctx);
}
END_TEST

/*
 * A domain left dying (destroyed, the crash before its clean-up) is never
 * adopted: it is destroyed again and the VM is Halted.
 */
START_TEST(dying_domain_is_not_adopted)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);
	long long total = free_memory(ctx);
	char *path = NULL, *text, *p;
	FILE *f;
	int d = -2;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	xenops_ctx_unref(ctx);
	/* The simulator's record of the domain, its status made "dying". */
	ck_assert_int_ge(asprintf(&path, "%s/backend/sim/domains.json", dir), 0);
	text = calloc(1, 65536);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(text, 1, 65535, f), 0);
	fclose(f);
	p = strstr(text, "\"status\":");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"status\":");
	while (*p == ' ')
		p++;
	ck_assert(*p >= '0' && *p <= '3');
	*p = '3';
	write_file(path, text);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(power(ctx, "vm", &d), XENOPS_POWER_HALTED);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(free_memory(ctx), total);
	xenops_ctx_unref(ctx);
	free(text);
	free(path);
}
END_TEST

/* ---- crash at every point ---- */

enum crash_op {
	C_START, C_SHUTDOWN, C_REBOOT, C_SUSPEND, C_RESUME, C_PAUSE, C_UNPAUSE,
	C_VBD_PLUG, C_VBD_UNPLUG, C_VIF_PLUG, C_VIF_UNPLUG, C_SET_MEMORY, C_SET_VCPUS,
	C_SET_SCHEDULER, C__N
};

static const char *const crash_names[C__N] = {
	"start", "shutdown", "reboot", "suspend", "resume", "pause", "unpause",
	"vbd plug", "vbd unplug", "vif plug", "vif unplug", "set memory", "set vcpus",
	"set scheduler",
};

/* The VM's configuration, restored between crashes (the live changes store theirs). */
#define CRASH_VM_CONFIG "{\"id\": \"vm\", \"memory_mib\": 64, \"vcpus_max\": 2, \"vcpus\": 1}"

/* The state the operation starts from. */
static int prepare(xenops_ctx *ctx, int op, const char *img)
{
	int rc = 0;

	if (op != C_START)
		rc = xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT);
	if (rc == 0 && op == C_RESUME)
		rc = xenops_vm_suspend(NULL, ctx, "vm", img, XENOPS_WAIT);
	if (rc == 0 && op == C_UNPAUSE)
		rc = xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT);
	/* A start plugs every device: the plug cases need theirs unplugged. */
	if (rc == 0 && op == C_VBD_PLUG)
		rc = xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT);
	if (rc == 0 && op == C_VIF_PLUG)
		rc = xenops_vif_unplug(NULL, ctx, "vm", "1", XENOPS_WAIT);
	return rc;
}

static int run_op(xenops_ctx *ctx, int op, const char *img)
{
	switch (op) {
	case C_START:
		return xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT);
	case C_SHUTDOWN:
		return xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT);
	case C_REBOOT:
		return xenops_vm_reboot(NULL, ctx, "vm", 10, XENOPS_WAIT);
	case C_SUSPEND:
		return xenops_vm_suspend(NULL, ctx, "vm", img, XENOPS_WAIT);
	case C_RESUME:
		return xenops_vm_resume(NULL, ctx, "vm", img, XENOPS_WAIT);
	case C_PAUSE:
		return xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT);
	case C_UNPAUSE:
		return xenops_vm_unpause(NULL, ctx, "vm", XENOPS_WAIT);
	case C_VBD_PLUG:
		return xenops_vbd_plug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT);
	case C_VBD_UNPLUG:
		return xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT);
	case C_VIF_PLUG:
		return xenops_vif_plug(NULL, ctx, "vm", "1", XENOPS_WAIT);
	case C_SET_MEMORY:
		return xenops_vm_set_memory(NULL, ctx, "vm", 32, 48, 10, XENOPS_WAIT);
	case C_SET_VCPUS:
		return xenops_vm_set_vcpus(NULL, ctx, "vm", 2, XENOPS_WAIT);
	case C_SET_SCHEDULER:
		return xenops_vm_set_scheduler(NULL, ctx, "vm", "{\"weight\": 512, \"affinity\": \"1\"}",
					       XENOPS_WAIT);
	default:
		return xenops_vif_unplug(NULL, ctx, "vm", "1", XENOPS_WAIT);
	}
}

/* In a child: prepare, arm the crash point, run. Exit 0 if the op finished. */
static void child(const char *state_dir, int op, int point, const char *img)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	char v[16];

	o.backend = "sim";
	o.state_dir = state_dir;
	if (xenops_ctx_new(&ctx, &o) < 0 || prepare(ctx, op, img) < 0)
		_exit(3);
	xo_test_settle(ctx);
	snprintf(v, sizeof(v), "%d", point);
	if (xenops_debug_set(ctx, "fault.crash_point", v) < 0)
		_exit(4);
	_exit(run_op(ctx, op, img) == 0 ? 0 : 5);
}

/* What the operation wanted, or cleanly shut down. */
static int acceptable(int op, int st)
{
	switch (op) {
	case C_START:
	case C_REBOOT:
	case C_RESUME:
	case C_UNPAUSE:
		return st == XENOPS_POWER_RUNNING || st == XENOPS_POWER_HALTED ||
		       (op == C_RESUME && st == XENOPS_POWER_SUSPENDED) || (op == C_UNPAUSE && st == XENOPS_POWER_PAUSED);
	case C_SHUTDOWN:
		return st == XENOPS_POWER_HALTED || st == XENOPS_POWER_RUNNING;
	case C_SUSPEND:
		return st == XENOPS_POWER_SUSPENDED || st == XENOPS_POWER_HALTED || st == XENOPS_POWER_RUNNING;
	case C_PAUSE:
		return st == XENOPS_POWER_PAUSED || st == XENOPS_POWER_RUNNING || st == XENOPS_POWER_HALTED;
	default:
		return st == XENOPS_POWER_RUNNING || st == XENOPS_POWER_HALTED;
	}
}

/*
 * A live change and its stored record: each holds the old or the new value,
 * and the record is never newer than the domain (the record is written
 * after the backend call). @old_cfg/@new_cfg are looked for in VM.stat's
 * config, @old_live/@new_live in its state.
 */
static void check_live_change(xenops_ctx *ctx, const char *what, const char *old_cfg,
			      const char *new_cfg, const char *old_live, const char *new_live)
{
	char *json = NULL, *state;
	int cfg_new, live_new;

	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	state = strstr(json, "\"state\":");
	ck_assert_ptr_nonnull(state);
	*state++ = '\0';
	cfg_new = strstr(json, new_cfg) != NULL;
	live_new = strstr(state, new_live) != NULL;
	ck_assert_msg(cfg_new != (strstr(json, old_cfg) != NULL), "%s: stored config neither old nor new: %s",
		      what, json);
	ck_assert_msg(live_new != (strstr(state, old_live) != NULL), "%s: domain neither old nor new: %s",
		      what, state);
	ck_assert_msg(!cfg_new || live_new, "%s: the record is newer than the domain", what);
	xenops_free(json);
}

static void check_promise(xenops_ctx *ctx, int op, long long total)
{
	int d = -2, st = power(ctx, "vm", &d);
	long long free_mem = free_memory(ctx);
	long long mib = 1024 * 1024;

	ck_assert_msg(acceptable(op, st), "%s: VM ended %s", crash_names[op], xenops_power_state_name(st));
	if (st == XENOPS_POWER_HALTED || st == XENOPS_POWER_SUSPENDED) {
		/* Cleanly shut down: no domain anywhere, nothing plugged. */
		ck_assert_int_eq(d, -1);
		ck_assert_int_eq(free_mem, total);
		ck_assert(!plugged(ctx, "vm", XENOPS_KIND_VBD, "xvda"));
		ck_assert(!plugged(ctx, "vm", XENOPS_KIND_VIF, "0"));
	} else {
		/* Intact: one domain (ours), the devices a start plugs, plugged. */
		ck_assert_int_ge(d, 0);
		/* A set_memory that reached the domain holds its new maximum. */
		ck_assert_msg(free_mem == total - 64 * mib ||
				      (op == C_SET_MEMORY && free_mem == total - 48 * mib),
			      "%s: %lld bytes free of %lld", crash_names[op], free_mem, total);
		ck_assert(plugged(ctx, "vm", XENOPS_KIND_VBD, "xvda"));
		ck_assert(plugged(ctx, "vm", XENOPS_KIND_VIF, "0"));
	}
	if (op == C_SET_MEMORY && d >= 0)
		check_live_change(ctx, "set memory", "\"memory_mib\":64,\"memory_target_mib\":64",
				  "\"memory_mib\":48,\"memory_target_mib\":32", "\"memory_target\":67108864",
				  "\"memory_target\":33554432");
	if (op == C_SET_VCPUS && d >= 0)
		check_live_change(ctx, "set vcpus", "\"vcpus\":1,", "\"vcpus\":2,", "\"vcpus\":1,",
				  "\"vcpus\":2,");
	if (op == C_SET_SCHEDULER && d >= 0)
		check_live_change(ctx, "set scheduler", "\"weight\":256,\"cap\":0,\"affinity\":\"all\"",
				  "\"weight\":512,\"cap\":0,\"affinity\":\"1\"",
				  "\"weight\":256,\"cap\":0,\"affinity\":[\"all\",\"all\"]",
				  "\"weight\":512,\"cap\":0,\"affinity\":[\"1\",\"1\"]");
}

static void make_operable_again(xenops_ctx *ctx)
{
	/* Back to Halted through the API, then a full start and stop. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "vm", 10, XENOPS_WAIT), 0);
	xo_test_settle(ctx);
	/* What a live change stored goes back, for the next crash point. */
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", CRASH_VM_CONFIG), 0);
}

START_TEST(crash_at_every_point)
{
	int op = _i, points = 0;
	char img[512];
	long long total;
	xenops_ctx *ctx = xo_test_open_sim(dir);

	snprintf(img, sizeof(img), "%s/image.sav", dir);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, CRASH_VM_CONFIG, 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{}", 0), 0);
	/* The devices the hot-plug cases plug and unplug. */
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdb\", \"backend\": \"file:/b\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{\"index\": 1}", 0), 0);
	total = free_memory(ctx);
	xenops_ctx_unref(ctx);

	for (int point = 1; point < 100; point++) {
		int status;
		pid_t pid;

		unlink(img);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			child(dir, op, point, img);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 99,
			      "%s: child exited %d at point %d", crash_names[op], WEXITSTATUS(status), point);

		ctx = xo_test_open_sim(dir);
		xo_test_settle(ctx);
		check_promise(ctx, op, total);
		make_operable_again(ctx);
		xenops_ctx_unref(ctx);
		if (WEXITSTATUS(status) == 0)
			break; /* the op completed: no cancel point left to crash at */
		points++;
	}
	unlink(img);
	printf("crash points exercised for %s: %d\n", crash_names[op], points);
	ck_assert_int_gt(points, 0);
}
END_TEST

/* ---- retrieve configuration ---- */

START_TEST(get_config_is_a_live_template)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *json = NULL, *copy, *p;
	char **ids = NULL;
	size_t n;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"memory_mib\": 256, \"memory_target_mib\": 128, \"vcpus_max\": 4, \"vcpus\": 2}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdb\", \"backend\": \"file:/b\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{\"mac\": \"00:16:3e:0a:0b:0c\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vbd_unplug(NULL, ctx, "vm", "xvdb", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "vm"), 0);
	/* Live values, the devices and which are really plugged. */
	ck_assert_ptr_nonnull(strstr(json, "\"memory_target_mib\":128"));
	ck_assert_ptr_nonnull(strstr(json, "\"vcpus\":2"));
	ck_assert_ptr_nonnull(strstr(json, "\"devices\":{\"vbd\":["));
	p = strstr(json, "\"id\":\"xvda\"");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(p, "\"plugged\":true"));
	p = strstr(json, "\"id\":\"xvdb\"");
	ck_assert_ptr_nonnull(p);
	ck_assert(strstr(p, "\"plugged\":false") && strstr(p, "\"plugged\":false") < strstr(p, "}"));
	ck_assert_ptr_nonnull(strstr(json, "00:16:3e:0a:0b:0c"));
	ck_assert_ptr_null(strstr(json, "disagreements"));
	/* The template defines a copy of the VM with its devices. */
	copy = strdup(json);
	p = strstr(copy, "\"id\":\"vm\"");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"id\":\"cp\"", 9);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, copy, 0), 0);
	ck_assert_int_eq(xenops_vbd_list(&ids, &n, ctx, "cp"), 0);
	ck_assert_uint_eq(n, 2);
	xenops_strv_free(ids);
	/* Adding it again fails as a whole: no VM without its devices. */
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, copy, 0), XENOPS_EEXIST);
	free(copy);
	xenops_free(json);
	xenops_ctx_unref(ctx);
}
END_TEST

/* A crash between a media change and its record: both views reported. */
START_TEST(crash_between_backend_and_record_is_reported)
{
	int found = 0;

	for (int point = 1; point < 20 && !found; point++) {
		xenops_ctx *ctx = xo_test_open_sim(dir);
		char *json = NULL;
		int status;
		pid_t pid;

		xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT);
		xenops_vm_remove(ctx, "vm", 0);
		/* HVM: a live media change is its device model's CD drive's. */
		ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"type\": \"hvm\", \"memory_mib\": 64}", 0), 0);
		ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdd\", \"kind\": \"cdrom\", \"backend\": \"file:/iso\"}", 0), 0);
		ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
		xo_test_settle(ctx);
		xenops_ctx_unref(ctx);
		pid = fork();
		if (pid == 0) {
			char v[16];

			ctx = xo_test_open_sim(dir);
			xo_test_settle(ctx);
			snprintf(v, sizeof(v), "%d", point);
			xenops_debug_set(ctx, "fault.crash_point", v);
			_exit(xenops_vbd_eject(NULL, ctx, "vm", "xvdd", XENOPS_WAIT) == 0 ? 0 : 5);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ctx = xo_test_open_sim(dir);
		ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "vm"), 0);
		if (strstr(json, "\"disagreements\"")) {
			/* Which device, which field, and both views. */
			ck_assert_ptr_nonnull(strstr(json, "\"field\":\"media\""));
			ck_assert_ptr_nonnull(strstr(json, "\"id\":\"xvdd\""));
			ck_assert_ptr_nonnull(strstr(json, "\"stored\":\"file:/iso\""));
			ck_assert_ptr_nonnull(strstr(json, "\"live\":\"empty\""));
			/* Such a template is not taken silently. */
			ck_assert_int_eq(xenops_vm_add(NULL, ctx, json, 0), XENOPS_EINVAL);
			found = 1;
		}
		xenops_free(json);
		xenops_ctx_unref(ctx);
		if (WEXITSTATUS(status) == 0)
			break;
	}
	ck_assert_msg(found, "no crash point left the two views apart");
}
END_TEST

/* ---- damage ---- */

START_TEST(damaged_records_put_one_vm_in_error)
{
	static const char *const damage[] = {
		"{ \"version\": 1, \"config\": { \"id\": \"bad\", ",           /* torn */
		"\x01\x02garbage\xff",                                           /* garbage */
		"{\"version\": 99, \"config\": {\"id\": \"bad\"}}",              /* unknown version */
		"{\"version\": 1, \"config\": {\"id\": \"bad\", \"memory_mib\": \"x\"}}", /* invalid */
		"",                                                              /* empty */
	};
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *p, *json = NULL, **ids = NULL;
	size_t n;
	int st;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"good\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"bad\", \"memory_mib\": 64}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "good", XENOPS_WAIT), 0);
	xenops_ctx_unref(ctx);

	p = vm_file(dir, "bad", "config.json");
	write_file(p, damage[_i]);
	free(p);
	ctx = xo_test_open_sim(dir); /* one bad file never stops the context */
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 2);
	xenops_strv_free(ids);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, "bad"), 0);
	ck_assert_int_eq(st, XENOPS_POWER_ERROR);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "bad"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"power_state\":\"Error\""));
	ck_assert_ptr_nonnull(strstr(json, "config.json"));
	ck_assert_ptr_nonnull(strstr(json, "XENOPS_ECORRUPT"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "bad", XENOPS_WAIT), XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "bad"), XENOPS_ECORRUPT);
	/* The others work. */
	ck_assert_int_eq(power(ctx, "good", NULL), XENOPS_POWER_RUNNING);
	ck_assert_int_eq(xenops_vm_shutdown(NULL, ctx, "good", 10, XENOPS_WAIT), 0);
	/* A VM in error can be removed, and is gone for good. */
	ck_assert_int_eq(xenops_vm_remove(ctx, "bad", 0), 0);
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "bad"), XENOPS_ENOTFOUND);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(damaged_device_or_runtime_record)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *p, *json = NULL;
	int st;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"a\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"b\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "a", "{\"device\": \"xvda\", \"backend\": \"file:/a\"}", 0), 0);
	xenops_ctx_unref(ctx);
	p = vm_file(dir, "a", "vbd.xvda.json");
	write_file(p, "{\"version\": 1, \"config\": {\"device\": \"xvdb\", \"id\": \"xvda\", \"surprise\": 1}}");
	free(p);
	p = vm_file(dir, "b", "runtime.json");
	write_file(p, "{\"version\": 1, \"runtime\": {\"state\": 7}}");
	free(p);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, "a"), 0);
	ck_assert_int_eq(st, XENOPS_POWER_ERROR);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "a"), 0);
	ck_assert_ptr_nonnull(strstr(json, "vbd.xvda.json"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, "b"), 0);
	ck_assert_int_eq(st, XENOPS_POWER_ERROR);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "b"), 0);
	ck_assert_ptr_nonnull(strstr(json, "runtime.json"));
	xenops_free(json);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(old_format_is_upgraded)
{
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *p, *json = NULL, text[4096];
	FILE *f;
	size_t len;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"old\"}", 0), 0);
	xenops_ctx_unref(ctx);
	/* Format 0: the bare configuration, no version envelope. */
	p = vm_file(dir, "old", "config.json");
	write_file(p, "{\"id\": \"old\", \"name\": \"from the past\", \"memory_mib\": 128}");
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "old"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"from the past\""));
	xenops_free(json);
	xenops_ctx_unref(ctx);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "\"version\":1"));
	free(p);
}
END_TEST

START_TEST(leftovers_and_stray_files_are_ignored)
{
	xenops_ctx *ctx;
	char *p, **ids = NULL;
	size_t n;

	ck_assert_int_ge(asprintf(&p, "%s/vm", dir), 0);
	mkdir(p, 0700);
	free(p);
	/* A removal cut short (no config.json) and junk that is not an id. */
	ck_assert_int_ge(asprintf(&p, "%s/vm/halfgone", dir), 0);
	mkdir(p, 0700);
	free(p);
	p = vm_file(dir, "halfgone", "runtime.json");
	write_file(p, "{}");
	free(p);
	ck_assert_int_ge(asprintf(&p, "%s/vm/.config.json.tmp123", dir), 0);
	write_file(p, "junk");
	free(p);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 0);
	xenops_strv_free(ids);
	xenops_ctx_unref(ctx);
}
END_TEST

/* The text of @path with every "tmpl" replaced by @id (a test's own files). */
static char *read_as(const char *path, const char *id)
{
	char text[4096], *out, *o;
	FILE *f = fopen(path, "r");
	size_t len;

	ck_assert_ptr_nonnull(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	fclose(f);
	out = calloc(1, 2 * sizeof(text));
	ck_assert_ptr_nonnull(out);
	o = out;
	for (const char *t = text; *t;) {
		if (!strncmp(t, "tmpl", 4)) {
			o += sprintf(o, "%s", id);
			t += 4;
		} else {
			*o++ = *t++;
		}
	}
	return out;
}

/*
 * A directory large enough to be loaded by several threads: every VM comes
 * back with its device, and the rare cases (a removal cut short, a damaged
 * record, an old format to upgrade) are handled as with one thread.
 */
START_TEST(many_vms_are_all_loaded)
{
	enum { NVMS = 700 };
	xenops_ctx *ctx = xo_test_open_sim(dir);
	char *p, *cfg, *vbd, *json = NULL, **ids = NULL, id[32];
	size_t n;
	int st, want;

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"tmpl\", \"memory_mib\": 32}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "tmpl", "{\"device\": \"xvda\", \"backend\": \"file:/srv/tmpl.img\"}", 0), 0);
	xenops_ctx_unref(ctx);
	p = vm_file(dir, "tmpl", "config.json");
	cfg = p;
	p = vm_file(dir, "tmpl", "vbd.xvda.json");
	vbd = p;
	for (int i = 0; i < NVMS; i++) {
		char *text, *d;

		snprintf(id, sizeof(id), "m%04d", i);
		ck_assert_int_ge(asprintf(&d, "%s/vm/%s", dir, id), 0);
		ck_assert_int_eq(mkdir(d, 0700), 0);
		free(d);
		if (i % 100 == 7)
			continue; /* a removal cut short: no config.json */
		text = read_as(cfg, id);
		p = vm_file(dir, id, "config.json");
		if (i % 100 == 13)
			write_file(p, "{ \"version\": 1, \"config\": { \"id\": "); /* torn */
		else if (i % 100 == 21) {
			/* format 0: the bare configuration, no envelope */
			char *bare = strchr(strstr(text, "\"config\""), '{');

			*strrchr(bare, '}') = '\0';
			write_file(p, bare);
		}
		else
			write_file(p, text);
		free(p);
		free(text);
		text = read_as(vbd, id);
		p = vm_file(dir, id, "vbd.xvda.json");
		write_file(p, text);
		free(p);
		free(text);
	}
	free(cfg);
	free(vbd);
	ctx = xo_test_open_sim(dir);
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 1 + NVMS - NVMS / 100);
	xenops_strv_free(ids);
	for (int i = 0; i < NVMS; i++) {
		snprintf(id, sizeof(id), "m%04d", i);
		if (i % 100 == 7) {
			struct stat sb;

			ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, id), XENOPS_ENOTFOUND);
			ck_assert_int_ge(asprintf(&p, "%s/vm/%s", dir, id), 0);
			ck_assert_int_lt(stat(p, &sb), 0); /* the leftover was removed */
			free(p);
			continue;
		}
		ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, id), 0);
		want = i % 100 == 13 ? XENOPS_POWER_ERROR : XENOPS_POWER_HALTED;
		ck_assert_msg(st == want, "%s: power state %d, not %d", id, st, want);
		if (i % 100 == 13)
			continue;
		ck_assert_int_eq(xenops_vbd_stat(&json, ctx, id, "xvda"), 0);
		snprintf(id, sizeof(id), "/srv/m%04d.img", i);
		ck_assert_msg(strstr(json, id) != NULL, "%s", json);
		xenops_free(json);
	}
	xenops_ctx_unref(ctx);
	/* The format-0 records were rewritten in the current format. */
	p = vm_file(dir, "m0121", "config.json");
	cfg = read_as(p, "tmpl");
	ck_assert_ptr_nonnull(strstr(cfg, "\"version\":1"));
	free(cfg);
	free(p);
}
END_TEST

/* ---- file system limits ---- */

static char *mount_tmpfs(const char *opts)
{
	char *mp = xo_test_mkdtemp("mnt");

	ck_assert_ptr_nonnull(mp);
	if (mount("tmpfs", mp, "tmpfs", 0, opts) < 0) {
		/* Only where the tests cannot mount (not root): say so. */
		printf("SKIP: cannot mount a tmpfs (%s): test needs root\n", strerror(errno));
		rmdir(mp);
		free(mp);
		return NULL;
	}
	return mp;
}

START_TEST(full_disk_fails_cleanly)
{
	char *mp = mount_tmpfs("size=96k"), *json = NULL, cfg[768];
	xenops_ctx *ctx;
	int rc = 0, added = 0;

	if (!mp)
		return;
	ctx = xo_test_open_sim(mp);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"first\"}", 0), 0);
	/* Fill the file system with VMs until a write fails. */
	for (int i = 0; i < 10000 && rc == 0; i++) {
		snprintf(cfg, sizeof(cfg), "{\"id\": \"vm%d\", \"cmdline\": \"%0500d\"}", i, 0);
		rc = xenops_vm_add(NULL, ctx, cfg, 0);
		added += rc == 0;
	}
	ck_assert_int_eq(rc, XENOPS_ENOSPC);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "space"));
	/* The VM that did not fit is not half there. */
	snprintf(cfg, sizeof(cfg), "vm%d", added);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, cfg), XENOPS_ENOTFOUND);
	/* An operation that cannot record its intent fails before any effect. */
	rc = xenops_vm_start(NULL, ctx, "first", XENOPS_WAIT);
	if (rc != 0) {
		int st;

		ck_assert_int_eq(rc, XENOPS_ENOSPC);
		ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, "first"), 0);
		ck_assert_int_eq(st, XENOPS_POWER_HALTED);
	}
	xenops_ctx_unref(ctx);
	/* Previous state kept: every VM added before is there after restart. */
	ctx = xo_test_open_sim(mp);
	{
		char **ids = NULL;
		size_t n = 0;

		ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
		ck_assert_uint_eq(n, (size_t)added + 1);
		xenops_strv_free(ids);
	}
	xenops_ctx_unref(ctx);
	umount(mp);
	rmdir(mp);
	free(mp);
}
END_TEST

START_TEST(read_only_state_dir)
{
	char *mp = mount_tmpfs("size=64k"), *sub = NULL;
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	int rc;

	if (!mp)
		return;
	ck_assert_int_ge(asprintf(&sub, "%s/state", mp), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(mount(NULL, mp, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	o.backend = "sim";
	o.state_dir = sub;
	rc = xenops_ctx_new(&ctx, &o);
	ck_assert_ptr_null(ctx);
	ck_assert(rc == XENOPS_EPERM || rc == XENOPS_EIO);
	ck_assert_msg(strstr(xenops_last_error_message(), "state dir") != NULL, "message: %s",
		      xenops_last_error_message());
	ck_assert_msg(strstr(xenops_last_error_message(), "ead-only") != NULL, "message: %s",
		      xenops_last_error_message());
	umount(mp);
	rmdir(mp);
	free(mp);
	free(sub);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("persist");
	TCase *tc = tcase_create("persist");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, state_survives_restart);
	tcase_add_test(tc, domain_gone_while_down_is_noticed);
	tcase_add_test(tc, dying_domain_is_not_adopted);
	tcase_add_loop_test(tc, crash_at_every_point, 0, C__N);
	tcase_add_test(tc, get_config_is_a_live_template);
	tcase_add_test(tc, crash_between_backend_and_record_is_reported);
	tcase_add_loop_test(tc, damaged_records_put_one_vm_in_error, 0, 5);
	tcase_add_test(tc, damaged_device_or_runtime_record);
	tcase_add_test(tc, old_format_is_upgraded);
	tcase_add_test(tc, leftovers_and_stray_files_are_ignored);
	tcase_add_test(tc, many_vms_are_all_loaded);
	tcase_add_test(tc, full_disk_fails_cleanly);
	tcase_add_test(tc, read_only_state_dir);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
