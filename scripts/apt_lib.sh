# Sourced, not run: the idempotent apt-get install shared by scripts/setup.sh and
# tests/bench/setup_bench.sh. The caller defines log() and die() (its own message prefix).

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

# True when the Debian package is installed ("install ok installed", "hold ok installed").
is_installed() {
  local status
  status="$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null)" || return 1
  grep -q ' installed$' <<<"$status"
}

# Installs those of the given packages that are missing (apt-get, as root or via sudo); a no-op
# when every one is installed.
install_missing() {
  local missing=() pkg
  command -v dpkg-query >/dev/null || die "dpkg-query not found: this script needs Debian 12 (apt/dpkg)"
  for pkg in "$@"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "all Debian packages present"
    return 0
  fi

  local -a as_root=()
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
  log "installed: ${missing[*]}"
}
