/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Suspend to a file and resume on Xen. The file holds the domain's stream
 * (migrate.c: a header of our own with the VM configuration, then
 * libxenguest's stream), written and read as a migration sends and
 * receives it: resume checks that the image belongs to the VM and builds
 * the new domain with the type, memory and vCPUs the image was made with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

int xo_xen_domain_save(struct xo_backend *b, struct xo_env *env, int domid,
		       const struct xo_vm_config *cfg, const char *path, struct xo_error *err)
{
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
	env->progress(env, 0.05);
	/* Not live: the guest already suspended itself (or is asked to now). */
	rc = xo_xen_stream_send(b, env, domid, cfg, fd, false, false, path, err);
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
	/* An HVM domain's emulation was stopped for its state to be saved. */
	if (xo_xen_dm_running(b, domid)) {
		rc = xo_xen_dm_cont(b, domid, err);
		if (rc < 0)
			return rc;
	}
	if (!xs_resume_domain(b->xsh, (unsigned int)domid))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xs_resume_domain %d: %s", domid,
			      strerror(errno));
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: domain %d resumed after a cancelled suspend",
	       domid);
	return 0;
}

/* ---- restore ---- */

int xo_xen_domain_restore(struct xo_backend *b, struct xo_env *env,
			  const struct xo_vm_config *cfg, const char *path, int *domid_out,
			  struct xo_error *err)
{
	int fd, rc;

	*domid_out = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xo_err(err, errno == ENOENT ? XENOPS_ENOTFOUND : XENOPS_EIO,
			      "xen backend: cannot open %s: %s", path, strerror(errno));
	rc = xo_xen_stream_receive(b, env, cfg, fd, path, domid_out, err);
	close(fd);
	if (rc == 0)
		xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: restored domain %d from %s",
		       *domid_out, path);
	return rc;
}
