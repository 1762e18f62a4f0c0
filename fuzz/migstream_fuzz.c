/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the migration stream's header (docs/migration.md):
 * each input is what a peer sends on a connection, handed to
 * xenops_vm_migrate_receive in a memory-only simulator context. A rejected
 * header must leave no VM defined; an accepted one defines the VM, whose
 * arrival then fails at the end of the input (no memory stream follows)
 * and must be forgotten again. The receiver's answers are read and must be
 * well-framed control messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenops/xenops.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

#define FUZZ_MAX_INPUT (96 * 1024)

static xenops_ctx *ctx;

static int setup(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;

	if (ctx)
		return 0;
	opts.backend = "sim";
	opts.workers = 1;
	return xenops_ctx_new(&ctx, &opts);
}

void xd_fuzz_teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
}

static size_t nvms(void)
{
	char **ids = NULL;
	size_t n = 0;

	if (xenops_vm_list(&ids, &n, ctx) < 0)
		abort();
	xenops_strv_free(ids);
	return n;
}

/* Every answer is a length (1 to 4096) and that much JSON. */
static void check_answers(int fd)
{
	uint8_t buf[8192];
	size_t have = 0, off = 0;
	ssize_t n;

	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0)
		have += (size_t)n;
	while (off < have) {
		uint32_t len;

		if (have - off < 4)
			abort();
		len = (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
		      (uint32_t)buf[off + 2] << 8 | buf[off + 3];
		if (len == 0 || len > 4096 || have - off - 4 < len || buf[off + 4] != '{')
			abort();
		off += 4 + len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];

	if (setup() < 0)
		abort();
	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* Larger inputs than a socket buffer are sent by the kernel in turn:
	 * the receiver reads the header while we write. */
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	xenops_vm_migrate_receive(NULL, ctx, sv[1], XENOPS_WAIT);
	shutdown(sv[1], SHUT_WR);
	check_answers(sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (nvms() != 0)
		abort(); /* an arrival that failed must leave nothing behind */
	return 0;
}
