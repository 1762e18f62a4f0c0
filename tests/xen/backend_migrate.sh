# shellcheck shell=bash
# tests/xen/backend_migrate.sh - migration at the xen backend's level, before
# the engine and daemon take part: xo_xen_probe --migrate sends a guest with
# domain_send to domain_receive in this dom0 (two threads, a socketpair),
# destroys the source, unpauses the destination; the guest's ticking counter
# (xentb.tick) must continue on the new domain and its largest gap is the
# guest's pause. The same PVH guest migrated by xl gives the figures to
# compare. Sourced by suite.sh; sections listed in BMIG_SECTIONS.

BMIG_PROBE=/usr/local/libexec/xenops/tests/xo_xen_probe

# bmig_probe ARGS...: run the probe, its PASS/FAIL lines become the suite's,
# its METRIC lines TIMING/NOTE lines.
bmig_probe() {
    local line out rc
    out=$(mktemp /tmp/bmig.XXXXXX)
    timeout 900 "$BMIG_PROBE" "$@" >"$out" 2>&1
    rc=$?
    while IFS= read -r line; do
        case $line in
            PASS:*) pass "probe $*: ${line#PASS: }" ;;
            FAIL:*) fail "probe $*: ${line#FAIL: }" ;;
            METRIC*) note "probe $*: ${line#METRIC }" ;;
        esac
    done <"$out"
    if [ "$rc" != 0 ]; then
        fail "probe $* exited with status $rc"
        grep -v '^\(PASS\|FAIL\|METRIC\)' "$out" | tail -n 40 | sed 's/^/  | /'
    fi
    rm -f "$out"
}

section_xo_backend_migrate() {
    check "the probe is installed" test -x "$BMIG_PROBE" || return
    bmig_probe --migrate pvh
    assert_no_leftovers "after the backend's PVH migration"
    bmig_probe --migrate pv
    assert_no_leftovers "after the backend's PV migration"
    # xl's live migration of the same PVH guest (no devices), for comparison.
    BOOT_SECS=$PVH_BOOT_SECS boot xlmig "$(guest_cfg xlmig type=pvh 'extra+=xentb.tick=100')" &&
        mig_local_xl xlmig "PVH 128 MiB, live"
    xlt destroy xlmig >/dev/null 2>&1
    check "xlmig is gone" wait_gone xlmig 30
    assert_no_leftovers "after xl's migration"
}

# Three guest boots and four migrations under TCG: beyond the whole run's
# time limit; run when a selection names it (--only xo_backend_migrate).
BMIG_SECTIONS=()
[ -z "${XENTB_ONLY:-}" ] || BMIG_SECTIONS+=(xo_backend_migrate)
