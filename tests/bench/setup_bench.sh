#!/usr/bin/env bash
# Idempotent set-up for the side-by-side benchmark (tests/bench/bench_vs_torch.py) on Debian 12:
# installs the Debian packages the PyTorch side needs, with apt-get, only when they are missing
# (as root, or via sudo). Everything else (oneDNN, the compiler, the data, the dnnsweep build)
# comes from scripts/setup.sh.
# Usage: bash tests/bench/setup_bench.sh
# Safe to run repeatedly: a second run installs nothing.
set -euo pipefail

PACKAGES=(
  python3-torch          # PyTorch (Debian's 1.13 build) for torch_anchor.py
  python3-numpy          # torch_anchor.py's arrays (also in scripts/setup.sh)
  libopenblas0-pthread   # the BLAS Debian's torch runs on (the reference runs used OpenBLAS)
)

log() { printf 'setup_bench: %s\n' "$*" >&2; }
die() { printf 'setup_bench: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option: $1 (usage: bash tests/bench/setup_bench.sh)" ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/apt_lib.sh"
install_missing "${PACKAGES[@]}"
/usr/bin/python3 -c 'import torch' 2>/dev/null || die "/usr/bin/python3 cannot import torch (packages: ${PACKAGES[*]})"
