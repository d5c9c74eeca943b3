#pragma once
// `dnnsweep report RESULTS.h5`: what a sweep found, as text.
#include <string>
#include <vector>

namespace dnnsweep {

int run_report_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
