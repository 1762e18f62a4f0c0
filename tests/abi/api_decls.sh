#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the functions a public header declares with XENOPS_API, one a line.
# Fails when the header declares a xenops_* function without XENOPS_API
# (it would be hidden by -fvisibility=hidden) or an XENOPS_API declaration
# it cannot read.
#
#   api_decls.sh CC HEADER
#
# The compiler strips the comments (-fpreprocessed expands nothing), so
# prose in doc comments never counts as a declaration.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: api_decls.sh CC HEADER" >&2
	exit 2
fi
cc=$1
header=$2

# Comments out, preprocessor directives (with their continuation lines)
# out, then one statement a line: C declarations end at ';', '{' or '}'.
stmts=$("$cc" -fpreprocessed -dD -E -P -w -x c "$header" |
	awk 'cont { cont = /\\$/; next } /^[ \t]*#/ { cont = /\\$/; next } { print }' |
	tr '\n\t' ' ' | tr ';{}' '\n')

status=0
while IFS= read -r s; do
	case "$s" in
	*XENOPS_API*)
		if ! printf '%s\n' "$s" | grep -Eq '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\('; then
			echo "$header: cannot read this XENOPS_API declaration:$s" >&2
			status=1
			continue
		fi
		# The function's name is the identifier right before the first '('.
		name=$(printf '%s\n' "$s" |
			sed -E 's/^([^(]*[^A-Za-z0-9_(])?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\(.*/\2/')
		if ! [[ $name =~ ^xenops_[a-z0-9_]+$ ]]; then
			echo "$header: XENOPS_API declaration whose name is not xenops_*: '$name' in:$s" >&2
			status=1
			continue
		fi
		echo "$name"
		;;
	*)
		# Function-pointer declarators "(*name)" are types or fields, not
		# functions: blank them before looking for "xenops_x(".
		bare=$(printf '%s\n' "$s" | sed -E 's/\([[:space:]]*\*+[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\)/(FP)/g')
		if printf '%s\n' "$bare" | grep -Eq '(^|[^A-Za-z0-9_])xenops_[A-Za-z0-9_]*[[:space:]]*\('; then
			echo "$header: function declared without XENOPS_API (not exported):$s" >&2
			status=1
		fi
		;;
	esac
done <<<"$stmts"
exit $status
