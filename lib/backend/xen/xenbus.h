/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the xen backend: the xenbus device layer (xenbus.c) and the
 * table each split-device kind fills in (vbd.c, vif.c). A new kind is one
 * struct xo_xenbus_kind and an entry in device.c's table.
 */
#ifndef XO_XEN_XENBUS_H
#define XO_XEN_XENBUS_H

#include "backend/xen/xen_priv.h"

/* The host side of a device, as the kind's setup hook makes it. */
struct xo_xenbus_backing {
	char path[256];            /* VBD: the block device */
	unsigned int major, minor; /* VBD: its device number */
	int fd;                    /* -1, or held open until the backend has the device */
};

/* One device of one domain, with its xenstore paths. */
struct xo_xenbus_dev {
	const struct xo_xenbus_kind *kind;
	const struct xo_dev_config *cfg;
	int domid, devid;
	char fe[128], be[128]; /* frontend and backend directories */
	char label[64];        /* "VBD xvda of domain 3": for messages */
	bool hvm; /* a CD drive of an HVM domain (the device model's): set by plug and info */
	struct xo_xenbus_backing bk;
};

/* What a connect predicate sees in the backend's state. */
enum xo_xenbus_wait {
	XO_XENBUS_WAIT,      /* not yet */
	XO_XENBUS_CONNECTED, /* done */
	XO_XENBUS_CLOSED,    /* the backend gave up: fail */
};

struct xo_xenbus_kind {
	const char *name;   /* xenstore's: "vbd", "vif" */
	const char *title;  /* in messages: "VBD", "VIF" */
	const char *driver; /* the Linux backend driver: "blkback", "netback" */
	/* The device number under device/<name>/; XENOPS_EINVAL when @cfg has none. */
	int (*devid)(const struct xo_dev_config *cfg, struct xo_error *err);
	/* The device's name in messages after the title: "xvda", "0". */
	void (*label)(const struct xo_dev_config *cfg, char *buf, size_t n);
	/* Optional: reject a configuration before anything is touched. */
	int (*check)(const struct xo_xenbus_dev *d, struct xo_error *err);
	/* Optional: make the host side (after the cancel point); teardown undoes
	 * or releases it once the backend has it or the plug failed. */
	int (*setup)(struct xo_xenbus_dev *d, struct xo_error *err);
	void (*teardown)(struct xo_xenbus_dev *d);
	/* The kind's keys, after the standard ones, inside the plug transaction. */
	int (*frontend_keys)(struct xo_backend *b, xs_transaction_t t, const struct xo_xenbus_dev *d,
			     struct xo_error *err);
	int (*backend_keys)(struct xo_backend *b, xs_transaction_t t, const struct xo_xenbus_dev *d,
			    struct xo_error *err);
	/* Optional: the hotplug script's work, once the nodes are written. */
	int (*hotplug)(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_dev *d,
		       struct xo_error *err);
	/* Is the plug done, given the backend's @state (-1: absent) and whether
	 * the guest runs (a paused one cannot connect its end)? */
	enum xo_xenbus_wait (*connected)(const struct xo_xenbus_dev *d, bool running, int state);
	/* Optional: the kind's facts in *st (backend_state, plugged and active are set). */
	void (*info)(struct xo_backend *b, const struct xo_xenbus_dev *d, struct xo_dev_state *st);
	/* Optional: the tail of the "plugged" log line (" on /dev/loop0"). */
	void (*plugged_msg)(const struct xo_xenbus_dev *d, char *buf, size_t n);
};

extern const struct xo_xenbus_kind xo_xenbus_vbd;
extern const struct xo_xenbus_kind xo_xenbus_vif;

/* ---- xenbus.c ---- */

/* Fill *d: paths from kind + domid + devid, the label; the backing unset. */
int xo_xenbus_dev_init(struct xo_xenbus_dev *d, const struct xo_xenbus_kind *kind, int domid,
		       const struct xo_dev_config *cfg, struct xo_error *err);
/* Write DIR/KEY in a transaction (children inherit DIR's perms). */
int xo_xenbus_write(struct xo_backend *b, xs_transaction_t t, const char *dir, const char *key,
		    const char *value, struct xo_error *err);
/* Write @n keys under @dir in order, stopping at the first error. */
struct xo_xenbus_kv {
	const char *key, *value;
};
int xo_xenbus_write_all(struct xo_backend *b, xs_transaction_t t, const char *dir,
			const struct xo_xenbus_kv *kv, size_t n, struct xo_error *err);
/* The xenbus state of a device directory; -1 when it is absent. */
int xo_xenbus_state(struct xo_backend *b, const char *dir);
/* The backend's state, or XENOPS_ENOTFOUND "<label> is not plugged" when its
 * directory is absent. */
int xo_xenbus_plugged_state(struct xo_backend *b, const struct xo_xenbus_dev *d,
			    struct xo_error *err);

/* The device operations, for every kind. */
int xo_xenbus_plug(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_kind *kind,
		   int domid, const struct xo_dev_config *cfg, struct xo_dev_state *st,
		   struct xo_error *err);
int xo_xenbus_unplug(struct xo_backend *b, struct xo_env *env, const struct xo_xenbus_kind *kind,
		     int domid, const struct xo_dev_config *cfg, int force, struct xo_error *err);
int xo_xenbus_info(struct xo_backend *b, const struct xo_xenbus_kind *kind, int domid,
		   const struct xo_dev_config *cfg, struct xo_dev_state *st, struct xo_error *err);

/* ---- vif.c ---- */
int xo_xen_vif_carrier(struct xo_backend *b, int domid, const struct xo_dev_config *cfg,
		       int carrier, struct xo_error *err);

#endif /* XO_XEN_XENBUS_H */
