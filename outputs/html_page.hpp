#pragma once
// The parts of the HTML report (outputs/report_files.hpp) that scale with the study: the diagnosis
// as groups with a bounded number of examples, and the interactive explorer of every configuration
// (scripts/dnnsweep_page.js, embedded: the page stays one file that needs no network).
#include <cstddef>
#include <ostream>
#include <vector>

#include "outputs/report.hpp"

namespace dnnsweep {

// Learning curves embedded in the page: at most this many epochs over all configurations, taken in
// leaderboard order (the diagnosis groups' examples first), so a study of any size stays a page a
// browser opens in seconds. Every curve is in curves.csv (--csv).
inline constexpr std::size_t kPageCurveEpochs = 100'000;

// "Diagnosis": verdict counts, then per verdict that needs action its causes, groups and at most
// `examples` configurations of each.
void write_diagnosis_html(std::ostream& h, const ReportSource& src, const std::vector<std::size_t>& order,
                          std::size_t examples);

// "Explore every configuration": the filters, the leaderboard, the parallel coordinates, the curves
// panel, the data (JSON) and the script.
void write_explorer_html(std::ostream& h, const ReportSource& src, const std::vector<std::size_t>& order);

}  // namespace dnnsweep
