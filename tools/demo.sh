#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Set up, build, and run a VM through its lifecycle on the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/examples/lifecycle
