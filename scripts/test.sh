#!/usr/bin/env bash
# Runs the whole test suite: set-up (packages, data, build), then ctest.
# Usage: bash scripts/test.sh [ctest args...]   e.g. -L unit, -LE acceptance, -R Config
# Exit code is ctest's.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "$REPO/scripts/setup.sh"
exec ctest --test-dir "$REPO/build" --output-on-failure -j"$(nproc)" "$@"
