/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The update log: every object has a node in a list kept in change order,
 * so a change moves the node to the tail and a get walks back from the
 * tail only as far as the caller's token (coalesced per object, O(changes)).
 * Deleted objects leave tombstones, bounded in number; barriers; tokens
 * carry the instance epoch. Also the pollable fd and dispatch to
 * subscribers, which read the same log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_int.h"

void xo_updates_init(struct xo_engine *e)
{
	uint64_t r = 0;

	/* The epoch only needs to differ between instances, not be secret. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ xo_now_ms();
	snprintf(e->epoch, sizeof(e->epoch), "%016" PRIx64, r);
}

void xo_updates_fini(struct xo_engine *e)
{
	struct xo_unode *n = e->uhead, *next;

	for (; n; n = next) {
		next = n->next;
		free(n);
	}
	e->uhead = e->utail = NULL;
	free(e->barriers);
	e->barriers = NULL;
}

static void list_unlink(struct xo_engine *e, struct xo_unode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		e->uhead = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		e->utail = n->prev;
	n->prev = n->next = NULL;
}

static void list_append(struct xo_engine *e, struct xo_unode *n)
{
	n->prev = e->utail;
	n->next = NULL;
	if (e->utail)
		e->utail->next = n;
	else
		e->uhead = n;
	e->utail = n;
}

/* Something changed: wake long-polls and make the fd readable. */
static void log_advanced_locked(struct xo_engine *e)
{
	pthread_cond_broadcast(&e->upd_cond);
	if (e->subs && !e->evfd_armed) {
		uint64_t one = 1;

		if (write(e->evfd, &one, sizeof(one)) == sizeof(one))
			e->evfd_armed = true;
	}
}

struct xo_unode *xo_unode_new_locked(struct xo_engine *e, int kind, const char *vm, const char *id)
{
	size_t ilen = strlen(id), vlen = vm ? strlen(vm) : 0;
	struct xo_unode *n = calloc(1, sizeof(*n) + ilen + 1 + (vm ? vlen + 1 : 0));

	if (!n)
		return NULL;
	memcpy(n->id, id, ilen + 1);
	if (vm) {
		n->vm = n->id + ilen + 1;
		memcpy(n->vm, vm, vlen + 1);
	}
	n->kind = kind;
	n->seq = ++e->seq;
	list_append(e, n);
	log_advanced_locked(e);
	return n;
}

void xo_unode_touch_locked(struct xo_engine *e, struct xo_unode *n)
{
	if (!n)
		return;
	n->seq = ++e->seq;
	if (e->utail != n) {
		list_unlink(e, n);
		list_append(e, n);
	}
	log_advanced_locked(e);
}

/*
 * Keep tombstones bounded: drop the oldest, and remember how far back
 * tokens may still be answered without a resync. Tombstones have a FIFO
 * of their own, so this never walks past the live objects.
 */
static void trim_tombstones_locked(struct xo_engine *e)
{
	while (e->ntombs > XO_MAX_TOMBSTONES && e->thead) {
		struct xo_unode *n = e->thead;

		e->thead = n->tnext;
		if (!e->thead)
			e->ttail = NULL;
		if (n->seq > e->horizon)
			e->horizon = n->seq;
		list_unlink(e, n);
		free(n);
		e->ntombs--;
	}
}

void xo_unode_delete_locked(struct xo_engine *e, struct xo_unode *n)
{
	if (!n)
		return;
	n->deleted = true;
	n->tnext = NULL;
	if (e->ttail)
		e->ttail->tnext = n;
	else
		e->thead = n;
	e->ttail = n;
	e->ntombs++;
	xo_unode_touch_locked(e, n);
	trim_tombstones_locked(e);
}

/* ---- tokens: "<epoch>:<seq>" ---- */

static int token_parse(struct xo_engine *e, const char *token, uint64_t *seq, struct xo_error *err)
{
	const char *colon = strchr(token, ':');
	char *end;
	unsigned long long v;

	if (!colon || colon == token || strlen(token) > 64)
		return xo_err(err, XENOPS_EINVAL, "token: malformed update token \"%.64s\"", token);
	errno = 0;
	v = strtoull(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1)
		return xo_err(err, XENOPS_EINVAL, "token: malformed update token \"%.64s\"", token);
	if ((size_t)(colon - token) != strlen(e->epoch) || strncmp(token, e->epoch, (size_t)(colon - token)))
		return xo_err(err, XENOPS_ERESYNC,
			      "token: from another instance (the library restarted); get again from null");
	*seq = v;
	return 0;
}

void xo_updates_free(struct xenops_updates *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->items[i].vm);
		free(u->items[i].id);
	}
	for (size_t i = 0; i < u->nbarriers; i++)
		free(u->barriers[i].vm);
	free(u->items);
	free(u->barriers);
	free(u);
}

static int collect_barriers_locked(struct xo_engine *e, uint64_t from, struct xenops_updates *u)
{
	size_t n = 0;

	if (!e->nbarriers)
		return 0;
	u->barriers = calloc(e->nbarriers, sizeof(*u->barriers));
	if (!u->barriers)
		return XENOPS_ENOMEM;
	/* The ring holds them oldest first starting at barrier_pos once full. */
	for (size_t k = 0; k < e->nbarriers; k++) {
		size_t i = e->nbarriers < XO_MAX_BARRIERS ? k : (e->barrier_pos + k) % XO_MAX_BARRIERS;
		struct xo_barrier *b = &e->barriers[i];

		if (b->seq <= from)
			continue;
		u->barriers[n].id = b->id;
		u->barriers[n].vm = strdup(b->vm);
		if (!u->barriers[n].vm)
			return XENOPS_ENOMEM;
		u->nbarriers = ++n;
	}
	return 0;
}

static int collect_items_locked(struct xo_engine *e, uint64_t from, bool resync,
				struct xenops_updates *u)
{
	struct xo_unode *n = e->utail, *first = NULL;
	size_t count = 0, i = 0;

	/* Walk back to the oldest change after the token. */
	for (; n && n->seq > from; n = n->prev) {
		if (resync && n->deleted)
			continue;
		first = n;
		count++;
	}
	if (!count)
		return 0;
	u->items = calloc(count, sizeof(*u->items));
	if (!u->items)
		return XENOPS_ENOMEM;
	for (n = first; n; n = n->next) {
		struct xo_update_item *it;

		if (resync && n->deleted)
			continue;
		it = &u->items[i++];
		it->kind = n->kind;
		it->deleted = n->deleted;
		it->id = strdup(n->id);
		it->vm = n->vm ? strdup(n->vm) : NULL;
		u->n = i;
		if (!it->id || (n->vm && !it->vm))
			return XENOPS_ENOMEM;
	}
	return 0;
}

int xo_engine_updates_get(struct xo_engine *e, const char *token, int timeout_ms,
			  struct xenops_updates **out, struct xo_error *err)
{
	struct xenops_updates *u;
	uint64_t from = 0;
	struct timespec ts;
	int rc;

	if (token) {
		rc = token_parse(e, token, &from, err);
		if (rc < 0)
			return rc;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (timeout_ms > 0)
		xo_deadline(&ts, (unsigned int)timeout_ms);
	xo_engine_lock(e);
	if (token && from > e->seq) {
		xo_engine_unlock(e);
		free(u);
		return xo_err(err, XENOPS_ERESYNC,
			      "token: ahead of this instance; get again from null");
	}
	if (token && from < e->horizon) {
		xo_engine_unlock(e);
		free(u);
		return xo_err(err, XENOPS_ERESYNC,
			      "token: too old, deletions since were forgotten; get again from null");
	}
	/* Only a caller holding a token waits: null means "everything now". */
	while (token && e->seq <= from && timeout_ms != 0 && !e->stopping) {
		if (timeout_ms < 0)
			pthread_cond_wait(&e->upd_cond, &e->lock);
		else if (pthread_cond_timedwait(&e->upd_cond, &e->lock, &ts))
			break;
	}
	rc = collect_barriers_locked(e, from, u);
	if (rc == 0)
		rc = collect_items_locked(e, from, !token, u);
	snprintf(u->next, sizeof(u->next), "%s:%" PRIu64, e->epoch, e->seq);
	xo_engine_unlock(e);
	if (rc < 0) {
		xo_updates_free(u);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	*out = u;
	return 0;
}

int xo_engine_inject_barrier(struct xo_engine *e, const char *vm, uint64_t *id_out,
			     struct xo_error *err)
{
	struct xo_barrier *b;

	xo_engine_lock(e);
	if (!xo_vm_find(e, vm)) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOTFOUND, "no VM \"%s\"", vm);
	}
	if (!e->barriers) {
		e->barriers = calloc(XO_MAX_BARRIERS, sizeof(*e->barriers));
		if (!e->barriers) {
			xo_engine_unlock(e);
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	if (e->nbarriers < XO_MAX_BARRIERS) {
		b = &e->barriers[e->nbarriers++];
	} else {
		b = &e->barriers[e->barrier_pos];
		e->barrier_pos = (e->barrier_pos + 1) % XO_MAX_BARRIERS;
	}
	b->id = ++e->next_barrier;
	b->seq = ++e->seq;
	snprintf(b->vm, sizeof(b->vm), "%s", vm);
	if (id_out)
		*id_out = b->id;
	log_advanced_locked(e);
	xo_engine_unlock(e);
	return 0;
}

/* ---- event-loop integration ---- */

int xo_engine_subscribe(struct xo_engine *e, unsigned int mask, xenops_event_fn fn, void *ud,
			uint64_t *watch_out, struct xo_error *err)
{
	struct xo_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	s->mask = mask;
	s->fn = fn;
	s->ud = ud;
	xo_engine_lock(e);
	s->id = ++e->next_sub;
	s->since = e->seq;
	if (!e->subs)
		e->dispatch_seq = e->seq;
	s->next = e->subs;
	e->subs = s;
	xo_engine_unlock(e);
	if (watch_out)
		*watch_out = s->id;
	return 0;
}

int xo_engine_unsubscribe(struct xo_engine *e, uint64_t watch, struct xo_error *err)
{
	struct xo_sub **pp, *s = NULL;

	xo_engine_lock(e);
	for (pp = &e->subs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == watch) {
			s = *pp;
			*pp = s->next;
			break;
		}
	xo_engine_unlock(e);
	if (!s)
		return xo_err(err, XENOPS_ENOTFOUND, "no subscription %" PRIu64, watch);
	free(s);
	return 0;
}

int xo_engine_fd(struct xo_engine *e)
{
	return e->evfd;
}

struct dispatch_item {
	struct xenops_event ev;
	uint64_t seq;
};

/* Copy the subscribers so callbacks may (un)subscribe while we deliver. */
static struct xo_sub *subs_snapshot_locked(struct xo_engine *e, size_t *n)
{
	struct xo_sub *copy;
	size_t k = 0;

	for (struct xo_sub *s = e->subs; s; s = s->next)
		k++;
	copy = k ? calloc(k, sizeof(*copy)) : NULL;
	if (!copy) {
		*n = 0;
		return NULL;
	}
	k = 0;
	for (struct xo_sub *s = e->subs; s; s = s->next)
		copy[k++] = *s;
	*n = k;
	return copy;
}

int xo_engine_dispatch(struct xo_engine *e, xenops_ctx *ctx, struct xo_error *err)
{
	struct xo_unode *n, *first = NULL;
	struct dispatch_item *items = NULL;
	struct xo_sub *subs;
	size_t count = 0, nsubs, i = 0;
	uint64_t drain;
	int delivered = 0;

	xo_engine_lock(e);
	if (read(e->evfd, &drain, sizeof(drain)) < 0 && errno != EAGAIN) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_EIO, "event fd: %s", strerror(errno));
	}
	e->evfd_armed = false;
	for (n = e->utail; n && n->seq > e->dispatch_seq; n = n->prev) {
		first = n;
		count++;
	}
	if (count)
		items = calloc(count, sizeof(*items));
	for (n = first; n && items; n = n->next) {
		struct dispatch_item *it = &items[i++];

		it->ev.version = 1;
		it->ev.kind = n->kind;
		it->ev.deleted = n->deleted;
		it->seq = n->seq;
		it->ev.id = strdup(n->id);
		it->ev.vm = n->vm ? strdup(n->vm) : NULL;
	}
	if (count && !items) {
		xo_engine_unlock(e);
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	}
	e->dispatch_seq = e->seq;
	subs = subs_snapshot_locked(e, &nsubs);
	xo_engine_unlock(e);

	for (i = 0; i < count; i++) {
		struct dispatch_item *it = &items[i];

		for (size_t k = 0; k < nsubs && it->ev.id; k++) {
			struct xo_sub *s = &subs[k];

			if (it->seq <= s->since || (s->mask && !(s->mask & (1u << it->ev.kind))))
				continue;
			s->fn(ctx, &it->ev, s->ud);
			delivered++;
		}
		free((char *)it->ev.id);
		free((char *)it->ev.vm);
	}
	free(items);
	free(subs);
	return delivered;
}
