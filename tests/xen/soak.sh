#!/bin/bash
# tests/xen/soak.sh [CYCLES] [run.sh options...] - the Xen suite's soak alone:
# xenopsd, then CYCLES (default 200) cycles of three guests (section xo_soak
# in xenops.sh), with a timeout that grows with CYCLES. The default suite
# runs the same section with 1 cycle.
set -euo pipefail
n=${1:-200}
case $n in '' | *[!0-9]*) echo "usage: $0 [CYCLES] [run.sh options...]" >&2; exit 2 ;; esac
[ $# -eq 0 ] || shift
exec "$(dirname "$0")/run.sh" --only '^xo_(daemon|soak|stop)$' --env "XO_SOAK_CYCLES=$n" \
    --timeout $((900 + n * 900)) "$@"
