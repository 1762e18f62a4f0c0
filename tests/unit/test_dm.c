/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HVM device model's command line (lib/backend/xen/dm.c) as the xen
 * backend builds it at registration, without Xen: deprivileged with
 * dm.restrict 1 (-runas uid:gid with uid = dm.uid_base + domid, -chroot to
 * its own directory, -xen-domid-restrict), none of it by default or with
 * dm.restrict 0; the knobs' values checked. With dm.restrict 1 the disk
 * images and CD media go as fd sets (-add-fd, file=/dev/fdset/N): this
 * program, run in place of the device model (XO_TEST_DM_PROBE set), reports
 * which descriptors it inherited, their access mode and file. Built with the
 * xen backend only.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* What the device model would see: "fd N acc ro|rw ino I" for each descriptor above 2. */
static int probe_main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return 2;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name), fl;
		struct stat st;

		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fstat(fd, &st) < 0)
			return 3;
		printf("fd %d acc %s ino %llu\n", fd, (fl & O_ACCMODE) == O_RDWR ? "rw" : "ro",
		       (unsigned long long)st.st_ino);
	}
	closedir(d);
	return 0;
}

#ifdef XENOPS_HAVE_XEN
static void add_vbd(struct xo_backend *b, int domid, const char *device, const char *backend,
		    bool cdrom, bool ro)
{
	struct xo_dev_config dev = { .kind = XENOPS_KIND_VBD };

	snprintf(dev.u.vbd.device, sizeof(dev.u.vbd.device), "%s", device);
	dev.u.vbd.backend = (char *)backend;
	dev.u.vbd.cdrom = cdrom;
	dev.u.vbd.readonly = ro;
	xo_xen_dm_add_vbd(b, domid, &dev);
}

static unsigned long long ino_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (unsigned long long)st.st_ino;
}

static void make_file(const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("x", f);
	fclose(f);
}

/* Run the probe in place of the device model of @domid; its report into @out. */
static void probe(struct xo_backend *b, int domid, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	setenv("XO_TEST_DM_PROBE", "1", 1);
	ck_assert_int_eq(xo_xen_dm_exec_test(b, domid, self, fileno(f), err), 0);
	unsetenv("XO_TEST_DM_PROBE");
	rewind(f);
	n = (ssize_t)fread(out, 1, len - 1, f);
	out[n > 0 ? n : 0] = '\0';
	fclose(f);
}

/* @report has the line "fd @fd acc @acc ino <inode of @path>". */
static bool has_fd(const char *report, int fd, const char *acc, const char *path)
{
	char line[128];

	snprintf(line, sizeof(line), "fd %d acc %s ino %llu\n", fd, acc, ino_of(path));
	return strstr(report, line) != NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(dm_restricted_fdsets)
{
	struct xo_backend *b = new_backend();
	struct xo_vm_config *cfg = hvm_config();
	char *dir = xo_test_mkdtemp("dm-fd");
	char disk[PATH_MAX], ro[PATH_MAX], iso[PATH_MAX], state[PATH_MAX], be[PATH_MAX + 8];
	char cmd[8192], rep[4096];

	snprintf(disk, sizeof(disk), "%s/disk.img", dir);
	snprintf(ro, sizeof(ro), "%s/ro.img", dir);
	snprintf(iso, sizeof(iso), "%s/cd.iso", dir);
	snprintf(state, sizeof(state), "%s/incoming", dir);
	make_file(disk);
	make_file(ro);
	make_file(iso);
	make_file(state);

	ck_assert_int_eq(xo_xen_dm_knob(b, "dm.restrict", "1", err), 0);
	ck_assert_int_eq(xo_xen_dm_register(b, cfg, 7, err), 0);
	snprintf(be, sizeof(be), "file:%s", disk);
	add_vbd(b, 7, "xvda", be, false, false);
	snprintf(be, sizeof(be), "file:%s", iso);
	add_vbd(b, 7, "xvdc", be, true, false);
	add_vbd(b, 7, "xvdd", "", true, false);
	snprintf(be, sizeof(be), "file:%s", ro);
	add_vbd(b, 7, "xvdb", be, false, true);
	ck_assert_int_eq(xo_xen_dm_set_incoming(b, 7, state, err), 0);
	ck_assert_int_eq(xo_xen_dm_cmdline(b, 7, cmd, sizeof(cmd)), 0);

	/* A writable disk: a read-only and a read-write descriptor in its set. */
	ck_assert_msg(has_args(cmd, "-add-fd\nfd=4,set=0,opaque=xo-ide0-ro\n-add-fd\n"
				    "fd=5,set=0,opaque=xo-ide0-rw\n-drive\n"
				    "file=/dev/fdset/0,if=ide,index=0,media=disk,format=raw,"
				    "cache=writeback,id=xo-ide0"),
		      "%s", cmd);
	/* CD media and a read-only disk: one read-only descriptor. */
	ck_assert_msg(has_args(cmd, "-add-fd\nfd=6,set=2,opaque=xo-ide2-ro\n-drive\n"
				    "file=/dev/fdset/2,if=ide,index=2,media=cdrom,format=raw,"
				    "cache=writeback,id=xo-ide2,readonly=on"),
		      "%s", cmd);
	ck_assert_msg(has_args(cmd, "-drive\nif=ide,index=3,media=cdrom,id=xo-ide3,readonly=on"),
		      "%s", cmd);
	ck_assert_msg(has_args(cmd, "-add-fd\nfd=10,set=1,opaque=xo-ide1-ro\n-drive\n"
				    "file=/dev/fdset/1,if=ide,index=1,media=disk,format=raw,"
				    "cache=writeback,id=xo-ide1,readonly=on"),
		      "%s", cmd);
	ck_assert_msg(!strstr(cmd, dir), "a path in %s", cmd);
	ck_assert_msg(has_args(cmd, "-incoming\nfd:3"), "%s", cmd);

	/* The child has exactly these, with these modes. */
	probe(b, 7, rep, sizeof(rep));
	ck_assert_msg(has_fd(rep, 3, "ro", state), "%s", rep);
	ck_assert_msg(has_fd(rep, 4, "ro", disk), "%s", rep);
	ck_assert_msg(has_fd(rep, 5, "rw", disk), "%s", rep);
	ck_assert_msg(has_fd(rep, 6, "ro", iso), "%s", rep);
	ck_assert_msg(has_fd(rep, 10, "ro", ro), "%s", rep);
	ck_assert_int_eq(count_lines(rep), 5);

	/* A file that cannot be opened fails before anything runs. */
	ck_assert_int_eq(xo_xen_dm_register(b, cfg, 8, err), 0);
	add_vbd(b, 8, "xvda", "file:/nonexistent/disk.img", false, false);
	ck_assert_int_lt(xo_xen_dm_exec_test(b, 8, "/bin/true", 1, err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/disk.img"));

	xo_test_rmtree(dir);
	free(dir);
	xo_vm_config_free(cfg);
	xo_xen_dm_fini(b);
	free(b);
}
END_TEST

START_TEST(dm_unrestricted_paths)
{
	struct xo_backend *b = new_backend();
	struct xo_vm_config *cfg = hvm_config();
	char *dir = xo_test_mkdtemp("dm-path");
	char disk[PATH_MAX], be[PATH_MAX + 8], want[PATH_MAX + 128], cmd[8192], rep[4096];

	snprintf(disk, sizeof(disk), "%s/disk.img", dir);
	make_file(disk);
	ck_assert_int_eq(xo_xen_dm_register(b, cfg, 6, err), 0);
	snprintf(be, sizeof(be), "file:%s", disk);
	add_vbd(b, 6, "hda", be, false, false);
	ck_assert_int_eq(xo_xen_dm_cmdline(b, 6, cmd, sizeof(cmd)), 0);
	snprintf(want, sizeof(want),
		 "-drive\nfile=%s,if=ide,index=0,media=disk,format=raw,cache=writeback,id=xo-ide0",
		 disk);
	ck_assert_msg(has_args(cmd, want), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "-add-fd"), "%s", cmd);
	ck_assert_msg(!strstr(cmd, "/dev/fdset"), "%s", cmd);
	/* Nothing inherited: QEMU opens its images itself, as root. */
	probe(b, 6, rep, sizeof(rep));
	ck_assert_msg(!*rep, "%s", rep);

	xo_test_rmtree(dir);
	free(dir);
	xo_vm_config_free(cfg);
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
	tcase_add_test(tc, dm_restricted_fdsets);
	tcase_add_test(tc, dm_unrestricted_paths);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (getenv("XO_TEST_DM_PROBE"))
		return probe_main();
	return xo_test_run(dm_suite());
}
