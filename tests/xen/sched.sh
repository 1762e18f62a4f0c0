# shellcheck shell=bash
# tests/xen/sched.sh - scheduler weight and cap and vCPU affinity through
# xenopsd on the xen backend: a 2-vCPU guest started with them in its
# configuration, then changed live, each time with xl sched-credit2 (or
# sched-credit, after the host's scheduler) and xl vcpu-list as witnesses;
# a CPU the host lacks is refused and changes nothing. Sourced by suite.sh;
# each section is listed in SCHED_SECTIONS.

SCHED_OWN_DAEMON=

sched_daemon() {
    [ -z "$XO_PID" ] || return 0
    mkdir -p "$XO_STATE" /run
    check "xenopsd starts on the xen backend (scheduler sections)" xo_daemon_start || return 1
    SCHED_OWN_DAEMON=1
}

# sched_is SCHED NAME "WEIGHT CAP": xl sched-SCHED -d NAME shows them.
sched_is() {
    local got
    got=$(xl "sched-$1" -d "$2" 2>&1 | awk -v n="$2" '$1 == n { print $3, $4 }')
    echo "xl sched-$1 -d $2: '$got', want '$3'"
    [ "$got" = "$3" ]
}

# affinity_is NAME VCPU "HARD / SOFT": xl vcpu-list NAME shows it for VCPU.
affinity_is() {
    local got
    got=$(xl vcpu-list "$1" 2>&1 | awk -v n="$1" -v v="$2" '$1 == n && $3 == v { print $(NF-2), $(NF-1), $NF }')
    echo "xl vcpu-list $1, vCPU $2: '$got', want '$3'"
    [ "$got" = "$3" ]
}

# xo_stat_has NAME TEXT: xenopsctl's VM.stat holds TEXT (its read-back).
xo_stat_has() {
    local out
    out=$(xoctl --json vm stat "$1" 2>&1)
    grep -o '"sched":{[^}]*}' <<<"$out"
    grep -qF "$2" <<<"$out"
}

section_xo_sched() {
    local sched cpus c0=0 c1=1 out
    sched_daemon || return
    sched=$(xl info | sed -n 's/^xen_scheduler *: *//p')
    cpus=$(xl info | sed -n 's/^nr_cpus *: *//p')
    echo "host: scheduler $sched, $cpus CPUs"
    case $sched in
    credit | credit2) ;;
    *) check "the host runs credit or credit2 (not '$sched')" false; return ;;
    esac
    if [ "${cpus:-1}" -lt 2 ]; then
        note "xo_sched: the host has one CPU: every vCPU is pinned to CPU 0"
        c1=0
    fi
    printf '{"id": "sc", "name": "sc", "memory_mib": 128, "vcpus": 2,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "console=hvc0 loglevel=4",
      "weight": 512, "cap": 150, "affinity": ["%s", "%s"], "soft_affinity": ["%s", "%s"]}\n' \
        "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" "$c1" "$c0" "$c1" "$c0" >/tmp/sc.json
    check "xenopsctl vm add sc (weight 512, cap 150, vCPU 0 on CPU $c1, vCPU 1 on CPU $c0)" \
        xoctl vm add /tmp/sc.json || return
    xo_boot sc || { xo_cleanup_vm sc; return; }
    # At start, from the configuration.
    check "xl sched-$sched: weight 512, cap 150 from the configuration" sched_is "$sched" sc "512 150"
    check "xl vcpu-list: vCPU 0 hard $c1, soft $c1" affinity_is sc 0 "$c1 / $c1"
    check "xl vcpu-list: vCPU 1 hard $c0, soft $c0" affinity_is sc 1 "$c0 / $c0"
    check "VM.stat reads back $sched, 512, 150 and the affinity" xo_stat_has sc \
        "\"sched\":{\"scheduler\":\"$sched\",\"weight\":512,\"cap\":150,\"affinity\":[\"$c1\",\"$c0\"],\"soft_affinity\":[\"$c1\",\"$c0\"]}"
    # Live.
    check "xenopsctl vm set-scheduler sc --weight 128 --cap 0 --affinity $c0 --soft-affinity all" \
        xoctl vm set-scheduler sc --weight 128 --cap 0 --affinity "$c0" --soft-affinity all
    check "xl sched-$sched: weight 128, no cap" sched_is "$sched" sc "128 0"
    check "xl vcpu-list: vCPU 0 hard $c0, soft all" affinity_is sc 0 "$c0 / all"
    check "xl vcpu-list: vCPU 1 hard $c0, soft all" affinity_is sc 1 "$c0 / all"
    check "VM.stats reads back 128 and 0" sh -c "xenopsctl --socket $XO_SOCK stats sc --json | grep -qF '\"weight\":128,\"cap\":0'"
    check "the stored configuration has the new values" \
        sh -c "xenopsctl --socket $XO_SOCK --json vm get-config sc | grep -qF '\"weight\":128,\"cap\":0,\"affinity\":\"$c0\",\"soft_affinity\":\"all\"'"
    # A CPU the host lacks: refused naming the field, nothing changed.
    out=$(xoctl vm set-scheduler sc --weight 999 --affinity "$cpus" 2>&1)
    echo "$out"
    check "a CPU the host lacks is refused naming affinity" grep -q "affinity: CPU $cpus is not on this host" <<<"$out"
    check "... and the weight stays 128" sched_is "$sched" sc "128 0"
    check "... and vCPU 1 stays on CPU $c0" affinity_is sc 1 "$c0 / all"
    # Per vCPU, live.
    check "xenopsctl vm set-scheduler sc --affinity '$c1;$c0' --cap 50" \
        xoctl vm set-scheduler sc --affinity "$c1;$c0" --cap 50
    check "xl sched-$sched: cap 50" sched_is "$sched" sc "128 50"
    check "xl vcpu-list: vCPU 0 hard $c1" affinity_is sc 0 "$c1 / all"
    check "xl vcpu-list: vCPU 1 hard $c0" affinity_is sc 1 "$c0 / all"
    check "xenopsctl vm destroy sc" xoctl vm destroy sc
    check "sc is gone" wait_gone sc 60
    xo_cleanup_vm sc
    assert_no_leftovers "after the scheduler guest"
}

section_xo_sched_stop() {
    [ -n "$SCHED_OWN_DAEMON" ] || return 0
    check "xenopsd stops on SIGTERM" xo_daemon_stop
    tail -n 30 "$XO_LOG"
}

# shellcheck disable=SC2034  # used by suite.sh, which sources this file
SCHED_SECTIONS=(xo_sched xo_sched_stop)
