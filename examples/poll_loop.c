/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poll_loop: follow the library's events from an application's own event
 * loop. The library's fd goes into poll() with the application's other
 * fds; when it is readable, xenops_ctx_dispatch() runs the callbacks here,
 * on this thread. Three VMs are started and shut down meanwhile; the loop
 * ends when every VM is halted again.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenops/xenops.h>

#define NVMS 3

struct app {
	int events;
	int halted_after_run; /* VMs back to Halted after a clean shutdown */
	int done[NVMS];
};

static void die(const char *what, int rc)
{
	fprintf(stderr, "poll_loop: %s failed: %s: %s\n", what, xenops_strerror_name(rc),
		xenops_last_error_message());
	exit(1);
}

static void on_event(xenops_ctx *ctx, const xenops_event *ev, void *userdata)
{
	struct app *app = userdata;
	int state = -1, domid = -1;

	app->events++;
	if (ev->kind != XENOPS_KIND_VM || ev->deleted) {
		printf("event: %-4s %s%s%s%s\n", xenops_kind_name(ev->kind), ev->vm ? ev->vm : "",
		       ev->vm ? "/" : "", ev->id, ev->deleted ? " (deleted)" : "");
		return;
	}
	if (xenops_vm_get_power_state(&state, &domid, ctx, ev->id) < 0)
		return;
	printf("event: vm   %s is %s\n", ev->id, xenops_power_state_name(state));
	/*
	 * Events are coalesced per object, so a VM may go Running -> Halted
	 * between two dispatches: ask the VM why it halted rather than
	 * counting the states seen.
	 */
	if (state == XENOPS_POWER_HALTED) {
		char *json = NULL;
		int idx = -1;

		if (sscanf(ev->id, "vm%d", &idx) != 1 || idx < 0 || idx >= NVMS || app->done[idx])
			return;
		if (xenops_vm_stat(&json, ctx, ev->id) == 0 &&
		    strstr(json, "\"last_shutdown_reason\":\"poweroff\"")) {
			app->done[idx] = 1;
			app->halted_after_run++;
		}
		xenops_free(json);
	}
}

int main(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	struct app app = { 0 };
	xenops_ctx *ctx;
	struct pollfd pfd;
	int rc, loops = 0;

	opts.backend = "sim";
	rc = xenops_ctx_new(&ctx, &opts);
	if (rc < 0)
		die("ctx_new", rc);
	rc = xenops_ctx_subscribe(NULL, ctx, 0, on_event, &app);
	if (rc < 0)
		die("subscribe", rc);

	for (int i = 0; i < NVMS; i++) {
		char cfg[128], id[16];

		snprintf(id, sizeof(id), "vm%d", i);
		snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"memory_mib\": 128}", id);
		rc = xenops_vm_add(NULL, ctx, cfg, 0);
		if (rc < 0)
			die("vm_add", rc);
		/* No task handle: fire and forget, the events tell the story. */
		rc = xenops_vm_start(NULL, ctx, id, 0);
		if (rc < 0)
			die("vm_start", rc);
		rc = xenops_vm_shutdown(NULL, ctx, id, 10, 0);
		if (rc < 0)
			die("vm_shutdown", rc);
	}

	pfd.fd = xenops_ctx_get_fd(ctx);
	pfd.events = POLLIN;
	while (app.halted_after_run < NVMS) {
		rc = poll(&pfd, 1, 5000);
		if (rc < 0)
			die("poll", XENOPS_EIO);
		if (rc == 0 || ++loops > 10000) {
			fprintf(stderr, "poll_loop: no progress (%d VMs halted)\n", app.halted_after_run);
			return 1;
		}
		rc = xenops_ctx_dispatch(ctx);
		if (rc < 0)
			die("dispatch", rc);
	}
	printf("%d events in %d wake-ups; all %d VMs ran and halted\n", app.events, loops, NVMS);
	xenops_ctx_unref(ctx);
	return 0;
}
