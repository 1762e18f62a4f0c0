/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM configuration: strict parsing with defaults, validation, JSON
 * output that parses back to the same configuration, deep copy. Schema:
 * docs/schema.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

#define WHAT "vm config"
#define MIB (UINT64_C(1) << 20)

#define NAME_MAX_CHARS 128
#define MEMORY_MIN_MIB 16
#define MEMORY_MAX_MIB 1048576
#define VCPUS_LIMIT 128
#define PATH_MAX_LEN 1024
#define CMDLINE_MAX_LEN 1024
#define XS_MAX_KEYS 64
#define XS_KEY_MAX_LEN 256
#define XS_VALUE_MAX_LEN 4096

static const char *const vm_fields[] = {
	"id", "name", "type", "boot", "memory_mib", "memory_target_mib", "vcpus_max", "vcpus",
	"kernel", "ramdisk", "cmdline", "on_shutdown", "on_reboot", "on_crash", "xenstore",
	"weight", "cap", "affinity", "soft_affinity", "firmware", "boot_order", "nic_model",
	"serial", "vnc", NULL,
};

/* A copy of @s into *dst (freeing the old value); XENOPS_ENOMEM. */
static int set_str(char **dst, const char *s, struct xo_error *err)
{
	char *copy = strdup(s);

	if (!copy)
		return xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

static int read_id(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	const char *s;
	int r = xo_jf_string(obj, WHAT, "id", XO_ID_MAX, &s, err);

	if (r < 0)
		return r;
	if (r == 0)
		return xo_uuid_generate(cfg->id, err);
	if (!xo_id_valid(s))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"id\" must be 1 to %d characters of [A-Za-z0-9_.:-], "
				   "not \".\" or \"..\"",
			      XO_ID_MAX);
	memcpy(cfg->id, s, strlen(s) + 1);
	return 0;
}

/*
 * Names show up in xenstore, logs and terminals: no control characters
 * (C0, DEL, and C1 as UTF-8). The input is UTF-8 (the parser checks it);
 * the limit counts characters, not bytes.
 */
static int name_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	return chars >= 1 && chars <= NAME_MAX_CHARS;
}

static int read_name(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	const char *s;
	/* No byte limit here: name_valid counts characters and says so. */
	int r = xo_jf_string(obj, WHAT, "name", SIZE_MAX, &s, err);

	if (r < 0)
		return r;
	if (r == 0)
		s = cfg->id;
	else if (!name_valid(s))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"name\" must be 1 to %d printable characters",
			      NAME_MAX_CHARS);
	return set_str(&cfg->name, s, err);
}

static int read_memory(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	int64_t max = 256, target;
	int r;

	r = xo_jf_int(obj, WHAT, "memory_mib", MEMORY_MIN_MIB, MEMORY_MAX_MIB, &max, err);
	if (r < 0)
		return r;
	target = max;
	r = xo_jf_int(obj, WHAT, "memory_target_mib", MEMORY_MIN_MIB, max, &target, err);
	if (r < 0)
		return r;
	cfg->memory_max = (uint64_t)max * MIB;
	cfg->memory_target = (uint64_t)target * MIB;
	return 0;
}

/* Either count defaults to the other, so {"vcpus": 4} means 4 of 4. */
static int read_vcpus(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	int64_t max = 0, cur = 0;
	int has_max, has_cur;

	has_max = xo_jf_int(obj, WHAT, "vcpus_max", 1, VCPUS_LIMIT, &max, err);
	if (has_max < 0)
		return has_max;
	has_cur = xo_jf_int(obj, WHAT, "vcpus", 1, VCPUS_LIMIT, &cur, err);
	if (has_cur < 0)
		return has_cur;
	if (!has_max && !has_cur)
		max = cur = 1;
	else if (!has_max)
		max = cur;
	else if (!has_cur)
		cur = max;
	else if (cur > max)
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"vcpus\" (%lld) must not exceed vcpus_max (%lld)",
			      (long long)cur, (long long)max);
	cfg->vcpus_max = (unsigned int)max;
	cfg->vcpus = (unsigned int)cur;
	return 0;
}

/* Kernel and ramdisk are read by the toolstack on the host: absolute paths. */
static int read_path(char **dst, struct json_object *obj, const char *field, struct xo_error *err)
{
	const char *s = "";
	int r = xo_jf_string(obj, WHAT, field, PATH_MAX_LEN, &s, err);

	if (r < 0)
		return r;
	if (*s && *s != '/')
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"%s\" must be an absolute path or \"\"",
			      field);
	return set_str(dst, s, err);
}

static int read_boot(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	const char *cmdline = "";
	int r;

	r = read_path(&cfg->kernel, obj, "kernel", err);
	if (r < 0)
		return r;
	r = read_path(&cfg->ramdisk, obj, "ramdisk", err);
	if (r < 0)
		return r;
	r = xo_jf_string(obj, WHAT, "cmdline", CMDLINE_MAX_LEN, &cmdline, err);
	if (r < 0)
		return r;
	return set_str(&cfg->cmdline, cmdline, err);
}

/*
 * With "boot": "grub" the guest boots the kernel on its own disk through
 * the GRUB image of its type: a kernel, ramdisk or command line from the
 * host would be silently ignored, so they are refused.
 */
static int boot_check(const struct xo_vm_config *cfg, struct xo_error *err)
{
	const struct {
		const char *field, *value;
	} host[] = { { "kernel", cfg->kernel }, { "ramdisk", cfg->ramdisk }, { "cmdline", cfg->cmdline } };

	if (cfg->boot != XO_BOOT_GRUB)
		return 0;
	for (size_t i = 0; i < XO_ARRAY_SIZE(host); i++)
		if (host[i].value && *host[i].value)
			return xo_err(err, XENOPS_EINVAL,
				      WHAT ": field \"%s\" must be \"\" with \"boot\": \"grub\" (the guest "
					   "boots the kernel on its own disk)",
				      host[i].field);
	return 0;
}

/*
 * HVM fields: read for every type (so that a wrong value is named), then
 * refused with another type unless left at their defaults. An HVM guest
 * boots through its firmware: "boot": "grub" (a GRUB image built for PV or
 * PVH) does not apply, and a ramdisk or command line needs a kernel.
 */
static int read_hvm(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	static const char *const hvm_only[] = { "firmware", "boot_order", "nic_model", "serial",
						"vnc" };
	const char *order = "cd";
	struct json_object *fw;
	int r;

	cfg->firmware = XO_FW_BIOS;
	cfg->nic_model = XO_NIC_E1000;
	cfg->serial = XO_SERIAL_FILE;
	cfg->vnc = 0;
	if (cfg->type != XO_VM_HVM) {
		for (size_t i = 0; i < XO_ARRAY_SIZE(hvm_only); i++)
			if (json_object_object_get_ex(obj, hvm_only[i], NULL))
				return xo_err(err, XENOPS_EINVAL,
					      WHAT ": field \"%s\" is for \"type\": \"hvm\" only",
					      hvm_only[i]);
		snprintf(cfg->boot_order, sizeof(cfg->boot_order), "%s", "");
		return 0;
	}
	/* UEFI: refused with the reason (docs/hvm.md, "UEFI"). */
	if (json_object_object_get_ex(obj, "firmware", &fw) &&
	    json_object_is_type(fw, json_type_string) && !strcmp(json_object_get_string(fw), "uefi"))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": \"firmware\": \"uefi\" is not offered: hvmloader loads "
			      "Debian's OVMF, but it was never seen booting a guest on the test "
			      "machines (docs/hvm.md); \"bios\" is the only value");
	r = xo_jf_enum(obj, WHAT, "firmware", xo_hvm_firmware_names, &cfg->firmware, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "nic_model", xo_hvm_nic_names, &cfg->nic_model, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "serial", xo_hvm_serial_names, &cfg->serial, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "vnc", &cfg->vnc, err);
	if (r >= 0)
		r = xo_jf_string(obj, WHAT, "boot_order", sizeof(cfg->boot_order) - 1, &order, err);
	if (r < 0)
		return r;
	if (!*order || strspn(order, "cdn") != strlen(order))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"boot_order\" must be 1 to 4 of 'c' (disk), 'd' (CD), "
				   "'n' (network)");
	snprintf(cfg->boot_order, sizeof(cfg->boot_order), "%s", order);
	if (cfg->boot == XO_BOOT_GRUB)
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": \"boot\": \"grub\" is for pv and pvh guests; an hvm guest "
				   "boots through its firmware (\"boot\": \"direct\", with or without "
				   "a kernel)");
	if (!*cfg->kernel && (*cfg->ramdisk || *cfg->cmdline))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"%s\" needs a \"kernel\" (an hvm guest without one boots "
				   "from its disks)",
			      *cfg->ramdisk ? "ramdisk" : "cmdline");
	return 0;
}

static int read_actions(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	int r;

	cfg->on_shutdown = XO_ACTION_DESTROY;
	cfg->on_reboot = XO_ACTION_RESTART;
	cfg->on_crash = XO_ACTION_DESTROY;
	r = xo_jf_enum(obj, WHAT, "on_shutdown", xo_action_names, &cfg->on_shutdown, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "on_reboot", xo_action_names, &cfg->on_reboot, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "on_crash", xo_action_names, &cfg->on_crash, err);
	return r < 0 ? r : 0;
}

/*
 * Keys land under /local/domain/<domid>/: relative, made of plain segments,
 * so that no key can climb out of the domain's subtree or hit a special
 * path such as @releaseDomain.
 */
static int xs_key_valid(const char *key)
{
	size_t len = strlen(key), seg = 0, i;

	if (len == 0 || len > XS_KEY_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (c == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_' || c == '-') {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0;
}

static int xs_entry_check(const char *key, struct json_object *val, struct xo_error *err)
{
	if (!xs_key_valid(key))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"xenstore\": invalid key \"%.64s\" (segments of "
				   "[A-Za-z0-9_-] separated by '/', at most %d characters)",
			      key, XS_KEY_MAX_LEN);
	if (!json_object_is_type(val, json_type_string))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"xenstore\": value of \"%s\" must be a string", key);
	if (strlen(json_object_get_string(val)) != (size_t)json_object_get_string_len(val))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"xenstore\": value of \"%s\" must not contain NUL "
				   "characters",
			      key);
	if (json_object_get_string_len(val) > XS_VALUE_MAX_LEN)
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"xenstore\": value of \"%s\" is longer than %d "
				   "characters",
			      key, XS_VALUE_MAX_LEN);
	return 0;
}

static int read_xenstore(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	struct json_object *xs;
	size_t n;
	int r;

	if (!json_object_object_get_ex(obj, "xenstore", &xs))
		return 0;
	if (!json_object_is_type(xs, json_type_object))
		return xo_jf_type_error(WHAT, "xenstore", "an object", err);
	n = (size_t)json_object_object_length(xs);
	if (n > XS_MAX_KEYS)
		return xo_err(err, XENOPS_EINVAL, WHAT ": field \"xenstore\" has more than %d keys",
			      XS_MAX_KEYS);
	if (n == 0)
		return 0;
	cfg->xenstore = calloc(n, sizeof(*cfg->xenstore));
	if (!cfg->xenstore)
		return xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
	json_object_object_foreach(xs, key, val) {
		struct xo_kv *kv = &cfg->xenstore[cfg->n_xenstore];

		r = xs_entry_check(key, val, err);
		if (r < 0)
			return r;
		kv->key = strdup(key);
		kv->value = strdup(json_object_get_string(val));
		/* Counted before the NULL check, so that free() sees a half-made pair. */
		cfg->n_xenstore++;
		if (!kv->key || !kv->value)
			return xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
	}
	return 0;
}

/*
 * Scheduler weight and cap, hard and soft affinity. Host-dependent checks
 * (CPUs the host has) wait for start or the live change.
 */
static int read_sched(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	int64_t weight = XO_SCHED_WEIGHT_DEFAULT, cap = 0;
	struct json_object *v;
	int r;

	r = xo_jf_int(obj, WHAT, "weight", 1, 65535, &weight, err);
	if (r < 0)
		return r;
	r = xo_jf_int(obj, WHAT, "cap", 0, 65535, &cap, err);
	if (r < 0)
		return r;
	if (cap > 100 * (int64_t)cfg->vcpus_max)
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"cap\" (%lld) must not exceed 100 per vCPU (%u for "
				   "vcpus_max %u)",
			      (long long)cap, 100 * cfg->vcpus_max, cfg->vcpus_max);
	cfg->sched_weight = (unsigned int)weight;
	cfg->sched_cap = (unsigned int)cap;
	if (json_object_object_get_ex(obj, "affinity", &v)) {
		r = xo_affinity_from_json(&cfg->affinity, v, WHAT ": field \"affinity\"",
					  cfg->vcpus_max, err);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(obj, "soft_affinity", &v)) {
		r = xo_affinity_from_json(&cfg->soft_affinity, v,
					  WHAT ": field \"soft_affinity\"", cfg->vcpus_max, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_all(struct xo_vm_config *cfg, struct json_object *obj, struct xo_error *err)
{
	int r;

	r = xo_jf_known(obj, WHAT, vm_fields, err);
	if (r >= 0)
		r = read_id(cfg, obj, err);
	if (r >= 0)
		r = read_name(cfg, obj, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "type", xo_vm_type_names, &cfg->type, err);
	if (r >= 0)
		r = xo_jf_enum(obj, WHAT, "boot", xo_vm_boot_names, &cfg->boot, err);
	if (r >= 0)
		r = read_memory(cfg, obj, err);
	if (r >= 0)
		r = read_vcpus(cfg, obj, err);
	if (r >= 0)
		r = read_boot(cfg, obj, err);
	if (r >= 0)
		r = boot_check(cfg, err);
	if (r >= 0)
		r = read_hvm(cfg, obj, err);
	if (r >= 0)
		r = read_actions(cfg, obj, err);
	if (r >= 0)
		r = read_xenstore(cfg, obj, err);
	if (r >= 0)
		r = read_sched(cfg, obj, err);
	return r < 0 ? r : 0;
}

int xo_vm_config_from_json(struct xo_vm_config **out, struct json_object *obj, struct xo_error *err)
{
	struct xo_vm_config *cfg;
	int r;

	if (!out)
		return xo_err(err, XENOPS_EINVAL, WHAT ": no output");
	*out = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return xo_err(err, XENOPS_EINVAL, WHAT ": must be a JSON object");
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
	cfg->type = XO_VM_PV;
	cfg->boot = XO_BOOT_DIRECT;
	cfg->sched_weight = XO_SCHED_WEIGHT_DEFAULT;
	r = read_all(cfg, obj, err);
	if (r < 0) {
		xo_vm_config_free(cfg);
		return r;
	}
	*out = cfg;
	return 0;
}

int xo_vm_config_parse(struct xo_vm_config **out, const char *json_text, struct xo_error *err)
{
	struct json_object *obj;
	int r;

	if (!out)
		return xo_err(err, XENOPS_EINVAL, WHAT ": no output");
	*out = NULL;
	r = xo_json_loads(&obj, json_text, WHAT, err);
	if (r < 0)
		return r;
	r = xo_vm_config_from_json(out, obj, err);
	json_object_put(obj);
	return r;
}

static struct json_object *xenstore_to_json(const struct xo_vm_config *cfg, struct xo_error *err)
{
	struct json_object *xs = xo_jw_new_object(err);
	size_t i;

	for (i = 0; xs && i < cfg->n_xenstore; i++)
		if (xo_jw_string(xs, cfg->xenstore[i].key, cfg->xenstore[i].value, err) < 0) {
			json_object_put(xs);
			xs = NULL;
		}
	return xs;
}

unsigned int xo_vm_sched_weight(const struct xo_vm_config *cfg)
{
	return cfg->sched_weight ? cfg->sched_weight : XO_SCHED_WEIGHT_DEFAULT;
}

struct json_object *xo_vm_config_to_json(const struct xo_vm_config *cfg, struct xo_error *err)
{
	struct json_object *o, *xs, *aff;

	if (!cfg) {
		xo_err(err, XENOPS_EINVAL, WHAT ": no configuration");
		return NULL;
	}
	o = xo_jw_new_object(err);
	if (!o)
		return NULL;
	if (xo_jw_string(o, "id", cfg->id, err) < 0 || xo_jw_string(o, "name", cfg->name,
								    err) < 0 ||
	    xo_jw_string(o, "type", xo_vm_type_name(cfg->type), err) < 0 ||
	    xo_jw_string(o, "boot", xo_vm_boot_name(cfg->boot), err) < 0 ||
	    xo_jw_int(o, "memory_mib", (int64_t)(cfg->memory_max / MIB), err) < 0 ||
	    xo_jw_int(o, "memory_target_mib", (int64_t)(cfg->memory_target / MIB), err) < 0 ||
	    xo_jw_int(o, "vcpus_max", cfg->vcpus_max, err) < 0 ||
	    xo_jw_int(o, "vcpus", cfg->vcpus, err) < 0 || xo_jw_string(o, "kernel", cfg->kernel,
								       err) < 0 ||
	    xo_jw_string(o, "ramdisk", cfg->ramdisk, err) < 0 ||
	    xo_jw_string(o, "cmdline", cfg->cmdline, err) < 0 ||
	    xo_jw_string(o, "on_shutdown", xo_action_name(cfg->on_shutdown), err) < 0 ||
	    xo_jw_string(o, "on_reboot", xo_action_name(cfg->on_reboot), err) < 0 ||
	    xo_jw_string(o, "on_crash", xo_action_name(cfg->on_crash), err) < 0)
		goto fail;
	xs = xenstore_to_json(cfg, err);
	if (!xs || xo_jw_take(o, "xenstore", xs, err) < 0)
		goto fail;
	/* 0 in a struct is the default weight: written as such, so that it reads back. */
	if (xo_jw_int(o, "weight", xo_vm_sched_weight(cfg), err) < 0 ||
	    xo_jw_int(o, "cap", cfg->sched_cap, err) < 0)
		goto fail;
	aff = xo_affinity_to_json(&cfg->affinity, err);
	if (!aff || xo_jw_take(o, "affinity", aff, err) < 0)
		goto fail;
	aff = xo_affinity_to_json(&cfg->soft_affinity, err);
	if (!aff || xo_jw_take(o, "soft_affinity", aff, err) < 0)
		goto fail;
	/* The HVM fields exist only for HVM guests (a PV or PVH record stays as it was). */
	if (cfg->type == XO_VM_HVM &&
	    (xo_jw_string(o, "firmware", xo_hvm_firmware_names[cfg->firmware], err) < 0 ||
	     xo_jw_string(o, "boot_order", cfg->boot_order, err) < 0 ||
	     xo_jw_string(o, "nic_model", xo_hvm_nic_names[cfg->nic_model], err) < 0 ||
	     xo_jw_string(o, "serial", xo_hvm_serial_names[cfg->serial], err) < 0 ||
	     xo_jw_bool(o, "vnc", cfg->vnc, err) < 0))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

struct xo_vm_config *xo_vm_config_dup(const struct xo_vm_config *cfg, struct xo_error *err)
{
	struct xo_vm_config *c;
	size_t i;

	if (!cfg)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	*c = *cfg;
	c->name = c->kernel = c->ramdisk = c->cmdline = NULL;
	c->xenstore = NULL;
	c->n_xenstore = 0;
	memset(&c->affinity, 0, sizeof(c->affinity));
	memset(&c->soft_affinity, 0, sizeof(c->soft_affinity));
	if (set_str(&c->name, cfg->name ? cfg->name : "", err) < 0 ||
	    set_str(&c->kernel, cfg->kernel ? cfg->kernel : "", err) < 0 ||
	    set_str(&c->ramdisk, cfg->ramdisk ? cfg->ramdisk : "", err) < 0 ||
	    set_str(&c->cmdline, cfg->cmdline ? cfg->cmdline : "", err) < 0)
		goto fail;
	if (cfg->n_xenstore) {
		c->xenstore = calloc(cfg->n_xenstore, sizeof(*c->xenstore));
		if (!c->xenstore)
			goto fail;
	}
	for (i = 0; i < cfg->n_xenstore; i++) {
		c->xenstore[i].key = strdup(cfg->xenstore[i].key);
		c->xenstore[i].value = strdup(cfg->xenstore[i].value);
		c->n_xenstore++;
		if (!c->xenstore[i].key || !c->xenstore[i].value)
			goto fail;
	}
	if (xo_affinity_copy(&c->affinity, &cfg->affinity, err) < 0 ||
	    xo_affinity_copy(&c->soft_affinity, &cfg->soft_affinity, err) < 0)
		goto fail;
	return c;
fail:
	xo_vm_config_free(c);
nomem:
	xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
	return NULL;
}

void xo_vm_config_free(struct xo_vm_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_xenstore; i++) {
		free(cfg->xenstore[i].key);
		free(cfg->xenstore[i].value);
	}
	free(cfg->xenstore);
	xo_affinity_clear(&cfg->affinity);
	xo_affinity_clear(&cfg->soft_affinity);
	free(cfg->name);
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	free(cfg);
}
