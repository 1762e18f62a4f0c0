/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xl.cfg(5) import: the file's syntax (KEY = VALUE statements, strings,
 * numbers, lists), then each supported key mapped to the VM configuration,
 * disk= and vif= specifications to VBD and VIF configurations. The mapping
 * is docs/xlcfg.md.
 */
#include "model/xlcfg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "xenops/common.h"

/* An atom is what a quoted string or a number leaves: xl reads both as text. */
struct xl_atom {
	char *text;
	bool quoted;
};

struct xl_setting {
	char key[64];
	int line;
	bool is_list;
	struct xl_atom atom;   /* when !is_list */
	struct xl_atom *items; /* when is_list */
	size_t n_items;
};

struct xl_parser {
	const char *p;
	int line;
	struct xo_xlcfg_error *err;
	struct xl_setting *set;
	size_t n_set, cap_set;
};

static int fail(struct xo_xlcfg_error *err, int code, int line, const char *key, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

static int fail(struct xo_xlcfg_error *err, int code, int line, const char *key, const char *fmt,
		...)
{
	va_list ap;
	int n = 0;

	err->code = code;
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	if (line > 0)
		n = snprintf(err->msg, sizeof(err->msg), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* A formatted string, malloc'd; NULL when out of memory. */
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static int nomem(struct xo_xlcfg_error *err)
{
	return fail(err, XENOPS_ENOMEM, 0, NULL, "out of memory");
}

/* ---- syntax ------------------------------------------------------------------ */

/* Blanks and a comment up to (not past) the end of the line. */
static void skip_blank(struct xl_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')
		ps->p++;
	if (*ps->p == '#')
		while (*ps->p && *ps->p != '\n')
			ps->p++;
}

/* Blanks, comments and newlines (inside a list). */
static void skip_space(struct xl_parser *ps)
{
	for (;;) {
		skip_blank(ps);
		if (*ps->p != '\n')
			return;
		ps->line++;
		ps->p++;
	}
}

/* A quoted string with C's backslash escapes; *ps->p is the quote. */
static int parse_string(struct xl_parser *ps, const char *key, struct xl_atom *out)
{
	char quote = *ps->p++;
	char *buf = malloc(strlen(ps->p) + 1), *o = buf;

	if (!buf)
		return nomem(ps->err);
	while (*ps->p != quote) {
		int c = (unsigned char)*ps->p++;

		if (c == '\0' || c == '\n') {
			free(buf);
			return fail(ps->err, XENOPS_EINVAL, ps->line, key,
				    "\"%s\": unterminated string", key);
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'a': *o++ = '\a'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'v': *o++ = '\v'; break;
		case '\\': case '\'': case '"': *o++ = (char)c; break;
		case 'x': {
			int v = 0, n = 0;

			while (n < 2 && isxdigit((unsigned char)*ps->p))
				v = v * 16 + xo_hex_digit(*ps->p++), n++;
			if (n == 0 || v == 0)
				goto bad_escape;
			*o++ = (char)v;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0', n = 1;

				while (n < 3 && *ps->p >= '0' && *ps->p <= '7')
					v = v * 8 + (*ps->p++ - '0'), n++;
				if (v == 0 || v > 255)
					goto bad_escape;
				*o++ = (char)v;
				break;
			}
			goto bad_escape;
		}
	}
	ps->p++;
	*o = '\0';
	out->text = buf;
	out->quoted = true;
	return 0;
bad_escape:
	free(buf);
	return fail(ps->err, XENOPS_EINVAL, ps->line, key, "\"%s\": invalid escape in string", key);
}

/* A number: what C's strtol reads with base 0 (decimal, 0x hex, 0 octal). */
static int parse_number(struct xl_parser *ps, const char *key, struct xl_atom *out)
{
	const char *start = ps->p;
	size_t len;

	if (*ps->p == '-' || *ps->p == '+')
		ps->p++;
	while (isalnum((unsigned char)*ps->p) || *ps->p == '.' || *ps->p == '_')
		ps->p++;
	len = (size_t)(ps->p - start);
	out->text = strndup(start, len);
	if (!out->text)
		return nomem(ps->err);
	out->quoted = false;
	errno = 0;
	{
		char *end = NULL;

		(void)strtoll(out->text, &end, 0);
		if (errno || end == out->text || *end) {
			fail(ps->err, XENOPS_EINVAL, ps->line, key, "\"%s\": invalid number \"%s\"",
			     key, out->text);
			free(out->text);
			out->text = NULL;
			return XENOPS_EINVAL;
		}
	}
	return 0;
}

static int parse_atom(struct xl_parser *ps, const char *key, struct xl_atom *out)
{
	char c = *ps->p;

	if (c == '"' || c == '\'')
		return parse_string(ps, key, out);
	if (isdigit((unsigned char)c) || c == '-' || c == '+')
		return parse_number(ps, key, out);
	if (c == '[')
		return fail(ps->err, XENOPS_EINVAL, ps->line, key,
			    "\"%s\": nested lists are not supported", key);
	if (c == '\0' || c == '\n' || c == ';')
		return fail(ps->err, XENOPS_EINVAL, ps->line, key, "\"%s\": missing value", key);
	return fail(ps->err, XENOPS_EINVAL, ps->line, key,
		    "\"%s\": expected a quoted string, a number or a list, not '%c'", key, c);
}

static void setting_clear(struct xl_setting *s)
{
	free(s->atom.text);
	for (size_t i = 0; i < s->n_items; i++)
		free(s->items[i].text);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* [ atom, atom, ... ] with an optional trailing comma, over several lines. */
static int parse_list(struct xl_parser *ps, struct xl_setting *s)
{
	size_t cap = 0;
	int rc;

	ps->p++;
	s->is_list = true;
	skip_space(ps);
	while (*ps->p != ']') {
		if (s->n_items == cap) {
			struct xl_atom *n = realloc(s->items, (cap ? cap * 2 : 4) * sizeof(*n));

			if (!n)
				return nomem(ps->err);
			s->items = n;
			cap = cap ? cap * 2 : 4;
		}
		rc = parse_atom(ps, s->key, &s->items[s->n_items]);
		if (rc < 0)
			return rc;
		s->n_items++;
		skip_space(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_space(ps);
		} else if (*ps->p != ']') {
			return fail(ps->err, XENOPS_EINVAL, ps->line, s->key,
				    "\"%s\": expected ',' or ']' in the list", s->key);
		}
	}
	ps->p++;
	return 0;
}

static struct xl_setting *find_setting(struct xl_parser *ps, const char *key)
{
	for (size_t i = 0; i < ps->n_set; i++)
		if (strcmp(ps->set[i].key, key) == 0)
			return &ps->set[i];
	return NULL;
}

/* KEY += VALUE: a list or a string grows by the new value (the items of
 * a list move to @old; @s is cleared by the caller). */
static int append_setting(struct xl_parser *ps, struct xl_setting *old, struct xl_setting *s)
{
	if (old->is_list != s->is_list)
		return fail(ps->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\": += must add a %s to a %s", s->key, old->is_list ? "list" : "string",
			    old->is_list ? "list" : "string");
	if (s->is_list) {
		struct xl_atom *n = realloc(old->items, (old->n_items + s->n_items + 1) * sizeof(*n));

		if (!n)
			return nomem(ps->err);
		old->items = n;
		memcpy(old->items + old->n_items, s->items, s->n_items * sizeof(*n));
		old->n_items += s->n_items;
		s->n_items = 0;
	} else {
		size_t a = strlen(old->atom.text), b = strlen(s->atom.text);
		char *t = realloc(old->atom.text, a + b + 1);

		if (!t)
			return nomem(ps->err);
		memcpy(t + a, s->atom.text, b + 1);
		old->atom.text = t;
		old->atom.quoted = true;
	}
	return 0;
}

static int parse_statement(struct xl_parser *ps)
{
	struct xl_setting s = { .line = ps->line };
	struct xl_setting *old;
	size_t len = 0;
	bool append = false;
	int rc;

	if (!isalpha((unsigned char)*ps->p) && *ps->p != '_')
		return fail(ps->err, XENOPS_EINVAL, ps->line, NULL, "expected a key, not '%c'", *ps->p);
	while (isalnum((unsigned char)ps->p[len]) || ps->p[len] == '_')
		len++;
	if (len >= sizeof(s.key))
		return fail(ps->err, XENOPS_EINVAL, ps->line, NULL, "key too long (%zu characters)", len);
	memcpy(s.key, ps->p, len);
	ps->p += len;
	skip_blank(ps);
	if (ps->p[0] == '+' && ps->p[1] == '=') {
		append = true;
		ps->p++;
	}
	if (*ps->p != '=')
		return fail(ps->err, XENOPS_EINVAL, ps->line, s.key, "\"%s\": expected '=' after the key",
			    s.key);
	ps->p++;
	skip_blank(ps);
	rc = *ps->p == '[' ? parse_list(ps, &s) : parse_atom(ps, s.key, &s.atom);
	if (rc < 0)
		goto out;
	skip_blank(ps);
	if (*ps->p && *ps->p != '\n' && *ps->p != ';') {
		rc = fail(ps->err, XENOPS_EINVAL, ps->line, s.key,
			  "\"%s\": unexpected '%c' after the value", s.key, *ps->p);
		goto out;
	}
	old = find_setting(ps, s.key);
	if (old && append) {
		rc = append_setting(ps, old, &s);
		goto out;
	}
	if (old) {
		rc = fail(ps->err, XENOPS_EINVAL, s.line, s.key, "\"%s\" is set twice (first on line %d)",
			  s.key, old->line);
		goto out;
	}
	if (ps->n_set == ps->cap_set) {
		size_t cap = ps->cap_set ? ps->cap_set * 2 : 16;
		struct xl_setting *n = realloc(ps->set, cap * sizeof(*n));

		if (!n) {
			rc = nomem(ps->err);
			goto out;
		}
		ps->set = n;
		ps->cap_set = cap;
	}
	ps->set[ps->n_set++] = s;
	return 0;
out:
	setting_clear(&s);
	return rc;
}

static int parse_file(struct xl_parser *ps)
{
	for (;;) {
		int rc;

		skip_blank(ps);
		if (*ps->p == '\0')
			return 0;
		if (*ps->p == '\n') {
			ps->line++;
			ps->p++;
			continue;
		}
		if (*ps->p == ';') {
			ps->p++;
			continue;
		}
		rc = parse_statement(ps);
		if (rc < 0)
			return rc;
	}
}

/* ---- values ------------------------------------------------------------------ */

struct conv {
	struct xo_xlcfg_error *err;
	struct json_object *vbds, *vifs;
	const struct xl_setting *name, *uuid, *type, *memory, *maxmem, *vcpus, *maxvcpus;
	const struct xl_setting *kernel, *ramdisk, *cmdline, *root, *extra;
	const struct xl_setting *on_poweroff, *on_reboot, *on_crash, *bootloader;
	const struct xl_setting *cpus, *cpus_soft, *cpu_weight, *cap;
	long long memory_mib, maxmem_mib;
};

static int get_string(struct conv *cv, const struct xl_setting *s, const char **out)
{
	if (s->is_list)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key, "\"%s\" must be a string, not a list",
			    s->key);
	*out = s->atom.text;
	return 0;
}

/* An integer in [min, max]; xl reads "128" and 128 alike. */
static int get_int(struct conv *cv, const struct xl_setting *s, long long min, long long max,
		   long long *out)
{
	char *end = NULL;

	if (s->is_list)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\" must be an integer, not a list", s->key);
	errno = 0;
	*out = strtoll(s->atom.text, &end, 0);
	if (errno || end == s->atom.text || *end)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\" must be an integer, not \"%s\"", s->key, s->atom.text);
	if (*out < min || *out > max)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\" must be between %lld and %lld, not %lld", s->key, min, max, *out);
	return 0;
}

static int add_str(struct conv *cv, struct json_object *obj, const char *field, const char *v)
{
	struct json_object *j = json_object_new_string(v);

	if (!j || json_object_object_add(obj, field, j) < 0) {
		json_object_put(j);
		return nomem(cv->err);
	}
	return 0;
}

static int add_int(struct conv *cv, struct json_object *obj, const char *field, long long v)
{
	struct json_object *j = json_object_new_int64(v);

	if (!j || json_object_object_add(obj, field, j) < 0) {
		json_object_put(j);
		return nomem(cv->err);
	}
	return 0;
}

/* ---- disk= ------------------------------------------------------------------- */

enum { D_TARGET, D_FORMAT, D_VDEV, D_ACCESS, D_NPOS };
static const char *const disk_pos_names[D_NPOS] = { "target", "format", "vdev", "access" };

/* Flags of xl-disk-configuration that this import does not support. */
static const char *const disk_flags_unsupported[] = {
	"discard", "no-discard", "direct-io-safe", "colo", "trusted", "untrusted", NULL,
};

struct diskspec {
	char *pos[D_NPOS]; /* borrowed from the work copy; NULL: not given */
	const char *devtype, *backendtype;
	bool cdrom_flag;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* "prefix:" before the path (the deprecated syntax). */
static bool has_prefix(const char *target)
{
	const char *colon = strchr(target, ':'), *slash = strchr(target, '/');

	return colon && (!slash || colon < slash);
}

/* Parameters of one specification; the why buffer explains a refusal. */
static int disk_split(struct diskspec *d, char *buf, char *why, size_t whylen)
{
	char *s = buf;

	while (s) {
		char *comma, *tok, *eq;
		int i;

		while (*s == ' ' || *s == '\t')
			s++;
		/* target= comes last and takes the rest, commas included. */
		if (strncmp(s, "target=", 7) == 0) {
			if (d->pos[D_TARGET]) {
				snprintf(why, whylen, "target is given twice");
				return -1;
			}
			d->pos[D_TARGET] = s + 7;
			return 0;
		}
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		tok = trim(s);
		s = comma ? comma + 1 : NULL;
		eq = strchr(tok, '=');
		if (eq) {
			char *val = trim(eq + 1);

			*eq = '\0';
			tok = trim(tok);
			for (i = 0; i < D_NPOS && strcmp(tok, disk_pos_names[i]) != 0; i++)
				;
			if (i < D_NPOS) {
				if (d->pos[i]) {
					snprintf(why, whylen, "%s is given twice", tok);
					return -1;
				}
				d->pos[i] = val;
			} else if (strcmp(tok, "devtype") == 0 && !d->devtype) {
				d->devtype = val;
			} else if (strcmp(tok, "backendtype") == 0 && !d->backendtype) {
				d->backendtype = val;
			} else if (strcmp(tok, "devtype") == 0 || strcmp(tok, "backendtype") == 0) {
				snprintf(why, whylen, "%s is given twice", tok);
				return -1;
			} else {
				snprintf(why, whylen, "parameter \"%.64s\" is not supported", tok);
				return -1;
			}
			continue;
		}
		if (strcmp(tok, "cdrom") == 0) {
			d->cdrom_flag = true;
			continue;
		}
		if (in_list(tok, disk_flags_unsupported)) {
			snprintf(why, whylen, "flag \"%s\" is not supported", tok);
			return -1;
		}
		for (i = 0; i < D_NPOS && d->pos[i]; i++)
			;
		if (i == D_NPOS) {
			if (!comma && !*tok)
				return 0; /* a trailing comma */
			snprintf(why, whylen, "too many positional parameters at \"%.64s\"", tok);
			return -1;
		}
		d->pos[i] = tok;
		/* The old form "phy:/dev/x,xvda,w" has no format parameter. */
		if (i == D_TARGET && !d->pos[D_FORMAT] && has_prefix(tok))
			d->pos[D_FORMAT] = "";
	}
	return 0;
}

/* Deprecated "phy:", "file:", "raw:", "tap:aio:" prefixes of the target. */
static int disk_prefixes(char **target, const char **format, bool *phy, char *why, size_t whylen)
{
	static const char *const bad_formats[] = { "qcow", "qcow2", "vhd", "qed", NULL };

	for (;;) {
		char *colon = strchr(*target, ':'), *slash = strchr(*target, '/');
		size_t n;

		if (!colon || (slash && slash < colon))
			return 0;
		n = (size_t)(colon - *target);
		if (n == 3 && strncmp(*target, "phy", 3) == 0) {
			*phy = true;
		} else if ((n == 4 && strncmp(*target, "file", 4) == 0) ||
			   (n == 3 && strncmp(*target, "tap", 3) == 0) ||
			   (n == 4 && strncmp(*target, "tap2", 4) == 0) ||
			   (n == 3 && strncmp(*target, "aio", 3) == 0)) {
			/* a file, raw */
		} else if (n == 3 && strncmp(*target, "raw", 3) == 0) {
			if (*format && **format && strcmp(*format, "raw") != 0) {
				snprintf(why, whylen, "prefix \"raw:\" contradicts format \"%s\"", *format);
				return -1;
			}
			*format = "raw";
		} else {
			*colon = '\0';
			snprintf(why, whylen, in_list(*target, bad_formats)
					      ? "format \"%.16s\" is not supported (only raw)"
					      : "target prefix \"%.16s:\" is not supported",
				 *target);
			return -1;
		}
		*target = colon + 1;
	}
}

static bool vdev_ok(const char *v)
{
	size_t n = strlen(v);

	if (n < 4 || n > 6 || strncmp(v, "xvd", 3) != 0)
		return false;
	for (size_t i = 3; i < n; i++)
		if (v[i] < 'a' || v[i] > 'z')
			return false;
	return true;
}

/* A disk specification once its parameters are read. */
struct disk {
	char *target, *vdev;
	const char *format, *access, *mode;
	bool cdrom, phy;
};

/* What the parameters say: the target's prefixes, the vdev suffix,
 * devtype, backendtype, format. */
static int disk_resolve(struct disk *r, struct diskspec *d, char *why, size_t whylen)
{
	char *suffix;

	r->target = d->pos[D_TARGET] ? d->pos[D_TARGET] : "";
	r->format = d->pos[D_FORMAT] ? d->pos[D_FORMAT] : "";
	r->vdev = d->pos[D_VDEV] ? d->pos[D_VDEV] : "";
	r->access = d->pos[D_ACCESS] ? d->pos[D_ACCESS] : "";
	r->cdrom = d->cdrom_flag;
	if (disk_prefixes(&r->target, &r->format, &r->phy, why, whylen) < 0)
		return -1;
	suffix = strchr(r->vdev, ':');
	if (suffix) {
		*suffix++ = '\0';
		if (strcmp(suffix, "cdrom") == 0) {
			r->cdrom = true;
		} else if (strcmp(suffix, "disk") != 0) {
			snprintf(why, whylen, "vdev suffix \":%.16s\" is not supported", suffix);
			return -1;
		}
	}
	if (d->devtype && strcmp(d->devtype, "cdrom") == 0) {
		r->cdrom = true;
	} else if (d->devtype && strcmp(d->devtype, "disk") != 0) {
		snprintf(why, whylen, "devtype \"%.32s\" is not supported (cdrom or disk)", d->devtype);
		return -1;
	}
	if (d->backendtype && strcmp(d->backendtype, "phy") == 0) {
		r->phy = true;
	} else if (d->backendtype) {
		snprintf(why, whylen, "backendtype \"%.32s\" is not supported (only phy)",
			 d->backendtype);
		return -1;
	}
	if (*r->format && strcmp(r->format, "raw") != 0) {
		snprintf(why, whylen, "format \"%.32s\" is not supported (only raw)", r->format);
		return -1;
	}
	return 0;
}

/* The vdev, the access mode and the target, as the VBD schema takes them. */
static int disk_check(struct disk *r, char *why, size_t whylen)
{
	if (!*r->vdev) {
		snprintf(why, whylen, "no vdev");
		return -1;
	}
	if (!vdev_ok(r->vdev)) {
		snprintf(why, whylen, "vdev \"%.32s\" is not supported (xvda to xvdzzz)", r->vdev);
		return -1;
	}
	if (!*r->access) {
		r->mode = r->cdrom ? "ro" : "rw";
	} else if (strcmp(r->access, "r") == 0 || strcmp(r->access, "ro") == 0) {
		r->mode = "ro";
	} else if (strcmp(r->access, "w") == 0 || strcmp(r->access, "rw") == 0) {
		r->mode = "rw";
	} else {
		snprintf(why, whylen, "access \"%.32s\" is not supported (r, ro, w or rw)", r->access);
		return -1;
	}
	if (r->cdrom && strcmp(r->mode, "rw") == 0) {
		snprintf(why, whylen, "a cdrom is read-only");
		return -1;
	}
	if (*r->target && r->target[0] != '/') {
		snprintf(why, whylen, "target \"%.64s\" is not an absolute path", r->target);
		return -1;
	}
	if (!*r->target && !r->cdrom) {
		snprintf(why, whylen, "no target (only a cdrom may be empty)");
		return -1;
	}
	/* xl looks at the target to choose; a pure conversion goes by its name. */
	if (strncmp(r->target, "/dev/", 5) == 0)
		r->phy = true;
	return 0;
}

static struct json_object *disk_json(const struct disk *r, char *why, size_t whylen)
{
	struct json_object *o = json_object_new_object();
	char *backend = !*r->target ? strdup("")
				    : str_printf("%s:%s", r->phy ? "phy" : "file", r->target);

	if (!o || !backend || json_object_object_add(o, "device", json_object_new_string(r->vdev)) < 0 ||
	    json_object_object_add(o, "backend", json_object_new_string(backend)) < 0 ||
	    json_object_object_add(o, "mode", json_object_new_string(r->mode)) < 0 ||
	    json_object_object_add(o, "kind", json_object_new_string(r->cdrom ? "cdrom" : "disk")) < 0) {
		snprintf(why, whylen, "out of memory");
		json_object_put(o);
		o = NULL;
	}
	free(backend);
	return o;
}

/* One disk specification to a VBD configuration, or NULL with @why. */
static struct json_object *disk_convert(const char *spec, char *why, size_t whylen)
{
	struct diskspec d = { 0 };
	struct disk r = { 0 };
	struct json_object *o = NULL;
	char *buf = strdup(spec);

	if (!buf) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (disk_split(&d, buf, why, whylen) == 0 && disk_resolve(&r, &d, why, whylen) == 0 &&
	    disk_check(&r, why, whylen) == 0)
		o = disk_json(&r, why, whylen);
	free(buf);
	return o;
}

/* ---- vif= -------------------------------------------------------------------- */

static struct json_object *vif_convert(const char *spec, int index, char *why, size_t whylen)
{
	struct json_object *o = json_object_new_object();
	char *buf = strdup(spec), *s = buf;
	bool seen_mac = false, seen_bridge = false, seen_mtu = false;

	if (!o || !buf || json_object_object_add(o, "index", json_object_new_int(index)) < 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	while (s) {
		char *comma = strchr(s, ','), *tok, *eq, *val;
		bool *seen;

		if (comma)
			*comma = '\0';
		tok = trim(s);
		s = comma ? comma + 1 : NULL;
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, whylen, "\"%.64s\" is not KEY=VALUE", tok);
			goto fail;
		}
		*eq = '\0';
		val = trim(eq + 1);
		tok = trim(tok);
		seen = strcmp(tok, "mac") == 0      ? &seen_mac
		       : strcmp(tok, "bridge") == 0 ? &seen_bridge
		       : strcmp(tok, "mtu") == 0    ? &seen_mtu
						    : NULL;
		if (!seen) {
			snprintf(why, whylen, "key \"%.64s\" is not supported (mac, bridge, mtu)", tok);
			goto fail;
		}
		if (*seen) {
			snprintf(why, whylen, "%s is given twice", tok);
			goto fail;
		}
		*seen = true;
		if (seen == &seen_mtu) {
			char *end = NULL;
			long v;

			errno = 0;
			v = strtol(val, &end, 10);
			if (errno || end == val || *end || v < 0 || v > INT_MAX) {
				snprintf(why, whylen, "mtu \"%.32s\" is not an integer", val);
				goto fail;
			}
			if (json_object_object_add(o, "mtu", json_object_new_int((int)v)) < 0) {
				snprintf(why, whylen, "out of memory");
				goto fail;
			}
		} else if (json_object_object_add(o, tok, json_object_new_string(val)) < 0) {
			snprintf(why, whylen, "out of memory");
			goto fail;
		}
	}
	free(buf);
	return o;
fail:
	free(buf);
	json_object_put(o);
	return NULL;
}

/* ---- keys -------------------------------------------------------------------- */

/* A list key whose items are device specifications. */
static int conv_devices(struct conv *cv, const struct xl_setting *s, bool disk)
{
	struct json_object *arr = disk ? cv->vbds : cv->vifs;

	if (!s->is_list)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\" must be a list of strings", s->key);
	for (size_t i = 0; i < s->n_items; i++) {
		char why[256];
		struct json_object *dev;

		if (!s->items[i].quoted)
			return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
				    "%s[%zu]: must be a quoted string", s->key, i);
		dev = disk ? disk_convert(s->items[i].text, why, sizeof(why))
			   : vif_convert(s->items[i].text, (int)i, why, sizeof(why));
		if (!dev)
			return fail(cv->err, strcmp(why, "out of memory") ? XENOPS_EINVAL : XENOPS_ENOMEM,
				    s->line, s->key, "%s[%zu] \"%.128s\": %s", s->key, i,
				    s->items[i].text, why);
		if (json_object_array_add(arr, dev) < 0) {
			json_object_put(dev);
			return nomem(cv->err);
		}
	}
	return 0;
}

struct key_slot {
	const char *key;
	size_t offset; /* of the setting pointer in struct conv */
};

#define SLOT(k) { #k, offsetof(struct conv, k) }
static const struct key_slot key_slots[] = {
	SLOT(name),	SLOT(uuid),    SLOT(type),   SLOT(memory),	SLOT(maxmem),
	SLOT(vcpus),	SLOT(maxvcpus), SLOT(kernel), SLOT(ramdisk),	SLOT(cmdline),
	SLOT(root),	SLOT(extra),   SLOT(on_poweroff), SLOT(on_reboot), SLOT(on_crash),
	SLOT(bootloader), SLOT(cpus), SLOT(cpus_soft), SLOT(cpu_weight), SLOT(cap),
	{ NULL, 0 },
};
#undef SLOT

static bool uuid_ok(const char *u)
{
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !isxdigit((unsigned char)u[i]))
			return false;
	}
	return true;
}

/* What the library takes as an id: 1 to 64 of [A-Za-z0-9_.:-], not "." or "..". */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.:-", s[i]))
			return false;
	return true;
}

static int conv_action(struct conv *cv, struct json_object *vm, const struct xl_setting *s,
		       const char *field)
{
	static const char *const ok[] = { "destroy", "restart", "preserve", NULL };
	const char *v = NULL;
	int rc;

	if (!s)
		return 0;
	rc = get_string(cv, s, &v);
	if (rc < 0)
		return rc;
	if (!in_list(v, ok))
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\": \"%.32s\" is not supported (destroy, restart or preserve)", s->key,
			    v);
	return add_str(cv, vm, field, v);
}

static int conv_path(struct conv *cv, struct json_object *vm, const struct xl_setting *s,
		     const char *field)
{
	const char *v = NULL;
	int rc;

	if (!s)
		return 0;
	rc = get_string(cv, s, &v);
	if (rc < 0)
		return rc;
	return add_str(cv, vm, field, v);
}

/* Checked where it stands: an HVM file is refused at its type line. */
static int check_type(struct conv *cv, const struct xl_setting *s, const char **type)
{
	int rc = get_string(cv, s, type);

	if (rc < 0)
		return rc;
	if (strcmp(*type, "pv") != 0 && strcmp(*type, "pvh") != 0)
		return fail(cv->err, XENOPS_EINVAL, s->line, "type",
			    "\"type\": \"%.32s\" is not supported (pv or pvh)", *type);
	return 0;
}

static int conv_identity(struct conv *cv, struct json_object *vm)
{
	const char *name = NULL, *uuid = NULL, *type = NULL;
	int rc;

	if (cv->uuid) {
		char lower[37];

		rc = get_string(cv, cv->uuid, &uuid);
		if (rc < 0)
			return rc;
		if (!uuid_ok(uuid))
			return fail(cv->err, XENOPS_EINVAL, cv->uuid->line, "uuid",
				    "\"uuid\": \"%.64s\" is not a UUID", uuid);
		for (int i = 0; i < 37; i++)
			lower[i] = (char)tolower((unsigned char)uuid[i]);
		rc = add_str(cv, vm, "id", lower);
		if (rc < 0)
			return rc;
	}
	if (cv->name) {
		rc = get_string(cv, cv->name, &name);
		if (rc < 0)
			return rc;
		if (!uuid && id_ok(name)) {
			rc = add_str(cv, vm, "id", name);
			if (rc < 0)
				return rc;
		}
		rc = add_str(cv, vm, "name", name);
		if (rc < 0)
			return rc;
	}
	if (cv->type) {
		rc = check_type(cv, cv->type, &type);
		if (rc < 0)
			return rc;
		rc = add_str(cv, vm, "type", type);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int conv_sizes(struct conv *cv, struct json_object *vm)
{
	long long memory = -1, maxmem = -1, vcpus = -1, maxvcpus = -1;
	int rc = 0;

	if (cv->memory && (rc = get_int(cv, cv->memory, 1, INT_MAX, &memory)) < 0)
		return rc;
	if (cv->maxmem && (rc = get_int(cv, cv->maxmem, 1, INT_MAX, &maxmem)) < 0)
		return rc;
	if (cv->vcpus && (rc = get_int(cv, cv->vcpus, 1, INT_MAX, &vcpus)) < 0)
		return rc;
	if (cv->maxvcpus && (rc = get_int(cv, cv->maxvcpus, 1, INT_MAX, &maxvcpus)) < 0)
		return rc;
	if (memory > 0 && maxmem > 0 && maxmem < memory)
		return fail(cv->err, XENOPS_EINVAL, cv->maxmem->line, "maxmem",
			    "\"maxmem\" (%lld) is less than \"memory\" (%lld)", maxmem, memory);
	if (maxmem > 0 || memory > 0)
		rc = add_int(cv, vm, "memory_mib", maxmem > 0 ? maxmem : memory);
	if (rc == 0 && memory > 0)
		rc = add_int(cv, vm, "memory_target_mib", memory);
	if (rc == 0 && maxvcpus > 0)
		rc = add_int(cv, vm, "vcpus_max", maxvcpus);
	if (rc == 0 && vcpus > 0)
		rc = add_int(cv, vm, "vcpus", vcpus);
	return rc;
}

/* cmdline, or "root=ROOT EXTRA" from root and extra. */
static int conv_cmdline(struct conv *cv, struct json_object *vm)
{
	const char *cmdline = NULL, *root = NULL, *extra = NULL;
	char *joined;
	int rc;

	if (cv->cmdline) {
		const struct xl_setting *other = cv->root ? cv->root : cv->extra;

		if (other)
			return fail(cv->err, XENOPS_EINVAL, other->line, other->key,
				    "\"%s\" cannot be combined with \"cmdline\" (line %d): put it in cmdline",
				    other->key, cv->cmdline->line);
		rc = get_string(cv, cv->cmdline, &cmdline);
		return rc < 0 ? rc : add_str(cv, vm, "cmdline", cmdline);
	}
	if (cv->root && (rc = get_string(cv, cv->root, &root)) < 0)
		return rc;
	if (cv->extra && (rc = get_string(cv, cv->extra, &extra)) < 0)
		return rc;
	if (!root && !extra)
		return 0;
	joined = malloc((root ? strlen(root) + 6 : 0) + (extra ? strlen(extra) : 0) + 1);
	if (!joined)
		return nomem(cv->err);
	sprintf(joined, "%s%s%s%s", root ? "root=" : "", root ? root : "", root && extra ? " " : "",
		extra ? extra : "");
	rc = add_str(cv, vm, "cmdline", joined);
	free(joined);
	return rc;
}

/*
 * bootloader = "pygrub": the guest boots the kernel on its own disk, which
 * is what "boot": "grub" does with GRUB built for Xen, inside the guest.
 * pygrub's kernel/ramdisk/extra pick an entry on the guest's disk; GRUB
 * reads the guest's own grub.cfg instead, so they are refused with it.
 */
static int conv_boot(struct conv *cv, struct json_object *vm)
{
	const struct xl_setting *with[] = { cv->kernel, cv->ramdisk, cv->cmdline, cv->root,
					    cv->extra };
	const char *v = NULL, *base;
	int rc;

	if (!cv->bootloader)
		return 0;
	rc = get_string(cv, cv->bootloader, &v);
	if (rc < 0)
		return rc;
	base = strrchr(v, '/') ? strrchr(v, '/') + 1 : v;
	if (strcmp(base, "pygrub") != 0)
		return fail(cv->err, XENOPS_EINVAL, cv->bootloader->line, "bootloader",
			    "\"bootloader\": \"%.64s\" is not supported (only pygrub, imported as "
			    "\"boot\": \"grub\")",
			    v);
	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		if (with[i])
			return fail(cv->err, XENOPS_EINVAL, with[i]->line, with[i]->key,
				    "\"%s\" with \"bootloader\" is not supported: GRUB boot reads "
				    "the guest's own /boot/grub/grub.cfg",
				    with[i]->key);
	return add_str(cv, vm, "boot", "grub");
}

/* One CPU list of @s ("2-3,5", "all", "0-7,^1"), canonical; NUMA node forms are refused. */
static int cpu_list(struct conv *cv, const struct xl_setting *s, const char *text, char **out)
{
	struct xo_error lerr = { 0 };
	int rc;

	if (strncmp(text, "node", 4) == 0)
		return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
			    "\"%s\": \"%.64s\": NUMA node lists are not supported (give CPUs)",
			    s->key, text);
	rc = xo_cpulist_canon(text, out, s->key, &lerr);
	if (rc < 0) {
		rc = fail(cv->err, rc, s->line, s->key, "%s", lerr.msg);
		xo_error_clear(&lerr);
	}
	return rc;
}

/* cpus / cpus_soft: a list for every vCPU, or a list of them, one per vCPU. */
static int conv_cpus(struct conv *cv, struct json_object *vm, const struct xl_setting *s,
		     const char *field)
{
	struct json_object *arr;
	char *canon = NULL;
	int rc;

	if (!s)
		return 0;
	if (!s->is_list) {
		rc = cpu_list(cv, s, s->atom.text, &canon);
		if (rc == 0)
			rc = add_str(cv, vm, field, canon);
		free(canon);
		return rc;
	}
	arr = json_object_new_array();
	if (!arr || json_object_object_add(vm, field, arr) < 0) {
		json_object_put(arr);
		return nomem(cv->err);
	}
	for (size_t i = 0; i < s->n_items; i++) {
		struct json_object *j;

		rc = cpu_list(cv, s, s->items[i].text, &canon);
		if (rc < 0)
			return rc;
		j = json_object_new_string(canon);
		free(canon);
		if (!j || json_object_array_add(arr, j) < 0) {
			json_object_put(j);
			return nomem(cv->err);
		}
	}
	return 0;
}

/* cpu_weight and cap: the scheduler's, checked by the VM configuration's rules. */
static int conv_sched(struct conv *cv, struct json_object *vm)
{
	long long v;
	int rc;

	if (cv->cpu_weight) {
		rc = get_int(cv, cv->cpu_weight, 1, 65535, &v);
		if (rc == 0)
			rc = add_int(cv, vm, "weight", v);
		if (rc < 0)
			return rc;
	}
	if (cv->cap) {
		rc = get_int(cv, cv->cap, 0, 65535, &v);
		if (rc == 0)
			rc = add_int(cv, vm, "cap", v);
		if (rc < 0)
			return rc;
	}
	rc = conv_cpus(cv, vm, cv->cpus, "affinity");
	return rc < 0 ? rc : conv_cpus(cv, vm, cv->cpus_soft, "soft_affinity");
}

static int conv_all(struct conv *cv, struct xl_parser *ps, struct json_object *vm)
{
	struct json_object *devs;
	int rc;

	for (size_t i = 0; i < ps->n_set; i++) {
		const struct xl_setting *s = &ps->set[i];
		const struct key_slot *k;

		if (strcmp(s->key, "disk") == 0 || strcmp(s->key, "vif") == 0) {
			rc = conv_devices(cv, s, s->key[0] == 'd');
			if (rc < 0)
				return rc;
			continue;
		}
		for (k = key_slots; k->key && strcmp(k->key, s->key) != 0; k++)
			;
		if (!k->key)
			return fail(cv->err, XENOPS_EINVAL, s->line, s->key,
				    "key \"%s\" is not supported", s->key);
		*(const struct xl_setting **)((char *)cv + k->offset) = s;
		if (strcmp(s->key, "type") == 0) {
			const char *type;

			rc = check_type(cv, s, &type);
			if (rc < 0)
				return rc;
		}
	}
	if ((rc = conv_identity(cv, vm)) < 0 || (rc = conv_sizes(cv, vm)) < 0 ||
	    (rc = conv_boot(cv, vm)) < 0 || (rc = conv_path(cv, vm, cv->kernel, "kernel")) < 0 ||
	    (rc = conv_path(cv, vm, cv->ramdisk, "ramdisk")) < 0 || (rc = conv_cmdline(cv, vm)) < 0 ||
	    (rc = conv_action(cv, vm, cv->on_poweroff, "on_shutdown")) < 0 ||
	    (rc = conv_action(cv, vm, cv->on_reboot, "on_reboot")) < 0 ||
	    (rc = conv_action(cv, vm, cv->on_crash, "on_crash")) < 0 ||
	    (rc = conv_sched(cv, vm)) < 0)
		return rc;
	if (json_object_array_length(cv->vbds) == 0 && json_object_array_length(cv->vifs) == 0)
		return 0;
	devs = json_object_new_object();
	if (!devs || json_object_object_add(vm, "devices", devs) < 0) {
		json_object_put(devs);
		return nomem(cv->err);
	}
	if (json_object_array_length(cv->vbds)) {
		if (json_object_object_add(devs, "vbd", cv->vbds) < 0)
			return nomem(cv->err);
		cv->vbds = NULL;
	}
	if (json_object_array_length(cv->vifs)) {
		if (json_object_object_add(devs, "vif", cv->vifs) < 0)
			return nomem(cv->err);
		cv->vifs = NULL;
	}
	return 0;
}

int xo_xlcfg_convert(struct json_object **out, const char *text, struct xo_xlcfg_error *err)
{
	struct xl_parser ps = { .p = text, .line = 1, .err = err };
	struct conv cv = { .err = err };
	struct json_object *vm = NULL;
	int rc;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	rc = parse_file(&ps);
	if (rc < 0)
		goto out;
	vm = json_object_new_object();
	cv.vbds = json_object_new_array();
	cv.vifs = json_object_new_array();
	if (!vm || !cv.vbds || !cv.vifs) {
		rc = nomem(err);
		goto out;
	}
	rc = conv_all(&cv, &ps, vm);
	if (rc == 0) {
		*out = vm;
		vm = NULL;
	}
out:
	json_object_put(vm);
	json_object_put(cv.vbds);
	json_object_put(cv.vifs);
	for (size_t i = 0; i < ps.n_set; i++)
		setting_clear(&ps.set[i]);
	free(ps.set);
	return rc;
}
