/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ACPI tables of a PVH guest: see acpi.h. Offsets and values follow the
 * ACPI specification (5.0 for the FADT); all multi-byte fields are little
 * endian, written byte by byte so that the layout does not depend on the
 * compiler's struct packing.
 */
#include <string.h>

#include "backend/acpi.h"

#define HDR_SIZE 36
#define FACS_SIZE 64
#define DSDT_SIZE HDR_SIZE /* a definition block without code */
#define FADT_SIZE 268      /* revision 5 */
#define MADT_FIXED 44
#define MADT_LAPIC_SIZE 8

/* FADT flags (ACPI 5.0 table 5-35). */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4) /* set: no fixed power button */
#define FADT_SLP_BUTTON (1u << 5) /* set: no fixed sleep button */
#define FADT_FIX_RTC (1u << 6)
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_USE_PLATFORM_CLOCK (1u << 15)
/* IA-PC boot architecture flags: no VGA, no CMOS clock (a PVH guest has neither). */
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)
/* The PM1a event/control and GPE0 blocks at the I/O ports Xen's HVM guests use. */
#define PM1A_EVT_PORT 0xb000u
#define PM1A_CNT_PORT 0xb004u
#define GPE0_PORT 0xafe0u
#define GAS_SYSTEM_IO 1

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t xo_acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* Byte 9 of a table header is its checksum: the whole table sums to 0. */
static void seal(uint8_t *t, size_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - xo_acpi_sum(t, len));
}

static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "XENOPS", 6);   /* OEM id */
	memcpy(t + 16, "PVH     ", 8); /* OEM table id */
	put32(t + 24, 1);              /* OEM revision */
	memcpy(t + 28, "XNOP", 4);     /* creator id */
	put32(t + 32, 1);              /* creator revision */
}

/* A generic address structure: I/O port @port, @bits wide. */
static void gas_io(uint8_t *g, uint8_t bits, uint64_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0; /* bit offset */
	g[3] = 0; /* access size: legacy */
	put64(g + 4, port);
}

struct cursor {
	uint8_t *buf;
	size_t cap, used;
	uint64_t base;
};

static uint8_t *take(struct cursor *c, size_t len, size_t align, uint32_t *addr)
{
	size_t at = (c->used + align - 1) & ~(align - 1);

	if (at > c->cap || len > c->cap - at)
		return NULL;
	c->used = at + len;
	*addr = (uint32_t)(c->base + at);
	return c->buf + at;
}

static void fadt_fill(uint8_t *f, uint32_t facs, uint32_t dsdt)
{
	header(f, "FACP", FADT_SIZE, 5);
	put32(f + 36, facs);
	put32(f + 40, dsdt);
	put16(f + 46, 9); /* SCI interrupt */
	put32(f + 56, PM1A_EVT_PORT);
	put32(f + 64, PM1A_CNT_PORT);
	put32(f + 80, GPE0_PORT);
	f[88] = 4; /* PM1 event block length */
	f[89] = 2; /* PM1 control block length */
	f[92] = 4; /* GPE0 block length */
	put16(f + 96, 0x0fff);  /* C2 latency: none */
	put16(f + 98, 0x0fff);  /* C3 latency: none */
	put16(f + 109, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	put32(f + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
			       FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_USE_PLATFORM_CLOCK);
	gas_io(f + 116, 8, 0xcf9); /* reset register */
	f[128] = 6;                /* reset value */
	put64(f + 132, facs);      /* X_FIRMWARE_CTRL */
	put64(f + 140, dsdt);      /* X_DSDT */
	gas_io(f + 148, 32, PM1A_EVT_PORT);
	gas_io(f + 172, 16, PM1A_CNT_PORT);
	seal(f, FADT_SIZE);
}

static void madt_fill(uint8_t *m, uint32_t len, const struct xo_acpi_layout *lay)
{
	header(m, "APIC", len, 2);
	put32(m + 36, lay->lapic_addr);
	put32(m + 40, 1); /* PC-AT compatible dual 8259s: the flag guests expect */
	for (unsigned int i = 0; i < lay->vcpus_max; i++) {
		uint8_t *e = m + MADT_FIXED + i * MADT_LAPIC_SIZE;

		e[0] = 0; /* processor local APIC */
		e[1] = MADT_LAPIC_SIZE;
		e[2] = (uint8_t)i; /* ACPI processor id */
		e[3] = (uint8_t)XO_ACPI_LAPIC_ID(i);
		put32(e + 4, i < lay->vcpus ? 1 : 0); /* enabled */
	}
	seal(m, len);
}

int xo_acpi_build(const struct xo_acpi_layout *lay, uint8_t *tables, size_t cap,
		  size_t *len_out, uint8_t rsdp[XO_ACPI_RSDP_SIZE], struct xo_error *err)
{
	struct cursor c = { .buf = tables, .cap = cap < XO_ACPI_TABLES_MAX ? cap : XO_ACPI_TABLES_MAX,
			    .base = lay->tables_addr };
	uint32_t a_facs = 0, a_dsdt = 0, a_fadt = 0, a_madt = 0, a_xsdt = 0, a_rsdt = 0;
	uint32_t madt_len = MADT_FIXED + lay->vcpus_max * MADT_LAPIC_SIZE;
	uint8_t *facs, *dsdt, *fadt, *madt, *xsdt, *rsdt;

	if (lay->vcpus_max < 1 || lay->vcpus_max > 128 || lay->vcpus < 1 ||
	    lay->vcpus > lay->vcpus_max)
		return xo_err(err, XENOPS_EINVAL, "acpi: %u of %u vcpus out of range", lay->vcpus,
			      lay->vcpus_max);
	if (lay->tables_addr + XO_ACPI_TABLES_MAX > (1ull << 32))
		return xo_err(err, XENOPS_EINVAL, "acpi: tables must lie below 4 GiB");
	memset(tables, 0, cap);
	facs = take(&c, FACS_SIZE, 64, &a_facs);
	dsdt = take(&c, DSDT_SIZE, 16, &a_dsdt);
	fadt = take(&c, FADT_SIZE, 16, &a_fadt);
	madt = take(&c, madt_len, 16, &a_madt);
	xsdt = take(&c, HDR_SIZE + 2 * 8, 16, &a_xsdt);
	rsdt = take(&c, HDR_SIZE + 2 * 4, 16, &a_rsdt);
	if (!facs || !dsdt || !fadt || !madt || !xsdt || !rsdt)
		return xo_err(err, XENOPS_EINVAL, "acpi: %zu bytes are not enough for the tables",
			      cap);

	memcpy(facs, "FACS", 4);
	put32(facs + 4, FACS_SIZE);
	facs[32] = 1; /* version */
	header(dsdt, "DSDT", DSDT_SIZE, 2);
	seal(dsdt, DSDT_SIZE);
	fadt_fill(fadt, a_facs, a_dsdt);
	madt_fill(madt, madt_len, lay);
	header(xsdt, "XSDT", HDR_SIZE + 2 * 8, 1);
	put64(xsdt + HDR_SIZE, a_fadt);
	put64(xsdt + HDR_SIZE + 8, a_madt);
	seal(xsdt, HDR_SIZE + 2 * 8);
	header(rsdt, "RSDT", HDR_SIZE + 2 * 4, 1);
	put32(rsdt + HDR_SIZE, a_fadt);
	put32(rsdt + HDR_SIZE + 4, a_madt);
	seal(rsdt, HDR_SIZE + 2 * 4);

	memset(rsdp, 0, XO_ACPI_RSDP_SIZE);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "XENOPS", 6);
	rsdp[15] = 2; /* ACPI 2.0+: XSDT and length */
	put32(rsdp + 16, a_rsdt);
	put32(rsdp + 20, XO_ACPI_RSDP_SIZE);
	put64(rsdp + 24, a_xsdt);
	rsdp[8] = (uint8_t)(0x100 - xo_acpi_sum(rsdp, 20));                 /* first 20 bytes */
	rsdp[32] = (uint8_t)(0x100 - xo_acpi_sum(rsdp, XO_ACPI_RSDP_SIZE)); /* all of it */
	*len_out = c.used;
	return 0;
}
