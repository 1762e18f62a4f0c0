/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: import of guests defined for Xen's xl toolstack. An xl.cfg(5)
 * file becomes a VM configuration with its devices (docs/xlcfg.md lists
 * the keys and the disk and vif syntax that are understood).
 */
#ifndef XENOPS_IMPORT_H
#define XENOPS_IMPORT_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest xl.cfg text the import functions accept, in bytes. @since 0.2 */
#define XENOPS_XLCFG_MAX (1024 * 1024)

/**
 * Convert the text of an xl.cfg(5) file into the JSON template that
 * xenops_vm_add() accepts: a VM configuration with a "devices" object
 * holding its VBDs (from disk=) and VIFs (from vif=). Nothing is defined
 * and no context is needed; the result is not checked against the
 * configuration schema (xenops_vm_add does that).
 *
 * @param json_out receives the template, owned by the caller (free with
 *        xenops_free); NULL on error.
 * @param text the file's contents, NUL-terminated, at most
 *        XENOPS_XLCFG_MAX bytes; copied, not kept.
 * @param flags must be 0.
 *
 * Threads: any thread; the function keeps no state.
 *
 * Errors: XENOPS_EINVAL for a NULL argument, unknown flags, text too long,
 * a syntax error, or a key, parameter or value the import does not
 * support (never skipped): the message starts with "line N: " and names
 * the key, e.g. `line 12: key "sdl" is not supported`;
 * XENOPS_ENOMEM.
 * @since 0.2
 */
XENOPS_API int xenops_xlcfg_convert(char **json_out, const char *text, unsigned int flags);

/**
 * Define a VM and its devices from the text of an xl.cfg(5) file: the
 * conversion of xenops_xlcfg_convert() passed to xenops_vm_add(), so the
 * VM and all its devices are defined, or none of them. No backend work.
 *
 * @param id_out receives the new VM's id (the file's uuid, else its name
 *        when that is a valid id, else a new UUID); owned by the caller
 *        (free with xenops_free). May be NULL.
 * @param ctx the context.
 * @param text as for xenops_xlcfg_convert(); copied, not kept.
 * @param flags must be 0.
 *
 * Threads: any thread.
 *
 * Errors: those of xenops_xlcfg_convert(), then those of xenops_vm_add()
 * (XENOPS_EINVAL naming the bad field, XENOPS_EEXIST, XENOPS_EIO,
 * XENOPS_ENOSPC, XENOPS_ENOMEM).
 * @since 0.2
 */
XENOPS_API int xenops_vm_import_xl(char **id_out, xenops_ctx *ctx, const char *text,
				   unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* XENOPS_IMPORT_H */
