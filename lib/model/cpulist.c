/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU lists ("0-3,5", "all", "all,^1") and vCPU affinity in a VM's
 * configuration: syntax, the canonical text a configuration stores, and
 * the bitmap a backend applies once it knows how many CPUs the host has.
 * Schema: docs/schema.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

#define LIST_MAX_LEN 1024

static void map_set(uint64_t *map, unsigned int a, unsigned int b, int on)
{
	for (unsigned int c = a; c <= b; c++) {
		if (on)
			map[c / 64] |= UINT64_C(1) << (c % 64);
		else
			map[c / 64] &= ~(UINT64_C(1) << (c % 64));
	}
}

bool xo_cpumap_test(const uint64_t *map, unsigned int cpu)
{
	return cpu < XO_CPUS_MAX && (map[cpu / 64] >> (cpu % 64)) & 1;
}

static int read_cpu(const char **p, unsigned int *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= XO_CPUS_MAX)
			return -2;
		s++;
	}
	*p = s;
	*out = (unsigned int)v;
	return 0;
}

/* Parse @s: *all_out says whether "all" was named; @incl and @excl the CPUs. */
static int parse(const char *s, bool *all_out, uint64_t *incl, uint64_t *excl, const char *field,
		 struct xo_error *err)
{
	const char *p = s;

	*all_out = false;
	memset(incl, 0, XO_CPUMAP_WORDS * sizeof(*incl));
	memset(excl, 0, XO_CPUMAP_WORDS * sizeof(*excl));
	if (strlen(s) > LIST_MAX_LEN)
		return xo_err(err, XENOPS_EINVAL, "%s: CPU list longer than %d characters", field,
			      LIST_MAX_LEN);
	for (;;) {
		unsigned int a, b;
		int neg = 0, r;

		if (strncmp(p, "all", 3) == 0 && (p[3] == ',' || p[3] == '\0')) {
			*all_out = true;
			p += 3;
		} else {
			if (*p == '^') {
				neg = 1;
				p++;
			}
			r = read_cpu(&p, &a);
			b = a;
			if (r == 0 && *p == '-') {
				p++;
				r = read_cpu(&p, &b);
			}
			if (r == -2)
				return xo_err(err, XENOPS_EINVAL,
					      "%s: \"%.64s\" names a CPU above %d", field, s,
					      XO_CPUS_MAX - 1);
			if (r < 0 || b < a || (*p != ',' && *p != '\0'))
				return xo_err(err, XENOPS_EINVAL,
					      "%s: \"%.64s\" is not a CPU list (\"2-3,5\", \"all\", \"all,^1\")",
					      field, s);
			map_set(neg ? excl : incl, a, b, 1);
		}
		if (*p == '\0')
			break;
		p++;
	}
	return 0;
}

/* "0-3,5" for the CPUs of @map, appended to @buf; false when it does not fit. */
static bool format_ranges(const uint64_t *map, const char *prefix, char *buf, size_t size)
{
	size_t len = strlen(buf);

	for (unsigned int c = 0; c < XO_CPUS_MAX; c++) {
		unsigned int e = c;
		int n;

		if (!xo_cpumap_test(map, c))
			continue;
		while (e + 1 < XO_CPUS_MAX && xo_cpumap_test(map, e + 1))
			e++;
		n = e == c ? snprintf(buf + len, size - len, "%s%s%u", len ? "," : "", prefix, c)
			   : snprintf(buf + len, size - len, "%s%s%u-%u", len ? "," : "", prefix, c,
				      e);
		if (n < 0 || (size_t)n >= size - len)
			return false;
		len += (size_t)n;
		c = e;
	}
	return true;
}

int xo_cpulist_canon(const char *s, char **out, const char *field, struct xo_error *err)
{
	uint64_t incl[XO_CPUMAP_WORDS], excl[XO_CPUMAP_WORDS];
	char *buf;
	bool all, any = false;
	int r;

	*out = NULL;
	r = parse(s, &all, incl, excl, field, err);
	if (r < 0)
		return r;
	buf = calloc(1, XO_CPULIST_TEXT_MAX);
	if (!buf)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	if (all) {
		strcpy(buf, "all");
		format_ranges(excl, "^", buf, XO_CPULIST_TEXT_MAX);
	} else {
		for (size_t i = 0; i < XO_CPUMAP_WORDS; i++) {
			incl[i] &= ~excl[i];
			any = any || incl[i];
		}
		if (!any) {
			free(buf);
			return xo_err(err, XENOPS_EINVAL, "%s: \"%.64s\" names no CPU", field, s);
		}
		format_ranges(incl, "", buf, XO_CPULIST_TEXT_MAX);
	}
	*out = buf;
	return 0;
}

int xo_cpulist_map(const char *s, unsigned int nr_cpus, uint64_t *map, const char *field,
		   struct xo_error *err)
{
	uint64_t incl[XO_CPUMAP_WORDS], excl[XO_CPUMAP_WORDS];
	bool all, any = false;
	int r;

	if (nr_cpus > XO_CPUS_MAX)
		nr_cpus = XO_CPUS_MAX;
	r = parse(s ? s : "all", &all, incl, excl, field, err);
	if (r < 0)
		return r;
	if (all && nr_cpus)
		map_set(incl, 0, nr_cpus - 1, 1);
	/* The first CPU at or above nr_cpus the list names and does not
	 * exclude, a word at a time (this runs for every vCPU of every domain
	 * built). */
	for (size_t i = nr_cpus / 64; !all && i < XO_CPUMAP_WORDS; i++) {
		unsigned int low = i == nr_cpus / 64 ? nr_cpus % 64 : 0;
		uint64_t beyond = incl[i] & ~excl[i] & (low ? ~((UINT64_C(1) << low) - 1) : ~UINT64_C(0));

		if (beyond)
			return xo_err(err, XENOPS_EINVAL,
				      "%s: CPU %u is not on this host (it has %u CPUs)", field,
				      (unsigned int)(i * 64) + (unsigned int)__builtin_ctzll(beyond),
				      nr_cpus);
	}
	for (size_t i = 0; i < XO_CPUMAP_WORDS; i++) {
		map[i] = incl[i] & ~excl[i];
		any = any || map[i];
	}
	if (!any)
		return xo_err(err, XENOPS_EINVAL, "%s: \"%.64s\" leaves no CPU of this host", field,
			      s);
	return 0;
}

char *xo_cpumap_format(const uint64_t *map, unsigned int nr_cpus)
{
	uint64_t m[XO_CPUMAP_WORDS];
	char *buf = calloc(1, XO_CPULIST_TEXT_MAX);
	bool every = nr_cpus > 0;

	if (!buf)
		return NULL;
	memcpy(m, map, sizeof(m));
	for (unsigned int c = 0; c < nr_cpus && c < XO_CPUS_MAX; c++)
		every = every && xo_cpumap_test(m, c);
	if (every) {
		strcpy(buf, "all");
		return buf;
	}
	format_ranges(m, "", buf, XO_CPULIST_TEXT_MAX);
	return buf;
}

const char *xo_affinity_list(const struct xo_affinity *a, unsigned int vcpu)
{
	if (!a || a->n == 0)
		return NULL;
	if (!a->per_vcpu)
		return a->lists[0];
	return vcpu < a->n ? a->lists[vcpu] : NULL;
}

void xo_affinity_clear(struct xo_affinity *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->lists[i]);
	free(a->lists);
	memset(a, 0, sizeof(*a));
}

int xo_affinity_copy(struct xo_affinity *dst, const struct xo_affinity *src, struct xo_error *err)
{
	memset(dst, 0, sizeof(*dst));
	dst->per_vcpu = src->per_vcpu;
	if (src->n == 0)
		return 0;
	dst->lists = calloc(src->n, sizeof(*dst->lists));
	if (!dst->lists)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	for (size_t i = 0; i < src->n; i++) {
		dst->lists[i] = strdup(src->lists[i]);
		dst->n++;
		if (!dst->lists[i]) {
			xo_affinity_clear(dst);
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
	}
	return 0;
}

int xo_affinity_from_json(struct xo_affinity *a, struct json_object *v, const char *field,
			  unsigned int vcpus_max, struct xo_error *err)
{
	size_t n;
	int r;

	memset(a, 0, sizeof(*a));
	if (json_object_is_type(v, json_type_string)) {
		char *canon;

		r = xo_cpulist_canon(json_object_get_string(v), &canon, field, err);
		if (r < 0)
			return r;
		if (strcmp(canon, "all") == 0) {
			free(canon);
			return 0;
		}
		a->lists = malloc(sizeof(*a->lists));
		if (!a->lists) {
			free(canon);
			return xo_err(err, XENOPS_ENOMEM, "out of memory");
		}
		a->lists[0] = canon;
		a->n = 1;
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return xo_err(err, XENOPS_EINVAL,
			      "%s: must be a CPU list (a string) or an array of them, one per vCPU",
			      field);
	n = json_object_array_length(v);
	if (n > vcpus_max)
		return xo_err(err, XENOPS_EINVAL,
			      "%s: %zu CPU lists for %u vCPUs (vcpus_max): at most one per vCPU",
			      field, n, vcpus_max);
	a->per_vcpu = true;
	if (n == 0)
		return 0;
	a->lists = calloc(n, sizeof(*a->lists));
	if (!a->lists)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		char sub[64];

		snprintf(sub, sizeof(sub), "%s[%zu]", field, i);
		if (!json_object_is_type(e, json_type_string)) {
			xo_affinity_clear(a);
			return xo_err(err, XENOPS_EINVAL, "%s: must be a CPU list (a string)", sub);
		}
		r = xo_cpulist_canon(json_object_get_string(e), &a->lists[i], sub, err);
		a->n = i + 1;
		if (r < 0) {
			xo_affinity_clear(a);
			return r;
		}
	}
	return 0;
}

struct json_object *xo_affinity_to_json(const struct xo_affinity *a, struct xo_error *err)
{
	struct json_object *o;

	if (!a->per_vcpu) {
		o = json_object_new_string(a->n ? a->lists[0] : "all");
		if (!o)
			xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
		return o;
	}
	o = json_object_new_array();
	for (size_t i = 0; o && i < a->n; i++) {
		struct json_object *s = json_object_new_string(a->lists[i]);

		if (!s || json_object_array_add(o, s) < 0) {
			json_object_put(s);
			json_object_put(o);
			o = NULL;
		}
	}
	if (!o)
		xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	return o;
}

int xo_affinity_check_host(const struct xo_affinity *a, const char *field, unsigned int nr_cpus,
			   struct xo_error *err)
{
	uint64_t map[XO_CPUMAP_WORDS];

	for (size_t i = 0; i < a->n; i++) {
		char sub[64];
		int r;

		if (a->per_vcpu)
			snprintf(sub, sizeof(sub), "%s[%zu]", field, i);
		else
			snprintf(sub, sizeof(sub), "%s", field);
		r = xo_cpulist_map(a->lists[i], nr_cpus, map, sub, err);
		if (r < 0)
			return r;
	}
	return 0;
}
