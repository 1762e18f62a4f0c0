/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Xenstore helpers of the xen backend: transactions retried while the
 * commit fails with EAGAIN, writes and directories with permissions,
 * removal that tolerates absence, reads (also at a formatted path), and
 * the backend's permission sets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xen/xen_priv.h"

/* Far above what contention on one host produces; stops a livelock. */
#define XO_XS_TXN_TRIES 64

int xo_xs_transaction(struct xo_backend *b, const char *what, xo_xs_txn_fn fn, void *arg,
		      struct xo_error *err)
{
	for (int i = 0; i < XO_XS_TXN_TRIES; i++) {
		xs_transaction_t t = xs_transaction_start(b->xsh);
		int rc;

		if (t == XBT_NULL)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: %s: xs_transaction_start: %s",
				      what, strerror(errno));
		rc = fn(b, t, arg, err);
		if (rc < 0) {
			int saved = errno;

			xs_transaction_end(b->xsh, t, true);
			/* oxenstored may report a conflict on an operation, not only at commit. */
			if (saved == EAGAIN)
				continue;
			return rc;
		}
		if (xs_transaction_end(b->xsh, t, false))
			return 0;
		if (errno != EAGAIN)
			return xo_err(err, XENOPS_EBACKEND,
				      "xen backend: %s: xs_transaction_end: %s", what,
				      strerror(errno));
	}
	return xo_err(err, XENOPS_EBACKEND,
		      "xen backend: %s: xenstore transaction kept conflicting",
		      what);
}

int xo_xs_write_perms(struct xo_backend *b, xs_transaction_t t, const char *path,
		      const char *value, struct xs_permissions *perms, unsigned int n_perms,
		      struct xo_error *err)
{
	if (!xs_write(b->xsh, t, path, value, strlen(value)))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xenstore write %s: %s", path,
			      strerror(errno));
	if (perms && !xs_set_permissions(b->xsh, t, path, perms, n_perms))
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: xenstore set permissions of %s: %s", path,
			      strerror(errno));
	return 0;
}

int xo_xs_mkdir_perms(struct xo_backend *b, xs_transaction_t t, const char *path,
		      struct xs_permissions *perms, unsigned int n_perms, struct xo_error *err)
{
	if (!xs_mkdir(b->xsh, t, path))
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xenstore mkdir %s: %s", path,
			      strerror(errno));
	if (perms && !xs_set_permissions(b->xsh, t, path, perms, n_perms))
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: xenstore set permissions of %s: %s", path,
			      strerror(errno));
	return 0;
}

int xo_xs_rm(struct xo_backend *b, xs_transaction_t t, const char *path, struct xo_error *err)
{
	if (!xs_rm(b->xsh, t, path) && errno != ENOENT)
		return xo_err(err, XENOPS_EBACKEND, "xen backend: xenstore rm %s: %s", path,
			      strerror(errno));
	return 0;
}

char *xo_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned int len;

	/* xs_read NUL-terminates what it returns. */
	return xs_read(h, t, path, &len);
}

char *xo_xs_readf(struct xs_handle *h, xs_transaction_t t, const char *fmt, ...)
{
	char path[XO_XS_PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return xo_xs_read(h, t, path);
}

void xo_xs_perms_ro(struct xs_permissions p[2], int domid)
{
	p[0].id = 0;
	p[0].perms = XS_PERM_NONE;
	p[1].id = (unsigned int)domid;
	p[1].perms = XS_PERM_READ;
}

void xo_xs_perms_rw(struct xs_permissions p[1], int domid)
{
	p[0].id = (unsigned int)domid;
	p[0].perms = XS_PERM_NONE;
}
