/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running guests through the public API on the simulator: the memory
 * target (balloon) and the vCPUs online, their bounds, the task results,
 * the stored configuration and what the stat shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static xenops_ctx *ctx;
static char *dir;

static void setup(void)
{
	dir = xo_test_mkdtemp("running");
	ctx = xo_test_open_sim(dir);
}

static void teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
	xo_test_rmtree(dir);
	free(dir);
	dir = NULL;
}

static void define_vm(const char *id)
{
	char cfg[256];

	snprintf(cfg, sizeof(cfg),
		 "{\"id\": \"%s\", \"memory_mib\": 1024, \"memory_target_mib\": 512, "
		 "\"vcpus\": 1, \"vcpus_max\": 4}",
		 id);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), 0);
}

static void start_vm(const char *id)
{
	define_vm(id);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, id, XENOPS_WAIT), 0);
}

/* The JSON text of a stat (caller frees) contains @needle. */
static int stat_has(const char *vm, const char *needle)
{
	char *json = NULL;
	int found;

	ck_assert_int_eq(xenops_vm_stat(&json, ctx, vm), 0);
	found = strstr(json, needle) != NULL;
	xenops_free(json);
	return found;
}

static int config_has(const char *vm, const char *needle)
{
	char *json = NULL;
	int found;

	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, vm), 0);
	found = strstr(json, needle) != NULL;
	xenops_free(json);
	return found;
}

/* Wait for @task and return its record (caller frees). */
static char *task_done(const char *task)
{
	char *json = NULL;
	int rc = xenops_task_wait(ctx, task, 10000);

	ck_assert_int_ge(rc, XENOPS_ECANCELLED);
	ck_assert_int_eq(xenops_task_stat(&json, ctx, task), 0);
	return json;
}

START_TEST(set_memory_running)
{
	char *task = NULL, *rec;

	start_vm("vm");
	ck_assert(stat_has("vm", "\"memory_target\":536870912"));
	ck_assert_int_eq(xenops_vm_set_memory(&task, ctx, "vm", 768, 0, 5, 0), 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"state\":\"completed\"") != NULL, "%s", rec);
	ck_assert_msg(strstr(rec, "\"result\":{\"target_mib\":768,\"actual_mib\":768,"
				  "\"reached\":true,\"applied\":true}") != NULL, "%s", rec);
	xenops_free(rec);
	xenops_task_destroy(ctx, task);
	xenops_free(task);
	ck_assert(stat_has("vm", "\"memory_target\":805306368"));
	ck_assert(stat_has("vm", "\"memory_actual\":805306368"));
	ck_assert(config_has("vm", "\"memory_target_mib\":768"));
	/* A lower maximum with a target under it. */
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 256, 300, 5, XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"memory_target\":268435456"));
	/* The maximum is stored too, and kept by a new context. */
	ck_assert(config_has("vm", "\"memory_mib\":300,\"memory_target_mib\":256"));
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	xo_test_settle(ctx);
	ck_assert(config_has("vm", "\"memory_mib\":300,\"memory_target_mib\":256"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 256, 400, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "max_mib"));
}
END_TEST

START_TEST(set_memory_bounds_name_the_field)
{
	start_vm("vm");
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 2048, 0, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "target_mib"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 512, 4096, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "max_mib"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 600, 500, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "target_mib"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 0, 0, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "target_mib"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 15, 0, 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "target_mib"));
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "nope", 64, 0, 0, 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 64, 0, 0, XENOPS_FORCE),
			 XENOPS_EINVAL);
	/* Nothing changed. */
	ck_assert(config_has("vm", "\"memory_target_mib\":512"));
}
END_TEST

/* A guest slower than the timeout: a completed task that says so. */
START_TEST(set_memory_not_reached_is_reported)
{
	char *task = NULL, *rec;

	start_vm("vm");
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay.balloon", "3000"), 0);
	ck_assert_int_eq(xenops_vm_set_memory(&task, ctx, "vm", 640, 0, 1, 0), 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"state\":\"completed\"") != NULL, "%s", rec);
	ck_assert_msg(strstr(rec, "\"target_mib\":640,\"actual_mib\":512,\"reached\":false") != NULL,
		      "%s", rec);
	xenops_free(rec);
	xenops_free(task);
	/* The target stands; the guest still holds the old amount. */
	ck_assert(stat_has("vm", "\"memory_actual\":536870912"));
	ck_assert(stat_has("vm", "\"memory_target\":671088640"));
	ck_assert(config_has("vm", "\"memory_target_mib\":640"));
}
END_TEST

START_TEST(set_memory_halted_changes_config_only)
{
	char *task = NULL, *rec;

	define_vm("vm");
	ck_assert_int_eq(xenops_vm_set_memory(&task, ctx, "vm", 300, 0, 0, 0), 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"result\":{\"target_mib\":300,\"applied\":false}") != NULL, "%s",
		      rec);
	xenops_free(rec);
	xenops_free(task);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"memory_target\":314572800"));
}
END_TEST

/* The stored configuration survives a new context on the same directory. */
START_TEST(changes_are_persistent)
{
	start_vm("vm");
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 700, 0, 5, XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 3, XENOPS_WAIT), 0);
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	xo_test_settle(ctx);
	ck_assert(config_has("vm", "\"memory_target_mib\":700"));
	ck_assert(config_has("vm", "\"vcpus\":3"));
	ck_assert(stat_has("vm", "\"vcpus\":3"));
}
END_TEST

START_TEST(set_vcpus)
{
	char *task = NULL, *rec;

	start_vm("vm");
	ck_assert(stat_has("vm", "\"vcpus\":1"));
	ck_assert_int_eq(xenops_vm_set_vcpus(&task, ctx, "vm", 4, 0), 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"result\":{\"vcpus\":4,\"applied\":true}") != NULL, "%s", rec);
	xenops_free(rec);
	xenops_free(task);
	ck_assert(stat_has("vm", "\"vcpus\":4"));
	ck_assert(config_has("vm", "\"vcpus\":4"));
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 2, XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"vcpus\":2"));
	/* Above vcpus_max, and zero: refused, naming the field. */
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 5, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "vcpus"));
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 0, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "vcpus"));
	ck_assert(config_has("vm", "\"vcpus\":2"));
}
END_TEST

/* A backend fault in the atom: the task fails, the configuration stays. */
START_TEST(failed_atom_keeps_config)
{
	start_vm("vm");
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "1"), 0);
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 3, XENOPS_WAIT), XENOPS_EBACKEND);
	ck_assert(config_has("vm", "\"vcpus\":1"));
	ck_assert(stat_has("vm", "\"vcpus\":1"));
}
END_TEST

static int stats_has(const char *vm, const char *needle)
{
	char *json = NULL;
	int found;

	ck_assert_int_eq(xenops_vm_stats(&json, ctx, vm), 0);
	found = strstr(json, needle) != NULL;
	xenops_free(json);
	return found;
}

/* The configuration's scheduler values are applied at start and read back. */
START_TEST(sched_config_applied_at_start)
{
	ck_assert_int_eq(xenops_vm_add(NULL, ctx,
				       "{\"id\": \"vm\", \"vcpus\": 2, \"vcpus_max\": 3, "
				       "\"weight\": 512, \"cap\": 150, \"affinity\": [\"1\", \"2-3\"], "
				       "\"soft_affinity\": \"all,^0\"}",
				       0),
			 0);
	/* Halted: nothing read back from a hypervisor. */
	ck_assert(!stat_has("vm", "\"sched\""));
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"sched\":{\"scheduler\":\"sim\",\"weight\":512,\"cap\":150,"
				 "\"affinity\":[\"1\",\"2-3\",\"all\"],"
				 "\"soft_affinity\":[\"1-3\",\"1-3\",\"1-3\"]}"));
	ck_assert(stats_has("vm", "\"weight\":512"));
	ck_assert(stats_has("vm", "\"affinity\":[\"1\",\"2-3\",\"all\"]"));
}
END_TEST

/* A CPU the host lacks (the simulator has 4) fails the start, naming the field. */
START_TEST(sched_config_cpu_the_host_lacks)
{
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"vm\", \"affinity\": \"2,7\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "affinity: CPU 7 is not on this host"));
	ck_assert(stat_has("vm", "\"power_state\":\"Halted\""));
}
END_TEST

START_TEST(set_scheduler_live)
{
	char *task = NULL, *rec;

	start_vm("vm");
	ck_assert(stat_has("vm", "\"weight\":256,\"cap\":0,\"affinity\":[\"all\",\"all\",\"all\",\"all\"]"));
	ck_assert_int_eq(xenops_vm_set_scheduler(&task, ctx, "vm",
						 "{\"weight\": 1000, \"cap\": 50, "
						 "\"affinity\": [\"0\", \"1\"], \"soft_affinity\": \"2-3\"}",
						 0),
			 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"state\":\"completed\"") != NULL, "%s", rec);
	ck_assert_msg(strstr(rec, "\"result\":{\"applied\":true}") != NULL, "%s", rec);
	xenops_free(rec);
	xenops_free(task);
	ck_assert(stat_has("vm", "\"weight\":1000,\"cap\":50,\"affinity\":[\"0\",\"1\",\"all\",\"all\"],"
				 "\"soft_affinity\":[\"2-3\",\"2-3\",\"2-3\",\"2-3\"]"));
	/* Persisted in the same operation. */
	ck_assert(config_has("vm", "\"weight\":1000,\"cap\":50,\"affinity\":[\"0\",\"1\"],"
				   "\"soft_affinity\":\"2-3\""));
	/* Only what is given changes. */
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm", "{\"cap\": 0}", XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"weight\":1000,\"cap\":0,\"affinity\":[\"0\",\"1\",\"all\",\"all\"]"));
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm", "{\"affinity\": \"all\"}",
						 XENOPS_WAIT),
			 0);
	ck_assert(stat_has("vm", "\"affinity\":[\"all\",\"all\",\"all\",\"all\"]"));
	ck_assert(config_has("vm", "\"affinity\":\"all\""));
	/* The next start applies the stored values. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_set_scheduler(&task, ctx, "vm", "{\"weight\": 7}", 0), 0);
	rec = task_done(task);
	ck_assert_msg(strstr(rec, "\"result\":{\"applied\":false}") != NULL, "%s", rec);
	xenops_free(rec);
	xenops_free(task);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"weight\":7,\"cap\":0,"));
	/* A new context on the same directory keeps both views. */
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	xo_test_settle(ctx);
	ck_assert(config_has("vm", "\"weight\":7"));
	ck_assert(stat_has("vm", "\"weight\":7,\"cap\":0,"));
}
END_TEST

START_TEST(set_scheduler_bad_values_name_the_field)
{
	static const struct {
		const char *params, *needle;
	} cases[] = {
		{ "{\"weight\": 0}", "\"weight\"" },
		{ "{\"weight\": 70000}", "\"weight\"" },
		{ "{\"cap\": 401}", "\"cap\"" },
		{ "{\"cap\": -1}", "\"cap\"" },
		{ "{\"affinity\": [\"0\", \"0\", \"0\", \"0\", \"0\"]}", "\"affinity\"" },
		{ "{\"affinity\": \"1-0\"}", "\"affinity\"" },
		{ "{\"soft_affinity\": [1]}", "\"soft_affinity\"[0]" },
		{ "{\"weigth\": 5}", "unknown field \"weigth\"" },
		{ "{}", "at least one" },
		{ "[]", "must be an object" },
	};

	start_vm("vm");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm", cases[i].params, 0),
				 XENOPS_EINVAL);
		ck_assert_msg(strstr(xenops_last_error_message(), cases[i].needle) != NULL,
			      "%s: %s", cases[i].params, xenops_last_error_message());
	}
	/* A CPU the host lacks: the task fails, naming the field; nothing changes. */
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm",
						 "{\"weight\": 9, \"soft_affinity\": [\"0\", \"4\"]}",
						 XENOPS_WAIT),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "soft_affinity[1]: CPU 4"));
	ck_assert(stat_has("vm", "\"weight\":256,"));
	ck_assert(config_has("vm", "\"weight\":256,"));
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm", NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "nope", "{\"cap\": 1}", 0),
			 XENOPS_ENOTFOUND);
}
END_TEST

START_TEST(set_config_halted_only)
{
	char *json = NULL;

	define_vm("vm");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"\", \"kind\": \"cdrom\"}", 0), 0);
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"memory_mib\": 300, \"vcpus\": 2, \"weight\": 99}"), 0);
	ck_assert(config_has("vm", "\"id\":\"vm\""));
	ck_assert(config_has("vm", "\"memory_mib\":300"));
	ck_assert(config_has("vm", "\"weight\":99"));
	ck_assert(config_has("vm", "\"xvda\""));
	/* The id inside must be the VM's; bad fields are named; devices are not taken. */
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"id\": \"other\"}"), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "\"id\""));
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"id\": \"vm\", \"vcpus\": 0}"), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "\"vcpus\""));
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"devices\": []}"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"affinity\": [\"0\", \"1\", \"2\"]}"), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "\"affinity\""));
	ck_assert(config_has("vm", "\"memory_mib\":300"));
	ck_assert_int_eq(xenops_vm_set_config(ctx, "nope", "{}"), XENOPS_ENOTFOUND);
	/* Running: refused. */
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"memory_mib\": 400}"), XENOPS_EBADSTATE);
	ck_assert(config_has("vm", "\"memory_mib\":300"));
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "vm"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"weight\":99"));
	xenops_free(json);
	/* Persisted: a new context sees it. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"name\": \"renamed\"}"), 0);
	xenops_ctx_unref(ctx);
	ctx = xo_test_open_sim(dir);
	xo_test_settle(ctx);
	ck_assert(config_has("vm", "\"name\":\"renamed\""));
	ck_assert(config_has("vm", "\"memory_mib\":256"));
}
END_TEST

/* The "config" part of a VM.stat (caller frees). */
static char *stat_config(const char *vm)
{
	char *json = NULL, *c, *end, *out;

	ck_assert_int_eq(xenops_vm_stat(&json, ctx, vm), 0);
	c = strstr(json, "{\"config\":");
	end = strstr(json, ",\"state\":");
	ck_assert_msg(c == json && end, "%s", json);
	out = strndup(json + 10, (size_t)(end - json - 10));
	xenops_free(json);
	return out;
}

static void stat_config_has(const char *vm, const char *needle)
{
	char *c = stat_config(vm);

	ck_assert_msg(strstr(c, needle) != NULL, "VM.stat config lacks %s: %s", needle, c);
	free(c);
}

/*
 * VM.stat keeps the printed configuration between changes: every change
 * (VM.set_config, memory, vCPUs, scheduler on a running VM) shows in the
 * next VM.stat, and its config is what VM.get_config says (without the
 * devices).
 */
START_TEST(stat_config_not_stale)
{
	char *a, *b;

	define_vm("vm");
	stat_config_has("vm", "\"memory_mib\":1024");
	stat_config_has("vm", "\"memory_mib\":1024"); /* from what was kept */
	ck_assert_int_eq(xenops_vm_set_config(ctx, "vm", "{\"memory_mib\": 900, \"vcpus\": 2, \"vcpus_max\": 4}"), 0);
	stat_config_has("vm", "\"memory_mib\":900");
	stat_config_has("vm", "\"vcpus\":2");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	stat_config_has("vm", "\"memory_target_mib\":900");
	ck_assert_int_eq(xenops_vm_set_memory(NULL, ctx, "vm", 600, 0, 5, XENOPS_WAIT), 0);
	stat_config_has("vm", "\"memory_target_mib\":600");
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 3, XENOPS_WAIT), 0);
	stat_config_has("vm", "\"vcpus\":3");
	ck_assert_int_eq(xenops_vm_set_scheduler(NULL, ctx, "vm", "{\"weight\": 77}", XENOPS_WAIT), 0);
	stat_config_has("vm", "\"weight\":77");
	/* A failed change leaves it as it was. */
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "1"), 0);
	ck_assert_int_eq(xenops_vm_set_vcpus(NULL, ctx, "vm", 4, XENOPS_WAIT), XENOPS_EBACKEND);
	stat_config_has("vm", "\"vcpus\":3");
	/* The same text as VM.get_config, which adds the devices at its end. */
	a = stat_config("vm");
	ck_assert_int_eq(xenops_vm_get_config(&b, ctx, "vm"), 0);
	ck_assert_msg(strlen(a) > 2 && strncmp(a, b, strlen(a) - 1) == 0, "%s\n%s", a, b);
	free(a);
	xenops_free(b);
	/* A VM removed and defined again under the same id starts afresh. */
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), 0);
	define_vm("vm");
	stat_config_has("vm", "\"memory_mib\":1024");
}
END_TEST

/* A counter's value in a stats text: the number after "\"key\":" from @from. */
static long long counter(const char *json, const char *from, const char *key)
{
	char pat[64];
	const char *p = strstr(json, from);

	ck_assert_ptr_nonnull(p);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	ck_assert_ptr_nonnull(p);
	return strtoll(p + strlen(pat), NULL, 10);
}

START_TEST(stats_shape_and_counters_move)
{
	char *a = NULL, *b = NULL, *all = NULL;

	define_vm("vm");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/img\"}", 0), 0);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{}", 0), 0);
	/* Halted: no vCPUs or devices, the configured memory. */
	ck_assert_int_eq(xenops_vm_stats(&a, ctx, "vm"), 0);
	ck_assert_msg(strstr(a, "\"vcpus\":[],\"memory\":{\"target\":536870912,\"actual\":0,"
				"\"max\":1073741824},\"vbds\":[],\"vifs\":[]") != NULL, "%s", a);
	xenops_free(a);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_stats(&a, ctx, "vm"), 0);
	usleep(300000);
	ck_assert_int_eq(xenops_vm_stats(&b, ctx, "vm"), 0);
	ck_assert_msg(strstr(a, "{\"id\":0,\"online\":true,\"time_ns\":") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "{\"id\":3,\"online\":false,\"time_ns\":0}") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\"memory\":{\"target\":536870912,\"actual\":536870912,"
				"\"max\":1073741824}") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\"vbds\":[{\"id\":\"xvda\",\"rd_reqs\":") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\"vifs\":[{\"id\":\"0\",\"rx_bytes\":") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\"tx_drops\":") != NULL, "%s", a);
	/* Counters and the monotonic time move on. */
	ck_assert_int_gt(counter(b, "\"time_ns\"", "time_ns"), counter(a, "\"time_ns\"", "time_ns"));
	ck_assert_int_gt(counter(b, "xvda", "rd_reqs"), counter(a, "xvda", "rd_reqs"));
	ck_assert_int_gt(counter(b, "xvda", "wr_sectors"), counter(a, "xvda", "wr_sectors"));
	ck_assert_int_gt(counter(b, "vifs", "rx_bytes"), counter(a, "vifs", "rx_bytes"));
	ck_assert(strtod(strstr(b, "\"time\":") + 7, NULL) > strtod(strstr(a, "\"time\":") + 7, NULL));
	xenops_free(a);
	xenops_free(b);
	/* A paused guest's counters stand still. */
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_stats(&a, ctx, "vm"), 0);
	usleep(200000);
	ck_assert_int_eq(xenops_vm_stats(&b, ctx, "vm"), 0);
	ck_assert_int_eq(counter(b, "xvda", "rd_reqs"), counter(a, "xvda", "rd_reqs"));
	xenops_free(a);
	xenops_free(b);
	define_vm("other");
	ck_assert_int_eq(xenops_vm_stats_all(&all, ctx), 0);
	ck_assert_msg(strncmp(all, "{\"vms\":[{\"id\":\"other\",\"time\":", 25) == 0, "%s", all);
	ck_assert_ptr_nonnull(strstr(all, "{\"id\":\"vm\",\"time\":"));
	xenops_free(all);
	ck_assert_int_eq(xenops_vm_stats(&a, ctx, "nope"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vm_stats(NULL, ctx, "vm"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_stats_all(NULL, ctx), XENOPS_EINVAL);
}
END_TEST

START_TEST(consoles_and_guest_in_stat)
{
	define_vm("vm");
	ck_assert(!stat_has("vm", "\"consoles\""));
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	/* A real pty the simulator owns (docs/simulator.md). */
	ck_assert(stat_has("vm", "\"consoles\":[{\"protocol\":\"vt100\",\"path\":\"/dev/pts/"));
	ck_assert(stat_has("vm", "\"guest\":{\"data/os\":\"simulated\"}"));
	ck_assert(!stat_has("vm", "guest_truncated"));
	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert(!stat_has("vm", "\"guest\""));
}
END_TEST

START_TEST(set_xenstore)
{
	define_vm("vm");
	/* No domain: the task fails with a state error. */
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"data/a\": \"1\"}", XENOPS_WAIT),
			 XENOPS_EBADSTATE);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm",
						"{\"data/a\": \"1\", \"data/b/c\": \"x y\"}",
						XENOPS_WAIT), 0);
	ck_assert(stat_has("vm", "\"data/a\":\"1\""));
	ck_assert(stat_has("vm", "\"data/b/c\":\"x y\""));
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"data/b\": null}", XENOPS_WAIT),
			 0);
	ck_assert(!stat_has("vm", "data/b/c"));
	ck_assert(stat_has("vm", "\"data/a\":\"1\""));
	/* Outside data/, odd paths, non-strings, long values: refused naming the key. */
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"control/shutdown\": \"poweroff\"}", 0),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "control/shutdown"));
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"data/../x\": \"1\"}", 0),
			 XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"data//x\": \"1\"}", 0),
			 XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{\"data/x\": 1}", 0),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "data/x"));
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "{}", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", "[1]", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", NULL, 0), XENOPS_EINVAL);
	{
		char big[1200];

		memset(big, 'v', sizeof(big));
		memcpy(big, "{\"data/x\": \"", 12);
		memcpy(big + sizeof(big) - 3, "\"}", 3);
		ck_assert_int_eq(xenops_vm_set_xenstore(NULL, ctx, "vm", big, 0), XENOPS_EINVAL);
	}
}
END_TEST

START_TEST(host_facts_and_dmesg)
{
	char *json = NULL, *text = NULL;

	ck_assert_int_eq(xenops_host_stat(&json, ctx), 0);
	ck_assert_msg(strstr(json, "\"xen_version\":null,\"cpu_topology\":{\"sockets\":1,"
				   "\"cores_per_socket\":2,\"cores\":2,\"threads_per_core\":2},"
				   "\"numa_nodes\":[{\"id\":0,\"total_memory\":17179869184,"
				   "\"free_memory\":17179869184}]") != NULL, "%s", json);
	xenops_free(json);
	start_vm("vm");
	ck_assert_int_eq(xenops_host_stat(&json, ctx), 0);
	ck_assert_msg(strstr(json, "\"free_memory\":16106127360}]") != NULL, "%s", json);
	xenops_free(json);
	ck_assert_int_eq(xenops_host_dmesg(&text, ctx), 0);
	ck_assert_ptr_nonnull(strstr(text, "(XEN) simulator: sim-0.1 hypervisor log\n"));
	xenops_free(text);
	ck_assert_int_eq(xenops_host_dmesg(NULL, ctx), XENOPS_EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("running");
	TCase *tc = tcase_create("running");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, set_memory_running);
	tcase_add_test(tc, set_memory_bounds_name_the_field);
	tcase_add_test(tc, set_memory_not_reached_is_reported);
	tcase_add_test(tc, set_memory_halted_changes_config_only);
	tcase_add_test(tc, changes_are_persistent);
	tcase_add_test(tc, set_vcpus);
	tcase_add_test(tc, failed_atom_keeps_config);
	tcase_add_test(tc, stats_shape_and_counters_move);
	tcase_add_test(tc, host_facts_and_dmesg);
	tcase_add_test(tc, consoles_and_guest_in_stat);
	tcase_add_test(tc, set_xenstore);
	tcase_add_test(tc, sched_config_applied_at_start);
	tcase_add_test(tc, sched_config_cpu_the_host_lacks);
	tcase_add_test(tc, set_scheduler_live);
	tcase_add_test(tc, set_scheduler_bad_values_name_the_field);
	tcase_add_test(tc, set_config_halted_only);
	tcase_add_test(tc, stat_config_not_stale);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
