/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenopsctl console VM: attach this terminal to the VM's text console on
 * this host, as "xl console" does. The pty path comes from VM.stat
 * (state.consoles, as xenconsoled publishes it); the bytes go directly
 * between the terminal and the pty, not through xenopsd. The terminal is
 * raw while attached and restored on every way out; Ctrl-] detaches.
 * Standard input need not be a terminal (a script may pipe keystrokes in):
 * then it is not touched, and its end detaches too.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl_cmd.h"

#define CONSOLE_ESCAPE 0x1d /* Ctrl-] */
#define EXIT_BADSTATE (CTL_LIB_BASE + 5) /* XENOPS_EBADSTATE */
#define EXIT_NOTFOUND (CTL_LIB_BASE + 3) /* XENOPS_ENOTFOUND */
#define EXIT_IO (CTL_LIB_BASE + 11)      /* XENOPS_EIO */

static struct termios saved;
static int saved_ok;
static volatile sig_atomic_t got_signal;

static void restore_tty(void)
{
	if (saved_ok)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	saved_ok = 0;
}

static void on_signal(int sig)
{
	got_signal = sig;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The console's path from the VM's stat, or an exit code with a message. */
static int console_path(struct ctl *c, const char *vm, char *path, size_t len)
{
	struct json_object *params = json_object_new_object(), *res = NULL, *state, *cons, *c0;
	const char *power, *p;
	int rc;

	json_object_object_add(params, "id", json_object_new_string(vm));
	rc = ctl_call(c, "VM.stat", params, &res);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(res, "state", &state)) {
		fprintf(stderr, "xenopsctl: malformed reply from xenopsd (no state)\n");
		json_object_put(res);
		return CTL_PROTOCOL;
	}
	power = ctl_str_member(state, "power_state");
	if (!power || (strcmp(power, "Running") != 0 && strcmp(power, "Paused") != 0)) {
		fprintf(stderr, "xenopsctl: vm %s is not running (%s): it has no console\n", vm,
			power ? power : "unknown state");
		json_object_put(res);
		return EXIT_BADSTATE;
	}
	if (!json_object_object_get_ex(state, "consoles", &cons) ||
	    !json_object_is_type(cons, json_type_array) || json_object_array_length(cons) == 0 ||
	    !(c0 = json_object_array_get_idx(cons, 0)) || !(p = ctl_str_member(c0, "path")) ||
	    !*p) {
		fprintf(stderr, "xenopsctl: vm %s has no text console\n", vm);
		json_object_put(res);
		return EXIT_NOTFOUND;
	}
	snprintf(path, len, "%s", p);
	json_object_put(res);
	return CTL_OK;
}

/* Relay until Ctrl-], the end of input, a signal or the console's end. */
static int relay(int pty, const char *vm)
{
	char buf[4096];
	int in_open = 1;

	for (;;) {
		struct pollfd p[2] = { { .fd = pty, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
		ssize_t r;

		if (got_signal)
			return CTL_OK;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return EXIT_IO;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(pty, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				restore_tty();
				fprintf(stderr, "\r\nxenopsctl: the console of vm %s closed\n", vm);
				return CTL_OK;
			}
			if (write_all(STDOUT_FILENO, buf, (size_t)r) < 0)
				return EXIT_IO;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				return CTL_OK; /* the end of a piped input */
			char *esc = memchr(buf, CONSOLE_ESCAPE, (size_t)r);

			if (write_all(pty, buf, esc ? (size_t)(esc - buf) : (size_t)r) < 0)
				return EXIT_IO;
			if (esc)
				return CTL_OK;
		}
	}
}

int ctl_run_console(struct ctl *c, const struct cmd *cmd, struct args *a)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char path[256];
	int rc, pty, tty_in = isatty(STDIN_FILENO);

	(void)cmd;
	rc = console_path(c, a->pos[0], path, sizeof(path));
	if (rc)
		return rc;
	pty = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (pty < 0) {
		fprintf(stderr, "xenopsctl: vm %s: cannot open its console %s: %s\n", a->pos[0], path,
			strerror(errno));
		return errno == ENOENT ? EXIT_NOTFOUND : EXIT_IO;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (tty_in && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios raw = saved;

		saved_ok = 1;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
		fprintf(stderr, "Connected to the console of vm %s (%s). Escape character is '^]'.\r\n",
			a->pos[0], path);
	}
	rc = relay(pty, a->pos[0]);
	restore_tty();
	if (tty_in)
		fprintf(stderr, "\n");
	close(pty);
	return rc;
}
