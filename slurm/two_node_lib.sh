# Shared by start_two_node_cluster.sh, stop_two_node_cluster.sh and the tests (sourced, not run):
# the names a two-node test cluster of one folder uses, and starting one node's slurmd.

# Sets NS_PREFIX (network namespaces: ${NS_PREFIX}node1, ...), BRIDGE, IF_PREFIX (host-side veth
# ends) and CTL_ADDR for the cluster of folder $1 on the /24 $2. The names carry a hash of the folder,
# so two build folders' clusters never share one (interface names must fit in 15 characters).
two_node_names() {
  local dir="$1" net="$2" tag
  tag="$(printf '%s' "$(realpath -m "$dir")" | md5sum | cut -c1-6)"
  NS_PREFIX="dns$tag-"
  BRIDGE="dns${tag}b"
  IF_PREFIX="dns$tag"
  CTL_ADDR="$net.1"
}

# Starts node $2's slurmd for the cluster in folder $1 (SLURM_CONF set): in the node's network
# namespace (nsenter: `ip netns exec` would remount /sys and hide the cgroup mounts slurmd reads),
# with its own hostname, and its own folder for PMIx's per-step files ($1/$2/tmp mounted on
# $1/pmix-tmp, which mpi.conf names): both nodes' slurmstepds name them after the step alone, so on
# one shared folder they would collide. slurmd forks into the background.
start_node() {
  local dir="$1" node="$2"
  nsenter --net="/run/netns/${NS_PREFIX}$node" -- \
    unshare --uts --mount --propagation private -- \
    sh -c 'hostname "$1" && mount --bind "$2" "$3" && exec slurmd -f "$4" -N "$1"' \
    start_node "$node" "$dir/$node/tmp" "$dir/pmix-tmp" "$SLURM_CONF"
}

# The pids of every process in node $1's network namespace (its slurmd, job steps and ranks).
node_pids() {
  ip netns pids "${NS_PREFIX}$1" 2>/dev/null || true
}

# Starts node $2 of the cluster in folder $1 again after it was killed, as a rebooted machine comes
# back: with empty temporary and spool folders (a killed job step leaves its sockets there, PMIx's
# among them, and the next step on that node could not bind them).
restart_node() {
  local dir="$1" node="$2"
  find "$dir/$node/tmp" "$dir/$node/spool" -mindepth 1 -delete
  start_node "$dir" "$node"
}
