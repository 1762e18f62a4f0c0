/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Migration: the sending and receiving tasks over a stream the application
 * connected, and local migration (both sides in this context). The rule
 * that keeps exactly one copy (docs/migration.md): the sending side owns
 * the VM until it has recorded "commit" and the receiving side has
 * recorded "committed"; the receiver's record is the one point where
 * ownership moves. Before it, every failure resumes the guest on the
 * sender and destroys the receiver's domain; a sender that sent the commit
 * and never heard back is in doubt and halts its copy rather than risk two.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "model/json.h"
#include "model/migstream.h"

#define W_FAST 1
#define W_DEVICE 2
#define W_STREAM 40

#define MSG_IDLE_MS 60000u     /* a control message, once its turn came */
#define PREPARE_IDLE_MS 300000u /* the receiver restoring and plugging */
#define HEADER_IDLE_MS 30000u   /* the header, at the start */
#define ABORT_IDLE_MS 2000u     /* a courtesy abort message */

static struct xo_engine *E(struct xo_run *r)
{
	return r->e;
}

static int run_check(void *arg, struct xo_error *err)
{
	struct xo_run *r = arg;

	return r->env.check(&r->env, err);
}

/*
 * The phase of the migration task; each change is logged with how long the
 * phase before took (phases are string literals), so that an operator sees
 * where the time of a migration went on each host.
 */
static void set_phase(struct xo_run *r, const char *phase)
{
	uint64_t now = xo_now_ms(), took = 0;
	const char *before = NULL;

	xo_engine_lock(E(r));
	if (r->t->mig) {
		before = r->t->mig->progress.phase;
		if (r->t->mig->phase_ms)
			took = now - r->t->mig->phase_ms;
		r->t->mig->phase_ms = now;
		r->t->mig->progress.phase = phase;
		xo_unode_touch_locked(E(r), r->t->un);
	}
	xo_engine_unlock(E(r));
	if (before)
		xo_log(&E(r)->log, XENOPS_LOG_INFO, "vm %s: migration phase %s (%s took %llu ms)",
		       r->vm->id, phase, before, (unsigned long long)took);
}

static void step(struct xo_run *r, const char *name)
{
	xo_mig_fault(E(r), name, r->t->fd);
}

void xo_migrate_stream_progress(struct xo_env *env, uint64_t bytes, unsigned int iteration,
				uint64_t dirty_pages)
{
	struct xo_run *r = env->priv;
	struct xo_engine *e = r->e;
	struct xo_task_mig *m;
	uint64_t now = xo_now_ms();

	xo_engine_lock(e);
	m = r->t->mig;
	if (m) {
		if (iteration != m->progress.iteration || !m->progress.iteration) {
			uint64_t dt = now > m->last_ms ? now - m->last_ms : 0;

			m->progress.dirty_rate = dt ? (double)dirty_pages * 1000.0 / (double)dt : 0;
			m->last_ms = now;
		}
		m->progress.bytes = bytes;
		m->progress.iteration = iteration;
		m->progress.dirty_pages = dirty_pages;
		xo_unode_touch_locked(e, r->t->un);
	}
	xo_engine_unlock(e);
}

/* ---- control messages ---- */

static int send_msg(struct xo_run *r, int kind, int code, const char *message, bool cancellable,
		    unsigned int idle_ms, struct xo_error *err)
{
	struct xo_mig_msg m = { .kind = kind, .code = code };
	char *buf = NULL;
	size_t len = 0;
	int rc;

	snprintf(m.message, sizeof(m.message), "%s", message ? message : "");
	rc = xo_mig_msg_encode(&m, &buf, &len, err);
	if (rc == 0)
		rc = xo_fd_write_all(r->t->fd, buf, len, idle_ms, cancellable ? run_check : NULL, r,
				     err);
	free(buf);
	return rc;
}

static int recv_msg(struct xo_run *r, struct xo_mig_msg *m, unsigned int idle_ms,
		    bool cancellable, struct xo_error *err)
{
	uint8_t lenbuf[4];
	char buf[XO_MIG_MSG_MAX];
	uint32_t len;
	int rc = xo_fd_read_all(r->t->fd, lenbuf, 4, idle_ms, cancellable ? run_check : NULL, r,
				err);

	if (rc < 0)
		return rc;
	len = xo_be32_get(lenbuf);
	if (len == 0 || len > XO_MIG_MSG_MAX)
		return xo_err(err, XENOPS_EIO, "migration peer sent a message of %u bytes", len);
	rc = xo_fd_read_all(r->t->fd, buf, len, idle_ms, cancellable ? run_check : NULL, r, err);
	if (rc == 0 && xo_mig_msg_parse(buf, len, m, err) < 0)
		rc = xo_err(err, XENOPS_EIO, "migration peer: %s", err->msg);
	return rc;
}

/* Expect @kind; an abort or refusal becomes the peer's error. */
static int expect_msg(struct xo_run *r, int kind, unsigned int idle_ms, bool cancellable,
		      struct xo_error *err)
{
	struct xo_mig_msg m;
	int rc = recv_msg(r, &m, idle_ms, cancellable, err);

	if (rc < 0)
		return rc;
	if (m.kind == kind)
		return 0;
	if (m.kind == XO_MIG_REFUSED)
		return xo_err(err, m.code, "the destination refused the VM: %s", m.message);
	if (m.kind == XO_MIG_ABORT)
		return xo_err(err, m.code == XENOPS_ECANCELLED ? XENOPS_ECANCELLED : m.code,
			      "the migration peer gave up: %s", m.message);
	return xo_err(err, XENOPS_EIO, "migration peer sent \"%s\", expected \"%s\"",
		      xo_mig_msg_name(m.kind), xo_mig_msg_name(kind));
}

/* ---- intent records with the handshake's phase ---- */

static int write_phase(struct xo_run *r, const char *phase, struct xo_error *err)
{
	struct xo_task *t = r->t;
	struct xo_intent in = { .op = t->op, .task = t->id, .started = xo_wall_time(),
				.flags = t->flags };
	struct json_object *o = xo_intent_to_json(&in, err);
	int rc = o ? 0 : err->code;

	if (rc == 0 && phase)
		rc = xo_jw_string(o, "migration_phase", phase, err);
	if (rc == 0) {
		xo_engine_lock(E(r));
		rc = E(r)->sops->put_intent(E(r)->s, r->vm->id, o, err);
		xo_engine_unlock(E(r));
	}
	json_object_put(o);
	return rc;
}

/* ---- commits (locked) ---- */

static bool apply_new_domain(struct xo_run *r, void *arg)
{
	int power = *(const int *)arg;

	r->vm->st.domid = r->mig_domid;
	r->vm->st.power = power;
	r->domid = r->mig_domid;
	xo_unode_touch_locked(E(r), r->vm->un);
	return true;
}

static bool apply_power(struct xo_run *r, void *arg)
{
	r->vm->st.power = *(const int *)arg;
	xo_unode_touch_locked(E(r), r->vm->un);
	return true;
}

/* The sender's copy is gone: Halted, with @arg the marker. */
static bool apply_gone(struct xo_run *r, void *arg)
{
	struct xo_vm *vm = r->vm;

	vm->st.domid = -1;
	vm->st.start_time = 0;
	vm->st.power = XENOPS_POWER_HALTED;
	snprintf(vm->st.last_shutdown_reason, sizeof(vm->st.last_shutdown_reason), "%s",
		 (const char *)arg);
	for (size_t i = 0; i < vm->ndevs; i++) {
		memset(&vm->devs[i]->st, 0, sizeof(vm->devs[i]->st));
		xo_unode_touch_locked(E(r), vm->devs[i]->un);
	}
	xo_unode_touch_locked(E(r), vm->un);
	return true;
}

/* ---- the sending side ---- */

/* The VM's configuration as a template with its devices, for the header. */
static int template_text(struct xo_run *r, char **out, struct xo_error *err)
{
	struct json_object *o = NULL;
	char *text = NULL;
	int rc = xo_engine_vm_get_config(E(r), r->vm->id, &text, err);

	if (rc < 0)
		return rc;
	rc = xo_json_loads(&o, text, "vm config", err);
	free(text);
	if (rc < 0)
		return rc;
	json_object_object_del(o, "disagreements");
	*out = xo_json_dumps(o);
	json_object_put(o);
	return *out ? 0 : xo_err(err, XENOPS_ENOMEM, "out of memory");
}

static int a_send_header(struct xo_run *r, int arg, struct xo_error *err)
{
	char *tmpl = NULL, *buf = NULL;
	size_t len = 0;
	int rc;

	(void)arg;
	set_phase(r, "header");
	rc = template_text(r, &tmpl, err);
	if (rc == 0)
		rc = xo_mig_header_encode(tmpl, r->mig_live, r->mig_paused, &buf, &len, err);
	free(tmpl);
	step(r, "send.header");
	if (rc == 0)
		rc = xo_fd_write_all(r->t->fd, buf, len, MSG_IDLE_MS, run_check, r, err);
	free(buf);
	return rc;
}

static int a_send_check(struct xo_run *r, int arg, struct xo_error *err)
{
	(void)arg;
	set_phase(r, "check");
	step(r, "send.check");
	return expect_msg(r, XO_MIG_READY, MSG_IDLE_MS, true, err);
}

static int a_send_memory(struct xo_run *r, int arg, struct xo_error *err)
{
	int rc;

	(void)arg;
	if (!E(r)->bops->domain_send)
		return xo_err(err, XENOPS_ENOTSUP, "the %s backend cannot migrate domains",
			      E(r)->bops->name);
	set_phase(r, "memory");
	step(r, "send.memory");
	xo_engine_lock(E(r));
	r->t->mig->last_ms = xo_now_ms();
	xo_engine_unlock(E(r));
	r->mig_send_tried = true; /* from here a failure may leave it suspended */
	rc = E(r)->bops->domain_send(E(r)->b, &r->env, r->domid, r->cfg, r->t->fd, r->mig_live,
				     err);
	if (rc < 0)
		return rc;
	r->mig_sent = true; /* the guest is shut down for suspend from here */
	step(r, "send.memory_sent");
	return 0;
}

static int a_send_prepared(struct xo_run *r, int arg, struct xo_error *err)
{
	(void)arg;
	set_phase(r, "prepare");
	step(r, "send.prepare");
	return expect_msg(r, XO_MIG_PREPARED, PREPARE_IDLE_MS, true, err);
}

/*
 * Before the commit is recorded: a destination that already closed the
 * connection (or said something) cannot commit, so the guest stays ours
 * instead of ending in doubt.
 */
static int peer_still_there(struct xo_run *r, struct xo_error *err)
{
	struct xo_mig_msg m;
	char c;
	ssize_t n = recv(r->t->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTSOCK))
		return xo_err(err, XENOPS_EIO, "the destination closed the connection before the commit");
	if (n < 0)
		return 0;
	if (recv_msg(r, &m, MSG_IDLE_MS, false, err) < 0)
		return err->code;
	if (m.kind == XO_MIG_ABORT)
		return xo_err(err, m.code, "the migration peer gave up: %s", m.message);
	return xo_err(err, XENOPS_EIO, "migration peer sent \"%s\" before the commit",
		      xo_mig_msg_name(m.kind));
}

/* The commit: no cancel point from here on. */
static int a_send_commit(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_mig_msg m;
	int rc;

	(void)arg;
	set_phase(r, "commit");
	step(r, "send.commit");
	rc = peer_still_there(r, err);
	if (rc < 0)
		return rc;
	rc = write_phase(r, "commit", err);
	if (rc < 0)
		return rc;
	r->mig_commit_sent = true; /* in doubt until an answer comes */
	step(r, "send.commit_recorded");
	rc = send_msg(r, XO_MIG_COMMIT, 0, NULL, false, MSG_IDLE_MS, err);
	if (rc == 0) {
		step(r, "send.commit_sent");
		rc = recv_msg(r, &m, MSG_IDLE_MS, false, err);
	}
	if (rc < 0)
		return xo_err(err, XENOPS_EIO,
			      "lost the destination after sending the commit (%s): the outcome is in doubt; the VM is halted here",
			      err->msg);
	if (m.kind == XO_MIG_ABORT) {
		/* The receiver did not commit: the VM is still ours to resume. */
		struct xo_error ignored = { 0 };

		if (write_phase(r, NULL, &ignored) == 0)
			r->mig_commit_sent = false;
		return xo_err(err, m.code, "the destination gave up before the commit: %s",
			      m.message);
	}
	if (m.kind != XO_MIG_COMMITTED)
		return xo_err(err, XENOPS_EIO,
			      "the destination answered the commit with \"%s\": the outcome is in doubt; the VM is halted here",
			      xo_mig_msg_name(m.kind));
	r->mig_committed = true;
	step(r, "send.committed");
	return 0;
}

static int a_send_finish(struct xo_run *r, int arg, struct xo_error *err)
{
	int rc;

	(void)arg;
	set_phase(r, "finish");
	rc = write_phase(r, "done", err);
	if (rc < 0)
		return rc;
	step(r, "send.done_recorded");
	rc = E(r)->bops->domain_destroy(E(r)->b, &r->env, r->domid, err);
	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		return rc;
	xo_error_clear(err);
	xo_run_commit(r, apply_gone, "migrated");
	set_phase(r, "done");
	return 0;
}

/* ---- the receiving side ---- */

static int check_disk(const struct xo_dev_config *d, char *why, size_t n)
{
	const char *be = d->u.vbd.backend;
	struct stat sb;

	if (!be || !be[0])
		return 0; /* an empty CD drive */
	if (!strncmp(be, "file:", 5)) {
		if (access(be + 5, d->u.vbd.readonly ? R_OK : R_OK | W_OK) < 0) {
			snprintf(why, n, "vbd %s: %s is not accessible on this host", d->id, be + 5);
			return -1;
		}
		return 0;
	}
	if (!strncmp(be, "phy:", 4)) {
		if (stat(be + 4, &sb) < 0 || !S_ISBLK(sb.st_mode)) {
			snprintf(why, n, "vbd %s: %s is not a block device on this host", d->id,
				 be + 4);
			return -1;
		}
	}
	return 0;
}

static int check_bridge(struct xo_run *r, const struct xo_dev_config *d, char *why, size_t n)
{
	char path[128];
	const char *br = d->u.vif.bridge;

	/* The simulator has no host networking: a bridge exists there by definition. */
	if (!strcmp(E(r)->bops->name, "sim") || !br || !br[0])
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", br);
	if (access(path, F_OK) < 0) {
		snprintf(why, n, "vif %s: bridge %s does not exist on this host", d->id, br);
		return -1;
	}
	return 0;
}

/* The checks before any memory is sent; a refusal goes back to the sender. */
static int a_recv_check(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_host_info hi;
	char why[XO_ERR_MSG_MAX] = "";
	int code = 0, rc;

	(void)arg;
	set_phase(r, "check");
	step(r, "recv.check");
	memset(&hi, 0, sizeof(hi));
	rc = E(r)->bops->host_info(E(r)->b, &hi, err);
	if (rc < 0) {
		code = rc;
		snprintf(why, sizeof(why), "%s", err->msg);
	} else if (hi.free_memory < r->cfg->memory_max) {
		code = XENOPS_ENOMEM;
		snprintf(why, sizeof(why), "the VM needs %llu MiB, this host has %llu MiB free",
			 (unsigned long long)(r->cfg->memory_max >> 20),
			 (unsigned long long)(hi.free_memory >> 20));
	} else if (!E(r)->bops->domain_receive) {
		code = XENOPS_ENOTSUP;
		snprintf(why, sizeof(why), "the %s backend cannot receive domains",
			 E(r)->bops->name);
	}
	for (size_t i = 0; i < r->ndevs && !code; i++) {
		const struct xo_dev_config *d = r->devs[i];

		if (d->kind == XENOPS_KIND_VBD && check_disk(d, why, sizeof(why)) < 0)
			code = XENOPS_ENOTFOUND;
		else if (d->kind == XENOPS_KIND_VIF && check_bridge(r, d, why, sizeof(why)) < 0)
			code = XENOPS_ENOTFOUND;
		else if (d->kind == XENOPS_KIND_PCI) {
			code = XENOPS_ENOTSUP;
			snprintf(why, sizeof(why), "pci %s: VMs with PCI devices cannot migrate",
				 d->id);
		}
	}
	if (code) {
		struct xo_error ignored = { 0 };

		send_msg(r, XO_MIG_REFUSED, code, why, false, ABORT_IDLE_MS, &ignored);
		r->mig_commit_sent = true; /* told the sender already: no abort message */
		return xo_err(err, code, "refused the incoming VM: %s", why);
	}
	rc = send_msg(r, XO_MIG_READY, 0, NULL, true, MSG_IDLE_MS, err);
	if (rc == 0)
		step(r, "recv.ready_sent");
	return rc;
}

static int a_recv_memory(struct xo_run *r, int arg, struct xo_error *err)
{
	int domid = -1, paused = XENOPS_POWER_PAUSED, rc;

	(void)arg;
	set_phase(r, "memory");
	step(r, "recv.memory");
	xo_engine_lock(E(r));
	r->t->mig->last_ms = xo_now_ms();
	xo_engine_unlock(E(r));
	rc = E(r)->bops->domain_receive(E(r)->b, &r->env, r->cfg, r->t->fd, &domid, err);
	if (rc < 0)
		return rc;
	r->mig_domid = domid;
	r->created = true;
	xo_run_commit(r, apply_new_domain, &paused);
	step(r, "recv.memory_done");
	return 0;
}

static int a_recv_prepared(struct xo_run *r, int arg, struct xo_error *err)
{
	int rc;

	(void)arg;
	set_phase(r, "prepare");
	step(r, "recv.prepare");
	rc = send_msg(r, XO_MIG_PREPARED, 0, NULL, true, MSG_IDLE_MS, err);
	if (rc < 0)
		return rc;
	step(r, "recv.prepared_sent");
	return expect_msg(r, XO_MIG_COMMIT, PREPARE_IDLE_MS, true, err);
}

/* Ownership moves here; then the guest runs. No cancel point inside. */
static int a_recv_commit(struct xo_run *r, int arg, struct xo_error *err)
{
	struct xo_error ignored = { 0 };
	int running = XENOPS_POWER_RUNNING, rc;

	(void)arg;
	set_phase(r, "commit");
	step(r, "recv.commit");
	rc = write_phase(r, "committed", err);
	if (rc < 0)
		return rc;
	r->mig_committed = true;
	r->created = false;
	step(r, "recv.commit_recorded");
	if (send_msg(r, XO_MIG_COMMITTED, 0, NULL, false, MSG_IDLE_MS, &ignored) < 0)
		xo_log(&E(r)->log, XENOPS_LOG_WARNING,
		       "vm %s: committed, but the sender was not told (%s): it halts its copy",
		       r->vm->id, ignored.msg);
	step(r, "recv.committed_sent");
	if (!r->mig_paused) {
		rc = E(r)->bops->domain_unpause(E(r)->b, &r->env, r->domid, err);
		if (rc < 0)
			return rc;
		xo_run_commit(r, apply_power, &running);
	}
	step(r, "recv.unpaused");
	set_phase(r, "done");
	return 0;
}

/* ---- local migration: both sides here, over a socket pair ---- */

struct local_recv {
	struct xo_run *r;
	struct xo_env env;
	int fd, domid, rc;
	struct xo_error err;
};

static void *local_recv_main(void *arg)
{
	struct local_recv *lr = arg;
	struct xo_engine *e = lr->r->e;

	lr->rc = e->bops->domain_receive(e->b, &lr->env, lr->r->cfg, lr->fd, &lr->domid, &lr->err);
	if (lr->rc < 0)
		shutdown(lr->fd, SHUT_RDWR); /* the sender stops at once */
	return NULL;
}

static int a_local_stream(struct xo_run *r, int arg, struct xo_error *err)
{
	struct local_recv lr = { .r = r, .domid = -1 };
	struct xo_error ignored = { 0 };
	pthread_t th;
	int sv[2], rc;

	(void)arg;
	if (!E(r)->bops->domain_send || !E(r)->bops->domain_receive)
		return xo_err(err, XENOPS_ENOTSUP, "the %s backend cannot migrate domains",
			      E(r)->bops->name);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return xo_err_errno(err, errno, "socketpair for a local migration");
	set_phase(r, "memory");
	step(r, "local.memory");
	lr.env = r->env;
	lr.env.stream_progress = NULL; /* the sending side reports */
	lr.fd = sv[1];
	r->t->fd = sv[0];
	if (pthread_create(&th, NULL, local_recv_main, &lr) != 0) {
		close(sv[0]);
		close(sv[1]);
		r->t->fd = -1;
		return xo_err(err, XENOPS_ENOMEM, "cannot start the receiving thread");
	}
	xo_engine_lock(E(r));
	r->t->mig->last_ms = xo_now_ms();
	xo_engine_unlock(E(r));
	r->mig_send_tried = true; /* from here a failure may leave it suspended */
	rc = E(r)->bops->domain_send(E(r)->b, &r->env, r->domid, r->cfg, sv[0], r->mig_live, err);
	if (rc == 0)
		r->mig_sent = true;
	else
		shutdown(sv[0], SHUT_RDWR);
	pthread_join(th, NULL);
	r->t->fd = -1;
	close(sv[0]);
	close(sv[1]);
	if (lr.rc == 0) {
		r->mig_domid = lr.domid; /* destroyed by abort until the commit */
		r->mig_src_domid = r->domid;
	}
	if (rc < 0)
		return rc;
	if (lr.rc < 0) {
		*err = lr.err;
		return lr.rc;
	}
	(void)ignored;
	step(r, "local.memory_done");
	/* The devices' atoms act on the new domain. */
	r->domid = r->mig_domid;
	return 0;
}

static int a_local_commit(struct xo_run *r, int arg, struct xo_error *err)
{
	int paused = XENOPS_POWER_PAUSED, running = XENOPS_POWER_RUNNING, rc;

	(void)arg;
	set_phase(r, "commit");
	step(r, "local.commit");
	/* The runtime record naming the new domain is the commit. */
	xo_run_commit(r, apply_new_domain, &paused);
	r->mig_committed = true;
	step(r, "local.committed");
	rc = E(r)->bops->domain_destroy(E(r)->b, &r->env, r->mig_src_domid, err);
	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		xo_log(&E(r)->log, XENOPS_LOG_ERROR, "vm %s: destroying the old domain %d failed: %s",
		       r->vm->id, r->mig_src_domid, err->msg);
	xo_error_clear(err);
	step(r, "local.old_destroyed");
	if (!r->mig_paused) {
		rc = E(r)->bops->domain_unpause(E(r)->b, &r->env, r->domid, err);
		if (rc < 0)
			return rc;
		xo_run_commit(r, apply_power, &running);
	}
	set_phase(r, "done");
	return 0;
}

/* ---- plans ---- */

static int snapshot_devs_locked(struct xo_run *r, bool plugged_only, struct xo_error *err)
{
	struct xo_vm *vm = r->vm;

	r->devs = calloc(vm->ndevs ? vm->ndevs : 1, sizeof(*r->devs));
	if (!r->devs)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	for (size_t i = 0; i < vm->ndevs; i++) {
		if (vm->devs[i]->cfg->kind == XENOPS_KIND_PCI)
			return xo_err(err, XENOPS_ENOTSUP,
				      "VM \"%s\" has PCI device %s: VMs with PCI devices cannot migrate",
				      vm->id, vm->devs[i]->cfg->id);
		if (plugged_only && !vm->devs[i]->st.plugged)
			continue;
		r->devs[r->ndevs] = xo_dev_config_dup(vm->devs[i]->cfg, err);
		if (!r->devs[r->ndevs])
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		r->ndevs++;
	}
	return 0;
}

static int plan_plugs(struct xo_run *r, struct xo_error *err)
{
	char name[XO_ATOM_NAME_MAX];
	int rc = 0;

	for (size_t i = 0; i < r->ndevs && rc == 0; i++) {
		snprintf(name, sizeof(name), "plug_%s:%s", xo_kind_name(r->devs[i]->kind),
			 r->devs[i]->id);
		rc = xo_run_add_atom(r, name, W_DEVICE, xo_atom_plug, (int)i, err);
	}
	return rc;
}

int xo_migrate_plan_locked(struct xo_run *r, struct xo_error *err)
{
	struct xo_vm *vm = r->vm;
	struct xo_task *t = r->t;
	int rc;

	r->mig_domid = -1;
	r->mig_src_domid = -1;
	r->mig_live = (t->flags & XENOPS_MIGRATE_LIVE) != 0;
	if (t->op == XO_OP_VM_MIGRATE_RECEIVE) {
		r->mig_paused = (t->flags & XENOPS_START_PAUSED) != 0;
		if (vm->st.power != XENOPS_POWER_HALTED || vm->st.domid >= 0)
			return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" is %s: cannot receive it",
				      vm->id, xo_power_state_name(vm->st.power));
		rc = snapshot_devs_locked(r, false, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_check", W_FAST, a_recv_check, 0, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_receive_memory", W_STREAM, a_recv_memory, 0,
					     err);
		if (rc == 0)
			rc = plan_plugs(r, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_prepared", W_FAST, a_recv_prepared, 0, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_commit", W_FAST, a_recv_commit, 0, err);
		return rc;
	}
	if (vm->st.power != XENOPS_POWER_RUNNING && vm->st.power != XENOPS_POWER_PAUSED)
		return xo_err(err, XENOPS_EBADSTATE, "VM \"%s\" is %s: only a running or paused VM migrates",
			      vm->id, xo_power_state_name(vm->st.power));
	r->mig_paused = vm->st.power == XENOPS_POWER_PAUSED;
	if (r->mig_paused)
		t->flags |= XENOPS_START_PAUSED; /* recorded in the intent for recovery */
	if (t->op == XO_OP_VM_MIGRATE_LOCAL) {
		rc = snapshot_devs_locked(r, true, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_memory", W_STREAM, a_local_stream, 0, err);
		if (rc == 0)
			rc = plan_plugs(r, err);
		if (rc == 0)
			rc = xo_run_add_atom(r, "migrate_commit", W_FAST, a_local_commit, 0, err);
		return rc;
	}
	rc = snapshot_devs_locked(r, true, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_header", W_FAST, a_send_header, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_check", W_FAST, a_send_check, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_send_memory", W_STREAM, a_send_memory, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_prepared", W_FAST, a_send_prepared, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_commit", W_FAST, a_send_commit, 0, err);
	if (rc == 0)
		rc = xo_run_add_atom(r, "migrate_finish", W_FAST, a_send_finish, 0, err);
	return rc;
}

void xo_migrate_complete_locked(struct xo_run *r)
{
	if (r->t->op == XO_OP_VM_MIGRATE_SEND)
		return;
	r->vm->st.start_time = r->vm->st.start_time ? r->vm->st.start_time : xo_wall_time();
	if (r->t->op == XO_OP_VM_MIGRATE_RECEIVE)
		r->vm->st.start_time = xo_wall_time();
	r->vm->st.last_shutdown_reason[0] = '\0';
	xo_unode_touch_locked(E(r), r->vm->un);
	xo_persist_runtime_locked(E(r), r->vm);
	r->t->result_domid = r->domid;
}

/* ---- failure and cancellation ---- */

static void resume_source(struct xo_run *r, int domid)
{
	struct xo_error err = { 0 }, ignored = { 0 };
	int power = r->mig_paused ? XENOPS_POWER_PAUSED : XENOPS_POWER_RUNNING;

	struct xo_domain_info info;
	int rc;

	if (!r->mig_sent && !r->mig_send_tried)
		return; /* never suspended: it runs on */
	/*
	 * A domain_send that failed leaves the guest either running (it
	 * failed before the suspend) or shut down for suspend: the backend
	 * does not resume it. domain_resume tells the two apart with
	 * XENOPS_EBADSTATE, which is fine when the guest still runs.
	 */
	rc = E(r)->bops->domain_resume(E(r)->b, &r->env, domid, &err);
	if (rc == XENOPS_EBADSTATE &&
	    E(r)->bops->domain_info(E(r)->b, domid, &info, &ignored) == 0 &&
	    (info.status == XO_DOM_RUNNING || info.status == XO_DOM_PAUSED)) {
		xo_error_clear(&err);
		rc = 0;
	}
	if (rc < 0) {
		xo_log(&E(r)->log, XENOPS_LOG_ERROR,
		       "vm %s: resuming the guest after a failed migration failed: %s", r->vm->id,
		       err.msg);
		return;
	}
	if (r->mig_paused && E(r)->bops->domain_pause(E(r)->b, &r->env, domid, &err) < 0)
		power = XENOPS_POWER_RUNNING;
	xo_log(&E(r)->log, XENOPS_LOG_WARNING, "vm %s: migration failed; the guest runs on here",
	       r->vm->id);
	xo_run_commit(r, apply_power, &power);
}

static void destroy_quiet(struct xo_run *r, int domid)
{
	struct xo_error err = { 0 };
	int rc = E(r)->bops->domain_destroy(E(r)->b, &r->env, domid, &err);

	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		xo_log(&E(r)->log, XENOPS_LOG_ERROR, "vm %s: destroying domain %d failed: %s",
		       r->vm->id, domid, err.msg);
}

void xo_migrate_abort(struct xo_run *r, int code)
{
	struct xo_error ignored = { 0 };
	int running = XENOPS_POWER_RUNNING;

	switch (r->t->op) {
	case XO_OP_VM_MIGRATE_SEND:
		if (r->mig_committed) {
			/* The destination owns it: finish here whatever failed. */
			destroy_quiet(r, r->domid);
			xo_run_commit(r, apply_gone, "migrated");
			return;
		}
		if (r->mig_commit_sent) {
			/* In doubt: never two copies, so this one halts. */
			destroy_quiet(r, r->domid);
			xo_log(&E(r)->log, XENOPS_LOG_ERROR,
			       "vm %s: migration in doubt after the commit; the VM is halted here and may run on the destination",
			       r->vm->id);
			xo_run_commit(r, apply_gone, "migration-doubt");
			return;
		}
		send_msg(r, XO_MIG_ABORT, code, xenops_strerror(code), false, ABORT_IDLE_MS,
			 &ignored);
		/*
		 * The receiver may be inside the memory stream, where an abort
		 * message reads as stream data: the end of the stream tells it
		 * at once (it would otherwise wait for its idle limit).
		 */
		shutdown(r->t->fd, SHUT_WR);
		resume_source(r, r->domid);
		return;
	case XO_OP_VM_MIGRATE_RECEIVE:
		if (r->mig_committed) {
			/* Ours now: the guest must run here. */
			if (!r->mig_paused &&
			    E(r)->bops->domain_unpause(E(r)->b, &r->env, r->domid, &ignored) == 0)
				xo_run_commit(r, apply_power, &running);
			return;
		}
		if (!r->mig_commit_sent)
			send_msg(r, XO_MIG_ABORT, code, xenops_strerror(code), false, ABORT_IDLE_MS,
				 &ignored);
		if (r->mig_domid >= 0)
			destroy_quiet(r, r->mig_domid);
		xo_run_commit(r, apply_gone, "");
		return; /* the worker removes the VM */
	case XO_OP_VM_MIGRATE_LOCAL:
		if (r->mig_committed) {
			destroy_quiet(r, r->mig_src_domid);
			if (!r->mig_paused &&
			    E(r)->bops->domain_unpause(E(r)->b, &r->env, r->domid, &ignored) == 0)
				xo_run_commit(r, apply_power, &running);
			return;
		}
		if (r->mig_domid >= 0)
			destroy_quiet(r, r->mig_domid);
		r->domid = r->mig_src_domid >= 0 ? r->mig_src_domid : r->vm->st.domid;
		/* Devices the new domain had are the old one's still. */
		resume_source(r, r->domid);
		return;
	default:
		return;
	}
}

/* ---- recovery ---- */

static const char *intent_phase(const struct json_object *intent)
{
	struct json_object *v;

	if (intent && json_object_object_get_ex(intent, "migration_phase", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

static unsigned int intent_flags(const struct json_object *intent)
{
	struct json_object *v;

	if (intent && json_object_object_get_ex(intent, "flags", &v) &&
	    json_object_is_type(v, json_type_int))
		return (unsigned int)json_object_get_int64(v);
	return 0;
}

static void rec_destroy(struct xo_engine *e, struct xo_vm *vm, int domid, struct xo_env *env)
{
	struct xo_error err = { 0 };
	int rc = e->bops->domain_destroy(e->b, env, domid, &err);

	if (rc < 0 && rc != XENOPS_ENOTFOUND)
		xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: destroying domain %d failed: %s",
		       vm->id, domid, err.msg);
}

int xo_migrate_recover(struct xo_engine *e, struct xo_vm *vm, int op,
		       const struct json_object *intent, const struct xo_domain_info *mine,
		       struct xo_env *env)
{
	const char *phase = intent_phase(intent);
	bool paused = (intent_flags(intent) & XENOPS_START_PAUSED) != 0;
	struct xo_error err = { 0 };

	if (op == XO_OP_VM_MIGRATE_RECEIVE) {
		if (strcmp(phase, "committed") != 0) {
			/* Never ours: the sender still owns the VM. */
			if (mine)
				rec_destroy(e, vm, mine->domid, env);
			xo_log(&e->log, XENOPS_LOG_WARNING,
			       "recovery: vm %s: incoming migration cut short before the commit: removed",
			       vm->id);
			return XO_MIG_REC_REMOVE;
		}
		if (!mine)
			return XO_MIG_REC_HALT;
		if (mine->status == XO_DOM_PAUSED && !paused &&
		    e->bops->domain_unpause(e->b, env, mine->domid, &err) < 0)
			xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: unpause failed: %s",
			       vm->id, err.msg);
		xo_log(&e->log, XENOPS_LOG_WARNING,
		       "recovery: vm %s: incoming migration was committed: the VM runs here", vm->id);
		return XO_MIG_REC_KEEP;
	}
	if (op == XO_OP_VM_MIGRATE_SEND && (!strcmp(phase, "commit") || !strcmp(phase, "done"))) {
		bool done = !strcmp(phase, "done");

		if (mine)
			rec_destroy(e, vm, mine->domid, env);
		snprintf(vm->st.last_shutdown_reason, sizeof(vm->st.last_shutdown_reason), "%s",
			 done ? "migrated" : "migration-doubt");
		xo_log(&e->log, done ? XENOPS_LOG_INFO : XENOPS_LOG_ERROR,
		       "recovery: vm %s: %s; halted here", vm->id,
		       done ? "migrated away" : "migration in doubt after the commit");
		return XO_MIG_REC_HALT;
	}
	/* Before the commit (send), or local: the recorded domain is the VM's. */
	if (!mine)
		return XO_MIG_REC_HALT;
	if (mine->status == XO_DOM_SHUTDOWN && mine->shutdown_reason == XO_SHUTDOWN_SUSPEND) {
		if (e->bops->domain_resume(e->b, env, mine->domid, &err) < 0) {
			xo_log(&e->log, XENOPS_LOG_ERROR, "recovery: vm %s: resume failed: %s", vm->id,
			       err.msg);
			rec_destroy(e, vm, mine->domid, env);
			return XO_MIG_REC_HALT;
		}
		if (paused)
			e->bops->domain_pause(e->b, env, mine->domid, &err);
	} else if (op == XO_OP_VM_MIGRATE_LOCAL && mine->status == XO_DOM_PAUSED && !paused) {
		e->bops->domain_unpause(e->b, env, mine->domid, &err);
	}
	xo_log(&e->log, XENOPS_LOG_WARNING,
	       "recovery: vm %s: migration cut short before the commit: the VM runs on here",
	       vm->id);
	return XO_MIG_REC_KEEP;
}

/* ---- arrival: the header, before the receiving task exists ---- */

static void refuse(int fd, int code, const char *why)
{
	struct xo_mig_msg m = { .kind = XO_MIG_REFUSED, .code = code };
	struct xo_error ignored = { 0 };
	char *buf = NULL;
	size_t len = 0;

	snprintf(m.message, sizeof(m.message), "%s", why);
	if (xo_mig_msg_encode(&m, &buf, &len, &ignored) == 0)
		xo_fd_write_all(fd, buf, len, ABORT_IDLE_MS, NULL, NULL, &ignored);
	free(buf);
}

static int read_header(int fd, struct json_object **vm_out, int *live, int *paused,
		       struct xo_error *err)
{
	uint8_t prefix[XO_MIG_PREFIX_LEN];
	uint32_t len = 0;
	char *body;
	int rc = xo_fd_read_all(fd, prefix, sizeof(prefix), HEADER_IDLE_MS, NULL, NULL, err);

	if (rc == 0)
		rc = xo_mig_prefix_parse(prefix, sizeof(prefix), &len, err);
	if (rc < 0)
		return rc;
	body = malloc(len);
	if (!body)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	rc = xo_fd_read_all(fd, body, len, HEADER_IDLE_MS, NULL, NULL, err);
	if (rc == 0)
		rc = xo_mig_header_parse(body, len, vm_out, live, paused, err);
	free(body);
	return rc;
}

/* An old copy of a VM that left this host earlier gives way to its return. */
static int make_room_locked(struct xo_engine *e, const char *id, struct xo_error *err)
{
	struct xo_vm *vm = xo_vm_find(e, id);

	if (!vm)
		return 0;
	if (vm->st.power != XENOPS_POWER_HALTED || strcmp(vm->st.last_shutdown_reason, "migrated") ||
	    !xo_vm_drop_locked(e, vm))
		return xo_err(err, XENOPS_EEXIST, "a VM \"%s\" is already defined on the destination",
			      id);
	return 0;
}

int xo_engine_migrate_arrive(struct xo_engine *e, int fd, char **vm_out, unsigned int *flags_out,
			     struct xo_error *err)
{
	struct json_object *vm = NULL, *in = NULL;
	struct xo_intent intent = { .op = XO_OP_VM_MIGRATE_RECEIVE, .task = "" };
	int live = 0, paused = 0, rc = read_header(fd, &vm, &live, &paused, err);
	const char *text;
	char *id = NULL;

	if (rc < 0) {
		refuse(fd, rc, err->msg);
		return rc;
	}
	xo_engine_lock(e);
	rc = make_room_locked(e, json_object_get_string(json_object_object_get(vm, "id")), err);
	xo_engine_unlock(e);
	text = json_object_to_json_string_ext(vm, JSON_C_TO_STRING_PLAIN);
	if (rc == 0)
		rc = xo_engine_vm_add(e, text, &id, err);
	json_object_put(vm);
	if (rc < 0) {
		refuse(fd, rc, err->msg);
		return rc;
	}
	/* Recorded at once: a crash from here on removes the VM at restart. */
	intent.started = xo_wall_time();
	intent.flags = paused ? XENOPS_START_PAUSED : 0;
	in = xo_intent_to_json(&intent, err);
	rc = in ? 0 : err->code;
	if (rc == 0) {
		xo_engine_lock(e);
		rc = e->sops->put_intent(e->s, id, in, err);
		xo_engine_unlock(e);
	}
	json_object_put(in);
	if (rc < 0) {
		xo_engine_migrate_arrival_failed(e, id, fd, err);
		free(id);
		return rc;
	}
	*vm_out = id;
	*flags_out = (live ? XENOPS_MIGRATE_LIVE : 0) | (paused ? XENOPS_START_PAUSED : 0);
	return 0;
}

void xo_engine_migrate_arrival_failed(struct xo_engine *e, const char *id, int fd,
				      const struct xo_error *why)
{
	struct xo_vm *vm;

	refuse(fd, why->code < 0 ? why->code : XENOPS_EINTERNAL, why->msg);
	xo_engine_lock(e);
	vm = xo_vm_find(e, id);
	if (vm && !vm->running && !vm->q_head)
		xo_vm_drop_locked(e, vm);
	xo_engine_unlock(e);
}
