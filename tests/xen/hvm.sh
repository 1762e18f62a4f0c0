# shellcheck shell=bash
# tests/xen/hvm.sh - HVM guests through xenopsd on the xen backend: hvmloader,
# SeaBIOS and the device model (qemu-xen) booting the testbed's kernel and
# initrd directly; the lifecycle with the PV suite's witnesses plus ps for
# the device model; PV disk and NIC hot-plug; the device model's death; a
# SIGKILL of xenopsd mid-start; start time against xl create of the same
# guest. Sourced by suite.sh; each section is listed in HVM_SECTIONS.

# HVM boots go through the firmware (about 30 s of it under TCG on an idle
# host); a loaded testbed is several times slower: the waits end at the marker.
HVM_BOOT_SECS=600

# dm_pids [DOMID]: the pids of the device models started for that domain
# (all device models without DOMID), from /proc: dom0 has no pgrep.
# No process per entry (dom0 under TCG forks slowly): mapfile reads it.
dm_pids() {
    local p c a
    for p in /proc/[0-9]*; do
        mapfile -d '' -t a 2>/dev/null <"$p/cmdline" || continue
        c="${a[*]} "
        case $c in
            *xen-qemu-system-i386*" -xen-domid ${1:+$1 }"*) echo "${p#/proc/}" ;;
        esac
    done
}
dm_running() { [ -n "$(dm_pids "$1")" ]; }
no_dm() { [ -z "$(dm_pids)" ]; }

# With dm.restrict 1 (docs/hvm.md) the device model runs as
# uid = gid = dm.uid_base (default 131072) + domid, chrooted to dm-root-<domid>.
HVM_DM_UID_BASE=131072
dm_root() { echo "/run/xenops/dm-root-$1"; }
# dm_uid_is DOMID UID: its device model's real and effective uid and gid are UID.
dm_uid_is() {
    local p
    p=$(dm_pids "$1")
    [ -n "$p" ] || return 1
    awk -v u="$2" '/^(Uid|Gid):/ { if ($2 != u || $3 != u) bad = 1; n++ }
                   END { exit (n == 2 && !bad) ? 0 : 1 }' "/proc/$p/status"
}
# dm_restricted DOMID: the options that drop its privileges are on its command line.
dm_restricted() {
    local p
    p=$(dm_pids "$1")
    [ -n "$p" ] || return 1
    tr '\0' '\n' <"/proc/$p/cmdline" | grep -qx -- -xen-domid-restrict &&
        tr '\0' '\n' <"/proc/$p/cmdline" | grep -qx "$(dm_root "$1")" &&
        [ "$(readlink "/proc/$p/root")" = "$(dm_root "$1")" ]
}
dm_root_gone() { [ ! -e "$(dm_root "$1")" ]; }
# dm_has_fdset DOMID SET: its -drive opens /dev/fdset/SET and an -add-fd puts
# a descriptor in that set (what each is now in the process is noted).
dm_has_fdset() {
    local p fd
    p=$(dm_pids "$1")
    [ -n "$p" ] || return 1
    tr '\0' '\n' <"/proc/$p/cmdline" | grep -q "^file=/dev/fdset/$2,if=ide," || return 1
    for fd in $(tr '\0' '\n' <"/proc/$p/cmdline" | sed -n "s/^fd=\([0-9]*\),set=$2,.*/\1/p"); do
        note "domain $1: -add-fd fd=$fd set=$2: $(readlink "/proc/$p/fd/$fd" 2>&1)"
    done
    tr '\0' '\n' <"/proc/$p/cmdline" | grep -q "^fd=[0-9]*,set=$2,"
}

# hvm_dump NAME: what shows why an HVM guest did not come up, in the log.
hvm_dump() {
    local d
    d=$(domid_of "$1")
    {
        echo "----- xl list"; xl list
        echo "----- xenstore console of $1 (domain $d)"
        xenstore-ls -f "/local/domain/$d/console" 2>&1 | head -n 20
        echo "----- serial port of $1"; tail -n 40 "/var/log/xenops/serial-$1.log" 2>&1
        echo "----- device model log of $1"; tail -n 20 "/var/log/xenops/qemu-dm-$1.log" 2>&1
        echo "----- xl's device model log of $1"; tail -n 20 "/var/log/xen/qemu-dm-$1.log" 2>&1
        echo "----- device model processes"; ps -eo pid,stat,args | grep '[q]emu-system' | cut -c1-200
        echo "----- /run/xenops"; ls -ln /run/xenops /run/xenops/dm-root-* 2>&1
        echo "----- console of $1"; tail -n 20 "$(console_log "$1")" 2>&1
        echo "----- xenopsd log"; tail -n 20 "$XO_LOG"
    } 2>&1 | sed 's/^/  | /' >&"$XENTB_OUT"
}

HVM_OWN_DAEMON=
hvm_daemon() {
    [ -z "$XO_PID" ] || return 0
    mkdir -p "$XO_STATE" /run
    check "xenopsd starts on the xen backend (HVM sections)" xo_daemon_start || return 1
    HVM_OWN_DAEMON=1
}

# hvm_define NAME [EXTRA_JSON_FIELDS [EXTRA_CMDLINE]]
hvm_define() {
    local extra=${2:+, $2} cmdline="console=hvc0 loglevel=4${3:+ $3}"
    printf '{"id": "%s", "name": "%s", "type": "hvm", "memory_mib": 128, "vcpus": 1,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "%s"%s}\n' \
        "$1" "$1" "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" "$cmdline" "$extra" >"/tmp/$1.json"
    check "xenopsctl vm add $1 (hvm)" xoctl vm add "/tmp/$1.json"
}

# A daemon the HVM sections started is stopped on every way out: left
# running, it would hold the payload's output open and the testbed would not
# power off.
hvm_section() {
    hvm_daemon || { xo_daemon_stop; HVM_OWN_DAEMON=; return; }
    "$@"
    xoctl debug set dm.restrict '' >/dev/null 2>&1
    [ -z "$HVM_OWN_DAEMON" ] || { xo_daemon_stop; HVM_OWN_DAEMON=; }
}

section_xo_hvm() { hvm_section hvm_lifecycle; }
section_xo_hvm_suspend() { hvm_section hvm_suspend; }

hvm_lifecycle() {
    local d d2 p p2 t n st
    check "debug set dm.restrict 1 (deprivileged device models)" xoctl debug set dm.restrict 1
    hvm_define hvm1 || return
    dd if=/dev/zero of=/tmp/hvm1-disk.img bs=1M count=8 2>/dev/null
    check "vbd add xvdb" xoctl vbd add hvm1 --device xvdb --backend file:/tmp/hvm1-disk.img
    BOOT_SECS=$HVM_BOOT_SECS xo_boot hvm1 || {
        hvm_dump hvm1
        xo_cleanup_vm hvm1
        return
    }
    d=$(xo_domid hvm1)
    check "hvm1 runs as HVM (/sys/hypervisor/guest_type)" wait_console hvm1 'XENTB-GUEST-TYPE HVM([^A-Z]|$)' 10
    check "xl list shows hvm1 as domain $d" sh -c "xl list | awk '\$1 == \"hvm1\" && \$2 == \"$d\"' | grep -q ."
    check "ps: its device model runs (-xen-domid $d)" dm_running "$d"
    p=$(dm_pids "$d")
    check "its device model runs as uid/gid $((HVM_DM_UID_BASE + d))" dm_uid_is "$d" $((HVM_DM_UID_BASE + d))
    check "chrooted to $(dm_root "$d"), -xen-domid-restrict" dm_restricted "$d"
    # What a restricted device model still does with xenstore, for docs/hvm.md.
    note "device-model/$d/state in xenstore: '$(xenstore-read "/local/domain/0/device-model/$d/state" 2>&1)'"
    note "device model log of hvm1: $(tr '\n' '|' </var/log/xenops/qemu-dm-hvm1.log | cut -c1-600)"
    check "xenstore: hvmloader/bios is seabios" xs_is "/local/domain/$d/hvmloader/bios" seabios
    check "the serial port's file exists" test -e /var/log/xenops/serial-hvm1.log
    check "guest got its PV disk (blkfront after unplug)" wait_console hvm1 'XENTB-GUEST-BLOCK-ADDED xvdb sectors=16384' 60

    check "vm pause" xoctl vm pause hvm1
    check "xl shows hvm1 paused" has_flag hvm1 p
    check "vm unpause" xoctl vm unpause hvm1
    check "xl shows hvm1 running again" _xentb_not has_flag hvm1 p
    check "the same device model after pause/unpause" test "$(dm_pids "$d")" = "$p"

    dd if=/dev/zero of=/tmp/hvm1-hot.img bs=1M count=4 2>/dev/null
    check "vbd add xvdc" xoctl vbd add hvm1 --device xvdc --backend file:/tmp/hvm1-hot.img
    check "vbd plug xvdc (hot-plug, PV)" xoctl vbd plug hvm1 xvdc
    check "guest sees xvdc" wait_console hvm1 'XENTB-GUEST-BLOCK-ADDED xvdc sectors=8192' 60
    check "vbd unplug xvdc" xoctl vbd unplug hvm1 xvdc
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    check "vif add 0" xoctl vif add hvm1 --bridge xenbr0 --mac 00:16:3e:00:30:01
    check "vif plug 0 (hot-plug, PV)" xoctl vif plug hvm1 0
    check "guest sees eth0" wait_console hvm1 'XENTB-GUEST-NET-ADDED eth0 mac=00:16:3e:00:30:01' 60
    check "vif unplug 0" xoctl vif unplug hvm1 0

    n=$(console_count hvm1 "$UP")
    t=$(now)
    check "vm reboot (clean, PV drivers)" xoctl vm reboot hvm1 --timeout 60 && timing "hvm vm reboot" "$t"
    check "guest ran its reboot" wait_console hvm1 'XENTB-GUEST-SHUTDOWN reason=reboot' 10
    d2=$(xo_domid hvm1)
    check "a new domain after the reboot ($d -> $d2)" new_domid "$d" "$d2"
    check "the old device model is gone" _xentb_not dm_running "$d"
    check "its chroot directory is removed" dm_root_gone "$d"
    check "the rebooted guest comes up" wait_console_count hvm1 "$UP" $((n + 1)) "$HVM_BOOT_SECS"
    check "a new device model for domain $d2" dm_running "$d2"
    check "it runs as uid/gid $((HVM_DM_UID_BASE + d2))" dm_uid_is "$d2" $((HVM_DM_UID_BASE + d2))
    p2=$(dm_pids "$d2")

    # The device model dies: the domain is crashed (on_crash destroy: Halted).
    kill -9 "$p2"
    check "the device model's death is noticed: Halted" wait_for 60 xo_power_is hvm1 Halted
    check "hvm1 is gone (xl)" wait_gone hvm1 30
    check "it is reported in xenopsd's log" grep -q "device model of domain $d2 .*exited unexpectedly" "$XO_LOG"
    check "its chroot directory is removed" dm_root_gone "$d2"

    # Clean shutdown and forced shutdown, each from a fresh start.
    BOOT_SECS=$HVM_BOOT_SECS xo_boot hvm1 || { xo_cleanup_vm hvm1; return; }
    d=$(xo_domid hvm1)
    t=$(now)
    check "vm shutdown (clean)" xoctl vm shutdown hvm1 --timeout 60 && timing "hvm vm shutdown" "$t"
    check "hvm1 ran its shutdown" wait_console hvm1 'XENTB-GUEST-SHUTDOWN reason=poweroff' 10
    check "xenopsd says Halted" xo_power_is hvm1 Halted
    check "no device model left (ps)" wait_for 10 no_dm
    check "its chroot directory is removed" dm_root_gone "$d"
    # The knob off: the device model runs as root, as before.
    check "debug set dm.restrict 0" xoctl debug set dm.restrict 0
    BOOT_SECS=$HVM_BOOT_SECS xo_boot hvm1 || { xoctl debug set dm.restrict 1; xo_cleanup_vm hvm1; return; }
    d=$(xo_domid hvm1)
    check "dm.restrict 0: its device model runs as root" dm_uid_is "$d" 0
    check "dm.restrict 0: no -xen-domid-restrict, no chroot" _xentb_not dm_restricted "$d"
    check "dm.restrict 0: no chroot directory" dm_root_gone "$d"
    check "debug set dm.restrict 1" xoctl debug set dm.restrict 1
    check "vm shutdown --force" xoctl vm shutdown hvm1 --force
    check "hvm1 is gone (xl)" wait_gone hvm1 30
    BOOT_SECS=$HVM_BOOT_SECS xo_boot hvm1 || { xo_cleanup_vm hvm1; return; }
    check "vm shutdown --force" xoctl vm shutdown hvm1 --force
    check "xenopsd says Halted" xo_power_is hvm1 Halted
    check "hvm1 is gone (xl)" wait_gone hvm1 30
    check "no device model left (ps)" wait_for 10 no_dm
    assert_no_leftovers "after the HVM lifecycle"

    # xenopsd killed mid-start: running with its device model, or halted with none.
    xoctl --no-wait vm start hvm1 >/dev/null
    sleep 3
    kill -9 "$XO_PID"
    wait "$XO_PID" 2>/dev/null
    XO_PID=
    check "xenopsd restarts after kill -9" xo_daemon_start || return
    st=$(xo_power hvm1)
    note "after kill -9 mid-start the HVM VM is $st"
    case $st in
        Running) d=$(xo_domid hvm1)
                 check "its domain is there (xl)" xl domid hvm1
                 check "with its device model (ps)" dm_running "$d"
                 check "still deprivileged (uid $((HVM_DM_UID_BASE + d)))" dm_uid_is "$d" $((HVM_DM_UID_BASE + d))
                 check "and boots" wait_console hvm1 "$UP" "$HVM_BOOT_SECS" ;;
        Halted) check "no orphan domain (xl)" _xentb_not xl domid hvm1
                check "no orphan device model (ps)" wait_for 10 no_dm ;;
        *) fail "VM in state '$st' after recovery" ;;
    esac
    xoctl vm destroy hvm1 >/dev/null 2>&1
    check "no device model left after destroy (ps)" wait_for 10 no_dm
    check "no chroot directory left" sh -c '! ls -d /run/xenops/dm-root-* 2>/dev/null | grep -q .'
    assert_no_leftovers "after kill -9 and recovery (HVM)"
    xo_cleanup_vm hvm1
    xoctl debug set dm.restrict '' >/dev/null 2>&1

    # The same guest with xl, for the start time.
    BOOT_SECS=$HVM_BOOT_SECS boot hvmxl "$(guest_cfg hvmxl type=hvm vnc=0)"
    xlt destroy hvmxl >/dev/null 2>&1
    check "hvmxl is gone" wait_gone hvmxl 30
    assert_no_leftovers "after the HVM sections"
}

# Suspend to a file and resume of an HVM guest, its device model
# deprivileged (dm.restrict 1): the domain's stream and the device model's
# state (QMP stop + xen-save-devices-state; the resumed device model loads
# it with -incoming and takes its disk from the fd set at cont); the guest's
# counter continues, its PV disk reconnects, a new device model serves the
# new domain. No NIC: an HVM guest with a NIC from its first boot does not
# come up reliably on these machines (docs/hvm.md), and one hot-plugged
# before the suspend would get an emulated twin at the resume that the
# saved state does not have.
hvm_suspend() {
    local d d2 n t
    check "debug set dm.restrict 1 (deprivileged device models)" xoctl debug set dm.restrict 1
    hvm_define hvms '' 'xentb.tick=200' || return
    dd if=/dev/zero of=/tmp/hvms-disk.img bs=1M count=8 2>/dev/null
    check "vbd add xvdb" xoctl vbd add hvms --device xvdb --backend file:/tmp/hvms-disk.img
    BOOT_SECS=$HVM_BOOT_SECS xo_boot hvms || {
        hvm_dump hvms
        xo_cleanup_vm hvms
        return
    }
    d=$(xo_domid hvms)
    check "its device model runs as uid/gid $((HVM_DM_UID_BASE + d))" dm_uid_is "$d" $((HVM_DM_UID_BASE + d))
    check "chrooted to $(dm_root "$d"), -xen-domid-restrict" dm_restricted "$d"
    check "its disk is handed over as an fd set (file=/dev/fdset/1)" dm_has_fdset "$d" 1
    check "the guest's counter ticks" wait_for 120 tick_after hvms 3
    check "guest got its PV disk" wait_console hvms 'XENTB-GUEST-BLOCK-ADDED xvdb sectors=16384' 60
    rm -f /tmp/hvms.save
    t=$(now)
    check "vm suspend hvms to a file" xoctl vm suspend hvms /tmp/hvms.save && timing "hvm vm suspend" "$t"
    check "xenopsd says Suspended" xo_power_is hvms Suspended
    check "no domain while suspended" _xentb_not xl domid hvms
    check "no device model while suspended (ps)" wait_for 10 no_dm
    check "the image exists" test -s /tmp/hvms.save
    check "the image holds the device model's state" grep -q XENOPS-DM-STATE /tmp/hvms.save
    n=$(tick_last hvms)
    note "hvms: last tick before resume n=$n; image $(du -k /tmp/hvms.save | cut -f1) KiB"
    t=$(now)
    check "vm resume hvms from the file" xoctl vm resume hvms /tmp/hvms.save && timing "hvm vm resume" "$t"
    check "xenopsd says Running" xo_power_is hvms Running
    d2=$(xo_domid hvms)
    check "a new domain after resume ($d -> $d2)" new_domid "$d" "$d2"
    check "a device model for domain $d2 (ps)" dm_running "$d2"
    check "it runs as uid/gid $((HVM_DM_UID_BASE + d2))" dm_uid_is "$d2" $((HVM_DM_UID_BASE + d2))
    check "chrooted to $(dm_root "$d2"), -xen-domid-restrict" dm_restricted "$d2"
    check "its disk is handed over as an fd set" dm_has_fdset "$d2" 1
    note "device model log of hvms after resume: $(tr '\n' '|' </var/log/xenops/qemu-dm-hvms.log | cut -c1-600)"
    check "the counter continues after resume (past $n)" wait_for 120 tick_after hvms "${n:-0}"
    check "no reboot: the guest came up once" test "$(console_count hvms "$UP")" = 1
    check "xvdb frontend reconnected (state 4)" wait_for 60 sh -c "[ \"\$(xenstore-read /local/domain/$d2/device/vbd/51728/state 2>/dev/null)\" = 4 ]"
    t=$(now)
    check "vm shutdown hvms (clean)" xoctl vm shutdown hvms --timeout 60 && timing "hvm vm shutdown after resume" "$t"
    check "xenopsd says Halted" xo_power_is hvms Halted
    check "hvms is gone (xl)" wait_gone hvms 30
    check "no device model left (ps)" wait_for 10 no_dm
    assert_no_leftovers "after the HVM suspend and resume"
    xo_cleanup_vm hvms
    rm -f /tmp/hvms.save /tmp/hvms-disk.img
}

# CD media of an HVM guest: its CD drive is the device model's emulated IDE
# CD (id xo-ide<index> in QMP). Eject and insert through xenopsctl; the
# device model's query-block (QMP, through xo_xen_probe --qmp), the VBD's
# backend keys in xenstore and VBD.stat must agree. Any file is a CD's media
# for the device model. The guest's boot is not needed for the checks.
HVM_CD_PROBE=/usr/local/libexec/xenops/tests/xo_xen_probe
hvm_qmp() { "$HVM_CD_PROBE" --qmp "/run/xenops/qmp-$1" "$2"; }
# hvm_cd_block DOMID: the query-block entry of the drive xo-ide2 (xvdc).
hvm_cd_block() { hvm_qmp "$1" '{"execute": "query-block"}' | sed 's/}, {"/}\n{"/g' | grep '"device": "xo-ide2"'; }
hvm_cd_has() { hvm_cd_block "$1" | grep -q "$2"; }
hvm_cd_empty() { local e; e=$(hvm_cd_block "$1") && ! printf '%s' "$e" | grep -q '"inserted"'; }
hvm_cd_ro_raw() { local e; e=$(hvm_cd_block "$1") && printf '%s' "$e" | grep -q '"ro": true' && printf '%s' "$e" | grep -q '"drv": "raw"'; }
hvm_cd_dm_pid() { dm_pids "$1" | head -n 1; }
hvm_cd_dm_cmdline() { local p; p=$(hvm_cd_dm_pid "$1") && [ -n "$p" ] && tr '\0' ' ' <"/proc/$p/cmdline"; }
hvm_cd_dm_has() { hvm_cd_dm_cmdline "$1" | grep -q -- "$2"; }
hvm_vbd_json() { xoctl --json vbd stat hvmcd "$1"; }
hvm_vbd_is() { hvm_vbd_json "$1" | grep -q "$2"; }

section_xo_hvm_cd() { hvm_section hvm_cd 0; }
# The same with dm.restrict 1: the device model cannot open a path (its
# chroot, its uid), so its media come as fd sets: -add-fd on its command
# line, QMP add-fd (the descriptor over the socket) for an insert.
section_xo_hvm_cd_restrict() { hvm_section hvm_cd 1; }
# hvm_dm_holds DOMID FILE: its device model has FILE open.
hvm_dm_holds() {
    local p f
    p=$(hvm_cd_dm_pid "$1")
    [ -n "$p" ] || return 1
    for f in /proc/"$p"/fd/*; do
        [ "$(readlink "$f")" = "$2" ] && return 0
    done
    return 1
}

# hvm_cd RESTRICT (0 or 1)
hvm_cd() {
    local d be p r=$1 file_a file_b
    check "debug set dm.restrict $r" xoctl debug set dm.restrict "$r"
    hvm_define hvmcd || return
    dd if=/dev/urandom of=/tmp/hvmcd-a.iso bs=64k count=16 2>/dev/null
    dd if=/dev/urandom of=/tmp/hvmcd-b.iso bs=64k count=32 2>/dev/null
    dd if=/dev/zero of=/tmp/hvmcd-disk.img bs=1M count=8 2>/dev/null
    check "vbd add xvdc (cdrom, file:/tmp/hvmcd-a.iso)" \
        xoctl vbd add hvmcd --device xvdc --kind cdrom --backend file:/tmp/hvmcd-a.iso || return
    check "vbd add xvdb (disk)" xoctl vbd add hvmcd --device xvdb --backend file:/tmp/hvmcd-disk.img
    check "xenopsctl vm start hvmcd" xoctl vm start hvmcd || { hvm_dump hvmcd; xo_cleanup_vm hvmcd; return; }
    d=$(xo_domid hvmcd)
    be=/local/domain/0/backend/vbd/$d/51744
    p=$(hvm_cd_dm_pid "$d")
    check "its device model runs (pid ${p:-none}, -xen-domid $d)" hvm_cd_dm_has "$d" "-xen-domid $d "
    if [ "$r" = 1 ]; then
        file_a=/dev/fdset/2
        check "it runs as uid/gid $((HVM_DM_UID_BASE + d))" dm_uid_is "$d" $((HVM_DM_UID_BASE + d))
        check "the media of xvdc is an fd set (-add-fd fd=N,set=2)" hvm_cd_dm_has "$d" '-add-fd fd=[0-9]*,set=2,'
        check "the device model holds /tmp/hvmcd-a.iso open" hvm_dm_holds "$d" /tmp/hvmcd-a.iso
    else
        file_a=/tmp/hvmcd-a.iso
    fi
    check "the -drive of xvdc has the id xo-ide2" hvm_cd_dm_has "$d" "file=$file_a,if=ide,index=2,media=cdrom,.*id=xo-ide2"
    check "query-block: xo-ide2 holds $file_a" hvm_cd_has "$d" "\"file\": \"$file_a\""
    check "xenstore: params is the file" xs_is "$be/params" /tmp/hvmcd-a.iso
    check "VBD.stat: media present" hvm_vbd_is xvdc '"media_present":true'

    # Refused before anything happens.
    check "insert into a drive with media: refused" _xentb_not xoctl vbd insert hvmcd xvdc file:/tmp/hvmcd-b.iso
    check "eject of a disk: refused" _xentb_not xoctl vbd eject hvmcd xvdb
    check "query-block: still $file_a" hvm_cd_has "$d" "\"file\": \"$file_a\""

    check "vbd eject hvmcd xvdc" xoctl vbd eject hvmcd xvdc
    check "query-block: xo-ide2 has no medium" hvm_cd_empty "$d"
    note "hvmcd: after the eject: $(hvm_cd_block "$d" | grep -o '"tray_open": [a-z]*')"
    check "xenstore: params is empty" xs_is "$be/params" ""
    check "VBD.stat: no media, backend empty" sh -c "xenopsctl --socket $XO_SOCK --json vbd stat hvmcd xvdc | grep '\"media_present\":false' | grep -q '\"backend\":\"\"'"
    check "insert of a missing file: refused" _xentb_not xoctl vbd insert hvmcd xvdc file:/tmp/hvmcd-none.iso
    check "query-block: still no medium" hvm_cd_empty "$d"

    check "vbd insert hvmcd xvdc file:/tmp/hvmcd-b.iso" xoctl vbd insert hvmcd xvdc file:/tmp/hvmcd-b.iso
    if [ "$r" = 1 ]; then
        file_b=$(hvm_cd_block "$d" | grep -o '"file": "/dev/fdset/[0-9]*"')
        note "hvmcd: the inserted media is $file_b"
        check "query-block: xo-ide2 holds an fd set" test -n "$file_b"
        check "the device model holds /tmp/hvmcd-b.iso open" hvm_dm_holds "$d" /tmp/hvmcd-b.iso
        if hvm_dm_holds "$d" /tmp/hvmcd-a.iso; then
            note "hvmcd: the ejected /tmp/hvmcd-a.iso is still open in the device model"
        else
            note "hvmcd: the ejected /tmp/hvmcd-a.iso is closed"
        fi
    else
        check "query-block: xo-ide2 holds hvmcd-b.iso" hvm_cd_has "$d" '"file": "/tmp/hvmcd-b.iso"'
    fi
    check "query-block: read-only, raw" hvm_cd_ro_raw "$d"
    check "query-block: its tray is closed" hvm_cd_has "$d" '"tray_open": false'
    check "xenstore: params is the new file" xs_is "$be/params" /tmp/hvmcd-b.iso
    check "VBD.stat: media present, the new file" sh -c "xenopsctl --socket $XO_SOCK --json vbd stat hvmcd xvdc | grep '\"media_present\":true' | grep -q 'hvmcd-b.iso'"
    check "the device model is the same one (pid $p)" test "$(hvm_cd_dm_pid "$d")" = "$p"
    check "and it runs" test -d "/proc/$p"
    if [ "$r" = 1 ]; then
        note "hvmcd: the guest's boot is not waited for with dm.restrict 1"
    elif wait_console hvmcd "$UP" 300; then
        note "hvmcd: the guest came up ($UP)"
    else
        note "hvmcd: the guest did not reach $UP within 300 s (not needed for the CD checks)"
    fi
    check "vm shutdown --force" xoctl vm shutdown hvmcd --force
    check "its device model is gone (pid $p)" wait_for 10 _xentb_not test -d "/proc/$p"
    check "and its pidfile" _xentb_not test -e "/run/xenops/dm-$d.pid"
    assert_no_leftovers "after the HVM CD section"
    xo_cleanup_vm hvmcd
    rm -f /tmp/hvmcd-a.iso /tmp/hvmcd-b.iso /tmp/hvmcd-disk.img
}

# The same HVM guest through xl alone: on a loaded testbed, whether an HVM
# guest boots at all within the wait, and in what time, for xo_hvm's.
section_xl_hvm() {
    BOOT_SECS=$HVM_BOOT_SECS boot hvmxl "$(guest_cfg hvmxl type=hvm vnc=0)" || hvm_dump hvmxl
    xlt destroy hvmxl >/dev/null 2>&1
    check "hvmxl is gone" wait_gone hvmxl 30
    assert_no_leftovers "after xl's HVM guest"
}

# An HVM guest with a NIC from its first boot (emulated NIC and netfront,
# the emulated one unplugged by the guest's PV drivers), by xenopsd and by
# xl; the kernel also logs to the serial port, which hvm_dump shows.
section_xo_hvm_nic() { hvm_section hvm_nic; }
hvm_nic() {
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    hvm_define hvmn '' 'console=ttyS0 console=hvc0' || return
    check "vif add on xenbr0" xoctl vif add hvmn --bridge xenbr0 --mac 00:16:3e:00:30:05
    if BOOT_SECS=$HVM_BOOT_SECS xo_boot hvmn; then
        check "guest has its NIC (netfront)" wait_console hvmn 'XENTB-GUEST-NET-ADDED eth0 mac=00:16:3e:00:30:05' 60
    else
        hvm_dump hvmn
    fi
    # What the guest's kernel said of its devices (the serial port).
    grep -aiE 'xenbus|netfront|vif|unplug|e1000|8139|platform|eth0|blkfront' \
        /var/log/xenops/serial-hvmn.log 2>/dev/null | head -n 40 | sed 's/^/  | serial: /' >&"$XENTB_OUT"
    d=$(xo_domid hvmn)
    xenstore-ls -f "/local/domain/$d/device/vif" 2>/dev/null | sed 's/^/  | /' >&"$XENTB_OUT"
    xenstore-ls -f "/local/domain/0/backend/vif/$d" 2>/dev/null | sed 's/^/  | /' >&"$XENTB_OUT"
    check "vm shutdown --force hvmn" xoctl vm shutdown hvmn --force
    check "hvmn is gone (xl)" wait_gone hvmn 30
    check "no device model left (ps)" wait_for 10 no_dm
    xo_cleanup_vm hvmn
    BOOT_SECS=$HVM_BOOT_SECS boot hvmnxl "$(guest_cfg hvmnxl type=hvm vnc=0 extra+='console=ttyS0' \
        vif="[ 'bridge=xenbr0,mac=00:16:3e:00:30:06' ]")" || hvm_dump hvmnxl
    xlt destroy hvmnxl >/dev/null 2>&1
    check "hvmnxl is gone" wait_gone hvmnxl 30
    assert_no_leftovers "after the HVM guests with a NIC"
}

# UEFI through xl: hvmloader with Debian's OVMF.fd (libxl's path for
# bios="ovmf" is /usr/share/ovmf/OVMF.fd, from the ovmf package, which the
# testbed image does not carry: give it with --overlay). No disk: OVMF,
# once up, prints its boot manager on the serial port. What is seen is noted,
# for docs/hvm.md; the checks are only that xl starts and stops the guest.
section_xl_hvm_ovmf() {
    local d
    if [ ! -e /usr/share/ovmf/OVMF.fd ]; then
        skip "no /usr/share/ovmf/OVMF.fd in dom0 (run.sh --overlay with Debian's ovmf)"
        return
    fi
    rm -f /tmp/ovmf1-serial.log
    printf '%s\n' 'name = "ovmf1"' 'type = "hvm"' 'bios = "ovmf"' 'memory = 256' 'vcpus = 1' \
        'vnc = 0' 'serial = "file:/tmp/ovmf1-serial.log"' 'on_crash = "preserve"' >/tmp/ovmf1.cfg
    check "xl create ovmf1 (bios=ovmf)" xlt create /tmp/ovmf1.cfg || { xl dmesg | tail -n 30 >&"$XENTB_OUT"; return; }
    d=$(domid_of ovmf1)
    if wait_for "$HVM_BOOT_SECS" grep -aqiE 'BdsDxe|Shell>|UEFI Interactive|Boot000' /tmp/ovmf1-serial.log; then
        note "ovmf1: OVMF reached its boot manager on the serial port"
    else
        note "ovmf1: nothing from OVMF's boot manager within $HVM_BOOT_SECS s"
    fi
    {
        echo "----- xl list"; xl list
        echo "----- Xen console (hvmloader)"; xl dmesg | grep -aiE "HVM$d|hvmloader|ovmf|d$d" | tail -n 40
        echo "----- serial port"; tail -c 3000 /tmp/ovmf1-serial.log 2>&1
        echo "----- device model log"; tail -n 20 /var/log/xen/qemu-dm-ovmf1.log 2>&1
    } 2>&1 | sed 's/^/  | /' >&"$XENTB_OUT"
    xlt destroy ovmf1 >/dev/null 2>&1
    check "ovmf1 is gone" wait_gone ovmf1 30
}

# Opt-in (named with --only) until an HVM guest has booted on the testbed.
HVM_SECTIONS=()
[ -z "${XENTB_ONLY:-}" ] || HVM_SECTIONS+=(xl_hvm xo_hvm xo_hvm_suspend xo_hvm_nic)
[ -z "${XENTB_ONLY:-}" ] || HVM_SECTIONS+=(xl_hvm_ovmf)
[ -z "${XENTB_ONLY:-}" ] || HVM_SECTIONS+=(xo_hvm_cd xo_hvm_cd_restrict)
