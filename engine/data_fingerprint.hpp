#pragma once
// A content hash of a dataset as loaded (features, labels, class names and shape), which ties a
// results file or a model to the data it came from. XXH3-128: non-cryptographic, at memory speed
// (a user's data is not an adversary; a changed file is what it must catch).
#include <string>

#include "engine/dataset.hpp"

namespace dnnsweep {

// 32 lowercase hex digits.
std::string data_fingerprint(const Dataset& data);
// The training data and a separate test set together (the test set's rows change the study too).
std::string data_fingerprint(const Dataset& data, const Dataset* test_set);

}  // namespace dnnsweep
