# shellcheck shell=bash
# tests/xen/migrate.sh - localhost migration of a PVH guest through xenopsd
# (VM.migrate with url "local", xenopsctl vm migrate NAME local): the guest
# keeps running (its console keeps ticking across the move), its domid
# changes, and its disk and NIC still work afterwards. Reports SKIP with
# the reason while the xen backend cannot migrate (XENOPS_ENOTSUP).
# Sourced by suite.sh after pvh.sh; sections are listed in MIG_SECTIONS.

# A guest that ticks every second, reading its disk and its NIC's carrier.
# eth0 is brought up first: the carrier of an interface that is down cannot
# be read (EINVAL), which printed net=none before and after the move.
mig_payload() {
    mkdir -p /tmp/migp
    cat >/tmp/migp/guest-payload.sh <<'PAYLOAD'
#!/bin/sh
n=0
while :; do
    disk=bad
    dd if=/dev/xvdb of=/dev/null bs=4096 count=1 2>/dev/null && disk=ok
    ip link set eth0 up 2>/dev/null
    net=$(cat /sys/class/net/eth0/carrier 2>/dev/null || echo none)
    echo "XENTB-TICK $n disk=$disk net=$net"
    n=$((n + 1))
    sleep 1
done
PAYLOAD
    chmod +x /tmp/migp/guest-payload.sh
    guest_initrd_with /tmp/migp /tmp/migp-initrd.gz
}

# xenopsctl with room for a whole migration: under TCG a 128 MiB guest takes
# about two minutes between two testbeds, more than xoctl's limit.
xoctl_mig() { timeout 900 xenopsctl --socket "$XO_SOCK" "$@"; }

# The daemon started here (none was running) is stopped here.
section_xo_migrate() {
    local own=
    [ -n "$XO_PID" ] || own=1
    mig_local
    [ -z "$own" ] || [ -z "$XO_PID" ] || check "xenopsd stops on SIGTERM" xo_daemon_stop
}

mig_local() {
    local d d2 n n0 t0 total out rc
    pvh_daemon || return
    mig_payload
    printf '{"id": "mig1", "name": "mig1", "type": "pvh", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "/tmp/migp-initrd.gz", "cmdline": "console=hvc0 loglevel=4 xentb.tick=100"}\n' \
        "$XENTB_GUEST_KERNEL" >/tmp/mig1.json
    check "xenopsctl vm add mig1 (pvh)" xoctl vm add /tmp/mig1.json || return
    dd if=/dev/zero of=/tmp/mig1-disk.img bs=1M count=8 2>/dev/null
    check "vbd add xvdb" xoctl vbd add mig1 --device xvdb --backend file:/tmp/mig1-disk.img
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    check "vif add on xenbr0" xoctl vif add mig1 --bridge xenbr0 --mac 00:16:3e:00:30:01
    BOOT_SECS=$PVH_BOOT_SECS xo_boot mig1 || { xo_cleanup_vm mig1; return; }
    check "mig1 ticks with its disk and NIC" \
        wait_console mig1 'XENTB-TICK [0-9]+ disk=ok net=1' 120
    check "mig1's counter ticks" wait_for 120 tick_after mig1 20
    d=$(xo_domid mig1)
    n0=$(tick_last mig1)
    t0=$(now)
    out=$(xoctl_mig vm migrate mig1 local 2>&1)
    rc=$?
    total=$(elapsed "$t0")
    echo "$out"
    if [ "$rc" != 0 ] && grep -qiE 'not supported|ENOTSUP|cannot migrate' <<<"$out"; then
        skip "xo_migrate: the xen backend cannot migrate domains yet: $out"
        check "xenopsd still says Running" xo_power_is mig1 Running
        check "vm shutdown --force" xoctl vm shutdown mig1 --force
        check "mig1 is gone (xl)" wait_gone mig1 30
        xo_cleanup_vm mig1
        assert_no_leftovers "after the skipped migration"
        return
    fi
    check "xenopsctl vm migrate mig1 local" test "$rc" = 0
    d2=$(xo_domid mig1)
    check "a new domain after the migration ($d -> $d2)" new_domid "$d" "$d2"
    check "xenopsd says Running" xo_power_is mig1 Running
    check "xl list shows mig1 as domain $d2" sh -c "xl list | awk '\$1 == \"mig1\" && \$2 == \"$d2\"' | grep -q ."
    check "the old domain $d is gone" sh -c "! xl list | awk '{print \$2}' | grep -qx '$d'"
    n=$(console_count mig1 'XENTB-TICK')
    check "the guest keeps ticking after the move" \
        wait_console_count mig1 'XENTB-TICK' $((n + 3)) 60
    check "its disk still reads after the move" \
        wait_console_count mig1 'XENTB-TICK [0-9]+ disk=ok net=1' $((n + 3)) 60
    check "guest did not reboot (one $UP)" test "$(console_count mig1 "$UP")" = 1
    check "its counter continues after the move" wait_for 60 tick_after mig1 "$((${n0:-0} + 20))"
    mig_local_figures xenopsd "PVH 128 MiB with a disk and a NIC, live" "$total" "$(tick_gap "${n0:-0}" mig1)"
    check "vif$d2.0 is on xenbr0" test -e "/sys/class/net/xenbr0/brif/vif$d2.0"
    mig_local_fails "$d2"
    check "vm shutdown --force" xoctl vm shutdown mig1 --force
    check "mig1 is gone (xl)" wait_gone mig1 30
    xo_cleanup_vm mig1
    assert_no_leftovers "after the localhost migration"
    mig_pv_cold
}

# mig_local_figures WHO WHAT TOTAL GAP: a localhost migration's figures, in
# the form bench/run.sh reads (MIG-LOCAL lines): the time the command took
# and the largest gap between the guest's ticks across it (its pause).
mig_local_figures() {
    note "MIG-LOCAL $1 total $3 s, largest gap between ticks $4 s ($2)"
    echo "TIMING: localhost migration by $1 ($2): $3s"
}

# mig_local_xl NAME WHAT: xl's live migration in this dom0 of the running
# guest NAME (booted by xl with xentb.tick=100), timed around the command,
# its pause from the guest's ticks.
mig_local_xl() {
    local name=$1 what=$2 n0 t0 total
    check "$name's counter ticks" wait_for 120 tick_after "$name" 20
    n0=$(tick_last "$name")
    t0=$(now)
    check "xl migrate -s '' $name 'xl migrate-receive' (localhost, live)" \
        timeout 600 xl migrate -s '' "$name" 'xl migrate-receive'
    total=$(elapsed "$t0")
    # xl's receiver runs the guest as NAME--incoming: xenconsoled logs it apart.
    check "$name's counter continues after xl's migration" \
        wait_for 60 tick_after "$name--incoming" "$((${n0:-0} + 20))"
    mig_local_figures xl "$what" "$total" "$(tick_gap "${n0:-0}" "$name" "$name--incoming")"
}

# xo_migrate_xl: the guest of xo_migrate (its payload, a disk, a NIC on the
# bridge), migrated in this dom0 by xl, for bench/run.sh's comparison.
section_xo_migrate_xl() {
    mig_payload
    dd if=/dev/zero of=/tmp/mig1-disk.img bs=1M count=8 2>/dev/null
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    if BOOT_SECS=$PVH_BOOT_SECS boot xlml "$(guest_cfg xlml type=pvh ramdisk=/tmp/migp-initrd.gz 'extra+=xentb.tick=100' \
        'disk=["file:/tmp/mig1-disk.img,xvdb,w"]' 'vif=["bridge=xenbr0,mac=00:16:3e:00:30:05"]')"; then
        check "xlml ticks with its disk and NIC" wait_console xlml 'XENTB-TICK [0-9]+ disk=ok net=1' 120
        mig_local_xl xlml "PVH 128 MiB with a disk and a NIC, live"
        check "xlml ticked on with its disk and NIC" \
            wait_console xlml--incoming 'XENTB-TICK [0-9]+ disk=ok net=1' 60
    fi
    xlt destroy xlml >/dev/null 2>&1
    check "xlml is gone" wait_gone xlml 30
    rm -f /tmp/mig1-disk.img
    assert_no_leftovers "after xl's localhost migration"
}

# mig_local_fails D: a localhost migration of mig1 (in domain D) that fails
# after its memory went and its old domain was suspended for the last round
# (the first device plug on the new domain fails, injected): the new domain
# is destroyed and the guest resumes where it was (a cancelled suspend), in
# domain D, without a reboot, its disk and NIC working.
mig_local_fails() {
    local n out rc
    n=$(console_count mig1 'XENTB-TICK [0-9]+ disk=ok net=1')
    check "debug set fault.fail_atom 2 (the first plug after the memory)" \
        xoctl debug set fault.fail_atom 2 || return
    out=$(xoctl_mig vm migrate mig1 local 2>&1)
    rc=$?
    echo "$out" | tail -n 3
    xoctl debug set fault.off >/dev/null 2>&1
    check "the migration fails at the injected fault" text_has out 'injected fault'
    check "... with a non-zero status" test "$rc" != 0
    check "mig1 runs on in domain $1" test "$(xo_domid mig1)" = "$1"
    check "xenopsd says Running" xo_power_is mig1 Running
    check "one domain mig1 (xl)" test "$(xl list | awk '$1 == "mig1"' | wc -l)" = 1
    check "the resumed guest ticks with its disk and NIC" \
        wait_console_count mig1 'XENTB-TICK [0-9]+ disk=ok net=1' $((n + 3)) 60
    check "mig1 did not reboot (one $UP)" test "$(console_count mig1 "$UP")" = 1
}

# A PV guest migrates cold (--no-live: suspended while its memory streams;
# PV log-dirty needs shadow paging, which Debian's Xen lacks).
mig_pv_cold() {
    local d d2 n
    printf '{"id": "migpv", "name": "migpv", "type": "pv", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "/tmp/migp-initrd.gz", "cmdline": "console=hvc0 loglevel=4"}\n' \
        "$XENTB_GUEST_KERNEL" >/tmp/migpv.json
    check "xenopsctl vm add migpv (pv)" xoctl vm add /tmp/migpv.json || return
    check "vbd add xvdb" xoctl vbd add migpv --device xvdb --backend file:/tmp/mig1-disk.img
    check "vif add on xenbr0" xoctl vif add migpv --bridge xenbr0 --mac 00:16:3e:00:30:04
    xo_boot migpv || { xo_cleanup_vm migpv; return; }
    check "migpv ticks with its disk and NIC" \
        wait_console migpv 'XENTB-TICK [0-9]+ disk=ok net=1' 120
    d=$(xo_domid migpv)
    check "xenopsctl vm migrate migpv local --no-live" xoctl_mig vm migrate migpv local --no-live
    d2=$(xo_domid migpv)
    check "a new domain after the cold migration ($d -> $d2)" new_domid "$d" "$d2"
    check "xenopsd says Running" xo_power_is migpv Running
    check "the old domain $d is gone" sh -c "! xl list | awk '{print \$2}' | grep -qx '$d'"
    n=$(console_count migpv 'XENTB-TICK [0-9]+ disk=ok net=1')
    check "migpv keeps ticking with its disk and NIC" \
        wait_console_count migpv 'XENTB-TICK [0-9]+ disk=ok net=1' $((n + 3)) 60
    check "migpv did not reboot (one $UP)" test "$(console_count migpv "$UP")" = 1
    check "vm shutdown --force" xoctl vm shutdown migpv --force
    check "migpv is gone (xl)" wait_gone migpv 30
    xo_cleanup_vm migpv
    rm -f /tmp/mig1-disk.img
    assert_no_leftovers "after the PV cold migration"
}

# --- two hosts (tests/xen/twohost.sh: run.sh --link a|b) --------------------
# Host A (XENTB_LINK=a, 10.99.0.1) boots a PVH guest with a disk and a NIC
# and sends it with VM.migrate to host B's xenopsd (10.99.0.2, TLS with a
# pre-shared key over the private link); B waits for it to arrive and
# checks that it runs on, with its disk and NIC, and that nothing is left.
# Then the same guest kind goes the same way by xl (xl migrate over busybox
# nc) for comparison. Each side prints the guest's ticks at the switch
# (MIG2-TICK lines): twohost.sh computes the guest's pause from them.
MIG2_PORT=8002
# mig2_crash's own port: A's sends cannot reach the daemon of a mig2 that B
# may still be finishing when both sections run.
MIG2_CRASH_PORT=8004
MIG2_XL_PORT=8003
MIG2_PSK=/tmp/mig2.psk
# B answers the time on its own clock here: the guest's pause between two
# hosts carries the difference of their clocks (see mig2_clock_offset).
MIG2_CLOCK_PORT=8006
# shellcheck disable=SC2034 # read by xo_daemon_start
XO_DAEMON_ARGS=()

# mig2_link: bring up the link's NIC (its MAC is set by run.sh) with this
# host's address, and the key both daemons share.
mig2_link() {
    local me=$1 i dev=
    modprobe virtio_pci 2>/dev/null
    modprobe virtio_net || { echo "modprobe virtio_net failed"; return 1; }
    for _ in $(seq 50); do
        for i in /sys/class/net/*; do
            [ "$(cat "$i/address" 2>/dev/null)" = "52:54:00:00:00:0$XENTB_LINK" ] && dev=${i##*/}
        done
        [ -z "$dev" ] || break
        sleep 0.2
    done
    [ -n "$dev" ] || { echo "no interface with the link's MAC"; ls /sys/class/net; return 1; }
    ip addr replace "10.99.0.$me/24" dev "$dev" && ip link set "$dev" up || return 1
    echo "link: $dev 10.99.0.$me"
    # Test key only: both testbeds are built from this script.
    (umask 077; printf 'xentb:%s\n' 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >"$MIG2_PSK")
}

# mig2_clock_serve N: (B, in the background) answer N connections on
# MIG2_CLOCK_PORT, one at a time, each with this dom0's clock (seconds since
# the epoch, to the microsecond); each listen gives up after 900 s.
# /tmp/mig2-clock.pid holds the listener's pid, for mig2_clock_stop.
mig2_clock_serve() {
    # shellcheck disable=SC2016 # expanded by the script, at each answer
    printf '#!/bin/bash\necho "$EPOCHREALTIME"\n' >/tmp/mig2-clock.sh
    chmod +x /tmp/mig2-clock.sh
    for _ in $(seq "$1"); do
        timeout 900 nc -l -p "$MIG2_CLOCK_PORT" -e /tmp/mig2-clock.sh </dev/null >/dev/null 2>&1 &
        echo $! >/tmp/mig2-clock.pid
        wait $! || sleep 0.2
    done
}
mig2_clock_stop() {
    kill "$1" "$(cat /tmp/mig2-clock.pid 2>/dev/null)" 2>/dev/null
    wait "$1" 2>/dev/null
    rm -f /tmp/mig2-clock.pid /tmp/mig2-clock.sh
}

# mig2_clock_offset WHO: (A) B's clock less A's now, as the note
# "MIG2-CLOCK WHO OFFSET RTT": of 8 exchanges over the link (A's clock
# before, B's answer, A's clock after), the one with the shortest round
# trip, B's time taken as half-way through it (error at most RTT/2).
# The guest's uptime runs on across its suspend by the host's wallclock,
# read on A at the suspend and on B at the resume; dom0's clock is that
# wallclock (no NTP on the testbeds), so the guest's apparent pause at the
# switch is the real one plus this offset. twohost.sh takes it off.
mig2_clock_offset() {
    local n=0 s samples=''
    for _ in $(seq 60); do
        s=$( (t1=$EPOCHREALTIME
              exec 3<>"/dev/tcp/10.99.0.2/$MIG2_CLOCK_PORT" || exit 1
              read -r -t 5 tb <&3 || exit 1
              echo "$t1 $tb $EPOCHREALTIME") 2>/dev/null)
        if [ -n "$s" ]; then
            samples+="$s"$'\n'
            n=$((n + 1))
            [ "$n" -lt 8 ] || break
        else
            sleep 0.5
        fi
    done
    [ "$n" -gt 0 ] || { note "MIG2-CLOCK $1: host B's clock did not answer"; return 1; }
    note "MIG2-CLOCK $1 $(awk 'NF == 3 { r = $3 - $1; if (best == "" || r < best) { best = r; off = $2 - ($1 + $3) / 2 } }
        END { printf "%.3f %.3f", off, best }' <<<"$samples")"
}

mig2_guest() {
    mig_payload
    printf '{"id": "mig2", "name": "mig2", "type": "pvh", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "/tmp/migp-initrd.gz", "cmdline": "console=hvc0 loglevel=4 xentb.tick=100"}\n' \
        "$XENTB_GUEST_KERNEL" >/tmp/mig2.json
    # The same disk on both hosts: 8 MiB of zeros at the same path.
    dd if=/dev/zero of=/tmp/mig2-disk.img bs=1M count=8 2>/dev/null
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
}

mig2_reason_is() { xoctl --json vm stat "$1" 2>/dev/null | grep -q "\"last_shutdown_reason\":\"$2\""; }
mig2_start_refused() { ! xoctl vm start "$1"; }
mig2_gone_pid() { ! kill -0 "$1" 2>/dev/null; }

section_mig2() {
    case ${XENTB_LINK:-} in
        a) mig2_a ;;
        b) mig2_b ;;
        *) fail "mig2 needs two testbeds: run it with tests/xen/twohost.sh" ;;
    esac
}

mig2_a() {
    local rc d last l0
    check "the link is up (10.99.0.1)" mig2_link 1 || return
    l0=$(mig2_log_lines)
    check "host B answers on the link" wait_for 300 ping -c 1 -W 1 10.99.0.2 || return
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=(--migrate-psk-file "$MIG2_PSK")
    pvh_daemon || return
    mig2_guest
    mig2_a_boot || { xo_cleanup_vm mig2; return; }
    d=$(xo_domid mig2)
    mig2_a_send "$MIG2_PORT" >/tmp/mig2-send.out 2>&1
    rc=$?
    cat /tmp/mig2-send.out
    if [ "$rc" != 0 ] && mig2_guest_failed_suspend; then
        # Once more with a fresh boot: B still waits for mig2.
        wait_for 120 mig2_a_halt
        wait_gone mig2 30
        mig2_a_boot_again || { xo_cleanup_vm mig2; return; }
        d=$(xo_domid mig2)
        mig2_a_send "$MIG2_PORT"
        rc=$?
    fi
    check "xenopsctl vm migrate mig2 xenops://10.99.0.2:$MIG2_PORT" test "$rc" = 0
    timing "mig2: VM.migrate to host B (PVH 128 MiB, live)" "$MIG2_SENT_AT"
    mig2_clock_offset xenopsd
    mig2_log_from "$l0" A
    last=$(guest_ticks mig2 | tail -n 1)
    note "MIG2-TICK xenopsd A-last ${last:-none}"
    check "mig2 is Halted here" xo_power_is mig2 Halted
    check "its last shutdown reason is migrated" mig2_reason_is mig2 migrated
    check "domain $d is gone here" sh -c "! xl list | awk '{print \$2}' | grep -qx '$d'"
    check "a start here is refused (it runs elsewhere)" mig2_start_refused mig2
    check "vm remove mig2" xoctl vm remove mig2
    assert_no_leftovers "host A after sending mig2"
    [ "${XENTB_MIG2_XL:-1}" = 1 ] && mig2_a_xl
    xo_daemon_stop
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=()
}

# mig2_a_xl: (A) xl's half of mig2, the same guest sent by xl migrate.
mig2_a_xl() {
    local t last
    # xl's turn: the same guest kind, sent by xl migrate over busybox nc (B
    # runs "nc -l -p PORT -e xl migrate-receive"). B waits for word over the
    # link: "xl sent" once xl migrate returned 0, "xl failed" otherwise, so
    # that a failure here does not leave B waiting out its limit.
    # The same guest as mig2: its payload, the disk and a NIC on the bridge.
    if ! BOOT_SECS=$PVH_BOOT_SECS boot xlm2 "$(guest_cfg xlm2 type=pvh ramdisk=/tmp/migp-initrd.gz 'extra+=xentb.tick=100' \
        'disk=["file:/tmp/mig2-disk.img,xvdb,w"]' 'vif=["bridge=xenbr0,mac=00:16:3e:00:30:03"]')"; then
        check "host B hears that xl's guest did not boot" mig2_tell 10.99.0.2 "xl failed"
        xlt destroy xlm2 >/dev/null 2>&1
        return
    fi
    check "xlm2 ticks with its disk and NIC" wait_console xlm2 'XENTB-TICK [0-9]+ disk=ok net=1' 120
    check "xlm2's counter ticks" wait_for 120 tick_after xlm2 20
    t=$(now)
    if check "xl migrate -s '' xlm2 'nc 10.99.0.2 $MIG2_XL_PORT'" \
        timeout 900 xl migrate -s '' xlm2 "nc 10.99.0.2 $MIG2_XL_PORT"; then
        timing "mig2: xl migrate to host B (PVH 128 MiB, live, busybox nc)" "$t"
        mig2_clock_offset xl
        check "host B hears that xl migrate returned" mig2_tell 10.99.0.2 "xl sent"
    else
        check "host B hears that xl migrate failed" mig2_tell 10.99.0.2 "xl failed"
        mig2_console_notes xlm2 ""
        xlt destroy xlm2 >/dev/null 2>&1
    fi
    last=$(guest_ticks xlm2 | tail -n 1)
    note "MIG2-TICK xl A-last ${last:-none}"
    check "xlm2 is gone here" wait_gone xlm2 30
    assert_no_leftovers "host A after xl sent xlm2"
}

# mig2_b_runs WHEN: mig2, Running here, is the guest that came from A:
# shown by xl, ticking on, disk and NIC working, not booted here, its vif on
# the bridge. Then a forced shutdown leaves nothing.
mig2_b_runs() {
    local n
    check "xl list shows mig2 here" sh -c "xl list | awk '\$1 == \"mig2\"' | grep -q ."
    n=$(tick_last mig2)
    check "mig2 keeps ticking here" wait_for 60 tick_after mig2 "${n:-0}"
    check "its disk reads and its NIC has a carrier here" \
        wait_console mig2 'XENTB-TICK [0-9]+ disk=ok net=1' 60
    check "it did not boot here (no $UP)" test "$(console_count mig2 "$UP")" = 0
    check "its vif is on xenbr0" sh -c 'ls /sys/class/net/xenbr0/brif | grep -q "^vif"'
    check "vm shutdown --force" xoctl vm shutdown mig2 --force
    check "mig2 is gone (xl)" wait_gone mig2 30
    xo_cleanup_vm mig2
    assert_no_leftovers "host B $1"
}

mig2_b() {
    local clk
    mig2_clock_serve 16 &
    clk=$!
    mig2_b_run
    mig2_clock_stop "$clk"
}

mig2_b_run() {
    local first ncpid l0
    check "the link is up (10.99.0.2)" mig2_link 2 || return
    l0=$(mig2_log_lines)
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=(--migrate-psk-file "$MIG2_PSK" --migrate-listen "10.99.0.2:$MIG2_PORT")
    pvh_daemon || return
    mig2_guest
    note "waiting for mig2 from host A"
    check "mig2 arrives and runs here" wait_for 900 xo_power_is mig2 Running || { xo_daemon_stop; return; }
    wait_for 60 tick_after mig2 0 # its first tick here (checked below)
    first=$(guest_ticks mig2 | head -n 1)
    note "MIG2-TICK xenopsd B-first ${first:-none}"
    mig2_log_from "$l0" B
    mig2_b_runs "after mig2"
    xo_daemon_stop
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=()
    [ "${XENTB_MIG2_XL:-1}" = 1 ] || return 0
    # xl's receiver, behind busybox nc (-e: the connection is its stdin and stdout).
    note "waiting for xlm2 from host A (xl migrate)"
    timeout 1500 nc -l -p "$MIG2_XL_PORT" -e xl migrate-receive >/tmp/mig2-xl-receive.log 2>&1 &
    ncpid=$!
    if ! check "host A says xl migrate returned" mig2_hear 1500 "xl sent"; then
        kill "$ncpid" 2>/dev/null
        sed 's/^/  | /' /tmp/mig2-xl-receive.log | tail -n 5
        xlt destroy xlm2--incoming >/dev/null 2>&1
        xlt destroy xlm2 >/dev/null 2>&1
        check "nothing of xlm2 is left" wait_gone xlm2 30
        assert_no_leftovers "host B after xl's failed migration"
        return
    fi
    check "xlm2 arrives and runs here (xl)" wait_for 60 sh -c "xl list | awk '\$1 == \"xlm2\" && \$5 !~ /p/' | grep -q ." || return
    check "xlm2 keeps ticking here" wait_for 60 tick_after xlm2--incoming 0
    check "its disk reads and its NIC has a carrier here (xl)" \
        wait_console xlm2--incoming 'XENTB-TICK [0-9]+ disk=ok net=1' 60
    first=$(guest_ticks xlm2--incoming xlm2 | head -n 1)
    note "MIG2-TICK xl B-first ${first:-none}"
    check "xl migrate-receive ends" wait_for 60 mig2_gone_pid "$ncpid"
    kill "$ncpid" 2>/dev/null
    sed 's/^/  | /' /tmp/mig2-xl-receive.log | tail -n 5
    xlt destroy xlm2 >/dev/null 2>&1
    check "xlm2 is gone" wait_gone xlm2 30
    assert_no_leftovers "host B after xlm2"
}

# --- two hosts: a daemon dies at a commit point ------------------------------
# Crashes at the points where ownership moves (docs/migration.md,
# "Exactly one copy"), one on each side, each followed by a restart of the
# dead daemon on the same state directory, the same points with the
# connection cut instead (fault.migrate_cut, both daemons alive), and a cut
# before the commit:
#  1. B (receiver) dies at recv.commit_recorded: it recorded "committed" but
#     never said so. A is in doubt: its domain destroyed, mig2 Halted with
#     reason migration-doubt. B's restart keeps its domain and unpauses it:
#     the guest runs on B and on B only.
#  2. A (sender) dies at send.commit_recorded: it recorded "commit" but
#     never sent it. B sees the connection close before any commit,
#     destroys its domain and forgets mig2. A's restart finds the commit
#     record: in doubt, its domain destroyed, mig2 Halted, migration-doubt.
#     The guest runs nowhere (an operator starts it again), never twice.
#  3. and 4.: as 1 and 2 with the connection cut: B's daemon unpauses by
#     itself in 3.
#  5. The connection cut at A's send.memory_sent: the memory went and the
#     guest was suspended for the last round, no commit yet. A resumes the
#     guest in its own domain (a cancelled suspend); B forgets mig2.
# Each side checks its own half; together: never on both hosts.
#
# The two hosts keep in step over the link (port MIG2_SYNC_PORT on each):
# before each case A, its guest booted, tells B the case; B arms its fault
# and answers ready; A migrates and tells B when its migrate call returned,
# and B then checks its half. A case that fails on one side is cleaned up
# there and the next one starts, so one failure never leaves the other
# host waiting out its whole time limit.
MIG2_SYNC_PORT=8005
# case  side-with-the-fault  fault  step
MIG2_CASES=(
    "1 b crash recv.commit_recorded"
    "2 a crash send.commit_recorded"
    "3 b cut recv.commit_recorded"
    "4 a cut send.commit_recorded"
    "5 a cut send.memory_sent"
)

# mig2_tell ADDR MSG: MSG to the other host's listener, retried for up to
# 300 s while it does not listen yet.
mig2_tell() {
    for _ in $(seq 600); do
        # shellcheck disable=SC2216
        (exec 3<>"/dev/tcp/$1/$MIG2_SYNC_PORT" && echo "$2" >&3) 2>/dev/null && return 0
        sleep 0.5
    done
    echo "cannot tell $1: $2"
    return 1
}

# mig2_hear SECS WANT: the other host's next message is WANT (within SECS).
# MIG2_HEARD: what came.
mig2_hear() {
    MIG2_HEARD=$(timeout "$1" nc -l -p "$MIG2_SYNC_PORT" </dev/null 2>/dev/null)
    echo "heard: '${MIG2_HEARD}' (wanted '$2')"
    [ "$MIG2_HEARD" = "$2" ]
}

# mig2_log_from N WHO: xenopsd's lines after line N of its log about mig2,
# migrations and the xen backend, as notes: what each case did.
mig2_log_from() {
    local l
    tail -n "+$(($1 + 1))" "$XO_LOG" 2>/dev/null |
        grep -aE 'vm mig2|migration|xen backend|test hook' | tail -n 25 |
        while IFS= read -r l; do note "$2 xenopsd: $l"; done
}
mig2_log_lines() { wc -l <"$XO_LOG" 2>/dev/null || echo 0; }
# mig2_console_notes NAME PREFIX: the end of NAME's console without its
# ticks, as notes (a guest that crashed or rebooted shows there).
mig2_console_notes() {
    local l
    tail -n 60 "$(console_log "$1")" 2>/dev/null | grep -av 'XENTB-.*TICK' | tail -n 15 |
        while IFS= read -r l; do note "$2$1 console: $l"; done
}
# mig2_case_end N WHO F: the case's log lines (from line N), and if a
# check failed in it (more failures than F), the end of the guest's console;
# no fault left armed, no mig2 left defined; always succeeds (the next case
# runs).
mig2_case_end() {
    mig2_log_from "$1" "$2"
    [ "${XENTB_FAIL:-0}" -le "$3" ] || mig2_console_notes mig2 "$2 "
    xoctl debug set fault.off >/dev/null 2>&1
    xo_cleanup_vm mig2
    return 0
}

# mig2_daemon_died WHAT: the daemon exited with the crash hook's status 99.
mig2_daemon_died() {
    local rc
    wait_for "$1" mig2_gone_pid "$XO_PID" || return 1
    wait "$XO_PID" 2>/dev/null
    rc=$?
    XO_PID=
    echo "xenopsd exited with status $rc"
    [ "$rc" = 99 ]
}

# mig2_daemon_up: xenopsd runs (started again on its state directory if a
# case left it dead).
mig2_daemon_up() {
    [ -n "$XO_PID" ] && kill -0 "$XO_PID" 2>/dev/null && return 0
    XO_PID=
    check "xenopsd starts again on its state directory" xo_daemon_start
}

# mig2_a_boot: mig2 defined with its disk and NIC, booted, ticking.
mig2_a_boot() {
    check "xenopsctl vm add mig2 (pvh)" xoctl vm add /tmp/mig2.json || return
    check "vbd add xvdb" xoctl vbd add mig2 --device xvdb --backend file:/tmp/mig2-disk.img || return
    check "vif add on xenbr0" xoctl vif add mig2 --bridge xenbr0 --mac 00:16:3e:00:30:02 || return
    mig2_a_boot_again
}

# mig2_a_boot_again: the defined mig2 booted, ticking with its disk and NIC.
mig2_a_boot_again() {
    local n
    n=$(console_count mig2 'XENTB-TICK [0-9]+ disk=ok net=1')
    BOOT_SECS=$PVH_BOOT_SECS xo_boot mig2 || return
    check "mig2 ticks with its disk and NIC" \
        wait_console_count mig2 'XENTB-TICK [0-9]+ disk=ok net=1' $((n + 1)) 120
}

# mig2_a_send PORT: VM.migrate to B's PORT, retried while B's daemon is not
# listening yet; prints its output. MIG2_SENT_AT: when the last try began.
mig2_a_send() {
    local out rc
    for _ in $(seq 30); do
        MIG2_SENT_AT=$(now)
        out=$(xoctl_mig vm migrate mig2 "xenops://10.99.0.2:$1" 2>&1)
        rc=$?
        if [ "$rc" = 0 ] || ! grep -q 'cannot connect to .*Connection refused' <<<"$out"; then break; fi
        sleep 10
    done
    echo "$out" | tail -n 5
    return "$rc"
}

# mig2_guest_failed_suspend: the migration in /tmp/mig2-send.out failed
# because the guest itself shut down (reboot or crash) when asked to suspend
# for the last round. The TCG testbed does that now and then to PVH guests
# whatever the toolstack: xl migrate of the same guest failed the same way
# ("Domain 2 has shut down, reason code 1" in xl's log). Said as a note; the
# caller tries once more with a fresh boot.
mig2_guest_failed_suspend() {
    grep -q 'instead of suspending' /tmp/mig2-send.out || return 1
    note "the guest shut down by itself when asked to suspend (the TCG testbed's failure, seen with xl migrate too): once more with a fresh boot"
    mig2_console_notes mig2 ""
    return 0
}

# mig2_a_halt, mig2_a_gone: mig2 Halted here, or removed, whatever its
# guest did (retried with wait_for while a task of its own holds it).
mig2_a_halt() {
    xo_power_is mig2 Halted || xoctl vm shutdown mig2 --force >/dev/null 2>&1
    xo_power_is mig2 Halted
}
mig2_a_gone() {
    xo_cleanup_vm mig2
    ! mig2_defined mig2
}

# mig2_a_in_doubt D: mig2 Halted here in doubt, domain D gone, nothing left.
mig2_a_in_doubt() {
    check "mig2 is Halted here" wait_for 60 xo_power_is mig2 Halted
    check "its last shutdown reason is migration-doubt" mig2_reason_is mig2 migration-doubt
    check "domain $1 is gone here" sh -c "! xl list | awk '{print \$2}' | grep -qx '$1'"
    check "vm remove mig2" xoctl vm remove mig2
    assert_no_leftovers "host A"
}

# mig2_a_resumed D N U: mig2 runs on here in domain D after a failed
# migration, its disk and NIC working (N: its good ticks before), not
# rebooted (U: its boot markers before).
mig2_a_resumed() {
    check "mig2 runs on here" wait_for 60 xo_power_is mig2 Running
    check "in its own domain $1" test "$(xo_domid mig2)" = "$1"
    check "one domain mig2 (xl)" test "$(xl list | awk '$1 == "mig2"' | wc -l)" = 1
    check "it ticks on with its disk and NIC" \
        wait_console_count mig2 'XENTB-TICK [0-9]+ disk=ok net=1' $(($2 + 3)) 60
    check "it did not reboot (still $3 $UP)" test "$(console_count mig2 "$UP")" = "$3"
    check "vm shutdown --force" xoctl vm shutdown mig2 --force
    check "mig2 is gone (xl)" wait_gone mig2 30
    check "vm remove mig2" xoctl vm remove mig2
    assert_no_leftovers "host A"
}

section_mig2_crash() {
    case ${XENTB_LINK:-} in
        a) mig2_crash_a ;;
        b) mig2_crash_b ;;
        *) fail "mig2_crash needs two testbeds: run it with tests/xen/twohost.sh --sections mig2_crash" ;;
    esac
}

# mig2_crash_a_case N SIDE FAULT STEP [AGAIN] (a line of MIG2_CASES): fails
# only when the hosts lost step (the cases after it cannot run). A case
# whose guest failed its suspend (mig2_guest_failed_suspend) runs once more
# (AGAIN set), B told so.
mig2_crash_a_case() {
    local n=$1 side=$2 fault=$3 step=$4 d rc logn good ups l fails=${XENTB_FAIL:-0}
    note "$n. fault.migrate_$fault at $step on host ${side^^}"
    logn=$(mig2_log_lines)
    if ! mig2_a_boot; then
        xo_cleanup_vm mig2
        mig2_tell 10.99.0.2 "skip $n"
        return
    fi
    d=$(xo_domid mig2)
    ups=$(console_count mig2 "$UP")
    check "host B is ready for case $n" mig2_tell 10.99.0.2 "case $n" || return 1
    check "host B armed case $n" mig2_hear 300 "ready $n" || return 1
    if [ "$side" = a ]; then
        check "debug set fault.migrate_$fault $step" xoctl debug set "fault.migrate_$fault" "$step"
    fi
    good=$(console_count mig2 'XENTB-TICK [0-9]+ disk=ok net=1')
    mig2_a_send "$MIG2_CRASH_PORT" >/tmp/mig2-send.out 2>&1
    rc=$?
    while IFS= read -r l; do note "A migrate: $l"; done </tmp/mig2-send.out
    if [ "$rc" != 0 ] && [ -z "${5:-}" ] && mig2_guest_failed_suspend; then
        mig2_daemon_up || return 1
        check "host B hears that case $n runs again" mig2_tell 10.99.0.2 "again $n" || return 1
        wait_for 120 mig2_a_gone
        mig2_case_end "$logn" A "$fails"
        mig2_crash_a_case "$n" "$side" "$fault" "$step" again
        return
    fi
    if [ "$side$fault" = acrash ]; then
        check "xenopsd died at $step (status 99)" mig2_daemon_died 60
    else
        check "the migration fails" test "$rc" != 0
    fi
    mig2_daemon_up || return 1
    check "host B hears that the migrate call returned" mig2_tell 10.99.0.2 "sent $n"
    if [ "$step" = send.memory_sent ]; then
        mig2_a_resumed "$d" "$good" "$ups"
    else
        mig2_a_in_doubt "$d"
    fi
    mig2_case_end "$logn" A "$fails"
}

mig2_crash_a() {
    local c
    check "the link is up (10.99.0.1)" mig2_link 1 || return
    check "host B answers on the link" wait_for 300 ping -c 1 -W 1 10.99.0.2 || return
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=(--migrate-psk-file "$MIG2_PSK")
    pvh_daemon || return
    mig2_guest
    for c in "${MIG2_CASES[@]}"; do
        # shellcheck disable=SC2086 # the case's words
        mig2_crash_a_case $c || break
    done
    xo_daemon_stop
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=()
}

# mig2_b_forgets WHEN: mig2, if it came, is forgotten now that A's
# connection closed before the commit, leaving nothing.
mig2_b_forgets() {
    check "B forgets mig2 (A's connection closed before the commit)" \
        wait_for 120 _xentb_not mig2_defined mig2
    check "no domain mig2 here" sh -c "! xl list | awk '\$1 == \"mig2\"' | grep -q ."
    assert_no_leftovers "host B $1"
}

# mig2_crash_b_case N SIDE FAULT STEP (a line of MIG2_CASES): as on A.
mig2_crash_b_case() {
    local n=$1 side=$2 fault=$3 step=$4 logn fails=${XENTB_FAIL:-0}
    note "$n. fault.migrate_$fault at $step on host ${side^^}"
    logn=$(mig2_log_lines)
    mig2_hear 900 "case $n" >/dev/null
    case $MIG2_HEARD in
        "case $n") ;;
        "skip $n") skip "case $n: host A could not boot its guest"; return 0 ;;
        *) fail "host A's case $n never came (heard '$MIG2_HEARD')"; return 1 ;;
    esac
    if [ "$side" = b ]; then
        check "debug set fault.migrate_$fault $step" xoctl debug set "fault.migrate_$fault" "$step"
    fi
    check "ready for case $n" mig2_tell 10.99.0.1 "ready $n" || return 1
    mig2_hear 1200 "sent $n" >/dev/null
    case $MIG2_HEARD in
        "sent $n") pass "host A's migrate call returned" ;;
        "again $n")
            note "host A runs case $n again (its guest failed its suspend)"
            mig2_daemon_up || return 1
            mig2_case_end "$logn" B "$fails"
            mig2_crash_b_case "$n" "$side" "$fault" "$step"
            return ;;
        *) fail "host A's migrate call never returned (heard '$MIG2_HEARD')"; return 1 ;;
    esac
    if [ "$side" = b ]; then
        [ "$fault" != crash ] || check "xenopsd died at $step (status 99)" mig2_daemon_died 60
        mig2_daemon_up || return 1
        check "mig2 runs here" wait_for 60 xo_power_is mig2 Running
        mig2_b_runs "after case $n"
    else
        mig2_b_forgets "after case $n"
    fi
    mig2_case_end "$logn" B "$fails"
}

mig2_crash_b() {
    local c
    check "the link is up (10.99.0.2)" mig2_link 2 || return
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=(--migrate-psk-file "$MIG2_PSK" --migrate-listen "10.99.0.2:$MIG2_CRASH_PORT")
    pvh_daemon || return
    mig2_guest
    for c in "${MIG2_CASES[@]}"; do
        # shellcheck disable=SC2086 # the case's words
        mig2_crash_b_case $c || break
    done
    xo_daemon_stop
    # shellcheck disable=SC2034 # read by xo_daemon_start
    XO_DAEMON_ARGS=()
}
mig2_defined() { xoctl vm stat "$1" >/dev/null 2>&1; }

# shellcheck disable=SC2034 # read by suite.sh
MIG_SECTIONS=(xo_migrate)
# By name only: xl's half of the localhost comparison (bench/run.sh
# xen-migrate), and two testbeds at once (through twohost.sh).
[ -z "${XENTB_ONLY:-}" ] || MIG_SECTIONS+=(xo_migrate_xl mig2 mig2_crash)
