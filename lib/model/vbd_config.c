/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VBD configuration fields (disks and CD drives) and the check of a media
 * backend string, shared with the CD insert operation.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

#define WHAT "vbd config"
#define BACKEND_PATH_MAX 1024

static const char *const vbd_fields[] = {
	"id", "device", "backend", "mode", "kind", "unpluggable", NULL,
};
static const char *const mode_names[] = { "rw", "ro", NULL };
static const char *const kind_names[] = { "disk", "cdrom", NULL };

/*
 * Host paths are handed to losetup / blkback: absolute, no ".." component
 * (the path says where it points, plainly), no control characters.
 */
static int backend_path_valid(const char *path)
{
	const char *p;

	if (path[0] != '/' || strlen(path) > BACKEND_PATH_MAX)
		return 0;
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	for (p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return 0;
	return 1;
}

int xo_vbd_backend_check(const char *backend, int allow_empty, const char *what,
			 struct xo_error *err)
{
	if (!what)
		what = "backend";
	if (!backend)
		return xo_err(err, XENOPS_EINVAL, "%s is missing", what);
	if (*backend == '\0') {
		if (allow_empty)
			return 0;
		return xo_err(err, XENOPS_EINVAL,
			      "%s must not be empty (only a cdrom may have no media)",
			      what);
	}
	if (strncmp(backend, "file:", 5) == 0 && backend_path_valid(backend + 5))
		return 0;
	if (strncmp(backend, "phy:", 4) == 0 && backend_path_valid(backend + 4))
		return 0;
	return xo_err(err, XENOPS_EINVAL,
		      "%s must be \"file:/absolute/path\" or \"phy:/absolute/path\" (no \"..\", "
		      "at most %d characters)",
		      what, BACKEND_PATH_MAX);
}

/* Linux's xen-blkfront names: xvda .. xvdzzz. */
static int device_valid(const char *s)
{
	size_t n, i;

	if (strncmp(s, "xvd", 3) != 0)
		return 0;
	n = strlen(s + 3);
	if (n < 1 || n > 3)
		return 0;
	for (i = 3; s[i]; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return 1;
}

static int read_device(struct xo_vbd_config *vbd, struct json_object *obj, struct xo_error *err)
{
	const char *s;
	int r = xo_jf_string(obj, WHAT, "device", sizeof(vbd->device) - 1, &s, err);

	if (r < 0)
		return r;
	if (r == 0)
		return xo_err(err, XENOPS_EINVAL, WHAT ": field \"device\" is required");
	if (!device_valid(s))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"device\" must be \"xvd\" and 1 to 3 lower-case letters");
	memcpy(vbd->device, s, strlen(s) + 1);
	return 0;
}

/* The kind comes first: the default mode and the need for media follow from it. */
static int read_media(struct xo_vbd_config *vbd, struct json_object *obj, struct xo_error *err)
{
	const char *backend = "";
	int kind = 0, mode, r;

	r = xo_jf_enum(obj, WHAT, "kind", kind_names, &kind, err);
	if (r < 0)
		return r;
	vbd->cdrom = kind == 1;
	mode = vbd->cdrom ? 1 : 0;
	r = xo_jf_enum(obj, WHAT, "mode", mode_names, &mode, err);
	if (r < 0)
		return r;
	if (vbd->cdrom && mode == 0)
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"mode\" must be \"ro\" for a cdrom");
	vbd->readonly = mode == 1;
	/* The length is checked below, with the message that gives the limit. */
	r = xo_jf_string(obj, WHAT, "backend", SIZE_MAX, &backend, err);
	if (r < 0)
		return r;
	r = xo_vbd_backend_check(backend, vbd->cdrom, WHAT ": field \"backend\"", err);
	if (r < 0)
		return r;
	vbd->backend = strdup(backend);
	return vbd->backend ? 0 : xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
}

int xo_vbd_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err)
{
	struct xo_vbd_config *vbd = &cfg->u.vbd;
	int r;

	vbd->unpluggable = 1;
	r = xo_jf_known(obj, WHAT, vbd_fields, err);
	if (r >= 0)
		r = xo_dev_read_id(cfg, obj, WHAT, err);
	if (r >= 0)
		r = read_device(vbd, obj, err);
	if (r >= 0)
		r = read_media(vbd, obj, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "unpluggable", &vbd->unpluggable, err);
	return r < 0 ? r : 0;
}

int xo_vbd_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err)
{
	const struct xo_vbd_config *vbd = &cfg->u.vbd;

	if (xo_jw_string(obj, "device", vbd->device, err) < 0 ||
	    xo_jw_string(obj, "backend", vbd->backend, err) < 0 ||
	    xo_jw_string(obj, "mode", vbd->readonly ? "ro" : "rw", err) < 0 ||
	    xo_jw_string(obj, "kind", vbd->cdrom ? "cdrom" : "disk", err) < 0 ||
	    xo_jw_bool(obj, "unpluggable", vbd->unpluggable, err) < 0)
		return XENOPS_ENOMEM;
	return 0;
}

int xo_vbd_ide_index(const char *dev)
{
	size_t n = strlen(dev);
	bool ide = (n == 3 && (!strncmp(dev, "hd", 2) || !strncmp(dev, "sd", 2))) ||
		   (n == 4 && !strncmp(dev, "xvd", 3));

	return ide && dev[n - 1] >= 'a' && dev[n - 1] <= 'd' ? dev[n - 1] - 'a' : -1;
}
