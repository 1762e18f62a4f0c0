#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# layers_selftest: check_layers.sh fails where it must. On a made-up tree
# of two layers (low, high): a clean tree passes; an upward #include, an
# include of another layer's private header, and an upward include that
# closes a cycle each fail with their own message; an allowance that is no
# longer needed fails too.
#
# With a compiler, ar and nm, the same for calls: a call from the lower
# layer's archive into the higher one fails.
#
#   selftest.sh CHECK_LAYERS_SH [CC AR NM]
set -euo pipefail

check=${1:?usage: selftest.sh CHECK_LAYERS_SH [CC AR NM]}
cc=${2:-} ar=${3:-} nm=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

mk() { # mk: a clean tree
	rm -rf "$tmp/lib"
	mkdir -p "$tmp/lib/low" "$tmp/lib/high"
	printf '#include "low/low.h"\n' >"$tmp/lib/low/low.c"
	printf '/* low */\n' >"$tmp/lib/low/low.h"
	printf '/* private */\n' >"$tmp/lib/low/low_int.h"
	printf '#include "low/low.h"\n#include "high/high.h"\n' >"$tmp/lib/high/high.c"
	printf '#include "low/low.h"\n' >"$tmp/lib/high/high.h"
}
run() { # run EXPECT(pass|fail) WHAT [PATTERN] [extra args...]
	local expect=$1 what=$2 pattern=${3:-} rc=0
	shift 3 || shift $#
	bash "$check" --src="$tmp/lib" --layer=low:low: --layer=high:high:low "$@" \
		>"$tmp/out" 2>&1 || rc=$?
	if [ "$expect" = pass ] && [ $rc -ne 0 ]; then
		echo "layers_selftest: $what: expected to pass, got:" >&2
		cat "$tmp/out" >&2
		fail=1
	elif [ "$expect" = fail ] && { [ $rc -eq 0 ] || ! grep -q -- "$pattern" "$tmp/out"; }; then
		echo "layers_selftest: $what: expected a failure matching '$pattern', got (rc $rc):" >&2
		cat "$tmp/out" >&2
		fail=1
	fi
}

mk
run pass "clean tree" ""

mk
printf '#include "high/high.h"\n' >>"$tmp/lib/low/low.c"
run fail "upward include" "layer low includes \"high/high.h\" of layer high"
run fail "upward include closes a cycle" "cycle among layers"

mk
printf '#include "low/low_int.h"\n' >>"$tmp/lib/high/high.c"
run fail "another layer's private header" "private to layer low"

mk
run fail "stale allowance" "allowance low:high is no longer needed" --allow=low:high

mk
printf '#include "high/high.h"\n' >>"$tmp/lib/low/low.c"
run pass "upward include, allowed" "" --allow=low:high

mk
mkdir -p "$tmp/lib/stray"
printf '/* */\n' >"$tmp/lib/stray/x.c"
run fail "file in no layer" "belongs to no layer"

if [ -n "$cc" ] && [ -n "$ar" ] && [ -n "$nm" ]; then
	mk
	archives() { # archives LOW_BODY: build liblow.a and libhigh.a
		printf 'int high_fn(void);\nint low_fn(void) { %s }\n' "$1" >"$tmp/low.c"
		printf 'int low_fn(void);\nint high_fn(void) { return low_fn(); }\n' >"$tmp/high.c"
		"$cc" -c -o "$tmp/low.o" "$tmp/low.c"
		"$cc" -c -o "$tmp/high.o" "$tmp/high.c"
		rm -f "$tmp/liblow.a" "$tmp/libhigh.a"
		"$ar" rcs "$tmp/liblow.a" "$tmp/low.o"
		"$ar" rcs "$tmp/libhigh.a" "$tmp/high.o"
	}
	archives "return 0;"
	run pass "downward call" "" --nm="$nm" --archive=low="$tmp/liblow.a" --archive=high="$tmp/libhigh.a"
	archives "return high_fn();"
	run fail "upward call" "layer low calls high_fn of layer high" \
		--nm="$nm" --archive=low="$tmp/liblow.a" --archive=high="$tmp/libhigh.a"
	run fail "upward call closes a cycle" "cycle among layers" \
		--nm="$nm" --archive=low="$tmp/liblow.a" --archive=high="$tmp/libhigh.a"
fi

[ $fail -eq 0 ] || exit 1
echo "layers_selftest: check_layers.sh passes a clean tree and fails each wrong one"
