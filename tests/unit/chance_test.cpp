// The chance level (engine/chance.hpp) and its use by the diagnosis and the chance pruning rule:
// 1/classes for balanced data, the majority class's share where one class dominates.
#include "engine/chance.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/diagnosis.hpp"
#include "engine/pruning.hpp"

namespace dnnsweep {
namespace {

// MNIST's training set: 60,000 rows, the largest class (1) 11.2%.
const std::vector<std::uint64_t> kMnistRows{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};

TEST(Chance, NearBalancedDataKeepsOneOverClasses) {
    const Chance c = chance_of(kMnistRows, 1.5);
    EXPECT_FALSE(c.majority);
    EXPECT_EQ(c.classes, 10);
    EXPECT_DOUBLE_EQ(c.level, 0.1);
    EXPECT_DOUBLE_EQ(c.not_training_below(1.5), 0.15);
    EXPECT_EQ(c.basis(), "uniform");
}

TEST(Chance, AMajorityClassSetsTheLevel) {
    const std::vector<std::uint64_t> rows{900, 100};
    const Chance c = chance_of(rows, 1.5);
    EXPECT_TRUE(c.majority);
    EXPECT_DOUBLE_EQ(c.level, 0.9);
    EXPECT_EQ(c.basis(), "majority");
    // Half the way from 0.9 to 1, as 1.5 x 1/2 is half the way from 1/2 to 1 with two balanced classes.
    EXPECT_DOUBLE_EQ(c.not_training_below(1.5), 0.95);
    // Ten classes, one of them 40%: imbalanced (0.4 >= 1.5 / 10).
    std::vector<std::uint64_t> ten(10, 100);
    ten[3] = 600;
    const Chance t = chance_of(ten, 1.5);
    EXPECT_TRUE(t.majority);
    EXPECT_DOUBLE_EQ(t.level, 0.4);
    EXPECT_DOUBLE_EQ(t.not_training_below(1.5), 0.4 + 0.5 / 9 * 0.6);
    EXPECT_LT(t.not_training_below(1.5), 1.0);
}

TEST(Chance, TheBalancedFormulaIsTheLimitOfTheMajorityOne) {
    // At a majority share of exactly chance_factor/classes both readings give the same level's
    // threshold order: the majority one is never below the uniform one.
    for (const int k : {2, 3, 10, 100}) {
        Chance majority{.classes = k, .level = 1.0 / k, .majority = true};
        EXPECT_NEAR(majority.not_training_below(1.5), uniform_chance(k).not_training_below(1.5), 1e-15);
    }
}

TEST(Chance, TrainingRowsLeaveTheTestSetOut) {
    Dataset d;
    d.classes = 2;
    d.x = Matrix(1000, 1);
    for (int i = 0; i < 1000; ++i) d.y.push_back(i < 900 ? 0 : 1);
    StudySplit split;
    split.test_fraction = 0.2;
    split.folds = 5;
    const std::vector<std::uint64_t> rows = training_rows_per_class(d, split);
    EXPECT_EQ(rows, (std::vector<std::uint64_t>{720, 80}));  // 20% of each class held out
    EXPECT_DOUBLE_EQ(chance_of(rows, 1.5).level, 0.9);
}

FoldOutcome fold(double train_acc, double val_acc) {
    FoldOutcome f;
    f.train_acc = train_acc;
    f.val_acc = val_acc;
    f.epochs = 20;
    f.steps = 20 * 100;
    f.last_health.grad_norm = {0.5, 0.4};
    f.last_health.max_abs_input = 1.0;
    return f;
}

TEST(Chance, TheDiagnosisJudgesAMajorityOnlyModelNotTraining) {
    // A 90/10 dataset: a model answering the majority class scores 0.9, which 1/classes (0.75
    // threshold) would call a good fit.
    const std::vector<FoldOutcome> majority_only{fold(0.9, 0.9), fold(0.9, 0.9)};
    EXPECT_NE(diagnose(TrainConfig{}, majority_only, 2).verdict, Verdict::NotTraining);
    const std::vector<std::uint64_t> rows{900, 100};
    const Diagnosis d = diagnose(TrainConfig{}, majority_only, chance_of(rows, 1.5));
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_NE(d.reason.find("at chance (0.90, the majority class's share)"), std::string::npos) << d.reason;
    // One that learns the minority class too is judged by its figures.
    const std::vector<FoldOutcome> learns{fold(0.98, 0.97), fold(0.98, 0.97)};
    EXPECT_EQ(diagnose(TrainConfig{}, learns, chance_of(rows, 1.5)).verdict, Verdict::Good);
}

TEST(Chance, BalancedDataDiagnosesAsOneOverClasses) {
    // The same verdicts and reasons from the class count and from MNIST's rows.
    for (const double acc : {0.1, 0.14, 0.16, 0.5, 0.97}) {
        const std::vector<FoldOutcome> folds{fold(acc, acc - 0.01)};
        const Diagnosis a = diagnose(TrainConfig{}, folds, 10),
                        b = diagnose(TrainConfig{}, folds, chance_of(kMnistRows, 1.5));
        EXPECT_EQ(a.verdict, b.verdict) << acc;
        EXPECT_EQ(a.reason, b.reason) << acc;
    }
}

EpochMetrics epoch(int n, double train_loss, double train_acc) {
    EpochMetrics m;
    m.epoch = n;
    m.train_loss = train_loss;
    m.train_acc = train_acc;
    m.val_loss = train_loss;
    m.val_acc = train_acc;
    m.health.grad_norm = {0.5, 0.4, 0.3, 0.3};
    m.health.max_abs_input = 1.0;
    return m;
}

TEST(Chance, ChancePruningStopsAMajorityOnlyTraining) {
    // mse on softmax with sigmoid layers, stuck answering the majority class of a 90/10 dataset.
    TrainConfig c;
    c.layers = 3;
    c.width = 64;
    c.activation = Activation::Sigmoid;
    c.loss = Loss::Mse;
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 0.1;
    const EpochMetrics first = epoch(1, 0.0912, 0.9), now = epoch(3, 0.0905, 0.9);
    EXPECT_TRUE(hopeless_at_chance(c, first, now, 80, 2, {}, {}).empty());  // 1/classes: 0.9 looks trained
    const std::vector<std::uint64_t> rows{900, 100};
    const std::vector<Cause> causes = hopeless_at_chance(c, first, now, 80, chance_of(rows, 1.5), {}, {});
    EXPECT_NE(std::ranges::find(causes, Cause::MseSoftmax), causes.end());
    // Balanced data prunes as before.
    const EpochMetrics b1 = epoch(1, 0.0912, 0.102), b3 = epoch(3, 0.0905, 0.101);
    EXPECT_EQ(hopeless_at_chance(c, b1, b3, 80, 10, {}, {}),
              hopeless_at_chance(c, b1, b3, 80, chance_of(kMnistRows, 1.5), {}, {}));
}

}  // namespace
}  // namespace dnnsweep
