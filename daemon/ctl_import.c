/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl vm import-xl: send an xl.cfg file's text to VM.import_xl (the
 * daemon converts it; the file is read here, with the caller's rights).
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* As the library's XENOPS_XLCFG_MAX: longer files are refused here. */
#define CTL_XLCFG_MAX (1024 * 1024)

/* The whole file ("-": stdin) as a string; NULL after printing why. */
static char *read_text(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *text;
	size_t len;

	if (!f) {
		fprintf(stderr, "xenopsctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	text = malloc(CTL_XLCFG_MAX + 2);
	if (!text) {
		fprintf(stderr, "xenopsctl: out of memory\n");
		goto out;
	}
	len = fread(text, 1, CTL_XLCFG_MAX + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "xenopsctl: %s: read error\n", path);
	} else if (len > CTL_XLCFG_MAX) {
		fprintf(stderr, "xenopsctl: %s: longer than %d bytes\n", path, CTL_XLCFG_MAX);
	} else if (memchr(text, '\0', len)) {
		fprintf(stderr, "xenopsctl: %s: not a text file (contains NUL bytes)\n", path);
	} else {
		text[len] = '\0';
		goto out;
	}
	free(text);
	text = NULL;
out:
	if (f != stdin)
		fclose(f);
	return text;
}

int ctl_import_xl(struct ctl *c, const char *path, int dry_run)
{
	struct json_object *params, *res = NULL, *config = NULL, *id = NULL;
	char *text = read_text(path);
	int rc;

	if (!text)
		return CTL_USAGE;
	params = json_object_new_object();
	json_object_object_add(params, "text", json_object_new_string(text));
	free(text);
	if (dry_run)
		json_object_object_add(params, "dry_run", json_object_new_boolean(1));
	rc = ctl_call(c, "VM.import_xl", params, &res);
	if (rc)
		return rc;
	if (c->json)
		ctl_print_json(res, 0);
	else if (dry_run && json_object_object_get_ex(res, "config", &config))
		ctl_print_json(config, 1); /* indented; it can be fed to vm add */
	else if (!dry_run && json_object_object_get_ex(res, "id", &id))
		printf("%s\n", json_object_get_string(id));
	json_object_put(res);
	return CTL_OK;
}
