#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the Debian packages from a clean clone of HEAD (as dpkg-buildpackage
# -us -uc -b would on a fresh checkout) and check them with lintian: any
# error or warning fails, overrides in debian/ must say why. The test suite
# already ran in CI, so the package build skips it (nocheck) to stay fast;
# the xl.cfg examples of Xen's Debian package are fetched for test_xlcfg
# (built by the earlier stages in build/).
#
#   tools/ci_packages.sh [--out DIR]     (run as root; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
out=${2:-}
[ "${1:-}" != --out ] || [ -n "$out" ] || { echo "usage: $0 [--out DIR]" >&2; exit 2; }

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

# test_xlcfg with Xen's own example files (xen-utils-common), when apt can
# fetch the package; the suite said "SKIPPED" for them otherwise.
mkdir "$work/xen"
if [ -x build/tests/test_xlcfg ] &&
	(cd "$work/xen" && apt-get download -q xen-utils-common >/dev/null 2>&1); then
	dpkg-deb -x "$work"/xen/xen-utils-common_*.deb "$work/xen/root"
	XO_XL_EXAMPLES="$work/xen/root/etc/xen" build/tests/test_xlcfg
fi

if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$work"/*.deb "$out"/
fi
