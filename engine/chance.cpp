#include "engine/chance.hpp"

#include <algorithm>
#include <numeric>

namespace dnnsweep {

double Chance::not_training_below(double chance_factor) const {
    if (!majority || classes < 2) return chance_factor * level;
    return level + (chance_factor - 1.0) / static_cast<double>(classes - 1) * (1.0 - level);
}

Chance uniform_chance(int classes) {
    return {.classes = classes, .level = classes > 0 ? 1.0 / classes : 0.0, .majority = false};
}

Chance chance_of(std::span<const std::uint64_t> rows_per_class, double chance_factor) {
    const int classes = static_cast<int>(rows_per_class.size());
    Chance c = uniform_chance(classes);
    const std::uint64_t total = std::accumulate(rows_per_class.begin(), rows_per_class.end(), std::uint64_t{0});
    if (total == 0) return c;
    const double share = static_cast<double>(std::ranges::max(rows_per_class)) / static_cast<double>(total);
    if (share >= chance_factor / static_cast<double>(classes)) {
        c.level = share;
        c.majority = true;
    }
    return c;
}

std::vector<std::uint64_t> training_rows_per_class(const Dataset& data, const StudySplit& split) {
    std::vector<std::uint64_t> rows(static_cast<std::size_t>(std::max(data.classes, 0)), 0);
    if (data.y.empty() || data.classes < 1) return rows;
    // Fold 0's training and validation parts together are every row the test set leaves.
    const UnitRows parts = unit_rows(split, data.y, data.classes, 0);
    for (const auto* part : {&parts.train, &parts.val})
        for (const std::uint32_t r : *part) ++rows[static_cast<std::size_t>(data.y[r])];
    return rows;
}

}  // namespace dnnsweep
