/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model: VM and device configurations, states, names, JSON helpers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "testutil.h"
#include "xenops/vm.h"

/* The error value the internal calls under test fill. */
static struct xo_error test_err;
static struct xo_error *const err = &test_err;

#define MIB (UINT64_C(1) << 20)

/* ---- helpers ---- */

static struct xo_vm_config *vm_ok(const char *json)
{
	struct xo_vm_config *cfg = NULL;
	int r = xo_vm_config_parse(&cfg, json, err);

	ck_assert_msg(r == 0, "parse of %s failed: %d %s", json, r, err->msg);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

/* Rejected with XENOPS_EINVAL, a message containing @needle, and no output. */
static void vm_bad(const char *json, const char *needle)
{
	struct xo_vm_config *cfg = (void *)1;
	int r = xo_vm_config_parse(&cfg, json, err);

	ck_assert_msg(r == XENOPS_EINVAL, "parse of %s gave %d, not EINVAL", json, r);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err->msg, needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
		      json, err->msg, needle);
}

static struct xo_dev_config *dev_ok(int kind, const char *json)
{
	struct xo_dev_config *cfg = NULL;
	int r = xo_dev_config_parse(&cfg, kind, json, err);

	ck_assert_msg(r == 0, "parse of %s failed: %d %s", json, r, err->msg);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(cfg->kind, kind);
	return cfg;
}

static void dev_bad(int kind, const char *json, const char *needle)
{
	struct xo_dev_config *cfg = (void *)1;
	int r = xo_dev_config_parse(&cfg, kind, json, err);

	ck_assert_msg(r == XENOPS_EINVAL, "parse of %s gave %d, not EINVAL", json, r);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err->msg, needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
		      json, err->msg, needle);
}

/* A string of @n copies of @c (static buffer, one at a time). */
static const char *rep(char c, size_t n)
{
	static char buf[8192];

	ck_assert_uint_lt(n, sizeof(buf));
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* {"<field>": "<n copies of c>"} */
static char *json_with_string(const char *field, char c, size_t n)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, "{\"%s\": \"%s\"}", field, rep(c, n)), 0);
	return s;
}

static void assert_vm_equal(const struct xo_vm_config *a, const struct xo_vm_config *b)
{
	size_t i;

	ck_assert_str_eq(a->id, b->id);
	ck_assert_str_eq(a->name, b->name);
	ck_assert_int_eq(a->type, b->type);
	ck_assert_uint_eq(a->memory_max, b->memory_max);
	ck_assert_uint_eq(a->memory_target, b->memory_target);
	ck_assert_uint_eq(a->vcpus_max, b->vcpus_max);
	ck_assert_uint_eq(a->vcpus, b->vcpus);
	ck_assert_str_eq(a->kernel, b->kernel);
	ck_assert_str_eq(a->ramdisk, b->ramdisk);
	ck_assert_str_eq(a->cmdline, b->cmdline);
	ck_assert_int_eq(a->on_shutdown, b->on_shutdown);
	ck_assert_int_eq(a->on_reboot, b->on_reboot);
	ck_assert_int_eq(a->on_crash, b->on_crash);
	ck_assert_uint_eq(a->n_xenstore, b->n_xenstore);
	for (i = 0; i < a->n_xenstore; i++) {
		ck_assert_str_eq(a->xenstore[i].key, b->xenstore[i].key);
		ck_assert_str_eq(a->xenstore[i].value, b->xenstore[i].value);
	}
}

static void assert_dev_equal(const struct xo_dev_config *a, const struct xo_dev_config *b)
{
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_str_eq(a->id, b->id);
	switch (a->kind) {
	case XENOPS_KIND_VBD:
		ck_assert_str_eq(a->u.vbd.device, b->u.vbd.device);
		ck_assert_str_eq(a->u.vbd.backend, b->u.vbd.backend);
		ck_assert_int_eq(a->u.vbd.readonly, b->u.vbd.readonly);
		ck_assert_int_eq(a->u.vbd.cdrom, b->u.vbd.cdrom);
		ck_assert_int_eq(a->u.vbd.unpluggable, b->u.vbd.unpluggable);
		break;
	case XENOPS_KIND_VIF:
		ck_assert_int_eq(a->u.vif.index, b->u.vif.index);
		ck_assert_str_eq(a->u.vif.mac, b->u.vif.mac);
		ck_assert_str_eq(a->u.vif.bridge, b->u.vif.bridge);
		ck_assert_uint_eq(a->u.vif.mtu, b->u.vif.mtu);
		ck_assert_int_eq(a->u.vif.carrier, b->u.vif.carrier);
		break;
	case XENOPS_KIND_PCI:
		ck_assert_str_eq(a->u.pci.address, b->u.pci.address);
		ck_assert_int_eq(a->u.pci.permissive, b->u.pci.permissive);
		ck_assert_int_eq(a->u.pci.msitranslate, b->u.pci.msitranslate);
		ck_assert_int_eq(a->u.pci.power_mgmt, b->u.pci.power_mgmt);
		break;
	default:
		ck_abort_msg("bad kind %d", a->kind);
	}
}

/* parse(dumps(to_json(cfg))) must give cfg back. */
static void check_vm_round_trip(const struct xo_vm_config *cfg)
{
	struct json_object *o = xo_vm_config_to_json(cfg, err);
	struct xo_vm_config *back = NULL;
	char *text;

	ck_assert_ptr_nonnull(o);
	text = xo_json_dumps(o);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(xo_vm_config_parse(&back, text, err) == 0, "%s: %s", text, err->msg);
	assert_vm_equal(cfg, back);
	xo_vm_config_free(back);
	free(text);
	json_object_put(o);
}

static void check_dev_round_trip(const struct xo_dev_config *cfg)
{
	struct json_object *o = xo_dev_config_to_json(cfg, err);
	struct xo_dev_config *back = NULL;
	char *text;

	ck_assert_ptr_nonnull(o);
	text = xo_json_dumps(o);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(xo_dev_config_parse(&back, cfg->kind, text, err) == 0, "%s: %s", text,
		      err->msg);
	assert_dev_equal(cfg, back);
	xo_dev_config_free(back);
	free(text);
	json_object_put(o);
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* ---- VM configuration: defaults ---- */

START_TEST(vm_defaults)
{
	struct xo_vm_config *cfg = vm_ok("{}");
	size_t i;

	/* A random UUID v4, lower case. */
	ck_assert_uint_eq(strlen(cfg->id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(cfg->id[i], '-');
		else
			ck_assert_msg(is_lower_hex(cfg->id[i]), "id %s", cfg->id);
	}
	ck_assert_int_eq(cfg->id[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", cfg->id[19]));
	ck_assert_str_eq(cfg->name, cfg->id);
	ck_assert_int_eq(cfg->type, XO_VM_PV);
	ck_assert_uint_eq(cfg->memory_max, 256 * MIB);
	ck_assert_uint_eq(cfg->memory_target, 256 * MIB);
	ck_assert_uint_eq(cfg->vcpus_max, 1);
	ck_assert_uint_eq(cfg->vcpus, 1);
	ck_assert_str_eq(cfg->kernel, "");
	ck_assert_str_eq(cfg->ramdisk, "");
	ck_assert_str_eq(cfg->cmdline, "");
	ck_assert_int_eq(cfg->on_shutdown, XO_ACTION_DESTROY);
	ck_assert_int_eq(cfg->on_reboot, XO_ACTION_RESTART);
	ck_assert_int_eq(cfg->on_crash, XO_ACTION_DESTROY);
	ck_assert_uint_eq(cfg->n_xenstore, 0);
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_generated_ids_differ)
{
	struct xo_vm_config *a = vm_ok("{}"), *b = vm_ok("{\"name\": \"x\"}");

	ck_assert_str_ne(a->id, b->id);
	ck_assert_str_eq(b->name, "x");
	xo_vm_config_free(a);
	xo_vm_config_free(b);
}
END_TEST

START_TEST(vm_name_defaults_to_id)
{
	struct xo_vm_config *cfg = vm_ok("{\"id\": \"web-1.example:a_b\"}");

	ck_assert_str_eq(cfg->id, "web-1.example:a_b");
	ck_assert_str_eq(cfg->name, "web-1.example:a_b");
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_memory_defaults)
{
	struct xo_vm_config *cfg = vm_ok("{\"memory_mib\": 1024}");

	ck_assert_uint_eq(cfg->memory_max, 1024 * MIB);
	ck_assert_uint_eq(cfg->memory_target, 1024 * MIB);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"memory_mib\": 1024, \"memory_target_mib\": 512}");
	ck_assert_uint_eq(cfg->memory_max, 1024 * MIB);
	ck_assert_uint_eq(cfg->memory_target, 512 * MIB);
	xo_vm_config_free(cfg);
	/* Both ends of the ranges are allowed. */
	cfg = vm_ok("{\"memory_mib\": 1048576, \"memory_target_mib\": 16}");
	ck_assert_uint_eq(cfg->memory_max, UINT64_C(1048576) * MIB);
	ck_assert_uint_eq(cfg->memory_target, 16 * MIB);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"memory_mib\": 16}");
	ck_assert_uint_eq(cfg->memory_target, 16 * MIB);
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_vcpus_defaults)
{
	struct xo_vm_config *cfg = vm_ok("{\"vcpus\": 4}");

	ck_assert_uint_eq(cfg->vcpus_max, 4);
	ck_assert_uint_eq(cfg->vcpus, 4);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"vcpus_max\": 8}");
	ck_assert_uint_eq(cfg->vcpus_max, 8);
	ck_assert_uint_eq(cfg->vcpus, 8);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"vcpus_max\": 128, \"vcpus\": 2}");
	ck_assert_uint_eq(cfg->vcpus_max, 128);
	ck_assert_uint_eq(cfg->vcpus, 2);
	xo_vm_config_free(cfg);
	vm_bad("{\"vcpus_max\": 2, \"vcpus\": 3}", "\"vcpus\"");
}
END_TEST

START_TEST(vm_other_fields)
{
	struct xo_vm_config *cfg = vm_ok(
		"{\"type\": \"pvh\", \"kernel\": \"/boot/vmlinuz\", \"ramdisk\": \"/boot/initrd\","
		" \"cmdline\": \"root=/dev/xvda1 ro\", \"on_shutdown\": \"preserve\","
		" \"on_reboot\": \"destroy\", \"on_crash\": \"restart\"}");

	ck_assert_int_eq(cfg->type, XO_VM_PVH);
	ck_assert_str_eq(cfg->kernel, "/boot/vmlinuz");
	ck_assert_str_eq(cfg->ramdisk, "/boot/initrd");
	ck_assert_str_eq(cfg->cmdline, "root=/dev/xvda1 ro");
	ck_assert_int_eq(cfg->on_shutdown, XO_ACTION_PRESERVE);
	ck_assert_int_eq(cfg->on_reboot, XO_ACTION_DESTROY);
	ck_assert_int_eq(cfg->on_crash, XO_ACTION_RESTART);
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_hvm_fields)
{
	struct xo_vm_config *cfg = vm_ok("{\"type\": \"hvm\"}");
	struct json_object *o;

	ck_assert_int_eq(cfg->type, XO_VM_HVM);
	ck_assert_int_eq(cfg->firmware, XO_FW_BIOS);
	ck_assert_str_eq(cfg->boot_order, "cd");
	ck_assert_int_eq(cfg->nic_model, XO_NIC_E1000);
	ck_assert_int_eq(cfg->serial, XO_SERIAL_FILE);
	ck_assert_int_eq(cfg->vnc, 0);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"type\": \"hvm\", \"kernel\": \"/k\", \"cmdline\": \"console=ttyS0\","
		    " \"boot_order\": \"dc\", \"nic_model\": \"rtl8139\", \"serial\": \"none\","
		    " \"vnc\": true}");
	ck_assert_str_eq(cfg->boot_order, "dc");
	ck_assert_int_eq(cfg->nic_model, XO_NIC_RTL8139);
	ck_assert_int_eq(cfg->serial, XO_SERIAL_NONE);
	ck_assert_int_eq(cfg->vnc, 1);
	/* Round trip: the HVM fields are written back. */
	o = xo_vm_config_to_json(cfg, err);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "boot_order")), "dc");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "nic_model")), "rtl8139");
	json_object_put(o);
	xo_vm_config_free(cfg);
	/* A PV record has none of them. */
	cfg = vm_ok("{}");
	o = xo_vm_config_to_json(cfg, err);
	ck_assert(!json_object_object_get_ex(o, "firmware", NULL));
	json_object_put(o);
	xo_vm_config_free(cfg);
	/* Refused combinations, named. */
	vm_bad("{\"type\": \"pvh\", \"firmware\": \"bios\"}", "\"firmware\" is for");
	vm_bad("{\"vnc\": false}", "\"vnc\" is for");
	vm_bad("{\"type\": \"hvm\", \"boot\": \"grub\"}", "firmware");
	vm_bad("{\"type\": \"hvm\", \"cmdline\": \"x\"}", "needs a \"kernel\"");
	vm_bad("{\"type\": \"hvm\", \"ramdisk\": \"/r\"}", "needs a \"kernel\"");
	vm_bad("{\"type\": \"hvm\", \"firmware\": \"uefi\"}", "\"uefi\" is not offered: hvmloader loads");
	vm_bad("{\"type\": \"hvm\", \"firmware\": \"ovmf\"}", "\"firmware\"");
	vm_bad("{\"type\": \"hvm\", \"boot_order\": \"\"}", "\"boot_order\"");
	vm_bad("{\"type\": \"hvm\", \"boot_order\": \"cx\"}", "\"boot_order\"");
	vm_bad("{\"type\": \"hvm\", \"boot_order\": \"cdncd\"}", "\"boot_order\"");
	vm_bad("{\"type\": \"hvm\", \"nic_model\": \"virtio\"}", "\"nic_model\"");
}
END_TEST

/* ---- VM configuration: errors name the field ---- */

START_TEST(vm_type_errors)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"id\": 5}", "\"id\"" },
		{ "{\"name\": 1}", "\"name\"" },
		{ "{\"type\": 1}", "\"type\"" },
		{ "{\"memory_mib\": \"256\"}", "\"memory_mib\"" },
		{ "{\"memory_mib\": 1.5}", "\"memory_mib\"" },
		{ "{\"memory_mib\": 256.0}", "\"memory_mib\"" },
		{ "{\"memory_mib\": 1e3}", "\"memory_mib\"" },
		{ "{\"memory_target_mib\": true}", "\"memory_target_mib\"" },
		{ "{\"vcpus_max\": \"2\"}", "\"vcpus_max\"" },
		{ "{\"vcpus\": [1]}", "\"vcpus\"" },
		{ "{\"kernel\": 1}", "\"kernel\"" },
		{ "{\"ramdisk\": []}", "\"ramdisk\"" },
		{ "{\"cmdline\": {}}", "\"cmdline\"" },
		{ "{\"on_shutdown\": 1}", "\"on_shutdown\"" },
		{ "{\"on_reboot\": false}", "\"on_reboot\"" },
		{ "{\"on_crash\": null}", "\"on_crash\"" },
		{ "{\"xenstore\": []}", "\"xenstore\"" },
		{ "{\"xenstore\": \"a=b\"}", "\"xenstore\"" },
		{ "{\"xenstore\": {\"a\": 1}}", "\"xenstore\"" },
		{ "{\"xenstore\": {\"a\": null}}", "\"xenstore\"" },
		{ "{\"name\": null}", "\"name\"" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++)
		vm_bad(cases[i].json, cases[i].field);
	vm_bad("{\"vcpus\": 1.5}", "vm config: field \"vcpus\" must be an integer");
}
END_TEST

START_TEST(vm_range_errors)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"id\": \"\"}", "\"id\"" },
		{ "{\"id\": \".\"}", "\"id\"" },
		{ "{\"id\": \"..\"}", "\"id\"" },
		{ "{\"id\": \"a/b\"}", "\"id\"" },
		{ "{\"id\": \"a b\"}", "\"id\"" },
		{ "{\"name\": \"\"}", "\"name\"" },
		{ "{\"name\": \"a\\tb\"}", "\"name\"" },
		{ "{\"name\": \"a\\u007fb\"}", "\"name\"" },
		{ "{\"name\": \"a\\u0000b\"}", "NUL character" },
		{ "{\"type\": \"hvm2\"}", "\"type\"" },
		{ "{\"type\": \"PV\"}", "\"type\"" },
		{ "{\"memory_mib\": 15}", "\"memory_mib\"" },
		{ "{\"memory_mib\": 1048577}", "\"memory_mib\"" },
		{ "{\"memory_mib\": -256}", "\"memory_mib\"" },
		{ "{\"memory_mib\": 99999999999999999999}", "\"memory_mib\"" },
		{ "{\"memory_mib\": -99999999999999999999}", "\"memory_mib\"" },
		{ "{\"memory_target_mib\": 15}", "\"memory_target_mib\"" },
		{ "{\"memory_target_mib\": 257}", "\"memory_target_mib\"" },
		{ "{\"memory_mib\": 512, \"memory_target_mib\": 513}", "\"memory_target_mib\"" },
		{ "{\"vcpus_max\": 0}", "\"vcpus_max\"" },
		{ "{\"vcpus_max\": 129}", "\"vcpus_max\"" },
		{ "{\"vcpus\": 0}", "\"vcpus\"" },
		{ "{\"vcpus\": 129}", "\"vcpus\"" },
		{ "{\"kernel\": \"vmlinuz\"}", "\"kernel\"" },
		{ "{\"ramdisk\": \"boot/initrd\"}", "\"ramdisk\"" },
		{ "{\"on_shutdown\": \"halt\"}", "\"on_shutdown\"" },
		{ "{\"on_reboot\": \"Restart\"}", "\"on_reboot\"" },
		{ "{\"on_crash\": \"\"}", "\"on_crash\"" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++)
		vm_bad(cases[i].json, cases[i].field);
}
END_TEST

START_TEST(vm_length_limits)
{
	struct xo_vm_config *cfg;
	char *json;

	json = json_with_string("id", 'a', 64);
	cfg = vm_ok(json);
	ck_assert_uint_eq(strlen(cfg->id), 64);
	xo_vm_config_free(cfg);
	free(json);
	json = json_with_string("id", 'a', 65);
	vm_bad(json, "\"id\"");
	free(json);

	json = json_with_string("name", 'n', 128);
	cfg = vm_ok(json);
	ck_assert_uint_eq(strlen(cfg->name), 128);
	xo_vm_config_free(cfg);
	free(json);
	json = json_with_string("name", 'n', 129);
	vm_bad(json, "\"name\"");
	free(json);

	json = json_with_string("cmdline", 'c', 1024);
	cfg = vm_ok(json);
	ck_assert_uint_eq(strlen(cfg->cmdline), 1024);
	xo_vm_config_free(cfg);
	free(json);
	json = json_with_string("cmdline", 'c', 1025);
	vm_bad(json, "\"cmdline\"");
	free(json);
}
END_TEST

/* The name limit counts characters: 128 two-byte letters fit. */
START_TEST(vm_name_utf8)
{
	struct xo_vm_config *cfg;
	char json[600], *p;
	int i;

	cfg = vm_ok("{\"name\": \"caf\xc3\xa9 \xe2\x82\xac\"}");
	ck_assert_str_eq(cfg->name, "caf\xc3\xa9 \xe2\x82\xac");
	xo_vm_config_free(cfg);

	p = json + sprintf(json, "{\"name\": \"");
	for (i = 0; i < 128; i++)
		p += sprintf(p, "\xc3\xa9");
	sprintf(p, "\"}");
	cfg = vm_ok(json);
	ck_assert_uint_eq(strlen(cfg->name), 256);
	xo_vm_config_free(cfg);
	sprintf(p, "\xc3\xa9\"}");
	vm_bad(json, "\"name\"");
	/* A C1 control character is not printable either. */
	vm_bad("{\"name\": \"a\\u0085b\"}", "\"name\"");
}
END_TEST

START_TEST(vm_unknown_field)
{
	vm_bad("{\"memroy\": 1}", "vm config: unknown field \"memroy\"");
	ck_assert_int_eq(err->code, XENOPS_EINVAL);
	vm_bad("{\"memory_mib\": 512, \"Name\": \"x\"}", "unknown field \"Name\"");
}
END_TEST

START_TEST(vm_not_an_object)
{
	static const char *const texts[] = { "[]", "[{}]", "1", "\"{}\"", "null", "true" };
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(texts); i++)
		vm_bad(texts[i], "vm config");
	vm_bad("[]", "must be a JSON object");
}
END_TEST

START_TEST(vm_trailing_garbage)
{
	struct xo_vm_config *cfg;

	vm_bad("{} x", "trailing");
	vm_bad("{}{}", "invalid JSON at offset 2");
	vm_bad("{\"vcpus\": 1}]", "invalid JSON");
	/* Whitespace after the object is not garbage. */
	cfg = vm_ok(" \t{\"vcpus\": 2}\n\r\n ");
	ck_assert_uint_eq(cfg->vcpus, 2);
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_invalid_json)
{
	static const char *const texts[] = {
		"", "   ", "{", "{\"vcpus\": }", "{\"vcpus\": 1,}", "{'vcpus': 1}",
		"/* c */ {}", "{\"name\": \"\xff\"}", "{\"vcpus\": True}", "{\"vcpus\": NaN}",
		"{\"vcpus\": -Infinity}", "{\"vcpus\": 01}",
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(texts); i++)
		vm_bad(texts[i], "vm config: invalid JSON at offset ");
	vm_bad(NULL, "vm config");
}
END_TEST

START_TEST(json_deep_nesting)
{
	struct json_object *o = NULL;
	char *text = malloc(20001);
	int r;

	ck_assert_ptr_nonnull(text);
	memset(text, '[', 10000);
	text[10000] = '\0';
	vm_bad(text, "invalid JSON");
	memset(text + 10000, ']', 10000);
	text[20000] = '\0';
	r = xo_json_loads(&o, text, "deep", err);
	ck_assert_int_eq(r, XENOPS_EINVAL);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err->msg, "deep: invalid JSON at offset"));
	/* The limit is 64 levels: 64 parse, 65 do not. */
	memset(text, '[', 64);
	memset(text + 64, ']', 64);
	text[128] = '\0';
	ck_assert_int_eq(xo_json_loads(&o, text, "deep", err), 0);
	json_object_put(o);
	memset(text, '[', 65);
	memset(text + 65, ']', 65);
	text[130] = '\0';
	ck_assert_int_eq(xo_json_loads(&o, text, "deep", err), XENOPS_EINVAL);
	free(text);
}
END_TEST

START_TEST(json_loads_dumps)
{
	struct json_object *o = NULL;
	char *s;

	ck_assert_int_eq(xo_json_loads(&o, " {\"a\": [1, 2], \"b\": \"/x/y\"} \n", "t", err), 0);
	s = xo_json_dumps(o);
	/* Compact, and paths stay readable (no "\/"). */
	ck_assert_str_eq(s, "{\"a\":[1,2],\"b\":\"/x/y\"}");
	free(s);
	json_object_put(o);
	/* A bare number is complete at the end of the text. */
	ck_assert_int_eq(xo_json_loads(&o, "123", "t", err), 0);
	ck_assert_int_eq(json_object_get_int(o), 123);
	json_object_put(o);
	ck_assert_int_eq(xo_json_loads(&o, "{\"a\":1} 2", "rpc request", err), XENOPS_EINVAL);
	ck_assert_ptr_null(o);
	ck_assert_str_eq(err->msg, "rpc request: invalid JSON at offset 8: trailing characters");
}
END_TEST

/* json-c would cut a member name or a C string at a decoded NUL. */
START_TEST(json_loads_refuses_nul)
{
	static const char *const bad[] = {
		"{\"id\\u0000x\": \"b\"}",
		"{\"id\": \"web\\u0000/../x\"}",
		"{\"xenstore\": {\"k\\u0000x\": \"v\"}}",
		"[\"a\", \"\\u0000\"]",
	};
	struct json_object *o = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(xo_json_loads(&o, bad[i], "t", err), XENOPS_EINVAL);
		ck_assert_ptr_null(o);
		ck_assert_ptr_nonnull(strstr(err->msg, "NUL character"));
	}
	/* An escaped backslash followed by "u0000" is six plain characters. */
	ck_assert_int_eq(xo_json_loads(&o, "{\"a\": \"\\\\u0000\"}", "t", err), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "a")), "\\u0000");
	json_object_put(o);
	/* A configuration refuses it too, before any field is read. */
	{
		struct xo_vm_config *cfg = NULL;

		ck_assert_int_eq(xo_vm_config_parse(&cfg, "{\"id\": \"web\\u0000x\"}", err),
				 XENOPS_EINVAL);
		ck_assert_ptr_null(cfg);
	}
}
END_TEST

/* ---- VM configuration: xenstore keys ---- */

START_TEST(vm_xenstore)
{
	struct xo_vm_config *cfg = vm_ok(
		"{\"xenstore\": {\"data/role\": \"web\", \"attr/x-y_Z/0\": \"\", \"k\": \"v\"}}");

	ck_assert_uint_eq(cfg->n_xenstore, 3);
	ck_assert_str_eq(cfg->xenstore[0].key, "data/role");
	ck_assert_str_eq(cfg->xenstore[0].value, "web");
	ck_assert_str_eq(cfg->xenstore[1].key, "attr/x-y_Z/0");
	ck_assert_str_eq(cfg->xenstore[1].value, "");
	ck_assert_str_eq(cfg->xenstore[2].key, "k");
	ck_assert_str_eq(cfg->xenstore[2].value, "v");
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_xenstore_bad_keys)
{
	static const char *const keys[] = {
		"/data/x", "data/../x", "..", "data//x", "data/", "a.b", "", "@releaseDomain",
		"a b", "data/x\\n",
	};
	char json[256];
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(keys); i++) {
		snprintf(json, sizeof(json), "{\"xenstore\": {\"%s\": \"v\"}}", keys[i]);
		vm_bad(json, "\"xenstore\"");
	}
}
END_TEST

START_TEST(vm_xenstore_limits)
{
	struct xo_vm_config *cfg;
	char *json = malloc(8192), *p;
	int i;

	ck_assert_ptr_nonnull(json);
	snprintf(json, 8192, "{\"xenstore\": {\"%s\": \"v\"}}", rep('k', 256));
	cfg = vm_ok(json);
	xo_vm_config_free(cfg);
	snprintf(json, 8192, "{\"xenstore\": {\"%s\": \"v\"}}", rep('k', 257));
	vm_bad(json, "\"xenstore\"");

	snprintf(json, 8192, "{\"xenstore\": {\"k\": \"%s\"}}", rep('v', 4096));
	cfg = vm_ok(json);
	ck_assert_uint_eq(strlen(cfg->xenstore[0].value), 4096);
	xo_vm_config_free(cfg);
	snprintf(json, 8192, "{\"xenstore\": {\"k\": \"%s\"}}", rep('v', 4097));
	vm_bad(json, "\"xenstore\"");

	p = json + sprintf(json, "{\"xenstore\": {");
	for (i = 0; i < 64; i++)
		p += sprintf(p, "%s\"k%d\": \"v\"", i ? ", " : "", i);
	sprintf(p, "}}");
	cfg = vm_ok(json);
	ck_assert_uint_eq(cfg->n_xenstore, 64);
	xo_vm_config_free(cfg);
	sprintf(p, ", \"k64\": \"v\"}}");
	vm_bad(json, "\"xenstore\"");
	free(json);
}
END_TEST

/* ---- VM configuration: JSON output, copies ---- */

static const char full_vm[] =
	"{\"id\": \"vm-1\", \"name\": \"Web server\", \"type\": \"pvh\", \"memory_mib\": 2048,"
	" \"memory_target_mib\": 1024, \"vcpus_max\": 4, \"vcpus\": 2,"
	" \"kernel\": \"/boot/vmlinuz\", \"ramdisk\": \"/boot/initrd.img\","
	" \"cmdline\": \"console=hvc0 quiet\", \"on_shutdown\": \"preserve\","
	" \"on_reboot\": \"destroy\", \"on_crash\": \"restart\","
	" \"xenstore\": {\"data/role\": \"web\", \"data/tier\": \"front\"}}";

START_TEST(vm_boot)
{
	struct xo_vm_config *cfg = vm_ok("{}");

	ck_assert_int_eq(cfg->boot, XO_BOOT_DIRECT);
	ck_assert_int_eq(cfg->type, XO_VM_PV);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"type\": \"pvh\", \"boot\": \"grub\"}");
	ck_assert_int_eq(cfg->boot, XO_BOOT_GRUB);
	ck_assert_int_eq(cfg->type, XO_VM_PVH);
	check_vm_round_trip(cfg);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{\"boot\": \"direct\", \"kernel\": \"/k\", \"cmdline\": \"ro\"}");
	ck_assert_int_eq(cfg->boot, XO_BOOT_DIRECT);
	check_vm_round_trip(cfg);
	xo_vm_config_free(cfg);
	/* Empty host-boot fields are what get_config writes: accepted with grub. */
	cfg = vm_ok("{\"boot\": \"grub\", \"kernel\": \"\", \"ramdisk\": \"\", \"cmdline\": \"\"}");
	ck_assert_int_eq(cfg->boot, XO_BOOT_GRUB);
	xo_vm_config_free(cfg);
	vm_bad("{\"boot\": \"pxe\"}", "\"boot\"");
	vm_bad("{\"boot\": 1}", "\"boot\"");
	vm_bad("{\"boot\": \"grub\", \"kernel\": \"/boot/vmlinuz\"}", "field \"kernel\" must be \"\"");
	vm_bad("{\"boot\": \"grub\", \"ramdisk\": \"/boot/initrd\"}", "field \"ramdisk\"");
	vm_bad("{\"boot\": \"grub\", \"cmdline\": \"console=hvc0\"}", "field \"cmdline\"");
	ck_assert_str_eq(xo_vm_boot_name(XO_BOOT_GRUB), "grub");
	ck_assert_str_eq(xo_vm_boot_name(XO_BOOT_DIRECT), "direct");
	ck_assert_str_eq(xo_vm_boot_name(7), "unknown");
}
END_TEST

START_TEST(vm_round_trip_full)
{
	struct xo_vm_config *cfg = vm_ok(full_vm);

	check_vm_round_trip(cfg);
	xo_vm_config_free(cfg);
	cfg = vm_ok("{}");
	check_vm_round_trip(cfg);
	/*
	 * A configuration built as a struct (the backends' tests do) leaves the
	 * weight 0, the default: it is written as 256 and reads back. It was
	 * written as 0, which the reader refuses, so a Xen stream made from such
	 * a struct could not be received.
	 */
	cfg->sched_weight = 0;
	{
		struct json_object *o = xo_vm_config_to_json(cfg, err);
		struct xo_vm_config *back = NULL;
		char *text = o ? xo_json_dumps(o) : NULL;

		ck_assert_ptr_nonnull(text);
		ck_assert_msg(xo_vm_config_parse(&back, text, err) == 0, "%s: %s", text, err->msg);
		ck_assert_uint_eq(back->sched_weight, 256);
		xo_vm_config_free(back);
		free(text);
		json_object_put(o);
	}
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_sched_fields)
{
	struct xo_vm_config *cfg = vm_ok("{}");
	struct json_object *o, *v;
	uint64_t map[XO_CPUMAP_WORDS];
	char *s;

	ck_assert_uint_eq(cfg->sched_weight, 256);
	ck_assert_uint_eq(cfg->sched_cap, 0);
	ck_assert_uint_eq(cfg->affinity.n, 0);
	ck_assert_ptr_null(xo_affinity_list(&cfg->affinity, 0));
	xo_vm_config_free(cfg);

	cfg = vm_ok("{\"vcpus\": 2, \"weight\": 512, \"cap\": 150, "
		    "\"affinity\": \"3,1-2,^2\", \"soft_affinity\": [\"0\", \"all,^0\"]}");
	ck_assert_uint_eq(cfg->sched_weight, 512);
	ck_assert_uint_eq(cfg->sched_cap, 150);
	ck_assert_str_eq(xo_affinity_list(&cfg->affinity, 0), "1,3");
	ck_assert_str_eq(xo_affinity_list(&cfg->affinity, 1), "1,3");
	ck_assert_str_eq(xo_affinity_list(&cfg->soft_affinity, 1), "all,^0");
	o = xo_vm_config_to_json(cfg, err);
	ck_assert(json_object_object_get_ex(o, "affinity", &v));
	ck_assert_str_eq(json_object_get_string(v), "1,3");
	ck_assert(json_object_object_get_ex(o, "soft_affinity", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			 "[\"0\",\"all,^0\"]");
	json_object_put(o);
	check_vm_round_trip(cfg);
	xo_vm_config_free(cfg);

	/* Refused, the field named. */
	vm_bad("{\"weight\": 0}", "\"weight\"");
	vm_bad("{\"weight\": 65536}", "\"weight\"");
	vm_bad("{\"vcpus\": 2, \"cap\": 201}", "\"cap\"");
	vm_bad("{\"affinity\": \"1-\"}", "\"affinity\"");
	vm_bad("{\"affinity\": \"^1\"}", "\"affinity\"");
	vm_bad("{\"affinity\": \"512\"}", "\"affinity\"");
	vm_bad("{\"affinity\": 3}", "\"affinity\"");
	vm_bad("{\"vcpus_max\": 2, \"affinity\": [\"0\", \"1\", \"2\"]}", "\"affinity\"");
	vm_bad("{\"soft_affinity\": [\"x\"]}", "\"soft_affinity\"[0]");

	/* Against a host of 4 CPUs. */
	ck_assert_int_eq(xo_cpulist_map("all,^1", 4, map, "affinity", err), 0);
	ck_assert_uint_eq(map[0], 0xd);
	s = xo_cpumap_format(map, 4);
	ck_assert_str_eq(s, "0,2-3");
	free(s);
	s = xo_cpumap_format(map, 3);
	ck_assert_str_eq(s, "0,2-3");
	free(s);
	ck_assert_int_eq(xo_cpulist_map("0-3", 4, map, "affinity", err), 0);
	s = xo_cpumap_format(map, 4);
	ck_assert_str_eq(s, "all");
	free(s);
	ck_assert_int_eq(xo_cpulist_map("2,5", 4, map, "affinity", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "affinity: CPU 5 is not on this host"));
	ck_assert_int_eq(xo_cpulist_map("all,^0-3", 4, map, "soft_affinity", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "soft_affinity"));
	/* CPUs beyond the host, found a word at a time: the first one is named,
	 * an excluded one is not, and the host's own last CPU is fine. */
	ck_assert_int_eq(xo_cpulist_map("0,70-80,^70-72", 64, map, "affinity", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "affinity: CPU 73 is not on this host"));
	ck_assert_int_eq(xo_cpulist_map("63,64", 64, map, "affinity", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "affinity: CPU 64 is not on this host"));
	ck_assert_int_eq(xo_cpulist_map("0-63", 64, map, "affinity", err), 0);
	ck_assert_uint_eq(map[0], ~UINT64_C(0));
	ck_assert_int_eq(xo_cpulist_map("65,511", 66, map, "affinity", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "affinity: CPU 511 is not on this host"));
	ck_assert_int_eq(xo_cpulist_map("3,^5-511", 4, map, "affinity", err), 0);
	ck_assert_uint_eq(map[0], 0x8);
	ck_assert_int_eq(xo_cpulist_map("511", 512, map, "affinity", err), 0);
	ck_assert_uint_eq(map[7], UINT64_C(1) << 63);
}
END_TEST

START_TEST(vm_to_json_writes_every_field)
{
	static const char *const fields[] = {
		"id", "name", "type", "boot", "memory_mib", "memory_target_mib", "vcpus_max", "vcpus",
		"kernel", "ramdisk", "cmdline", "on_shutdown", "on_reboot", "on_crash", "xenstore",
		"weight", "cap", "affinity", "soft_affinity",
	};
	struct xo_vm_config *cfg = vm_ok("{\"id\": \"a\"}");
	struct json_object *o = xo_vm_config_to_json(cfg, err), *v;
	size_t i;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_object_object_length(o), (int)XO_ARRAY_SIZE(fields));
	for (i = 0; i < XO_ARRAY_SIZE(fields); i++)
		ck_assert_msg(json_object_object_get_ex(o, fields[i], &v), "no %s", fields[i]);
	json_object_object_get_ex(o, "memory_mib", &v);
	ck_assert_int_eq(json_object_get_int(v), 256);
	json_object_object_get_ex(o, "on_reboot", &v);
	ck_assert_str_eq(json_object_get_string(v), "restart");
	json_object_put(o);
	xo_vm_config_free(cfg);
}
END_TEST

START_TEST(vm_dup)
{
	struct xo_vm_config *cfg = vm_ok(full_vm), *copy = xo_vm_config_dup(cfg, err);

	ck_assert_ptr_nonnull(copy);
	assert_vm_equal(cfg, copy);
	ck_assert_ptr_ne(copy->name, cfg->name);
	ck_assert_ptr_ne(copy->xenstore, cfg->xenstore);
	ck_assert_ptr_ne(copy->xenstore[0].value, cfg->xenstore[0].value);
	xo_vm_config_free(cfg);
	/* The copy outlives the original. */
	ck_assert_str_eq(copy->name, "Web server");
	ck_assert_str_eq(copy->xenstore[1].value, "front");
	xo_vm_config_free(copy);
	xo_vm_config_free(NULL);
	ck_assert_ptr_null(xo_vm_config_dup(NULL, err));
}
END_TEST

START_TEST(vm_from_json_object)
{
	struct json_object *o = json_object_new_object();
	struct xo_vm_config *cfg = NULL;

	json_object_object_add(o, "id", json_object_new_string("obj"));
	json_object_object_add(o, "vcpus", json_object_new_int(3));
	ck_assert_int_eq(xo_vm_config_from_json(&cfg, o, err), 0);
	ck_assert_str_eq(cfg->id, "obj");
	ck_assert_uint_eq(cfg->vcpus_max, 3);
	xo_vm_config_free(cfg);
	ck_assert_int_eq(xo_vm_config_from_json(&cfg, NULL, err), XENOPS_EINVAL);
	ck_assert_ptr_null(cfg);
	json_object_put(o);
}
END_TEST

/* ---- VBD ---- */

START_TEST(vbd_defaults)
{
	struct xo_dev_config *cfg =
		dev_ok(XENOPS_KIND_VBD, "{\"device\": \"xvda\", \"backend\": \"file:/img/a.raw\"}");
	struct xo_vbd_config *vbd = &cfg->u.vbd;

	ck_assert_str_eq(cfg->id, "");
	ck_assert_str_eq(vbd->device, "xvda");
	ck_assert_str_eq(vbd->backend, "file:/img/a.raw");
	ck_assert_int_eq(vbd->readonly, 0);
	ck_assert_int_eq(vbd->cdrom, 0);
	ck_assert_int_eq(vbd->unpluggable, 1);
	xo_dev_config_default_id(cfg);
	ck_assert_str_eq(cfg->id, "xvda");
	xo_dev_config_free(cfg);
}
END_TEST

START_TEST(vbd_explicit_id_kept)
{
	struct xo_dev_config *cfg = dev_ok(
		XENOPS_KIND_VBD, "{\"id\": \"root\", \"device\": \"xvdzz\", \"backend\": "
				 "\"phy:/dev/vg0/root\", \"mode\": \"ro\", \"unpluggable\": false}");

	xo_dev_config_default_id(cfg);
	ck_assert_str_eq(cfg->id, "root");
	ck_assert_str_eq(cfg->u.vbd.device, "xvdzz");
	ck_assert_int_eq(cfg->u.vbd.readonly, 1);
	ck_assert_int_eq(cfg->u.vbd.unpluggable, 0);
	xo_dev_config_free(cfg);
}
END_TEST

START_TEST(vbd_cdrom)
{
	struct xo_dev_config *cfg = dev_ok(XENOPS_KIND_VBD, "{\"device\": \"xvdc\", \"kind\": "
							    "\"cdrom\"}");

	/* An empty drive, read-only by default. */
	ck_assert_int_eq(cfg->u.vbd.cdrom, 1);
	ck_assert_int_eq(cfg->u.vbd.readonly, 1);
	ck_assert_str_eq(cfg->u.vbd.backend, "");
	xo_dev_config_free(cfg);
	cfg = dev_ok(XENOPS_KIND_VBD, "{\"device\": \"xvdc\", \"kind\": \"cdrom\", \"mode\": "
				      "\"ro\", \"backend\": \"file:/iso/debian.iso\"}");
	ck_assert_str_eq(cfg->u.vbd.backend, "file:/iso/debian.iso");
	xo_dev_config_free(cfg);
	dev_bad(XENOPS_KIND_VBD, "{\"device\": \"xvdc\", \"kind\": \"cdrom\", \"mode\": \"rw\"}",
		"\"mode\"");
	/* Only a cdrom may be empty. */
	dev_bad(XENOPS_KIND_VBD, "{\"device\": \"xvda\"}", "\"backend\"");
	dev_bad(XENOPS_KIND_VBD, "{\"device\": \"xvda\", \"kind\": \"disk\", \"backend\": \"\"}",
		"\"backend\"");
}
END_TEST

START_TEST(vbd_errors)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"sda\", \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"xvd\", \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"xvdaaaa\", \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"xvdA\", \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"xvda1\", \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": 1, \"backend\": \"file:/a\"}", "\"device\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:a.img\"}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"/a.img\"}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"nfs:/a\"}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a/../etc/shadow\"}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"phy:sdb\"}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": 7}", "\"backend\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"mode\": \"rx\"}", "\"mode\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"mode\": 1}", "\"mode\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"kind\": \"floppy\"}",
		  "\"kind\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"unpluggable\": \"yes\"}",
		  "\"unpluggable\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"unpluggable\": 1}",
		  "\"unpluggable\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"id\": \"..\"}", "\"id\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"id\": 3}", "\"id\"" },
		{ "{\"device\": \"xvda\", \"backend\": \"file:/a\", \"size\": 3}",
		  "vbd config: unknown field \"size\"" },
		{ "[]", "vbd config" },
		{ "{} {}", "vbd config: invalid JSON" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++)
		dev_bad(XENOPS_KIND_VBD, cases[i].json, cases[i].field);
}
END_TEST

START_TEST(vbd_backend_check)
{
	char path[1100];

	ck_assert_int_eq(xo_vbd_backend_check("file:/srv/a.img", 0, "backend", err), 0);
	ck_assert_int_eq(xo_vbd_backend_check("phy:/dev/sdb", 0, "backend", err), 0);
	ck_assert_int_eq(xo_vbd_backend_check("file:/srv/a..img", 0, "backend", err), 0);
	ck_assert_int_eq(xo_vbd_backend_check("", 1, "backend", err), 0);
	ck_assert_int_eq(xo_vbd_backend_check("", 0, "media", err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "media"));
	ck_assert_int_eq(xo_vbd_backend_check("file:/srv/..", 0, "insert: backend", err),
			 XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "insert: backend"));
	ck_assert_int_eq(xo_vbd_backend_check("file:/srv/a\nb", 0, "b", err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_vbd_backend_check("file:", 1, "b", err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_vbd_backend_check("phy:", 1, "b", err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_vbd_backend_check(NULL, 1, "b", err), XENOPS_EINVAL);
	/* Path length: 1024 is the limit. */
	snprintf(path, sizeof(path), "file:/%s", rep('p', 1023));
	ck_assert_int_eq(xo_vbd_backend_check(path, 0, "b", err), 0);
	snprintf(path, sizeof(path), "file:/%s", rep('p', 1024));
	ck_assert_int_eq(xo_vbd_backend_check(path, 0, "b", err), XENOPS_EINVAL);
}
END_TEST

/* ---- VIF ---- */

START_TEST(vif_defaults)
{
	struct xo_dev_config *cfg = dev_ok(XENOPS_KIND_VIF, "{}");
	struct xo_vif_config *vif = &cfg->u.vif;

	ck_assert_int_eq(vif->index, -1);
	ck_assert_str_eq(vif->mac, "");
	ck_assert_str_eq(vif->bridge, "xenbr0");
	ck_assert_uint_eq(vif->mtu, 1500);
	ck_assert_int_eq(vif->carrier, 1);
	/* No index yet: no id either, until the engine picks one. */
	xo_dev_config_default_id(cfg);
	ck_assert_str_eq(cfg->id, "");
	vif->index = 3;
	xo_dev_config_default_id(cfg);
	ck_assert_str_eq(cfg->id, "3");
	xo_dev_config_free(cfg);
	cfg = dev_ok(XENOPS_KIND_VIF, "{\"index\": 12}");
	xo_dev_config_default_id(cfg);
	ck_assert_str_eq(cfg->id, "12");
	xo_dev_config_free(cfg);
}
END_TEST

START_TEST(vif_fields)
{
	struct xo_dev_config *cfg = dev_ok(
		XENOPS_KIND_VIF, "{\"id\": \"eth0\", \"index\": 0, \"mac\": \"00:16:3E:AB:cd:0F\","
				 " \"bridge\": \"br-lan.10\", \"mtu\": 9000, \"carrier\": false}");
	struct xo_vif_config *vif = &cfg->u.vif;

	ck_assert_str_eq(cfg->id, "eth0");
	ck_assert_int_eq(vif->index, 0);
	ck_assert_str_eq(vif->mac, "00:16:3e:ab:cd:0f");
	ck_assert_str_eq(vif->bridge, "br-lan.10");
	ck_assert_uint_eq(vif->mtu, 9000);
	ck_assert_int_eq(vif->carrier, 0);
	xo_dev_config_free(cfg);
	/* Limits that are allowed. */
	cfg = dev_ok(XENOPS_KIND_VIF, "{\"index\": 63, \"mtu\": 68, \"bridge\": "
				      "\"abcdefghijklmno\", \"mac\": \"02:00:00:00:00:01\"}");
	ck_assert_int_eq(cfg->u.vif.index, 63);
	ck_assert_str_eq(cfg->u.vif.mac, "02:00:00:00:00:01");
	xo_dev_config_free(cfg);
	cfg = dev_ok(XENOPS_KIND_VIF, "{\"mtu\": 65535}");
	ck_assert_uint_eq(cfg->u.vif.mtu, 65535);
	xo_dev_config_free(cfg);
}
END_TEST

START_TEST(vif_mac_validation)
{
	static const char *const bad[] = {
		"01:00:5e:00:00:01", /* multicast */
		"ff:ff:ff:ff:ff:ff", /* broadcast */
		"03:16:3e:00:00:01", /* multicast, locally administered */
		"00:00:00:00:00:00", "00:16:3e:00:00", "00:16:3e:00:00:01:02",
		"00-16-3e-00-00-01", "00:16:3e:00:00:0g", "0:16:3e:00:00:01a", "00163e000001",
		" 00:16:3e:00:00:01",
	};
	char json[128];
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(bad); i++) {
		snprintf(json, sizeof(json), "{\"mac\": \"%s\"}", bad[i]);
		dev_bad(XENOPS_KIND_VIF, json, "\"mac\"");
	}
	dev_bad(XENOPS_KIND_VIF, "{\"mac\": 1}", "\"mac\"");
}
END_TEST

START_TEST(vif_errors)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"index\": 64}", "\"index\"" },
		{ "{\"index\": -2}", "\"index\"" },
		{ "{\"index\": \"1\"}", "\"index\"" },
		{ "{\"index\": 1.0}", "\"index\"" },
		{ "{\"mtu\": 67}", "\"mtu\"" },
		{ "{\"mtu\": 65536}", "\"mtu\"" },
		{ "{\"mtu\": 1500.5}", "\"mtu\"" },
		{ "{\"bridge\": \"\"}", "\"bridge\"" },
		{ "{\"bridge\": \"abcdefghijklmnop\"}", "\"bridge\"" },
		{ "{\"bridge\": \"br 0\"}", "\"bridge\"" },
		{ "{\"bridge\": \"br/0\"}", "\"bridge\"" },
		{ "{\"bridge\": \"..\"}", "\"bridge\"" },
		{ "{\"bridge\": false}", "\"bridge\"" },
		{ "{\"carrier\": 1}", "\"carrier\"" },
		{ "{\"carrier\": \"true\"}", "\"carrier\"" },
		{ "{\"id\": \"a b\"}", "\"id\"" },
		{ "{\"ip\": \"10.0.0.1\"}", "vif config: unknown field \"ip\"" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++)
		dev_bad(XENOPS_KIND_VIF, cases[i].json, cases[i].field);
}
END_TEST

static int cmp_mac(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(mac_generate)
{
	enum { N = 1000 };
	char (*macs)[18] = calloc(N, 18);
	int i, dups = 0;

	ck_assert_ptr_nonnull(macs);
	for (i = 0; i < N; i++) {
		char json[64];
		struct xo_dev_config *cfg;
		int j;

		xo_mac_generate(macs[i]);
		ck_assert_uint_eq(strlen(macs[i]), 17);
		ck_assert_msg(strncmp(macs[i], "00:16:3e:", 9) == 0, "%s", macs[i]);
		for (j = 9; j < 17; j++)
			ck_assert(j % 3 == 2 ? macs[i][j] == ':' : is_lower_hex(macs[i][j]));
		/* Top bit of the 4th octet clear. */
		ck_assert_msg(strchr("01234567", macs[i][9]) != NULL, "%s", macs[i]);
		/* What we generate, we accept. */
		snprintf(json, sizeof(json), "{\"mac\": \"%s\"}", macs[i]);
		cfg = dev_ok(XENOPS_KIND_VIF, json);
		ck_assert_str_eq(cfg->u.vif.mac, macs[i]);
		xo_dev_config_free(cfg);
	}
	qsort(macs, N, 18, cmp_mac);
	for (i = 1; i < N; i++)
		dups += strcmp(macs[i - 1], macs[i]) == 0;
	/* 23 random bits, 1000 draws: about 0.06 expected collisions. */
	ck_assert_int_lt(dups, 3);
	free(macs);
}
END_TEST

/* ---- PCI ---- */

START_TEST(pci_address_normalised)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "0000:00:1f.7", "0000:00:1f.7" },
		{ "00:02.0", "0000:00:02.0" },
		{ "ABCD:EF:1A.3", "abcd:ef:1a.3" },
		{ "0001:ff:00.0", "0001:ff:00.0" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++) {
		char json[96];
		struct xo_dev_config *cfg;

		snprintf(json, sizeof(json), "{\"address\": \"%s\"}", cases[i].in);
		cfg = dev_ok(XENOPS_KIND_PCI, json);
		ck_assert_str_eq(cfg->u.pci.address, cases[i].out);
		ck_assert_int_eq(cfg->u.pci.permissive, 0);
		ck_assert_int_eq(cfg->u.pci.msitranslate, 0);
		ck_assert_int_eq(cfg->u.pci.power_mgmt, 0);
		ck_assert_str_eq(cfg->id, "");
		xo_dev_config_default_id(cfg);
		ck_assert_str_eq(cfg->id, cases[i].out);
		xo_dev_config_free(cfg);
	}
}
END_TEST

START_TEST(pci_address_rejected)
{
	static const char *const bad[] = {
		"0000:00:20.0", /* device > 1f */
		"0000:00:1f.8", /* function > 7 */
		"zz:00.0",      "0:00:00.0",     "0000:00:00.00", "0000:00:00:0", "0000-00:00.0",
		"000:000:00.0", "00:00.a",       "",              "0000:00:00.0 ",
	};
	char json[96];
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(bad); i++) {
		snprintf(json, sizeof(json), "{\"address\": \"%s\"}", bad[i]);
		dev_bad(XENOPS_KIND_PCI, json, "\"address\"");
	}
	dev_bad(XENOPS_KIND_PCI, "{}", "\"address\"");
	dev_bad(XENOPS_KIND_PCI, "{\"address\": 0}", "\"address\"");
}
END_TEST

START_TEST(pci_options)
{
	struct xo_dev_config *cfg = dev_ok(
		XENOPS_KIND_PCI, "{\"id\": \"gpu\", \"address\": \"01:00.0\", \"permissive\": true,"
				 " \"msitranslate\": true, \"power_mgmt\": true}");

	ck_assert_str_eq(cfg->id, "gpu");
	ck_assert_int_eq(cfg->u.pci.permissive, 1);
	ck_assert_int_eq(cfg->u.pci.msitranslate, 1);
	ck_assert_int_eq(cfg->u.pci.power_mgmt, 1);
	xo_dev_config_free(cfg);
	dev_bad(XENOPS_KIND_PCI, "{\"address\": \"01:00.0\", \"permissive\": 1}", "\"permissive\"");
	dev_bad(XENOPS_KIND_PCI, "{\"address\": \"01:00.0\", \"msitranslate\": \"no\"}",
		"\"msitranslate\"");
	dev_bad(XENOPS_KIND_PCI, "{\"address\": \"01:00.0\", \"power_mgmt\": null}",
		"\"power_mgmt\"");
	dev_bad(XENOPS_KIND_PCI, "{\"address\": \"01:00.0\", \"rdm\": true}",
		"pci config: unknown field \"rdm\"");
}
END_TEST

/* ---- devices: kinds, JSON output, copies ---- */

START_TEST(dev_bad_kind)
{
	struct xo_dev_config *cfg = (void *)1;

	ck_assert_int_eq(xo_dev_config_parse(&cfg, XENOPS_KIND_VM, "{}", err), XENOPS_EINVAL);
	ck_assert_ptr_null(cfg);
	ck_assert_int_eq(xo_dev_config_parse(&cfg, 99, "{}", err), XENOPS_EINVAL);
	ck_assert_int_eq(xo_dev_config_parse(&cfg, XENOPS_KIND_VIF, NULL, err), XENOPS_EINVAL);
}
END_TEST

START_TEST(dev_round_trip)
{
	static const struct {
		int kind;
		const char *json;
	} cases[] = {
		{ XENOPS_KIND_VBD, "{\"device\": \"xvda\", \"backend\": \"file:/a.img\"}" },
		{ XENOPS_KIND_VBD, "{\"id\": \"cd\", \"device\": \"xvdd\", \"kind\": \"cdrom\","
				   " \"unpluggable\": false}" },
		{ XENOPS_KIND_VBD, "{\"id\": \"d\", \"device\": \"xvdb\", \"mode\": \"ro\","
				   " \"backend\": \"phy:/dev/vg/d\"}" },
		{ XENOPS_KIND_VIF, "{}" },
		{ XENOPS_KIND_VIF, "{\"id\": \"n\", \"index\": 5, \"mac\": \"00:16:3E:00:00:AA\","
				   " \"bridge\": \"br1\", \"mtu\": 9000, \"carrier\": false}" },
		{ XENOPS_KIND_PCI, "{\"address\": \"00:02.0\"}" },
		{ XENOPS_KIND_PCI, "{\"id\": \"p\", \"address\": \"0000:03:00.1\","
				   " \"permissive\": true, \"power_mgmt\": true}" },
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(cases); i++) {
		struct xo_dev_config *cfg = dev_ok(cases[i].kind, cases[i].json);

		check_dev_round_trip(cfg);
		xo_dev_config_default_id(cfg);
		check_dev_round_trip(cfg);
		xo_dev_config_free(cfg);
	}
}
END_TEST

START_TEST(dev_to_json_writes_every_field)
{
	struct xo_dev_config *cfg = dev_ok(XENOPS_KIND_VIF, "{}");
	struct json_object *o = xo_dev_config_to_json(cfg, err), *v;

	/* No id yet: the engine picks the index, then the id follows from it. */
	ck_assert_int_eq(json_object_object_length(o), 5);
	ck_assert(!json_object_object_get_ex(o, "id", &v));
	ck_assert(json_object_object_get_ex(o, "index", &v));
	ck_assert_int_eq(json_object_get_int(v), -1);
	ck_assert(json_object_object_get_ex(o, "bridge", &v));
	ck_assert_str_eq(json_object_get_string(v), "xenbr0");
	ck_assert(json_object_object_get_ex(o, "carrier", &v));
	ck_assert(json_object_get_boolean(v));
	json_object_put(o);
	xo_dev_config_free(cfg);

	cfg = dev_ok(XENOPS_KIND_VBD, "{\"device\": \"xvdb\", \"backend\": \"phy:/dev/sdb\"}");
	xo_dev_config_default_id(cfg);
	o = xo_dev_config_to_json(cfg, err);
	ck_assert_int_eq(json_object_object_length(o), 6);
	ck_assert(json_object_object_get_ex(o, "mode", &v));
	ck_assert_str_eq(json_object_get_string(v), "rw");
	ck_assert(json_object_object_get_ex(o, "kind", &v));
	ck_assert_str_eq(json_object_get_string(v), "disk");
	json_object_put(o);
	xo_dev_config_free(cfg);

	cfg = dev_ok(XENOPS_KIND_PCI, "{\"address\": \"00:02.0\"}");
	xo_dev_config_default_id(cfg);
	o = xo_dev_config_to_json(cfg, err);
	ck_assert_int_eq(json_object_object_length(o), 5);
	ck_assert(json_object_object_get_ex(o, "msitranslate", &v));
	ck_assert(!json_object_get_boolean(v));
	json_object_put(o);
	xo_dev_config_free(cfg);
}
END_TEST

START_TEST(dev_dup)
{
	struct xo_dev_config *vbd = dev_ok(XENOPS_KIND_VBD, "{\"device\": \"xvda\", \"backend\": "
							    "\"file:/a.img\"}");
	struct xo_dev_config *vif = dev_ok(XENOPS_KIND_VIF, "{\"bridge\": \"br9\"}");
	struct xo_dev_config *a = xo_dev_config_dup(vbd, err), *b = xo_dev_config_dup(vif, err);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	assert_dev_equal(vbd, a);
	assert_dev_equal(vif, b);
	ck_assert_ptr_ne(a->u.vbd.backend, vbd->u.vbd.backend);
	ck_assert_ptr_ne(b->u.vif.bridge, vif->u.vif.bridge);
	xo_dev_config_free(vbd);
	xo_dev_config_free(vif);
	ck_assert_str_eq(a->u.vbd.backend, "file:/a.img");
	ck_assert_str_eq(b->u.vif.bridge, "br9");
	xo_dev_config_free(a);
	xo_dev_config_free(b);
	xo_dev_config_free(NULL);
	ck_assert_ptr_null(xo_dev_config_dup(NULL, err));
}
END_TEST

/* ---- states ---- */

static void check_vm_state_round_trip(const struct xo_vm_state *st)
{
	struct json_object *o = xo_vm_state_to_json(st, err), *parsed = NULL;
	struct xo_vm_state back;
	char *text;

	ck_assert_ptr_nonnull(o);
	text = xo_json_dumps(o);
	ck_assert_int_eq(xo_json_loads(&parsed, text, "state", err), 0);
	ck_assert_msg(xo_vm_state_from_json(&back, parsed, err) == 0, "%s: %s", text, err->msg);
	ck_assert_int_eq(back.power, st->power);
	ck_assert_int_eq(back.domid, st->domid);
	ck_assert(back.start_time == st->start_time);
	ck_assert_str_eq(back.last_shutdown_reason, st->last_shutdown_reason);
	if (st->suspend_path)
		ck_assert_str_eq(back.suspend_path, st->suspend_path);
	else
		ck_assert_ptr_null(back.suspend_path);
	ck_assert_int_eq(back.error ? back.error->code : 0, st->error ? st->error->code : 0);
	if (st->error && st->error->code)
		ck_assert_str_eq(back.error->msg, st->error->msg);
	xo_vm_state_clear(&back);
	json_object_put(parsed);
	json_object_put(o);
	free(text);
}

START_TEST(vm_state_init_json)
{
	struct xo_vm_state st;
	struct json_object *o;
	char *text;

	xo_vm_state_init(&st);
	ck_assert_int_eq(st.power, XENOPS_POWER_HALTED);
	ck_assert_int_eq(st.domid, -1);
	o = xo_vm_state_to_json(&st, err);
	text = xo_json_dumps(o);
	ck_assert_str_eq(text, "{\"power_state\":\"Halted\",\"domid\":-1,\"start_time\":0.0,"
			       "\"last_shutdown_reason\":\"\",\"suspend_path\":null,\"error\":null}");
	free(text);
	json_object_put(o);
	check_vm_state_round_trip(&st);
	xo_vm_state_clear(&st);
}
END_TEST

START_TEST(vm_state_round_trips)
{
	struct xo_vm_state st;
	struct json_object *o, *e, *v;

	xo_vm_state_init(&st);
	st.power = XENOPS_POWER_RUNNING;
	st.domid = 7;
	st.start_time = 1700000000.25;
	strcpy(st.last_shutdown_reason, "reboot");
	check_vm_state_round_trip(&st);

	st.power = XENOPS_POWER_SUSPENDED;
	st.domid = -1;
	st.suspend_path = strdup("/var/lib/xenops/vm1.save");
	check_vm_state_round_trip(&st);
	xo_vm_state_clear(&st);

	st.power = XENOPS_POWER_ERROR;
	st.error = malloc(sizeof(*st.error));
	ck_assert_ptr_nonnull(st.error);
	xo_error_set(st.error, XENOPS_ECORRUPT, "config.json: invalid JSON at offset 3");
	check_vm_state_round_trip(&st);
	o = xo_vm_state_to_json(&st, err);
	ck_assert(json_object_object_get_ex(o, "power_state", &v));
	ck_assert_str_eq(json_object_get_string(v), "Error");
	ck_assert(json_object_object_get_ex(o, "error", &e));
	ck_assert(json_object_object_get_ex(e, "code", &v));
	ck_assert_int_eq(json_object_get_int(v), XENOPS_ECORRUPT);
	ck_assert(json_object_object_get_ex(e, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "XENOPS_ECORRUPT");
	ck_assert(json_object_object_get_ex(e, "message", &v));
	ck_assert_str_eq(json_object_get_string(v), "config.json: invalid JSON at offset 3");
	json_object_put(o);
	xo_vm_state_clear(&st);
	ck_assert_ptr_null(st.error);
	ck_assert_int_eq(st.domid, -1);
}
END_TEST

static void vm_state_bad(const char *json, const char *needle)
{
	struct json_object *o = NULL;
	struct xo_vm_state st;

	ck_assert_int_eq(xo_json_loads(&o, json, "t", err), 0);
	ck_assert_msg(xo_vm_state_from_json(&st, o, err) == XENOPS_EINVAL, "%s accepted", json);
	ck_assert_msg(strstr(err->msg, needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
		      json, err->msg, needle);
	/* Left empty, nothing to free. */
	ck_assert_int_eq(st.power, XENOPS_POWER_HALTED);
	ck_assert_ptr_null(st.suspend_path);
	ck_assert_ptr_null(st.error);
	json_object_put(o);
}

START_TEST(vm_state_strict)
{
	vm_state_bad("{\"power_state\": \"On\"}", "\"power_state\"");
	vm_state_bad("{\"power_state\": 1}", "\"power_state\"");
	vm_state_bad("{\"domid\": \"1\"}", "\"domid\"");
	vm_state_bad("{\"domid\": -2}", "\"domid\"");
	vm_state_bad("{\"start_time\": \"now\"}", "\"start_time\"");
	vm_state_bad("{\"last_shutdown_reason\": 3}", "\"last_shutdown_reason\"");
	vm_state_bad("{\"last_shutdown_reason\": \"0123456789abcdef\"}", "\"last_shutdown_reason\"");
	vm_state_bad("{\"suspend_path\": 1, \"power_state\": \"Suspended\"}", "\"suspend_path\"");
	vm_state_bad("{\"suspend_path\": \"/a\", \"error\": \"x\"}", "\"error\"");
	vm_state_bad("{\"error\": {\"code\": \"x\"}}", "\"code\"");
	vm_state_bad("{\"error\": {\"message\": \"x\"}}", "\"code\"");
	vm_state_bad("{\"error\": {\"code\": -1, \"message\": 2}}", "\"message\"");
	vm_state_bad("{\"error\": {\"code\": -1, \"why\": \"\"}}", "unknown field \"why\"");
	vm_state_bad("{\"uptime\": 1}", "unknown field \"uptime\"");
	vm_state_bad("[]", "vm state");
}
END_TEST

START_TEST(vm_state_from_json_fields)
{
	struct json_object *o = NULL;
	struct xo_vm_state st;

	ck_assert_int_eq(xo_json_loads(&o, "{\"power_state\": \"Paused\", \"domid\": 3, "
					   "\"start_time\": 12, \"suspend_path\": null, "
					   "\"error\": null}", "t", err), 0);
	ck_assert_int_eq(xo_vm_state_from_json(&st, o, err), 0);
	ck_assert_int_eq(st.power, XENOPS_POWER_PAUSED);
	ck_assert_int_eq(st.domid, 3);
	ck_assert(st.start_time == 12.0);
	ck_assert_ptr_null(st.suspend_path);
	ck_assert_ptr_null(st.error);
	xo_vm_state_clear(&st);
	json_object_put(o);
}
END_TEST

static struct json_object *dev_state_json(int kind, const struct xo_dev_state *st,
					  struct xo_dev_state *back)
{
	struct json_object *o = xo_dev_state_to_json(kind, st, err);
	char *text;

	ck_assert_ptr_nonnull(o);
	text = xo_json_dumps(o);
	json_object_put(o);
	ck_assert_int_eq(xo_json_loads(&o, text, "t", err), 0);
	free(text);
	ck_assert_msg(xo_dev_state_from_json(back, o, err) == 0, "%s", err->msg);
	return o;
}

START_TEST(dev_state_round_trips)
{
	struct xo_dev_state st = { .plugged = 1, .active = 1, .backend_state = 4,
				   .media_present = 1, .carrier = 1, .host_ifname = "vif7.0" };
	struct xo_dev_state back;
	struct json_object *o;

	o = dev_state_json(XENOPS_KIND_VBD, &st, &back);
	ck_assert_int_eq(json_object_object_length(o), 4);
	ck_assert_int_eq(back.plugged, 1);
	ck_assert_int_eq(back.active, 1);
	ck_assert_int_eq(back.backend_state, 4);
	ck_assert_int_eq(back.media_present, 1);
	json_object_put(o);

	o = dev_state_json(XENOPS_KIND_VIF, &st, &back);
	ck_assert_int_eq(json_object_object_length(o), 5);
	ck_assert_int_eq(back.backend_state, 4);
	ck_assert_int_eq(back.carrier, 1);
	ck_assert_str_eq(back.host_ifname, "vif7.0");
	ck_assert_int_eq(back.media_present, 0);
	json_object_put(o);

	st.active = 0;
	o = dev_state_json(XENOPS_KIND_PCI, &st, &back);
	ck_assert_int_eq(json_object_object_length(o), 2);
	ck_assert_int_eq(back.plugged, 1);
	ck_assert_int_eq(back.active, 0);
	ck_assert_int_eq(back.backend_state, 0);
	json_object_put(o);

	ck_assert_ptr_null(xo_dev_state_to_json(XENOPS_KIND_VM, &st, err));
	ck_assert_int_eq(err->code, XENOPS_EINVAL);
}
END_TEST

START_TEST(dev_state_strict)
{
	static const char *const bad[] = {
		"{\"plugged\": 1}",
		"{\"active\": \"yes\"}",
		"{\"backend_state\": 9}",
		"{\"backend_state\": true}",
		"{\"media_present\": null}",
		"{\"carrier\": 0}",
		"{\"host_ifname\": \"abcdefghijklmnopqrstuvwxyz\"}",
		"{\"host_ifname\": 5}",
		"{\"hotplug\": true}",
		"[]",
	};
	size_t i;

	for (i = 0; i < XO_ARRAY_SIZE(bad); i++) {
		struct json_object *o = NULL;
		struct xo_dev_state st;

		ck_assert_int_eq(xo_json_loads(&o, bad[i], "t", err), 0);
		ck_assert_msg(xo_dev_state_from_json(&st, o, err) == XENOPS_EINVAL, "%s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err->msg, "device state"));
		json_object_put(o);
	}
}
END_TEST

/* ---- names ---- */

START_TEST(names)
{
	ck_assert_str_eq(xo_action_name(XO_ACTION_DESTROY), "destroy");
	ck_assert_str_eq(xo_action_name(XO_ACTION_RESTART), "restart");
	ck_assert_str_eq(xo_action_name(XO_ACTION_PRESERVE), "preserve");
	ck_assert_str_eq(xo_action_name(3), "unknown");
	ck_assert_str_eq(xo_vm_type_name(XO_VM_PV), "pv");
	ck_assert_str_eq(xo_vm_type_name(XO_VM_PVH), "pvh");
	ck_assert_str_eq(xo_vm_type_name(-1), "unknown");
	ck_assert_str_eq(xo_shutdown_reason_name(0), "poweroff");
	ck_assert_str_eq(xo_shutdown_reason_name(1), "reboot");
	ck_assert_str_eq(xo_shutdown_reason_name(2), "suspend");
	ck_assert_str_eq(xo_shutdown_reason_name(3), "crash");
	ck_assert_str_eq(xo_shutdown_reason_name(4), "watchdog");
	ck_assert_str_eq(xo_shutdown_reason_name(5), "unknown");
	ck_assert_str_eq(xo_shutdown_reason_name(-1), "unknown");
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *vm = tcase_create("vm_config");
	TCase *json = tcase_create("json");
	TCase *dev = tcase_create("dev_config");
	TCase *state = tcase_create("state");

	tcase_add_test(vm, vm_defaults);
	tcase_add_test(vm, vm_generated_ids_differ);
	tcase_add_test(vm, vm_name_defaults_to_id);
	tcase_add_test(vm, vm_memory_defaults);
	tcase_add_test(vm, vm_vcpus_defaults);
	tcase_add_test(vm, vm_other_fields);
	tcase_add_test(vm, vm_boot);
	tcase_add_test(vm, vm_type_errors);
	tcase_add_test(vm, vm_range_errors);
	tcase_add_test(vm, vm_length_limits);
	tcase_add_test(vm, vm_name_utf8);
	tcase_add_test(vm, vm_unknown_field);
	tcase_add_test(vm, vm_sched_fields);
	tcase_add_test(vm, vm_not_an_object);
	tcase_add_test(vm, vm_xenstore);
	tcase_add_test(vm, vm_xenstore_bad_keys);
	tcase_add_test(vm, vm_xenstore_limits);
	tcase_add_test(vm, vm_round_trip_full);
	tcase_add_test(vm, vm_to_json_writes_every_field);
	tcase_add_test(vm, vm_dup);
	tcase_add_test(vm, vm_from_json_object);
	suite_add_tcase(s, vm);

	tcase_add_test(json, vm_trailing_garbage);
	tcase_add_test(json, vm_invalid_json);
	tcase_add_test(json, json_deep_nesting);
	tcase_add_test(json, json_loads_dumps);
	tcase_add_test(json, json_loads_refuses_nul);
	suite_add_tcase(s, json);

	tcase_add_test(dev, vbd_defaults);
	tcase_add_test(dev, vbd_explicit_id_kept);
	tcase_add_test(dev, vbd_cdrom);
	tcase_add_test(dev, vbd_errors);
	tcase_add_test(dev, vbd_backend_check);
	tcase_add_test(dev, vif_defaults);
	tcase_add_test(dev, vif_fields);
	tcase_add_test(dev, vif_mac_validation);
	tcase_add_test(dev, vif_errors);
	tcase_add_test(dev, mac_generate);
	tcase_add_test(dev, pci_address_normalised);
	tcase_add_test(dev, pci_address_rejected);
	tcase_add_test(dev, pci_options);
	tcase_add_test(dev, dev_bad_kind);
	tcase_add_test(dev, dev_round_trip);
	tcase_add_test(dev, dev_to_json_writes_every_field);
	tcase_add_test(dev, dev_dup);
	suite_add_tcase(s, dev);

	tcase_add_test(state, vm_state_init_json);
	tcase_add_test(state, vm_state_round_trips);
	tcase_add_test(state, vm_state_strict);
	tcase_add_test(state, vm_state_from_json_fields);
	tcase_add_test(state, dev_state_round_trips);
	tcase_add_test(state, dev_state_strict);
	tcase_add_test(state, names);
	tcase_add_test(state, vm_hvm_fields);
	suite_add_tcase(s, state);
	return s;
}

int main(void)
{
	return xo_test_run(model_suite());
}
