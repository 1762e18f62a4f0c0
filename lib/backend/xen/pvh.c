/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PVH guests: an HVM container without a device model. What differs from
 * a PV build, in the order domain.c calls it:
 *
 *  - before any domain exists, the kernel is parsed by libxenguest as for
 *    an HVM container, which needs its PVH entry point (ELF note
 *    PHYS32_ENTRY): a kernel without one is refused there;
 *  - the domain is created with XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap and
 *    only the local APIC emulated, and gets a paging pool (its p2m);
 *  - the image is an HVM container: guest memory from 0 up to the MMIO
 *    hole (the last 64 MiB below 4 GiB: ACPI tables, local APIC, special
 *    pages), the ACPI tables built by the library (acpi.h) at 0xfc000000,
 *    the memory map given both to Xen and to the guest's start info;
 *  - libxenguest puts the console and xenstore rings in special pages and
 *    sets the HVM params the guest finds them with; their frame numbers are
 *    guest frames, not machine frames.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/acpi.h"
#include "backend/xen/xen_priv.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define PAGE 4096ull

/* The guest-physical layout (the same as xl's for PVH). */
#define ACPI_BASE 0xfc000000ull /* first page: the RSDP, then the tables */
#define ACPI_TABLES_OFFSET 64
#define LAPIC_BASE 0xfee00000u
#define SPECIAL_START ((uint64_t)(X86_HVM_END_SPECIAL_REGION - X86_HVM_NR_SPECIAL_PAGES) * PAGE)
#define SPECIAL_SIZE ((uint64_t)X86_HVM_NR_SPECIAL_PAGES * PAGE)
#define MMIO_START ACPI_BASE /* the lowest of the three */
#define FOUR_GIB (1ull << 32)

void xo_xen_pvh_createdomain(struct xen_domctl_createdomain *cc)
{
	cc->flags |= XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	cc->arch.emulation_flags = XEN_X86_EMU_LAPIC;
}

/*
 * The paging pool holds the guest's p2m: 1 MiB per vCPU plus a page per
 * MiB of guest memory (xl's default for a HAP guest).
 */
int xo_xen_pvh_limits(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		      struct xo_error *err)
{
	uint64_t kib = 4 * (256ull * cfg->vcpus_max + cfg->memory_max / MIB);

	if (xc_set_paging_mempool_size(b->xch, (uint32_t)domid, kib * KIB) < 0)
		return xo_xen_err(b, "xc_set_paging_mempool_size", err);
	return 0;
}

static int probe_once(struct xo_backend *b, const char *kernel, struct xo_kcache_ref *kc,
		      struct xo_error *err)
{
	struct xc_dom_image *dom = xc_dom_allocate(b->xch, "", NULL);
	int rc = 0;

	if (!dom)
		return xo_xen_err(b, "xc_dom_allocate", err);
	dom->container_type = XC_DOM_HVM_CONTAINER;
	if (xc_dom_kernel_file(dom, kc->hit ? kc->path : kernel) != 0) {
		rc = xo_xen_err(b, "xc_dom_kernel_file", err);
		if (err)
			xo_err(err, rc, "%s (kernel %s)", err->msg, kernel);
	} else if (xc_dom_boot_xen_init(dom, b->xch, 0) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_xen_init", err);
	else if (xc_dom_parse_image(dom) != 0) {
		xc_clear_last_error(b->xch);
		rc = xo_err(err, XENOPS_EINVAL,
			    "xen backend: kernel %s has no PVH entry point (ELF note PHYS32_ENTRY) "
			    "libxenguest can load: it cannot boot as a pvh guest",
			    kernel);
	} else {
		/* The build that follows then starts from the decompressed ELF. */
		xo_xen_kcache_store(b, kc, dom->kernel_blob, dom->kernel_size);
	}
	xc_dom_release(dom);
	return rc;
}

int xo_xen_pvh_probe(struct xo_backend *b, const char *kernel, struct xo_error *err)
{
	struct xo_kcache_ref kc = { 0 };
	int rc;

	xo_xen_kcache_lookup(b, kernel, &kc);
	rc = probe_once(b, kernel, &kc, err);
	if (rc < 0 && kc.hit) {
		/* A damaged cache entry must not make a good kernel look bad. */
		xo_xen_kcache_drop(b, &kc, err);
		rc = probe_once(b, kernel, &kc, err);
	}
	return rc;
}

void xo_xen_pvh_dom_init(struct xc_dom_image *dom, uint64_t mem)
{
	dom->container_type = XC_DOM_HVM_CONTAINER;
	dom->device_model = false;
	dom->target_pages = mem / PAGE;
	dom->mmio_size = FOUR_GIB - MMIO_START;
	dom->mmio_start = MMIO_START;
	dom->lowmem_end = mem < MMIO_START ? mem : MMIO_START;
	dom->highmem_end = mem > MMIO_START ? FOUR_GIB + (mem - MMIO_START) : 0;
	dom->vga_hole_size = 0;
}

/* The ACPI tables, loaded by xc_dom_build_image as the first ACPI module. */
static int load_acpi(struct xo_backend *b, struct xc_dom_image *dom,
		     const struct xo_vm_config *cfg, struct xo_error *err)
{
	struct xo_acpi_layout lay = {
		.tables_addr = ACPI_BASE + ACPI_TABLES_OFFSET,
		.vcpus_max = cfg->vcpus_max,
		.vcpus = cfg->vcpus,
		.lapic_addr = LAPIC_BASE,
	};
	size_t cap = ACPI_TABLES_OFFSET + XO_ACPI_TABLES_MAX, used = 0;
	uint8_t *buf = xc_dom_malloc(dom, cap); /* freed by xc_dom_release */
	int rc;

	if (!buf)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory for ACPI tables");
	memset(buf, 0, cap);
	rc = xo_acpi_build(&lay, buf + ACPI_TABLES_OFFSET, XO_ACPI_TABLES_MAX, &used, buf, err);
	if (rc < 0)
		return rc;
	(void)b;
	/* Module 0 is where libxenguest points the start info's rsdp_paddr. */
	dom->acpi_modules[0].data = buf;
	dom->acpi_modules[0].length = (uint32_t)(ACPI_TABLES_OFFSET + used);
	dom->acpi_modules[0].guest_addr_out = ACPI_BASE;
	return 0;
}

/* The memory map, for Xen (XENMEM_memory_map) and for the start info (dom->e820). */
static int set_memory_map(struct xo_backend *b, struct xc_dom_image *dom, struct xo_error *err)
{
	struct e820entry *map = xc_dom_malloc(dom, 4 * sizeof(*map));
	uint64_t acpi_len = (dom->acpi_modules[0].length + PAGE - 1) & ~(PAGE - 1);
	unsigned int n = 0;

	if (!map)
		return xo_err(err, XENOPS_ENOMEM, "xen backend: out of memory for the memory map");
	map[n++] = (struct e820entry){ .addr = 0, .size = dom->lowmem_end, .type = E820_RAM };
	map[n++] = (struct e820entry){ .addr = ACPI_BASE, .size = acpi_len, .type = E820_ACPI };
	map[n++] = (struct e820entry){ .addr = SPECIAL_START, .size = SPECIAL_SIZE,
				       .type = E820_RESERVED };
	if (dom->highmem_end)
		map[n++] = (struct e820entry){ .addr = FOUR_GIB, .size = dom->highmem_end - FOUR_GIB,
					       .type = E820_RAM };
	if (xc_domain_set_memory_map(b->xch, dom->guest_domid, map, n) != 0)
		return xo_xen_err(b, "xc_domain_set_memory_map", err);
	dom->e820 = map;
	dom->e820_entries = n;
	return 0;
}

int xo_xen_pvh_hw(struct xo_backend *b, struct xc_dom_image *dom, const struct xo_vm_config *cfg,
		  struct xo_error *err)
{
	int rc = load_acpi(b, dom, cfg, err);

	if (rc == 0)
		rc = set_memory_map(b, dom, err);
	return rc;
}
