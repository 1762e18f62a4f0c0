# shellcheck shell=bash
# tests/xen/xenops.sh - the project's own sections of the Xen suite: real PV
# guests driven through xenopsd and xenopsctl on the xen backend, with xl
# and xenstore-ls as independent witnesses. Sourced by suite.sh after
# lib.sh; each section_xo_* is listed in XO_SECTIONS.

XO_SOCK=/run/xenopsd.sock
XO_STATE=/var/lib/xenops
XO_LOG=/var/log/xenopsd.log
XO_PID=

xoctl() { timeout "$XENTB_CMD_TIMEOUT" xenopsctl --socket "$XO_SOCK" "$@"; }

# xo_unit_cmd UNIT: the command line of UNIT's ExecStart=, as systemd would
# run it: its Environment= settings, then its EnvironmentFile= (optional
# with a leading "-"), and $NAME words split at blanks. Prints one word a line.
xo_unit_cmd() {
    (
        local line val
        while IFS= read -r line; do
            case $line in
                Environment=*) eval "export ${line#Environment=}" ;;
                EnvironmentFile=*)
                    val=${line#EnvironmentFile=}
                    # shellcheck disable=SC1090  # the unit names it
                    if [ "${val#-}" != "$val" ]; then
                        [ ! -f "${val#-}" ] || . "${val#-}"
                    else
                        . "$val" || exit 1
                    fi ;;
            esac
        done <"$1"
        val=$(sed -n 's/^ExecStart=//p' "$1")
        [ -n "$val" ] || exit 1
        # shellcheck disable=SC2086  # split as systemd splits $NAME
        eval "set -- $val"
        printf '%s\n' "$@"
    )
}

# xo_system_group NAME: what the postinst's "addgroup --system" does (dom0
# has neither adduser nor busybox's addgroup): the highest free gid < 1000.
xo_system_group() {
    local gid=999
    while cut -d: -f3 /etc/group | grep -qx "$gid"; do gid=$((gid - 1)); done
    echo "$1:x:$gid:" >>/etc/group
}

xo_daemon_start() {
    local cmd=()
    if [ -n "${XENTB_UNIT:-}" ]; then
        # run.sh --debs: the packaged daemon, started with its unit's command
        # line. What the postinst and systemd would have done first: the
        # group of --group, the state directory (StateDirectory=).
        mapfile -t cmd < <(xo_unit_cmd "$XENTB_UNIT")
        [ ${#cmd[@]} -gt 0 ] || { echo "no ExecStart= in $XENTB_UNIT"; return 1; }
        grep -q '^xenops:' /etc/group || xo_system_group xenops
        mkdir -p "$XO_STATE" && chmod 0700 "$XO_STATE"
    else
        cmd=(xenopsd --socket "$XO_SOCK" --state-dir "$XO_STATE" --backend xen)
    fi
    # --debug-methods: xo_crash sets fault.crash_point through xenopsctl.
    [ -n "${XO_CMD_SHOWN:-}" ] || echo "starting: ${cmd[*]} --log-level info --debug-methods"
    XO_CMD_SHOWN=1
    # XO_DAEMON_ARGS: more options (the two-host sections' migration ones).
    "${cmd[@]}" --log-level info --debug-methods ${XO_DAEMON_ARGS[@]+"${XO_DAEMON_ARGS[@]}"} >>"$XO_LOG" 2>&1 &
    XO_PID=$!
    wait_for 30 xoctl query >/dev/null
}

xo_daemon_stop() {
    [ -n "$XO_PID" ] || return 0
    kill "$XO_PID" 2>/dev/null
    wait "$XO_PID" 2>/dev/null
    XO_PID=
}

# The power state of a VM as xenopsd reports it.
xo_power() { xoctl --json vm stat "$1" 2>/dev/null | sed -n 's/.*"power_state":"\([A-Za-z]*\)".*/\1/p'; }
xo_power_is() { [ "$(xo_power "$1")" = "$2" ]; }
xo_domid() { xoctl --json vm stat "$1" 2>/dev/null | sed -n 's/.*"domid":\(-*[0-9]*\).*/\1/p'; }

# xo_define NAME [EXTRA_JSON_FIELDS]: a VM of the testbed's guest kernel, PV
# unless XO_TYPE names another type.
xo_define() {
    local extra=${2:+, $2}
    printf '{"id": "%s", "name": "%s", "type": "%s", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "console=hvc0 loglevel=4%s"%s}\n' \
        "$1" "$1" "${XO_TYPE:-pv}" "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" \
        "${XO_CMDLINE_EXTRA:-}" "$extra" >"/tmp/$1.json"
    check "xenopsctl vm add $1" xoctl vm add "/tmp/$1.json"
}

# xo_boot NAME: start through xenopsd and wait for the guest's marker. The
# console log of a name is appended across boots: wait for one more marker.
xo_boot() {
    local t n
    n=$(console_count "$1" "$UP")
    t=$(now)
    check "xenopsctl vm start $1" xoctl vm start "$1" || return 1
    timing "vm start $1: API call -> domain running" "$t"
    check "$1 boots ($UP on its console)" \
        wait_console_count "$1" "$UP" $((n + 1)) "$BOOT_SECS" || return 1
    timing "vm start $1: API call -> $UP" "$t"
}

# xs_perms_are PATH PERMS: xenstore-ls -p shows PERMS (e.g. n0,r3) for PATH.
xs_perms_are() {
    local got
    got=$(xenstore-ls -p "${1%/*}" 2>/dev/null | sed -n "s/^${1##*/} = .*(\([^()]*\))\$/\1/p")
    echo "permissions of $1: '$got', want '$2'"
    [ "$got" = "$2" ]
}

xo_cleanup_vm() {
    xoctl vm destroy "$1" >/dev/null 2>&1
    xoctl vm remove "$1" >/dev/null 2>&1
}

# --- sections --------------------------------------------------------------

section_xo_daemon() {
    mkdir -p "$XO_STATE" /run
    check "xenopsd starts on the xen backend" xo_daemon_start || return
    check "Query reports backend xen" sh -c "xenopsctl --socket $XO_SOCK query | grep -q 'backend: xen'"
    check "HOST.stat reports Xen 4.17" sh -c "xenopsctl --socket $XO_SOCK --json host | grep -q '\"hypervisor\":\"xen-4.17'"
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
}

section_xo_lifecycle() {
    local t d
    xo_define xo1 || return
    dd if=/dev/zero of=/tmp/xo1-disk.img bs=1M count=8 2>/dev/null
    check "vbd add xvdb" xoctl vbd add xo1 --device xvdb --backend file:/tmp/xo1-disk.img
    check "vif add on xenbr0" xoctl vif add xo1 --bridge xenbr0 --mac 00:16:3e:00:10:01
    xo_boot xo1 || { xo_cleanup_vm xo1; return; }
    d=$(xo_domid xo1)
    check "xl list shows xo1 as domain $d" sh -c "xl list | awk '\$1 == \"xo1\" && \$2 == \"$d\"' | grep -q ."
    check "guest got its disk at boot" wait_console xo1 'XENTB-GUEST-BLOCK-ADDED xvdb sectors=16384' 60
    check "guest got its NIC at boot" wait_console xo1 'XENTB-GUEST-NET-ADDED eth0 mac=00:16:3e:00:10:01' 60
    check "vif$d.0 is on xenbr0" test -e "/sys/class/net/xenbr0/brif/vif$d.0"
    # Read-only keys inherit their directory's permissions; guest-owned ones are set.
    check "xenstore: name is dom0's, guest reads" xs_perms_are "/local/domain/$d/name" "n0,r$d"
    check "xenstore: memory/target is dom0's, guest reads" \
        xs_perms_are "/local/domain/$d/memory/target" "n0,r$d"
    check "xenstore: console/ring-ref is dom0's, guest reads" \
        xs_perms_are "/local/domain/$d/console/ring-ref" "n0,r$d"
    check "xenstore: control/shutdown is the guest's" \
        xs_perms_are "/local/domain/$d/control/shutdown" "n$d"
    check "xenstore: data is the guest's" xs_perms_are "/local/domain/$d/data" "n$d"
    check "xenstore: its /vm entry is dom0's, guest reads" \
        xs_perms_are "$(xenstore-read "/local/domain/$d/vm")/name" "n0,r$d"

    check "vm pause" xoctl vm pause xo1
    check "xl shows xo1 paused" has_flag xo1 p
    check "xenopsd says Paused" xo_power_is xo1 Paused
    check "vm unpause" xoctl vm unpause xo1
    check "xl shows xo1 running again" _xentb_not has_flag xo1 p

    dd if=/dev/zero of=/tmp/xo1-hot.img bs=1M count=4 2>/dev/null
    check "vbd add xvdc" xoctl vbd add xo1 --device xvdc --backend file:/tmp/xo1-hot.img
    t=$(now)
    check "vbd plug xvdc (hot-plug)" xoctl vbd plug xo1 xvdc
    check "guest sees xvdc" wait_console xo1 'XENTB-GUEST-BLOCK-ADDED xvdc sectors=8192' 60 &&
        timing "vbd plug -> guest sees xvdc" "$t"
    check "vbd unplug xvdc" xoctl vbd unplug xo1 xvdc
    check "guest loses xvdc" wait_console xo1 'XENTB-GUEST-DEV-REMOVED xvdc' 60
    check "vif add 1" xoctl vif add xo1 --bridge xenbr0 --mac 00:16:3e:00:10:02
    t=$(now)
    check "vif plug 1 (hot-plug)" xoctl vif plug xo1 1
    check "guest sees eth1" wait_console xo1 'XENTB-GUEST-NET-ADDED eth1 mac=00:16:3e:00:10:02' 60 &&
        timing "vif plug -> guest sees eth1" "$t"
    check "vif unplug 1" xoctl vif unplug xo1 1
    check "guest loses eth1" wait_console xo1 'XENTB-GUEST-DEV-REMOVED eth1' 60

    rm -f /tmp/xo1.save
    t=$(now)
    check "vm suspend to a file" xoctl vm suspend xo1 /tmp/xo1.save && timing "vm suspend" "$t"
    check "xenopsd says Suspended" xo_power_is xo1 Suspended
    check "no domain while suspended" _xentb_not xl domid xo1
    check "the image exists" test -s /tmp/xo1.save
    check "the stream's bytes as logged are the image's size" xo_stream_bytes_near /tmp/xo1.save
    # A cut image: the resume fails saying so (not libxc's "Success"), builds
    # nothing that stays, and the VM keeps its suspended state for the whole
    # image.
    local half ndom
    head -c $(($(stat -c %s /tmp/xo1.save) / 2)) /tmp/xo1.save >/tmp/xo1-half.save
    ndom=$(xl list | wc -l)
    # shellcheck disable=SC2034 # read by text_has, by name
    half=$(xoctl vm resume xo1 /tmp/xo1-half.save 2>&1)
    check "vm resume from half an image fails: the stream ended" \
        text_has half 'ended before the domain was complete'
    rm -f /tmp/xo1-half.save
    check "no domain left by the cut resume" test "$(xl list | wc -l)" = "$ndom"
    check "xenopsd still says Suspended" xo_power_is xo1 Suspended
    t=$(now)
    check "vm resume from the file" xoctl vm resume xo1 /tmp/xo1.save && timing "vm resume" "$t"
    # dom0's /tmp is its RAM: the image (the guest's memory) must not stay there
    # for the sections after this one to suspend their guests beside it
    rm -f /tmp/xo1.save
    check "xl shows xo1 again" xl domid xo1
    check "xenopsd says Running" xo_power_is xo1 Running
    # The resumed guest is alive: it takes a new disk.
    check "vbd plug xvdc after resume" xoctl vbd plug xo1 xvdc
    check "resumed guest sees xvdc" wait_console_count xo1 'XENTB-GUEST-BLOCK-ADDED xvdc' 2 60

    t=$(now)
    check "vm shutdown (clean)" xoctl vm shutdown xo1 --timeout 60 && timing "vm shutdown" "$t"
    check "guest ran its shutdown" wait_console xo1 'XENTB-GUEST-SHUTDOWN reason=poweroff' 10
    check "xenopsd says Halted" xo_power_is xo1 Halted
    check "xo1 is gone (xl)" wait_gone xo1 30
    assert_no_leftovers "after xenopsd lifecycle"
    check "vm remove" xoctl vm remove xo1
}

section_xo_forced() {
    xo_define xo2 || return
    xo_boot xo2 || { xo_cleanup_vm xo2; return; }
    check "vm shutdown --force" xoctl vm shutdown xo2 --force
    check "xo2 is gone (xl)" wait_gone xo2 30
    check "xenopsd says Halted" xo_power_is xo2 Halted
    assert_no_leftovers "after forced shutdown"
    xo_boot xo2 || { xo_cleanup_vm xo2; return; }
    check "vm destroy" xoctl vm destroy xo2
    check "xo2 is gone after destroy (xl)" wait_gone xo2 30
    assert_no_leftovers "after destroy"
    xo_cleanup_vm xo2
}

section_xo_reboot() {
    local d1 d2 t
    xo_define xo3 || return
    xo_boot xo3 || { xo_cleanup_vm xo3; return; }
    d1=$(xo_domid xo3)
    t=$(now)
    check "vm reboot (clean)" xoctl vm reboot xo3 --timeout 60
    check "xo3 boots again" wait_console_count xo3 "$UP" 2 "$BOOT_SECS" && timing "vm reboot -> $UP" "$t"
    d2=$(xo_domid xo3)
    check "xo3 has a new domid ($d1 -> $d2)" new_domid "$d1" "$d2"
    check "old domain $d1 is gone" wait_domid_gone "$d1" 30
    check "vm destroy" xoctl vm destroy xo3
    assert_no_leftovers "after reboot"
    xo_cleanup_vm xo3
}

# The guest powers off / reboots / crashes by itself; xenopsd notices
# through @releaseDomain and follows on_shutdown / on_reboot / on_crash.
# The guest's own poweroff, reboot and crash; the VMs are XO_GA4..6 (default
# xo4..6) of type XO_TYPE (default PV).
section_xo_guest_actions() {
    local d1 p=${XO_GA:-xo}
    XO_CMDLINE_EXTRA=" xentb.action=poweroff-after=2" xo_define "${p}4" || return
    xo_boot "${p}4" || { xo_cleanup_vm "${p}4"; return; }
    check "guest powers itself off" wait_console "${p}4" 'XENTB-GUEST-ACTION poweroff' 30
    check "xenopsd notices: Halted" wait_for 60 xo_power_is "${p}4" Halted
    check "${p}4 is gone (xl)" wait_gone "${p}4" 30
    assert_no_leftovers "after guest poweroff"
    xo_cleanup_vm "${p}4"

    XO_CMDLINE_EXTRA=" xentb.action=reboot-after=2" xo_define "${p}5" '"on_reboot": "restart"' || return
    xo_boot "${p}5" || { xo_cleanup_vm "${p}5"; return; }
    d1=$(xo_domid "${p}5")
    check "guest reboots itself" wait_console "${p}5" 'XENTB-GUEST-ACTION reboot' 30
    check "${p}5 comes back (second boot)" wait_console_count "${p}5" "$UP" 2 "$BOOT_SECS"
    check "${p}5 has a new domid" wait_for 30 sh -c "[ \"\$(xenopsctl --socket $XO_SOCK --json vm stat ${p}5 | sed -n 's/.*\"domid\":\\(-*[0-9]*\\).*/\\1/p')\" != $d1 ]"
    check "vm destroy" xoctl vm destroy "${p}5"
    assert_no_leftovers "after guest reboot"
    xo_cleanup_vm "${p}5"

    XO_CMDLINE_EXTRA=" xentb.action=crash-after=2" xo_define "${p}6" '"on_crash": "destroy"' || return
    xo_boot "${p}6" || { xo_cleanup_vm "${p}6"; return; }
    check "guest crashes" wait_console "${p}6" 'XENTB-GUEST-ACTION crash' 30
    check "xenopsd notices: Halted" wait_for 60 xo_power_is "${p}6" Halted
    check "last shutdown reason is crash" sh -c "xenopsctl --socket $XO_SOCK --json vm stat ${p}6 | grep -q '\"last_shutdown_reason\":\"crash\"'"
    assert_no_leftovers "after guest crash"
    xo_cleanup_vm "${p}6"
}

section_xo_concurrent() {
    local i t tasks=()
    for i in 1 2 3 4 5; do xo_define "xc$i" >/dev/null || return; done
    t=$(now)
    for i in 1 2 3 4 5; do
        tasks+=("$(xoctl --no-wait vm start "xc$i")")
    done
    for i in "${!tasks[@]}"; do
        check "start of xc$((i + 1)) completes" xoctl task wait "${tasks[$i]}"
    done
    timing "5 concurrent starts -> all running" "$t"
    for i in 1 2 3 4 5; do
        check "xc$i boots" wait_console "xc$i" "$UP" "$BOOT_SECS"
    done
    # shellcheck disable=SC2016  # expanded by the inner shell
    check "xl lists 5 guests" sh -c '[ "$(xl list | awk "NR > 2" | wc -l)" = 5 ]'
    for i in 1 2 3 4 5; do xoctl --no-wait vm shutdown "xc$i" --force >/dev/null; done
    check "all 5 are gone" wait_for 60 _xentb_no_guests
    for i in 1 2 3 4 5; do wait_for 10 xo_power_is "xc$i" Halted; xo_cleanup_vm "xc$i"; done
    assert_no_leftovers "after 5 concurrent guests"
}

# xenopsd killed with SIGKILL in the middle of a start, then restarted: the
# VM ends running and intact, or halted, with no orphan domain.
section_xo_kill9() {
    local st
    xo_define xk || return
    xoctl --no-wait vm start xk >/dev/null
    sleep 2
    kill -9 "$XO_PID"
    wait "$XO_PID" 2>/dev/null
    XO_PID=
    check "xenopsd restarts after kill -9" xo_daemon_start || return
    st=$(xo_power xk)
    note "after kill -9 mid-start the VM is $st"
    case $st in
        Running) check "its domain is there (xl)" xl domid xk
                 check "and boots" wait_console xk "$UP" "$BOOT_SECS" ;;
        Halted) check "no orphan domain (xl)" _xentb_not xl domid xk ;;
        *) fail "VM in state '$st' after recovery" ;;
    esac
    check "vm destroy" xoctl vm destroy xk
    assert_no_leftovers "after kill -9 and recovery"
    xo_cleanup_vm xk
}

# dom0's event channels in use (-1 without lsevtchn).
xo_evtchns() {
    [ -x /usr/lib/xen-4.17/bin/lsevtchn ] || { echo -1; return; }
    /usr/lib/xen-4.17/bin/lsevtchn 0 2>/dev/null | grep -vci 'not in use'
}
xo_evtchns_are() { [ "$(xo_evtchns)" = "$1" ]; }

# xo_crash_restart N: if xenopsd died (crash point N), restart it; 0 if it died.
xo_crash_died() {
    wait_for 10 _xentb_not kill -0 "$XO_PID" || return 1
    wait "$XO_PID" 2>/dev/null
    XO_PID=
    xo_daemon_start || { fail "xenopsd restarts after crash point $1"; return 2; }
    return 0
}

# xo_crash_after NAME WHAT N STATES BASE_EVTCHN: after the restart the VM is
# in one of STATES (Running with its domain, or with no domain at all), and
# once it is destroyed nothing is left: no domain (marked or not), xenstore
# node, vif, loop device on its disk, or dom0 event channel.
xo_crash_after() {
    local name=$1 what=$2 n=$3 states=$4 ev=$5 st
    st=$(xo_power "$name")
    case " $states " in
        *" $st "*) ;;
        *) fail "$what crash point $n: VM in state '$st' after recovery (allowed: $states)" ;;
    esac
    case $st in
        Running) check "$what crash point $n: Running, its domain is there" xl domid "$name" ;;
        *) check "$what crash point $n: $st, no domain" _xentb_not xl domid "$name"
           check "$what crash point $n: $st, nothing left before any destroy" leftovers ;;
    esac
    # A suspended VM keeps its image for the next resume: it has no domain.
    [ "$st" != Suspended ] || return 0
    xoctl vm destroy "$name" >/dev/null 2>&1
    check "$what crash point $n: nothing left after destroy" leftovers
    check "$what crash point $n: no loop device left on the disk image" \
        _xentb_not sh -c "losetup -a | grep -q $name-disk"
    [ "$ev" -lt 0 ] || check "$what crash point $n: dom0 event channels back to $ev" \
        wait_for 10 xo_evtchns_are "$ev"
}

# The daemon dies (exit 99, no clean-up, as kill -9) at crash point N of a
# start with a disk and a NIC, for N = 1, 2, ... until the start gets
# through. The points are the cancel points between atoms and in waits, and
# the test-build points inside the create, build and device-plug atoms
# (between the hypervisor and xenstore calls, e.g. right after
# xc_domain_create, before the domain's first xenstore write). After a
# restart every VM must be Running with its domain, or Halted with nothing
# left behind, and destroy must leave nothing.
section_xo_crash() {
    local n points=0 ev handle end step=${XO_CRASH_STEP:-1} tried=
    # XO_CRASH_SECS (optional): a limit for the whole sweep, which fails when
    # it is reached rather than running on to the testbed's timeout.
    # XO_CRASH_STEP (optional, default 1): try every STEP-th point only (1,
    # 1 + STEP, 1 + 2 STEP, ...), until the start runs through.
    end=$(($(_xentb_cs) + ${XO_CRASH_SECS:-0} * 100))
    xo_define xc || return
    dd if=/dev/zero of=/tmp/xc-disk.img bs=1M count=4 2>/dev/null
    xoctl vbd add xc --device xvdb --backend file:/tmp/xc-disk.img >/dev/null
    xoctl vif add xc --bridge xenbr0 --mac 00:16:3e:00:30:01 >/dev/null
    ev=$(xo_evtchns)
    for ((n = 1; n <= 80; n += step)); do
        if [ "${XO_CRASH_SECS:-0}" -gt 0 ] && [ "$(_xentb_cs)" -ge "$end" ]; then
            fail "the start crash sweep did not finish within ${XO_CRASH_SECS}s (at point $n)"
            break
        fi
        tried+=" $n"
        xoctl debug set fault.crash_point "$n" >/dev/null || { fail "debug set fault.crash_point $n"; break; }
        xoctl vm start xc >/dev/null 2>&1
        xo_crash_died "$n"
        case $? in
            2) return ;;
            1) points=$((n - 1))
               check "the start with crash point $n (past the last) ran through" xo_power_is xc Running
               xoctl debug set fault.crash_point 0 >/dev/null
               # The handle is derived from the id "xc" (RFC 4122 v5, docs/xen.md).
               handle=$(xl list -v 2>/dev/null | awk '$1 == "xc" { print $7 }')
               check "the domain's handle is the name-based UUID of its VM id ($handle)" \
                   test "$handle" = 13254bcf-05a7-52c8-881b-af8922315a6d
               xoctl vm destroy xc >/dev/null
               break ;;
        esac
        xo_crash_after xc start "$n" "Running Halted" "$ev"
    done
    check "the sweep found crash points in a start ($points)" test "$points" -gt 0
    [ "$step" = 1 ] || note "crash points tried (step $step):$tried"
    # Which points were inside atoms shows in the log: one line per restart.
    xo_cleanup_vm xc
}

# The same sweep over a suspend and then a resume of a running guest with a
# disk and a NIC: crash points in the save atom (after the header, after
# the guest's memory was written) and in the restore (before and after the
# stream, and inside the create it starts with). After each restart the VM
# is Running, Suspended (its image complete) or Halted, and nothing leaks.
section_xo_crash_save() {
    local n points=0 ev st img=/tmp/xs.save keep=/tmp/xs.save.keep
    xo_define xs || return
    dd if=/dev/zero of=/tmp/xs-disk.img bs=1M count=4 2>/dev/null
    xoctl vbd add xs --device xvdb --backend file:/tmp/xs-disk.img >/dev/null
    xoctl vif add xs --bridge xenbr0 --mac 00:16:3e:00:30:02 >/dev/null
    ev=$(xo_evtchns)
    for ((n = 1; n <= 30; n++)); do
        xo_boot xs >/dev/null || break
        rm -f "$img"
        xoctl debug set fault.crash_point "$n" >/dev/null || { fail "debug set fault.crash_point $n"; break; }
        xoctl vm suspend xs "$img" >/dev/null 2>&1
        xo_crash_died "$n"
        case $? in
            2) return ;;
            1) points=$((n - 1))
               xoctl debug set fault.crash_point 0 >/dev/null
               check "the suspend with crash point $n (past the last) ran through" xo_power_is xs Suspended
               break ;;
        esac
        xo_crash_after xs suspend "$n" "Running Suspended Halted" "$ev"
        st=$(xo_power xs)
        [ "$st" != Suspended ] || xoctl vm destroy xs >/dev/null 2>&1
    done
    check "the sweep found crash points in a suspend ($points)" test "$points" -gt 0
    xo_power_is xs Suspended || { xo_cleanup_vm xs; return; }
    cp "$img" "$keep"
    points=0
    for ((n = 1; n <= 30; n++)); do
        xo_power_is xs Suspended || { fail "resume crash point $n: VM not Suspended before the resume"; break; }
        xoctl debug set fault.crash_point "$n" >/dev/null || { fail "debug set fault.crash_point $n"; break; }
        xoctl vm resume xs "$img" >/dev/null 2>&1
        xo_crash_died "$n"
        case $? in
            2) return ;;
            1) points=$((n - 1))
               xoctl debug set fault.crash_point 0 >/dev/null
               check "the resume with crash point $n (past the last) ran through" xo_power_is xs Running
               xoctl vm destroy xs >/dev/null 2>&1
               break ;;
        esac
        xo_crash_after xs resume "$n" "Running Suspended Halted" "$ev"
        # Back to Suspended (the image as it was) for the next point.
        [ -e "$img" ] || cp "$keep" "$img"
        xo_power_is xs Suspended || {
            xoctl vm destroy xs >/dev/null 2>&1
            xo_boot xs >/dev/null && rm -f "$img" && xoctl vm suspend xs "$img" >/dev/null 2>&1
            cp "$img" "$keep" 2>/dev/null
        }
    done
    check "the sweep found crash points in a resume ($points)" test "$points" -gt 0
    rm -f "$img" "$keep" /tmp/xs-disk.img
    xo_cleanup_vm xs
    assert_no_leftovers "after the suspend and resume crash sweeps"
}

# xo_counter KEY...: backend counters from one HOST.stat, a line each.
xo_counter() {
    local host k
    host=$(xoctl --json host)
    for k; do sed -n "s/.*\"$k\":\([0-9]*\).*/\1/p" <<<"$host"; done
}
xo_kcache_entries() { find "$XO_STATE/backend/xen/kernels" -name '*.elf' | wc -l; }
xo_is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# The decompressed-kernel cache: used, rebuilt when damaged, keyed by file.
section_xo_kcache() {
    local f hits stores
    check "one cached kernel after the earlier starts" test "$(xo_kcache_entries)" = 1
    f=$(find "$XO_STATE/backend/xen/kernels" -name '*.elf' | head -n 1)
    check "the entry is an ELF image" xo_is_elf "$f"
    check "starts used it (kernel_cache_hits > 0)" test "$(xo_counter kernel_cache_hits)" -gt 0
    # Damage it behind the header check: same size, ELF magic kept, the rest of
    # the ELF header and the program headers zeroed.
    dd if=/dev/zero of="$f" bs=1 seek=4 count=4092 conv=notrunc 2>/dev/null
    hits=$(xo_counter kernel_cache_hits)
    stores=$(xo_counter kernel_cache_stores)
    xo_define xkc || return
    xo_boot xkc || { xo_cleanup_vm xkc; return; }
    check "the damaged entry was dropped (log)" grep -q "did not load" "$XO_LOG"
    check "and written again" test "$(xo_counter kernel_cache_stores)" = $((stores + 1))
    check "the new entry is whole" xo_is_elf "$f"
    check "no hit counted for the damaged entry" test "$(xo_counter kernel_cache_hits)" = "$hits"
    xoctl vm destroy xkc >/dev/null
    # Another kernel file (same content, other inode): its own entry. Three
    # old stand-in entries first: the cache then holds 5 and keeps 4, the
    # least recently used (the oldest stand-in) going.
    local k=$XO_STATE/backend/xen/kernels
    printf 'x' >"$k/00000000000000a1-1.elf"; touch -d @1000 "$k/00000000000000a1-1.elf"
    printf 'x' >"$k/00000000000000a2-1.elf"; touch -d @2000 "$k/00000000000000a2-1.elf"
    printf 'x' >"$k/00000000000000a3-1.elf"; touch -d @3000 "$k/00000000000000a3-1.elf"
    cp "$XENTB_GUEST_KERNEL" /tmp/vmlinuz-copy
    xoctl vm remove xkc >/dev/null
    XENTB_GUEST_KERNEL=/tmp/vmlinuz-copy xo_define xkc || return
    check "start with a copy of the kernel" xoctl vm start xkc
    check "an entry for the copy, 4 kept" test "$(xo_kcache_entries)" = 4
    check "the least recently used went" test ! -e "$k/00000000000000a1-1.elf"
    check "the others stayed" test -e "$k/00000000000000a2-1.elf" -a -e "$f"
    xo_cleanup_vm xkc
    rm -f /tmp/vmlinuz-copy
    assert_no_leftovers "after the kernel cache section"
}

# --- hardening: hostile guest, xl behind our back, soak -------------------

xo_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$XO_PID/status" 2>/dev/null; }
xo_nfds() { find "/proc/$XO_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
xo_alive() { [ -n "$XO_PID" ] && kill -0 "$XO_PID" 2>/dev/null; }
# xo_stat_latency VM N: N VM.stat calls through xenopsctl (process start
# included); prints "MEDIAN MAX" in ms, status 1 if a call failed.
xo_stat_latency() {
    local i t0 t1 rc=0 ms=()
    for ((i = 0; i < $2; i++)); do
        t0=${EPOCHREALTIME/./}
        xoctl vm stat "$1" >/dev/null || rc=1
        t1=${EPOCHREALTIME/./}
        ms+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${ms[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)], a[NR] }'
    return "$rc"
}
# No byte of the guest's ("HOSTILE") and no control character in a file.
xo_clean_output() {
    if grep -aq HOSTILE "$1"; then echo "guest data in $1:"; grep -a HOSTILE "$1" | head -c 600; return 1; fi
    if LC_ALL=C grep -aq '[[:cntrl:]]' "$1"; then echo "control characters in $1"; return 1; fi
    return 0
}
xo_loops_on() { losetup -a 2>/dev/null | grep -c "$1"; }

# A guest that abuses its own xenstore area (tests/xen/xs_hostile.c, in its
# initrd) while another VM is served: xenopsd's latency for the other VM,
# its memory and descriptors, what it reports of the guest, and a forced
# shutdown and destroy of the hostile VM that leave nothing behind.
section_xo_hostile() {
    local exe=/usr/local/libexec/xenops/tests/xs_hostile d pid rss0 rss1 rss2 fds0 fds2 base during
    local nodes out=/tmp/xh-out line
    if [ ! -x "$exe" ]; then
        fail "xs_hostile was not built (the build host has no static C library)"
        return
    fi
    rm -rf /tmp/hostile && mkdir -p /tmp/hostile
    cp "$exe" /tmp/hostile/xs_hostile
    # It waits for data/go, so that the baseline is measured before it starts.
    cat >/tmp/hostile/guest-payload.sh <<'EOS'
#!/bin/sh
/xs_hostile 40 go
EOS
    chmod +x /tmp/hostile/guest-payload.sh
    guest_initrd_with /tmp/hostile /tmp/hostile-initrd.gz
    xo_define xq || return
    XENTB_GUEST_INITRD=/tmp/hostile-initrd.gz xo_define xh || return
    dd if=/dev/zero of=/tmp/xh-disk.img bs=1M count=4 2>/dev/null
    xoctl vbd add xh --device xvdb --backend file:/tmp/xh-disk.img >/dev/null
    xoctl vif add xh --bridge xenbr0 --mac 00:16:3e:00:40:01 >/dev/null
    xo_boot xq || { xo_cleanup_vm xq; xo_cleanup_vm xh; return; }
    xo_boot xh || { xo_cleanup_vm xq; xo_cleanup_vm xh; return; }
    d=$(xo_domid xh)
    pid=$XO_PID
    check "the hostile guest waits for its go" wait_console xh 'XENTB-HOSTILE-WAITING' 60
    sleep 2
    rss0=$(xo_rss_kb)
    fds0=$(xo_nfds)
    base=$(xo_stat_latency xq 15)
    xenstore-write "/local/domain/$d/data/go" 1
    check "the hostile guest starts" wait_console xh 'XENTB-HOSTILE-START' 30
    check "it got through garbage, oversized values, keys and frontend keys" \
        wait_console xh 'XENTB-HOSTILE-FLIPPING' 180
    for line in GARBAGE OVERSIZED KEYS FRONTEND; do
        note "guest: $(grep -a "XENTB-HOSTILE-$line" "$(console_log xh)" | tail -n 1 | tr -d '\r')"
    done
    nodes=$(xenstore-ls "/local/domain/$d" 2>/dev/null | wc -l)
    note "xenstore nodes under /local/domain/$d while it flips: $nodes"
    during=$(xo_stat_latency xq 15)
    rss1=$(xo_rss_kb)
    note "VM.stat of the other VM (xenopsctl round trip, median/max ms): before ${base% *}/${base#* }, during the flipping ${during% *}/${during#* }"
    check "VM.stat of another VM stays normal (median ${during% *} ms <= 3 x ${base% *} + 300)" \
        test "${during% *}" -le $((3 * ${base% *} + 300))
    # Absolute figures follow the host's load (TCG, shared cores): compare.
    check "and its slowest call too (max ${during#* } ms <= 3 x ${base#* } + 1000)" \
        test "${during#* }" -le $((3 * ${base#* } + 1000))
    check "the guest finished flipping" wait_console xh 'XENTB-HOSTILE-DONE' 120
    note "guest: $(grep -a 'XENTB-HOSTILE-FLIPS' "$(console_log xh)" | tail -n 1 | tr -d '\r')"
    check "xenopsd survived (same pid $pid)" xo_alive
    check "xenopsd was not restarted" test "$XO_PID" = "$pid"
    # Its own claims were refused: name and marker are dom0's.
    check "the guest could not rename itself" xs_is "/local/domain/$d/name" xh
    check "nor claim another VM (marker)" xs_is "/local/domain/$d/xenops/vm-id" xh
    # The guest's data/ and attr/ are reported as what it says of itself
    # (VM.stat's state.guest: untrusted, bounded, escaped), and nowhere else.
    : >"$out"
    { xoctl --json vm list; xoctl vm list
      xoctl --json vbd list xh; xoctl --json vif list xh; xoctl --json host; } >>"$out" 2>&1
    check "what xenopsd reports beside VM.stat's guest data holds none of it" xo_clean_output "$out"
    : >"$out.stat"
    { xoctl --json vm stat xh; xoctl vm stat xh; } >>"$out.stat" 2>&1
    check "VM.stat reports the guest's data escaped (no control characters)" \
        _xentb_not env LC_ALL=C grep -aq '[[:cntrl:]]' "$out.stat"
    check "its VM.stat is bounded ($(xoctl --json vm stat xh | wc -c) bytes)" \
        test "$(xoctl --json vm stat xh | wc -c)" -lt 8192
    check "nor does xenopsd's log" _xentb_not grep -aq HOSTILE "$XO_LOG"
    check "xenopsd says xh Running" xo_power_is xh Running
    check "and xq Running" xo_power_is xq Running
    # A clean shutdown may be refused by such a guest; it must end in bounded time.
    local t
    t=$(now)
    if timeout 90 xenopsctl --socket "$XO_SOCK" vm shutdown xh --timeout 20 >/tmp/xh-shut 2>&1; then
        note "clean shutdown of the hostile VM succeeded ($(elapsed "$t") s)"
    else
        note "clean shutdown of the hostile VM failed after $(elapsed "$t") s: $(head -c 200 /tmp/xh-shut)"
    fi
    check "the clean shutdown attempt ended within 60 s" test "$(elapsed "$t" | cut -d. -f1)" -lt 60
    xo_power_is xh Halted || check "forced shutdown of the hostile VM" xoctl vm shutdown xh --force
    check "xenopsd says xh Halted" xo_power_is xh Halted
    check "xh is gone (xl)" wait_gone xh 30
    check "no loop device left on its disk" wait_for 10 _xentb_not sh -c 'losetup -a | grep -q xh-disk'
    rss2=$(xo_rss_kb)
    fds2=$(xo_nfds)
    note "xenopsd RSS: ${rss0} KiB before, ${rss1} KiB during, ${rss2} KiB after; fds ${fds0} -> ${fds2}"
    check "xenopsd's RSS stayed bounded (+$((rss2 - rss0)) KiB <= 4096)" test $((rss2 - rss0)) -le 4096
    check "no descriptor leaked (${fds0} -> ${fds2})" test "$fds2" -le $((fds0 + 2))
    check "xq still answers" xoctl vm stat xq
    check "vm destroy xq" xoctl vm destroy xq
    assert_no_leftovers "after the hostile guest"
    check "vm remove xh" xoctl vm remove xh
    xo_cleanup_vm xq
}

# xo_events_start: "xenopsctl events" in the background, each line stamped
# with dom0's uptime, into $XO_EV_LOG.
xo_events_start() {
    XO_EV_LOG=/tmp/xo-events.log
    : >"$XO_EV_LOG"
    xenopsctl --socket "$XO_SOCK" events 2>/dev/null > >(
        while IFS= read -r l; do read -r u _ </proc/uptime; echo "$u $l"; done >>"$XO_EV_LOG") &
    XO_EV_PID=$!
    sleep 1
}
xo_events_stop() { kill "$XO_EV_PID" 2>/dev/null; wait "$XO_EV_PID" 2>/dev/null; }
# xo_event_since T REGEX: stamp of the first event line at or after T matching REGEX.
xo_event_since() { awk -v t="$1" -v re="$2" '$1 + 0 >= t + 0 && $0 ~ re { print $1; exit }' "$XO_EV_LOG"; }
_xo_has_event() { [ -n "$(xo_event_since "$1" "$2")" ]; }
# xo_lag T STAMP: STAMP - T in ms, 0 if negative.
xo_lag() { awk -v a="$1" -v b="$2" 'BEGIN { d = (b - a) * 1000; printf "%d\n", d < 0 ? 0 : d }'; }

# xo_noticed WHAT VM STATE: after an xl command that returned at $T1 (and
# began at $T0): an UPDATES event for VM within 1 s of its return, and the
# VM in STATE.
xo_noticed() {
    local st lag
    wait_for 5 _xo_has_event "$T0" "^[0-9.]+ vm $2 changed"
    st=$(xo_event_since "$T0" "^[0-9.]+ vm $2 changed")
    if [ -z "$st" ]; then
        fail "$1 noticed: no UPDATES event for $2 within 5 s"
        return 1
    fi
    lag=$(xo_lag "$T1" "$st")
    note "$1: UPDATES event ${lag} ms after xl returned ($(xo_lag "$T0" "$st") ms after it began)"
    check "$1 noticed within 1 s (${lag} ms)" test "$lag" -le 1000
    check "xenopsd says $2 $3" wait_for 2 xo_power_is "$2" "$3"
}

# xl acting on a libxenops VM behind xenopsd's back, and a domain of xl's own
# that xenopsd must neither list nor touch, across restarts.
section_xo_xl() {
    local d p0 r0 T0 T1 lo
    xo_define xx || return
    dd if=/dev/zero of=/tmp/xx-disk.img bs=1M count=4 2>/dev/null
    xoctl vbd add xx --device xvdb --backend file:/tmp/xx-disk.img >/dev/null
    xoctl vif add xx --bridge xenbr0 --mac 00:16:3e:00:50:01 >/dev/null
    xo_boot xx || { xo_cleanup_vm xx; return; }
    check "guest got its disk" wait_console xx 'XENTB-GUEST-BLOCK-ADDED xvdb' 60
    xo_events_start

    p0=$(xo_counter watch_periodic_changes)
    r0=$(xo_counter watch_rescans)
    T0=$(now); xlt pause xx; T1=$(now)
    check "xl shows xx paused" has_flag xx p
    xo_noticed "xl pause" xx Paused
    T0=$(now); xlt unpause xx; T1=$(now)
    xo_noticed "xl unpause" xx Running
    note "pause+unpause: watch_periodic_changes +$(($(xo_counter watch_periodic_changes) - p0)), watch_rescans +$(($(xo_counter watch_rescans) - r0)) (no xenstore event: seen by the 500 ms rescan)"
    check "pause/unpause were seen by the periodic rescan" \
        test "$(xo_counter watch_periodic_changes)" -ge $((p0 + 2))

    # libxl knows only the devices it made (under /libxl/<domid>).
    d=$(xo_domid xx)
    if xlt block-detach xx xvdb >/tmp/xx-bd 2>&1; then
        T1=$(now)
        note "xl block-detach of a libxenops disk succeeded"
        check "xenopsd reports xvdb unplugged within 2 s" \
            wait_for 2 sh -c "xenopsctl --socket $XO_SOCK --json vbd stat xx xvdb | grep -q '\"plugged\":false'"
    else
        note "xl block-detach refused: $(tr '\n' ' ' </tmp/xx-bd | head -c 200)"
        check "the disk is still connected (backend state 4)" \
            xs_is "/local/domain/0/backend/vbd/$d/51728/state" 4
        check "the guest kept it" _xentb_not wait_console xx 'XENTB-GUEST-DEV-REMOVED xvdb' 3
        check "xenopsd says plugged" sh -c "xenopsctl --socket $XO_SOCK --json vbd stat xx xvdb | grep -q '\"plugged\":true'"
    fi

    r0=$(xo_counter watch_release_domain_events)
    T0=$(now)
    check "xl shutdown xx" xlt shutdown xx
    check "xenopsd notices the guest's poweroff: Halted" wait_for 60 xo_power_is xx Halted
    note "xl shutdown -> Halted: $(elapsed "$T0") s (guest shutdown included); @releaseDomain events +$(($(xo_counter watch_release_domain_events) - r0))"
    check "xx is gone (xl)" wait_gone xx 30
    check "no loop device left (after xl shutdown)" wait_for 10 _xentb_not sh -c 'losetup -a | grep -q xx-disk'
    assert_no_leftovers "after xl shutdown of a libxenops VM"

    xo_boot xx || { xo_cleanup_vm xx; xo_events_stop; return; }
    d=$(xo_domid xx)
    r0=$(xo_counter watch_release_domain_events)
    T0=$(now); check "xl destroy xx" xlt destroy xx; T1=$(now)
    xo_noticed "xl destroy" xx Halted
    check "xl destroy was seen through @releaseDomain" \
        test "$(xo_counter watch_release_domain_events)" -gt "$r0"
    check "no loop device left (after xl destroy)" wait_for 10 _xentb_not sh -c 'losetup -a | grep -q xx-disk'
    check "backend entries of domain $d removed" \
        wait_for 10 _xentb_not sh -c "xenstore-ls /local/domain/0/backend 2>/dev/null | grep -q '^ *$d = '"
    assert_no_leftovers "after xl destroy of a libxenops VM"
    xo_events_stop
    xo_cleanup_vm xx

    # A domain of xl's own.
    boot xlonly "$(guest_cfg xlonly)" || return
    lo=$(domid_of xlonly)
    xo_xl_untouched "while xenopsd runs" "$lo"
    check "xl pause xlonly" xlt pause xlonly
    sleep 2
    check "xenopsd left it paused" has_flag xlonly p
    check "xl unpause xlonly" xlt unpause xlonly
    xo_daemon_stop
    check "xenopsd restarts (SIGTERM before)" xo_daemon_start
    xo_xl_untouched "after a restart" "$lo"
    kill -9 "$XO_PID"; wait "$XO_PID" 2>/dev/null; XO_PID=
    check "xenopsd restarts (SIGKILL before)" xo_daemon_start
    xo_xl_untouched "after a kill -9 and restart" "$lo"
    check "xl destroy xlonly" xlt destroy xlonly
    check "xlonly is gone" wait_gone xlonly 30
    assert_no_leftovers "after the xl-only domain"
}

# xo_xl_untouched WHEN DOMID: xl's own guest is listed by nobody in
# xenopsd and still runs untouched.
xo_xl_untouched() {
    check "xl domain: not in vm list ($1)" _xentb_not sh -c "xenopsctl --socket $XO_SOCK --json vm list | grep -q xlonly"
    check "xl domain: still domain $2, running ($1)" sh -c "[ \"\$(xl domid xlonly)\" = $2 ] && ! xl list xlonly | awk 'NR == 2 { exit !(\$5 ~ /[psd]/) }'"
    check "xl domain: xenstore intact ($1)" xs_is "/local/domain/$2/name" xlonly
    check "xl domain: no marker of ours ($1)" _xentb_not xenstore-read "/local/domain/$2/xenops/vm-id"
}

# dom0 figures: xenopsd RSS (KiB) and fds, free memory (MiB), loop devices,
# vif interfaces, xenstore nodes, event channels of dom0; dom0's own
# available memory is printed, not compared (its logs live in RAM).
xo_figures() {
    local ev=-1
    [ -x /usr/lib/xen-4.17/bin/lsevtchn ] &&
        ev=$(/usr/lib/xen-4.17/bin/lsevtchn 0 2>/dev/null | grep -vci 'not in use')
    echo "rss_kb=$(xo_rss_kb) fds=$(xo_nfds)" \
        "free_mib=$(xl info | awk '$1 == "free_memory" { print $3 }')" \
        "loops=$(losetup -a 2>/dev/null | wc -l)" \
        "vifs=$(find /sys/class/net -maxdepth 1 -name 'vif*' | wc -l)" \
        "xs_nodes=$(xenstore-ls -f / 2>/dev/null | wc -l) evtchns=$ev" \
        "irqs=$(grep -c xen-dyn /proc/interrupts)" \
        "dom0_avail_mib=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)"
}
xo_fig() { sed -n -E "s/^(.* )?$1=(-?[0-9]+).*/\2/p" <<<"$2"; }

# xo_stream_bytes_near FILE: the stream size xenopsd's xen backend logged
# for its last send ("about N bytes") is FILE's size within 2% + 64 KiB
# (what it leaves out: libxenguest's record headers and last records).
xo_stream_bytes_near() {
    local est size
    est=$(grep -a 'xen backend: sent domain' "$XO_LOG" | tail -n 1 | sed -n 's/.*about \([0-9]*\) bytes.*/\1/p')
    size=$(stat -c %s "$1")
    echo "logged about ${est:-none} bytes, $1 has $size"
    [ -n "$est" ] && [ $((est > size ? est - size : size - est)) -le $((size / 50 + 65536)) ]
}

# xo_soak_mark VAR REGEX: VAR[guest] = lines of its console matching REGEX now.
xo_soak_mark() {
    local -n xo_m=$1
    local g
    # shellcheck disable=SC2034,SC2004  # xo_m names the caller's associative array
    for g in s1 s2 s3; do xo_m[$g]=$(console_count "$g" "$2"); done
}

# xo_soak_step DESC CMD...: run CMD; on failure note it for the cycle's check.
xo_soak_step() {
    local desc=$1
    shift
    "$@" >/tmp/xo-soak-step 2>&1 && return 0
    XO_SOAK_ERR+="$desc: $(tail -n 2 /tmp/xo-soak-step | tr '\n' ' '); "
    return 1
}
# xo_soak_all DESC OP ARGS...: OP for s1 s2 s3 at once (--no-wait), then
# wait for the three tasks.
xo_soak_all() {
    local desc=$1 g tk=()
    shift
    for g in s1 s2 s3; do tk+=("$(xoctl --no-wait "${@/@/$g}" 2>/dev/null)"); done
    for g in 0 1 2; do
        xo_soak_step "$desc s$((g + 1))" xoctl task wait "${tk[$g]}"
        # Tasks are kept until destroyed: the soak must not grow xenopsd by them.
        xoctl task destroy "${tk[$g]}" >/dev/null 2>&1
    done
}

# Three guests through N cycles (XO_SOAK_CYCLES, default 1 in the default
# suite; tests/xen/soak.sh runs 200) of start, hot-plug and unplug of a disk
# and a NIC, suspend, resume, reboot and shutdown; dom0's figures may not
# grow. With more than one cycle the growth is measured from the end of
# cycle 1 (caches and pools of the first use are not growth); with one,
# from before it, xenopsd's RSS with 8 MiB of allowance for those.
section_xo_soak() {
    local n=${XO_SOAK_CYCLES:-1} c g f0 f1 fw t tc m rss_noise=4096
    # Console lines of each guest before a step: a failed cycle must not
    # shift what the next one waits for.
    local -A up blk net rmb rmn
    for g in s1 s2 s3; do
        xo_define "$g" '"on_reboot": "restart"' >/dev/null || return
        dd if=/dev/zero of="/tmp/$g-disk.img" bs=1M count=4 2>/dev/null
    done
    f0=$(xo_figures)
    note "soak: $n cycles of 3 guests; before: $f0"
    t=$(now)
    for ((c = 1; c <= n; c++)); do
        XO_SOAK_ERR=
        tc=$(now)
        xo_soak_mark up "$UP"
        xo_soak_all start vm start @
        # Three guests boot at once: give them twice a lone guest's time.
        for g in s1 s2 s3; do xo_soak_step "$g boots" wait_console_count "$g" "$UP" $((up[$g] + 1)) $((2 * BOOT_SECS)); done
        for g in s1 s2 s3; do
            m=$(printf '00:16:3e:00:6%s:%02x' "${g#s}" $((c % 256)))
            xo_soak_step "$g vbd add" xoctl vbd add "$g" --device xvdb --backend "file:/tmp/$g-disk.img"
            xo_soak_step "$g vif add" xoctl vif add "$g" --bridge xenbr0 --mac "$m"
        done
        xo_soak_mark blk 'XENTB-GUEST-BLOCK-ADDED xvdb'
        xo_soak_mark net 'XENTB-GUEST-NET-ADDED eth0'
        xo_soak_all "vbd plug" vbd plug @ xvdb
        xo_soak_all "vif plug" vif plug @ 0
        for g in s1 s2 s3; do
            xo_soak_step "$g sees xvdb" wait_console_count "$g" 'XENTB-GUEST-BLOCK-ADDED xvdb' $((blk[$g] + 1)) 60
            xo_soak_step "$g sees eth0" wait_console_count "$g" 'XENTB-GUEST-NET-ADDED eth0' $((net[$g] + 1)) 60
        done
        xo_soak_mark rmb 'XENTB-GUEST-DEV-REMOVED xvdb'
        xo_soak_mark rmn 'XENTB-GUEST-DEV-REMOVED eth0'
        xo_soak_all "vbd unplug" vbd unplug @ xvdb
        xo_soak_all "vif unplug" vif unplug @ 0
        for g in s1 s2 s3; do
            xo_soak_step "$g loses xvdb" wait_console_count "$g" 'XENTB-GUEST-DEV-REMOVED xvdb' $((rmb[$g] + 1)) 60
            xo_soak_step "$g loses eth0" wait_console_count "$g" 'XENTB-GUEST-DEV-REMOVED eth0' $((rmn[$g] + 1)) 60
            xo_soak_step "$g vbd remove" xoctl vbd remove "$g" xvdb
            xo_soak_step "$g vif remove" xoctl vif remove "$g" 0
        done
        # One image at a time: dom0's /tmp is RAM.
        for g in s1 s2 s3; do
            rm -f "/tmp/$g.save"
            xo_soak_step "$g suspend" xoctl vm suspend "$g" "/tmp/$g.save" &&
                xo_soak_step "$g resume" xoctl vm resume "$g" "/tmp/$g.save"
            rm -f "/tmp/$g.save"
        done
        xo_soak_mark up "$UP"
        xo_soak_all reboot vm reboot @ --timeout 60
        for g in s1 s2 s3; do xo_soak_step "$g reboots" wait_console_count "$g" "$UP" $((up[$g] + 1)) $((2 * BOOT_SECS)); done
        xo_soak_all shutdown vm shutdown @ --timeout 60
        for g in s1 s2 s3; do
            xo_soak_step "$g Halted" wait_for 30 xo_power_is "$g" Halted
            [ -z "$XO_SOAK_ERR" ] || xo_cleanup_vm_domain "$g"
        done
        xo_soak_step "no leftovers" leftovers
        check "soak cycle $c/$n: start, plug, unplug, suspend, resume, reboot, shutdown x3 ($(elapsed "$tc") s)" \
            sh -c "[ -z \"\$1\" ] || { echo \"\$1\"; exit 1; }" _ "$XO_SOAK_ERR"
        # Every cycle's figures, so that a trend (leak or plateau) shows.
        f1=$(xo_figures)
        note "soak: after cycle $c: $f1"
        [ "$c" = 1 ] && fw=$f1
    done
    f1=$(xo_figures)
    note "soak: after $n cycles: $f1"
    timing "soak: $n cycles" "$t"
    note "soak: $(awk -v s="$(elapsed "$t")" -v n="$n" 'BEGIN { printf "%.1f s a cycle; 200 cycles ~ %.1f h", s / n, s / n * 200 / 3600 }')"
    # Against cycle 1 (caches and pools of the first use are not growth).
    [ "$n" -gt 1 ] || { fw=$f0; rss_noise=8192; }
    xo_soak_cmp rss_kb "$rss_noise" "$fw" "$f1"
    xo_soak_cmp fds 0 "$fw" "$f1"
    xo_soak_cmp loops 0 "$f0" "$f1"
    xo_soak_cmp vifs 0 "$f0" "$f1"
    xo_soak_cmp xs_nodes 0 "$fw" "$f1"
    xo_soak_cmp evtchns 0 "$fw" "$f1"
    xo_soak_cmp irqs 0 "$fw" "$f1"
    check "soak: dom0 free memory back ($(xo_fig free_mib "$fw") -> $(xo_fig free_mib "$f1") MiB, -4 allowed)" \
        test "$(xo_fig free_mib "$f1")" -ge $(($(xo_fig free_mib "$fw") - 4))
    for g in s1 s2 s3; do xo_cleanup_vm "$g"; rm -f "/tmp/$g-disk.img"; done
    assert_no_leftovers "after the soak"
}
xo_cleanup_vm_domain() { xoctl vm destroy "$1" >/dev/null 2>&1; xoctl vbd remove "$1" xvdb >/dev/null 2>&1; xoctl vif remove "$1" 0 >/dev/null 2>&1; }
# xo_soak_cmp KEY NOISE BEFORE AFTER: AFTER's KEY at most NOISE above BEFORE's.
xo_soak_cmp() {
    local a b
    a=$(xo_fig "$1" "$3")
    b=$(xo_fig "$1" "$4")
    check "soak: $1 $a -> $b (noise $2)" test "$b" -le $((a + $2))
}

section_xo_stop() {
    check "xenopsd stops on SIGTERM" xo_daemon_stop
    echo "----- xenopsd log (tail)"
    tail -n 30 "$XO_LOG"
}

# shellcheck disable=SC2034  # used by suite.sh, which sources this file
# The soak runs one cycle in the default suite; tests/xen/soak.sh runs 200
# (hours under TCG).
XO_SECTIONS=(xo_daemon xo_lifecycle xo_forced xo_reboot xo_guest_actions xo_concurrent xo_kill9 xo_crash xo_kcache
             xo_xl xo_hostile)
# The suspend/resume crash sweep boots the guest once per crash point (about
# 15-25 minutes under TCG): run it by name (--only xo_crash_save). The soak
# too: its three suspend images at once do not fit in dom0's /tmp (ENOSPC).
[ -z "${XENTB_ONLY:-}" ] || XO_SECTIONS+=(xo_crash_save xo_soak)
XO_SECTIONS+=(xo_stop)
