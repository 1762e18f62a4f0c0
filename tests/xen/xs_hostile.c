/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hostile guest for the Xen suite (section xo_hostile): runs inside a PV
 * guest of the testbed and abuses the guest's own xenstore area through the
 * kernel's /dev/xen/xenbus, speaking the xenstore wire protocol directly
 * (a struct xsd_sockmsg header, then the payload; paths relative to
 * /local/domain/<domid>). Built static, as the guest has only busybox.
 *
 *   xs_hostile [FLIP_SECONDS [go]]
 *
 * With "go" it first prints XENTB-HOSTILE-WAITING and waits (up to 10 min)
 * for dom0 to write data/go, so that dom0 can measure before it starts.
 *
 * 1. garbage: control bytes, quotes, backslashes, invalid UTF-8, a NUL and
 *    format directives as values of data/, attr/ and control/ keys, and
 *    as names of keys (which xenstored may refuse);
 * 2. oversized values, up to what one message can carry;
 * 3. thousands of keys under data/ until xenstored refuses (its quota);
 * 4. garbage in the frontend keys of every device under device/;
 * 5. for FLIP_SECONDS (default 60): flips the frontend state of every
 *    device, control/feature-* and control/shutdown in a loop; then
 *    goes on flipping device states and control/shutdown until the
 *    domain is shut down or destroyed.
 *
 * Every value holds "HOSTILE" so that dom0 can look for it in what the
 * toolstack reports. Prints "XENTB-HOSTILE-<phase> ..." lines with the counts
 * of writes xenstored took and refused (and why), and XENTB-HOSTILE-DONE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

static int fd = -1;
static uint32_t req_id;
static char reply[XENSTORE_PAYLOAD_MAX + 1];
static char last_err[32];

struct tally {
	long ok, refused;
	char first_err[32];
};

static int full_read(void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* One request; 0 when xenstored answered with its type, -1 otherwise (last_err says why). */
static int xs_req(uint32_t type, const void *payload, size_t len)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = { .type = type, .req_id = ++req_id, .tx_id = 0,
				 .len = (uint32_t)len };
	ssize_t w;

	if (len > XENSTORE_PAYLOAD_MAX) {
		snprintf(last_err, sizeof(last_err), "too-long-to-send");
		return -1;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	w = write(fd, buf, sizeof(h) + len);
	if (w != (ssize_t)(sizeof(h) + len)) {
		snprintf(last_err, sizeof(last_err), "write:%s", strerror(errno));
		return -1;
	}
	if (full_read(&h, sizeof(h)) < 0 || h.len > XENSTORE_PAYLOAD_MAX ||
	    full_read(reply, h.len) < 0) {
		snprintf(last_err, sizeof(last_err), "read:%s", strerror(errno));
		return -1;
	}
	reply[h.len] = '\0';
	if (h.type == XS_ERROR) {
		snprintf(last_err, sizeof(last_err), "%.31s", reply);
		return -1;
	}
	return h.type == type ? (int)h.len : -1;
}

/* XS_WRITE: "path\0" then the value's bytes (len of them, NULs allowed). */
static int xs_write(const char *path, const char *value, size_t vlen)
{
	char buf[XENSTORE_PAYLOAD_MAX + 64];
	size_t plen = strlen(path) + 1;

	if (plen + vlen > sizeof(buf)) {
		snprintf(last_err, sizeof(last_err), "too-long-to-send");
		return -1;
	}
	memcpy(buf, path, plen);
	memcpy(buf + plen, value, vlen);
	return xs_req(XS_WRITE, buf, plen + vlen) < 0 ? -1 : 0;
}

static void count(struct tally *t, int rc)
{
	if (rc == 0) {
		t->ok++;
	} else {
		if (!t->refused)
			snprintf(t->first_err, sizeof(t->first_err), "%s", last_err);
		t->refused++;
	}
}

static void report(const char *phase, const struct tally *t, const char *extra)
{
	printf("XENTB-HOSTILE-%s ok=%ld refused=%ld first_error=%s%s%s\n", phase, t->ok, t->refused,
	       t->refused ? t->first_err : "none", extra ? " " : "", extra ? extra : "");
	fflush(stdout);
}

/* Children of a directory, as a NUL-separated list in reply; their number. */
static int xs_list(const char *path, char *out, size_t size)
{
	int n = xs_req(XS_DIRECTORY, path, strlen(path) + 1);

	if (n <= 0 || (size_t)n > size)
		return 0;
	memcpy(out, reply, (size_t)n);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* device/<kind>/<id> paths of the guest's devices, up to 16. */
static int device_dirs(char dirs[16][64])
{
	static const char *const kinds[] = { "vbd", "vif" };
	char buf[1024], path[64];
	int n = 0;

	for (size_t k = 0; k < 2; k++) {
		int len;

		snprintf(path, sizeof(path), "device/%s", kinds[k]);
		len = xs_list(path, buf, sizeof(buf));
		for (int i = 0; i < len && n < 16; i += (int)strlen(buf + i) + 1)
			snprintf(dirs[n++], 64, "device/%s/%.40s", kinds[k], buf + i);
	}
	return n;
}

int main(int argc, char **argv)
{
	static const char garbage[] = "HOSTILE\x01\x02\x1b[31m\"}]},{\"power_state\":\"Halted\\\n"
				      "\r\t%s%n%x\xff\xfe\xc3\x28\xed\xa0\x80'`$(reboot)\0after-nul";
	static const char *const bad_names[] = {
		"data/HOSTILE\"quote", "data/HOSTILE\\back", "data/HOSTILE%s%n", "data/HOSTILE sp",
		"data/HOSTILE\xff\xfe", "attr/HOSTILE\x1b[2J", "data//HOSTILE", "data/../../0/HOSTILE",
	};
	static const char *const states[] = { "1", "2", "3", "4", "5", "6", "7", "0", "-1",
					      "HOSTILE", "", "4294967297" };
	static char big[XENSTORE_PAYLOAD_MAX];
	double flip_s = argc > 1 ? atof(argv[1]) : 60, end;
	struct tally t = { 0 };
	char dirs[16][64], path[128], extra[64];
	int ndev;
	long flips = 0;

	fd = open("/dev/xen/xenbus", O_RDWR);
	if (fd < 0) {
		printf("XENTB-HOSTILE-NODEV %s\n", strerror(errno));
		return 1;
	}
	if (argc > 2 && !strcmp(argv[2], "go")) {
		struct timespec tick = { 0, 100000000 };

		printf("XENTB-HOSTILE-WAITING\n");
		fflush(stdout);
		for (int i = 0; i < 6000 && xs_req(XS_READ, "data/go", 8) < 0; i++)
			nanosleep(&tick, NULL);
	}
	printf("XENTB-HOSTILE-START\n");
	fflush(stdout);

	/* 1. garbage values and names. */
	count(&t, xs_write("data/garbage", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("attr/garbage", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("attr/os/HOSTILE", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("control/shutdown", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("control/feature-poweroff", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("control/HOSTILE-new-key", garbage, sizeof(garbage) - 1));
	count(&t, xs_write("name", "HOSTILE-rename", 14));
	count(&t, xs_write("xenops/vm-id", "HOSTILE-claim", 13));
	count(&t, xs_write("/local/domain/0/HOSTILE", "x", 1));
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(*bad_names); i++)
		count(&t, xs_write(bad_names[i], garbage, sizeof(garbage) - 1));
	report("GARBAGE", &t, NULL);

	/* 2. oversized values: the largest that fits one message, and above. */
	memset(&t, 0, sizeof(t));
	memset(big, 'H', sizeof(big));
	memcpy(big, "HOSTILE", 7);
	{
		static const size_t sizes[] = { 1024, 2048, 2049, 3000, 4000, 4096 - 1 - 9 };
		long largest = 0;

		for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
			snprintf(path, sizeof(path), "data/big%zu", i);
			if (xs_write(path, big, sizes[i]) == 0) {
				t.ok++;
				if ((long)sizes[i] > largest)
					largest = (long)sizes[i];
			} else {
				count(&t, -1);
			}
		}
		count(&t, xs_write("data/toolong", big, sizeof(big))); /* beyond one message */
		snprintf(extra, sizeof(extra), "largest_taken=%ld", largest);
		report("OVERSIZED", &t, extra);
	}

	/* 3. thousands of keys, until xenstored has refused 50 in a row. */
	memset(&t, 0, sizeof(t));
	{
		long streak = 0;

		for (long i = 0; i < 5000 && streak < 50; i++) {
			int rc;

			snprintf(path, sizeof(path), "data/k/HOSTILE%ld", i);
			rc = xs_write(path, garbage, 40);
			count(&t, rc);
			streak = rc == 0 ? 0 : streak + 1;
		}
		report("KEYS", &t, NULL);
	}

	/* 4. garbage in the frontend keys. */
	memset(&t, 0, sizeof(t));
	ndev = device_dirs(dirs);
	for (int d = 0; d < ndev; d++) {
		static const char *const keys[] = { "ring-ref", "event-channel", "protocol",
						    "backend", "backend-id", "HOSTILE-extra",
						    "feature-persistent", "tx-ring-ref" };

		for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
			snprintf(path, sizeof(path), "%.63s/%.31s", dirs[d], keys[k]);
			count(&t, xs_write(path, garbage, sizeof(garbage) - 1));
		}
	}
	snprintf(extra, sizeof(extra), "devices=%d", ndev);
	report("FRONTEND", &t, extra);

	/* 5. flip states in a loop, a write every ~2 ms. */
	memset(&t, 0, sizeof(t));
	printf("XENTB-HOSTILE-FLIPPING seconds=%.0f\n", flip_s);
	fflush(stdout);
	end = now_s() + flip_s;
	while (now_s() < end) {
		const char *s = states[flips % (sizeof(states) / sizeof(*states))];
		struct timespec pause = { 0, 2000000 };

		for (int d = 0; d < ndev; d++) {
			snprintf(path, sizeof(path), "%.63s/state", dirs[d]);
			count(&t, xs_write(path, s, strlen(s)));
		}
		count(&t, xs_write("control/feature-poweroff", s, strlen(s)));
		count(&t, xs_write("control/shutdown", garbage, sizeof(garbage) - 1));
		flips++;
		nanosleep(&pause, NULL);
	}
	snprintf(extra, sizeof(extra), "rounds=%ld", flips);
	report("FLIPS", &t, extra);
	printf("XENTB-HOSTILE-DONE\n");
	fflush(stdout);
	/* And on, unreported, until the domain goes: shutdown meets a hostile guest. */
	for (;;) {
		struct timespec pause = { 0, 2000000 };

		for (int d = 0; d < ndev; d++) {
			snprintf(path, sizeof(path), "%.63s/state", dirs[d]);
			xs_write(path, states[flips % 12], strlen(states[flips % 12]));
		}
		xs_write("control/shutdown", garbage, sizeof(garbage) - 1);
		flips++;
		nanosleep(&pause, NULL);
	}
}
