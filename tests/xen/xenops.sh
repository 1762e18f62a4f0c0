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

xo_daemon_start() {
    # --debug-methods: xo_crash sets fault.crash_point through xenopsctl.
    xenopsd --socket "$XO_SOCK" --state-dir "$XO_STATE" --backend xen \
        --log-level info --debug-methods >>"$XO_LOG" 2>&1 &
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

# xo_define NAME [EXTRA_JSON_FIELDS]: a PV VM of the testbed's guest kernel.
xo_define() {
    local extra=${2:+, $2}
    printf '{"id": "%s", "name": "%s", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "console=hvc0 loglevel=4%s"%s}\n' \
        "$1" "$1" "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" "${XO_CMDLINE_EXTRA:-}" "$extra" \
        >"/tmp/$1.json"
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
    t=$(now)
    check "vm resume from the file" xoctl vm resume xo1 /tmp/xo1.save && timing "vm resume" "$t"
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
section_xo_guest_actions() {
    local d1
    XO_CMDLINE_EXTRA=" xentb.action=poweroff-after=2" xo_define xo4 || return
    xo_boot xo4 || { xo_cleanup_vm xo4; return; }
    check "guest powers itself off" wait_console xo4 'XENTB-GUEST-ACTION poweroff' 30
    check "xenopsd notices: Halted" wait_for 60 xo_power_is xo4 Halted
    check "xo4 is gone (xl)" wait_gone xo4 30
    assert_no_leftovers "after guest poweroff"
    xo_cleanup_vm xo4

    XO_CMDLINE_EXTRA=" xentb.action=reboot-after=2" xo_define xo5 '"on_reboot": "restart"' || return
    xo_boot xo5 || { xo_cleanup_vm xo5; return; }
    d1=$(xo_domid xo5)
    check "guest reboots itself" wait_console xo5 'XENTB-GUEST-ACTION reboot' 30
    check "xo5 comes back (second boot)" wait_console_count xo5 "$UP" 2 "$BOOT_SECS"
    check "xo5 has a new domid" wait_for 30 sh -c "[ \"\$(xenopsctl --socket $XO_SOCK --json vm stat xo5 | sed -n 's/.*\"domid\":\\(-*[0-9]*\\).*/\\1/p')\" != $d1 ]"
    check "vm destroy" xoctl vm destroy xo5
    assert_no_leftovers "after guest reboot"
    xo_cleanup_vm xo5

    XO_CMDLINE_EXTRA=" xentb.action=crash-after=2" xo_define xo6 '"on_crash": "destroy"' || return
    xo_boot xo6 || { xo_cleanup_vm xo6; return; }
    check "guest crashes" wait_console xo6 'XENTB-GUEST-ACTION crash' 30
    check "xenopsd notices: Halted" wait_for 60 xo_power_is xo6 Halted
    check "last shutdown reason is crash" sh -c "xenopsctl --socket $XO_SOCK --json vm stat xo6 | grep -q '\"last_shutdown_reason\":\"crash\"'"
    assert_no_leftovers "after guest crash"
    xo_cleanup_vm xo6
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

# The daemon dies (exit 99, no clean-up, as kill -9) at crash point N of a
# start with a disk and a NIC, for N = 1, 2, ... until the start gets
# through: after a restart every VM must be Running with its domain, or
# Halted with nothing left behind, and destroy must leave nothing.
section_xo_crash() {
    local n st died points=0
    xo_define xc || return
    dd if=/dev/zero of=/tmp/xc-disk.img bs=1M count=4 2>/dev/null
    xoctl vbd add xc --device xvdb --backend file:/tmp/xc-disk.img >/dev/null
    xoctl vif add xc --bridge xenbr0 --mac 00:16:3e:00:30:01 >/dev/null
    for ((n = 1; n <= 40; n++)); do
        xoctl debug set fault.crash_point "$n" >/dev/null || { fail "debug set fault.crash_point $n"; break; }
        xoctl vm start xc >/dev/null 2>&1
        died=0
        if wait_for 10 _xentb_not kill -0 "$XO_PID"; then
            died=1
            wait "$XO_PID" 2>/dev/null
            XO_PID=
            xo_daemon_start || { fail "xenopsd restarts after crash point $n"; return; }
        fi
        st=$(xo_power xc)
        if [ "$died" = 0 ]; then
            points=$((n - 1))
            check "the start with crash point $n (past the last) ran through" xo_power_is xc Running
            xoctl debug set fault.crash_point 0 >/dev/null
            xoctl vm destroy xc >/dev/null
            break
        fi
        case $st in
            Running) check "crash point $n: Running, its domain is there" xl domid xc ;;
            Halted) check "crash point $n: Halted, no domain" _xentb_not xl domid xc ;;
            *) fail "crash point $n: VM in state '$st' after recovery" ;;
        esac
        xoctl vm destroy xc >/dev/null 2>&1
        check "crash point $n: nothing left after destroy" leftovers
        check "crash point $n: no loop device left on the disk image" \
            _xentb_not sh -c 'losetup -a | grep -q xc-disk'
    done
    check "the sweep found crash points in a start ($points)" test "$points" -gt 0
    xo_cleanup_vm xc
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

section_xo_stop() {
    check "xenopsd stops on SIGTERM" xo_daemon_stop
    echo "----- xenopsd log (tail)"
    tail -n 30 "$XO_LOG"
}

# shellcheck disable=SC2034  # used by suite.sh, which sources this file
XO_SECTIONS=(xo_daemon xo_lifecycle xo_forced xo_reboot xo_guest_actions xo_concurrent xo_kill9 xo_crash xo_kcache xo_stop)
