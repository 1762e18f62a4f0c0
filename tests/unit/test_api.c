/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public API's synchronous surface: contexts and options, errors and
 * the last-error slot, id validation, VM and device definitions.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenops/xenops.h>

#include "testutil.h"

static xenops_ctx *new_ctx(void)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;

	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static void add_vm(xenops_ctx *ctx, const char *id)
{
	char cfg[256];

	snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\"}", id);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), 0);
}

START_TEST(ctx_defaults_and_options)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;

	ck_assert_int_eq(o.version, XENOPS_CTX_OPTIONS_VERSION);
	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	ck_assert_str_eq(xenops_ctx_backend(ctx), "sim");
	ck_assert_int_eq(strlen(xenops_ctx_instance(ctx)), 16);
	ck_assert_ptr_eq(xenops_ctx_ref(ctx), ctx);
	xenops_ctx_unref(ctx);
	xenops_ctx_unref(ctx);
	xenops_ctx_unref(NULL);
}
END_TEST

START_TEST(ctx_null_options_is_automatic)
{
	xenops_ctx *ctx = NULL;

	/* No Xen on the test machine: automatic means the simulator. */
	ck_assert_int_eq(xenops_ctx_new(&ctx, NULL), 0);
	ck_assert_str_eq(xenops_ctx_backend(ctx), "sim");
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(ctx_bad_options)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = (xenops_ctx *)0x1;

	ck_assert_int_eq(xenops_ctx_new(NULL, &o), XENOPS_EINVAL);
	o.version = 0;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
	ck_assert_ptr_null(ctx);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "version"));
	o.version = 99;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
	o.version = XENOPS_CTX_OPTIONS_VERSION;
	o.backend = "kvm";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "kvm"));
	o.backend = "sim";
	o.state_dir = "relative/dir";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "state_dir"));
	o.state_dir = NULL;
	o.workers = 100000;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "workers"));
	o.workers = 0;
	o.log_level = 42;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), XENOPS_EINVAL);
}
END_TEST

START_TEST(xen_backend_without_hypervisor)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	int rc;

	o.backend = "xen";
	rc = xenops_ctx_new(&ctx, &o);
	/* No hypervisor here: a clear error, never a crash. */
	ck_assert(rc == XENOPS_EBACKEND || rc == XENOPS_ENOTSUP);
	ck_assert_ptr_null(ctx);
	ck_assert_int_gt(strlen(xenops_last_error_message()), 10);
}
END_TEST

START_TEST(log_callback_is_used)
{
	struct xo_test_log b = XO_TEST_LOG_INIT;
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;

	o.log_fn = xo_test_log_fn;
	o.log_userdata = &b;
	o.log_level = XENOPS_LOG_DEBUG;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	ck_assert_int_gt(b.n, 0);
	ck_assert_msg(xo_test_log_has(&b, "sim"), "%s", b.text);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(errors_have_names_and_text)
{
	static const int codes[] = { XENOPS_OK, XENOPS_EINVAL, XENOPS_ENOMEM, XENOPS_ENOTFOUND,
				     XENOPS_EEXIST, XENOPS_EBADSTATE, XENOPS_EBUSY, XENOPS_ETIMEDOUT,
				     XENOPS_ECANCELLED, XENOPS_ENOTSUP, XENOPS_EBACKEND, XENOPS_EIO,
				     XENOPS_ERESYNC, XENOPS_ENOACK, XENOPS_ENOSHUTDOWN, XENOPS_ECORRUPT,
				     XENOPS_EPERM, XENOPS_ENOSPC, XENOPS_EINTERNAL };

	/* Values are ABI: they must never change. */
	ck_assert_int_eq(XENOPS_EINVAL, -1);
	ck_assert_int_eq(XENOPS_EINTERNAL, -18);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ck_assert_str_ne(xenops_strerror(codes[i]), "unknown error");
		ck_assert_int_eq(strncmp(xenops_strerror_name(codes[i]), "XENOPS_", 7), 0);
	}
	ck_assert_str_eq(xenops_strerror_name(XENOPS_ENOTFOUND), "XENOPS_ENOTFOUND");
	ck_assert_str_eq(xenops_strerror(-999), "unknown error");
	ck_assert_ptr_nonnull(xenops_strerror_name(12345));
}
END_TEST

START_TEST(last_error_is_reset_per_call)
{
	xenops_ctx *ctx = new_ctx();
	char **ids = NULL;

	ck_assert_int_eq(xenops_vm_remove(ctx, "nope", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_last_error(), XENOPS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "nope"));
	ck_assert_int_eq(xenops_vm_list(&ids, NULL, ctx), 0);
	ck_assert_int_eq(xenops_last_error(), 0);
	ck_assert_str_eq(xenops_last_error_message(), "");
	xenops_strv_free(ids);
	xenops_ctx_unref(ctx);
}
END_TEST

static void *other_thread(void *arg)
{
	(void)arg;
	/* Another thread's error must not show here. */
	return (void *)(intptr_t)xenops_last_error();
}

START_TEST(last_error_is_per_thread)
{
	xenops_ctx *ctx = new_ctx();
	pthread_t th;
	void *res;

	ck_assert_int_eq(xenops_vm_remove(ctx, "nope", 0), XENOPS_ENOTFOUND);
	pthread_create(&th, NULL, other_thread, NULL);
	pthread_join(th, &res);
	ck_assert_int_eq((int)(intptr_t)res, 0);
	ck_assert_int_eq(xenops_last_error(), XENOPS_ENOTFOUND);
	xenops_ctx_unref(ctx);
}
END_TEST

static const char *const bad_ids[] = { "../x", "a/b", "", ".", "..", "a b", "x\ny", "é", "a\\b",
				       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };

START_TEST(invalid_ids_are_refused)
{
	xenops_ctx *ctx = new_ctx();
	const char *id = bad_ids[_i];
	char *json = NULL, cfg[512];

	add_vm(ctx, "good");
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, id), XENOPS_EINVAL);
	ck_assert_ptr_null(json);
	ck_assert_int_eq(xenops_vm_remove(ctx, id, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, id, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "good", id), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vif_plug(NULL, ctx, "good", id, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_task_cancel(ctx, id), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_updates_inject_barrier(NULL, ctx, id), XENOPS_EINVAL);
	/* In a configuration too: ids become file names. */
	if (!strchr(id, '"') && !strchr(id, '\\') && !strchr(id, '\n')) {
		snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\"}", id);
		ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), XENOPS_EINVAL);
		snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"device\": \"xvdc\", \"backend\": \"file:/x\"}", id);
		ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "good", cfg, 0), XENOPS_EINVAL);
	}
	ck_assert_int_eq(xenops_last_error(), XENOPS_EINVAL);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(valid_ids_are_accepted)
{
	xenops_ctx *ctx = new_ctx();
	char id64[65];

	memset(id64, 'a', 64);
	id64[64] = '\0';
	add_vm(ctx, id64);
	add_vm(ctx, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	add_vm(ctx, "web_1.example:prod");
	add_vm(ctx, "...");
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(null_arguments)
{
	xenops_ctx *ctx = new_ctx();
	char *s = NULL, **v = NULL;
	int st;

	ck_assert_int_eq(xenops_vm_add(NULL, NULL, "{}", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_list(NULL, NULL, ctx), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_list(&v, NULL, NULL), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_stat(NULL, ctx, "x"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_stat(&s, ctx, NULL), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_get_power_state(NULL, NULL, ctx, "x"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, NULL, "x"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_host_stat(NULL, ctx), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_task_list(NULL, NULL, ctx), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "x", NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_suspend(NULL, ctx, "x", "relative", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_resume(NULL, ctx, "x", NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vbd_insert(NULL, ctx, "x", "y", NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_ctx_subscribe(NULL, ctx, 0, NULL, NULL), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_debug_set(ctx, NULL, "1"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_ctx_get_fd(NULL), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_ctx_dispatch(NULL), XENOPS_EINVAL);
	xenops_free(NULL);
	xenops_strv_free(NULL);
	xenops_updates_free(NULL);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(unknown_flags_are_refused)
{
	xenops_ctx *ctx = new_ctx();

	add_vm(ctx, "vm");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "vm", 1u << 20), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "flags"));
	ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "vm", XENOPS_START_PAUSED), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{}", XENOPS_WAIT), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 7), XENOPS_EINVAL);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(vm_add_list_get_remove)
{
	xenops_ctx *ctx = new_ctx();
	char *id = NULL, *json = NULL, **ids = NULL;
	size_t n = 99;
	int st, domid;

	ck_assert_int_eq(xenops_vm_add(&id, ctx, "{\"id\": \"y\", \"name\": \"web\", \"memory_mib\": 512, \"vcpus\": 2}", 0), 0);
	ck_assert_str_eq(id, "y");
	xenops_free(id);
	add_vm(ctx, "x");
	ck_assert_int_eq(xenops_vm_add(&id, ctx, "{}", 0), 0);
	ck_assert_int_eq(strlen(id), 36); /* a generated UUID */
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 3);
	/* Sorted: a generated UUID (hex digits) sorts before "x" and "y". */
	ck_assert_str_eq(ids[1], "x");
	ck_assert_str_eq(ids[2], "y");
	ck_assert_ptr_null(ids[3]);
	xenops_strv_free(ids);

	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "y"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"web\""));
	ck_assert_ptr_nonnull(strstr(json, "\"memory_mib\":512"));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "y"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"power_state\":\"Halted\""));
	ck_assert_ptr_nonnull(strstr(json, "\"config\""));
	xenops_free(json);
	ck_assert_int_eq(xenops_vm_get_power_state(&st, &domid, ctx, "y"), 0);
	ck_assert_int_eq(st, XENOPS_POWER_HALTED);
	ck_assert_int_eq(domid, -1);

	ck_assert_int_eq(xenops_vm_add(NULL, ctx, "{\"id\": \"y\"}", 0), XENOPS_EEXIST);
	ck_assert_int_eq(xenops_vm_remove(ctx, "y", 0), 0);
	ck_assert_int_eq(xenops_vm_remove(ctx, "y", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vm_stat(&json, ctx, "y"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vm_get_config(&json, ctx, "y"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 2);
	xenops_strv_free(ids);
	xenops_free(id);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(vm_add_validation_names_the_field)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"memroy_mib\": 1}", "memroy_mib" },
		{ "{\"memory_mib\": \"lots\"}", "memory_mib" },
		{ "{\"memory_mib\": 1}", "memory_mib" },
		{ "{\"vcpus\": 0}", "vcpus" },
		{ "{\"vcpus_max\": 1, \"vcpus\": 4}", "vcpus" },
		{ "{\"on_crash\": \"explode\"}", "on_crash" },
		{ "{\"type\": \"hvm2\"}", "type" },
		{ "{\"kernel\": \"relative/path\"}", "kernel" },
		{ "[1, 2]", "" },
		{ "not json", "" },
		{ "{\"id\": \"x\"} trailing", "" },
	};
	xenops_ctx *ctx = new_ctx();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(xenops_vm_add(NULL, ctx, cases[i].json, 0), XENOPS_EINVAL);
		ck_assert_msg(strstr(xenops_last_error_message(), cases[i].field), "%s: message \"%s\"",
			      cases[i].json, xenops_last_error_message());
	}
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(devices_define_list_get_remove)
{
	xenops_ctx *ctx = new_ctx();
	char *id = NULL, *json = NULL, **ids = NULL;
	size_t n;

	add_vm(ctx, "vm");
	ck_assert_int_eq(xenops_vbd_add(&id, ctx, "vm", "{\"device\": \"xvda\", \"backend\": \"file:/img/a\"}", 0), 0);
	ck_assert_str_eq(id, "xvda");
	xenops_free(id);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdd\", \"kind\": \"cdrom\"}", 0), 0);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvda\", \"id\": \"other\", \"backend\": \"file:/b\"}", 0),
			 XENOPS_EEXIST);
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "vm", "{\"device\": \"xvdz\"}", 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "backend"));
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "nope", "{\"device\": \"xvdb\", \"backend\": \"file:/b\"}", 0),
			 XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vbd_list(&ids, &n, ctx, "vm"), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ids[0], "xvda");
	ck_assert_str_eq(ids[1], "xvdd");
	xenops_strv_free(ids);

	/* VIFs get the lowest free index and a MAC when none is given. */
	ck_assert_int_eq(xenops_vif_add(&id, ctx, "vm", "{}", 0), 0);
	ck_assert_str_eq(id, "0");
	xenops_free(id);
	ck_assert_int_eq(xenops_vif_add(&id, ctx, "vm", "{\"bridge\": \"br1\"}", 0), 0);
	ck_assert_str_eq(id, "1");
	xenops_free(id);
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "vm", "{\"index\": 1}", 0), XENOPS_EEXIST);
	ck_assert_int_eq(xenops_vif_get_config(&json, ctx, "vm", "1"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"mac\":\"00:16:3e:"));
	ck_assert_ptr_nonnull(strstr(json, "\"bridge\":\"br1\""));
	xenops_free(json);

	ck_assert_int_eq(xenops_pci_add(&id, ctx, "vm", "{\"address\": \"03:00.1\"}", 0), 0);
	ck_assert_str_eq(id, "0000:03:00.1");
	xenops_free(id);
	ck_assert_int_eq(xenops_pci_add(NULL, ctx, "vm", "{\"address\": \"0000:03:00.1\", \"id\": \"again\"}", 0),
			 XENOPS_EEXIST);
	ck_assert_int_eq(xenops_pci_get_config(&json, ctx, "vm", "0000:03:00.1"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"address\":\"0000:03:00.1\""));
	ck_assert_ptr_null(strstr(json, "plugged"));
	xenops_free(json);
	ck_assert_int_eq(xenops_pci_stat(&json, ctx, "vm", "0000:03:00.1"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"plugged\":false"));
	xenops_free(json);
	ck_assert_int_eq(xenops_pci_list(&ids, &n, ctx, "vm"), 0);
	ck_assert_uint_eq(n, 1);
	xenops_strv_free(ids);

	ck_assert_int_eq(xenops_vbd_stat(&json, ctx, "vm", "xvdd"), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"kind\":\"cdrom\""));
	xenops_free(json);
	ck_assert_int_eq(xenops_vbd_get_config(&json, ctx, "vm", "nope"), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vbd_remove(ctx, "vm", "xvdd", 0), 0);
	ck_assert_int_eq(xenops_vbd_remove(ctx, "vm", "xvdd", 0), XENOPS_ENOTFOUND);
	ck_assert_int_eq(xenops_vif_remove(ctx, "vm", "0", 0), 0);
	ck_assert_int_eq(xenops_pci_remove(ctx, "vm", "0000:03:00.1", 0), 0);
	ck_assert_int_eq(xenops_vif_list(&ids, &n, ctx, "vm"), 0);
	ck_assert_uint_eq(n, 1);
	xenops_strv_free(ids);
	/* Removing the VM removes its devices with it. */
	ck_assert_int_eq(xenops_vm_remove(ctx, "vm", 0), 0);
	ck_assert_int_eq(xenops_vbd_list(&ids, &n, ctx, "vm"), XENOPS_ENOTFOUND);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(host_stat_reports_the_backend)
{
	xenops_ctx *ctx = new_ctx();
	char *json = NULL;

	ck_assert_int_eq(xenops_host_stat(&json, ctx), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"backend\":\"sim\""));
	ck_assert_ptr_nonnull(strstr(json, "\"nr_cpus\""));
	ck_assert_ptr_nonnull(strstr(json, "\"free_memory\""));
	xenops_free(json);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(debug_keys)
{
	xenops_ctx *ctx = new_ctx();

	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "3"), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "-1"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.fail_atom", "x"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_debug_set(ctx, "fault.off", NULL), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "no.such.key", "1"), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay", "5"), 0);
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.no_such_knob", "5"), XENOPS_EINVAL);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(version_query)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d.%d.%d", XENOPS_VERSION_MAJOR, XENOPS_VERSION_MINOR,
		 XENOPS_VERSION_PATCH);
	ck_assert_str_eq(xenops_version(), buf);
	ck_assert_uint_eq(xenops_version_number(), XENOPS_VERSION_NUMBER);
}
END_TEST

START_TEST(names_of_enums)
{
	ck_assert_str_eq(xenops_power_state_name(XENOPS_POWER_SUSPENDED), "Suspended");
	ck_assert_str_eq(xenops_power_state_name(77), "unknown");
	ck_assert_str_eq(xenops_task_state_name(XENOPS_TASK_CANCELLED), "cancelled");
	ck_assert_str_eq(xenops_kind_name(XENOPS_KIND_VIF), "vif");
	ck_assert_str_eq(xenops_kind_name(0), "unknown");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ctx_defaults_and_options);
	tcase_add_test(tc, ctx_null_options_is_automatic);
	tcase_add_test(tc, ctx_bad_options);
	tcase_add_test(tc, xen_backend_without_hypervisor);
	tcase_add_test(tc, log_callback_is_used);
	tcase_add_test(tc, errors_have_names_and_text);
	tcase_add_test(tc, last_error_is_reset_per_call);
	tcase_add_test(tc, last_error_is_per_thread);
	tcase_add_loop_test(tc, invalid_ids_are_refused, 0, (int)(sizeof(bad_ids) / sizeof(bad_ids[0])));
	tcase_add_test(tc, valid_ids_are_accepted);
	tcase_add_test(tc, null_arguments);
	tcase_add_test(tc, unknown_flags_are_refused);
	tcase_add_test(tc, vm_add_list_get_remove);
	tcase_add_test(tc, vm_add_validation_names_the_field);
	tcase_add_test(tc, devices_define_list_get_remove);
	tcase_add_test(tc, host_stat_reports_the_backend);
	tcase_add_test(tc, debug_keys);
	tcase_add_test(tc, version_query);
	tcase_add_test(tc, names_of_enums);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
