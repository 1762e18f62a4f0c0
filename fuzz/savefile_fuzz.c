/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the simulator's save-file header: a VM is suspended
 * once in a memory-only simulator context; each input is written as a file
 * and handed to xenops_vm_resume. A rejected file leaves the VM Suspended;
 * an accepted one runs it, and it is suspended again for the next input.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenops/xenops.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

#define FUZZ_MAX_INPUT (64 * 1024)
#define VM "fuzz-saved"

static xenops_ctx *ctx;
static char dir[64], input[96], image[96];

static int suspend(void)
{
	unlink(image);
	return xenops_vm_suspend(NULL, ctx, VM, image, XENOPS_WAIT);
}

static int setup(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	char *id = NULL;

	if (ctx)
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/xenops-fuzz-save-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(input, sizeof(input), "%s/input", dir);
	snprintf(image, sizeof(image), "%s/image", dir);
	opts.backend = "sim";
	opts.workers = 1;
	if (xenops_ctx_new(&ctx, &opts) < 0)
		return -1;
	if (xenops_vm_add(&id, ctx, "{\"id\":\"" VM "\",\"vcpus_max\":4,\"vcpus\":2}", 0) < 0)
		return -1;
	xenops_free(id);
	if (xenops_vm_start(NULL, ctx, VM, XENOPS_WAIT) < 0 || suspend() < 0)
		return -1;
	return 0;
}

void xd_fuzz_teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
	unlink(input);
	unlink(image);
	if (dir[0])
		rmdir(dir);
}

static const char *power_state(void)
{
	static char state[32];
	char *json = NULL;
	const char *p;

	state[0] = '\0';
	if (xenops_vm_stat(&json, ctx, VM) < 0)
		abort();
	p = strstr(json, "\"power_state\":\"");
	if (p)
		sscanf(p + 15, "%31[A-Za-z]", state);
	xenops_free(json);
	return state;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd, rc;

	if (setup() < 0)
		abort();
	if (size > FUZZ_MAX_INPUT)
		return 0;
	unlink(input);
	fd = open(input, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	rc = xenops_vm_resume(NULL, ctx, VM, input, XENOPS_WAIT);
	if (rc == 0) {
		if (strcmp(power_state(), "Running") != 0 || suspend() < 0)
			abort();
	} else if (strcmp(power_state(), "Suspended") != 0) {
		/* A file refused must not cost the VM its suspended state. */
		abort();
	}
	return 0;
}
