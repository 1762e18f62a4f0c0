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

# xl's live migration of the same PVH guest in this dom0, for comparison.
bmig_xl() {
    local t0 n0 gap total
    BOOT_SECS=$PVH_BOOT_SECS boot xlmig "$(guest_cfg xlmig type=pvh 'extra+=xentb.tick=100')" || return
    check "xlmig's counter ticks" wait_for 120 tick_after xlmig 20
    n0=$(tick_last xlmig)
    t0=$(now)
    check "xl migrate -s '' xlmig 'xl migrate-receive' (localhost, live)" \
        timeout 600 xl migrate -s '' xlmig 'xl migrate-receive'
    total=$(elapsed "$t0")
    check "xlmig's counter continues after xl's migration" wait_for 60 tick_after xlmig--incoming "$((n0 + 20))"
    # xl's receiver runs the guest as xlmig--incoming: xenconsoled logs it apart.
    gap=$(cat "$(console_log xlmig)" "$(console_log xlmig--incoming)" 2>/dev/null |
        sed -n 's/.*XENTB-GUEST-TICK n=\([0-9]*\) t=.* up=\([0-9.]*\).*/\1 \2/p' | sort -n |
        awk -v from="$n0" '$1 >= from { if (seen && $2 - t > g) g = $2 - t; t = $2; seen = 1 }
                           END { printf "%.2f\n", g }')
    note "xl migrate PVH 128 MiB: total ${total} s, largest gap between ticks ${gap} s"
    echo "TIMING: xl migrate pvh (localhost): ${total}s"
    xlt destroy xlmig >/dev/null 2>&1
    check "xlmig is gone" wait_gone xlmig 30
}

section_xo_backend_migrate() {
    check "the probe is installed" test -x "$BMIG_PROBE" || return
    bmig_probe --migrate pvh
    assert_no_leftovers "after the backend's PVH migration"
    bmig_probe --migrate pv
    assert_no_leftovers "after the backend's PV migration"
    bmig_xl
    assert_no_leftovers "after xl's migration"
}

# Three guest boots and four migrations under TCG: beyond the whole run's
# time limit; run when a selection names it (--only xo_backend_migrate).
BMIG_SECTIONS=()
[ -z "${XENTB_ONLY:-}" ] || BMIG_SECTIONS+=(xo_backend_migrate)
