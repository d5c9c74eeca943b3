#pragma once
// One epoch of training steps: the shuffled mini-batches (with Gaussian noise on their inputs when
// train-noise is set), forward, loss, backward, and each layer's optimizer update as soon as backward
// is done with it; the dense layers' gradient norms on the way.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/hidden_health.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {

// How an epoch's steps ended.
struct EpochSteps {
    std::int64_t steps = 0;    // optimizer updates made
    bool diverged = false;     // a mini-batch loss was NaN or Inf (that batch made no update)
    bool interrupted = false;  // stop_requested() said stop before a mini-batch
    // Running figures of the epoch's own batches, in training mode (dropout on, each batch seen
    // with the weights of its step), as Keras reports training metrics.
    double loss_sum = 0.0;  // per-sample losses summed over the batches with a finite loss
    std::size_t correct = 0;
    std::size_t rows = 0;  // rows of those batches
};

// Adds N(0, stddev^2) noise from `rng` to each of the n values at `inputs`: train-noise, on a
// batch's copy of its training rows (the training part itself stays as it is).
void add_training_noise(float* inputs, std::size_t n, double stddev, Rng& rng);

class EpochStepper {
public:
    // `net` and `train` must outlive the stepper; batch <= train.size().
    EpochStepper(Network& net, const TrainConfig& config, const Dataset& train, std::size_t batch, int classes);

    // One epoch; with `tally_health` the hidden units' health figures of its batches go to health().
    EpochSteps run(bool tally_health);
    const HiddenHealth& health() const { return health_; }
    // Per dense layer, input to output: the mean over the last run's `steps` of the L2 norm of that
    // layer's gradient (0 without steps).
    std::vector<double> grad_norms(std::int64_t steps) const;

private:
    void update(std::size_t k, const ParamRange& r);

    Network& net_;
    const Dataset& train_;
    const Loss loss_;
    const std::size_t batch_;
    const int classes_;
    // One optimizer per layer with parameters, stepped from backward() as soon as that layer's
    // gradients are final, while they and its weights are still warm in cache (the updates are
    // element-wise with one step count: the same arithmetic as one step over the flat buffer).
    std::vector<OptimizerState> optimizers_;
    Rng shuffle_rng_;
    // Training-input noise (config.train_noise): one stream over the whole run, so every epoch
    // draws fresh noise and the same seed gives the same noise on any rank.
    const double train_noise_;
    Rng noise_rng_;
    std::vector<std::uint32_t> order_;
    std::vector<std::int32_t> labels_;
    std::vector<std::size_t> dense_of_;  // which dense layer each parameter range is (or the count: none)
    std::vector<double> grad_norm_sum_;
    HiddenHealth health_;
};

}  // namespace dnnsweep
