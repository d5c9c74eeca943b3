#pragma once
// The training loop of one configuration on one train/validation pair, and the per-epoch metrics
// and health figures it records (the raw material of the diagnosis).
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/confusion.hpp"
#include "engine/dataset.hpp"
#include "engine/preprocess.hpp"
#include "engine/train_curves.hpp"
#include "engine/unit_status.hpp"

namespace dnnsweep {

// What the epoch's steps saw, and the hidden units' figures of the pass its training figures came
// from (the inference pass over the training part, or the epoch's own batches).
struct Health {
    std::vector<double> grad_norm;  // per dense layer, input to output: mean over the epoch's steps
                                    // of the L2 norm of that layer's weight+bias gradient
    double dead_relu = 0.0;         // fraction of hidden relu/leaky_relu/elu units whose output is <= 0
                                    // for every training sample (0 for other activations)
    double saturated = 0.0;         // fraction of hidden sigmoid/tanh outputs in the flat tails
                                    // (sigmoid < 0.01 or > 0.99, |tanh| > 0.99), over all samples
    double max_abs_input = 0.0;     // largest |x| the first layer saw (after input scaling)
};

struct EpochMetrics {
    int epoch = 0;  // 1-based
    // Running figures of the epoch's own batches in training mode (as Keras), or an inference pass
    // over the whole training part after the epoch: see TrainCurves for which epochs get which.
    double train_loss = 0.0, train_acc = 0.0;
    double val_loss = 0.0, val_acc = 0.0;  // inference mode, validation part (NaN when empty)
    double seconds = 0.0;                  // wall time of the epoch's steps and evaluation
    Health health;
};

struct TrainResult {
    UnitStatus status = UnitStatus::Ok;  // Ok, Diverged, or Stopped (by the epoch callback)
    int diverged_epoch = 0;              // the epoch whose loss became NaN/Inf (status Diverged)
    int best_epoch = 0;                  // early stopping: the epoch whose weights were kept
    std::vector<EpochMetrics> history;
    // The final figures: the best epoch's with early stopping, otherwise the last epoch's.
    double train_loss = 0.0, train_acc = 0.0, val_loss = 0.0, val_acc = 0.0;
    // The final model on the held-out test set (NaN without one): measured once, after training,
    // never used for early stopping or model selection.
    double test_loss = 0.0, test_acc = 0.0;
    // Trained with noise as strong as the validation's (train-noise >= test-noise > 0): the final
    // model's accuracy on its training rows with the validation's noise added (test-noise, a stream
    // of its own), the training figure the diagnosis measures the gap from (docs/diagnosis.md). NaN
    // otherwise.
    double noisy_train_acc = std::numeric_limits<double>::quiet_NaN();
    // The final model's predictions (the epoch of val_acc, and the test pass): rows of each true
    // class predicted as each class. Rows without a defined prediction (a non-finite loss) are not
    // counted; empty when the part is empty or nothing was measured.
    ConfusionMatrix val_confusion, test_confusion;
    double seconds = 0.0;       // training wall time with the test-set pass (data preparation excluded)
    double eval_seconds = 0.0;  // the part of `seconds` spent evaluating: per epoch, and the test set
    std::int64_t steps = 0;     // optimizer updates made
    int epochs() const { return static_cast<int>(history.size()); }
};

// Called after every epoch; returning false stops the run (status Stopped): the hook for progress
// lines and for a sweep worker abandoning a unit.
using EpochCallback = std::function<bool(const EpochMetrics&)>;

class Network;
// Called once after training with the final network (the kept weights with early stopping, or
// those of the last epoch run): the hook for saving a model. Not called when nothing was trained.
using TrainedCallback = std::function<void(const Network&)>;

// Trains on `train` and measures on `val` (which may be empty), both already scaled. The seed picks
// initialisation, shuffling and dropout streams. Deterministic for a given config, seed and threads.
TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val,
                        const EpochCallback& on_epoch = {});
// The same, then the final model (best weights with early stopping) measured on `test`.
TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val, const Dataset& test,
                        const EpochCallback& on_epoch = {}, const TrainCurves& curves = {},
                        const TrainedCallback& on_trained = {});

// The data one run sees, prepared from a whole dataset: the held-out split (config.seed,
// test_fraction), input scaling fit on the training part only, test noise on the held-out part.
struct PreparedData {
    Dataset train, val;
    InputScaler scaler;  // fit on `train` (before scaling), applied to both parts
};
PreparedData prepare_holdout(const TrainConfig& config, const Dataset& data, double test_fraction);

}  // namespace dnnsweep
