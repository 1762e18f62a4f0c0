#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion of xenopsctl against a simulator xenopsd: commands,
# subcommands, options, option values, and VM, device and task ids asked
# of the daemon.
#
#   test_completion.sh --completion=FILE --xenopsctl=BIN --xenopsd=BIN
set -uo pipefail

comp='' ctl='' daemon=''
for arg in "$@"; do
	case "$arg" in
	--completion=*) comp=${arg#*=} ;;
	--xenopsctl=*) ctl=${arg#*=} ;;
	--xenopsd=*) daemon=${arg#*=} ;;
	*) echo "test_completion: unknown argument $arg" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
"$daemon" --backend sim --socket "$tmp/s" --state-dir "$tmp/state" --log-level error 2>"$tmp/log" &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
	"$ctl" --socket "$tmp/s" query >/dev/null 2>&1 && break
	sleep 0.05
done
x() { "$ctl" --socket "$tmp/s" "$@" >/dev/null || { echo "test_completion: xenopsctl $* failed" >&2; exit 1; }; }
x vm add --id web --kernel /boot/vmlinuz
x vm add --id db
x vbd add web --device xvda --backend file:/srv/web.img
x vbd add web --device xvdb --backend file:/srv/web2.img
x vif add web --index 0

# The completion sees the program as the user typed it: put it on PATH.
mkdir "$tmp/bin"
ln -s "$(cd "$(dirname "$ctl")" && pwd)/$(basename "$ctl")" "$tmp/bin/xenopsctl"
export PATH="$tmp/bin:$PATH"
[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
. "$comp"

fail=0
# complete LINE (ending where the cursor is) and compare with the sorted words.
check() {
	local line=$1 want=$2 got
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_xenopsctl xenopsctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ')
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$line' gave '$got', want '$want'" >&2
		fail=1
	fi
}
S="xenopsctl --socket $tmp/s"
check "$S " "barrier console debug events host pci query stats task top vbd vif vm"
check "$S v" "vbd vif vm"
check "$S vm im" "import-xl"
check "$S vm mi" "migrate"
check "$S vm migrate x --no" "--no-live --no-wait"
check "$S vm st" "start stat"
check "$S vm start " "db web"
check "$S vm start w" "web"
check "$S vm start web --" "--help --json --no-wait --paused"
check "$S vm add --ty" "--type"
check "$S vm add --type " "pv pvh"
check "$S vm add --on-crash p" "preserve"
check "$S vbd plug " "db web"
check "$S vbd plug web " "xvda xvdb"
check "$S vbd unplug web xvd" "xvda xvdb"
check "$S vif unplug web " "0"
check "$S vif set-carrier web 0 " "off on"
check "$S vbd add web --kind " "cdrom disk"
check "$S barrier " "db web"
check "$S con" "console"
check "$S console " "db web"
check "$S host " "dmesg"
check "$S host dmesg --" "--help --json"
check "$S host --" "--help --json"
check "$S --j" "--json"
check "$S vm import-xl --d" "--dry-run"
mkdir "$tmp/cfgs" && touch "$tmp/cfgs/guest.cfg"
check "$S vm import-xl $tmp/cfgs/gu" "$tmp/cfgs/guest.cfg"
# A daemon that does not answer: no ids, no error.
check "xenopsctl --socket $tmp/none vm start " ""
[ $fail -eq 0 ] || exit 1
echo "test_completion: all checks passed"
