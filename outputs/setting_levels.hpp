#pragma once
// The configurations as a design matrix: for each setting the sweep varies, its distinct values
// (levels) and, for every configuration, the index of its value. Importance, the diagnosis's groups,
// the heat map and the interactive page all work on these indices, so a study of 100,000
// configurations is compared as small integers, not as text.
#include <cstddef>
#include <string>
#include <vector>

#include "outputs/results_store.hpp"

namespace dnnsweep {

struct SettingLevels {
    std::string option;               // e.g. "learning-rate"
    std::vector<std::string> values;  // option text of each level, in order (numeric: ascending)
    bool numeric = false;             // levels are numbers: ordered, so "<= v" is meaningful
    std::vector<int> level;           // per configuration (index into configs): its level
};

// One entry per varied option (varied_options' order). Numeric options' levels are sorted by value;
// the others keep the order of first appearance (the spec's list order).
std::vector<SettingLevels> setting_levels(const std::vector<ConfigSummary>& configs);

}  // namespace dnnsweep
