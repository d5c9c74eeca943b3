#include "engine/epoch_steps.hpp"

#include <algorithm>
#include <cmath>

#include "engine/batch_gather.hpp"
#include "engine/loss.hpp"
#include "engine/stop.hpp"

namespace dnnsweep {

void add_training_noise(float* inputs, std::size_t n, double stddev, Rng& rng) {
    for (std::size_t i = 0; i < n; ++i) inputs[i] += static_cast<float>(rng.normal() * stddev);
}

EpochStepper::EpochStepper(Network& net, const TrainConfig& config, const Dataset& train, std::size_t batch,
                           int classes)
    : net_(net),
      train_(train),
      loss_(config.loss),
      batch_(batch),
      classes_(classes),
      shuffle_rng_(config.seed, Stream::Shuffle),
      train_noise_(config.train_noise),
      noise_rng_(config.seed, Stream::TrainNoise),
      order_(train.size()),
      labels_(batch),
      grad_norm_sum_(net.dense_params().size()),
      health_(net, config.activation) {
    const auto& ranges = net.param_ranges();
    optimizers_.reserve(ranges.size());
    for (const auto& r : ranges) {
        const auto mask = net.decay_mask().begin() + static_cast<std::ptrdiff_t>(r.offset);
        optimizers_.emplace_back(OptimizerSettings::from(config),
                                 std::vector<std::uint8_t>(mask, mask + static_cast<std::ptrdiff_t>(r.count)));
    }
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<std::uint32_t>(i);
    const auto& dense = net.dense_params();
    dense_of_.assign(ranges.size(), dense.size());
    for (std::size_t k = 0; k < ranges.size(); ++k)
        for (std::size_t d = 0; d < dense.size(); ++d)
            if (dense[d].offset == ranges[k].offset) dense_of_[k] = d;
}

// A dense layer's gradient norm comes from the optimizer's pass over its gradients: one read of
// them per step, not two. Other layers (batchnorm) skip the sum.
void EpochStepper::update(std::size_t k, const ParamRange& r) {
    const auto params = net_.params().subspan(r.offset, r.count);
    const auto grads = net_.grads().subspan(r.offset, r.count);
    if (dense_of_[k] < grad_norm_sum_.size())
        grad_norm_sum_[dense_of_[k]] += std::sqrt(optimizers_[k].step_and_sum_squares(params, grads));
    else
        optimizers_[k].step(params, grads);
}

EpochSteps EpochStepper::run(bool tally_health) {
    EpochSteps done;
    const bool tally = tally_health && health_.tracks();
    health_.start();
    shuffle(order_, shuffle_rng_);
    std::fill(grad_norm_sum_.begin(), grad_norm_sum_.end(), 0.0);
    const std::size_t n = train_.size();
    const std::size_t features = train_.features();
    const auto ready = [this](std::size_t k, const ParamRange& r) { update(k, r); };
    for (std::size_t start = 0; start < n; start += batch_) {
        if (stop_requested()) {
            done.interrupted = true;
            break;
        }
        const std::size_t m = std::min(batch_, n - start);
        float* in = net_.input();
        gather_batch(train_.x, order_.data() + start, m, in);
        for (std::size_t r = 0; r < m; ++r) labels_[r] = train_.y[order_[start + r]];
        if (train_noise_ > 0.0) add_training_noise(in, m * features, train_noise_, noise_rng_);
        const float* logits = net_.forward(m, Mode::Train);
        const LossResult loss = evaluate_loss(loss_, logits, labels_.data(), m, classes_, net_.diff_logits());
        if (!loss.finite) {
            done.diverged = true;
            break;
        }
        done.loss_sum += loss.loss_sum;
        done.correct += loss.correct;
        done.rows += m;
        if (tally) health_.add(m);
        net_.backward(m, ready);
        ++done.steps;
    }
    return done;
}

std::vector<double> EpochStepper::grad_norms(std::int64_t steps) const {
    std::vector<double> norms(grad_norm_sum_.size());
    for (std::size_t d = 0; d < norms.size(); ++d)
        norms[d] = steps > 0 ? grad_norm_sum_[d] / static_cast<double>(steps) : 0.0;
    return norms;
}

}  // namespace dnnsweep
