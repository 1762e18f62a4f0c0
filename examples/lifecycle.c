/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lifecycle: define a VM with a disk and a NIC, then start, pause,
 * unpause, hot-plug a second disk, suspend, resume and shut it down,
 * printing the VM's state and each task's progress as it goes.
 *
 *   lifecycle [--backend sim|xen] [--kernel PATH] [--ramdisk PATH]
 *
 * On the default backend (the simulator) it needs nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenops/xenops.h>

static const char *vm_id = "demo";

static void die(const char *what, int rc)
{
	fprintf(stderr, "lifecycle: %s failed: %s (%s): %s\n", what, xenops_strerror_name(rc),
		xenops_strerror(rc), xenops_last_error_message());
	exit(1);
}

static void print_state(xenops_ctx *ctx)
{
	int state, domid, rc;

	rc = xenops_vm_get_power_state(&state, &domid, ctx, vm_id);
	if (rc < 0)
		die("vm_get_power_state", rc);
	if (domid >= 0)
		printf("    VM %s is %s (domid %d)\n", vm_id, xenops_power_state_name(state), domid);
	else
		printf("    VM %s is %s\n", vm_id, xenops_power_state_name(state));
}

/* Follow a task to its end, printing its progress, then destroy it. */
static void follow(xenops_ctx *ctx, const char *what, char *task)
{
	double last = -1;
	int state, error, rc;

	printf("%-28s task %s\n", what, task);
	for (;;) {
		double progress;

		rc = xenops_task_get_state(&state, &progress, &error, ctx, task);
		if (rc < 0)
			die("task_get_state", rc);
		if (progress != last) {
			printf("    progress %3.0f%%\n", progress * 100);
			last = progress;
		}
		if (state != XENOPS_TASK_PENDING)
			break;
		rc = xenops_task_wait(ctx, task, 20);
		if (rc < 0 && rc != XENOPS_ETIMEDOUT)
			die("task_wait", rc);
	}
	if (state != XENOPS_TASK_COMPLETED) {
		char *json = NULL;

		xenops_task_stat(&json, ctx, task);
		fprintf(stderr, "lifecycle: %s ended %s: %s\n", what, xenops_task_state_name(state),
			json ? json : "");
		xenops_free(json);
		exit(1);
	}
	xenops_task_destroy(ctx, task);
	xenops_free(task);
	print_state(ctx);
}

#define RUN(what, call)                          \
	do {                                     \
		char *task_ = NULL;              \
		int rc_ = (call);                \
		if (rc_ < 0)                     \
			die(what, rc_);          \
		follow(ctx, what, task_);        \
	} while (0)

static void usage(void)
{
	fprintf(stderr, "usage: lifecycle [--backend sim|xen] [--kernel PATH] [--ramdisk PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	const char *kernel = "", *ramdisk = "";
	char config[1024], image[256], *json = NULL;
	xenops_ctx *ctx;
	int rc;

	opts.backend = "sim";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			opts.backend = argv[++i];
		else if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
			kernel = argv[++i];
		else if (!strcmp(argv[i], "--ramdisk") && i + 1 < argc)
			ramdisk = argv[++i];
		else
			usage();
	}
	rc = xenops_ctx_new(&ctx, &opts);
	if (rc < 0)
		die("ctx_new", rc);
	printf("libxenops %s, backend %s\n", xenops_version(), xenops_ctx_backend(ctx));

	snprintf(config, sizeof(config),
		 "{\"id\": \"%s\", \"name\": \"demo\", \"memory_mib\": 256, \"vcpus\": 2,"
		 " \"kernel\": \"%s\", \"ramdisk\": \"%s\", \"cmdline\": \"console=hvc0\"}",
		 vm_id, kernel, ramdisk);
	rc = xenops_vm_add(NULL, ctx, config, 0);
	if (rc < 0)
		die("vm_add", rc);
	rc = xenops_vbd_add(NULL, ctx, vm_id, "{\"device\": \"xvda\", \"backend\": \"file:/var/lib/demo/root.img\"}", 0);
	if (rc < 0)
		die("vbd_add xvda", rc);
	rc = xenops_vif_add(NULL, ctx, vm_id, "{\"bridge\": \"xenbr0\"}", 0);
	if (rc < 0)
		die("vif_add", rc);
	printf("defined VM %s with disk xvda and NIC 0\n", vm_id);
	print_state(ctx);

	RUN("start", xenops_vm_start(&task_, ctx, vm_id, 0));
	RUN("pause", xenops_vm_pause(&task_, ctx, vm_id, 0));
	RUN("unpause", xenops_vm_unpause(&task_, ctx, vm_id, 0));

	rc = xenops_vbd_add(NULL, ctx, vm_id, "{\"device\": \"xvdb\", \"backend\": \"file:/var/lib/demo/data.img\"}", 0);
	if (rc < 0)
		die("vbd_add xvdb", rc);
	RUN("hot-plug disk xvdb", xenops_vbd_plug(&task_, ctx, vm_id, "xvdb", 0));

	snprintf(image, sizeof(image), "/tmp/xenops-demo-%ld.save", (long)getpid());
	RUN("suspend", xenops_vm_suspend(&task_, ctx, vm_id, image, 0));
	RUN("resume", xenops_vm_resume(&task_, ctx, vm_id, image, 0));
	unlink(image);
	RUN("clean shutdown", xenops_vm_shutdown(&task_, ctx, vm_id, 30, 0));

	rc = xenops_vm_stat(&json, ctx, vm_id);
	if (rc < 0)
		die("vm_stat", rc);
	printf("final stat: %s\n", json);
	xenops_free(json);
	rc = xenops_vm_remove(ctx, vm_id, 0);
	if (rc < 0)
		die("vm_remove", rc);
	xenops_ctx_unref(ctx);
	printf("done\n");
	return 0;
}
