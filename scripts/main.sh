#!/usr/bin/env bash
# The main job: set-up (packages, data, build), then one dnnsweep run.
# Usage: bash scripts/main.sh [extra dnnsweep train options...]
# Extra options replace the same-named defaults below (e.g. --epochs 20) or add new ones.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---- The job. Edit here (the sweep command replaces this later). ----
JOB=("$REPO/build/runner/dnnsweep" train)
# Defaults: "--option value" pairs only.
JOB_DEFAULTS=(--data mnist --layers 3 --width 689 --activation relu --optimizer adam --epochs 5)
# ---------------------------------------------------------------------

bash "$REPO/scripts/setup.sh"

[[ -x "${JOB[0]}" ]] || {
  echo "main: ${JOB[0]} was not built (is runner/ in the CMake build yet?)" >&2
  exit 1
}

# Drop each default pair whose option the caller gives (as --opt value or --opt=value),
# so options are never given twice.
given=" "
for arg in "$@"; do
  [[ "$arg" == --* ]] && given+="${arg%%=*} "
done
args=()
for ((i = 0; i < ${#JOB_DEFAULTS[@]}; i += 2)); do
  opt="${JOB_DEFAULTS[i]}"
  [[ "$given" == *" $opt "* ]] || args+=("$opt" "${JOB_DEFAULTS[i + 1]}")
done

echo "main: ${JOB[*]} ${args[*]} $*" >&2
exec "${JOB[@]}" "${args[@]}" "$@"
