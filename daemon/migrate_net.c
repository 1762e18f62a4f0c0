/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsd's migration network. Both daemons hold the same pre-shared key;
 * every connection is TLS (GnuTLS, PSK key exchange with ephemeral
 * Diffie-Hellman), and nothing a peer sends is given to the library
 * before the handshake authenticated it: a peer with another key fails
 * the handshake, is logged and closed. The library's stream runs over a
 * socket pair whose other end a relay thread joins to the TLS session.
 */
#include "migrate_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "log.h"

#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-PSK:+DHE-PSK"
#define HANDSHAKE_TIMEOUT_MS 10000u
#define PSK_MAX 512

static struct {
	pthread_mutex_t lock;
	char identity[128];
	char hexkey[PSK_MAX];
	int have_key;
	int listen_fd;
	pthread_t accept_thread;
	int accepting;
	unsigned int active, max_incoming;
	xenops_ctx *ctx;
	int stop_pipe[2];
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1, .stop_pipe = { -1, -1 } };

int xd_migrate_set_psk_file(const char *path)
{
	char line[PSK_MAX + 160], *colon, *end;
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || fstat(fd, &st) < 0) {
		xd_log(XENOPS_LOG_ERROR, "migration key %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid()) {
		xd_log(XENOPS_LOG_ERROR,
		       "migration key %s: must be a regular file owned by this user with mode 0600 or 0400",
		       path);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		xd_log(XENOPS_LOG_ERROR, "migration key %s: cannot read it", path);
		if (f)
			fclose(f);
		else
			close(fd);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	if (!colon || colon == line || (size_t)(colon - line) >= sizeof(g.identity) ||
	    strlen(colon + 1) < 32 || strlen(colon + 1) >= sizeof(g.hexkey)) {
		xd_log(XENOPS_LOG_ERROR,
		       "migration key %s: expected one line IDENTITY:HEXKEY with at least 16 bytes of key",
		       path);
		return -1;
	}
	for (end = colon + 1; *end; end++)
		if (!strchr("0123456789abcdefABCDEF", *end)) {
			xd_log(XENOPS_LOG_ERROR, "migration key %s: the key is not hexadecimal", path);
			return -1;
		}
	*colon = '\0';
	memcpy(g.identity, line, (size_t)(colon - line) + 1);
	memcpy(g.hexkey, colon + 1, strlen(colon + 1) + 1);
	explicit_bzero(line, sizeof(line));
	g.have_key = 1;
	return 0;
}

/* ---- TLS sessions ---- */

static int server_key(gnutls_session_t s, const char *username, gnutls_datum_t *key)
{
	gnutls_datum_t hex = { (unsigned char *)g.hexkey, (unsigned int)strlen(g.hexkey) };
	size_t size;

	(void)s;
	if (strcmp(username, g.identity) != 0)
		return -1;
	size = hex.size / 2;
	key->data = gnutls_malloc(size);
	if (!key->data)
		return -1;
	key->size = (unsigned int)size;
	if (gnutls_hex_decode(&hex, key->data, &size) < 0) {
		gnutls_free(key->data);
		key->data = NULL;
		return -1;
	}
	key->size = (unsigned int)size;
	return 0;
}

struct tls {
	gnutls_session_t s;
	gnutls_psk_client_credentials_t ccred;
	gnutls_psk_server_credentials_t scred;
	int fd;
};

static void tls_free(struct tls *t)
{
	if (t->s)
		gnutls_deinit(t->s);
	if (t->ccred)
		gnutls_psk_free_client_credentials(t->ccred);
	if (t->scred)
		gnutls_psk_free_server_credentials(t->scred);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

/* A session on @fd (taken), authenticated: NULL and *why on failure. */
static struct tls *tls_open(int fd, int server, char *why, size_t n)
{
	struct tls *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		close(fd);
		snprintf(why, n, "out of memory");
		return NULL;
	}
	t->fd = fd;
	rc = gnutls_init(&t->s, server ? GNUTLS_SERVER : GNUTLS_CLIENT);
	if (rc == 0)
		rc = gnutls_priority_set_direct(t->s, PRIORITY, NULL);
	if (rc == 0 && server) {
		rc = gnutls_psk_allocate_server_credentials(&t->scred);
		if (rc == 0) {
			gnutls_psk_set_server_credentials_function(t->scred, server_key);
			rc = gnutls_credentials_set(t->s, GNUTLS_CRD_PSK, t->scred);
		}
	} else if (rc == 0) {
		gnutls_datum_t key = { (unsigned char *)g.hexkey, (unsigned int)strlen(g.hexkey) };

		rc = gnutls_psk_allocate_client_credentials(&t->ccred);
		if (rc == 0)
			rc = gnutls_psk_set_client_credentials(t->ccred, g.identity, &key,
							       GNUTLS_PSK_KEY_HEX);
		if (rc == 0)
			rc = gnutls_credentials_set(t->s, GNUTLS_CRD_PSK, t->ccred);
	}
	if (rc == 0) {
		gnutls_transport_set_int(t->s, fd);
		gnutls_handshake_set_timeout(t->s, HANDSHAKE_TIMEOUT_MS);
		do
			rc = gnutls_handshake(t->s);
		while (rc < 0 && !gnutls_error_is_fatal(rc));
	}
	if (rc < 0) {
		snprintf(why, n, "TLS handshake failed (wrong key?): %s", gnutls_strerror(rc));
		tls_free(t);
		return NULL;
	}
	return t;
}

/*
 * Carry bytes between the TLS session and the library's end of the socket
 * pair until both directions are closed.
 */
static void relay(struct tls *t, int local)
{
	char buf[65536];
	int tls_open_in = 1, local_open_in = 1;

	/* Once the peer closed, nothing more can reach it: the relay ends. */
	while (tls_open_in) {
		struct pollfd p[2] = { { .fd = t->fd, .events = tls_open_in ? POLLIN : 0 },
				       { .fd = local, .events = local_open_in ? POLLIN : 0 } };
		int pending = tls_open_in && gnutls_record_check_pending(t->s) > 0;

		if (!pending && poll(p, 2, 1000) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (tls_open_in && (pending || (p[0].revents & (POLLIN | POLLHUP | POLLERR)))) {
			ssize_t n = gnutls_record_recv(t->s, buf, sizeof(buf));

			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n <= 0) {
				tls_open_in = 0;
				shutdown(local, SHUT_WR);
			} else {
				for (ssize_t off = 0; off < n;) {
					ssize_t w = send(local, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

					if (w <= 0) {
						tls_open_in = 0;
						break;
					}
					off += w;
				}
			}
		}
		if (local_open_in && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(local, buf, sizeof(buf));

			if (n <= 0) {
				local_open_in = 0;
				gnutls_bye(t->s, GNUTLS_SHUT_WR);
			} else {
				for (ssize_t off = 0; off < n;) {
					ssize_t w = gnutls_record_send(t->s, buf + off, (size_t)(n - off));

					if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
						continue;
					if (w <= 0) {
						local_open_in = 0;
						tls_open_in = 0;
						break;
					}
					off += w;
				}
			}
		}
	}
}

/* "HOST:PORT", "[V6]:PORT": split into host and port. */
static int split_hostport(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	size_t len;

	if (s[0] == '[') {
		const char *close_br = strchr(s, ']');

		if (!close_br || close_br[1] != ':')
			return -1;
		len = (size_t)(close_br - s - 1);
		colon = close_br + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		len = (size_t)(colon - s);
	}
	if (len == 0 || len >= hn || strlen(colon + 1) == 0 || strlen(colon + 1) >= pn ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	snprintf(port, pn, "%s", colon + 1);
	return 0;
}

/* ---- outgoing ---- */

struct outgoing {
	xenops_ctx *ctx;
	char *task;
	char host[256], port[16];
	int local; /* the relay's end; the library has the other */
	int lib_fd;
	int keep_task; /* the client's to destroy */
};

static int connect_to(const char *host, const char *port, char *why, size_t n)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *a;
	int fd = -1, rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0) {
		snprintf(why, n, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		snprintf(why, n, "cannot connect to %s:%s: %s", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Tell the library's sending task why there is no destination. */
static void local_refusal(int fd, const char *why)
{
	char json[512], buf[600];
	int n = snprintf(json, sizeof(json), "{\"msg\":\"refused\",\"code\":%d,\"message\":\"", XENOPS_EIO);

	for (const char *p = why; *p && n < (int)sizeof(json) - 4; p++)
		if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			json[n++] = *p;
	json[n++] = '"';
	json[n++] = '}';
	buf[0] = (char)(n >> 24);
	buf[1] = (char)(n >> 16);
	buf[2] = (char)(n >> 8);
	buf[3] = (char)n;
	memcpy(buf + 4, json, (size_t)n);
	/* The header the library wrote first is left unread. */
	if (send(fd, buf, (size_t)n + 4, MSG_NOSIGNAL) < 0)
		xd_log(XENOPS_LOG_DEBUG, "migration: the sending task is gone");
}

static void *outgoing_main(void *arg)
{
	struct outgoing *o = arg;
	char why[300] = "";
	struct tls *t = NULL;
	int fd = connect_to(o->host, o->port, why, sizeof(why));

	if (fd >= 0)
		t = tls_open(fd, 0, why, sizeof(why));
	if (!t) {
		xd_log(XENOPS_LOG_ERROR, "migration to %s:%s: %s", o->host, o->port, why);
		local_refusal(o->local, why);
	} else {
		xd_log(XENOPS_LOG_INFO, "migration to %s:%s: connected, authenticated", o->host,
		       o->port);
		relay(t, o->local);
		tls_free(t);
	}
	/* The library's end stays open until its task ends. */
	xenops_task_wait(o->ctx, o->task, -1);
	close(o->local);
	close(o->lib_fd);
	if (!o->keep_task)
		xenops_task_destroy(o->ctx, o->task);
	xenops_free(o->task);
	xenops_ctx_unref(o->ctx);
	free(o);
	return NULL;
}

int xd_migrate_send(xenops_ctx *ctx, const char *vm, const char *url, unsigned int flags,
		    int keep_task, char **task_out, char *why, size_t why_len)
{
	struct outgoing *o;
	pthread_t th;
	int sv[2], rc;

	*task_out = NULL;
	if (strncmp(url, "xenops://", 9) != 0) {
		snprintf(why, why_len, "url: expected \"local\" or \"xenops://HOST:PORT\"");
		return XENOPS_EINVAL;
	}
	if (!g.have_key) {
		snprintf(why, why_len, "xenopsd was started without --migrate-psk-file");
		return XENOPS_ENOTSUP;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(why, why_len, "out of memory");
		return XENOPS_ENOMEM;
	}
	if (split_hostport(url + 9, o->host, sizeof(o->host), o->port, sizeof(o->port)) < 0) {
		free(o);
		snprintf(why, why_len, "url: expected \"xenops://HOST:PORT\"");
		return XENOPS_EINVAL;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(o);
		snprintf(why, why_len, "socketpair: %s", strerror(errno));
		return XENOPS_EIO;
	}
	rc = xenops_vm_migrate_send(&o->task, ctx, vm, sv[0], flags);
	if (rc < 0) {
		snprintf(why, why_len, "%s", xenops_last_error_message());
		close(sv[0]);
		close(sv[1]);
		free(o);
		return rc;
	}
	*task_out = strdup(o->task);
	o->ctx = xenops_ctx_ref(ctx);
	o->lib_fd = sv[0];
	o->keep_task = keep_task;
	o->local = sv[1];
	if (!*task_out || pthread_create(&th, NULL, outgoing_main, o) != 0) {
		/* Without the relay the task fails at once on a closed stream. */
		shutdown(sv[1], SHUT_RDWR);
		xenops_task_cancel(ctx, o->task);
		xenops_task_wait(ctx, o->task, -1);
		close(sv[0]);
		close(sv[1]);
		xenops_task_destroy(ctx, o->task);
		xenops_free(o->task);
		xenops_ctx_unref(o->ctx);
		free(o);
		free(*task_out);
		*task_out = NULL;
		snprintf(why, why_len, "cannot start the relay thread");
		return XENOPS_ENOMEM;
	}
	pthread_detach(th);
	return 0;
}

/* ---- incoming ---- */

struct incoming {
	xenops_ctx *ctx;
	int fd;
	char peer[INET6_ADDRSTRLEN + 16];
};

struct relay_arg {
	struct tls *t;
	int local;
};

static void *relay_main(void *arg)
{
	struct relay_arg *ra = arg;

	relay(ra->t, ra->local);
	return NULL;
}

static void *incoming_main(void *arg)
{
	struct incoming *in = arg;
	struct relay_arg ra = { 0 };
	char why[300] = "", *task = NULL;
	pthread_t th;
	int sv[2] = { -1, -1 }, rc;

	ra.t = tls_open(in->fd, 1, why, sizeof(why));
	if (!ra.t) {
		xd_log(XENOPS_LOG_WARNING, "migration from %s refused: %s", in->peer, why);
		goto out;
	}
	xd_log(XENOPS_LOG_INFO, "migration from %s: authenticated", in->peer);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		tls_free(ra.t);
		goto out;
	}
	ra.local = sv[1];
	if (pthread_create(&th, NULL, relay_main, &ra) != 0) {
		tls_free(ra.t);
		goto out;
	}
	rc = xenops_vm_migrate_receive(&task, in->ctx, sv[0], 0);
	if (rc < 0) {
		xd_log(XENOPS_LOG_WARNING, "migration from %s refused: %s", in->peer,
		       xenops_last_error_message());
	} else {
		xenops_task_wait(in->ctx, task, -1);
		xenops_task_destroy(in->ctx, task);
		xenops_free(task);
	}
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(th, NULL);
	tls_free(ra.t);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	pthread_mutex_lock(&g.lock);
	g.active--;
	pthread_mutex_unlock(&g.lock);
	xenops_ctx_unref(in->ctx);
	free(in);
	return NULL;
}

static void *accept_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = g.listen_fd, .events = POLLIN },
				       { .fd = g.stop_pipe[0], .events = POLLIN } };
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		struct incoming *in;
		pthread_t th;
		int fd, busy;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(g.listen_fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		in = calloc(1, sizeof(*in));
		if (!in) {
			close(fd);
			continue;
		}
		in->fd = fd;
		in->ctx = xenops_ctx_ref(g.ctx);
		if (getnameinfo((struct sockaddr *)&sa, len, in->peer, sizeof(in->peer) - 8, NULL, 0,
				NI_NUMERICHOST) != 0)
			snprintf(in->peer, sizeof(in->peer), "?");
		pthread_mutex_lock(&g.lock);
		busy = g.active >= g.max_incoming;
		if (!busy)
			g.active++;
		pthread_mutex_unlock(&g.lock);
		if (busy || pthread_create(&th, NULL, incoming_main, in) != 0) {
			if (busy)
				xd_log(XENOPS_LOG_WARNING,
				       "migration from %s refused: %u incoming migrations already (--migrate-max-incoming)",
				       in->peer, g.max_incoming);
			else {
				pthread_mutex_lock(&g.lock);
				g.active--;
				pthread_mutex_unlock(&g.lock);
			}
			close(fd);
			xenops_ctx_unref(in->ctx);
			free(in);
			continue;
		}
		pthread_detach(th);
	}
	return NULL;
}

int xd_migrate_listen(xenops_ctx *ctx, const char *addr, unsigned int max_incoming)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL;
	char host[256], port[16];
	int one = 1, rc;

	if (!g.have_key) {
		xd_log(XENOPS_LOG_ERROR, "--migrate-listen needs --migrate-psk-file");
		return -1;
	}
	if (split_hostport(addr, host, sizeof(host), port, sizeof(port)) < 0) {
		xd_log(XENOPS_LOG_ERROR, "--migrate-listen: expected HOST:PORT, not %s", addr);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		xd_log(XENOPS_LOG_ERROR, "--migrate-listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	g.listen_fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (g.listen_fd < 0 ||
	    setsockopt(g.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(g.listen_fd, res->ai_addr, res->ai_addrlen) < 0 || listen(g.listen_fd, 16) < 0 ||
	    pipe2(g.stop_pipe, O_CLOEXEC) < 0) {
		xd_log(XENOPS_LOG_ERROR, "--migrate-listen %s: %s", addr, strerror(errno));
		freeaddrinfo(res);
		if (g.listen_fd >= 0)
			close(g.listen_fd);
		g.listen_fd = -1;
		return -1;
	}
	freeaddrinfo(res);
	g.ctx = ctx;
	g.max_incoming = max_incoming;
	if (pthread_create(&g.accept_thread, NULL, accept_main, NULL) != 0) {
		close(g.listen_fd);
		g.listen_fd = -1;
		return -1;
	}
	g.accepting = 1;
	xd_log(XENOPS_LOG_INFO, "accepting migrations on %s (TLS, pre-shared key \"%s\", at most %u at once)",
	       addr, g.identity, max_incoming);
	return 0;
}

void xd_migrate_stop(void)
{
	if (!g.accepting)
		return;
	if (write(g.stop_pipe[1], "x", 1) < 0)
		xd_log(XENOPS_LOG_DEBUG, "migration listener: stop pipe: %s", strerror(errno));
	pthread_join(g.accept_thread, NULL);
	close(g.listen_fd);
	close(g.stop_pipe[0]);
	close(g.stop_pipe[1]);
	g.listen_fd = -1;
	g.accepting = 0;
}
