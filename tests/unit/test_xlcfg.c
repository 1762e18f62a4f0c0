/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xl.cfg import: the file syntax, the key mapping, a corpus of disk= and
 * vif= specifications, the public calls, and the example files Xen's
 * Debian packages ship (when present on the machine).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xlcfg.h"
#include "testutil.h"
#include "xenops/xenops.h"

/* ---- helpers ---- */

/* @text converts to exactly the JSON @want. */
static void conv_eq(const char *text, const char *want)
{
	struct xo_xlcfg_error err;
	struct json_object *got = NULL, *exp = json_tokener_parse(want);
	int rc = xo_xlcfg_convert(&got, text, &err);

	ck_assert_msg(exp != NULL, "bad expected JSON %s", want);
	ck_assert_msg(rc == 0, "convert of [%s] failed: %d %s", text, rc, err.msg);
	ck_assert_msg(json_object_equal(got, exp), "convert of [%s]:\n got  %s\n want %s", text,
		      json_object_to_json_string(got), want);
	json_object_put(got);
	json_object_put(exp);
}

/* @text is refused with EINVAL, at @line, naming @key, with @needle in the message. */
static void conv_bad(const char *text, int line, const char *key, const char *needle)
{
	struct xo_xlcfg_error err;
	struct json_object *got = (void *)1;
	int rc = xo_xlcfg_convert(&got, text, &err);

	ck_assert_msg(rc == XENOPS_EINVAL, "convert of [%s] gave %d, not EINVAL", text, rc);
	ck_assert_ptr_null(got);
	ck_assert_msg(err.line == line, "[%s]: line %d, want %d (%s)", text, err.line, line, err.msg);
	ck_assert_msg(strcmp(err.key, key) == 0, "[%s]: key \"%s\", want \"%s\"", text, err.key, key);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "[%s]: message \"%s\" lacks \"%s\"", text,
		      err.msg, needle);
	if (line > 0) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "line %d: ", line);
		ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
			      "message \"%s\" does not start with \"%s\"", err.msg, prefix);
	}
}

/* ---- syntax ---- */

START_TEST(empty_file_is_an_empty_vm)
{
	conv_eq("", "{}");
	conv_eq("# only a comment\n\n   \n", "{}");
}
END_TEST

START_TEST(strings_numbers_comments_separators)
{
	conv_eq("name = 'a b'  # comment\nkernel=\"/k\";ramdisk = '/r'\r\nmemory = 0x100\n"
		"vcpus = \"3\"",
		"{\"name\": \"a b\", \"kernel\": \"/k\", \"ramdisk\": \"/r\", \"memory_mib\": 256,"
		" \"memory_target_mib\": 256, \"vcpus\": 3}");
	/* Escapes in either quote, octal and hex included. */
	conv_eq("extra = \"a\\tb\\\"c\\\\d\\x41\\102\"", "{\"cmdline\": \"a\\tb\\\"c\\\\dAB\"}");
	conv_eq("extra = 'it\\'s'", "{\"cmdline\": \"it's\"}");
	/* A # inside a string is text. */
	conv_eq("extra = 'x#y'", "{\"cmdline\": \"x#y\"}");
}
END_TEST

START_TEST(lists_span_lines_and_append)
{
	conv_eq("vif = [\n  'bridge=a', # first\n\n  'bridge=b',\n]\n",
		"{\"devices\": {\"vif\": [{\"index\": 0, \"bridge\": \"a\"},"
		" {\"index\": 1, \"bridge\": \"b\"}]}}");
	conv_eq("vif = []", "{}");
	conv_eq("vif = ['bridge=a']\nvif += ['bridge=b']",
		"{\"devices\": {\"vif\": [{\"index\": 0, \"bridge\": \"a\"},"
		" {\"index\": 1, \"bridge\": \"b\"}]}}");
	conv_eq("extra = 'a'\nextra += ' b'", "{\"cmdline\": \"a b\"}");
	conv_eq("extra += 'only'", "{\"cmdline\": \"only\"}");
}
END_TEST

START_TEST(syntax_errors_name_line_and_key)
{
	conv_bad("name = 'x'\nkernel = '/k", 2, "kernel", "unterminated string");
	conv_bad("\n\nmemory = 12x", 3, "memory", "invalid number \"12x\"");
	conv_bad("memory 12", 1, "memory", "expected '='");
	conv_bad("name = x", 1, "name", "expected a quoted string");
	conv_bad("name =", 1, "name", "missing value");
	conv_bad("name = 'a' 'b'", 1, "name", "unexpected ''' after the value");
	conv_bad("disk = [['a']]", 1, "disk", "nested lists are not supported");
	conv_bad("vif = ['a' 'b']", 1, "vif", "expected ',' or ']'");
	conv_bad("vif = [\n'a',\n", 3, "vif", "missing value");
	conv_bad("= 3", 1, "", "expected a key");
	conv_bad("name = 'a'\n\nname = 'b'", 3, "name", "set twice (first on line 1)");
	conv_bad("extra = 'a'\nextra += ['b']", 2, "extra", "+= must add a string");
	conv_bad("extra = 'a\\q'", 1, "extra", "invalid escape");
}
END_TEST

/* ---- keys ---- */

START_TEST(all_supported_keys)
{
	conv_eq("name = 'web'\n"
		"uuid = '6F9619FF-8B86-D011-B42D-00C04FC964FF'\n"
		"type = 'pvh'\n"
		"memory = 1024\nmaxmem = 2048\nvcpus = 2\nmaxvcpus = 4\n"
		"kernel = '/boot/vmlinuz'\nramdisk = '/boot/initrd.img'\n"
		"root = '/dev/xvda1 ro'\nextra = 'console=hvc0'\n"
		"on_poweroff = 'destroy'\non_reboot = 'restart'\non_crash = 'preserve'\n",
		"{\"id\": \"6f9619ff-8b86-d011-b42d-00c04fc964ff\", \"name\": \"web\","
		" \"type\": \"pvh\", \"memory_mib\": 2048, \"memory_target_mib\": 1024,"
		" \"vcpus_max\": 4, \"vcpus\": 2, \"kernel\": \"/boot/vmlinuz\","
		" \"ramdisk\": \"/boot/initrd.img\", \"cmdline\": \"root=/dev/xvda1 ro console=hvc0\","
		" \"on_shutdown\": \"destroy\", \"on_reboot\": \"restart\", \"on_crash\": \"preserve\"}");
}
END_TEST

START_TEST(identity_memory_and_cmdline_rules)
{
	/* The name is the id when it is a valid one... */
	conv_eq("name = 'db-1'", "{\"id\": \"db-1\", \"name\": \"db-1\"}");
	/* ...otherwise the library generates one. */
	conv_eq("name = 'my db'", "{\"name\": \"my db\"}");
	conv_eq("maxmem = 512", "{\"memory_mib\": 512}");
	conv_eq("memory = 512", "{\"memory_mib\": 512, \"memory_target_mib\": 512}");
	conv_eq("cmdline = 'root=/dev/xvda quiet'", "{\"cmdline\": \"root=/dev/xvda quiet\"}");
	conv_eq("root = '/dev/xvda'", "{\"cmdline\": \"root=/dev/xvda\"}");
	conv_eq("extra = 'quiet'", "{\"cmdline\": \"quiet\"}");
	conv_bad("memory = 512\nmaxmem = 256", 2, "maxmem", "less than \"memory\" (512)");
	conv_bad("memory = 0", 1, "memory", "between 1 and");
	conv_bad("memory = 'lots'", 1, "memory", "must be an integer");
	conv_bad("vcpus = [1]", 1, "vcpus", "must be an integer, not a list");
	conv_bad("kernel = ['/k']", 1, "kernel", "must be a string");
	conv_bad("cmdline = 'a'\nextra = 'b'", 2, "extra", "cannot be combined with \"cmdline\"");
	conv_bad("uuid = 'not-a-uuid'", 1, "uuid", "is not a UUID");
	conv_bad("\ntype = 'hvm'\nsdl = 1", 2, "type", "\"hvm\" is not supported (pv or pvh)");
	conv_bad("on_crash = 'coredump-destroy'", 1, "on_crash", "not supported");
	conv_bad("on_reboot = 'rename-restart'", 1, "on_reboot", "not supported");
}
END_TEST

/* bootloader = "pygrub" is GRUB boot; what pygrub's selection keys ask is refused. */
START_TEST(bootloader_pygrub_is_grub_boot)
{
	conv_eq("name = 'g'\ntype = 'pvh'\nbootloader = 'pygrub'\n",
		"{\"id\":\"g\",\"name\":\"g\",\"type\":\"pvh\",\"boot\":\"grub\"}");
	conv_eq("name = 'g'\nbootloader = '/usr/lib/xen-4.17/bin/pygrub'\n",
		"{\"id\":\"g\",\"name\":\"g\",\"boot\":\"grub\"}");
	conv_bad("bootloader = 'pygrub'\nkernel = '/boot/vmlinuz'", 2, "kernel",
		 "GRUB boot reads the guest's own");
	conv_bad("extra = 'quiet'\nbootloader = 'pygrub'", 1, "extra", "with \"bootloader\"");
	conv_bad("bootloader = 'pvgrub'", 1, "bootloader", "only pygrub");
}
END_TEST

/* Keys xl knows that the import does not: refused by name and line, never dropped. */
static const char *const unsupported_keys[] = {
	"bootloader_args = ['-q']", "builder = 'hvm'", "cpupool = 'Pool-0'", "cpu_affinity = '1'",
	"sdl = 1",	    "vnc = 1",		"pci = ['01:00.0']",
	"on_watchdog = 'destroy'", "serial = 'pty'", "vfb = ['vnc=1']", "device_model_version = 'x'",
};

/* cpus, cpus_soft, cpu_weight and cap: the scheduler fields, in xl.cfg(5) syntax. */
START_TEST(scheduler_keys)
{
	conv_eq("vcpus = 4\ncpus = '2-3,5'\ncpus_soft = 'all'\ncpu_weight = 512\ncap = 150\n",
		"{\"vcpus\": 4, \"affinity\": \"2-3,5\", \"soft_affinity\": \"all\","
		" \"weight\": 512, \"cap\": 150}");
	conv_eq("cpus = '0-7,^1'\n", "{\"affinity\": \"0,2-7\"}");
	conv_eq("cpus = 'all,^1'\n", "{\"affinity\": \"all,^1\"}");
	conv_eq("cpus = 3\n", "{\"affinity\": \"3\"}");
	/* A list: one per vCPU from vCPU 0. */
	conv_eq("vcpus = 3\ncpus = ['2', '3-8,^5']\ncpus_soft = ['0', '1']\n",
		"{\"vcpus\": 3, \"affinity\": [\"2\", \"3-4,6-8\"], \"soft_affinity\": [\"0\", \"1\"]}");
	/* Refused with the key and line. */
	conv_bad("name = 'a'\ncpus = 'nodes:0'\n", 2, "cpus", "NUMA node lists are not supported");
	conv_bad("name = 'a'\ncpus = '1-'\n", 2, "cpus", "cpus: \"1-\" is not a CPU list");
	conv_bad("name = 'a'\ncpus = '^1'\n", 2, "cpus", "names no CPU");
	conv_bad("cpus_soft = ['0', 'x']\n", 1, "cpus_soft", "\"x\" is not a CPU list");
	conv_bad("name = 'a'\n\ncpu_weight = 0\n", 3, "cpu_weight", "cpu_weight");
	conv_bad("cap = 70000\n", 1, "cap", "cap");
	conv_bad("cap = [1]\n", 1, "cap", "cap");
}
END_TEST

START_TEST(unsupported_keys_are_refused)
{
	char text[128], key[64];
	const char *src = unsupported_keys[_i];

	snprintf(text, sizeof(text), "name = 'a'\n%s\nmemory = 64\n", src);
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(src, " "), src);
	{
		char needle[96];

		snprintf(needle, sizeof(needle), "key \"%s\" is not supported", key);
		conv_bad(text, 2, key, needle);
	}
}
END_TEST

/* ---- disk= corpus ---- */

struct disk_case {
	const char *spec;
	const char *want; /* the VBD JSON, or NULL when refused */
	const char *why;  /* when refused: part of the message */
};

#define DISK(dev, backend, mode, kind)                                                       \
	"{\"device\": \"" dev "\", \"backend\": \"" backend "\", \"mode\": \"" mode "\", "    \
	"\"kind\": \"" kind "\"}"

static const struct disk_case disk_cases[] = {
	/* The equivalent forms xl-disk-configuration gives, with xvd names. */
	{ "/dev/vg/guest-volume,,xvda", DISK("xvda", "phy:/dev/vg/guest-volume", "rw", "disk"), NULL },
	{ "/dev/vg/guest-volume,raw,xvda,rw", DISK("xvda", "phy:/dev/vg/guest-volume", "rw", "disk"), NULL },
	{ "format=raw, vdev=xvda, access=rw, target=/dev/vg/guest-volume",
	  DISK("xvda", "phy:/dev/vg/guest-volume", "rw", "disk"), NULL },
	{ "raw:/dev/vg/guest-volume,xvda,w", DISK("xvda", "phy:/dev/vg/guest-volume", "rw", "disk"), NULL },
	{ "/root/image.iso,,xvdc,cdrom", DISK("xvdc", "file:/root/image.iso", "ro", "cdrom"), NULL },
	{ "/root/image.iso,,xvdc,,cdrom", DISK("xvdc", "file:/root/image.iso", "ro", "cdrom"), NULL },
	{ "/root/image.iso,raw,xvdc,devtype=cdrom", DISK("xvdc", "file:/root/image.iso", "ro", "cdrom"), NULL },
	{ "format=raw, vdev=xvdc, access=ro, devtype=cdrom, target=/root/image.iso",
	  DISK("xvdc", "file:/root/image.iso", "ro", "cdrom"), NULL },
	{ "raw:/root/image.iso,xvdc:cdrom,ro", DISK("xvdc", "file:/root/image.iso", "ro", "cdrom"), NULL },
	/* Files, block devices, legacy prefixes. */
	{ "/srv/xen/a.img,raw,xvdb,w", DISK("xvdb", "file:/srv/xen/a.img", "rw", "disk"), NULL },
	{ "file:/srv/xen/a.img,xvdb,r", DISK("xvdb", "file:/srv/xen/a.img", "ro", "disk"), NULL },
	{ "phy:/srv/lv,xvdb,w", DISK("xvdb", "phy:/srv/lv", "rw", "disk"), NULL },
	{ "tap:aio:/srv/a.img,xvdb,w", DISK("xvdb", "file:/srv/a.img", "rw", "disk"), NULL },
	{ "vdev=xvdb, backendtype=phy, target=/srv/lv", DISK("xvdb", "phy:/srv/lv", "rw", "disk"), NULL },
	{ "vdev=xvdb,target=/srv/with,comma.img", DISK("xvdb", "file:/srv/with,comma.img", "rw", "disk"), NULL },
	{ " vdev = xvdb , access = r , target=/srv/b.img", DISK("xvdb", "file:/srv/b.img", "ro", "disk"), NULL },
	{ "/dev/sdb,,xvdzz,", DISK("xvdzz", "phy:/dev/sdb", "rw", "disk"), NULL },
	/* An empty CD drive. */
	{ ",,xvdd,,devtype=cdrom", DISK("xvdd", "", "ro", "cdrom"), NULL },
	{ "vdev=xvdd, devtype=cdrom", DISK("xvdd", "", "ro", "cdrom"), NULL },
	/* Refusals. */
	{ "/srv/a.qcow2,qcow2,xvda", NULL, "format \"qcow2\" is not supported" },
	{ "qcow2:/srv/a.qcow2,xvda", NULL, "format \"qcow2\" is not supported" },
	{ "/srv/a.img,raw,hda", NULL, "vdev \"hda\" is not supported" },
	{ "/srv/a.img,raw,xvda,rw,extra", NULL, "too many positional parameters" },
	{ "/srv/a.img,,xvda,x", NULL, "access \"x\" is not supported" },
	{ "/srv/a.iso,,xvdc,rw,cdrom", NULL, "a cdrom is read-only" },
	{ "a.img,,xvda", NULL, "not an absolute path" },
	{ ",,xvda", NULL, "no target" },
	{ "/srv/a.img", NULL, "no vdev" },
	{ "", NULL, "no vdev" },
	{ "/srv/a.img,,xvda,script=block-iscsi", NULL, "parameter \"script\" is not supported" },
	{ "/srv/a.img,,xvda,discard", NULL, "flag \"discard\" is not supported" },
	{ "/srv/a.img,,xvda,backendtype=qdisk", NULL, "backendtype \"qdisk\" is not supported" },
	{ "/srv/a.img,,xvda,devtype=floppy", NULL, "devtype \"floppy\" is not supported" },
	{ "/srv/a.img,vdev=xvda,vdev=xvdb", NULL, "vdev is given twice" },
	{ "iscsi:/srv/a,,xvda", NULL, "target prefix \"iscsi:\" is not supported" },
};

START_TEST(disk_corpus)
{
	const struct disk_case *c = &disk_cases[_i];
	char text[512], want[512];

	snprintf(text, sizeof(text), "# disk\n\ndisk = [ '/srv/first.img,,xvdz',\n  '%s' ]", c->spec);
	if (c->want) {
		snprintf(want, sizeof(want),
			 "{\"devices\": {\"vbd\": [" DISK("xvdz", "file:/srv/first.img", "rw", "disk")
			 ", %s]}}",
			 c->want);
		conv_eq(text, want);
	} else {
		conv_bad(text, 3, "disk", c->why);
		/* The message says which entry. */
		conv_bad(text, 3, "disk", "disk[1]");
	}
}
END_TEST

/* ---- vif= corpus ---- */

struct vif_case {
	const char *spec;
	const char *want;
	const char *why;
};

static const struct vif_case vif_cases[] = {
	{ "", "{\"index\": 0}", NULL },
	{ "bridge=xenbr1", "{\"index\": 0, \"bridge\": \"xenbr1\"}", NULL },
	{ "mac=00:16:3e:01:02:03", "{\"index\": 0, \"mac\": \"00:16:3e:01:02:03\"}", NULL },
	{ "mac=00:16:3E:01:02:03, bridge=br0, mtu=9000",
	  "{\"index\": 0, \"mac\": \"00:16:3E:01:02:03\", \"bridge\": \"br0\", \"mtu\": 9000}", NULL },
	{ " mtu = 1400 ,", "{\"index\": 0, \"mtu\": 1400}", NULL },
	{ "ip=10.0.0.2", NULL, "key \"ip\" is not supported" },
	{ "bridge=a,script=vif-route", NULL, "key \"script\" is not supported" },
	{ "model=e1000", NULL, "key \"model\" is not supported" },
	{ "vifname=web0", NULL, "key \"vifname\" is not supported" },
	{ "rate=10Mb/s", NULL, "key \"rate\" is not supported" },
	{ "type=ioemu", NULL, "key \"type\" is not supported" },
	{ "mtu=big", NULL, "mtu \"big\" is not an integer" },
	{ "bridge", NULL, "\"bridge\" is not KEY=VALUE" },
	{ "bridge=a,bridge=b", NULL, "bridge is given twice" },
};

START_TEST(vif_corpus)
{
	const struct vif_case *c = &vif_cases[_i];
	char text[512], want[512];

	snprintf(text, sizeof(text), "vif = [ '%s' ]", c->spec);
	if (c->want) {
		snprintf(want, sizeof(want), "{\"devices\": {\"vif\": [%s]}}", c->want);
		conv_eq(text, want);
	} else {
		conv_bad(text, 1, "vif", c->why);
	}
}
END_TEST

/* ---- public calls ---- */

static xenops_ctx *new_ctx(void)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;

	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	return ctx;
}

static const char guest_cfg[] = "name = 'guest1'\n"
				"kernel = '/boot/vmlinuz'\n"
				"memory = 256\nvcpus = 2\n"
				"disk = [ 'phy:/dev/vg/guest1,xvda,w', ',,xvdc,cdrom' ]\n"
				"vif = [ 'bridge=xenbr0', 'mac=00:16:3e:00:00:01' ]\n";

START_TEST(import_defines_vm_and_devices)
{
	xenops_ctx *ctx = new_ctx();
	char *id = NULL, **ids = NULL, *cfg = NULL;
	size_t n = 0;

	ck_assert_int_eq(xenops_vm_import_xl(&id, ctx, guest_cfg, 0), 0);
	ck_assert_str_eq(id, "guest1");
	ck_assert_int_eq(xenops_vbd_list(&ids, &n, ctx, "guest1"), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ids[0], "xvda");
	ck_assert_str_eq(ids[1], "xvdc");
	xenops_strv_free(ids);
	ck_assert_int_eq(xenops_vif_list(&ids, &n, ctx, "guest1"), 0);
	ck_assert_uint_eq(n, 2);
	xenops_strv_free(ids);
	ck_assert_int_eq(xenops_vbd_get_config(&cfg, ctx, "guest1", "xvdc"), 0);
	ck_assert_ptr_nonnull(strstr(cfg, "\"cdrom\""));
	xenops_free(cfg);
	ck_assert_int_eq(xenops_vm_get_config(&cfg, ctx, "guest1"), 0);
	ck_assert_ptr_nonnull(strstr(cfg, "\"memory_mib\":256"));
	xenops_free(cfg);
	/* The same file again: the id is taken. */
	ck_assert_int_eq(xenops_vm_import_xl(NULL, ctx, guest_cfg, 0), XENOPS_EEXIST);
	xenops_free(id);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(import_is_all_or_nothing)
{
	xenops_ctx *ctx = new_ctx();
	char **ids = NULL;
	size_t n = 1;

	/* The syntax is fine; the library refuses the bridge name: no VM is left. */
	ck_assert_int_eq(xenops_vm_import_xl(NULL, ctx,
					     "name = 'g'\nvif = ['bridge=a-bridge-name-too-long']", 0),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "15 characters"));
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 0);
	xenops_strv_free(ids);
	/* Refused by the conversion: the message has the line and key. */
	ck_assert_int_eq(xenops_vm_import_xl(NULL, ctx, "name = 'g'\nsdl = 1\n", 0), XENOPS_EINVAL);
	ck_assert_str_eq(xenops_last_error_message(), "xl.cfg: line 2: key \"sdl\" is not supported");
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, 0);
	xenops_strv_free(ids);
	xenops_ctx_unref(ctx);
}
END_TEST

START_TEST(convert_call_and_arguments)
{
	char *json = (void *)1, *big;
	xenops_ctx *ctx = new_ctx();

	ck_assert_int_eq(xenops_xlcfg_convert(&json, "name = 'a'\nkernel = '/k'", 0), 0);
	ck_assert_str_eq(json, "{\"id\":\"a\",\"name\":\"a\",\"kernel\":\"/k\"}");
	xenops_free(json);
	ck_assert_int_eq(xenops_xlcfg_convert(NULL, "", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_xlcfg_convert(&json, NULL, 0), XENOPS_EINVAL);
	ck_assert_ptr_null(json);
	ck_assert_int_eq(xenops_xlcfg_convert(&json, "", 1), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_import_xl(NULL, NULL, "", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_import_xl(NULL, ctx, NULL, 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_vm_import_xl(NULL, ctx, "", 4), XENOPS_EINVAL);
	big = malloc(XENOPS_XLCFG_MAX + 2);
	memset(big, '\n', XENOPS_XLCFG_MAX + 1);
	big[XENOPS_XLCFG_MAX + 1] = '\0';
	ck_assert_int_eq(xenops_xlcfg_convert(&json, big, 0), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "longer than"));
	big[XENOPS_XLCFG_MAX] = '\0';
	ck_assert_int_eq(xenops_xlcfg_convert(&json, big, 0), 0);
	ck_assert_str_eq(json, "{}");
	xenops_free(json);
	free(big);
	xenops_ctx_unref(ctx);
}
END_TEST

/* ---- the files Xen's Debian packages ship ---- */

/* $XO_XL_EXAMPLES, else /etc/xen; NULL when the file is not there. */
static char *read_example(const char *name)
{
	const char *dir = getenv("XO_XL_EXAMPLES");
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/etc/xen", name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr,
			"test_xlcfg: SKIPPED %s: not found (install xen-utils-common or set "
			"XO_XL_EXAMPLES to a directory holding Xen's xlexample.* files)\n",
			path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

START_TEST(xen_example_pvlinux_imports)
{
	char *text = read_example("xlexample.pvlinux"), *id = NULL, **ids = NULL;
	xenops_ctx *ctx;
	size_t n = 0;

	if (!text)
		return;
	ctx = new_ctx();
	ck_assert_msg(xenops_vm_import_xl(&id, ctx, text, 0) == 0, "%s", xenops_last_error_message());
	ck_assert_str_eq(id, "example.pvlinux");
	ck_assert_int_eq(xenops_vbd_list(&ids, &n, ctx, id), 0);
	ck_assert_uint_eq(n, 1);
	xenops_strv_free(ids);
	ck_assert_int_eq(xenops_vif_list(&ids, &n, ctx, id), 0);
	ck_assert_uint_eq(n, 1);
	xenops_strv_free(ids);
	xenops_free(id);
	xenops_ctx_unref(ctx);
	free(text);
}
END_TEST

START_TEST(xen_example_pvhlinux_imports)
{
	char *text = read_example("xlexample.pvhlinux"), *json = NULL;
	xenops_ctx *ctx;

	if (!text)
		return;
	ck_assert_int_eq(xenops_xlcfg_convert(&json, text, 0), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"type\":\"pvh\""));
	xenops_free(json);
	ctx = new_ctx();
	ck_assert_msg(xenops_vm_import_xl(NULL, ctx, text, 0) == 0, "%s", xenops_last_error_message());
	xenops_ctx_unref(ctx);
	free(text);
}
END_TEST

START_TEST(xen_example_hvm_is_refused_at_type)
{
	char *text = read_example("xlexample.hvm"), *json = NULL;
	const char *msg;

	if (!text)
		return;
	ck_assert_int_eq(xenops_xlcfg_convert(&json, text, 0), XENOPS_EINVAL);
	msg = xenops_last_error_message();
	ck_assert_msg(strstr(msg, "\"type\": \"hvm\" is not supported") != NULL, "%s", msg);
	ck_assert_msg(strncmp(msg, "xl.cfg: line ", 13) == 0, "%s", msg);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xlcfg");
	TCase *tc = tcase_create("xlcfg");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, empty_file_is_an_empty_vm);
	tcase_add_test(tc, strings_numbers_comments_separators);
	tcase_add_test(tc, lists_span_lines_and_append);
	tcase_add_test(tc, syntax_errors_name_line_and_key);
	tcase_add_test(tc, all_supported_keys);
	tcase_add_test(tc, scheduler_keys);
	tcase_add_test(tc, identity_memory_and_cmdline_rules);
	tcase_add_test(tc, bootloader_pygrub_is_grub_boot);
	tcase_add_loop_test(tc, unsupported_keys_are_refused, 0,
			    (int)(sizeof(unsupported_keys) / sizeof(unsupported_keys[0])));
	tcase_add_loop_test(tc, disk_corpus, 0, (int)(sizeof(disk_cases) / sizeof(disk_cases[0])));
	tcase_add_loop_test(tc, vif_corpus, 0, (int)(sizeof(vif_cases) / sizeof(vif_cases[0])));
	tcase_add_test(tc, import_defines_vm_and_devices);
	tcase_add_test(tc, import_is_all_or_nothing);
	tcase_add_test(tc, convert_call_and_arguments);
	tcase_add_test(tc, xen_example_pvlinux_imports);
	tcase_add_test(tc, xen_example_pvhlinux_imports);
	tcase_add_test(tc, xen_example_hvm_is_refused_at_type);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
