/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * consumer: what an application outside the tree does with an installed
 * libxenops: check the version, open a simulator context, define a VM and
 * find it in the list. Built by install_consumer through pkg-config and
 * through find_package(xenops).
 */
#include <stdio.h>
#include <string.h>

#include <xenops/xenops.h>

static int fail(const char *what, int rc)
{
	fprintf(stderr, "consumer: %s: %s (%s): %s\n", what, xenops_strerror_name(rc), xenops_strerror(rc),
		xenops_last_error_message());
	return 1;
}

int main(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	char *id = NULL, **ids = NULL;
	size_t n = 0, i;
	int rc, found = 0;

	printf("consumer: libxenops %s (headers %d.%d.%d)\n", xenops_version(), XENOPS_VERSION_MAJOR,
	       XENOPS_VERSION_MINOR, XENOPS_VERSION_PATCH);
	if (xenops_version_number() != XENOPS_VERSION_NUMBER) {
		fprintf(stderr, "consumer: library %06x does not match headers %06x\n", xenops_version_number(),
			(unsigned int)XENOPS_VERSION_NUMBER);
		return 1;
	}

	opts.backend = "sim";
	rc = xenops_ctx_new(&ctx, &opts);
	if (rc < 0)
		return fail("xenops_ctx_new", rc);
	if (strcmp(xenops_ctx_backend(ctx), "sim") != 0) {
		fprintf(stderr, "consumer: backend %s, expected sim\n", xenops_ctx_backend(ctx));
		xenops_ctx_unref(ctx);
		return 1;
	}

	rc = xenops_vm_add(&id, ctx, "{\"id\": \"consumer-vm\", \"name\": \"consumer\", \"memory_mib\": 64, \"vcpus\": 1}",
			   0);
	if (rc < 0) {
		rc = fail("xenops_vm_add", rc);
		goto out;
	}
	rc = xenops_vm_list(&ids, &n, ctx);
	if (rc < 0) {
		rc = fail("xenops_vm_list", rc);
		goto out;
	}
	for (i = 0; i < n; i++) {
		printf("consumer: VM %s\n", ids[i]);
		if (strcmp(ids[i], id) == 0)
			found = 1;
	}
	if (n != 1 || !found) {
		fprintf(stderr, "consumer: listed %zu VMs, expected exactly %s\n", n, id);
		rc = 1;
		goto out;
	}
	rc = 0;
	printf("consumer: ok\n");
out:
	xenops_strv_free(ids);
	xenops_free(id);
	xenops_ctx_unref(ctx);
	return rc;
}
