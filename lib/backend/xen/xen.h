/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the xen backend shows beyond the backend interface, for white-box
 * tests and benchmarks (tests/xen/xo_xen_probe.c, bench/). No Xen headers.
 */
#ifndef XO_XEN_H
#define XO_XEN_H

#include <stdint.h>

struct xo_backend;

/* Counters of the domain-death watch thread since open. */
struct xo_xen_stats {
	uint64_t events;             /* raw xenstore watch events read */
	uint64_t release_events;     /* of which @releaseDomain */
	uint64_t firings;            /* rescans: a burst of events makes one */
	uint64_t getinfolist_calls;  /* xc_domain_getinfolist calls by the watch thread */
	uint64_t release_rescans;    /* rescans of a burst with an @releaseDomain event */
	uint64_t release_getinfolist_calls; /* the calls of those rescans */
	uint64_t marker_reads;       /* xenstore reads to map a new domid to its VM */
	uint64_t upcalls;            /* domain_changed calls */
	uint64_t periodic_rescans;   /* rescans of a quiet watch (no event for a period) */
	uint64_t periodic_changes;   /* of which found a change to report (e.g. xl pause) */
	/* Backend-wide, not only the watch thread: */
	uint64_t domain_info_calls;  /* every xc_domain_getinfolist call */
	uint64_t kernel_cache_hits;  /* builds from a cached decompressed kernel */
	uint64_t kernel_cache_stores; /* decompressed kernels written to the cache */
};

/* Copy the counters; @b must be a backend opened by xo_backend_xen. */
void xo_xen_get_stats(struct xo_backend *b, struct xo_xen_stats *out);

#endif /* XO_XEN_H */
