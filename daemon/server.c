/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenopsd event loop: accepts clients (peer credentials checked), reads
 * newline-framed requests, answers them in order through rpc.c, parks
 * long-polls until the library's fd reports a change or their deadline,
 * and writes without blocking through per-client output buffers.
 */
#include "server.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rpc.h"

/* Stop handling a client's requests while this much output waits for it. */
#define OUT_HIGH_WATER (256u * 1024)
/* A client whose output grows past this anyway is dropped. */
#define OUT_HARD_MAX (64u * 1024 * 1024)
#define READ_CHUNK (64u * 1024)
/* Accepts per loop turn, so a connection storm cannot starve clients. */
#define ACCEPT_BURST 64
/* Longest poll() sleep; timers are recomputed at every turn anyway. */
#define POLL_MAX_MS 60000
/* After EMFILE and the like, stop accepting for a while instead of spinning. */
#define ACCEPT_BACKOFF_MS 200

enum { PFD_SIGNAL, PFD_LISTEN, PFD_LIB, PFD_CLIENTS };

struct client {
	int fd;
	unsigned long serial;
	struct ucred cred;
	char *in; /* unprocessed input is in[in_off, in_len) */
	size_t in_off, in_len, in_cap;
	char *out; /* unsent output is out[out_off, out_len) */
	size_t out_off, out_len, out_cap;
	struct xd_park *park; /* the request holding up this client's answers */
	uint64_t active_ms;   /* last byte read or written */
	int eof;              /* the peer will send nothing more */
	int closing;          /* send what is queued, then close */
	int dead;             /* close at the end of this loop turn */
};

struct server {
	const struct xd_server_config *cfg;
	struct xd_rpc *rpc;
	struct client **clients;
	unsigned int n_clients;
	struct pollfd *pfds;
	unsigned long serial;
	uint64_t accept_resume_ms;
	int changed; /* the library's fd fired since parks were last retried */
	/* Tasks with events since parks were last retried (for TASK.wait). */
	char **tasks;
	size_t n_tasks;
	int all_tasks; /* more than MAX_TURN_TASKS: every TASK.wait is retried */
	int stop;
};

/* Task ids remembered per loop turn; past this, every TASK.wait is retried. */
#define MAX_TURN_TASKS 1024

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static size_t out_pending(const struct client *c)
{
	return c->out_len - c->out_off;
}

/* ---- clients ----------------------------------------------------------------- */

static void client_free(struct client *c)
{
	xd_park_free(c->park);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

static void client_kill(struct client *c, const char *why)
{
	if (!c->dead)
		xd_log(XENOPS_LOG_DEBUG, "client %lu (uid %u pid %d): closed: %s", c->serial,
		       (unsigned int)c->cred.uid, (int)c->cred.pid, why);
	c->dead = 1;
}

static void flush(struct client *c, uint64_t now)
{
	while (!c->dead && out_pending(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, out_pending(c),
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_kill(c, "write failed");
			return;
		}
		c->out_off += (size_t)n;
		c->active_ms = now;
	}
	if (out_pending(c) == 0)
		c->out_off = c->out_len = 0;
	if (c->closing && out_pending(c) == 0)
		client_kill(c, "done");
}

static int reserve(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	char *nbuf;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nbuf = realloc(*buf, ncap);
	if (!nbuf)
		return -1;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

static void queue(struct client *c, const char *data, size_t len)
{
	if (c->out_off > 0 && c->out_off >= c->out_cap / 2) {
		memmove(c->out, c->out + c->out_off, out_pending(c));
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (out_pending(c) + len > OUT_HARD_MAX) {
		client_kill(c, "output buffer full");
		return;
	}
	if (reserve(&c->out, &c->out_cap, c->out_len + len) < 0) {
		client_kill(c, "out of memory");
		return;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Queue a reply; a lost one (ENOMEM) would break the order, so close. */
static void deliver(struct client *c, struct xd_reply *r, int expected)
{
	if (r->line)
		queue(c, r->line, r->len);
	else if (expected)
		client_kill(c, "reply lost");
	free(r->line);
	r->line = NULL;
}

static void send_error_and_close(struct client *c, int code, const char *msg, const char *name)
{
	size_t len = 0;
	char *line = xd_rpc_error_line(code, msg, name, &len);

	if (line)
		queue(c, line, len);
	free(line);
	c->closing = 1;
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r", s[i]))
			return 0;
	return 1;
}

static void handle_line(struct server *s, struct client *c, const char *line, size_t len,
                        uint64_t now)
{
	struct xd_reply r;

	if (blank(line, len))
		return;
	xd_rpc_handle(s->rpc, line, len, now, &r);
	c->park = r.park;
	if (c->park)
		xd_log(XENOPS_LOG_DEBUG, "client %lu: request parked", c->serial);
	deliver(c, &r, 0);
}

/*
 * Answer complete request lines in order until one parks, the output backs
 * up, or input runs out; then decide whether the client is finished.
 */
static void client_work(struct server *s, struct client *c, uint64_t now)
{
	size_t max_line = s->cfg->max_line;

	/* Flushing may bring the output back under the mark: then go on. */
	flush(c, now);
	while (!c->dead && !c->park && !c->closing && out_pending(c) < OUT_HIGH_WATER) {
		char *start = c->in + c->in_off;
		size_t avail = c->in_len - c->in_off;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;
		size_t len;

		if (!nl) {
			if (avail > max_line)
				send_error_and_close(c, XD_RPC_INVALID_REQUEST, "request too large", NULL);
			else if (c->eof)
				c->closing = 1; /* a partial last line is dropped */
			break;
		}
		len = (size_t)(nl - start);
		c->in_off += len + 1;
		if (len > max_line) {
			send_error_and_close(c, XD_RPC_INVALID_REQUEST, "request too large", NULL);
			break;
		}
		handle_line(s, c, start, len, now);
		if (out_pending(c) >= OUT_HIGH_WATER)
			flush(c, now);
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	flush(c, now);
}

static void client_read(struct server *s, struct client *c, uint64_t now)
{
	size_t unprocessed, room;
	ssize_t n;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	unprocessed = c->in_len;
	/* One byte over the limit is enough to know a line is too long. */
	room = s->cfg->max_line + 1 - unprocessed;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (reserve(&c->in, &c->in_cap, c->in_len + room) < 0) {
		client_kill(c, "out of memory");
		return;
	}
	n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		client_kill(c, "read failed");
		return;
	}
	if (n == 0)
		c->eof = 1;
	c->in_len += (size_t)n;
	c->active_ms = now;
	client_work(s, c, now);
}

static int wants_input(const struct server *s, const struct client *c)
{
	return !c->eof && !c->closing && c->in_len - c->in_off <= s->cfg->max_line;
}

static void client_io(struct server *s, struct client *c, short revents, uint64_t now)
{
	/* Output drained: requests held back by the high-water mark go on. */
	if (revents & POLLOUT)
		client_work(s, c, now);
	if (!c->dead && (revents & POLLIN))
		client_read(s, c, now);
	/* Gone entirely (not just half-closed): nobody will read the answers. */
	if (!c->dead && (revents & (POLLHUP | POLLERR)))
		client_kill(c, "hung up");
}

/* ---- accepting ---------------------------------------------------------------- */

static int in_groups(int fd, gid_t group)
{
	gid_t small[64];
	gid_t *groups = small;
	socklen_t len = sizeof(small);
	int found = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return 0;
		groups = malloc(len);
		if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
			free(groups);
			return 0;
		}
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		found |= groups[i] == group;
	if (groups != small)
		free(groups);
	return found;
}

/* Root, our own user, and (with --group) the group's members may connect. */
static int peer_allowed(const struct server *s, int fd, const struct ucred *cred)
{
	if (cred->uid == 0 || cred->uid == getuid())
		return 1;
	if (!s->cfg->have_group)
		return 0;
	return cred->gid == s->cfg->group || in_groups(fd, s->cfg->group);
}

/* Turn a connection away with one error line; it was just accepted, so the
 * socket buffer is empty and the line fits. */
static void refuse(int fd, int code, const char *msg)
{
	size_t len = 0;
	char *line = xd_rpc_error_line(code, msg, xenops_strerror_name(code), &len);

	if (line && send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		xd_log(XENOPS_LOG_DEBUG, "could not tell a refused client why: %s",
		       strerror(errno));
	free(line);
	close(fd);
}

static int add_client(struct server *s, int fd, const struct ucred *cred, uint64_t now)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->fd = fd;
	c->cred = *cred;
	c->serial = ++s->serial;
	c->active_ms = now;
	s->clients[s->n_clients++] = c;
	xd_log(XENOPS_LOG_DEBUG, "client %lu (uid %u pid %d): connected", c->serial,
	       (unsigned int)cred->uid, (int)cred->pid);
	return 0;
}

static void accept_one(struct server *s, int fd, uint64_t now)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		xd_log(XENOPS_LOG_WARNING, "SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	if (!peer_allowed(s, fd, &cred)) {
		xd_log(XENOPS_LOG_INFO, "refused uid %u pid %d: not allowed",
		       (unsigned int)cred.uid, (int)cred.pid);
		refuse(fd, XENOPS_EPERM, "permission denied");
		return;
	}
	if (s->n_clients >= s->cfg->max_clients) {
		xd_log(XENOPS_LOG_WARNING, "refused uid %u pid %d: too many clients (%u)",
		       (unsigned int)cred.uid, (int)cred.pid, s->cfg->max_clients);
		refuse(fd, XENOPS_EBUSY, "too many clients");
		return;
	}
	if (add_client(s, fd, &cred, now) < 0)
		refuse(fd, XENOPS_ENOMEM, "out of memory");
}

static void accept_burst(struct server *s, uint64_t now)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept4(s->cfg->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(s, fd, now);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			xd_log(XENOPS_LOG_WARNING, "accept: %s", strerror(errno));
			s->accept_resume_ms = now + ACCEPT_BACKOFF_MS;
		}
		return;
	}
}

/* ---- parks and timers ---------------------------------------------------------- */

static void retry_park(struct server *s, struct client *c, uint64_t now)
{
	struct xd_reply r;

	if (!xd_park_poll(s->rpc, c->park, now, &r))
		return;
	c->park = NULL;
	deliver(c, &r, 1);
	client_work(s, c, now);
}

static uint64_t idle_ms(const struct server *s)
{
	return (uint64_t)s->cfg->idle_timeout_s * 1000;
}

/* A parked client waits for its deadline; any other for its idle limit. */
static uint64_t client_deadline(const struct server *s, const struct client *c)
{
	if (c->park)
		return xd_park_deadline(c->park);
	if (!idle_ms(s))
		return UINT64_MAX;
	return c->active_ms + idle_ms(s);
}

static void run_timers(struct server *s, uint64_t now)
{
	for (unsigned int i = 0; i < s->n_clients; i++) {
		struct client *c = s->clients[i];

		if (c->dead || client_deadline(s, c) > now)
			continue;
		if (c->park)
			retry_park(s, c, now);
		else
			client_kill(c, "idle");
	}
}

static void forget_tasks(struct server *s)
{
	for (size_t i = 0; i < s->n_tasks; i++)
		free(s->tasks[i]);
	s->n_tasks = 0;
	s->all_tasks = 0;
}

/*
 * Once per loop turn after library events: retry only the parked requests
 * the changes concern (an UPDATES.get whose token is behind the log's head,
 * a TASK.wait whose task had an event), each at most once.
 */
static void retry_parks(struct server *s, uint64_t now)
{
	struct xd_wake w = {
		.tasks = (const char *const *)s->tasks,
		.n_tasks = s->n_tasks,
		.all_tasks = s->all_tasks,
	};
	int need_head = 0;

	for (unsigned int i = 0; i < s->n_clients && !need_head; i++)
		need_head = !s->clients[i]->dead && s->clients[i]->park &&
		            xd_park_wants_head(s->clients[i]->park);
	if (need_head)
		w.head = xd_rpc_updates_head(s->rpc);
	for (unsigned int i = 0; i < s->n_clients; i++) {
		struct client *c = s->clients[i];

		if (!c->dead && c->park && xd_park_concerned(c->park, &w))
			retry_park(s, c, now);
	}
	forget_tasks(s);
}

static int poll_timeout(const struct server *s, uint64_t now)
{
	uint64_t next = now + POLL_MAX_MS;

	for (unsigned int i = 0; i < s->n_clients; i++) {
		uint64_t d = client_deadline(s, s->clients[i]);

		if (d < next)
			next = d;
	}
	if (s->accept_resume_ms > now && s->accept_resume_ms < next)
		next = s->accept_resume_ms;
	return next <= now ? 0 : (int)(next - now);
}

static void sweep(struct server *s)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < s->n_clients; i++) {
		if (s->clients[i]->dead)
			client_free(s->clients[i]);
		else
			s->clients[j++] = s->clients[i];
	}
	s->n_clients = j;
}

/* ---- the loop ------------------------------------------------------------------ */

static void on_event(xenops_ctx *ctx, const xenops_event *ev, void *userdata)
{
	struct server *s = userdata;
	char *id;

	(void)ctx;
	s->changed = 1;
	if (ev->kind != XENOPS_KIND_TASK || s->all_tasks)
		return;
	for (size_t i = 0; i < s->n_tasks; i++)
		if (strcmp(s->tasks[i], ev->id) == 0)
			return;
	id = s->n_tasks < MAX_TURN_TASKS ? strdup(ev->id) : NULL;
	if (id)
		s->tasks[s->n_tasks++] = id;
	else
		s->all_tasks = 1;
}

static void read_signal(struct server *s)
{
	struct signalfd_siginfo si;

	if (read(s->cfg->signal_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	xd_log(XENOPS_LOG_INFO, "signal %u: stopping", si.ssi_signo);
	s->stop = 1;
}

static nfds_t build_pollfds(struct server *s, uint64_t now)
{
	struct pollfd *p = s->pfds;

	p[PFD_SIGNAL] = (struct pollfd){ .fd = s->cfg->signal_fd, .events = POLLIN };
	p[PFD_LISTEN] = (struct pollfd){ .fd = s->accept_resume_ms > now ? -1 : s->cfg->listen_fd,
		                         .events = POLLIN };
	p[PFD_LIB] = (struct pollfd){ .fd = xenops_ctx_get_fd(s->cfg->ctx), .events = POLLIN };
	for (unsigned int i = 0; i < s->n_clients; i++) {
		struct client *c = s->clients[i];
		short ev = 0;

		if (wants_input(s, c))
			ev |= POLLIN;
		if (out_pending(c) > 0)
			ev |= POLLOUT;
		/* With no events, poll() still reports POLLHUP: a parked
		 * client that hangs up is noticed and freed. */
		p[PFD_CLIENTS + i] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return PFD_CLIENTS + s->n_clients;
}

static int turn(struct server *s)
{
	uint64_t now = now_ms();
	nfds_t n = build_pollfds(s, now);
	unsigned int polled = s->n_clients;

	if (poll(s->pfds, n, poll_timeout(s, now)) < 0) {
		if (errno == EINTR)
			return 0;
		xd_log(XENOPS_LOG_ERROR, "poll: %s", strerror(errno));
		return -1;
	}
	now = now_ms();
	if (s->pfds[PFD_SIGNAL].revents & POLLIN) {
		read_signal(s);
		if (s->stop)
			return 0;
	}
	if (s->pfds[PFD_LIB].revents & POLLIN) {
		int rc = xenops_ctx_dispatch(s->cfg->ctx);

		/* Also without events: an injected barrier moves the log. */
		s->changed = 1;
		xd_rpc_log_moved(s->rpc);
		if (rc < 0)
			xd_log(XENOPS_LOG_WARNING, "dispatch: %s", xenops_strerror(rc));
	}
	for (unsigned int i = 0; i < polled; i++)
		if (s->pfds[PFD_CLIENTS + i].revents)
			client_io(s, s->clients[i], s->pfds[PFD_CLIENTS + i].revents, now);
	if (s->pfds[PFD_LISTEN].revents & POLLIN) {
		/* Slots of clients closed this turn count as free. */
		sweep(s);
		accept_burst(s, now);
	}
	if (s->changed) {
		s->changed = 0;
		retry_parks(s, now);
	}
	run_timers(s, now);
	sweep(s);
	return 0;
}

int xd_server_run(const struct xd_server_config *cfg)
{
	struct server s = { .cfg = cfg };
	uint64_t watch = 0;
	int rc = -1;

	s.rpc = xd_rpc_new(cfg->ctx, cfg->debug_methods ? XD_RPC_DEBUG : 0);
	s.clients = calloc(cfg->max_clients ? cfg->max_clients : 1, sizeof(*s.clients));
	s.pfds = calloc(PFD_CLIENTS + cfg->max_clients, sizeof(*s.pfds));
	s.tasks = calloc(MAX_TURN_TASKS, sizeof(*s.tasks));
	if (!s.rpc || !s.clients || !s.pfds || !s.tasks) {
		xd_log(XENOPS_LOG_ERROR, "out of memory");
		goto out;
	}
	rc = xenops_ctx_subscribe(&watch, cfg->ctx, 0, on_event, &s);
	if (rc < 0) {
		xd_log(XENOPS_LOG_ERROR, "cannot follow the library's events: %s",
		       xenops_last_error_message());
		goto out;
	}
	while (!s.stop && rc == 0)
		rc = turn(&s);
	xenops_ctx_unsubscribe(cfg->ctx, watch);
out:
	for (unsigned int i = 0; i < s.n_clients; i++)
		client_free(s.clients[i]);
	free(s.clients);
	free(s.pfds);
	forget_tasks(&s);
	free(s.tasks);
	xd_rpc_free(s.rpc);
	return rc < 0 ? -1 : 0;
}
