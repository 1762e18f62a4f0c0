/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The update stream and event-loop integration: tokens, coalescing,
 * tombstones, barriers, resync across instances, blocking gets, a consumer
 * that follows tokens to the final state, the pollable fd and dispatch.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "testutil.h"

static xenops_ctx *ctx;

static void setup(void)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;

	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
}

static void teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
}

static void define_vm(const char *id)
{
	char cfg[128];

	snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"memory_mib\": 64}", id);
	ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), 0);
}

/* Fetch a batch and keep its next token. */
static xenops_updates *get(const char *from, int timeout_ms, char *next, size_t len)
{
	xenops_updates *u = NULL;

	ck_assert_int_eq(xenops_updates_get(&u, ctx, from, timeout_ms), 0);
	snprintf(next, len, "%s", xenops_updates_next(u));
	return u;
}

static int find(const xenops_updates *u, int kind, const char *id, int *deleted)
{
	for (size_t i = 0; i < xenops_updates_count(u); i++) {
		const char *iid;
		int k, d;

		ck_assert_int_eq(xenops_updates_item(&k, NULL, &iid, &d, u, i), 0);
		if (k == kind && !strcmp(iid, id)) {
			if (deleted)
				*deleted = d;
			return (int)i;
		}
	}
	return -1;
}

START_TEST(resync_returns_every_live_object)
{
	xenops_updates *u;
	char next[64];
	const char *vm;
	int kind;

	define_vm("a");
	define_vm("b");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "a", "{\"device\": \"xvda\", \"backend\": \"file:/x\"}", 0), 0);
	u = get(NULL, 0, next, sizeof(next));
	ck_assert_uint_eq(xenops_updates_count(u), 3);
	ck_assert_int_ge(find(u, XENOPS_KIND_VM, "a", NULL), 0);
	ck_assert_int_ge(find(u, XENOPS_KIND_VM, "b", NULL), 0);
	int i = find(u, XENOPS_KIND_VBD, "xvda", NULL);

	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(xenops_updates_item(&kind, &vm, NULL, NULL, u, (size_t)i), 0);
	ck_assert_str_eq(vm, "a");
	ck_assert_int_eq(xenops_updates_item(NULL, NULL, NULL, NULL, u, 3), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(next, xenops_ctx_instance(ctx)));
	xenops_updates_free(u);
}
END_TEST

START_TEST(changes_after_a_token_coalesced_oldest_first)
{
	xenops_updates *u;
	char t0[64], t1[64];

	define_vm("a");
	define_vm("b");
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "a", XENOPS_WAIT), 0);
	u = get(NULL, 0, t0, sizeof(t0));
	xenops_updates_free(u);
	/* Nothing new: an empty batch, the same token back. */
	u = get(t0, 0, t1, sizeof(t1));
	ck_assert_uint_eq(xenops_updates_count(u), 0);
	ck_assert_str_eq(t0, t1);
	xenops_updates_free(u);

	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(xenops_vm_pause(NULL, ctx, "a", XENOPS_WAIT), 0);
		ck_assert_int_eq(xenops_vm_unpause(NULL, ctx, "a", XENOPS_WAIT), 0);
	}
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "b", XENOPS_WAIT), 0);
	u = get(t0, 0, t1, sizeof(t1));
	/* VM a changed 20 times but appears once, and before b. */
	int ia = find(u, XENOPS_KIND_VM, "a", NULL), ib = find(u, XENOPS_KIND_VM, "b", NULL);

	ck_assert_int_ge(ia, 0);
	ck_assert_int_gt(ib, ia);
	for (size_t i = 0; i < xenops_updates_count(u); i++) {
		const char *id;
		int kind;

		xenops_updates_item(&kind, NULL, &id, NULL, u, i);
		if (kind == XENOPS_KIND_VM && !strcmp(id, "a"))
			ck_assert_int_eq((int)i, ia);
	}
	ck_assert_str_ne(t0, t1);
	xenops_updates_free(u);
}
END_TEST

START_TEST(removed_objects_are_tombstones)
{
	xenops_updates *u;
	char t0[64], t1[64];
	int deleted = 0;

	define_vm("gone");
	ck_assert_int_eq(xenops_vif_add(NULL, ctx, "gone", "{}", 0), 0);
	u = get(NULL, 0, t0, sizeof(t0));
	xenops_updates_free(u);
	ck_assert_int_eq(xenops_vm_remove(ctx, "gone", 0), 0);
	u = get(t0, 0, t1, sizeof(t1));
	ck_assert_int_ge(find(u, XENOPS_KIND_VM, "gone", &deleted), 0);
	ck_assert_int_eq(deleted, 1);
	ck_assert_int_ge(find(u, XENOPS_KIND_VIF, "0", &deleted), 0);
	ck_assert_int_eq(deleted, 1);
	xenops_updates_free(u);
	/* A resync shows only what exists. */
	u = get(NULL, 0, t1, sizeof(t1));
	ck_assert_int_eq(find(u, XENOPS_KIND_VM, "gone", NULL), -1);
	xenops_updates_free(u);
}
END_TEST

START_TEST(bad_and_stale_tokens)
{
	xenops_updates *u = NULL;
	char t0[64], other[64];
	xenops_ctx *ctx2 = NULL;
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;

	define_vm("a");
	u = get(NULL, 0, t0, sizeof(t0));
	xenops_updates_free(u);
	ck_assert_int_eq(xenops_updates_get(&u, ctx, "garbage", 0), XENOPS_EINVAL);
	ck_assert_ptr_null(u);
	ck_assert_int_eq(xenops_updates_get(&u, ctx, "abc:def", 0), XENOPS_EINVAL);
	ck_assert_int_eq(xenops_updates_get(&u, ctx, ":5", 0), XENOPS_EINVAL);
	/* A token of another instance (as after a restart) asks for a resync. */
	o.backend = "sim";
	ck_assert_int_eq(xenops_ctx_new(&ctx2, &o), 0);
	ck_assert_int_eq(xenops_updates_get(&u, ctx2, NULL, 0), 0);
	snprintf(other, sizeof(other), "%s", xenops_updates_next(u));
	xenops_updates_free(u);
	ck_assert_int_eq(xenops_updates_get(&u, ctx, other, 0), XENOPS_ERESYNC);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "another instance"));
	ck_assert_int_eq(xenops_updates_get(&u, ctx2, t0, 0), XENOPS_ERESYNC);
	xenops_ctx_unref(ctx2);
	/* A token from the future of this instance is stale too. */
	snprintf(other, sizeof(other), "%s:999999999", xenops_ctx_instance(ctx));
	ck_assert_int_eq(xenops_updates_get(&u, ctx, other, 0), XENOPS_ERESYNC);
}
END_TEST

START_TEST(too_old_token_after_many_deletions)
{
	xenops_updates *u;
	char t0[64];

	u = get(NULL, 0, t0, sizeof(t0));
	xenops_updates_free(u);
	/* Far more deletions than tombstones are kept. */
	for (int i = 0; i < 5000; i++) {
		char id[32];

		snprintf(id, sizeof(id), "v%d", i);
		define_vm(id);
		ck_assert_int_eq(xenops_vm_remove(ctx, id, 0), 0);
	}
	ck_assert_int_eq(xenops_updates_get(&u, ctx, t0, 0), XENOPS_ERESYNC);
	ck_assert_ptr_nonnull(strstr(xenops_last_error_message(), "too old"));
}
END_TEST

struct waiter {
	char token[64];
	int rc;
	size_t count;
};

static void *blocked_get(void *arg)
{
	struct waiter *w = arg;
	xenops_updates *u = NULL;

	w->rc = xenops_updates_get(&u, ctx, w->token, 20000);
	w->count = xenops_updates_count(u);
	xenops_updates_free(u);
	return NULL;
}

START_TEST(blocking_get_wakes_on_change)
{
	struct waiter w = { .rc = 1 };
	xenops_updates *u;
	pthread_t th;

	define_vm("a");
	u = get(NULL, 0, w.token, sizeof(w.token));
	xenops_updates_free(u);
	pthread_create(&th, NULL, blocked_get, &w);
	usleep(50000);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "a", 0), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_uint_gt(w.count, 0);
}
END_TEST

START_TEST(blocking_get_times_out_empty)
{
	xenops_updates *u;
	char t0[64], t1[64];

	define_vm("a");
	u = get(NULL, 0, t0, sizeof(t0));
	xenops_updates_free(u);
	u = get(t0, 50, t1, sizeof(t1));
	ck_assert_uint_eq(xenops_updates_count(u), 0);
	ck_assert_str_eq(t0, t1);
	xenops_updates_free(u);
}
END_TEST

START_TEST(barriers_come_first)
{
	xenops_updates *u;
	char t0[64], t1[64];
	uint64_t b1 = 0, b2 = 0, id;
	const char *vm;

	define_vm("a");
	define_vm("b");
	u = get(NULL, 0, t0, sizeof(t0));
	ck_assert_uint_eq(xenops_updates_barrier_count(u), 0);
	xenops_updates_free(u);
	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "a", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_updates_inject_barrier(&b1, ctx, "a"), 0);
	ck_assert_int_eq(xenops_updates_inject_barrier(&b2, ctx, "b"), 0);
	ck_assert_uint_ne(b1, b2);
	u = get(t0, 0, t1, sizeof(t1));
	ck_assert_uint_eq(xenops_updates_barrier_count(u), 2);
	ck_assert_int_eq(xenops_updates_barrier(&id, &vm, u, 0), 0);
	ck_assert_uint_eq(id, b1);
	ck_assert_str_eq(vm, "a");
	ck_assert_int_eq(xenops_updates_barrier(&id, &vm, u, 1), 0);
	ck_assert_uint_eq(id, b2);
	ck_assert_int_eq(xenops_updates_barrier(&id, &vm, u, 2), XENOPS_EINVAL);
	/* The VM's change made before the barrier is in the same batch. */
	ck_assert_int_ge(find(u, XENOPS_KIND_VM, "a", NULL), 0);
	xenops_updates_free(u);
	/* Once seen, a barrier is not returned again. */
	u = get(t1, 0, t0, sizeof(t0));
	ck_assert_uint_eq(xenops_updates_barrier_count(u), 0);
	xenops_updates_free(u);
}
END_TEST

#define NFOLLOW 100

static volatile int churn_done;

static void *churn(void *arg)
{
	(void)arg;
	for (int i = 0; i < NFOLLOW; i++) {
		char id[16];

		snprintf(id, sizeof(id), "f%d", i);
		xenops_vm_start(NULL, ctx, id, 0);
		xenops_vm_pause(NULL, ctx, id, 0);
		xenops_vm_unpause(NULL, ctx, id, 0);
		xenops_vm_shutdown(NULL, ctx, id, 10, 0);
	}
	__atomic_store_n(&churn_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Read the state of every VM in the batch, as a consumer would. */
static size_t consume(xenops_updates *u, int *seen)
{
	size_t n = xenops_updates_count(u);

	for (size_t i = 0; i < n; i++) {
		const char *id;
		int kind, k, st;

		ck_assert_int_eq(xenops_updates_item(&kind, NULL, &id, NULL, u, i), 0);
		if (kind == XENOPS_KIND_VM && sscanf(id, "f%d", &k) == 1 &&
		    xenops_vm_get_power_state(&st, NULL, ctx, id) == 0)
			seen[k] = st;
	}
	return n;
}

/*
 * A consumer that follows tokens, reading each changed object's state,
 * ends up with every object's final state, whatever it skipped between.
 */
START_TEST(consumer_sees_every_final_state)
{
	int seen[NFOLLOW];
	xenops_updates *u;
	char token[64];
	pthread_t th;

	for (int i = 0; i < NFOLLOW; i++) {
		char id[16];

		snprintf(id, sizeof(id), "f%d", i);
		define_vm(id);
		seen[i] = -1;
	}
	ck_assert_int_eq(xenops_debug_set(ctx, "sim.delay", "1"), 0);
	u = get(NULL, 0, token, sizeof(token));
	xenops_updates_free(u);
	churn_done = 0;
	pthread_create(&th, NULL, churn, NULL);
	/* Follow until the churn is over and nothing changed for 300 ms. */
	for (int round = 0; round < 100000; round++) {
		size_t n;

		u = get(token, 300, token, sizeof(token));
		n = consume(u, seen);
		xenops_updates_free(u);
		if (!n && __atomic_load_n(&churn_done, __ATOMIC_SEQ_CST))
			break;
	}
	pthread_join(th, NULL);
	for (int i = 0; i < NFOLLOW; i++) {
		char id[16];
		int st;

		snprintf(id, sizeof(id), "f%d", i);
		ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, id), 0);
		ck_assert_int_eq(st, XENOPS_POWER_HALTED);
		ck_assert_msg(seen[i] == st, "consumer saw f%d as %d, truth %d", i, seen[i], st);
	}
}
END_TEST

struct events {
	int vm, vbd, task, deleted;
	char last_vm[64];
};

static void on_event(xenops_ctx *c, const xenops_event *ev, void *ud)
{
	struct events *e = ud;

	ck_assert_ptr_eq(c, ctx);
	ck_assert_uint_ge(ev->version, 1);
	if (ev->kind == XENOPS_KIND_VM) {
		e->vm++;
		snprintf(e->last_vm, sizeof(e->last_vm), "%s", ev->id);
	} else if (ev->kind == XENOPS_KIND_VBD) {
		e->vbd++;
		ck_assert_str_eq(ev->vm, "a");
	} else if (ev->kind == XENOPS_KIND_TASK) {
		e->task++;
	}
	e->deleted += ev->deleted;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

START_TEST(fd_and_dispatch)
{
	struct events all = { 0 }, vms = { 0 };
	uint64_t w_all, w_vms;
	int fd = xenops_ctx_get_fd(ctx);

	ck_assert_int_ge(fd, 0);
	define_vm("before"); /* happened before subscribing: not delivered */
	ck_assert_int_eq(xenops_ctx_subscribe(&w_all, ctx, 0, on_event, &all), 0);
	ck_assert_int_eq(xenops_ctx_subscribe(&w_vms, ctx, 1u << XENOPS_KIND_VM, on_event, &vms), 0);
	ck_assert_int_eq(xenops_ctx_subscribe(NULL, ctx, 1u << 30, on_event, &vms), XENOPS_EINVAL);
	ck_assert(!readable(fd, 0));
	ck_assert_int_eq(xenops_ctx_dispatch(ctx), 0);

	define_vm("a");
	ck_assert_int_eq(xenops_vbd_add(NULL, ctx, "a", "{\"device\": \"xvda\", \"backend\": \"file:/x\"}", 0), 0);
	ck_assert(readable(fd, 1000));
	ck_assert_int_gt(xenops_ctx_dispatch(ctx), 0);
	ck_assert(!readable(fd, 0)); /* dispatch drained it */
	ck_assert_int_eq(all.vm, 1);
	ck_assert_str_eq(all.last_vm, "a");
	ck_assert_int_eq(all.vbd, 1);
	ck_assert_int_eq(vms.vm, 1);
	ck_assert_int_eq(vms.vbd, 0); /* masked out */

	ck_assert_int_eq(xenops_vm_start(NULL, ctx, "a", XENOPS_WAIT), 0);
	ck_assert(readable(fd, 1000));
	ck_assert_int_gt(xenops_ctx_dispatch(ctx), 0);
	ck_assert_int_gt(all.task, 0);
	ck_assert_int_eq(vms.task, 0);

	ck_assert_int_eq(xenops_ctx_unsubscribe(ctx, w_vms), 0);
	ck_assert_int_eq(xenops_ctx_unsubscribe(ctx, w_vms), XENOPS_ENOTFOUND);
	int before = vms.vm;

	ck_assert_int_eq(xenops_vm_destroy(NULL, ctx, "a", XENOPS_WAIT), 0);
	ck_assert_int_eq(xenops_vm_remove(ctx, "a", 0), 0);
	ck_assert(readable(fd, 1000));
	ck_assert_int_gt(xenops_ctx_dispatch(ctx), 0);
	ck_assert_int_eq(vms.vm, before);
	ck_assert_int_ge(all.deleted, 2); /* the VM and its VBD */
	ck_assert_int_eq(xenops_ctx_unsubscribe(ctx, w_all), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("updates");
	TCase *tc = tcase_create("updates");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, resync_returns_every_live_object);
	tcase_add_test(tc, changes_after_a_token_coalesced_oldest_first);
	tcase_add_test(tc, removed_objects_are_tombstones);
	tcase_add_test(tc, bad_and_stale_tokens);
	tcase_add_test(tc, too_old_token_after_many_deletions);
	tcase_add_test(tc, blocking_get_wakes_on_change);
	tcase_add_test(tc, blocking_get_times_out_empty);
	tcase_add_test(tc, barriers_come_first);
	tcase_add_test(tc, consumer_sees_every_final_state);
	tcase_add_test(tc, fd_and_dispatch);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
