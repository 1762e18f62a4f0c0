/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file store: STATE_DIR/vm/<vm-id>/ holds config.json, one
 * <kind>.<device-id>.json per device, runtime.json and intent.json. Every
 * record is {"version": N, ...} written atomically (xo_write_file_atomic);
 * records of an older format are upgraded when loaded. A record that
 * cannot be read puts its VM in error state with the reason; it never
 * stops the others from loading.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/lock.h"
#include "store/store.h"

#define RECORD_MAX (4u << 20)

/*
 * Format history. 0: the bare object (configurations only, before the
 * envelope existed); 1: {"version": 1, <payload key>: object}.
 */
#define FORMAT_OLDEST 0

struct xo_store {
	char *dir;    /* STATE_DIR/vm */
	struct xo_dir_lock *lock; /* STATE_DIR/lock, held while open */
	const struct xo_log *log;
};

static const char *const dev_prefix[] = { [XENOPS_KIND_VBD] = "vbd", [XENOPS_KIND_VIF] = "vif",
					  [XENOPS_KIND_PCI] = "pci" };

static char *vm_dir(struct xo_store *s, const char *vm)
{
	return xo_asprintf("%s/%s", s->dir, vm);
}

/* Write {"version": 1, key: payload} as <vm>/<name>. Takes @payload. */
/* The text of a record: {"version": N, @key: @payload} (@payload consumed). */
static char *encode_record(const char *key, struct json_object *payload, struct xo_error *err)
{
	struct json_object *rec = json_object_new_object();
	char *text = NULL;

	if (rec && payload && json_object_object_add(rec, "version",
						      json_object_new_int(XO_RECORD_VERSION)) == 0 &&
	    json_object_object_add(rec, key, payload) == 0) {
		payload = NULL; /* rec owns it now */
		text = xo_json_dumps(rec);
	}
	json_object_put(payload);
	json_object_put(rec);
	if (!text)
		xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	return text;
}

static int write_text(struct xo_store *s, const char *vm, const char *name, const char *text,
		      struct xo_error *err)
{
	char *dir = vm_dir(s, vm);
	int rc = dir ? xo_mkdir("state dir", dir, err)
		     : xo_err(err, XENOPS_ENOMEM, "store: out of memory");

	if (rc == 0)
		rc = xo_write_file_atomic(dir, name, text, strlen(text), err);
	free(dir);
	return rc;
}

static int put_record(struct xo_store *s, const char *vm, const char *name, const char *key,
		      struct json_object *payload, struct xo_error *err)
{
	char *text = encode_record(key, payload, err);
	int rc = text ? write_text(s, vm, name, text, err) : XENOPS_ENOMEM;

	free(text);
	return rc;
}

static int remove_record(struct xo_store *s, const char *vm, const char *name, struct xo_error *err)
{
	char *path = xo_asprintf("%s/%s/%s", s->dir, vm, name);
	int rc = 0;

	if (!path)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	if (unlink(path) < 0 && errno != ENOENT)
		rc = xo_err_errno(err, errno, "store: cannot remove %s", path);
	free(path);
	return rc;
}

/*
 * Read a record and return its payload (a new reference) in *out, or
 * NULL in *out when the file does not exist. *upgraded is set when the
 * record was in an older format.
 */
static int get_record(struct xo_store *s, const char *vm, const char *name, const char *key,
		      struct json_object **out, bool *upgraded, struct xo_error *err)
{
	char *path = xo_asprintf("%s/%s/%s", s->dir, vm, name), *text = NULL;
	struct json_object *rec = NULL, *v, *payload;
	int rc;

	*out = NULL;
	if (!path)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	rc = xo_read_file(&text, NULL, path, RECORD_MAX, err);
	if (rc == XENOPS_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = xo_json_loads(&rec, text, name, err);
	if (rc < 0) {
		rc = xo_err(err, XENOPS_ECORRUPT, "%s: %s", name, err->msg);
		goto out;
	}
	if (!json_object_is_type(rec, json_type_object)) {
		rc = xo_err(err, XENOPS_ECORRUPT, "%s: not a JSON object", name);
		goto out;
	}
	if (!json_object_object_get_ex(rec, "version", &v)) {
		/* Format 0: the payload itself, no envelope. */
		*out = json_object_get(rec);
		if (upgraded)
			*upgraded = true;
		goto out;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int(v) < FORMAT_OLDEST ||
	    json_object_get_int(v) > XO_RECORD_VERSION) {
		rc = xo_err(err, XENOPS_ECORRUPT,
			    "%s: unknown format version %s (this library reads %d..%d)",
			    name, json_object_to_json_string(v), FORMAT_OLDEST, XO_RECORD_VERSION);
		goto out;
	}
	if (!json_object_object_get_ex(rec, key, &payload) || !json_object_is_type(payload, json_type_object)) {
		rc = xo_err(err, XENOPS_ECORRUPT, "%s: no \"%s\" object", name, key);
		goto out;
	}
	*out = json_object_get(payload);
out:
	json_object_put(rec);
	free(text);
	free(path);
	return rc;
}

/* ---- ops ---- */

static int probe_writable(const char *dir, struct xo_error *err)
{
	char *probe = xo_asprintf("%s/.probe", dir);
	int rc = 0;

	if (!probe)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	if (xo_write_file_atomic(dir, ".probe", "", 0, err) < 0)
		rc = xo_err(err, err->code == XENOPS_ENOSPC ? XENOPS_ENOSPC : XENOPS_EPERM,
			    "state dir %s is not writable: %s", dir, err->msg);
	else
		unlink(probe);
	free(probe);
	return rc;
}

static int file_open(struct xo_store **out, const char *dir, const struct xo_log *log,
		     struct xo_error *err)
{
	struct xo_store *s;
	int rc;

	rc = xo_mkdir("state dir", dir, err);
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	s->log = log;
	rc = xo_dir_lock(&s->lock, dir, err);
	if (rc == 0) {
		s->dir = xo_asprintf("%s/vm", dir);
		rc = s->dir ? xo_mkdir("state dir", s->dir, err)
			    : xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	}
	if (rc == 0)
		rc = probe_writable(s->dir, err);
	if (rc < 0) {
		xo_dir_unlock(s->lock);
		free(s->dir);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void file_close(struct xo_store *s)
{
	if (!s)
		return;
	xo_dir_unlock(s->lock);
	free(s->dir);
	free(s);
}

static int file_put_vm(struct xo_store *s, const struct xo_vm_config *cfg, struct xo_error *err)
{
	return put_record(s, cfg->id, "config.json", "config", xo_vm_config_to_json(cfg, err), err);
}

static int rmtree_vm(const char *dir, struct xo_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : xo_err_errno(err, errno, "store: cannot open %s", dir);
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xo_asprintf("%s/%s", dir, de->d_name);
		if (!p || (unlink(p) < 0 && errno != ENOENT))
			rc = p ? xo_err_errno(err, errno, "store: cannot remove %s",
					      p) : XENOPS_ENOMEM;
		free(p);
	}
	closedir(d);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
		rc = xo_err_errno(err, errno, "store: cannot remove %s", dir);
	return rc;
}

static int file_remove_vm(struct xo_store *s, const char *vm, struct xo_error *err)
{
	char *dir = vm_dir(s, vm);
	int rc;

	if (!dir)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	/*
	 * Drop config.json first: a crash half-way leaves a directory without
	 * a configuration, which load ignores and removes, never a VM with a
	 * partial set of devices.
	 */
	rc = remove_record(s, vm, "config.json", err);
	if (rc == 0)
		rc = rmtree_vm(dir, err);
	free(dir);
	return rc;
}

static char *dev_file(int kind, const char *dev)
{
	if (kind < XENOPS_KIND_VBD || kind > XENOPS_KIND_PCI)
		return NULL;
	return xo_asprintf("%s.%s.json", dev_prefix[kind], dev);
}

static int file_put_dev(struct xo_store *s, const char *vm, const struct xo_dev_config *cfg,
			struct xo_error *err)
{
	char *name = dev_file(cfg->kind, cfg->id);
	int rc;

	if (!name)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	rc = put_record(s, vm, name, "config", xo_dev_config_to_json(cfg, err), err);
	free(name);
	return rc;
}

static int file_remove_dev(struct xo_store *s, const char *vm, int kind, const char *dev,
			   struct xo_error *err)
{
	char *name = dev_file(kind, dev);
	int rc;

	if (!name)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	rc = remove_record(s, vm, name, err);
	free(name);
	return rc;
}

static int file_encode_runtime(struct xo_store *s, const struct xo_vm_state *st,
			       const struct xo_dev_config *const *devs,
			       const struct xo_dev_state *dev_states, size_t ndevs, char **text_out,
			       struct xo_error *err)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

	(void)s;
	*text_out = NULL;
	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	}
	json_object_object_add(o, "state", xo_vm_state_to_json(st, err));
	for (size_t i = 0; i < ndevs; i++) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "kind",
				       json_object_new_string(xo_kind_name(devs[i]->kind)));
		json_object_object_add(d, "id", json_object_new_string(devs[i]->id));
		json_object_object_add(d, "state",
				       xo_dev_state_to_json(devs[i]->kind, &dev_states[i], err));
		json_object_array_add(arr, d);
	}
	json_object_object_add(o, "devices", arr);
	*text_out = encode_record("runtime", o, err);
	return *text_out ? 0 : XENOPS_ENOMEM;
}

static int file_write_runtime(struct xo_store *s, const char *vm, const char *text,
			      struct xo_error *err)
{
	return write_text(s, vm, "runtime.json", text, err);
}

static int file_put_intent(struct xo_store *s, const char *vm, struct json_object *intent,
			   struct xo_error *err)
{
	if (!intent)
		return remove_record(s, vm, "intent.json", err);
	return put_record(s, vm, "intent.json", "intent", json_object_get(intent), err);
}

/* ---- load ---- */

static int kind_of_prefix(const char *name, size_t len)
{
	for (int k = XENOPS_KIND_VBD; k <= XENOPS_KIND_PCI; k++)
		if (strlen(dev_prefix[k]) == len && !strncmp(name, dev_prefix[k], len))
			return k;
	return 0;
}

static void vm_set_error(struct xo_store_vm *v, int code, const struct xo_error *err)
{
	if (!v->error.code)
		xo_error_set(&v->error, code, err->code == code ? err->msg : NULL);
}

static int load_devices(struct xo_store *s, struct xo_store_vm *v, const char *dir, bool *upgrade,
			struct xo_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return xo_err_errno(err, errno, "cannot read %s", dir);
	while ((de = readdir(d)) && rc == 0) {
		const char *name = de->d_name, *dot = strchr(name, '.');
		size_t n = strlen(name);
		struct json_object *o = NULL;
		struct xo_dev_config *cfg = NULL, **grown;
		char id[XO_ID_MAX + 1];
		int kind;

		if (!dot || n < 6 || strcmp(name + n - 5, ".json"))
			continue;
		kind = kind_of_prefix(name, (size_t)(dot - name));
		if (!kind)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 5 - (size_t)(dot + 1 - name)), dot + 1);
		if (!xo_id_valid(id))
			continue; /* not a record of ours */
		rc = get_record(s, v->id, name, "config", &o, upgrade, err);
		if (rc == 0 && o)
			rc = xo_dev_config_from_json(&cfg, kind, o, err);
		json_object_put(o);
		if (rc < 0) {
			rc = xo_err(err, XENOPS_ECORRUPT, "%s: %s", name, err->msg);
			break;
		}
		if (!cfg)
			continue;
		if (strcmp(cfg->id, id)) {
			rc = xo_err(err, XENOPS_ECORRUPT, "%s: holds device \"%s\"", name, cfg->id);
			xo_dev_config_free(cfg);
			break;
		}
		grown = realloc(v->devs, (v->ndevs + 1) * sizeof(*grown));
		if (!grown) {
			xo_dev_config_free(cfg);
			rc = xo_err(err, XENOPS_ENOMEM, "store: out of memory");
			break;
		}
		v->devs = grown;
		v->devs[v->ndevs++] = cfg;
	}
	closedir(d);
	return rc;
}

/* Device states from runtime.json, matched by kind and id. */
static int load_runtime(struct xo_store_vm *v, struct json_object *rt, struct xo_error *err)
{
	struct json_object *st, *arr;
	int rc = 0;

	v->dev_states = calloc(v->ndevs ? v->ndevs : 1, sizeof(*v->dev_states));
	if (!v->dev_states)
		return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	if (!rt)
		return 0;
	if (!json_object_object_get_ex(rt, "state", &st) || xo_vm_state_from_json(&v->state, st, err) < 0)
		return xo_err(err, XENOPS_ECORRUPT, "runtime.json: bad \"state\": %s", err->msg);
	if (!json_object_object_get_ex(rt, "devices", &arr) || !json_object_is_type(arr, json_type_array))
		return xo_err(err, XENOPS_ECORRUPT, "runtime.json: no \"devices\" array");
	for (size_t i = 0; i < json_object_array_length(arr) && rc == 0; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i), *k, *id, *ds;

		if (!json_object_object_get_ex(d, "kind", &k) || !json_object_object_get_ex(d, "id", &id) ||
		    !json_object_object_get_ex(d, "state", &ds))
			return xo_err(err, XENOPS_ECORRUPT, "runtime.json: device %zu incomplete",
				      i);
		for (size_t j = 0; j < v->ndevs; j++) {
			if (strcmp(xo_kind_name(v->devs[j]->kind), json_object_get_string(k)) ||
			    strcmp(v->devs[j]->id, json_object_get_string(id)))
				continue;
			if (xo_dev_state_from_json(&v->dev_states[j], ds, err) < 0)
				rc = xo_err(err, XENOPS_ECORRUPT, "runtime.json: device %s: %s",
					    json_object_get_string(id), err->msg);
		}
	}
	return rc;
}

/* Rewrite records of an older format in the current one. */
static void upgrade_vm(struct xo_store *s, struct xo_store_vm *v)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	int rc = file_put_vm(s, v->cfg, err);

	for (size_t i = 0; i < v->ndevs && rc == 0; i++)
		rc = file_put_dev(s, v->id, v->devs[i], err);
	if (rc < 0)
		xo_log(s->log, XENOPS_LOG_WARNING, "vm %s: upgrading records failed: %s", v->id,
		       err->msg);
	else
		xo_log(s->log, XENOPS_LOG_INFO, "vm %s: records upgraded to format %d", v->id, XO_RECORD_VERSION);
}

static void load_vm(struct xo_store *s, struct xo_store_vm *v)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	struct json_object *o = NULL;
	char *dir = vm_dir(s, v->id);
	bool upgrade = false;
	int rc;

	xo_vm_state_init(&v->state);
	rc = dir ? get_record(s, v->id, "config.json", "config", &o, &upgrade, err)
		 : xo_err(err, XENOPS_ENOMEM, "store: out of memory");
	if (rc == 0 && o) {
		rc = xo_vm_config_from_json(&v->cfg, o, err);
		if (rc < 0)
			rc = xo_err(err, XENOPS_ECORRUPT, "config.json: %s", err->msg);
		else if (strcmp(v->cfg->id, v->id))
			rc = xo_err(err, XENOPS_ECORRUPT, "config.json: holds VM \"%s\"",
				    v->cfg->id);
	}
	json_object_put(o);
	o = NULL;
	if (rc == 0)
		rc = load_devices(s, v, dir, &upgrade, err);
	if (rc == 0)
		rc = get_record(s, v->id, "runtime.json", "runtime", &o, NULL, err);
	if (rc == 0)
		rc = load_runtime(v, o, err);
	json_object_put(o);
	if (rc == 0)
		rc = get_record(s, v->id, "intent.json", "intent", &v->intent, NULL, err);
	if (rc < 0) {
		vm_set_error(v, rc == XENOPS_ENOMEM ? XENOPS_ENOMEM : XENOPS_ECORRUPT, err);
		xo_vm_config_free(v->cfg);
		v->cfg = NULL;
	} else if (upgrade) {
		upgrade_vm(s, v);
	}
	free(dir);
}

/*
 * Loading is spread over a few threads once a directory holds enough VMs
 * to pay for them: each VM's records are read and parsed on their own
 * (nothing in load_vm is shared but the log, which is thread-safe), and on
 * a host with more than one CPU that is most of a daemon's start-up.
 */
#define LOAD_PARALLEL_MIN 512
#define LOAD_THREADS_MAX 4

struct load_job {
	struct xo_store *s;
	struct xo_store_vm *vms;
	size_t n;
	size_t next; /* atomic: the next VM to load */
};

/* Load VM @v (its id set), or clear its id when its directory is the
 * leftover of a removal cut short, which is finished here. */
static void load_one(struct xo_store *s, struct xo_store_vm *v)
{
	struct xo_error err_value = { 0 }, *err = &err_value; /* logged, not passed up */
	char *cfg = xo_asprintf("%s/%s/config.json", s->dir, v->id);
	struct stat sb;
	bool has_cfg = cfg && stat(cfg, &sb) == 0;

	free(cfg);
	if (!has_cfg) {
		/* A removal cut short: finish it. */
		char *dir = vm_dir(s, v->id);

		if (dir && rmtree_vm(dir, err) == 0)
			xo_log(s->log, XENOPS_LOG_INFO, "state dir: removed leftovers of VM %s", v->id);
		free(dir);
		v->id[0] = '\0';
		return;
	}
	load_vm(s, v);
	if (!v->cfg)
		xo_log(s->log, XENOPS_LOG_ERROR, "vm %s: cannot load: %s", v->id,
		       v->error.msg[0] ? v->error.msg : "unknown error");
}

static void *load_thread(void *arg)
{
	struct load_job *j = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < j->n)
		load_one(j->s, &j->vms[i]);
	return NULL;
}

static int file_load(struct xo_store *s, struct xo_store_vm **out, size_t *n_out,
		     struct xo_error *err)
{
	struct xo_store_vm *vms = NULL;
	size_t n = 0, cap = 0, kept = 0;
	DIR *d = opendir(s->dir);
	struct dirent *de;
	struct load_job job;
	pthread_t th[LOAD_THREADS_MAX - 1];
	unsigned int nth = 0;
	long cpus;

	*out = NULL;
	*n_out = 0;
	if (!d)
		return xo_err_errno(err, errno, "state dir: cannot read %s", s->dir);
	while ((de = readdir(d))) {
		if (!xo_id_valid(de->d_name))
			continue; /* temporary files and the like: not VMs */
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct xo_store_vm *grown = realloc(vms, ncap * sizeof(*grown));

			if (!grown) {
				closedir(d);
				free(vms);
				return xo_err(err, XENOPS_ENOMEM, "store: out of memory");
			}
			vms = grown;
			cap = ncap;
		}
		memset(&vms[n], 0, sizeof(vms[n]));
		snprintf(vms[n].id, sizeof(vms[n].id), "%.64s", de->d_name);
		n++;
	}
	closedir(d);

	job.s = s;
	job.vms = vms;
	job.n = n;
	job.next = 0;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n >= LOAD_PARALLEL_MIN && cpus > 1) {
		unsigned int want = cpus < LOAD_THREADS_MAX ? (unsigned int)cpus : LOAD_THREADS_MAX;

		/* The calling thread is one of them; a thread that cannot be
		 * started leaves its share to the others. */
		while (nth + 1 < want && pthread_create(&th[nth], NULL, load_thread, &job) == 0)
			nth++;
	}
	load_thread(&job);
	for (unsigned int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);

	/* Drop the leftovers' slots, keeping the directory's order. */
	for (size_t i = 0; i < n; i++) {
		if (!vms[i].id[0])
			continue;
		if (kept != i)
			vms[kept] = vms[i];
		kept++;
	}
	if (!kept) {
		free(vms);
		vms = NULL;
	}
	*out = vms;
	*n_out = kept;
	return 0;
}

const struct xo_store_ops xo_store_file = {
	.name = "file",
	.keeps_records = true,
	.open = file_open,
	.close = file_close,
	.load = file_load,
	.put_vm = file_put_vm,
	.remove_vm = file_remove_vm,
	.put_dev = file_put_dev,
	.remove_dev = file_remove_dev,
	.encode_runtime = file_encode_runtime,
	.write_runtime = file_write_runtime,
	.put_intent = file_put_intent,
};
