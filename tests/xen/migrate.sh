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

# The daemon started here (none was running) is stopped here.
section_xo_migrate() {
    local own=
    [ -n "$XO_PID" ] || own=1
    mig_local
    [ -z "$own" ] || [ -z "$XO_PID" ] || check "xenopsd stops on SIGTERM" xo_daemon_stop
}

mig_local() {
    local d d2 n out rc
    pvh_daemon || return
    mig_payload
    printf '{"id": "mig1", "name": "mig1", "type": "pvh", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "/tmp/migp-initrd.gz", "cmdline": "console=hvc0 loglevel=4"}\n' \
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
    d=$(xo_domid mig1)
    out=$(xoctl vm migrate mig1 local 2>&1)
    rc=$?
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
    check "vif$d2.0 is on xenbr0" test -e "/sys/class/net/xenbr0/brif/vif$d2.0"
    check "vm shutdown --force" xoctl vm shutdown mig1 --force
    check "mig1 is gone (xl)" wait_gone mig1 30
    xo_cleanup_vm mig1
    assert_no_leftovers "after the localhost migration"
}

# shellcheck disable=SC2034 # read by suite.sh
MIG_SECTIONS=(xo_migrate)
