/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsd: libxenops over JSON-RPC on a Unix socket. This file holds the
 * command line, the listening socket (stale-socket handling, permissions)
 * and the signal set-up; the loop is server.c, the methods methods.c.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenops/xenops.h>

#include "log.h"
#include "migrate_net.h"
#include "server.h"

#define DEFAULT_SOCKET "/run/xenopsd.sock"
#define DEFAULT_STATE_DIR "/var/lib/xenops"

struct options {
	const char *socket_path;
	const char *state_dir;
	const char *backend; /* NULL: automatic */
	unsigned int workers;
	const char *group;
	int log_level;
	size_t max_line;
	unsigned int max_clients;
	unsigned int idle_timeout_s;
	int debug_methods;
	const char *grub_pv, *grub_pvh; /* NULL: the library's defaults */
	const char *migrate_listen, *migrate_psk_file; /* NULL: none */
	unsigned int migrate_max_incoming;
	const char *dm_restrict, *dm_uid_base; /* NULL: the library's defaults */
};

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: xenopsd [OPTIONS]\n"
	        "Serve libxenops over JSON-RPC 2.0 on a Unix socket (runs in the foreground).\n\n"
	        "  --socket PATH        listening socket (default " DEFAULT_SOCKET ")\n"
	        "  --state-dir DIR      where VM records are kept (default " DEFAULT_STATE_DIR ")\n"
	        "  --backend xen|sim|auto  hypervisor backend (default auto)\n"
	        "  --workers N          library worker threads (default: the library's)\n"
	        "  --group NAME         socket mode 0660 and members of NAME may connect\n"
	        "  --log-level error|warning|info|debug   (default info)\n"
	        "  --max-line BYTES     longest request line (default 1048576)\n"
	        "  --max-clients N      simultaneous clients (default 256)\n"
	        "  --idle-timeout SECS  close clients silent this long, 0 never (default 300)\n"
	        "  --grub-pv PATH       GRUB image of PV guests with \"boot\": \"grub\"\n"
	        "                       (default /usr/lib/grub-xen/grub-x86_64-xen.bin)\n"
	        "  --grub-pvh PATH      the same for PVH guests\n"
	        "                       (default /usr/lib/grub-xen/grub-i386-xen_pvh.bin)\n"
	        "  --migrate-listen HOST:PORT  accept incoming migrations there (TLS,\n"
	        "                       needs --migrate-psk-file)\n"
	        "  --migrate-psk-file FILE  pre-shared key IDENTITY:HEXKEY (mode 0600 or 0400,\n"
	        "                       owned by this user) for migrations in and out\n"
	        "  --migrate-max-incoming N  incoming migrations at once (default 2)\n"
	        "  --dm-restrict 1|0    HVM device models deprivileged (default 0; xen backend)\n"
	        "  --dm-uid-base N      a device model runs as uid/gid N + domid (default 131072)\n"
	        "  --debug-methods      offer DEBUG.set and DEBUG.guest_action (tests only:\n"
	        "                       they inject faults and can make the daemon exit)\n"
	        "  --help               this text\n");
}

/* Parse an unsigned number in [min, max]; -1 when it is not one. */
static int parse_uint(const char *s, unsigned long long min, unsigned long long max,
                      unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s[0] || s[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int bad_value(const char *opt, const char *value)
{
	fprintf(stderr, "xenopsd: invalid value for --%s: '%s'\n", opt, value);
	return -1;
}

static int set_option(struct options *o, const char *name, const char *arg)
{
	unsigned long long v;

	if (strcmp(name, "socket") == 0)
		o->socket_path = arg;
	else if (strcmp(name, "state-dir") == 0)
		o->state_dir = arg;
	else if (strcmp(name, "group") == 0)
		o->group = arg;
	else if (strcmp(name, "migrate-listen") == 0)
		o->migrate_listen = arg;
	else if (strcmp(name, "migrate-psk-file") == 0)
		o->migrate_psk_file = arg;
	else if (strcmp(name, "migrate-max-incoming") == 0) {
		if (parse_uint(arg, 1, 64, &v) < 0)
			return bad_value(name, arg);
		o->migrate_max_incoming = (unsigned int)v;
	}
	else if (strcmp(name, "dm-restrict") == 0) {
		if (strcmp(arg, "0") && strcmp(arg, "1"))
			return bad_value(name, arg);
		o->dm_restrict = arg;
	} else if (strcmp(name, "dm-uid-base") == 0) {
		if (parse_uint(arg, 1, 4294901759ull, &v) < 0)
			return bad_value(name, arg);
		o->dm_uid_base = arg;
	}
	else if (strcmp(name, "grub-pv") == 0 || strcmp(name, "grub-pvh") == 0) {
		if (arg[0] != '/')
			return bad_value(name, arg);
		*(strcmp(name, "grub-pv") == 0 ? &o->grub_pv : &o->grub_pvh) = arg;
	}
	else if (strcmp(name, "backend") == 0) {
		if (strcmp(arg, "auto") && strcmp(arg, "xen") && strcmp(arg, "sim"))
			return bad_value(name, arg);
		o->backend = strcmp(arg, "auto") == 0 ? NULL : arg;
	} else if (strcmp(name, "log-level") == 0) {
		o->log_level = xd_log_level_parse(arg);
		if (o->log_level < 0)
			return bad_value(name, arg);
	} else if (strcmp(name, "workers") == 0) {
		if (parse_uint(arg, 1, 1024, &v) < 0)
			return bad_value(name, arg);
		o->workers = (unsigned int)v;
	} else if (strcmp(name, "max-line") == 0) {
		if (parse_uint(arg, 64, 1ull << 30, &v) < 0)
			return bad_value(name, arg);
		o->max_line = (size_t)v;
	} else if (strcmp(name, "max-clients") == 0) {
		if (parse_uint(arg, 1, 65536, &v) < 0)
			return bad_value(name, arg);
		o->max_clients = (unsigned int)v;
	} else if (strcmp(name, "idle-timeout") == 0) {
		if (parse_uint(arg, 0, 10u * 365 * 24 * 3600, &v) < 0)
			return bad_value(name, arg);
		o->idle_timeout_s = (unsigned int)v;
	}
	return 0;
}

/* 0 to run, 1 when --help was asked, -1 on a usage error. */
static int parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 0 },
		{ "state-dir", required_argument, NULL, 0 },
		{ "backend", required_argument, NULL, 0 },
		{ "workers", required_argument, NULL, 0 },
		{ "group", required_argument, NULL, 0 },
		{ "log-level", required_argument, NULL, 0 },
		{ "max-line", required_argument, NULL, 0 },
		{ "max-clients", required_argument, NULL, 0 },
		{ "idle-timeout", required_argument, NULL, 0 },
		{ "grub-pv", required_argument, NULL, 0 },
		{ "grub-pvh", required_argument, NULL, 0 },
		{ "migrate-listen", required_argument, NULL, 0 },
		{ "migrate-psk-file", required_argument, NULL, 0 },
		{ "migrate-max-incoming", required_argument, NULL, 0 },
		{ "dm-restrict", required_argument, NULL, 0 },
		{ "dm-uid-base", required_argument, NULL, 0 },
		{ "debug-methods", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int idx, opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == 'D') {
			o->debug_methods = 1;
			continue;
		}
		if (opt != 0 || set_option(o, longopts[idx].name, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "xenopsd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- the socket ---------------------------------------------------------- */

static int socket_address(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		xd_log(XENOPS_LOG_ERROR, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/*
 * A socket file left by a daemon that died is removed; one that a live
 * daemon answers on is not ours to take. Anything else at the path is left
 * alone and refused.
 */
static int clear_stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		xd_log(XENOPS_LOG_ERROR, "%s exists and is not a socket", sa->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0) {
		xd_log(XENOPS_LOG_ERROR, "%s is in use by a running daemon", sa->sun_path);
		return -1;
	}
	xd_log(XENOPS_LOG_INFO, "removing stale socket %s", sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT) {
		xd_log(XENOPS_LOG_ERROR, "cannot remove %s: %s", sa->sun_path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * PATH.lock, held for the daemon's life: two daemons started at the same
 * instant on one socket path cannot both see the other's half-made socket
 * as stale (bound, not yet listening) and remove it. Returns the fd or -1.
 */
static int lock_socket_path(const char *socket_path)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", socket_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		xd_log(XENOPS_LOG_ERROR, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		xd_log(XENOPS_LOG_ERROR, "%s is in use by a running daemon (%s is locked)",
		       socket_path, path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Each client is a descriptor: raise the soft limit towards the hard one
 * so that --max-clients can be served, with room for the library's own.
 */
#define FD_RESERVE 64

static void raise_nofile(unsigned int max_clients)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)max_clients + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < need)
		xd_log(XENOPS_LOG_WARNING,
		       "open files limited to %llu: fewer than --max-clients %u clients can be "
		       "served",
		       (unsigned long long)rl.rlim_cur, max_clients);
}

/* Mode and group are set before anyone can connect: bind under a strict umask. */
static int open_listener(const struct options *o, int have_group, gid_t gid)
{
	struct sockaddr_un sa;
	mode_t old_umask;
	int fd, rc;

	if (socket_address(&sa, o->socket_path) < 0 || clear_stale_socket(&sa) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc < 0)
		goto fail;
	if (have_group && (chown(sa.sun_path, (uid_t)-1, gid) < 0 || chmod(sa.sun_path, 0660) < 0))
		goto fail_unlink;
	if (listen(fd, SOMAXCONN) < 0)
		goto fail_unlink;
	return fd;
fail_unlink:
	unlink(sa.sun_path);
fail:
	xd_log(XENOPS_LOG_ERROR, "cannot listen on %s: %s", o->socket_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int resolve_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	unsigned long long v;

	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (parse_uint(name, 0, UINT_MAX - 1, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	xd_log(XENOPS_LOG_ERROR, "unknown group: %s", name);
	return -1;
}

/* SIGTERM and SIGINT arrive through a descriptor the loop polls. */
static int open_signal_fd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static xenops_ctx *open_context(const struct options *o)
{
	xenops_ctx_options opts = XENOPS_CTX_OPTIONS_INIT;
	xenops_ctx *ctx = NULL;
	int rc;

	opts.state_dir = o->state_dir;
	opts.backend = o->backend;
	opts.workers = o->workers;
	opts.log_fn = xd_log_lib;
	opts.log_level = o->log_level;
	rc = xenops_ctx_new(&ctx, &opts);
	if (rc < 0) {
		xd_log(XENOPS_LOG_ERROR, "cannot start libxenops: %s: %s", xenops_strerror_name(rc),
		       xenops_last_error_message());
		return NULL;
	}
	if ((o->grub_pv && (rc = xenops_ctx_set_option(ctx, "boot.grub_pv", o->grub_pv)) < 0) ||
	    (o->grub_pvh && (rc = xenops_ctx_set_option(ctx, "boot.grub_pvh", o->grub_pvh)) < 0)) {
		xd_log(XENOPS_LOG_ERROR, "cannot set the GRUB image: %s", xenops_last_error_message());
		xenops_ctx_unref(ctx);
		return NULL;
	}
	if ((o->dm_restrict && xenops_ctx_set_option(ctx, "dm.restrict", o->dm_restrict) < 0) ||
	    (o->dm_uid_base && xenops_ctx_set_option(ctx, "dm.uid_base", o->dm_uid_base) < 0)) {
		xd_log(XENOPS_LOG_ERROR, "cannot set the device model's privileges: %s",
		       xenops_last_error_message());
		xenops_ctx_unref(ctx);
		return NULL;
	}
	return ctx;
}

static int serve(const struct options *o)
{
	struct xd_server_config cfg = {
		.max_line = o->max_line,
		.max_clients = o->max_clients,
		.idle_timeout_s = o->idle_timeout_s,
		.debug_methods = o->debug_methods,
	};
	xenops_ctx *ctx = NULL;
	int rc = -1, sock_lock = -1;

	cfg.listen_fd = cfg.signal_fd = -1;
	/* A bad key file stops the daemon before it serves anything. */
	if (o->migrate_psk_file && xd_migrate_set_psk_file(o->migrate_psk_file) < 0)
		return -1;
	raise_nofile(o->max_clients);
	if (o->group && resolve_group(o->group, &cfg.group) < 0)
		return -1;
	cfg.have_group = o->group != NULL;
	cfg.signal_fd = open_signal_fd();
	if (cfg.signal_fd < 0) {
		xd_log(XENOPS_LOG_ERROR, "signalfd: %s", strerror(errno));
		return -1;
	}
	/* Bind first: a second daemon must not touch the state of the first
	 * (the library locks the state directory as well). */
	sock_lock = lock_socket_path(o->socket_path);
	if (sock_lock >= 0)
		cfg.listen_fd = open_listener(o, cfg.have_group, cfg.group);
	if (cfg.listen_fd < 0)
		goto out;
	ctx = open_context(o);
	if (!ctx)
		goto out;
	cfg.ctx = ctx;
	if (o->migrate_listen &&
	    xd_migrate_listen(ctx, o->migrate_listen, o->migrate_max_incoming) < 0) {
		xenops_ctx_unref(ctx);
		goto out;
	}
	xd_log(XENOPS_LOG_INFO, "listening on %s (libxenops %s, backend %s, instance %s)",
	       o->socket_path, xenops_version(), xenops_ctx_backend(ctx), xenops_ctx_instance(ctx));
	rc = xd_server_run(&cfg);
	xd_migrate_stop();
	/* Stop accepting before the context goes: its last reference cancels
	 * running tasks at their next cancel point. */
	close(cfg.listen_fd);
	cfg.listen_fd = -1;
	unlink(o->socket_path);
	xenops_ctx_unref(ctx);
	xd_log(XENOPS_LOG_INFO, "stopped");
out:
	if (cfg.listen_fd >= 0) {
		close(cfg.listen_fd);
		unlink(o->socket_path);
	}
	close(cfg.signal_fd);
	if (sock_lock >= 0)
		close(sock_lock);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {
		.socket_path = DEFAULT_SOCKET,
		.state_dir = DEFAULT_STATE_DIR,
		.log_level = XENOPS_LOG_INFO,
		.max_line = 1024 * 1024,
		.max_clients = 256,
		.idle_timeout_s = 300,
		.migrate_max_incoming = 2,
	};
	int rc = parse_args(&o, argc, argv);

	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	xd_log_level = o.log_level;
	/*
	 * Big buffers (libxenguest's save and restore batches of up to 4 MiB,
	 * kernel images) are mmapped and given back when freed. glibc's
	 * default raises this threshold to the size of the first such buffer
	 * freed, after which they come from the worker thread's arena and
	 * stay there: the Xen soak saw RSS grow by about 10 MiB for each
	 * worker that ran a suspend and resume. A fixed value turns that off.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	return serve(&o) == 0 ? 0 : 1;
}
