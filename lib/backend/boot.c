/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel a backend loads for a VM: see boot.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/boot.h"

static const char *const grub_default[] = {
	[XO_VM_PV] = XO_GRUB_PV_DEFAULT,
	[XO_VM_PVH] = XO_GRUB_PVH_DEFAULT,
};
static const char *const grub_knob[] = {
	[XO_VM_PV] = "boot.grub_pv",
	[XO_VM_PVH] = "boot.grub_pvh",
};

void xo_boot_paths_init(struct xo_boot_paths *p)
{
	pthread_mutex_init(&p->lock, NULL);
	for (size_t i = 0; i < XO_ARRAY_SIZE(grub_default); i++)
		snprintf(p->grub[i], sizeof(p->grub[i]), "%s", grub_default[i]);
}

void xo_boot_paths_destroy(struct xo_boot_paths *p)
{
	pthread_mutex_destroy(&p->lock);
}

int xo_boot_paths_knob(struct xo_boot_paths *p, const char *key, const char *value,
		       struct xo_error *err)
{
	for (size_t i = 0; i < XO_ARRAY_SIZE(grub_knob); i++) {
		if (strcmp(key, grub_knob[i]) != 0)
			continue;
		if (!value || (*value && *value != '/') || strlen(value) >= PATH_MAX)
			return xo_err(err, XENOPS_EINVAL,
				      "knob %s: value must be an absolute path, or \"\" for the "
				      "default %s", key, grub_default[i]);
		pthread_mutex_lock(&p->lock);
		snprintf(p->grub[i], sizeof(p->grub[i]), "%s", *value ? value : grub_default[i]);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	return 1;
}

int xo_boot_kernel(struct xo_boot_paths *p, const struct xo_vm_config *cfg, char out[PATH_MAX],
		   struct xo_error *err)
{
	const char *why = NULL;
	struct stat st;
	int type = cfg->type == XO_VM_PVH ? XO_VM_PVH : XO_VM_PV;

	if (cfg->boot != XO_BOOT_GRUB) {
		if (!cfg->kernel || !*cfg->kernel)
			return xo_err(err, XENOPS_EINVAL,
				      "VM %s: \"boot\": \"direct\" needs a \"kernel\"", cfg->id);
		snprintf(out, PATH_MAX, "%s", cfg->kernel);
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	snprintf(out, PATH_MAX, "%s", p->grub[type]);
	pthread_mutex_unlock(&p->lock);
	if (stat(out, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (access(out, R_OK) < 0)
		why = strerror(errno);
	if (why)
		return xo_err(err, XENOPS_ENOTSUP,
			      "VM %s: \"boot\": \"grub\" needs the GRUB image for %s guests, %s: %s "
			      "(install grub-xen-host, or set the knob %s)",
			      cfg->id, xo_vm_type_name(type), out, why, grub_knob[type]);
	return 0;
}
