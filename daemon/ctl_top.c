/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl stats and top: VM statistics (VM.stats, VM.stats_all) as a
 * table, as the Prometheus text exposition format, or as a live table
 * refreshed every second with rates computed between two samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl_cmd.h"

#define TOP_MAX_VMS 4096

/* ---- reading the statistics ---- */

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return v ? json_object_get_double(v) : 0;
}

static uint64_t u64(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	int64_t x = v ? json_object_get_int64(v) : 0;

	return x > 0 ? (uint64_t)x : 0;
}

static size_t count(struct json_object *arr)
{
	return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

/* {vms: [...]} of one VM (with its id) or of all of them; 0 or an exit code. */
static int fetch(struct ctl *c, const char *vm, struct json_object **out)
{
	struct json_object *params = NULL, *res = NULL, *all, *arr;
	int rc;

	if (vm) {
		params = json_object_new_object();
		json_object_object_add(params, "id", json_object_new_string(vm));
		rc = ctl_call(c, "VM.stats", params, &res);
		if (rc)
			return rc;
		json_object_object_add(res, "id", json_object_new_string(vm));
		all = json_object_new_object();
		arr = json_object_new_array();
		json_object_array_add(arr, res);
		json_object_object_add(all, "vms", arr);
		*out = all;
		return 0;
	}
	rc = ctl_call(c, "VM.stats_all", NULL, &res);
	if (rc)
		return rc;
	if (!json_object_is_type(member(res, "vms"), json_type_array)) {
		json_object_put(res);
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd (no vms)\n");
		return CTL_PROTOCOL;
	}
	*out = res;
	return 0;
}

static uint64_t cpu_ns(struct json_object *vm)
{
	struct json_object *vcpus = member(vm, "vcpus");
	uint64_t t = 0;

	for (size_t i = 0; i < count(vcpus); i++)
		t += u64(json_object_array_get_idx(vcpus, i), "time_ns");
	return t;
}

static unsigned int online(struct json_object *vm)
{
	struct json_object *vcpus = member(vm, "vcpus");
	unsigned int n = 0;

	for (size_t i = 0; i < count(vcpus); i++)
		n += json_object_get_boolean(member(json_object_array_get_idx(vcpus, i), "online"));
	return n;
}

/* The sum of counter @key over the VM's devices in @list ("vbds", "vifs"). */
static uint64_t dev_sum(struct json_object *vm, const char *list, const char *key)
{
	struct json_object *arr = member(vm, list);
	uint64_t t = 0;

	for (size_t i = 0; i < count(arr); i++)
		t += u64(json_object_array_get_idx(arr, i), key);
	return t;
}

/* ---- Prometheus text exposition ---- */

/* A label value: backslash, double quote and newline escaped. */
static void label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static void family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_start(const char *name, const char *vm)
{
	printf("%s{vm=\"", name);
	label(vm);
	putchar('"');
}

/* One family per VBD or VIF counter: {vm, <kind>=id}. */
static void dev_family(struct json_object *vms, const char *list, const char *kind,
		       const char *name, const char *key, uint64_t mul, const char *help)
{
	family(name, "counter", help);
	for (size_t i = 0; i < count(vms); i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i);
		struct json_object *arr = member(vm, list);

		for (size_t j = 0; j < count(arr); j++) {
			struct json_object *d = json_object_array_get_idx(arr, j);

			sample_start(name, json_object_get_string(member(vm, "id")));
			printf(",%s=\"", kind);
			label(json_object_get_string(member(d, "id")));
			printf("\"} %" PRIu64 "\n", u64(d, key) * mul);
		}
	}
}

static void prometheus(struct json_object *vms)
{
	static const struct {
		const char *name, *key, *help;
	} mem[] = {
		{ "xenops_vm_memory_target_bytes", "target", "Memory target (balloon) of the VM." },
		{ "xenops_vm_memory_actual_bytes", "actual", "Memory the VM's domain holds." },
		{ "xenops_vm_memory_max_bytes", "max", "Memory maximum of the VM." },
	};

	family("xenops_vm_cpu_seconds_total", "counter", "CPU time used by a vCPU of the VM.");
	for (size_t i = 0; i < count(vms); i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i);
		struct json_object *vcpus = member(vm, "vcpus");

		for (size_t j = 0; j < count(vcpus); j++) {
			struct json_object *v = json_object_array_get_idx(vcpus, j);

			sample_start("xenops_vm_cpu_seconds_total",
				     json_object_get_string(member(vm, "id")));
			printf(",vcpu=\"%d\"} %.9f\n", json_object_get_int(member(v, "id")),
			       (double)u64(v, "time_ns") / 1e9);
		}
	}
	family("xenops_vm_vcpus_online", "gauge", "vCPUs online in the VM.");
	for (size_t i = 0; i < count(vms); i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i);

		sample_start("xenops_vm_vcpus_online", json_object_get_string(member(vm, "id")));
		printf("} %u\n", online(vm));
	}
	for (size_t m = 0; m < sizeof(mem) / sizeof(mem[0]); m++) {
		family(mem[m].name, "gauge", mem[m].help);
		for (size_t i = 0; i < count(vms); i++) {
			struct json_object *vm = json_object_array_get_idx(vms, i);

			sample_start(mem[m].name, json_object_get_string(member(vm, "id")));
			printf("} %" PRIu64 "\n", u64(member(vm, "memory"), mem[m].key));
		}
	}
	dev_family(vms, "vbds", "vbd", "xenops_vm_vbd_read_requests_total", "rd_reqs", 1,
		   "Read requests of a virtual disk.");
	dev_family(vms, "vbds", "vbd", "xenops_vm_vbd_write_requests_total", "wr_reqs", 1,
		   "Write requests of a virtual disk.");
	dev_family(vms, "vbds", "vbd", "xenops_vm_vbd_read_bytes_total", "rd_sectors", 512,
		   "Bytes read from a virtual disk.");
	dev_family(vms, "vbds", "vbd", "xenops_vm_vbd_written_bytes_total", "wr_sectors", 512,
		   "Bytes written to a virtual disk.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_receive_bytes_total", "rx_bytes", 1,
		   "Bytes received by the VM on a network interface.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_transmit_bytes_total", "tx_bytes", 1,
		   "Bytes sent by the VM on a network interface.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_receive_packets_total", "rx_packets", 1,
		   "Packets received by the VM on a network interface.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_transmit_packets_total", "tx_packets", 1,
		   "Packets sent by the VM on a network interface.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_receive_drops_total", "rx_drops", 1,
		   "Received packets dropped on a network interface of the VM.");
	dev_family(vms, "vifs", "vif", "xenops_vm_vif_transmit_drops_total", "tx_drops", 1,
		   "Sent packets dropped on a network interface of the VM.");
}

/* ---- xenopsctl stats ---- */

static void stats_table(struct json_object *vms)
{
	static const char *headers[] = { "VM",      "VCPUS",   "CPU_S",  "MEM_MIB", "TARGET_MIB",
					 "RD_REQS", "WR_REQS", "RX_BYTES", "TX_BYTES" };
	struct ctl_table t;
	char cells[9][32];
	const char *row[9];

	ctl_table_init(&t, headers, 9);
	for (size_t i = 0; i < count(vms); i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i);
		struct json_object *mem = member(vm, "memory");

		snprintf(cells[0], sizeof(cells[0]), "%s", json_object_get_string(member(vm, "id")));
		snprintf(cells[1], sizeof(cells[1]), "%u/%zu", online(vm), count(member(vm, "vcpus")));
		snprintf(cells[2], sizeof(cells[2]), "%.1f", (double)cpu_ns(vm) / 1e9);
		snprintf(cells[3], sizeof(cells[3]), "%" PRIu64, u64(mem, "actual") >> 20);
		snprintf(cells[4], sizeof(cells[4]), "%" PRIu64, u64(mem, "target") >> 20);
		snprintf(cells[5], sizeof(cells[5]), "%" PRIu64, dev_sum(vm, "vbds", "rd_reqs"));
		snprintf(cells[6], sizeof(cells[6]), "%" PRIu64, dev_sum(vm, "vbds", "wr_reqs"));
		snprintf(cells[7], sizeof(cells[7]), "%" PRIu64, dev_sum(vm, "vifs", "rx_bytes"));
		snprintf(cells[8], sizeof(cells[8]), "%" PRIu64, dev_sum(vm, "vifs", "tx_bytes"));
		for (int k = 0; k < 9; k++)
			row[k] = cells[k];
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t);
	ctl_table_free(&t);
}

int ctl_run_stats(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *all = NULL;
	int rc = fetch(c, a->npos ? a->pos[0] : NULL, &all);

	(void)cmd;
	if (rc)
		return rc;
	if (a->val[0])
		prometheus(member(all, "vms"));
	else if (c->json)
		ctl_print_json(all, 0);
	else
		stats_table(member(all, "vms"));
	json_object_put(all);
	return fflush(stdout) == 0 ? CTL_OK : CTL_USAGE;
}

/* ---- xenopsctl top ---- */

static volatile sig_atomic_t top_stop;

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* The same VM in the previous sample, or NULL. */
static struct json_object *find_vm(struct json_object *vms, const char *id)
{
	for (size_t i = 0; id && i < count(vms); i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i);
		const char *vid = json_object_get_string(member(vm, "id"));

		if (vid && strcmp(vid, id) == 0)
			return vm;
	}
	return NULL;
}

static double rate(uint64_t now, uint64_t before, double dt)
{
	return now >= before && dt > 0 ? (double)(now - before) / dt : 0;
}

static void top_frame(struct json_object *prev, struct json_object *cur, int tty)
{
	static const char *headers[] = { "VM",       "VCPUS",    "CPU%",     "MEM_MIB",
					 "TARGET_MIB", "RD_REQ/S", "WR_REQ/S", "RX_KB/S",
					 "TX_KB/S" };
	struct json_object *pv = member(prev, "vms"), *cv = member(cur, "vms");
	struct ctl_table t;
	char cells[9][32];
	const char *row[9];

	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("xenopsctl top: %zu VMs (q or Ctrl-C quits)\n", count(cv));
	ctl_table_init(&t, headers, 9);
	for (size_t i = 0; i < count(cv); i++) {
		struct json_object *vm = json_object_array_get_idx(cv, i);
		const char *id = json_object_get_string(member(vm, "id"));
		struct json_object *old = find_vm(pv, id), *mem = member(vm, "memory");
		double dt = old ? num(vm, "time") - num(old, "time") : 0;

		snprintf(cells[0], sizeof(cells[0]), "%s", id ? id : "?");
		snprintf(cells[1], sizeof(cells[1]), "%u", online(vm));
		snprintf(cells[2], sizeof(cells[2]), "%.1f",
			 old ? rate(cpu_ns(vm), cpu_ns(old), dt) / 1e7 : 0.0);
		snprintf(cells[3], sizeof(cells[3]), "%" PRIu64, u64(mem, "actual") >> 20);
		snprintf(cells[4], sizeof(cells[4]), "%" PRIu64, u64(mem, "target") >> 20);
		snprintf(cells[5], sizeof(cells[5]), "%.0f",
			 old ? rate(dev_sum(vm, "vbds", "rd_reqs"), dev_sum(old, "vbds", "rd_reqs"), dt)
			     : 0.0);
		snprintf(cells[6], sizeof(cells[6]), "%.0f",
			 old ? rate(dev_sum(vm, "vbds", "wr_reqs"), dev_sum(old, "vbds", "wr_reqs"), dt)
			     : 0.0);
		snprintf(cells[7], sizeof(cells[7]), "%.1f",
			 old ? rate(dev_sum(vm, "vifs", "rx_bytes"), dev_sum(old, "vifs", "rx_bytes"),
				    dt) / 1000
			     : 0.0);
		snprintf(cells[8], sizeof(cells[8]), "%.1f",
			 old ? rate(dev_sum(vm, "vifs", "tx_bytes"), dev_sum(old, "vifs", "tx_bytes"),
				    dt) / 1000
			     : 0.0);
		for (int k = 0; k < 9; k++)
			row[k] = cells[k];
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t);
	ctl_table_free(&t);
	fflush(stdout);
}

/* Wait one second for a key: 1 when it was q (or the input ended), else 0. */
static int wait_key(int interactive)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	uint64_t end = ctl_now_ms() + 1000;

	for (;;) {
		uint64_t now = ctl_now_ms();
		int n;
		char ch;

		if (top_stop)
			return 1;
		if (now >= end)
			return 0;
		if (!interactive) {
			usleep((useconds_t)((end - now) * 1000));
			continue;
		}
		n = poll(&p, 1, (int)(end - now));
		if (n < 0 && errno != EINTR)
			return 1;
		if (n > 0) {
			ssize_t r = read(STDIN_FILENO, &ch, 1);

			if (r <= 0 || ch == 'q' || ch == 'Q')
				return 1;
		}
	}
}

int ctl_run_top(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct json_object *prev = NULL, *cur = NULL;
	unsigned long long frames = 0;
	int tty = isatty(STDOUT_FILENO), interactive, rc;
	struct termios saved, raw;
	struct sigaction sa;
	bool restore = false;

	if (a->val[0] && (ctl_parse_uint(a->val[0], 1000000, &frames) < 0 || frames == 0))
		return ctl_usage_error(cmd, "expected a positive number of frames, not '%s'",
				       a->val[0]);
	if (!a->val[0] && !tty)
		frames = 1;
	interactive = tty && isatty(STDIN_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (interactive && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	rc = fetch(c, NULL, &prev);
	for (unsigned long long n = 0; rc == 0 && (!frames || n < frames); n++) {
		if (wait_key(interactive))
			break;
		rc = fetch(c, NULL, &cur);
		if (rc)
			break;
		top_frame(prev, cur, tty && !a->val[0]);
		json_object_put(prev);
		prev = cur;
		cur = NULL;
	}
	json_object_put(prev);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return rc;
}
