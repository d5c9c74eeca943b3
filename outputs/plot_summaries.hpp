#pragma once
// The figures of the plot plan that summarise a whole study in one image each, whatever its size:
// importance bars (outputs/importance.hpp), the mean accuracy over the two settings that matter
// most as a heat map, and the parallel coordinates of every configuration coloured by validation
// accuracy.
#include <cstddef>
#include <string>
#include <vector>

#include "outputs/importance.hpp"
#include "outputs/json.hpp"
#include "outputs/plot_plan.hpp"

namespace dnnsweep {

// Appends each figure there is something to draw for: importance and the heat map need a variance
// to decompose (and the heat map two varied settings), parallel coordinates a varied setting.
void add_summary_figures(Json& figs, std::vector<Figure>& figures, const std::vector<ConfigSummary>& configs,
                         const std::vector<SettingLevels>& levels, const Importance& imp);

// Parallel coordinates draw one line per configuration up to kParallelLines configurations with an
// accuracy; past that (matplotlib took minutes for 100,000 lines) every configuration is drawn as a
// density image coloured by the mean accuracy of the lines through each pixel, and the best
// kParallelTopLines as lines on top.
inline constexpr std::size_t kParallelLines = 2'000;
inline constexpr std::size_t kParallelTopLines = 50;

// The parallel-coordinates data: axes (option, values) and per configuration its levels and mean
// validation accuracy (null when it has none); the interactive page uses the same.
Json parallel_coordinates_json(const std::vector<ConfigSummary>& configs, const std::vector<SettingLevels>& levels);

}  // namespace dnnsweep
