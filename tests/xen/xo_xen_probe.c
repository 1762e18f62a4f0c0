/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * White-box driver of the xen backend, run inside the Xen testbed's dom0:
 * drives the backend's ops table directly (no engine) through a PV guest's
 * life (create, build, unpause, pause, clean shutdown, forced destroy,
 * guest-initiated poweroff seen through the watch upcall), checks that no
 * domain or xenstore node is left, and prints timings and watch counters.
 * Output: "PASS: ..." / "FAIL: ..." lines, "METRIC name=value" lines, and
 * "N passed, M failed"; exit status 0 only if everything passed.
 *
 *   xo_xen_probe [-v] [--no-devices] [-n GUESTS] [-k KERNEL] [-r RAMDISK]
 *   xo_xen_probe --migrate pvh|pv [-k KERNEL] [-r RAMDISK]
 *                                  (domain_send to domain_receive in this dom0,
 *                                   two threads over a socketpair: a cancelled
 *                                   send first, then the migration; the
 *                                   guest's ticking counter gives the pause)
 *   xo_xen_probe --expect-no-xen   (on a host without Xen: open must fail
 *                                   with XENOPS_EBACKEND, printing nothing)
 *   xo_xen_probe --expect-no-access (in dom0, as root: drops to uid 65534,
 *                                   then the same)
 *   xo_xen_probe --qmp SOCKET JSON (one QMP command to a device model: its
 *                                   reply line on stdout, exit 0; the error
 *                                   on stderr, exit 1)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/xen/qmp.h"
#include "backend/xen/xen.h"

/* The error value the internal calls under test fill. */
static struct xo_error test_err;
static struct xo_error *const err = &test_err;

#define MIB (1024ull * 1024ull)
#define CONSOLE_DIR "/var/log/xen/console"
#define MARKER_UP "XENTB-GUEST-UP"

static const struct xo_backend_ops *ops = &xo_backend_xen;
static int n_pass, n_fail, verbose, devices = 1;
static const char *kernel = "/guest/vmlinuz", *ramdisk = "/guest/initrd.gz";

/* ---- reporting ---- */

static void check(int ok, const char *fmt, ...) XO_PRINTF(2, 3);
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok && err->code)
		printf(" [last error %s: %s]", xenops_strerror_name(err->code), err->msg);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

static void metric(const char *name, const char *fmt, ...) XO_PRINTF(2, 3);
static void metric(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("METRIC %s=", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void log_fn(int level, const char *msg, void *userdata)
{
	(void)userdata;
	printf("  log[%d] %s\n", level, msg);
	fflush(stdout);
}

/* ---- environment and upcalls ---- */

static int env_check(struct xo_env *env, struct xo_error *e)
{
	(void)env, (void)e;
	return 0;
}

static int env_sleep(struct xo_env *env, unsigned int ms, struct xo_error *e)
{
	(void)env, (void)e;
	usleep(ms * 1000u);
	return 0;
}

static void env_progress(struct xo_env *env, double fraction)
{
	(void)env, (void)fraction;
}

static struct xo_env env = { .check = env_check, .sleep = env_sleep, .progress = env_progress };

static pthread_mutex_t up_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t up_cond = PTHREAD_COND_INITIALIZER;
static char up_last[XO_ID_MAX + 1];
static unsigned int up_total;
static struct xo_map up_counts; /* vm id -> (count cast to pointer) */

static void on_domain_changed(void *opaque, const char *vm_id)
{
	(void)opaque;
	pthread_mutex_lock(&up_lock);
	snprintf(up_last, sizeof(up_last), "%s", vm_id);
	up_total++;
	xo_map_put(&up_counts, vm_id,
		   (void *)((uintptr_t)xo_map_get(&up_counts, vm_id) + 1));
	pthread_cond_broadcast(&up_cond);
	pthread_mutex_unlock(&up_lock);
	if (verbose)
		printf("  upcall domain_changed(%s)\n", vm_id);
}

static unsigned int upcalls_of(const char *vm_id)
{
	unsigned int n;

	pthread_mutex_lock(&up_lock);
	n = (unsigned int)(uintptr_t)xo_map_get(&up_counts, vm_id);
	pthread_mutex_unlock(&up_lock);
	return n;
}

/* Wait until @vm_id got more than @before upcalls; returns ms waited or -1. */
static long wait_upcall(const char *vm_id, unsigned int before, unsigned int timeout_ms)
{
	uint64_t start = xo_now_ms();

	while (upcalls_of(vm_id) <= before) {
		if (xo_now_ms() - start >= timeout_ms)
			return -1;
		usleep(10000);
	}
	return (long)(xo_now_ms() - start);
}

/* ---- helpers ---- */

static int run(const char *fmt, ...) XO_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int capture_once(char *out, size_t len, const char *cmd)
{
	FILE *p;
	size_t n;

	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return pclose(p);
}

/*
 * A command's output (trailing newline cut) into @out. A helper killed by
 * a signal is run once more: under load the TCG testbed occasionally
 * crashes dom0 processes (plain xl too), which says nothing about us.
 */
static int capture(char *out, size_t len, const char *fmt, ...) XO_PRINTF(3, 4);
static int capture(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = capture_once(out, len, cmd);
	if (st != -1 && (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 128))) {
		printf("  note: \"%s\" died (status %#x); running it again\n", cmd, st);
		st = capture_once(out, len, cmd);
	}
	return st;
}

static void make_cfg(struct xo_vm_config *cfg, const char *id, const char *name,
		     unsigned int mib)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->id, sizeof(cfg->id), "%.64s", id);
	cfg->name = (char *)name;
	cfg->type = XO_VM_PV;
	cfg->memory_max = cfg->memory_target = mib * MIB;
	cfg->vcpus_max = cfg->vcpus = 1;
	cfg->kernel = (char *)kernel;
	cfg->ramdisk = (char *)ramdisk;
	cfg->cmdline = (char *)"console=hvc0";
}

static int start_vm(struct xo_backend *b, const struct xo_vm_config *cfg, int *domid,
		    uint64_t *t_start)
{
	uint64_t t1, t2;
	int rc;

	*t_start = xo_now_ms();
	rc = ops->domain_create(b, &env, cfg, domid, err);
	check(rc == 0 && *domid > 0, "domain_create %s -> domid %d", cfg->id, *domid);
	if (rc < 0)
		return rc;
	t1 = xo_now_ms();
	rc = ops->domain_build(b, &env, cfg, *domid, err);
	check(rc == 0, "domain_build %s", cfg->id);
	if (rc < 0) {
		/* As the engine would: a domain that failed to build is destroyed. */
		ops->domain_destroy(b, &env, *domid, err);
		return rc;
	}
	t2 = xo_now_ms();
	rc = ops->domain_unpause(b, &env, *domid, err);
	check(rc == 0, "domain_unpause %s", cfg->id);
	metric("create_ms", "%llu", (unsigned long long)(t1 - *t_start));
	metric("build_ms", "%llu", (unsigned long long)(t2 - t1));
	return rc;
}

/* Seconds from @t_start until the console log of @name shows @re, or -1. */
static double wait_console(const char *name, const char *re, uint64_t t_start,
			   unsigned int timeout_s)
{
	char path[256], buf[4096];

	snprintf(path, sizeof(path), CONSOLE_DIR "/guest-%s.log", name);
	while (xo_now_ms() - t_start < timeout_s * 1000ull) {
		FILE *f = fopen(path, "r");

		if (f) {
			while (fgets(buf, sizeof(buf), f))
				if (strstr(buf, re)) {
					fclose(f);
					return (double)(xo_now_ms() - t_start) / 1000.0;
				}
			fclose(f);
		}
		usleep(100000);
	}
	return -1;
}

static int info_status(struct xo_backend *b, int domid, struct xo_domain_info *inf)
{
	int rc = ops->domain_info(b, domid, inf, err);

	return rc < 0 ? rc : inf->status;
}

static bool xs_exists(const char *path)
{
	return run("xenstore-exists '%s' >/dev/null 2>&1", path) == 0;
}

static void check_gone(struct xo_backend *b, const char *id, int domid, const char *vm_node)
{
	struct xo_domain_info inf;
	char path[128];

	check(ops->domain_info(b, domid, &inf, err) == XENOPS_ENOTFOUND,
	      "%s: domain %d gone after destroy", id, domid);
	snprintf(path, sizeof(path), "/local/domain/%d", domid);
	check(!xs_exists(path), "%s: %s removed", id, path);
	check(!xs_exists(vm_node), "%s: %s removed", id, vm_node);
	xo_error_clear(err);
}

static void print_stats(struct xo_backend *b, const char *tag)
{
	struct xo_xen_stats s;

	xo_xen_get_stats(b, &s);
	printf("  stats[%s]: events=%llu firings=%llu getinfolist=%llu marker_reads=%llu "
	       "upcalls=%llu\n",
	       tag, (unsigned long long)s.events, (unsigned long long)s.firings,
	       (unsigned long long)s.getinfolist_calls, (unsigned long long)s.marker_reads,
	       (unsigned long long)s.upcalls);
}

static void stats_diff(struct xo_backend *b, const struct xo_xen_stats *before,
		       const char *tag)
{
	struct xo_xen_stats s;

	xo_xen_get_stats(b, &s);
	metric(tag, "firings:%llu,getinfolist:%llu,upcalls:%llu,marker_reads:%llu,per_firing:%.2f",
	       (unsigned long long)(s.firings - before->firings),
	       (unsigned long long)(s.getinfolist_calls - before->getinfolist_calls),
	       (unsigned long long)(s.upcalls - before->upcalls),
	       (unsigned long long)(s.marker_reads - before->marker_reads),
	       s.firings - before->firings
		       ? (double)(s.getinfolist_calls - before->getinfolist_calls) /
				 (double)(s.firings - before->firings)
		       : 0.0);
}

/* ---- the scenarios ---- */

static void scenario_lifecycle(struct xo_backend *b)
{
	const char *id = "6b1e0c52-3d4f-4b8a-9c1d-0a1b2c3d4e5f", *name = "xoprobe-a";
	struct xo_vm_config cfg;
	struct xo_domain_info inf, *list = NULL;
	struct xo_xen_stats st;
	char buf[256], vm_node[128];
	uint64_t t0, t;
	size_t n = 0;
	int domid = -1, reason = -1, found = 0, rc;
	unsigned int ups;
	double up;

	make_cfg(&cfg, id, name, 256);
	xo_xen_get_stats(b, &st);
	if (start_vm(b, &cfg, &domid, &t0) < 0)
		return;
	up = wait_console(name, MARKER_UP, t0, 120);
	check(up > 0, "%s: console shows " MARKER_UP " (%.2f s after domain_create)", name, up);
	metric("create_to_marker_s", "%.2f", up);

	check(info_status(b, domid, &inf) == XO_DOM_RUNNING, "%s: domain_info says running", name);
	check(!strcmp(inf.vm_id, id), "%s: domain_info vm_id %s", name, inf.vm_id);
	check(inf.memory_actual >= 200 * MIB && inf.memory_actual <= 260 * MIB,
	      "%s: memory_actual %llu MiB", name, (unsigned long long)(inf.memory_actual / MIB));
	check(inf.memory_target == 256 * MIB, "%s: memory_target %llu MiB", name,
	      (unsigned long long)(inf.memory_target / MIB));
	check(inf.vcpus_max == 1 && inf.vcpus_online == 1 && inf.vcpu_time_ns[0] > 0,
	      "%s: 1 vcpu online, vcpu time %llu ns", name,
	      (unsigned long long)inf.vcpu_time_ns[0]);
	check(inf.start_time > 1e9, "%s: start_time %.0f", name, inf.start_time);
	rc = ops->domain_list(b, &list, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		found |= list[i].domid == domid && !strcmp(list[i].vm_id, id);
	free(list);
	check(rc == 0 && found, "%s: domain_list finds domid %d with its vm id", name, domid);
	capture(buf, sizeof(buf), "xenstore-read /local/domain/%d/xenops/vm-id", domid);
	check(!strcmp(buf, id), "%s: xenstore marker xenops/vm-id = %s", name, buf);
	capture(buf, sizeof(buf), "xenstore-read /local/domain/%d/vm", domid);
	snprintf(vm_node, sizeof(vm_node), "%.127s", buf);
	check(!strcmp(vm_node, "/vm/6b1e0c52-3d4f-4b8a-9c1d-0a1b2c3d4e5f"), "%s: vm path %s", name,
	      vm_node);
	capture(buf, sizeof(buf), "xl list -v %s 2>/dev/null | awk 'NR==2 {print $7}'", name);
	check(!strcmp(buf, id), "%s: domain handle is the VM uuid (xl list -v: %s)", name, buf);
	capture(buf, sizeof(buf), "xenstore-read /local/domain/%d/control/feature-poweroff",
		domid);
	check(!strcmp(buf, "1"), "%s: guest wrote control/feature-poweroff=%s", name, buf);

	check(ops->domain_pause(b, &env, domid, err) == 0 &&
		      info_status(b, domid, &inf) == XO_DOM_PAUSED,
	      "%s: pause -> paused", name);
	check(ops->domain_unpause(b, &env, domid, err) == 0 &&
		      info_status(b, domid, &inf) == XO_DOM_RUNNING,
	      "%s: unpause -> running", name);

	ups = upcalls_of(id);
	t = xo_now_ms();
	rc = ops->domain_request_shutdown(b, &env, domid, XO_SHUTDOWN_POWEROFF, err);
	check(rc == 0, "%s: request poweroff", name);
	rc = ops->domain_wait_ack(b, &env, domid, 30000, err);
	check(rc == 0, "%s: guest acknowledged in %llu ms", name,
	      (unsigned long long)(xo_now_ms() - t));
	metric("shutdown_ack_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	rc = ops->domain_wait_shutdown(b, &env, domid, 60000, &reason, err);
	check(rc == 0 && reason == XO_SHUTDOWN_POWEROFF, "%s: shut down (reason %d) %llu ms after request",
	      name, reason, (unsigned long long)(xo_now_ms() - t));
	metric("clean_shutdown_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	check(wait_upcall(id, ups, 5000) >= 0, "%s: domain_changed upcall on shutdown", name);
	check(info_status(b, domid, &inf) == XO_DOM_SHUTDOWN &&
		      inf.shutdown_reason == XO_SHUTDOWN_POWEROFF,
	      "%s: domain_info says shut down, poweroff", name);
	check(wait_console(name, "XENTB-GUEST-SHUTDOWN", t, 5) > 0,
	      "%s: console shows XENTB-GUEST-SHUTDOWN", name);
	t = xo_now_ms();
	check(ops->domain_destroy(b, &env, domid, err) == 0, "%s: destroy after shutdown (%llu ms)",
	      name, (unsigned long long)(xo_now_ms() - t));
	check_gone(b, name, domid, vm_node);
	stats_diff(b, &st, "watch_1guest");
}

static void scenario_forced(struct xo_backend *b)
{
	const char *id = "probe.b:1", *name = "xoprobe-b";
	struct xo_vm_config cfg;
	char vm_node[128];
	uint64_t t0, t;
	int domid = -1;
	unsigned int ups;

	make_cfg(&cfg, id, name, 256);
	if (start_vm(b, &cfg, &domid, &t0) < 0)
		return;
	capture(vm_node, sizeof(vm_node), "xenstore-read /local/domain/%d/vm", domid);
	check(!strcmp(vm_node, "/vm/probe_2eb_3a1"), "%s: escaped vm path %s", name, vm_node);
	check(wait_console(name, MARKER_UP, t0, 120) > 0, "%s: guest up", name);
	ups = upcalls_of(id);
	t = xo_now_ms();
	check(ops->domain_destroy(b, &env, domid, err) == 0,
	      "%s: forced destroy of a running guest",
	      name);
	metric("forced_destroy_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	check(wait_upcall(id, ups, 5000) >= 0, "%s: domain_changed upcall on destroy", name);
	check_gone(b, name, domid, vm_node);
}

static void scenario_guest_poweroff(struct xo_backend *b)
{
	const char *id = "xoprobe-c", *name = "xoprobe-c";
	struct xo_vm_config cfg;
	struct xo_domain_info inf;
	char vm_node[128];
	uint64_t t0;
	int domid = -1;
	unsigned int ups;
	long ms;
	int rc;

	make_cfg(&cfg, id, name, 256);
	if (start_vm(b, &cfg, &domid, &t0) < 0)
		return;
	capture(vm_node, sizeof(vm_node), "xenstore-read /local/domain/%d/vm", domid);
	check(wait_console(name, MARKER_UP, t0, 120) > 0, "%s: guest up", name);
	ups = upcalls_of(id);
	/* SysRq-o: the guest kernel powers itself off; the backend asked nothing. */
	run("xenstore-write /local/domain/%d/control/sysrq o", domid);
	ms = wait_upcall(id, ups, 60000);
	check(ms >= 0, "%s: guest-initiated poweroff noticed by the watch (%ld ms)", name, ms);
	metric("guest_poweroff_upcall_ms", "%ld", ms);
	rc = info_status(b, domid, &inf);
	check(rc == XO_DOM_SHUTDOWN && inf.shutdown_reason == XO_SHUTDOWN_POWEROFF,
	      "%s: domain_info says shut down, poweroff (status %d reason %d)", name, rc,
	      inf.shutdown_reason);
	check(ops->domain_destroy(b, &env, domid, err) == 0, "%s: destroy", name);
	check_gone(b, name, domid, vm_node);
}

static void scenario_many(struct xo_backend *b, int n_guests)
{
	struct xo_vm_config cfg[16];
	char ids[16][32];
	int domid[16];
	uint64_t t0[16];
	struct xo_xen_stats st;
	unsigned int ups[16] = { 0 };
	int n = 0;

	for (int i = 0; i < n_guests && i < 16; i++, n++) {
		snprintf(ids[i], sizeof(ids[i]), "xoprobe-m%d", i);
		make_cfg(&cfg[i], ids[i], ids[i], 128);
		if (start_vm(b, &cfg[i], &domid[i], &t0[i]) < 0)
			break;
	}
	if (n == 0)
		return;
	for (int i = 0; i < n; i++)
		check(wait_console(ids[i], MARKER_UP, t0[i], 240) > 0, "%s: guest up", ids[i]);
	print_stats(b, "many-up");
	xo_xen_get_stats(b, &st);
	for (int i = 0; i < n; i++)
		ups[i] = upcalls_of(ids[i]);
	/* One guest powers off: only its VM may be told, at one getinfolist per firing. */
	run("xenstore-write /local/domain/%d/control/sysrq o", domid[0]);
	check(wait_upcall(ids[0], ups[0], 60000) >= 0, "%s: poweroff noticed among %d guests",
	      ids[0], n);
	usleep(500000);
	for (int i = 1; i < n; i++)
		check(upcalls_of(ids[i]) == ups[i], "%s: not told about %s", ids[i], ids[0]);
	stats_diff(b, &st, "watch_poweroff_among_n");
	xo_xen_get_stats(b, &st);
	for (int i = 0; i < n; i++)
		check(ops->domain_destroy(b, &env, domid[i], err) == 0, "%s: destroy", ids[i]);
	usleep(500000);
	stats_diff(b, &st, "watch_destroy_n");
	metric("many_guests", "%d", n);
}

/* ---- devices ---- */

static void vbd_cfg(struct xo_dev_config *d, const char *dev, const char *backend, int ro)
{
	memset(d, 0, sizeof(*d));
	d->kind = XENOPS_KIND_VBD;
	snprintf(d->id, sizeof(d->id), "%s", dev);
	snprintf(d->u.vbd.device, sizeof(d->u.vbd.device), "%s", dev);
	d->u.vbd.backend = (char *)backend;
	d->u.vbd.readonly = ro;
}

static void vif_cfg(struct xo_dev_config *d, int index, const char *mac, const char *bridge)
{
	memset(d, 0, sizeof(*d));
	d->kind = XENOPS_KIND_VIF;
	snprintf(d->id, sizeof(d->id), "%d", index);
	d->u.vif.index = index;
	snprintf(d->u.vif.mac, sizeof(d->u.vif.mac), "%s", mac);
	d->u.vif.bridge = (char *)bridge;
	d->u.vif.carrier = 1;
}

static bool wait_path(const char *path, bool present, unsigned int timeout_ms)
{
	uint64_t start = xo_now_ms();

	while ((access(path, F_OK) == 0) != present) {
		if (xo_now_ms() - start >= timeout_ms)
			return false;
		usleep(20000);
	}
	return true;
}

/* The loop device under a VBD's backend ("/dev/loopN"), or "". */
static void vbd_loop(int domid, int devid, char out[64])
{
	capture(out, 64, "xenstore-read /local/domain/0/backend/vbd/%d/%d/params 2>/dev/null",
		domid, devid);
}

static bool loop_bound(const char *dev)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/block/%s/loop", dev + 5);
	return access(path, F_OK) == 0;
}

static bool wait_loop_free(const char *dev, unsigned int timeout_ms)
{
	uint64_t start = xo_now_ms();

	while (loop_bound(dev)) {
		if (xo_now_ms() - start >= timeout_ms)
			return false;
		usleep(20000);
	}
	return true;
}

static void scenario_devices(struct xo_backend *b)
{
	const char *id = "xoprobe-d", *name = "xoprobe-d";
	struct xo_vm_config cfg;
	struct xo_dev_config xvdb, xvdc, vif;
	struct xo_dev_state st;
	char vm_node[128], loop_b[64], loop_c[64], path[160];
	uint64_t t0, t;
	int domid = -1, rc;

	run("dd if=/dev/zero of=/tmp/xo-disk1.img bs=1M count=16 2>/dev/null");
	run("dd if=/dev/zero of=/tmp/xo-disk2.img bs=1M count=8 2>/dev/null");
	run("brctl addbr xobr0 2>/dev/null; ip link set xobr0 up");
	make_cfg(&cfg, id, name, 256);
	t0 = xo_now_ms();
	rc = ops->domain_create(b, &env, &cfg, &domid, err);
	check(rc == 0, "%s: create", name);
	if (rc < 0)
		return;
	check(ops->domain_build(b, &env, &cfg, domid, err) == 0, "%s: build", name);
	capture(vm_node, sizeof(vm_node), "xenstore-read /local/domain/%d/vm", domid);

	/* Cold plug into the paused domain, as a VM start does. */
	vbd_cfg(&xvdb, "xvdb", "file:/tmp/xo-disk1.img", 0);
	check(ops->dev_plug(b, &env, 30000, &xvdb, &st, err) == XENOPS_ENOTFOUND,
	      "%s: plug into a domain that does not exist: XENOPS_ENOTFOUND", name);
	xo_error_clear(err);
	t = xo_now_ms();
	rc = ops->dev_plug(b, &env, domid, &xvdb, &st, err);
	check(rc == 0 && st.plugged, "%s: cold-plug xvdb (file) into the paused domain: %llu ms, "
	      "backend state %d", name, (unsigned long long)(xo_now_ms() - t), st.backend_state);
	vbd_loop(domid, 51728, loop_b);
	check(!strncmp(loop_b, "/dev/loop", 9) && loop_bound(loop_b),
	      "%s: xvdb is on loop device %s", name, loop_b);
	check(ops->domain_unpause(b, &env, domid, err) == 0, "%s: unpause", name);
	check(wait_console(name, MARKER_UP, t0, 120) > 0, "%s: guest up", name);
	t = xo_now_ms();
	while (ops->dev_info(b, domid, &xvdb, &st,
			     err) == 0 && !st.active && xo_now_ms() - t < 30000)
		usleep(50000);
	check(st.active && st.backend_state == 4, "%s: xvdb connected after boot (state %d)", name,
	      st.backend_state);

	/* Hot-plug into the running guest. */
	vbd_cfg(&xvdc, "xvdc", "file:/tmp/xo-disk2.img", 1);
	t = xo_now_ms();
	rc = ops->dev_plug(b, &env, domid, &xvdc, &st, err);
	check(rc == 0 && st.active, "%s: hot-plug xvdc (file, ro): backend connected in %llu ms",
	      name, (unsigned long long)(xo_now_ms() - t));
	metric("vbd_hotplug_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	check(wait_console(name, "XENTB-GUEST-BLOCK-ADDED xvdc sectors=16384 ro=1", t, 30) > 0,
	      "%s: guest sees xvdc, 8 MiB, read-only", name);
	vbd_loop(domid, 51744, loop_c);

	vif_cfg(&vif, 0, "00:16:3e:12:34:56", "xobr0");
	t = xo_now_ms();
	rc = ops->dev_plug(b, &env, domid, &vif, &st, err);
	check(rc == 0 && st.active && st.carrier, "%s: hot-plug vif 0 on xobr0: %s connected in "
	      "%llu ms", name, st.host_ifname, (unsigned long long)(xo_now_ms() - t));
	metric("vif_hotplug_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	check(wait_console(name, "XENTB-GUEST-NET-ADDED eth0 mac=00:16:3e:12:34:56", t, 30) > 0,
	      "%s: guest sees eth0 with its MAC", name);
	snprintf(path, sizeof(path), "/sys/class/net/xobr0/brif/vif%d.0", domid);
	check(access(path, F_OK) == 0, "%s: vif%d.0 is a port of xobr0", name, domid);
	check(ops->vif_set_carrier(b, &env, domid, &vif, 0, err) == 0 &&
		      ops->dev_info(b, domid, &vif, &st, err) == 0 && !st.carrier,
	      "%s: carrier off", name);
	check(ops->vif_set_carrier(b, &env, domid, &vif, 1, err) == 0 &&
		      ops->dev_info(b, domid, &vif, &st, err) == 0 && st.carrier,
	      "%s: carrier on", name);

	t = xo_now_ms();
	rc = ops->dev_unplug(b, &env, domid, &xvdc, 0, err);
	check(rc == 0, "%s: unplug xvdc (closing handshake) in %llu ms", name,
	      (unsigned long long)(xo_now_ms() - t));
	check(wait_console(name, "XENTB-GUEST-DEV-REMOVED xvdc", t, 30) > 0,
	      "%s: guest saw xvdc go", name);
	check(ops->dev_info(b, domid, &xvdc, &st, err) == XENOPS_ENOTFOUND, "%s: xvdc not plugged",
	      name);
	check(loop_c[0] && wait_loop_free(loop_c, 5000), "%s: loop device %s of xvdc released",
	      name, loop_c);
	t = xo_now_ms();
	rc = ops->dev_unplug(b, &env, domid, &vif, 0, err);
	snprintf(path, sizeof(path), "/sys/class/net/vif%d.0", domid);
	check(rc == 0 && wait_path(path, false, 5000), "%s: unplug vif 0: %s gone (%llu ms)", name,
	      path + 15, (unsigned long long)(xo_now_ms() - t));
	xo_error_clear(err);

	/* Destroy with xvdb still plugged: its loop device must go too. */
	check(ops->domain_destroy(b, &env, domid, err) == 0, "%s: destroy with xvdb plugged", name);
	check(wait_loop_free(loop_b, 5000), "%s: loop device %s of xvdb released", name, loop_b);
	check_gone(b, name, domid, vm_node);
	run("ip link set xobr0 down; brctl delbr xobr0");
}

static void scenario_suspend(struct xo_backend *b)
{
	const char *id = "xoprobe-e", *name = "xoprobe-e", *img = "/tmp/xo-e.save";
	struct xo_vm_config cfg, other;
	struct xo_dev_config xvdb;
	struct xo_dev_state st;
	struct stat sb;
	char vm_node[128];
	uint64_t t0, t;
	int domid = -1, domid2 = -1, reason = -1, rc;

	unlink(img);
	make_cfg(&cfg, id, name, 256);
	if (start_vm(b, &cfg, &domid, &t0) < 0)
		return;
	check(wait_console(name, MARKER_UP, t0, 120) > 0, "%s: guest up", name);
	t = xo_now_ms();
	rc = ops->domain_request_shutdown(b, &env, domid, XO_SHUTDOWN_SUSPEND, err);
	if (rc == 0)
		rc = ops->domain_wait_ack(b, &env, domid, 30000, err);
	if (rc == 0)
		rc = ops->domain_wait_shutdown(b, &env, domid, 60000, &reason, err);
	check(rc == 0 && reason == XO_SHUTDOWN_SUSPEND, "%s: guest suspended itself in %llu ms",
	      name, (unsigned long long)(xo_now_ms() - t));
	t = xo_now_ms();
	rc = ops->domain_save(b, &env, domid, &cfg, img, err);
	if (rc < 0 || stat(img, &sb) < 0)
		sb.st_size = -1;
	check(rc == 0 && sb.st_size > 0, "%s: saved to %s: %lld MiB in %llu ms", name, img,
	      (long long)(sb.st_size / (long long)MIB), (unsigned long long)(xo_now_ms() - t));
	metric("save_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	check(ops->domain_save(b, &env, domid, &cfg, img, err) == XENOPS_EEXIST,
	      "%s: saving over an existing file is refused", name);
	capture(vm_node, sizeof(vm_node), "xenstore-read /local/domain/%d/vm", domid);
	check(ops->domain_destroy(b, &env, domid, err) == 0, "%s: destroy the suspended domain",
	      name);
	if (rc < 0)
		return;

	make_cfg(&other, "someone-else", "xoprobe-x", 256);
	check(ops->domain_restore(b, &env, &other, img, &domid2, err) == XENOPS_EINVAL,
	      "%s: the image is refused for another VM", name);
	xo_error_clear(err);
	t = xo_now_ms();
	rc = ops->domain_restore(b, &env, &cfg, img, &domid2, err);
	check(rc == 0 && domid2 > 0, "%s: restored as domain %d in %llu ms", name, domid2,
	      (unsigned long long)(xo_now_ms() - t));
	metric("restore_ms", "%llu", (unsigned long long)(xo_now_ms() - t));
	if (rc < 0)
		return;
	check(ops->domain_unpause(b, &env, domid2, err) == 0, "%s: unpause the restored domain",
	      name);
	vbd_cfg(&xvdb, "xvdb", "file:/tmp/xo-disk1.img", 0);
	t = xo_now_ms();
	rc = ops->dev_plug(b, &env, domid2, &xvdb, &st, err);
	check(rc == 0 && st.active, "%s: hot-plug after resume: backend connected", name);
	check(wait_console(name, "XENTB-GUEST-BLOCK-ADDED xvdb", t, 30) > 0,
	      "%s: resumed guest sees xvdb", name);
	t = xo_now_ms();
	rc = ops->domain_request_shutdown(b, &env, domid2, XO_SHUTDOWN_POWEROFF, err);
	if (rc == 0)
		rc = ops->domain_wait_ack(b, &env, domid2, 30000, err);
	if (rc == 0)
		rc = ops->domain_wait_shutdown(b, &env, domid2, 60000, &reason, err);
	check(rc == 0 && reason == XO_SHUTDOWN_POWEROFF,
	      "%s: resumed guest shuts down cleanly (%llu ms)", name,
	      (unsigned long long)(xo_now_ms() - t));
	check(ops->domain_destroy(b, &env, domid2, err) == 0, "%s: destroy", name);
	check_gone(b, name, domid2, vm_node);
	unlink(img);
}

/* ---- migration (domain_send / domain_receive) ---- */

#define MARKER_TICK "XENTB-GUEST-TICK n="

/* A task's environment with stream progress, cancelled after N progress reports. */
struct mig_env {
	struct xo_env env;
	pthread_mutex_t lock;
	unsigned int calls, iteration;
	int cancel_after; /* -1: never; 0: at once */
	uint64_t bytes, dirty;
};

static int mig_check(struct xo_env *env, struct xo_error *e)
{
	struct mig_env *m = (struct mig_env *)env;
	bool stop;

	pthread_mutex_lock(&m->lock);
	stop = m->cancel_after >= 0 && m->calls >= (unsigned int)m->cancel_after;
	pthread_mutex_unlock(&m->lock);
	if (stop)
		return xo_err(e, XENOPS_ECANCELLED, "cancelled by the probe");
	return 0;
}

static void mig_stream_progress(struct xo_env *env, uint64_t bytes, unsigned int iteration,
				uint64_t dirty)
{
	struct mig_env *m = (struct mig_env *)env;

	pthread_mutex_lock(&m->lock);
	m->calls++;
	m->bytes = bytes;
	m->iteration = iteration;
	m->dirty = dirty;
	pthread_mutex_unlock(&m->lock);
	if (verbose)
		printf("  progress: %llu bytes, iteration %u, %llu dirty\n", (unsigned long long)bytes,
		       iteration, (unsigned long long)dirty);
}

static void mig_env_init(struct mig_env *m, int cancel_after)
{
	memset(m, 0, sizeof(*m));
	m->env.check = mig_check;
	m->env.sleep = env_sleep;
	m->env.progress = env_progress;
	m->env.stream_progress = mig_stream_progress;
	pthread_mutex_init(&m->lock, NULL);
	m->cancel_after = cancel_after;
}

struct receiver {
	pthread_t thread;
	struct xo_backend *b;
	const struct xo_vm_config *cfg;
	struct mig_env m;
	int fd, rc, domid;
	uint64_t done_ms;
	struct xo_error err;
};

static void *receiver_main(void *arg)
{
	struct receiver *r = arg;

	r->rc = ops->domain_receive(r->b, &r->m.env, r->cfg, r->fd, &r->domid, &r->err);
	r->done_ms = xo_now_ms();
	/* A receiver that gave up must not leave the sender writing into a full socket. */
	if (r->rc < 0) {
		fprintf(stderr, "receiver: %s\n", r->err.msg);
		shutdown(r->fd, SHUT_RDWR);
	}
	return NULL;
}

/* The last tick's counter on @name's console, -1 if none. */
static long tick_last(const char *name)
{
	char path[256], buf[512];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), CONSOLE_DIR "/guest-%s.log", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		char *p = strstr(buf, MARKER_TICK);

		if (p)
			n = strtol(p + strlen(MARKER_TICK), NULL, 10);
	}
	fclose(f);
	return n;
}

static bool wait_tick_after(const char *name, long n, unsigned int timeout_s)
{
	uint64_t start = xo_now_ms();

	while (xo_now_ms() - start < timeout_s * 1000ull) {
		if (tick_last(name) > n)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * The largest gap (s) between ticks numbered from @from on, by the guest's
 * uptime (10 ms steps; the guest's date has whole seconds only): the
 * guest's clock runs on while it is paused or suspended.
 */
static double tick_gap_by(const char *name, long from, const char *field, long *n_out)
{
	char path[256], buf[512];
	double last = -1, gap = 0;
	long n_seen = 0;
	FILE *f;

	snprintf(path, sizeof(path), CONSOLE_DIR "/guest-%s.log", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		char *p = strstr(buf, MARKER_TICK), *t;
		long n;
		double v;

		if (!p)
			continue;
		n = strtol(p + strlen(MARKER_TICK), NULL, 10);
		t = strstr(p, field);
		if (n < from || !t)
			continue;
		v = strtod(t + strlen(field), NULL);
		if (last >= 0 && v - last > gap)
			gap = v - last;
		last = v;
		n_seen++;
	}
	fclose(f);
	*n_out = n_seen;
	return gap;
}

static double tick_gap(const char *name, long from, long *n_out)
{
	return tick_gap_by(name, from, " up=", n_out);
}

static unsigned int console_count(const char *name, const char *re)
{
	char path[256], buf[512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), CONSOLE_DIR "/guest-%s.log", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		n += strstr(buf, re) != NULL;
	fclose(f);
	return n;
}

static bool domain_suspended(struct xo_backend *b, int domid)
{
	struct xo_domain_info inf;

	return info_status(b, domid, &inf) == XO_DOM_SHUTDOWN &&
	       inf.shutdown_reason == XO_SHUTDOWN_SUSPEND;
}

/*
 * A send cancelled after its first pre-copy round (PVH) or before the
 * guest is asked to suspend (PV): the guest runs on, the receiver fails
 * once the connection is shut, and leaves no domain.
 */
static void migrate_cancelled(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			      bool pvh)
{
	struct xo_domain_info inf;
	struct receiver r = { .b = b, .cfg = cfg, .domid = -1 };
	struct mig_env ms;
	struct xo_error es = { 0 };
	int sv[2], rc;
	long n;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		check(0, "socketpair: %s", strerror(errno));
		return;
	}
	/* PVH: cancel during the first pre-copy round; PV (no pre-copy): at once. */
	mig_env_init(&ms, pvh ? 3 : 0);
	mig_env_init(&r.m, -1);
	r.fd = sv[1];
	pthread_create(&r.thread, NULL, receiver_main, &r);
	n = tick_last(cfg->name);
	rc = ops->domain_send(b, &ms.env, domid, cfg, sv[0], 1, &es);
	check(rc == XENOPS_ECANCELLED, "%s: cancelled send returns XENOPS_ECANCELLED (%d: %s)",
	      cfg->name, rc, es.msg);
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(r.thread, NULL);
	check(r.rc < 0 && r.domid == -1, "%s: the receiver fails when the sender gives up (%s)",
	      cfg->name, r.err.msg);
	close(sv[0]);
	close(sv[1]);
	check(info_status(b, domid, &inf) == XO_DOM_RUNNING,
	      "%s: after the cancelled send the guest still runs (domain %d)", cfg->name, domid);
	check(wait_tick_after(cfg->name, n + 2, 30), "%s: its counter still ticks", cfg->name);
	if (pvh)
		check(ms.calls > 0 && ms.bytes > 0,
		      "%s: progress before the cancel: %u reports, %llu bytes, round %u",
		      cfg->name, ms.calls, (unsigned long long)ms.bytes, ms.iteration);
}

static void scenario_migrate(struct xo_backend *b, bool pvh)
{
	const char *id = pvh ? "6b1e0c52-3d4f-4b8a-9c1d-00000000e1a1" : "xoprobe-mig-pv";
	const char *name = pvh ? "xomig-pvh" : "xomig-pv";
	struct xo_vm_config cfg;
	struct xo_domain_info inf;
	struct receiver r = { .b = b, .cfg = &cfg, .domid = -1 };
	struct mig_env ms;
	struct xo_error es = { 0 };
	char buf[256], vm_node[128];
	uint64_t t0, t_sent, t_end;
	int domid = -1, sv[2], rc;
	long n0, n_gap = 0;
	double gap, gap_before;

	make_cfg(&cfg, id, name, 128);
	cfg.type = pvh ? XO_VM_PVH : XO_VM_PV;
	cfg.cmdline = (char *)"console=hvc0 loglevel=4 xentb.tick=100";
	if (start_vm(b, &cfg, &domid, &t0) < 0)
		return;
	check(wait_console(name, MARKER_UP, t0, 300) > 0, "%s: guest up", name);
	check(wait_tick_after(name, 20, 120), "%s: its counter ticks", name);
	capture(vm_node, sizeof(vm_node), "xenstore-read /local/domain/%d/vm", domid);

	migrate_cancelled(b, &cfg, domid, pvh);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		check(0, "socketpair: %s", strerror(errno));
		return;
	}
	mig_env_init(&ms, -1);
	mig_env_init(&r.m, -1);
	r.fd = sv[1];
	n0 = tick_last(name);
	gap_before = tick_gap(name, 0, &n_gap);
	t0 = xo_now_ms();
	pthread_create(&r.thread, NULL, receiver_main, &r);
	rc = ops->domain_send(b, &ms.env, domid, &cfg, sv[0], 1, &es);
	t_sent = xo_now_ms();
	check(rc == 0, "%s: domain_send (%s) in %llu ms: %llu MiB, %u pre-copy rounds, %llu pages "
	      "in the last [%s]", name, pvh ? "live" : "PV: suspended", (unsigned long long)(t_sent - t0),
	      (unsigned long long)(ms.bytes / MIB), ms.iteration, (unsigned long long)ms.dirty,
	      es.msg);
	pthread_join(r.thread, NULL);
	close(sv[0]);
	close(sv[1]);
	check(r.rc == 0 && r.domid > 0 && r.domid != domid,
	      "%s: domain_receive -> domain %d in %llu ms after the start [%s]", name, r.domid,
	      (unsigned long long)(r.done_ms - t0), r.err.msg);
	if (rc < 0 || r.rc < 0) {
		ops->domain_destroy(b, &env, domid, err);
		if (r.domid > 0)
			ops->domain_destroy(b, &env, r.domid, err);
		return;
	}
	/* 128 MiB: the guest's pages, once at least, and not its whole address space. */
	check(ms.calls > 1 && ms.bytes >= 100 * MIB && ms.bytes <= 512 * MIB,
	      "%s: sender progress: %u reports, %llu MiB", name, ms.calls,
	      (unsigned long long)(ms.bytes / MIB));
	check(pvh ? ms.iteration >= 1 : ms.iteration == 0, "%s: %s (round %u)", name,
	      pvh ? "pre-copy rounds while the guest ran" : "no pre-copy for PV", ms.iteration);
	check(r.m.calls >= 1, "%s: receiver progress reported", name);
	check(domain_suspended(b, domid), "%s: the source domain %d is shut down for suspend", name,
	      domid);
	check(info_status(b, r.domid, &inf) == XO_DOM_PAUSED && !strcmp(inf.vm_id, id),
	      "%s: the received domain %d is paused, VM %s", name, r.domid, inf.vm_id);
	capture(buf, sizeof(buf), "xenstore-read /local/domain/%d/store/ring-ref", r.domid);
	check(!pvh || !strcmp(buf, "1044476"), "%s: received store/ring-ref %s", name, buf);
	/* As the engine will: the source goes once the destination holds the guest. */
	check(ops->domain_destroy(b, &env, domid, err) == 0, "%s: destroy the source domain %d",
	      name, domid);
	check(ops->domain_unpause(b, &env, r.domid, err) == 0, "%s: unpause domain %d", name,
	      r.domid);
	t_end = xo_now_ms();
	check(xs_exists(vm_node), "%s: %s still there after the source's destroy", name, vm_node);
	check(wait_tick_after(name, n0 + 20, 60), "%s: the counter continues on domain %d", name,
	      r.domid);
	check(console_count(name, MARKER_UP) == 1, "%s: no reboot (%s once on the console)", name,
	      MARKER_UP);
	gap = tick_gap(name, n0, &n_gap);
	check(gap > 0, "%s: largest gap between ticks across the migration %.2f s (%ld ticks; "
	      "before: %.2f s; by the guest's date, whole seconds: %.0f s)", name, gap, n_gap,
	      gap_before, tick_gap_by(name, n0, " t=", &n_gap));
	metric(pvh ? "migrate_pvh_total_ms" : "migrate_pv_total_ms", "%llu",
	       (unsigned long long)(t_end - t0));
	metric(pvh ? "migrate_pvh_pause_s" : "migrate_pv_pause_s", "%.2f", gap);
	metric(pvh ? "migrate_pvh_rounds" : "migrate_pv_rounds", "%u", ms.iteration);
	rc = ops->domain_request_shutdown(b, &env, r.domid, XO_SHUTDOWN_POWEROFF, err);
	if (rc == 0)
		rc = ops->domain_wait_ack(b, &env, r.domid, 30000, err);
	check(rc == 0, "%s: the migrated guest acknowledges a poweroff (it reached xenstore)", name);
	check(wait_console(name, "XENTB-GUEST-SHUTDOWN", t_end, 60) > 0,
	      "%s: the migrated guest ran its shutdown", name);
	check(ops->domain_destroy(b, &env, r.domid, err) == 0, "%s: destroy", name);
	check_gone(b, name, r.domid, vm_node);
}

static void check_clean_host(void)
{
	char buf[4096];

	capture(buf, sizeof(buf), "xl list | awk 'NR > 1 {print $1}' | tr '\\n' ' '");
	check(!strcmp(buf, "Domain-0"), "no domain left but Domain-0 (xl list: %s)", buf);
	capture(buf, sizeof(buf), "xenstore-list /local/domain | tr '\\n' ' '");
	check(!strcmp(buf, "0"), "no /local/domain/<domid> left (%s)", buf);
	capture(buf, sizeof(buf), "xenstore-list /vm 2>/dev/null | tr '\\n' ' '");
	check(!strcmp(buf, ""), "no /vm/* left (%s)", buf);
	capture(buf, sizeof(buf),
		"for t in $(xenstore-list /local/domain/0/backend 2>/dev/null); do "
		"xenstore-list /local/domain/0/backend/$t; done | tr '\\n' ' '");
	check(!strcmp(buf, ""), "no backend entries left (%s)", buf);
}

/* ---- without Xen ---- */

/*
 * Open must fail cleanly: no hypervisor at all, or (with @drop_privileges,
 * in dom0) a hypervisor whose /dev/xen/privcmd we may not open.
 */
static int expect_open_failure(bool drop_privileges)
{
	struct xo_backend_params params = { 0 };
	struct xo_backend *b = NULL;
	char tmpl[] = "/tmp/xo_probe_stderr.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2), rc;
	struct stat sb;

	if (fd < 0 || saved < 0)
		return 2;
	if (drop_privileges && (setgid(65534) < 0 || setuid(65534) < 0)) {
		printf("cannot drop privileges: %s\n", strerror(errno));
		return 2;
	}
	dup2(fd, 2);
	rc = ops->open(&b, &params, err);
	fflush(stderr);
	dup2(saved, 2);
	fstat(fd, &sb);
	unlink(tmpl);
	check(rc == XENOPS_EBACKEND && !b, "open %s fails with XENOPS_EBACKEND",
	      drop_privileges ? "as an unprivileged user" : "without a hypervisor");
	check(err->msg[0] != '\0', "with a message: %s", err->msg);
	check(sb.st_size == 0, "and nothing on stderr (%lld bytes)", (long long)sb.st_size);
	if (b)
		ops->close(b);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}

/* One QMP command, for the test scripts (dom0 has no QMP client). */
static int qmp_once(const char *path, const char *json)
{
	struct xo_qmp *q = NULL;
	char reply[16384];
	int rc = xo_qmp_open(path, 5000, &q, err);

	if (rc == 0)
		rc = xo_qmp_command(q, json, 5000, reply, sizeof(reply), err);
	xo_qmp_close(q);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err->msg);
		return 1;
	}
	printf("%s\n", reply);
	return 0;
}

int main(int argc, char **argv)
{
	struct xo_log log = { log_fn, NULL, XENOPS_LOG_INFO };
	struct xo_backend_params params = { 0 };
	struct xo_backend *b = NULL;
	struct xo_host_info hi;
	int n_guests = 3, rc;
	const char *migrate = NULL;

	/* libxenguest writes the stream with write(): a receiver that shut its
	 * end must fail the send (EPIPE), not kill the probe. */
	signal(SIGPIPE, SIG_IGN);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--expect-no-xen"))
			return expect_open_failure(false);
		if (!strcmp(argv[i], "--expect-no-access"))
			return expect_open_failure(true);
		if (!strcmp(argv[i], "--qmp") && i + 2 < argc)
			return qmp_once(argv[i + 1], argv[i + 2]);
		if (!strcmp(argv[i], "-v"))
			verbose = 1, log.level = XENOPS_LOG_DEBUG;
		else if (!strcmp(argv[i], "--no-devices"))
			devices = 0;
		else if (!strcmp(argv[i], "--migrate") && i + 1 < argc)
			migrate = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n_guests = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			kernel = argv[++i];
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			ramdisk = argv[++i];
		else {
			fprintf(stderr, "usage: %s [-v] [--no-devices] [-n GUESTS] [-k KERNEL] [-r RAMDISK] | "
					"--migrate pvh|pv | --expect-no-xen | --expect-no-access\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	params.log = &log;
	params.events.domain_changed = on_domain_changed;
	rc = ops->open(&b, &params, err);
	check(rc == 0, "open the xen backend");
	if (rc < 0) {
		printf("%d passed, %d failed\n", n_pass, n_fail);
		return 1;
	}
	rc = ops->host_info(b, &hi, err);
	check(rc == 0 && !strncmp(hi.hypervisor, "xen-4.17", 8),
	      "host_info: %s, %u cpus, %llu MiB total, %llu MiB free", hi.hypervisor, hi.nr_cpus,
	      (unsigned long long)(hi.total_memory / MIB), (unsigned long long)(hi.free_memory / MIB));
	print_stats(b, "open");
	if (migrate) {
		scenario_migrate(b, !strcmp(migrate, "pvh"));
		check_clean_host();
		ops->close(b);
		printf("%d passed, %d failed\n", n_pass, n_fail);
		return n_fail ? 1 : 0;
	}

	scenario_lifecycle(b);
	print_stats(b, "after lifecycle");
	scenario_forced(b);
	scenario_guest_poweroff(b);
	if (devices)
		scenario_devices(b);
	if (devices)
		scenario_suspend(b);
	print_stats(b, "after single-guest scenarios");
	if (n_guests > 0)
		scenario_many(b, n_guests);
	print_stats(b, "end");
	check_clean_host();
	ops->close(b);
	xo_map_clear(&up_counts);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
