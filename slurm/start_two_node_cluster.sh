#!/usr/bin/env bash
# Starts a two-node Slurm cluster on this one machine, for the multi-node tests (tests/slurm/) and
# for trying `dnnsweep submit --nodes 2` without a real cluster.
#
#   host side:  munged, slurmctld; a bridge with the controller's address
#   node1/node2: one slurmd each, in its own network namespace (a veth pair into the bridge, a private
#               address), UTS namespace (its own hostname: MPI and the results see two hosts) and mount
#               namespace (its own folder for PMIx's per-step files, DIR/nodeN/tmp mounted on
#               DIR/pmix-tmp: both slurmstepds name them after the step alone). The file system is
#               otherwise shared, as on a cluster with a shared file system, and so is munge's socket.
#
# Usage: bash slurm/start_two_node_cluster.sh DIR
# Then:  export SLURM_CONF=DIR/slurm.conf              (also written to DIR/env, for `source`)
# Stop:  bash slurm/stop_two_node_cluster.sh DIR
#
# Needs root and permission to make network namespaces (exit 77, with a line saying why, when the
# machine refuses them: the tests count that as skipped). Environment: DNNSWEEP_SLURM2_PORT (default
# 16827): slurmctld's port, slurmd's the next; DNNSWEEP_SLURM2_NET (default 10.213.7): the /24 the
# cluster's addresses come from (.1 the controller, .11 and .12 the nodes). Both must differ from any
# other cluster running at the same time. Exit 0 when both nodes are idle.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: start_two_node_cluster.sh DIR}"
PORT="${DNNSWEEP_SLURM2_PORT:-16827}"
NET="${DNNSWEEP_SLURM2_NET:-10.213.7}"
SKIP=77

log() { printf 'start_two_node_cluster: %s\n' "$*" >&2; }
die() { printf 'start_two_node_cluster: error: %s\n' "$*" >&2; exit 1; }
# Leaves DIR/skipped with the reason, which the tests read to skip themselves too.
skip() {
  printf 'start_two_node_cluster: SKIP: %s\n' "$*" >&2
  mkdir -p "$DIR" && printf '%s\n' "$*" >"$DIR/skipped"
  exit $SKIP
}

[[ $EUID -eq 0 ]] || skip "must run as root (network namespaces, and slurmd starting jobs as their users)"
for tool in ip nsenter unshare; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian packages iproute2 and util-linux)"
done
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  log "installing Slurm and munge (scripts/setup.sh)"
  bash "$REPO/scripts/setup.sh" --no-data --no-build
fi

source "$REPO/slurm/test_cluster_lib.sh"
source "$REPO/slurm/two_node_lib.sh"
two_node_names "$DIR" "$NET"

# A cluster of this folder left by a killed test run holds the ports and names: stop it first. Always,
# even when the folder is gone: its namespaces and bridge are named after the folder's path.
bash "$REPO/slurm/stop_two_node_cluster.sh" "$DIR" || log "leftovers of an earlier cluster could not all be removed"

# Can this machine make the namespaces at all? (Containers often forbid it.) A probe left by a run
# killed right here must not read as "not allowed".
probe="${NS_PREFIX}probe"
ip netns del "$probe" 2>/dev/null || true
ip netns add "$probe" 2>/dev/null || skip "this machine does not allow network namespaces (ip netns add failed)"
ip netns del "$probe"
unshare --uts --mount true 2>/dev/null || skip "this machine does not allow UTS and mount namespaces (unshare failed)"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
(( ${#DIR} <= 70 )) || die "$DIR: path longer than 70 characters, too long for the daemons' sockets; choose a shorter DIR"
rm -rf "$DIR/munge" "$DIR/state" "$DIR/log" "$DIR/run" "$DIR/node1" "$DIR/node2" "$DIR/skipped"
install -d -m 0700 "$DIR/munge" "$DIR/state" "$DIR/run"
install -d -m 1777 "$DIR/pmix-tmp"
install -d -m 0755 "$DIR/log"
for n in node1 node2; do
  install -d -m 0700 "$DIR/$n/spool"
  install -d -m 1777 "$DIR/$n/tmp"
done
chmod 0755 "$DIR"
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$DIR/munge/munge.key"

# Each node offers what this machine has (slurmd -C), as two real nodes of its size would.
node_line="$(slurmd -C | head -n 1)"
[[ "$node_line" == NodeName=* ]] || die "slurmd -C printed no node line: $node_line"
node_size="${node_line#NodeName=* }"   # CPUs=... Boards=... RealMemory=...

cat >"$DIR/slurm.conf" <<CONF
# Written by slurm/start_two_node_cluster.sh: a two-node test cluster on one machine, every file
# under $DIR; slurmctld on this host, node1 and node2 are network namespaces ($NET.11, $NET.12).
ClusterName=dnnsweep-two
SlurmctldHost=$(hostname -s)($CTL_ADDR)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmdSpoolDir=$DIR/%n/spool
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmdLogFile=$DIR/log/slurmd-%n.log
# A killed node is declared DOWN after 20 s without an answer, which requeues its jobs.
$(common_slurm_conf "$DIR" 20)
NodeName=node1 NodeHostname=node1 NodeAddr=$NET.11 $node_size State=UNKNOWN
NodeName=node2 NodeHostname=node2 NodeAddr=$NET.12 $node_size State=UNKNOWN
PartitionName=debug Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
# PMIx's per-step files in the folder each node mounts its own over (two_node_lib.sh start_node).
printf 'PMIxCliTmpDirBase=%s\n' "$DIR/pmix-tmp" >"$DIR/mpi.conf"
printf 'SLURM_CONF=%s\n' "$DIR/slurm.conf" >"$DIR/env"
export SLURM_CONF="$DIR/slurm.conf"

fail() { show_logs "$DIR"; die "$*"; }

# The network: a bridge on the host side with the controller's address, one veth pair per node.
ip link add "$BRIDGE" type bridge
ip addr add "$CTL_ADDR/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
i=0
for n in node1 node2; do
  i=$((i + 1))
  ns="${NS_PREFIX}$n" host_if="${IF_PREFIX}h$i" addr="$NET.1$i"
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name eth0 netns "$ns"
  ip link set "$host_if" master "$BRIDGE" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

munged --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
  --log-file="$DIR/log/munged.log" --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge/munged.seed" \
  --force || fail "munged did not start"
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start"

# Each slurmd enters its node's network namespace with nsenter (`ip netns exec` would remount /sys
# and hide the host's cgroup mounts, which slurmd needs), then gets its own hostname and PMIx folder.
# It forks into the background and writes DIR/run/slurmd-nodeN.pid, which the stop script reads.
for n in node1 node2; do
  start_node "$DIR" "$n" || fail "slurmd of $n did not start"
done

for _ in $(seq 1 60); do
  state="$(timeout 10 sinfo -h -N -o '%N %t' 2>/dev/null | sort | tr '\n' ' ' || true)"
  if [[ "$state" == "node1 idle node2 idle " ]]; then
    log "node1 and node2 idle; export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 1
done
fail "nodes not idle after 60 s (sinfo says: ${state:-nothing})"
