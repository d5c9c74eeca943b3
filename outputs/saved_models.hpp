#pragma once
// The model files a results file has: refits saved beside it (`refit = true` writes
// RESULTS.model.h5; `dnnsweep refit --model` any name in the same folder), found by the results
// spec hash each model records.
#include <string>
#include <vector>

namespace dnnsweep {

struct SavedModel {
    std::string path;
    std::string config_id;
    double test_acc = 0.0;  // NaN when the study had no test set
};

// Model files in the folder of `results_path` refit from a results file of `spec_hash`, by path.
// Files that are not dnnsweep models, or not readable, are passed over.
std::vector<SavedModel> saved_models(const std::string& results_path, const std::string& spec_hash);

}  // namespace dnnsweep
