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
 * object once. A NULL token means "everything": every live object (a
 * resync). If nothing changed yet, wait up to @p timeout_ms milliseconds
 * (0: do not wait; negative: no limit) for a change; the result may then be
 * empty. Barriers injected after the token come first.
 * On success *out is the caller's (free with xenops_updates_free).
 * Errors: XENOPS_ERESYNC (the token is from another instance of the
 * context, e.g. before a restart, or older than the tombstones kept: get
 * again with NULL), XENOPS_EINVAL (malformed token), XENOPS_ENOMEM.
 * Any thread; many may wait at once. @since 0.1
 */
XENOPS_API int xenops_updates_get(xenops_updates **out, xenops_ctx *ctx, const char *from_token,
				  int timeout_ms);

/** Free a batch. NULL is harmless. @since 0.1 */
XENOPS_API void xenops_updates_free(xenops_updates *u);

/** The token to pass to the next xenops_updates_get(); borrowed from @p u. @since 0.1 */
XENOPS_API const char *xenops_updates_next(const xenops_updates *u);

/** Number of changed objects in @p u. @since 0.1 */
XENOPS_API size_t xenops_updates_count(const xenops_updates *u);

/**
 * The i-th changed object: kind (enum xenops_kind), owning VM (devices and
 * VMs; NULL for tasks), id, and whether it was deleted (a tombstone).
 * Strings are borrowed from @p u. Out-parameters may be NULL.
 * Errors: XENOPS_EINVAL (index out of range). @since 0.1
 */
XENOPS_API int xenops_updates_item(int *kind_out, const char **vm_out, const char **id_out,
				   int *deleted_out, const xenops_updates *u, size_t i);

/** Number of barriers in @p u. @since 0.1 */
XENOPS_API size_t xenops_updates_barrier_count(const xenops_updates *u);

/**
 * The i-th barrier: its id (as returned by xenops_updates_inject_barrier)
 * and its VM (borrowed). Errors: XENOPS_EINVAL. @since 0.1
 */
XENOPS_API int xenops_updates_barrier(uint64_t *id_out, const char **vm_out,
				      const xenops_updates *u, size_t i);

/**
 * Inject a barrier for @p vm into the stream: a client that receives it
 * has seen every change of that VM made before this call. *id_out gets
 * its id. Errors: XENOPS_ENOTFOUND, XENOPS_EINVAL. Any thread. @since 0.1
 */
XENOPS_API int xenops_updates_inject_barrier(uint64_t *id_out, xenops_ctx *ctx, const char *vm);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_UPDATES_H */
