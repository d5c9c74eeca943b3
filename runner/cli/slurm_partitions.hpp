#pragma once
// What the cluster can give a job, asked of sinfo before `dnnsweep submit` queues it: a request
// larger than its partition would otherwise wait in the queue forever (Slurm's PartitionNodeLimit).
#include <optional>
#include <string>
#include <vector>

namespace dnnsweep {

struct Partition {
    std::string name;
    int nodes = 0;  // every node of the partition, whatever its state
    bool is_default = false;
};

// The partitions from `sinfo` output in the form `sinfo -h -s -o "%P %F"` prints: "debug* 0/2/0/2"
// (allocated/idle/other/total). Lines it cannot read are left out.
std::vector<Partition> parse_sinfo_summary(const std::string& text);

// The cluster's partitions, hidden ones included, or nullopt when sinfo is missing or cannot answer (then sbatch judges).
std::optional<std::vector<Partition>> query_partitions();

// Throws ConfigError naming the option when a partition of `partition` (a comma-separated list, as
// sbatch takes it; empty: the default one) does not exist, or when the largest of them has fewer
// than `nodes` nodes.
void check_request_fits(const std::vector<Partition>& partitions, const std::string& partition, int nodes);

}  // namespace dnnsweep
