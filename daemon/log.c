/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xenopsd logging to stderr, shared by the daemon and the library callback. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int xd_log_level = XENOPS_LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int xd_log_level_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

static const char *level_name(int level)
{
	if (level < 0 || level > XENOPS_LOG_DEBUG)
		return "?";
	return level_names[level];
}

/*
 * One fprintf per line: stdio locks the stream for the call, so lines from
 * worker threads (library callback) never interleave with ours.
 */
static void emit(int level, const char *who, const char *msg)
{
	if (level > xd_log_level)
		return;
	fprintf(stderr, "xenopsd[%s]: %s%s\n", level_name(level), who, msg);
}

void xd_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > xd_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit(level, "", buf);
}

void xd_log_lib(int level, const char *msg, void *userdata)
{
	(void)userdata;
	emit(level, "libxenops: ", msg);
}
