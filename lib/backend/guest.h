/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a guest publishes in its own xenstore area (data/, attr/), read
 * through a reader the backend supplies, bounded and made printable. Kept
 * apart from the xenstore connection so that it can be fuzzed
 * (fuzz/guest_fuzz.c) without a hypervisor.
 */
#ifndef XO_BACKEND_GUEST_H
#define XO_BACKEND_GUEST_H

#include "backend/backend.h"

/* A xenstore as seen by one caller: read and directory, both malloc'd. */
struct xo_xs_reader {
	/* The value at @path, NUL-terminated, or NULL (absent, no access). */
	char *(*read)(void *arg, const char *path);
	/* The names under @path as ONE allocation (an array of pointers into
	 * it, as xs_directory returns), *n set; NULL when none. */
	char **(*directory)(void *arg, const char *path, unsigned int *n);
	void *arg;
};

/* Most nodes one walk visits (empty nodes cost requests without a key). */
#define XO_GUEST_VISITS_MAX (8 * XO_GUEST_KEYS_MAX)

/* Printable ASCII only: anything else becomes '?'. */
void xo_guest_sanitise(char *s);

/*
 * Add the non-empty values below @base/@top (e.g. "/local/domain/5",
 * "data") to @out as "top/sub/key" = value: at most XO_GUEST_KEYS_MAX keys
 * in all, XO_GUEST_DEPTH_MAX levels, XO_GUEST_VISITS_MAX nodes, keys and
 * values cut to their bounds and sanitised; out->truncated says something
 * was left out.
 */
void xo_guest_walk(const struct xo_xs_reader *r, const char *base, const char *top,
		   struct xo_guest_facts *out);

#endif /* XO_BACKEND_GUEST_H */
