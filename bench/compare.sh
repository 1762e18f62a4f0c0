#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/compare.sh - the same benchmarks on two builds of libxenops,
# interleaved (base, new, base, new...) so that a noisy moment of a shared
# machine falls on both; prints medians and ratios new / base.
#
# Usage: bench/compare.sh [--rounds N] [--state-dir DIR] [--sections LIST]
#                         BASE_BUILD NEW_BUILD
#
#   BASE_BUILD, NEW_BUILD  CMake build directories holding lib/libxenops.so.0
#                          and daemon/xenopsd (e.g. build-bench of two trees)
#   --rounds N             rounds of each pair (default 5)
#   --state-dir DIR        where state directories go (default /dev/shm)
#   --sections LIST        comma-separated subset of engine,rpc,restart,persist
#                          (default: all four)
#
# One load generator, NEW_BUILD's bench/xo_bench (public API only), runs
# against either library (LD_LIBRARY_PATH) and either daemon, so that only
# the library and the daemon differ. Figures, per round and build:
#   engine: 10,000 VMs (VBD + VIF) add+start+shutdown, 16 workers:
#           heap_per_vm and rss_per_vm (bytes), total_s (wall)
#   rpc:    VM.stat, 100 clients, 1 and 16 in flight each: answers/s and
#           xenopsd's CPU time per answer (us, all threads; the steadier)
#   restart: open of 10,000 persisted VMs (wall)
#   persist: 300 VMs add+start+shutdown with a state directory, then its
#           open: wall and the process's CPU time (user + system)
# Lower is better for everything but answers/s. A benchmark, not a test:
# nothing is judged here.
set -uo pipefail

ROUNDS=5
STATE=/dev/shm
SECTIONS=engine,rpc,restart,persist
while [ $# -gt 2 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --state-dir) STATE=$2; shift 2 ;;
        --sections) SECTIONS=$2; shift 2 ;;
        *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ $# -eq 2 ] || { sed -n '3,/^set -uo/{/^#/{s/^# \{0,1\}//;p}}' "$0" >&2; exit 2; }
BASE=$(cd "$1" && pwd) && NEW=$(cd "$2" && pwd) || exit 2
want() { [[ ,$SECTIONS, == *",$1,"* ]]; }
for sct in ${SECTIONS//,/ }; do
    case $sct in engine | rpc | restart | persist) ;;
        *) echo "compare.sh: unknown section $sct" >&2; exit 2 ;;
    esac
done
BENCH=$NEW/bench/xo_bench
for b in "$BASE" "$NEW"; do
    [ -e "$b/lib/libxenops.so.0" ] && [ -x "$b/daemon/xenopsd" ] ||
        { echo "compare.sh: $b lacks lib/libxenops.so.0 or daemon/xenopsd" >&2; exit 2; }
done
[ -x "$BENCH" ] || { echo "compare.sh: missing $BENCH" >&2; exit 2; }

WORK=$(mktemp -d /tmp/xo-compare.XXXXXX) || exit 1
DPID=
cleanup() {
    [ -n "$DPID" ] && { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; }
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
OUT=$WORK/figures.txt # which|figure|value
: >"$OUT"

# pick FIGURE-NAME SECTION ROW COLUMN < xo_bench output
pick() { awk -F'|' -v n="$1" -v s="$2" -v r="$3" -v c="$4" -v w="$WHICH" \
    '$1 == "R" && $2 == s && $3 == r && $4 == c { print w "|" n "|" $5 }'; }

for ((k = 1; k <= ROUNDS; k++)); do
    for WHICH in base new; do
        B=$BASE; [ $WHICH = new ] && B=$NEW
        export LD_LIBRARY_PATH=$B/lib
        echo "compare: round $k of $ROUNDS, $WHICH" >&2
        if want engine; then
        "$BENCH" engine --vms 10000 --workers 16 --reps 1 --workdir "$WORK" 2>/dev/null >"$WORK/e" || echo "compare: engine failed ($WHICH)" >&2
        pick "engine heap_per_vm (B)" engine-memory "10000 VMs, 16 workers" heap_per_vm <"$WORK/e" >>"$OUT"
        pick "engine rss_per_vm (B)" engine-memory "10000 VMs, 16 workers" rss_per_vm <"$WORK/e" >>"$OUT"
        pick "engine total_s, 10000 VMs, 16 workers (s)" engine "10000 VMs, 16 workers" total_s <"$WORK/e" >>"$OUT"
        fi

        want rpc && for d in 1 16; do
            # A fresh daemon for each run: the load generator defines its VMs.
            D=$WORK/d-$k-$WHICH-$d
            mkdir -p "$D"
            "$B/daemon/xenopsd" --backend sim --socket "$D/s" --state-dir "$D/st" \
                --workers 4 --log-level warning --max-clients 512 2>"$D/log" &
            DPID=$!
            for _ in $(seq 100); do [ -S "$D/s" ] && break; sleep 0.05; done
            "$BENCH" rpc --socket "$D/s" --daemon-pid "$DPID" --clients 100 --depth $d \
                --reps 1 --quick --workdir "$D" 2>/dev/null >"$WORK/r" ||
                echo "compare: rpc failed ($WHICH)" >&2
            kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=
            rm -rf "$D"
            row="VM.stat, 100 clients, no pipelining"; [ $d = 16 ] && row="VM.stat, 100 clients, 16 pipelined"
            pick "rpc $row: answers/s" rpc "$row" req_per_s <"$WORK/r" >>"$OUT"
            pick "rpc $row: xenopsd CPU per answer (us)" rpc "$row" daemon_cpu_us <"$WORK/r" >>"$OUT"
        done

        if want restart; then
        "$BENCH" restart --vms 10000 --reps 1 --state-parent "$STATE" --workdir "$WORK" 2>/dev/null >"$WORK/o" ||
            echo "compare: restart failed ($WHICH)" >&2
        pick "restart open_s, 10000 VMs (s)" restart "10,000 persisted VMs" open_s <"$WORK/o" >>"$OUT"
        fi

        if want persist; then
        "$BENCH" persist --vms 300 --reps 1 --state-parent "$STATE" --workdir "$WORK" 2>/dev/null >"$WORK/p" ||
            echo "compare: persist failed ($WHICH)" >&2
        pick "persist cycle_s, 300 VMs (s)" persist "300 VMs, state directory" cycle_s <"$WORK/p" >>"$OUT"
        pick "persist cycle_cpu_s (s)" persist "300 VMs, state directory" cycle_cpu_s <"$WORK/p" >>"$OUT"
        pick "persist open_s (s)" persist "300 VMs, state directory" open_s <"$WORK/p" >>"$OUT"
        pick "persist open_cpu_s (s)" persist "300 VMs, state directory" open_cpu_s <"$WORK/p" >>"$OUT"
        fi
    done
done

echo "libxenops: base and new, interleaved, $ROUNDS rounds; medians"
echo "machine: nproc $(nproc); CPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo "base: $BASE"
echo "new:  $NEW"
printf '%-58s %12s %12s %8s\n' figure base new new/base
awk -F'|' '
function med(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ if (!($2 in seen)) { seen[$2] = 1; order[++nf] = $2 } v[$1, $2, ++cnt[$1, $2]] = $3 }
END {
    for (f = 1; f <= nf; f++) {
        name = order[f]
        for (w = 0; w < 2; w++) {
            which = w ? "new" : "base"
            n = cnt[which, name]; delete a
            for (i = 1; i <= n; i++) a[i] = v[which, name, i]
            m[w] = n ? med(a, n) : ""
        }
        printf "%-58s %12.4g %12.4g %8s\n", name, m[0], m[1], (m[0] != "" && m[1] != "" && m[0] > 0) ? sprintf("%.3f", m[1] / m[0]) : "-"
    }
}' "$OUT"
