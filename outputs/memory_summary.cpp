#include "outputs/memory_summary.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/text_format.hpp"

namespace dnnsweep {

std::string memory_summary_text(std::span<const UnitResult> units) {
    std::vector<double> figures;
    const UnitResult* highest = nullptr;
    for (const UnitResult& u : units) {
        if (!std::isfinite(u.memory_mb)) continue;
        figures.push_back(u.memory_mb);
        if (highest == nullptr || u.memory_mb > highest->memory_mb) highest = &u;
    }
    if (figures.empty()) return {};
    const auto mid = figures.begin() + static_cast<std::ptrdiff_t>(figures.size() / 2);
    std::nth_element(figures.begin(), mid, figures.end());
    double median = *mid;
    if (figures.size() % 2 == 0) median = (median + *std::max_element(figures.begin(), mid)) / 2.0;
    return "memory per rank when a unit ended (Pss): median " + fixed(median, 1) + " MiB, highest " +
           fixed(highest->memory_mb, 1) + " MiB (rank " + std::to_string(highest->rank) + " on " + highest->host + ")";
}

}  // namespace dnnsweep
