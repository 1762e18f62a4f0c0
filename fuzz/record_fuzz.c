/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the state records a context reads when it starts:
 * the first byte of the input picks a record (a VM's configuration, one of
 * its devices, its runtime facts, its intent, the simulator's domain
 * table), the rest is written as that file in a fresh state directory
 * next to valid other records; then xenops_ctx_new (which loads and
 * recovers), a list and a stat of every VM, and xenops_ctx_unref. A bad
 * record may put its VM in error, never crash or leak.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenops/xenops.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

#define FUZZ_MAX_INPUT (64 * 1024)

static char root[64];

static const char *const records[] = {
	"vm/web/config.json",
	"vm/web/vbd.xvda.json",
	"vm/web/vif.0.json",
	"vm/web/pci.0.json",
	"vm/web/runtime.json",
	"vm/web/intent.json",
	"backend/sim/domains.json",
};

/* Valid neighbours, so that the fuzzed record is what the loader meets. */
static const char valid_config[] = "{\"version\":1,\"config\":{\"id\":\"web\",\"memory_mib\":64}}";

static int write_file(const char *rel, const void *data, size_t len)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static void make_dirs(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/vm", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/vm/web", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/backend", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/backend/sim", root);
	mkdir(path, 0700);
}

/* Remove everything under @dir (files and directories), keeping @dir. */
static void clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			clear(path);
			rmdir(path);
		} else {
			unlink(path);
		}
	}
	closedir(d);
}

void xd_fuzz_teardown(void)
{
	if (root[0]) {
		clear(root);
		rmdir(root);
	}
	root[0] = '\0';
}

static void exercise(void)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	char **ids = NULL;

	opts.backend = "sim";
	opts.workers = 1;
	opts.state_dir = root;
	if (xenops_ctx_new(&ctx, &opts) < 0)
		return;
	if (xenops_vm_list(&ids, NULL, ctx) == 0) {
		for (size_t i = 0; ids[i]; i++) {
			char *json = NULL;

			if (xenops_vm_stat(&json, ctx, ids[i]) == 0 &&
			    (json[0] != '{' || strchr(json, '\n')))
				abort();
			xenops_free(json);
		}
	}
	xenops_strv_free(ids);
	xenops_ctx_unref(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rel;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/xenops-fuzz-record-XXXXXX");
		if (!mkdtemp(root))
			abort();
	}
	clear(root);
	make_dirs();
	rel = records[data[0] % (sizeof(records) / sizeof(records[0]))];
	if (strcmp(rel, records[0]) != 0 && write_file(records[0], valid_config,
	                                               sizeof(valid_config) - 1) < 0)
		abort();
	if (write_file(rel, data + 1, size - 1) < 0)
		abort();
	exercise();
	return 0;
}
