#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The generated header pages: one per public header (xenops.h aside), each
# with a section for every function the header exports, and each renders
# without warnings.
#
#   check_header_pages.sh --cc=CC --include=DIR --version=V
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cc='' incdir='' version=''
for arg in "$@"; do
	case "$arg" in
	--cc=*) cc=${arg#*=} ;;
	--include=*) incdir=${arg#*=} ;;
	--version=*) version=${arg#*=} ;;
	*) echo "check_header_pages: unknown argument $arg" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pages=()
total=0
for h in "$incdir"/*.h; do
	n=$(basename "$h" .h)
	[ "$n" != xenops ] || continue
	page=$tmp/xenops_$n.3
	"$here/gen_header_page.sh" "$h" "$version" >"$page"
	pages+=("$page")
	"$here/../tests/abi/api_decls.sh" "$cc" "$h" | sort >"$tmp/want"
	sed -n 's/^\.SS //p' "$page" | sort >"$tmp/got"
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		echo "check_header_pages: xenops_$n(3) and $n.h disagree (< header, > page):" >&2
		diff "$tmp/want" "$tmp/got" >&2 || true
		fail=1
	fi
	total=$((total + $(wc -l <"$tmp/want")))
done
[ ${#pages[@]} -gt 0 ] || { echo "check_header_pages: no headers in $incdir" >&2; exit 1; }
"$here/check_render.sh" "${pages[@]}" || fail=1
[ $fail -eq 0 ] || exit 1
echo "check_header_pages: ${#pages[@]} pages, $total functions"
