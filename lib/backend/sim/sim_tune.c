/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator: running guests. The balloon: a new memory target is reached
 * after the knob sim.delay.balloon of guest time (a paused guest does not
 * move); until then the guest holds what it held before. vCPU hot-plug
 * takes effect at once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

uint64_t xo_sim_memory_actual(const struct xo_sim_dom *d, uint64_t now)
{
	if (!d->memory_from)
		return d->memory_target;
	if (xo_sim_run_ms(d, now) - d->balloon_run_ms >= d->balloon_ms)
		return d->memory_target;
	return d->memory_from;
}

int xo_sim_domain_set_memory(struct xo_backend *b, struct xo_env *env, int domid,
			     uint64_t target, uint64_t max, struct xo_error *err)
{
	struct xo_sim_dom *d;
	uint64_t now, new_max;
	int rc;

	if (target == 0)
		return xo_err(err, XENOPS_EINVAL, "domain %d: memory target must be above 0", domid);
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "set the memory of", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "set the memory of", err);
	if (rc < 0)
		goto out;
	new_max = max ? max : d->memory_max;
	if (target > new_max) {
		rc = xo_err(err, XENOPS_EINVAL,
			    "domain %d: memory target %" PRIu64 " bytes is above its maximum %" PRIu64,
			    domid, target, new_max);
		goto out;
	}
	if (new_max > d->memory_max &&
	    new_max - d->memory_max > XO_SIM_TOTAL_MEMORY - b->used_memory) {
		rc = xo_err(err, XENOPS_EBACKEND,
			    "domain %d: not enough free memory to raise its maximum to %" PRIu64
			    " bytes",
			    domid, new_max);
		goto out;
	}
	now = xo_now_ms();
	d->memory_from = xo_sim_memory_actual(d, now);
	d->balloon_run_ms = xo_sim_run_ms(d, now);
	d->balloon_ms = b->delay[XO_SIM_DELAY_BALLOON];
	b->used_memory = b->used_memory - d->memory_max + new_max;
	d->memory_max = new_max;
	d->memory_target = target;
	xo_sim_store_save(b);
out:
	pthread_mutex_unlock(&b->lock);
	(void)env;
	return rc;
}

int xo_sim_domain_set_vcpus(struct xo_backend *b, struct xo_env *env, int domid,
			    unsigned int vcpus, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "set the vcpus of", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "set the vcpus of", err);
	if (rc == 0 && (vcpus == 0 || vcpus > d->vcpus_max))
		rc = xo_err(err, XENOPS_EINVAL, "domain %d: vcpus must be from 1 to %u, not %u",
			    domid, d->vcpus_max, vcpus);
	if (rc == 0) {
		d->vcpus = vcpus;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	(void)env;
	return rc;
}

/* ---- statistics: counters that move with the guest's running time ---- */

int xo_sim_domain_stats(struct xo_backend *b, int domid, struct xo_domain_stats *out,
			struct xo_error *err)
{
	struct xo_sim_dom *d;
	uint64_t now, per_vcpu;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get statistics of", &d, err);
	if (rc == 0) {
		now = xo_now_ms();
		per_vcpu = d->cpu_base_ns + xo_sim_run_ms(d, now) * 1000000ull;
		out->memory_target = d->memory_target;
		out->memory_actual = xo_sim_memory_actual(d, now);
		out->memory_max = d->memory_max;
		out->vcpus_max = d->vcpus_max;
		for (unsigned int i = 0; i < d->vcpus_max && i < XO_MAX_VCPUS; i++) {
			out->vcpu_online[i] = i < d->vcpus;
			out->vcpu_time_ns[i] = i < d->vcpus ? per_vcpu : 0;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/*
 * A disk does 100 reads and 50 writes of 8 sectors per second of guest
 * time; a network interface receives 125000 and sends 62500 bytes per
 * second in packets of 1000 bytes, dropping one received packet in 1000.
 */
int xo_sim_dev_stats(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		     uint64_t out[XO_DEV_COUNTERS], struct xo_error *err)
{
	struct xo_sim_dom *d;
	struct xo_sim_dev *v;
	uint64_t t;
	int rc;

	memset(out, 0, XO_DEV_COUNTERS * sizeof(out[0]));
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get statistics of", &d, err);
	if (rc == 0)
		rc = xo_sim_dev_get(d, cfg->kind, cfg->id, &v, err);
	if (rc == 0) {
		t = xo_sim_run_ms(d, xo_now_ms());
		if (cfg->kind == XENOPS_KIND_VBD) {
			out[XO_VBD_RD_REQS] = t / 10;
			out[XO_VBD_WR_REQS] = t / 20;
			out[XO_VBD_RD_SECTORS] = t / 10 * 8;
			out[XO_VBD_WR_SECTORS] = t / 20 * 8;
		} else if (cfg->kind == XENOPS_KIND_VIF) {
			out[XO_VIF_RX_BYTES] = t * 125;
			out[XO_VIF_TX_BYTES] = t * 125 / 2;
			out[XO_VIF_RX_PACKETS] = t * 125 / 1000;
			out[XO_VIF_TX_PACKETS] = t * 125 / 2 / 1000;
			out[XO_VIF_RX_DROPS] = t * 125 / 1000 / 1000;
			out[XO_VIF_TX_DROPS] = 0;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* ---- host facts: one socket of 2 cores of 2 threads, one NUMA node ---- */

int xo_sim_host_facts(struct xo_backend *b, struct xo_host_facts *out, struct xo_error *err)
{
	(void)err;
	memset(out, 0, sizeof(*out));
	out->sockets = 1;
	out->cores_per_socket = XO_SIM_NR_CPUS / 2;
	out->threads_per_core = 2;
	out->nr_nodes = 1;
	pthread_mutex_lock(&b->lock);
	out->nodes[0].total = XO_SIM_TOTAL_MEMORY;
	out->nodes[0].free = XO_SIM_TOTAL_MEMORY - b->used_memory;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* A fixed simulated log. */
int xo_sim_host_dmesg(struct xo_backend *b, char **text_out, struct xo_error *err)
{
	static const char text[] =
		"(XEN) simulator: " XO_SIM_HYPERVISOR " hypervisor log\n"
		"(XEN) simulator: 4 CPUs, 16 GiB of memory, one NUMA node\n"
		"(XEN) simulator: this log is fixed text; nothing is logged here\n";

	(void)b;
	*text_out = strdup(text);
	return *text_out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

/* ---- guest facts: the console's pty and one key the guest publishes ---- */

int xo_sim_guest_facts(struct xo_backend *b, int domid, struct xo_guest_facts *out,
		       struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	/* Readers look at the first n_keys entries only: no 25 KiB clear per call. */
	out->console_path[0] = '\0';
	out->n_keys = 0;
	out->truncated = false;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "get the guest facts of", &d, err);
	if (rc == 0 && d->built) {
		const char *con = d->status == XO_DOM_SHUTDOWN || d->status == XO_DOM_DYING
					  ? NULL
					  : xo_sim_console_path(d);

		if (con)
			snprintf(out->console_path, sizeof(out->console_path), "%s", con);
		snprintf(out->keys[0].key, sizeof(out->keys[0].key), "data/os");
		snprintf(out->keys[0].value, sizeof(out->keys[0].value), "simulated");
		out->n_keys = 1;
		for (size_t i = 0; i < d->n_xs && out->n_keys < XO_GUEST_KEYS_MAX; i++) {
			snprintf(out->keys[out->n_keys].key, sizeof(out->keys[0].key), "%s",
				 d->xs[i].key);
			snprintf(out->keys[out->n_keys].value, sizeof(out->keys[0].value), "%s",
				 d->xs[i].value);
			out->n_keys++;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

void xo_sim_xs_free(struct xo_sim_dom *d)
{
	for (size_t i = 0; i < d->n_xs; i++) {
		free(d->xs[i].key);
		free(d->xs[i].value);
	}
	free(d->xs);
	d->xs = NULL;
	d->n_xs = 0;
}

/* Remove @key (and what is below it), as xenstore's rm does. */
static void xs_remove(struct xo_sim_dom *d, const char *key)
{
	size_t len = strlen(key), j = 0;

	for (size_t i = 0; i < d->n_xs; i++) {
		const char *k = d->xs[i].key;

		if (!strncmp(k, key, len) && (k[len] == '\0' || k[len] == '/')) {
			free(d->xs[i].key);
			free(d->xs[i].value);
			continue;
		}
		d->xs[j++] = d->xs[i];
	}
	d->n_xs = j;
}

int xo_sim_domain_set_xenstore(struct xo_backend *b, struct xo_env *env, int domid,
			       const struct xo_kv *kv, size_t n, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	(void)env;
	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "write the xenstore of", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "write the xenstore of", err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct xo_kv *v;

		xs_remove(d, kv[i].key);
		if (!kv[i].value)
			continue;
		if (d->n_xs >= 4 * XO_GUEST_KEYS_MAX) {
			rc = xo_err(err, XENOPS_ENOSPC, "domain %d: too many xenstore keys", domid);
			break;
		}
		v = realloc(d->xs, (d->n_xs + 1) * sizeof(*v));
		if (!v) {
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			break;
		}
		d->xs = v;
		v[d->n_xs].key = strdup(kv[i].key);
		v[d->n_xs].value = strdup(kv[i].value);
		if (!v[d->n_xs].key || !v[d->n_xs].value) {
			free(v[d->n_xs].key);
			free(v[d->n_xs].value);
			rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
			break;
		}
		d->n_xs++;
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}
