#include "runner/cli/slurm_partitions.hpp"

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
    const std::optional<ProcessResult> r = run_program({"sinfo", "-h", "-s", "-o", "%P %F"}, Capture::Stdout);
    if (!r || r->exit_status != 0) return std::nullopt;
    std::vector<Partition> partitions = parse_sinfo_summary(r->captured);
    if (partitions.empty()) return std::nullopt;
    return partitions;
}

void check_request_fits(const std::vector<Partition>& partitions, const std::string& partition, int nodes) {
    const Partition* chosen = nullptr;
    std::string names;
    for (const Partition& p : partitions) {
        names += (names.empty() ? "" : ", ") + p.name;
        if (partition.empty() ? p.is_default : p.name == partition) chosen = &p;
    }
    if (chosen == nullptr) {
        if (partition.empty()) return;  // no default partition: sbatch says what it wants
        throw ConfigError("partition: no partition '" + partition + "' on this cluster (sinfo lists: " + names + ")");
    }
    if (nodes > chosen->nodes)
        throw ConfigError("nodes: " + std::to_string(nodes) + " nodes requested, partition " + chosen->name + " has " +
                          std::to_string(chosen->nodes) + " (sinfo)");
}

}  // namespace dnnsweep
