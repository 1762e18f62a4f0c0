/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xo_bench: the benchmark program run by bench/run.sh. One sub-command per
 * section; each prints result lines (see bench.h) for run.sh to tabulate.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
	fputs("usage: xo_bench engine|updates|rpc|restart|persist [--quick] [--reps N]\n"
	      "                [--socket PATH] [--workdir DIR] [--state-parent DIR]\n"
	      "                [--vms N] [--workers N]   (engine: one configuration only;\n"
	      "                                          restart: one size only;\n"
	      "                                          persist: --vms N, default 1,000, 300 with --quick)\n"
	      "                [--clients N] [--depth N] (rpc: one configuration only)\n"
	      "                [--daemon-pid PID]        (rpc: report the daemon's CPU time per answer)\n"
	      "                [--listeners N]           (rpc: only the long-poll delivery, N listeners)\n"
	      "  engine   simulator engine: add+start+shutdown of 100/1,000/10,000/100,000 VMs\n"
	      "  updates  wake-up latency of a blocked xenops_updates_get\n"
	      "  rpc      VM.stat requests/s through xenopsd; long-poll delivery\n"
	      "  restart  xenops_ctx_new over 1,000/10,000/100,000 persisted VMs\n"
	      "  persist  add+start+shutdown of N VMs with a state directory, then its open\n"
	      "Prints R|section|row|column|value|unit|note lines (bench/run.sh reads them).\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },     { "reps", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 'd' }, { "workdir", required_argument, NULL, 'w' },
		{ "state-parent", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ "vms", required_argument, NULL, 'n' },     { "workers", required_argument, NULL, 'W' },
		{ "clients", required_argument, NULL, 'c' },   { "depth", required_argument, NULL, 'D' },
		{ "daemon-pid", required_argument, NULL, 'P' },
		{ "listeners", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct bn_opts o = { 0 };
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "qr:d:w:s:hn:W:c:D:P:L:", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quick = 1;
			break;
		case 'r':
			o.reps = atoi(optarg);
			break;
		case 'd':
			o.socket = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 's':
			o.state_parent = optarg;
			break;
		case 'n':
			o.only_vms = (size_t)atol(optarg);
			break;
		case 'W':
			o.only_workers = (unsigned int)atoi(optarg);
			break;
		case 'c':
			o.only_clients = (unsigned int)atoi(optarg);
			break;
		case 'D':
			o.only_depth = (unsigned int)atoi(optarg);
			break;
		case 'P':
			o.daemon_pid = atoi(optarg);
			break;
		case 'L':
			o.only_listeners = (unsigned int)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (!o.workdir)
		o.workdir = "/tmp";
	cmd = argv[optind];
	if (!strcmp(cmd, "engine"))
		return bn_engine_main(&o);
	if (!strcmp(cmd, "updates"))
		return bn_updates_main(&o);
	if (!strcmp(cmd, "rpc"))
		return bn_rpc_main(&o);
	if (!strcmp(cmd, "restart"))
		return bn_restart_main(&o);
	if (!strcmp(cmd, "persist"))
		return bn_persist_main(&o);
	usage(stderr);
	return 2;
}
