/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Migration between two xenopsd (simulator) over TLS on 127.0.0.1: a VM
 * moves with the shared key; another key is refused and logged; a peer
 * that skips TLS gets nothing parsed; the key file's mode is enforced;
 * localhost migration through VM.migrate and xenopsctl.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "xdtest.h"

static char keydir[64];

static void write_key(const char *name, const char *line, mode_t mode)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void setup(void)
{
	snprintf(keydir, sizeof(keydir), "/tmp/xdmig-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keydir));
	write_key("good", "node:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0600);
	write_key("other", "node:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n", 0600);
	write_key("open", "node:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0644);
}

static void teardown(void)
{
	char path[160];

	for (const char *n = "good\0other\0open\0"; *n; n += strlen(n) + 1) {
		snprintf(path, sizeof(path), "%s/%s", keydir, n);
		unlink(path);
	}
	rmdir(keydir);
}

/* A free TCP port on 127.0.0.1 (bound then released). */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

struct pair {
	struct xdt_daemon src, dst;
	struct xdt_conn *a, *b;
	char url[64], listen[64], kgood[160], kother[160];
	int port;
};

static void start_pair(struct pair *p, const char *src_key)
{
	memset(p, 0, sizeof(*p));
	p->port = free_port();
	snprintf(p->listen, sizeof(p->listen), "127.0.0.1:%d", p->port);
	snprintf(p->url, sizeof(p->url), "xenops://127.0.0.1:%d", p->port);
	snprintf(p->kgood, sizeof(p->kgood), "%s/good", keydir);
	snprintf(p->kother, sizeof(p->kother), "%s/%s", keydir, src_key);
	{
		const char *dst_args[] = { "--migrate-psk-file", p->kgood, "--migrate-listen",
					   p->listen, NULL };
		const char *src_args[] = { "--migrate-psk-file", p->kother, NULL };

		ck_assert_int_eq(xdt_start(&p->dst, dst_args), 0);
		ck_assert_int_eq(xdt_start(&p->src, src_args), 0);
	}
	p->a = xdt_open(p->src.sock);
	p->b = xdt_open(p->dst.sock);
	ck_assert_ptr_nonnull(p->a);
	ck_assert_ptr_nonnull(p->b);
	json_object_put(xdt_ok(p->a, "VM.add",
			       "{\"config\": {\"id\": \"v1\", \"memory_mib\": 256, \"vcpus\": 1}}"));
	ck_assert_str_eq(xdt_op(p->a, "VM.start", "{\"id\": \"v1\"}"), "completed");
}

static void stop_pair(struct pair *p)
{
	xdt_close(p->a);
	xdt_close(p->b);
	xdt_stop(&p->src);
	xdt_stop(&p->dst);
	xdt_cleanup(&p->src);
	xdt_cleanup(&p->dst);
}

static char *read_log(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The log gets @needle within 10 s (the daemon logs after it closed). */
static int log_gets(const char *path, const char *needle)
{
	for (int i = 0; i < 200; i++) {
		if (strstr(read_log(path), needle))
			return 1;
		usleep(50000);
	}
	return 0;
}

static const char *power(struct xdt_conn *c, const char *vm)
{
	static char state[32];
	struct json_object *r = xdt_call(c, "VM.stat", "{\"id\": \"%s\"}", vm);
	const char *s = xdt_str(r, "result.state.power_state");

	snprintf(state, sizeof(state), "%s", s ? s : "(none)");
	json_object_put(r);
	return state;
}

/* Submit VM.migrate and wait; the task's stat (caller puts). */
static struct json_object *migrate(struct xdt_conn *c, const char *url)
{
	struct json_object *r = xdt_ok(c, "VM.migrate", "{\"id\": \"v1\", \"url\": \"%s\"}", url);
	char task[64];
	struct json_object *st;

	snprintf(task, sizeof(task), "%s", xdt_str(r, "task"));
	json_object_put(r);
	xdt_wait_task(c, task);
	st = xdt_ok(c, "TASK.stat", "{\"id\": \"%s\"}", task);
	return st;
}

START_TEST(test_tls_migration)
{
	struct pair p;
	struct json_object *st;

	start_pair(&p, "good");
	st = migrate(p.a, p.url);
	ck_assert_str_eq(xdt_str(st, "state"), "completed");
	ck_assert_int_ge(xdt_int(st, "migration.iteration"), 2);
	ck_assert_int_ge(xdt_int(st, "migration.bytes"), 256LL << 20);
	json_object_put(st);
	ck_assert_str_eq(power(p.b, "v1"), "Running");
	ck_assert_str_eq(power(p.a, "v1"), "Halted");
	ck_assert(log_gets(p.dst.log, "authenticated"));
	stop_pair(&p);
}
END_TEST

START_TEST(test_wrong_key_refused)
{
	struct pair p;
	struct json_object *st, *r;

	start_pair(&p, "other");
	st = migrate(p.a, p.url);
	ck_assert_str_eq(xdt_str(st, "state"), "failed");
	ck_assert_ptr_nonnull(strstr(xdt_str(st, "error.message"), "TLS handshake failed"));
	json_object_put(st);
	ck_assert_str_eq(power(p.a, "v1"), "Running");
	r = xdt_ok(p.b, "VM.list", "{}");
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "vms")), 0);
	json_object_put(r);
	ck_assert(log_gets(p.dst.log, "refused: TLS handshake failed"));
	stop_pair(&p);
}
END_TEST

/* A peer that sends a plain migration header, skipping TLS: nothing is defined. */
START_TEST(test_nothing_parsed_before_auth)
{
	static const char hdr[] = "XENOPSMG\0\0\0\1\0\0\0\x31{\"vm\":{\"id\":\"intruder\",\"memory_mib\":64},\"live\":true}";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pair p;
	struct json_object *r;
	char buf[256];
	int fd;

	start_pair(&p, "good");
	sa.sin_port = htons((uint16_t)p.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, hdr, sizeof(hdr) - 1), (ssize_t)sizeof(hdr) - 1);
	/* The daemon drops the connection without a migration answer. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	r = xdt_ok(p.b, "VM.list", "{}");
	ck_assert_int_eq(json_object_array_length(xdt_get(r, "vms")), 0);
	json_object_put(r);
	ck_assert(log_gets(p.dst.log, "refused: TLS handshake failed"));
	xdt_assert_healthy(&p.dst);
	stop_pair(&p);
}
END_TEST

START_TEST(test_key_file_mode_enforced)
{
	struct xdt_daemon d = { 0 };
	char key[160];
	const char *args[] = { "--migrate-psk-file", key, NULL };

	snprintf(key, sizeof(key), "%s/open", keydir);
	ck_assert_int_ne(xdt_start(&d, args), 0);
	ck_assert_ptr_nonnull(strstr(read_log(d.log), "mode 0600 or 0400"));
	xdt_cleanup(&d);
}
END_TEST

START_TEST(test_local_migration)
{
	struct xdt_daemon d = { 0 };
	struct xdt_conn *c;
	struct json_object *st, *r;
	long long dom0, dom1;
	struct xdt_run run = { 0 };
	const char *argv[] = { XDT_XENOPSCTL, "--socket", d.sock, "vm", "migrate", "v1", "local",
			       NULL };

	ck_assert_int_eq(xdt_start(&d, NULL), 0);
	c = xdt_open(d.sock);
	json_object_put(xdt_ok(c, "VM.add",
			       "{\"config\": {\"id\": \"v1\", \"memory_mib\": 256, \"vcpus\": 1}}"));
	ck_assert_str_eq(xdt_op(c, "VM.start", "{\"id\": \"v1\"}"), "completed");
	r = xdt_ok(c, "VM.stat", "{\"id\": \"v1\"}");
	dom0 = xdt_int(r, "state.domid");
	json_object_put(r);
	st = migrate(c, "local");
	ck_assert_str_eq(xdt_str(st, "state"), "completed");
	json_object_put(st);
	r = xdt_ok(c, "VM.stat", "{\"id\": \"v1\"}");
	dom1 = xdt_int(r, "state.domid");
	ck_assert_str_eq(xdt_str(r, "state.power_state"), "Running");
	json_object_put(r);
	ck_assert_int_ne(dom0, dom1);
	/* The same through xenopsctl, and a url of another form is refused. */
	argv[2] = d.sock;
	ck_assert_int_eq(xdt_exec(&run, NULL, argv), 0);
	ck_assert_int_eq(run.status, 0);
	xdt_run_free(&run);
	ck_assert_int_eq(xdt_err(c, "VM.migrate", "{\"id\": \"v1\", \"url\": \"http://x\"}"), -1);
	ck_assert_int_eq(xdt_err(c, "VM.migrate", "{\"id\": \"v1\", \"url\": \"xenops://h:1\"}"), -9);
	xdt_close(c);
	xdt_stop(&d);
	xdt_cleanup(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("migrate_daemon");
	TCase *tc = tcase_create("migrate_daemon");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tls_migration);
	tcase_add_test(tc, test_wrong_key_refused);
	tcase_add_test(tc, test_nothing_parsed_before_auth);
	tcase_add_test(tc, test_key_file_mode_enforced);
	tcase_add_test(tc, test_local_migration);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
