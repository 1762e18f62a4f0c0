/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A string-keyed hash map with separate chaining (FNV-1a), grown at load
 * factor 1. Keys are copied; values are borrowed pointers.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct xo_map_entry {
	struct xo_map_entry *next;
	uint32_t hash;
	void *value;
	char key[]; /* inline: one allocation per entry */
};

static uint32_t map_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

static struct xo_map_entry **map_slot(const struct xo_map *m, const char *key, uint32_t h)
{
	struct xo_map_entry **pp = &m->buckets[h & (m->nbuckets - 1)];

	while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key)))
		pp = &(*pp)->next;
	return pp;
}

void *xo_map_get(const struct xo_map *m, const char *key)
{
	struct xo_map_entry *e;

	if (!m->nbuckets)
		return NULL;
	e = *map_slot(m, key, map_hash(key));
	return e ? e->value : NULL;
}

static int map_grow(struct xo_map *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : 16;
	struct xo_map_entry **b = calloc(n, sizeof(*b));

	if (!b)
		return XENOPS_ENOMEM;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct xo_map_entry *e = m->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
	return 0;
}

int xo_map_put(struct xo_map *m, const char *key, void *value)
{
	uint32_t h = map_hash(key);
	struct xo_map_entry **pp, *e;
	size_t klen;

	if (m->count + 1 > m->nbuckets && map_grow(m) < 0)
		return XENOPS_ENOMEM;
	pp = map_slot(m, key, h);
	if (*pp) {
		(*pp)->value = value;
		return 0;
	}
	klen = strlen(key);
	e = malloc(sizeof(*e) + klen + 1);
	if (!e)
		return XENOPS_ENOMEM;
	memcpy(e->key, key, klen + 1);
	e->hash = h;
	e->value = value;
	e->next = NULL;
	*pp = e;
	m->count++;
	return 0;
}

void *xo_map_del(struct xo_map *m, const char *key)
{
	struct xo_map_entry **pp, *e;
	void *v;

	if (!m->nbuckets)
		return NULL;
	pp = map_slot(m, key, map_hash(key));
	e = *pp;
	if (!e)
		return NULL;
	*pp = e->next;
	v = e->value;
	free(e);
	m->count--;
	return v;
}

int xo_map_foreach(const struct xo_map *m, int (*fn)(const char *key, void *value, void *arg),
		   void *arg)
{
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct xo_map_entry *e = m->buckets[i]; e; e = e->next) {
			int r = fn(e->key, e->value, arg);

			if (r)
				return r;
		}
	return 0;
}

void xo_map_clear(struct xo_map *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct xo_map_entry *e = m->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
}
