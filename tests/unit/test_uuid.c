/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain handles: a VM id that is a UUID is its own handle; any other id
 * gets the RFC 4122 version 5 UUID of the id in the project's namespace.
 * The expected values come from an independent implementation of RFC 4122.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "testutil.h"

static const char *handle_text(const char *vm_id)
{
	static char out[37];
	uint8_t h[16];

	xo_vm_handle(vm_id, h);
	xo_uuid_format(h, out);
	return out;
}

START_TEST(v5_known_values)
{
	static const uint8_t ns_dns[16] = { 0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
					    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	static const uint8_t ns_url[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
					    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	char name[160], text[37];
	uint8_t u[16];

	xo_uuid_v5(ns_dns, "python.org", 10, u);
	xo_uuid_format(u, text);
	ck_assert_str_eq(text, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	/* A name longer than one SHA-1 block. */
	snprintf(name, sizeof(name), "https://example.org/%0100d", 0);
	memset(name + 20, 'x', 100);
	xo_uuid_v5(ns_url, name, strlen(name), u);
	xo_uuid_format(u, text);
	ck_assert_str_eq(text, "c292cce9-0f34-50c0-bcf6-9ef76f6350a6");
}
END_TEST

START_TEST(vm_handles)
{
	char long_id[201];

	ck_assert_str_eq(handle_text("web"), "80a8a929-3ad9-5076-8969-3617e9fa2b79");
	ck_assert_str_eq(handle_text("example.pvlinux"), "97d7146c-b793-508e-88bc-d2ec15b7e997");
	memset(long_id, 'a', 200);
	long_id[200] = '\0';
	ck_assert_str_eq(handle_text(long_id), "d8ed550f-413e-5a29-9f65-e7144cb92cb9");
	/* A UUID id is the handle itself (lower-cased in text). */
	ck_assert_str_eq(handle_text("0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"),
			 "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
	/* Almost a UUID is a name. */
	ck_assert_str_ne(handle_text("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg"),
			 "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f0");
	ck_assert_int_eq(handle_text("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg")[14], '5');
}
END_TEST

int main(void)
{
	Suite *s = suite_create("uuid");
	TCase *tc = tcase_create("uuid");

	tcase_add_test(tc, v5_known_values);
	tcase_add_test(tc, vm_handles);
	suite_add_tcase(s, tc);
	return xo_test_run(s);
}
