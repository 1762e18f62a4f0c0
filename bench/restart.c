/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench restart: the time xenops_ctx_new takes to open a state
 * directory holding 1,000, 10,000 and 100,000 persisted VMs (one VBD
 * each), as a daemon restart does. The VMs are defined once through the library, the context
 * closed, then opened several times (median). The peer, interleaved with
 * the opens: reading every file of that directory with open/read/close,
 * the I/O floor of any loader.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bench.h"

#define BIG_VMS 100000

struct walk {
	size_t files;
	uint64_t bytes;
};

static void read_tree(const char *dir, struct walk *w)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096], buf[65536];

	if (!d)
		bn_die("opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			read_tree(path, w);
		} else {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n;

			if (fd < 0)
				continue;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				w->bytes += (uint64_t)n;
			close(fd);
			w->files++;
		}
	}
	closedir(d);
}

void bn_rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			bn_rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

const char *bn_fs_name(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case 0x01021994UL:
		return "tmpfs";
	case 0xEF53UL:
		return "ext4";
	case 0x9123683EUL:
		return "btrfs";
	case 0x58465342UL:
		return "xfs";
	case 0x794c7630UL:
		return "overlayfs";
	default:
		return "other";
	}
}

/*
 * One state directory of n persisted VMs: define them once through the
 * library, then open it reps times (median), the peer read interleaved.
 */
static void restart_one(const struct bn_opts *o, const char *parent, int n, int reps, const char *row)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	double open_s[32], open_cpu[32], close_s[32], raw_s[32], create_s;
	char dir[4096], note[320];
	struct walk w = { 0 };
	xenops_ctx *ctx;
	uint64_t t0;

	(void)o;
	snprintf(dir, sizeof(dir), "%s/xo-bench-restart.%d", parent, (int)getpid());
	bn_rm_tree(dir);
	if (mkdir(dir, 0700) < 0)
		bn_die("mkdir %s: %s", dir, strerror(errno));
	opts.state_dir = dir;
	opts.backend = "sim";

	bn_progress("restart: defining %d VMs in %s (%s)", n, dir, bn_fs_name(dir));
	t0 = bn_mono_ns();
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
	for (int i = 0; i < n; i++) {
		char id[32], cfg[256];

		snprintf(id, sizeof(id), "persist-%05d", i);
		snprintf(cfg, sizeof(cfg), "{\"id\": \"%s\", \"memory_mib\": 16, \"kernel\": \"/boot/vmlinuz-bench\"}", id);
		bn_check(xenops_vm_add(NULL, ctx, cfg, 0), "vm_add");
		snprintf(cfg, sizeof(cfg), "{\"device\": \"xvda\", \"backend\": \"file:/srv/bench/%s.img\"}", id);
		bn_check(xenops_vbd_add(NULL, ctx, id, cfg, 0), "vbd_add");
	}
	xenops_ctx_unref(ctx);
	create_s = (double)(bn_mono_ns() - t0) / 1e9;

	for (int k = 0; k < reps; k++) {
		char **ids = NULL;
		size_t got = 0;

		bn_progress("restart: %d VMs, open %d of %d", n, k + 1, reps);
		open_cpu[k] = bn_cpu_s();
		t0 = bn_mono_ns();
		bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
		open_s[k] = (double)(bn_mono_ns() - t0) / 1e9;
		open_cpu[k] = bn_cpu_s() - open_cpu[k];
		bn_check(xenops_vm_list(&ids, &got, ctx), "vm_list");
		xenops_strv_free(ids);
		if (got != (size_t)n)
			bn_die("reopened context has %zu VMs, not %d", got, n);
		t0 = bn_mono_ns();
		xenops_ctx_unref(ctx);
		close_s[k] = (double)(bn_mono_ns() - t0) / 1e9;

		memset(&w, 0, sizeof(w));
		t0 = bn_mono_ns();
		read_tree(dir, &w);
		raw_s[k] = (double)(bn_mono_ns() - t0) / 1e9;
	}
	snprintf(note, sizeof(note), "%d VMs with one VBD; %zu files, %.1f MiB on %s; median of %d opens (page cache warm)",
		 n, w.files, (double)w.bytes / 1048576.0, bn_fs_name(dir), reps);
	double om = bn_median(open_s, (size_t)reps), rm = bn_median(raw_s, (size_t)reps);

	bn_emit("restart", row, "open_s", om, "s", note);
	bn_emit("restart", row, "open_us_per_vm", om / n * 1e6, "us", note);
	bn_emit("restart", row, "open_cpu_us_per_vm", bn_median(open_cpu, (size_t)reps) / n * 1e6, "us",
		"CPU time (user + system, all threads) of xenops_ctx_new per VM");
	bn_emit("restart", row, "close_s", bn_median(close_s, (size_t)reps), "s", note);
	bn_emit("restart", row, "define_s", create_s, "s",
		"defining them once through the library (atomic writes with fsync)");
	bn_emit("restart", row, "peer_read_s", rm, "s",
		"peer: open+read+close of every file of the state directory");
	bn_emit("restart", row, "ratio_vs_read", om / rm, "x", "open / peer");
	bn_rm_tree(dir);
}

int bn_restart_main(const struct bn_opts *o)
{
	static const struct {
		int n;
		const char *row;
	} sizes[] = {
		{ 1000, "1,000 persisted VMs" },
		{ 10000, "10,000 persisted VMs" },
		{ BIG_VMS, "100,000 persisted VMs" },
	};
	int reps = o->reps > 0 ? o->reps : (o->quick ? 3 : 5);
	const char *parent = o->state_parent ? o->state_parent : o->workdir;

	if (reps > 32)
		reps = 32;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *where = parent;
		int r = reps;

		if (o->only_vms && o->only_vms != (size_t)sizes[i].n)
			continue;
		if (sizes[i].n == BIG_VMS) {
			/*
			 * 300,000 atomic writes with two fsyncs each take many
			 * minutes on a disk: 100,000 VMs go to /dev/shm when the
			 * parent is not a tmpfs (the opens are timed with the page
			 * cache warm either way). --quick opens them once.
			 */
			if (strcmp(bn_fs_name(parent), "tmpfs") && !strcmp(bn_fs_name("/dev/shm"), "tmpfs"))
				where = "/dev/shm";
			if (o->quick && o->reps <= 0)
				r = 1;
		}
		restart_one(o, where, sizes[i].n, r, sizes[i].row);
	}
	return 0;
}
