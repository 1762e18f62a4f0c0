#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check_layers: the layers of lib/ (DESIGN.md section 2) only use the layers
# below them, by #include and by call, and nothing forms a cycle.
#
#   check_layers.sh --src=LIBDIR --nm=NM --layer=NAME:DIR:USES ...
#                   [--archive=NAME=PATH ...] [--allow=FROM:TO ...]
#
# --layer   one per layer: its folder under LIBDIR and the layers it may use
#           (comma-separated). A layer owns the files of its folder that no
#           other layer's folder claims (backend/ owns backend/*.h only).
# --archive the layer's static library: its undefined symbols that another
#           layer defines are its calls into that layer.
# --allow   a known wrong-way dependency, waiting for a change elsewhere: it
#           is reported, not counted, and must still exist (a stale
#           allowance fails, so that it is removed as soon as it can be).
#
# Checks, each failure one line naming the file or the symbol:
#  1. every #include "a/b.h" of a layer names its own folder or the folder
#     of a layer it may use, and no other layer's private header (*_int.h,
#     *_priv.h);
#  2. every call from one layer's archive into another's is allowed;
#  3. the graph of all these dependencies has no cycle.
set -euo pipefail

src='' nm=''
layers=() archives=() allows=()
for arg in "$@"; do
	case "$arg" in
	--src=*) src=${arg#*=} ;;
	--nm=*) nm=${arg#*=} ;;
	--layer=*) layers+=("${arg#*=}") ;;
	--archive=*) archives+=("${arg#*=}") ;;
	--allow=*) allows+=("${arg#*=}") ;;
	*) echo "check_layers: unknown argument $arg" >&2; exit 2 ;;
	esac
done
if [ -z "$src" ] || [ ${#layers[@]} -eq 0 ]; then
	echo "check_layers: need --src and at least one --layer" >&2
	exit 2
fi
if [ ${#archives[@]} -gt 0 ] && [ -z "$nm" ]; then
	echo "check_layers: --archive needs --nm" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() {
	echo "check_layers: $*" >&2
	fail=1
}

# name dir uses, one layer a line; longest folder first for prefix matching.
for l in "${layers[@]}"; do
	IFS=: read -r name dir uses <<<"$l"
	printf '%s %s %s\n' "$name" "$dir" "${uses:-,}"
done | awk '{ print length($2), $0 }' | sort -k1,1nr | cut -d' ' -f2- >"$tmp/layers"

# layer_of PATH (relative to LIBDIR): the layer whose folder holds it.
layer_of() {
	local p=$1 name dir uses
	while read -r name dir uses; do
		case "$p" in
		"$dir"/*/*) [ "$dir" = backend ] || { echo "$name"; return; } ;;
		"$dir"/*) echo "$name"; return ;;
		esac
	done <"$tmp/layers"
	echo "?"
}
may_use() { # may_use FROM TO
	[ "$1" = "$2" ] && return 0
	local uses
	uses=$(awk -v n="$1" '$1 == n { print $3 }' "$tmp/layers")
	case ",$uses," in *",$2,"*) return 0 ;; esac
	return 1
}
allowed() { # allowed FROM TO
	local a
	for a in "${allows[@]+"${allows[@]}"}"; do
		[ "$a" = "$1:$2" ] && return 0
	done
	return 1
}
: >"$tmp/edges"
: >"$tmp/seen_allowed"
edge() { # edge FROM TO WHAT
	if may_use "$1" "$2"; then
		[ "$1" = "$2" ] || echo "$1 $2" >>"$tmp/edges"
	elif allowed "$1" "$2"; then
		echo "$1 $2" >>"$tmp/seen_allowed"
		echo "check_layers: known, pending: $3" >&2
	else
		err "$3"
		echo "$1 $2" >>"$tmp/edges"
	fi
}

# 1. Includes.
nfiles=0
while IFS= read -r -d '' f; do
	rel=${f#"$src"/}
	from=$(layer_of "$rel")
	[ "$from" != "?" ] || { err "$rel belongs to no layer (add its folder to the layer list)"; continue; }
	nfiles=$((nfiles + 1))
	while IFS=: read -r line inc; do
		case "$inc" in
		xenops/*) continue ;;              # the public headers
		*/*) to=$(layer_of "$inc") ;;
		*) to=$(layer_of "$(dirname "$rel")/$inc") ;; # beside the includer
		esac
		if [ "$to" = "?" ]; then
			err "$rel:$line: #include \"$inc\" is in no layer"
			continue
		fi
		case "$inc" in
		*_int.h | *_priv.h)
			[ "$to" = "$from" ] || err "$rel:$line: #include \"$inc\": private to layer $to" ;;
		esac
		edge "$from" "$to" "$rel:$line: layer $from includes \"$inc\" of layer $to"
	done < <(grep -n '^[ \t]*#[ \t]*include[ \t]*"' "$f" | sed 's/^\([0-9]*\):[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1:\2/')
done < <(find "$src" -name '*.[ch]' -print0 | sort -z)
[ "$nfiles" -gt 0 ] || err "no source files under $src"

# 2. Calls: undefined symbols of one archive defined by another.
for a in "${archives[@]+"${archives[@]}"}"; do
	name=${a%%=*}
	path=${a#*=}
	[ -f "$path" ] || { err "$path does not exist (build first)"; continue; }
	LC_ALL=C "$nm" -g --defined-only "$path" 2>/dev/null |
		awk -v l="$name" 'NF == 3 && $2 ~ /[TDBRVWGS]/ { print $3, l }' >>"$tmp/defs"
	LC_ALL=C "$nm" -u "$path" 2>/dev/null | awk -v l="$name" 'NF == 2 { print $2, l }' >>"$tmp/undefs"
done
if [ -s "$tmp/undefs" ]; then
	sort -u -o "$tmp/defs" "$tmp/defs"
	sort -u -o "$tmp/undefs" "$tmp/undefs"
	# symbol caller callee
	join "$tmp/undefs" "$tmp/defs" | awk '$2 != $3' >"$tmp/calls"
	while read -r sym from to; do
		edge "$from" "$to" "layer $from calls $sym of layer $to"
	done <"$tmp/calls"
fi

# Every allowance must still be needed.
for a in "${allows[@]+"${allows[@]}"}"; do
	grep -qxF "${a%%:*} ${a#*:}" "$tmp/seen_allowed" ||
		err "allowance $a is no longer needed: remove it from XO_LAYER_CHECK_ALLOW"
done

# 3. Cycles, by repeatedly removing layers that depend on nothing left.
sort -u "$tmp/edges" >"$tmp/graph"
cp "$tmp/graph" "$tmp/left"
while :; do
	# Layers that appear as a source but whose targets are all gone.
	awk 'NR == FNR { out[$1] = 1; next } { if (!($2 in out)) print $2 }' "$tmp/left" "$tmp/left" |
		sort -u >"$tmp/sinks"
	[ -s "$tmp/sinks" ] || break
	awk 'NR == FNR { s[$1] = 1; next } !($2 in s)' "$tmp/sinks" "$tmp/left" >"$tmp/next"
	mv "$tmp/next" "$tmp/left"
done
if [ -s "$tmp/left" ]; then
	err "cycle among layers: $(awk '{ printf "%s%s->%s", sep, $1, $2; sep = ", " }' "$tmp/left")"
fi

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "check_layers: $nfiles files, $(wc -l <"$tmp/graph") layer dependencies, all downward, no cycle"
