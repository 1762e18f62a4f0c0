/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decompressed-kernel cache. A distribution kernel is a bzImage whose
 * payload is XZ-compressed; libxenguest decompresses it on every build, and
 * that is most of a PV start (measured in the testbed: ~5 of ~7 s under
 * TCG). The first build of a kernel file keeps libxenguest's decompressed
 * ELF under <state_dir>/xen/kernels/; later builds of the same file (same
 * path, device, inode, size and modification time) load that ELF instead.
 *
 * An entry is written atomically (temporary file, fsync, rename) and only
 * used when it still has the size recorded in its name and starts like an
 * ELF file; a build that fails to parse an entry deletes it and retries
 * with the original kernel. At most XO_KCACHE_MAX entries are kept, the
 * least recently used go first. Without a state directory there is no
 * cache.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

#define XO_KCACHE_MAX 4
/* Larger decompressed kernels are not worth a disk copy. */
#define XO_KCACHE_MAX_SIZE (512ull * 1024 * 1024)

static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* "<key>-<size>.elf" names an entry; @size 0 gives the prefix "<key>-". */
static uint64_t kernel_key(const char *path, const struct stat *st)
{
	uint64_t facts[] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
			     (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec };
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv1a(h, path, strlen(path));
	return fnv1a(h, facts, sizeof(facts));
}

int xo_xen_kcache_init(struct xo_backend *b, const char *state_dir, struct xo_error *err)
{
	char *xen_dir;
	int rc;

	if (!state_dir)
		return 0;
	xen_dir = xo_asprintf("%s/xen", state_dir);
	b->kcache_dir = xo_asprintf("%s/xen/kernels", state_dir);
	if (!xen_dir || !b->kcache_dir) {
		free(xen_dir);
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	}
	rc = xo_mkdir("xen backend: kernel cache", state_dir, err);
	if (rc == 0)
		rc = xo_mkdir("xen backend: kernel cache", xen_dir, err);
	if (rc == 0)
		rc = xo_mkdir("xen backend: kernel cache", b->kcache_dir, err);
	free(xen_dir);
	if (rc < 0) {
		/* Only slower starts without it: say so and go on. */
		xo_log(&b->log, XENOPS_LOG_WARNING, "%s (starts will not use it)", err->msg);
		free(b->kcache_dir);
		b->kcache_dir = NULL;
		xo_error_clear(err);
	}
	return 0;
}

void xo_xen_kcache_lookup(struct xo_backend *b, const char *kernel, struct xo_kcache_ref *ref)
{
	char name[64];
	struct stat st, cst;
	unsigned char head[4];
	FILE *f;

	memset(ref, 0, sizeof(*ref));
	if (!b->kcache_dir || stat(kernel, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	ref->usable = true;
	ref->kernel_size = (uint64_t)st.st_size;
	ref->key = kernel_key(kernel, &st);
	/* The entry's size is not known before it exists: find it by prefix. */
	snprintf(name, sizeof(name), "%016" PRIx64 "-", ref->key);
	DIR *d = opendir(b->kcache_dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		unsigned long long size;
		char tail[8];

		if (strncmp(de->d_name, name, strlen(name)) != 0 ||
		    sscanf(de->d_name + strlen(name), "%llu.%4s", &size, tail) != 2 ||
		    strcmp(tail, "elf") != 0)
			continue;
		snprintf(ref->path, sizeof(ref->path), "%s/%s", b->kcache_dir, de->d_name);
		f = fopen(ref->path, "rbe");
		if (stat(ref->path, &cst) == 0 && (unsigned long long)cst.st_size == size && f &&
		    fread(head, 1, 4, f) == 4 && memcmp(head, elf_magic, 4) == 0) {
			ref->hit = true;
			__atomic_add_fetch(&b->kcache_hits, 1, __ATOMIC_RELAXED);
			/* Least recently used goes first: a hit renews the entry. */
			utimensat(AT_FDCWD, ref->path, NULL, 0);
		} else {
			xo_log(&b->log, XENOPS_LOG_WARNING,
			       "xen backend: kernel cache: dropping damaged entry %s", ref->path);
			unlink(ref->path);
		}
		if (f)
			fclose(f);
		break;
	}
	if (d)
		closedir(d);
	if (!ref->hit)
		ref->path[0] = '\0';
}

void xo_xen_kcache_drop(struct xo_backend *b, struct xo_kcache_ref *ref,
			const struct xo_error *why)
{
	xo_log(&b->log, XENOPS_LOG_WARNING,
	       "xen backend: kernel cache: %s did not load (%s); dropped, using the original",
	       ref->path, why->msg);
	unlink(ref->path);
	xo_xen_kcache_forget(b, ref);
}

void xo_xen_kcache_forget(struct xo_backend *b, struct xo_kcache_ref *ref)
{
	__atomic_sub_fetch(&b->kcache_hits, 1, __ATOMIC_RELAXED);
	ref->hit = false;
	ref->path[0] = '\0';
}

/* Remove the least recently used entries beyond XO_KCACHE_MAX, one scan per removal. */
static void trim(struct xo_backend *b)
{
	for (;;) {
		char path[PATH_MAX], oldest[PATH_MAX] = "";
		struct timespec t_oldest = { 0 };
		unsigned int n = 0;
		DIR *d = opendir(b->kcache_dir);
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL) {
			struct stat st;

			/* Temporary files of writers start with a dot. */
			if (de->d_name[0] == '.' || !strstr(de->d_name, ".elf"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", b->kcache_dir, de->d_name);
			if (stat(path, &st) < 0)
				continue;
			n++;
			if (!*oldest || st.st_mtim.tv_sec < t_oldest.tv_sec ||
			    (st.st_mtim.tv_sec == t_oldest.tv_sec &&
			     st.st_mtim.tv_nsec < t_oldest.tv_nsec)) {
				memcpy(oldest, path, sizeof(oldest));
				t_oldest = st.st_mtim;
			}
		}
		if (d)
			closedir(d);
		if (n <= XO_KCACHE_MAX || unlink(oldest) < 0)
			return;
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: kernel cache: removed %s", oldest);
	}
}

void xo_xen_kcache_store(struct xo_backend *b, const struct xo_kcache_ref *ref, const void *elf,
			 size_t size)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	char name[64];

	/* Nothing was decompressed (already an ELF file), or not worth keeping. */
	if (!ref->usable || ref->hit || !elf || size == ref->kernel_size || size < 4 ||
	    memcmp(elf, elf_magic, 4) != 0 || size > XO_KCACHE_MAX_SIZE)
		return;
	snprintf(name, sizeof(name), "%016" PRIx64 "-%zu.elf", ref->key, size);
	if (xo_write_file_atomic(b->kcache_dir, name, elf, size, err) < 0) {
		xo_log(&b->log, XENOPS_LOG_WARNING, "xen backend: kernel cache: %s", err->msg);
		xo_error_clear(err);
		return;
	}
	__atomic_add_fetch(&b->kcache_stores, 1, __ATOMIC_RELAXED);
	xo_log(&b->log, XENOPS_LOG_INFO,
	       "xen backend: kernel cache: kept the decompressed kernel (%zu bytes) as %s/%s", size,
	       b->kcache_dir, name);
	trim(b);
}
