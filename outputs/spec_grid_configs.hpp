#pragma once
// The configurations of the spec's grid, without the repairs trained after it (outputs/repairs.hpp:
// repair k is configuration spec_configs + k). The analyses of which settings matter (the
// importance decomposition, the per-value influence) describe the grid the user designed: a repair
// is one key changed on a configuration chosen because it failed, an off-grid point that would add
// a level (`dropout` 0.5, `train-noise` 1) with one configuration behind it and turn an exact
// decomposition of a full grid into an approximation. The leaderboard, the diagnosis and the study
// findings cover every configuration, repairs included.
#include <cstdint>
#include <optional>
#include <vector>

#include "outputs/results_store.hpp"

namespace dnnsweep {

class SpecGridConfigs {
public:
    // spec_configs 0: not known, every configuration counts. Copies only when there are repairs.
    SpecGridConfigs(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs);
    const std::vector<ConfigSummary>& get() const { return filtered_ ? *filtered_ : all_; }

private:
    const std::vector<ConfigSummary>& all_;
    std::optional<std::vector<ConfigSummary>> filtered_;
};

}  // namespace dnnsweep
