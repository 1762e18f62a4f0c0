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
 * Devices of the three kinds have the same definition calls (synchronous,
 * no backend work: _add, _remove, _list, _get_config, _stat) and plug /
 * unplug operations, which follow the rules written in vm.h: they are
 * tasks, queued on the VM's queue, and accept XENOPS_WAIT.
 */

/**
 * Define a VBD (disk or CD drive) of a VM from a JSON configuration
 * (docs/schema.md). No backend work: adding to a running VM only defines the
 * device; plug it with xenops_vbd_plug() to hot-plug it.
 *
 * @param id_out       receives the new device's id, the caller's (free with
 *                     xenops_free); may be NULL. NULL on failure.
 * @param ctx          the context.
 * @param vm           id of the VM; borrowed for the call.
 * @param config_json  the configuration; copied.
 * @param flags        must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument; for the configuration the
 * message names the bad field), XENOPS_ENOTFOUND (no such VM),
 * XENOPS_EEXIST (id, or device name / index / address, already used in the
 * VM), XENOPS_EIO, XENOPS_ENOSPC (state could not be stored), XENOPS_ENOMEM.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);

/**
 * Remove the definition of an unplugged VBD.
 *
 * @param ctx    the context.
 * @param vm     id of the VM; borrowed for the call.
 * @param vbd    id of the device; borrowed for the call.
 * @param flags  must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_EBUSY (the device is plugged, or has operations
 * queued), XENOPS_EIO. Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_remove(xenops_ctx *ctx, const char *vm, const char *vbd,
				 unsigned int flags);

/**
 * List the ids of a VM's VBDs, sorted.
 *
 * @param ids_out  receives a NULL-terminated array, the caller's (free with
 *                 xenops_strv_free); NULL on failure.
 * @param n_out    receives the number of ids; may be NULL.
 * @param ctx      the context.
 * @param vm       id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);

/**
 * The VBD's configuration as JSON (docs/schema.md).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *vbd);

/**
 * The VBD's configuration and state as JSON {"config": ..., "state": ...};
 * the state holds plugged, active, backend_state, media_present.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *vbd);

/**
 * Hot-plug a VBD into a running or paused VM.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: the VM has no domain, or the
 * device is plugged; XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *vbd,
			       unsigned int flags);

/**
 * Unplug a plugged VBD: the guest is asked to release it.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, XENOPS_FORCE (torn down without asking the
 *                  guest), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: not plugged, or the VBD is not
 * unpluggable; XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vbd, unsigned int flags);

/**
 * Remove the media of a CD drive (kind cdrom).
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: the VBD is a disk, or the
 * drive has no media; XENOPS_EBACKEND) are returned here only with
 * XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_eject(char **task_out, xenops_ctx *ctx, const char *vm,
				const char *vbd, unsigned int flags);

/**
 * Insert media into an empty CD drive.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vbd       id of the device; borrowed for the call.
 * @param backend   the media: "file:PATH" or "phy:DEV"; copied.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: the VBD is a disk, or the
 * drive has media; XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vbd_insert(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vbd, const char *backend, unsigned int flags);

/**
 * Define a VIF (network interface) of a VM from a JSON configuration
 * (docs/schema.md). No backend work: adding to a running VM only defines the
 * device; plug it with xenops_vif_plug() to hot-plug it.
 *
 * @param id_out       receives the new device's id, the caller's (free with
 *                     xenops_free); may be NULL. NULL on failure.
 * @param ctx          the context.
 * @param vm           id of the VM; borrowed for the call.
 * @param config_json  the configuration; copied.
 * @param flags        must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument; for the configuration the
 * message names the bad field), XENOPS_ENOTFOUND (no such VM),
 * XENOPS_EEXIST (id, or device name / index / address, already used in the
 * VM), XENOPS_EIO, XENOPS_ENOSPC (state could not be stored), XENOPS_ENOMEM.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);

/**
 * Remove the definition of an unplugged VIF.
 *
 * @param ctx    the context.
 * @param vm     id of the VM; borrowed for the call.
 * @param vif    id of the device; borrowed for the call.
 * @param flags  must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_EBUSY (the device is plugged, or has operations
 * queued), XENOPS_EIO. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_remove(xenops_ctx *ctx, const char *vm, const char *vif,
				 unsigned int flags);

/**
 * List the ids of a VM's VIFs, sorted.
 *
 * @param ids_out  receives a NULL-terminated array, the caller's (free with
 *                 xenops_strv_free); NULL on failure.
 * @param n_out    receives the number of ids; may be NULL.
 * @param ctx      the context.
 * @param vm       id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);

/**
 * The VIF's configuration as JSON (docs/schema.md).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vif       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *vif);

/**
 * The VIF's configuration and state as JSON {"config": ..., "state": ...};
 * the state holds plugged, carrier, host_ifname.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vif       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *vif);

/**
 * Hot-plug a VIF into a running or paused VM.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vif       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: the VM has no domain, or the
 * device is plugged; XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *vif,
			       unsigned int flags);

/**
 * Unplug a plugged VIF: the guest is asked to release it.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vif       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, XENOPS_FORCE (torn down without asking the
 *                  guest), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: not plugged; XENOPS_EBACKEND)
 * are returned here only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *vif, unsigned int flags);

/**
 * Set the carrier (link state) of a VIF; stored in its configuration and,
 * if plugged, applied to the device.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param vif       id of the device; borrowed for the call.
 * @param carrier   non-zero: link up; 0: link down.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBACKEND) are returned here only with
 * XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_vif_set_carrier(char **task_out, xenops_ctx *ctx, const char *vm,
				      const char *vif, int carrier, unsigned int flags);

/**
 * Define a PCI (PCI device) of a VM from a JSON configuration (docs/schema.md).
 * No backend work: adding to a running VM only defines the device; plug it
 * with xenops_pci_plug() to hot-plug it.
 *
 * @param id_out       receives the new device's id, the caller's (free with
 *                     xenops_free); may be NULL. NULL on failure.
 * @param ctx          the context.
 * @param vm           id of the VM; borrowed for the call.
 * @param config_json  the configuration; copied.
 * @param flags        must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument; for the configuration the
 * message names the bad field), XENOPS_ENOTFOUND (no such VM),
 * XENOPS_EEXIST (id, or device name / index / address, already used in the
 * VM), XENOPS_EIO, XENOPS_ENOSPC (state could not be stored), XENOPS_ENOMEM.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_add(char **id_out, xenops_ctx *ctx, const char *vm,
			      const char *config_json, unsigned int flags);

/**
 * Remove the definition of an unplugged PCI.
 *
 * @param ctx    the context.
 * @param vm     id of the VM; borrowed for the call.
 * @param pci    id of the device; borrowed for the call.
 * @param flags  must be 0.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_EBUSY (the device is plugged, or has operations
 * queued), XENOPS_EIO. Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_remove(xenops_ctx *ctx, const char *vm, const char *pci,
				 unsigned int flags);

/**
 * List the ids of a VM's PCIs, sorted.
 *
 * @param ids_out  receives a NULL-terminated array, the caller's (free with
 *                 xenops_strv_free); NULL on failure.
 * @param n_out    receives the number of ids; may be NULL.
 * @param ctx      the context.
 * @param vm       id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_list(char ***ids_out, size_t *n_out, xenops_ctx *ctx, const char *vm);

/**
 * The PCI's configuration as JSON (docs/schema.md).
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param pci       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_get_config(char **json_out, xenops_ctx *ctx, const char *vm,
				     const char *pci);

/**
 * The PCI's configuration and state as JSON {"config": ..., "state": ...};
 * the state holds plugged.
 *
 * @param json_out  receives the JSON text, the caller's (free with
 *                  xenops_free); NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param pci       id of the device; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND (no such
 * VM or device), XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_stat(char **json_out, xenops_ctx *ctx, const char *vm, const char *pci);

/**
 * Assign a PCI device to a running or paused VM.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param pci       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: the VM has no domain, or the
 * device is plugged; XENOPS_EBACKEND) are returned here only with XENOPS_WAIT.
 * Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_plug(char **task_out, xenops_ctx *ctx, const char *vm, const char *pci,
			       unsigned int flags);

/**
 * Take a PCI device back from the VM.
 * A task queued on the VM's queue (see vm.h).
 *
 * @param task_out  receives the task id, the caller's (free with xenops_free;
 *                  forget the task with xenops_task_destroy); may be NULL: the
 *                  task is then destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param pci       id of the device; borrowed for the call.
 * @param flags     XENOPS_WAIT, XENOPS_FORCE (torn down without asking the
 *                  guest), or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a negative
 * error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM or device), XENOPS_ENOMEM;
 * the task's own errors (e.g. XENOPS_EBADSTATE: not plugged; XENOPS_EBACKEND)
 * are returned here only with XENOPS_WAIT. Any thread. @since 0.1
 */
XENOPS_API int xenops_pci_unplug(char **task_out, xenops_ctx *ctx, const char *vm,
				 const char *pci, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_DEVICE_H */
