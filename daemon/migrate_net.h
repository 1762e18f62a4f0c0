/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsd's migration network (docs/migration.md): TLS with a pre-shared
 * key between daemons, the listener for incoming VMs, and the outgoing
 * connection of VM.migrate. The library streams plain bytes over one end
 * of a socket pair; a relay thread carries them over the TLS session.
 */
#ifndef XD_MIGRATE_NET_H
#define XD_MIGRATE_NET_H

#include <xenops/xenops.h>

/* Load the key file (IDENTITY:HEXKEY, mode 0600 or 0400): 0 or -1 (logged). */
int xd_migrate_set_psk_file(const char *path);
/*
 * Listen on @addr ("HOST:PORT"; HOST an address or name, [v6] allowed) for
 * incoming migrations, at most @max_incoming at once: 0 or -1 (logged).
 */
int xd_migrate_listen(xenops_ctx *ctx, const char *addr, unsigned int max_incoming);
void xd_migrate_stop(void);
/*
 * Start sending @vm to @url ("xenops://HOST:PORT"): *task_out gets the
 * sending task (@keep_task: the caller destroys it; else it is destroyed
 * when it ends). 0, or a negative library code with *why filled.
 */
int xd_migrate_send(xenops_ctx *ctx, const char *vm, const char *url, unsigned int flags,
		    int keep_task, char **task_out, char *why, size_t why_len);

#endif
