/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The object model: VM and device (VBD, VIF, PCI) configurations and
 * states, their validation, and their JSON form (json-c). No I/O here.
 * Schema and defaults: docs/schema.md.
 */
#ifndef XO_MODEL_H
#define XO_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "model/json.h"
#include "util/util.h"
#include "xenops/context.h"

/* Format version written into every JSON record by the store. */
#define XO_RECORD_VERSION 1

enum xo_vm_type { XO_VM_PV = 0, XO_VM_PVH = 1, XO_VM_HVM = 2 };
/* HVM only: the firmware hvmloader hands over to, the emulated NIC model, the serial port. */
enum xo_hvm_firmware { XO_FW_BIOS = 0 };
enum xo_hvm_nic { XO_NIC_E1000 = 0, XO_NIC_RTL8139 = 1 };
enum xo_hvm_serial { XO_SERIAL_FILE = 0, XO_SERIAL_NONE = 1 };
/* Where the guest's kernel comes from: the host (kernel/ramdisk/cmdline) or its own disk. */
enum xo_vm_boot { XO_BOOT_DIRECT = 0, XO_BOOT_GRUB = 1 };
enum xo_action { XO_ACTION_DESTROY = 0, XO_ACTION_RESTART = 1, XO_ACTION_PRESERVE = 2 };

struct xo_kv {
	char *key;
	char *value;
};

/* CPU numbers in affinity lists: 0 to XO_CPUS_MAX-1 (cpulist.c). */
#define XO_CPUS_MAX 512
#define XO_CPUMAP_WORDS (XO_CPUS_MAX / 64)
#define XO_CPULIST_TEXT_MAX 2048

/*
 * vCPU affinity: n == 0 is none (every CPU of the host); otherwise one CPU
 * list for every vCPU (!per_vcpu, n == 1) or one per vCPU from vCPU 0
 * (per_vcpu; vCPUs past the last have none). Lists are canonical text
 * ("0-3,5", "all,^1").
 */
struct xo_affinity {
	bool per_vcpu;
	size_t n;
	char **lists;
};

struct xo_vm_config {
	char id[XO_ID_MAX + 1];
	char *name;
	int type;               /* enum xo_vm_type */
	int boot;               /* enum xo_vm_boot */
	uint64_t memory_max;    /* bytes (static max) */
	uint64_t memory_target; /* bytes (dynamic target) */
	unsigned int vcpus_max;
	unsigned int vcpus;     /* online at start */
	char *kernel, *ramdisk, *cmdline; /* never NULL: "" when unset */
	int on_shutdown, on_reboot, on_crash; /* enum xo_action */
	struct xo_kv *xenstore; /* extra keys, relative to the domain's path */
	size_t n_xenstore;
	unsigned int sched_weight; /* 1 to 65535; 0 in a struct: the default (xo_vm_sched_weight) */
	unsigned int sched_cap;    /* percent of one CPU, 0: no cap */
	struct xo_affinity affinity, soft_affinity; /* hard and soft */
	/* HVM only (defaults elsewhere): see docs/hvm.md. */
	int firmware;           /* enum xo_hvm_firmware */
	char boot_order[5];     /* of 'c' (disk), 'd' (CD), 'n' (network): "cd" by default */
	int nic_model;          /* enum xo_hvm_nic */
	int serial;             /* enum xo_hvm_serial */
	int vnc;                /* VNC on a local socket: off by default */
};

struct xo_vbd_config {
	char device[16];  /* xvda ... */
	char *backend;    /* "file:PATH", "phy:DEV", or "" (empty CD drive) */
	int readonly;
	int cdrom;
	int unpluggable;
};

struct xo_vif_config {
	int index;        /* -1 in a parsed config: the engine picks the lowest free */
	char mac[18];     /* "" in a parsed config when absent: the engine generates one */
	char *bridge;
	unsigned int mtu;
	int carrier;
};

struct xo_pci_config {
	char address[13]; /* DDDD:BB:DD.F, normalised to lower case */
	int permissive;
	int msitranslate;
	int power_mgmt;
};

struct xo_dev_config {
	int kind;               /* XENOPS_KIND_VBD / VIF / PCI */
	char id[XO_ID_MAX + 1]; /* "" in a parsed config when absent: defaulted by
	                           xo_dev_config_default_id once index/mac are set */
	union {
		struct xo_vbd_config vbd;
		struct xo_vif_config vif;
		struct xo_pci_config pci;
	} u;
};

/* What is, as opposed to what was asked for. */
struct xo_vm_state {
	int power;              /* enum xenops_power_state */
	int domid;              /* -1: no domain */
	double start_time;      /* wall clock; 0 when halted */
	char last_shutdown_reason[16]; /* "poweroff", "reboot", "crash", "suspend", ... or "" */
	char *suspend_path;     /* set while Suspended */
	struct xo_error *error; /* set while in XENOPS_POWER_ERROR, else NULL (malloc) */
};

struct xo_dev_state {
	int plugged;
	int active;
	int backend_state;      /* xenbus state number (4 = connected), 0 unknown */
	int media_present;      /* VBD */
	int carrier;            /* VIF */
	char host_ifname[24];   /* VIF: vif<domid>.<index> */
	int in_image;           /* Suspended VM: was plugged when suspended */
};

/* ---- VM configuration ---- */

/*
 * Parse and validate a VM configuration. Unknown fields are an error; every
 * field has a default. Errors (XENOPS_EINVAL with a message naming the
 * field, XENOPS_ENOMEM) are set through xo_err. An absent id is generated
 * (a random UUID).
 */
int xo_vm_config_parse(struct xo_vm_config **out, const char *json_text, struct xo_error *err);
int xo_vm_config_from_json(struct xo_vm_config **out, struct json_object *obj,
			   struct xo_error *err);
struct json_object *xo_vm_config_to_json(const struct xo_vm_config *cfg, struct xo_error *err);
/* The credit scheduler weight a configuration asks for: its own, or the default. */
#define XO_SCHED_WEIGHT_DEFAULT 256u
unsigned int xo_vm_sched_weight(const struct xo_vm_config *cfg);
struct xo_vm_config *xo_vm_config_dup(const struct xo_vm_config *cfg, struct xo_error *err);
void xo_vm_config_free(struct xo_vm_config *cfg);

/* ---- CPU lists and affinity (cpulist.c); @field names the field in errors ---- */

/* The canonical text of CPU list @s (*out, free()); XENOPS_EINVAL naming @field. */
int xo_cpulist_canon(const char *s, char **out, const char *field, struct xo_error *err);
/*
 * The CPUs of list @s (NULL: "all") on a host of @nr_cpus CPUs, into @map
 * (XO_CPUMAP_WORDS words); XENOPS_EINVAL naming @field when it names a CPU
 * the host lacks or leaves none.
 */
int xo_cpulist_map(const char *s, unsigned int nr_cpus, uint64_t *map, const char *field,
		   struct xo_error *err);
bool xo_cpumap_test(const uint64_t *map, unsigned int cpu);
/* "0-3,5", or "all" when @map holds every CPU of @nr_cpus; malloc'd, NULL: no memory. */
char *xo_cpumap_format(const uint64_t *map, unsigned int nr_cpus);
/* The list of @vcpu, NULL when it has none (every CPU). */
const char *xo_affinity_list(const struct xo_affinity *a, unsigned int vcpu);
void xo_affinity_clear(struct xo_affinity *a);
int xo_affinity_copy(struct xo_affinity *dst, const struct xo_affinity *src,
		     struct xo_error *err);
/* A string (every vCPU) or an array of at most @vcpus_max strings (one per vCPU). */
int xo_affinity_from_json(struct xo_affinity *a, struct json_object *v, const char *field,
			  unsigned int vcpus_max, struct xo_error *err);
/* A string when not per vCPU ("all" when unset), else an array. */
struct json_object *xo_affinity_to_json(const struct xo_affinity *a, struct xo_error *err);
/* Every list names only CPUs of a host of @nr_cpus and leaves at least one. */
int xo_affinity_check_host(const struct xo_affinity *a, const char *field, unsigned int nr_cpus,
			   struct xo_error *err);

/* ---- device configuration ---- */

int xo_dev_config_parse(struct xo_dev_config **out, int kind, const char *json_text,
			struct xo_error *err);
int xo_dev_config_from_json(struct xo_dev_config **out, int kind, struct json_object *obj,
			    struct xo_error *err);
/* Fill the id from device name / index / address when it was absent. */
void xo_dev_config_default_id(struct xo_dev_config *cfg);
struct json_object *xo_dev_config_to_json(const struct xo_dev_config *cfg, struct xo_error *err);
struct xo_dev_config *xo_dev_config_dup(const struct xo_dev_config *cfg, struct xo_error *err);
void xo_dev_config_free(struct xo_dev_config *cfg);
/*
 * Check a VBD media backend string ("file:/abs/path", "phy:/dev/x", or ""
 * when @allow_empty). Returns 0 or XENOPS_EINVAL naming @what.
 */
int xo_vbd_backend_check(const char *backend, int allow_empty, const char *what,
			 struct xo_error *err);
/*
 * The IDE index (0..3) of the emulated drive an HVM guest's VBD named
 * hd[a-d], sd[a-d] or xvd[a-d] becomes; -1 for any other name.
 */
int xo_vbd_ide_index(const char *dev);
/* A random locally administered MAC in Xen's 00:16:3e prefix. */
void xo_mac_generate(char out[18]);

/* ---- states ---- */

void xo_vm_state_init(struct xo_vm_state *st);
void xo_vm_state_clear(struct xo_vm_state *st);
struct json_object *xo_vm_state_to_json(const struct xo_vm_state *st, struct xo_error *err);
int xo_vm_state_from_json(struct xo_vm_state *st, struct json_object *obj, struct xo_error *err);
struct json_object *xo_dev_state_to_json(int kind, const struct xo_dev_state *st,
					 struct xo_error *err);
int xo_dev_state_from_json(struct xo_dev_state *st, struct json_object *obj, struct xo_error *err);

/* ---- records: the JSON shapes of the engine's objects (records.c) ---- */

/* What the host is, as a backend reports it. */
#define XO_HOST_COUNTERS_MAX 16

struct xo_host_info {
	char hypervisor[64]; /* e.g. "xen-4.17.7" or "sim-0.1" */
	unsigned int nr_cpus;
	uint64_t total_memory; /* bytes */
	uint64_t free_memory;  /* bytes */
	/* The backend's own counters since open, for diagnostics and bench/. */
	unsigned int n_counters;
	struct {
		const char *name; /* static string */
		uint64_t value;
	} counters[XO_HOST_COUNTERS_MAX];
};

/* The host_stat object: @backend's name and @hi. */
struct json_object *xo_host_info_to_json(const char *backend, const struct xo_host_info *hi,
					 struct xo_error *err);

/*
 * The intent record: what an operation is about to do, written before its
 * first effect so that a restart can finish or undo it.
 */
struct xo_intent {
	int op;           /* enum xo_op; stored under its generic name */
	const char *task;
	double started;
	unsigned int flags;
	const char *path, *media; /* NULL: absent */
	int dev_kind;             /* with dev */
	const char *dev;          /* NULL or "": not a device operation */
};
/*
 * Task results of the running-guest operations, as text (free()):
 * VM.set_memory {target_mib, applied, and when applied actual_mib and
 * reached}; VM.set_vcpus {vcpus, applied}.
 */
char *xo_memory_result_dumps(uint64_t target_mib, int applied, uint64_t actual_mib, int reached,
			     struct xo_error *err);
char *xo_vcpus_result_dumps(unsigned int vcpus, int applied, struct xo_error *err);
struct json_object *xo_intent_to_json(const struct xo_intent *in, struct xo_error *err);

/* A migration's progress, as its task shows it ("migration"). */
struct xo_mig_progress {
	uint64_t bytes;          /* of the memory stream, moved so far */
	unsigned int iteration;  /* pre-copy round (0 before the first) */
	uint64_t dirty_pages;    /* dirtied during the last round */
	double dirty_rate;       /* pages per second during the last round */
	const char *phase;       /* the handshake step reached */
};

/* A task, as task stat shows it. */
struct xo_task_record {
	const char *id;
	int op, dev_kind;
	const char *vm, *dev; /* dev "": none */
	int state;            /* enum xenops_task_state */
	double progress;
	const char *atom;     /* "": none running */
	const char *const *done;
	size_t ndone;
	const double *done_times; /* NULL or 2 x ndone: each done atom's start and end */
	int result_domid;     /* < 0: no result */
	const struct xo_error *error; /* shown when failed or cancelled */
	double created, started, finished; /* 0: not yet (null) */
	const char *result_json; /* an object shown as the result, or NULL */
	const struct xo_mig_progress *migration; /* migration tasks, else NULL */
};
struct json_object *xo_task_record_to_json(const struct xo_task_record *t, struct xo_error *err);

/*
 * One stored/live disagreement of a device's @field; @seen ("at
 * recovery") may be NULL.
 */
struct json_object *xo_disagreement_to_json(int kind, const char *id, const char *field,
					    const char *stored, const char *live, const char *seen,
					    struct xo_error *err);

/* ---- vocabulary: one table per enumeration (names.c) ---- */

/*
 * Operations: what a task or an intent record does. A device operation is
 * the operation plus the device's kind (XENOPS_KIND_VBD/VIF/PCI).
 */
enum xo_op {
	XO_OP_VM_START,
	XO_OP_VM_SHUTDOWN,
	XO_OP_VM_REBOOT,
	XO_OP_VM_PAUSE,
	XO_OP_VM_UNPAUSE,
	XO_OP_VM_SUSPEND,
	XO_OP_VM_RESUME,
	XO_OP_VM_DESTROY,
	XO_OP_VM_CHECK,
	XO_OP_DEV_PLUG,
	XO_OP_DEV_UNPLUG,
	XO_OP_VBD_EJECT,
	XO_OP_VBD_INSERT,
	XO_OP_VIF_SET_CARRIER,
	XO_OP_DEV_CHECK,
	XO_OP_VM_SET_MEMORY,
	XO_OP_VM_SET_VCPUS,
	XO_OP_VM_SET_XENSTORE,
	XO_OP_VM_SET_SCHEDULER,
	XO_OP_VM_MIGRATE_SEND,    /* the sending side of a migration */
	XO_OP_VM_MIGRATE_RECEIVE, /* the receiving side */
	XO_OP_VM_MIGRATE_LOCAL,   /* both sides in this context */
	XO_OP__COUNT
};

/*
 * "VM.start", "VBD.plug"...: a device operation is named after @kind; with
 * no device kind (0) it gets its generic name ("DEVICE.plug"), which is
 * what intent records store.
 */
const char *xo_op_name(int op, int kind);
/* The operation of a generic name (as xo_op_name(op, 0) spells it), or -1. */
int xo_op_from_name(const char *name);
/* "vm", "vbd", "vif", "pci", "task"; "unknown" otherwise (also below). */
const char *xo_kind_name(int kind);
/* "Halted", "Running"... */
const char *xo_power_state_name(int state);
/* "pending", "completed", "failed", "cancelled". */
const char *xo_task_state_name(int state);
const char *xo_action_name(int action);
const char *xo_vm_type_name(int type);
const char *xo_vm_boot_name(int boot);
/* Name of a Xen shutdown reason code (0 poweroff, 1 reboot, 2 suspend, 3 crash, 4 watchdog). */
const char *xo_shutdown_reason_name(int reason);

#endif /* XO_MODEL_H */
