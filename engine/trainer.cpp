#include "engine/trainer.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "engine/preprocess.hpp"
#include "engine/rng.hpp"
#include "engine/stop.hpp"

namespace dnnsweep {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Evaluation runs in chunks of at least this many rows: one oneDNN call per layer and chunk, so
// larger chunks amortise the per-call cost (the training batch is often 100 or less).
constexpr std::size_t kEvalChunk = 256;

// One inference pass over a dataset: mean loss, accuracy and (optionally) the hidden-unit health.
struct Evaluation {
    double loss = std::numeric_limits<double>::quiet_NaN();
    double acc = std::numeric_limits<double>::quiet_NaN();
    double dead_relu = 0.0;
    double saturated = 0.0;
};

class Evaluator {
public:
    Evaluator(Network& net, const TrainConfig& config) : net_(net), config_(config), family_(family(config.activation)) {}

    Evaluation run(const Dataset& data, bool with_health) {
        Evaluation e;
        const std::size_t n = data.size();
        if (n == 0) return e;
        const std::size_t chunk = net_.max_infer_batch();
        const std::size_t hidden = net_.hidden_outputs().size() * net_.hidden_width();
        const bool track_dead = with_health && family_ == ActivationFamily::ReluLike;
        const bool track_saturation = with_health && (family_ == ActivationFamily::Sigmoid || family_ == ActivationFamily::Tanh);
        if (track_dead) alive_.assign(hidden, 0);
        std::size_t saturated = 0;
        double loss_sum = 0.0;
        std::size_t correct = 0;
        for (std::size_t start = 0; start < n; start += chunk) {
            const std::size_t m = std::min(chunk, n - start);
            std::memcpy(net_.input(), data.x.row(start), m * data.features() * sizeof(float));
            const float* logits = net_.forward(m, Mode::Infer);
            const LossResult r = evaluate_loss(config_.loss, logits, data.y.data() + start, m, net_.classes(), nullptr);
            loss_sum += r.loss_sum;
            correct += r.correct;
            if (track_dead) mark_alive(m);
            if (track_saturation) saturated += count_saturated(m);
        }
        e.loss = loss_sum / static_cast<double>(n);
        e.acc = static_cast<double>(correct) / static_cast<double>(n);
        if (track_dead && hidden > 0)
            e.dead_relu = static_cast<double>(std::count(alive_.begin(), alive_.end(), std::uint8_t{0})) / static_cast<double>(hidden);
        if (track_saturation && hidden > 0)
            e.saturated = static_cast<double>(saturated) / (static_cast<double>(hidden) * static_cast<double>(n));
        return e;
    }

private:
    void mark_alive(std::size_t m) {
        const std::size_t w = net_.hidden_width();
        const auto outputs = net_.hidden_outputs();
        for (std::size_t l = 0; l < outputs.size(); ++l) {
            std::uint8_t* alive = alive_.data() + l * w;
            for (std::size_t r = 0; r < m; ++r) {
                const float* row = outputs[l] + r * w;
                for (std::size_t u = 0; u < w; ++u) alive[u] |= static_cast<std::uint8_t>(row[u] > 0.0f);
            }
        }
    }

    std::size_t count_saturated(std::size_t m) const {
        // The flat tails where the activation's derivative is below about 1% of its peak.
        const bool sigmoid = family_ == ActivationFamily::Sigmoid;
        const float lo = sigmoid ? 0.01f : -0.99f, hi = 0.99f;
        std::size_t count = 0;
        const std::size_t total = m * net_.hidden_width();
        for (const float* out : net_.hidden_outputs())
            for (std::size_t i = 0; i < total; ++i) count += static_cast<std::size_t>(out[i] < lo || out[i] > hi);
        return count;
    }

    Network& net_;
    const TrainConfig& config_;
    ActivationFamily family_;
    std::vector<std::uint8_t> alive_;
};

// The L2 term weight decay adds to the loss, reported with the losses as Keras does.
double l2_penalty(const Network& net, double weight_decay) {
    if (weight_decay == 0.0) return 0.0;
    const auto params = net.params();
    const auto& mask = net.decay_mask();
    double s = 0.0;
    for (std::size_t i = 0; i < params.size(); ++i)
        if (mask[i] != 0) s += static_cast<double>(params[i]) * static_cast<double>(params[i]);
    return 0.5 * weight_decay * s;
}

}  // namespace

TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val,
                        const EpochCallback& on_epoch) {
    return train_model(config, train, val, Dataset{}, on_epoch);
}

TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val, const Dataset& test,
                        const EpochCallback& on_epoch) {
    config.validate();
    if (train.size() == 0) throw ConfigError("data: the training part is empty");
    if ((val.size() != 0 && val.features() != train.features()) || (test.size() != 0 && test.features() != train.features()))
        throw ConfigError("data: validation or test part differs from the training part in feature count");
    omp_set_num_threads(config.threads);

    const std::size_t n = train.size();
    const std::size_t features = train.features();
    const std::size_t batch = config.batch_size == 0 ? n : std::min<std::size_t>(static_cast<std::size_t>(config.batch_size), n);
    const int classes = std::max({train.classes, val.classes, test.classes});

    const std::size_t largest_eval = std::max({n, val.size(), test.size()});
    Network net(config, features, classes, batch, std::max(batch, std::min(kEvalChunk, largest_eval)));
    net.initialize(config.seed);
    // One optimizer per layer with parameters, stepped from backward() as soon as that layer's
    // gradients are final, while they and its weights are still warm in cache (the updates are
    // element-wise with one step count: the same arithmetic as one step over the flat buffer).
    const auto& ranges = net.param_ranges();
    std::vector<OptimizerState> optimizers;
    optimizers.reserve(ranges.size());
    for (const auto& r : ranges) {
        const auto mask = net.decay_mask().begin() + static_cast<std::ptrdiff_t>(r.offset);
        optimizers.emplace_back(OptimizerSettings::from(config),
                                std::vector<std::uint8_t>(mask, mask + static_cast<std::ptrdiff_t>(r.count)));
    }
    Evaluator evaluator(net, config);
    Rng shuffle_rng(config.seed, Stream::Shuffle);
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    std::vector<std::int32_t> labels(batch);
    const auto& dense = net.dense_params();
    std::vector<double> grad_norm_sum(dense.size());
    // Which dense layer (for the gradient norms) each parameter range is, if any.
    std::vector<std::size_t> dense_of(ranges.size(), dense.size());
    for (std::size_t k = 0; k < ranges.size(); ++k)
        for (std::size_t d = 0; d < dense.size(); ++d)
            if (dense[d].offset == ranges[k].offset) dense_of[k] = d;
    // A dense layer's gradient norm comes from the optimizer's pass over its gradients: one read of
    // them per step, not two. Other layers (batchnorm) skip the sum.
    const auto update = [&](std::size_t k, const ParamRange& r) {
        const auto params = net.params().subspan(r.offset, r.count);
        const auto grads = net.grads().subspan(r.offset, r.count);
        if (dense_of[k] < dense.size())
            grad_norm_sum[dense_of[k]] += std::sqrt(optimizers[k].step_and_sum_squares(params, grads));
        else
            optimizers[k].step(params, grads);
    };
    const double max_abs_input = static_cast<double>(max_abs(train.x));

    // Early stopping keeps the weights (and batchnorm statistics) of the best validation loss.
    const bool early_stopping = config.patience > 0;
    AlignedBuffer best_params, best_state;
    double best_loss = std::numeric_limits<double>::infinity();
    int since_best = 0;

    TrainResult result;
    const auto t_start = Clock::now();
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        const auto t_epoch = Clock::now();
        shuffle(order, shuffle_rng);
        std::fill(grad_norm_sum.begin(), grad_norm_sum.end(), 0.0);
        std::int64_t epoch_steps = 0;
        bool diverged = false;
        bool interrupted = false;
        for (std::size_t start = 0; start < n; start += batch) {
            if (stop_requested()) {
                interrupted = true;
                break;
            }
            const std::size_t m = std::min(batch, n - start);
            float* in = net.input();
            for (std::size_t r = 0; r < m; ++r) {
                const std::uint32_t row = order[start + r];
                std::memcpy(in + r * features, train.x.row(row), features * sizeof(float));
                labels[r] = train.y[row];
            }
            const float* logits = net.forward(m, Mode::Train);
            const LossResult loss = evaluate_loss(config.loss, logits, labels.data(), m, classes, net.diff_logits());
            if (!loss.finite) {
                diverged = true;
                break;
            }
            net.backward(m, update);
            ++epoch_steps;
        }
        result.steps += epoch_steps;
        if (interrupted) {
            // An epoch cut short has no metrics: the run ends with the epochs it completed.
            result.status = UnitStatus::Stopped;
            break;
        }

        EpochMetrics m;
        m.epoch = epoch;
        const auto t_eval = Clock::now();
        const Evaluation tr = evaluator.run(train, true);
        const Evaluation va = evaluator.run(val, false);
        result.eval_seconds += seconds_since(t_eval);
        const double penalty = l2_penalty(net, config.weight_decay);
        m.train_loss = tr.loss + penalty;
        m.train_acc = tr.acc;
        m.val_loss = va.loss + penalty;
        m.val_acc = va.acc;
        m.health.grad_norm.resize(dense.size());
        for (std::size_t d = 0; d < dense.size(); ++d)
            m.health.grad_norm[d] = epoch_steps > 0 ? grad_norm_sum[d] / static_cast<double>(epoch_steps) : 0.0;
        m.health.dead_relu = tr.dead_relu;
        m.health.saturated = tr.saturated;
        m.health.max_abs_input = max_abs_input;
        m.seconds = seconds_since(t_epoch);
        diverged = diverged || !std::isfinite(m.train_loss);
        result.history.push_back(m);
        const bool keep_going = !on_epoch || on_epoch(result.history.back());

        if (diverged) {
            result.status = UnitStatus::Diverged;
            result.diverged_epoch = epoch;
            break;
        }
        if (early_stopping) {
            const double monitored = val.size() != 0 ? m.val_loss : m.train_loss;
            if (monitored < best_loss) {
                best_loss = monitored;
                result.best_epoch = epoch;
                since_best = 0;
                best_params = AlignedBuffer(net.params().size());
                std::copy(net.params().begin(), net.params().end(), best_params.data());
                best_state = AlignedBuffer(net.state().size());
                std::copy(net.state().begin(), net.state().end(), best_state.data());
            } else if (++since_best >= config.patience) {
                break;
            }
        }
        if (!keep_going) {
            result.status = UnitStatus::Stopped;
            break;
        }
    }
    result.seconds = seconds_since(t_start);

    if (result.status != UnitStatus::Diverged && early_stopping && result.best_epoch > 0) {
        std::copy(best_params.span().begin(), best_params.span().end(), net.params().begin());
        std::copy(best_state.span().begin(), best_state.span().end(), net.state().begin());
    } else {
        result.best_epoch = result.epochs();
    }
    if (result.history.empty()) {  // stopped before its first epoch ended: nothing was measured
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        result.train_loss = result.train_acc = result.val_loss = result.val_acc = nan;
        result.test_loss = result.test_acc = nan;
        return result;
    }
    const EpochMetrics& final_epoch = result.history[static_cast<std::size_t>(result.best_epoch - 1)];
    result.train_loss = final_epoch.train_loss;
    result.train_acc = final_epoch.train_acc;
    result.val_loss = final_epoch.val_loss;
    result.val_acc = final_epoch.val_acc;
    // The test pass is evaluation like the per-epoch passes: in `seconds` and `eval_seconds`, not in
    // a sweep unit's set-up (it was 40% of that for 0.2 s units).
    const auto t_test = Clock::now();
    const Evaluation te = evaluator.run(test, false);
    const double test_seconds = seconds_since(t_test);
    result.seconds += test_seconds;
    result.eval_seconds += test_seconds;
    result.test_loss = te.loss + (test.size() != 0 ? l2_penalty(net, config.weight_decay) : 0.0);
    result.test_acc = te.acc;
    return result;
}

PreparedData prepare_holdout(const TrainConfig& config, const Dataset& data, double test_fraction) {
    const Split split = holdout_split(data.size(), test_fraction, config.seed);
    PreparedData p{gather(data, split.train), gather(data, split.test)};
    const InputScaler scaler = InputScaler::fit(p.train.x, config.normalization);
    scaler.apply(p.train.x);
    scaler.apply(p.val.x);
    add_gaussian_noise(p.val.x, config.test_noise, config.seed);
    return p;
}

}  // namespace dnnsweep
