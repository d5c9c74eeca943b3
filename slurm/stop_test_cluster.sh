#!/usr/bin/env bash
# Stops the cluster slurm/start_test_cluster.sh started in DIR: cancels its jobs, then ends
# exactly the daemons whose pid files it wrote (slurmd, slurmctld, munged), nothing found by name.
# Usage: bash slurm/stop_test_cluster.sh [DIR]   (DIR defaults to ${TMPDIR:-/tmp}/dnnsweep-slurm)
# Leaves DIR's logs for reading; exit code 0 when no daemon of DIR is left running.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-${TMPDIR:-/tmp}/dnnsweep-slurm}"
log() { printf 'stop_test_cluster: %s\n' "$*" >&2; }
source "$REPO/slurm/test_cluster_lib.sh"

# Jobs first, while slurmctld and slurmd can still end their steps cleanly.
cancel_all_jobs "$DIR"

status=0
for daemon in slurmd slurmctld munged; do
  pid="$(alive_pid "$DIR/run/$daemon.pid" "$daemon")" || continue
  stop_pid "$pid" "$daemon" || status=1
done
rm -f "$DIR"/run/*.pid
exit $status
