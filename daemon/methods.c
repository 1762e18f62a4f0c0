/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The method table of xenopsd: one entry per RPC method, each handler one
 * call into the public libxenops API plus the marshalling of its result.
 * The wire contract is DESIGN.md section 8 and docs/rpc.md.
 */
#include "migrate_net.h"
#include "rpc_int.h"
#include "xenops_test.h" /* DEBUG.*: the library's test hooks */

#include <stdlib.h>
#include <string.h>

/* Operations are never submitted with XENOPS_WAIT: the daemon must not block. */

/* Where an operation stores its task id: nowhere for notifications, so
 * that the library destroys the task when it ends. */
static char **task_slot(struct xd_call *c, char **task)
{
	*task = NULL;
	return c->notification ? NULL : task;
}

/* {"key": "value"} as the result; consumes nothing. */
static int result_string(struct xd_call *c, const char *key, const char *value)
{
	c->result = json_object_new_object();
	if (!c->result)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(c->result, key, json_object_new_string(value ? value : ""));
	return 0;
}

/* The result of an operation: {"task": id}. Frees @task. */
static int task_result(struct xd_call *c, int rc, char *task)
{
	if (rc >= 0)
		rc = result_string(c, "task", task);
	xenops_free(task);
	return rc;
}

/* {"key": [ids...]} from a library list. Frees @ids. */
static int result_list(struct xd_call *c, int rc, const char *key, char **ids)
{
	struct json_object *arr;

	if (rc < 0)
		goto out;
	arr = json_object_new_array();
	c->result = json_object_new_object();
	if (!arr || !c->result) {
		json_object_put(arr);
		rc = xd_fail(c, XENOPS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; ids && ids[i]; i++)
		json_object_array_add(arr, json_object_new_string(ids[i]));
	json_object_object_add(c->result, key, arr);
out:
	xenops_strv_free(ids);
	return rc;
}

/* The library's JSON text as the result, or under @key when not NULL. Frees @text. */
static int result_json(struct xd_call *c, int rc, const char *key, char *text)
{
	struct json_object *inner;

	if (rc >= 0)
		rc = xd_result_text(c, text);
	xenops_free(text);
	if (rc < 0 || !key)
		return rc;
	inner = c->result;
	c->result = json_object_new_object();
	if (!c->result) {
		json_object_put(inner);
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	}
	json_object_object_add(c->result, key, inner);
	return 0;
}

/* ---- host ------------------------------------------------------------------ */

static const char *const features[] = {
	"pipelining", "long-poll", "barriers", "tombstones", NULL,
};

static struct json_object *string_array(const char *const *v)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && v[i]; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

static struct json_object *method_names(int debug)
{
	struct json_object *arr = json_object_new_array();

	for (const struct xd_method *m = xd_methods; arr && m->name; m++)
		if (debug || !(m->flags & XD_M_DEBUG))
			json_object_array_add(arr, json_object_new_string(m->name));
	return arr;
}

static int m_query(struct xd_call *c)
{
	struct json_object *r = json_object_new_object();

	if (!r)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(r, "name", json_object_new_string("xenopsd"));
	json_object_object_add(r, "version", json_object_new_string(xenops_version()));
	json_object_object_add(r, "backend", json_object_new_string(xenops_ctx_backend(c->ctx)));
	json_object_object_add(r, "instance", json_object_new_string(xenops_ctx_instance(c->ctx)));
	json_object_object_add(r, "features", string_array(features));
	json_object_object_add(r, "methods", method_names(c->debug));
	c->result = r;
	return 0;
}

static int m_host_stat(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_host_stat(&json, c->ctx));

	return result_json(c, rc, NULL, json);
}

/* ---- VM -------------------------------------------------------------------- */

static int m_vm_add(struct xd_call *c)
{
	char *id = NULL, *config = xd_config_text(c);
	int rc = config ? xd_lib(c, xenops_vm_add(&id, c->ctx, config, 0))
	                : xd_fail(c, XENOPS_ENOMEM, "out of memory");

	if (rc >= 0)
		rc = result_string(c, "id", id);
	xenops_free(id);
	free(config);
	return rc;
}

static int m_vm_remove(struct xd_call *c)
{
	return xd_lib(c, xenops_vm_remove(c->ctx, xd_str(c, "id"), 0));
}

static int m_vm_list(struct xd_call *c)
{
	char **ids = NULL;
	int rc = xd_lib(c, xenops_vm_list(&ids, NULL, c->ctx));

	return result_list(c, rc, "vms", ids);
}

static int m_vm_stat(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_vm_stat(&json, c->ctx, xd_str(c, "id")));

	return result_json(c, rc, NULL, json);
}

static int m_vm_get_config(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_vm_get_config(&json, c->ctx, xd_str(c, "id")));

	return result_json(c, rc, "config", json);
}

static int m_vm_start(struct xd_call *c)
{
	char *task;
	unsigned int flags = xd_bool(c, "paused", 0) ? XENOPS_START_PAUSED : 0;
	int rc = xd_lib(c, xenops_vm_start(task_slot(c, &task), c->ctx, xd_str(c, "id"), flags));

	return task_result(c, rc, task);
}

/* Seconds a clean shutdown or reboot waits for the guest when not told. */
#define DEFAULT_SHUTDOWN_TIMEOUT 60

static unsigned int shutdown_flags(unsigned int timeout)
{
	return timeout == 0 ? XENOPS_FORCE : 0;
}

static int m_vm_shutdown(struct xd_call *c)
{
	char *task;
	unsigned int timeout = xd_uint(c, "timeout", DEFAULT_SHUTDOWN_TIMEOUT);
	int rc = xd_lib(c, xenops_vm_shutdown(task_slot(c, &task), c->ctx, xd_str(c, "id"), timeout,
	                                      shutdown_flags(timeout)));

	return task_result(c, rc, task);
}

static int m_vm_reboot(struct xd_call *c)
{
	char *task;
	unsigned int timeout = xd_uint(c, "timeout", DEFAULT_SHUTDOWN_TIMEOUT);
	int rc = xd_lib(c, xenops_vm_reboot(task_slot(c, &task), c->ctx, xd_str(c, "id"), timeout,
	                                    shutdown_flags(timeout)));

	return task_result(c, rc, task);
}

static int m_vm_pause(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_pause(task_slot(c, &task), c->ctx, xd_str(c, "id"), 0));

	return task_result(c, rc, task);
}

static int m_vm_unpause(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_unpause(task_slot(c, &task), c->ctx, xd_str(c, "id"), 0));

	return task_result(c, rc, task);
}

static int m_vm_suspend(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_suspend(task_slot(c, &task), c->ctx, xd_str(c, "id"),
	                                     xd_str(c, "path"), 0));

	return task_result(c, rc, task);
}

static int m_vm_resume(struct xd_call *c)
{
	char *task;
	unsigned int flags = xd_bool(c, "paused", 0) ? XENOPS_START_PAUSED : 0;
	int rc = xd_lib(c, xenops_vm_resume(task_slot(c, &task), c->ctx, xd_str(c, "id"),
	                                    xd_str(c, "path"), flags));

	return task_result(c, rc, task);
}

static int m_vm_destroy(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_destroy(task_slot(c, &task), c->ctx, xd_str(c, "id"), 0));

	return task_result(c, rc, task);
}

/* ---- devices: the three families share their handlers ----------------------- */

struct dev_family {
	const char *list_key;
	int (*add)(char **, xenops_ctx *, const char *, const char *, unsigned int);
	int (*remove)(xenops_ctx *, const char *, const char *, unsigned int);
	int (*list)(char ***, size_t *, xenops_ctx *, const char *);
	int (*get_config)(char **, xenops_ctx *, const char *, const char *);
	int (*stat)(char **, xenops_ctx *, const char *, const char *);
	int (*plug)(char **, xenops_ctx *, const char *, const char *, unsigned int);
	int (*unplug)(char **, xenops_ctx *, const char *, const char *, unsigned int);
};

static const struct dev_family vbd_family = {
	.list_key = "vbds",
	.add = xenops_vbd_add,
	.remove = xenops_vbd_remove,
	.list = xenops_vbd_list,
	.get_config = xenops_vbd_get_config,
	.stat = xenops_vbd_stat,
	.plug = xenops_vbd_plug,
	.unplug = xenops_vbd_unplug,
};
static const struct dev_family vif_family = {
	.list_key = "vifs",
	.add = xenops_vif_add,
	.remove = xenops_vif_remove,
	.list = xenops_vif_list,
	.get_config = xenops_vif_get_config,
	.stat = xenops_vif_stat,
	.plug = xenops_vif_plug,
	.unplug = xenops_vif_unplug,
};
static const struct dev_family pci_family = {
	.list_key = "pcis",
	.add = xenops_pci_add,
	.remove = xenops_pci_remove,
	.list = xenops_pci_list,
	.get_config = xenops_pci_get_config,
	.stat = xenops_pci_stat,
	.plug = xenops_pci_plug,
	.unplug = xenops_pci_unplug,
};

static const struct dev_family *family(const struct xd_call *c)
{
	return c->method->arg;
}

static int m_dev_add(struct xd_call *c)
{
	char *id = NULL, *config = xd_config_text(c);
	int rc = config ? xd_lib(c, family(c)->add(&id, c->ctx, xd_str(c, "vm"), config, 0))
	                : xd_fail(c, XENOPS_ENOMEM, "out of memory");

	if (rc >= 0)
		rc = result_string(c, "id", id);
	xenops_free(id);
	free(config);
	return rc;
}

static int m_dev_remove(struct xd_call *c)
{
	return xd_lib(c, family(c)->remove(c->ctx, xd_str(c, "vm"), xd_str(c, "id"), 0));
}

static int m_dev_list(struct xd_call *c)
{
	char **ids = NULL;
	int rc = xd_lib(c, family(c)->list(&ids, NULL, c->ctx, xd_str(c, "vm")));

	return result_list(c, rc, family(c)->list_key, ids);
}

static int m_dev_get_config(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, family(c)->get_config(&json, c->ctx, xd_str(c, "vm"), xd_str(c, "id")));

	return result_json(c, rc, "config", json);
}

static int m_dev_stat(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, family(c)->stat(&json, c->ctx, xd_str(c, "vm"), xd_str(c, "id")));

	return result_json(c, rc, NULL, json);
}

static int m_dev_plug(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, family(c)->plug(task_slot(c, &task), c->ctx, xd_str(c, "vm"),
	                                   xd_str(c, "id"), 0));

	return task_result(c, rc, task);
}

static int m_dev_unplug(struct xd_call *c)
{
	char *task;
	unsigned int flags = xd_bool(c, "force", 0) ? XENOPS_FORCE : 0;
	int rc = xd_lib(c, family(c)->unplug(task_slot(c, &task), c->ctx, xd_str(c, "vm"),
	                                     xd_str(c, "id"), flags));

	return task_result(c, rc, task);
}

static int m_vbd_eject(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vbd_eject(task_slot(c, &task), c->ctx, xd_str(c, "vm"),
	                                    xd_str(c, "id"), 0));

	return task_result(c, rc, task);
}

static int m_vbd_insert(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vbd_insert(task_slot(c, &task), c->ctx, xd_str(c, "vm"),
	                                     xd_str(c, "id"), xd_str(c, "backend"), 0));

	return task_result(c, rc, task);
}

static int m_vif_set_carrier(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vif_set_carrier(task_slot(c, &task), c->ctx, xd_str(c, "vm"),
	                                          xd_str(c, "id"), xd_bool(c, "carrier", 1), 0));

	return task_result(c, rc, task);
}

/* ---- tasks ----------------------------------------------------------------- */

static int m_task_stat(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_task_stat(&json, c->ctx, xd_str(c, "id")));

	return result_json(c, rc, NULL, json);
}

/* Long-poll: answers with the task's stat once it ended or the timeout passed. */
static int m_task_wait(struct xd_call *c)
{
	int state = XENOPS_TASK_PENDING;
	int rc = xd_lib(c, xenops_task_get_state(&state, NULL, NULL, c->ctx, xd_str(c, "id")));

	if (rc < 0)
		return rc;
	if (state == XENOPS_TASK_PENDING && xd_wait_or_answer(c, xd_ms(c, "timeout", 0)))
		return 0;
	return m_task_stat(c);
}

static int m_task_cancel(struct xd_call *c)
{
	return xd_lib(c, xenops_task_cancel(c->ctx, xd_str(c, "id")));
}

static int m_task_destroy(struct xd_call *c)
{
	return xd_lib(c, xenops_task_destroy(c->ctx, xd_str(c, "id")));
}

static int m_task_list(struct xd_call *c)
{
	char **ids = NULL;
	int rc = xd_lib(c, xenops_task_list(&ids, NULL, c->ctx));

	return result_list(c, rc, "tasks", ids);
}

/* ---- updates --------------------------------------------------------------- */

static struct json_object *barriers_json(const xenops_updates *u)
{
	struct json_object *arr = json_object_new_array();
	size_t n = xenops_updates_barrier_count(u);

	for (size_t i = 0; arr && i < n; i++) {
		uint64_t id = 0;
		const char *vm = NULL;
		struct json_object *b;

		if (xenops_updates_barrier(&id, &vm, u, i) < 0)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "id", json_object_new_uint64(id));
		json_object_object_add(b, "vm", vm ? json_object_new_string(vm) : NULL);
		json_object_array_add(arr, b);
	}
	return arr;
}

static struct json_object *items_json(const xenops_updates *u)
{
	struct json_object *arr = json_object_new_array();
	size_t n = xenops_updates_count(u);

	for (size_t i = 0; arr && i < n; i++) {
		int kind = 0, deleted = 0;
		const char *vm = NULL, *id = NULL;
		struct json_object *it;

		if (xenops_updates_item(&kind, &vm, &id, &deleted, u, i) < 0)
			continue;
		it = json_object_new_object();
		json_object_object_add(it, "kind", json_object_new_string(xenops_kind_name(kind)));
		json_object_object_add(it, "id", json_object_new_string(id ? id : ""));
		if (vm)
			json_object_object_add(it, "vm", json_object_new_string(vm));
		if (deleted)
			json_object_object_add(it, "deleted", json_object_new_boolean(1));
		json_object_array_add(arr, it);
	}
	return arr;
}

static int updates_result(struct xd_call *c, const xenops_updates *u)
{
	c->result = json_object_new_object();
	if (!c->result)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(c->result, "barriers", barriers_json(u));
	json_object_object_add(c->result, "updates", items_json(u));
	json_object_object_add(c->result, "next", json_object_new_string(xenops_updates_next(u)));
	return 0;
}

/*
 * Long-poll: the library is asked without waiting, so the daemon's one
 * thread never blocks; an empty answer parks until the next change.
 */
static int m_updates_get(struct xd_call *c)
{
	xenops_updates *u = NULL;
	const char *from = xd_str(c, "from"), *text;
	int rc;

	/* Listeners parked at one token, woken by one change: one answer.
	 * Only answers with something in them are kept: an empty one (a
	 * timeout) must not stop the next caller from parking. */
	if (from && (text = xd_rpc_updates_cached(c->rpc, from)))
		return xd_result_text(c, text);
	rc = xd_lib(c, xenops_updates_get(&u, c->ctx, from, 0));
	if (rc < 0)
		return rc;
	if (from && xenops_updates_count(u) == 0 && xenops_updates_barrier_count(u) == 0 &&
	    xd_wait_or_answer(c, xd_ms(c, "timeout", 0))) {
		rc = 0;
	} else {
		rc = updates_result(c, u);
		text = NULL;
		if (rc == 0 && from && (xenops_updates_count(u) || xenops_updates_barrier_count(u)))
			text = json_object_to_json_string_ext(
			        c->result, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text) {
			xd_rpc_updates_remember(c->rpc, from, text);
			rc = xd_result_text(c, text);
		}
	}
	xenops_updates_free(u);
	return rc;
}

static int m_updates_inject_barrier(struct xd_call *c)
{
	uint64_t id = 0;
	int rc = xd_lib(c, xenops_updates_inject_barrier(&id, c->ctx, xd_str(c, "vm")));

	if (rc < 0)
		return rc;
	c->result = json_object_new_object();
	if (!c->result)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(c->result, "barrier", json_object_new_uint64(id));
	return 0;
}

/* ---- test knobs (xenopsd --debug-methods only) ------------------------------- */

static int m_debug_set(struct xd_call *c)
{
	return xd_lib(c, xenops_debug_set(c->ctx, xd_str(c, "key"), xd_str(c, "value")));
}

static int m_debug_guest_action(struct xd_call *c)
{
	return xd_lib(c, xenops_sim_guest_action(c->ctx, xd_str(c, "vm"), xd_str(c, "action"),
	                                         xd_str(c, "device")));
}

/* The daemon's own counters: how often parked long-polls were retried
 * and how many of those retries answered. */
static int m_debug_stats(struct xd_call *c)
{
	struct xd_park_stats st = xd_rpc_park_stats(c->rpc);

	c->result = json_object_new_object();
	if (!c->result)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_add(c->result, "parks_retried", json_object_new_uint64(st.retried));
	json_object_object_add(c->result, "parks_answered", json_object_new_uint64(st.answered));
	return 0;
}

/* ---- the table --------------------------------------------------------------- */

static int m_vm_import_xl(struct xd_call *c);
static int m_vm_set_memory(struct xd_call *c);
static int m_vm_set_vcpus(struct xd_call *c);
static int m_vm_stats(struct xd_call *c);
static int m_vm_stats_all(struct xd_call *c);
static int m_host_dmesg(struct xd_call *c);
static int m_vm_set_xenstore(struct xd_call *c);
static int m_vm_set_scheduler(struct xd_call *c);
static int m_vm_set_config(struct xd_call *c);
static int m_vm_migrate(struct xd_call *c);

/* One entry per method, laid out by hand. */
/* clang-format off */
#define REQ 1
#define OPT 0
#define ID_P { "id", XP_STR, REQ }
#define VM_P { "vm", XP_STR, REQ }

const struct xd_method xd_methods[] = {
	{ "Query", m_query, NULL, 0, { { 0 } } },
	{ "HOST.stat", m_host_stat, NULL, 0, { { 0 } } },
	{ "HOST.dmesg", m_host_dmesg, NULL, 0, { { 0 } } },

	{ "VM.add", m_vm_add, NULL, 0, { { "config", XP_OBJECT, REQ } } },
	{ "VM.remove", m_vm_remove, NULL, 0, { ID_P } },
	{ "VM.list", m_vm_list, NULL, 0, { { 0 } } },
	{ "VM.stat", m_vm_stat, NULL, 0, { ID_P } },
	{ "VM.get_config", m_vm_get_config, NULL, 0, { ID_P } },
	{ "VM.start", m_vm_start, NULL, 0, { ID_P, { "paused", XP_BOOL, OPT } } },
	{ "VM.shutdown", m_vm_shutdown, NULL, 0, { ID_P, { "timeout", XP_UINT, OPT } } },
	{ "VM.reboot", m_vm_reboot, NULL, 0, { ID_P, { "timeout", XP_UINT, OPT } } },
	{ "VM.pause", m_vm_pause, NULL, 0, { ID_P } },
	{ "VM.unpause", m_vm_unpause, NULL, 0, { ID_P } },
	{ "VM.suspend", m_vm_suspend, NULL, 0, { ID_P, { "path", XP_STR, REQ } } },
	{ "VM.resume", m_vm_resume, NULL, 0,
	  { ID_P, { "path", XP_STR, REQ }, { "paused", XP_BOOL, OPT } } },
	{ "VM.destroy", m_vm_destroy, NULL, 0, { ID_P } },
	{ "VM.import_xl", m_vm_import_xl, NULL, 0, { { "text", XP_STR, REQ }, { "dry_run", XP_BOOL, OPT } } },
	{ "VM.set_memory", m_vm_set_memory, NULL, 0,
	  { ID_P, { "target_mib", XP_UINT, REQ }, { "max_mib", XP_UINT, OPT }, { "timeout", XP_UINT, OPT } } },
	{ "VM.set_vcpus", m_vm_set_vcpus, NULL, 0, { ID_P, { "vcpus", XP_UINT, REQ } } },
	{ "VM.stats", m_vm_stats, NULL, 0, { ID_P } },
	{ "VM.set_xenstore", m_vm_set_xenstore, NULL, 0, { ID_P, { "data", XP_OBJECT, REQ } } },
	{ "VM.stats_all", m_vm_stats_all, NULL, 0, { { 0 } } },
	{ "VM.set_scheduler", m_vm_set_scheduler, NULL, 0,
	  { ID_P, { "weight", XP_UINT, OPT }, { "cap", XP_UINT, OPT },
	    { "affinity", XP_STR_OR_ARRAY, OPT }, { "soft_affinity", XP_STR_OR_ARRAY, OPT } } },
	{ "VM.set_config", m_vm_set_config, NULL, 0, { ID_P, { "config", XP_OBJECT, REQ } } },
	{ "VM.migrate", m_vm_migrate, NULL, 0,
	  { ID_P, { "url", XP_STR, REQ }, { "live", XP_BOOL, OPT } } },

	{ "VBD.add", m_dev_add, &vbd_family, 0, { VM_P, { "config", XP_OBJECT, REQ } } },
	{ "VBD.remove", m_dev_remove, &vbd_family, 0, { VM_P, ID_P } },
	{ "VBD.list", m_dev_list, &vbd_family, 0, { VM_P } },
	{ "VBD.stat", m_dev_stat, &vbd_family, 0, { VM_P, ID_P } },
	{ "VBD.get_config", m_dev_get_config, &vbd_family, 0, { VM_P, ID_P } },
	{ "VBD.plug", m_dev_plug, &vbd_family, 0, { VM_P, ID_P } },
	{ "VBD.unplug", m_dev_unplug, &vbd_family, 0, { VM_P, ID_P, { "force", XP_BOOL, OPT } } },
	{ "VBD.eject", m_vbd_eject, NULL, 0, { VM_P, ID_P } },
	{ "VBD.insert", m_vbd_insert, NULL, 0, { VM_P, ID_P, { "backend", XP_STR, REQ } } },

	{ "VIF.add", m_dev_add, &vif_family, 0, { VM_P, { "config", XP_OBJECT, REQ } } },
	{ "VIF.remove", m_dev_remove, &vif_family, 0, { VM_P, ID_P } },
	{ "VIF.list", m_dev_list, &vif_family, 0, { VM_P } },
	{ "VIF.stat", m_dev_stat, &vif_family, 0, { VM_P, ID_P } },
	{ "VIF.get_config", m_dev_get_config, &vif_family, 0, { VM_P, ID_P } },
	{ "VIF.plug", m_dev_plug, &vif_family, 0, { VM_P, ID_P } },
	{ "VIF.unplug", m_dev_unplug, &vif_family, 0, { VM_P, ID_P, { "force", XP_BOOL, OPT } } },
	{ "VIF.set_carrier", m_vif_set_carrier, NULL, 0,
	  { VM_P, ID_P, { "carrier", XP_BOOL, REQ } } },

	{ "PCI.add", m_dev_add, &pci_family, 0, { VM_P, { "config", XP_OBJECT, REQ } } },
	{ "PCI.remove", m_dev_remove, &pci_family, 0, { VM_P, ID_P } },
	{ "PCI.list", m_dev_list, &pci_family, 0, { VM_P } },
	{ "PCI.stat", m_dev_stat, &pci_family, 0, { VM_P, ID_P } },
	{ "PCI.get_config", m_dev_get_config, &pci_family, 0, { VM_P, ID_P } },
	{ "PCI.plug", m_dev_plug, &pci_family, 0, { VM_P, ID_P } },
	{ "PCI.unplug", m_dev_unplug, &pci_family, 0, { VM_P, ID_P, { "force", XP_BOOL, OPT } } },

	{ "TASK.stat", m_task_stat, NULL, 0, { ID_P } },
	{ "TASK.wait", m_task_wait, NULL, XD_M_WAKE_TASK,
	  { ID_P, { "timeout", XP_SECONDS, REQ } } },
	{ "TASK.cancel", m_task_cancel, NULL, 0, { ID_P } },
	{ "TASK.destroy", m_task_destroy, NULL, 0, { ID_P } },
	{ "TASK.list", m_task_list, NULL, 0, { { 0 } } },

	{ "UPDATES.get", m_updates_get, NULL, XD_M_WAKE_UPDATES,
	  { { "from", XP_STR_OR_NULL, OPT }, { "timeout", XP_SECONDS, REQ } } },
	{ "UPDATES.inject_barrier", m_updates_inject_barrier, NULL, 0, { VM_P } },

	{ "DEBUG.set", m_debug_set, NULL, XD_M_DEBUG,
	  { { "key", XP_STR, REQ }, { "value", XP_STR, REQ } } },
	{ "DEBUG.guest_action", m_debug_guest_action, NULL, XD_M_DEBUG,
	  { VM_P, { "action", XP_STR, REQ }, { "device", XP_STR, OPT } } },
	{ "DEBUG.stats", m_debug_stats, NULL, XD_M_DEBUG, { { 0 } } },

	{ NULL, NULL, NULL, 0, { { 0 } } },
};
/* clang-format on */

/* VM.import_xl: {id} of the VM defined from the xl.cfg text, or with
 * dry_run the template it converts to, as {config}. */
static int m_vm_import_xl(struct xd_call *c)
{
	char *out = NULL;
	int rc;

	if (xd_bool(c, "dry_run", 0)) {
		rc = xd_lib(c, xenops_xlcfg_convert(&out, xd_str(c, "text"), 0));
		return result_json(c, rc, "config", out);
	}
	rc = xd_lib(c, xenops_vm_import_xl(&out, c->ctx, xd_str(c, "text"), 0));
	if (rc >= 0)
		rc = result_string(c, "id", out);
	xenops_free(out);
	return rc;
}

/* VM.set_memory: {task}; the guest's progress is in the task's result. */
static int m_vm_set_memory(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_set_memory(task_slot(c, &task), c->ctx, xd_str(c, "id"),
						xd_uint(c, "target_mib", 0), xd_uint(c, "max_mib", 0),
						xd_uint(c, "timeout", 0), 0));

	return task_result(c, rc, task);
}

/* VM.set_vcpus: {task}. */
static int m_vm_set_vcpus(struct xd_call *c)
{
	char *task;
	int rc = xd_lib(c, xenops_vm_set_vcpus(task_slot(c, &task), c->ctx, xd_str(c, "id"),
					       xd_uint(c, "vcpus", 0), 0));

	return task_result(c, rc, task);
}

/* VM.stats: the library's object as the result. */
static int m_vm_stats(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_vm_stats(&json, c->ctx, xd_str(c, "id")));

	return result_json(c, rc, NULL, json);
}

/* VM.stats_all: {vms: [...]}. */
static int m_vm_stats_all(struct xd_call *c)
{
	char *json = NULL;
	int rc = xd_lib(c, xenops_vm_stats_all(&json, c->ctx));

	return result_json(c, rc, NULL, json);
}

/* HOST.dmesg: {text}. */
static int m_host_dmesg(struct xd_call *c)
{
	char *text = NULL;
	int rc = xd_lib(c, xenops_host_dmesg(&text, c->ctx));

	if (rc >= 0)
		rc = result_string(c, "text", text);
	xenops_free(text);
	return rc;
}

/* VM.set_xenstore: {task}; the data object goes to the library as JSON text. */
static int m_vm_set_xenstore(struct xd_call *c)
{
	struct json_object *data = xd_obj(c, "data");
	char *task;
	int rc = xd_lib(c, xenops_vm_set_xenstore(task_slot(c, &task), c->ctx, xd_str(c, "id"),
						  json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN), 0));

	return task_result(c, rc, task);
}

/* VM.set_scheduler: {task}; the parameters but the id go to the library as JSON text. */
static int m_vm_set_scheduler(struct xd_call *c)
{
	struct json_object *o = json_object_new_object();
	char *task = NULL;
	int rc;

	if (!o)
		return xd_fail(c, XENOPS_ENOMEM, "out of memory");
	json_object_object_foreach(c->params, key, val) {
		if (strcmp(key, "id") != 0)
			json_object_object_add(o, key, json_object_get(val));
	}
	rc = xd_lib(c, xenops_vm_set_scheduler(task_slot(c, &task), c->ctx, xd_str(c, "id"),
					       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
					       0));
	json_object_put(o);
	return task_result(c, rc, task);
}

/* VM.set_config: {} (synchronous; a halted VM only). */
static int m_vm_set_config(struct xd_call *c)
{
	char *config = xd_config_text(c);
	int rc = config ? xd_lib(c, xenops_vm_set_config(c->ctx, xd_str(c, "id"), config))
			: xd_fail(c, XENOPS_ENOMEM, "out of memory");

	free(config);
	return rc;
}
/* VM.migrate: {task}, the sending task; url "local" or "xenops://HOST:PORT". */
static int m_vm_migrate(struct xd_call *c)
{
	const char *url = xd_str(c, "url");
	unsigned int flags = xd_bool(c, "live", 1) ? XENOPS_MIGRATE_LIVE : 0;
	char *task = NULL, why[300];
	int rc;

	if (strcmp(url, "local") == 0) {
		rc = xd_lib(c, xenops_vm_migrate_local(task_slot(c, &task), c->ctx, xd_str(c, "id"),
						       flags));
		return task_result(c, rc, task);
	}
	rc = xd_migrate_send(c->ctx, xd_str(c, "id"), url, flags, !c->notification, &task, why,
			     sizeof(why));
	if (rc < 0)
		return xd_fail(c, rc, "%s", why);
	if (c->notification) {
		xenops_free(task);
		return 0;
	}
	return task_result(c, rc, task);
}
