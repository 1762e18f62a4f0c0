/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: the ops table, the simulated host (open, close, host
 * info, knobs), its domain table and the guests' clock. Domain and device
 * operations live in sim_domain.c and sim_device.c.
 */
#include "sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *const xo_sim_delay_names[XO_SIM_NR_DELAYS] = {
	[XO_SIM_DELAY_CREATE] = "create",   [XO_SIM_DELAY_BUILD] = "build",
	[XO_SIM_DELAY_UNPAUSE] = "unpause", [XO_SIM_DELAY_PAUSE] = "pause",
	[XO_SIM_DELAY_DESTROY] = "destroy", [XO_SIM_DELAY_SAVE] = "save",
	[XO_SIM_DELAY_RESTORE] = "restore", [XO_SIM_DELAY_PLUG] = "plug",
	[XO_SIM_DELAY_UNPLUG] = "unplug",   [XO_SIM_DELAY_MEDIA] = "media",
	[XO_SIM_DELAY_CARRIER] = "carrier", [XO_SIM_DELAY_ACK] = "ack",
	[XO_SIM_DELAY_SHUTDOWN] = "shutdown",
	[XO_SIM_DELAY_BALLOON] = "balloon",
	[XO_SIM_DELAY_MIGRATE] = "migrate",
};

/* ---- the domain table ---- */

static size_t sim_index(const struct xo_backend *b, int domid)
{
	size_t lo = 0, hi = b->n_doms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->doms[mid]->domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct xo_sim_dom *xo_sim_find(struct xo_backend *b, int domid)
{
	size_t i = sim_index(b, domid);

	return i < b->n_doms && b->doms[i]->domid == domid ? b->doms[i] : NULL;
}

int xo_sim_get(struct xo_backend *b, int domid, const char *op, struct xo_sim_dom **out,
	       struct xo_error *err)
{
	*out = xo_sim_find(b, domid);
	if (!*out)
		return xo_err(err, XENOPS_ENOTFOUND, "cannot %s domain %d: no such domain", op,
			      domid);
	xo_sim_advance(b, *out, xo_now_ms());
	return 0;
}

const char *xo_sim_status_word(const struct xo_sim_dom *d)
{
	switch (d->status) {
	case XO_DOM_RUNNING:
		return "running";
	case XO_DOM_PAUSED:
		return "paused";
	case XO_DOM_SHUTDOWN:
		return "shut down";
	default:
		return "dying";
	}
}

int xo_sim_require_live(const struct xo_sim_dom *d, const char *op, struct xo_error *err)
{
	if (!d->built)
		return xo_err(err, XENOPS_EBADSTATE, "cannot %s domain %d: it is not built yet", op,
			      d->domid);
	if (d->status == XO_DOM_SHUTDOWN)
		return xo_err(err, XENOPS_EBADSTATE, "cannot %s domain %d: it is shut down (%s)",
			      op,
			      d->domid, xo_shutdown_reason_name(d->reason));
	if (d->status == XO_DOM_DYING)
		return xo_err(err, XENOPS_EBADSTATE, "cannot %s domain %d: it is dying", op,
			      d->domid);
	return 0;
}

int xo_sim_insert(struct xo_backend *b, struct xo_sim_dom *d, struct xo_error *err)
{
	uint64_t free_mem = XO_SIM_TOTAL_MEMORY - b->used_memory;
	size_t i;

	if (d->memory_max > free_mem)
		return xo_err(err, XENOPS_EBACKEND,
			      "not enough free memory for VM %s: it needs %" PRIu64
			      " bytes, %" PRIu64 " are free",
			      d->vm_id, d->memory_max, free_mem);
	if (b->n_doms == b->cap_doms) {
		size_t cap = b->cap_doms ? 2 * b->cap_doms : 16;
		struct xo_sim_dom **v = realloc(b->doms, cap * sizeof(*v));

		if (!v)
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		b->doms = v;
		b->cap_doms = cap;
	}
	i = sim_index(b, d->domid);
	memmove(&b->doms[i + 1], &b->doms[i], (b->n_doms - i) * sizeof(*b->doms));
	b->doms[i] = d;
	b->n_doms++;
	b->used_memory += d->memory_max;
	return 0;
}

void xo_sim_remove(struct xo_backend *b, struct xo_sim_dom *d)
{
	size_t i = sim_index(b, d->domid);

	if (i >= b->n_doms || b->doms[i] != d)
		return;
	memmove(&b->doms[i], &b->doms[i + 1], (b->n_doms - i - 1) * sizeof(*b->doms));
	b->n_doms--;
	b->used_memory -= d->memory_max;
	xo_sim_dom_free(d);
}

void xo_sim_dom_free(struct xo_sim_dom *d)
{
	if (!d)
		return;
	while (d->devs) {
		struct xo_sim_dev *next = d->devs->next;

		free(d->devs);
		d->devs = next;
	}
	xo_sim_xs_free(d);
	xo_sim_console_free(d);
	free(d);
}

void xo_sim_clear(struct xo_backend *b)
{
	for (size_t i = 0; i < b->n_doms; i++)
		xo_sim_dom_free(b->doms[i]);
	b->n_doms = 0;
	b->used_memory = 0;
}

/* ---- the guests' clock ---- */

uint64_t xo_sim_run_ms(const struct xo_sim_dom *d, uint64_t now)
{
	if (d->status != XO_DOM_RUNNING || now < d->run_since)
		return d->run_ms;
	return d->run_ms + (now - d->run_since);
}

void xo_sim_set_status(struct xo_sim_dom *d, int status, uint64_t now)
{
	d->run_ms = xo_sim_run_ms(d, now);
	d->status = status;
	d->run_since = now;
}

/*
 * Has a guest event due @delay ms of guest time after @since happened by
 * guest time @t? At the very instant only if the guest runs: a paused
 * guest does nothing, not even what is due at once.
 */
static bool reached(uint64_t t, uint64_t since, unsigned int delay, bool running)
{
	uint64_t elapsed = t > since ? t - since : 0;

	return elapsed > delay || (running && elapsed == delay);
}

/*
 * Nothing runs in the background: what a guest does in answer to a
 * request is worked out from its clock whenever someone looks. A guest
 * told by a knob to ignore requests or to hang picks up again from the
 * last look, so that no event lands before something already observed.
 */
void xo_sim_advance(struct xo_backend *b, struct xo_sim_dom *d, uint64_t now)
{
	bool running = d->status == XO_DOM_RUNNING;
	uint64_t t;

	if (d->status == XO_DOM_SHUTDOWN || d->req_reason == XO_SHUTDOWN_NONE)
		return;
	t = xo_sim_run_ms(d, now);
	if (!d->acked) {
		if (!b->ack_enabled) {
			d->req_run_ms = t;
			return;
		}
		if (!reached(t, d->req_run_ms, b->delay[XO_SIM_DELAY_ACK], running))
			return;
		d->acked = true;
		d->ack_run_ms = d->req_run_ms + b->delay[XO_SIM_DELAY_ACK];
	}
	if (!b->complete_enabled) {
		d->ack_run_ms = t;
		return;
	}
	if (!reached(t, d->ack_run_ms, b->delay[XO_SIM_DELAY_SHUTDOWN], running))
		return;
	/* The guest stopped at that instant of its clock, not when we looked. */
	d->run_ms = d->ack_run_ms + b->delay[XO_SIM_DELAY_SHUTDOWN];
	d->run_since = now;
	d->status = XO_DOM_SHUTDOWN;
	d->reason = d->req_reason;
	d->req_reason = XO_SHUTDOWN_NONE;
	d->notify_pending = true;
}

int xo_sim_sleep(struct xo_env *env, unsigned int ms, struct xo_error *err)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (env && env->sleep)
		return env->sleep(env, ms, err);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

int xo_sim_delay(struct xo_backend *b, struct xo_env *env, enum xo_sim_delay which,
		 struct xo_error *err)
{
	unsigned int ms;
	int rc;

	pthread_mutex_lock(&b->lock);
	ms = b->delay[which];
	pthread_mutex_unlock(&b->lock);
	if (ms == 0)
		return 0;
	rc = xo_sim_sleep(env, ms, err);
	return rc < 0 ? rc : 0;
}

/* ---- host ---- */

static void sim_free(struct xo_backend *b)
{
	xo_sim_clear(b);
	free(b->doms);
	free(b->dir);
	xo_boot_paths_destroy(&b->boot);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int sim_open(struct xo_backend **out, const struct xo_backend_params *params,
		    struct xo_error *err)
{
	struct xo_backend *b;
	int rc;

	if (!out || !params)
		return xo_err(err, XENOPS_EINVAL, "sim: no parameters");
	b = calloc(1, sizeof(*b));
	if (!b)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	pthread_mutex_init(&b->lock, NULL);
	xo_boot_paths_init(&b->boot);
	if (params->log)
		b->log = *params->log;
	b->events = params->events;
	b->next_domid = 1;
	b->ack_enabled = true;
	b->complete_enabled = true;
	b->mig_bandwidth = XO_SIM_MIG_BANDWIDTH;
	b->mig_dirty_rate = XO_SIM_MIG_DIRTY_RATE;
	if (params->state_dir) {
		b->dir = xo_asprintf("%s/sim", params->state_dir);
		if (!b->dir) {
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			goto fail;
		}
		rc = xo_mkdir("sim backend", params->state_dir, err);
		if (rc == 0)
			rc = xo_mkdir("sim backend", b->dir, err);
		if (rc < 0)
			goto fail;
		xo_sim_store_load(b);
	}
	xo_log(&b->log, XENOPS_LOG_INFO, "simulator started: %zu domains, %s", b->n_doms,
	       b->dir ? b->dir : "not persisted");
	*out = b;
	return 0;
fail:
	sim_free(b);
	return rc;
}

/* Saved once more: guests' clocks moved since the last change (xo_sim_advance). */
static void sim_close(struct xo_backend *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->n_doms; i++)
		xo_sim_advance(b, b->doms[i], xo_now_ms());
	xo_sim_store_save(b);
	pthread_mutex_unlock(&b->lock);
	sim_free(b);
}

static int sim_host_info(struct xo_backend *b, struct xo_host_info *out, struct xo_error *err)
{
	(void)err;
	memset(out, 0, sizeof(*out));
	snprintf(out->hypervisor, sizeof(out->hypervisor), "%s", XO_SIM_HYPERVISOR);
	out->nr_cpus = XO_SIM_NR_CPUS;
	out->total_memory = XO_SIM_TOTAL_MEMORY;
	pthread_mutex_lock(&b->lock);
	out->free_memory = XO_SIM_TOTAL_MEMORY - b->used_memory;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* ---- knobs ---- */

static int knob_uint(const char *key, const char *value, unsigned int max, unsigned int *out,
		     struct xo_error *err)
{
	unsigned long v = 0;

	if (!value || !*value)
		goto bad;
	for (const char *p = value; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			goto bad;
	}
	*out = (unsigned int)v;
	return 0;
bad:
	return xo_err(err, XENOPS_EINVAL,
		      "knob %s: value must be an integer from 0 to %u, not \"%s\"",
		      key, max, value ? value : "(null)");
}

/* A host reboot: every domain is gone and domids start again at 1. */
static int sim_host_reboot(struct xo_backend *b)
{
	struct xo_strv vms = { 0 };
	bool lost = false;

	pthread_mutex_lock(&b->lock);
	/* The reboot happens even without memory to tell everyone about it. */
	for (size_t i = 0; i < b->n_doms && !lost; i++)
		lost = xo_strv_push(&vms, b->doms[i]->vm_id) < 0;
	xo_sim_clear(b);
	b->next_domid = 1;
	xo_sim_store_save(b);
	pthread_mutex_unlock(&b->lock);
	xo_log(&b->log, lost ? XENOPS_LOG_WARNING : XENOPS_LOG_INFO,
	       "simulator: host rebooted, every domain is gone%s",
	       lost ? " (out of memory: not every VM is notified)" : "");
	for (size_t i = 0; i < vms.n && b->events.domain_changed; i++)
		b->events.domain_changed(b->events.opaque, vms.v[i]);
	xo_strv_clear(&vms);
	return 0;
}

static int sim_set_delay(struct xo_backend *b, const char *key, const char *value,
			 struct xo_error *err)
{
	const char *name = key + strlen("sim.delay");
	unsigned int ms;
	int rc = knob_uint(key, value, XO_SIM_DELAY_MAX, &ms, err);

	if (*name == '\0') {
		if (rc < 0)
			return rc;
		pthread_mutex_lock(&b->lock);
		for (int i = 0; i < XO_SIM_NR_DELAYS; i++)
			b->delay[i] = ms;
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	for (int i = 0; *name == '.' && i < XO_SIM_NR_DELAYS; i++) {
		if (strcmp(name + 1, xo_sim_delay_names[i]) != 0)
			continue;
		if (rc < 0)
			return rc;
		pthread_mutex_lock(&b->lock);
		b->delay[i] = ms;
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	return xo_err(err, XENOPS_EINVAL, "unknown simulator knob %s", key);
}

static int sim_set_flag(struct xo_backend *b, const char *key, const char *value, bool *flag,
			struct xo_error *err)
{
	unsigned int v;
	int rc = knob_uint(key, value, 1, &v, err);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	*flag = v;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static int sim_set_uint(struct xo_backend *b, const char *key, const char *value,
			unsigned int min, unsigned int max, unsigned int *field, struct xo_error *err)
{
	unsigned int v;
	int rc = knob_uint(key, value, max, &v, err);

	if (rc < 0)
		return rc;
	if (v < min)
		return xo_err(err, XENOPS_EINVAL, "knob %s: at least %u", key, min);
	pthread_mutex_lock(&b->lock);
	*field = v;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static int sim_set_knob(struct xo_backend *b, const char *key, const char *value,
			struct xo_error *err)
{
	int rc;

	if (!key)
		return xo_err(err, XENOPS_EINVAL, "knob: no key");
	rc = xo_boot_paths_knob(&b->boot, key, value, err);
	if (rc <= 0)
		return rc;
	/* The device model's privileges: its simulated one has no uid or chroot. */
	if (strncmp(key, "dm.", 3) == 0)
		return xo_err(err, XENOPS_ENOTSUP, "%s: not supported by the sim backend", key);
	if (strncmp(key, "sim.delay", strlen("sim.delay")) == 0)
		return sim_set_delay(b, key, value, err);
	if (strcmp(key, "sim.shutdown_ack") == 0)
		return sim_set_flag(b, key, value, &b->ack_enabled, err);
	if (strcmp(key, "sim.shutdown_complete") == 0)
		return sim_set_flag(b, key, value, &b->complete_enabled, err);
	if (strcmp(key, "sim.migrate_bandwidth") == 0)
		return sim_set_uint(b, key, value, 1, 1000000000u, &b->mig_bandwidth, err);
	if (strcmp(key, "sim.migrate_dirty_rate") == 0)
		return sim_set_uint(b, key, value, 0, 1000000000u, &b->mig_dirty_rate, err);
	if (strcmp(key, "sim.host_reboot") == 0) {
		if (!value || strcmp(value, "1") != 0)
			return xo_err(err, XENOPS_EINVAL, "knob %s: value must be 1", key);
		return sim_host_reboot(b);
	}
	return xo_err(err, XENOPS_EINVAL, "unknown simulator knob %s", key);
}

const struct xo_backend_ops xo_backend_sim = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.host_info = sim_host_info,
	.set_knob = sim_set_knob,
	.domain_create = xo_sim_domain_create,
	.domain_build = xo_sim_domain_build,
	.domain_unpause = xo_sim_domain_unpause,
	.domain_pause = xo_sim_domain_pause,
	.domain_request_shutdown = xo_sim_domain_request_shutdown,
	.domain_wait_ack = xo_sim_domain_wait_ack,
	.domain_wait_shutdown = xo_sim_domain_wait_shutdown,
	.domain_destroy = xo_sim_domain_destroy,
	.domain_save = xo_sim_domain_save,
	.domain_resume = xo_sim_domain_resume,
	.domain_restore = xo_sim_domain_restore,
	.domain_info = xo_sim_domain_info,
	.domain_list = xo_sim_domain_list,
	.dev_plug = xo_sim_dev_plug,
	.dev_unplug = xo_sim_dev_unplug,
	.dev_info = xo_sim_dev_info,
	.vbd_set_media = xo_sim_vbd_set_media,
	.vif_set_carrier = xo_sim_vif_set_carrier,
	.domain_set_memory = xo_sim_domain_set_memory,
	.domain_set_vcpus = xo_sim_domain_set_vcpus,
	.domain_set_sched = xo_sim_domain_set_sched,
	.domain_get_sched = xo_sim_domain_get_sched,
	.domain_stats = xo_sim_domain_stats,
	.dev_stats = xo_sim_dev_stats,
	.host_facts = xo_sim_host_facts,
	.host_dmesg = xo_sim_host_dmesg,
	.guest_facts = xo_sim_guest_facts,
	.domain_set_xenstore = xo_sim_domain_set_xenstore,
	.guest_action = xo_sim_guest_action,
	.domain_send = xo_sim_domain_send,
	.domain_receive = xo_sim_domain_receive,
};
