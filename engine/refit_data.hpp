#pragma once
// The data of a refit: a study's chosen configuration trained once more on every row outside its
// test set (all its folds' training and validation rows), measured on that test set.
#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/folds.hpp"
#include "engine/preprocess.hpp"

namespace dnnsweep {

struct RefitData {
    Dataset train, test;
    InputScaler scaler;  // fit on `train` before scaling; applied to both
};

// The rows outside the study's test set, in the order `dnnsweep train --test-fraction 0` would
// train on them (a seeded permutation by config.seed), so a refit on a study without a test set
// is the same training as `train` on the whole file. Input scaling fit on those rows; the test set
// scaled by it and given the same test noise as the folds saw (prepare_unit).
RefitData prepare_refit(const TrainConfig& config, const Dataset& data, const StudySplit& split);

}  // namespace dnnsweep
