#pragma once
// The plot plan of `dnnsweep report --plots/--html`: a JSON file listing every figure and its
// data, which scripts/dnnsweep_plots.py draws.
#include <cstddef>
#include <string>
#include <vector>

#include "outputs/report.hpp"

namespace dnnsweep {

struct Figure {
    std::string section, file, caption;  // file: the name without extension (.png and .svg)
};

// Writes the plan to `plan_path` and returns its figures in page order: the learning curves of the
// `curves_top` best configurations and of every one that does not train, bias vs variance, the
// influence of each setting, and the gradient norms of those whose gradient vanishes.
// ResultsError when the plan cannot be written.
std::vector<Figure> write_plot_plan(const std::string& plan_path, const std::string& title, const ReportSource& src,
                                    std::size_t curves_top);

}  // namespace dnnsweep
