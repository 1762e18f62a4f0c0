/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one set of JSON helpers: text <-> json-c objects, and the strict
 * typed field readers and writers that every model object is built on.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

/* Deep enough for every record and RPC message, shallow enough that hostile
 * input cannot exhaust the stack of json-c's recursive frees. */
#define XO_JSON_MAX_DEPTH 64

/*
 * One tokener per thread, kept between parses: json-c allocates a tokener
 * and its parse stack anew for each json_tokener_new_ex, which was a tenth
 * of defining a VM. The thread's tokener is taken out while in use (a
 * parse inside a parse gets a new one), freed when the thread exits; the
 * __thread copy of the pointer keeps it reachable for leak checkers until
 * then.
 */
static pthread_key_t tok_key;
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;
static bool tok_key_ok;
static __thread struct json_tokener *tok_cached;

static void tok_destroy(void *p)
{
	tok_cached = NULL;
	json_tokener_free(p);
}

static void tok_key_init(void)
{
	tok_key_ok = pthread_key_create(&tok_key, tok_destroy) == 0;
}

static struct json_tokener *tok_take(void)
{
	struct json_tokener *tok = tok_cached;

	if (tok) {
		tok_cached = NULL;
		pthread_setspecific(tok_key, NULL);
		return tok;
	}
	return json_tokener_new_ex(XO_JSON_MAX_DEPTH);
}

static void tok_give_back(struct json_tokener *tok)
{
	if (!tok)
		return;
	pthread_once(&tok_once, tok_key_init);
	if (tok_key_ok && !tok_cached && pthread_setspecific(tok_key, tok) == 0) {
		json_tokener_reset(tok);
		tok_cached = tok;
		return;
	}
	json_tokener_free(tok);
}

char *xo_json_dumps(struct json_object *obj)
{
	/* Paths are everywhere in our records: "\/boot\/vmlinuz" is valid JSON
	 * but unreadable in files and terminals. */
	const char *s = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return s ? strdup(s) : NULL;
}

static size_t skip_space(const char *text, size_t pos)
{
	while (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')
		pos++;
	return pos;
}

/*
 * The characters allowed outside strings: structure, white space, numbers
 * and the letters of true, false and null (NUL too, as strchr's
 * terminator was: the text's length stops before any).
 */
static const unsigned char plain_char[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1,
	[']'] = 1, [':'] = 1, [','] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1,
	['-'] = 1, ['.'] = 1, ['e'] = 1, ['E'] = 1, ['t'] = 1, ['r'] = 1, ['u'] = 1,
	['f'] = 1, ['a'] = 1, ['l'] = 1, ['s'] = 1, ['n'] = 1, [0] = 1
};

/*
 * Even in strict mode json-c takes single-quoted strings, NaN and Infinity.
 * None is JSON, and accepting them would make our inputs a dialect that
 * other parsers reject: outside strings, only JSON's own characters pass.
 * The offset of the first foreign character, or @len.
 */
static size_t foreign_char(const char *text, size_t len)
{
	int in_string = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (!plain_char[(unsigned char)c]) {
			return i;
		}
	}
	return len;
}

/*
 * json-c decodes \u0000 into a string and keeps its length, but object
 * member names and every C string read back stop at the NUL: "id\u0000x"
 * would be taken for "id". No input of ours has a use for NUL, so any
 * \u0000 escape refuses the text. The offset of the first one, or @len.
 */
static size_t nul_escape(const char *text, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] == 'u' && i + 5 < len && !strncmp(text + i + 2, "0000", 4))
			return i;
		i++; /* the escaped character, a backslash among them */
	}
	return len;
}

int xo_json_loads(struct json_object **out, const char *text, const char *what,
		  struct xo_error *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t len, end, bad;
	int r = 0;

	if (!what)
		what = "JSON";
	if (!out || !text)
		return xo_err(err, XENOPS_EINVAL, "%s: no JSON text", what);
	*out = NULL;
	len = strlen(text);
	/* json-c takes an int length (and the terminating NUL, so that a bare
	 * number at the end of input is complete). */
	if (len >= INT32_MAX)
		return xo_err(err, XENOPS_EINVAL, "%s: JSON text too large", what);
	tok = tok_take();
	if (!tok)
		return xo_err(err, XENOPS_ENOMEM, "%s: out of memory", what);
	/* Strict: what other languages' encoders produce, nothing more (no
	 * comments, single quotes or trailing commas), and valid UTF-8. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8 |
					    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj || jerr != json_tokener_success) {
		r = xo_err(err, XENOPS_EINVAL, "%s: invalid JSON at offset %zu: %s", what,
			   end > len ? len : end, json_tokener_error_desc(jerr));
		goto out;
	}
	end = end > len ? len : end;
	bad = foreign_char(text, end);
	if (bad < end) {
		r = xo_err(err, XENOPS_EINVAL,
			   "%s: invalid JSON at offset %zu: unexpected character",
			   what, bad);
		goto out;
	}
	bad = nul_escape(text, end);
	if (bad < end) {
		r = xo_err(err, XENOPS_EINVAL,
			   "%s: invalid JSON at offset %zu: a NUL character (\\u0000) in a string",
			   what, bad);
		goto out;
	}
	end = skip_space(text, end);
	if (end < len) {
		r = xo_err(err, XENOPS_EINVAL,
			   "%s: invalid JSON at offset %zu: trailing characters",
			   what, end);
		goto out;
	}
	*out = obj;
	obj = NULL;
out:
	json_object_put(obj);
	tok_give_back(tok);
	return r;
}

/* ---- readers ---- */

int xo_jf_type_error(const char *what, const char *field, const char *expected,
		     struct xo_error *err)
{
	return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" must be %s", what, field, expected);
}

int xo_jf_known(struct json_object *obj, const char *what, const char *const *known,
		struct xo_error *err)
{
	json_object_object_foreach(obj, key, val) {
		size_t i;

		(void)val;
		for (i = 0; known[i]; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (!known[i])
			return xo_err(err, XENOPS_EINVAL, "%s: unknown field \"%.64s\"", what, key);
	}
	return 0;
}

/* 1 and *out when present, 0 when absent. */
static int field_get(struct json_object *obj, const char *field, struct json_object **out)
{
	return json_object_object_get_ex(obj, field, out) ? 1 : 0;
}

int xo_jf_string(struct json_object *obj, const char *what, const char *field, size_t max_len,
		 const char **out, struct xo_error *err)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (!field_get(obj, field, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return xo_jf_type_error(what, field, "a string", err);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* "\u0000" is valid JSON, but everything downstream is C strings. */
	if (strlen(s) != len)
		return xo_err(err, XENOPS_EINVAL,
			      "%s: field \"%s\" must not contain NUL characters",
			      what, field);
	if (len > max_len)
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" is longer than %zu characters",
			      what, field, max_len);
	*out = s;
	return 1;
}

int xo_jf_int(struct json_object *obj, const char *what, const char *field, int64_t min,
	      int64_t max, int64_t *out, struct xo_error *err)
{
	struct json_object *v;
	int64_t n;

	if (!field_get(obj, field, &v))
		return 0;
	/* json-c types 1.5 and 1e3 as doubles: neither is an integer here. */
	if (!json_object_is_type(v, json_type_int))
		return xo_jf_type_error(what, field, "an integer", err);
	/* Values past int64 saturate, so they land out of range below. */
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return xo_err(err, XENOPS_EINVAL,
			      "%s: field \"%s\" must be between %" PRId64 " and %" PRId64, what,
			      field, min, max);
	*out = n;
	return 1;
}

int xo_jf_bool(struct json_object *obj, const char *what, const char *field, int *out,
	       struct xo_error *err)
{
	struct json_object *v;

	if (!field_get(obj, field, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return xo_jf_type_error(what, field, "a boolean", err);
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 1;
}

int xo_jf_enum(struct json_object *obj, const char *what, const char *field,
	       const char *const *names, int *out, struct xo_error *err)
{
	const char *s;
	char list[128];
	size_t used = 0;
	int r, i;

	r = xo_jf_string(obj, what, field, 64, &s, err);
	if (r <= 0)
		return r;
	for (i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 1;
		}
	/* The message lists the accepted names: it is the documentation at hand. */
	list[0] = '\0';
	for (i = 0; names[i] && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "",
				 names[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" must be one of %s", what, field, list);
}

int xo_jf_need_string(struct json_object *obj, const char *what, const char *field, size_t max_len,
		      const char **out, struct xo_error *err)
{
	int r = xo_jf_string(obj, what, field, max_len, out, err);

	if (r == 0)
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" is missing", what, field);
	return r < 0 ? r : 0;
}

int xo_jf_need_int(struct json_object *obj, const char *what, const char *field, int64_t min,
		   int64_t max, int64_t *out, struct xo_error *err)
{
	int r = xo_jf_int(obj, what, field, min, max, out, err);

	if (r == 0)
		return xo_err(err, XENOPS_EINVAL, "%s: field \"%s\" is missing", what, field);
	return r < 0 ? r : 0;
}

/* ---- writers ---- */

struct json_object *xo_jw_new_object(struct xo_error *err)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	return o;
}

int xo_jw_take(struct json_object *obj, const char *key, struct json_object *value,
	       struct xo_error *err)
{
	if (json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	}
	return 0;
}

/* A constructor that returned NULL ran out of memory (json-c would
 * otherwise store a JSON null and hide it). */
static int add_new(struct json_object *obj, const char *key, struct json_object *value,
		   struct xo_error *err)
{
	if (!value)
		return xo_err(err, XENOPS_ENOMEM, "out of memory building JSON");
	return xo_jw_take(obj, key, value, err);
}

int xo_jw_string(struct json_object *obj, const char *key, const char *value, struct xo_error *err)
{
	return add_new(obj, key, json_object_new_string(value ? value : ""), err);
}

int xo_jw_int(struct json_object *obj, const char *key, int64_t value, struct xo_error *err)
{
	return add_new(obj, key, json_object_new_int64(value), err);
}

int xo_jw_bool(struct json_object *obj, const char *key, int value, struct xo_error *err)
{
	return add_new(obj, key, json_object_new_boolean(value ? 1 : 0), err);
}

int xo_jw_double(struct json_object *obj, const char *key, double value, struct xo_error *err)
{
	return add_new(obj, key, json_object_new_double(value), err);
}

/* ---- struct members as JSON integers ---- */

static int64_t field_load(const void *base, const struct xo_jfield *f)
{
	const char *p = (const char *)base + f->offset;

	switch (f->type) {
	case XO_JF_INT:
		return *(const int *)p;
	case XO_JF_UINT:
		return *(const unsigned int *)p;
	case XO_JF_U64:
		return (int64_t)*(const uint64_t *)p;
	default:
		return *(const bool *)p;
	}
}

/* @v is within the field's range, which fits its type. */
static void field_store(void *base, const struct xo_jfield *f, int64_t v)
{
	char *p = (char *)base + f->offset;

	switch (f->type) {
	case XO_JF_INT:
		*(int *)p = (int)v;
		break;
	case XO_JF_UINT:
		*(unsigned int *)p = (unsigned int)v;
		break;
	case XO_JF_U64:
		*(uint64_t *)p = (uint64_t)v;
		break;
	default:
		*(bool *)p = v != 0;
		break;
	}
}

int xo_jw_fields(struct json_object *obj, const void *base, const struct xo_jfield *fields,
		 size_t n, struct xo_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = xo_jw_int(obj, fields[i].name, field_load(base, &fields[i]), err);
	return rc;
}

int xo_jf_fields(void *base, struct json_object *obj, const char *what,
		 const struct xo_jfield *fields, size_t n, struct xo_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v;
		int rc = xo_jf_need_int(obj, what, fields[i].name, fields[i].min, fields[i].max, &v,
					err);

		if (rc < 0)
			return rc;
		field_store(base, &fields[i], v);
	}
	return 0;
}
