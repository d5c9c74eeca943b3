#!/usr/bin/env bash
# Checks that every C++ file of the repository is formatted as .clang-format says (Debian's
# clang-format 14). Exit 0 when it is; otherwise lists the files and exits 1.
# Usage: bash scripts/check_format.sh [--fix]     --fix rewrites the files in place instead.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
command -v clang-format >/dev/null || { echo "check_format: clang-format not found (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [[ "${1:-}" == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if (( ${#bad[@]} > 0 )); then
  printf 'check_format: not formatted as .clang-format says (run bash scripts/check_format.sh --fix):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
