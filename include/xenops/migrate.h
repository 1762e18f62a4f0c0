/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: live migration of a VM over a file descriptor the application
 * connected (docs/migration.md). The library knows nothing of networks,
 * addresses or keys: it writes and reads a stream; authenticating and
 * encrypting the connection is the application's (xenopsd does it).
 */
#ifndef XENOPS_MIGRATE_H
#define XENOPS_MIGRATE_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Migration: copy the memory in rounds while the guest runs (pre-copy),
 * the guest paused only for the last round. Without it the guest is
 * suspended while its whole memory streams (the only way for PV guests on
 * hosts without shadow paging). @since 0.2
 */
#define XENOPS_MIGRATE_LIVE (1u << 3)

/**
 * Send a running or paused VM over @p fd, to a peer that called
 * xenops_vm_migrate_receive() on the other end. The stream: a header with
 * the VM's configuration and devices, the receiver's check answer, the
 * memory, then the commit handshake. The task's record ("migration" in
 * xenops_task_stat) shows the stream's progress in bytes (on Xen a model
 * of the stream from libxenguest's page counts, see docs/migration.md), the pre-copy
 * iteration, the dirty pages and rate of the last round and the handshake
 * phase.
 *
 * On success the VM is left defined here, Halted, its last shutdown reason
 * "migrated" (it cannot be started here: remove it). On failure or
 * cancellation before the commit the guest runs on here. A failure after
 * the commit was sent but before the receiver confirmed it leaves the
 * outcome in doubt: the VM is then halted here with the reason
 * "migration-doubt" (it may run on the receiver), never run twice.
 *
 * @param task_out  receives the task id (free with xenops_free(); forget
 *                  the task with xenops_task_destroy()); may be NULL: the
 *                  task is destroyed when it ends. NULL on failure.
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param fd        a connected stream (socket or pipe pair end), the
 *                  caller's: it must stay open until the task ends, and
 *                  is never closed by the library.
 * @param flags     XENOPS_WAIT, XENOPS_MIGRATE_LIVE, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a
 * negative error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * negative @p fd, unsupported flag), XENOPS_ENOTFOUND (no such VM),
 * XENOPS_ENOMEM; the task's own errors (XENOPS_EBADSTATE: not running;
 * XENOPS_ENOTSUP: the backend cannot migrate, or the VM has PCI devices;
 * the receiver's refusal with its code, e.g. XENOPS_ENOMEM or
 * XENOPS_ENOTFOUND for a missing disk; XENOPS_EIO: the connection failed;
 * XENOPS_ECANCELLED) are returned here only with XENOPS_WAIT. Any thread.
 * @since 0.2
 */
XENOPS_API int xenops_vm_migrate_send(char **task_out, xenops_ctx *ctx, const char *vm, int fd,
				      unsigned int flags);

/**
 * Receive a VM sent by xenops_vm_migrate_send() over @p fd. The call reads
 * the stream's header before it returns (waiting at most 30 seconds for
 * it), defines the VM here with the header's configuration and devices and
 * queues the receiving task on it; the task checks that this host can run
 * the VM (free memory, each disk's path, each bridge) and refuses before
 * any memory is sent, the refusal travelling back to the sender. The new
 * domain stays paused until the commit. If the migration fails before the
 * commit the VM's definition here is removed again.
 *
 * A VM with the same id may exist here only if it is Halted with the last
 * shutdown reason "migrated" (it left this host earlier): it is replaced.
 *
 * @param task_out  receives the task id; as for xenops_vm_migrate_send().
 * @param ctx       the context.
 * @param fd        the connected stream, the caller's: it must stay open
 *                  until the task ends, and is never closed by the library.
 * @param flags     XENOPS_WAIT, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a
 * negative error.
 * Errors: before the task is queued XENOPS_EINVAL (bad argument, or a
 * stream that is not a valid migration header), XENOPS_ENOTSUP (another
 * stream version), XENOPS_EEXIST (a VM with that id is defined here),
 * XENOPS_ETIMEDOUT, XENOPS_EIO (no header came), XENOPS_ENOMEM, and the
 * errors of xenops_vm_add() for the configuration; in each case the sender
 * is told (when the stream allows it). The task's own errors as for
 * xenops_vm_migrate_send(). Any thread (the call blocks while it reads the
 * header). @since 0.2
 */
XENOPS_API int xenops_vm_migrate_receive(char **task_out, xenops_ctx *ctx, int fd,
					 unsigned int flags);

/**
 * Migrate a running or paused VM within this context (localhost
 * migration): its memory streams over an internal socket pair into a new
 * domain, its devices are plugged into the new domain, then the VM's
 * record names the new domain (the commit) and the old one is destroyed.
 * The domid changes; the guest keeps running. Failure or cancellation
 * before the commit resumes the guest in its old domain.
 *
 * @param task_out  receives the task id; as for xenops_vm_migrate_send().
 * @param ctx       the context.
 * @param vm        id of the VM; borrowed for the call.
 * @param flags     XENOPS_WAIT, XENOPS_MIGRATE_LIVE, or 0.
 * @return 0 once queued (with XENOPS_WAIT: the task's result), or a
 * negative error.
 * Errors: before the task is queued XENOPS_EINVAL (NULL or bad argument,
 * unsupported flag), XENOPS_ENOTFOUND (no such VM), XENOPS_ENOMEM; the
 * task's own errors (XENOPS_EBADSTATE: not running; XENOPS_ENOTSUP: the
 * backend cannot migrate, or the VM has PCI devices; XENOPS_ENOMEM: no
 * room for the second domain; XENOPS_EBACKEND; XENOPS_ECANCELLED) are
 * returned here only with XENOPS_WAIT. Any thread. @since 0.2
 */
XENOPS_API int xenops_vm_migrate_local(char **task_out, xenops_ctx *ctx, const char *vm,
				       unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_MIGRATE_H */
