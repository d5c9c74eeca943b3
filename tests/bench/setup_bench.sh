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

# True when the Debian package is installed ("install ok installed", "hold ok installed").
is_installed() {
  local status
  status="$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null)" || return 1
  grep -q ' installed$' <<<"$status"
}

# Runs a command with its output kept in a log; prints the log only if the command fails.
quiet() {
  local out status=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    cat "$out" >&2
    rm -f "$out"
    die "failed (exit $status): $*"
  fi
  rm -f "$out"
}

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script needs Debian 12 (apt/dpkg)"
missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  log "all Debian packages present (${PACKAGES[*]})"
  exit 0
fi

as_root=()
if [[ $EUID -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    die "missing Debian packages: ${missing[*]}
  Not root and no sudo. As root, run:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  fi
fi

log "installing missing Debian packages: ${missing[*]}"
quiet "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o DPkg::Lock::Timeout=300 update
quiet "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || die "apt-get finished but $pkg is still not installed"
done
/usr/bin/python3 -c 'import torch' 2>/dev/null || die "installed ${missing[*]} but /usr/bin/python3 cannot import torch"
log "installed: ${missing[*]}"
