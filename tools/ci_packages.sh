#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the Debian packages from a clean clone of HEAD (as dpkg-buildpackage
# -us -uc -b would on a fresh checkout) and check them with lintian: any
# error or warning fails, overrides in debian/ must say why. The test suite
# already ran in CI (with Xen's xlexample files, see .ci/run), so the
# package build skips it (nocheck) to stay fast.
#
# --testbed-out DIR builds the packages a second time with the build profile
# pkg.libxenops.testhooks (debian/rules: the same packages with the library's
# test hooks in, which the Xen suite's crash sweeps need), checks that they
# hold the same files as the release packages, and copies them to DIR for
# tests/xen/run.sh --debs. They are not linted: they are never released.
#
#   tools/ci_packages.sh [--out DIR] [--testbed-out DIR]
#                                        (run as root; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
out=
tbout=
usage() { echo "usage: $0 [--out DIR] [--testbed-out DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
		--out) [ $# -ge 2 ] || usage; out=$2; shift ;;
		--testbed-out) [ $# -ge 2 ] || usage; tbout=$2; shift ;;
		*) usage ;;
	esac
	shift
done

tools/deps.sh --pkg
work=$(mktemp -d /tmp/xenops-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/libxenops"
(cd "$work/libxenops" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b)
ls -l "$work"/*.deb

# Errors and warnings fail; info tags are shown. lintian warns about
# running as root, which CI does: that line is not about the packages.
lintian --fail-on error,warning --info --pedantic "$work"/*.changes 2>&1 |
	grep -v 'running with root privileges is not recommended' || true
lintian --fail-on error,warning "$work"/*.changes >/dev/null 2>&1 || {
	echo "ci_packages: lintian reports errors or warnings (above)" >&2
	exit 1
}

if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$work"/*.deb "$out"/
fi

if [ -n "$tbout" ]; then
	mkdir "$work/testbed"
	git clone -q "$src" "$work/testbed/libxenops"
	(cd "$work/testbed/libxenops" &&
		DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
			dpkg-buildpackage -us -uc -b --build-profiles=pkg.libxenops.testhooks)
	# Same packages, same files: only the library's contents differ (the
	# debug symbols are named by build id, so those packages are left out).
	for deb in "$work"/*.deb; do
		case $deb in *-dbgsym_*) continue ;; esac
		tb=$work/testbed/$(basename "$deb")
		[ -f "$tb" ] || { echo "ci_packages: the testbed build lacks $(basename "$deb")" >&2; exit 1; }
		if ! diff <(dpkg-deb -c "$deb" | awk '{ print $1, $NF }') \
			<(dpkg-deb -c "$tb" | awk '{ print $1, $NF }'); then
			echo "ci_packages: $(basename "$deb") holds other files with the test hooks" >&2
			exit 1
		fi
	done
	mkdir -p "$tbout"
	rm -f "$tbout"/*.deb
	find "$work/testbed" -maxdepth 1 -name '*.deb' ! -name '*-dbgsym_*' -exec cp {} "$tbout"/ \;
	ls -l "$tbout"
fi
