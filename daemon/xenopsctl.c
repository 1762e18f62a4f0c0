/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl: the command-line client of xenopsd. Global options here; the
 * subcommands are in ctl_cmds.c. Exit codes: docs/xenopsctl.md.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: xenopsctl [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
	        "Drive the guests of a Xen host through xenopsd.\n\n"
	        "Global options (before the command):\n"
	        "  --socket PATH   xenopsd's socket (default $XENOPSD_SOCKET or " CTL_DEFAULT_SOCKET
	        ")\n"
	        "  --json          machine-readable output (also accepted after the command)\n"
	        "  --timeout SECS  give up after SECS seconds (exit code 4)\n"
	        "  --no-wait       operations print their task id instead of waiting\n"
	        "  --help          this text\n\n");
	ctl_usage_commands(f);
}

static int parse_seconds(const char *s, double *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) || *out <= 0 ? -1 : 0;
}

/* Options before the command; returns the index of the command or -1. */
static int parse_global(struct ctl *c, int argc, char **argv, int *exit_code)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		double secs;

		if (strcmp(a, "--json") == 0) {
			c->json = 1;
		} else if (strcmp(a, "--no-wait") == 0) {
			c->no_wait = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			*exit_code = CTL_OK;
			return -1;
		} else if ((strcmp(a, "--socket") == 0 || strcmp(a, "--timeout") == 0) &&
		           i + 1 < argc) {
			i++;
			if (a[2] == 's') {
				c->socket_path = argv[i];
			} else if (parse_seconds(argv[i], &secs) == 0) {
				c->deadline_ms = ctl_now_ms() + (uint64_t)(secs * 1000.0);
			} else {
				fprintf(stderr, "xenopsctl: invalid --timeout '%s'\n", argv[i]);
				*exit_code = CTL_USAGE;
				return -1;
			}
		} else {
			fprintf(stderr, "xenopsctl: unknown or incomplete option '%s'\n", a);
			*exit_code = CTL_USAGE;
			return -1;
		}
	}
	if (i == argc) {
		usage(stderr);
		*exit_code = CTL_USAGE;
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	struct ctl c;
	int rc = CTL_USAGE, first;

	ctl_init(&c);
	if (getenv("XENOPSD_SOCKET") && getenv("XENOPSD_SOCKET")[0])
		c.socket_path = getenv("XENOPSD_SOCKET");
	first = parse_global(&c, argc, argv, &rc);
	if (first < 0)
		return rc;
	rc = ctl_run(&c, argc - first, argv + first);
	ctl_close(&c);
	fflush(stdout);
	return rc;
}
