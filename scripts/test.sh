#!/usr/bin/env bash
# Runs the whole test suite: set-up (packages, data, build), the format check
# (scripts/check_format.sh), then three ctest runs:
#   1. every test on the Release build (build/),
#   2. the unit tests built with AddressSanitizer + UndefinedBehaviorSanitizer (gcc, build-asan/),
#   3. the libFuzzer harnesses of the spec parser and dataset loaders, DNNSWEEP_FUZZ_SECONDS
#      (default 25) each, with ASan + UBSan (clang, build-fuzz/; tests/fuzz/README.md).
# Usage: bash scripts/test.sh [ctest args...]   e.g. -L unit, -LE acceptance, -R Config
# The args go to each run, on top of its own label (`unit` for 2, `fuzz` for 3), so -L unit runs
# the unit tests plain and sanitized, and -R Config only what matches in each.
# Every run happens even if one fails; the exit code is the first failing run's.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc)"

log() { printf 'test: %s\n' "$*" >&2; }

# Configures and builds one extra build folder, printing cmake's output only when it fails.
build_extra() {
  local dir="$1" target="$2" out status=0
  shift 2
  local -a cmake_args=(-S "$REPO" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@")
  if [[ "${CI:-}" == true ]]; then cmake_args+=(-DDNNSWEEP_WERROR=ON); fi
  log "building $dir ($target)"
  out="$(mktemp)"
  { cmake "${cmake_args[@]}" && cmake --build "$dir" -j"$JOBS" --target "$target"; } >"$out" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then cat "$out" >&2; fi
  rm -f "$out"
  return $status
}

bash "$REPO/scripts/setup.sh"

first_failure=0
failed_dirs=()
# record STATUS [BUILD_DIR]: keeps the first failure's code and where its tests' logs are.
record() {
  if [[ $first_failure -eq 0 && $1 -ne 0 ]]; then first_failure=$1; fi
  if [[ $1 -ne 0 && -n "${2:-}" ]]; then failed_dirs+=("$2"); fi
}

log "format (.clang-format)"
status=0
bash "$REPO/scripts/check_format.sh" || status=$?
record $status

log "ctest on build/"
status=0
ctest --test-dir "$REPO/build" --output-on-failure -j"$JOBS" "$@" || status=$?
record $status "$REPO/build"

# -O1 with line tables only: a third of the compile time of -O2 -g under the sanitizers, with
# file:line still in every report. Asserts stay on (no NDEBUG). halt_on_error is built in
# (-fno-sanitize-recover, CMakeLists.txt); no suppressions are needed so far.
sanitizer_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1"
                 -DDNNSWEEP_SANITIZE=address,undefined)
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1"

status=0
build_extra "$REPO/build-asan" dnnsweep_unit_tests \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ "${sanitizer_flags[@]}" || status=$?
if [[ $status -eq 0 ]]; then
  log "ctest -L unit on build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer)"
  ctest --test-dir "$REPO/build-asan" --output-on-failure -j"$JOBS" -L unit "$@" || status=$?
fi
record $status "$REPO/build-asan"

status=0
build_extra "$REPO/build-fuzz" all \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${sanitizer_flags[@]}" -DDNNSWEEP_FUZZ=ON \
  -DDNNSWEEP_FUZZ_SECONDS="${DNNSWEEP_FUZZ_SECONDS:-25}" || status=$?
if [[ $status -eq 0 ]]; then
  log "ctest -L fuzz on build-fuzz/ (libFuzzer, ${DNNSWEEP_FUZZ_SECONDS:-25} s per target)"
  ctest --test-dir "$REPO/build-fuzz" --output-on-failure -j"$JOBS" -L fuzz "$@" || status=$?
fi
record $status "$REPO/build-fuzz"

# The failures again at the very end, where a log cut to its tail still shows them.
for dir in "${failed_dirs[@]}"; do python3 "$REPO/scripts/ctest_failures.py" "$dir" >&2 || true; done
exit $first_failure
