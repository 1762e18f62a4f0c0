/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ACPI tables of a PVH guest, built by the library (no Xen headers:
 * pure byte layout, unit tested without a hypervisor). A PVH guest has no
 * firmware; the toolstack gives it an RSDP pointing to an XSDT and an
 * RSDT, a FADT (revision 5) with its FACS and a DSDT without code, and a
 * MADT with one local APIC per vCPU, so that the guest sees all its vCPUs.
 */
#ifndef XO_BACKEND_ACPI_H
#define XO_BACKEND_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* The RSDP of ACPI 2.0 and later. */
#define XO_ACPI_RSDP_SIZE 36
/* Room the tables need: a page covers 128 vCPUs. */
#define XO_ACPI_TABLES_MAX 4096
/* Xen numbers a HVM vCPU's local APIC as twice its index. */
#define XO_ACPI_LAPIC_ID(cpu) ((cpu) * 2u)

struct xo_acpi_layout {
	uint64_t tables_addr;     /* guest physical address of tables[0] */
	unsigned int vcpus_max;   /* one MADT entry each, 1..128 */
	unsigned int vcpus;       /* the first @vcpus entries are enabled */
	uint32_t lapic_addr;      /* the local APIC's MMIO base (0xfee00000) */
};

/*
 * Write the tables into @tables (zeroed first, @cap bytes, at most
 * XO_ACPI_TABLES_MAX used) and the RSDP pointing at them into @rsdp.
 * *len_out gets the bytes used. Errors: XENOPS_EINVAL (vCPU counts, a
 * buffer too small, tables above 4 GiB).
 */
int xo_acpi_build(const struct xo_acpi_layout *lay, uint8_t *tables, size_t cap,
		  size_t *len_out, uint8_t rsdp[XO_ACPI_RSDP_SIZE], struct xo_error *err);

/* The byte sum of @len bytes (a valid table sums to 0). */
uint8_t xo_acpi_sum(const uint8_t *p, size_t len);

#endif /* XO_BACKEND_ACPI_H */
