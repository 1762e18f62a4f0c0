/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench rpc: xenopsd under load, on its Unix socket only.
 *
 *  - VM.stat requests per second with 1, 10 and 100 connections, each
 *    without pipelining (one request in flight per connection) and with
 *    16 in flight; every run is bounded in time and in count. Peers,
 *    measured in the same run: the same load generator against an echo
 *    server of ours (one poll() loop answering each line with a canned
 *    VM.stat answer of the same size: the transport's ceiling), and
 *    xenops_vm_stat called in this process (the library's own cost).
 *  - 100 connections long-polling UPDATES.get while another connection
 *    pauses and unpauses VMs: latency from just before the request that
 *    changes a VM to each client's receiving that VM in an answer, and
 *    whether every client saw every change.
 *
 * The daemon is started by bench/run.sh (--socket); the VMs it serves are
 * defined here.
 */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define NVMS 100
#define NRUNNING 50
#define LP_VMS 10
#define MAX_REQS 3000000 /* per run, whatever its duration */
#define DRAIN_MS 5000

static void sun_path_set(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	if (len >= sizeof(sa->sun_path))
		bn_die("socket path too long: %s", path);
	memcpy(sa->sun_path, path, len + 1);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		bn_die("socket: %s", strerror(errno));
	sun_path_set(&sa, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bn_die("connect %s: %s", path, strerror(errno));
	return fd;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bn_die("send: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* A blocking call: one request line, one answer (malloc'd, without '\n'). */
static char *call(int fd, const char *line)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	write_all(fd, line, strlen(line));
	for (;;) {
		ssize_t n;
		char *nl;

		if (len + 1 >= cap && !(buf = realloc(buf, cap *= 2)))
			bn_die("out of memory");
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0)
			bn_die("daemon closed the connection");
		len += (size_t)n;
		buf[len] = '\0';
		nl = strchr(buf, '\n');
		if (nl) {
			if ((size_t)(nl - buf) + 1 != len)
				bn_die("unexpected extra answer");
			*nl = '\0';
			return buf;
		}
	}
}

static struct json_object *call_result(int fd, const char *line)
{
	char *ans = call(fd, line);
	struct json_object *o = json_tokener_parse(ans), *r = NULL;

	if (!o || !json_object_object_get_ex(o, "result", &r))
		bn_die("request %.80s failed: %.300s", line, ans);
	json_object_get(r);
	json_object_put(o);
	free(ans);
	return r;
}

static void vm_name(char *buf, size_t len, int i)
{
	snprintf(buf, len, "rpc-%03d", i);
}

/* Define NVMS VMs and start NRUNNING of them, through the daemon. */
static void setup_daemon(const char *sock)
{
	int fd = connect_unix(sock);
	char line[512], id[32];
	char *tasks[NRUNNING];

	for (int i = 0; i < NVMS + LP_VMS; i++) {
		struct json_object *r;

		if (i < NVMS)
			vm_name(id, sizeof(id), i);
		else
			snprintf(id, sizeof(id), "lp-%d", i - NVMS);
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VM.add\",\"params\":{\"config\":"
			 "{\"id\":\"%s\",\"memory_mib\":64,\"vcpus\":2,\"kernel\":\"/boot/vmlinuz-bench\"}}}\n",
			 i, id);
		json_object_put(call_result(fd, line));
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VBD.add\",\"params\":{\"vm\":\"%s\",\"config\":"
			 "{\"device\":\"xvda\",\"backend\":\"file:/srv/bench/%s.img\"}}}\n",
			 i, id, id);
		json_object_put(call_result(fd, line));
		if (i < NRUNNING || i >= NVMS) {
			snprintf(line, sizeof(line),
				 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VM.start\",\"params\":{\"id\":\"%s\"}}\n", i,
				 id);
			r = call_result(fd, line);
			if (i < NRUNNING)
				tasks[i] = strdup(json_object_get_string(json_object_object_get(r, "task")));
			if (i >= NVMS) {
				struct json_object *t;

				snprintf(line, sizeof(line),
					 "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"TASK.wait\",\"params\":{\"id\":\"%s\",\"timeout\":30}}\n",
					 json_object_get_string(json_object_object_get(r, "task")));
				t = call_result(fd, line);
				if (strcmp(json_object_get_string(json_object_object_get(t, "state")), "completed"))
					bn_die("VM.start of %s did not complete", id);
				json_object_put(t);
			}
			json_object_put(r);
		}
	}
	for (int i = 0; i < NRUNNING; i++) {
		struct json_object *t;

		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"TASK.wait\",\"params\":{\"id\":\"%s\",\"timeout\":30}}\n",
			 tasks[i]);
		t = call_result(fd, line);
		if (strcmp(json_object_get_string(json_object_object_get(t, "state")), "completed"))
			bn_die("VM.start of rpc-%03d did not complete", i);
		json_object_put(t);
		free(tasks[i]);
	}
	close(fd);
}

/* ---- the load generator ------------------------------------------------- */

struct lconn {
	int fd;
	int vm;          /* next VM to ask about */
	unsigned int inflight;
	uint64_t *sent_at; /* ring of depth send times, FIFO */
	unsigned int ring_head;
	char *in;
	size_t in_len, in_cap;
	char out[64 * 128];
	size_t out_off, out_len;
};

struct lresult {
	double rate;   /* answers per second inside the window */
	uint64_t ok, errors, answered_in_window;
	double p50_us, p99_us;
	int drained;   /* every request sent got its answer */
};

static void lconn_fill(struct lconn *c, unsigned int depth, uint64_t *sent, uint64_t max, uint64_t now)
{
	while (c->inflight < depth && *sent < max &&
	       c->out_len + 128 < sizeof(c->out)) {
		char id[32];
		int n;

		vm_name(id, sizeof(id), c->vm);
		c->vm = (c->vm + 7) % NVMS;
		n = snprintf(c->out + c->out_len, sizeof(c->out) - c->out_len,
			     "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"VM.stat\",\"params\":{\"id\":\"%s\"}}\n",
			     (unsigned long long)*sent, id);
		c->out_len += (size_t)n;
		c->sent_at[(c->ring_head + c->inflight) % depth] = now;
		c->inflight++;
		(*sent)++;
	}
}

static void lconn_flush(struct lconn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			bn_die("send to the server (fd %d): %s", c->fd, strerror(errno));
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
}

/* Read what is there; count whole answer lines. */
static void lconn_read(struct lconn *c, unsigned int depth, uint64_t now, uint64_t deadline,
		       struct lresult *r, float *lat, size_t *nlat)
{
	for (;;) {
		ssize_t n;
		size_t start = 0;

		if (c->in_cap - c->in_len < 65536) {
			c->in_cap = c->in_cap ? c->in_cap * 2 : 262144;
			c->in = realloc(c->in, c->in_cap);
			if (!c->in)
				bn_die("out of memory");
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			bn_die("the server closed a connection");
		c->in_len += (size_t)n;
		for (;;) {
			char *nl = memchr(c->in + start, '\n', c->in_len - start);
			size_t len;

			if (!nl)
				break;
			len = (size_t)(nl - (c->in + start));
			/* An answer is a result or an error: "result" appears early. */
			if (len > 30 && memmem(c->in + start, len < 64 ? len : 64, "\"result\"", 8))
				r->ok++;
			else
				r->errors++;
			if (!c->inflight)
				bn_die("an answer nobody asked for");
			if (now <= deadline) {
				r->answered_in_window++;
				if (*nlat < MAX_REQS)
					lat[(*nlat)++] = (float)((double)(now - c->sent_at[c->ring_head]) / 1e3);
			}
			c->ring_head = (c->ring_head + 1) % depth;
			c->inflight--;
			start += len + 1;
		}
		memmove(c->in, c->in + start, c->in_len - start);
		c->in_len -= start;
	}
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void loadgen(const char *sock, unsigned int nconn, unsigned int depth, double seconds,
		    struct lresult *r)
{
	struct lconn *cs = calloc(nconn, sizeof(*cs));
	struct pollfd *pf = calloc(nconn, sizeof(*pf));
	float *lat = malloc(MAX_REQS * sizeof(float));
	uint64_t sent = 0, start, deadline, drain_end;
	size_t nlat = 0;

	if (!cs || !pf || !lat)
		bn_die("out of memory");
	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < nconn; i++) {
		cs[i].fd = connect_unix(sock);
		cs[i].vm = (int)(i % NVMS);
		cs[i].sent_at = calloc(depth, sizeof(uint64_t));
	}
	start = bn_mono_ns();
	deadline = start + (uint64_t)(seconds * 1e9);
	drain_end = deadline + (uint64_t)DRAIN_MS * 1000000u;
	for (;;) {
		uint64_t now = bn_mono_ns();
		unsigned int waiting = 0;
		int sending = now < deadline;

		for (unsigned int i = 0; i < nconn; i++) {
			struct lconn *c = &cs[i];

			if (sending)
				lconn_fill(c, depth, &sent, MAX_REQS, now);
			lconn_flush(c);
			pf[i].fd = c->fd;
			pf[i].events = POLLIN | (c->out_len ? POLLOUT : 0);
			waiting += c->inflight;
		}
		if (!sending && (!waiting || now > drain_end))
			break;
		if (sending && sent >= MAX_REQS && !waiting)
			break;
		if (poll(pf, nconn, 100) < 0 && errno != EINTR)
			bn_die("poll: %s", strerror(errno));
		now = bn_mono_ns();
		for (unsigned int i = 0; i < nconn; i++)
			if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
				lconn_read(&cs[i], depth, now, deadline, r, lat, &nlat);
	}
	{
		uint64_t end = bn_mono_ns();
		double window = (double)((end < deadline ? end : deadline) - start) / 1e9;
		unsigned int left = 0;

		for (unsigned int i = 0; i < nconn; i++)
			left += cs[i].inflight;
		r->drained = left == 0;
		r->rate = (double)r->answered_in_window / window;
	}
	qsort(lat, nlat, sizeof(float), cmp_float);
	if (nlat) {
		r->p50_us = lat[(size_t)(0.50 * (double)(nlat - 1))];
		r->p99_us = lat[(size_t)(0.99 * (double)(nlat - 1))];
	}
	for (unsigned int i = 0; i < nconn; i++) {
		close(cs[i].fd);
		free(cs[i].in);
		free(cs[i].sent_at);
	}
	free(cs);
	free(pf);
	free(lat);
}

/*
 * CPU time (user + system, every thread) a process has used so far, in
 * microseconds, from the scheduler's per-thread counters (nanoseconds);
 * -1 if it cannot be read.
 */
static double proc_cpu_us(int pid)
{
	char path[64], line[128];
	double sum = 0;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		FILE *f;
		char tpath[sizeof(path) + sizeof(de->d_name) + 16];
		unsigned long long ns;

		if (de->d_name[0] == '.')
			continue;
		snprintf(tpath, sizeof(tpath), "%s/%s/schedstat", path, de->d_name);
		if (!(f = fopen(tpath, "r")))
			continue;
		if (fgets(line, sizeof(line), f) && sscanf(line, "%llu", &ns) == 1)
			sum += (double)ns / 1e3;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* ---- the echo peer ------------------------------------------------------ */

struct eclient {
	int fd;
	char *in, *out;
	size_t in_len, in_cap, out_off, out_len, out_cap;
};

/* One poll() loop, as xenopsd's: each request line gets @reply. */
static void echo_serve(int lfd, const char *reply)
{
	struct eclient *cl = calloc(512, sizeof(*cl));
	struct pollfd pf[513];
	size_t rlen = strlen(reply);
	unsigned int n = 0;

	if (!cl)
		_exit(1);
	for (;;) {
		unsigned int polled = n;

		pf[0].fd = lfd;
		pf[0].events = POLLIN;
		for (unsigned int i = 0; i < n; i++) {
			pf[i + 1].fd = cl[i].fd;
			pf[i + 1].events = POLLIN | (cl[i].out_len > cl[i].out_off ? POLLOUT : 0);
		}
		if (poll(pf, n + 1, -1) < 0)
			continue;
		/* Backwards, so that a closed client's slot takes one already seen. */
		for (unsigned int i = polled; i-- > 0;) {
			struct eclient *c = &cl[i];
			size_t start = 0;
			ssize_t got;

			if (pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
				if (c->in_cap - c->in_len < 65536 &&
				    !(c->in = realloc(c->in, c->in_cap = c->in_cap * 2 + 65536)))
					_exit(1);
				got = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
				if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
					close(c->fd);
					free(c->in);
					free(c->out);
					cl[i] = cl[--n];
					continue;
				}
				if (got > 0)
					c->in_len += (size_t)got;
				for (char *nl; (nl = memchr(c->in + start, '\n', c->in_len - start));
				     start = (size_t)(nl - c->in) + 1) {
					if (c->out_cap - c->out_len < rlen &&
					    !(c->out = realloc(c->out, c->out_cap = c->out_cap * 2 + rlen + 65536)))
						_exit(1);
					memcpy(c->out + c->out_len, reply, rlen);
					c->out_len += rlen;
				}
				memmove(c->in, c->in + start, c->in_len - start);
				c->in_len -= start;
			}
			while (c->out_off < c->out_len) {
				got = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
				if (got <= 0)
					break;
				c->out_off += (size_t)got;
			}
			if (c->out_off == c->out_len)
				c->out_off = c->out_len = 0;
		}
		if ((pf[0].revents & POLLIN) && n < 512) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0)
				cl[n++] = (struct eclient){ .fd = fd };
		}
	}
}

static pid_t echo_start(const char *path, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	sun_path_set(&sa, path);
	unlink(path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 512) < 0)
		bn_die("echo server on %s: %s", path, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		bn_die("fork failed");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Never outlive the benchmark, nor hold its output open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null >= 0) {
			dup2(null, 1);
			close(null);
		}
		echo_serve(lfd, reply);
		_exit(0);
	}
	close(lfd);
	return pid;
}

/* ---- the in-process peer ------------------------------------------------ */

static double inproc_rate(double seconds)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx;
	char id[32], cfg[256];
	uint64_t start, deadline, count = 0;
	double rate;

	opts.backend = "sim";
	opts.workers = 4;
	bn_check(xenops_ctx_new(&ctx, &opts), "ctx_new");
	for (int i = 0; i < NVMS; i++) {
		vm_name(id, sizeof(id), i);
		snprintf(cfg, sizeof(cfg),
			 "{\"id\":\"%s\",\"memory_mib\":64,\"vcpus\":2,\"kernel\":\"/boot/vmlinuz-bench\"}", id);
		bn_check(xenops_vm_add(NULL, ctx, cfg, 0), "vm_add");
		snprintf(cfg, sizeof(cfg), "{\"device\":\"xvda\",\"backend\":\"file:/srv/bench/%s.img\"}", id);
		bn_check(xenops_vbd_add(NULL, ctx, id, cfg, 0), "vbd_add");
		if (i < NRUNNING)
			bn_check(xenops_vm_start(NULL, ctx, id, XENOPS_WAIT), "vm_start");
	}
	start = bn_mono_ns();
	deadline = start + (uint64_t)(seconds * 1e9);
	for (int vm = 0; bn_mono_ns() < deadline && count < MAX_REQS; vm = (vm + 7) % NVMS) {
		for (int k = 0; k < 64; k++, count++) {
			char *json;

			vm_name(id, sizeof(id), (vm + k) % NVMS);
			bn_check(xenops_vm_stat(&json, ctx, id), "vm_stat");
			xenops_free(json);
		}
	}
	rate = (double)count / ((double)(bn_mono_ns() - start) / 1e9);
	xenops_ctx_unref(ctx);
	return rate;
}

/* ---- long-poll delivery: listeners ------------------------------------ */

struct lpclient {
	int fd;
	char *in;
	size_t in_len, in_cap;
	int seen_change; /* the last change index this client has seen */
};

static void lp_send_get(struct lpclient *c, const char *token, size_t len)
{
	char line[256];
	int n = snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"UPDATES.get\",\"params\":{\"from\":\"%.*s\",\"timeout\":60}}\n",
			 (int)len, token);

	write_all(c->fd, line, (size_t)n);
}

/*
 * Does an UPDATES.get answer name the VM @target? A VM's own item is the
 * only one whose "id" is the VM's id (a device's item has it as "vm", a
 * task's id is a UUID); json-c prints members as "id":"..." here, the
 * spaced form is accepted too.
 */
static int names_vm(const char *ans, size_t len, const char *target)
{
	char a[64], b[64];
	int na = snprintf(a, sizeof(a), "\"id\":\"%s\"", target);
	int nb = snprintf(b, sizeof(b), "\"id\": \"%s\"", target);

	return memmem(ans, len, a, (size_t)na) || memmem(ans, len, b, (size_t)nb);
}

/*
 * Handle the answers that arrived on one listener (each is re-asked at
 * once with its "next"); returns how many newly saw change @change. The
 * answers are not parsed with json-c: with 1,000 listeners the parse would
 * cost this process, on the same cores, as much as the daemon's work.
 */
static int lp_read(struct lpclient *c, int change, const char *target, uint64_t t0, double *lat,
		   size_t *nlat, uint64_t *answers)
{
	int newly = 0;

	for (;;) {
		char *nl, *line;
		ssize_t n;

		if (c->in_cap - c->in_len < 65536 && !(c->in = realloc(c->in, c->in_cap = c->in_cap * 2 + 65536)))
			bn_die("out of memory");
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			bn_die("the daemon closed a long-poll connection");
		c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		line = c->in;
		while ((nl = memchr(line, '\n', c->in_len - (size_t)(line - c->in)))) {
			uint64_t now = bn_mono_ns();
			size_t len = (size_t)(nl - line);
			char *next, *q;

			*nl = '\0';
			next = memmem(line, len, "\"next\":", 7);
			if (!memmem(line, len < 64 ? len : 64, "\"result\"", 8) || !next ||
			    !(next = strchr(next + 7, '"')) || !(q = strchr(next + 1, '"')))
				bn_die("UPDATES.get failed: %.300s", line);
			(*answers)++;
			if (target && c->seen_change < change && names_vm(line, len, target)) {
				c->seen_change = change;
				lat[(*nlat)++] = (double)(now - t0) / 1e3;
				newly++;
			}
			lp_send_get(c, next + 1, (size_t)(q - next - 1));
			line = nl + 1;
		}
		memmove(c->in, line, c->in_len - (size_t)(line - c->in) + 1);
		c->in_len -= (size_t)(line - c->in);
	}
	return newly;
}

/* Let this process hold @need descriptors (the soft limit up to the hard one). */
static void raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		bn_die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < need)
		bn_die("%u listeners need %u open files; the hard limit is %llu", need - 64, need,
		       (unsigned long long)rl.rlim_max);
}

/* The soft RLIMIT_NOFILE of process @pid (from /proc/PID/limits), 0 if unknown. */
static unsigned long proc_nofile(int pid)
{
	char path[64], line[256];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Max open files", 14) && sscanf(line + 14, "%lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * @nclients connections each parked in UPDATES.get (each re-asks with
 * "next" as soon as it has an answer) while another connection pauses or
 * unpauses one of LP_VMS running VMs @changes times, waiting for every
 * listener to have seen each change before the next. Latency: from just
 * before the VM.pause request is written to a listener's reading an answer
 * that names that VM. The daemon's CPU time over the changes (all its
 * threads) per change.
 */
static void listeners(const char *sock, unsigned int nclients, int changes, int daemon_pid)
{
	struct lpclient *cs = calloc(nclients, sizeof(*cs));
	struct pollfd *pf = calloc(nclients + 1, sizeof(*pf));
	double *lat = calloc((size_t)nclients * (size_t)changes, sizeof(double));
	int driver, paused[LP_VMS] = { 0 }, missed_changes = 0;
	size_t nlat = 0;
	uint64_t answers = 0;
	char note[256], row[64];
	uint64_t t_start;
	double cpu0, cpu1;

	if (!cs || !pf || !lat)
		bn_die("out of memory");
	raise_nofile(nclients + 64);
	if (daemon_pid && proc_nofile(daemon_pid) && proc_nofile(daemon_pid) < nclients + 16)
		bn_die("xenopsd (pid %d) may open only %lu files: %u listeners need more", daemon_pid,
		       proc_nofile(daemon_pid), nclients);
	driver = connect_unix(sock);
	for (unsigned int i = 0; i < nclients; i++) {
		struct json_object *r;
		const char *next;

		cs[i].fd = connect_unix(sock);
		cs[i].seen_change = -1;
		r = call_result(cs[i].fd,
				"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"UPDATES.get\",\"params\":{\"from\":null,\"timeout\":0}}\n");
		next = json_object_get_string(json_object_object_get(r, "next"));
		lp_send_get(&cs[i], next, strlen(next));
		json_object_put(r);
	}
	bn_sleep_ms(200 + nclients / 2); /* let every listener park */
	cpu0 = daemon_pid ? proc_cpu_us(daemon_pid) : -1;
	t_start = bn_mono_ns();
	for (int ch = 0; ch < changes; ch++) {
		int vm = ch % LP_VMS, seen = 0;
		char target[32], line[256], *ans;
		uint64_t t0, limit;

		snprintf(target, sizeof(target), "lp-%d", vm);
		snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"VM.%s\",\"params\":{\"id\":\"%s\"}}\n",
			 ch, paused[vm] ? "unpause" : "pause", target);
		paused[vm] = !paused[vm];
		t0 = bn_mono_ns();
		write_all(driver, line, strlen(line));
		limit = t0 + 10000000000ull;
		while (seen < (int)nclients && bn_mono_ns() < limit) {
			for (unsigned int i = 0; i < nclients; i++) {
				pf[i].fd = cs[i].fd;
				pf[i].events = POLLIN;
			}
			if (poll(pf, nclients, 100) < 0 && errno != EINTR)
				bn_die("poll: %s", strerror(errno));
			for (unsigned int i = 0; i < nclients; i++)
				if (pf[i].revents)
					seen += lp_read(&cs[i], ch, target, t0, lat, &nlat, &answers);
		}
		if (seen < (int)nclients)
			missed_changes++;
		/* The driver's own answer ({task}); the task goes with the daemon. */
		{
			size_t cap = 4096, len = 0;

			ans = malloc(cap);
			while (!len || ans[len - 1] != '\n') {
				ssize_t n = recv(driver, ans + len, cap - len, 0);

				if (n <= 0)
					bn_die("driver connection closed");
				len += (size_t)n;
				if (len == cap && !(ans = realloc(ans, cap *= 2)))
					bn_die("out of memory");
			}
			if (!memmem(ans, len, "\"result\"", 8))
				bn_die("VM.pause/unpause failed: %.200s", ans);
		}
		free(ans);
	}
	cpu1 = cpu0 >= 0 ? proc_cpu_us(daemon_pid) : -1;
	{
		double secs = (double)(bn_mono_ns() - t_start) / 1e9;
		size_t expected = (size_t)nclients * (size_t)changes;

		snprintf(row, sizeof(row), "%u listeners", nclients);
		snprintf(note, sizeof(note),
			 "%u listeners x %d changes: %zu of %zu deliveries seen, %d changes missed by some listener; "
			 "%llu answers; %.1f s",
			 nclients, changes, nlat, expected, missed_changes, (unsigned long long)answers, secs);
		bn_emit("rpc-longpoll", row, "p50", bn_percentile(lat, nlat, 50) / 1e3, "ms", note);
		bn_emit("rpc-longpoll", row, "p99", bn_percentile(lat, nlat, 99) / 1e3, "ms", note);
		bn_emit("rpc-longpoll", row, "seen", (double)nlat, "deliveries", note);
		bn_emit("rpc-longpoll", row, "expected", (double)expected, "deliveries", note);
		bn_emit("rpc-longpoll", row, "missed", (double)missed_changes, "changes",
			"changes some listener did not see within 10 s");
		bn_emit("rpc-longpoll", row, "answers_per_change", (double)answers / changes / nclients, "x",
			"UPDATES.get answers each listener got per change");
		if (cpu0 >= 0 && cpu1 >= 0) {
			bn_emit("rpc-longpoll", row, "cpu_per_change", (cpu1 - cpu0) / changes, "us",
				"xenopsd's CPU time (user + system, all threads) per change");
			bn_emit("rpc-longpoll", row, "cpu_per_delivery", (cpu1 - cpu0) / changes / nclients, "us",
				"cpu_per_change / listeners");
		}
	}
	for (unsigned int i = 0; i < nclients; i++) {
		close(cs[i].fd);
		free(cs[i].in);
	}
	close(driver);
	free(cs);
	free(pf);
	free(lat);
}

/* ---- main --------------------------------------------------------------- */

int bn_rpc_main(const struct bn_opts *o)
{
	static const unsigned int clients[] = { 1, 10, 100 };
	static const unsigned int depths[] = { 1, 16 };
	static const unsigned int nlisteners[] = { 10, 100, 1000 };
	double secs = o->quick ? 1.0 : 2.0, inproc[16];
	int reps = o->reps > 0 ? o->reps : 3;
	char echo_path[256], *sample;
	pid_t echo;
	int fd;

	if (!o->socket)
		bn_die("rpc: --socket PATH of a running xenopsd (--backend sim) is needed");
	if (reps > 16)
		reps = 16;
	setup_daemon(o->socket);
	if (o->only_listeners) {
		bn_progress("rpc: long-poll delivery, %u listeners", o->only_listeners);
		listeners(o->socket, o->only_listeners, o->quick ? 100 : 200, o->daemon_pid);
		return 0;
	}
	/* The echo peer answers with a real VM.stat answer of a running VM. */
	fd = connect_unix(o->socket);
	sample = call(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VM.stat\",\"params\":{\"id\":\"rpc-000\"}}\n");
	close(fd);
	sample = realloc(sample, strlen(sample) + 2);
	strcat(sample, "\n");
	snprintf(echo_path, sizeof(echo_path), "%s/echo-peer.sock", o->workdir);
	echo = echo_start(echo_path, sample);
	bn_info("rpc: xenopsd --backend sim, %d VMs (%d running) each with a VBD; VM.stat answers are %zu bytes; "
		"%.0f s per run, at most %d requests a run, median of %d runs",
		NVMS, NRUNNING, strlen(sample), secs, MAX_REQS, reps);

	for (int k = 0; k < reps; k++)
		inproc[k] = inproc_rate(secs);
	double inproc_med = bn_median(inproc, (size_t)reps);
	bn_emit("rpc", "peer: xenops_vm_stat in-process, 1 thread", "req_per_s", inproc_med, "req/s",
		"the library call alone, no daemon");

	for (size_t ci = 0; ci < sizeof(clients) / sizeof(clients[0]); ci++)
		for (size_t di = 0; di < sizeof(depths) / sizeof(depths[0]); di++) {
			unsigned int nc = clients[ci], d = depths[di];
			double rate[16], erate[16], p50[16], p99[16], dcpu[16];
			uint64_t errors = 0;
			int undrained = 0;
			char row[96], note[200];

			if ((o->only_clients && o->only_clients != nc) || (o->only_depth && o->only_depth != d))
				continue;
			bn_progress("rpc: %u clients, %u in flight each", nc, d);
			for (int k = 0; k < reps; k++) {
				struct lresult r, e;

				/* Interleaved: daemon, then the echo peer, under the same load. */
				double c0 = o->daemon_pid ? proc_cpu_us(o->daemon_pid) : -1, c1;

				loadgen(o->socket, nc, d, secs, &r);
				c1 = c0 >= 0 ? proc_cpu_us(o->daemon_pid) : -1;
				dcpu[k] = c1 >= 0 && r.ok + r.errors ? (c1 - c0) / (double)(r.ok + r.errors) : -1;
				loadgen(echo_path, nc, d, secs, &e);
				rate[k] = r.rate;
				erate[k] = e.rate;
				p50[k] = r.p50_us;
				p99[k] = r.p99_us;
				errors += r.errors;
				undrained += !r.drained;
			}
			snprintf(row, sizeof(row), "VM.stat, %u client%s, %s", nc, nc > 1 ? "s" : "",
				 d == 1 ? "no pipelining" : "16 pipelined");
			snprintf(note, sizeof(note), "%d runs of %.0f s; %llu error answers; %d runs not drained", reps,
				 secs, (unsigned long long)errors, undrained);
			double med = bn_median(rate, (size_t)reps), emed = bn_median(erate, (size_t)reps);

			bn_emit("rpc", row, "req_per_s", med, "req/s", note);
			bn_emit("rpc", row, "rtt_p50", bn_median(p50, (size_t)reps), "us", note);
			bn_emit("rpc", row, "rtt_p99", bn_median(p99, (size_t)reps), "us", note);
			bn_emit("rpc", row, "echo_peer_req_per_s", emed, "req/s", "same load against a canned-answer poll() server");
			bn_emit("rpc", row, "ratio_vs_echo", med / emed, "x", "daemon / echo peer");
			bn_emit("rpc", row, "ratio_vs_inproc", med / inproc_med, "x", "daemon / in-process xenops_vm_stat");
			if (o->daemon_pid && dcpu[0] >= 0)
				bn_emit("rpc", row, "daemon_cpu_us", bn_median(dcpu, (size_t)reps), "us",
					"xenopsd's CPU time (user + system, all threads) per answer");
		}
	kill(echo, SIGTERM);
	waitpid(echo, NULL, 0);
	unlink(echo_path);
	free(sample);

	if (o->only_clients || o->only_depth)
		return 0;
	for (size_t i = 0; i < sizeof(nlisteners) / sizeof(nlisteners[0]); i++) {
		bn_progress("rpc: long-poll delivery, %u listeners", nlisteners[i]);
		listeners(o->socket, nlisteners[i], o->quick ? 100 : 200, o->daemon_pid);
	}
	return 0;
}
