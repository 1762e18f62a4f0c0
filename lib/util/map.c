/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A string-keyed hash map (FNV-1a) with open addressing and linear
 * probing. Each slot holds the key's hash beside a pointer to its entry
 * (the copied key and the value, one allocation), so that a lookup
 * reads consecutive slots and touches an entry only when the hash
 * matches: about one cache miss for the slots and one for the entry,
 * where a chained table follows separately allocated entries. A deleted
 * entry leaves a tombstone that lookups probe past and inserts reuse;
 * the table is rebuilt (doubled if more than half full of live entries)
 * once live entries and tombstones fill 3/4 of it.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct xo_map_entry {
	void *value;
	char key[]; /* inline: one allocation per entry */
};

struct xo_map_slot {
	uint32_t hash;
	struct xo_map_entry *e; /* NULL: never used; &tombstone: deleted */
};

static struct xo_map_entry tombstone;

static uint32_t map_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

/* The slot holding @key, or NULL. */
static inline struct xo_map_slot *map_find(const struct xo_map *m, const char *key, uint32_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct xo_map_slot *s = &m->slots[i];

		if (!s->e)
			return NULL;
		if (s->hash == h && s->e != &tombstone && !strcmp(s->e->key, key))
			return s;
	}
}

void *xo_map_get(const struct xo_map *m, const char *key)
{
	struct xo_map_slot *s;

	if (!m->count)
		return NULL;
	s = map_find(m, key, map_hash(key));
	return s ? s->e->value : NULL;
}

/* Rebuild at @cap slots (a power of two): live entries only. */
static int map_rehash(struct xo_map *m, size_t cap)
{
	struct xo_map_slot *n = calloc(cap, sizeof(*n));

	if (!n)
		return XENOPS_ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct xo_map_slot *s = &m->slots[i];
		size_t j;

		if (!s->e || s->e == &tombstone)
			continue;
		for (j = s->hash & (cap - 1); n[j].e; j = (j + 1) & (cap - 1))
			;
		n[j] = *s;
	}
	free(m->slots);
	m->slots = n;
	m->cap = cap;
	m->used = m->count;
	return 0;
}

int xo_map_put(struct xo_map *m, const char *key, void *value)
{
	uint32_t h = map_hash(key);
	struct xo_map_slot *s, *free_slot = NULL;
	struct xo_map_entry *e;
	size_t klen, mask;

	/* Room for one more without passing 3/4 of the slots. */
	if (4 * (m->used + 1) > 3 * m->cap) {
		size_t cap = m->cap ? m->cap : 16;

		while (4 * (m->count + 1) > 2 * cap)
			cap *= 2;
		if (map_rehash(m, cap) < 0)
			return XENOPS_ENOMEM;
	}
	/* One pass: the key's slot, else the first tombstone or the empty slot. */
	mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (!s->e)
			break;
		if (s->e == &tombstone) {
			if (!free_slot)
				free_slot = s;
		} else if (s->hash == h && !strcmp(s->e->key, key)) {
			s->e->value = value;
			return 0;
		}
	}
	klen = strlen(key);
	e = malloc(sizeof(*e) + klen + 1);
	if (!e)
		return XENOPS_ENOMEM;
	memcpy(e->key, key, klen + 1);
	e->value = value;
	if (!free_slot) {
		free_slot = s;
		m->used++;
	}
	free_slot->hash = h;
	free_slot->e = e;
	m->count++;
	return 0;
}

void *xo_map_del(struct xo_map *m, const char *key)
{
	struct xo_map_slot *s;
	void *v;

	if (!m->count)
		return NULL;
	s = map_find(m, key, map_hash(key));
	if (!s)
		return NULL;
	v = s->e->value;
	free(s->e);
	s->e = &tombstone;
	m->count--;
	return v;
}

int xo_map_foreach(const struct xo_map *m, int (*fn)(const char *key, void *value, void *arg),
		   void *arg)
{
	for (size_t i = 0; i < m->cap; i++) {
		struct xo_map_entry *e = m->slots[i].e;
		int r;

		if (!e || e == &tombstone)
			continue;
		r = fn(e->key, e->value, arg);
		if (r)
			return r;
	}
	return 0;
}

void xo_map_clear(struct xo_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].e && m->slots[i].e != &tombstone)
			free(m->slots[i].e);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = m->used = 0;
}
