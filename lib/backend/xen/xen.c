/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xen backend's entry points: open/close of the hypervisor, xenstore,
 * event-channel and grant-table handles, a xentoollog logger that forwards
 * the Xen libraries' messages to the application's log (never to stderr),
 * the record of the domains we built, and the ops table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

/* ---- logger ---- */

static int xo_xtl_level(xentoollog_level level)
{
	if (level >= XTL_ERROR)
		return XENOPS_LOG_ERROR;
	if (level >= XTL_WARN)
		return XENOPS_LOG_WARNING;
	/* libxc reports failures it then handles at DETAIL; keep those as debug. */
	if (level >= XTL_INFO)
		return XENOPS_LOG_INFO;
	return XENOPS_LOG_DEBUG;
}

static void xo_xtl_vmessage(xentoollog_logger *logger, xentoollog_level level, int errnoval,
			 const char *context, const char *format, va_list al)
{
	struct xo_xen_logger *l = (struct xo_xen_logger *)logger;
	int xo_level = xo_xtl_level(level);
	char msg[768];

	if (!l->log || !l->log->fn || xo_level > l->log->level)
		return;
	vsnprintf(msg, sizeof(msg), format, al);
	if (errnoval >= 0)
		xo_log(l->log, xo_level, "xen: %s%s%s: %s", context ? context : "",
		       context ? ": " : "", msg, strerror(errnoval));
	else
		xo_log(l->log, xo_level, "xen: %s%s%s", context ? context : "", context ? ": " : "",
		       msg);
}

/*
 * libxc's progress reports (save/restore) are too chatty for the log: they
 * feed the progress of the stream the calling thread sends (migrate.c).
 */
static void xo_xtl_progress(xentoollog_logger *logger, const char *context, const char *doing_what,
			 int percent, unsigned long done, unsigned long total)
{
	(void)logger, (void)context, (void)doing_what, (void)percent;
	xo_xen_stream_xtl_progress(done, total);
}

/* The logger is embedded in the backend: nothing to free. */
static void xo_xtl_destroy(xentoollog_logger *logger)
{
	(void)logger;
}

/* ---- errors and domain records ---- */

int xo_xen_err(struct xo_backend *b, const char *what, struct xo_error *err)
{
	int saved = errno;
	const xc_error *e = b && b->xch ? xc_get_last_error(b->xch) : NULL;

	if (e && e->code != XC_ERROR_NONE && e->message[0]) {
		int code = xo_err(err, XENOPS_EBACKEND, "xen backend: %s: %s (%s)", what,
				  strerror(saved),
				  e->message);
		xc_clear_last_error(b->xch);
		return code;
	}
	return xo_err(err, XENOPS_EBACKEND, "xen backend: %s: %s", what, strerror(saved));
}

int xo_xen_check_domid(int domid, struct xo_error *err)
{
	if (domid <= 0 || domid >= (int)DOMID_FIRST_RESERVED)
		return xo_err(err, XENOPS_EINVAL, "xen backend: domid %d is not a guest domain",
			      domid);
	return 0;
}

static void domid_key(char key[16], int domid)
{
	snprintf(key, 16, "%d", domid);
}

int xo_xen_dom_add(struct xo_backend *b, int domid, const char *vm_id, struct xo_error *err)
{
	struct xo_xen_dom *d = calloc(1, sizeof(*d));
	char key[16];
	int rc;

	if (!d)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	d->domid = domid;
	snprintf(d->vm_id, sizeof(d->vm_id), "%s", vm_id);
	d->store_port = d->console_port = -1;
	d->start_time = xo_wall_time();
	domid_key(key, domid);
	pthread_mutex_lock(&b->lock);
	free(xo_map_del(&b->doms, key));
	rc = xo_map_put(&b->doms, key, d);
	pthread_mutex_unlock(&b->lock);
	if (rc < 0) {
		free(d);
		return xo_err(err, rc, "xen backend: out of memory");
	}
	return 0;
}

bool xo_xen_dom_get(struct xo_backend *b, int domid, struct xo_xen_dom *out)
{
	struct xo_xen_dom *d;
	char key[16];

	domid_key(key, domid);
	pthread_mutex_lock(&b->lock);
	d = xo_map_get(&b->doms, key);
	if (d)
		*out = *d;
	pthread_mutex_unlock(&b->lock);
	return d != NULL;
}

void xo_xen_dom_set_ports(struct xo_backend *b, int domid, int store_port, int console_port)
{
	struct xo_xen_dom *d;
	char key[16];

	domid_key(key, domid);
	pthread_mutex_lock(&b->lock);
	d = xo_map_get(&b->doms, key);
	if (d) {
		d->store_port = store_port;
		d->console_port = console_port;
	}
	pthread_mutex_unlock(&b->lock);
}

void xo_xen_dom_del(struct xo_backend *b, int domid)
{
	char key[16];

	domid_key(key, domid);
	pthread_mutex_lock(&b->lock);
	free(xo_map_del(&b->doms, key));
	pthread_mutex_unlock(&b->lock);
}

void xo_xen_dom_vm_id(struct xo_backend *b, struct xs_handle *h, int domid,
		      char out[XO_ID_MAX + 1])
{
	struct xo_xen_dom d;
	char path[64];
	char *v;

	out[0] = '\0';
	if (xo_xen_dom_get(b, domid, &d)) {
		snprintf(out, XO_ID_MAX + 1, "%s", d.vm_id);
		return;
	}
	snprintf(path, sizeof(path), "/local/domain/%d/" XO_XEN_MARKER, domid);
	v = xo_xs_read(h, XBT_NULL, path);
	/* A marker that is not a valid id was not written by us: ignore it. */
	if (v && xo_id_valid(v))
		snprintf(out, XO_ID_MAX + 1, "%s", v);
	free(v);
}

/* ---- open / close ---- */

static int free_dom(const char *key, void *value, void *arg)
{
	(void)key, (void)arg;
	free(value);
	return 0;
}

static void xen_close(struct xo_backend *b)
{
	if (!b)
		return;
	xo_xen_watch_stop(b);
	xo_xen_dm_fini(b);
	if (b->xgt)
		xengnttab_close(b->xgt);
	if (b->xce)
		xenevtchn_close(b->xce);
	if (b->xsh)
		xs_close(b->xsh);
	if (b->xch)
		xc_interface_close(b->xch);
	xo_map_foreach(&b->doms, free_dom, NULL);
	xo_map_clear(&b->doms);
	xo_boot_paths_destroy(&b->boot);
	pthread_mutex_destroy(&b->lock);
	free(b->kcache_dir);
	free(b);
}

static bool have_privcmd(void)
{
	return access("/dev/xen/privcmd", F_OK) == 0 || access("/proc/xen/privcmd", F_OK) == 0;
}

static int open_handles(struct xo_backend *b, struct xo_error *err)
{
	xentoollog_logger *l = &b->xtl.vtable;

	b->xch = xc_interface_open(l, l, 0);
	if (!b->xch)
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: cannot open the hypervisor interface (xc_interface_open): %s",
			      strerror(errno));
	b->xsh = xs_open(0);
	if (!b->xsh)
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: cannot connect to xenstored (xs_open): %s; is xenstored running?",
			      strerror(errno));
	b->xce = xenevtchn_open(l, 0);
	if (!b->xce)
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: cannot open /dev/xen/evtchn (xenevtchn_open): %s",
			      strerror(errno));
	/* Only devices need grant mappings: a host without gntdev still runs guests. */
	b->xgt = xengnttab_open(l, 0);
	if (!b->xgt)
		xo_log(&b->log, XENOPS_LOG_WARNING,
		       "xen backend: xengnttab_open failed (%s); continuing without it",
		       strerror(errno));
	return 0;
}

static int xen_open(struct xo_backend **out, const struct xo_backend_params *params,
		    struct xo_error *err)
{
	struct xo_backend *b;
	int rc;

	*out = NULL;
	if (!have_privcmd())
		return xo_err(err, XENOPS_EBACKEND,
			      "xen backend: no Xen hypervisor here (neither /dev/xen/privcmd nor "
			      "/proc/xen/privcmd exists)");
	b = calloc(1, sizeof(*b));
	if (!b)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory");
	pthread_mutex_init(&b->lock, NULL);
	xo_boot_paths_init(&b->boot);
	xo_xen_watch_init(b);
	if (params && params->log)
		b->log = *params->log;
	if (params)
		b->events = params->events;
	b->xtl.vtable.vmessage = xo_xtl_vmessage;
	b->xtl.vtable.progress = xo_xtl_progress;
	b->xtl.vtable.destroy = xo_xtl_destroy;
	b->xtl.log = &b->log;

	rc = xo_xen_kcache_init(b, params ? params->state_dir : NULL, err);
	if (rc == 0)
		rc = xo_xen_dm_init(b, err);
	if (rc == 0)
		rc = open_handles(b, err);
	if (rc < 0)
		goto fail;
	rc = xo_xen_watch_start(b, err);
	if (rc < 0)
		goto fail;
	/* Leftovers are harmless to the open itself: log and go on. */
	if (xo_xen_sweep_orphans(b, err) < 0)
		xo_log(&b->log, XENOPS_LOG_WARNING, "%s", err->msg);
	xo_error_clear(err);
	xo_log(&b->log, XENOPS_LOG_INFO, "xen backend: opened");
	*out = b;
	return 0;
fail:
	xen_close(b);
	return rc;
}

static int xen_set_knob(struct xo_backend *b, const char *key, const char *value,
			struct xo_error *err)
{
	int rc = key ? xo_boot_paths_knob(&b->boot, key, value, err) : 1;

	if (rc > 0 && key)
		rc = xo_xen_dm_knob(b, key, value, err);
	if (rc <= 0)
		return rc;
	return xo_err(err, XENOPS_ENOTSUP, "xen backend: no knob \"%s\"", key ? key : "");
}

void xo_xen_get_stats(struct xo_backend *b, struct xo_xen_stats *out)
{
	pthread_mutex_lock(&b->watch.lock);
	*out = b->watch.stats;
	pthread_mutex_unlock(&b->watch.lock);
	out->domain_info_calls = __atomic_load_n(&b->domain_info_calls, __ATOMIC_RELAXED);
	out->kernel_cache_hits = __atomic_load_n(&b->kcache_hits, __ATOMIC_RELAXED);
	out->kernel_cache_stores = __atomic_load_n(&b->kcache_stores, __ATOMIC_RELAXED);
}

void xo_xen_counters(struct xo_backend *b, struct xo_host_info *out)
{
	struct xo_xen_stats s;
	const struct {
		const char *name;
		const uint64_t *v;
	} map[] = {
		{ "watch_events", &s.events },
		{ "watch_release_domain_events", &s.release_events },
		{ "watch_rescans", &s.firings },
		{ "watch_domain_info_calls", &s.getinfolist_calls },
		{ "watch_release_rescans", &s.release_rescans },
		{ "watch_release_domain_info_calls", &s.release_getinfolist_calls },
		{ "watch_marker_reads", &s.marker_reads },
		{ "watch_upcalls", &s.upcalls },
		{ "watch_periodic_rescans", &s.periodic_rescans },
		{ "watch_periodic_changes", &s.periodic_changes },
		{ "domain_info_calls", &s.domain_info_calls },
		{ "kernel_cache_hits", &s.kernel_cache_hits },
		{ "kernel_cache_stores", &s.kernel_cache_stores },
	};

	xo_xen_get_stats(b, &s);
	out->n_counters = 0;
	for (size_t i = 0; i < XO_ARRAY_SIZE(map) && i < XO_HOST_COUNTERS_MAX; i++) {
		out->counters[i].name = map[i].name;
		out->counters[i].value = *map[i].v;
		out->n_counters++;
	}
}

const struct xo_backend_ops xo_backend_xen = {
	.name = "xen",
	.open = xen_open,
	.close = xen_close,
	.host_info = xo_xen_host_info,
	.set_knob = xen_set_knob,
	.domain_create = xo_xen_domain_create,
	.domain_build = xo_xen_domain_build,
	.domain_unpause = xo_xen_domain_unpause,
	.domain_pause = xo_xen_domain_pause,
	.domain_request_shutdown = xo_xen_domain_request_shutdown,
	.domain_wait_ack = xo_xen_domain_wait_ack,
	.domain_wait_shutdown = xo_xen_domain_wait_shutdown,
	.domain_destroy = xo_xen_domain_destroy,
	.domain_save = xo_xen_domain_save,
	.domain_resume = xo_xen_domain_resume,
	.domain_restore = xo_xen_domain_restore,
	.domain_send = xo_xen_domain_send,
	.domain_receive = xo_xen_domain_receive,
	.domain_info = xo_xen_domain_info,
	.domain_list = xo_xen_domain_list,
	.domain_find_unmarked = xo_xen_domain_find_unmarked,
	.dev_plug = xo_xen_dev_plug,
	.dev_unplug = xo_xen_dev_unplug,
	.dev_info = xo_xen_dev_info,
	.vbd_set_media = xo_xen_vbd_set_media,
	.vif_set_carrier = xo_xen_vif_set_carrier,
	.guest_action = NULL,
	.domain_set_memory = xo_xen_domain_set_memory,
	.domain_set_vcpus = xo_xen_domain_set_vcpus,
	.domain_set_sched = xo_xen_domain_set_sched,
	.domain_get_sched = xo_xen_domain_get_sched,
	.domain_stats = xo_xen_domain_stats,
	.dev_stats = xo_xen_dev_stats,
	.host_facts = xo_xen_host_facts,
	.host_dmesg = xo_xen_host_dmesg,
	.guest_facts = xo_xen_guest_facts,
	.domain_set_xenstore = xo_xen_domain_set_xenstore,
};
