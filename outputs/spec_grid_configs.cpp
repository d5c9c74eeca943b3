#include "outputs/spec_grid_configs.hpp"

#include <algorithm>

namespace dnnsweep {

SpecGridConfigs::SpecGridConfigs(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs)
    : all_(configs) {
    const auto repair = [&](const ConfigSummary& c) { return spec_configs > 0 && c.config >= spec_configs; };
    if (!std::ranges::any_of(configs, repair)) return;
    filtered_.emplace();
    for (const ConfigSummary& c : configs)
        if (!repair(c)) filtered_->push_back(c);
}

}  // namespace dnnsweep
