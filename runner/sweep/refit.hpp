#pragma once
// Refit: a study's chosen configuration trained once more on every row outside its test set, for
// the epochs its folds chose, measured on the test set and saved as a model file. Shared by
// `dnnsweep refit` and a spec's `refit = true` (at the end of the sweep).
//
// Epochs: the median of the best epochs of the configuration's folds that finished `ok` (the upper
// middle one for an even count). A fold's best epoch is the one early stopping kept under
// `patience`, or its last epoch without it, so without early stopping this is the configuration's
// `epochs`. The refit trains that many epochs with early stopping off (it has no validation part).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/model.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {

struct RefitRequest {
    std::string results_path;
    std::optional<std::string> config_id;  // the configuration to refit (an id or a unique prefix of one)
    std::size_t rank = 1;                  // else the leaderboard's rank-th (1: the best)
    std::string model_path;
    bool force = false;  // replace an existing model file
    std::string data;    // the data to train on; empty: the spec's `data`
    int threads = 0;     // OpenMP threads; 0: the spec's `threads`
    // The study's data already loaded (the sweep's own refit); null: loaded from `data`.
    const Dataset* loaded = nullptr;
};

struct RefitOutcome {
    Model model;                   // as written
    std::size_t rank = 0;          // its place on the leaderboard (1-based)
    std::size_t configs = 0;       // configurations in the results
    std::vector<int> fold_epochs;  // the best epochs of its `ok` folds, in fold order
    std::size_t test_rows = 0;     // the held-out test set (0: the study has none)
    double seconds = 0.0;          // training and the test pass
};

// RESULTS.model.h5 for RESULTS.h5 (the name a spec's `refit = true` writes).
std::string default_model_path(const std::string& results_path);

// Throws ResultsError (a missing results file, a configuration not in it, none with a successful
// fold), DataError (data of another shape), ConfigError (an existing model file without force),
// ModelError.
RefitOutcome refit(const RefitRequest& request, const EpochCallback& on_epoch = {});

// A spec's `refit = true`, after the sweep's merge (rank 0): refits the leaderboard's first into
// default_model_path(out) once every unit of the grid is recorded, unless that file exists. Prints
// what it did; returns the exit code (an error is printed, not thrown: the results stay good).
int refit_after_sweep(const std::string& out, std::uint64_t unit_count, const Dataset& data);

// The lines `refit` prints: the configuration, the epochs and why, the test accuracy next to the
// cross-validated estimate, the model file.
std::string refit_summary(const RefitOutcome& o, const std::string& model_path);

}  // namespace dnnsweep
