# shellcheck shell=bash
# tests/xen/pvh.sh - PVH guests through xenopsd on the xen backend: direct
# boot with 1 and 2 vCPUs (the guest reports its CPU count and its type),
# a kernel without a PVH entry point refused before any domain exists, and
# the start time against xl create of the same guest. Sourced by suite.sh
# after xenops.sh; each section_pvh_* is listed in PVH_SECTIONS.

PVH_OWN_DAEMON=

# The xenopsd sections may have run (and stopped it) or not (--only).
pvh_daemon() {
    [ -z "$XO_PID" ] || return 0
    mkdir -p "$XO_STATE" /run
    check "xenopsd starts on the xen backend (PVH sections)" xo_daemon_start || return 1
    PVH_OWN_DAEMON=1
}

# pvh_define NAME TYPE VCPUS [EXTRA_JSON_FIELDS]: the testbed's guest kernel.
pvh_define() {
    local extra=${4:+, $4}
    printf '{"id": "%s", "name": "%s", "type": "%s", "memory_mib": 128, "vcpus": %s,
      "kernel": "%s", "ramdisk": "%s", "cmdline": "console=hvc0 loglevel=4"%s}\n' \
        "$1" "$1" "$2" "$3" "$XENTB_GUEST_KERNEL" "$XENTB_GUEST_INITRD" "$extra" >"/tmp/$1.json"
    check "xenopsctl vm add $1 ($2, $3 vCPUs)" xoctl vm add "/tmp/$1.json"
}

# pvh_up NAME VCPUS TYPE: the guest's own report, and xenstore's view of the rings.
pvh_up() {
    local d
    check "$1 reports $2 CPUs (nproc)" wait_console "$1" "$UP .* vcpus=$2 " 10
    check "$1 runs as $3 (/sys/hypervisor/guest_type)" wait_console "$1" "XENTB-GUEST-TYPE $3\$" 10
    d=$(xo_domid "$1")
    check "xl list shows $1 as domain $d" sh -c "xl list | awk '\$1 == \"$1\" && \$2 == \"$d\"' | grep -q ."
}

section_pvh_direct() {
    local n d t
    pvh_daemon || return
    for n in 1 2; do
        pvh_define "pvh$n" pvh "$n" || return
        xo_boot "pvh$n" || { xo_cleanup_vm "pvh$n"; return; }
        pvh_up "pvh$n" "$n" PVH
        d=$(xo_domid "pvh$n")
        # Translated guest: the rings are the special pages, named by guest frame.
        check "xenstore: store/ring-ref is the special gfn 0xfeffc" \
            xs_is "/local/domain/$d/store/ring-ref" $((0xfeffc))
        check "xenstore: console/ring-ref is the special gfn 0xfefff" \
            xs_is "/local/domain/$d/console/ring-ref" $((0xfefff))
        t=$(now)
        check "vm shutdown pvh$n (clean)" xoctl vm shutdown "pvh$n" --timeout 60 &&
            timing "pvh vm shutdown" "$t"
        check "pvh$n ran its shutdown" wait_console "pvh$n" 'XENTB-GUEST-SHUTDOWN reason=poweroff' 10
        check "xenopsd says Halted" xo_power_is "pvh$n" Halted
        check "pvh$n is gone (xl)" wait_gone "pvh$n" 30
        xo_cleanup_vm "pvh$n"
    done
    # The same guest with xl, for the start time.
    boot pvhxl "$(guest_cfg pvhxl type=pvh)" && check "xl destroy pvhxl" xlt destroy pvhxl
    check "pvhxl is gone" wait_gone pvhxl 30
    assert_no_leftovers "after the PVH direct boots"
}

section_pvh_refused() {
    pvh_daemon || return
    # An ELF without Xen's notes: no PVH entry point.
    printf '{"id": "nopvh", "type": "pvh", "memory_mib": 64, "kernel": "/bin/busybox"}\n' >/tmp/nopvh.json
    check "vm add nopvh" xoctl vm add /tmp/nopvh.json
    check_fails "vm start of a kernel without PVH entry point fails" xoctl vm start nopvh
    check "the error names the entry point" \
        sh -c "xoctl vm start nopvh 2>&1 | grep -q 'no PVH entry point'"
    check "xenopsd says Halted" xo_power_is nopvh Halted
    check "no domain was created" leftovers
    xo_cleanup_vm nopvh
}

section_pvh_stop() {
    [ -n "$PVH_OWN_DAEMON" ] || return 0
    check "xenopsd stops on SIGTERM" xo_daemon_stop
    tail -n 30 "$XO_LOG"
}

PVH_SECTIONS=(pvh_direct pvh_refused pvh_stop)
