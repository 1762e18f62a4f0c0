#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi_baseline: compare the built library with the committed ABI baseline
# (abi/libxenops.so.0.abi) using libabigail, or write the baseline.
#
#   abi_baseline.sh --check|--write --lib=LIBRARY --headers=DIR
#                   --baseline=FILE [--private-sym=SYMFILE]
#                   [--abidw=ABIDW] [--abidiff=ABIDIFF] [--readelf=READELF]
#                   [--frozen="NODE ..."]
#
# Only the public interface counts: the functions and types reachable from
# the headers in DIR (include/xenops). The functions of the private version
# script SYMFILE (the test hooks) are left out on both sides.
# --check fails when abidiff finds an incompatible change (exit status bit
# ABIDIFF_ABI_INCOMPATIBLE_CHANGE), any removed or changed function or
# variable (a changed type under it included, which abidiff reports with
# the ABIDIFF_ABI_CHANGE bit only), or cannot compare; additions are
# printed and pass, except under a frozen version node (--frozen): a
# released node's set of functions never grows, additions go under a new
# node. It needs the library's
# debug information: without it (a build with no -g) it exits 77, skipped.
# --write replaces the baseline: do it only on purpose, when a release
# adds to the ABI, and commit the result.
set -euo pipefail

mode='' lib='' headers='' baseline='' priv_sym=''
abidw=abidw abidiff=abidiff readelf=readelf frozen=''
for arg in "$@"; do
	case "$arg" in
	--check | --write) mode=${arg#--} ;;
	--lib=*) lib=${arg#*=} ;;
	--headers=*) headers=${arg#*=} ;;
	--baseline=*) baseline=${arg#*=} ;;
	--private-sym=*) priv_sym=${arg#*=} ;;
	--abidw=*) abidw=${arg#*=} ;;
	--abidiff=*) abidiff=${arg#*=} ;;
	--readelf=*) readelf=${arg#*=} ;;
	--frozen=*) frozen=${arg#*=} ;;
	*) echo "abi_baseline: unknown argument $arg" >&2; exit 2 ;;
	esac
done
if [ -z "$mode" ] || [ -z "$lib" ] || [ -z "$headers" ] || [ -z "$baseline" ]; then
	echo "abi_baseline: need --check or --write, --lib, --headers and --baseline" >&2
	exit 2
fi
[ -f "$lib" ] || { echo "abi_baseline: $lib does not exist (build first)" >&2; exit 1; }
if ! LC_ALL=C "$readelf" -S -W "$lib" | grep -q '\.debug_info'; then
	echo "abi_baseline: $lib has no debug information (build with -g): skipped" >&2
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Suppressions: the private functions, by name, dropped from both sides.
supp=$tmp/private.suppr
: >"$supp"
if [ -n "$priv_sym" ]; then
	names=$(sed -n 's/^[ \t]*\([A-Za-z_][A-Za-z0-9_]*\)[ \t]*;.*/\1/p' "$priv_sym" | paste -sd'|')
	if [ -z "$names" ]; then
		echo "abi_baseline: no function in $priv_sym" >&2
		exit 1
	fi
	printf '[suppress_function]\n  symbol_name_regexp = ^(%s)$\n  drop = yes\n' "$names" >"$supp"
fi

if [ "$mode" = write ]; then
	"$abidw" --headers-dir "$headers" --suppressions "$supp" --drop-private-types \
		--exported-interfaces-only --no-elf-needed --no-corpus-path --no-comp-dir-path \
		--short-locs --out-file "$baseline" "$lib"
	echo "abi_baseline: wrote $baseline"
	exit 0
fi

[ -f "$baseline" ] || { echo "abi_baseline: no baseline $baseline" >&2; exit 1; }
set +e
"$abidiff" --suppressions "$supp" --hd2 "$headers" --drop-private-types \
	"$baseline" "$lib" >"$tmp/full" 2>&1
status=$?
set -e
# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible ABI change.
if [ $((status & 3)) -ne 0 ]; then
	cat "$tmp/full" >&2
	echo "abi_baseline: abidiff could not compare (status $status)" >&2
	exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
	cat "$tmp/full" >&2
	echo "abi_baseline: INCOMPATIBLE change against $(basename "$baseline") (abidiff status $status)" >&2
	exit 1
fi
# abidiff sets the incompatible bit only for removed symbols; a changed type
# under an existing function (a struct's layout, a parameter's type) only
# sets the "ABI change" bit. For a frozen ABI both break: only additions
# pass. The summary lines read "N Removed, N Changed, N Added ...".
broken=$(grep -E '^(Functions|Variables) changes summary:|^(Function|Variable) symbols changes summary:' "$tmp/full" |
	grep -E '([1-9][0-9]*) (Removed|Changed)' || true)
if [ -n "$broken" ]; then
	cat "$tmp/full" >&2
	echo "abi_baseline: INCOMPATIBLE change against $(basename "$baseline"): an existing function or" \
		"variable was removed or changed (abidiff status $status)" >&2
	exit 1
fi
# Frozen nodes: the library exports under them exactly what the baseline
# has under them.
for node in $frozen; do
	sed -n "s/.*<elf-symbol name='\([^']*\)' version='$node'.*/\1/p" "$baseline" | sort -u >"$tmp/frozen.base"
	LC_ALL=C "$readelf" --dyn-syms -W "$lib" |
		awk -v n="$node" '$7 != "UND" && $8 ~ ("@@?" n "$") { sub(/@.*/, "", $8); print $8 }' |
		sort -u >"$tmp/frozen.lib"
	[ -s "$tmp/frozen.base" ] || { echo "abi_baseline: the baseline has no symbol under $node" >&2; exit 1; }
	[ -s "$tmp/frozen.lib" ] || { echo "abi_baseline: $lib exports no symbol under $node" >&2; exit 1; }
	added=$(comm -13 "$tmp/frozen.base" "$tmp/frozen.lib" | paste -sd' ')
	if [ -n "$added" ]; then
		echo "abi_baseline: added under the frozen version node $node: $added" \
			"(new functions go under a new node, e.g. XENOPS_0.2, in lib/libxenops.sym)" >&2
		exit 1
	fi
done

if [ -s "$tmp/full" ]; then
	cat "$tmp/full"
	echo "abi_baseline: compatible changes only (abidiff status $status)"
else
	echo "abi_baseline: no change against $(basename "$baseline")"
fi
