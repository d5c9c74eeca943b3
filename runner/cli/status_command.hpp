#pragma once
// `dnnsweep status RESULTS.h5`: how far a sweep is, also while it runs.
#include <string>
#include <vector>

namespace dnnsweep {

int run_status_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
