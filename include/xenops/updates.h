/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: the update stream. Every object (VM, device, task) has a
 * change counter; a client holding a token asks for the objects changed
 * after it, coalesced per object, deletions included as tombstones.
 */
#ifndef XENOPS_UPDATES_H
#define XENOPS_UPDATES_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A batch of updates returned by xenops_updates_get(). Opaque. @since 0.1 */
typedef struct xenops_updates xenops_updates;

/**
 * Get the objects changed after @p from_token, oldest change first, each
 * object once. A NULL token means "everything": every live object (a resync).
 * If nothing changed yet, wait for a change; the result may then be empty.
 * Barriers injected after the token come first.
 *
 * @param out         receives the batch, the caller's (free with
 *                    xenops_updates_free()); NULL on failure.
 * @param ctx         the context.
 * @param from_token  the token of the previous batch (xenops_updates_next()),
 *                    or NULL; borrowed for the call.
 * @param timeout_ms  the longest wait in milliseconds; 0: do not wait;
 *                    negative: no limit.
 * @return 0 or a negative error.
 * Errors: XENOPS_ERESYNC (the token is from another instance of the context,
 * e.g. before a restart, or older than the tombstones kept: get again with
 * NULL), XENOPS_EINVAL (NULL argument, malformed token), XENOPS_ENOMEM. Any
 * thread; many may wait at once. @since 0.1
 */
XENOPS_API int xenops_updates_get(xenops_updates **out, xenops_ctx *ctx, const char *from_token,
				  int timeout_ms);

/**
 * Free a batch.
 *
 * @param u  the batch, the caller's; NULL is harmless.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
XENOPS_API void xenops_updates_free(xenops_updates *u);

/**
 * The token to pass to the next xenops_updates_get().
 *
 * @param u  the batch.
 * @return the token, borrowed from @p u (valid until it is freed); "" when
 * @p u is NULL.
 * Cannot fail; leaves the last error alone. Any thread; the batch is the
 * caller's: do not use it while another thread frees it. @since 0.1
 */
XENOPS_API const char *xenops_updates_next(const xenops_updates *u);

/**
 * Number of changed objects in a batch.
 *
 * @param u  the batch.
 * @return the number; 0 when @p u is NULL.
 * Cannot fail; leaves the last error alone. Any thread; the batch is the
 * caller's: do not use it while another thread frees it. @since 0.1
 */
XENOPS_API size_t xenops_updates_count(const xenops_updates *u);

/**
 * The i-th changed object of a batch.
 *
 * @param kind_out     receives its kind (enum xenops_kind); may be NULL.
 * @param vm_out       receives its owning VM (devices and VMs; NULL for
 *                     tasks), borrowed from @p u; may be NULL.
 * @param id_out       receives its id, borrowed from @p u; may be NULL.
 * @param deleted_out  receives 1 if it was deleted (a tombstone), else 0; may
 *                     be NULL.
 * @param u            the batch.
 * @param i            the index, below xenops_updates_count().
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p u, index out of range). Any thread; the batch
 * is the caller's: do not use it while another thread frees it. @since 0.1
 */
XENOPS_API int xenops_updates_item(int *kind_out, const char **vm_out, const char **id_out,
				   int *deleted_out, const xenops_updates *u, size_t i);

/**
 * Number of barriers in a batch.
 *
 * @param u  the batch.
 * @return the number; 0 when @p u is NULL.
 * Cannot fail; leaves the last error alone. Any thread; the batch is the
 * caller's: do not use it while another thread frees it. @since 0.1
 */
XENOPS_API size_t xenops_updates_barrier_count(const xenops_updates *u);

/**
 * The i-th barrier of a batch.
 *
 * @param id_out  receives its id (as xenops_updates_inject_barrier() gave it);
 *                may be NULL.
 * @param vm_out  receives its VM, borrowed from @p u; may be NULL.
 * @param u       the batch.
 * @param i       the index, below xenops_updates_barrier_count().
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL @p u, index out of range). Any thread; the batch
 * is the caller's: do not use it while another thread frees it. @since 0.1
 */
XENOPS_API int xenops_updates_barrier(uint64_t *id_out, const char **vm_out,
				      const xenops_updates *u, size_t i);

/**
 * Inject a barrier for a VM into the update stream: a client that receives it
 * has seen every change of that VM made before this call.
 *
 * @param id_out  receives the barrier's id; may be NULL.
 * @param ctx     the context.
 * @param vm      id of the VM; borrowed for the call.
 * @return 0 or a negative error.
 * Errors: XENOPS_EINVAL (NULL or bad argument), XENOPS_ENOTFOUND,
 * XENOPS_ENOMEM. Any thread. @since 0.1
 */
XENOPS_API int xenops_updates_inject_barrier(uint64_t *id_out, xenops_ctx *ctx, const char *vm);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_UPDATES_H */
