#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# doc_comments: every function a public header exports (XENOPS_API) has a
# doc comment of its own, /** ... */ right above it, that names each of its
# parameters (@param NAME or @p NAME), says what can go wrong ("Errors:",
# or that it cannot fail), which threads may call it, and since when
# (@since). A comment shared by several declarations documents none.
#
#   doc_comments.sh HEADER...
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: doc_comments.sh HEADER..." >&2
	exit 2
fi
fail=0
total=0
for h in "$@"; do
	out=$(awk -v file="$(basename "$h")" '
	function check(decl, comment,    op, cl, params, n, i, p, name, bad) {
		total++
		fname = decl
		sub(/\(.*/, "", fname)
		n = split(fname, w, /[ \t*]+/)
		fname = w[n]
		if (comment == "") { print file ": " fname ": no doc comment of its own right above it"; return }
		op = index(decl, "(")
		cl = length(decl)
		while (cl > 0 && substr(decl, cl, 1) != ")") cl--
		params = substr(decl, op + 1, cl - op - 1)
		n = split(params, p, ",")
		for (i = 1; i <= n; i++) {
			name = p[i]
			gsub(/\[[^]]*\]/, "", name)
			gsub(/[ \t]+$/, "", name)
			if (name ~ /^[ \t]*void$/ || name ~ /^[ \t]*$/) continue
			sub(/.*[ \t*]/, "", name)
			if (comment !~ ("@p(aram)?[ \t]+" name "([^A-Za-z0-9_]|$)"))
				print file ": " fname ": parameter " name " is not documented (@param " name ")"
		}
		if (comment !~ /@since[ \t]+[0-9]/) print file ": " fname ": no @since"
		if (comment !~ /[Tt]hread/) print file ": " fname ": does not say which threads may call it"
		if (comment !~ /Errors?:/ && comment !~ /[Cc]annot fail/ && comment !~ /[Nn]ever fails/)
			print file ": " fname ": does not say what can go wrong (Errors: ... or cannot fail)"
	}
	BEGIN { state = "code"; comment = ""; pending = "" }
	{
		line = $0
		if (state == "doc" || state == "plain") {
			buf = buf " " line
			if (line ~ /\*\//) {
				if (state == "doc") comment = buf; else comment = ""
				state = "code"
			}
			next
		}
		if (state == "decl") {
			decl = decl " " line
			if (line ~ /;/) { check(decl, comment); comment = ""; state = "code" }
			next
		}
		if (line ~ /^[ \t]*\/\*\*/) {
			buf = line; state = "doc"
			if (line ~ /\*\//) { comment = buf; state = "code" }
			next
		}
		if (line ~ /^[ \t]*\/\*/) {
			buf = line; state = "plain"
			if (line ~ /\*\//) { comment = ""; state = "code" }
			next
		}
		if (line ~ /XENOPS_API/ && line !~ /^[ \t]*#/) {
			decl = line
			if (line ~ /;/) { check(decl, comment); comment = "" } else state = "decl"
			next
		}
		if (line ~ /^[ \t]*$/) next
		comment = ""
	}
	END { print "TOTAL " total }' "$h")
	n=$(sed -n 's/^TOTAL //p' <<<"$out")
	total=$((total + n))
	if grep -v '^TOTAL ' <<<"$out" | grep -q .; then
		grep -v '^TOTAL ' <<<"$out" | sed 's/^/doc_comments: /' >&2
		fail=1
	fi
done
if [ "$total" -eq 0 ]; then
	echo "doc_comments: no XENOPS_API declaration found (parser broken?)" >&2
	exit 1
fi
[ $fail -eq 0 ] || exit 1
echo "doc_comments: $total public functions, each with its own complete doc comment"
