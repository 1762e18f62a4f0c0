/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain life cycle on Xen: create (hypervisor domain + xenstore skeleton
 * + the VM marker), build (event channels, CPUID policy, libxenguest PV
 * image, console and store rings, introduction to xenstored), pause,
 * unpause, destroy (hypervisor domain, then every xenstore node we or the
 * device backends made for it), and the sweep of subtrees left by a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xen_priv.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
/* Slack above the guest's memory for its page tables and such (libxl: 1 MiB). */
#define XO_XEN_MAXMEM_SLACK_KIB 1024ull
/* How long destroy waits for a dying domain to disappear before calling it a zombie. */
#define XO_XEN_DESTROY_WAIT_MS 10000u

/* ---- naming ---- */

/*
 * /vm/<name> for a VM id. Xenstore node names allow only [A-Za-z0-9_@-],
 * while VM ids also allow '.' and ':': escape those (and '_') as _xx.
 */
static void vm_path(char out[256], const char *vm_id)
{
	size_t n = (size_t)snprintf(out, 256, "/vm/");

	for (const char *p = vm_id; *p && n + 4 < 256; p++) {
		if (*p == '.' || *p == ':' || *p == '_')
			n += (size_t)snprintf(out + n, 256 - n, "_%02x", (unsigned char)*p);
		else
			out[n++] = *p;
	}
	out[n] = '\0';
}

/* ---- the xenstore skeleton ---- */

struct skel {
	int domid;
	const struct xo_vm_config *cfg;
	double start_time;
};

static int skel_key_check(const char *key, struct xo_error *err)
{
	if (!key || !*key || key[0] == '/' || strstr(key, ".."))
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: xenstore key \"%s\" must be relative",
			      key ? key : "");
	return 0;
}

/*
 * Write /local/domain/<domid>/<rel>. A node xenstored creates for dom0
 * inherits its parent's permissions, and /local/domain/<domid> is made
 * dom0's and readable by the guest (skel_dirs): read-only keys need no
 * permissions request of their own. Guest-owned ones get theirs.
 */
static int skel_write(struct xo_backend *b, xs_transaction_t t, int domid, const char *rel,
		      const char *value, bool guest_owned, struct xo_error *err)
{
	struct xs_permissions p[1];
	char path[512];

	snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, rel);
	if (guest_owned) {
		xo_xs_perms_rw(p, domid);
		return xo_xs_write_perms(b, t, path, value, p, 1, err);
	}
	return xo_xs_write_perms(b, t, path, value, NULL, 0, err);
}

static int skel_dirs(struct xo_backend *b, xs_transaction_t t, int domid, struct xo_error *err)
{
	static const char *const rw_keys[] = {
		"control/shutdown", "control/feature-poweroff", "control/feature-reboot",
		"control/feature-suspend", "control/sysrq", "data", "drivers", "feature",
		"attr", "error",
	};
	struct xs_permissions p[2];
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%d", domid);
	rc = xo_xs_rm(b, t, path, err); /* a stale subtree of an earlier domain with this id */
	if (rc < 0)
		return rc;
	xo_xs_perms_ro(p, domid);
	rc = xo_xs_mkdir_perms(b, t, path, p, 2, err);
	/* The guest's frontends look for device/ before any device is there. */
	snprintf(path, sizeof(path), "/local/domain/%d/device", domid);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, path, NULL, 0, err);
	/* control/ itself stays read-only: these keys are created (inheriting) first. */
	for (size_t i = 0; rc == 0 && i < XO_ARRAY_SIZE(rw_keys); i++)
		rc = skel_write(b, t, domid, rw_keys[i], "", true, err);
	return rc;
}

static int skel_vm_dir(struct xo_backend *b, xs_transaction_t t, const struct skel *s,
		       struct xo_error *err)
{
	struct xs_permissions p[2];
	char vm[256], path[320], buf[64];
	int rc;

	vm_path(vm, s->cfg->id);
	xo_xs_perms_ro(p, s->domid);
	rc = xo_xs_rm(b, t, vm, err);
	if (rc == 0)
		rc = xo_xs_mkdir_perms(b, t, vm, p, 2, err);
	/* Its children inherit these permissions. */
	snprintf(path, sizeof(path), "%s/name", vm);
	if (rc == 0)
		rc = xo_xs_write_perms(b, t, path, s->cfg->name && *s->cfg->name ? s->cfg->name
									  : s->cfg->id, NULL, 0, err);
	snprintf(path, sizeof(path), "%s/vm-id", vm);
	if (rc == 0)
		rc = xo_xs_write_perms(b, t, path, s->cfg->id, NULL, 0, err);
	snprintf(path, sizeof(path), "%s/start_time", vm);
	snprintf(buf, sizeof(buf), "%.2f", s->start_time);
	if (rc == 0)
		rc = xo_xs_write_perms(b, t, path, buf, NULL, 0, err);
	/* Whose it is: a migration in one host has two domains of the VM for a while. */
	snprintf(path, sizeof(path), "%s/domid", vm);
	snprintf(buf, sizeof(buf), "%d", s->domid);
	if (rc == 0)
		rc = xo_xs_write_perms(b, t, path, buf, NULL, 0, err);
	if (rc == 0)
		rc = skel_write(b, t, s->domid, "vm", vm, false, err);
	return rc;
}

static int skel_values(struct xo_backend *b, xs_transaction_t t, const struct skel *s,
		       struct xo_error *err)
{
	const struct xo_vm_config *cfg = s->cfg;
	uint64_t target = cfg->memory_target ? cfg->memory_target : cfg->memory_max;
	char buf[64], rel[64];
	int rc;

	rc = skel_write(b, t, s->domid, "name", cfg->name && *cfg->name ? cfg->name : cfg->id,
			false, err);
	snprintf(buf, sizeof(buf), "%d", s->domid);
	if (rc == 0)
		rc = skel_write(b, t, s->domid, "domid", buf, false, err);
	if (rc == 0)
		rc = skel_write(b, t, s->domid, XO_XEN_MARKER, cfg->id, false, err);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(cfg->memory_max / KIB));
	if (rc == 0)
		rc = skel_write(b, t, s->domid, "memory/static-max", buf, false, err);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(target / KIB));
	if (rc == 0)
		rc = skel_write(b, t, s->domid, "memory/target", buf, false, err);
	for (unsigned int i = 0; rc == 0 && i < cfg->vcpus_max; i++) {
		snprintf(rel, sizeof(rel), "cpu/%u/availability", i);
		rc = skel_write(b, t, s->domid, rel, i < cfg->vcpus ? "online" : "offline", false,
				err);
	}
	for (size_t i = 0; rc == 0 && i < cfg->n_xenstore; i++) {
		rc = skel_key_check(cfg->xenstore[i].key, err);
		if (rc == 0)
			rc = skel_write(b, t, s->domid, cfg->xenstore[i].key, cfg->xenstore[i].value,
					false, err);
	}
	return rc;
}

static int skel_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct skel *s = arg;
	int rc = skel_dirs(b, t, s->domid, err);

	if (rc == 0)
		rc = skel_vm_dir(b, t, s, err);
	if (rc == 0)
		rc = skel_values(b, t, s, err);
	return rc;
}

/* ---- cleanup of everything under a domid ---- */

struct cleanup {
	int domid;
};

static int cleanup_backends(struct xo_backend *b, xs_transaction_t t, int domid,
			    struct xo_error *err)
{
	unsigned int n = 0;
	char **types = xs_directory(b->xsh, t, "/local/domain/0/backend", &n);
	char path[256];
	int rc = 0;

	for (unsigned int i = 0; types && rc == 0 && i < n; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%d", types[i], domid);
		rc = xo_xs_rm(b, t, path, err);
	}
	free(types);
	return rc;
}

static int cleanup_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct cleanup *c = arg;
	char path[128];
	char *vm;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%d/vm", c->domid);
	vm = xo_xs_read(b->xsh, t, path);
	/*
	 * Only a /vm entry we named: never follow a guest-influenced path
	 * elsewhere; and only while it is this domain's: after a migration in
	 * one host the VM's entry belongs to the domain that received it.
	 */
	rc = 0;
	if (vm && !strncmp(vm, "/vm/", 4) && !strstr(vm + 4, "/") && strlen(vm) < 200) {
		char *owner = xo_xs_readf(b->xsh, t, "%s/domid", vm);

		if (!owner || atoi(owner) == c->domid)
			rc = xo_xs_rm(b, t, vm, err);
		free(owner);
	}
	free(vm);
	snprintf(path, sizeof(path), "/local/domain/%d", c->domid);
	if (rc == 0)
		rc = xo_xs_rm(b, t, path, err);
	if (rc == 0)
		rc = cleanup_backends(b, t, c->domid, err);
	return rc;
}

static int cleanup_xenstore(struct xo_backend *b, int domid, struct xo_error *err)
{
	struct cleanup c = { .domid = domid };
	int rc = xo_xs_transaction(b, "remove the domain's xenstore nodes", cleanup_txn, &c, err);

	if (rc == 0)
		return 0;
	/*
	 * xenstored can refuse the whole transaction (a quota, ENOMEM at
	 * commit under load) while each removal alone would pass: leaving
	 * the nodes would outlive the domain, so remove them one by one.
	 */
	xo_log(&b->log, XENOPS_LOG_WARNING,
	       "xen backend: %s; removing domain %d's nodes without a transaction", err->msg,
	       domid);
	xo_error_clear(err);
	return cleanup_txn(b, XBT_NULL, &c, err);
}

/* ---- create ---- */

int xo_xen_config_check(const struct xo_vm_config *cfg, struct xo_error *err)
{
	if (cfg->type != XO_VM_PV && cfg->type != XO_VM_PVH && cfg->type != XO_VM_HVM)
		return xo_err(err, XENOPS_ENOTSUP, "xen backend: VM type %s not supported",
			      xo_vm_type_name(cfg->type));
	if (cfg->vcpus_max < 1 || cfg->vcpus_max > XO_MAX_VCPUS)
		return xo_err(err, XENOPS_EINVAL, "xen backend: vcpus_max %u out of range 1..%d",
			      cfg->vcpus_max, XO_MAX_VCPUS);
	if (cfg->memory_max < 16 * MIB)
		return xo_err(err, XENOPS_EINVAL, "xen backend: memory_max below 16 MiB");
	if (cfg->type == XO_VM_HVM && cfg->boot == XO_BOOT_GRUB)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: an hvm guest boots through its firmware, not GRUB");
	if (cfg->type != XO_VM_HVM && cfg->boot != XO_BOOT_GRUB && (!cfg->kernel || !*cfg->kernel))
		return xo_err(err, XENOPS_EINVAL, "xen backend: a VM booted directly needs a kernel");
	return 0;
}

/* Undo a half-made domain: best effort, the first error is what we report. */
static void create_rollback(struct xo_backend *b, int domid)
{
	struct xo_error undo = { 0 }; /* the caller keeps the error that made us undo */

	if (xc_domain_destroy(b->xch, (uint32_t)domid) < 0)
		xo_log(&b->log, XENOPS_LOG_WARNING, "xen backend: rollback of domain %d: %s", domid,
		       strerror(errno));
	cleanup_xenstore(b, domid, &undo);
	xo_xen_dom_del(b, domid);
}

static int create_limits(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			 struct xo_error *err)
{
	/* 4.17 still wants this after createdomain, or SETVCPUCONTEXT fails at boot. */
	if (xc_domain_max_vcpus(b->xch, (uint32_t)domid, cfg->vcpus_max) < 0)
		return xo_xen_err(b, "xc_domain_max_vcpus", err);
	if (xc_domain_setmaxmem(b->xch, (uint32_t)domid,
				cfg->memory_max / KIB + XO_XEN_MAXMEM_SLACK_KIB) < 0)
		return xo_xen_err(b, "xc_domain_setmaxmem", err);
	if (cfg->type == XO_VM_PVH || cfg->type == XO_VM_HVM) {
		int rc = cfg->type == XO_VM_PVH ? xo_xen_pvh_limits(b, cfg, domid, err)
						: xo_xen_hvm_limits(b, cfg, domid, err);

		if (rc < 0)
			return rc;
	}
	return xo_xen_sched_apply_config(b, cfg, domid, err);
}

/*
 * What the build will load must be there, and fit the type, before any
 * domain exists: the kernel, or the GRUB image, and a PVH entry point.
 */
static int boot_check(struct xo_backend *b, const struct xo_vm_config *cfg, struct xo_error *err)
{
	char kernel[PATH_MAX];
	int rc;

	if (cfg->type == XO_VM_HVM)
		return xo_xen_hvm_check(b, cfg, err);
	rc = xo_boot_kernel(&b->boot, cfg, kernel, err);
	if (rc == 0 && cfg->type == XO_VM_PVH)
		rc = xo_xen_pvh_probe(b, kernel, err);
	return rc;
}

int xo_xen_domain_create(struct xo_backend *b, struct xo_env *env,
			 const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err)
{
	int rc = xo_xen_config_check(cfg, err);

	*domid_out = -1;
	if (rc == 0)
		rc = boot_check(b, cfg, err);
	if (rc < 0)
		return rc;
	return xo_xen_domain_create_empty(b, env, cfg, domid_out, err);
}

int xo_xen_domain_create_empty(struct xo_backend *b, struct xo_env *env,
			       const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err)
{
	struct xen_domctl_createdomain cc = {
		.flags = 0, /* PV; a PVH domain gets its flags from pvh.c */
		.max_vcpus = cfg->vcpus_max,
		.max_evtchn_port = -1,
		.max_grant_frames = 32,
		.max_maptrack_frames = 1024,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};
	uint32_t domid = 0; /* 0: the hypervisor picks */
	struct skel s;
	int rc;

	*domid_out = -1;
	rc = xo_xen_config_check(cfg, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc < 0)
		return rc;
	if (cfg->type == XO_VM_PVH)
		xo_xen_pvh_createdomain(&cc);
	else if (cfg->type == XO_VM_HVM)
		xo_xen_hvm_createdomain(&cc);
	/* Recovery finds a domain from its handle alone until the marker is written. */
	xo_vm_handle(cfg->id, cc.handle);
	if (xc_domain_create(b->xch, &domid, &cc) < 0)
		return xo_xen_err(b, "xc_domain_create", err);
	XO_ENV_CRASH(env);
	rc = xo_xen_dom_add(b, (int)domid, cfg->id, err);
	if (rc == 0)
		rc = create_limits(b, cfg, (int)domid, err);
	XO_ENV_CRASH(env);
	s = (struct skel){ .domid = (int)domid, .cfg = cfg, .start_time = xo_wall_time() };
	if (rc == 0)
		rc = xo_xs_transaction(b, "write the domain's xenstore skeleton", skel_txn, &s,
				       err);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc < 0) {
		create_rollback(b, (int)domid);
		return rc;
	}
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: created domain %u for VM %s", domid, cfg->id);
	*domid_out = (int)domid;
	return 0;
}

/* ---- build ---- */

struct rings {
	int domid;
	int store_port, console_port;
	unsigned long store_mfn, console_mfn;
};

/* @use_cached: false when retrying after a cached kernel failed (it is then rewritten). */
static int build_image(struct xo_backend *b, const struct xo_vm_config *cfg, struct rings *r,
		       bool use_cached, struct xo_error *err)
{
	uint64_t mem = cfg->memory_target ? cfg->memory_target : cfg->memory_max;
	bool pvh = cfg->type == XO_VM_PVH;
	struct xo_kcache_ref kc = { 0 };
	struct xc_dom_image *dom;
	char kernel[PATH_MAX];
	int rc = xo_boot_kernel(&b->boot, cfg, kernel, err);

	if (rc < 0)
		return rc;
	xo_xen_kcache_lookup(b, kernel, &kc);
	if (kc.hit && !use_cached)
		xo_xen_kcache_forget(b, &kc);
	/* With boot grub, cmdline is "" (the model refuses another): GRUB reads its own. */
	dom = xc_dom_allocate(b->xch, cfg->cmdline, NULL);
	if (!dom)
		return xo_xen_err(b, "xc_dom_allocate", err);
	if (pvh)
		xo_xen_pvh_dom_init(dom, mem);
	else
		dom->container_type = XC_DOM_PV_CONTAINER;
	dom->console_evtchn = (unsigned int)r->console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = (unsigned int)r->store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = cfg->vcpus_max;
	if (xc_dom_kernel_file(dom, kc.hit ? kc.path : kernel) != 0)
		rc = xo_xen_err(b, "xc_dom_kernel_file", err);
	/* 4.17 has no xc_dom_ramdisk_file: the ramdisk is the first module. */
	else if (cfg->boot != XO_BOOT_GRUB && *cfg->ramdisk &&
		 xc_dom_module_file(dom, cfg->ramdisk, NULL) != 0)
		rc = xo_xen_err(b, "xc_dom_module_file", err);
	else if (xc_dom_boot_xen_init(dom, b->xch, (uint32_t)r->domid) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_xen_init", err);
	else if (xc_dom_parse_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_parse_image", err);
	if (rc < 0 && kc.hit) {
		xc_dom_release(dom);
		xo_xen_kcache_drop(b, &kc, err);
		return build_image(b, cfg, r, false, err);
	}
	if (rc < 0)
		goto out;
	/* Parsed: kernel_blob is the ELF, decompressed if the file was a bzImage. */
	xo_xen_kcache_store(b, &kc, dom->kernel_blob, dom->kernel_size);
	if (xc_dom_mem_init(dom, (unsigned int)(mem / MIB)) != 0)
		rc = xo_xen_err(b, "xc_dom_mem_init", err);
	else if (xc_dom_boot_mem_init(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_mem_init", err);
	else if (pvh && (rc = xo_xen_pvh_hw(b, dom, cfg, err)) < 0)
		;
	else if (xc_dom_build_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_build_image", err);
	else if (xc_dom_boot_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_image", err);
	else if (xc_dom_gnttab_init(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_gnttab_init", err);
	if (rc == 0 && pvh) {
		/* Translated: the rings are named by guest frame (special pages). */
		r->store_mfn = dom->xenstore_pfn;
		r->console_mfn = dom->console_pfn;
	} else if (rc == 0) {
		/* A PV guest's rings are named by machine frame, not by its own pfn. */
		r->store_mfn = xc_dom_p2m(dom, dom->xenstore_pfn);
		r->console_mfn = xc_dom_p2m(dom, dom->console_pfn);
	}
out:
	xc_dom_release(dom);
	return rc;
}

static int rings_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct rings *r = arg;
	struct {
		const char *rel, *fmt;
		unsigned long v;
	} keys[] = {
		{ "console/port", "%lu", (unsigned long)r->console_port },
		{ "console/ring-ref", "%lu", r->console_mfn },
		{ "console/limit", "%lu", 1048576ul },
		{ "store/port", "%lu", (unsigned long)r->store_port },
		{ "store/ring-ref", "%lu", r->store_mfn },
	};
	char buf[32];
	int rc;

	rc = skel_write(b, t, r->domid, "console/type", "xenconsoled", false, err);
	if (rc == 0)
		rc = skel_write(b, t, r->domid, "console/output", "pty", false, err);
	for (size_t i = 0; rc == 0 && i < XO_ARRAY_SIZE(keys); i++) {
		snprintf(buf, sizeof(buf), keys[i].fmt, keys[i].v);
		rc = skel_write(b, t, r->domid, keys[i].rel, buf, false, err);
	}
	return rc;
}

static int alloc_ports(struct xo_backend *b, struct rings *r, struct xo_error *err)
{
	struct xo_xen_dom d;
	int p;

	if (xo_xen_dom_get(b, r->domid, &d) && d.store_port >= 0 && d.console_port >= 0) {
		r->store_port = d.store_port;
		r->console_port = d.console_port;
		return 0;
	}
	/* Unbound ports in the guest, dom0 (xenstored, xenconsoled) binds the other end. */
	p = xc_evtchn_alloc_unbound(b->xch, (uint32_t)r->domid, 0);
	if (p < 0)
		return xo_xen_err(b, "xc_evtchn_alloc_unbound (xenstore)", err);
	r->store_port = p;
	p = xc_evtchn_alloc_unbound(b->xch, (uint32_t)r->domid, 0);
	if (p < 0)
		return xo_xen_err(b, "xc_evtchn_alloc_unbound (console)", err);
	r->console_port = p;
	xo_xen_dom_set_ports(b, r->domid, r->store_port, r->console_port);
	return 0;
}

int xo_xen_alloc_ports(struct xo_backend *b, int domid, int *store_port, int *console_port,
		       struct xo_error *err)
{
	struct rings r = { .domid = domid };
	int rc = alloc_ports(b, &r, err);

	*store_port = r.store_port;
	*console_port = r.console_port;
	return rc;
}

int xo_xen_domain_introduce(struct xo_backend *b, int domid, int store_port,
			    unsigned long store_mfn, int console_port, unsigned long console_mfn,
			    struct xo_error *err)
{
	struct rings r = { .domid = domid, .store_port = store_port, .console_port = console_port,
			   .store_mfn = store_mfn, .console_mfn = console_mfn };
	int rc = xo_xs_transaction(b, "write the console and store rings", rings_txn, &r, err);

	if (rc < 0)
		return rc;
	/* xenstored maps the store ring and fires @introduceDomain; xenconsoled follows. */
	if (!xs_introduce_domain(b->xsh, (unsigned int)domid, store_mfn, (unsigned int)store_port))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xs_introduce_domain %d: %s",
			      domid,
			      strerror(errno));
	return 0;
}

int xo_xen_domain_build(struct xo_backend *b, struct xo_env *env,
			const struct xo_vm_config *cfg, int domid, struct xo_error *err)
{
	struct rings r = { .domid = domid };
	int rc;

	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = xo_xen_config_check(cfg, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc == 0)
		rc = alloc_ports(b, &r, err);
	if (rc < 0)
		return rc;
	XO_ENV_CRASH(env);
	if (xc_cpuid_apply_policy(b->xch, (uint32_t)domid, false, NULL, 0, true, false, false,
				  NULL, NULL) < 0)
		return xo_xen_err(b, "xc_cpuid_apply_policy", err);
	env->progress(env, 0.1);
	XO_ENV_CRASH(env);
	if (cfg->type == XO_VM_HVM) {
		rc = xo_xen_hvm_build_image(b, cfg, domid, r.store_port, r.console_port, &r.store_mfn,
					    &r.console_mfn, err);
		if (rc == 0)
			rc = xo_xen_hvm_xenstore(b, domid, err);
		if (rc == 0)
			rc = xo_xen_dm_register(b, cfg, domid, err);
	} else {
		rc = build_image(b, cfg, &r, true, err);
	}
	if (rc < 0)
		return rc;
	env->progress(env, 0.8);
	XO_ENV_CRASH(env);
	rc = xo_xen_domain_introduce(b, domid, r.store_port, r.store_mfn, r.console_port,
				     r.console_mfn, err);
	if (rc < 0)
		return rc;
	XO_ENV_CRASH(env);
	env->progress(env, 1.0);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: built %s domain %d (%s boot%s%s)", xo_vm_type_name(cfg->type),
	       domid, xo_vm_boot_name(cfg->boot), *cfg->kernel ? ", " : "", cfg->kernel);
	return 0;
}

/* ---- pause / unpause ---- */

static int domctl_err(struct xo_backend *b, int domid, const char *what, struct xo_error *err)
{
	if (errno == ESRCH)
		return xo_err(err, XENOPS_ENOTFOUND, "xen backend: %s: no domain %d", what, domid);
	return xo_xen_err(b, what, err);
}

int xo_xen_domain_unpause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	/* An HVM domain's first unpause: its device model first. */
	if (xo_xen_dm_pending(b, domid)) {
		rc = xo_xen_dm_start(b, env, domid, err);
		if (rc < 0)
			return rc;
	} else if (!xo_xen_dm_running(b, domid) && xo_xen_dm_needed(b, domid)) {
		/* Built before a restart of the daemon, never started: it cannot run. */
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: hvm domain %d has no device model (built before a "
			      "restart?): destroy it and start again", domid);
	}
	if (xc_domain_unpause(b->xch, (uint32_t)domid) < 0)
		return domctl_err(b, domid, "xc_domain_unpause", err);
	xo_xen_watch_note(b, domid, 0, XEN_DOMINF_paused);
	return 0;
}

int xo_xen_domain_pause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	(void)env;
	if (rc < 0)
		return rc;
	if (xc_domain_pause(b->xch, (uint32_t)domid) < 0)
		return domctl_err(b, domid, "xc_domain_pause", err);
	xo_xen_watch_note(b, domid, XEN_DOMINF_paused, 0);
	return 0;
}

/* ---- destroy ---- */

/* A dying domain lingers while dom0 still maps its pages (console, backends). */
static void wait_gone(struct xo_backend *b, struct xo_env *env, int domid)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	uint64_t deadline = xo_now_ms() + XO_XEN_DESTROY_WAIT_MS;
	xc_domaininfo_t info;

	while (xo_xen_getinfo_one(b, domid, &info, err) == 0) {
		/* Destroy is itself the cleanup: a cancel only cuts the wait short. */
		if (xo_now_ms() >= deadline || env->sleep(env, 20, err) < 0) {
			xo_log(&b->log, XENOPS_LOG_WARNING,
			       "xen backend: domain %d still dying after destroy", domid);
			return;
		}
	}
	xo_error_clear(err);
}

int xo_xen_domain_destroy(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	int rc = xo_xen_check_domid(domid, err);

	if (rc < 0)
		return rc;
	/* The device model never outlives its domain (none: nothing to do). */
	xo_xen_dm_stop(b, domid);
	/*
	 * Its nodes go first, while the domain exists: xenstored accounts the
	 * guest's own nodes to it, and a transaction removing them once the
	 * domain is gone can be refused at commit (ENOMEM was seen), which
	 * left /local/domain/<domid> and /vm/<id> behind a dead domain. The
	 * device backends let go as their directories go.
	 */
	if (cleanup_xenstore(b, domid, err) < 0) {
		xo_log(&b->log, XENOPS_LOG_WARNING, "%s", err->msg);
		xo_error_clear(err);
	}
	XO_ENV_CRASH(env);
	if (xc_domain_destroy(b->xch, (uint32_t)domid) < 0 && errno != ESRCH)
		return xo_xen_err(b, "xc_domain_destroy", err);
	XO_ENV_CRASH(env);
	/* Gone (or going), its event channels with it; what was written meanwhile goes now. */
	rc = cleanup_xenstore(b, domid, err);
	if (rc < 0)
		return rc;
	xo_xen_dom_del(b, domid);
	wait_gone(b, env, domid);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: destroyed domain %d", domid);
	return 0;
}

/* ---- sweep ---- */

static bool domid_in(const xc_domaininfo_t *info, size_t n, int domid)
{
	for (size_t i = 0; i < n; i++)
		if ((int)info[i].domain == domid)
			return true;
	return false;
}

int xo_xen_sweep_orphans(struct xo_backend *b, struct xo_error *err)
{
	xc_domaininfo_t *info = NULL;
	unsigned int n_dirs = 0;
	size_t n_info = 0;
	char **dirs;
	int rc;

	rc = xo_xen_getinfo_all(b, &info, &n_info, NULL, err);
	if (rc < 0)
		return rc;
	dirs = xs_directory(b->xsh, XBT_NULL, "/local/domain", &n_dirs);
	for (unsigned int i = 0; dirs && i < n_dirs; i++) {
		char vm_id[XO_ID_MAX + 1];
		int domid = atoi(dirs[i]);

		if (domid <= 0 || domid_in(info, n_info, domid))
			continue;
		xo_xen_dom_vm_id(b, b->xsh, domid, vm_id);
		if (!*vm_id)
			continue; /* not ours: leave other toolstacks' leftovers alone */
		xo_log(&b->log, XENOPS_LOG_INFO,
		       "xen backend: removing xenstore leftovers of dead domain %d (VM %s)", domid,
		       vm_id);
		if (cleanup_xenstore(b, domid, err) < 0)
			xo_log(&b->log, XENOPS_LOG_WARNING, "%s", err->msg);
	}
	free(dirs);
	free(info);
	/* Device models: those of our live domains adopted, orphans stopped. */
	xo_xen_dm_sweep(b);
	return 0;
}

/* ---- recovery by handle ---- */

int xo_xen_domain_find_unmarked(struct xo_backend *b, const char *vm_id, int **domids,
				size_t *n_out, struct xo_error *err)
{
	xc_domaininfo_t *info = NULL;
	xen_domain_handle_t h;
	size_t n = 0, k = 0;
	int *out;
	int rc;

	*domids = NULL;
	*n_out = 0;
	xo_vm_handle(vm_id, h);
	rc = xo_xen_getinfo_all(b, &info, &n, NULL, err);
	if (rc < 0)
		return rc;
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out) {
		free(info);
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int domid = (int)info[i].domain;
		char marker[XO_ID_MAX + 1];
		char *name;

		if (domid == 0 || memcmp(info[i].handle, h, sizeof(h)))
			continue;
		xo_xen_dom_vm_id(b, b->xsh, domid, marker);
		if (*marker)
			continue; /* marked: domain_list reports it, for whichever VM it names */
		/* Another toolstack names its domains (xl writes name): not a create of ours. */
		name = xo_xs_readf(b->xsh, XBT_NULL, "/local/domain/%d/name", domid);
		if (!name)
			out[k++] = domid;
		free(name);
	}
	free(info);
	*domids = out;
	*n_out = k;
	return 0;
}
