# Sourced, not run: what the test clusters' start and stop scripts share
# (start_test_cluster.sh, start_two_node_cluster.sh and their stop scripts).

# The slurm.conf settings every test cluster has, for the cluster in folder $1 whose nodes are
# declared down after $2 s without an answer (SlurmdTimeout): authentication through the cluster's
# own munged, plugins for a machine without cgroups or systemd, a scheduler that starts jobs within
# seconds, and short timeouts that keep the tests short.
common_slurm_conf() {
  local dir="$1" slurmd_timeout="$2"
  cat <<CONF
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: a requeued job waits this long before it may start again (default 120 s).
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups and no systemd here: processes are tracked through their parents.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start pending jobs (a requeued one included) within a second or two, not at the next minute.
SchedulerParameters=sched_interval=2,bf_interval=2,defer_batch
# A node that went away comes back into service when its slurmd registers again.
ReturnToService=2
# A job past its time limit gets SIGTERM, then SIGKILL after KillWait seconds: a sweep stops in
# about 2 s (docs/reliability.md), so 10 s is plenty and keeps the tests short.
KillWait=10
OverTimeLimit=0
MessageTimeout=10
SlurmdTimeout=$slurmd_timeout
InactiveLimit=0
# Finished jobs stay visible to scontrol for 10 minutes (the tests read their state).
MinJobAge=600
CONF
}

# The pid in FILE ($1) when that process is alive and still the program NAME ($2) (a pid file
# outliving its daemon may name an unrelated process by now).
alive_pid() {
  local file="$1" name="$2" pid comm
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == "$name" ]] || return 1
  printf '%s' "$pid"
}

# Cancels every job of the cluster in folder $1 while its slurmctld runs (so slurmctld and the
# slurmds can still end their steps cleanly), waiting up to 30 s for the queue to empty. Logs
# through the caller's `log`.
cancel_all_jobs() {
  local dir="$1" jobs
  [[ -f "$dir/slurm.conf" ]] && alive_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null || return 0
  export SLURM_CONF="$dir/slurm.conf"
  jobs="$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
  [[ -n "${jobs// /}" ]] || return 0
  log "cancelling the jobs left: $jobs"
  # shellcheck disable=SC2086  # one argument per job id
  scancel --full --quiet $jobs 2>/dev/null || true
  for _ in $(seq 1 30); do
    [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && return 0
    sleep 1
  done
}

# Ends process $1 (named $2 in the log): SIGTERM, and SIGKILL if it is still there 10 s later.
# Returns non-zero when it outlives that too.
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

# The last lines of every log of the cluster in folder $1, on stderr: for a start that fails.
show_logs() {
  local f
  for f in "$1"/log/*.log; do
    [[ -f "$f" ]] && { printf '== %s\n' "$f" >&2; tail -n 15 "$f" >&2; }
  done
}
