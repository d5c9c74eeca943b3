#!/usr/bin/env bash
# Stops the cluster slurm/start_test_cluster.sh started in DIR: cancels its jobs, then ends
# exactly the daemons whose pid files it wrote (slurmd, slurmctld, munged), nothing found by name.
# Usage: bash slurm/stop_test_cluster.sh [DIR]   (DIR defaults to ${TMPDIR:-/tmp}/dnnsweep-slurm)
# Leaves DIR's logs for reading; exit code 0 when no daemon of DIR is left running.
set -uo pipefail

DIR="${1:-${TMPDIR:-/tmp}/dnnsweep-slurm}"
log() { printf 'stop_test_cluster: %s\n' "$*" >&2; }

# The pid in FILE when that process is alive and still the program NAME (a pid file outliving its
# daemon may name an unrelated process by now).
alive_pid() {
  local file="$1" name="$2" pid comm
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == "$name" ]] || return 1
  printf '%s' "$pid"
}

# Jobs first, while slurmctld and slurmd can still end their steps cleanly.
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
for daemon in slurmd slurmctld munged; do
  pid="$(alive_pid "$DIR/run/$daemon.pid" "$daemon")" || continue
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.1
  done
  if [[ -d "/proc/$pid" ]]; then
    log "$daemon ($pid) still running 10 s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
    [[ -d "/proc/$pid" ]] && status=1
  fi
  log "stopped $daemon ($pid)"
done
rm -f "$DIR"/run/*.pid
exit $status
