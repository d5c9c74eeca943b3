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
source "$REPO/slurm/two_node_lib.sh"
two_node_names "$DIR" "$NET"

alive_pid() {
  local file="$1" name="$2" pid comm
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == "$name" ]] || return 1
  printf '%s' "$pid"
}

stop_pid() {
  local pid="$1" what="$2"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    [[ -d "/proc/$pid" ]] || { log "stopped $what ($pid)"; return 0; }
    sleep 0.1
  done
  log "$what ($pid) still running 10 s after SIGTERM: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    [[ -d "/proc/$pid" ]] || return 0
    sleep 0.1
  done
  return 1
}

if [[ -f "$DIR/slurm.conf" ]] && alive_pid "$DIR/run/slurmctld.pid" slurmctld >/dev/null; then
  export SLURM_CONF="$DIR/slurm.conf"
  jobs="$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
  if [[ -n "${jobs// /}" ]]; then
    log "cancelling the jobs left: $jobs"
    # shellcheck disable=SC2086  # one argument per job id
    scancel --full --quiet $jobs 2>/dev/null || true
    for _ in $(seq 1 30); do
      [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break
      sleep 1
    done
  fi
fi

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
