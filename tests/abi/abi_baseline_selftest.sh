#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi_baseline_selftest: abi_baseline.sh fails where it must. A made-up
# library with one public header: its baseline written, the same library
# passes, one with an added function passes (but not when it is added under
# the frozen version node), one whose public struct
# changed layout fails, one that lost a function fails, and a private
# function dropped from the private version script's list does not count.
#
#   abi_baseline_selftest.sh ABI_BASELINE_SH CC ABIDW ABIDIFF READELF
set -euo pipefail

script=${1:?usage} cc=${2:?usage} abidw=${3:?usage} abidiff=${4:?usage} readelf=${5:?usage}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/inc"

# lib VARIANT: build $tmp/libt.so from the variant of the header and source.
lib() {
	local field=int extra='' drop='' priv='int t_private(void) { return 1; }' node=T_2
	case $1 in
	added) extra='int t_added(void) { return 2; }' ;;
	added_frozen) extra='int t_added(void) { return 2; }' node=T_1 ;;
	layout) field=long ;;
	removed) drop=1 ;;
	noprivate) priv='' ;;
	esac
	cat >"$tmp/inc/t.h" <<EOT
struct t_obj { $field a; int b; };
int t_get(const struct t_obj *o);
int t_other(void);
EOT
	{
		echo '#include "t.h"'
		echo 'int t_get(const struct t_obj *o) { return o->b; }'
		[ -n "$drop" ] || echo 'int t_other(void) { return 0; }'
		echo "$extra"
		echo "$priv"
	} >"$tmp/t.c"
	{
		echo 'T_1 { global: t_get; t_other;'
		[ $node = T_1 ] && [ -n "$extra" ] && echo 't_added;'
		echo 'local: *; };'
		[ $node = T_2 ] && [ -n "$extra" ] && echo 'T_2 { global: t_added; } T_1;'
		[ -n "$priv" ] && echo 'T_PRIV { global: t_private; };'
		true
	} >"$tmp/t.ver"
	"$cc" -g -O0 -shared -fPIC -I"$tmp/inc" -Wl,--version-script="$tmp/t.ver" -o "$tmp/libt.so" "$tmp/t.c"
}
printf 'T_PRIV {\nglobal:\n\tt_private;\n};\n' >"$tmp/priv.sym"
args=(--lib="$tmp/libt.so" --headers="$tmp/inc" --baseline="$tmp/t.abi" --private-sym="$tmp/priv.sym"
      --abidw="$abidw" --abidiff="$abidiff" --readelf="$readelf" --frozen=T_1)
expect() { # expect pass|fail WHAT
	local rc=0
	bash "$script" --check "${args[@]}" >"$tmp/out" 2>&1 || rc=$?
	if { [ "$1" = pass ] && [ $rc -ne 0 ]; } || { [ "$1" = fail ] && [ $rc -ne 1 ]; }; then
		echo "abi_baseline_selftest: $2: expected $1, got status $rc:" >&2
		cat "$tmp/out" >&2
		fail=1
	fi
}

lib base
bash "$script" --write "${args[@]}" >/dev/null
expect pass "unchanged"
lib added
expect pass "added function, under a new node"
lib added_frozen
expect fail "added function, under the frozen node"
lib layout
expect fail "struct layout changed"
lib removed
expect fail "function removed"
lib noprivate
expect pass "private function gone"

[ $fail -eq 0 ] || exit 1
echo "abi_baseline_selftest: abi_baseline.sh passes compatible changes and fails incompatible ones"
