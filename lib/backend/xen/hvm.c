/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * HVM guests: the HVM container shared with PVH (HAP, a paging pool), but
 * with every platform device emulated (by Xen: local and IO APICs, PIC,
 * PIT, RTC, HPET, ACPI PM timer; by the device model: the rest), and a
 * firmware instead of a kernel:
 *
 *  - libxenguest loads hvmloader (xen-utils) as the image, and SeaBIOS as
 *    the "system firmware" module hvmloader finds in its start info;
 *    hvmloader builds the ACPI tables, the e820 and the PCI layout, and
 *    hands over to SeaBIOS, which boots the disks or the kernel the device
 *    model loads (-kernel, through its linuxboot option ROM);
 *  - the ioreq pages are set up for the device model (dom->device_model),
 *    the guest memory has the VGA hole and a 256 MiB MMIO hole below 4 GiB;
 *  - xenstore gets what hvmloader reads (hvmloader/bios, platform/);
 *  - the device model itself is dm.c's: registered here, started at the
 *    first unpause.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xen/xen_priv.h"

#define MIB (1024ull * 1024ull)
#define KIB 1024ull
#define PAGE 4096ull
#define FOUR_GIB (1ull << 32)
#define HVM_MMIO_SIZE (256 * MIB) /* libxl's default hole below 4 GiB */
#define HVM_VGA_HOLE_PAGES 0x20   /* 0xa0000-0xbffff */
/* What the device model populates above the guest's RAM (ROMs, video memory). */
#define HVM_DM_EXTRA_KIB (16 * 1024ull)

static int need_file(const char *what, const char *path, const char *pkg, struct xo_error *err)
{
	if (access(path, R_OK) == 0)
		return 0;
	return xo_err(err, XENOPS_ENOTSUP, "xen backend: hvm guests need %s %s: %s (install %s)",
		      what, path, strerror(errno), pkg);
}

int xo_xen_hvm_check(struct xo_backend *b, const struct xo_vm_config *cfg, struct xo_error *err)
{
	int rc;

	(void)b;
	rc = need_file("the firmware loader", XO_HVM_LOADER, "xen-utils-4.17", err);
	if (rc == 0)
		rc = need_file("SeaBIOS", XO_HVM_SEABIOS, "seabios", err);
	if (rc == 0 && access(XO_DM_QEMU, X_OK) != 0)
		rc = xo_err(err, XENOPS_ENOTSUP,
			    "xen backend: hvm guests need the device model %s: %s (install "
			    "qemu-system-xen)",
			    XO_DM_QEMU, strerror(errno));
	if (rc == 0 && *cfg->kernel && access(cfg->kernel, R_OK) != 0)
		rc = xo_err_errno(err, errno, "xen backend: VM %s: kernel %s", cfg->id, cfg->kernel);
	if (rc == 0 && *cfg->ramdisk && access(cfg->ramdisk, R_OK) != 0)
		rc = xo_err_errno(err, errno, "xen backend: VM %s: ramdisk %s", cfg->id,
				  cfg->ramdisk);
	return rc;
}

void xo_xen_hvm_createdomain(struct xen_domctl_createdomain *cc)
{
	cc->flags |= XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	/* Everything Xen emulates, but no vPCI (that is for PVH dom0). */
	cc->arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
}

int xo_xen_hvm_limits(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
		      struct xo_error *err)
{
	int rc = xo_xen_pvh_limits(b, cfg, domid, err); /* the paging pool: the same */

	if (rc == 0 && xc_domain_setmaxmem(b->xch, (uint32_t)domid,
					   cfg->memory_max / KIB + 1024 + HVM_DM_EXTRA_KIB) < 0)
		rc = xo_xen_err(b, "xc_domain_setmaxmem", err);
	return rc;
}

/* SeaBIOS, read into the image's memory (freed with it). */
static int load_bios(struct xo_backend *b, struct xc_dom_image *dom, struct xo_error *err)
{
	FILE *f = fopen(XO_HVM_SEABIOS, "rb");
	long size;
	uint8_t *buf;

	(void)b;
	if (!f)
		return xo_err_errno(err, errno, "xen backend: %s", XO_HVM_SEABIOS);
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 || size > 16 * (long)MIB ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return xo_err(err, XENOPS_EBACKEND, "xen backend: %s: bad size", XO_HVM_SEABIOS);
	}
	buf = xc_dom_malloc(dom, (size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return xo_err(err, XENOPS_EBACKEND, "xen backend: cannot read %s", XO_HVM_SEABIOS);
	}
	fclose(f);
	dom->system_firmware_module.data = buf;
	dom->system_firmware_module.length = (uint32_t)size;
	return 0;
}

static int set_params(struct xo_backend *b, int domid, struct xo_error *err)
{
	static const struct {
		int param;
		uint64_t value;
		const char *what;
	} params[] = {
		{ HVM_PARAM_HPET_ENABLED, 1, "HPET_ENABLED" },
		{ HVM_PARAM_TIMER_MODE, HVMPTM_no_delay_for_missed_ticks, "TIMER_MODE" },
		{ HVM_PARAM_VPT_ALIGN, 1, "VPT_ALIGN" },
	};

	for (size_t i = 0; i < XO_ARRAY_SIZE(params); i++)
		if (xc_hvm_param_set(b->xch, (uint32_t)domid, params[i].param, params[i].value) <
		    0) {
			char what[64];

			snprintf(what, sizeof(what), "xc_hvm_param_set %s", params[i].what);
			return xo_xen_err(b, what, err);
		}
	return 0;
}

/*
 * hvmloader asks the hypervisor for the guest's memory map (XENMEM_memory_map)
 * and stops when there is none: its RAM below the MMIO hole, and above 4 GiB
 * what did not fit below. hvmloader adds its own reserved ranges.
 */
static int set_memory_map(struct xo_backend *b, struct xc_dom_image *dom, struct xo_error *err)
{
	struct e820entry map[2];
	unsigned int n = 0;

	map[n++] = (struct e820entry){ .addr = 0, .size = dom->lowmem_end, .type = E820_RAM };
	if (dom->highmem_end)
		map[n++] = (struct e820entry){ .addr = FOUR_GIB, .size = dom->highmem_end - FOUR_GIB,
					       .type = E820_RAM };
	if (xc_domain_set_memory_map(b->xch, dom->guest_domid, map, n) != 0)
		return xo_xen_err(b, "xc_domain_set_memory_map", err);
	return 0;
}

int xo_xen_hvm_build_image(struct xo_backend *b, const struct xo_vm_config *cfg, int domid,
			   int store_port, int console_port, unsigned long *store_pfn,
			   unsigned long *console_pfn, struct xo_error *err)
{
	uint64_t mem = cfg->memory_target ? cfg->memory_target : cfg->memory_max;
	uint64_t mmio_start = FOUR_GIB - HVM_MMIO_SIZE;
	struct xc_dom_image *dom;
	int rc = set_params(b, domid, err);

	if (rc < 0)
		return rc;
	dom = xc_dom_allocate(b->xch, NULL, NULL);
	if (!dom)
		return xo_xen_err(b, "xc_dom_allocate", err);
	dom->container_type = XC_DOM_HVM_CONTAINER;
	dom->device_model = true;
	dom->target_pages = mem / PAGE;
	dom->mmio_start = mmio_start;
	dom->mmio_size = HVM_MMIO_SIZE;
	dom->lowmem_end = mem < mmio_start ? mem : mmio_start;
	dom->highmem_end = mem > mmio_start ? FOUR_GIB + (mem - mmio_start) : 0;
	dom->vga_hole_size = HVM_VGA_HOLE_PAGES;
	dom->console_evtchn = (unsigned int)console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = (unsigned int)store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = cfg->vcpus_max;
	if (xc_dom_kernel_file(dom, XO_HVM_LOADER) != 0)
		rc = xo_xen_err(b, "xc_dom_kernel_file (hvmloader)", err);
	else if ((rc = load_bios(b, dom, err)) < 0)
		;
	else if (xc_dom_boot_xen_init(dom, b->xch, (uint32_t)domid) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_xen_init", err);
	else if (xc_dom_parse_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_parse_image (hvmloader)", err);
	else if (xc_dom_mem_init(dom, (unsigned int)(mem / MIB)) != 0)
		rc = xo_xen_err(b, "xc_dom_mem_init", err);
	else if (xc_dom_boot_mem_init(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_mem_init", err);
	else if (xc_dom_build_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_build_image", err);
	else if (xc_dom_boot_image(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_boot_image", err);
	else if ((rc = set_memory_map(b, dom, err)) < 0)
		;
	else if (xc_dom_gnttab_init(dom) != 0)
		rc = xo_xen_err(b, "xc_dom_gnttab_init", err);
	if (rc == 0) {
		*store_pfn = dom->xenstore_pfn;
		*console_pfn = dom->console_pfn;
	}
	xc_dom_release(dom);
	return rc;
}

struct hvm_keys {
	int domid;
};

static int keys_txn(struct xo_backend *b, xs_transaction_t t, void *arg, struct xo_error *err)
{
	const struct hvm_keys *k = arg;
	static const struct {
		const char *rel, *value;
	} keys[] = {
		/* What hvmloader reads. */
		{ "hvmloader/bios", "seabios" },
		/* qemu-xen cannot follow RAM moved above 4 GiB by hvmloader. */
		{ "hvmloader/allow-memory-relocate", "0" },
		{ "platform/acpi", "1" },
		{ "platform/acpi_s3", "0" },
		{ "platform/acpi_s4", "0" },
		{ "platform/device-model", "qemu_xen" },
	};
	char path[128];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < XO_ARRAY_SIZE(keys); i++) {
		snprintf(path, sizeof(path), "/local/domain/%d/%s", k->domid, keys[i].rel);
		rc = xo_xs_write_perms(b, t, path, keys[i].value, NULL, 0, err);
	}
	return rc;
}

int xo_xen_hvm_xenstore(struct xo_backend *b, int domid, struct xo_error *err)
{
	struct hvm_keys k = { .domid = domid };

	return xo_xs_transaction(b, "write the hvm firmware's keys", keys_txn, &k, err);
}
