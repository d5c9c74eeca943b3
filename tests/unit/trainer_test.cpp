// The training loop on small synthetic problems: that it learns, is deterministic, counts its
// steps right, and that early stopping, divergence, stopping and the health figures behave.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/preprocess.hpp"
#include "engine/rng.hpp"
#include "engine/stop.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {
namespace {

// Gaussian clusters: `classes` centres in [lo, hi]^features, spread `spread` around each.
Dataset clusters(std::size_t n, std::size_t features, int classes, float lo, float hi, float spread,
                 std::uint64_t seed) {
    Rng rng(seed, Stream::Split);
    std::vector<float> centres(static_cast<std::size_t>(classes) * features);
    for (auto& c : centres) c = rng.uniform(lo, hi);
    Dataset d;
    d.x = Matrix(n, features);
    d.y.resize(n);
    d.classes = classes;
    d.source = "clusters";
    for (std::size_t i = 0; i < n; ++i) {
        const auto label = static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(classes)));
        d.y[i] = label;
        for (std::size_t j = 0; j < features; ++j)
            d.x.at(i, j) =
                centres[static_cast<std::size_t>(label) * features + j] + spread * static_cast<float>(rng.normal());
    }
    return d;
}

TrainConfig small_config() {
    TrainConfig c;
    c.layers = 2;
    c.width = 16;
    c.activation = Activation::Relu;
    c.optimizer = Optimizer::Adam;
    c.learning_rate = 0.01;
    c.batch_size = 32;
    c.epochs = 15;
    c.normalization = Normalization::ZScore;
    c.seed = 5;
    return c;
}

PreparedData prepared(const TrainConfig& c, std::size_t n = 400) {
    return prepare_holdout(c, clusters(n, 4, 3, 100.0f, 300.0f, 10.0f, 1), 0.25);
}

TEST(Trainer, LearnsSeparableClusters) {
    const TrainConfig c = small_config();
    const PreparedData d = prepared(c);
    const TrainResult r = train_model(c, d.train, d.val);
    EXPECT_EQ(r.status, UnitStatus::Ok);
    EXPECT_EQ(r.epochs(), c.epochs);
    EXPECT_GT(r.train_acc, 0.95);
    EXPECT_GT(r.val_acc, 0.9);
    EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
}

TEST(Trainer, SameSeedGivesIdenticalHistoryAndOtherSeedDoesNot) {
    TrainConfig c = small_config();
    c.dropout = 0.2;  // the dropout masks must be reproducible too
    const PreparedData d = prepared(c);
    const TrainResult a = train_model(c, d.train, d.val);
    const TrainResult b = train_model(c, d.train, d.val);
    ASSERT_EQ(a.history.size(), b.history.size());
    for (std::size_t e = 0; e < a.history.size(); ++e) {
        EXPECT_EQ(a.history[e].train_loss, b.history[e].train_loss);
        EXPECT_EQ(a.history[e].val_loss, b.history[e].val_loss);
        EXPECT_EQ(a.history[e].health.grad_norm, b.history[e].health.grad_norm);
    }
    c.seed = 6;
    const TrainResult other = train_model(c, d.train, d.val);
    EXPECT_NE(a.history.back().train_loss, other.history.back().train_loss);
}

TEST(Trainer, UsesTheLastPartialBatchAndFullBatches) {
    TrainConfig c = small_config();
    c.epochs = 3;
    const PreparedData d = prepared(c);  // 300 training rows
    ASSERT_EQ(d.train.size(), 300u);
    c.batch_size = 128;  // 128 + 128 + 44
    EXPECT_EQ(train_model(c, d.train, d.val).steps, 3 * 3);
    c.batch_size = 0;  // the whole training set: one update per epoch
    EXPECT_EQ(train_model(c, d.train, d.val).steps, 3);
    c.batch_size = 1000;  // larger than the data: also one full batch
    EXPECT_EQ(train_model(c, d.train, d.val).steps, 3);
}

TEST(Trainer, ReportsDivergenceWithItsEpoch) {
    TrainConfig c = small_config();
    c.normalization = Normalization::None;  // inputs in the hundreds
    c.activation = Activation::LeakyRelu;   // unbounded both ways: the logits overflow
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 100.0;
    const PreparedData d = prepared(c);
    const TrainResult r = train_model(c, d.train, d.val);
    EXPECT_EQ(r.status, UnitStatus::Diverged);
    EXPECT_GE(r.diverged_epoch, 1);
    EXPECT_EQ(r.epochs(), r.diverged_epoch);
    EXPECT_GT(r.history.back().health.max_abs_input, 100.0);
}

TEST(Trainer, EarlyStoppingKeepsTheBestEpoch) {
    // Few samples, a wide network and a high learning rate: validation loss turns up early.
    TrainConfig c = small_config();
    c.width = 128;
    c.epochs = 60;
    c.patience = 3;
    c.learning_rate = 0.05;
    const PreparedData d = prepare_holdout(c, clusters(120, 4, 3, 0.0f, 1.0f, 0.6f, 2), 0.5);
    const TrainResult r = train_model(c, d.train, d.val);
    ASSERT_LT(r.epochs(), c.epochs) << "validation loss never rose for 3 epochs";
    EXPECT_EQ(r.best_epoch, r.epochs() - c.patience);
    double best = INFINITY;
    for (const auto& e : r.history) best = std::min(best, e.val_loss);
    EXPECT_EQ(r.val_loss, best);
    EXPECT_EQ(r.val_loss, r.history[static_cast<std::size_t>(r.best_epoch - 1)].val_loss);
}

TEST(Trainer, CallbackCanStopTheRun) {
    const TrainConfig c = small_config();
    const PreparedData d = prepared(c);
    int calls = 0;
    const TrainResult r = train_model(c, d.train, d.val, [&](const EpochMetrics& m) {
        ++calls;
        EXPECT_EQ(m.epoch, calls);
        return calls < 2;
    });
    EXPECT_EQ(r.status, UnitStatus::Stopped);
    EXPECT_EQ(r.epochs(), 2);
    EXPECT_EQ(calls, 2);
}

TEST(Trainer, DeepSigmoidGradientsVanishTowardTheInput) {
    TrainConfig c = small_config();
    c.layers = 8;
    c.width = 32;
    c.epochs = 1;
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 0.1;
    const PreparedData d = prepared(c);
    c.activation = Activation::Sigmoid;
    const auto sigmoid = train_model(c, d.train, d.val).history[0].health.grad_norm;
    c.activation = Activation::Relu;
    const auto relu = train_model(c, d.train, d.val).history[0].health.grad_norm;
    ASSERT_EQ(sigmoid.size(), 9u);  // 8 hidden dense layers and the output layer
    EXPECT_LT(sigmoid.front() / sigmoid.back(), 1e-3);
    EXPECT_GT(relu.front() / relu.back(), 1e-2);
}

TEST(Trainer, SaturationAndDeadUnitsAreMeasured) {
    TrainConfig c = small_config();
    c.epochs = 1;
    c.layers = 1;
    c.activation = Activation::Sigmoid;
    c.normalization = Normalization::None;  // inputs in the hundreds saturate sigmoid units
    PreparedData d = prepared(c);
    EXPECT_GT(train_model(c, d.train, d.val).history[0].health.saturated, 0.9);
    c.normalization = Normalization::ZScore;
    d = prepared(c);
    EXPECT_LT(train_model(c, d.train, d.val).history[0].health.saturated, 0.2);

    // Dying ReLUs: one huge SGD step pushes most units where they never fire again.
    c.activation = Activation::Relu;
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 10.0;
    c.epochs = 3;
    c.layers = 2;
    const TrainResult dead = train_model(c, d.train, d.val);
    EXPECT_GT(dead.history.back().health.dead_relu, 0.4);
    c.learning_rate = 0.01;
    EXPECT_LT(train_model(c, d.train, d.val).history.back().health.dead_relu, 0.1);
}

TEST(Trainer, PrepareHoldoutScalesOnTrainingRowsAndNoisesOnlyTheHeldOutPart) {
    TrainConfig c = small_config();
    c.normalization = Normalization::MinMax;
    const Dataset data = clusters(400, 4, 3, 100.0f, 300.0f, 10.0f, 1);
    const PreparedData clean = prepare_holdout(c, data, 0.25);
    for (const float v : clean.train.x.data) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
    }
    c.test_noise = 1.0;
    const PreparedData noisy = prepare_holdout(c, data, 0.25);
    EXPECT_EQ(clean.train.x.data, noisy.train.x.data);
    EXPECT_EQ(clean.train.y, noisy.train.y);
    EXPECT_NE(clean.val.x.data, noisy.val.x.data);
    EXPECT_EQ(clean.val.y, noisy.val.y);
}

TEST(Trainer, WeightDecayIsPartOfTheReportedLoss) {
    TrainConfig c = small_config();
    c.epochs = 1;
    const PreparedData d = prepared(c);
    const double plain = train_model(c, d.train, d.val).train_loss;
    c.weight_decay = 1.0;
    const double decayed = train_model(c, d.train, d.val).train_loss;
    EXPECT_GT(decayed, plain + 0.5);  // 0.5 * sum(w^2) over a few hundred weights of order 0.3
}

}  // namespace
}  // namespace dnnsweep

namespace dnnsweep {
namespace {

TEST(Trainer, MeasuresTheFinalModelOnTheTestSetOnly) {
    TrainConfig c = small_config();
    c.patience = 2;
    c.epochs = 30;
    const PreparedData d = prepared(c);
    const PreparedData t = prepare_holdout(c, clusters(200, 4, 3, 100.0f, 300.0f, 10.0f, 1), 0.5);
    const TrainResult without = train_model(c, d.train, d.val);
    const TrainResult with = train_model(c, d.train, d.val, t.val);
    EXPECT_TRUE(std::isnan(without.test_acc));
    EXPECT_GT(with.test_acc, 0.9);
    EXPECT_TRUE(std::isfinite(with.test_loss));
    // The test set changes nothing about training or model selection.
    EXPECT_EQ(without.best_epoch, with.best_epoch);
    EXPECT_EQ(without.val_loss, with.val_loss);
    ASSERT_EQ(without.history.size(), with.history.size());
    EXPECT_EQ(without.history.back().train_loss, with.history.back().train_loss);
}

}  // namespace
}  // namespace dnnsweep

namespace dnnsweep {
namespace {

int g_checks = 0;
bool stop_after_five_checks() { return ++g_checks > 5; }

TEST(Trainer, StopCheckEndsTheRunBetweenMiniBatches) {
    const TrainConfig c = small_config();  // 300 rows, batch 32: 10 steps per epoch
    const PreparedData d = prepared(c);
    g_checks = 0;
    set_stop_check(stop_after_five_checks);
    const TrainResult early = train_model(c, d.train, d.val);
    set_stop_check(nullptr);
    EXPECT_EQ(early.status, UnitStatus::Stopped);
    EXPECT_EQ(early.steps, 5);           // stopped before the sixth step, in the first epoch
    EXPECT_TRUE(early.history.empty());  // an epoch cut short is not reported
    EXPECT_TRUE(std::isnan(early.train_acc));

    g_checks = -25;  // the 31st check: the first step of the fourth epoch (10 steps per epoch)
    set_stop_check(stop_after_five_checks);
    const TrainResult later = train_model(c, d.train, d.val);
    set_stop_check(nullptr);
    EXPECT_EQ(later.status, UnitStatus::Stopped);
    EXPECT_EQ(later.epochs(), 3);
    EXPECT_EQ(later.steps, 30);
    EXPECT_EQ(later.train_acc, later.history.back().train_acc);
}

// The per-epoch training figures: running figures of the epoch's batches unless an epoch needs
// the exact pass; the final figures, validation curves and test figures the same either way.
TrainResult with_curves(const TrainConfig& c, const PreparedData& d, TrainCurves curves,
                        const EpochCallback& on_epoch = {}) {
    return train_model(c, d.train, d.val, Dataset{}, on_epoch, curves);
}

TEST(TrainCurves, RunningFiguresLeaveTheFinalFiguresAndValidationCurvesAsTheExactPassGives) {
    TrainConfig c = small_config();
    c.epochs = 6;
    c.dropout = 0.2;  // the running figures are training mode's: they differ from the pass
    const PreparedData d = prepared(c);
    const TrainResult running = with_curves(c, d, {});
    const TrainResult exact = with_curves(c, d, {.exact_every_epoch = true, .exact_epochs = {}});
    ASSERT_EQ(running.epochs(), exact.epochs());
    EXPECT_EQ(running.train_acc, exact.train_acc);
    EXPECT_EQ(running.train_loss, exact.train_loss);
    EXPECT_EQ(running.val_loss, exact.val_loss);
    EXPECT_EQ(running.steps, exact.steps);
    int differing = 0;
    for (std::size_t e = 0; e < running.history.size(); ++e) {
        EXPECT_EQ(running.history[e].val_loss, exact.history[e].val_loss) << "epoch " << e + 1;
        EXPECT_EQ(running.history[e].val_acc, exact.history[e].val_acc) << "epoch " << e + 1;
        EXPECT_EQ(running.history[e].health.grad_norm, exact.history[e].health.grad_norm) << "epoch " << e + 1;
        differing += static_cast<int>(running.history[e].train_loss != exact.history[e].train_loss);
    }
    EXPECT_GE(differing, 3) << "epochs 2-5 are running figures, not the pass's";
    // The first and last epochs are always the pass's, health figures included (the diagnosis reads them).
    EXPECT_EQ(running.history.front().train_loss, exact.history.front().train_loss);
    EXPECT_EQ(running.history.front().health.dead_relu, exact.history.front().health.dead_relu);
    EXPECT_EQ(running.history.back().train_loss, exact.history.back().train_loss);
    EXPECT_EQ(running.history.back().train_acc, exact.history.back().train_acc);
    EXPECT_EQ(running.history.back().health.dead_relu, exact.history.back().health.dead_relu);
    EXPECT_EQ(running.eval_seconds > 0.0, true);
}

TEST(TrainCurves, RunningFiguresAreTheMeansOverTheEpochsBatches) {
    // A learning rate too small to move the weights: every batch sees the weights the pass sees,
    // so the running mean over the epoch's batches is the pass's figure up to summation order.
    TrainConfig c = small_config();
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 1e-30;
    c.epochs = 4;
    c.activation = Activation::Sigmoid;
    const PreparedData d = prepared(c);
    const TrainResult running = with_curves(c, d, {});
    const TrainResult exact = with_curves(c, d, {.exact_every_epoch = true, .exact_epochs = {}});
    for (std::size_t e = 1; e < 3; ++e) {  // epochs 2 and 3: running figures (1 and 4 are the pass's)
        EXPECT_NEAR(running.history[e].train_loss, exact.history[e].train_loss, 1e-6);
        EXPECT_NEAR(running.history[e].train_acc, exact.history[e].train_acc, 1e-12);
        EXPECT_NEAR(running.history[e].health.saturated, exact.history[e].health.saturated, 1e-9);
    }
}

TEST(TrainCurves, NamedEpochsAndAStoppedRunsLastEpochGetTheExactPass) {
    TrainConfig c = small_config();
    c.epochs = 6;
    c.dropout = 0.2;
    const PreparedData d = prepared(c);
    const TrainResult exact = with_curves(c, d, {.exact_every_epoch = true, .exact_epochs = {}});
    const TrainResult named = with_curves(c, d, {.exact_every_epoch = false, .exact_epochs = {3}});
    for (const std::size_t e : {0u, 2u}) EXPECT_EQ(named.history[e].train_loss, exact.history[e].train_loss);
    EXPECT_NE(named.history[1].train_loss, exact.history[1].train_loss);
    const TrainResult stopped = with_curves(c, d, {}, [](const EpochMetrics& m) { return m.epoch < 4; });
    ASSERT_EQ(stopped.epochs(), 4);
    EXPECT_EQ(stopped.history.back().train_loss, exact.history[3].train_loss);
    EXPECT_EQ(stopped.train_acc, exact.history[3].train_acc);
}

TEST(TrainCurves, TheKeptEpochOfEarlyStoppingGetsTheExactPass) {
    TrainConfig c = small_config();
    c.width = 128;
    c.epochs = 60;
    c.patience = 3;
    c.learning_rate = 0.05;
    const PreparedData d = prepare_holdout(c, clusters(120, 4, 3, 0.0f, 1.0f, 0.6f, 2), 0.5);
    const TrainResult running = with_curves(c, d, {});
    const TrainResult exact = with_curves(c, d, {.exact_every_epoch = true, .exact_epochs = {}});
    ASSERT_EQ(running.best_epoch, exact.best_epoch);
    ASSERT_LT(running.best_epoch, running.epochs());
    const auto best = static_cast<std::size_t>(running.best_epoch - 1);
    EXPECT_EQ(running.history[best].train_acc, exact.history[best].train_acc);
    EXPECT_EQ(running.train_acc, exact.train_acc);
    EXPECT_EQ(running.train_loss, exact.train_loss);
    EXPECT_EQ(running.val_loss, exact.val_loss);
}

TEST(TrainCurves, NamesParseAndAnythingElseIsRefused) {
    EXPECT_FALSE(parse_train_curves("running"));
    EXPECT_TRUE(parse_train_curves("exact"));
    EXPECT_EQ(train_curves_name(true), "exact");
    EXPECT_THROW(parse_train_curves("Exact"), ConfigError);
}

}  // namespace
}  // namespace dnnsweep
