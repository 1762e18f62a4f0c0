#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A section 3 manual page for one public header, generated from it: the
# header's opening comment, then each exported function with its
# declaration and the doc comment written above it. The header is the one
# source of these facts; the page follows it at every build.
#
#   gen_header_page.sh HEADER VERSION > xenops_NAME.3
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: gen_header_page.sh HEADER VERSION" >&2
	exit 2
fi
header=$1
version=$2
name=$(basename "$header" .h)

awk -v name="$name" -v version="$version" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.\047]/) s = "\\&" s
	return s
}
# Doc comment text: @p/@c words in italics, @since on its own line.
function prose(s) {
	s = esc(s)
	while (match(s, /@[pc] [A-Za-z_][A-Za-z0-9_]*/))
		s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 3, RLENGTH - 3) "\\fR" substr(s, RSTART + RLENGTH)
	return s
}
function flush_doc(   i, since) {
	for (i = 1; i <= ndoc; i++) {
		line = doc[i]
		since = ""
		if (line !~ /^@since / && match(line, / ?@since [0-9.]+$/)) {
			since = substr(line, RSTART + (substr(line, RSTART, 1) == " " ? 1 : 0))
			line = substr(line, 1, RSTART - 1)
		}
		if (line ~ /^@param(\[[a-z,]*\])? /) {
			sub(/^@param(\[[a-z,]*\])? +/, "", line)
			split(line, w, " ")
			rest = substr(line, length(w[1]) + 2)
			sub(/^ +/, "", rest)
			print ".TP"
			print "\\fI" esc(w[1]) "\\fR"
			print prose(rest)
		} else if (line ~ /^@since /) {
			print ".PP"
			print "Since " esc(substr(line, 8)) "."
		} else if (line ~ /^@(return|returns|retval|note|warning) /) {
			print ".PP"
			w1 = substr(line, 2, index(line, " ") - 2)
			print toupper(substr(w1, 1, 1)) substr(w1, 2) ": " prose(substr(line, length(w1) + 3))
		} else if (line == "") {
			print ".PP"
		} else {
			print prose(line)
		}
		if (since != "") {
			print ".PP"
			print "Since " esc(substr(since, 8)) "."
		}
	}
}
BEGIN {
	upper = toupper(name)
	printf ".\\\" Generated from include/xenops/%s.h by man/gen_header_page.sh.\n", name
	printf ".TH XENOPS_%s 3 2026-11-29 \"libxenops %s\" \"Library Functions Manual\"\n", upper, version
	print ".SH NAME"
	state = "top"
}
# The opening comment (after the SPDX line) describes the header.
state == "top" && /^\/\*$/ { state = "intro"; next }
state == "intro" {
	if ($0 ~ /^ \*\//) {
		print "xenops_" name " \\- the functions of <xenops/" name ".h>"
		print ".SH SYNOPSIS"
		print ".nf"
		print ".B #include <xenops/" name ".h>"
		print ".fi"
		print ".PP"
		print "Link with \\fB\\-lxenops\\fR (\\fBpkg\\-config \\-\\-libs libxenops\\fR)."
		print ".SH DESCRIPTION"
		print intro_rest
		print ".PP"
		print "The conventions shared by every function (errors, ownership, threads)"
		print "are in"
		print ".BR libxenops (3)."
		print "Types, enumerations and macros are described in the header itself."
		print ".SH FUNCTIONS"
		state = "body"
		next
	}
	t = $0
	sub(/^ \* ?/, "", t)
	sub(/^libxenops: /, "", t)
	intro_rest = intro_rest (intro_rest == "" ? "" : "\n") esc(t)
	next
}
state != "body" { next }
# A doc comment: one line, or a block.
/^\/\*\*.*\*\/[ \t]*$/ {
	t = $0
	sub(/^\/\*\* */, "", t)
	sub(/ *\*\/[ \t]*$/, "", t)
	ndoc = 0
	if (match(t, / @since .*/)) {
		doc[++ndoc] = substr(t, 1, RSTART - 1)
		doc[++ndoc] = substr(t, RSTART + 1)
	} else {
		doc[++ndoc] = t
	}
	have_doc = 1
	next
}
/^\/\*\*/ { ndoc = 0; indoc = 1; have_doc = 1; next }
indoc && /^ \*\// { indoc = 0; next }
indoc {
	t = $0
	sub(/^ \* ?/, "", t)
	# A line continues the previous one unless it starts a new item.
	if (t == "" || t ~ /^@[a-z]+(\[[a-z,]*\])? / || ndoc == 0 || doc[ndoc] == "" || t ~ /^ *- /) {
		doc[++ndoc] = t
	} else {
		sub(/^[ \t]+/, "", t)
		doc[ndoc] = doc[ndoc] " " t
	}
	next
}
/^XENOPS_API / { decl = $0; indecl = 1 }
indecl && !/^XENOPS_API / { t = $0; sub(/^[ \t]+/, "", t); decl = decl " " t }
indecl && /;/ {
	indecl = 0
	sub(/^XENOPS_API /, "", decl)
	f = decl
	sub(/[ \t]*\(.*/, "", f)
	sub(/.*[ *]/, "", f)
	print ".SS " f
	print ".EX"
	print esc(decl)
	print ".EE"
	print ".PP"
	if (have_doc) flush_doc()
	have_doc = 0
	ndoc = 0
	next
}
# Anything else ends the doc comment read last: it was not a function'"'"'s.
!indecl && !/^[ \t]*$/ { have_doc = 0; ndoc = 0 }
END {
	print ".SH SEE ALSO"
	print ".BR libxenops (3)"
}' "$header"
