// The diagnosis from synthetic fold outcomes: every verdict and cause, the ranking of causes, the
// thresholds, failed folds, and the seed table's rows (figures measured by the engine on MNIST).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/diagnosis.hpp"
#include "tests/unit/healthy_fold.hpp"

namespace dnnsweep {
namespace {

constexpr int kClasses = 10;

FoldOutcome fold(double train_acc, double val_acc) { return test_support::healthy_fold(train_acc, val_acc); }

TrainConfig seed_config(int layers, Activation a, Optimizer o) {
    TrainConfig c;
    c.layers = layers;
    c.activation = a;
    c.optimizer = o;
    if (o == Optimizer::Sgd) c.learning_rate = 0.1;
    return c;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Diagnosis, VerdictNames) {
    EXPECT_EQ(name(Verdict::NotTraining), "not_training");
    EXPECT_EQ(name(Verdict::Underfitting), "underfitting");
    EXPECT_EQ(name(Verdict::Overfitting), "overfitting");
    EXPECT_EQ(name(Verdict::Good), "good");
    EXPECT_EQ(name(Verdict::Failed), "failed");
}

TEST(Diagnosis, BiasAndVarianceAreMeansOverFolds) {
    const std::vector<FoldOutcome> folds = {fold(0.9, 0.8), fold(0.8, 0.8)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_NEAR(d.bias, 0.15, 1e-12);
    EXPECT_NEAR(d.variance, 0.05, 1e-12);
}

TEST(Diagnosis, Good) {
    const std::vector<FoldOutcome> folds = {fold(0.99, 0.97), fold(0.98, 0.96)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::Good);
    EXPECT_TRUE(d.causes.empty());
    EXPECT_TRUE(contains(d.reason, "good fit")) << d.reason;
}

TEST(Diagnosis, OverfittingSuggestsRegularisation) {
    const std::vector<FoldOutcome> folds = {fold(1.0, 0.51)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::Overfitting);
    EXPECT_TRUE(contains(d.reason, "training error 0.00")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "gap 0.49")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "dropout")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "weight decay")) << d.reason;
}

TEST(Diagnosis, UnderfittingWhenTrainingErrorHighAndGapSmall) {
    const std::vector<FoldOutcome> folds = {fold(0.82, 0.83)};
    const Diagnosis d = diagnose(seed_config(3, Activation::Sigmoid, Optimizer::Sgd), folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::Underfitting);
    EXPECT_TRUE(d.causes.empty());
    EXPECT_TRUE(contains(d.reason, "underfitting")) << d.reason;
}

TEST(Diagnosis, NotTrainingAtChanceWithUnknownCause) {
    const std::vector<FoldOutcome> folds = {fold(0.11, 0.10)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::Unknown});
    EXPECT_TRUE(contains(d.reason, "training accuracy 0.11 is at chance (0.10)")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "learning rate")) << d.reason;
}

TEST(Diagnosis, DivergedFoldMeansNotTrainingEvenAboveChance) {
    std::vector<FoldOutcome> folds = {fold(0.9, 0.9), fold(0.5, 0.5)};
    folds[1].status = UnitStatus::Diverged;
    folds[1].diverged_epoch = 3;
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    ASSERT_FALSE(d.causes.empty());
    EXPECT_EQ(d.causes.front(), Cause::Diverged);
    EXPECT_TRUE(contains(d.reason, "epoch 3")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "1 of 2 folds")) << d.reason;
}

TEST(Diagnosis, EachCauseFromItsSettingOrHealthFigure) {
    const auto causes_of = [](const TrainConfig& c, const FoldOutcome& f) {
        return diagnose(c, std::vector<FoldOutcome>{f}, kClasses).causes;
    };
    TrainConfig mse;
    mse.loss = Loss::Mse;
    EXPECT_EQ(causes_of(mse, fold(0.1, 0.1)), std::vector<Cause>{Cause::MseSoftmax});

    FoldOutcome vanishing = fold(0.1, 0.1);
    vanishing.last_health.grad_norm = {2.5e-7, 1e-5, 1e-3, 0.2, 2.6};
    const Diagnosis v =
        diagnose(seed_config(11, Activation::Sigmoid, Optimizer::Sgd), std::vector<FoldOutcome>{vanishing}, kClasses);
    EXPECT_EQ(v.causes, std::vector<Cause>{Cause::VanishingGradient});
    EXPECT_TRUE(contains(v.reason, "9.6e-08")) << v.reason;  // the ratio, so the user sees how far below

    FoldOutcome dead = fold(0.1, 0.1);
    dead.last_health.dead_relu = 0.8;
    EXPECT_EQ(causes_of(TrainConfig{}, dead), std::vector<Cause>{Cause::DeadRelu});
    // Dead units are a relu-family figure: the same number with tanh is not read as dead relus.
    TrainConfig tanh_config;
    tanh_config.activation = Activation::Tanh;
    EXPECT_EQ(causes_of(tanh_config, dead), std::vector<Cause>{Cause::Unknown});

    TrainConfig raw;
    raw.normalization = Normalization::None;
    FoldOutcome unscaled = fold(0.1, 0.1);
    unscaled.last_health.max_abs_input = 255.0;
    EXPECT_EQ(causes_of(raw, unscaled), std::vector<Cause>{Cause::UnscaledInputs});
    // The same inputs with scaling on cannot be blamed on normalization none.
    EXPECT_EQ(causes_of(TrainConfig{}, unscaled), std::vector<Cause>{Cause::Unknown});

    TrainConfig full;
    full.batch_size = 0;
    FoldOutcome few = fold(0.1, 0.1);
    few.steps = 20;  // 1 step per epoch
    const Diagnosis f = diagnose(full, std::vector<FoldOutcome>{few}, kClasses);
    EXPECT_EQ(f.causes, std::vector<Cause>{Cause::FewUpdates});
    EXPECT_TRUE(contains(f.reason, "full batch")) << f.reason;
}

TEST(Diagnosis, CausesRankedByTheFixedOrder) {
    // Everything at once: mse_softmax, unscaled_inputs, then diverged, vanishing_gradient,
    // dead_relu, few_updates (docs/diagnosis.md: settings that explain the symptoms, observed
    // blow-up, symptoms, slowness).
    TrainConfig c;
    c.loss = Loss::Mse;
    c.normalization = Normalization::None;
    c.batch_size = 0;
    FoldOutcome f = fold(0.1, 0.1);
    f.status = UnitStatus::Diverged;
    f.diverged_epoch = 2;
    f.steps = 20;
    f.last_health.grad_norm = {1e-8, 1.0};
    f.last_health.dead_relu = 0.9;
    f.last_health.max_abs_input = 255.0;
    // A diverged fold stopped inside an epoch: the steps per epoch come from a fold that finished.
    FoldOutcome finished = f;
    finished.status = UnitStatus::Ok;
    finished.diverged_epoch = 0;
    const Diagnosis d = diagnose(c, std::vector<FoldOutcome>{f, finished}, kClasses);
    const std::vector<Cause> expected = {Cause::MseSoftmax,        Cause::UnscaledInputs, Cause::Diverged,
                                         Cause::VanishingGradient, Cause::DeadRelu,       Cause::FewUpdates};
    EXPECT_EQ(d.causes, expected);
    EXPECT_TRUE(contains(d.reason, "(also: unscaled_inputs, diverged")) << d.reason;

    // mse with a vanishing gradient: the setting (a certain, one-flag fix) before the symptom.
    c = TrainConfig{};
    c.loss = Loss::Mse;
    FoldOutcome g = fold(0.1, 0.1);
    g.last_health.grad_norm = {1e-8, 1.0};
    const std::vector<Cause> mse_first = {Cause::MseSoftmax, Cause::VanishingGradient};
    EXPECT_EQ(diagnose(c, std::vector<FoldOutcome>{g}, kClasses).causes, mse_first);
}

TEST(Diagnosis, ThresholdsAreConfigurable) {
    const std::vector<FoldOutcome> folds = {fold(0.93, 0.90)};
    DiagnosisThresholds t;
    EXPECT_EQ(diagnose(TrainConfig{}, folds, kClasses, t).verdict, Verdict::Good);
    t.overfit_gap = 0.02;
    EXPECT_EQ(diagnose(TrainConfig{}, folds, kClasses, t).verdict, Verdict::Overfitting);
    t = {};
    t.underfit_error = 0.05;
    EXPECT_EQ(diagnose(TrainConfig{}, folds, kClasses, t).verdict, Verdict::Underfitting);
    t = {};
    t.chance_factor = 10.0;  // 10 / 10 classes: anything below 1.0 counts as not training
    EXPECT_EQ(diagnose(TrainConfig{}, folds, kClasses, t).verdict, Verdict::NotTraining);

    FoldOutcome f = fold(0.1, 0.1);
    f.last_health.grad_norm = {0.01, 1.0};
    f.last_health.dead_relu = 0.3;
    f.steps = 20 * 8;
    TrainConfig raw;
    raw.normalization = Normalization::None;
    f.last_health.max_abs_input = 5.0;
    EXPECT_EQ(diagnose(raw, std::vector<FoldOutcome>{f}, kClasses).causes, std::vector<Cause>{Cause::FewUpdates});
    t = {};
    t.vanishing_ratio = 0.1;
    t.dead_relu = 0.2;
    t.unscaled_input = 4.0;
    t.few_updates = 5;
    const std::vector<Cause> expected = {Cause::UnscaledInputs, Cause::VanishingGradient, Cause::DeadRelu};
    EXPECT_EQ(diagnose(raw, std::vector<FoldOutcome>{f}, kClasses, t).causes, expected);
}

TEST(Diagnosis, BadThresholdNamesItsKey) {
    DiagnosisThresholds t;
    t.dead_relu = 1.5;
    try {
        diagnose(TrainConfig{}, std::vector<FoldOutcome>{fold(0.9, 0.9)}, kClasses, t);
        FAIL() << "no ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("dead-relu:", 0), 0u) << e.what();
    }
}

TEST(Diagnosis, FailedFoldsAreLeftOutAndAllFailedIsFailed) {
    std::vector<FoldOutcome> folds = {fold(0.99, 0.97), fold(0.0, 0.0)};
    folds[1].status = UnitStatus::Failed;
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::Good);
    EXPECT_NEAR(d.bias, 0.01, 1e-12);
    EXPECT_NEAR(d.variance, 0.02, 1e-12);
    EXPECT_TRUE(contains(d.reason, "1 of 2 folds failed")) << d.reason;

    folds[0].status = UnitStatus::Failed;
    const Diagnosis all = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(all.verdict, Verdict::Failed);
    EXPECT_TRUE(std::isnan(all.bias));
    EXPECT_EQ(diagnose(TrainConfig{}, std::vector<FoldOutcome>{}, kClasses).verdict, Verdict::Failed);
}

// A fold pruned by the chance rule after `epochs` epochs (its figures are that epoch's); epochs 0:
// never started.
FoldOutcome pruned(int epochs, double train_acc, double val_acc) {
    FoldOutcome f = fold(train_acc, val_acc);
    f.status = UnitStatus::Pruned;
    f.pruned_at_chance = true;
    f.epochs = epochs;
    f.steps = 80 * epochs;
    if (epochs == 0) {
        f.train_acc = f.val_acc = std::nan("");
        f.steps = 0;
        f.last_health = Health{};
        f.last_health.max_abs_input = std::nan("");
        f.last_health.dead_relu = std::nan("");
    }
    return f;
}

// The 11-layer sigmoid row pruned by the chance rule after 3 epochs, its other folds never started:
// the configuration is still not_training, with the cause its short history gives.
TEST(Diagnosis, PrunedAtChanceIsNotTrainingWithItsCauses) {
    const TrainConfig c = seed_config(11, Activation::Sigmoid, Optimizer::Sgd);
    std::vector<FoldOutcome> folds = {pruned(3, 0.112, 0.105), pruned(0, 0, 0), pruned(0, 0, 0)};
    folds[0].last_health.grad_norm = {2e-9, 1e-7, 1e-4, 0.3};
    const Diagnosis d = diagnose(c, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::VanishingGradient});
    EXPECT_NEAR(d.bias, 1.0 - 0.112, 1e-12);  // the folds that ran only: never-started ones have no figures
    EXPECT_NEAR(d.variance, 0.112 - 0.105, 1e-12);
    EXPECT_EQ(d.reason.rfind("pruned at chance after 3 epochs (training accuracy 0.11, chance 0.10, in 1 of 3 "
                             "folds; 2 not started): the gradient vanishes",
                             0),
              0u)
        << d.reason;
    EXPECT_FALSE(contains(d.reason, "failed")) << d.reason;  // never-started folds are not failures

    // One epoch is enough history; the mse row gets its setting's cause first.
    TrainConfig mse = seed_config(3, Activation::Relu, Optimizer::Sgd);
    mse.loss = Loss::Mse;
    const Diagnosis one = diagnose(mse, std::vector<FoldOutcome>{pruned(1, 0.098, 0.1)}, kClasses);
    EXPECT_EQ(one.verdict, Verdict::NotTraining);
    EXPECT_EQ(one.causes, std::vector<Cause>{Cause::MseSoftmax});
    EXPECT_TRUE(contains(one.reason,
                         "pruned at chance after 1 epoch (training accuracy 0.10, chance 0.10, in the "
                         "only fold)"))
        << one.reason;
}

// A fold pruned at chance while its siblings trained (an unlucky start): still not_training, the
// means over every fold that ran.
TEST(Diagnosis, OnePrunedAtChanceAmongTrainedFolds) {
    const std::vector<FoldOutcome> folds = {fold(0.95, 0.93), pruned(2, 0.10, 0.09), fold(0.96, 0.94)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_NEAR(d.bias, 1.0 - (0.95 + 0.10 + 0.96) / 3, 1e-12);
    EXPECT_TRUE(contains(d.reason, "pruned at chance after 2 epochs")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "in 1 of 3 folds)")) << d.reason;
}

// Successive halving prunes folds that train, only less well: the verdict comes from the figures,
// and the reason says which folds stopped early.
TEST(Diagnosis, PrunedAboveChanceKeepsTheFiguresVerdict) {
    const std::vector<FoldOutcome> folds = {pruned(3, 0.80, 0.79), pruned(9, 0.85, 0.84)};
    const Diagnosis d = diagnose(TrainConfig{}, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::Underfitting);
    EXPECT_TRUE(contains(d.reason, "[all 2 folds pruned after 3 to 9 epochs, with the figures of that epoch]"))
        << d.reason;
    std::vector<FoldOutcome> mixed = {fold(0.99, 0.97), pruned(4, 0.97, 0.96), fold(0.0, 0.0)};
    mixed[2].status = UnitStatus::Failed;
    const Diagnosis m = diagnose(TrainConfig{}, mixed, kClasses);
    EXPECT_EQ(m.verdict, Verdict::Good);
    EXPECT_TRUE(contains(m.reason, "[1 of 3 folds pruned after 4 epochs, with the figures of that epoch]")) << m.reason;
    EXPECT_TRUE(contains(m.reason, "[1 of 3 folds failed and are not counted]")) << m.reason;
    // With early stopping the trainer reports a fold's best epoch, not the one it stopped at.
    TrainConfig patient;
    patient.patience = 2;
    const Diagnosis p = diagnose(patient, folds, kClasses);
    EXPECT_TRUE(contains(p.reason,
                         "[all 2 folds pruned after 3 to 9 epochs, with the figures of the best epoch "
                         "by then (patience)]"))
        << p.reason;
}

// Only never-started folds recorded (the pruned sibling not yet visible, as in a running sweep's
// shards): not_training from the pruning, the settings' causes, no figures; never "good".
TEST(Diagnosis, OnlyNeverStartedFolds) {
    TrainConfig mse;
    mse.loss = Loss::Mse;
    const std::vector<FoldOutcome> folds = {pruned(0, 0, 0), pruned(0, 0, 0)};
    const Diagnosis d = diagnose(mse, folds, kClasses);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_TRUE(std::isnan(d.bias));
    EXPECT_TRUE(std::isnan(d.variance));
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::MseSoftmax});
    EXPECT_EQ(d.reason.rfind("pruned: all 2 folds were not started", 0), 0u) << d.reason;
    const Diagnosis plain = diagnose(TrainConfig{}, std::vector<FoldOutcome>{pruned(0, 0, 0)}, kClasses);
    EXPECT_EQ(plain.verdict, Verdict::NotTraining);
    EXPECT_EQ(plain.causes, std::vector<Cause>{Cause::Unknown});
}

// The seed table (the lecture's seed experiments) with the accuracies our engine measures
// at 20 epochs and health figures from its runs (grad norms of the 11-layer sigmoid net, 1 step per
// epoch with the full batch).
TEST(Diagnosis, SeedTableRows) {
    const auto row = [](const TrainConfig& c, FoldOutcome f) {
        return diagnose(c, std::vector<FoldOutcome>{f}, kClasses);
    };

    TrainConfig r1 = seed_config(3, Activation::Sigmoid, Optimizer::Sgd);
    r1.loss = Loss::Mse;
    FoldOutcome f1 = fold(0.141, 0.133);
    f1.last_health.grad_norm = {0.0012, 0.004, 0.02, 0.06};  // ratio 0.02: not vanishing
    const Diagnosis d1 = row(r1, f1);
    EXPECT_EQ(d1.verdict, Verdict::NotTraining);
    ASSERT_FALSE(d1.causes.empty());
    EXPECT_EQ(d1.causes.front(), Cause::MseSoftmax);
    EXPECT_TRUE(contains(d1.reason, "crossentropy")) << d1.reason;

    EXPECT_EQ(row(seed_config(3, Activation::Sigmoid, Optimizer::Sgd), fold(0.823, 0.825)).verdict,
              Verdict::Underfitting);

    FoldOutcome f3 = fold(0.100, 0.089);
    f3.last_health.grad_norm = {2.55e-7, 1.3e-6, 5.8e-6, 2.5e-5, 1.0e-4, 4.6e-4, 2e-3, 8e-3, 0.035, 0.15, 0.7, 2.4};
    const Diagnosis d3 = row(seed_config(11, Activation::Sigmoid, Optimizer::Sgd), f3);
    EXPECT_EQ(d3.verdict, Verdict::NotTraining);
    ASSERT_FALSE(d3.causes.empty());
    EXPECT_EQ(d3.causes.front(), Cause::VanishingGradient);

    const Verdict v4 = row(seed_config(11, Activation::Relu, Optimizer::Sgd), fold(1.000, 0.965)).verdict;
    EXPECT_TRUE(v4 == Verdict::Good || v4 == Verdict::Overfitting) << name(v4);

    TrainConfig r5 = seed_config(11, Activation::Relu, Optimizer::Sgd);
    r5.batch_size = 0;
    FoldOutcome f5 = fold(0.214, 0.226);
    f5.steps = 20;
    f5.last_health.dead_relu = 0.05;
    f5.last_health.grad_norm = {0.7, 1.0};
    const Diagnosis d5 = row(r5, f5);
    EXPECT_TRUE(d5.verdict == Verdict::NotTraining || d5.verdict == Verdict::Underfitting) << name(d5.verdict);
    ASSERT_FALSE(d5.causes.empty());
    EXPECT_EQ(d5.causes.front(), Cause::FewUpdates);

    const Verdict v6 = row(seed_config(11, Activation::Relu, Optimizer::Adam), fold(0.991, 0.960)).verdict;
    EXPECT_TRUE(v6 == Verdict::Good || v6 == Verdict::Overfitting) << name(v6);

    // Rows 7 and 8: the gap is a train/validation mismatch (noise on the validation inputs only),
    // measured from the inputs: their spread is about 4.6 x the training inputs'.
    TrainConfig r7 = seed_config(3, Activation::Relu, Optimizer::Adam);
    r7.test_noise = 1.0;
    FoldOutcome f7 = fold(1.000, 0.514);
    f7.input_shift.val_spread_ratio = 4.6;
    f7.input_shift.val_mean_shift = 0.08;
    const Diagnosis d7 = row(r7, f7);
    EXPECT_EQ(d7.verdict, Verdict::Overfitting);
    EXPECT_EQ(d7.causes, std::vector<Cause>{Cause::InputShift});
    EXPECT_TRUE(contains(d7.reason, "noise")) << d7.reason;
    EXPECT_TRUE(contains(d7.reason, "train-noise 0 -> 1")) << d7.reason;

    TrainConfig r8 = r7;
    r8.dropout = 0.7;
    FoldOutcome f8 = fold(0.990, 0.636);
    f8.input_shift = f7.input_shift;
    const Diagnosis d8 = row(r8, f8);
    EXPECT_EQ(d8.verdict, Verdict::Overfitting);
    EXPECT_EQ(d8.causes, std::vector<Cause>{Cause::InputShift});

    // Row 7's repair (train-noise 0 -> 1): trained as noisy as validated, the gap is measured from the
    // training rows with that noise. What the noise destroys is no longer read as memorising.
    TrainConfig r7r = r7;
    r7r.train_noise = 1.0;
    FoldOutcome f7r = fold(0.930, 0.759);
    f7r.input_shift.val_spread_ratio = 1.05;  // the training inputs carry the noise too
    f7r.input_shift.val_mean_shift = 0.02;
    EXPECT_EQ(row(r7r, f7r).verdict, Verdict::Overfitting);  // a file without the noisy figure: the clean gap
    f7r.noisy_train_acc = 0.781;
    const Diagnosis d7r = row(r7r, f7r);
    EXPECT_EQ(d7r.verdict, Verdict::Good) << d7r.reason;
    EXPECT_NEAR(d7r.variance, 0.781 - 0.759, 1e-12);
    EXPECT_NEAR(d7r.bias, 1.0 - 0.930, 1e-12);
    EXPECT_TRUE(contains(d7r.reason, "training error 0.07 (0.22 with the validation's noise)")) << d7r.reason;
    EXPECT_TRUE(contains(d7r.reason, "gap 0.02 from the noisy training rows")) << d7r.reason;
    EXPECT_TRUE(contains(d7r.reason, "information it destroys, not memorising")) << d7r.reason;
    // A gap that remains against the noisy rows is memorising: still overfitting, regularisers next.
    f7r.noisy_train_acc = 0.90;
    const Diagnosis d7o = row(r7r, f7r);
    EXPECT_EQ(d7o.verdict, Verdict::Overfitting) << d7o.reason;
    EXPECT_TRUE(contains(d7o.reason, "try dropout")) << d7o.reason;

    // Row 9 trains (stable log-softmax) with a borderline gap; the unscaled inputs are its first
    // cause, and the reason leads with scaling them, as its repair does.
    TrainConfig r9 = seed_config(3, Activation::Relu, Optimizer::Adam);
    r9.normalization = Normalization::None;
    FoldOutcome f9 = fold(1.000, 0.949);
    f9.last_health.max_abs_input = 255.0;
    const Diagnosis d9 = row(r9, f9);
    EXPECT_EQ(d9.verdict, Verdict::Overfitting);
    EXPECT_EQ(d9.causes, std::vector<Cause>{Cause::UnscaledInputs});
    EXPECT_TRUE(contains(d9.reason, "overfitting; inputs reach |x| = 255 with normalization none")) << d9.reason;
    EXPECT_TRUE(contains(d9.reason, "normalization none -> minmax")) << d9.reason;
}

// Successive halving pauses a fold that ranked low after one epoch: a low accuracy then is no
// judgement that it does not train, so the figures decide, not the pruning.
TEST(Diagnosis, PausedByHalvingIsNotJudgedAtChance) {
    const TrainConfig c = seed_config(3, Activation::Relu, Optimizer::Adam);
    FoldOutcome paused = pruned(1, 0.12, 0.11);
    paused.pruned_at_chance = false;
    const std::vector<FoldOutcome> folds{paused, fold(0.95, 0.93)};
    const Diagnosis d = diagnose(c, folds, 10);
    EXPECT_EQ(d.reason.find("pruned at chance"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("pruned after 1 epoch"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace dnnsweep
