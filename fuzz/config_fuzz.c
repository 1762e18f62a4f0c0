/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the library's configuration parsers, through the
 * public API only: the input is handed as VM, VBD, VIF and PCI
 * configuration text to a memory-only simulator context. Whatever is
 * accepted must read back (get_config, stat) and be removable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenops/xenops.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

/* Configurations are small; longer inputs only slow the fuzzer down. */
#define FUZZ_MAX_INPUT (64 * 1024)
#define OWNER "fuzz-owner"

static xenops_ctx *ctx;

static int setup(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	char *id = NULL;

	if (ctx)
		return 0;
	opts.backend = "sim";
	opts.workers = 1;
	if (xenops_ctx_new(&ctx, &opts) < 0)
		return -1;
	if (xenops_vm_add(&id, ctx, "{\"id\":\"" OWNER "\"}", 0) < 0)
		return -1;
	xenops_free(id);
	return 0;
}

void xd_fuzz_teardown(void)
{
	xenops_ctx_unref(ctx);
	ctx = NULL;
}

/* A string the library returned is one JSON object on one line. */
static void check_json(const char *json)
{
	if (!json || json[0] != '{' || strchr(json, '\n'))
		abort();
}

static void try_vm(const char *text)
{
	char *id = NULL, *json = NULL;

	if (xenops_vm_add(&id, ctx, text, 0) < 0)
		return;
	if (xenops_vm_get_config(&json, ctx, id) < 0)
		abort();
	check_json(json);
	xenops_free(json);
	json = NULL;
	if (xenops_vm_stat(&json, ctx, id) < 0)
		abort();
	check_json(json);
	xenops_free(json);
	if (xenops_vm_remove(ctx, id, 0) < 0)
		abort();
	xenops_free(id);
}

struct family {
	int (*add)(char **, xenops_ctx *, const char *, const char *, unsigned int);
	int (*remove)(xenops_ctx *, const char *, const char *, unsigned int);
	int (*get_config)(char **, xenops_ctx *, const char *, const char *);
};

static const struct family families[] = {
	{ xenops_vbd_add, xenops_vbd_remove, xenops_vbd_get_config },
	{ xenops_vif_add, xenops_vif_remove, xenops_vif_get_config },
	{ xenops_pci_add, xenops_pci_remove, xenops_pci_get_config },
};

static void try_dev(const struct family *f, const char *text)
{
	char *id = NULL, *json = NULL;

	if (f->add(&id, ctx, OWNER, text, 0) < 0)
		return;
	if (f->get_config(&json, ctx, OWNER, id) < 0)
		abort();
	check_json(json);
	xenops_free(json);
	if (f->remove(ctx, OWNER, id, 0) < 0)
		abort();
	xenops_free(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (setup() < 0)
		abort();
	if (size > FUZZ_MAX_INPUT)
		return 0;
	/* The API takes C strings: the text ends at the first NUL. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	try_vm(text);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		try_dev(&families[i], text);
	free(text);
	return 0;
}
