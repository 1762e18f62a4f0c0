/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: domain operations (create, build, pause, clean
 * shutdown and its waits, destroy, save, restore, info) with the same
 * state rules and error codes as the xen backend.
 */
#include "sim.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void notify_domain(struct xo_backend *b, const char *vm_id)
{
	if (b->events.domain_changed)
		b->events.domain_changed(b->events.opaque, vm_id);
}

static int require_vm(const struct xo_sim_dom *d, const struct xo_vm_config *cfg, const char *op,
		      struct xo_error *err)
{
	if (strcmp(d->vm_id, cfg->id) != 0)
		return xo_err(err, XENOPS_EINVAL,
			      "cannot %s domain %d: it belongs to VM %s, not %s", op,
			      d->domid, d->vm_id, cfg->id);
	return 0;
}

static int check_config(const struct xo_vm_config *cfg, struct xo_error *err)
{
	int rc = xo_id_check(cfg->id, "VM id", err);

	if (rc < 0)
		return rc;
	if (cfg->vcpus_max < 1 || cfg->vcpus_max > XO_MAX_VCPUS)
		return xo_err(err, XENOPS_EINVAL, "vcpus_max of VM %s must be 1 to %d, not %u",
			      cfg->id,
			      XO_MAX_VCPUS, cfg->vcpus_max);
	if (cfg->vcpus < 1 || cfg->vcpus > cfg->vcpus_max)
		return xo_err(err, XENOPS_EINVAL,
			      "vcpus of VM %s must be 1 to vcpus_max (%u), not %u",
			      cfg->id, cfg->vcpus_max, cfg->vcpus);
	if (cfg->memory_max == 0 || cfg->memory_target > cfg->memory_max)
		return xo_err(err, XENOPS_EINVAL,
			      "memory of VM %s: memory_max must be above 0 and memory_target at most"
			      " memory_max", cfg->id);
	return 0;
}

/* Does the file hold the marker standing for a PVH entry point? */
static int has_pvh_marker(const char *path, bool *found, struct xo_error *err)
{
	static const char marker[] = XO_SIM_PVH_MARKER;
	const size_t m = sizeof(marker) - 1;
	char buf[65536 + sizeof(marker)];
	size_t keep = 0, n;
	FILE *f = fopen(path, "rb");

	*found = false;
	if (!f)
		return xo_err_errno(err, errno, "kernel %s", path);
	while (!*found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		n += keep;
		*found = memmem(buf, n, marker, m) != NULL;
		/* The tail may hold the start of a marker cut by the read. */
		keep = n < m - 1 ? n : m - 1;
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return 0;
}

/*
 * What a real build would refuse before any domain exists: a GRUB image
 * that is not there, a PVH kernel without a PVH entry point.
 */
static int check_boot(struct xo_backend *b, const struct xo_vm_config *cfg, struct xo_error *err)
{
	char path[PATH_MAX];
	bool found;
	int rc;

	if (cfg->type == XO_VM_HVM) {
		/* The firmware boots it; a kernel given is loaded by the device model. */
		if (cfg->boot == XO_BOOT_GRUB)
			return xo_err(err, XENOPS_EINVAL,
				      "VM %s: an hvm guest boots through its firmware, not GRUB",
				      cfg->id);
		if (*cfg->kernel && access(cfg->kernel, R_OK) != 0)
			return xo_err_errno(err, errno, "VM %s: kernel %s", cfg->id, cfg->kernel);
		return 0;
	}
	if (cfg->boot != XO_BOOT_GRUB && cfg->type != XO_VM_PVH)
		return 0; /* PV direct: the simulated guest needs no kernel */
	rc = xo_boot_kernel(&b->boot, cfg, path, err);
	if (rc < 0 || cfg->boot == XO_BOOT_GRUB)
		return rc;
	rc = has_pvh_marker(path, &found, err);
	if (rc == 0 && !found)
		rc = xo_err(err, XENOPS_EINVAL,
			    "VM %s: kernel %s has no PVH entry point (ELF note PHYS32_ENTRY): it "
			    "cannot boot as a pvh guest", cfg->id, path);
	return rc;
}

static struct xo_sim_dom *dom_new(const struct xo_vm_config *cfg)
{
	struct xo_sim_dom *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	xo_strlcpy(d->vm_id, cfg->id, sizeof(d->vm_id));
	d->hvm = cfg->type == XO_VM_HVM;
	d->dm = XO_SIM_DM_NONE;
	d->status = XO_DOM_PAUSED;
	d->reason = XO_SHUTDOWN_NONE;
	d->req_reason = XO_SHUTDOWN_NONE;
	d->memory_max = cfg->memory_max;
	d->memory_target = cfg->memory_target ? cfg->memory_target : cfg->memory_max;
	d->vcpus_max = cfg->vcpus_max;
	d->vcpus = cfg->vcpus;
	d->start_time = xo_wall_time();
	d->run_since = xo_now_ms();
	return d;
}

/* Give @d the next domid and put it in the table (takes @d, even on failure). */
static int dom_add(struct xo_backend *b, struct xo_sim_dom *d, int *domid_out, struct xo_error *err)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	d->domid = b->next_domid;
	rc = xo_sim_insert(b, d, err);
	if (rc == 0) {
		b->next_domid++;
		*domid_out = d->domid;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc < 0)
		xo_sim_dom_free(d);
	return rc;
}

int xo_sim_domain_create(struct xo_backend *b, struct xo_env *env,
			 const struct xo_vm_config *cfg, int *domid_out, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	if (!cfg || !domid_out)
		return xo_err(err, XENOPS_EINVAL, "domain_create: no configuration");
	rc = xo_sim_delay(b, env, XO_SIM_DELAY_CREATE, err);
	if (rc == 0)
		rc = check_config(cfg, err);
	if (rc == 0)
		rc = check_boot(b, cfg, err);
	if (rc < 0)
		return rc;
	d = dom_new(cfg);
	if (!d)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = xo_sim_sched_init(d, cfg, err);
	if (rc < 0) {
		xo_sim_dom_free(d);
		return rc;
	}
	return dom_add(b, d, domid_out, err);
}

int xo_sim_domain_build(struct xo_backend *b, struct xo_env *env,
			const struct xo_vm_config *cfg, int domid, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	if (!cfg)
		return xo_err(err, XENOPS_EINVAL, "domain_build: no configuration");
	rc = xo_sim_delay(b, env, XO_SIM_DELAY_BUILD, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "build", &d, err);
	if (rc == 0)
		rc = require_vm(d, cfg, "build", err);
	if (rc == 0 && d->built)
		rc = xo_err(err, XENOPS_EBADSTATE, "cannot build domain %d: it is already built",
			    domid);
	if (rc == 0) {
		d->built = true;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* Strict, unlike Xen's nested pause count: the engine never pauses twice. */
static int set_paused(struct xo_backend *b, struct xo_env *env, int domid, bool pause,
		      struct xo_error *err)
{
	const char *op = pause ? "pause" : "unpause";
	int from = pause ? XO_DOM_RUNNING : XO_DOM_PAUSED;
	struct xo_sim_dom *d;
	int rc = xo_sim_delay(b, env, pause ? XO_SIM_DELAY_PAUSE : XO_SIM_DELAY_UNPAUSE, err);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, op, &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, op, err);
	if (rc == 0 && d->status != from)
		rc = xo_err(err, XENOPS_EBADSTATE, "cannot %s domain %d: it is %s", op, domid,
			    xo_sim_status_word(d));
	if (rc == 0 && !pause && d->hvm && d->dm == XO_SIM_DM_DEAD)
		rc = xo_err(err, XENOPS_EBACKEND, "cannot unpause domain %d: its device model died",
			    domid);
	if (rc == 0) {
		/* As on xen, the first unpause of an HVM domain starts its device model. */
		if (!pause && d->hvm && d->dm == XO_SIM_DM_NONE)
			d->dm = XO_SIM_DM_RUNNING;
		xo_sim_set_status(d, pause ? XO_DOM_PAUSED : XO_DOM_RUNNING, xo_now_ms());
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_domain_unpause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	return set_paused(b, env, domid, false, err);
}

int xo_sim_domain_pause(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	return set_paused(b, env, domid, true, err);
}

/*
 * Like writing control/shutdown: a new request replaces a pending one and
 * the guest starts answering it afresh.
 */
int xo_sim_domain_request_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				   int reason, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	(void)env;
	if (reason != XO_SHUTDOWN_POWEROFF && reason != XO_SHUTDOWN_REBOOT &&
	    reason != XO_SHUTDOWN_SUSPEND)
		return xo_err(err, XENOPS_EINVAL, "cannot request a shutdown with reason %d",
			      reason);
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "request the shutdown of", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "request the shutdown of", err);
	if (rc == 0) {
		d->req_reason = reason;
		d->req_run_ms = xo_sim_run_ms(d, xo_now_ms());
		d->acked = false;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* What a wait looks for; poll() runs with the lock held: 1 met, 0 not yet, < 0 error. */
struct wait_spec {
	const char *what;
	int timeout_rc;
	int (*poll)(struct xo_backend *b, int domid, struct wait_spec *w, struct xo_error *err);
	int reason;
	bool notify;
	char vm_id[XO_ID_MAX + 1];
};

static int poll_ack(struct xo_backend *b, int domid, struct wait_spec *w, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc = xo_sim_get(b, domid, "wait for", &d, err);

	(void)w;
	if (rc < 0)
		return rc;
	/* No request pending reads as acknowledged, as an empty control/shutdown does. */
	return d->status == XO_DOM_SHUTDOWN || d->req_reason == XO_SHUTDOWN_NONE || d->acked;
}

static int poll_shutdown(struct xo_backend *b, int domid, struct wait_spec *w, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc = xo_sim_get(b, domid, "wait for", &d, err);

	if (rc < 0)
		return rc;
	if (d->status != XO_DOM_SHUTDOWN)
		return 0;
	w->reason = d->reason;
	w->notify = d->notify_pending;
	d->notify_pending = false;
	xo_strlcpy(w->vm_id, d->vm_id, sizeof(w->vm_id));
	return 1;
}

static int sim_wait(struct xo_backend *b, struct xo_env *env, int domid, unsigned int timeout_ms,
		    struct wait_spec *w, struct xo_error *err)
{
	uint64_t deadline = xo_now_ms() + timeout_ms;

	for (;;) {
		uint64_t now;
		int rc;

		pthread_mutex_lock(&b->lock);
		rc = w->poll(b, domid, w, err);
		pthread_mutex_unlock(&b->lock);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		now = xo_now_ms();
		if (now >= deadline)
			return xo_err(err, w->timeout_rc, "domain %d did not %s within %u ms",
				      domid,
				      w->what, timeout_ms);
		rc = xo_sim_sleep(env, deadline - now < 10 ? (unsigned int)(deadline - now) : 10,
				  err);
		if (rc < 0)
			return rc;
	}
}

int xo_sim_domain_wait_ack(struct xo_backend *b, struct xo_env *env, int domid,
			   unsigned int timeout_ms, struct xo_error *err)
{
	struct wait_spec w = { .what = "acknowledge the shutdown request",
			       .timeout_rc = XENOPS_ENOACK,
			       .poll = poll_ack };

	return sim_wait(b, env, domid, timeout_ms, &w, err);
}

/*
 * The guest shuts down lazily (worked out when someone looks), so the
 * domain_changed upcall of a requested shutdown is fired here, by the wait
 * that sees it first, without the lock.
 */
int xo_sim_domain_wait_shutdown(struct xo_backend *b, struct xo_env *env, int domid,
				unsigned int timeout_ms, int *reason_out, struct xo_error *err)
{
	struct wait_spec w = { .what = "shut down",
			       .timeout_rc = XENOPS_ENOSHUTDOWN,
			       .poll = poll_shutdown };
	int rc = sim_wait(b, env, domid, timeout_ms, &w, err);

	if (rc < 0)
		return rc;
	if (reason_out)
		*reason_out = w.reason;
	if (w.notify)
		notify_domain(b, w.vm_id);
	return 0;
}

int xo_sim_domain_destroy(struct xo_backend *b, struct xo_env *env, int domid, struct xo_error *err)
{
	char vm_id[XO_ID_MAX + 1];
	struct xo_sim_dom *d;
	int rc = xo_sim_delay(b, env, XO_SIM_DELAY_DESTROY, err);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "destroy", &d, err);
	if (rc == 0) {
		xo_strlcpy(vm_id, d->vm_id, sizeof(vm_id));
		xo_sim_remove(b, d);
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc == 0)
		notify_domain(b, vm_id);
	return rc;
}

static void fill_info(const struct xo_sim_dom *d, uint64_t now, struct xo_domain_info *out)
{
	uint64_t per_vcpu = d->cpu_base_ns + xo_sim_run_ms(d, now) * 1000000ull;

	memset(out, 0, sizeof(*out));
	out->domid = d->domid;
	xo_strlcpy(out->vm_id, d->vm_id, sizeof(out->vm_id));
	out->status = d->status;
	out->shutdown_reason = d->status == XO_DOM_SHUTDOWN ? d->reason : XO_SHUTDOWN_NONE;
	out->memory_actual = xo_sim_memory_actual(d, now);
	out->memory_target = d->memory_target;
	out->vcpus_max = d->vcpus_max;
	out->vcpus_online = d->vcpus;
	for (unsigned int i = 0; i < d->vcpus; i++) {
		out->vcpu_time_ns[i] = per_vcpu;
		out->cpu_time_ns += per_vcpu;
	}
	out->start_time = d->start_time;
}

static int require_suspended(const struct xo_sim_dom *d, const char *op, struct xo_error *err)
{
	if (d->status != XO_DOM_SHUTDOWN)
		return xo_err(err, XENOPS_EBADSTATE,
			      "cannot %s domain %d: it is %s, not shut down for suspend", op, d->domid,
			      xo_sim_status_word(d));
	if (d->reason != XO_SHUTDOWN_SUSPEND)
		return xo_err(err, XENOPS_EBADSTATE,
			      "cannot %s domain %d: it shut down for %s, not for suspend", op,
			      d->domid, xo_shutdown_reason_name(d->reason));
	return 0;
}

/*
 * Only a domain shut down for suspend can be saved, as on Xen where the
 * engine suspends the guest (request_shutdown + wait) first.
 */
int xo_sim_domain_save(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, const char *path, struct xo_error *err)
{
	struct xo_sim_image img = { 0 };
	struct xo_domain_info info;
	struct xo_sim_dom *d;
	int rc;

	if (!cfg || !path || !*path)
		return xo_err(err, XENOPS_EINVAL, "domain_save: no configuration or path");
	rc = xo_sim_delay(b, env, XO_SIM_DELAY_SAVE, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "save", &d, err);
	if (rc == 0)
		rc = require_vm(d, cfg, "save", err);
	if (rc == 0)
		rc = require_suspended(d, "save", err);
	if (rc == 0) {
		fill_info(d, xo_now_ms(), &info);
		xo_strlcpy(img.vm, d->vm_id, sizeof(img.vm));
		img.memory = info.memory_actual;
		img.vcpus = info.vcpus_online;
		img.cpu_time_ns = info.cpu_time_ns;
	}
	pthread_mutex_unlock(&b->lock);
	return rc < 0 ? rc : xo_sim_image_write(path, &img, err);
}

/* A cancelled suspend: the guest runs on, as xc_domain_resume makes it. */
int xo_sim_domain_resume(struct xo_backend *b, struct xo_env *env, int domid,
			 struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	(void)env;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "resume", &d, err);
	if (rc == 0)
		rc = require_suspended(d, "resume", err);
	if (rc == 0) {
		d->reason = XO_SHUTDOWN_NONE;
		d->acked = false;
		xo_sim_set_status(d, XO_DOM_RUNNING, xo_now_ms());
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_domain_restore(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, const char *path, int *domid_out,
			  struct xo_error *err)
{
	struct xo_sim_image img;
	int rc;

	if (!cfg || !path || !domid_out)
		return xo_err(err, XENOPS_EINVAL, "domain_restore: no configuration or path");
	rc = xo_sim_delay(b, env, XO_SIM_DELAY_RESTORE, err);
	if (rc == 0)
		rc = check_config(cfg, err);
	if (rc == 0)
		rc = xo_sim_image_read(path, cfg->id, &img, err);
	if (rc < 0)
		return rc;
	if (img.vcpus > cfg->vcpus_max)
		return xo_err(err, XENOPS_EINVAL, "save file %s has %u vcpus, VM %s allows %u",
			      path,
			      img.vcpus, cfg->id, cfg->vcpus_max);
	return xo_sim_domain_from_image(b, cfg, &img, domid_out, err);
}

int xo_sim_domain_from_image(struct xo_backend *b, const struct xo_vm_config *cfg,
			     const struct xo_sim_image *img, int *domid_out, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc = check_config(cfg, err);

	if (rc < 0)
		return rc;
	if (img->vcpus == 0 || img->vcpus > cfg->vcpus_max)
		return xo_err(err, XENOPS_EINVAL, "image has %u vcpus, VM %s allows 1 to %u",
			      img->vcpus, cfg->id, cfg->vcpus_max);
	d = dom_new(cfg);
	if (!d)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = xo_sim_sched_init(d, cfg, err);
	if (rc < 0) {
		xo_sim_dom_free(d);
		return rc;
	}
	d->built = true;
	d->cpu_base_ns = img->cpu_time_ns / img->vcpus;
	return dom_add(b, d, domid_out, err);
}

int xo_sim_domain_info(struct xo_backend *b, int domid, struct xo_domain_info *out,
		       struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	if (!out)
		return xo_err(err, XENOPS_EINVAL, "domain_info: no output");
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get information on", &d, err);
	if (rc == 0)
		fill_info(d, xo_now_ms(), out);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int xo_sim_domain_list(struct xo_backend *b, struct xo_domain_info **out, size_t *n_out,
		       struct xo_error *err)
{
	struct xo_domain_info *v = NULL;
	uint64_t now = xo_now_ms();
	size_t n;

	if (!out || !n_out)
		return xo_err(err, XENOPS_EINVAL, "domain_list: no output");
	pthread_mutex_lock(&b->lock);
	n = b->n_doms;
	if (n > 0 && !(v = calloc(n, sizeof(*v)))) {
		pthread_mutex_unlock(&b->lock);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		xo_sim_advance(b, b->doms[i], now);
		fill_info(b->doms[i], now, &v[i]);
	}
	pthread_mutex_unlock(&b->lock);
	*out = v;
	*n_out = n;
	return 0;
}
