#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each manual page renders without a single warning, with every groff
# warning on and through man(1) as a reader would open it.
#
#   check_render.sh PAGE...
set -euo pipefail

fail=0
for page in "$@"; do
	# -w all leaves out the di, mac and reg warnings; -ww is every one.
	# Pages are UTF-8, as man(1) reads them (through preconv).
	out=$(groff -K utf8 -ww -man -Tutf8 "$page" 2>&1 >/dev/null) || { echo "check_render: groff failed on $page" >&2; fail=1; }
	if [ -n "$out" ]; then
		echo "check_render: groff warns on $page:" >&2
		echo "$out" >&2
		fail=1
	fi
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || { echo "check_render: man -l failed on $page" >&2; fail=1; }
		if [ -n "$out" ]; then
			echo "check_render: man -l warns on $page:" >&2
			echo "$out" >&2
			fail=1
		fi
	fi
done
[ $fail -eq 0 ] || exit 1
echo "check_render: $# pages render without warnings"
