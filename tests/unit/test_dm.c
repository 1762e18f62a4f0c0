/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HVM device model's command line (lib/backend/xen/dm.c) as the xen
 * backend builds it at registration, without Xen: deprivileged with
 * dm.restrict 1 (-runas uid:gid with uid = dm.uid_base + domid, -chroot to
 * its own directory, -xen-domid-restrict), none of it by default or with
 * dm.restrict 0; the knobs' values checked. Built with the xen backend only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#ifdef XENOPS_HAVE_XEN
#include "backend/xen/xen_priv.h"
#include "model/model.h"

static struct xo_error test_err;
static struct xo_error *const err = &test_err;

static struct xo_backend *new_backend(void)
{
	struct xo_backend *b = calloc(1, sizeof(*b));

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(xo_xen_dm_init(b, err), 0);
	return b;
}

static struct xo_vm_config *hvm_config(void)
{
	struct xo_vm_config *cfg = NULL;

	ck_assert_int_eq(xo_vm_config_parse(&cfg,
					    "{\"id\": \"h1\", \"type\": \"hvm\", \"memory_mib\": 128, "
					    "\"vcpus\": 1}",
					    err),
			 0);
	return cfg;
}

/* The command line of @domid's registered device model, one argument a line. */
static void cmdline_of(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		       char *out, size_t len)
{
	ck_assert_int_eq(xo_xen_dm_register(b, cfg, domid, err), 0);
	ck_assert_int_eq(xo_xen_dm_cmdline(b, domid, out, len), 0);
}

/* @want (lines) occurs in @cmd as whole lines. */
static bool has_args(const char *cmd, const char *want)
{
	char buf[256];
	const char *at;

	snprintf(buf, sizeof(buf), "\n%s\n", want);
	at = strstr(cmd, buf);
	return at != NULL || (strncmp(cmd, buf + 1, strlen(buf + 1)) == 0);
}

START_TEST(dm_restricted)
{
	struct xo_backend *b = new_backend();
	struct xo_vm_config *cfg = hvm_config();
	char cmd[8192];

	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "1", err), 0);
	cmdline_of(b, cfg, 7, cmd, sizeof(cmd));
	ck_assert_msg(has_args(cmd, "-runas\n131079:131079"), "%s", cmd);
	ck_assert_msg(has_args(cmd, "-chroot\n" XO_DM_RUN_DIR "/dm-root-7"), "%s", cmd);
	ck_assert_msg(has_args(cmd, "-xen-domid-restrict"), "%s", cmd);
	ck_assert_msg(has_args(cmd, "-xen-domid\n7"), "%s", cmd);
	/* Found again from /proc by its pidfile: the first arguments do not move. */
	ck_assert_msg(!strncmp(cmd, XO_DM_QEMU "\n-xen-domid\n7\n-pidfile\n", 40), "%s", cmd);

	/* Another domain, another uid and directory. */
	cmdline_of(b, cfg, 32000, cmd, sizeof(cmd));
	ck_assert_msg(has_args(cmd, "-runas\n163072:163072"), "%s", cmd);
	ck_assert_msg(has_args(cmd, "-chroot\n" XO_DM_RUN_DIR "/dm-root-32000"), "%s", cmd);

	/* Another base: applies to the device models registered afterwards. */
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.uid_base", "200000", err), 0);
	ck_assert_int_eq(xo_xen_dm_cmdline(b, 7, cmd, sizeof(cmd)), 0);
	ck_assert_msg(has_args(cmd, "-runas\n131079:131079"), "%s", cmd);
	cmdline_of(b, cfg, 7, cmd, sizeof(cmd));
	ck_assert_msg(has_args(cmd, "-runas\n200007:200007"), "%s", cmd);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.uid_base", "", err), 0);
	cmdline_of(b, cfg, 7, cmd, sizeof(cmd));
	ck_assert_msg(has_args(cmd, "-runas\n131079:131079"), "%s", cmd);

	xo_vm_config_free(cfg);
	xo_xen_dm_fini(b);
	free(b);
}
END_TEST

START_TEST(dm_restrict_off)
{
	struct xo_backend *b = new_backend();
	struct xo_vm_config *cfg = hvm_config();
	char cmd[8192];

	/* The default: off. */
	cmdline_of(b, cfg, 6, cmd, sizeof(cmd));
	ck_assert_msg(!strstr(cmd, "-runas"), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "-chroot"), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "-xen-domid-restrict"), "%s", cmd);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "1", err), 0);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "0", err), 0);
	cmdline_of(b, cfg, 7, cmd, sizeof(cmd));
	ck_assert_msg(!strstr(cmd, "-runas"), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "-chroot"), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "-xen-domid-restrict"), "%s", cmd);
	ck_assert_msg(has_args(cmd, "-xen-domid\n7"), "%s", cmd);
	/* "" is the default: off. */
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "1", err), 0);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "", err), 0);
	cmdline_of(b, cfg, 7, cmd, sizeof(cmd));
	ck_assert_msg(!strstr(cmd, "-xen-domid-restrict"), "%s", cmd);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "1", err), 0);
	cmdline_of(b, cfg, 8, cmd, sizeof(cmd));
	ck_assert_msg(has_args(cmd, "-runas\n131080:131080"), "%s", cmd);
	/* Nothing registered: no command line. */
	ck_assert_int_eq(xo_xen_dm_cmdline(b, 9, cmd, sizeof(cmd)), -1);

	xo_vm_config_free(cfg);
	xo_xen_dm_fini(b);
	free(b);
}
END_TEST

START_TEST(dm_knob_values)
{
	struct xo_backend *b = new_backend();
	static const char *const bad_restrict[] = { "2", "on", "yes", " 1", "-1" };
	static const char *const bad_base[] = { "0", "-5", "12x", "4294901760", "99999999999",
						"+7", " 7", "0x10" };

	for (size_t i = 0; i < XO_ARRAY_SIZE(bad_restrict); i++) {
		ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", bad_restrict[i], err),
				 XENOPS_EINVAL);
		ck_assert_ptr_nonnull(strstr(err->msg, "dm.restrict"));
	}
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", NULL, err), XENOPS_EINVAL);
	for (size_t i = 0; i < XO_ARRAY_SIZE(bad_base); i++) {
		ck_assert_msg(xo_xen_dm_knob(b, "dm.uid_base", bad_base[i], err) == XENOPS_EINVAL,
			      "%s accepted", bad_base[i]);
		ck_assert_ptr_nonnull(strstr(err->msg, "dm.uid_base"));
	}
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.uid_base", NULL, err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.uid_base", "1", err), 0);
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.uid_base", "4294901759", err), 0);
	/* Not a device model knob. */
	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.other", "1", err), 1);
	ck_assert_int_eq(xo_xen_dm_knob(b, "boot.grub_pv", "/x", err), 1);
	xo_xen_dm_fini(b);
	free(b);
}
END_TEST
#endif

static Suite *dm_suite(void)
{
	Suite *s = suite_create("dm");
	TCase *tc = tcase_create("dm");

#ifdef XENOPS_HAVE_XEN
	tcase_add_test(tc, dm_restricted);
	tcase_add_test(tc, dm_restrict_off);
	tcase_add_test(tc, dm_knob_values);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return xo_test_run(dm_suite());
}
