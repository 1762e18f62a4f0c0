# shellcheck shell=bash
# tests/xen/lib.sh - helpers for payloads that tests/xen/run.sh runs in the
# testbed's dom0 (as root, bash, cwd /xentb, where this file is too):
#
#     . /xentb/lib.sh
#
# Reporting  check DESC CMD...    PASS/FAIL line from CMD's status (its output
#                                 is shown only when it fails)
#            check_fails DESC CMD...  the same, passing when CMD fails
#            pass/fail/skip/note MSG; summary (prints "N passed, M failed")
# Sections   run_section NAME [FUNCTION]  (XENTB_ONLY=REGEX selects sections)
# Waiting    wait_for SECS CMD...; wait_console NAME REGEX SECS;
#            wait_console_count NAME REGEX N SECS; wait_gone NAME SECS;
#            wait_domid_gone DOMID SECS
# Timing     now; elapsed START; timing LABEL START
# Domains    domid_of NAME; domain_state NAME; guest_cfg NAME [KEY=VAL|KEY+=VAL...];
#            guest_initrd_with DIR OUT; console_log NAME; console_count NAME REGEX
# Hygiene    leftovers; assert_no_leftovers [WHEN]; destroy_all_guests; dump_logs
#
# Guest kernel and initrd made by the image (see tests/xen/README.md for the
# markers the guest prints on its console):
XENTB_GUEST_KERNEL=/guest/vmlinuz
XENTB_GUEST_INITRD=/guest/initrd.gz
# xenconsoled writes every guest's console to guest-<name>.log here.
XENTB_CONSOLE_DIR=/var/log/xen/console
# Wrap toolstack commands in this so that a hang fails one check, not the run.
XENTB_CMD_TIMEOUT=${XENTB_CMD_TIMEOUT:-120}

XENTB_PASS=0
XENTB_FAIL=0
XENTB_SKIP=0
# The section running now, and the failed checks as "SECTION: what" lines
# (the summary repeats them: CI shows only the end of a long run).
XENTB_SECTION='(outside sections)'
XENTB_FAILED=()

# --- reporting -------------------------------------------------------------

# Result lines go to the payload's stdout as it was when this file was
# sourced, so that "helper >/dev/null" or a check inside a checked function
# cannot hide them from run.sh.
exec {XENTB_OUT}>&1
pass() { XENTB_PASS=$((XENTB_PASS + 1)); echo "PASS: $*" >&"$XENTB_OUT"; }
fail() {
    XENTB_FAIL=$((XENTB_FAIL + 1))
    XENTB_FAILED+=("$XENTB_SECTION: $*")
    echo "FAIL: $*" >&"$XENTB_OUT"
}
# failed_sections: the names of the sections with a failed check, one per
# line, in the order they ran ("(outside sections)" for a check outside any).
failed_sections() {
    local f
    for f in "${XENTB_FAILED[@]}"; do echo "${f%%: *}"; done | awk '!seen[$0]++'
}
skip() { XENTB_SKIP=$((XENTB_SKIP + 1)); echo "SKIP: $*" >&"$XENTB_OUT"; }
note() { echo "NOTE: $*" >&"$XENTB_OUT"; }

# check DESC CMD...: run CMD; PASS if it succeeds, else FAIL plus the end of
# its output. Returns CMD's status, so "check ... || return" works.
# text_has VAR [-E] PATTERN...: the text in variable VAR has a line that
# matches each PATTERN (grep; -E for extended patterns). The text is never
# pasted into a command line, so quotes in it cannot break the check.
text_has() {
    local _th_text=${!1} _th_flag='' _th_p
    shift
    if [ "$1" = -E ]; then _th_flag=-E; shift; fi
    for _th_p in "$@"; do
        grep -q $_th_flag -e "$_th_p" <<<"$_th_text" || { echo "no line matches: $_th_p"; return 1; }
    done
}

check() {
    # Prefixed locals: a checked function reading a caller's variable by
    # name (text_has VAR) must not find these instead.
    local _ck_what=$1 _ck_out _ck_rc
    shift
    _ck_out=$(mktemp /tmp/xentb-check.XXXXXX)
    "$@" >"$_ck_out" 2>&1
    _ck_rc=$?
    if [ "$_ck_rc" = 0 ]; then
        pass "$_ck_what"
    else
        fail "$_ck_what (status $_ck_rc: $*)"
        tail -n 20 "$_ck_out" | sed 's/^/  | /' >&"$XENTB_OUT"
    fi
    rm -f "$_ck_out"
    return "$_ck_rc"
}

# check_fails DESC CMD...: PASS if CMD fails.
check_fails() {
    local what=$1
    shift
    check "$what" _xentb_not "$@"
}
_xentb_not() { ! "$@"; }

# summary: the failed checks with their sections (if any), "K skipped" (if
# any), then "N passed, M failed"; status 1 if any failed.
summary() {
    local f
    for f in "${XENTB_FAILED[@]}"; do echo "failed in $f"; done
    [ "$XENTB_SKIP" = 0 ] || echo "$XENTB_SKIP skipped"
    echo "$XENTB_PASS passed, $XENTB_FAIL failed"
    [ "$XENTB_FAIL" = 0 ]
}

# run_section NAME [FUNCTION]: run FUNCTION (default section_NAME) under a
# "== NAME" header with its duration, unless XENTB_ONLY (run.sh --only) is set
# and does not match NAME. Domains a section leaves behind are destroyed
# afterwards so that the next section starts clean.
run_section() {
    local name=$1 fn=${2:-section_$1} t
    if [ -n "${XENTB_ONLY:-}" ] && ! [[ $name =~ $XENTB_ONLY ]]; then
        return 0
    fi
    echo "== $name"
    t=$(now)
    XENTB_SECTION=$name
    "$fn"
    XENTB_SECTION='(outside sections)'
    if [ -n "$(_xentb_guests)" ]; then
        note "section $name left domains behind; destroying them"
        destroy_all_guests
    fi
    timing "section $name" "$t"
}

# --- time ------------------------------------------------------------------

# now: seconds since dom0 booted ("123.45").
now() { local u _; read -r u _ </proc/uptime; echo "$u"; }
_xentb_cs() { local u _; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u)); }
# elapsed START: seconds since START (a now value), e.g. "12.34".
elapsed() {
    local s=${1/./} e
    e=$(($(_xentb_cs) - 10#$s))
    printf '%d.%02d\n' $((e / 100)) $((e % 100))
}
# timing LABEL START: print "TIMING: LABEL: 12.34s".
timing() { echo "TIMING: $1: $(elapsed "$2")s"; }

# --- waiting ---------------------------------------------------------------

# wait_for SECS CMD...: run CMD every 0.2s until it succeeds (status 0) or
# SECS have passed (status 1).
wait_for() {
    local end=$(($(_xentb_cs) + $1 * 100))
    shift
    while :; do
        "$@" >/dev/null 2>&1 && return 0
        [ "$(_xentb_cs)" -lt "$end" ] || return 1
        sleep 0.2
    done
}

console_log() { echo "$XENTB_CONSOLE_DIR/guest-$1.log"; }
# console_count NAME REGEX: how many lines of NAME's console match REGEX.
console_count() { grep -acE "$2" "$(console_log "$1")" 2>/dev/null || true; }
_xentb_count_ge() { [ "$(console_count "$1" "$2")" -ge "$3" ]; }

# wait_console NAME REGEX SECS: until guest NAME's console has a line matching REGEX.
wait_console() { wait_for "$3" grep -aqE "$2" "$(console_log "$1")"; }
# wait_console_count NAME REGEX N SECS: until N lines match (e.g. a 2nd boot).
wait_console_count() { wait_for "$4" _xentb_count_ge "$1" "$2" "$3"; }

# domid_of NAME: the domain id of NAME (per xl), status 1 if there is none.
domid_of() { xl domid "$1" 2>/dev/null; }
# domain_state NAME|DOMID: xl's state flags, e.g. "-b----" (r running,
# b blocked, p paused, s shut down, c crashed, d dying).
domain_state() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }

# wait_gone NAME SECS: until no domain is called NAME.
wait_gone() { wait_for "$2" _xentb_not xl domid "$1"; }
# wait_domid_gone DOMID SECS: until the hypervisor has no domain DOMID
# (dying and zombie domains count as present).
wait_domid_gone() { wait_for "$2" _xentb_not _xentb_has_domid "$1"; }
_xentb_has_domid() { xl list | awk -v id="$1" 'NR > 1 && $2 == id { f = 1 } END { exit !f }'; }

# --- guests ----------------------------------------------------------------

# guest_cfg NAME [KEY=VALUE | KEY+=VALUE ...]: write an xl config for a PV
# guest of the testbed kernel and initrd to /tmp/NAME.cfg and print its path.
# KEY=VALUE replaces a default, KEY+=VALUE appends " VALUE" to a string (the
# kernel command line is "extra"). Values are quoted unless they are numbers
# or already quoted/bracketed: guest_cfg g1 memory=256 on_reboot=restart
# extra+=xentb.action=poweroff-after=5
guest_cfg() {
    local name=$1 kv k v f
    shift
    local -A c=([name]=$name [type]=pv [kernel]=$XENTB_GUEST_KERNEL
                [ramdisk]=$XENTB_GUEST_INITRD [extra]="console=hvc0 loglevel=4"
                [memory]=128 [vcpus]=1 [on_poweroff]=destroy [on_reboot]=destroy
                [on_crash]=destroy)
    local -a order=(name type kernel ramdisk extra memory vcpus on_poweroff on_reboot on_crash)
    for kv in "$@"; do
        k=${kv%%=*}
        v=${kv#*=}
        if [ "${k%+}" != "$k" ]; then
            k=${k%+}
            v="${c[$k]:+${c[$k]} }$v"
        fi
        [ -n "${c[$k]+set}" ] || order+=("$k")
        c[$k]=$v
    done
    f=/tmp/$name.cfg
    : >"$f"
    for k in "${order[@]}"; do
        v=${c[$k]}
        case $v in
            '' | *[!0-9]* ) case $v in \"* | \[*) ;; *) v="\"$v\"" ;; esac ;;
        esac
        echo "$k = $v" >>"$f"
    done
    echo "$f"
}

# guest_initrd_with DIR OUT: OUT = the guest initrd plus DIR's files (e.g. an
# executable /guest-payload.sh, which the guest starts after boot).
guest_initrd_with() {
    local dir=$1 out=$2
    {
        cat "$XENTB_GUEST_INITRD"
        (cd "$dir" && find . -mindepth 1 | cpio -o -H newc -R 0:0 2>/dev/null | gzip -1)
    } >"$out"
}

# --- hygiene ---------------------------------------------------------------

_xentb_guests() { xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" { print $2 }'; }
_xentb_children() { xenstore-list "$1" 2>/dev/null | sort; }

# What dom0 has before any test ran (xen-init-dom0 writes some of it).
XENTB_BASE_VM=$(_xentb_children /vm | tr '\n' ' ')
XENTB_BASE_LIBXL=$(_xentb_children /libxl | tr '\n' ' ')

# leftovers: print what a clean toolstack should have removed once every
# guest is gone, and fail if there is any: domains other than Domain-0
# (including dying/zombie ones), /local/domain/<id> other than 0, device
# backend entries in dom0, /vm/<uuid> and /libxl/<domid> entries beyond
# those at start, vif network interfaces.
leftovers() {
    local bad=0 x t
    for x in $(_xentb_guests); do
        echo "domain: $(xl list | awk -v id="$x" 'NR > 1 && $2 == id')"
        bad=1
    done
    for x in $(_xentb_children /local/domain); do
        [ "$x" = 0 ] || { echo "xenstore: /local/domain/$x"; bad=1; }
    done
    for t in $(_xentb_children /local/domain/0/backend); do
        for x in $(_xentb_children "/local/domain/0/backend/$t"); do
            echo "xenstore: /local/domain/0/backend/$t/$x"
            bad=1
        done
    done
    for x in $(_xentb_children /vm); do
        case " $XENTB_BASE_VM " in *" $x "*) ;; *) echo "xenstore: /vm/$x"; bad=1 ;; esac
    done
    for x in $(_xentb_children /libxl); do
        case " $XENTB_BASE_LIBXL " in *" $x "*) ;; *) echo "xenstore: /libxl/$x"; bad=1 ;; esac
    done
    for x in /sys/class/net/vif*; do
        [ -e "$x" ] || continue
        echo "interface: ${x##*/}"
        bad=1
    done
    return "$bad"
}

# assert_no_leftovers [WHEN]: leftovers as one check.
assert_no_leftovers() { check "no leftover domains, xenstore entries or vifs${1:+ ($1)}" leftovers; }

# destroy_all_guests: xl destroy every domain but dom0 (between sections).
destroy_all_guests() {
    local d
    for d in $(_xentb_guests); do
        timeout "$XENTB_CMD_TIMEOUT" xl destroy "$d" >/dev/null 2>&1
    done
    wait_for 30 _xentb_no_guests
}
_xentb_no_guests() { [ -z "$(_xentb_guests)" ]; }

# dump_logs: the ends of xl's logs, the guest consoles, dom0's and Xen's
# kernel logs and the xenstore tree, for a failure report.
dump_logs() {
    local f
    for f in /var/log/xen/*.log "$XENTB_CONSOLE_DIR"/*.log; do
        [ -f "$f" ] || continue
        echo "----- $f"
        tail -n 40 "$f"
    done
    echo "----- dom0 kernel log"
    dmesg | tail -n 30
    echo "----- xl dmesg"
    xl dmesg 2>&1 | tail -n 40
    echo "----- xenstore"
    xenstore-ls -f 2>&1 | head -n 200
}
