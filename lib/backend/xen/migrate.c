/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The domain's memory stream on Xen, shared by suspend to a file (save.c)
 * and migration (domain_send, domain_receive): a header of our own (magic,
 * version, the VM configuration as JSON), then libxenguest's stream.
 *
 * Sending: xc_domain_save with
 *  - a suspend callback: control/shutdown=suspend, wait for the guest's
 *    acknowledgement and for SHUTDOWN_suspend (nothing to do when the
 *    domain already shut down for suspend, as before a suspend to a file);
 *  - a log-dirty switch for the device model, which libxenguest requires
 *    for every HVM-container domain (PVH included: it aborts the process
 *    without one); a PVH domain has no device model, so there is nothing
 *    to switch;
 *  - live (XCFLAGS_LIVE): a pre-copy policy that reports each round
 *    (iteration, pages dirtied) and decides when to stop and copy, and that
 *    abandons the stream when the task is cancelled: the guest then runs on,
 *    untouched; per-page progress comes from libxenguest's progress reports
 *    through the backend's logger, on the sending thread. The bytes
 *    reported model the stream: our header, 4 KiB per page with data and
 *    8 bytes per page frame a round goes through (libxenguest lists every
 *    frame of a batch, unpopulated ones without data), counted every 4 MiB;
 *    libxenguest's record headers and its final records (vCPU context,
 *    HVM parameters: kilobytes) are not. A first round goes through the
 *    whole guest-physical space (4 GiB and more for an HVM container), but
 *    only the domain's populated pages carry data: its pages with data are
 *    taken as the frames gone through, at most the populated count.
 * A PV domain is sent live only when the hypervisor has shadow paging (PV
 * log-dirty needs it; Debian builds Xen 4.17 without): otherwise it is
 * suspended first and sent in one round.
 *
 * An HVM domain (one with a device model) is suspended the same way; once
 * it is, the device model is stopped and writes its state (QMP stop and
 * xen-save-devices-state), which follows libxenguest's stream as one
 * record: a 16-byte magic, a 64-bit length, the bytes. Live, the device
 * model's log-dirty mode is switched with xen-set-global-dirty-log.
 *
 * Receiving: our header (the VM must be the same; the domain is built with
 * the type, memory and vCPUs the stream was made with), a new paused
 * domain with its xenstore skeleton, xc_domain_restore, then the console
 * and store rings written and the domain introduced to xenstored with the
 * frames the stream gave. xenstore itself is not part of the stream. For
 * an HVM domain the device model's record is written to a file and its
 * device model registered to load it (-incoming) at the first unpause.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

#define XO_STREAM_MAGIC "XENOPS-XEN-SAVE" /* 15 characters + NUL: 16 bytes */
#define XO_STREAM_VERSION 1u
#define XO_STREAM_CONFIG_MAX (1u << 20)
#define XO_STREAM_SUSPEND_MS 60000u
#define XO_DM_MAGIC "XENOPS-DM-STATE" /* 16 bytes with its NUL */
#define XO_DM_STATE_MAX (64ull << 20)
#define XO_PAGE 4096ull

/* Pre-copy: stop and copy below this many dirty pages, or after this many rounds. */
#define XO_PRECOPY_TARGET_DIRTY 50
#define XO_PRECOPY_MAX_ROUNDS 10
/* From this round on, stop as soon as a round no longer shrinks the dirty set. */
#define XO_PRECOPY_CONVERGE_FROM 3

struct stream_header {
	char magic[16];
	uint32_t version;
	uint32_t config_len;
};

/* ---- header ---- */

static int write_header(int fd, const struct xo_vm_config *cfg, const char *what,
			uint64_t *len_out, struct xo_error *err)
{
	struct json_object *obj = xo_vm_config_to_json(cfg, err);
	char *json = obj ? xo_json_dumps(obj) : NULL;
	struct stream_header h = { .magic = XO_STREAM_MAGIC, .version = XO_STREAM_VERSION };
	struct xo_error io = { 0 }; /* why a write failed, for the message */
	int rc = 0;

	json_object_put(obj);
	if (!json)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	h.config_len = (uint32_t)strlen(json);
	if (xo_fd_write_all(fd, &h, sizeof(h), 0, NULL, NULL, &io) < 0 ||
	    xo_fd_write_all(fd, json, h.config_len, 0, NULL, NULL, &io) < 0)
		rc = xo_err(err, XENOPS_EIO, "xen backend: write %s: %s", what, io.msg);
	*len_out = sizeof(h) + h.config_len;
	free(json);
	return rc;
}

/* Read and check our header; *saved_out is the configuration the stream was made with. */
static int read_header(int fd, const char *what, const struct xo_vm_config *cfg,
		       struct xo_vm_config **saved_out, uint64_t *len_out, struct xo_error *err)
{
	struct json_object *obj = NULL;
	struct stream_header h;
	struct xo_error io = { 0 }; /* why a read failed, for the message */
	char *json = NULL;
	int rc;

	*saved_out = NULL;
	if (xo_fd_read_all(fd, &h, sizeof(h), 0, NULL, NULL, &io) < 0)
		return xo_err(err, XENOPS_EIO, "xen backend: read %s: %s", what, io.msg);
	if (memcmp(h.magic, XO_STREAM_MAGIC, sizeof(h.magic)) || h.version != XO_STREAM_VERSION ||
	    h.config_len == 0 || h.config_len > XO_STREAM_CONFIG_MAX)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: %s is not a domain image of this backend", what);
	json = calloc(1, h.config_len + 1);
	if (!json)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	rc = xo_fd_read_all(fd, json, h.config_len, 0, NULL, NULL, &io) < 0
		     ? xo_err(err, XENOPS_EIO, "xen backend: read %s: %s", what, io.msg)
		     : xo_json_loads(&obj, json, "domain image configuration", err);
	if (rc == 0)
		rc = xo_vm_config_from_json(saved_out, obj, err);
	if (rc == 0 && strcmp((*saved_out)->id, cfg->id))
		rc = xo_err(err, XENOPS_EINVAL, "xen backend: %s is the image of VM %s, not %s",
			    what, (*saved_out)->id, cfg->id);
	if (rc < 0) {
		xo_vm_config_free(*saved_out);
		*saved_out = NULL;
	}
	*len_out = sizeof(h) + h.config_len;
	json_object_put(obj);
	free(json);
	return rc;
}

/* ---- sending ---- */

struct send_ctx {
	struct xo_backend *b;
	struct xo_env *env;
	int domid;
	int rc;               /* a callback's failure, with *err filled */
	struct xo_error *err; /* libxenguest's callbacks have no room for it */
	uint64_t header_len;
	unsigned int iteration;
	uint64_t pages_before; /* page frames gone through in the rounds before this one */
	uint64_t pages_round;  /* page frames gone through in this round so far */
	uint64_t data_before;  /* of those, pages with data */
	uint64_t data_round;
	uint64_t populated;    /* the domain's pages when the send began */
	uint64_t extra;        /* bytes after libxenguest's stream (device model) */
	uint64_t dirty;        /* pages dirtied in the last round */
	int64_t prev_dirty;
	uint64_t suspended_ms; /* when the guest was found suspended, 0 before */
	bool hvm;              /* it has a device model, whose state follows */
	bool migrating;        /* release the device model's disk images */
	char dm_state[128];    /* where the device model wrote its state */
};

/* The stream this thread is sending, for libxenguest's progress reports. */
static __thread struct send_ctx *current_send;

/* The stream's bytes so far, by the model above. */
static uint64_t stream_bytes(const struct send_ctx *s)
{
	return s->header_len + (s->data_before + s->data_round) * XO_PAGE +
	       (s->pages_before + s->pages_round) * 8 + s->extra;
}

static void report(struct send_ctx *s)
{
	if (s->env->stream_progress)
		s->env->stream_progress(s->env, stream_bytes(s), s->iteration, s->dirty);
}

/* A round of pages begins: a pre-copy round, or the last one once suspended. */
static void next_round(struct send_ctx *s)
{
	s->pages_before += s->pages_round;
	s->pages_round = 0;
	s->data_before += s->data_round;
	s->data_round = 0;
}

void xo_xen_stream_xtl_progress(unsigned long done, unsigned long total)
{
	struct send_ctx *s = current_send;

	/*
	 * done counts the frames this round went through (the one closing a
	 * round says done == total). A later round goes through dirty pages
	 * only; the first (no round before it) through every frame, of which
	 * at most the populated ones carry data.
	 */
	if (s && total > 0 && done <= total) {
		s->pages_round = done;
		s->data_round = s->pages_before == 0 && s->populated && done > s->populated
					? s->populated
					: done;
		report(s);
	}
}

/* The domain is suspended: an HVM domain's device model stops and saves its state. */
static int suspended(struct send_ctx *s)
{
	s->suspended_ms = xo_now_ms();
	if (!s->hvm)
		return 1;
	xo_xen_dm_state_path(s->domid, "save", s->dm_state);
	unlink(s->dm_state);
	s->rc = xo_xen_dm_qmp(s->b, s->domid, "{\"execute\": \"stop\"}", NULL, 0, s->err);
	if (s->rc == 0)
		s->rc = xo_xen_dm_save_state(s->b, s->domid, s->migrating, s->dm_state, s->err);
	return s->rc == 0;
}

/*
 * libxenguest asks for the domain to be suspended. Before a suspend to a
 * file it already is (the engine asked the guest first); otherwise ask
 * now. 1 means done.
 */
static int send_suspend(void *data)
{
	struct send_ctx *s = data;
	struct xo_error *err = s->err;
	xc_domaininfo_t info;
	int reason = XO_SHUTDOWN_NONE;

	next_round(s);
	s->rc = xo_xen_getinfo_one(s->b, s->domid, &info, err);
	if (s->rc < 0)
		return 0;
	if ((info.flags & XEN_DOMINF_shutdown) &&
	    ((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) ==
		    SHUTDOWN_suspend)
		return suspended(s);
	s->rc = xo_xen_domain_request_shutdown(s->b, s->env, s->domid, XO_SHUTDOWN_SUSPEND, err);
	if (s->rc == 0)
		s->rc = xo_xen_domain_wait_ack(s->b, s->env, s->domid, XO_STREAM_SUSPEND_MS, err);
	if (s->rc == 0)
		s->rc = xo_xen_domain_wait_shutdown(s->b, s->env, s->domid, XO_STREAM_SUSPEND_MS,
						    &reason, err);
	if (s->rc == 0 && reason != XO_SHUTDOWN_SUSPEND)
		s->rc = xo_err(err, XENOPS_EBADSTATE,
			       "xen backend: domain %d shut down (%s) instead of suspending",
			       s->domid, xo_shutdown_reason_name(reason));
	return s->rc == 0 ? suspended(s) : 0;
}

/*
 * HVM containers only (libxenguest requires it): an HVM domain's device
 * model tracks the pages it writes; a PVH domain has none.
 */
static int send_qemu_logdirty(uint32_t domid, unsigned int enable, void *data)
{
	struct send_ctx *s = data;

	(void)domid;
	if (!s->hvm)
		return 0;
	s->rc = xo_xen_dm_logdirty(s->b, s->domid, enable != 0, s->err);
	return s->rc == 0 ? 0 : -1;
}

/* The device model's record after libxenguest's stream: magic, length, its state. */
static int append_dm_state(struct send_ctx *s, int fd, const char *what)
{
	char buf[65536];
	struct xo_error io = { 0 };
	uint64_t len;
	struct stat st;
	int in = open(s->dm_state, O_RDONLY | O_CLOEXEC), rc = 0;

	if (in < 0 || fstat(in, &st) < 0) {
		rc = xo_err_errno(s->err, errno, "xen backend: device model state %s", s->dm_state);
		goto out;
	}
	len = (uint64_t)st.st_size;
	s->extra = sizeof(XO_DM_MAGIC) + sizeof(len) + len;
	if (xo_fd_write_all(fd, XO_DM_MAGIC, sizeof(XO_DM_MAGIC), 0, NULL, NULL, &io) < 0 ||
	    xo_fd_write_all(fd, &len, sizeof(len), 0, NULL, NULL, &io) < 0) {
		rc = xo_err(s->err, XENOPS_EIO, "xen backend: write %s: %s", what, io.msg);
		goto out;
	}
	while (len > 0) {
		ssize_t n = read(in, buf, len < sizeof(buf) ? (size_t)len : sizeof(buf));

		if (n <= 0) {
			rc = xo_err(s->err, XENOPS_EIO, "xen backend: read %s: %s", s->dm_state,
				    n < 0 ? strerror(errno) : "short file");
			goto out;
		}
		if (xo_fd_write_all(fd, buf, (size_t)n, 0, NULL, NULL, &io) < 0) {
			rc = xo_err(s->err, XENOPS_EIO, "xen backend: write %s: %s", what, io.msg);
			goto out;
		}
		len -= (uint64_t)n;
		s->header_len += (uint64_t)n;
	}
out:
	if (in >= 0)
		close(in);
	return rc;
}

/*
 * Called before each pre-copy round with the pages to send (dirty_count)
 * and after it with dirty_count -1.
 */
static int send_precopy_policy(struct precopy_stats st, void *data)
{
	struct send_ctx *s = data;
	bool converged;

	s->rc = s->env->check(s->env, s->err);
	if (s->rc < 0)
		return XGS_POLICY_ABORT;
	s->iteration = st.iteration;
	if (st.dirty_count < 0)
		return XGS_POLICY_CONTINUE_PRECOPY;
	next_round(s);
	s->dirty = (uint64_t)st.dirty_count;
	report(s);
	if (st.iteration == 0)
		return XGS_POLICY_CONTINUE_PRECOPY; /* the first round sends everything */
	converged = st.iteration >= XO_PRECOPY_CONVERGE_FROM && s->prev_dirty >= 0 &&
		    st.dirty_count >= s->prev_dirty;
	s->prev_dirty = st.dirty_count;
	if (st.dirty_count < XO_PRECOPY_TARGET_DIRTY || st.iteration >= XO_PRECOPY_MAX_ROUNDS ||
	    converged)
		return XGS_POLICY_STOP_AND_COPY;
	return XGS_POLICY_CONTINUE_PRECOPY;
}

/* The domain's populated pages, 0 (every frame taken to have data) if unknown. */
static uint64_t populated_pages(struct xo_backend *b, int domid)
{
	xc_domaininfo_t info;
	struct xo_error ignored = { 0 };

	return xo_xen_getinfo_one(b, domid, &info, &ignored) == 0 ? info.tot_pages : 0;
}

static bool has_shadow_paging(struct xo_backend *b)
{
	xc_physinfo_t pi = { 0 };

	return xc_physinfo(b->xch, &pi) == 0 && (pi.capabilities & XEN_SYSCTL_PHYSCAP_shadow);
}

int xo_xen_stream_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, bool live, bool migrating,
		       const char *what, struct xo_error *err)
{
	struct send_ctx s = { .b = b, .env = env, .domid = domid, .err = err, .prev_dirty = -1,
			      .migrating = migrating };
	struct save_callbacks cb = {
		.suspend = send_suspend,
		.switch_qemu_logdirty = send_qemu_logdirty,
		.precopy_policy = send_precopy_policy,
		.data = &s,
	};
	uint64_t t0 = xo_now_ms();
	int rc;

	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc < 0)
		return rc;
	s.populated = populated_pages(b, domid);
	s.hvm = xo_xen_dm_needed(b, domid);
	if (s.hvm && !xo_xen_dm_running(b, domid))
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: hvm domain %d has no running device model", domid);
	rc = write_header(fd, cfg, what, &s.header_len, err);
	if (rc < 0)
		return rc;
	report(&s);
	XO_ENV_CRASH(env);
	current_send = &s;
	if (xc_domain_save(b->xch, fd, (uint32_t)domid, live ? XCFLAGS_LIVE : 0, &cb,
			   XC_STREAM_PLAIN, -1) != 0)
		rc = s.rc < 0 ? s.rc : xo_xen_err(b, "xc_domain_save", err);
	current_send = NULL;
	if (rc == 0 && s.hvm)
		rc = append_dm_state(&s, fd, what);
	if (s.hvm)
		unlink(s.dm_state);
	if (rc < 0)
		return rc;
	XO_ENV_CRASH(env); /* the guest is suspended, its stream written */
	report(&s);
	xo_log(&b->log, XENOPS_LOG_INFO,
	       "xen backend: sent domain %d (%s, %u pre-copy rounds over %llu page frames, %llu pages "
	       "in the last, about %llu bytes) in %llu ms, suspended for the last %llu ms",
	       domid, live ? "live" : "suspended", s.iteration,
	       (unsigned long long)(s.pages_before + s.pages_round),
	       (unsigned long long)s.data_round, (unsigned long long)stream_bytes(&s),
	       (unsigned long long)(xo_now_ms() - t0),
	       (unsigned long long)(s.suspended_ms ? xo_now_ms() - s.suspended_ms : 0));
	return 0;
}

int xo_xen_domain_send(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, int fd, int live, struct xo_error *err)
{
	xc_domaininfo_t info;
	int rc = xo_xen_check_domid(domid, err);

	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	if (live && !(info.flags & XEN_DOMINF_hvm_guest) && !has_shadow_paging(b)) {
		xo_log(&b->log, XENOPS_LOG_INFO,
		       "xen backend: domain %d is PV and this hypervisor has no shadow paging: "
		       "sent suspended, not live",
		       domid);
		live = 0;
	}
	return xo_xen_stream_send(b, env, domid, cfg, fd, live != 0, true, "the migration stream",
				  err);
}

/* ---- receiving ---- */

struct restore_ctx {
	struct xo_backend *b;
	int domid;
};

/* Streams from before Xen 4.14 carry no CPUID policy: give the default one. */
static int restore_static_data_done(unsigned int missing, void *data)
{
	struct restore_ctx *r = data;

	if (!(missing & XGR_SDD_MISSING_CPUID))
		return 0;
	return xc_cpuid_apply_policy(r->b->xch, (uint32_t)r->domid, true, NULL, 0, true, false,
				     false, NULL, NULL);
}

/*
 * Whether the stream was read to its end: the sender closed the connection,
 * or a file has no byte left. libxc reports an early end as a failure with
 * errno 0, which would read "Success".
 */
static bool stream_ended(int fd, int saved_errno)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct stat st;
	char c;

	if (saved_errno == 0)
		return true;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		return at >= 0 && at >= st.st_size;
	}
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP)) &&
	       recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static int restore_into(struct xo_backend *b, int fd, int domid, const char *what,
			struct xo_error *err)
{
	struct restore_ctx r = { .b = b, .domid = domid };
	struct restore_callbacks cb = { .static_data_done = restore_static_data_done, .data = &r };
	unsigned long store_mfn = 0, console_mfn = 0;
	int store_port, console_port;
	int rc = xo_xen_alloc_ports(b, domid, &store_port, &console_port, err);

	if (rc < 0)
		return rc;
	if (xc_domain_restore(b->xch, fd, (uint32_t)domid, (unsigned int)store_port, &store_mfn, 0,
			      (unsigned int)console_port, &console_mfn, 0, XC_STREAM_PLAIN, &cb,
			      -1) != 0) {
		int saved = errno;

		if (!stream_ended(fd, saved)) {
			errno = saved;
			return xo_xen_err(b, "xc_domain_restore", err);
		}
		/* libxc's own last words here are "Restore failed (0 = Success)". */
		xc_clear_last_error(b->xch);
		return xo_err(err, XENOPS_EIO,
			      "xen backend: %s ended before the domain was complete "
			      "(xc_domain_restore)",
			      what);
	}
	/* For a PVH domain these are guest frames, as at build. */
	return xo_xen_domain_introduce(b, domid, store_port, store_mfn, console_port, console_mfn,
				       err);
}

/* An HVM domain's device model record, to a file its device model will load. */
static int receive_dm_state(struct xo_backend *b, const struct xo_vm_config *c, int fd,
			    int domid, const char *what, struct xo_error *err)
{
	char magic[sizeof(XO_DM_MAGIC)], path[128], buf[65536];
	struct xo_error io = { 0 };
	uint64_t len;
	int out, rc = 0;

	if (xo_fd_read_all(fd, magic, sizeof(magic), 0, NULL, NULL, &io) < 0 ||
	    xo_fd_read_all(fd, &len, sizeof(len), 0, NULL, NULL, &io) < 0)
		return xo_err(err, XENOPS_EIO, "xen backend: read %s (device model state): %s",
			      what, io.msg);
	if (memcmp(magic, XO_DM_MAGIC, sizeof(magic)) || len == 0 || len > XO_DM_STATE_MAX)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: %s has no device model state after the domain's",
			      what);
	if (mkdir(XO_DM_RUN_DIR, 0700) < 0 && errno != EEXIST)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", XO_DM_RUN_DIR);
	xo_xen_dm_state_path(domid, "incoming", path);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return xo_err_errno(err, errno, "xen backend: cannot create %s", path);
	while (rc == 0 && len > 0) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		if (xo_fd_read_all(fd, buf, n, 0, NULL, NULL, &io) < 0)
			rc = xo_err(err, XENOPS_EIO, "xen backend: read %s (device model state): %s",
				    what, io.msg);
		else if (xo_fd_write_all(out, buf, n, 0, NULL, NULL, &io) < 0)
			rc = xo_err(err, XENOPS_EIO, "xen backend: write %s: %s", path, io.msg);
		len -= n;
	}
	close(out);
	if (rc == 0)
		rc = xo_xen_hvm_xenstore(b, domid, err);
	if (rc == 0)
		rc = xo_xen_dm_register(b, c, domid, err);
	if (rc == 0)
		rc = xo_xen_dm_set_incoming(b, domid, path, err);
	if (rc < 0)
		unlink(path);
	return rc;
}

int xo_xen_stream_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, const char *what, int *domid_out,
			  struct xo_error *err)
{
	struct xo_vm_config *saved = NULL, c;
	uint64_t header_len = 0, t0 = xo_now_ms();
	int rc, domid = -1;

	*domid_out = -1;
	rc = env->check(env, err);
	if (rc == 0)
		rc = read_header(fd, what, cfg, &saved, &header_len, err);
	if (rc < 0)
		goto out;
	if (env->stream_progress)
		env->stream_progress(env, header_len, 0, 0);
	/* The guest's memory, vCPUs and type are those it was saved with. */
	c = *cfg;
	c.memory_max = saved->memory_max;
	c.memory_target = saved->memory_target;
	c.vcpus_max = saved->vcpus_max;
	c.vcpus = saved->vcpus;
	c.type = saved->type; /* a PV image cannot become a PVH domain */
	rc = xo_xen_domain_create_empty(b, env, &c, &domid, err);
	if (rc < 0)
		goto out;
	env->progress(env, 0.1);
	XO_ENV_CRASH(env);
	rc = restore_into(b, fd, domid, what, err);
	if (rc == 0 && c.type == XO_VM_HVM)
		rc = receive_dm_state(b, &c, fd, domid, what, err);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc < 0) {
		struct xo_error undo = { 0 }; /* *err keeps why the restore failed */

		xo_xen_domain_destroy(b, env, domid, &undo);
		goto out;
	}
	env->progress(env, 1.0);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: domain %d received from %s in %llu ms",
	       domid, what, (unsigned long long)(xo_now_ms() - t0));
	*domid_out = domid;
out:
	xo_vm_config_free(saved);
	return rc;
}

int xo_xen_domain_receive(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, int fd, int *domid_out,
			  struct xo_error *err)
{
	return xo_xen_stream_receive(b, env, cfg, fd, "the migration stream", domid_out, err);
}
