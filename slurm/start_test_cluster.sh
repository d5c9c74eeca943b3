#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine, for the tests (tests/slurm/) and for trying
# `dnnsweep submit` without a real cluster: munged, slurmctld and slurmd as root, without systemd,
# with every file (config, key, state, spool, logs, pid files) under one folder.
#
# Usage: bash slurm/start_test_cluster.sh [DIR]     (DIR defaults to ${TMPDIR:-/tmp}/dnnsweep-slurm)
# Then:  export SLURM_CONF=DIR/slurm.conf           (also written to DIR/env, for `source`)
# Stop:  bash slurm/stop_test_cluster.sh [DIR]
#
# Installs slurm-wlm and munge when missing (through scripts/setup.sh, the one package list).
# Environment: DNNSWEEP_SLURM_PORT (default 16817): slurmctld's port; slurmd uses the next one, so a
#   real Slurm on the default ports 6817/6818 is left alone.
# A cluster this script started in the same DIR before is stopped first. Exit codes: 0 when the
# node is idle, 1 otherwise (with the daemons' logs' last lines on stderr).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-${TMPDIR:-/tmp}/dnnsweep-slurm}"
PORT="${DNNSWEEP_SLURM_PORT:-16817}"

log() { printf 'start_test_cluster: %s\n' "$*" >&2; }
die() { printf 'start_test_cluster: error: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (slurmd starts jobs as their users; munged and the daemons run as root here)"

# The package install check: setup.sh holds the package list and installs only what is missing.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null ||
   ! command -v sbatch >/dev/null; then
  log "installing Slurm and munge (scripts/setup.sh)"
  bash "$REPO/scripts/setup.sh" --no-data --no-build
fi

source "$REPO/slurm/test_cluster_lib.sh"

# A previous cluster of this folder (a test run that was killed) holds the ports: stop it.
if [[ -d "$DIR/run" ]]; then bash "$REPO/slurm/stop_test_cluster.sh" "$DIR"; fi

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
# munged's and slurmstepd's unix sockets live in DIR, and their paths must fit in 108 bytes.
(( ${#DIR} <= 70 )) || die "$DIR: path longer than 70 characters, too long for the daemons' sockets; choose a shorter DIR"
rm -rf "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
# munged refuses folders that others can write to.
install -d -m 0700 "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/run"
install -d -m 0755 "$DIR/log"
chmod 0755 "$DIR"

# A key of this cluster's own: the system's /etc/munge/munge.key belongs to a real munged.
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$DIR/munge/munge.key"

# The node line as slurmd sees this machine: NodeName=<host> CPUs=... RealMemory=...
node_line="$(slurmd -C | head -n 1)"
[[ "$node_line" == NodeName=* ]] || die "slurmd -C printed no node line: $node_line"
node="${node_line#NodeName=}"
node="${node%% *}"

cat >"$DIR/slurm.conf" <<CONF
# Written by slurm/start_test_cluster.sh: a single-node test cluster, every file under $DIR.
ClusterName=dnnsweep-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmdSpoolDir=$DIR/spool
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmdLogFile=$DIR/log/slurmd.log
$(common_slurm_conf "$DIR" 60)
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
# Jobs may share cores (up to 4 a core): a sweep's rank 0 hardly uses its core, and on a small test
# machine the tests' jobs then run side by side instead of one after another.
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
printf 'SLURM_CONF=%s\n' "$DIR/slurm.conf" >"$DIR/env"
export SLURM_CONF="$DIR/slurm.conf"

fail() { show_logs "$DIR"; die "$*"; }

# Each daemon forks into the background and writes its pid file, which the stop script reads.
munged --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
  --log-file="$DIR/log/munged.log" --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge/munged.seed" \
  --force || fail "munged did not start"
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

# Idle: slurmd registered and the node can take jobs (about 2 s when all is well).
for _ in $(seq 1 60); do
  state="$(sinfo -h -n "$node" -o '%t' 2>/dev/null || true)"
  if [[ "$state" == idle ]]; then
    log "node $node idle; export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 1
done
fail "node $node not idle after 60 s (sinfo says: ${state:-nothing})"
