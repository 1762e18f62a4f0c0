/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a backend loads as the guest's kernel: the VM's own kernel
 * ("boot": "direct") or the GRUB image built for Xen of the VM's type
 * ("boot": "grub"), whose paths are backend knobs. Shared by every
 * backend so that the sim and xen refuse the same configurations with the
 * same messages, before any domain exists. No Xen headers here.
 */
#ifndef XO_BACKEND_BOOT_H
#define XO_BACKEND_BOOT_H

#include <limits.h>
#include <pthread.h>

#include "model/model.h"

/* Where Debian's grub-xen-host puts the images. */
#define XO_GRUB_PV_DEFAULT "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define XO_GRUB_PVH_DEFAULT "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"

struct xo_boot_paths {
	pthread_mutex_t lock;
	char grub[2][PATH_MAX]; /* by enum xo_vm_type */
};

void xo_boot_paths_init(struct xo_boot_paths *p);
void xo_boot_paths_destroy(struct xo_boot_paths *p);
/*
 * Handle the knobs "boot.grub_pv" and "boot.grub_pvh" (an absolute path;
 * "" restores the default). Returns 1 when @key is not one of them, 0 when
 * set, XENOPS_EINVAL for a bad value.
 */
int xo_boot_paths_knob(struct xo_boot_paths *p, const char *key, const char *value,
		       struct xo_error *err);
/*
 * The file to load as the kernel of @cfg into @out: cfg->kernel for direct
 * boot (XENOPS_EINVAL when there is none), the GRUB image of its type for
 * grub boot, which must be a readable file (XENOPS_ENOTSUP naming the path
 * and the knob otherwise).
 */
int xo_boot_kernel(struct xo_boot_paths *p, const struct xo_vm_config *cfg, char out[PATH_MAX],
		   struct xo_error *err);

#endif /* XO_BACKEND_BOOT_H */
