#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run.sh - build and run the libxenops benchmarks, print a table and
# the goals met / not met, optionally write the figures as JSON.
#
# Usage: bench/run.sh [--quick] [--json FILE] [--build-dir DIR]
#                     [--restart-dir DIR] [--no-build] [--sections LIST | --no-xen]
#
#   --quick            fewer repetitions and shorter runs (4 to 5 minutes, 12 with xen)
#   --json FILE        write every figure, the machine and the goals to FILE
#   --build-dir DIR    CMake build directory (default: build-bench at the top)
#   --restart-dir DIR  where the restart benchmark writes its 1,000 and 10,000
#                      VMs and the persist benchmark its state directories
#                      (default: DIR/bench-work in the build directory, i.e.
#                      the disk; with --quick: /dev/shm, to skip ~90 s of fsync);
#                      the restart benchmark's 100,000 VMs go to /dev/shm
#                      unless DIR is a tmpfs itself
#   --no-build         use the binaries already built in the build directory
#                      (and the Xen testbed's staged tree of its last build)
#   --sections LIST    comma-separated subset of engine,updates,rpc,restart,persist,xen,
#                      xen-migrate (default: all but xen-migrate)
#   --no-xen           all but the Xen testbed section
#
# The xen section boots Xen 4.17 in qemu through tests/xen/run.sh (build
# directory BUILD/xen) and runs bench/xen_payload.sh in dom0: xenopsd
# against xl create of the same guest. XO_BENCH_* variables in the
# environment are passed to it (XO_BENCH_KINDS picks its parts). It takes 10-15 minutes under TCG
# (--quick: about 8); where the testbed cannot run it says why.
#
# The xen-migrate section (only when named: about 35 minutes under TCG)
# first runs tests/xen/run.sh's sections xo_migrate and xo_migrate_xl on one
# testbed (build directory BUILD/xen): a PVH guest with a disk and a NIC
# migrated within the host by xenopsd (VM.migrate to "local"), then the same
# guest by xl migrate; then tests/xen/twohost.sh (two testbeds at once,
# build directory BUILD/xen2): the same guest migrated from one testbed to
# another by xenopsd, then by xl migrate (over busybox nc). For each: the
# total time and the guest's pause at the switch (from its own ticks).
#
# A benchmark reports, it never asserts: the exit status is 0 whatever the
# figures, non-zero only when the benchmark itself could not run.
# Traffic stays on Unix sockets of this machine; everything it starts
# (xenopsd, an echo server, qemu through tests/xen/run.sh) it stops by
# process id.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=$TOP/build-bench
QUICK=0
JSON=
RESTART_DIR=
NO_BUILD=0
SECTIONS=engine,updates,rpc,restart,persist,xen

usage() { sed -n '3,/^set -uo/{/^#/{s/^# \{0,1\}//;p}}' "$0"; }
while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1 ;;
        --json) [ $# -ge 2 ] || { usage >&2; exit 2; }; JSON=$2; shift ;;
        --build-dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; BUILD=$2; shift ;;
        --restart-dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; RESTART_DIR=$2; shift ;;
        --no-build) NO_BUILD=1 ;;
        --sections) [ $# -ge 2 ] || { usage >&2; exit 2; }; SECTIONS=$2; shift ;;
        --no-xen) SECTIONS=engine,updates,rpc,restart,persist ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
for sct in ${SECTIONS//,/ }; do
    case $sct in engine | updates | rpc | restart | persist | xen | xen-migrate) ;;
        *) echo "run.sh: unknown section $sct" >&2; exit 2 ;;
    esac
done
want() { [[ ,$SECTIONS, == *",$1,"* ]]; }
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
if [ -n "$JSON" ]; then case $JSON in /*) ;; *) JSON=$PWD/$JSON ;; esac; fi

say() { printf 'bench: %s\n' "$*" >&2; }

# ---- build ------------------------------------------------------------------
if [ "$NO_BUILD" = 0 ]; then
    say "building into $BUILD (RelWithDebInfo)"
    mkdir -p "$BUILD" || exit 1
    BLOG=$BUILD/bench-build.log
    cmake -S "$TOP" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BLOG" 2>&1 &&
        cmake --build "$BUILD" -j2 --target xenops xenopsd xenopsctl xo_bench >>"$BLOG" 2>&1 ||
        { tail -30 "$BLOG" >&2; say "build failed (log: $BLOG)"; exit 1; }
fi
BENCH=$BUILD/bench/xo_bench
XENOPSD=$BUILD/daemon/xenopsd
for f in "$BENCH" "$XENOPSD"; do
    [ -x "$f" ] || { say "missing $f (build first, or drop --no-build)"; exit 1; }
done

# ---- scratch, clean-up --------------------------------------------------------
WORK=$(mktemp -d /tmp/xo-bench.XXXXXX) || exit 1
RESULTS=$WORK/results.txt
DAEMON_PID=
cleanup() {
    if [ -n "$DAEMON_PID" ]; then
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
: >"$RESULTS"

# ---- the machine ----------------------------------------------------------------
NPROC=$(nproc)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$TOP" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (work tree modified)" || true)
KERNEL=$(uname -r)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
MODE=full
[ "$QUICK" = 1 ] && MODE=quick

QARG=()
[ "$QUICK" = 1 ] && QARG=(--quick)

run_section() {
    local name=$1
    shift
    say "running: $name"
    if ! "$BENCH" "$@" "${QARG[@]}" --workdir "$WORK" >>"$RESULTS"; then
        say "$name: the benchmark failed"
        echo "N|$name|benchmark failed (see the messages above)" >>"$RESULTS"
    fi
}

# 1. engine
want engine && run_section engine engine
# 2. update delivery
want updates && run_section updates updates
# 3. daemon
if want rpc; then
mkdir -p "$WORK/xenopsd-state"
"$XENOPSD" --backend sim --socket "$WORK/xenopsd.sock" --state-dir "$WORK/xenopsd-state" \
    --workers 4 --log-level warning --max-clients 1100 2>"$WORK/xenopsd.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [ -S "$WORK/xenopsd.sock" ] && break; sleep 0.05; done
if [ -S "$WORK/xenopsd.sock" ]; then
    run_section rpc rpc --socket "$WORK/xenopsd.sock" --daemon-pid "$DAEMON_PID"
else
    echo "N|rpc|xenopsd did not start: $(tail -1 "$WORK/xenopsd.log")" >>"$RESULTS"
fi
kill "$DAEMON_PID" 2>/dev/null
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
fi
# 4. restart, persist: state directories
if want restart || want persist; then
    if [ -z "$RESTART_DIR" ]; then
        if [ "$QUICK" = 1 ] && [ -d /dev/shm ]; then RESTART_DIR=/dev/shm; else RESTART_DIR=$BUILD/bench-work; fi
    fi
    mkdir -p "$RESTART_DIR"
fi
want restart && run_section restart restart --state-parent "$(cd "$RESTART_DIR" && pwd)"
want persist && run_section persist persist --state-parent "$(cd "$RESTART_DIR" && pwd)"
# 5. Xen testbed: tests/xen/run.sh boots Xen in qemu and runs bench/xen_payload.sh
# in dom0 (its own build directory: the project is installed into dom0).
if want xen; then
    XEN_BUILD=$BUILD/xen
    # 11 guests of 128 MiB next to a 1 GiB dom0: the testbed's 2 GiB is too small.
    export XENOPS_XENTB_MEM=${XENOPS_XENTB_MEM:-3072}
    XEN_ENV=()
    if [ "$QUICK" = 1 ]; then
        XEN_ENV=(--env XO_BENCH_ROUNDS=3 --env XO_BENCH_XS_ROUNDS=1 --env XO_BENCH_CHURN=4
                 --env XO_BENCH_STORM_ROUNDS=2)
    fi
    # XO_BENCH_* of run.sh's environment go to the payload (after --quick's,
    # so they win): e.g. XO_BENCH_KINDS="cpu storm" XO_BENCH_RELEASE=0 for
    # the CPU-per-start and boot-storm rows alone.
    while IFS= read -r v; do
        XEN_ENV+=(--env "$v")
    done < <(env | grep -E '^XO_BENCH_[A-Z_]+=' | sort)
    say "running: xen (tests/xen/run.sh in $XEN_BUILD; several minutes under TCG)"
    XEN_ARGS=(--build-dir "$XEN_BUILD" --log "$WORK/xen-console.log" --timeout "${XO_BENCH_XEN_TIMEOUT:-2400}")
    [ "$NO_BUILD" = 0 ] || XEN_ARGS+=(--no-build)
    "$TOP/tests/xen/run.sh" "${XEN_ARGS[@]}" "${XEN_ENV[@]}" "$HERE/xen_payload.sh" \
        >"$WORK/xen-run.txt" 2>&1
    XEN_RC=$?
    tr -d '\r' <"$WORK/xen-console.payload" 2>/dev/null | grep -aE '^[RIN]\|' >>"$RESULTS"
    grep -aE '^FAIL' "$WORK/xen-run.txt" | sed 's/^/bench: xen: /' >&2
    case $XEN_RC in
        0) ;;
        77) echo "N|xen|not measured: the testbed cannot run here: $(grep -a '^SKIP' "$WORK/xen-run.txt" | tail -1)" >>"$RESULTS" ;;
        *) echo "N|xen|the testbed run ended with status $XEN_RC ($(tail -1 "$WORK/xen-run.txt")); figures above are from the steps that worked" >>"$RESULTS"
           cp "$WORK/xen-run.txt" "$BUILD/xen-run.txt" 2>/dev/null
           # the payload's own messages (a failed xl create's error) are on the console
           cp "$WORK/xen-console.log" "$BUILD/xen-console.log" 2>/dev/null
           say "xen: run.sh output kept in $BUILD/xen-run.txt, the testbed's console in $BUILD/xen-console.log" ;;
    esac
fi
# mig_rows ROW XO-NAME XO-TOTAL XO-PAUSE XL-NAME XL-TOTAL XL-PAUSE: a
# migration's rows (what was measured) and their ratios.
mig_rows() {
    [ -z "$3" ] || echo "R|xen-migrate|$1: $2|total_s|$3" >>"$RESULTS"
    [ -z "$4" ] || echo "R|xen-migrate|$1: $2|pause_s|$4" >>"$RESULTS"
    [ -z "$6" ] || echo "R|xen-migrate|$1: $5|total_s|$6" >>"$RESULTS"
    [ -z "$7" ] || echo "R|xen-migrate|$1: $5|pause_s|$7" >>"$RESULTS"
    if [ -n "$3" ] && [ -n "$6" ]; then
        echo "R|xen-migrate|$1: xenopsd / xl|total_ratio|$(awk -v a="$3" -v b="$6" 'BEGIN { printf "%.3f", a / b }')" >>"$RESULTS"
    fi
    if [ -n "$4" ] && [ -n "$7" ]; then
        echo "R|xen-migrate|$1: xenopsd / xl|pause_ratio|$(awk -v a="$4" -v b="$7" 'BEGIN { if (b > 0) printf "%.3f", a / b }')" >>"$RESULTS"
    fi
}
# 6. Migration: xenopsd's against xl's, on one testbed (localhost), then
# between two testbeds.
if want xen-migrate; then
    say "running: xen-migrate, one host (tests/xen/run.sh --only xo_migrate,xo_migrate_xl in $BUILD/xen; about 15 minutes under TCG)"
    MIG_ARGS=(--build-dir "$BUILD/xen" --timeout "${XO_BENCH_XEN_TIMEOUT:-2400}" --only '^(xo_migrate|xo_migrate_xl)$')
    [ "$NO_BUILD" = 0 ] || MIG_ARGS+=(--no-build)
    "$TOP/tests/xen/run.sh" "${MIG_ARGS[@]}" >"$WORK/xen1-run.txt" 2>&1
    MIG_RC=$?
    row="one host, PVH 128 MiB with a disk and a NIC, live"
    mig_local() { sed -n "s/^NOTE: MIG-LOCAL $1 total \([0-9.]*\) s, largest gap between ticks \([0-9.]*\) s .*/\\$2/p" "$WORK/xen1-run.txt" | tail -n 1; }
    mig_rows "$row" "xenopsd (local)" "$(mig_local xenopsd 1)" "$(mig_local xenopsd 2)" \
        "xl (migrate-receive)" "$(mig_local xl 1)" "$(mig_local xl 2)"
    if [ "$MIG_RC" != 0 ]; then
        echo "N|xen-migrate|run.sh (one host) ended with status $MIG_RC ($(tail -1 "$WORK/xen1-run.txt")); output kept in $BUILD/xen1-run.txt" >>"$RESULTS"
        cp "$WORK/xen1-run.txt" "$BUILD/xen1-run.txt" 2>/dev/null
    fi
    say "running: xen-migrate (tests/xen/twohost.sh in $BUILD/xen2; about 20 minutes under TCG)"
    MIG_ARGS=(--build-dir "$BUILD/xen2" --timeout "${XO_BENCH_XEN_TIMEOUT:-2400}")
    [ "$NO_BUILD" = 0 ] || MIG_ARGS+=(--no-build)
    "$TOP/tests/xen/twohost.sh" "${MIG_ARGS[@]}" >"$WORK/xen2-run.txt" 2>&1
    MIG_RC=$?
    row="two hosts, PVH 128 MiB with a disk and a NIC, live"
    mig_total() { sed -n "s/^A| TIMING: mig2: $1 to host B .*: \([0-9.]*\)s\$/\1/p" "$WORK/xen2-run.txt" | tail -n 1; }
    mig_pause() { sed -n "s/^twohost: $1: the guest stood still \([0-9.]*\) s .*/\1/p" "$WORK/xen2-run.txt" | tail -n 1; }
    mig_rows "$row" "xenopsd (TLS)" "$(mig_total VM.migrate)" "$(mig_pause xenopsd)" \
        "xl (busybox nc)" "$(mig_total 'xl migrate')" "$(mig_pause xl)"
    if [ "$MIG_RC" != 0 ]; then
        echo "N|xen-migrate|twohost.sh ended with status $MIG_RC ($(tail -1 "$WORK/xen2-run.txt")); output kept in $BUILD/xen2-run.txt" >>"$RESULTS"
        cp "$WORK/xen2-run.txt" "$BUILD/xen2-run.txt" 2>/dev/null
    fi
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------------------
MACHINE="nproc $NPROC; CPU $CPU; $MEM RAM; Linux $KERNEL; load average $LOAD0 at start, $LOAD1 at end"
echo
echo "libxenops benchmarks ($MODE run)"
echo "machine: $MACHINE"
echo "date: $DATE   commit: $COMMIT$DIRTY"
echo

awk -F'|' '
function fmt(v, u) {
    if (v == "") return "-"
    if (u == "B" || u == "tasks" || u == "deliveries") return sprintf("%.0f", v)
    if (v + 0 >= 100000) return sprintf("%.0f", v)
    if (v + 0 >= 100) return sprintf("%.1f", v)
    if (v + 0 >= 1) return sprintf("%.3g", v)
    return sprintf("%.3g", v)
}
$1 == "I" { sub(/^I\|/, ""); info[++ni] = $0; next }
$1 == "N" { nm[++nn] = $2 ": " $3; next }
$1 != "R" { next }
{
    s = $2; r = $3; c = $4
    if (!(s in seen_s)) { seen_s[s] = 1; secs[++ns] = s }
    if (!((s, r) in seen_r)) { seen_r[s, r] = 1; rows[s, ++nr[s]] = r }
    if (!((s, c) in seen_c)) { seen_c[s, c] = 1; cols[s, ++nc[s]] = c; unit[s, c] = $6 }
    val[s, r, c] = $5
}
END {
    for (i = 1; i <= ni; i++) print "  " info[i]
    print ""
    for (k = 1; k <= ns; k++) {
        s = secs[k]
        w = 10
        for (j = 1; j <= nr[s]; j++) if (length(rows[s, j]) > w) w = length(rows[s, j])
        printf "[%s]\n%-" w "s", s, ""
        for (j = 1; j <= nc[s]; j++) {
            h = cols[s, j] " (" unit[s, cols[s, j]] ")"
            cw[j] = length(h) < 10 ? 10 : length(h)
            printf "  %" cw[j] "s", h
        }
        printf "\n"
        for (i = 1; i <= nr[s]; i++) {
            printf "%-" w "s", rows[s, i]
            for (j = 1; j <= nc[s]; j++)
                printf "  %" cw[j] "s", fmt(val[s, rows[s, i], cols[s, j]], unit[s, cols[s, j]])
            printf "\n"
        }
        print ""
    }
    if (nn) {
        print "[not measured]"
        for (i = 1; i <= nn; i++) print "  " nm[i]
        print ""
    }
}' "$RESULTS"

# ---- goals ----------------------------------------------------------------------------
get() { # section row column
    awk -F'|' -v s="$1" -v r="$2" -v c="$3" '$1 == "R" && $2 == s && $3 == r && $4 == c { print $5; exit }' "$RESULTS"
}
GOALS=$WORK/goals.txt
: >"$GOALS"
goal() { # text value unit op limit
    local text=$1 v=$2 unit=$3 op=$4 limit=$5 verdict
    if [ -z "$v" ]; then
        verdict="not measured"
    elif awk -v v="$v" -v l="$limit" -v op="$op" 'BEGIN {
            exit !(op == "<" ? v < l : op == "<=" ? v <= l : op == "==" ? v == l : v >= l) }'; then
        verdict=met
    else
        verdict="NOT MET"
    fi
    printf '%s|%s|%s|%s\n' "$text" "$v" "$unit" "$verdict" >>"$GOALS"
}
goal "10,000 VMs add+start+shutdown on the simulator in under 2 s (4 workers, the default)" \
    "$(get engine "10000 VMs, 4 workers" total_s)" s "<" 2
goal "  same, 1 worker" "$(get engine "10000 VMs, 1 workers" total_s)" s "<" 2
goal "  same, 16 workers" "$(get engine "10000 VMs, 16 workers" total_s)" s "<" 2
goal "under 4 KiB per defined VM (RSS delta, 10,000 VMs with a VBD and a VIF)" \
    "$(get engine-memory "10000 VMs, 4 workers" rss_per_vm)" B "<" 4096
goal "at least 50,000 VM.stat/s through xenopsd, 100 clients, no pipelining" \
    "$(get rpc "VM.stat, 100 clients, no pipelining" req_per_s)" "req/s" ">=" 50000
goal "at least 50,000 VM.stat/s through xenopsd, 100 clients, 16 pipelined each" \
    "$(get rpc "VM.stat, 100 clients, 16 pipelined" req_per_s)" "req/s" ">=" 50000
goal "update wake-up p99 under 1 ms (VM.pause submitted -> blocked updates_get returns)" \
    "$(get updates "VM.pause/unpause submitted" p99)" us "<" 1000
goal "long-poll delivery p99 under 10 ms, 1,000 listeners (VM.pause written -> listener reads it)" \
    "$(get rpc-longpoll "1000 listeners" p99)" ms "<" 10
goal "  every listener saw every change, 1,000 listeners" \
    "$(get rpc-longpoll "1000 listeners" missed)" "changes missed" "==" 0
# Linear in the listeners: the daemon's CPU per change per added listener,
# from 100 to 1,000 listeners, against the same from 10 to 100.
lp_cpu() { get rpc-longpoll "$1 listeners" cpu_per_change; }
LP_GROWTH=$(awk -v a="$(lp_cpu 10)" -v b="$(lp_cpu 100)" -v c="$(lp_cpu 1000)" \
    'BEGIN { if (a != "" && b != "" && c != "" && b > a) printf "%.3f", ((c - b) / 900) / ((b - a) / 90) }')
goal "daemon CPU per change linear in the listeners (per added listener, 100->1,000 over 10->100)" \
    "$LP_GROWTH" "x" "<=" 1.5
goal "10,000 persisted VMs opened in under 1 s (xenops_ctx_new, median)" \
    "$(get restart "10,000 persisted VMs" open_s)" s "<" 1
# 100,000 VMs, and how each per-VM figure grows from 1,000 to 10,000 to
# 100,000: judged close to linear when the per-VM figure at 100,000 is at
# most 1.5 times the one at 1,000.
growth() { # text section row-1k row-10k row-100k column unit
    local a b c
    a=$(get "$2" "$3" "$6"); b=$(get "$2" "$4" "$6"); c=$(get "$2" "$5" "$6")
    if [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ]; then
        goal "$(printf '  %s per VM, 1,000 -> 10,000 -> 100,000 VMs: %.4g -> %.4g -> %.4g %s; 100,000 / 1,000 at most 1.5' \
            "$1" "$a" "$b" "$c" "$7")" "$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.3f", c / a }')" x "<=" 1.5
    else
        goal "  $1 per VM, 1,000 -> 10,000 -> 100,000 VMs; 100,000 / 1,000 at most 1.5" "" x "<=" 1.5
    fi
}
goal "100,000 VMs add+start+shutdown on the simulator in under 3 s (4 workers, the default)" \
    "$(get engine "100000 VMs, 4 workers" total_s)" s "<" 3
growth "add+start+shutdown time" engine "1000 VMs, 4 workers" "10000 VMs, 4 workers" \
    "100000 VMs, 4 workers" us_per_vm us
growth "add+start+shutdown CPU time" engine "1000 VMs, 4 workers" "10000 VMs, 4 workers" \
    "100000 VMs, 4 workers" cpu_us_per_vm us
goal "at most 1.5 KiB per defined VM (RSS delta, 100,000 VMs with a VBD and a VIF)" \
    "$(get engine-memory "100000 VMs, 4 workers" rss_per_vm)" B "<=" 1536
growth "resident bytes" engine-memory "1000 VMs, 4 workers" "10000 VMs, 4 workers" \
    "100000 VMs, 4 workers" rss_per_vm B
goal "100,000 persisted VMs opened in under 3 s (xenops_ctx_new, median)" \
    "$(get restart "100,000 persisted VMs" open_s)" s "<" 3
growth "open time" restart "1,000 persisted VMs" "10,000 persisted VMs" \
    "100,000 persisted VMs" open_us_per_vm us
growth "open CPU time" restart "1,000 persisted VMs" "10,000 persisted VMs" \
    "100,000 persisted VMs" open_cpu_us_per_vm us
goal "a localhost migration: the guest's pause at most half of xl's (PVH, disk + NIC)" \
    "$(get xen-migrate "one host, PVH 128 MiB with a disk and a NIC, live: xenopsd / xl" pause_ratio)" "x xl" "<=" 0.5
goal "  and its total time no more than xl's" \
    "$(get xen-migrate "one host, PVH 128 MiB with a disk and a NIC, live: xenopsd / xl" total_ratio)" "x xl" "<=" 1
goal "a migration between two hosts: the guest's pause at most half of xl's (PVH, disk + NIC)" \
    "$(get xen-migrate "two hosts, PVH 128 MiB with a disk and a NIC, live: xenopsd / xl" pause_ratio)" "x xl" "<=" 0.5
goal "  and its total time no more than xl's" \
    "$(get xen-migrate "two hosts, PVH 128 MiB with a disk and a NIC, live: xenopsd / xl" total_ratio)" "x xl" "<=" 1
goal "a VM start on Xen in at most half of xl's time (API call -> domain running, bare guest)" \
    "$(get xen-start "bare: API call -> domain running" ratio)" "x xl" "<=" 0.5
goal "  same, with a disk and a NIC" "$(get xen-start "dev: API call -> domain running" ratio)" "x xl" "<=" 0.5
goal "at most half of xl's xenstore requests per start (the toolstack's own, bare guest, call -> marker)" \
    "$(get xen-xenstore "bare: toolstack's requests, call -> XENTB-GUEST-UP" ratio)" "x xl" "<=" 0.5
goal "  same, with a disk and a NIC" \
    "$(get xen-xenstore "dev: toolstack's requests, call -> XENTB-GUEST-UP" ratio)" "x xl" "<=" 0.5
goal "exactly one domain-info call per @releaseDomain firing, 1 guest" \
    "$(get xen-release "1 guest(s) running" calls_per_firing)" "calls" "==" 1
goal "  same, with the guests of the run (default 10)" \
    "$(awk -F'|' '$1 == "R" && $2 == "xen-release" && $3 != "1 guest(s) running" && $4 == "calls_per_firing" { v = $5 } END { print v }' "$RESULTS")" "calls" "==" 1
goal "8 guests (disk + NIC) started at once on Xen: all running in at most 0.3 of xl's time" \
    "$(awk -F'|' '$1 == "R" && $2 == "xen-storm" && $3 ~ /guests: first call -> all domains running$/ && $4 == "ratio" { print $5; exit }' "$RESULTS")" "x xl" "<=" 0.3
goal "xenopsd's CPU per VM start on Xen at most 0.2 of xl create's (with its children), bare guest" \
    "$(get xen-cpu "bare: CPU per start, call -> XENTB-GUEST-UP" ratio)" "x xl" "<=" 0.2
goal "  same, with a disk and a NIC" "$(get xen-cpu "dev: CPU per start, call -> XENTB-GUEST-UP" ratio)" "x xl" "<=" 0.2
goal "  the same goal on all of dom0's CPU (call -> domain running), bare guest" \
    "$(get xen-cpu "bare: dom0 CPU, call -> domain running" ratio)" "x xl" "<=" 0.2
goal "  same, with a disk and a NIC" "$(get xen-cpu "dev: dom0 CPU, call -> domain running" ratio)" "x xl" "<=" 0.2
echo "[goals]"
awk -F'|' '{ printf "  %-8s %-88s %s %s\n", $4, $1, $2, $3 }' "$GOALS"
echo

# ---- JSON -----------------------------------------------------------------------------
if [ -n "$JSON" ]; then
    awk -F'|' -v machine="$MACHINE" -v nproc="$NPROC" -v cpu="$CPU" -v date="$DATE" \
        -v commit="$COMMIT$DIRTY" -v mode="$MODE" -v goals="$GOALS" '
    function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
    function num(v) { return (v == "" || v == "nan" || v == "inf") ? "null" : v + 0 }
    $1 == "R" { res[++n] = sprintf("{\"section\": %s, \"row\": %s, \"figure\": %s, \"value\": %s, \"unit\": %s, \"note\": %s}",
                    esc($2), esc($3), esc($4), num($5), esc($6), esc($7)) }
    $1 == "I" { sub(/^I\|/, ""); inf[++ni] = esc($0) }
    $1 == "N" { nm[++nn] = sprintf("{\"section\": %s, \"what\": %s}", esc($2), esc($3)) }
    END {
        printf "{\n  \"machine\": {\"nproc\": %d, \"cpu\": %s, \"description\": %s},\n", nproc, esc(cpu), esc(machine)
        printf "  \"date\": %s,\n  \"commit\": %s,\n  \"mode\": %s,\n", esc(date), esc(commit), esc(mode)
        printf "  \"info\": ["; for (i = 1; i <= ni; i++) printf "%s%s", (i > 1 ? ", " : ""), inf[i]; printf "],\n"
        printf "  \"results\": [\n"; for (i = 1; i <= n; i++) printf "    %s%s\n", res[i], (i < n ? "," : ""); printf "  ],\n"
        printf "  \"not_measured\": ["; for (i = 1; i <= nn; i++) printf "%s%s", (i > 1 ? ", " : ""), nm[i]; printf "],\n"
        printf "  \"goals\": [\n"
        k = 0
        while ((getline line < goals) > 0) {
            split(line, g, "|")
            sub(/^ +/, "", g[1])
            printf "%s    {\"goal\": %s, \"value\": %s, \"unit\": %s, \"verdict\": %s}", (k++ ? ",\n" : ""), esc(g[1]), num(g[2]), esc(g[3]), esc(g[4])
        }
        printf "\n  ]\n}\n"
    }' "$RESULTS" >"$JSON"
    say "figures written to $JSON"
fi
exit 0
