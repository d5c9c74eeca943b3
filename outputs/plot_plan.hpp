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

// Writes the plan to `plan_path` and returns its figures in page order: importance bars, the heat
// map over the two settings that matter most and the parallel coordinates (outputs/plot_summaries.hpp),
// the learning curves of the `curves_top` best configurations and of the best 3 of each diagnosis
// group (outputs/diagnosis_groups.hpp), bias vs variance, the influence of each setting, and the
// gradient norms of the best 3 whose gradient vanishes, and the best configuration's confusion matrix
// (outputs/report_classes.hpp): a bounded count at any study size.
// ResultsError when the plan cannot be written.
std::vector<Figure> write_plot_plan(const std::string& plan_path, const std::string& title, const ReportSource& src,
                                    std::size_t curves_top);

}  // namespace dnnsweep
