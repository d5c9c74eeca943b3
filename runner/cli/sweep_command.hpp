#pragma once
// `dnnsweep sweep SPEC --out RESULTS.h5`: a whole grid over the MPI ranks (runner/sweep/sweep_protocol.hpp).
#include <string>
#include <vector>

namespace dnnsweep {

int run_sweep_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
