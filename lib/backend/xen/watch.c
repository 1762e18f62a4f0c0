/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain-death detection that scales: one thread per backend watches
 * @releaseDomain and @introduceDomain on its own xenstore connection. A
 * burst of firings costs ONE xc_domain_getinfolist for every domain; the
 * result is diffed against the previous snapshot and domain_changed is
 * called only for the VMs whose domain appeared, changed state or went.
 * Waiters (shutdown.c) read the snapshot instead of asking Xen.
 *
 * Pause and unpause by another toolstack (xl pause) are announced nowhere
 * in Xen 4.17: VIRQ_DOM_EXC is raised only when a shutdown completes, on
 * domain_kill and on the final destroy, and that global vIRQ is bound by
 * xenstored alone; @introduceDomain/@releaseDomain fire only for those two
 * events. So a quiet watch rescans every XO_XEN_POLL_MS too (one
 * getinfolist), which reports such changes within that period plus one
 * rescan. Death and shutdown stay watch-driven.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

/* Rescan period of a quiet watch: changes no xenstore event announces. */
#define XO_XEN_POLL_MS 500

/* The flags whose change is a state change (not running/blocked, which flap). */
#define XO_XEN_STATE_FLAGS                                                    \
	(XEN_DOMINF_dying | XEN_DOMINF_shutdown | XEN_DOMINF_paused |         \
	 (XEN_DOMINF_shutdownmask << XEN_DOMINF_shutdownshift))

static const struct xo_xen_snap *snap_find(const struct xo_xen_snap *s, size_t n, int domid)
{
	size_t lo = 0, hi = n;

	/* Xen lists domains in domid order, so the snapshot is sorted. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid].domid == domid)
			return &s[mid];
		if (s[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool xo_xen_watch_lookup(struct xo_backend *b, int domid, uint32_t *flags_out)
{
	const struct xo_xen_snap *e;

	pthread_mutex_lock(&b->watch.lock);
	e = snap_find(b->watch.snap, b->watch.n_snap, domid);
	if (e)
		*flags_out = e->key;
	pthread_mutex_unlock(&b->watch.lock);
	return e != NULL;
}

static void note_apply(struct xo_xen_snap *snap, size_t n, const struct xo_xen_note *note)
{
	struct xo_xen_snap *e = (struct xo_xen_snap *)snap_find(snap, n, note->domid);

	if (e)
		e->key = (e->key & ~note->clear) | note->set;
}

void xo_xen_watch_note(struct xo_backend *b, int domid, uint32_t set, uint32_t clear)
{
	struct xo_xen_watch *w = &b->watch;
	struct xo_xen_note note = { .domid = domid, .set = set, .clear = clear };

	pthread_mutex_lock(&w->lock);
	note_apply(w->snap, w->n_snap, &note);
	/* Kept for a rescan in flight: its hypervisor query may predate our change. */
	w->notes[w->note_seq % XO_XEN_NOTES] = note;
	w->note_seq++;
	pthread_mutex_unlock(&w->lock);
}

/* Under the lock: replay onto @cur the notes made since @seq0. */
static void notes_replay(struct xo_xen_watch *w, struct xo_xen_snap *cur, size_t n,
			 uint64_t seq0)
{
	/* Too many to replay: at worst a spurious upcall, which is harmless. */
	if (w->note_seq - seq0 > XO_XEN_NOTES)
		seq0 = w->note_seq - XO_XEN_NOTES;
	for (uint64_t s = seq0; s < w->note_seq; s++)
		note_apply(cur, n, &w->notes[s % XO_XEN_NOTES]);
}

uint64_t xo_xen_watch_generation(struct xo_backend *b)
{
	uint64_t g;

	pthread_mutex_lock(&b->watch.lock);
	g = b->watch.generation;
	pthread_mutex_unlock(&b->watch.lock);
	return g;
}

/* The VMs to tell, collected under the lock and told after it. */
struct upcalls {
	char (*ids)[XO_ID_MAX + 1];
	size_t n;
};

static void upcall_add(struct upcalls *u, const char *vm_id)
{
	if (*vm_id)
		snprintf(u->ids[u->n++], XO_ID_MAX + 1, "%s", vm_id);
}

/*
 * Under the lock: compare @cur (fresh from Xen, our own pause/unpause
 * replayed onto it) with the current snapshot, carry the VM ids over, mark
 * the entries that changed or are new, and collect the VMs of domains gone.
 */
static void diff(struct xo_xen_watch *w, struct xo_xen_snap *cur, size_t n, struct upcalls *u)
{
	const struct xo_xen_snap *old = w->snap;
	size_t j = 0, n_old = w->n_snap;

	for (size_t i = 0; i < n; i++) {
		struct xo_xen_snap *e = &cur[i];

		while (j < n_old && old[j].domid < e->domid)
			upcall_add(u, old[j++].vm_id); /* gone */
		if (j < n_old && old[j].domid == e->domid) {
			memcpy(e->vm_id, old[j].vm_id, sizeof(e->vm_id));
			e->changed = old[j].key != e->key;
			j++;
		} else {
			e->is_new = true;
		}
	}
	while (j < n_old)
		upcall_add(u, old[j++].vm_id);
}

/*
 * Without the lock: map new domains (and changed ones seen before their
 * marker was written) to their VM; returns how many lookups were made.
 */
static unsigned int resolve(struct xo_backend *b, struct xo_xen_snap *cur, size_t n)
{
	unsigned int reads = 0;

	for (size_t i = 0; i < n; i++) {
		struct xo_xen_snap *e = &cur[i];

		if (e->domid == 0 || !(e->is_new || (e->changed && !e->vm_id[0])))
			continue;
		xo_xen_dom_vm_id(b, b->watch.xsh, e->domid, e->vm_id);
		reads++;
	}
	return reads;
}

static struct xo_xen_snap *snap_from_info(const xc_domaininfo_t *info, size_t n)
{
	struct xo_xen_snap *cur = calloc(n ? n : 1, sizeof(*cur));

	for (size_t i = 0; cur && i < n; i++) {
		cur[i].domid = (int)info[i].domain;
		cur[i].key = info[i].flags & XO_XEN_STATE_FLAGS;
	}
	return cur;
}

/* One rescan: one getinfolist, one diff, the upcalls. */
/* @released: the burst held an @releaseDomain event (for the counters). */
/* @periodic: no event, the poll period ran out (counted apart). */
static void rescan(struct xo_backend *b, bool initial, bool released, bool periodic)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	struct xo_xen_watch *w = &b->watch;
	xc_domaininfo_t *info = NULL;
	struct xo_xen_snap *cur = NULL, *old;
	struct upcalls u = { 0 };
	unsigned int calls = 0, reads;
	uint64_t seq0;
	size_t n = 0;

	pthread_mutex_lock(&w->lock);
	seq0 = w->note_seq;
	pthread_mutex_unlock(&w->lock);
	if (xo_xen_getinfo_all(b, &info, &n, &calls, err) < 0) {
		xo_log(&b->log, XENOPS_LOG_ERROR, "xen backend: watch: %s", err->msg);
		goto out;
	}
	cur = snap_from_info(info, n);
	pthread_mutex_lock(&w->lock);
	u.ids = calloc(n + w->n_snap + 1, sizeof(*u.ids));
	if (cur && u.ids) {
		/* Our own pause/unpause may postdate the query: not a change to report. */
		notes_replay(w, cur, n, seq0);
		diff(w, cur, n, &u);
	}
	pthread_mutex_unlock(&w->lock);
	if (!cur || !u.ids) {
		xo_log(&b->log, XENOPS_LOG_ERROR, "xen backend: watch: out of memory");
		goto out;
	}
	reads = resolve(b, cur, n);
	for (size_t i = 0; i < n && !initial; i++)
		if (cur[i].changed || cur[i].is_new)
			upcall_add(&u, cur[i].vm_id);
	pthread_mutex_lock(&w->lock);
	notes_replay(w, cur, n, seq0); /* idempotent: also those made while resolving */
	old = w->snap;
	w->snap = cur;
	w->n_snap = n;
	cur = old;
	w->generation++;
	if (periodic) {
		w->stats.periodic_rescans++;
		w->stats.periodic_changes += u.n ? 1 : 0;
	} else {
		w->stats.firings += initial ? 0 : 1;
		w->stats.getinfolist_calls += calls;
	}
	if (released) {
		w->stats.release_rescans++;
		w->stats.release_getinfolist_calls += calls;
	}
	w->stats.upcalls += u.n;
	w->stats.marker_reads += reads;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (size_t i = 0; i < u.n && b->events.domain_changed; i++)
		b->events.domain_changed(b->events.opaque, u.ids[i]);
out:
	free(u.ids);
	free(cur);
	free(info);
}

/* Read every queued event; returns how many there were, *released_out of @releaseDomain. */
static unsigned int drain(struct xo_backend *b, unsigned int *released_out)
{
	unsigned int n = 0, released = 0;
	char **ev;

	while ((ev = xs_check_watch(b->watch.xsh)) != NULL) {
		if (strcmp(ev[XS_WATCH_TOKEN], "xo-release") == 0)
			released++;
		free(ev);
		n++;
	}
	pthread_mutex_lock(&b->watch.lock);
	b->watch.stats.events += n;
	b->watch.stats.release_events += released;
	pthread_mutex_unlock(&b->watch.lock);
	*released_out = released;
	if (errno != EAGAIN)
		xo_log(&b->log, XENOPS_LOG_WARNING, "xen backend: watch: xs_check_watch: %s",
		       strerror(errno));
	return n;
}

static void *watch_main(void *arg)
{
	struct xo_backend *b = arg;
	struct pollfd fds[2] = {
		{ .fd = xs_fileno(b->watch.xsh), .events = POLLIN },
		{ .fd = b->watch.stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		unsigned int n, released;
		int r = poll(fds, 2, XO_XEN_POLL_MS);

		if (r == 0) {
			rescan(b, false, false, true);
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			xo_log(&b->log, XENOPS_LOG_ERROR, "xen backend: watch: poll: %s",
			       strerror(errno));
			break;
		}
		if (fds[1].revents)
			break;
		n = drain(b, &released);
		if (n)
			rescan(b, false, released > 0, false);
	}
	return NULL;
}

static int watch_connect(struct xo_backend *b, struct xo_error *err)
{
	struct xo_xen_watch *w = &b->watch;

	w->xsh = xs_open(0);
	if (!w->xsh)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: watch: xs_open: %s",
			      strerror(errno));
	if (!xs_watch(w->xsh, "@releaseDomain", "xo-release") ||
	    !xs_watch(w->xsh, "@introduceDomain", "xo-introduce"))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: watch: xs_watch: %s",
			      strerror(errno));
	if (pipe2(w->stop_pipe, O_CLOEXEC) < 0)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: watch: pipe: %s",
			      strerror(errno));
	return 0;
}

void xo_xen_watch_init(struct xo_backend *b)
{
	struct xo_xen_watch *w = &b->watch;

	w->stop_pipe[0] = w->stop_pipe[1] = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
}

int xo_xen_watch_start(struct xo_backend *b, struct xo_error *err)
{
	struct xo_xen_watch *w = &b->watch;
	sigset_t all, saved;
	int rc;

	rc = watch_connect(b, err);
	if (rc < 0)
		return rc;
	/* The first snapshot: later firings are diffed against it, without upcalls. */
	rescan(b, true, false, false);
	/* The application's signal handlers must not run on our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = pthread_create(&w->thread, NULL, watch_main, b);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != 0)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: watch: pthread_create: %s",
			      strerror(rc));
	w->running = true;
	return 0;
}

void xo_xen_watch_stop(struct xo_backend *b)
{
	struct xo_xen_watch *w = &b->watch;

	if (w->running) {
		ssize_t r = write(w->stop_pipe[1], "x", 1);

		(void)r;
		pthread_join(w->thread, NULL);
		w->running = false;
	}
	if (w->xsh)
		xs_close(w->xsh);
	w->xsh = NULL;
	for (int i = 0; i < 2; i++)
		if (w->stop_pipe[i] >= 0)
			close(w->stop_pipe[i]);
	w->stop_pipe[0] = w->stop_pipe[1] = -1;
	free(w->snap);
	w->snap = NULL;
	w->n_snap = 0;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}
