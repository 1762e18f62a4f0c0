/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Randomness for generated identities: VM UUIDs and VIF MAC addresses.
 * The kernel's CSPRNG, so that ids from many processes do not collide.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "model/model_int.h"

/* Kernels before 3.17 lack getrandom(); containers may filter it. */
static int urandom_bytes(unsigned char *buf, size_t len)
{
	size_t done = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return done == len ? 0 : -1;
}

int xo_random_bytes(void *buf, size_t len, struct xo_error *err)
{
	unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		done += (size_t)n;
	}
	if (done == len || urandom_bytes(p + done, len - done) == 0)
		return 0;
	return xo_err(err, XENOPS_EINTERNAL,
		      "no source of random numbers (getrandom, /dev/urandom)");
}

int xo_uuid_generate(char out[37], struct xo_error *err)
{
	unsigned char b[16];
	int r = xo_random_bytes(b, sizeof(b), err);

	if (r < 0)
		return r;
	/* RFC 4122 section 4.4: version 4, variant 10xx. */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
	return 0;
}

void xo_mac_generate(char out[18])
{
	static const char hex[] = "0123456789abcdef";
	struct xo_error err_value = { 0 }, *err = &err_value; /* not passed up: logged or ignored */
	unsigned char b[3] = { 0, 0, 0 };

	/* No randomness at all is not worth failing a VIF plug for: fall back
	 * on something that still differs between calls and processes. */
	if (xo_random_bytes(b, sizeof(b), err) < 0) {
		static unsigned int counter;
		unsigned int x = (unsigned int)getpid() * 2654435761u +
				 __atomic_add_fetch(&counter, 40503u, __ATOMIC_RELAXED);

		b[0] = (unsigned char)(x >> 16);
		b[1] = (unsigned char)(x >> 8);
		b[2] = (unsigned char)x;
	}
	/* Xen's OUI; the top bit of the 4th octet clear marks it as one of the
	 * dynamically assigned half of the range. */
	memcpy(out, "00:16:3e:", 9);
	b[0] &= 0x7f;
	for (int i = 0; i < 3; i++) {
		out[9 + 3 * i] = hex[b[i] >> 4];
		out[10 + 3 * i] = hex[b[i] & 0xf];
		out[11 + 3 * i] = i < 2 ? ':' : '\0';
	}
}
