/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl output: JSON for scripts, flattened "key: value" lines and
 * aligned tables for humans, and the task progress display.
 */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

void ctl_print_json(struct json_object *obj, int pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
	            (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
	                    : JSON_C_TO_STRING_PLAIN);

	printf("%s\n", json_object_to_json_string_ext(obj, flags));
}

/* Doubles (times, progress) with three decimals: all their digits are noise. */
static void scalar_text(struct json_object *v, char *buf, size_t size)
{
	if (!v)
		snprintf(buf, size, "null");
	else if (json_object_is_type(v, json_type_double))
		snprintf(buf, size, "%.3f", json_object_get_double(v));
	else
		snprintf(buf, size, "%s", json_object_get_string(v));
}

static int all_scalars(struct json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_array))
			return 0;
	}
	return 1;
}

/* "key: a, b, c": lists of ids and names read better on one line. */
static void print_list(const char *key, struct json_object *arr)
{
	char val[1024];

	printf("%s:", key);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		scalar_text(json_object_array_get_idx(arr, i), val, sizeof(val));
		printf("%s %s", i ? "," : "", val);
	}
	printf("\n");
}

static void flat(struct json_object *obj, const char *prefix)
{
	char key[256], val[1024];

	if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach (obj, k, v) {
			snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] ? "." : "", k);
			flat(v, key);
		}
		return;
	}
	if (json_object_is_type(obj, json_type_array)) {
		size_t n = json_object_array_length(obj);

		if (all_scalars(obj)) {
			print_list(prefix, obj);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
			flat(json_object_array_get_idx(obj, i), key);
		}
		return;
	}
	scalar_text(obj, val, sizeof(val));
	printf("%s: %s\n", prefix, val);
}

void ctl_print_flat(struct json_object *obj)
{
	flat(obj, "");
}

const char *ctl_get_text(struct json_object *obj, const char *path, char *buf, size_t size)
{
	char part[128];
	const char *p = path;

	while (*p && obj) {
		size_t n = strcspn(p, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if (!json_object_object_get_ex(obj, part, &obj))
			obj = NULL;
		p += n + (p[n] == '.');
	}
	if (!obj) {
		snprintf(buf, size, "-");
		return buf;
	}
	scalar_text(obj, buf, size);
	return buf;
}

/* ---- tables ---------------------------------------------------------------- */

void ctl_table_init(struct ctl_table *t, const char **headers, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->headers = headers;
	t->ncols = ncols;
}

void ctl_table_add(struct ctl_table *t, const char **row)
{
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **cells = realloc(t->cells, ncap * t->ncols * sizeof(*cells));

		if (!cells)
			return;
		t->cells = cells;
		t->cap = ncap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = strdup(row[i] ? row[i] : "-");
	t->nrows++;
}

static const char *cell(const struct ctl_table *t, size_t r, size_t col)
{
	const char *s = t->cells[r * t->ncols + col];

	return s ? s : "-";
}

/* The last column is not padded: no trailing blanks. */
static void print_row(const struct ctl_table *t, const char **cells, const size_t *width)
{
	size_t n = t->ncols < 16 ? t->ncols : 16;

	for (size_t col = 0; col + 1 < n; col++)
		printf("%-*s  ", (int)width[col], cells[col]);
	printf("%s\n", n ? cells[n - 1] : "");
}

void ctl_table_print(struct ctl_table *t)
{
	size_t width[16] = { 0 };

	for (size_t col = 0; col < t->ncols && col < 16; col++) {
		width[col] = strlen(t->headers[col]);
		for (size_t r = 0; r < t->nrows; r++)
			if (strlen(cell(t, r, col)) > width[col])
				width[col] = strlen(cell(t, r, col));
	}
	print_row(t, t->headers, width);
	for (size_t r = 0; r < t->nrows; r++) {
		const char *row[16];

		for (size_t col = 0; col < t->ncols && col < 16; col++)
			row[col] = cell(t, r, col);
		print_row(t, row, width);
	}
}

void ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* ---- progress -------------------------------------------------------------- */

#define BAR_WIDTH 30

void ctl_progress_init(struct ctl_progress *p, int tty)
{
	memset(p, 0, sizeof(*p));
	p->tty = tty;
	p->last_pct = -1;
}

void ctl_progress_update(struct ctl_progress *p, const char *task, double progress,
                         const char *atom)
{
	int pct = (int)(progress * 100.0 + 0.5);
	int fill;

	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	if (!atom)
		atom = "";
	if (pct == p->last_pct && strcmp(atom, p->last_atom) == 0)
		return;
	p->last_pct = pct;
	snprintf(p->last_atom, sizeof(p->last_atom), "%s", atom);
	p->shown = 1;
	if (!p->tty) {
		fprintf(stderr, "task %s: %3d%% %s\n", task, pct, atom);
		return;
	}
	fill = pct * BAR_WIDTH / 100;
	/* \033[K clears what a longer atom name left on the line. */
	fprintf(stderr, "\r[%.*s%*s] %3d%% %s\033[K", fill, "##############################",
	        BAR_WIDTH - fill, "", pct, atom);
	fflush(stderr);
}

void ctl_progress_end(struct ctl_progress *p)
{
	if (p->tty && p->shown)
		fprintf(stderr, "\r\033[K");
}
