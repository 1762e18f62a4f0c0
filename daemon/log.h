/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsd logging: one line per message on stderr, filtered by level, also
 * used as the library's log callback (which runs on worker threads).
 */
#ifndef XD_LOG_H
#define XD_LOG_H

#include <xenops/xenops.h>

/* Highest level written (enum xenops_log_level). */
extern int xd_log_level;

/* Parse "error", "warning", "info" or "debug"; -1 when unknown. */
int xd_log_level_parse(const char *name);

void xd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Signature of xenops_log_fn: prefixes the library's messages. */
void xd_log_lib(int level, const char *msg, void *userdata);

#endif /* XD_LOG_H */
