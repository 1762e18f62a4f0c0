/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state directory's lock. flock() locks belong to an open file
 * description, so two contexts of one process conflict exactly as two
 * processes do, and the kernel drops the lock when its holder dies: a
 * stale lock file is never a problem. The file itself is never removed
 * (removing it would let a third context lock a new file while the second
 * still waits on the old one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/lock.h"
#include "util/util.h"

struct xo_dir_lock {
	int fd;
};

/* The pid the holder wrote, or 0. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int xo_dir_lock(struct xo_dir_lock **out, const char *dir, struct xo_error *err)
{
	struct xo_dir_lock *l;
	char *path = xo_asprintf("%s/lock", dir);
	char pid[32];
	int fd, n;

	*out = NULL;
	if (!path)
		return xo_err(err, XENOPS_ENOMEM, "state dir lock: out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int rc = xo_err_errno(err, errno, "state dir lock: cannot open %s", path);

		free(path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		long holder = e == EWOULDBLOCK ? holder_pid(fd) : 0;
		int rc;

		if (e != EWOULDBLOCK)
			rc = xo_err_errno(err, e, "state dir lock: cannot lock %s", path);
		else if (holder > 0)
			rc = xo_err(err, XENOPS_EBUSY,
				    "state dir %s is in use by another context "
				    "(process %ld holds %s)",
				    dir, holder, path);
		else
			rc = xo_err(err, XENOPS_EBUSY,
				    "state dir %s is in use by another context (%s is locked)",
				    dir, path);
		close(fd);
		free(path);
		return rc;
	}
	free(path);
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* Only the next one's message loses the pid. */
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		close(fd);
		return xo_err(err, XENOPS_ENOMEM, "state dir lock: out of memory");
	}
	l->fd = fd;
	*out = l;
	return 0;
}

void xo_dir_unlock(struct xo_dir_lock *l)
{
	if (!l)
		return;
	/* Closing the only descriptor of the description drops the lock. */
	close(l->fd);
	free(l);
}
