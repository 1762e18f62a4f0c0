#!/bin/bash
# tests/xen/suite.sh - the default payload of tests/xen/run.sh, run as root in
# the testbed's dom0. For now a smoke suite that proves the harness with xl,
# Xen's own toolstack: the guest image boots and prints its markers, toolstack
# and guest-initiated poweroff/reboot/crash work, hotplug works, and nothing
# is left behind. The project's own tests (xenopsd/xenopsctl) go in as more
# sections.
#
# A section is a function section_NAME listed in SECTIONS; run.sh --only REGEX
# picks sections by name. Use check/wait_*/timing from lib.sh, and end a
# section that starts guests with assert_no_leftovers.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# xl with a time limit, so that a hang fails one check and not the run.
xlt() { timeout "$XENTB_CMD_TIMEOUT" xl "$@"; }
UP=XENTB-GUEST-UP
# Under TCG a guest takes 15-25 s from xl create to its marker.
BOOT_SECS=180

# has_flag NAME FLAG: xl shows FLAG (r b p s c d) in NAME's state.
has_flag() { case $(domain_state "$1") in *"$2"*) return 0 ;; esac; return 1; }
new_domid() { [ -n "$2" ] && [ "$2" != "$1" ]; }
# libs_resolve FILE: ldd finds every shared library FILE needs.
libs_resolve() {
    local out
    out=$(ldd "$1" 2>&1) || { echo "$out"; return 1; }
    ! grep 'not found' <<<"$out"
}
xs_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }

# boot NAME CFG: xl create and wait for the guest's marker, with a timing.
boot() {
    local t
    t=$(now)
    check "xl create $1" xlt create "$2" || return 1
    check "$1 boots ($UP on its console)" wait_console "$1" "$UP" "$BOOT_SECS" || return 1
    timing "xl create $1 -> $UP" "$t"
}

# --- sections --------------------------------------------------------------

section_host() {
    check "xl info" sh -c 'xl info >/tmp/xl-info'
    grep -E '^(xen_version|xen_caps|nr_cpus|total_memory|free_memory)' /tmp/xl-info
    check "Xen is 4.17" grep -qE '^xen_version +: 4\.17' /tmp/xl-info
    # shellcheck disable=SC2016  # awk's $1, not the shell's
    check "at least 512 MB free for guests" \
        awk '$1 == "free_memory" { exit !($3 >= 512) }' /tmp/xl-info
    check "xenstore: /local/domain/0/name is Domain-0" xs_is /local/domain/0/name Domain-0
    check "xenconsoled running" pidof xenconsoled
    check "only Domain-0 at start" leftovers
}

section_staged() {
    # run.sh --debs: the packages, under /usr; otherwise a build under /usr/local.
    local libs=() f prefix=${XENTB_PREFIX:-/usr/local} progs='*'
    [ "$prefix" = /usr/local ] || progs='xenops*'
    for f in "$prefix"/lib/libxenops.so* "$prefix"/lib/*/libxenops.so*; do
        [ -e "$f" ] && libs+=("$f")
    done
    if [ ${#libs[@]} -eq 0 ]; then
        skip "staged project: no libxenops in $prefix (nothing was built/staged)"
        return
    fi
    note "staged: ${libs[*]}"
    check "libxenops is in the loader's cache" sh -c 'ldconfig -p | grep -q "libxenops\.so"'
    # shellcheck disable=SC2086  # $progs is a glob
    for f in "$prefix"/bin/$progs "$prefix"/sbin/$progs "${libs[@]}"; do
        if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
        head -c 4 "$f" | grep -q ELF || continue
        check "all libraries of ${f#"$prefix"/} resolve" libs_resolve "$f"
    done
}

section_xl_lifecycle() {
    local uuid=6b1d2a3c-0000-4000-8000-00000000e001 cfg domid
    # A /guest-payload.sh added to the initrd at run time.
    mkdir -p /tmp/g1-extra
    cat >/tmp/g1-extra/guest-payload.sh <<'EOF'
#!/bin/sh
echo "XENTB-GUEST-PAYLOAD-RAN"
EOF
    chmod +x /tmp/g1-extra/guest-payload.sh
    guest_initrd_with /tmp/g1-extra /tmp/g1-initrd.gz
    cfg=$(guest_cfg g1 ramdisk=/tmp/g1-initrd.gz uuid=$uuid)
    boot g1 "$cfg" || return
    domid=$(domid_of g1)
    check "guest sees its uuid" wait_console g1 "$UP .*uuid=$uuid" 5
    check "guest ran /guest-payload.sh" wait_console g1 XENTB-GUEST-PAYLOAD-RAN 30
    check "xenstore: /local/domain/$domid/name is g1" xs_is "/local/domain/$domid/name" g1
    check "guest kernel wrote control/feature-poweroff" \
        xs_is "/local/domain/$domid/control/feature-poweroff" 1

    check "xl pause g1" xlt pause g1
    check "g1 is paused" has_flag g1 p
    check "xl unpause g1" xlt unpause g1
    check "g1 runs again" _xentb_not has_flag g1 p

    local t
    t=$(now)
    dd if=/dev/zero of=/tmp/g1-disk.img bs=1M count=8 2>/dev/null
    check "xl block-attach g1 file as xvdb" \
        xlt block-attach g1 format=raw,vdev=xvdb,access=rw,target=/tmp/g1-disk.img
    check "guest sees xvdb" wait_console g1 'XENTB-GUEST-BLOCK-ADDED xvdb sectors=16384 ro=0' 60 &&
        timing "block-attach -> guest sees xvdb" "$t"
    check "xl block-detach g1 xvdb" xlt block-detach g1 xvdb
    check "guest loses xvdb" wait_console g1 'XENTB-GUEST-DEV-REMOVED xvdb' 60

    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    t=$(now)
    check "xl network-attach g1 on xenbr0" xlt network-attach g1 bridge=xenbr0 mac=00:16:3e:00:00:01
    check "guest sees eth0" wait_console g1 'XENTB-GUEST-NET-ADDED eth0 mac=00:16:3e:00:00:01' 60 &&
        timing "network-attach -> guest sees eth0" "$t"
    check "vif$domid.0 is on xenbr0" test -e "/sys/class/net/xenbr0/brif/vif$domid.0"
    check "xl network-detach g1 0" xlt network-detach g1 0
    check "guest loses eth0" wait_console g1 'XENTB-GUEST-DEV-REMOVED eth0' 60

    t=$(now)
    check "xl shutdown -w g1" xlt shutdown -w g1
    check "guest ran its shutdown actions" wait_console g1 'XENTB-GUEST-SHUTDOWN reason=poweroff' 10
    check "g1 is gone" wait_gone g1 30
    timing "xl shutdown -w g1" "$t"
    assert_no_leftovers "after xl shutdown"
}

# The guest powers itself off: with on_poweroff=preserve (and destroy for
# reboot and crash) the domain stays, shut down, only if the reason Xen
# recorded was poweroff.
section_guest_poweroff() {
    local cfg
    cfg=$(guest_cfg g2 on_poweroff=preserve extra+=xentb.action=poweroff-after=2)
    boot g2 "$cfg" || return
    check "guest runs poweroff -f" wait_console g2 'XENTB-GUEST-ACTION poweroff' 30
    check "g2 shut down for poweroff (preserved)" wait_for 30 has_flag g2 s
    check "g2 did not crash" _xentb_not has_flag g2 c
    check "xl destroy g2" xlt destroy g2
    check "g2 is gone" wait_gone g2 30
    assert_no_leftovers "after guest poweroff"
}

# The guest reboots itself; on_reboot=preserve keeps it only for that reason.
section_guest_reboot() {
    local cfg
    cfg=$(guest_cfg g3 on_reboot=preserve extra+=xentb.action=reboot-after=2)
    boot g3 "$cfg" || return
    check "guest runs reboot -f" wait_console g3 'XENTB-GUEST-ACTION reboot' 30
    check "g3 shut down for reboot (preserved)" wait_for 30 has_flag g3 s
    check "xl destroy g3" xlt destroy g3
    check "g3 is gone" wait_gone g3 30
    assert_no_leftovers "after guest reboot"
}

# The toolstack asks for a reboot (control/shutdown = reboot); xl restarts the
# domain (on_reboot=restart): a second boot under a new domid.
section_xl_reboot() {
    local cfg d1 d2 t
    cfg=$(guest_cfg g4 on_reboot=restart)
    boot g4 "$cfg" || return
    d1=$(domid_of g4)
    t=$(now)
    check "xl reboot g4" xlt reboot g4
    check "guest rebooted through init" wait_console g4 'XENTB-GUEST-SHUTDOWN reason=reboot' 60
    check "g4 boots again" wait_console_count g4 "$UP" 2 "$BOOT_SECS" &&
        timing "xl reboot g4 -> $UP" "$t"
    d2=$(domid_of g4)
    check "g4 has a new domid ($d1 -> $d2)" new_domid "$d1" "$d2"
    check "old domain $d1 is gone" wait_domid_gone "$d1" 30
    check "xl destroy g4" xlt destroy g4
    check "g4 is gone" wait_gone g4 30
    assert_no_leftovers "after xl reboot"
}

# The guest kernel panics; on_crash=preserve keeps it, marked crashed.
section_guest_crash() {
    local cfg
    cfg=$(guest_cfg g5 on_crash=preserve extra+=xentb.action=crash-after=2)
    boot g5 "$cfg" || return
    check "guest triggers a panic" wait_console g5 'XENTB-GUEST-ACTION crash' 30
    check "g5 crashed (preserved)" wait_for 60 has_flag g5 c
    check "xl destroy g5" xlt destroy g5
    check "g5 is gone" wait_gone g5 30
    assert_no_leftovers "after guest crash"
}

# The testbed itself: dom0 programs must not crash while guests and dom0
# compete for the CPUs, so that Xen keeps switching between their vCPUs.
# (With qemu's "-cpu max" and XSAVE they did: see README.md, "Gotchas".)
section_testbed_stable() {
    local cfg crashes=0 n=0 rc spin1 spin2 end
    mkdir -p /tmp/busy
    printf '#!/bin/sh\nwhile :; do :; done\n' >/tmp/busy/guest-payload.sh
    chmod +x /tmp/busy/guest-payload.sh
    guest_initrd_with /tmp/busy /tmp/busy-initrd.gz
    cfg=$(guest_cfg busy ramdisk=/tmp/busy-initrd.gz vcpus=2)
    boot busy "$cfg" || return
    sh -c 'while :; do :; done' &
    spin1=$!
    sh -c 'while :; do :; done' &
    spin2=$!
    end=$(($(_xentb_cs) + 4000))
    while [ "$(_xentb_cs)" -lt "$end" ]; do
        n=$((n + 1))
        grep -q root /etc/passwd
        rc=$?
        [ "$rc" -le 1 ] || crashes=$((crashes + 1))
        xenstore-read /local/domain/0/name >/dev/null || crashes=$((crashes + 1))
    done
    kill "$spin1" "$spin2"
    wait "$spin1" "$spin2" 2>/dev/null
    check "$((2 * n)) dom0 processes beside busy vCPUs: $crashes crashed" test "$crashes" = 0
    check "xl destroy busy" xlt destroy busy
    check "busy is gone" wait_gone busy 30
    assert_no_leftovers "after the busy guest"
}

SECTIONS=(host staged testbed_stable)
# xl's own lifecycle on the testbed (the guest image, its markers, the
# testbed itself): by name only (--only 'xl_|guest_'); the xo_* and pvh_*
# sections check the same events through xenopsd in every run.
[ -z "${XENTB_ONLY:-}" ] || SECTIONS+=(xl_lifecycle guest_poweroff guest_reboot xl_reboot guest_crash)

# The project's own tests: guests driven through xenopsd and xenopsctl.
# shellcheck source=xenops.sh
. "$(dirname "$0")/xenops.sh"
SECTIONS+=("${XO_SECTIONS[@]}")
# PVH guests and GRUB boot through xenopsd.
# shellcheck source=pvh.sh
. "$(dirname "$0")/pvh.sh"
SECTIONS+=("${PVH_SECTIONS[@]}")
# Scheduler weight, cap and vCPU affinity through xenopsd.
# shellcheck source=sched.sh
. "$(dirname "$0")/sched.sh"
SECTIONS+=("${SCHED_SECTIONS[@]}")
# A running guest resized, watched and reached through xenopsd.
# shellcheck source=running.sh
. "$(dirname "$0")/running.sh"
SECTIONS+=("${RUNNING_SECTIONS[@]}")
# HVM guests (firmware and device model) through xenopsd.
# shellcheck source=hvm.sh
. "$(dirname "$0")/hvm.sh"
SECTIONS+=("${HVM_SECTIONS[@]}")
# Migration at the xen backend's level (domain_send, domain_receive).
# shellcheck source=backend_migrate.sh
. "$(dirname "$0")/backend_migrate.sh"
SECTIONS+=("${BMIG_SECTIONS[@]}")
# Localhost migration through xenopsd.
# shellcheck source=migrate.sh
. "$(dirname "$0")/migrate.sh"
SECTIONS+=("${MIG_SECTIONS[@]}")

for s in "${SECTIONS[@]}"; do
    run_section "$s"
done
# A selection (--only) without the section that stops xenopsd (xo_stop,
# pvh_stop) leaves it running, and it holds the payload's output (it
# inherited fd XENTB_OUT): the run would then wait for its timeout.
if [ -n "$XO_PID" ]; then
    note "stopping the xenopsd that the selected sections left running"
    xo_daemon_stop
fi
assert_no_leftovers "end of suite"
# rerun_regex: a --only REGEX that runs the failed sections again, with the
# sections they need (the xo_* sections share the daemon that xo_daemon
# starts and xo_stop stops; the others start their own). Fails when a check
# outside every section failed: only a whole run repeats that.
rerun_regex() {
    local s x list=() xo=0
    while read -r s; do
        [ "$s" != '(outside sections)' ] || return 1
        list+=("$s")
        for x in "${XO_SECTIONS[@]}"; do [ "$s" != "$x" ] || xo=1; done
    done < <(failed_sections)
    [ "$xo" = 0 ] || list=(xo_daemon "${list[@]}" xo_stop)
    (IFS='|'; echo "^(${list[*]})\$")
}
if [ "$XENTB_FAIL" != 0 ]; then
    dump_logs
    # .ci/run reads this line to run the failed sections once more.
    if re=$(rerun_regex); then echo "xentb-rerun: $re"; fi
fi
summary
