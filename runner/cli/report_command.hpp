#pragma once
// `dnnsweep report RESULTS.h5`: what a sweep found (finished or still running): the leaderboard,
// which settings matter, the diagnosis; as text, JSON or CSV, plus CSV exports (--csv), figures
// (--plots, drawn by scripts/dnnsweep_plots.py) and one self-contained HTML page (--html).
// The computations are in outputs/report.hpp, the output forms in outputs/report_text.hpp,
// report_json.hpp, report_files.hpp and plot_plan.hpp; the command runs the plotting script.
#include <string>
#include <vector>

namespace dnnsweep {

int run_report_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
