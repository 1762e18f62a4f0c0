/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The memory store: used when the context has no state directory. It
 * keeps nothing, since the engine's own tables are the only copy.
 */
#include <stdlib.h>

#include "store/store.h"

struct xo_store {
	int unused;
};

static int mem_open(struct xo_store **out, const char *dir, const struct xo_log *log,
		    struct xo_error *err)
{
	(void)dir;
	(void)log;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : xo_err(err, XENOPS_ENOMEM, "store: out of memory");
}

static void mem_close(struct xo_store *s)
{
	free(s);
}

static int mem_load(struct xo_store *s, struct xo_store_vm **out, size_t *n_out,
		    struct xo_error *err)
{
	(void)err;
	(void)s;
	*out = NULL;
	*n_out = 0;
	return 0;
}

static int mem_put_vm(struct xo_store *s, const struct xo_vm_config *cfg, struct xo_error *err)
{
	(void)err;
	(void)s;
	(void)cfg;
	return 0;
}

static int mem_remove_vm(struct xo_store *s, const char *vm, struct xo_error *err)
{
	(void)err;
	(void)s;
	(void)vm;
	return 0;
}

static int mem_put_dev(struct xo_store *s, const char *vm, const struct xo_dev_config *cfg,
		       struct xo_error *err)
{
	(void)err;
	(void)s;
	(void)vm;
	(void)cfg;
	return 0;
}

static int mem_remove_dev(struct xo_store *s, const char *vm, int kind, const char *dev,
			  struct xo_error *err)
{
	(void)err;
	(void)s;
	(void)vm;
	(void)kind;
	(void)dev;
	return 0;
}

/* Nothing to keep: the engine's own tables are the only copy. */
static int mem_encode_runtime(struct xo_store *s, const struct xo_vm_state *st,
			      const struct xo_dev_config *const *devs,
			      const struct xo_dev_state *dev_states, size_t ndevs, char **text_out,
			      struct xo_error *err)
{
	(void)s, (void)st, (void)devs, (void)dev_states, (void)ndevs, (void)err;
	*text_out = NULL;
	return 0;
}

static int mem_write_runtime(struct xo_store *s, const char *vm, const char *text,
			     struct xo_error *err)
{
	(void)s, (void)vm, (void)text, (void)err;
	return 0;
}

static int mem_put_intent(struct xo_store *s, const char *vm, struct json_object *intent,
			  struct xo_error *err)
{
	(void)err;
	(void)s;
	(void)vm;
	(void)intent;
	return 0;
}

const struct xo_store_ops xo_store_mem = {
	.name = "memory",
	.keeps_records = false,
	.open = mem_open,
	.close = mem_close,
	.load = mem_load,
	.put_vm = mem_put_vm,
	.remove_vm = mem_remove_vm,
	.put_dev = mem_put_dev,
	.remove_dev = mem_remove_dev,
	.encode_runtime = mem_encode_runtime,
	.write_runtime = mem_write_runtime,
	.put_intent = mem_put_intent,
};

void xo_store_vms_free(struct xo_store_vm *vms, size_t n)
{
	if (!vms)
		return;
	for (size_t i = 0; i < n; i++) {
		struct xo_store_vm *v = &vms[i];

		xo_vm_config_free(v->cfg);
		xo_vm_state_clear(&v->state);
		for (size_t j = 0; j < v->ndevs; j++)
			xo_dev_config_free(v->devs[j]);
		free(v->devs);
		free(v->dev_states);
		if (v->intent)
			json_object_put(v->intent);
		xo_error_clear(&v->error);
	}
	free(vms);
}
