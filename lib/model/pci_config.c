/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PCI passthrough configuration fields: the host address and the options
 * pciback takes.
 */
#include <stdio.h>
#include <string.h>

#include "model/model_int.h"

#define WHAT "pci config"

static const char *const pci_fields[] = {
	"id", "address", "permissive", "msitranslate", "power_mgmt", NULL,
};

/* Exactly @n hex digits at @s; the value, or -1. */
static long hex_field(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * "DDDD:BB:DD.F", or "BB:DD.F" in domain 0 (as lspci prints it), into the
 * full lower-case form sysfs and pciback use.
 */
static int address_normalise(const char *in, char out[13])
{
	long domain = 0, bus, dev, fn;

	if (strlen(in) == 12) {
		if (in[4] != ':')
			return 0;
		domain = hex_field(in, 4);
		in += 5;
	} else if (strlen(in) != 7) {
		return 0;
	}
	if (in[2] != ':' || in[5] != '.')
		return 0;
	bus = hex_field(in, 2);
	dev = hex_field(in + 3, 2);
	fn = hex_field(in + 6, 1);
	/* A PCI bus has 32 device slots of 8 functions. */
	if (domain < 0 || bus < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return 0;
	/* The masks change nothing but let the compiler see the output fits. */
	snprintf(out, 13, "%04x:%02x:%02x.%x", (unsigned int)domain & 0xffff,
		 (unsigned int)bus & 0xff, (unsigned int)dev & 0x1f, (unsigned int)fn & 7);
	return 1;
}

static int read_address(struct xo_pci_config *pci, struct json_object *obj, struct xo_error *err)
{
	const char *s;
	int r = xo_jf_string(obj, WHAT, "address", 64, &s, err);

	if (r < 0)
		return r;
	if (r == 0)
		return xo_err(err, XENOPS_EINVAL, WHAT ": field \"address\" is required");
	if (!address_normalise(s, pci->address))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"address\" must be \"DDDD:BB:DD.F\" or \"BB:DD.F\" in "
				   "hex (device <= 1f, function <= 7)");
	return 0;
}

int xo_pci_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err)
{
	struct xo_pci_config *pci = &cfg->u.pci;
	int r;

	r = xo_jf_known(obj, WHAT, pci_fields, err);
	if (r >= 0)
		r = xo_dev_read_id(cfg, obj, WHAT, err);
	if (r >= 0)
		r = read_address(pci, obj, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "permissive", &pci->permissive, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "msitranslate", &pci->msitranslate, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "power_mgmt", &pci->power_mgmt, err);
	return r < 0 ? r : 0;
}

int xo_pci_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err)
{
	const struct xo_pci_config *pci = &cfg->u.pci;

	if (xo_jw_string(obj, "address", pci->address, err) < 0 ||
	    xo_jw_bool(obj, "permissive", pci->permissive, err) < 0 ||
	    xo_jw_bool(obj, "msitranslate", pci->msitranslate, err) < 0 ||
	    xo_jw_bool(obj, "power_mgmt", pci->power_mgmt, err) < 0)
		return XENOPS_ENOMEM;
	return 0;
}
