#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what libxenops needs to build and test on Debian 12 (bookworm).
# Run as root (or through sudo). --xen adds what the Xen testbed needs,
# --pkg what building the Debian packages and checking them needs.
set -euo pipefail

pkgs=(build-essential cmake pkg-config libjson-c-dev libgnutls28-dev check libxen-dev clang
      libclang-rt-14-dev valgrind abigail-tools)
for opt in "$@"; do
	case "$opt" in
	--xen) pkgs+=(qemu-system-x86 cpio busybox-static util-linux dpkg-dev qemu-system-xen iproute2) ;;
	--pkg) pkgs+=(debhelper dpkg-dev lintian fakeroot groff-base man-db bash-completion) ;;
	*) echo "deps: unknown option $opt (--xen, --pkg)" >&2; exit 2 ;;
	esac
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run as root (sudo $0 $*)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
