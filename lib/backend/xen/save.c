/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Suspend to a file and resume on Xen. The file is a header of our own
 * (magic, version, the VM configuration as JSON) followed by libxenguest's
 * migration stream: resume checks that the image belongs to the VM and
 * builds the new domain with the memory and vCPUs the image was made with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

#define XO_SAVE_MAGIC "XENOPS-XEN-SAVE"  /* 15 characters + NUL: 16 bytes */
#define XO_SAVE_VERSION 1u
#define XO_SAVE_CONFIG_MAX (1u << 20)
#define XO_SAVE_SUSPEND_MS 60000u

struct save_header {
	char magic[16];
	uint32_t version;
	uint32_t config_len;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* short file */
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- save ---- */

static int write_header(int fd, const struct xo_vm_config *cfg, const char *path,
			struct xo_error *err)
{
	struct json_object *obj = xo_vm_config_to_json(cfg, err);
	char *json = obj ? xo_json_dumps(obj) : NULL;
	struct save_header h = { .magic = XO_SAVE_MAGIC, .version = XO_SAVE_VERSION };
	int rc = 0;

	json_object_put(obj);
	if (!json)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	h.config_len = (uint32_t)strlen(json);
	if (write_all(fd, &h, sizeof(h)) < 0 || write_all(fd, json, h.config_len) < 0)
		rc = xo_err(err, XENOPS_EIO, "xen backend: write %s: %s", path, strerror(errno));
	free(json);
	return rc;
}

struct save_ctx {
	struct xo_backend *b;
	struct xo_env *env;
	int domid;
	int rc;
	struct xo_error *err; /* the save's error: libxc's callback has no room for it */
};

/*
 * libxc asks for the domain to be suspended: usually it already is (the
 * engine asked the guest first); otherwise ask now. 1 means done.
 */
static int save_suspend(void *data)
{
	struct save_ctx *s = data;
	struct xo_error *err = s->err;
	xc_domaininfo_t info;
	int reason = XO_SHUTDOWN_NONE;

	s->rc = xo_xen_getinfo_one(s->b, s->domid, &info, err);
	if (s->rc < 0)
		return 0;
	if ((info.flags & XEN_DOMINF_shutdown) &&
	    ((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) == SHUTDOWN_suspend)
		return 1;
	s->rc = xo_xen_domain_request_shutdown(s->b, s->env, s->domid, XO_SHUTDOWN_SUSPEND, err);
	if (s->rc == 0)
		s->rc = xo_xen_domain_wait_ack(s->b, s->env, s->domid, XO_SAVE_SUSPEND_MS, err);
	if (s->rc == 0)
		s->rc = xo_xen_domain_wait_shutdown(s->b, s->env, s->domid, XO_SAVE_SUSPEND_MS,
						    &reason, err);
	if (s->rc == 0 && reason != XO_SHUTDOWN_SUSPEND)
		s->rc = xo_err(err, XENOPS_EBADSTATE,
			       "xen backend: domain %d shut down (%s) instead of "
				"suspending", s->domid, xo_shutdown_reason_name(reason));
	return s->rc == 0;
}

int xo_xen_domain_save(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, const char *path, struct xo_error *err)
{
	struct save_ctx s = { .b = b, .env = env, .domid = domid, .err = err };
	struct save_callbacks cb = { .suspend = save_suspend, .data = &s };
	int fd, rc;

	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = env->check(env, err);
	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return xo_err(err, errno == EEXIST ? XENOPS_EEXIST : XENOPS_EIO,
			      "xen backend: cannot create %s: %s", path, strerror(errno));
	rc = write_header(fd, cfg, path, err);
	env->progress(env, 0.05);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc == 0 && xc_domain_save(b->xch, fd, (uint32_t)domid, 0, &cb, XC_STREAM_PLAIN, -1) != 0)
		rc = s.rc < 0 ? s.rc : xo_xen_err(b, "xc_domain_save", err);
	if (rc == 0)
		XO_ENV_CRASH(env); /* the guest is suspended, its image written */
	if (rc == 0 && fsync(fd) < 0)
		rc = xo_err(err, XENOPS_EIO, "xen backend: fsync %s: %s", path, strerror(errno));
	close(fd);
	if (rc < 0) {
		unlink(path);
		return rc;
	}
	env->progress(env, 1.0);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: saved domain %d to %s", domid, path);
	return 0;
}

/* ---- a suspend that did not complete ---- */

/*
 * The guest shut down for suspend but no image was written: let it run on.
 * The fast (cooperative) way: the guest's suspend hypercall returns as
 * cancelled and it keeps its rings and devices, which Linux and the BSDs
 * support; xenstored is told the domain runs again.
 */
int xo_xen_domain_resume(struct xo_backend *b, struct xo_env *env, int domid,
			 struct xo_error *err)
{
	xc_domaininfo_t info;
	int rc;

	(void)env;
	rc = xo_xen_check_domid(domid, err);
	if (rc == 0)
		rc = xo_xen_getinfo_one(b, domid, &info, err);
	if (rc < 0)
		return rc;
	if (!(info.flags & XEN_DOMINF_shutdown) ||
	    ((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) != SHUTDOWN_suspend)
		return xo_err(err, XENOPS_EBADSTATE,
			      "xen backend: domain %d did not shut down for suspend", domid);
	if (xc_domain_resume(b->xch, (uint32_t)domid, 1) < 0)
		return xo_xen_err(b, "xc_domain_resume", err);
	if (!xs_resume_domain(b->xsh, (unsigned int)domid))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xs_resume_domain %d: %s", domid,
			      strerror(errno));
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: domain %d resumed after a cancelled suspend",
	       domid);
	return 0;
}

/* ---- restore ---- */

/* Read and check our header; *saved_out is the configuration the image was made with. */
static int read_header(int fd, const char *path, const struct xo_vm_config *cfg,
		       struct xo_vm_config **saved_out, struct xo_error *err)
{
	struct json_object *obj = NULL;
	struct save_header h;
	char *json = NULL;
	int rc;

	*saved_out = NULL;
	if (read_all(fd, &h, sizeof(h)) < 0)
		return xo_err(err, XENOPS_EIO, "xen backend: read %s: %s", path, strerror(errno));
	if (memcmp(h.magic, XO_SAVE_MAGIC, sizeof(h.magic)) || h.version != XO_SAVE_VERSION ||
	    h.config_len == 0 || h.config_len > XO_SAVE_CONFIG_MAX)
		return xo_err(err, XENOPS_EINVAL,
			      "xen backend: %s is not a suspend image of this backend",
			      path);
	json = calloc(1, h.config_len + 1);
	if (!json)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	rc = read_all(fd, json, h.config_len) < 0
		     ? xo_err(err, XENOPS_EIO, "xen backend: read %s: %s", path, strerror(errno))
		     : xo_json_loads(&obj, json, "suspend image configuration", err);
	if (rc == 0)
		rc = xo_vm_config_from_json(saved_out, obj, err);
	if (rc == 0 && strcmp((*saved_out)->id, cfg->id))
		rc = xo_err(err, XENOPS_EINVAL, "xen backend: %s is the image of VM %s, not %s",
			    path,
			    (*saved_out)->id, cfg->id);
	if (rc < 0) {
		xo_vm_config_free(*saved_out);
		*saved_out = NULL;
	}
	json_object_put(obj);
	free(json);
	return rc;
}

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

static int restore_stream(struct xo_backend *b, int fd, int domid, struct xo_error *err)
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
			      -1) != 0)
		return xo_xen_err(b, "xc_domain_restore", err);
	return xo_xen_domain_introduce(b, domid, store_port, store_mfn, console_port, console_mfn,
				       err);
}

int xo_xen_domain_restore(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, const char *path, int *domid_out,
			  struct xo_error *err)
{
	struct xo_vm_config *saved = NULL, c;
	int fd, rc, domid = -1;

	*domid_out = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xo_err(err, errno == ENOENT ? XENOPS_ENOTFOUND : XENOPS_EIO,
			      "xen backend: cannot open %s: %s", path, strerror(errno));
	rc = read_header(fd, path, cfg, &saved, err);
	if (rc < 0)
		goto out;
	/* The guest's memory and vCPUs are those it was saved with. */
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
	rc = restore_stream(b, fd, domid, err);
	if (rc == 0)
		XO_ENV_CRASH(env);
	if (rc < 0) {
		struct xo_error undo = { 0 }; /* *err keeps why the restore failed */

		xo_xen_domain_destroy(b, env, domid, &undo);
		goto out;
	}
	env->progress(env, 1.0);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: restored domain %d from %s", domid, path);
	*domid_out = domid;
out:
	xo_vm_config_free(saved);
	close(fd);
	return rc;
}
