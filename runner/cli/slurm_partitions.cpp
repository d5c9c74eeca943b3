#include "runner/cli/slurm_partitions.hpp"

#include <algorithm>
#include <sstream>

#include "engine/config.hpp"
#include "runner/cli/subprocess.hpp"

namespace dnnsweep {

std::vector<Partition> parse_sinfo_summary(const std::string& text) {
    std::vector<Partition> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string name, counts;
        if (!(fields >> name >> counts)) continue;
        Partition p;
        p.is_default = name.back() == '*';
        if (p.is_default) name.pop_back();
        p.name = name;
        const auto slash = counts.rfind('/');
        if (name.empty() || slash == std::string::npos) continue;
        try {
            p.nodes = std::stoi(counts.substr(slash + 1));
        } catch (const std::exception&) {
            continue;
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::optional<std::vector<Partition>> query_partitions() {
    const std::optional<ProcessResult> r = run_program({"sinfo", "--all", "-h", "-s", "-o", "%P %F"}, Capture::Stdout);
    if (!r || r->exit_status != 0) return std::nullopt;
    std::vector<Partition> partitions = parse_sinfo_summary(r->captured);
    if (partitions.empty()) return std::nullopt;
    return partitions;
}

void check_request_fits(const std::vector<Partition>& partitions, const std::string& partition, int nodes) {
    std::string names;
    for (const Partition& p : partitions) names += (names.empty() ? "" : ", ") + p.name;
    // sbatch takes a comma-separated list and runs the job in the first that can: the largest counts.
    const Partition* largest = nullptr;
    const auto consider = [&](const Partition& p) {
        if (largest == nullptr || p.nodes > largest->nodes) largest = &p;
    };
    if (partition.empty()) {
        for (const Partition& p : partitions)
            if (p.is_default) consider(p);
        if (largest == nullptr) return;  // no default partition: sbatch says what it wants
    } else {
        std::istringstream list(partition);
        for (std::string wanted; std::getline(list, wanted, ',');) {
            const auto it = std::ranges::find(partitions, wanted, &Partition::name);
            if (it == partitions.end())
                throw ConfigError("partition: no partition '" + wanted + "' on this cluster (sinfo lists: " + names +
                                  ")");
            consider(*it);
        }
        if (largest == nullptr) return;
    }
    if (nodes > largest->nodes)
        throw ConfigError("nodes: " + std::to_string(nodes) + " nodes requested, partition " + largest->name + " has " +
                          std::to_string(largest->nodes) + " (sinfo)");
}

}  // namespace dnnsweep
