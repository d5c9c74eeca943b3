#pragma once
// Results tied to the data they came from: a results file, a shard or a model records the data's
// fingerprint (engine/data_fingerprint.hpp); work that adds to them or builds on them (a resume,
// an array task, a refit) must be given the same data.
#include <string>

#include "engine/dataset.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {

// Throws ResultsError, one line naming `file`, both fingerprints and the data source, when
// `recorded` (read from `file`) differs from `fingerprint` (the data at hand, loaded from
// `data_source`). `hint` (may be empty) ends the message with what the user can do. A file of a
// version that recorded no fingerprint (`recorded` empty) passes: there is nothing to compare.
void check_fingerprint(const std::string& file, const std::string& recorded, const std::string& fingerprint,
                       const std::string& data_source, const std::string& hint = {});

// The same for a merged results file read from `path` and the dataset (and test set, if any) at hand.
void check_fingerprint(const Results& results, const std::string& path, const Dataset& data,
                       const Dataset* test_set = nullptr, const std::string& hint = {});

}  // namespace dnnsweep
