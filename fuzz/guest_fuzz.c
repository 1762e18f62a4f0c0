/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for what a guest writes into its own xenstore area, as
 * the xen backend reads it for VM.stat (data/ and attr/, backend/guest.c).
 * Each input is a guest's tree, one node a line: "path=value" (the path
 * relative to the domain's directory, the value up to the line's end; a
 * line without '=' is an empty node). The tree is served through the same
 * reader interface the backend gives xenstore, and the walk's promises are
 * checked: bounded keys, lengths and requests, printable text only, and
 * every key inside data/ or attr/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

#define BASE "/local/domain/7"
#define NODES_MAX 4096

struct node {
	char *path; /* absolute */
	char *value;
};

struct tree {
	struct node n[NODES_MAX];
	size_t count;
	unsigned long requests;
};

static struct node *find(struct tree *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->n[i].path, path))
			return &t->n[i];
	return NULL;
}

/* Add @path (and its missing ancestors, empty) with @value. */
static void put(struct tree *t, const char *path, const char *value)
{
	char *p = strdup(path), *s;
	struct node *x;

	if (!p)
		abort();
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!find(t, p) && t->count < NODES_MAX) {
			t->n[t->count].path = strdup(p);
			t->n[t->count++].value = strdup("");
		}
		*s = '/';
	}
	x = find(t, p);
	if (x) {
		free(x->value);
		x->value = strdup(value);
	} else if (t->count < NODES_MAX) {
		t->n[t->count].path = strdup(p);
		t->n[t->count++].value = strdup(value);
	}
	free(p);
}

static char *rd(void *arg, const char *path)
{
	struct tree *t = arg;
	struct node *x = find(t, path);

	t->requests++;
	return x ? strdup(x->value) : NULL;
}

/* Like xs_directory: one allocation, the names after the pointer array. */
static char **ls(void *arg, const char *path, unsigned int *n)
{
	struct tree *t = arg;
	size_t len = strlen(path), count = 0, bytes = 0;
	const char **names = calloc(t->count + 1, sizeof(*names));
	char **out, *w;

	t->requests++;
	*n = 0;
	if (!names)
		abort();
	for (size_t i = 0; i < t->count; i++) {
		const char *p = t->n[i].path;

		if (strncmp(p, path, len) || p[len] != '/' || strchr(p + len + 1, '/'))
			continue;
		names[count++] = p + len + 1;
		bytes += strlen(p + len + 1) + 1;
	}
	if (!count) {
		free(names);
		return NULL;
	}
	out = malloc(count * sizeof(*out) + bytes);
	if (!out)
		abort();
	w = (char *)(out + count);
	for (size_t i = 0; i < count; i++) {
		out[i] = w;
		w = stpcpy(w, names[i]) + 1;
	}
	free(names);
	*n = (unsigned int)count;
	return out;
}

static void check_text(const char *s, size_t max)
{
	if (strlen(s) > max)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tree t;
	struct xo_xs_reader r = { .read = rd, .directory = ls, .arg = &t };
	struct xo_guest_facts *out = calloc(1, sizeof(*out));
	char *text = malloc(size + 1), *line, *next;

	if (!out || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	t.count = 0;
	t.requests = 0;
	for (line = text; line; line = next) {
		char path[1024], *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		if (!*line || *line == '/' || strstr(line, "//") || line[strlen(line) - 1] == '/' ||
		    (size_t)snprintf(path, sizeof(path), BASE "/%s", line) >= sizeof(path))
			continue;
		put(&t, path, eq ? eq + 1 : "");
	}
	xo_guest_walk(&r, BASE, "data", out);
	xo_guest_walk(&r, BASE, "attr", out);
	/* The promises. */
	if (out->n_keys > XO_GUEST_KEYS_MAX)
		abort();
	if (t.requests > 4ul * XO_GUEST_VISITS_MAX)
		abort();
	for (size_t i = 0; i < out->n_keys; i++) {
		check_text(out->keys[i].key, XO_GUEST_KEY_MAX);
		check_text(out->keys[i].value, XO_GUEST_VALUE_MAX);
		if (strncmp(out->keys[i].key, "data/", 5) && strncmp(out->keys[i].key, "attr/", 5))
			abort();
	}
	for (size_t i = 0; i < t.count; i++) {
		free(t.n[i].path);
		free(t.n[i].value);
	}
	free(text);
	free(out);
	return 0;
}

void xd_fuzz_teardown(void)
{
}
