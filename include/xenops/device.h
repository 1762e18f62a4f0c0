/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: device definitions (VBD disks and CD drives, VIF network
 * interfaces, PCI passthrough) and their hot-plug operations.
 * Devices are addressed by (VM id, device id). JSON schemas: docs/schema.md.
 */
#ifndef XENOPS_DEVICE_H
#define XENOPS_DEVICE_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Definitions (synchronous, no backend work), the same for the three kinds:
 *  - _add: define a device of a VM from JSON (copied); *id_out (may be NULL)
 *    receives its id (free with xenops_free). Adding to a running VM only
 *    defines the device; plug it to hot-plug it. Errors: XENOPS_EINVAL (the
 *    message names the bad field), XENOPS_ENOTFOUND (VM), XENOPS_EEXIST (id,
 *    or device name / index / address, already used in the VM), XENOPS_EIO.
 *  - _remove: remove an unplugged device. XENOPS_EBUSY if plugged.
 *  - _list: ids of the VM's devices of that kind, sorted, NULL-terminated,
 *    free with xenops_strv_free; *n_out (may be NULL) the count.
 *  - _get_config: the device's configuration as JSON (xenops_free).
 *  - _stat: {"config": ..., "state": ...} as JSON (xenops_free). VBD state:
 *    plugged, active, backend_state, media_present; VIF state: plugged,
 *    carrier, host_ifname; PCI state: plugged.
 * Operations follow the rules written in vm.h: they are tasks, queued on
 * the VM's queue, and accept XENOPS_WAIT. Any thread. @since 0.1
 */

XENOPS_API int xenops_vbd_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);
XENOPS_API int xenops_vbd_remove(xenops_ctx *ctx, const char *vm, const char *vbd,
				 unsigned int flags);
XENOPS_API int xenops_vbd_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);
XENOPS_API int xenops_vbd_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *vbd);
XENOPS_API int xenops_vbd_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *vbd);
/** Hot-plug a VBD into a running or paused VM. @since 0.1 */
XENOPS_API int xenops_vbd_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *vbd,
			       unsigned int flags);
/**
 * Unplug a plugged VBD: the guest is asked to release it (XENOPS_FORCE:
 * it is torn down without asking). XENOPS_EBADSTATE if not plugged or if
 * the VBD is not unpluggable. @since 0.1
 */
XENOPS_API int xenops_vbd_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vbd, unsigned int flags);
/** Remove the media of a CD drive (kind cdrom). XENOPS_EBADSTATE for a disk. @since 0.1 */
XENOPS_API int xenops_vbd_eject(char **task_out, xenops_ctx *ctx, const char *vm,
				const char *vbd, unsigned int flags);
/**
 * Insert media (@p backend: "file:PATH" or "phy:DEV") into an empty CD
 * drive. XENOPS_EBADSTATE for a disk or a drive that has media. @since 0.1
 */
XENOPS_API int xenops_vbd_insert(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vbd, const char *backend, unsigned int flags);

XENOPS_API int xenops_vif_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);
XENOPS_API int xenops_vif_remove(xenops_ctx *ctx, const char *vm, const char *vif,
				 unsigned int flags);
XENOPS_API int xenops_vif_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);
XENOPS_API int xenops_vif_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *vif);
XENOPS_API int xenops_vif_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *vif);
/** Hot-plug a VIF into a running or paused VM. @since 0.1 */
XENOPS_API int xenops_vif_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *vif,
			       unsigned int flags);
/** Unplug a plugged VIF (XENOPS_FORCE: without the guest). @since 0.1 */
XENOPS_API int xenops_vif_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vif, unsigned int flags);
/**
 * Set the carrier (link up: @p carrier != 0) of a VIF; stored in its
 * configuration and, if plugged, applied to the device. @since 0.1
 */
XENOPS_API int xenops_vif_set_carrier(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *vif, int carrier, unsigned int flags);

XENOPS_API int xenops_pci_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);
XENOPS_API int xenops_pci_remove(xenops_ctx *ctx, const char *vm, const char *pci,
				 unsigned int flags);
XENOPS_API int xenops_pci_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);
XENOPS_API int xenops_pci_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *pci);
XENOPS_API int xenops_pci_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *pci);
/** Assign a PCI device to a running or paused VM. @since 0.1 */
XENOPS_API int xenops_pci_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *pci,
			       unsigned int flags);
/** Take a PCI device back from the VM. @since 0.1 */
XENOPS_API int xenops_pci_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *pci, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_DEVICE_H */
