#!/bin/bash
# tests/xen/run.sh - run the Xen integration tests: a real Xen 4.17 with a
# Linux PV dom0, booted in qemu, the project installed in dom0.
#
# Usage: tests/xen/run.sh [options] [PAYLOAD]
#
# 1. builds the project with CMake into BUILD_DIR and installs it with
#    DESTDIR=BUILD_DIR/xentb/stage (prefix /usr/local), or (--debs) unpacks
#    the project's Debian packages into BUILD_DIR/xentb/stage-debs;
# 2. builds the testbed image from Debian bookworm packages (downloads cached;
#    the image itself is reused while its inputs stay the same);
# 3. boots it in qemu-system-x86_64 with the staged tree on top of dom0's /,
#    runs PAYLOAD (default tests/xen/suite.sh) as root in dom0 and prints its
#    PASS:/FAIL: lines, the stage timings and, last, "N passed, M failed".
#
# Options:
#   --debs DIR        install the project's Debian packages (DIR/*.deb, debug
#                     symbols left out) instead of building: unpacked with
#                     dpkg-deb -x into the staged tree (dom0 has no dpkg), the
#                     xenops group made as their postinst does, and the suite
#                     starts xenopsd with the command line of the installed
#                     unit (see xenops.sh); the suite's guest program
#                     xs_hostile is compiled on its own
#   --stage DIR       use DIR (a DESTDIR install tree) instead of building
#   --no-build        do not build; use the staged tree of the last build, if any
#   --build-only      build and stage the project, then exit (no testbed)
#   --build-dir DIR   CMake build directory (default: build-xen at the repo top)
#   --timeout SECS    limit for boot + payload (default 2400)
#   --log FILE        console log (default BUILD_DIR/xentb/console.log); the
#                     payload's own output goes to FILE's name with .payload
#   --keep            keep the temporary directory (initrd, overlay, qemu files)
#   --skip-ok         exit 0, not 77, when the testbed cannot run on this host
#   --only REGEX      run only the suite sections whose name matches REGEX
#   --env NAME=VALUE  environment for the payload in dom0 (repeatable)
#   --overlay DIR     copy DIR onto dom0's / as well (repeatable)
#   --xenstored NAME  xenstored (C, default) or oxenstored
#   --link ROLE:PORT  a second NIC (virtio-net) on a private link between two
#                     testbeds, a qemu socket netdev on 127.0.0.1:PORT only:
#                     ROLE b listens (start it first), ROLE a connects. The
#                     payload sees XENTB_LINK=ROLE (see twohost.sh)
#   --shell           interactive: console on this terminal, a dom0 shell after
#                     the payload (no timeout; leave with exit)
#   -v, --verbose     stream the whole console, not just the check lines
#   -h, --help        this text
#
# Environment:
#   XENOPS_XENTB_CACHE     .deb cache (${XDG_CACHE_HOME:-$HOME/.cache}/libxenops-xentb/debs)
#   XENOPS_XENTB_ACCEL     auto | tcg | kvm (auto: kvm only with vmx/svm and /dev/kvm)
#   XENOPS_XENTB_CPU       qemu -cpu (tcg: max,-smap,-rdtscp,-xsave; kvm: host)
#   XENOPS_XENTB_MEM       qemu memory in MB (2048)
#   XENOPS_XENTB_DOM0_MEM  dom0 memory in MB (1024)
#   XENOPS_XENTB_SMP       vCPUs (2)
#   XENOPS_XENTB_JOBS      build jobs (2)
#
# Exit status: 0 every check passed; 1 a check or the project build failed;
# 124 timeout; 125 Xen or dom0 crashed or qemu died; 77 the testbed cannot run
# here (qemu or Debian tooling missing; 0 with --skip-ok); 2 usage error.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

BUILD_DIR=$TOP/build-xen
STAGE=
DEBS=
NO_BUILD=0
BUILD_ONLY=0
LINK=
TIMEOUT=2400
KEEP=0
LOG=
SKIP_OK=0
VERBOSE=0
SHELL_MODE=0
XENSTORED=xenstored
ENVS=()
OVERLAYS=()
PAYLOAD=$HERE/suite.sh
ACCEL=${XENOPS_XENTB_ACCEL:-auto}
MEM=${XENOPS_XENTB_MEM:-2048}
DOM0_MEM=${XENOPS_XENTB_DOM0_MEM:-1024}
SMP=${XENOPS_XENTB_SMP:-2}
JOBS=${XENOPS_XENTB_JOBS:-2}

usage() { sed -n '2,/^set -uo/{/^#/{s/^# \{0,1\}//;p}}' "$0"; }
usage_error() { echo "run.sh: $*" >&2; echo "run.sh: see --help" >&2; exit 2; }
say() { printf 'xentb: %s\n' "$*"; }
need_arg() { [ $# -ge 2 ] || usage_error "$1 needs an argument"; }

while [ $# -gt 0 ]; do
    case $1 in
        --stage) need_arg "$@"; STAGE=$2; shift ;;
        --debs) need_arg "$@"; DEBS=$2; shift ;;
        --no-build) NO_BUILD=1 ;;
        --build-only) BUILD_ONLY=1 ;;
        --link) need_arg "$@"; LINK=$2; shift ;;
        --build-dir) need_arg "$@"; BUILD_DIR=$2; shift ;;
        --timeout) need_arg "$@"; TIMEOUT=$2; shift ;;
        --log) need_arg "$@"; LOG=$2; shift ;;
        --keep) KEEP=1 ;;
        --skip-ok) SKIP_OK=1 ;;
        --only) need_arg "$@"; ENVS+=("XENTB_ONLY=$2"); shift ;;
        --env) need_arg "$@"; ENVS+=("$2"); shift ;;
        --overlay) need_arg "$@"; OVERLAYS+=("$2"); shift ;;
        --xenstored) need_arg "$@"; XENSTORED=$2; shift ;;
        --shell) SHELL_MODE=1 ;;
        -v | --verbose) VERBOSE=1 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        -*) usage_error "unknown option $1" ;;
        *) break ;;
    esac
    shift
done
[ $# -le 1 ] || usage_error "one payload at most"
[ $# -eq 0 ] || PAYLOAD=$1
[ -f "$PAYLOAD" ] || usage_error "payload $PAYLOAD not found"
case $TIMEOUT in '' | *[!0-9]*) usage_error "--timeout wants seconds" ;; esac
case $XENSTORED in xenstored | oxenstored) ;; *) usage_error "--xenstored: xenstored or oxenstored" ;; esac
LINK_NET=()
if [ -n "$LINK" ]; then
    if ! [[ $LINK =~ ^([ab]):([0-9]+)$ ]] || [ "${BASH_REMATCH[2]}" -lt 1024 ] || [ "${BASH_REMATCH[2]}" -gt 65535 ]; then
        usage_error "--link wants a:PORT or b:PORT (PORT 1024-65535), not $LINK"
    fi
    role=${BASH_REMATCH[1]}
    # Loopback only: the link never reaches beyond this machine. B listens.
    how=connect
    [ "$role" = a ] || how=listen
    LINK_NET=(-netdev "socket,id=xlink,$how=127.0.0.1:${BASH_REMATCH[2]}"
              -device "virtio-net-pci,netdev=xlink,mac=52:54:00:00:00:0$role")
    ENVS+=("XENTB_LINK=$role")
fi
for e in ${ENVS[@]+"${ENVS[@]}"}; do
    [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "--env wants NAME=VALUE, not $e"
done
for d in ${OVERLAYS[@]+"${OVERLAYS[@]}"}; do
    [ -d "$d" ] || usage_error "overlay $d is not a directory"
done
if [ -n "$STAGE" ]; then
    [ -d "$STAGE" ] || usage_error "stage $STAGE is not a directory"
    STAGE=$(cd "$STAGE" && pwd)
fi
if [ -n "$DEBS" ]; then
    [ -z "$STAGE" ] || usage_error "--debs and --stage exclude each other"
    [ -d "$DEBS" ] || usage_error "--debs $DEBS is not a directory"
    DEBS=$(cd "$DEBS" && pwd)
fi
mkdir -p "$BUILD_DIR/xentb" || exit 2
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
XDIR=$BUILD_DIR/xentb
LOG=${LOG:-$XDIR/console.log}
# One run per build directory: they would share the logs and the stage.
if command -v flock >/dev/null; then
    exec 7>"$XDIR/run.lock"
    flock -n 7 || usage_error "another run.sh is using $XDIR (use --build-dir)"
fi
mkdir -p "$(dirname "$LOG")" || exit 2
LOG=$(cd "$(dirname "$LOG")" && pwd)/$(basename "$LOG")
PLOG=${LOG%.log}.payload

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

# Microseconds since the epoch, and "S.s" durations from them.
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
secs() { local d=$(($2 - $1)); printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000)); }

TMP=
QPID=
TAILPID=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$TAILPID" ]; then kill "$TAILPID" 2>/dev/null; fi
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null
        sleep 1
        kill -9 "$QPID" 2>/dev/null
    fi
    if [ -n "$TMP" ]; then
        if [ "$KEEP" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() {
    echo "SKIP: $*"
    [ "$SKIP_OK" = 1 ] && exit 0
    exit 77
}

# Stage timings, printed together at the end.
TIMINGS=()
timing() { TIMINGS+=("$1 $2s"); say "$1: $2s"; }

T_ALL=$(now_us)

# ---------------------------------------------------------------------------
# 1. the project
# ---------------------------------------------------------------------------

if [ -n "$DEBS" ]; then
    t=$(now_us)
    stage_new=$XDIR/stage-debs
    rm -rf "$stage_new"
    mkdir -p "$stage_new"
    n=0
    for deb in "$DEBS"/*.deb; do
        case $deb in *-dbgsym_*) continue ;; esac
        [ -f "$deb" ] || continue
        say "installing $(basename "$deb")"
        dpkg-deb -x "$deb" "$stage_new" || { echo "FAIL: dpkg-deb -x $deb"; echo "0 passed, 1 failed"; exit 1; }
        n=$((n + 1))
    done
    if [ "$n" = 0 ]; then
        echo "FAIL: --debs $DEBS: no .deb files"
        echo "0 passed, 1 failed"
        exit 1
    fi
    # Not packaged: a static program the suite puts into a guest's initrd
    # (as tests/xen/CMakeLists.txt builds it); xenops.sh fails the section
    # that needs it when there is no static C library here.
    mkdir -p "$stage_new/usr/local/libexec/xenops/tests"
    "${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -static \
        -o "$stage_new/usr/local/libexec/xenops/tests/xs_hostile" "$HERE/xs_hostile.c" 2>/dev/null ||
        say "no static C library: xs_hostile not built"
    # What the suite needs to know: the packages' prefix, their unit.
    ENVS+=("XENTB_PREFIX=/usr" "XENTB_UNIT=/lib/systemd/system/xenopsd.service")
    STAGE=$stage_new
    timing "packages unpacked ($n)" "$(secs "$t" "$(now_us)")"
elif [ -z "$STAGE" ] && [ "$NO_BUILD" = 0 ]; then
    if [ ! -f "$TOP/CMakeLists.txt" ]; then
        say "no CMakeLists.txt at $TOP: not building the project (nothing staged)"
    else
        t=$(now_us)
        BLOG=$XDIR/build.log
        say "building the project in $BUILD_DIR (log: $BLOG)"
        stage_new=$XDIR/stage
        if {
            cmake -S "$TOP" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
                -DCMAKE_INSTALL_PREFIX=/usr/local &&
                cmake --build "$BUILD_DIR" -j "$JOBS" &&
                rm -rf "$stage_new" &&
                DESTDIR=$stage_new cmake --install "$BUILD_DIR"
        } >"$BLOG" 2>&1; then
            STAGE=$stage_new
            timing "project build" "$(secs "$t" "$(now_us)")"
        else
            tail -n 40 "$BLOG" | sed 's/^/  | /'
            echo "FAIL: project build (full log: $BLOG)"
            echo "0 passed, 1 failed"
            exit 1
        fi
    fi
elif [ -z "$STAGE" ] && [ -d "$XDIR/stage" ]; then
    STAGE=$XDIR/stage
    say "--no-build: using the staged tree of an earlier build: $STAGE"
fi
if [ -n "$STAGE" ]; then
    say "staged tree: $STAGE ($(find "$STAGE" ! -type d | wc -l) files)"
fi
if [ "$BUILD_ONLY" = 1 ]; then
    [ -n "$STAGE" ] || { echo "FAIL: --build-only: nothing staged"; exit 1; }
    exit 0
fi

# ---------------------------------------------------------------------------
# 2. the image
# ---------------------------------------------------------------------------

for t in apt-get apt-cache dpkg-deb ldd gzip flock; do
    command -v "$t" >/dev/null || skip "$t not found: the testbed image is built from Debian bookworm packages"
done
apt-cache show "xen-hypervisor-4.17-amd64" >/dev/null 2>&1 ||
    ls "${XENOPS_XENTB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libxenops-xentb/debs}"/xen-hypervisor-4.17-amd64_*.deb >/dev/null 2>&1 ||
    skip "apt does not know xen-hypervisor-4.17-amd64 (not Debian bookworm, or no apt-get update) and none is cached"

if ! command -v qemu-system-x86_64 >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        say "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-system-x86 >/dev/null 2>&1
    fi
    command -v qemu-system-x86_64 >/dev/null ||
        skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/xenops-xentb.XXXXXX") || exit 2
t=$(now_us)
BASE=$("$HERE/image/build.sh" base "$XDIR") || {
    echo "FAIL: testbed image build"
    echo "0 passed, 1 failed"
    exit 1
}
# The payload, its helpers and the --env settings go to /xentb in dom0.
P=$TMP/payload-root
mkdir -p "$P/xentb"
# lib.sh and the files suite.sh sources (everything here but run.sh).
for f in "$HERE"/*.sh; do
    [ "$f" = "$HERE/run.sh" ] || cp "$f" "$P/xentb/"
done
cp "$PAYLOAD" "$P/xentb/payload.sh"
chmod 0755 "$P/xentb/payload.sh"
: >"$P/xentb/env"
for e in ${ENVS[@]+"${ENVS[@]}"}; do
    printf '%s=%q\n' "${e%%=*}" "${e#*=}" >>"$P/xentb/env"
done
TREES=()
[ -z "$STAGE" ] || TREES+=("$STAGE")
TREES+=("$P")
TREES+=(${OVERLAYS[@]+"${OVERLAYS[@]}"})
"$HERE/image/build.sh" overlay "$BASE" "$TMP/overlay.cpio.gz" "${TREES[@]}" || {
    echo "FAIL: packing the staged tree and payload for dom0"
    echo "0 passed, 1 failed"
    exit 1
}
cat "$BASE/dom0.cpio.gz" "$TMP/overlay.cpio.gz" >"$TMP/initrd"
ln -s "$BASE/xen" "$TMP/xen"
ln -s "$BASE/vmlinuz" "$TMP/vmlinuz"
timing "image build" "$(secs "$t" "$(now_us)")"

# ---------------------------------------------------------------------------
# 3. boot
# ---------------------------------------------------------------------------

# KVM only where it can run Xen: a writable /dev/kvm is not enough (some
# hosts have one without VT-x/AMD-V, and Xen then cannot start).
if [ "$ACCEL" = auto ]; then
    ACCEL=tcg
    if [ -w /dev/kvm ] && [ -r /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then ACCEL=kvm; fi
fi
case $ACCEL in
    kvm) QACCEL=(-accel kvm -cpu "${XENOPS_XENTB_CPU:-host}") ;;
    # qemu 7.2's emulation (TCG) and Xen 4.17 disagree on three features:
    #  smap:  Xen kills the PV dom0 at its first page fault;
    #  rdtscp: PVH/HVM guests stall in "SVM Insn len emulation failed";
    #  xsave: when Xen switches vCPUs of different domains with XSAVE/XRSTOR,
    #         dom0's user registers get corrupted now and then (random
    #         segfaults and malloc aborts in xl, grep... while guests run);
    #         with FXSAVE it is clean. See README.md, "Gotchas".
    tcg) QACCEL=(-accel tcg -cpu "${XENOPS_XENTB_CPU:-max,-smap,-rdtscp,-xsave}") ;;
    *) usage_error "XENOPS_XENTB_ACCEL: auto, tcg or kvm" ;;
esac

XEN_CMD="console=com1 com1=115200,8n1 dom0_mem=${DOM0_MEM}M,max:${DOM0_MEM}M loglvl=all guest_loglvl=all noreboot"
# panic=1: a dom0 kernel panic ends the run at once.
DOM0_CMD="console=hvc0 earlyprintk=xen loglevel=5 panic=1 xentb.xenstored=$XENSTORED"
[ "$SHELL_MODE" = 0 ] || DOM0_CMD+=" xentb.shell=1"
# qemu's multiboot: -initrd lists the modules, each "file args"; a comma in
# the args must be doubled. Xen ignores the first word (the file name).
MODULES="vmlinuz ${DOM0_CMD//,/,,},initrd"
QEMU=(qemu-system-x86_64 "${QACCEL[@]}" -m "$MEM" -smp "$SMP"
      -nodefaults -no-user-config -display none -no-reboot
      -kernel xen -append "$XEN_CMD" -initrd "$MODULES" ${LINK_NET[@]+"${LINK_NET[@]}"})

if [ "$SHELL_MODE" = 1 ]; then
    say "interactive: Xen's and dom0's console on this terminal (ctrl-a x quits qemu)"
    cd "$TMP" && "${QEMU[@]}" -serial mon:stdio
    exit $?
fi

: >"$LOG"
: >"$PLOG"
say "qemu: accel=$ACCEL cpu=${QACCEL[*]: -1} mem=${MEM}M dom0=${DOM0_MEM}M smp=$SMP timeout=${TIMEOUT}s"
say "console log: $LOG"
T_BOOT=$(now_us)
(cd "$TMP" && exec "${QEMU[@]}" -serial "file:$LOG" -serial "file:$PLOG" \
    </dev/null >"$TMP/qemu.out" 2>&1) &
QPID=$!

# Live output: the whole console (-v), or the check lines of the payload.
# Which stream carries the payload is known once dom0 is up. tail stops by
# itself when qemu exits (--pid); its filter then sees the end of its input.
start_tail() {
    if [ "$VERBOSE" = 1 ]; then
        tail -n +1 -F --pid="$QPID" "$1" 2>/dev/null > >(tr -d '\r') &
    else
        tail -n +1 -F --pid="$QPID" "$1" 2>/dev/null \
            > >(grep --line-buffered -aE '^(PASS|FAIL|SKIP|TIMING|NOTE|==|  \| )') &
    fi
    TAILPID=$!
}
stop_tail() {
    [ -n "$TAILPID" ] || return 0
    sleep 1 # the last lines
    kill "$TAILPID" 2>/dev/null
    wait "$TAILPID" 2>/dev/null
    TAILPID=
    sleep 0.2 # the filter's output
}
[ "$VERBOSE" = 0 ] || start_tail "$LOG"

FATAL='^\(XEN\) (Hardware Dom0 crashed|Panic on CPU|.*Dom0 shutdown)|^KVM internal error'
has() { tr -d '\r' <"$LOG" | grep -aqE "$1"; }
READY=
RC=
HOW=
while :; do
    alive=1
    kill -0 "$QPID" 2>/dev/null || alive=0
    if [ -z "$READY" ] && has '^XENTB-DOM0-READY'; then
        READY=$(now_us)
        timing "boot to dom0 ready" "$(secs "$T_BOOT" "$READY")"
        STREAM=$LOG
        has '^XENTB-DOM0-READY .*out=ttyS1' && STREAM=$PLOG
        [ "$VERBOSE" = 1 ] || start_tail "$STREAM"
    fi
    if has '^XENTB-PAYLOAD-EXIT='; then
        RC=$(tr -d '\r' <"$LOG" | sed -n 's/^XENTB-PAYLOAD-EXIT=\([0-9]*\).*/\1/p' | tail -n 1)
        T_END=$(now_us)
        # dom0 powers the machine off next; give qemu a moment to exit.
        for _ in $(seq 20); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.5; done
        HOW=finished
        break
    fi
    if has "$FATAL"; then
        sleep 2 # the rest of the crash report
        HOW=crashed
        break
    fi
    if [ "$alive" = 0 ]; then
        HOW=qemu-died
        break
    fi
    if [ $(( $(now_us) - T_BOOT )) -ge $((TIMEOUT * 1000000)) ]; then
        HOW=timeout
        break
    fi
    sleep 0.5
done
T_END=${T_END:-$(now_us)}
kill "$QPID" 2>/dev/null
wait "$QPID" 2>/dev/null
QPID=
stop_tail

if [ "$HOW" = qemu-died ] && ! has '\(XEN\)|Xen version'; then
    sed 's/^/  | /' "$TMP/qemu.out" | tail -n 20
    skip "qemu-system-x86_64 did not start Xen ($(head -n 1 "$TMP/qemu.out"))"
fi

# ---------------------------------------------------------------------------
# 4. results
# ---------------------------------------------------------------------------

STREAM=${STREAM:-$LOG}
tr -d '\r' <"$STREAM" >"$TMP/stream"
[ "$STREAM" = "$LOG" ] || cp "$TMP/stream" "$PLOG"
NPASS=$(grep -ac '^PASS: ' "$TMP/stream")
NFAIL=$(grep -ac '^FAIL: ' "$TMP/stream")
HARNESS=()
case $HOW in
    finished)
        timing "payload" "$(secs "$READY" "$T_END")"
        say "payload exit status $RC"
        summary_line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$TMP/stream" | tail -n 1)
        if [ -n "$summary_line" ] && [ "$summary_line" != "$NPASS passed, $NFAIL failed" ]; then
            # A failure the stream lost would hide: that fails. A PASS line
            # lost on the console (seen under load) hides nothing: noted.
            if [ "${summary_line#*, }" != "$NFAIL failed" ]; then
                HARNESS+=("payload's summary \"$summary_line\" does not match the $NPASS PASS and $NFAIL FAIL lines seen")
            else
                say "NOTE: payload's summary \"$summary_line\": $NPASS PASS lines seen (the console lost some; every failure is accounted for)"
            fi
        fi
        if [ "$RC" != 0 ] && [ "$NFAIL" = 0 ]; then
            HARNESS+=("payload exited with status $RC")
        fi
        if [ "$RC" = 0 ] && [ "$NPASS" = 0 ]; then
            HARNESS+=("payload reported no checks")
        fi ;;
    crashed)
        HARNESS+=("Xen or dom0 crashed: $(tr -d '\r' <"$LOG" | grep -aE "$FATAL" | head -n 1)") ;;
    qemu-died)
        HARNESS+=("qemu exited before the payload finished") ;;
    timeout)
        HARNESS+=("timed out after ${TIMEOUT}s") ;;
esac
if [ "$HOW" != finished ] || [ "${RC:-0}" -ge 124 ]; then
    echo "--- last lines of the console ($LOG):"
    tr -d '\r' <"$LOG" | tail -n 40 | sed 's/^/  | /'
fi
for h in ${HARNESS[@]+"${HARNESS[@]}"}; do
    echo "FAIL: harness: $h"
    NFAIL=$((NFAIL + 1))
done
# The failed checks again, by section (the payload's own list), and the
# sections to run again: a long run's failures are far above its end.
grep -aE '^(failed in |xentb-rerun: )' "$TMP/stream" || true
timing "total" "$(secs "$T_ALL" "$(now_us)")"
say "timings: $(printf '%s, ' "${TIMINGS[@]}" | sed 's/, $//')"
echo "$NPASS passed, $NFAIL failed"
case $HOW in
    timeout) exit 124 ;;
    crashed | qemu-died) exit 125 ;;
esac
[ "$NFAIL" = 0 ] || exit 1
exit 0
