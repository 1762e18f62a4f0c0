/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator backend: the file written by domain_save and read by
 * domain_restore. A simulated guest has no memory to save, so the file is
 * only the header a real save file starts with.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMAGE_FORMAT "xenops-sim-save"
#define IMAGE_VERSION 1
#define IMAGE_MAX (64 * 1024)

static const struct xo_jfield image_fields[] = {
	{ "memory", offsetof(struct xo_sim_image, memory), XO_JF_U64, 0, INT64_MAX },
	{ "vcpus", offsetof(struct xo_sim_image, vcpus), XO_JF_UINT, 1, XO_MAX_VCPUS },
	{ "cpu_time_ns", offsetof(struct xo_sim_image, cpu_time_ns), XO_JF_U64, 0, INT64_MAX },
};

static char *image_text(const struct xo_sim_image *img, struct xo_error *err)
{
	struct json_object *obj = json_object_new_object();
	char *text = NULL;

	if (obj && xo_jw_string(obj, "format", IMAGE_FORMAT, err) == 0 &&
	    xo_jw_int(obj, "version", IMAGE_VERSION, err) == 0 &&
	    xo_jw_string(obj, "vm", img->vm, err) == 0 &&
	    xo_jw_fields(obj, img, image_fields, XO_ARRAY_SIZE(image_fields), err) == 0)
		text = xo_json_dumps(obj);
	json_object_put(obj);
	return text;
}

/* O_EXCL: a save never overwrites a file, least of all another VM's image. */
int xo_sim_image_write(const char *path, const struct xo_sim_image *img, struct xo_error *err)
{
	char *text = image_text(img, err);
	FILE *f = NULL;
	int fd, rc = 0;

	if (!text)
		return xo_err(err, XENOPS_ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = errno == EEXIST ? xo_err(err, XENOPS_EEXIST, "save file %s already exists",
					      path)
				     : xo_err_errno(err, errno, "cannot create save file %s", path);
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = xo_err_errno(err, errno, "cannot write save file %s", path);
		close(fd);
		unlink(path);
		goto out;
	}
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF ||
	    fsync(fileno(f)) < 0)
		rc = xo_err_errno(err, errno, "cannot write save file %s", path);
	if (fclose(f) == EOF && rc == 0)
		rc = xo_err_errno(err, errno, "cannot write save file %s", path);
	if (rc < 0)
		unlink(path);
out:
	free(text);
	return rc;
}

static int image_parse(struct json_object *obj, const char *path, const char *vm_id,
		       struct xo_sim_image *img, struct xo_error *err)
{
	const char *format, *vm;
	int64_t version;
	int rc;

	if (!json_object_is_type(obj, json_type_object) ||
	    xo_jf_need_string(obj, path, "format", 64, &format, err) < 0 ||
	    strcmp(format, IMAGE_FORMAT) != 0)
		return xo_err(err, XENOPS_EINVAL, "%s is not a simulator save file", path);
	rc = xo_jf_need_int(obj, path, "version", 0, INT32_MAX, &version, err);
	if (rc < 0)
		return rc;
	if (version != IMAGE_VERSION)
		return xo_err(err, XENOPS_EINVAL,
			      "save file %s has version %d, this library reads %d",
			      path, (int)version, IMAGE_VERSION);
	rc = xo_jf_need_string(obj, path, "vm", XO_ID_MAX, &vm, err);
	if (rc < 0)
		return rc;
	if (strcmp(vm, vm_id) != 0)
		return xo_err(err, XENOPS_EINVAL, "save file %s belongs to VM %s, not %s", path, vm,
			      vm_id);
	snprintf(img->vm, sizeof(img->vm), "%s", vm);
	return xo_jf_fields(img, obj, path, image_fields, XO_ARRAY_SIZE(image_fields), err);
}

int xo_sim_image_read(const char *path, const char *vm_id, struct xo_sim_image *img,
		      struct xo_error *err)
{
	struct json_object *obj = NULL;
	char *text = NULL;
	int rc = xo_read_file(&text, NULL, path, IMAGE_MAX, err);

	if (rc == XENOPS_ENOTFOUND)
		return xo_err(err, rc, "save file %s does not exist", path);
	if (rc == XENOPS_EINVAL)
		return xo_err(err, rc, "%s is not a simulator save file (too large)", path);
	if (rc < 0)
		return rc;
	rc = xo_json_loads(&obj, text, path, err);
	if (rc == 0)
		rc = image_parse(obj, path, vm_id, img, err);
	json_object_put(obj);
	free(text);
	return rc;
}
