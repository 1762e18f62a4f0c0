#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Set up and build libxenops, start xenopsd on the simulator, and drive a
# VM with a disk and a NIC through its lifecycle with xenopsctl.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXENOPS_BUILD_DAEMON=ON -DXENOPS_WITH_XEN=AUTO >/dev/null
cmake --build build -j"$(nproc)" --target xenopsd xenopsctl >/dev/null

work=$(mktemp -d /tmp/xenops-demo.XXXXXX)
sock=$work/xenopsd.sock
build/daemon/xenopsd --socket "$sock" --state-dir "$work/state" --backend sim \
	--log-level info 2>"$work/xenopsd.log" &
daemon=$!
cleanup() {
	kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

ctl() {
	printf '\n$ xenopsctl %s\n' "$*"
	build/daemon/xenopsctl --socket "$sock" "$@"
}
ctl query
ctl vm add --id demo --name demo --memory 256M --vcpus 2
ctl vbd add demo --device xvda --backend file:/var/lib/demo/root.img
ctl vif add demo --bridge xenbr0
ctl vm start demo
ctl vm list
ctl vm pause demo
ctl vm list
ctl vm unpause demo
ctl vbd add demo --device xvdb --backend file:/var/lib/demo/data.img
ctl vbd plug demo xvdb
ctl vbd list demo
ctl vm suspend demo "$work/demo.save"
ctl vm list
ctl vm resume demo "$work/demo.save"
ctl vm reboot demo
ctl vm list
ctl vm shutdown demo
ctl vm stat demo
ctl vm remove demo
printf '\nxenopsd log:\n'
cat "$work/xenopsd.log"
