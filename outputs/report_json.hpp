#pragma once
// The JSON form of `dnnsweep report` (--format json): the same content as the text, one object.
#include <cstddef>
#include <ostream>
#include <string>

#include "outputs/report.hpp"

namespace dnnsweep {

// One JSON object on one line: the run, pruning, the `top` best configurations, which settings
// matter and the diagnosis. `path` is the results file as the user named it.
void write_report_json(const std::string& path, const ReportSource& src, std::size_t top, std::ostream& out);

}  // namespace dnnsweep
