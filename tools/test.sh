#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Set up, build and run the test suite.
#   tools/test.sh                      normal build (build/)
#   tools/test.sh --sanitize address   ASan+UBSan build (build-asan/)
#   tools/test.sh --sanitize thread    TSan build (build-tsan/)
set -euo pipefail
cd "$(dirname "$0")/.."

san=""
if [ "${1:-}" = "--sanitize" ]; then
	san=${2:?address or thread}
fi
tools/deps.sh

case $san in
"") dir=build; type=RelWithDebInfo ;;
address) dir=build-asan; type=Debug ;;
thread) dir=build-tsan; type=Debug ;;
*) echo "test.sh: --sanitize address|thread" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$type -DXENOPS_SANITIZE="$san" -DXENOPS_BUILD_DAEMON=ON -DXENOPS_WITH_XEN=AUTO >/dev/null
cmake --build "$dir" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
