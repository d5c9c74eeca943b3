#!/usr/bin/env bash
# The main job: set-up (packages, data, build), then a local MPI sweep on the built-in MNIST digits
# and its report.
# Usage: bash scripts/main.sh [SPEC.ini] [--out RESULTS.h5] [--ranks N]
#   SPEC    the sweep (default sweeps/quick.ini: about a minute on 2 cores)
#   --out   the results file (default results/<spec name>.h5; an existing one is resumed)
#   --ranks MPI ranks (default: one per core plus the coordinator, which mostly sleeps)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DNNSWEEP="$REPO/build/runner/dnnsweep"

spec="$REPO/sweeps/quick.ini"
out=""
ranks=$(( $(nproc) + 1 ))
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --ranks) ranks="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    -*) echo "main: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) spec="$1"; shift ;;
  esac
done
[[ -n "$out" ]] || out="$REPO/results/$(basename "${spec%.ini}").h5"

bash "$REPO/scripts/setup.sh"

# Open MPI refuses to start as root unless told; the set-up may well run as root.
if [[ $EUID -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
mkdir -p "$(dirname "$out")"
echo "main: mpirun -np $ranks dnnsweep sweep $spec --out $out" >&2
mpirun -np "$ranks" --oversubscribe "$DNNSWEEP" sweep "$spec" --out "$out"
exec "$DNNSWEEP" report "$out"
