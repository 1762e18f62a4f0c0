/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM.import_xl and xenopsctl vm import-xl against a real xenopsd: a dry run
 * defines nothing, an import defines the VM with its devices, a refusal
 * names the line and key and leaves nothing behind.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdtest.h"

static struct xdt_daemon d;
static struct xdt_run run;

static const char guest[] = "# a guest\n"
			    "name = \"web1\"\n"
			    "kernel = \"/boot/vmlinuz\"\n"
			    "extra = \"console=hvc0\"\n"
			    "memory = 256\n"
			    "vcpus = 2\n"
			    "disk = [ 'phy:/dev/vg/web1,xvda,w', ',,xvdc,cdrom' ]\n"
			    "vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:07' ]\n";

static int ctl_in(const char *stdin_text, const char *first, ...)
{
	const char *argv[16] = { XDT_XENOPSCTL, "--socket", d.sock };
	size_t n = 3;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && n < 15; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	xdt_run_free(&run);
	ck_assert_int_eq(xdt_exec(&run, stdin_text, argv), 0);
	return run.status;
}

#define ctl(...) ctl_in(NULL, __VA_ARGS__, NULL)
#define ctl_text(text, ...) ctl_in(text, __VA_ARGS__, NULL)

static void setup(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_msg(xdt_start(&d, NULL) == 0, "xenopsd did not start");
}

static void teardown(void)
{
	xdt_run_free(&run);
	ck_assert_int_eq(xdt_stop(&d), 0);
	xdt_cleanup(&d);
}

START_TEST(rpc_dry_run_and_import)
{
	struct xdt_conn *c = xdt_open(d.sock);
	struct json_object *r, *p = json_object_new_object();
	const char *params;

	json_object_object_add(p, "text", json_object_new_string(guest));
	json_object_object_add(p, "dry_run", json_object_new_boolean(1));
	params = json_object_to_json_string(p);
	r = xdt_ok(c, "VM.import_xl", "%s", params);
	ck_assert_str_eq(xdt_str(r, "config.id"), "web1");
	ck_assert_str_eq(xdt_str(r, "config.cmdline"), "console=hvc0");
	ck_assert_int_eq(xdt_int(r, "config.memory_mib"), 256);
	json_object_put(r);
	r = xdt_ok(c, "VM.list", "{}");
	ck_assert_uint_eq(json_object_array_length(xdt_get(r, "vms")), 0);
	json_object_put(r);

	json_object_object_del(p, "dry_run");
	r = xdt_ok(c, "VM.import_xl", "%s", json_object_to_json_string(p));
	ck_assert_str_eq(xdt_str(r, "id"), "web1");
	json_object_put(r);
	r = xdt_ok(c, "VBD.list", "{\"vm\": \"web1\"}");
	ck_assert_uint_eq(json_object_array_length(xdt_get(r, "vbds")), 2);
	json_object_put(r);
	r = xdt_ok(c, "VIF.get_config", "{\"vm\": \"web1\", \"id\": \"0\"}");
	ck_assert_str_eq(xdt_str(r, "config.bridge"), "xenbr0");
	json_object_put(r);
	/* Missing text: a protocol error, as for any missing parameter. */
	ck_assert_int_ne(xdt_err(c, "VM.import_xl", "{}"), 0);
	json_object_put(p);
	xdt_close(c);
}
END_TEST

START_TEST(cli_dry_run_import_and_refusal)
{
	struct json_object *o;

	ck_assert_msg(ctl_text(guest, "vm", "import-xl", "--dry-run", "-") == 0, "exit %d: %s",
		      run.status, run.err);
	o = json_tokener_parse(run.out);
	ck_assert_msg(o != NULL, "dry run printed no JSON: %s", run.out);
	ck_assert_uint_eq(json_object_array_length(xdt_get(o, "devices.vbd")), 2);
	ck_assert_str_eq(xdt_str(json_object_array_get_idx(xdt_get(o, "devices.vbd"), 0), "backend"),
			 "phy:/dev/vg/web1");
	ck_assert_str_eq(xdt_str(json_object_array_get_idx(xdt_get(o, "devices.vbd"), 1), "kind"),
			 "cdrom");
	json_object_put(o);
	ck_assert_int_eq(ctl("vm", "list", "--json"), 0);
	ck_assert_ptr_null(strstr(run.out, "web1"));

	ck_assert_msg(ctl_text(guest, "vm", "import-xl", "-") == 0, "%s", run.err);
	ck_assert_str_eq(run.out, "web1\n");
	ck_assert_int_eq(ctl("vm", "get-config", "web1"), 0);
	ck_assert_ptr_nonnull(strstr(run.out, "\"xvdc\""));
	/* Again: the id is taken, exit code 10 + 4 (XENOPS_EEXIST). */
	ck_assert_int_eq(ctl_text(guest, "vm", "import-xl", "-"), 14);

	/* Refused: exit 11 (XENOPS_EINVAL), line and key on stderr, nothing defined. */
	ck_assert_int_eq(ctl_text("name = 'x'\n\nsdl = 1\n", "vm", "import-xl", "-"), 11);
	ck_assert_msg(strstr(run.err, "line 3: key \"sdl\" is not supported") != NULL, "%s",
		      run.err);
	ck_assert_int_eq(ctl("vm", "stat", "x"), 13);

	ck_assert_int_eq(ctl("vm", "import-xl", "/nonexistent/xl.cfg"), 1);
	ck_assert_ptr_nonnull(strstr(run.err, "/nonexistent/xl.cfg"));
	ck_assert_int_eq(ctl("vm", "import-xl"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rpc_dry_run_and_import);
	tcase_add_test(tc, cli_dry_run_import_and_refusal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
