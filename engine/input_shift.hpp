#pragma once
// How differently a unit's validation and test inputs are distributed from its training inputs,
// after the unit's input scaling: the diagnosis's `input_shift` evidence (a train/validation
// mismatch, e.g. noise on the validation inputs only, reads as overfitting without it). Two cheap
// figures per part, each a ratio of sums over the features that vary in the training rows, so no
// feature divides by zero and the wide-spread features weigh most:
//   spread ratio = sum_j std_part(j) / sum_j std_train(j)
//   mean shift   = sum_j |mean_part(j) - mean_train(j)| / sum_j std_train(j)
// A feature constant in the training rows (an image's border; on a few hundred digits, rarely inked
// pixels) is left out: its scaling is the identity (engine/preprocess.hpp), so any value a
// validation row has there would read as a large shift on small datasets (600 training digits read
// 1.3-1.5 with them, 1.0 without), and the model learned nothing from it.
// MNIST, 8000/2000 rows, minmax: 1.00 and 0.02 without noise, 4.56 and 0.08 with noise of std 1.
// The training side is what the model is trained on: with train-noise s, each feature's std is
// sqrt(std^2 + s^2) (the noise is independent of the inputs), so training with the validation's
// noise level removes the shift it measures.
#include <limits>

#include "engine/matrix.hpp"

namespace dnnsweep {

struct InputShift {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    // NaN: the part (or the training part) has fewer than kMinRows rows, or every training feature is constant.
    double val_spread_ratio = kNaN, val_mean_shift = kNaN;
    double test_spread_ratio = kNaN, test_mean_shift = kNaN;
    // Below this many rows a part's per-feature std is too noisy an estimate to compare.
    static constexpr std::size_t kMinRows = 10;
};

// The figures of `val` and `test` against `train` (same feature count; scaled alike), with
// `train_noise` the std of the Gaussian noise training adds to its inputs.
InputShift measure_input_shift(const Matrix& train, const Matrix& val, const Matrix& test, double train_noise);

}  // namespace dnnsweep
