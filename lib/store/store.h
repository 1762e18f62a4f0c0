/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store: where the engine keeps VM and device records so they survive
 * a restart. The engine calls it at every change; an implementation knows
 * files (or nothing at all: the memory store), never Xen or tasks.
 */
#ifndef XO_STORE_H
#define XO_STORE_H

#include "model/model.h"

struct xo_store;

/* One VM as loaded from the store. */
struct xo_store_vm {
	struct xo_vm_config *cfg;     /* NULL when the record was unreadable */
	char id[XO_ID_MAX + 1];
	struct xo_vm_state state;     /* power state etc. as last written */
	struct xo_dev_config **devs;
	struct xo_dev_state *dev_states;
	size_t ndevs;
	struct json_object *intent;   /* the operation in progress, or NULL */
	struct xo_error error;        /* why the VM could not be loaded (cfg NULL) */
};

struct xo_store_ops {
	const char *name;
	/* False for a store that keeps no runtime record nor intent (the
	 * memory store): the engine then does not build them at all. */
	bool keeps_records;
	int (*open)(struct xo_store **out, const char *dir, const struct xo_log *log,
		    struct xo_error *err);
	void (*close)(struct xo_store *s);
	/* Load every VM; *out freed with xo_store_vms_free. */
	int (*load)(struct xo_store *s, struct xo_store_vm **out, size_t *n_out,
		    struct xo_error *err);
	int (*put_vm)(struct xo_store *s, const struct xo_vm_config *cfg, struct xo_error *err);
	int (*remove_vm)(struct xo_store *s, const char *vm, struct xo_error *err);
	int (*put_dev)(struct xo_store *s, const char *vm, const struct xo_dev_config *cfg,
		       struct xo_error *err);
	int (*remove_dev)(struct xo_store *s, const char *vm, int kind, const char *dev,
			  struct xo_error *err);
	/*
	 * Runtime facts (the VM's state and its devices' states), in two steps
	 * so that the engine can write them outside its lock: encode_runtime
	 * reads the objects and makes the record's text (*text_out, free();
	 * NULL when this store keeps nothing); write_runtime writes such a
	 * text and reads nothing of the engine's.
	 */
	int (*encode_runtime)(struct xo_store *s, const struct xo_vm_state *st,
			      const struct xo_dev_config *const *devs,
			      const struct xo_dev_state *dev_states, size_t ndevs, char **text_out,
			      struct xo_error *err);
	int (*write_runtime)(struct xo_store *s, const char *vm, const char *text,
			     struct xo_error *err);
	/* The intent of the operation in progress (NULL clears it). */
	int (*put_intent)(struct xo_store *s, const char *vm, struct json_object *intent,
			  struct xo_error *err);
};

extern const struct xo_store_ops xo_store_mem;
extern const struct xo_store_ops xo_store_file;

void xo_store_vms_free(struct xo_store_vm *vms, size_t n);

#endif /* XO_STORE_H */
