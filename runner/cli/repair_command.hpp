#pragma once
// `dnnsweep repair RESULTS.h5`: resumes the study a results file holds, with its spec's `repair` on:
// the grid's units not recorded yet run first, then each failing configuration's repair
// (outputs/repairs.hpp). Under mpirun as `dnnsweep sweep`.
#include <string>
#include <vector>

namespace dnnsweep {

int run_repair_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
