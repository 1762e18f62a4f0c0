#!/bin/bash
# tests/xen/twohost.sh [run.sh options...] - two testbeds linked by a private
# network (qemu socket netdev on 127.0.0.1 only, run.sh --link) and the suite
# section mig2 on both: host A sends a running PVH guest to host B through
# xenopsd (VM.migrate xenops://, TLS with a pre-shared key), then the same
# guest kind by xl migrate, for comparison (see migrate.sh).
#
# Builds the project once (run.sh --build-only), boots B (listening end of
# the link) and then A, waits for both, prints each side's lines prefixed
# "A| " and "B| ", the guest's pause at the switch for each toolstack (from
# the guest's own ticks: its uptime at its last tick on A and its first on
# B), and "N passed, M failed" over both. Exit status 0 when both passed.
#
# Options: --sections REGEX (the suite sections both hosts run, default
# ^mig2$; mig2_crash is the other two-host section), --debs DIR (both hosts
# get the project's packages, as run.sh --debs, instead of a build),
# --build-dir DIR (default build-xen; the hosts use DIR-a and DIR-b), and
# any other run.sh option for both hosts.
#
# Environment: XENOPS_XENTB_LINK_PORT (default: a free port from 40000 up);
# run.sh's own (accelerator, memory...). Two testbeds need about 4.5 GiB.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BD=$TOP/build-xen
ARGS=()
DEBS=
SKIP_OK=0
ONLY='^mig2$'
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) [ $# -ge 2 ] || { echo "twohost.sh: --build-dir needs a directory" >&2; exit 2; }
                     BD=$2; shift ;;
        --debs) if [ $# -lt 2 ] || [ ! -d "$2" ]; then echo "twohost.sh: --debs needs a directory" >&2; exit 2; fi
                DEBS=$(cd "$2" && pwd); shift ;;
        --skip-ok) SKIP_OK=1; ARGS+=("$1") ;;
        --sections) [ $# -ge 2 ] || { echo "twohost.sh: --sections needs a regex" >&2; exit 2; }
                    ONLY=$2; shift ;;
        --only | --link | --stage | --log | --shell | --build-only)
            echo "twohost.sh: $1 is set by twohost.sh itself" >&2; exit 2 ;;
        -h | --help) sed -n '2,/^set -uo/{/^#/{s/^# \{0,1\}//;p}}' "$0"; exit 0 ;;
        *) ARGS+=("$1") ;;
    esac
    shift
done
mkdir -p "$BD" && BD=$(cd "$BD" && pwd) || exit 2
OUT=$BD/xentb/twohost
mkdir -p "$OUT" || exit 2

# ss (iproute2) finds a free port and tells when B's end of the link listens.
if ! command -v ss >/dev/null; then
    echo "SKIP: twohost: ss not found (apt-get install iproute2)"
    [ "$SKIP_OK" = 1 ] && exit 0
    exit 77
fi
port=${XENOPS_XENTB_LINK_PORT:-}
if [ -z "$port" ]; then
    port=40000
    while ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$port\$"; do port=$((port + 1)); done
fi

# Both hosts get the same project: the packages (--debs), or one build.
if [ -n "$DEBS" ]; then
    PROJECT=(--debs "$DEBS")
else
    echo "twohost: building the project once ($BD)"
    "$HERE/run.sh" --build-dir "$BD" --build-only ${ARGS[@]+"${ARGS[@]}"} || exit 1
    [ -d "$BD/xentb/stage" ] || { echo "twohost: no staged tree in $BD/xentb"; exit 1; }
    PROJECT=(--stage "$BD/xentb/stage")
fi

PIDS=()
# shellcheck disable=SC2317  # called by the EXIT trap
stop_all() { for p in ${PIDS[@]+"${PIDS[@]}"}; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap stop_all EXIT
trap 'exit 130' INT TERM

side() { # side ROLE: one testbed, its output to OUT/ROLE.out
    local args=()
    for a in ${ARGS[@]+"${ARGS[@]}"}; do [ "$a" = --no-build ] || args+=("$a"); done
    # exec: the job's pid is run.sh's, which the EXIT trap can stop.
    exec "$HERE/run.sh" --build-dir "$BD-$1" "${PROJECT[@]}" --link "$1:$port" \
        --only "$ONLY" ${args[@]+"${args[@]}"} >"$OUT/$1.out" 2>&1
}

echo "twohost: link on 127.0.0.1:$port; outputs in $OUT/{a,b}.out"
side b &
PIDS+=($!)
# A connects: B's qemu must listen first (its image is built before).
for _ in $(seq 600); do
    ss -ltn 2>/dev/null | awk '{print $4}' | grep -q "^127.0.0.1:$port\$" && break
    kill -0 "${PIDS[0]}" 2>/dev/null || break
    sleep 0.5
done
side a &
PIDS+=($!)
wait "${PIDS[1]}"; RA=$?
wait "${PIDS[0]}"; RB=$?
PIDS=()
sed 's/^/A| /' "$OUT/a.out"
sed 's/^/B| /' "$OUT/b.out"
# A testbed that cannot run here (run.sh's SKIP, status 77 or 0 with --skip-ok).
if grep -q '^SKIP: ' "$OUT/a.out" "$OUT/b.out"; then
    echo "SKIP: twohost: a testbed cannot run here"
    [ "$SKIP_OK" = 1 ] && exit 0
    exit 77
fi

# The guest's pause at the switch: its uptime at its first tick on B less
# that at its last tick on A (the guest's clock runs on while it is paused),
# less B's clock ahead of A's (MIG2-CLOCK, measured by A over the link just
# after the migration): the uptime carries the suspend time by A's clock at
# the suspend and B's at the resume.
tick() { sed -n "s/^NOTE: MIG2-TICK $2 $3 \\([0-9]*\\) \\([0-9.]*\\)\$/\\1 \\2/p" "$OUT/$1.out" | tail -n 1; }
clock() { sed -n "s/^NOTE: MIG2-CLOCK $1 \\(-\\{0,1\\}[0-9.]* [0-9.]*\\)\$/\\1/p" "$OUT/a.out" | tail -n 1; }
for who in xenopsd xl; do
    a=$(tick a "$who" A-last)
    b=$(tick b "$who" B-first)
    c=$(clock "$who")
    if [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ]; then
        echo "twohost: $who: the guest stood still $(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
            split(a, x, " "); split(b, y, " "); split(c, k, " ")
            printf "%.2f s at the switch (%.2f s by its uptime, less the clock offset of B from A, %.3f s +- %.3f s; tick %d on A, tick %d on B%s)",
                   y[2] - x[2] - k[1], y[2] - x[2], k[1], k[2] / 2, x[1], y[1],
                   (y[1] == x[1] + 1 ? "" : ": ticks in between were not logged")
        }')"
    elif [ -n "$a" ] && [ -n "$b" ]; then
        echo "twohost: $who: no pause figure: the hosts' clock offset was not measured (by its uptime $(awk -v a="$a" -v b="$b" 'BEGIN {
            split(a, x, " "); split(b, y, " "); printf "%.2f", y[2] - x[2] }') s, ticks A '${a}' B '${b}')"
    elif [ -n "$a$b" ] || grep -q "MIG2-TICK $who" "$OUT/a.out" "$OUT/b.out"; then
        echo "twohost: $who: no pause figure (ticks: A '${a}' B '${b}')"
    fi
done

np=0
nf=0
for r in a b; do
    l=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/$r.out" | tail -n 1)
    if [ -z "$l" ]; then
        echo "FAIL: twohost: host ${r^^} printed no summary"
        nf=$((nf + 1))
        continue
    fi
    np=$((np + ${l%% *}))
    l=${l#*, }
    nf=$((nf + ${l%% *}))
done
[ "$RA" = 0 ] || [ "$nf" != 0 ] || { echo "FAIL: twohost: host A's run.sh exited with $RA"; nf=$((nf + 1)); }
[ "$RB" = 0 ] || [ "$nf" != 0 ] || { echo "FAIL: twohost: host B's run.sh exited with $RB"; nf=$((nf + 1)); }
echo "$np passed, $nf failed"
[ "$nf" = 0 ]
