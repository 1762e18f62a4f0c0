#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One public header, checked on its own, as STYLE.md asks:
#   --mode=c       it compiles alone (included twice: the include guard) as
#                  C99 and GNU C11 with -Wall -Wextra -pedantic -Werror;
#   --mode=cxx     it compiles alone as C++11 with the same warnings, and
#                  the functions it declares have C linkage (extern "C"):
#                  the object refers to them by their unmangled names;
#   --mode=policy  it includes no json-c, no Xen header, no <stdbool.h>, and
#                  uses no bool / _Bool.
#
#   check_header.sh --mode=MODE --include=DIR --header=NAME.h --workdir=DIR
#                   [--compiler=CC_OR_CXX] [--cc=CC] [--nm=NM]
#
# --include is the directory holding xenops/NAME.h; --cc is the C compiler
# used to strip comments (api_decls.sh, policy), --compiler the one tested.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode='' incdir='' header='' workdir='' compiler='' cc='' nm=nm
for arg in "$@"; do
	case "$arg" in
	--mode=*) mode=${arg#*=} ;;
	--include=*) incdir=${arg#*=} ;;
	--header=*) header=${arg#*=} ;;
	--workdir=*) workdir=${arg#*=} ;;
	--compiler=*) compiler=${arg#*=} ;;
	--cc=*) cc=${arg#*=} ;;
	--nm=*) nm=${arg#*=} ;;
	*) echo "check_header: unknown argument $arg" >&2; exit 2 ;;
	esac
done
path=$incdir/xenops/$header
if [ -z "$mode" ] || [ -z "$header" ] || [ -z "$workdir" ] || [ ! -f "$path" ]; then
	echo "check_header: need --mode, --include, --header (existing), --workdir" >&2
	exit 2
fi
: "${cc:=${compiler:-cc}}"
name=${header%.h}
mkdir -p "$workdir"
warn=(-Wall -Wextra -pedantic -Werror)

compile() { # compile LABEL SOURCE OBJECT FLAGS...
	local label=$1 src=$2 obj=$3
	shift 3
	echo "+ $compiler $* -I$incdir -c $src"
	if ! "$compiler" "$@" -I"$incdir" -c "$src" -o "$obj"; then
		echo "check_header: xenops/$header does not compile on its own as $label" >&2
		exit 1
	fi
}

case "$mode" in
c)
	src=$workdir/$name.c
	printf '#include <xenops/%s>\n#include <xenops/%s>\n' "$header" "$header" >"$src"
	for std in c99 gnu11; do
		# -Wstrict-prototypes: "f()" is not a prototype in C before C23.
		compile "-std=$std" "$src" "$workdir/$name.$std.o" -std=$std "${warn[@]}" -Wstrict-prototypes
	done
	;;
cxx)
	src=$workdir/$name.cpp
	mapfile -t funcs < <("$here/api_decls.sh" "$cc" "$path")
	{
		printf '#include <xenops/%s>\n#include <xenops/%s>\n' "$header" "$header"
		if [ ${#funcs[@]} -gt 0 ]; then
			# Referring to each function makes the object name it: its
			# symbol shows whether the declaration has C linkage.
			echo 'typedef void (*xo_any_fn)();'
			echo 'extern const xo_any_fn xo_header_refs[];'
			echo 'const xo_any_fn xo_header_refs[] = {'
			printf '\treinterpret_cast<xo_any_fn>(&%s),\n' "${funcs[@]}"
			echo '};'
		fi
	} >"$src"
	obj=$workdir/$name.cxx.o
	compile "C++11" "$src" "$obj" -std=c++11 "${warn[@]}"
	undef=$(LC_ALL=C "$nm" -u "$obj" | awk '{ print $NF }')
	fail=0
	for f in "${funcs[@]}"; do
		if ! grep -qxF "$f" <<<"$undef"; then
			echo "check_header: xenops/$header: $f has no C linkage in C++ (missing extern \"C\"?)" >&2
			fail=1
		fi
	done
	if mangled=$(grep -E '^_Z.*xenops_' <<<"$undef"); then
		echo "check_header: xenops/$header: C++ mangled references: $mangled" >&2
		fail=1
	fi
	[ $fail -eq 0 ] || exit 1
	echo "check_header: xenops/$header: ${#funcs[@]} functions with C linkage"
	;;
policy)
	# Comments out, so prose may name anything; directives stay.
	code=$("$cc" -fpreprocessed -dD -E -P -w -x c "$path")
	fail=0
	bad() {
		echo "check_header: xenops/$header $1:" >&2
		printf '%s\n' "$2" | sed 's/^/    /' >&2
		fail=1
	}
	includes=$(grep -E '^[[:space:]]*#[[:space:]]*(include|include_next|import)' <<<"$code" || true)
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		inc=$(sed -E 's/^[^<"]*[<"]([^>"]*)[>"].*/\1/' <<<"$line")
		base=${inc##*/}
		own=0
		if [ -f "$incdir/xenops/$base" ] && { [ "$inc" = "$base" ] || [ "$inc" = "xenops/$base" ]; }; then
			own=1
		fi
		shopt -s nocasematch
		if [[ $inc =~ json ]]; then
			bad "includes json-c (the library's internals must not leak)" "$line"
		elif [ $own -eq 0 ] && [[ $inc =~ (^|/)(xen|libxl|xs\.h|xs_lib\.h) ]]; then
			bad "includes a Xen header (or a xen* header that is not one of the public ones)" "$line"
		elif [[ $inc =~ (^|/)stdbool\.h$ ]]; then
			bad "includes <stdbool.h> (use int, as the ABI rules say)" "$line"
		fi
		shopt -u nocasematch
	done <<<"$includes"
	if hit=$(grep -E '(^|[^A-Za-z0-9_])(bool|_Bool)($|[^A-Za-z0-9_])' <<<"$code"); then
		bad "uses bool (use int)" "$hit"
	fi
	[ $fail -eq 0 ] || exit 1
	echo "check_header: xenops/$header: no json-c, Xen, <stdbool.h> or bool"
	;;
*)
	echo "check_header: --mode must be c, cxx or policy" >&2
	exit 2
	;;
esac
