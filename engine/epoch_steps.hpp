#pragma once
// One epoch of training steps: the shuffled mini-batches, forward, loss, backward, and each layer's
// optimizer update as soon as backward is done with it; the dense layers' gradient norms on the way.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {

// How an epoch's steps ended.
struct EpochSteps {
    std::int64_t steps = 0;    // optimizer updates made
    bool diverged = false;     // a mini-batch loss was NaN or Inf (that batch made no update)
    bool interrupted = false;  // stop_requested() said stop before a mini-batch
};

class EpochStepper {
public:
    // `net` and `train` must outlive the stepper; batch <= train.size().
    EpochStepper(Network& net, const TrainConfig& config, const Dataset& train, std::size_t batch, int classes);

    EpochSteps run();
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
    std::vector<std::uint32_t> order_;
    std::vector<std::int32_t> labels_;
    std::vector<std::size_t> dense_of_;  // which dense layer each parameter range is (or the count: none)
    std::vector<double> grad_norm_sum_;
};

}  // namespace dnnsweep
