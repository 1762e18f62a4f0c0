/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-file I/O for state records: the one atomic-write helper, a bounded
 * reader, and the mapping of errno values to library error codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

int xo_err_errno(struct xo_error *err, int errnum, const char *fmt, ...)
{
	char what[384], buf[128];
	int code = XENOPS_EIO;
	va_list ap;

	if (errnum == ENOSPC || errnum == EDQUOT)
		code = XENOPS_ENOSPC;
	else if (errnum == EACCES || errnum == EPERM)
		code = XENOPS_EPERM;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return xo_err(err, code, "%s: %s", what, strerror_r(errnum, buf, sizeof(buf)));
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Without this the rename itself may be lost in a crash. */
static int fsync_dir(const char *dir, struct xo_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return xo_err_errno(err, errno, "cannot open directory %s", dir);
	if (fsync(fd) < 0)
		rc = xo_err_errno(err, errno, "cannot sync directory %s", dir);
	close(fd);
	return rc;
}

int xo_mkdir(const char *what, const char *path, struct xo_error *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return xo_err_errno(err, errno, "%s: cannot create %s", what, path);
}

int xo_write_file_atomic(const char *dir, const char *name, const void *data, size_t len,
			 struct xo_error *err)
{
	char *tmp = xo_asprintf("%s/.%s.XXXXXX", dir, name);
	char *dst = xo_asprintf("%s/%s", dir, name);
	int fd = -1, rc = 0;

	if (!tmp || !dst) {
		rc = xo_err(err, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = xo_err_errno(err, errno, "cannot create a temporary file in %s", dir);
		goto out;
	}
	if (write_all(fd, data, len) < 0)
		rc = xo_err_errno(err, errno, "cannot write %s", tmp);
	else if (fsync(fd) < 0)
		rc = xo_err_errno(err, errno, "cannot sync %s", tmp);
	if (close(fd) < 0 && rc == 0)
		rc = xo_err_errno(err, errno, "cannot write %s", tmp);
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = xo_err_errno(err, errno, "cannot rename %s to %s", tmp, dst);
	if (rc < 0)
		unlink(tmp);
	else
		rc = fsync_dir(dir, err);
out:
	free(tmp);
	free(dst);
	return rc;
}

/* Grow @buf to hold @cap bytes and a NUL. */
static int grow(char **buf, size_t cap, struct xo_error *err)
{
	char *p = realloc(*buf, cap + 1);

	if (!p)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	*buf = p;
	return 0;
}

int xo_read_file(char **out, size_t *len_out, const char *path, size_t max, struct xo_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return xo_err(err, XENOPS_ENOTFOUND, "%s does not exist", path);
		return xo_err_errno(err, errno, "cannot open %s", path);
	}
	/* Room for one byte past @max tells a file of exactly @max from a longer one. */
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > max + 1)
				cap = max + 1;
			rc = grow(&buf, cap, err);
			if (rc < 0)
				goto out;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = xo_err_errno(err, errno, "cannot read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			rc = xo_err(err, XENOPS_EINVAL, "%s is larger than %zu bytes", path, max);
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (len_out)
		*len_out = len;
out:
	free(buf);
	close(fd);
	return rc;
}

int xo_path_check_new(const char *what, const char *path, struct xo_error *err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (lstat(path, &st) == 0)
		return xo_err(err, XENOPS_EEXIST, "%s: %s already exists", what, path);
	if (errno != ENOENT && errno != ENOTDIR)
		return xo_err_errno(err, errno, "%s: %s", what, path);
	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return xo_err(err, XENOPS_EINVAL, "%s: %s has no usable directory", what, path);
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return xo_err(err, XENOPS_ENOTFOUND, "%s: directory %s does not exist", what,
				      dir);
		if (errno == ENOTDIR)
			return xo_err(err, XENOPS_EINVAL, "%s: %s is not a directory", what, dir);
		return xo_err_errno(err, errno, "%s: directory %s", what, dir);
	}
	if (!S_ISDIR(st.st_mode))
		return xo_err(err, XENOPS_EINVAL, "%s: %s is not a directory", what, dir);
	if (access(dir, W_OK | X_OK) < 0)
		return xo_err(err, XENOPS_EPERM, "%s: directory %s is not writable", what, dir);
	return 0;
}

int xo_path_check_readable(const char *what, const char *path, bool block_ok,
			   struct xo_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return xo_err(err, XENOPS_ENOTFOUND, "%s: %s does not exist", what, path);
		return xo_err_errno(err, errno, "%s: %s", what, path);
	}
	if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode)))
		return xo_err(err, XENOPS_EINVAL, "%s: %s is not a %s", what, path,
			      block_ok ? "regular file or block device" : "regular file");
	if (access(path, R_OK) < 0)
		return xo_err(err, XENOPS_EPERM, "%s: %s is not readable", what, path);
	return 0;
}
