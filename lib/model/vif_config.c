/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VIF configuration fields: index, MAC address, bridge, MTU, carrier.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

#define WHAT "vif config"
#define INDEX_MAX 63
#define BRIDGE_MAX_LEN 15 /* IFNAMSIZ - 1 */

static const char *const vif_fields[] = {
	"id", "index", "mac", "bridge", "mtu", "carrier", NULL,
};

/*
 * "xx:xx:xx:xx:xx:xx" into lower case @out. A guest NIC needs a unicast
 * address (bit 0 of the first octet clear) and not the all-zero one.
 */
static int mac_normalise(const char *in, char out[18])
{
	int i, nonzero = 0;

	if (strlen(in) != 17)
		return 0;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (in[i] != ':')
				return 0;
			out[i] = ':';
			continue;
		}
		if (xo_hex_digit(in[i]) < 0)
			return 0;
		nonzero |= xo_hex_digit(in[i]);
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'F' ? in[i] - 'A' + 'a' : in[i]);
	}
	out[17] = '\0';
	return (xo_hex_digit(in[1]) & 1) == 0 && nonzero;
}

/* What Linux accepts as an interface name, minus the characters that need
 * quoting in a shell or xenstore. */
static int bridge_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > BRIDGE_MAX_LEN || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/* -1 reads as absent, as to_json writes it for a config with no index yet. */
static int read_index(struct xo_vif_config *vif, struct json_object *obj, struct xo_error *err)
{
	int64_t n = -1;
	int r = xo_jf_int(obj, WHAT, "index", -1, INDEX_MAX, &n, err);

	vif->index = (int)n;
	return r < 0 ? r : 0;
}

static int read_mac(struct xo_vif_config *vif, struct json_object *obj, struct xo_error *err)
{
	const char *s;
	int r = xo_jf_string(obj, WHAT, "mac", 64, &s, err);

	if (r <= 0 || *s == '\0')
		return r < 0 ? r : 0;
	if (!mac_normalise(s, vif->mac))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"mac\" must be a unicast address \"xx:xx:xx:xx:xx:xx\"");
	return 0;
}

static int read_bridge(struct xo_vif_config *vif, struct json_object *obj, struct xo_error *err)
{
	const char *s = "xenbr0";
	int r = xo_jf_string(obj, WHAT, "bridge", 64, &s, err);

	if (r < 0)
		return r;
	if (!bridge_valid(s))
		return xo_err(err, XENOPS_EINVAL,
			      WHAT ": field \"bridge\" must be 1 to %d characters of "
				   "[A-Za-z0-9_.-]",
			      BRIDGE_MAX_LEN);
	vif->bridge = strdup(s);
	return vif->bridge ? 0 : xo_err(err, XENOPS_ENOMEM, WHAT ": out of memory");
}

int xo_vif_from_json(struct xo_dev_config *cfg, struct json_object *obj, struct xo_error *err)
{
	struct xo_vif_config *vif = &cfg->u.vif;
	int64_t mtu = 1500;
	int r;

	vif->index = -1;
	vif->carrier = 1;
	r = xo_jf_known(obj, WHAT, vif_fields, err);
	if (r >= 0)
		r = xo_dev_read_id(cfg, obj, WHAT, err);
	if (r >= 0)
		r = read_index(vif, obj, err);
	if (r >= 0)
		r = read_mac(vif, obj, err);
	if (r >= 0)
		r = read_bridge(vif, obj, err);
	if (r >= 0)
		r = xo_jf_int(obj, WHAT, "mtu", 68, 65535, &mtu, err);
	if (r >= 0)
		r = xo_jf_bool(obj, WHAT, "carrier", &vif->carrier, err);
	vif->mtu = (unsigned int)mtu;
	return r < 0 ? r : 0;
}

int xo_vif_fill_json(struct json_object *obj, const struct xo_dev_config *cfg, struct xo_error *err)
{
	const struct xo_vif_config *vif = &cfg->u.vif;

	if (xo_jw_int(obj, "index", vif->index, err) < 0 || xo_jw_string(obj, "mac", vif->mac,
									 err) < 0 ||
	    xo_jw_string(obj, "bridge", vif->bridge, err) < 0 || xo_jw_int(obj, "mtu", vif->mtu,
									   err) < 0 ||
	    xo_jw_bool(obj, "carrier", vif->carrier, err) < 0)
		return XENOPS_ENOMEM;
	return 0;
}
