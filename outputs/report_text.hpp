#pragma once
// The text form of `dnnsweep report`: the run, the leaderboard, which settings matter and the
// diagnosis of every configuration that needs action.
#include <cstddef>
#include <ostream>

#include "outputs/report.hpp"

namespace dnnsweep {

// The report with the `top` best configurations on the leaderboard and at most `top` examples per
// diagnosis group (every one with `all`).
void write_report_text(const ReportSource& src, std::size_t top, std::ostream& out, bool all = false);

}  // namespace dnnsweep
