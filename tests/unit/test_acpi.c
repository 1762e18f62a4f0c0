/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PVH ACPI tables, read back the way a guest's ACPI code walks them:
 * RSDP -> XSDT/RSDT -> FADT (-> FACS, DSDT) and MADT, every checksum and
 * length checked.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "backend/acpi.h"
#include "testutil.h"

static struct xo_error test_err;
static struct xo_error *const err = &test_err;

#define BASE 0xfc001000ull

static uint8_t tables[XO_ACPI_TABLES_MAX];
static uint8_t rsdp[XO_ACPI_RSDP_SIZE];

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The table at guest address @addr, checked: signature, inside the buffer, sums to 0. */
static const uint8_t *table(uint64_t addr, const char *sig, size_t used)
{
	const uint8_t *t;
	uint32_t len;

	ck_assert_uint_ge(addr, BASE);
	ck_assert_uint_lt(addr - BASE + 36, used + 1);
	t = tables + (addr - BASE);
	ck_assert_msg(!memcmp(t, sig, 4), "expected %s", sig);
	len = get32(t + 4);
	ck_assert_uint_le(addr - BASE + len, used);
	ck_assert_msg(xo_acpi_sum(t, len) == 0, "%s checksum", sig);
	return t;
}

static size_t build(unsigned int max, unsigned int online)
{
	struct xo_acpi_layout lay = { .tables_addr = BASE, .vcpus_max = max, .vcpus = online,
				      .lapic_addr = 0xfee00000u };
	size_t used = 0;

	memset(tables, 0xaa, sizeof(tables));
	ck_assert_int_eq(xo_acpi_build(&lay, tables, sizeof(tables), &used, rsdp, err), 0);
	ck_assert_uint_gt(used, 0);
	ck_assert_uint_le(used, XO_ACPI_TABLES_MAX);
	return used;
}

static void check_madt(const uint8_t *madt, unsigned int max, unsigned int online)
{
	uint32_t len = get32(madt + 4);
	unsigned int n = 0;

	ck_assert_uint_eq(get32(madt + 36), 0xfee00000u);
	for (uint32_t off = 44; off < len; off += madt[off + 1], n++) {
		ck_assert_int_eq(madt[off], 0); /* processor local APIC */
		ck_assert_int_eq(madt[off + 1], 8);
		ck_assert_uint_eq(madt[off + 2], n);
		ck_assert_uint_eq(madt[off + 3], 2 * n);
		ck_assert_uint_eq(get32(madt + off + 4), n < online ? 1u : 0u);
	}
	ck_assert_uint_eq(n, max);
}

START_TEST(walk_tables)
{
	static const unsigned int counts[][2] = { { 1, 1 }, { 2, 2 }, { 4, 2 }, { 128, 128 } };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		unsigned int max = counts[c][0], online = counts[c][1];
		size_t used = build(max, online);
		const uint8_t *xsdt, *rsdt, *fadt, *madt = NULL, *fadt_r = NULL, *dsdt, *facs;

		ck_assert(!memcmp(rsdp, "RSD PTR ", 8));
		ck_assert_int_eq(xo_acpi_sum(rsdp, 20), 0);
		ck_assert_int_eq(xo_acpi_sum(rsdp, XO_ACPI_RSDP_SIZE), 0);
		ck_assert_int_eq(rsdp[15], 2);
		ck_assert_uint_eq(get32(rsdp + 20), XO_ACPI_RSDP_SIZE);
		xsdt = table(get64(rsdp + 24), "XSDT", used);
		rsdt = table(get32(rsdp + 16), "RSDT", used);
		ck_assert_uint_eq(get32(xsdt + 4), 36 + 2 * 8);
		ck_assert_uint_eq(get32(rsdt + 4), 36 + 2 * 4);
		for (int i = 0; i < 2; i++) {
			const uint8_t *t = tables + (get64(xsdt + 36 + 8 * i) - BASE);

			/* The RSDT lists the same tables as the XSDT. */
			ck_assert_uint_eq(get64(xsdt + 36 + 8 * i), get32(rsdt + 36 + 4 * i));
			if (!memcmp(t, "APIC", 4))
				madt = table(get64(xsdt + 36 + 8 * i), "APIC", used);
			else
				fadt_r = table(get64(xsdt + 36 + 8 * i), "FACP", used);
		}
		ck_assert_ptr_nonnull(madt);
		ck_assert_ptr_nonnull(fadt_r);
		fadt = fadt_r;
		ck_assert_int_eq(fadt[8], 5);
		ck_assert_uint_eq(get32(fadt + 4), 268);
		ck_assert_uint_eq(get64(fadt + 140), get32(fadt + 40)); /* X_DSDT == DSDT */
		ck_assert_uint_eq(get64(fadt + 132), get32(fadt + 36)); /* X_FIRMWARE_CTRL */
		dsdt = table(get64(fadt + 140), "DSDT", used);
		ck_assert_uint_eq(get32(dsdt + 4), 36);
		facs = tables + (get32(fadt + 36) - BASE);
		ck_assert(!memcmp(facs, "FACS", 4));
		ck_assert_uint_eq(get32(facs + 4), 64);
		ck_assert_uint_eq((get32(fadt + 36)) % 64, 0);
		/* No VGA, no CMOS clock: what marks a PVH guest's platform. */
		ck_assert_uint_eq(fadt[109] & 0x24, 0x24);
		check_madt(madt, max, online);
	}
}
END_TEST

START_TEST(errors)
{
	struct xo_acpi_layout lay = { .tables_addr = BASE, .vcpus_max = 2, .vcpus = 2,
				      .lapic_addr = 0xfee00000u };
	size_t used;

	ck_assert_int_eq(xo_acpi_build(&lay, tables, 200, &used, rsdp, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "not enough"));
	lay.vcpus = 3;
	ck_assert_int_eq(xo_acpi_build(&lay, tables, sizeof(tables), &used, rsdp, err), XENOPS_EINVAL);
	lay.vcpus = 0;
	ck_assert_int_eq(xo_acpi_build(&lay, tables, sizeof(tables), &used, rsdp, err), XENOPS_EINVAL);
	lay.vcpus = lay.vcpus_max = 129;
	ck_assert_int_eq(xo_acpi_build(&lay, tables, sizeof(tables), &used, rsdp, err), XENOPS_EINVAL);
	lay.vcpus = lay.vcpus_max = 1;
	lay.tables_addr = 0xfffff800ull;
	ck_assert_int_eq(xo_acpi_build(&lay, tables, sizeof(tables), &used, rsdp, err), XENOPS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err->msg, "4 GiB"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("acpi");

	tcase_add_test(tc, walk_tables);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
