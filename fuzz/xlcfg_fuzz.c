/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzing the xl.cfg import: any text is converted or refused with a
 * message; what converts is a JSON object. Through the public call, so the
 * text length limit and the error copy run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenops/xenops.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void xd_fuzz_teardown(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *json = NULL;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = xenops_xlcfg_convert(&json, text, 0);
	if (rc == 0 && (!json || json[0] != '{'))
		abort();
	if (rc < 0 && (json || xenops_last_error_message()[0] == '\0'))
		abort();
	xenops_free(json);
	free(text);
	return 0;
}

void xd_fuzz_teardown(void)
{
}
