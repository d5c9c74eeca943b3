#!/usr/bin/env bash
# Stops the cluster slurm/start_two_node_cluster.sh started in DIR and removes everything it made:
# cancels its jobs, ends its daemons (by their pid files) and every process left in the nodes'
# network namespaces, then deletes the namespaces, the veth pairs and the bridge.
# Usage: bash slurm/stop_two_node_cluster.sh DIR     Leaves DIR's logs for reading.
# Exit code 0 when nothing of the cluster is left.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: stop_two_node_cluster.sh DIR}"
NET="${DNNSWEEP_SLURM2_NET:-10.213.7}"
log() { printf 'stop_two_node_cluster: %s\n' "$*" >&2; }
source "$REPO/slurm/test_cluster_lib.sh"
source "$REPO/slurm/two_node_lib.sh"
two_node_names "$DIR" "$NET"

# Jobs first, while slurmctld and the slurmds can still end their steps cleanly.
cancel_all_jobs "$DIR"

status=0
for n in node1 node2; do
  pid="$(alive_pid "$DIR/run/slurmd-$n.pid" slurmd)" && { stop_pid "$pid" "slurmd of $n" || status=1; }
  # Whatever else still runs in the node (a job step Slurm could not end): nothing may outlive it.
  for pid in $(node_pids "$n"); do stop_pid "$pid" "$(cat "/proc/$pid/comm" 2>/dev/null) of $n" || status=1; done
done
for daemon in slurmctld munged; do
  pid="$(alive_pid "$DIR/run/$daemon.pid" "$daemon")" && { stop_pid "$pid" "$daemon" || status=1; }
done
rm -f "$DIR"/run/*.pid

for n in node1 node2; do
  if ip netns list | grep -qw "${NS_PREFIX}$n"; then
    ip netns del "${NS_PREFIX}$n" || status=1  # deletes its veth pair with it
  fi
done
if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE" || status=1; fi
exit $status
