/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator: a guest's text console. A pseudo-terminal the simulator owns
 * (it keeps the terminal end open, as xenconsoled does), with a trivial
 * guest behind it: a banner, then every byte typed is echoed back and every
 * line answered with "sim-guest: <line>" (another control key, as ^X, drops
 * the line). Made on first need (guest facts of
 * a built domain that is not shut down), at most XO_SIM_CONSOLES_MAX at a
 * time in a process; closed when the domain goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

struct xo_sim_console {
	int master, slave; /* the slave stays open: no hang-up while nobody is attached */
	int stop[2];       /* a byte (or its close) ends the thread */
	pthread_t thread;
	int domid;
	char vm_id[XO_ID_MAX + 1];
	char path[64];
};

static unsigned int n_consoles; /* in the process (all simulators): atomic */

static void con_write(int fd, const char *s, size_t n)
{
	/* Nobody reading and the buffer full: the guest's output is dropped. */
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void *con_main(void *arg)
{
	struct xo_sim_console *c = arg;
	char banner[160], line[256], reply[300], buf[128];
	size_t len = 0;
	int n;

	n = snprintf(banner, sizeof(banner),
		     "\r\nsim-guest: console of VM %s (domain %d); lines typed here are answered\r\n",
		     c->vm_id, c->domid);
	con_write(c->master, banner, (size_t)n);
	for (;;) {
		struct pollfd p[2] = { { .fd = c->master, .events = POLLIN },
				       { .fd = c->stop[0], .events = POLLIN } };
		ssize_t r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		r = read(c->master, buf, sizeof(buf));
		if (r <= 0) {
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			break;
		}
		for (ssize_t i = 0; i < r; i++) {
			char ch = buf[i];

			if (ch == '\r' || ch == '\n') {
				con_write(c->master, "\r\n", 2);
				if (len > 0) {
					n = snprintf(reply, sizeof(reply), "sim-guest: %.*s\r\n",
						     (int)len, line);
					con_write(c->master, reply, (size_t)n);
				}
				len = 0;
				continue;
			}
			if ((unsigned char)ch < 0x20 || ch == 0x7f) {
				/* Another control key (Ctrl-C...): shown as ^X, the line dropped. */
				char caret[5] = { '^', (char)(ch == 0x7f ? '?' : ch + '@'), '\r', '\n', 0 };

				con_write(c->master, caret, 4);
				len = 0;
				continue;
			}
			con_write(c->master, &ch, 1);
			if (len < sizeof(line))
				line[len++] = ch;
		}
	}
	return NULL;
}

static void con_close(struct xo_sim_console *c)
{
	if (c->master >= 0)
		close(c->master);
	if (c->slave >= 0)
		close(c->slave);
	if (c->stop[0] >= 0)
		close(c->stop[0]);
	if (c->stop[1] >= 0)
		close(c->stop[1]);
	free(c);
}

const char *xo_sim_console_path(struct xo_sim_dom *d)
{
	struct xo_sim_console *c;
	struct termios t;
	const char *name;

	if (d->console)
		return d->console->path;
	if (__atomic_load_n(&n_consoles, __ATOMIC_RELAXED) >= XO_SIM_CONSOLES_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slave = c->stop[0] = c->stop[1] = -1;
	c->domid = d->domid;
	snprintf(c->vm_id, sizeof(c->vm_id), "%s", d->vm_id);
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0 || grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
	    !(name = ptsname(c->master)) || strlen(name) >= sizeof(c->path)) {
		con_close(c);
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", name);
	c->slave = open(c->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave < 0 || pipe2(c->stop, O_CLOEXEC) < 0 ||
	    fcntl(c->master, F_SETFL, O_NONBLOCK) < 0) {
		con_close(c);
		return NULL;
	}
	/* Raw, as xenconsoled leaves its terminals: the client decides. */
	if (tcgetattr(c->slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(c->slave, TCSANOW, &t);
	}
	if (pthread_create(&c->thread, NULL, con_main, c) != 0) {
		con_close(c);
		return NULL;
	}
	d->console = c;
	__atomic_add_fetch(&n_consoles, 1, __ATOMIC_RELAXED);
	return c->path;
}

void xo_sim_console_free(struct xo_sim_dom *d)
{
	struct xo_sim_console *c = d->console;

	if (!c)
		return;
	d->console = NULL;
	close(c->stop[1]);
	c->stop[1] = -1;
	pthread_join(c->thread, NULL);
	con_close(c);
	__atomic_sub_fetch(&n_consoles, 1, __ATOMIC_RELAXED);
}
