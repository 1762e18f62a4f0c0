/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scale: 1,000 VMs started and shut down in parallel; every task completes
 * and every VM ends halted. (Speed is the benchmark's business, not this.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenops/xenops.h>

#include "testutil.h"

#define NVMS 1000

static void wait_all(xenops_ctx *ctx, char **tasks, const char *what)
{
	for (int i = 0; i < NVMS; i++) {
		int state = -1, err = 0;

		ck_assert_int_eq(xenops_task_wait(ctx, tasks[i], 120000), 0);
		ck_assert_int_eq(xenops_task_get_state(&state, NULL, &err, ctx, tasks[i]), 0);
		ck_assert_msg(state == XENOPS_TASK_COMPLETED, "%s of VM %d ended %s (%s)", what, i,
			      xenops_task_state_name(state), xenops_strerror_name(err));
		ck_assert_int_eq(xenops_task_destroy(ctx, tasks[i]), 0);
		xenops_free(tasks[i]);
		tasks[i] = NULL;
	}
}

START_TEST(thousand_vms_in_parallel)
{
	xenops_ctx_options o = XENOPS_CTX_OPTIONS_INIT;
	static char *tasks[NVMS];
	xenops_ctx *ctx = NULL;
	char **ids = NULL;
	size_t n = 0;

	o.backend = "sim";
	o.workers = 16;
	ck_assert_int_eq(xenops_ctx_new(&ctx, &o), 0);
	for (int i = 0; i < NVMS; i++) {
		char cfg[128];

		char id[16];

		snprintf(id, sizeof(id), "vm%04d", i);
		snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"memory_mib\": 16}", id);
		ck_assert_int_eq(xenops_vm_add(NULL, ctx, cfg, 0), 0);
		ck_assert_int_eq(xenops_vbd_add(NULL, ctx, id, "{\"device\": \"xvda\", \"backend\": \"file:/img\"}", 0), 0);
	}
	for (int i = 0; i < NVMS; i++) {
		char id[16];

		snprintf(id, sizeof(id), "vm%04d", i);
		ck_assert_int_eq(xenops_vm_start(&tasks[i], ctx, id, 0), 0);
	}
	wait_all(ctx, tasks, "start");
	for (int i = 0; i < NVMS; i++) {
		char id[16];
		int st;

		snprintf(id, sizeof(id), "vm%04d", i);
		ck_assert_int_eq(xenops_vm_get_power_state(&st, NULL, ctx, id), 0);
		ck_assert_int_eq(st, XENOPS_POWER_RUNNING);
		ck_assert_int_eq(xenops_vm_shutdown(&tasks[i], ctx, id, 30, 0), 0);
	}
	wait_all(ctx, tasks, "shutdown");
	ck_assert_int_eq(xenops_vm_list(&ids, &n, ctx), 0);
	ck_assert_uint_eq(n, NVMS);
	for (size_t i = 0; i < n; i++) {
		int st = -1, domid = 0;

		ck_assert_int_eq(xenops_vm_get_power_state(&st, &domid, ctx, ids[i]), 0);
		ck_assert_int_eq(st, XENOPS_POWER_HALTED);
		ck_assert_int_eq(domid, -1);
	}
	xenops_strv_free(ids);
	xenops_ctx_unref(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = tcase_create("scale");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, thousand_vms_in_parallel);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
