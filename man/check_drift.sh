#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manuals against the programs: every command that `xenopsctl --help`
# lists, and every option of each command's --help, appears in xenopsctl(1)
# under that command's entry; every option of `xenopsd --help` is in
# xenopsd(8).
#
#   check_drift.sh --xenopsctl=BIN --xenopsd=BIN --ctl-page=FILE --daemon-page=FILE
set -euo pipefail

ctl='' daemon='' ctl_page='' daemon_page=''
for arg in "$@"; do
	case "$arg" in
	--xenopsctl=*) ctl=${arg#*=} ;;
	--xenopsd=*) daemon=${arg#*=} ;;
	--ctl-page=*) ctl_page=${arg#*=} ;;
	--daemon-page=*) daemon_page=${arg#*=} ;;
	*) echo "check_drift: unknown argument $arg" >&2; exit 2 ;;
	esac
done
for v in ctl daemon ctl_page daemon_page; do
	[ -n "${!v}" ] || { echo "check_drift: missing an argument ($v)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() {
	echo "check_drift: $*" >&2
	fail=1
}
# Plain text, no hyphenation or adjustment, wide lines: one entry heading
# a line, as the reader sees it.
render() {
	printf '.nh\n.na\n' | cat - "$1" | MANWIDTH=200 groff -K utf8 -man -Tutf8 -rLL=200n -P-cbou 2>/dev/null
}
render "$ctl_page" >"$tmp/ctl.txt"
# xenopsd's options are looked for in its OPTIONS section.
render "$daemon_page" | awk '/^[A-Z]/ { on = $1 == "OPTIONS" } on' >"$tmp/daemon.txt"
[ -s "$tmp/ctl.txt" ] && [ -s "$tmp/daemon.txt" ] || { echo "check_drift: groff produced nothing" >&2; exit 1; }

# The commands: "  query   ...", "  vm add   ..." in the Commands: section.
"$ctl" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 " " $2 }' >"$tmp/help"
[ -s "$tmp/help" ] || { echo "check_drift: no commands in xenopsctl --help" >&2; exit 1; }
ncmd=0
while read -r first second; do
	# Top-level commands have one word; the second field is then help text.
	if "$ctl" "$first" --help 2>/dev/null | head -1 | grep -q "OPTIONS\] $first\( \|\$\)"; then
		cmd=$first
	else
		cmd="$first $second"
	fi
	ncmd=$((ncmd + 1))
	# The entry: from the tag line naming the command (7 spaces of indent)
	# to the next tag line.
	awk -v cmd="$cmd" '
		function starts(s) { return substr(s, 1, length(cmd)) == cmd && substr(s, length(cmd) + 1, 1) ~ /^([ ,]|)$/ }
		function names(line,   i) {
			if (starts(line)) return 1
			for (i = index(line, ", "); i; i = index(line, ", ")) {
				line = substr(line, i + 2)
				if (starts(line)) return 1
			}
			return 0
		}
		/^[A-Z]/ { section = $1; inside = 0; next }
		section == "COMMANDS" && /^       [^ ]/ { inside = names(substr($0, 8)) }
		inside { print }' "$tmp/ctl.txt" >"$tmp/entry"
	if [ ! -s "$tmp/entry" ]; then
		err "xenopsctl(1) has no entry for '$cmd'"
		continue
	fi
	# shellcheck disable=SC2086
	"$ctl" $cmd --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | { grep -vx -e --json -e --help -e --no-wait || true; } |
		while read -r opt; do
			grep -q -- "$opt\b" "$tmp/entry" || { echo "check_drift: xenopsctl(1): '$cmd' lacks $opt" >&2; exit 1; }
		done || fail=1
done <"$tmp/help"

# Global options.
"$ctl" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' >"$tmp/global"
while read -r opt; do
	grep -q -- "$opt\b" "$tmp/ctl.txt" || err "xenopsctl(1) lacks the global option $opt"
done <"$tmp/global"

# xenopsd's options.
"$daemon" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' >"$tmp/dopts"
[ -s "$tmp/dopts" ] || { echo "check_drift: no options in xenopsd --help" >&2; exit 1; }
while read -r opt; do
	grep -q -- "$opt\b" "$tmp/daemon.txt" || err "xenopsd(8) lacks the option $opt"
done <"$tmp/dopts"

[ $fail -eq 0 ] || exit 1
echo "check_drift: $ncmd commands and their options in xenopsctl(1), $(wc -l <"$tmp/dopts") options in xenopsd(8)"
