#include "engine/trainer.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/early_stopping.hpp"
#include "engine/epoch_steps.hpp"
#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/preprocess.hpp"

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
    Evaluator(Network& net, const TrainConfig& config)
        : net_(net), config_(config), family_(family(config.activation)) {}

    Evaluation run(const Dataset& data, bool with_health) {
        Evaluation e;
        const std::size_t n = data.size();
        if (n == 0) return e;
        const std::size_t chunk = net_.max_infer_batch();
        const std::size_t hidden = net_.hidden_outputs().size() * net_.hidden_width();
        const bool track_dead = with_health && family_ == ActivationFamily::ReluLike;
        const bool track_saturation =
            with_health && (family_ == ActivationFamily::Sigmoid || family_ == ActivationFamily::Tanh);
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
            e.dead_relu = static_cast<double>(std::count(alive_.begin(), alive_.end(), std::uint8_t{0})) /
                          static_cast<double>(hidden);
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

// One training run: the network, its steps, evaluation and early stopping, and the result they fill.
class Training {
public:
    Training(const TrainConfig& config, const Dataset& train, const Dataset& val, const Dataset& test)
        : config_(config),
          train_(train),
          val_(val),
          test_(test),
          batch_(config.batch_size == 0
                     ? train.size()
                     : std::min<std::size_t>(static_cast<std::size_t>(config.batch_size), train.size())),
          classes_(std::max({train.classes, val.classes, test.classes})),
          net_(config, train.features(), classes_, batch_,
               std::max(batch_, std::min(kEvalChunk, std::max({train.size(), val.size(), test.size()})))),
          stepper_(net_, config, train, batch_, classes_),
          evaluator_(net_, config),
          early_(config.patience),
          max_abs_input_(static_cast<double>(max_abs(train.x))) {
        net_.initialize(config.seed);
    }

    TrainResult run(const EpochCallback& on_epoch) {
        const auto t_start = Clock::now();
        for (int epoch = 1; epoch <= config_.epochs; ++epoch)
            if (!next_epoch(epoch, on_epoch)) break;
        result_.seconds = seconds_since(t_start);
        finish();
        return std::move(result_);
    }

private:
    // One epoch's steps and evaluation; false when training ends with it.
    bool next_epoch(int epoch, const EpochCallback& on_epoch) {
        const auto t_epoch = Clock::now();
        const EpochSteps done = stepper_.run();
        result_.steps += done.steps;
        if (done.interrupted) {
            // An epoch cut short has no metrics: the run ends with the epochs it completed.
            result_.status = UnitStatus::Stopped;
            return false;
        }
        EpochMetrics m = evaluate(epoch, done.steps);
        m.seconds = seconds_since(t_epoch);
        const bool diverged = done.diverged || !std::isfinite(m.train_loss);
        result_.history.push_back(m);
        const bool keep_going = !on_epoch || on_epoch(result_.history.back());
        if (diverged) {
            result_.status = UnitStatus::Diverged;
            result_.diverged_epoch = epoch;
            return false;
        }
        if (early_.should_stop(val_.size() != 0 ? m.val_loss : m.train_loss, epoch, net_)) return false;
        if (!keep_going) {
            result_.status = UnitStatus::Stopped;
            return false;
        }
        return true;
    }

    // The metrics after an epoch's steps: both parts in inference mode, and the health figures.
    EpochMetrics evaluate(int epoch, std::int64_t steps) {
        EpochMetrics m;
        m.epoch = epoch;
        const auto t_eval = Clock::now();
        const Evaluation tr = evaluator_.run(train_, true);
        const Evaluation va = evaluator_.run(val_, false);
        result_.eval_seconds += seconds_since(t_eval);
        const double penalty = l2_penalty(net_, config_.weight_decay);
        m.train_loss = tr.loss + penalty;
        m.train_acc = tr.acc;
        m.val_loss = va.loss + penalty;
        m.val_acc = va.acc;
        m.health.grad_norm = stepper_.grad_norms(steps);
        m.health.dead_relu = tr.dead_relu;
        m.health.saturated = tr.saturated;
        m.health.max_abs_input = max_abs_input_;
        return m;
    }

    // The final model (the kept weights with early stopping), its epoch's figures, and the test pass.
    void finish() {
        if (result_.status != UnitStatus::Diverged && early_.enabled() && early_.best_epoch() > 0) {
            early_.restore(net_);
            result_.best_epoch = early_.best_epoch();
        } else {
            result_.best_epoch = result_.epochs();
        }
        if (result_.history.empty()) {  // stopped before its first epoch ended: nothing was measured
            constexpr double nan = std::numeric_limits<double>::quiet_NaN();
            result_.train_loss = result_.train_acc = result_.val_loss = result_.val_acc = nan;
            result_.test_loss = result_.test_acc = nan;
            return;
        }
        const EpochMetrics& final_epoch = result_.history[static_cast<std::size_t>(result_.best_epoch - 1)];
        result_.train_loss = final_epoch.train_loss;
        result_.train_acc = final_epoch.train_acc;
        result_.val_loss = final_epoch.val_loss;
        result_.val_acc = final_epoch.val_acc;
        test_pass();
    }

    // The test pass is evaluation like the per-epoch passes: in `seconds` and `eval_seconds`, not in
    // a sweep unit's set-up (it was 40% of that for 0.2 s units).
    void test_pass() {
        const auto t_test = Clock::now();
        const Evaluation te = evaluator_.run(test_, false);
        const double test_seconds = seconds_since(t_test);
        result_.seconds += test_seconds;
        result_.eval_seconds += test_seconds;
        result_.test_loss = te.loss + (test_.size() != 0 ? l2_penalty(net_, config_.weight_decay) : 0.0);
        result_.test_acc = te.acc;
    }

    const TrainConfig& config_;
    const Dataset& train_;
    const Dataset& val_;
    const Dataset& test_;
    const std::size_t batch_;
    const int classes_;
    Network net_;
    EpochStepper stepper_;
    Evaluator evaluator_;
    EarlyStopping early_;
    const double max_abs_input_;
    TrainResult result_;
};

void check_parts(const Dataset& train, const Dataset& val, const Dataset& test) {
    if (train.size() == 0) throw ConfigError("data: the training part is empty");
    if ((val.size() != 0 && val.features() != train.features()) ||
        (test.size() != 0 && test.features() != train.features()))
        throw ConfigError("data: validation or test part differs from the training part in feature count");
}

}  // namespace

TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val,
                        const EpochCallback& on_epoch) {
    return train_model(config, train, val, Dataset{}, on_epoch);
}

TrainResult train_model(const TrainConfig& config, const Dataset& train, const Dataset& val, const Dataset& test,
                        const EpochCallback& on_epoch) {
    config.validate();
    check_parts(train, val, test);
    omp_set_num_threads(config.threads);
    Training training(config, train, val, test);
    return training.run(on_epoch);
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
