#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/xen_payload.sh - the Xen half of the benchmarks. bench/run.sh hands
# it to tests/xen/run.sh, which runs it as root in the testbed's dom0 (real
# Xen 4.17, PV dom0) with the project installed under /usr/local.
#
# It prints result lines in bench/run.sh's format ("R|section|row|figure|
# value|unit|note", "I|text", "N|section|text") and PASS/FAIL lines for the
# steps that must work for the figures to mean anything.
#
#  xen-start     the same PV guest (testbed kernel + busybox initrd, 128 MiB,
#                1 vCPU), bare and with a file-backed disk and a bridged NIC,
#                started ROUNDS times by xenopsd (xenopsctl vm start) and by
#                xl create, interleaved (xo, xl, xo, xl...): API call ->
#                command returns with the domain running, and -> the guest's
#                XENTB-GUEST-UP console line. Medians and xenopsd/xl ratios.
#                xenopsd's first start of the kernel (its cache of the
#                decompressed kernel still empty) is reported on its own.
#                The same for a PVH guest booted directly (pvh), and for
#                guests that boot the kernel on their own disk through
#                Debian's GRUB images (pvh-grub, pv-grub: an ext2 disk made
#                with mke2fs -d, xl given the same GRUB image as kernel),
#                and for an HVM guest (hvm: hvmloader, SeaBIOS and the
#                device model's direct kernel boot).
#  xen-xenstore  requests xenstored received (its trace, "IN" lines, not
#                counting xenstore-control's own) from the call until the
#                marker, and until the domain is destroyed again, per start,
#                median of XS_ROUNDS traced starts of each (traced apart from
#                the timed ones: tracing slows xenstored down). The
#                toolstack's own requests (xenopsd's connections; xl's and
#                its children's and hotplug scripts') are told apart from
#                the rest (guest, dom0 kernel backends, xenconsoled): see
#                trace_count.
#  xen-release   with 1 and then 10 guests running under xenopsd, a churn VM
#                is started (paused) and destroyed CHURN times through
#                xenopsd; xenopsd's backend counters (HOST.stat
#                "backend_counters") give the domain-info calls against the
#                @releaseDomain events its watch saw; xenstore-watch counts
#                the firings independently.
#  xen-cpu       CPU time (user + system) per start of bare and dev, call ->
#                marker: xenopsd's from /proc/<pid>/stat, xl create's from
#                its children's rusage (bash's times in a subshell: xl and
#                the hotplug scripts it reaps) plus its monitor's /proc;
#                ROUNDS interleaved starts; then one start of each with
#                xenopsd's kernel cache emptied and dom0's page cache
#                dropped. Also all of dom0's busy CPU (/proc/stat, less
#                its idle background) from the call to the return.
#  xen-storm     STORM dev guests (own MACs) started at once, through
#                xenopsd (one xenopsctl each, in the background) and with
#                as many xl create, STORM_ROUNDS interleaved rounds: first
#                call -> all commands returned (all running), -> every
#                guest's marker.
#  xen-storm-atoms  the storm tasks' atom_times against the same atoms in
#                xen-cpu's single dev starts; the waits for a worker.
#
# Environment (run.sh --env, or XO_BENCH_* in bench/run.sh's environment):
# XO_BENCH_ROUNDS (5), XO_BENCH_XS_ROUNDS (2), XO_BENCH_CHURN (6),
# XO_BENCH_GUESTS (10), XO_BENCH_KINDS (the parts: "bare dev pvh pvh-grub
# pv-grub hvm cpu storm"; xen-xenstore traces bare and dev only; storm's atom
# table, made at the end, compares with cpu's starts if cpu ran), XO_BENCH_STORM (8),
# XO_BENCH_STORM_ROUNDS (3), XO_BENCH_RELEASE (1; 0 leaves xen-release
# out).
# tests/xen/run.sh puts lib.sh and the suite's xenops.sh next to this file:
# xoctl, xo_daemon_start/stop, xo_power_is and xo_counter come from there.
# shellcheck source-path=SCRIPTDIR source=../tests/xen/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tests/xen/xenops.sh
. "$(dirname "$0")/xenops.sh"
# grub_disk: a disk with the guest kernel and /boot/grub/grub.cfg.
# shellcheck source=../tests/xen/pvh.sh
. "$(dirname "$0")/pvh.sh"
[ -f /xentb/env ] && . /xentb/env

ROUNDS=${XO_BENCH_ROUNDS:-5}
XS_ROUNDS=${XO_BENCH_XS_ROUNDS:-2}
CHURN=${XO_BENCH_CHURN:-6}
GUESTS=${XO_BENCH_GUESTS:-10}
KINDS=${XO_BENCH_KINDS:-bare dev pvh pvh-grub pv-grub hvm cpu storm}
STORM=${XO_BENCH_STORM:-8}
STORM_ROUNDS=${XO_BENCH_STORM_ROUNDS:-3}
RELEASE=${XO_BENCH_RELEASE:-1}
GRUB_PVH=/usr/lib/grub-xen/grub-i386-xen_pvh.bin
GRUB_PV=/usr/lib/grub-xen/grub-x86_64-xen.bin
UP=XENTB-GUEST-UP
TRACE=/tmp/xenstored.trace
WORK=/tmp/xo-bench
# PVH and GRUB boots under TCG take longer than PV ones (pvh.sh).
MARKER_SECS=600
mkdir -p "$WORK" "$XO_STATE" /run

xlt() { timeout "$XENTB_CMD_TIMEOUT" xl "$@"; }
us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
res() { echo "R|$1|$2|$3|$4|$5|${6:-}"; }

# Poll every 20 ms: the 0.2 s of wait_for would blur the marker times.
wait_marker() { # NAME SECS
    local end=$(($(us) + $2 * 1000000)) f
    f=$(console_log "$1")
    while ! grep -aqE "$UP" "$f" 2>/dev/null; do
        [ "$(us)" -lt "$end" ] || return 1
        sleep 0.02
    done
}

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f\n", a / b }'; }
secs() { awk -v d="$1" 'BEGIN { printf "%.3f\n", d / 1000000 }'; }

trap xo_daemon_stop EXIT

# ---- the guests ------------------------------------------------------------

# xo_vm ID KIND [MEMORY [MAC]]: define a VM in xenopsd. KIND: bare, dev (a
# disk and a NIC), pvh, pvh-grub or pv-grub (booting from its disk WORK/ID.img).
xo_vm() {
    local id=$1 kind=$2 mem=${3:-128} mac=${4:-00:16:3e:00:20:01}
    case $kind in
        bare | dev | pvh | hvm)
            printf '{"id": "%s", "name": "%s", "type": "%s", "memory_mib": %s, "vcpus": 1,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "console=hvc0 loglevel=4"}\n' \
                "$id" "$id" "$(case $kind in pvh | hvm) echo "$kind" ;; *) echo pv ;; esac)" "$mem" \
                "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" >"$WORK/$id.json" ;;
        pvh-grub | pv-grub)
            grub_disk "$WORK/$id.img" || return 1
            printf '{"id": "%s", "name": "%s", "type": "%s", "boot": "grub", "memory_mib": %s,
      "vcpus": 1}\n' "$id" "$id" "${kind%-grub}" "$mem" >"$WORK/$id.json" ;;
    esac
    xoctl vm add "$WORK/$id.json" >/dev/null || return 1
    case $kind in
        dev)
            dd if=/dev/zero of="$WORK/$id.img" bs=1M count=8 2>/dev/null
            xoctl vbd add "$id" --device xvdb --backend "file:$WORK/$id.img" >/dev/null &&
                xoctl vif add "$id" --bridge xenbr0 --mac "$mac" >/dev/null ;;
        *-grub) xoctl vbd add "$id" --device xvda --backend "file:$WORK/$id.img" >/dev/null ;;
    esac
}
# xl_cfg NAME KIND [MAC]: the same guest for xl (the GRUB kinds: the same
# GRUB image as kernel, booting from a disk made the same way).
xl_cfg() {
    local f mac=${3:-00:16:3e:00:20:02}
    case $2 in
        pvh) f=$(guest_cfg "$1" memory=128 type=pvh) ;;
        hvm) f=$(guest_cfg "$1" memory=128 type=hvm vnc=0) ;;
        pvh-grub | pv-grub)
            # its stdout is this function's answer: mke2fs's "Creating regular
            # file" line would go into the path of the configuration
            grub_disk "$WORK/$1.img" >/dev/null || return 1
            f=/tmp/$1.cfg
            {
                echo "name = \"$1\""
                if [ "$2" = pvh-grub ]; then
                    echo 'type = "pvh"'
                    echo "kernel = \"$GRUB_PVH\""
                else
                    echo 'type = "pv"'
                    echo "kernel = \"$GRUB_PV\""
                fi
                echo 'memory = 128'
                echo 'vcpus = 1'
                echo "disk = [ 'format=raw, vdev=xvda, access=rw, target=$WORK/$1.img' ]"
                echo 'on_poweroff = "destroy"'
                echo 'on_reboot = "destroy"'
                echo 'on_crash = "destroy"'
            } >"$f" ;;
        *) f=$(guest_cfg "$1" memory=128) ;;
    esac
    if [ "$2" = dev ]; then
        dd if=/dev/zero of="$WORK/$1.img" bs=1M count=8 2>/dev/null
        {
            echo "disk = [ 'format=raw, vdev=xvdb, access=rw, target=$WORK/$1.img' ]"
            echo "vif = [ 'bridge=xenbr0,mac=$mac' ]"
        } >>"$f"
    fi
    echo "$f"
}

# One start each; prints "return_us marker_us" (empty on failure).
start_xo() { # ID
    local a b c
    rm -f "$(console_log "$1")"
    a=$(us)
    # (stderr: xenopsctl's progress lines would fill the payload's output)
    xoctl vm start "$1" >/dev/null 2>"$WORK/start.err" || { cat "$WORK/start.err" >&2; return 1; }
    b=$(us)
    wait_marker "$1" "$MARKER_SECS" || return 1
    c=$(us)
    echo "$((b - a)) $((c - a))"
}
stop_xo() { xoctl vm destroy "$1" >/dev/null && wait_gone "$1" 60; }
start_xl() { # NAME CFG
    local a b c
    rm -f "$(console_log "$1")"
    a=$(us)
    xlt create -q "$2" >/dev/null 2>"$WORK/xl-create.err" || { cat "$WORK/xl-create.err" >&2; return 1; }
    b=$(us)
    wait_marker "$1" "$MARKER_SECS" || { echo "$1: no $UP within $MARKER_SECS s" >&2; return 1; }
    c=$(us)
    echo "$((b - a)) $((c - a))"
}
stop_xl() { xlt destroy "$1" >/dev/null 2>&1; wait_gone "$1" 60; }

# ---- xenstore trace ----------------------------------------------------------

trace_on() { : >"$TRACE"; xenstore-control logfile "$TRACE" >/dev/null && xenstore-control log on >/dev/null; }
trace_off() { xenstore-control log off >/dev/null; }
trace_mark() { xenstore-control print "XO-BENCH $1" >/dev/null; }
# trace_count FROM TO [OWN]: the requests ("IN" lines, xenstore-control's
# CONTROL ones left out) between two marks, as "toolstack all": the
# toolstack's are those of the connections listed in OWN (xenopsd's) and of
# every connection opened in the window (xl, its children and hotplug
# scripts) but the guest's. xenstored opens the guest's connection when it
# handles INTRODUCE: the first connection created after one is the guest's.
# The rest (the guest, dom0's kernel backends, xenconsoled) answers the PV
# protocols and is much the same whoever the toolstack is.
trace_count() {
    tr -d '\r' <"$TRACE" | awk -v from="XO-BENCH $1" -v to="XO-BENCH $2" -v own="${3:-}" '
        BEGIN { n = split(own, o, " "); for (i = 1; i <= n; i++) mine[o[i]] = 1 }
        index($0, from) { on = 1; next }
        index($0, to) { exit }
        !on { next }
        $1 == "CREATE" && $2 == "connection" {
            if (pend) { guest[$3] = 1; pend = 0 } else fresh[$3] = 1
            next
        }
        # xenstored reuses the addresses of closed connections.
        $1 == "DESTROY" && $2 == "connection" { delete guest[$3]; delete fresh[$3]; delete mine[$3]; next }
        $1 != "IN" || $5 == "CONTROL" { next }
        $5 == "INTRODUCE" { pend = 1 }
        { all++; if (($2 in mine) || (($2 in fresh) && !($2 in guest))) ts++; if ($2 in guest) g++ }
        END { print ts + 0, all + 0, g + 0 }'
}
# The connections xenopsd opens when it starts (traced in setup): those
# opened in the window that make requests (its two do at once: the watch
# and the sweep of leftovers) and are still open at its end.
XO_CONNS=
xo_conns() { # FROM TO
    tr -d '\r' <"$TRACE" | awk -v from="XO-BENCH $1" -v to="XO-BENCH $2" '
        index($0, from) { on = 1; next }
        index($0, to) { exit }
        !on { next }
        $1 == "CREATE" && $2 == "connection" { c[$3] = 1 }
        $1 == "DESTROY" && $2 == "connection" { delete c[$3]; delete used[$3] }
        $1 == "IN" && $5 == "CONTROL" { ctl[$2] = 1 }
        $1 == "IN" && $5 != "CONTROL" { used[$2] = 1 }
        END { for (k in c) if (!(k in ctl) && (k in used)) printf "%s ", k }'
}

# ---- sections ---------------------------------------------------------------

setup() {
    check "xenstored takes a trace file" trace_on || return 1
    trace_mark daemon-start
    check "xenopsd starts on the xen backend" xo_daemon_start || return 1
    trace_mark daemon-ready
    trace_off
    XO_CONNS=$(xo_conns daemon-start daemon-ready)
    check "xenopsd's two xenstore connections seen in the trace: $XO_CONNS" \
        test "$(wc -w <<<"$XO_CONNS")" = 2
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    echo "I|xen testbed: $(xl info | awk '/^xen_version/ { v = $3 } /^nr_cpus/ { c = $3 } END { print "Xen " v ", " c " vCPUs" }'), dom0 $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), TCG unless run.sh said kvm"
}

# xs_rows ROW XO_ARRAY XL_ARRAY: medians and ratio.
xs_rows() {
    local -n xa=$2 xb=$3
    local a b
    a=$(median "${xa[@]}"); b=$(median "${xb[@]}")
    res xen-xenstore "$1" xenopsd "$a" requests "median of ${#xa[@]}"
    res xen-xenstore "$1" xl "$b" requests "median of ${#xb[@]}"
    res xen-xenstore "$1" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
}

# bench_start KIND(bare|dev): timed rounds, then traced rounds.
bench_start() {
    local kind=$1 id=xo-$1 name=xl-$1 cfg i r ok=1
    local -a xo_ret=() xo_up=() xl_ret=() xl_up=() xo_req=() xo_req_up=() xl_req=() xl_req_up=()
    local -a xo_all_up=() xl_all_up=()
    check "define $id in xenopsd" xo_vm "$id" "$kind" || return
    cfg=$(xl_cfg "$name" "$kind") || { fail "xl config for $name"; return; }
    for ((i = 0; i <= ROUNDS; i++)); do
        r=$(start_xo "$id") || { fail "xenopsd start $id (round $i)"; ok=0; stop_xo "$id"; break; }
        stop_xo "$id"
        if [ "$i" = 0 ]; then
            # The first start of this kernel by this daemon (kind bare runs first).
            [ "$kind" = bare ] && res xen-start "$kind: xenopsd first start (kernel cache cold)" \
                xenopsd_s "$(secs "${r% *}")" s "API call -> domain running; -> marker $(secs "${r#* }") s"
            continue
        fi
        xo_ret+=("${r% *}")
        xo_up+=("${r#* }")
        r=$(start_xl "$name" "$cfg") || { fail "xl create $name (round $i)"; ok=0; stop_xl "$name"; break; }
        stop_xl "$name"
        xl_ret+=("${r% *}")
        xl_up+=("${r#* }")
    done
    [ "$ok" = 1 ] && pass "$ROUNDS interleaved starts of $kind by xenopsd and by xl create"
    if [ ${#xo_ret[@]} -gt 0 ] && [ ${#xl_ret[@]} -gt 0 ]; then
        local a b
        a=$(median "${xo_ret[@]}"); b=$(median "${xl_ret[@]}")
        res xen-start "$kind: API call -> domain running" xenopsd_s "$(secs "$a")" s "median of ${#xo_ret[@]}"
        res xen-start "$kind: API call -> domain running" xl_s "$(secs "$b")" s "median of ${#xl_ret[@]}"
        res xen-start "$kind: API call -> domain running" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
        a=$(median "${xo_up[@]}"); b=$(median "${xl_up[@]}")
        res xen-start "$kind: API call -> $UP" xenopsd_s "$(secs "$a")" s "median of ${#xo_up[@]}"
        res xen-start "$kind: API call -> $UP" xl_s "$(secs "$b")" s "median of ${#xl_up[@]}"
        res xen-start "$kind: API call -> $UP" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
        echo "I|xen-start $kind raw (us, return/marker): xenopsd ${xo_ret[*]} / ${xo_up[*]}; xl ${xl_ret[*]} / ${xl_up[*]}"
    fi
    # xenstore requests (of the PV guests only)
    case $kind in bare | dev) ;; *) xoctl vm remove "$id" >/dev/null; return ;; esac
    for ((i = 1; i <= XS_ROUNDS; i++)); do
        check "xenstored trace on" trace_on || return
        trace_mark "xo-$i-call"
        r=$(start_xo "$id") && trace_mark "xo-$i-up"
        xoctl vm destroy "$id" >/dev/null
        trace_mark "xo-$i-end"
        wait_gone "$id" 60
        trace_mark "xl-$i-call"
        r=$(start_xl "$name" "$cfg") && trace_mark "xl-$i-up"
        xlt destroy "$name" >/dev/null 2>&1
        trace_mark "xl-$i-end"
        wait_gone "$name" 60
        trace_off
        cp "$TRACE" "$WORK/trace-$kind-$i"
        local tx ax gx tl al gl
        read -r tx ax gx <<<"$(trace_count "xo-$i-call" "xo-$i-up" "$XO_CONNS")"
        read -r tl al gl <<<"$(trace_count "xl-$i-call" "xl-$i-up")"
        check "the guests' xenstore connections found in the trace ($gx and $gl requests)" \
            test "$gx" -gt 0 -a "$gl" -gt 0
        xo_req_up+=("$tx"); xl_req_up+=("$tl"); xo_all_up+=("$ax"); xl_all_up+=("$al")
        read -r tx ax gx <<<"$(trace_count "xo-$i-call" "xo-$i-end" "$XO_CONNS")"
        read -r tl al gl <<<"$(trace_count "xl-$i-call" "xl-$i-end")"
        xo_req+=("$tx"); xl_req+=("$tl")
    done
    if [ ${#xo_req_up[@]} -gt 0 ]; then
        xs_rows "$kind: toolstack's requests, call -> $UP" xo_req_up xl_req_up
        xs_rows "$kind: toolstack's requests, start + destroy" xo_req xl_req
        xs_rows "$kind: all requests xenstored got, call -> $UP" xo_all_up xl_all_up
        echo "I|xen-xenstore $kind raw (toolstack call->up, call->destroyed, all call->up): xenopsd ${xo_req_up[*]} / ${xo_req[*]} / ${xo_all_up[*]}; xl ${xl_req_up[*]} / ${xl_req[*]} / ${xl_all_up[*]}"
    fi
    xoctl vm remove "$id" >/dev/null
}

# churn_with N: N guests running under xenopsd, CHURN starts+destroys of
# another VM; the counters' deltas.
churn_with() {
    local n=$1 i wpid fired
    local -a keys=(watch_release_domain_events watch_release_domain_info_calls watch_rescans
                   watch_domain_info_calls domain_info_calls) v0 v1
    for ((i = 1; i <= n; i++)); do
        xo_power_is "g$i" Running && continue
        check "start g$i" xoctl vm start "g$i" || return 1
    done
    wait_for 60 all_running "$n" || { fail "$n guests running"; return 1; }
    pass "$n guests running under xenopsd"
    # xenstore-watch prints the path once when the watch is set, then per firing.
    xenstore-watch @releaseDomain >"$WORK/release-$n.txt" 2>/dev/null &
    wpid=$!
    sleep 1
    mapfile -t v0 < <(xo_counter "${keys[@]}")
    for ((i = 1; i <= CHURN; i++)); do
        { xoctl vm start churn --paused >/dev/null && xoctl vm destroy churn >/dev/null; } ||
            { fail "churn start/destroy $i with $n guests"; break; }
    done
    sleep 2
    mapfile -t v1 < <(xo_counter "${keys[@]}")
    kill "$wpid" 2>/dev/null
    wait "$wpid" 2>/dev/null
    fired=$(($(grep -c . "$WORK/release-$n.txt") - 1))
    # deltas, in the order of keys
    local ev=$((v1[0] - v0[0])) calls=$((v1[1] - v0[1])) rescans=$((v1[2] - v0[2]))
    local wcalls=$((v1[3] - v0[3])) all=$((v1[4] - v0[4]))
    check "xenopsd's watch saw every @releaseDomain firing ($ev of $fired, $n guests)" test "$ev" = "$fired"
    local row="$n guest(s) running"
    res xen-release "$row" firings "$fired" n "@releaseDomain firings in $CHURN churn start+destroy (xenstore-watch)"
    res xen-release "$row" seen "$ev" n "@releaseDomain events xenopsd's watch read"
    res xen-release "$row" calls "$calls" n "xc_domain_getinfolist calls of the rescans they caused"
    res xen-release "$row" calls_per_firing "$(ratio "$calls" "$ev")" x ""
    res xen-release "$row" all_rescans "$rescans" n "@introduceDomain rescans too"
    res xen-release "$row" all_watch_calls "$wcalls" n "by the watch thread, for every rescan"
    res xen-release "$row" backend_calls "$all" n "every xc_domain_getinfolist of the backend (start/destroy too)"
}
all_running() {
    local i
    for ((i = 1; i <= $1; i++)); do xo_power_is "g$i" Running || return 1; done
}

bench_release() {
    local i
    # 128 MiB each: the testbed kernel alone spans 74 MiB of the guest.
    check "define the churn VM" xo_vm churn bare || return
    for ((i = 1; i <= GUESTS; i++)); do
        xo_vm "g$i" bare || { fail "define g$i"; return; }
    done
    churn_with 1
    churn_with "$GUESTS"
    for ((i = 1; i <= GUESTS; i++)); do xoctl vm destroy "g$i" >/dev/null; done
}

# ---- CPU per start (xen-cpu) ----------------------------------------------------

# xl's real binary: Debian's /usr/sbin/xl is a shell wrapper that finds it.
XL_BIN=/usr/lib/xen-4.17/bin/xl
[ -x "$XL_BIN" ] || XL_BIN=$(command -v xl)
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# proc_cpu PID: user + system time of PID and of its waited-for children, in
# clock ticks (/proc/PID/stat fields 14 to 17); empty if PID is gone.
proc_cpu() { awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
# children_cpu: the "times" builtin's second line (the shell's waited-for
# children: user and system) in ticks.
children_cpu() {
    times | awk -v hz="$HZ" 'NR == 2 {
        t = 0
        for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] }
        printf "%.0f\n", t * hz }'
}
# xl's monitor: the "xl create" process that stays after xl create returned
# (it forks twice to get away from its parent, so no wait collects it).
xl_monitor() {
    local p c
    for p in /proc/[0-9]*; do
        c=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
        case $c in *"xl create"* | *"xl -q create"*) echo "${p#/proc/}" ;; esac
    done
}
ms() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.0f\n", t * 1000 / hz }'; }
# dom0_ticks: the busy time of all of dom0's vCPUs since boot, in ticks
# (/proc/stat "cpu": user, nice, system, irq, softirq; idle, iowait and steal
# left out). Whatever runs in dom0 counts: the toolstack, its children that no
# one waits for, xenstored, xenconsoled, udev, the kernel's backends.
dom0_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
# proc_snap FILE: "pid comm ticks" of every process of dom0 (kernel threads
# included) into FILE; proc_top A B: the five that used most CPU between
# the snapshots A and B (processes that ended in between are not in B; the
# subshell taking a snapshot, busy forking a cat per process, leaves itself out).
proc_snap() {
    local p
    { echo "$BASHPID"; for p in /proc/[0-9]*/stat; do cat "$p" 2>/dev/null; echo; done; } |
        awk 'NR == 1 { self = $1; next }
             NF && $1 != self { c = $0; sub(/^[0-9]+ \(/, "", c); sub(/\) .*/, "", c); gsub(/ /, "_", c)
                  r = $0; sub(/^.*\) /, "", r); split(r, f, " "); print $1, c, f[12] + f[13] }' >"$1"
}
proc_top() {
    awk 'NR == FNR { t[$1 " " $2] = $3; next }
         { d = $3 - t[$1 " " $2]; if (d > 0) print d, $2 }' "$1" "$2" | sort -rn | head -n 5 | tr '\n' ' '
}
# dom0_net T0 T1 US: ticks T1 - T0 less the background (BG_TPS ticks a
# second, measured by bench_cpu with nothing starting) over US microseconds.
dom0_net() { awk -v a="$1" -v b="$2" -v us="$3" -v bg="${BG_TPS:-0}" 'BEGIN { v = b - a - bg * us / 1e6; printf "%.0f\n", v < 0 ? 0 : v }'; }

# cpu_xo ID: one start by xenopsd; prints "return_us marker_us daemon_ticks
# client_ticks" (daemon: /proc of xenopsd from the call to the marker; client:
# xenopsctl). The task's stat goes to WORK/cpu-task.json.
cpu_xo() {
    local a b c d0 d1 cl w0 w1
    rm -f "$(console_log "$1")"
    d0=$(proc_cpu "$XO_PID")
    proc_snap "$WORK/snap0"
    w0=$(dom0_ticks)
    a=$(us)
    cl=$(xenopsctl --socket "$XO_SOCK" --json vm start "$1" >"$WORK/cpu-task.json" 2>"$WORK/start.err" &&
        children_cpu) || { cat "$WORK/start.err" >&2; return 1; }
    b=$(us)
    w1=$(dom0_ticks)
    proc_snap "$WORK/snap1"
    echo "I|xen-cpu xenopsd start of $1: dom0's busiest processes, ticks (call -> running): $(proc_top "$WORK/snap0" "$WORK/snap1")" >&"$XENTB_OUT"
    wait_marker "$1" "$MARKER_SECS" || return 1
    c=$(us)
    d1=$(proc_cpu "$XO_PID")
    echo "$((b - a)) $((c - a)) $((d1 - d0)) $cl $(dom0_net "$w0" "$w1" $((b - a)))"
}
# cpu_xl NAME CFG: one xl create; prints "return_us marker_us xl_ticks": xl
# create and the children it waited for (hotplug scripts: the "times" of a
# subshell), plus the monitor's own /proc at the marker.
cpu_xl() {
    local a b c cl m mc w0 w1
    rm -f "$(console_log "$1")"
    proc_snap "$WORK/snap0"
    w0=$(dom0_ticks)
    a=$(us)
    cl=$("$XL_BIN" create -q "$2" >/dev/null 2>"$WORK/xl-create.err" && children_cpu) ||
        { cat "$WORK/xl-create.err" >&2; return 1; }
    b=$(us)
    w1=$(dom0_ticks)
    proc_snap "$WORK/snap1"
    echo "I|xen-cpu xl create of $1: dom0's busiest processes, ticks (call -> running): $(proc_top "$WORK/snap0" "$WORK/snap1")" >&"$XENTB_OUT"
    wait_marker "$1" "$MARKER_SECS" || return 1
    c=$(us)
    m=$(xl_monitor)
    mc=0
    for p in $m; do mc=$((mc + $(proc_cpu "$p" || echo 0))); done
    echo "$((b - a)) $((c - a)) $((cl + mc)) $(wc -w <<<"$m") $(dom0_net "$w0" "$w1" $((b - a)))"
}

# atom_lines FILE: a task's stat as lines "atom started finished" (the atom
# named without its device), then "@task created started finished".
atom_lines() {
    tr -d '\r' <"$1" | awk '{
        s = $0
        while (match(s, /\{"atom":"[^"]*","started":[0-9.eE+-]*,"finished":[0-9.eE+-]*\}/)) {
            a = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            n = a; sub(/^\{"atom":"/, "", n); sub(/".*/, "", n); sub(/:.*/, "", n)
            st = a; sub(/.*"started":/, "", st); sub(/,.*/, "", st)
            fi = a; sub(/.*"finished":/, "", fi); sub(/\}.*/, "", fi)
            printf "%s %.6f %.6f\n", n, st, fi
        }
        c = $0; sub(/.*"created":/, "", c); sub(/[,}].*/, "", c)
        # the task'\''s own "started" comes after "created"
        t = $0; sub(/.*"created":[0-9.eE+-]*,/, "", t)
        st = t; if (!sub(/.*"started":/, "", st)) st = 0; sub(/[,}].*/, "", st)
        fi = t; if (!sub(/.*"finished":/, "", fi)) fi = 0; sub(/[,}].*/, "", fi)
        printf "@task %.6f %.6f %.6f\n", c, st, fi
    }'
}

# bench_cpu: ROUNDS interleaved starts of bare and of dev, CPU per start;
# then one start of bare with xenopsd's kernel cache emptied and dom0's page
# cache dropped, the same for xl (page cache dropped).
bench_cpu() {
    local kind id name cfg i r ok a b w0
    # dom0's background: its busy ticks over 10 s with nothing starting
    w0=$(dom0_ticks); a=$(us); sleep 10
    BG_TPS=$(awk -v t="$(( $(dom0_ticks) - w0 ))" -v us="$(( $(us) - a ))" 'BEGIN { printf "%.2f", t * 1e6 / us }')
    echo "I|xen-cpu dom0 background: $BG_TPS ticks/s (of $HZ per vCPU) with no start"
    for kind in bare dev; do
        id=cpu-$kind name=cpul-$kind ok=1
        local -a xo_c=() xl_c=() xo_cl=() xo_t=() xl_t=() nmon=() xo_w=() xl_w=()
        check "define $id in xenopsd" xo_vm "$id" "$kind" 128 00:16:3e:00:21:01 || continue
        cfg=$(xl_cfg "$name" "$kind" 00:16:3e:00:21:02) || { fail "xl config for $name"; continue; }
        # a first start: the kernel cache is filled (if the run has not yet)
        cpu_xo "$id" >/dev/null; stop_xo "$id"
        for ((i = 1; i <= ROUNDS; i++)); do
            r=$(cpu_xo "$id") || { fail "xenopsd start $id (cpu round $i)"; ok=0; stop_xo "$id"; break; }
            stop_xo "$id"
            read -r _ _ a b w0 <<<"$r"
            xo_c+=("$a"); xo_cl+=("$b"); xo_t+=("${r%% *}"); xo_w+=("$w0")
            [ "$kind" = dev ] && atom_lines "$WORK/cpu-task.json" >>"$WORK/atoms-single.txt"
            r=$(cpu_xl "$name" "$cfg") || { fail "xl create $name (cpu round $i)"; ok=0; stop_xl "$name"; break; }
            stop_xl "$name"
            read -r _ _ a b w0 <<<"$r"
            xl_c+=("$a"); nmon+=("$b"); xl_t+=("${r%% *}"); xl_w+=("$w0")
        done
        [ "$ok" = 1 ] && pass "$ROUNDS interleaved CPU-measured starts of $kind by xenopsd and by xl create"
        check "xl's monitor process found in every xl round (${nmon[*]})" \
            test "$(printf '%s\n' "${nmon[@]}" | grep -cx 1)" = "${#nmon[@]}"
        if [ ${#xo_c[@]} -gt 0 ] && [ ${#xl_c[@]} -gt 0 ]; then
            a=$(median "${xo_c[@]}"); b=$(median "${xl_c[@]}")
            res xen-cpu "$kind: CPU per start, call -> $UP" xenopsd_ms "$(ms "$a")" ms "median of ${#xo_c[@]}; xenopsd's user+system (/proc)"
            res xen-cpu "$kind: CPU per start, call -> $UP" xl_ms "$(ms "$b")" ms "median of ${#xl_c[@]}; xl create + waited children + monitor"
            res xen-cpu "$kind: CPU per start, call -> $UP" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
            res xen-cpu "$kind: CPU per start, call -> $UP" client_ms "$(ms "$(median "${xo_cl[@]}")")" ms "xenopsctl, not counted in the ratio"
            a=$(median "${xo_t[@]}"); b=$(median "${xl_t[@]}")
            res xen-cpu "$kind: API call -> domain running (these starts)" xenopsd_ms "$(awk -v v="$a" 'BEGIN { printf "%.0f", v / 1000 }')" ms "median"
            res xen-cpu "$kind: API call -> domain running (these starts)" xl_ms "$(awk -v v="$b" 'BEGIN { printf "%.0f", v / 1000 }')" ms "median"
            res xen-cpu "$kind: API call -> domain running (these starts)" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
            a=$(median "${xo_w[@]}"); b=$(median "${xl_w[@]}")
            res xen-cpu "$kind: dom0 CPU, call -> domain running" xenopsd_ms "$(ms "$a")" ms "median of ${#xo_w[@]}; all of dom0 (/proc/stat), background taken off"
            res xen-cpu "$kind: dom0 CPU, call -> domain running" xl_ms "$(ms "$b")" ms "median of ${#xl_w[@]}; all of dom0 (/proc/stat), background taken off"
            res xen-cpu "$kind: dom0 CPU, call -> domain running" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
            echo "I|xen-cpu $kind raw (ticks of 1/$HZ s; xenopsd daemon/client, xl; dom0-wide xenopsd, xl): ${xo_c[*]} / ${xo_cl[*]}; ${xl_c[*]}; ${xo_w[*]}; ${xl_w[*]}"
        fi
        if [ "$kind" = bare ] && [ "$ok" = 1 ]; then
            local xr lr
            local kc=0 f
            for f in "$XO_STATE"/backend/xen/kernels/* "$XO_STATE"/xen/kernels/*; do
                [ -f "$f" ] && rm -f "$f" && kc=$((kc + 1))
            done
            check "xenopsd's decompressed-kernel cache emptied ($kc file(s))" test "$kc" -gt 0
            sync; echo 3 >/proc/sys/vm/drop_caches
            xr=$(cpu_xo "$id"); stop_xo "$id"
            sync; echo 3 >/proc/sys/vm/drop_caches
            lr=$(cpu_xl "$name" "$cfg"); stop_xl "$name"
            if [ -n "$xr" ] && [ -n "$lr" ]; then
                local xt xc lt lc xw lw row="bare, cold: kernel cache emptied, page cache dropped"
                read -r xt _ xc _ xw <<<"$xr"; read -r lt _ lc _ lw <<<"$lr"
                res xen-cpu "$row: dom0 CPU, call -> domain running" xenopsd_ms "$(ms "$xw")" ms "one start; all of dom0"
                res xen-cpu "$row: dom0 CPU, call -> domain running" xl_ms "$(ms "$lw")" ms "one start; all of dom0"
                res xen-cpu "$row: dom0 CPU, call -> domain running" ratio "$(ratio "$xw" "$lw")" x "xenopsd / xl"
                res xen-cpu "$row" xenopsd_ms "$(ms "$xc")" ms "CPU, call -> $UP; one start"
                res xen-cpu "$row" xl_ms "$(ms "$lc")" ms "CPU, call -> $UP; one start"
                res xen-cpu "$row" ratio "$(ratio "$xc" "$lc")" x "CPU, xenopsd / xl"
                res xen-cpu "$row: API call -> domain running" xenopsd_ms "$(awk -v v="$xt" 'BEGIN { printf "%.0f", v / 1000 }')" ms "one start"
                res xen-cpu "$row: API call -> domain running" xl_ms "$(awk -v v="$lt" 'BEGIN { printf "%.0f", v / 1000 }')" ms "one start"
                res xen-cpu "$row: API call -> domain running" ratio "$(ratio "$xt" "$lt")" x "xenopsd / xl"
                # the warm ratio against the cold one: the share of the cold
                # start's time ratio that the kernel cache takes away
                a=$(ratio "$(median "${xo_t[@]}")" "$(median "${xl_t[@]}")")
                b=$(ratio "$xt" "$lt")
                res xen-cpu "bare: time ratio the kernel cache takes away" share \
                    "$(awk -v w="$a" -v c="$b" 'BEGIN { if (c > 0) printf "%.3f", 1 - w / c }')" x \
                    "1 - warm ratio / cold ratio (API call -> domain running)"
                a=$(ratio "$(median "${xo_c[@]}")" "$(median "${xl_c[@]}")")
                b=$(ratio "$xc" "$lc")
                res xen-cpu "bare: CPU ratio the kernel cache takes away" share \
                    "$(awk -v w="$a" -v c="$b" 'BEGIN { if (c > 0) printf "%.3f", 1 - w / c }')" x \
                    "1 - warm ratio / cold ratio (CPU, call -> marker)"
            else
                fail "cold starts of $id ($xr) and $name ($lr)"
            fi
        fi
        xoctl vm remove "$id" >/dev/null
    done
}

# ---- boot storm (xen-storm) ----------------------------------------------------

# storm_wait_markers PREFIX N T0: until the N guests PREFIX1..N showed the
# marker; prints the time from T0 (us) to the last one, empty after MARKER_SECS.
storm_wait_markers() {
    local p=$1 n=$2 t0=$3 end i left
    end=$(($(us) + MARKER_SECS * 1000000))
    local -A seen=()
    while :; do
        left=0
        for ((i = 1; i <= n; i++)); do
            [ -n "${seen[$i]:-}" ] && continue
            if grep -aqE "$UP" "$(console_log "$p$i")" 2>/dev/null; then seen[$i]=1; else left=1; fi
        done
        [ "$left" = 0 ] && { echo $(($(us) - t0)); return 0; }
        [ "$(us)" -lt "$end" ] || return 1
        sleep 0.1
    done
}
storm_gone() { # PREFIX N
    local i
    for ((i = 1; i <= $2; i++)); do wait_gone "$1$i" 60 || return 1; done
}

# storm_xo ROUND: STORM guests started at once through xenopsd (one
# xenopsctl each, in the background); prints "running_us marker_us".
storm_xo() {
    local t0 t1 i m pids=() bad=0
    for ((i = 1; i <= STORM; i++)); do rm -f "$(console_log "st$i")" "$WORK/storm-$1-$i.json"; done
    t0=$(us)
    for ((i = 1; i <= STORM; i++)); do
        timeout 600 xenopsctl --socket "$XO_SOCK" --json vm start "st$i" >"$WORK/storm-$1-$i.json" 2>/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=1; done
    t1=$(us)
    if [ "$bad" = 1 ]; then
        # why: the failed tasks' errors (their stat objects)
        for ((i = 1; i <= STORM; i++)); do
            grep -aq '"state":"completed"' "$WORK/storm-$1-$i.json" 2>/dev/null ||
                echo "I|xen-storm round $1, st$i: $(grep -ao '"error":{[^}]*}' "$WORK/storm-$1-$i.json" | head -1)" >&2
        done
        return 1
    fi
    # the running time counts even when not every marker came in time ("-")
    m=$(storm_wait_markers st "$STORM" "$t0") || m=-
    echo "$t0" >"$WORK/storm-$1.t0"
    echo "$((t1 - t0)) $m"
}
storm_xl() {
    local t0 t1 i m pids=() bad=0
    for ((i = 1; i <= STORM; i++)); do rm -f "$(console_log "sl$i")"; done
    t0=$(us)
    for ((i = 1; i <= STORM; i++)); do
        timeout 600 xl create -q "/tmp/sl$i.cfg" >"$WORK/storm-xl-$i.err" 2>&1 &
        pids+=($!)
    done
    local -a rcs=()
    for i in "${pids[@]}"; do wait "$i"; rcs+=($?); done
    t1=$(us)
    case " ${rcs[*]} " in *" "[1-9]*) bad=1 ;; esac
    if [ "$bad" = 1 ]; then
        echo "I|xen-storm xl: exit statuses ${rcs[*]}" >&2
        for ((i = 1; i <= STORM; i++)); do
            # the first lines carry the cause; the last ones are xl's clean-up
            [ "${rcs[i - 1]}" = 0 ] || echo "I|xen-storm xl, sl$i: $(head -n 4 "$WORK/storm-xl-$i.err" | tr '\n' ' ')" >&2
        done
        return 1
    fi
    # the running time counts even when not every marker came in time ("-")
    m=$(storm_wait_markers sl "$STORM" "$t0") || m=-
    echo "$((t1 - t0)) $m"
}
storm_stop() { # PREFIX
    local i pids=()
    for ((i = 1; i <= STORM; i++)); do
        if [ "$1" = st ]; then xoctl vm destroy "st$i" >/dev/null 2>&1 & else xlt destroy "sl$i" >/dev/null 2>&1 & fi
        pids+=($!)
    done
    # these destroys only: a bare "wait" would wait for xenopsd too (a child
    # of this shell), that is for ever
    wait "${pids[@]}"
    storm_gone "$1" "$STORM"
}

# storm_atoms: the atoms of every xenopsd storm round (WORK/storm-R-I.json)
# against the same atoms in single starts (WORK/atoms-single.txt, from
# bench_cpu's dev starts): per atom, the mean time per guest, alone and in
# the storm; "concurrency": the sum of the atom's times over the guests of a
# round divided by the time during which at least one ran (1: the guests
# took turns at it); the wait for a worker (task started - created).
storm_atoms() {
    local f r
    : >"$WORK/atoms-storm.txt"
    for f in "$WORK"/storm-*-*.json; do
        [ -s "$f" ] || continue
        r=${f#"$WORK"/storm-}; r=${r%%-*}
        atom_lines "$f" | sed "s/^/$r /" >>"$WORK/atoms-storm.txt"
    done
    awk -v single="$WORK/atoms-single.txt" '
        function isort(a, n,   i, j, k, t) { for (i = 2; i <= n; i++) { t = a[i]; k = t + 0; j = i - 1
              while (j > 0 && a[j] + 0 > k) { a[j + 1] = a[j]; j-- } a[j + 1] = t } }
        BEGIN {
            while ((getline l < single) > 0) {
                split(l, x, " "); if (x[1] == "@task") continue
                ss[x[1]] += x[3] - x[2]; sn[x[1]]++
            }
        }
        $2 == "@task" { wq += $4 - $3; nt++; if ($4 - $3 > wmax) wmax = $4 - $3; next }
        {
            a = $2; if (!(a in seen)) { seen[a] = 1; order[++na] = a }
            d = $4 - $3; sum[a] += d; n[a]++
            k = a SUBSEP $1; c = ++cnt[k]; st[k, c] = $3 " " $4
            rounds[$1] = 1
        }
        END {
            for (i = 1; i <= na; i++) {
                a = order[i]; busy = 0; tot = 0
                for (r in rounds) {
                    k = a SUBSEP r; m = cnt[k]; if (!m) continue
                    for (j = 1; j <= m; j++) iv[j] = st[k, j]
                    isort(iv, m)
                    # union of the intervals (sorted by start)
                    split(iv[1], p, " "); cs = p[1]; ce = p[2]
                    for (j = 2; j <= m; j++) {
                        split(iv[j], p, " ")
                        if (p[1] + 0 > ce) { busy += ce - cs; cs = p[1]; ce = p[2] }
                        else if (p[2] + 0 > ce) ce = p[2]
                    }
                    busy += ce - cs
                }
                printf "R|xen-storm-atoms|%s|storm_s|%.3f|s|mean per guest, %d guest-starts\n", a, sum[a] / n[a], n[a]
                if (sn[a]) {
                    printf "R|xen-storm-atoms|%s|alone_s|%.3f|s|mean of %d single starts (dev)\n", a, ss[a] / sn[a], sn[a]
                    printf "R|xen-storm-atoms|%s|slowdown|%.2f|x|storm / alone\n", a, (sum[a] / n[a]) / (ss[a] / sn[a])
                }
                if (busy > 0)
                    printf "R|xen-storm-atoms|%s|concurrency|%.2f|x|sum of the guests'\'' times / time any ran, per round\n", a, sum[a] / busy
            }
            if (nt) {
                printf "R|xen-storm-atoms|wait for a worker (task started - created)|storm_s|%.3f|s|mean per guest; max %.3f s\n", wq / nt, wmax
            }
        }' "$WORK/atoms-storm.txt"
}

bench_storm() {
    local i r ok=1 a b
    local -a xo_run=() xo_up=() xl_run=() xl_up=()
    for ((i = 1; i <= STORM; i++)); do
        xo_vm "st$i" dev 128 "$(printf '00:16:3e:00:30:%02x' "$i")" || { fail "define st$i"; return; }
        xl_cfg "sl$i" dev "$(printf '00:16:3e:00:31:%02x' "$i")" >/dev/null || { fail "xl config sl$i"; return; }
    done
    pass "$STORM guests (128 MiB, a disk and a NIC each) defined for xenopsd and for xl"
    # dom0 runs both toolstacks and every backend: with the default weight
    # its 2 vCPUs get 2/10 of the CPUs once 8 guests boot (XO_BENCH_DOM0_WEIGHT,
    # 0: leave the default).
    if [ "${XO_BENCH_DOM0_WEIGHT:-1024}" != 0 ]; then
        xl sched-credit2 -d Domain-0 -w "${XO_BENCH_DOM0_WEIGHT:-1024}" >/dev/null 2>&1 ||
            xl sched-credit -d Domain-0 -w "${XO_BENCH_DOM0_WEIGHT:-1024}" >/dev/null 2>&1
        echo "I|xen-storm: dom0's scheduler weight ${XO_BENCH_DOM0_WEIGHT:-1024} (guests 256): $(xl sched-credit2 -d Domain-0 2>/dev/null | tail -1)"
    fi
    echo "I|xen-storm: $(xl info | awk '/^free_memory/ { print $3 }') MiB free for guests before the storm; $STORM x 128 MiB needed"
    # One start first, not measured: it fills xenopsd's kernel cache if the
    # run has not yet (xl reads the same kernel from a warm page cache).
    xoctl vm start st1 >/dev/null 2>&1; stop_xo st1
    for ((i = 1; i <= STORM_ROUNDS; i++)); do
        r=$(storm_xo "$i") || { fail "storm round $i through xenopsd"; ok=0; storm_stop st; break; }
        local rx=$r
        echo "I|xen-storm round $i, xenopsd's half (us, running markers): $rx"
        storm_stop st || { fail "storm round $i: xenopsd's guests did not go"; ok=0; break; }
        xo_run+=("${r% *}"); [ "${r#* }" = - ] && { fail "storm round $i: not every xenopsd guest's marker within ${MARKER_SECS} s"; ok=0; } || xo_up+=("${r#* }")
        r=$(storm_xl) || { fail "storm round $i through xl create"; ok=0; storm_stop sl; break; }
        storm_stop sl || { fail "storm round $i: xl's guests did not go"; ok=0; break; }
        xl_run+=("${r% *}"); [ "${r#* }" = - ] && { fail "storm round $i: not every xl guest's marker within ${MARKER_SECS} s"; ok=0; } || xl_up+=("${r#* }")
        # each round as it ends: a run cut short still shows the rounds it had
        echo "I|xen-storm round $i (us, running markers; - for markers not all seen): xenopsd $rx; xl $r"
    done
    [ "$ok" = 1 ] && pass "$STORM_ROUNDS interleaved storms of $STORM guests by xenopsd and by xl create"
    if [ ${#xo_run[@]} -gt 0 ] && [ ${#xl_run[@]} -gt 0 ]; then
        local row="$STORM guests: first call -> all domains running"
        a=$(median "${xo_run[@]}"); b=$(median "${xl_run[@]}")
        res xen-storm "$row" xenopsd_s "$(secs "$a")" s "median of ${#xo_run[@]}"
        res xen-storm "$row" xl_s "$(secs "$b")" s "median of ${#xl_run[@]}"
        res xen-storm "$row" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
        row="$STORM guests: first call -> all $UP"
        if [ ${#xo_up[@]} -gt 0 ] && [ ${#xl_up[@]} -gt 0 ]; then
            a=$(median "${xo_up[@]}"); b=$(median "${xl_up[@]}")
            res xen-storm "$row" xenopsd_s "$(secs "$a")" s "median of ${#xo_up[@]}"
            res xen-storm "$row" xl_s "$(secs "$b")" s "median of ${#xl_up[@]}"
            res xen-storm "$row" ratio "$(ratio "$a" "$b")" x "xenopsd / xl"
        fi
        echo "I|xen-storm raw (us, running/markers): xenopsd ${xo_run[*]} / ${xo_up[*]}; xl ${xl_run[*]} / ${xl_up[*]}"
        STORM_RAN=1
    fi
    for ((i = 1; i <= STORM; i++)); do xoctl vm remove "st$i" >/dev/null; done
    xl sched-credit2 -d Domain-0 -w 256 >/dev/null 2>&1 || xl sched-credit -d Domain-0 -w 256 >/dev/null 2>&1
}

if setup; then
    for kind in $KINDS; do
        case $kind in
            cpu) bench_cpu ;;
            storm) bench_storm ;;
            *) bench_start "$kind" ;;
        esac
    done
    # after cpu, whichever ran first: it compares with cpu's single starts
    [ -z "${STORM_RAN:-}" ] || storm_atoms
    [ "$RELEASE" = 0 ] || bench_release
fi
xo_daemon_stop
destroy_all_guests
summary
