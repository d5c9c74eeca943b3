#include "engine/trainer.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/early_stopping.hpp"
#include "engine/epoch_steps.hpp"
#include "engine/folds.hpp"
#include "engine/hidden_health.hpp"
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
    ConfusionMatrix confusion;  // filled when asked for
};

class Evaluator {
public:
    Evaluator(Network& net, const TrainConfig& config) : net_(net), config_(config), health_(net, config.activation) {}

    Evaluation run(const Dataset& data, bool with_health, bool with_confusion = false) {
        Evaluation e;
        const std::size_t n = data.size();
        if (n == 0) return e;
        if (with_confusion) {
            e.confusion = ConfusionMatrix(net_.classes());
            predicted_.resize(chunk_rows());
        }
        const std::size_t chunk = net_.max_infer_batch();
        const bool tally = with_health && health_.tracks();
        health_.start();
        double loss_sum = 0.0;
        std::size_t correct = 0;
        for (std::size_t start = 0; start < n; start += chunk) {
            const std::size_t m = std::min(chunk, n - start);
            std::memcpy(net_.input(), data.x.row(start), m * data.features() * sizeof(float));
            const float* logits = net_.forward(m, Mode::Infer);
            const LossResult r = evaluate_loss(config_.loss, logits, data.y.data() + start, m, net_.classes(), nullptr,
                                               with_confusion ? predicted_.data() : nullptr);
            if (with_confusion)
                for (std::size_t i = 0; i < m; ++i)
                    if (predicted_[i] >= 0) e.confusion.add(data.y[start + i], predicted_[i]);
            loss_sum += r.loss_sum;
            correct += r.correct;
            if (tally) health_.add(m);
        }
        e.loss = loss_sum / static_cast<double>(n);
        e.acc = static_cast<double>(correct) / static_cast<double>(n);
        if (tally) {
            e.dead_relu = health_.dead_relu();
            e.saturated = health_.saturated();
        }
        return e;
    }

private:
    std::size_t chunk_rows() const { return net_.max_infer_batch(); }

    Network& net_;
    const TrainConfig& config_;
    HiddenHealth health_;
    std::vector<std::int32_t> predicted_;  // one chunk's predicted classes
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
    Training(const TrainConfig& config, const Dataset& train, const Dataset& val, const Dataset& test,
             const TrainCurves& curves)
        : config_(config),
          curves_(curves),
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

    TrainResult run(const EpochCallback& on_epoch, const TrainedCallback& on_trained) {
        const auto t_start = Clock::now();
        for (int epoch = 1; epoch <= config_.epochs; ++epoch)
            if (!next_epoch(epoch, on_epoch)) break;
        result_.seconds = seconds_since(t_start);
        finish();
        if (on_trained && !result_.history.empty()) on_trained(net_);
        return std::move(result_);
    }

private:
    // Whether epoch's training figures must come from the inference pass, known before its steps.
    bool exact_planned(int epoch) const {
        // Early stopping without a validation part watches the training loss: it must be exact.
        // With train-noise the batches' running figures are those of noisy inputs, far above the
        // exact epochs' clean ones: a curve mixing both would read as loss spikes (unstable).
        if (curves_.exact_every_epoch || (early_.enabled() && val_.size() == 0) || config_.train_noise > 0.0)
            return true;
        // Epoch 1 too: the diagnosis reads its health (units dead after the first steps: lr_too_high),
        // which running figures blur (a unit alive in the first batches counts as alive).
        return epoch == 1 || epoch == config_.epochs ||
               std::ranges::find(curves_.exact_epochs, epoch) != curves_.exact_epochs.end();
    }

    // One epoch's steps and evaluation; false when training ends with it.
    bool next_epoch(int epoch, const EpochCallback& on_epoch) {
        const auto t_epoch = Clock::now();
        bool exact = exact_planned(epoch);
        const EpochSteps done = stepper_.run(!exact);
        result_.steps += done.steps;
        if (done.interrupted) {
            // An epoch cut short has no metrics: the run ends with the epochs it completed.
            result_.status = UnitStatus::Stopped;
            return false;
        }
        EpochMetrics m = measure(epoch, done, exact);
        // A diverging run ends with this epoch: its figures are the inference pass's, and so is the
        // verdict. Weights gone non-finite in the epoch's last update show in the pass, not the batches.
        const bool val_not_finite = val_.size() != 0 && !std::isfinite(m.val_loss);
        if (!exact && (done.diverged || val_not_finite || !finite_params())) {
            exact_train_figures(m);
            exact = true;
        }
        const bool diverged = done.diverged || !std::isfinite(m.train_loss);
        const bool stop_early =
            !diverged && early_.should_stop(val_.size() != 0 ? m.val_loss : m.train_loss, epoch, net_);
        if (!exact && stop_early) {
            exact_train_figures(m);
            exact = true;
        }
        m.seconds = seconds_since(t_epoch);
        result_.history.push_back(m);
        last_exact_ = exact;
        const bool keep_going = !on_epoch || on_epoch(result_.history.back());
        if (diverged) {
            result_.status = UnitStatus::Diverged;
            result_.diverged_epoch = epoch;
            return false;
        }
        if (early_.enabled() && early_.best_epoch() == epoch) kept_val_confusion_ = last_val_confusion_;
        if (stop_early) return false;
        if (!keep_going) {
            result_.status = UnitStatus::Stopped;
            return false;
        }
        return true;
    }

    bool finite_params() const {
        const auto p = net_.params();
        return std::all_of(p.begin(), p.end(), [](float v) { return std::isfinite(v); });
    }

    // The metrics after an epoch's steps: validation in inference mode; training either by the
    // inference pass (`exact`) or as the running figures of the epoch's batches.
    EpochMetrics measure(int epoch, const EpochSteps& done, bool exact) {
        EpochMetrics m;
        m.epoch = epoch;
        const auto t_eval = Clock::now();
        Evaluation va = evaluator_.run(val_, false, true);
        result_.eval_seconds += seconds_since(t_eval);
        last_val_confusion_ = std::move(va.confusion);
        const double penalty = l2_penalty(net_, config_.weight_decay);
        m.val_loss = va.loss + penalty;
        m.val_acc = va.acc;
        m.health.grad_norm = stepper_.grad_norms(done.steps);
        m.health.max_abs_input = max_abs_input_;
        if (exact) {
            exact_train_figures(m);
        } else {
            const auto rows = static_cast<double>(std::max<std::size_t>(done.rows, 1));
            m.train_loss = done.loss_sum / rows + penalty;
            m.train_acc = static_cast<double>(done.correct) / rows;
            m.health.dead_relu = stepper_.health().dead_relu();
            m.health.saturated = stepper_.health().saturated();
        }
        return m;
    }

    // Replaces m's training figures by those of an inference pass over the training part with the
    // network's current weights: loss, accuracy and the hidden units' health.
    void exact_train_figures(EpochMetrics& m) {
        const auto t_eval = Clock::now();
        const Evaluation tr = evaluator_.run(train_, true);
        result_.eval_seconds += seconds_since(t_eval);
        m.train_loss = tr.loss + l2_penalty(net_, config_.weight_decay);
        m.train_acc = tr.acc;
        m.health.dead_relu = tr.dead_relu;
        m.health.saturated = tr.saturated;
    }

    // The final model (the kept weights with early stopping), its epoch's figures, and the test pass.
    // The last epoch's and the kept epoch's training figures are always the inference pass's.
    void finish() {
        const double eval_before = result_.eval_seconds;
        if (!result_.history.empty() && !last_exact_) exact_train_figures(result_.history.back());
        if (result_.status != UnitStatus::Diverged && early_.enabled() && early_.best_epoch() > 0) {
            early_.restore(net_);
            result_.best_epoch = early_.best_epoch();
            result_.val_confusion = std::move(kept_val_confusion_);
            if (result_.best_epoch != result_.epochs())
                exact_train_figures(result_.history[static_cast<std::size_t>(result_.best_epoch - 1)]);
        } else {
            result_.best_epoch = result_.epochs();
            result_.val_confusion = std::move(last_val_confusion_);
        }
        const double finish_eval = result_.eval_seconds - eval_before;
        result_.seconds += finish_eval;
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
        if (result_.status != UnitStatus::Diverged) noisy_train_pass();
    }

    // Trained on inputs as noisy as the validation's: the training rows as validation sees them (its
    // noise strength, a stream of its own), so the gap compares like with like. Against the clean
    // training rows, the information the noise destroys would read as memorising.
    void noisy_train_pass() {
        if (!(config_.test_noise > 0.0 && config_.train_noise >= config_.test_noise)) return;
        const auto t_noisy = Clock::now();
        Dataset noisy;
        noisy.x = Matrix(train_.size(), train_.features());
        std::copy_n(train_.x.row(0), train_.size() * train_.features(), noisy.x.data.data());
        noisy.y = train_.y;
        noisy.classes = train_.classes;
        add_gaussian_noise(noisy.x, config_.test_noise, noisy_train_seed(config_.seed));
        result_.noisy_train_acc = evaluator_.run(noisy, false).acc;
        const double noisy_seconds = seconds_since(t_noisy);
        result_.seconds += noisy_seconds;
        result_.eval_seconds += noisy_seconds;
    }

    // The test pass is evaluation like the per-epoch passes: in `seconds` and `eval_seconds`, not in
    // a sweep unit's set-up (it was 40% of that for 0.2 s units).
    void test_pass() {
        const auto t_test = Clock::now();
        Evaluation te = evaluator_.run(test_, false, true);
        result_.test_confusion = std::move(te.confusion);
        const double test_seconds = seconds_since(t_test);
        result_.seconds += test_seconds;
        result_.eval_seconds += test_seconds;
        result_.test_loss = te.loss + (test_.size() != 0 ? l2_penalty(net_, config_.weight_decay) : 0.0);
        result_.test_acc = te.acc;
    }

    const TrainConfig& config_;
    const TrainCurves& curves_;
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
    // The validation predictions of the last epoch, and of early stopping's kept epoch.
    ConfusionMatrix last_val_confusion_, kept_val_confusion_;
    TrainResult result_;
    bool last_exact_ = false;  // the last history row's training figures are the inference pass's
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
                        const EpochCallback& on_epoch, const TrainCurves& curves, const TrainedCallback& on_trained) {
    config.validate();
    check_parts(train, val, test);
    omp_set_num_threads(config.threads);
    Training training(config, train, val, test, curves);
    return training.run(on_epoch, on_trained);
}

PreparedData prepare_holdout(const TrainConfig& config, const Dataset& data, double test_fraction) {
    const Split split = holdout_split(data.size(), test_fraction, config.seed);
    PreparedData p{gather(data, split.train), gather(data, split.test), {}};
    p.scaler = InputScaler::fit(p.train.x, config.normalization);
    p.scaler.apply(p.train.x);
    p.scaler.apply(p.val.x);
    add_gaussian_noise(p.val.x, config.test_noise, config.seed);
    return p;
}

}  // namespace dnnsweep
