/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest's data/ and attr/ trees, walked through a reader with every
 * bound applied: keys, depth, nodes visited, key and value lengths.
 * Everything read here is written by the guest: untrusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/guest.h"

void xo_guest_sanitise(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

struct walk {
	const struct xo_xs_reader *r;
	const char *base;
	struct xo_guest_facts *out;
	unsigned int visits;
};

static void add(struct xo_guest_facts *out, const char *rel, const char *v)
{
	if (out->n_keys >= XO_GUEST_KEYS_MAX) {
		out->truncated = true;
		return;
	}
	if (strlen(v) > XO_GUEST_VALUE_MAX)
		out->truncated = true;
	snprintf(out->keys[out->n_keys].key, sizeof(out->keys[0].key), "%s", rel);
	snprintf(out->keys[out->n_keys].value, sizeof(out->keys[0].value), "%s", v);
	xo_guest_sanitise(out->keys[out->n_keys].key);
	xo_guest_sanitise(out->keys[out->n_keys].value);
	out->n_keys++;
}

static void walk(struct walk *w, const char *rel, int depth)
{
	struct xo_guest_facts *out = w->out;
	char path[512], sub[XO_GUEST_KEY_MAX + 1];
	unsigned int n = 0;
	char **names;
	char *v;

	if (depth > XO_GUEST_DEPTH_MAX || w->visits >= XO_GUEST_VISITS_MAX) {
		out->truncated = true;
		return;
	}
	w->visits++;
	snprintf(path, sizeof(path), "%s/%s", w->base, rel);
	v = w->r->read(w->r->arg, path);
	if (v && *v && depth > 0)
		add(out, rel, v);
	free(v);
	names = w->r->directory(w->r->arg, path, &n);
	for (unsigned int i = 0; names && i < n; i++) {
		if (out->n_keys >= XO_GUEST_KEYS_MAX || w->visits >= XO_GUEST_VISITS_MAX) {
			out->truncated = true;
			break;
		}
		/* A name with a '/' (none from xenstored) would climb out of the tree. */
		if (!names[i] || !*names[i] || strchr(names[i], '/') ||
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]) >= sizeof(sub)) {
			out->truncated = true;
			continue;
		}
		walk(w, sub, depth + 1);
	}
	free(names);
}

void xo_guest_walk(const struct xo_xs_reader *r, const char *base, const char *top,
		   struct xo_guest_facts *out)
{
	struct walk w = { .r = r, .base = base, .out = out };

	walk(&w, top, 0);
}
