/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: the migration stream. A simulated guest has no pages
 * to copy, so the stream carries one record per pre-copy round (how many
 * pages it would send, how many the guest dirtied meanwhile) and a last
 * record with the image (as a save file holds). The rounds follow a model:
 * the link sends sim.migrate_bandwidth pages a second, and a running guest
 * dirties sim.migrate_dirty_rate pages a second, so that the iteration
 * counts and dirty rates the engine reports are the model's numbers.
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>

#define REC_MAGIC "XSMR"
#define REC_ROUND 1u
#define REC_END 2u
#define REC_LEN 128
#define PAGE 4096u
/* Pre-copy stops when a round leaves fewer pages than this, or after MAX_ROUNDS. */
#define STOP_PAGES 256u
#define MAX_ROUNDS 8u
/* The receiver's patience between two records. */
#define IDLE_MS 60000u

struct rec {
	uint32_t kind, iteration, vcpus;
	uint64_t pages, dirty, memory, cpu_time_ns;
	char vm[XO_ID_MAX + 1];
};

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put64(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

static void rec_encode(const struct rec *r, uint8_t *buf)
{
	memset(buf, 0, REC_LEN);
	memcpy(buf, REC_MAGIC, 4);
	be32_put(buf + 4, r->kind);
	be32_put(buf + 8, r->iteration);
	be32_put(buf + 12, r->vcpus);
	put64(buf + 16, r->pages);
	put64(buf + 24, r->dirty);
	put64(buf + 32, r->memory);
	put64(buf + 40, r->cpu_time_ns);
	memcpy(buf + 48, r->vm, strnlen(r->vm, XO_ID_MAX));
}

static int rec_decode(const uint8_t *buf, struct rec *r, struct xo_error *err)
{
	if (memcmp(buf, REC_MAGIC, 4) != 0)
		return xo_err(err, XENOPS_EINVAL, "not a simulator migration stream");
	r->kind = be32_get(buf + 4);
	r->iteration = be32_get(buf + 8);
	r->vcpus = be32_get(buf + 12);
	r->pages = get64(buf + 16);
	r->dirty = get64(buf + 24);
	r->memory = get64(buf + 32);
	r->cpu_time_ns = get64(buf + 40);
	if (buf[48 + XO_ID_MAX] != 0 || (r->kind != REC_ROUND && r->kind != REC_END))
		return xo_err(err, XENOPS_EINVAL, "corrupt simulator migration record");
	memcpy(r->vm, buf + 48, XO_ID_MAX + 1);
	return 0;
}

static int env_check_fn(void *arg, struct xo_error *err)
{
	struct xo_env *env = arg;

	return env && env->check ? env->check(env, err) : 0;
}

static int rec_send(struct xo_env *env, int fd, const struct rec *r, struct xo_error *err)
{
	uint8_t buf[REC_LEN];

	rec_encode(r, buf);
	return xo_fd_write_all(fd, buf, sizeof(buf), IDLE_MS, env_check_fn, env, err);
}

static void progress(struct xo_env *env, uint64_t bytes, unsigned int it, uint64_t dirty)
{
	if (env && env->stream_progress)
		env->stream_progress(env, bytes, it, dirty);
}

/* Shut the domain down for suspend, as the guest's suspend would. */
static int suspend_dom(struct xo_backend *b, int domid, struct xo_error *err)
{
	struct xo_sim_dom *d;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = xo_sim_get(b, domid, "suspend", &d, err);
	if (rc == 0)
		rc = xo_sim_require_live(d, "migrate", err);
	if (rc == 0) {
		xo_sim_set_status(d, XO_DOM_SHUTDOWN, xo_now_ms());
		d->reason = XO_SHUTDOWN_SUSPEND;
		d->req_reason = XO_SHUTDOWN_NONE;
		xo_sim_store_save(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* Undo suspend_dom when the stream failed: the guest runs on. */
int xo_sim_domain_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, int live, struct xo_error *err)
{
	struct xo_domain_info info;
	struct rec r = { .kind = REC_ROUND };
	unsigned int bw, rate;
	uint64_t bytes = 0, todo, total;
	bool running, suspended = false;
	int rc;

	if (!cfg || fd < 0)
		return xo_err(err, XENOPS_EINVAL, "domain_send: no configuration or stream");
	rc = xo_sim_domain_info(b, domid, &info, err);
	if (rc < 0)
		return rc;
	if (strcmp(info.vm_id, cfg->id) != 0)
		return xo_err(err, XENOPS_EINVAL, "domain %d belongs to VM %s, not %s", domid,
			      info.vm_id, cfg->id);
	if (info.status != XO_DOM_RUNNING && info.status != XO_DOM_PAUSED)
		return xo_err(err, XENOPS_EBADSTATE, "cannot migrate domain %d: it is not running",
			      domid);
	pthread_mutex_lock(&b->lock);
	bw = b->mig_bandwidth;
	rate = b->mig_dirty_rate;
	pthread_mutex_unlock(&b->lock);
	running = info.status == XO_DOM_RUNNING;
	total = info.memory_actual / PAGE;
	todo = total;
	if (!live) {
		rc = suspend_dom(b, domid, err);
		if (rc < 0)
			return rc;
		suspended = true;
	}
	for (r.iteration = 1;; r.iteration++) {
		unsigned int ms = (unsigned int)((todo * 1000 + bw - 1) / bw);
		bool last = suspended;

		rc = xo_sim_delay(b, env, XO_SIM_DELAY_MIGRATE, err);
		if (rc == 0)
			rc = xo_sim_sleep(env, ms, err);
		if (rc < 0)
			goto fail;
		r.pages = todo;
		/* What the guest dirtied while this round was on the wire. */
		r.dirty = last || !running ? 0 : (uint64_t)rate * ms / 1000;
		if (r.dirty > total)
			r.dirty = total;
		rc = rec_send(env, fd, &r, err);
		if (rc < 0)
			goto fail;
		bytes += todo * PAGE + REC_LEN;
		progress(env, bytes, r.iteration, r.dirty);
		if (last)
			break;
		todo = r.dirty;
		if (todo < STOP_PAGES || r.iteration + 1 >= MAX_ROUNDS || r.dirty >= r.pages) {
			/* The last round: the guest stops while the rest goes. */
			rc = suspend_dom(b, domid, err);
			if (rc < 0)
				goto fail;
			suspended = true;
		}
	}
	rc = xo_sim_domain_info(b, domid, &info, err);
	if (rc < 0)
		goto fail;
	r.kind = REC_END;
	r.pages = 0;
	r.dirty = 0;
	r.memory = info.memory_actual;
	r.vcpus = info.vcpus_online ? info.vcpus_online : 1;
	r.cpu_time_ns = info.cpu_time_ns;
	snprintf(r.vm, sizeof(r.vm), "%s", cfg->id);
	rc = rec_send(env, fd, &r, err);
	if (rc < 0)
		goto fail;
	progress(env, bytes + REC_LEN, r.iteration, 0);
	return 0;
fail:
	/* As on Xen: a guest already shut down for suspend stays so; the
	 * engine resumes it (domain_resume). */
	return rc;
}

int xo_sim_domain_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, int *domid_out,
			  struct xo_error *err)
{
	uint8_t buf[REC_LEN];
	struct xo_sim_image img = { 0 };
	struct rec r;
	uint64_t bytes = 0;
	int rc;

	if (!cfg || fd < 0 || !domid_out)
		return xo_err(err, XENOPS_EINVAL, "domain_receive: no configuration or stream");
	for (;;) {
		rc = xo_fd_read_all(fd, buf, sizeof(buf), IDLE_MS, env_check_fn, env, err);
		if (rc < 0)
			return rc;
		rc = rec_decode(buf, &r, err);
		if (rc < 0)
			return rc;
		if (r.kind == REC_END)
			break;
		bytes += r.pages * PAGE + REC_LEN;
		progress(env, bytes, r.iteration, r.dirty);
	}
	if (strcmp(r.vm, cfg->id) != 0)
		return xo_err(err, XENOPS_EINVAL, "migration stream of VM %s, expected %s", r.vm,
			      cfg->id);
	snprintf(img.vm, sizeof(img.vm), "%s", r.vm);
	img.memory = r.memory;
	img.vcpus = r.vcpus;
	img.cpu_time_ns = r.cpu_time_ns;
	progress(env, bytes + REC_LEN, r.iteration, 0);
	return xo_sim_domain_from_image(b, cfg, &img, domid_out, err);
}
