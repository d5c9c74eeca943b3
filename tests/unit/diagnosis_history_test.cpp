// Causes read from a fold's whole history (engine/history_figures.hpp), the fixes that never repeat
// the configuration (engine/cause_fix.hpp) and the misdiagnoses they correct, from synthetic curves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/cause_fix.hpp"
#include "engine/diagnosis.hpp"
#include "engine/history_figures.hpp"

namespace dnnsweep {
namespace {

constexpr int kClasses = 10;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Epoch {
    double loss, train_acc, val_acc;
};

// A history of the given epochs, with healthy gradients unless changed by the test.
std::vector<EpochMetrics> curve(const std::vector<Epoch>& epochs) {
    std::vector<EpochMetrics> h;
    for (const Epoch& e : epochs) {
        EpochMetrics m;
        m.epoch = static_cast<int>(h.size()) + 1;
        m.train_loss = e.loss;
        m.train_acc = e.train_acc;
        m.val_loss = e.loss * 1.1;
        m.val_acc = e.val_acc;
        m.health.grad_norm = {0.05, 0.08, 0.1, 0.4};
        m.health.max_abs_input = 1.0;
        h.push_back(m);
    }
    return h;
}

// The fold as the results reader builds it (outputs/configs.cpp): last epoch's figures, the
// history's, and the lowest-loss epoch's.
FoldOutcome from_history(const std::vector<EpochMetrics>& h, std::int64_t steps_per_epoch = 80) {
    FoldOutcome f;
    f.train_acc = h.back().train_acc;
    f.val_acc = h.back().val_acc;
    f.epochs = static_cast<int>(h.size());
    f.steps = steps_per_epoch * f.epochs;
    f.last_health = h.back().health;
    f.history = read_history(h);
    if (f.history.lowest_loss_epoch > 0) {
        f.best_train_acc = h[static_cast<std::size_t>(f.history.lowest_loss_epoch - 1)].train_acc;
        f.best_val_acc = h[static_cast<std::size_t>(f.history.lowest_loss_epoch - 1)].val_acc;
    }
    return f;
}

Diagnosis diagnose_one(const TrainConfig& c, const FoldOutcome& f, const DiagnosisThresholds& t = {}) {
    return diagnose(c, std::vector<FoldOutcome>{f}, kClasses, t);
}

// A flat curve at chance: `n` epochs of loss `loss`.
std::vector<Epoch> flat(int n, double loss, double step = 0.0) {
    std::vector<Epoch> e;
    for (int i = 0; i < n; ++i) e.push_back({loss - step * i, 0.11, 0.10});
    return e;
}

TrainConfig config(Activation a, Optimizer o, double lr, int layers = 3) {
    TrainConfig c;
    c.activation = a;
    c.optimizer = o;
    c.learning_rate = lr;
    c.layers = layers;
    return c;
}

TEST(HistoryFigures, ReadFromTheCurves) {
    std::vector<EpochMetrics> h =
        curve({{2.0, 0.5, 0.5}, {1.0, 0.7, 0.7}, {0.5, 0.8, 0.78}, {1.5, 0.4, 0.4}, {0.4, 0.85, 0.82}});
    h[2].health.grad_norm = {0.5, 0.08, 0.1, 0.4};  // layer 0 grows tenfold
    h[0].health.dead_relu = 0.25;
    const HistoryFigures f = read_history(h);
    EXPECT_DOUBLE_EQ(f.loss_drop, 1.0 - 0.4 / 2.0);
    EXPECT_DOUBLE_EQ(f.loss_spike, (1.5 - 0.5) / 2.0);
    EXPECT_EQ(f.spike_epoch, 4);
    EXPECT_EQ(f.lowest_loss_epoch, 5);
    EXPECT_DOUBLE_EQ(f.grad_growth, 10.0);
    EXPECT_DOUBLE_EQ(f.early_dead_relu, 0.25);
    // Least squares over epochs 1..5 of 0.5, 0.7, 0.78, 0.4, 0.82: Sxy / Sxx with x - 3 = -2..2.
    EXPECT_NEAR(f.val_slope, (-2 * 0.5 - 0.7 + 0.4 + 2 * 0.82) / 10.0, 1e-12);

    const HistoryFigures one = read_history(curve({{2.0, 0.5, 0.5}}));
    EXPECT_TRUE(std::isnan(one.loss_drop));
    EXPECT_TRUE(std::isnan(one.loss_spike));
    EXPECT_TRUE(std::isnan(one.val_slope));
    EXPECT_TRUE(std::isnan(read_history({}).grad_growth));

    // A diverged last epoch (NaN loss) is skipped, not a spike.
    std::vector<EpochMetrics> d = curve({{2.0, 0.5, 0.5}, {1.0, 0.7, 0.7}, {0.0, 0.1, 0.1}});
    d[2].train_loss = std::nan("");
    d[2].health.grad_norm = {std::nan(""), std::nan(""), std::nan(""), std::nan("")};
    const HistoryFigures df = read_history(d);
    EXPECT_DOUBLE_EQ(df.loss_spike, 0.0);
    EXPECT_DOUBLE_EQ(df.grad_growth, 1.0);
}

// Adam at rate 1.0 on a 3-layer relu net: every unit dies in the first steps, the gradient toward
// the input is exactly zero. The rate, not relu or adam (which it has), is the fix.
TEST(DiagnosisHistory, LrTooHighBeforeTheSymptomsItCauses) {
    std::vector<EpochMetrics> h = curve(flat(20, 2.302));
    for (EpochMetrics& m : h) {
        m.health.dead_relu = 1.0;
        m.health.grad_norm = {0.0, 0.0, 0.0, 0.02};
    }
    const TrainConfig c = config(Activation::Relu, Optimizer::Adam, 1.0);
    const Diagnosis d = diagnose_one(c, from_history(h));
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    const std::vector<Cause> expected = {Cause::LrTooHigh, Cause::VanishingGradient, Cause::DeadRelu};
    EXPECT_EQ(d.causes, expected);
    EXPECT_TRUE(contains(d.reason, "100% of the hidden relu units died in the first epoch")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "learning-rate 1 -> 0.1")) << d.reason;
    EXPECT_FALSE(contains(d.reason, "use relu")) << d.reason;
    EXPECT_FALSE(contains(d.reason, "adaptive optimizer")) << d.reason;
    // The threshold is dead-relu's: units that die later are dead_relu alone.
    DiagnosisThresholds t;
    t.dead_relu = 1.0;
    EXPECT_EQ(diagnose_one(c, from_history(h), t).causes, std::vector<Cause>{Cause::VanishingGradient});
}

// The same net's vanishing-gradient fix, were it first, names what the configuration lacks.
TEST(DiagnosisHistory, VanishingGradientFixSkipsWhatIsInPlace) {
    EXPECT_EQ(fix_for(Cause::VanishingGradient, config(Activation::Sigmoid, Optimizer::Sgd, 0.1)).change(),
              "activation sigmoid -> relu");
    EXPECT_EQ(fix_for(Cause::VanishingGradient, config(Activation::Relu, Optimizer::Sgd, 0.1)).change(),
              "optimizer sgd -> adam");
    EXPECT_EQ(fix_for(Cause::VanishingGradient, config(Activation::Relu, Optimizer::Adam, 1.0)).change(),
              "init glorot_uniform -> he_uniform");
    TrainConfig he = config(Activation::Relu, Optimizer::Adam, 1.0, 6);
    he.init = Init::HeUniform;
    EXPECT_EQ(fix_for(Cause::VanishingGradient, he).change(), "layers 6 -> 3");
    he.layers = 1;
    EXPECT_FALSE(fix_for(Cause::VanishingGradient, he).applies());
}

// Plain SGD at 1e-5: the loss barely moves in 20 epochs with healthy gradients.
TEST(DiagnosisHistory, LrTooLowWhenTheLossBarelyMoves) {
    const TrainConfig c = config(Activation::Relu, Optimizer::Sgd, 1e-5);
    const Diagnosis d = diagnose_one(c, from_history(curve(flat(20, 2.31, 0.0002))));
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::LrTooLow});
    EXPECT_TRUE(contains(d.reason, "fell by only 0.16%")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "learning-rate 1e-05 -> 0.01")) << d.reason;  // sgd's usual rate
    DiagnosisThresholds t;
    t.flat_loss = 0.001;
    EXPECT_EQ(diagnose_one(c, from_history(curve(flat(20, 2.31, 0.0002))), t).causes,
              std::vector<Cause>{Cause::Unknown});
    // A flat loss that another cause explains is not blamed on the rate: one step per epoch.
    TrainConfig full = c;
    full.batch_size = 0;
    EXPECT_EQ(diagnose_one(full, from_history(curve(flat(20, 2.31, 0.0002)), 1)).causes,
              std::vector<Cause>{Cause::FewUpdates});
    // One epoch says nothing about the loss's fall.
    EXPECT_EQ(diagnose_one(c, from_history(curve(flat(1, 2.31)))).causes, std::vector<Cause>{Cause::Unknown});
}

// Seed row 4 with seed 0: SGD at 0.1 learns (0.979), the loss jumps (0.114) and partly recovers
// (0.766). Judged by the last epoch it underfits; judged by its best epoch it fits, at the edge of
// divergence.
TEST(DiagnosisHistory, UnstableIsJudgedByTheBestEpoch) {
    std::vector<Epoch> e;
    for (int i = 1; i <= 17; ++i) e.push_back({0.6 / i, 0.8 + 0.179 * i / 17, 0.78 + 0.175 * i / 17});
    e.push_back({2.4, 0.114, 0.11});
    e.push_back({0.8, 0.75, 0.74});
    e.push_back({0.75, 0.766, 0.75});
    const TrainConfig c = config(Activation::Relu, Optimizer::Sgd, 0.1, 11);
    const FoldOutcome f = from_history(curve(e));
    const Diagnosis d = diagnose_one(c, f);
    EXPECT_EQ(d.verdict, Verdict::Good) << d.reason;
    EXPECT_NEAR(d.bias, 1.0 - 0.979, 1e-12);
    EXPECT_TRUE(contains(d.reason, "jumped")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "jumped at epoch 18")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "judged by the best epoch, 17")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "learning-rate 0.1 -> 0.0333333")) << d.reason;

    // Early stopping already keeps the best epoch: its final figures stand.
    TrainConfig patient = c;
    patient.patience = 3;
    EXPECT_EQ(diagnose_one(patient, f).verdict, Verdict::Underfitting);
    // A higher loss-spike threshold: the last epoch's figures, underfitting.
    DiagnosisThresholds t;
    t.loss_spike = 5.0;
    EXPECT_EQ(diagnose_one(c, f, t).verdict, Verdict::Underfitting);

    // A spike in a run that never left chance is a rate too high, not instability.
    std::vector<Epoch> chance = flat(10, 2.3);
    chance[4].loss = 4.0;
    const Diagnosis high = diagnose_one(c, from_history(curve(chance)));
    EXPECT_EQ(high.verdict, Verdict::NotTraining);
    ASSERT_FALSE(high.causes.empty());
    EXPECT_EQ(high.causes.front(), Cause::LrTooHigh);
}

TEST(DiagnosisHistory, ExplodingGradient) {
    std::vector<EpochMetrics> h = curve(flat(6, 2.3, 0.01));
    for (std::size_t i = 0; i < h.size(); ++i) h[i].health.grad_norm = {0.05 * std::pow(10.0, i), 0.4};
    h.back().health.grad_norm = {0.05, 0.4};  // the ratio first/last stays healthy
    const Diagnosis d = diagnose_one(config(Activation::Relu, Optimizer::Sgd, 0.5), from_history(h));
    ASSERT_FALSE(d.causes.empty());
    EXPECT_EQ(d.causes.front(), Cause::ExplodingGradient);
    EXPECT_TRUE(contains(d.reason, "grew 1e+04 times")) << d.reason;
    DiagnosisThresholds t;
    t.exploding_gradient = 1e5;
    EXPECT_NE(diagnose_one(config(Activation::Relu, Optimizer::Sgd, 0.5), from_history(h), t).causes.front(),
              Cause::ExplodingGradient);
}

TEST(DiagnosisHistory, SaturatedSigmoidOrTanh) {
    std::vector<EpochMetrics> h = curve(flat(10, 2.3, 0.02));
    h.back().health.saturated = 0.8;
    const Diagnosis d = diagnose_one(config(Activation::Sigmoid, Optimizer::Sgd, 0.1), from_history(h));
    ASSERT_FALSE(d.causes.empty());
    EXPECT_EQ(d.causes.front(), Cause::Saturated);
    EXPECT_TRUE(contains(d.reason, "80% of the hidden sigmoid outputs")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "activation sigmoid -> relu")) << d.reason;
    TrainConfig raw = config(Activation::Tanh, Optimizer::Sgd, 0.1);
    raw.normalization = Normalization::None;
    EXPECT_EQ(fix_for(Cause::Saturated, raw).change(), "normalization none -> zscore");
    // Relu units do not saturate: the figure is not read for them.
    EXPECT_NE(diagnose_one(config(Activation::Relu, Optimizer::Sgd, 0.1), from_history(h)).causes.front(),
              Cause::Saturated);
}

TEST(DiagnosisHistory, StillImprovingWhenValidationRisesAtTheEnd) {
    std::vector<Epoch> e;
    for (int i = 1; i <= 10; ++i) e.push_back({1.5 - 0.1 * i, 0.6 + 0.02 * i, 0.6 + 0.02 * i});
    const TrainConfig c = config(Activation::Sigmoid, Optimizer::Adam, 0.001);
    const Diagnosis d = diagnose_one(c, from_history(curve(e)));
    EXPECT_EQ(d.verdict, Verdict::Underfitting);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::StillImproving});
    EXPECT_TRUE(contains(d.reason, "rising by 2.00 points per epoch")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "epochs 20 -> 40")) << d.reason;
    DiagnosisThresholds t;
    t.still_improving = 0.05;
    EXPECT_TRUE(diagnose_one(c, from_history(curve(e)), t).causes.empty());
}

// Seed row 8's repair: dropout 0.7 with the validation's noise on the training inputs fits the
// training rows to 0.78 and is still rising: the regulariser comes first, slowness after.
TEST(DiagnosisHistory, OverRegularisedUnderHeavyDropoutOrWeightDecay) {
    std::vector<Epoch> e;
    for (int i = 1; i <= 10; ++i) e.push_back({1.5 - 0.1 * i, 0.6 + 0.018 * i, 0.59 + 0.018 * i});
    TrainConfig c = config(Activation::Relu, Optimizer::Adam, 0.001);
    c.dropout = 0.7;
    const FoldOutcome fold = from_history(curve(e));
    Diagnosis d = diagnose_one(c, fold);
    EXPECT_EQ(d.verdict, Verdict::Underfitting);
    EXPECT_EQ(d.causes, (std::vector<Cause>{Cause::OverRegularised, Cause::StillImproving}));
    EXPECT_TRUE(contains(d.reason, "training error 0.22 under dropout 0.7 (at least heavy-dropout 0.5)")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "lower the dropout (dropout 0.7 -> 0.35)")) << d.reason;
    // With noise on the training inputs regularising too, the dropout goes.
    c.train_noise = c.test_noise = 1.0;
    d = diagnose_one(c, fold);
    EXPECT_TRUE(contains(d.reason, "with train-noise 1 regularising too")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "leave regularising to the training noise (dropout 0.7 -> 0)")) << d.reason;
    // Light dropout is not blamed; the threshold is a key.
    c.dropout = 0.3;
    EXPECT_EQ(diagnose_one(c, fold).causes, std::vector<Cause>{Cause::StillImproving});
    c.dropout = 0.7;
    DiagnosisThresholds t;
    t.heavy_dropout = 0.8;
    EXPECT_EQ(diagnose_one(c, fold, t).causes, std::vector<Cause>{Cause::StillImproving});
    // Heavy weight decay: a tenth of it.
    TrainConfig decay = config(Activation::Relu, Optimizer::Adam, 0.001);
    decay.weight_decay = 0.01;
    d = diagnose_one(decay, fold);
    ASSERT_FALSE(d.causes.empty());
    EXPECT_EQ(d.causes.front(), Cause::OverRegularised);
    EXPECT_TRUE(contains(d.reason, "lower the weight decay (weight-decay 0.01 -> 0.001)")) << d.reason;
    // A configuration that fits its training rows is not over-regularised, whatever its dropout.
    std::vector<Epoch> fits;
    for (int i = 1; i <= 10; ++i) fits.push_back({1.0 / i, 0.9 + 0.009 * i, 0.88 + 0.008 * i});
    c.train_noise = c.test_noise = 0.0;
    EXPECT_TRUE(diagnose_one(c, from_history(curve(fits))).causes.empty());
}

// Weight decay that pins the weights at zero keeps the loss flat: the regulariser, not the rate.
TEST(DiagnosisHistory, OverRegularisedBeforeARateTooLow) {
    TrainConfig c = config(Activation::Relu, Optimizer::Sgd, 0.01);
    c.weight_decay = 0.5;
    const Diagnosis d = diagnose_one(c, from_history(curve(flat(20, 2.31, 0.0002))));
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::OverRegularised});
    EXPECT_TRUE(contains(d.reason, "weight-decay 0.5 -> 0.05")) << d.reason;
}

// Unscaled inputs that make a relu net diverge at lr 0.1: the setting first, the blow-up after.
TEST(DiagnosisHistory, UnscaledInputsBeforeTheDivergenceTheyCause) {
    TrainConfig c = config(Activation::Relu, Optimizer::Sgd, 0.1);
    c.normalization = Normalization::None;
    std::vector<EpochMetrics> h = curve(flat(2, 2.3));
    h[1].train_loss = std::nan("");
    for (EpochMetrics& m : h) m.health.max_abs_input = 255.0;
    FoldOutcome f = from_history(h);
    f.status = UnitStatus::Diverged;
    f.diverged_epoch = 2;
    const Diagnosis d = diagnose_one(c, f);
    EXPECT_EQ(d.verdict, Verdict::NotTraining);
    ASSERT_GE(d.causes.size(), 2u);
    EXPECT_EQ(d.causes[0], Cause::UnscaledInputs);
    EXPECT_EQ(d.causes[1], Cause::Diverged);
    EXPECT_TRUE(contains(d.reason, "training diverged: inputs reach |x| = 255")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "normalization none -> minmax")) << d.reason;
    // Diverged inside its second epoch after a few steps: no claim about the batch size.
    f.steps = 85;
    EXPECT_EQ(std::ranges::count(diagnose_one(c, f).causes, Cause::FewUpdates), 0);
}

// Overfitting advice names only the remedies not yet in place.
TEST(DiagnosisHistory, OverfittingAdviceSkipsWhatIsInPlace) {
    TrainConfig c;
    c.dropout = 0.7;
    FoldOutcome f = from_history(curve({{1.0, 0.9, 0.6}, {0.1, 0.99, 0.63}}));
    const Diagnosis d = diagnose_one(c, f);
    EXPECT_EQ(d.verdict, Verdict::Overfitting);
    EXPECT_FALSE(contains(d.reason, "dropout")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "try weight decay, early stopping or more data")) << d.reason;
    EXPECT_EQ(fix_for_overfitting(c).change(), "weight-decay 0 -> 0.0001");
    c.weight_decay = 1e-4;
    c.patience = 5;
    EXPECT_FALSE(fix_for_overfitting(c).applies());
    EXPECT_TRUE(contains(diagnose_one(c, f).reason, "more data")) << diagnose_one(c, f).reason;
}

// Whatever the configuration, a fix changes its key to a value it does not have, and only that key.
TEST(CauseFix, NeverRepeatsTheConfiguration) {
    std::vector<TrainConfig> configs;
    for (const Activation a : {Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu})
        for (const Optimizer o : {Optimizer::Sgd, Optimizer::Adam})
            for (const Init i : {Init::GlorotUniform, Init::HeUniform})
                for (const Normalization n : {Normalization::None, Normalization::MinMax})
                    for (const int batch : {0, 32, 100, 1000})
                        for (const int layers : {1, 11}) {
                            TrainConfig c;
                            c.activation = a, c.optimizer = o, c.init = i, c.normalization = n;
                            c.batch_size = batch, c.layers = layers, c.loss = Loss::Mse;
                            configs.push_back(c);
                        }
    // Regularised variants: heavy dropout (with and without training noise), heavy weight decay.
    for (std::size_t i = 0, n = configs.size(); i < n; i += 7) {
        TrainConfig c = configs[i];
        c.dropout = 0.7;
        configs.push_back(c);
        c.train_noise = 1.0;
        configs.push_back(c);
        c.dropout = 0.0;
        c.weight_decay = 0.01;
        configs.push_back(c);
    }
    for (const TrainConfig& c : configs) {
        std::vector<Fix> fixes = {fix_for_overfitting(c), fix_for_underfitting(c)};
        for (const EnumEntry<Cause>& e : kCauses) fixes.push_back(fix_for(e.value, c));
        for (const Fix& f : fixes) {
            if (!f.applies()) continue;
            EXPECT_NE(f.from, f.to) << f.change();
            TrainConfig back = f.repaired;
            // Undo the one key: what is left must be the configuration as it was.
            if (f.key == "learning-rate") back.learning_rate = c.learning_rate;
            if (f.key == "optimizer") back.optimizer = c.optimizer, back.learning_rate = c.learning_rate;
            if (f.key == "activation") back.activation = c.activation;
            if (f.key == "init") back.init = c.init;
            if (f.key == "layers") back.layers = c.layers;
            if (f.key == "loss") back.loss = c.loss;
            if (f.key == "normalization") back.normalization = c.normalization;
            if (f.key == "batch-size") back.batch_size = c.batch_size;
            if (f.key == "epochs") back.epochs = c.epochs;
            if (f.key == "width") back.width = c.width;
            if (f.key == "dropout") back.dropout = c.dropout;
            if (f.key == "weight-decay") back.weight_decay = c.weight_decay;
            if (f.key == "patience") back.patience = c.patience;
            EXPECT_EQ(back.activation, c.activation) << f.change();
            EXPECT_EQ(back.optimizer, c.optimizer) << f.change();
            EXPECT_EQ(back.learning_rate, c.learning_rate) << f.change();
            EXPECT_EQ(back.init, c.init) << f.change();
            EXPECT_EQ(back.layers, c.layers) << f.change();
            EXPECT_EQ(back.loss, c.loss) << f.change();
            EXPECT_EQ(back.normalization, c.normalization) << f.change();
            EXPECT_EQ(back.batch_size, c.batch_size) << f.change();
            EXPECT_EQ(back.epochs, c.epochs) << f.change();
            EXPECT_EQ(back.width, c.width) << f.change();
            EXPECT_EQ(back.dropout, c.dropout) << f.change();
            EXPECT_EQ(back.weight_decay, c.weight_decay) << f.change();
            EXPECT_EQ(back.patience, c.patience) << f.change();
            EXPECT_NO_THROW(f.repaired.validate()) << f.change();
        }
    }
}

TEST(DiagnosisHistory, NewThresholdsNameTheirKeys) {
    const auto key_of = [](DiagnosisThresholds t) -> std::string {
        try {
            diagnose(TrainConfig{}, std::vector<FoldOutcome>{FoldOutcome{}}, kClasses, t);
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            return what.substr(0, what.find(':'));
        }
        return "";
    };
    DiagnosisThresholds t;
    t.loss_spike = -1;
    EXPECT_EQ(key_of(t), "loss-spike");
    t = {};
    t.flat_loss = 2;
    EXPECT_EQ(key_of(t), "flat-loss");
    t = {};
    t.exploding_gradient = -1;
    EXPECT_EQ(key_of(t), "exploding-gradient");
    t = {};
    t.saturated = 1.5;
    EXPECT_EQ(key_of(t), "saturated");
    t = {};
    t.still_improving = -0.1;
    EXPECT_EQ(key_of(t), "still-improving");
    t = {};
    t.heavy_dropout = 1.5;
    EXPECT_EQ(key_of(t), "heavy-dropout");
    t = {};
    t.heavy_weight_decay = -1;
    EXPECT_EQ(key_of(t), "heavy-weight-decay");
}

}  // namespace
}  // namespace dnnsweep
