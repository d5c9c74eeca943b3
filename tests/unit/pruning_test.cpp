// The chance rule of engine/pruning.hpp: at chance, loss flat, and a named cause, all three.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/pruning.hpp"

namespace dnnsweep {
namespace {

TrainConfig config_of(int layers, Activation a, Loss loss) {
    TrainConfig c;
    c.layers = layers;
    c.width = 64;
    c.activation = a;
    c.loss = loss;
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 0.1;
    return c;
}

EpochMetrics epoch(int n, double train_loss, double train_acc, std::vector<double> grad_norm) {
    EpochMetrics m;
    m.epoch = n;
    m.train_loss = train_loss;
    m.train_acc = train_acc;
    m.val_loss = train_loss;
    m.val_acc = train_acc;
    m.health.grad_norm = std::move(grad_norm);
    m.health.max_abs_input = 1.0;
    return m;
}

bool has(const std::vector<Cause>& v, Cause s) { return std::ranges::find(v, s) != v.end(); }

constexpr int kClasses = 10;
constexpr std::int64_t kSteps = 80;
const std::vector<double> kHealthy{0.5, 0.4, 0.3, 0.3};

TEST(Pruning, MseOnSoftmaxAtChanceIsHopeless) {
    const TrainConfig c = config_of(3, Activation::Sigmoid, Loss::Mse);
    const auto causes = hopeless_at_chance(c, epoch(1, 0.0912, 0.102, kHealthy), epoch(3, 0.0905, 0.101, kHealthy),
                                           kSteps, kClasses, {}, {});
    EXPECT_TRUE(has(causes, Cause::MseSoftmax));
}

TEST(Pruning, VanishingGradientAtChanceIsHopeless) {
    const TrainConfig c = config_of(11, Activation::Sigmoid, Loss::CrossEntropy);
    std::vector<double> vanishing(12, 1e-2);
    vanishing.front() = 1e-7;
    const auto causes = hopeless_at_chance(c, epoch(1, 2.3151, 0.099, vanishing), epoch(3, 2.3117, 0.113, vanishing),
                                           kSteps, kClasses, {}, {});
    EXPECT_TRUE(has(causes, Cause::VanishingGradient));
}

TEST(Pruning, APlateauWithoutACauseIsSpared) {
    // Seed row 2 (3 sigmoid layers, cross-entropy, SGD 0.1) sits at chance for its first epochs,
    // then trains: nothing in its figures says it cannot.
    const TrainConfig c = config_of(3, Activation::Sigmoid, Loss::CrossEntropy);
    EXPECT_TRUE(hopeless_at_chance(c, epoch(1, 2.3382, 0.097, kHealthy), epoch(3, 2.3162, 0.105, kHealthy), kSteps,
                                   kClasses, {}, {})
                    .empty());
}

TEST(Pruning, FewUpdatesAloneIsSpared) {
    // A full batch at epoch 3 has made 3 optimizer steps: too few to judge it by (seed row 5 and
    // a full-batch Adam run climb slowly for the whole 20 epochs).
    TrainConfig c = config_of(3, Activation::Sigmoid, Loss::CrossEntropy);
    c.batch_size = 0;
    const EpochMetrics first = epoch(1, 2.3382, 0.097, kHealthy), now = epoch(3, 2.3162, 0.101, kHealthy);
    EXPECT_TRUE(hopeless_at_chance(c, first, now, 1, kClasses, {}, {}).empty());
    // With another cause, few_updates comes along.
    c.loss = Loss::Mse;
    const auto causes =
        hopeless_at_chance(c, epoch(1, 0.0912, 0.1, kHealthy), epoch(3, 0.0905, 0.1, kHealthy), 1, kClasses, {}, {});
    EXPECT_TRUE(has(causes, Cause::MseSoftmax));
    EXPECT_TRUE(has(causes, Cause::FewUpdates));
}

TEST(Pruning, EachConditionIsNeeded) {
    const TrainConfig c = config_of(3, Activation::Sigmoid, Loss::Mse);
    const EpochMetrics first = epoch(1, 0.0912, 0.102, kHealthy);
    // Above chance (1.5 / 10).
    EXPECT_TRUE(hopeless_at_chance(c, first, epoch(3, 0.0905, 0.16, kHealthy), kSteps, kClasses, {}, {}).empty());
    // The loss fell by 10% or more.
    EXPECT_TRUE(
        hopeless_at_chance(c, first, epoch(3, 0.0912 * 0.9, 0.101, kHealthy), kSteps, kClasses, {}, {}).empty());
    EXPECT_FALSE(
        hopeless_at_chance(c, first, epoch(3, 0.0912 * 0.91, 0.101, kHealthy), kSteps, kClasses, {}, {}).empty());
    // Only at epoch prune-after, and only with prune = chance.
    EXPECT_TRUE(hopeless_at_chance(c, first, epoch(2, 0.0905, 0.101, kHealthy), kSteps, kClasses, {}, {}).empty());
    EXPECT_TRUE(hopeless_at_chance(c, first, epoch(4, 0.0905, 0.101, kHealthy), kSteps, kClasses, {}, {}).empty());
    PruneSettings later;
    later.after = 4;
    EXPECT_FALSE(hopeless_at_chance(c, first, epoch(4, 0.0905, 0.101, kHealthy), kSteps, kClasses, {}, later).empty());
    PruneSettings off;
    off.mode = PruneMode::None;
    EXPECT_TRUE(hopeless_at_chance(c, first, epoch(3, 0.0905, 0.101, kHealthy), kSteps, kClasses, {}, off).empty());
}

TEST(Pruning, ThresholdsAreTheSpecs) {
    const TrainConfig c = config_of(3, Activation::Sigmoid, Loss::Mse);
    const EpochMetrics first = epoch(1, 0.0912, 0.102, kHealthy), now = epoch(3, 0.0905, 0.101, kHealthy);
    DiagnosisThresholds strict;
    strict.chance_factor = 1.0;  // chance itself: 0.101 is not below 0.1
    EXPECT_TRUE(hopeless_at_chance(c, first, now, kSteps, kClasses, strict, {}).empty());
    PruneSettings tiny_drop;
    tiny_drop.min_loss_drop = 0.005;  // 0.0912 -> 0.0905 is a 0.8% drop: enough to be spared
    EXPECT_TRUE(hopeless_at_chance(c, first, now, kSteps, kClasses, {}, tiny_drop).empty());
}

TEST(Pruning, NonFiniteLossIsLeftToTheTrainer) {
    const TrainConfig c = config_of(3, Activation::Sigmoid, Loss::Mse);
    EXPECT_TRUE(hopeless_at_chance(c, epoch(1, 0.0912, 0.1, kHealthy), epoch(3, std::nan(""), 0.1, kHealthy), kSteps,
                                   kClasses, {}, {})
                    .empty());
}

TEST(Pruning, ModeNames) {
    EXPECT_EQ(parse_prune_mode("none"), PruneMode::None);
    EXPECT_EQ(parse_prune_mode("chance"), PruneMode::Chance);
    EXPECT_EQ(name(PruneMode::Chance), "chance");
    EXPECT_EQ(parse_prune_mode("halving"), PruneMode::Halving);
    EXPECT_THROW(parse_prune_mode("sometimes"), ConfigError);
}

TEST(Pruning, HalvingRungs) {
    PruneSettings s;  // min 1, eta 3
    EXPECT_EQ(halving_rungs(20, s), (std::vector<int>{1, 3, 9, 20}));
    EXPECT_EQ(halving_rungs(9, s), (std::vector<int>{1, 3, 9}));
    EXPECT_EQ(halving_rungs(1, s), (std::vector<int>{1}));
    s.halving_min_epochs = 2;
    s.halving_eta = 2;
    EXPECT_EQ(halving_rungs(10, s), (std::vector<int>{2, 4, 8, 10}));
    s.halving_min_epochs = 30;
    EXPECT_EQ(halving_rungs(20, s), (std::vector<int>{20}));
}

}  // namespace
}  // namespace dnnsweep
