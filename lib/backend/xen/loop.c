/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loop devices for file-backed disks: attach an image to a free loop
 * device, auto-clearing, so that the kernel frees it once its last user
 * (blkback) closes it and neither an unplug nor a crash can leak it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/loop.h>

#include "backend/xen/xen_priv.h"

#define XO_LOOP_TRIES 8

static int loop_configure(int loop_fd, int file_fd, const char *path, bool ro)
{
	struct loop_config lc;

	memset(&lc, 0, sizeof(lc));
	lc.fd = (unsigned int)file_fd;
	lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", path);
	if (ioctl(loop_fd, LOOP_CONFIGURE, &lc) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	/* Kernels before 5.8: the two-step way. */
	if (ioctl(loop_fd, LOOP_SET_FD, file_fd) < 0)
		return -1;
	if (ioctl(loop_fd, LOOP_SET_STATUS64, &lc.info) < 0) {
		int saved = errno;

		ioctl(loop_fd, LOOP_CLR_FD, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

int xo_xen_loop_attach(const char *path, bool ro, char dev[32], int *loop_fd, struct xo_error *err)
{
	int ctl, file_fd, rc = XENOPS_EBACKEND;

	file_fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (file_fd < 0)
		return xo_err(err, errno == ENOENT ? XENOPS_ENOTFOUND : XENOPS_EIO,
			      "xen backend: cannot open disk image %s: %s", path, strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		rc = xo_err(err, XENOPS_EBACKEND, "xen backend: /dev/loop-control: %s", strerror(errno));
		goto out;
	}
	/* Another process may take the free device first: try again. */
	for (int i = 0; i < XO_LOOP_TRIES; i++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		int fd;

		if (n < 0)
			break;
		snprintf(dev, 32, "/dev/loop%d", n);
		fd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0)
			break;
		if (loop_configure(fd, file_fd, path, ro) == 0) {
			*loop_fd = fd;
			rc = 0;
			goto out;
		}
		close(fd);
		if (errno != EBUSY)
			break;
	}
	rc = xo_err(err, XENOPS_EBACKEND, "xen backend: cannot attach %s to a loop device: %s", path,
		    strerror(errno));
out:
	if (ctl >= 0)
		close(ctl);
	close(file_fd);
	return rc;
}
