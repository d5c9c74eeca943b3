#pragma once
// How a study turns one dataset into the (train, validation, test) parts of each unit: a held-out
// test set first (never used for model selection), then stratified k-fold cross-validation over
// the rest, or one stratified train/validation split when folds = 1. All of it is seeded by the
// study's split seed, so every configuration sees the same folds and the same test set, and any
// rank computes the same rows for a unit.
#include <cstdint>
#include <vector>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/input_shift.hpp"
#include "engine/preprocess.hpp"

namespace dnnsweep {

struct StudySplit {
    double test_fraction = 0.0;        // [0, 1): share of each class held out as the test set
    int folds = 1;                     // k >= 1; 1 = a single split with validation_fraction
    double validation_fraction = 0.2;  // (0, 1), used when folds = 1
    std::uint64_t split_seed = 0;      // seeds the test hold-out and the fold assignment
    // A separate test set (`test-data`): the dataset's last test_rows rows, held out whole (with
    // test_fraction 0); the folds are dealt over the rows before them as over a dataset of their own.
    std::size_t test_rows = 0;
};

// Row indices (into the dataset) of one unit's parts; each part sorted ascending.
struct UnitRows {
    std::vector<std::uint32_t> train, val, test;
};

// Throws ConfigError naming the field (`folds`, `test-fraction`, `validation-fraction`, `test-data`) when the
// split cannot be made for these labels: e.g. folds > the smallest class's count after the test
// hold-out, or a part that would be empty.
void validate_split(const StudySplit& split, const std::vector<std::int32_t>& labels, int classes);

// Stratified: within each class, a seeded shuffle; the last round(n_c * test_fraction) rows of each
// class are the test set; the remaining rows of each class are dealt round-robin into k folds
// (so fold sizes per class differ by at most one). fold in [0, folds).
UnitRows unit_rows(const StudySplit& split, const std::vector<std::int32_t>& labels, int classes, int fold);

// The seed of the test part's noise (config.test_noise) for a run seeded `seed`: a stream unrelated
// to the validation part's, the same for every fold.
std::uint64_t test_noise_seed(std::uint64_t seed);
// The seed of the noise the training rows get for TrainResult::noisy_train_acc: a third stream.
std::uint64_t noisy_train_seed(std::uint64_t seed);

// What one unit trains on: the rows of unit_rows, input scaling fit on the training part only
// (config.normalization), then Gaussian test noise (config.test_noise, config.seed) on the
// validation and test parts; and how far those two parts' inputs lie from the training inputs
// (engine/input_shift.hpp), measured on what the model sees.
struct UnitData {
    Dataset train, val, test;
    InputScaler scaler;  // fit on `train` (before scaling), applied to all three parts
    InputShift shift;
};
UnitData prepare_unit(const TrainConfig& config, const Dataset& data, const StudySplit& split, int fold);
// prepare_unit's last step: the configuration's test noise on the (scaled) validation and test parts.
void add_test_noise(Dataset& val, Dataset& test, const TrainConfig& config);

}  // namespace dnnsweep
