#pragma once
// `dnnsweep refit RESULTS.h5 [--config ID | --rank N] --model MODEL.h5`: the chosen configuration
// trained on every row outside the test set and saved as a model file (runner/sweep/refit.hpp).
#include <string>
#include <vector>

namespace dnnsweep {

int run_refit_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
