#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi_exports: the built library exports exactly the functions the public
# headers declare with XENOPS_API, each under the version node the linker
# version script gives it, the version script lists exactly that set, and
# the SONAME is the expected one.
#
#   abi_exports.sh --cc=CC --readelf=READELF --lib=LIBRARY --sym=SYMFILE
#                  --include=DIR --soname=SONAME --versions="V1 V2 ..."
#                  [--private-header=H --private-sym=S --private-node=N]
#
# --include is the directory holding the public headers (include/xenops);
# --versions lists the version nodes the .sym file may define.
# The --private-* arguments describe the test hooks of a build with
# XENOPS_TEST_HOOKS=ON: the functions header H declares with XENOPS_API are
# exported exactly under node N, which version script S (appended to SYMFILE
# at link time) defines, and no public function is under N.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cc='' readelf='' lib='' sym='' incdir='' soname='' versions=''
priv_h='' priv_sym='' priv_node=''
for arg in "$@"; do
	case "$arg" in
	--cc=*) cc=${arg#*=} ;;
	--readelf=*) readelf=${arg#*=} ;;
	--lib=*) lib=${arg#*=} ;;
	--sym=*) sym=${arg#*=} ;;
	--include=*) incdir=${arg#*=} ;;
	--soname=*) soname=${arg#*=} ;;
	--versions=*) versions=${arg#*=} ;;
	--private-header=*) priv_h=${arg#*=} ;;
	--private-sym=*) priv_sym=${arg#*=} ;;
	--private-node=*) priv_node=${arg#*=} ;;
	*) echo "abi_exports: unknown argument $arg" >&2; exit 2 ;;
	esac
done
for v in cc readelf lib sym incdir soname versions; do
	if [ -z "${!v}" ]; then
		echo "abi_exports: missing --${v/incdir/include}" >&2
		exit 2
	fi
done

if [ -n "$priv_h$priv_sym$priv_node" ] && { [ -z "$priv_h" ] || [ -z "$priv_sym" ] || [ -z "$priv_node" ]; }; then
	echo "abi_exports: --private-header, --private-sym and --private-node go together" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() {
	echo "abi_exports: $*" >&2
	fail=1
}

# 1. What the headers declare.
shopt -s nullglob
headers=("$incdir"/*.h)
if [ ${#headers[@]} -eq 0 ]; then
	echo "abi_exports: no headers in $incdir" >&2
	exit 1
fi
: >"$tmp/declared.all"
for h in "${headers[@]}"; do
	"$here/api_decls.sh" "$cc" "$h" >>"$tmp/declared.all" || fail=1
done
sort "$tmp/declared.all" >"$tmp/declared"
dups=$(uniq -d "$tmp/declared")
[ -z "$dups" ] || err "declared in more than one public header: $dups"
sort -u -o "$tmp/declared" "$tmp/declared"
[ -s "$tmp/declared" ] || err "found no XENOPS_API declaration in $incdir (parser broken?)"
: >"$tmp/declared.private"
if [ -n "$priv_h" ]; then
	"$here/api_decls.sh" "$cc" "$priv_h" | sort -u >"$tmp/declared.private" || fail=1
	[ -s "$tmp/declared.private" ] || err "found no XENOPS_API declaration in $priv_h"
	both=$(comm -12 "$tmp/declared" "$tmp/declared.private" | tr '\n' ' ')
	[ -z "$both" ] || err "declared both in the public headers and in $priv_h: $both"
	# From here on "declared" is the union: every function the library exports.
	sort -u "$tmp/declared" "$tmp/declared.private" -o "$tmp/declared"
	versions="$versions $priv_node"
fi
# The version script as the linker sees it.
cat "$sym" ${priv_sym:+"$priv_sym"} >"$tmp/script.sym"

# 2. What the version script lists: "name node" for each global entry.
"$cc" -fpreprocessed -dD -E -P -w -x c "$tmp/script.sym" | awk -v symfile="$sym" '
	{ text = text " " $0 }
	END {
		gsub(/[{};:]/, " & ", text)
		n = split(text, t, /[ \t]+/)
		state = "top"
		for (i = 1; i <= n; i++) {
			tok = t[i]
			if (tok == "") continue
			if (state == "top") {
				if (tok !~ /^[A-Za-z_][A-Za-z0-9_.]*$/) { print "E unexpected \"" tok "\" outside a version node"; exit }
				node = tok; print "N " node; state = "open"
			} else if (state == "open") {
				if (tok != "{") { print "E expected { after " node; exit }
				state = "body"; section = ""
			} else if (state == "body") {
				if ((tok == "global" || tok == "local") && t[i + 1] == ":") { section = tok; i++; continue }
				if (tok == "}") { state = "close"; continue }
				if (tok == "extern") { print "E extern blocks are not supported (" node ")"; exit }
				if (t[i + 1] != ";") { print "E expected ; after " tok " in " node; exit }
				i++
				if (section == "global") print "S " tok " " node
				else if (section == "local") print "L " tok " " node
				else print "E " tok " is in neither global: nor local: in " node
			} else if (state == "close") {
				if (tok == ";") state = "top"
				else if (tok !~ /^[A-Za-z_][A-Za-z0-9_.]*$/) { print "E unexpected \"" tok "\" after node " node; exit }
			}
		}
		if (state != "top") print "E unterminated version node " node
	}' >"$tmp/sym.parsed"

grep '^E ' "$tmp/sym.parsed" | sed "s|^E |$sym: |" >&2 && fail=1
awk '$1 == "N" { print $2 }' "$tmp/sym.parsed" >"$tmp/nodes"
[ -s "$tmp/nodes" ] || err "$sym defines no version node"
while read -r node; do
	case " $versions " in
	*" $node "*) ;;
	*) err "$sym: version node $node is not one of the expected ($versions);" \
		"a new node needs tests/abi/CMakeLists.txt to list it" ;;
	esac
done <"$tmp/nodes"
awk '$1 == "S" { print $2, $3 }' "$tmp/sym.parsed" | sort >"$tmp/sym.versions"
if grep -E '^[^ ]*[][*?]' "$tmp/sym.versions" >"$tmp/globs"; then
	err "$sym: wildcards under global: export more than the declared set: $(cut -d' ' -f1 "$tmp/globs" | paste -sd' ')"
fi
cut -d' ' -f1 "$tmp/sym.versions" >"$tmp/sym.names"
dups=$(uniq -d "$tmp/sym.names")
[ -z "$dups" ] || err "$sym lists these more than once: $dups"
sort -u -o "$tmp/sym.names" "$tmp/sym.names"

# 3. What the library exports: "name version" for each defined dynamic symbol.
if [ ! -f "$lib" ]; then
	echo "abi_exports: $lib does not exist (build first)" >&2
	exit 1
fi
LC_ALL=C "$readelf" --dyn-syms -W "$lib" >"$tmp/dynsym"
: >"$tmp/lib.versions"
while read -r num _ _ type bind _ ndx name _; do
	[[ $num =~ ^[0-9]+:$ ]] || continue
	[ "$ndx" != UND ] || continue
	[ -n "$name" ] || continue
	base=${name%%@*}
	# The version definitions themselves appear as absolute symbols.
	if [ "$ndx" = ABS ] && grep -qxF "$base" "$tmp/nodes"; then
		continue
	fi
	if [ "$base" = "$name" ]; then
		err "$lib exports $name without a symbol version"
		echo "$name -" >>"$tmp/lib.versions"
		continue
	fi
	ver=${name#*@}
	if [ "${ver#@}" = "$ver" ]; then
		err "$lib exports $base@$ver as a non-default (@) version; expected @@$ver"
	fi
	ver=${ver#@}
	[ "$type" = FUNC ] || err "$lib exports $base as $type, not a function"
	[ "$bind" = GLOBAL ] || err "$lib exports $base with binding $bind, not GLOBAL"
	echo "$base $ver" >>"$tmp/lib.versions"
done <"$tmp/dynsym"
sort -o "$tmp/lib.versions" "$tmp/lib.versions"
cut -d' ' -f1 "$tmp/lib.versions" | sort -u >"$tmp/lib.names"
[ -s "$tmp/lib.names" ] || err "$lib exports nothing (is readelf output readable?)"

# 4. The three sets agree.
compare() { # compare FILE_A NAME_A FILE_B NAME_B
	local only
	only=$(comm -23 "$1" "$3" | tr '\n' ' ')
	[ -z "$only" ] || err "in $2 but not in $4: $only"
	only=$(comm -13 "$1" "$3" | tr '\n' ' ')
	[ -z "$only" ] || err "in $4 but not in $2: $only"
}
compare "$tmp/declared" "the headers (XENOPS_API)" "$tmp/lib.names" "the library's exports"
compare "$tmp/declared" "the headers (XENOPS_API)" "$tmp/sym.names" "$(basename "$sym")"
# Same name, same version node, in the script and in the library.
join "$tmp/sym.versions" "$tmp/lib.versions" | while read -r name want got; do
	[ "$want" = "$got" ] || {
		echo "abi_exports: $name is under $want in $(basename "$sym") but $got in the library" >&2
		exit 1
	}
done || fail=1

# The private node holds exactly the private header's functions.
if [ -n "$priv_node" ]; then
	awk -v n="$priv_node" '$2 == n { print $1 }' "$tmp/lib.versions" | sort -u >"$tmp/lib.private"
	compare "$tmp/declared.private" "$(basename "$priv_h") (XENOPS_API)" "$tmp/lib.private" \
		"the library's exports under $priv_node"
fi

# 5. SONAME.
got_soname=$(LC_ALL=C "$readelf" -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$got_soname" = "$soname" ] || err "SONAME of $lib is '${got_soname}', expected '$soname'"

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "abi_exports: $(wc -l <"$tmp/declared") functions declared, listed and exported" \
	"under $(paste -sd" " "$tmp/nodes"); SONAME $got_soname"
