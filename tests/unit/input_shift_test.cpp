// input_shift: how differently the validation and test inputs are distributed from the training
// inputs (engine/input_shift.hpp), the overfitting cause it gives (engine/diagnosis.cpp), its fix
// (train-noise = test-noise) and repair, and unscaled inputs as an overfitting gap's root cause.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/cause_fix.hpp"
#include "engine/diagnosis.hpp"
#include "engine/input_shift.hpp"
#include "engine/rng.hpp"
#include "outputs/repairs.hpp"
#include "outputs/report_repairs.hpp"
#include "sweeps/grid.hpp"
#include "tests/unit/healthy_fold.hpp"

namespace dnnsweep {
namespace {

// n rows of `features` features, each N(mean, sd^2) drawn from `seed`.
Matrix gaussian(std::size_t n, std::size_t features, double mean, double sd, std::uint64_t seed) {
    Rng rng(seed, Stream::Noise);
    Matrix m(n, features);
    for (float& v : m.data) v = static_cast<float>(mean + sd * rng.normal());
    return m;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(InputShift, SameDistributionReadsAsNone) {
    const InputShift s =
        measure_input_shift(gaussian(4000, 20, 0.5, 0.3, 1), gaussian(1000, 20, 0.5, 0.3, 2), Matrix{}, 0.0);
    EXPECT_NEAR(s.val_spread_ratio, 1.0, 0.03);
    EXPECT_LT(s.val_mean_shift, 0.1);
    EXPECT_TRUE(std::isnan(s.test_spread_ratio));  // no test part
    EXPECT_TRUE(std::isnan(s.test_mean_shift));
}

TEST(InputShift, NoiseOnTheValidationInputsWidensTheirSpreadAndTrainNoiseMatchesIt) {
    const Matrix train = gaussian(4000, 20, 0.5, 0.3, 1);
    Matrix noisy = gaussian(1000, 20, 0.5, 0.3, 2);
    Rng rng(9, Stream::Noise);
    for (float& v : noisy.data) v += static_cast<float>(rng.normal());
    const double expected = std::sqrt(0.09 + 1.0) / 0.3;  // 3.48
    EXPECT_NEAR(measure_input_shift(train, noisy, Matrix{}, 0.0).val_spread_ratio, expected, 0.1);
    // Trained with the same noise, the inputs the model sees are spread like the validation's.
    EXPECT_NEAR(measure_input_shift(train, noisy, Matrix{}, 1.0).val_spread_ratio, 1.0, 0.03);
    // Noise on training only: the validation inputs are the narrower ones.
    EXPECT_NEAR(measure_input_shift(train, train, Matrix{}, 1.0).val_spread_ratio, 1.0 / expected, 0.01);
}

TEST(InputShift, AMovedTestPartIsMeasuredOnItsOwn) {
    const Matrix train = gaussian(4000, 20, 0.5, 0.3, 1);
    const InputShift s =
        measure_input_shift(train, gaussian(1000, 20, 0.5, 0.3, 2), gaussian(800, 20, 1.1, 0.3, 3), 0.0);
    EXPECT_LT(s.val_mean_shift, 0.1);
    EXPECT_NEAR(s.test_mean_shift, 2.0, 0.1);  // 0.6 / 0.3 training stds
    EXPECT_NEAR(s.test_spread_ratio, 1.0, 0.03);
}

// A feature constant in the training rows keeps its raw values (minmax's identity there): a rarely
// inked pixel of a small dataset would read as a shift the model never learned to use.
TEST(InputShift, FeaturesConstantInTrainingAreLeftOut) {
    Matrix train = gaussian(600, 10, 0.5, 0.3, 1);
    Matrix val = gaussian(150, 10, 0.5, 0.3, 2);
    for (std::size_t i = 0; i < train.rows; ++i) train.at(i, 9) = 0.0f;
    for (std::size_t i = 0; i < val.rows; i += 10) val.at(i, 9) = 255.0f;
    const InputShift s = measure_input_shift(train, val, Matrix{}, 0.0);
    EXPECT_NEAR(s.val_spread_ratio, 1.0, 0.06);
    EXPECT_LT(s.val_mean_shift, 0.15);
}

TEST(InputShift, TooFewRowsOrConstantTrainingInputsMeasureNothing) {
    const Matrix train = gaussian(100, 5, 0.0, 1.0, 1);
    EXPECT_TRUE(std::isnan(measure_input_shift(train, gaussian(9, 5, 0.0, 1.0, 2), Matrix{}, 0.0).val_spread_ratio));
    EXPECT_FALSE(std::isnan(measure_input_shift(train, gaussian(10, 5, 0.0, 1.0, 2), Matrix{}, 0.0).val_spread_ratio));
    const Matrix flat(100, 5, 0.25f);
    EXPECT_TRUE(std::isnan(measure_input_shift(flat, train, Matrix{}, 0.0).val_mean_shift));
    EXPECT_THROW(measure_input_shift(train, gaussian(20, 4, 0.0, 1.0, 2), Matrix{}, 0.0), std::invalid_argument);
}

// A fold of seed row 7's kind: it fits the training set, and its validation inputs carry noise.
FoldOutcome noisy_fold(double train_acc, double val_acc, double spread, double shift) {
    FoldOutcome f = test_support::healthy_fold(train_acc, val_acc);
    f.input_shift.val_spread_ratio = spread;
    f.input_shift.val_mean_shift = shift;
    return f;
}

TrainConfig row7() {
    TrainConfig c;
    c.layers = 3;
    c.test_noise = 1.0;
    return c;
}

TEST(InputShiftDiagnosis, AShiftedValidationIsTheOverfittingGapsFirstCause) {
    const Diagnosis d = diagnose(row7(), std::vector<FoldOutcome>{noisy_fold(1.0, 0.51, 4.1, 0.02)}, 10);
    EXPECT_EQ(d.verdict, Verdict::Overfitting);
    EXPECT_EQ(d.causes, std::vector<Cause>{Cause::InputShift});
    EXPECT_TRUE(contains(d.reason, "not from memorising")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "spread is 4.10 x")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "train-noise 0 -> 1")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "for the gap left, try dropout")) << d.reason;
}

TEST(InputShiftDiagnosis, TheThresholdDecidesAndIsValidated) {
    const std::vector<FoldOutcome> folds{noisy_fold(1.0, 0.80, 1.4, 0.1)};
    EXPECT_TRUE(diagnose(row7(), folds, 10).causes.empty());  // within 1 + 0.5
    DiagnosisThresholds t;
    t.input_shift = 0.3;
    EXPECT_EQ(diagnose(row7(), folds, 10, t).causes, std::vector<Cause>{Cause::InputShift});
    const std::vector<FoldOutcome> narrow{noisy_fold(1.0, 0.80, 0.6, 0.1)};  // below 1 / 1.5
    EXPECT_EQ(diagnose(row7(), narrow, 10).causes, std::vector<Cause>{Cause::InputShift});
    const std::vector<FoldOutcome> moved{noisy_fold(1.0, 0.80, 1.0, 0.6)};
    EXPECT_EQ(diagnose(row7(), moved, 10).causes, std::vector<Cause>{Cause::InputShift});
    t.input_shift = -1.0;
    EXPECT_THROW(diagnose(row7(), folds, 10, t), ConfigError);
    t.input_shift = INFINITY;
    EXPECT_THROW(diagnose(row7(), folds, 10, t), ConfigError);
}

TEST(InputShiftDiagnosis, WithoutAGapOrAFigureThereIsNoCause) {
    const Diagnosis good = diagnose(row7(), std::vector<FoldOutcome>{noisy_fold(0.99, 0.97, 4.0, 0.0)}, 10);
    EXPECT_EQ(good.verdict, Verdict::Good);
    EXPECT_TRUE(good.causes.empty());
    EXPECT_TRUE(contains(good.reason, "note: the validation inputs lie unlike")) << good.reason;
    // A file written before the figures existed: NaN, and the old note on the noise.
    const Diagnosis old = diagnose(row7(), std::vector<FoldOutcome>{noisy_fold(1.0, 0.51, NAN, NAN)}, 10);
    EXPECT_EQ(old.verdict, Verdict::Overfitting);
    EXPECT_TRUE(old.causes.empty());
    EXPECT_TRUE(contains(old.reason, "train/validation mismatch")) << old.reason;
}

TEST(InputShiftDiagnosis, AShiftedTestPartIsNoted) {
    FoldOutcome f = noisy_fold(0.99, 0.97, 1.0, 0.02);
    f.input_shift.test_spread_ratio = 1.0;
    f.input_shift.test_mean_shift = 1.7;
    TrainConfig c;
    const Diagnosis d = diagnose(c, std::vector<FoldOutcome>{f}, 10);
    EXPECT_EQ(d.verdict, Verdict::Good);
    EXPECT_TRUE(contains(d.reason, "note: the test inputs lie unlike the training inputs")) << d.reason;
    EXPECT_TRUE(contains(d.reason, "means lie 1.70 training stds away")) << d.reason;
}

TEST(InputShiftFix, TrainsWithTheValidationsNoiseOrHasNoKey) {
    const Fix f = fix_for(Cause::InputShift, row7());
    EXPECT_EQ(f.change(), "train-noise 0 -> 1");
    EXPECT_EQ(f.repaired.train_noise, 1.0);
    EXPECT_EQ(f.repaired.test_noise, 1.0);
    TrainConfig over = row7();
    over.test_noise = 0.0;
    over.train_noise = 0.5;
    EXPECT_EQ(fix_for(Cause::InputShift, over).change(), "train-noise 0.5 -> 0");
    TrainConfig matched = row7();
    matched.train_noise = 1.0;
    EXPECT_FALSE(fix_for(Cause::InputShift, matched).applies());
    EXPECT_TRUE(contains(fix_for(Cause::InputShift, matched).text(), "no one-key fix"))
        << fix_for(Cause::InputShift, matched).text();
}

ConfigSummary summary(const TrainConfig& settings, Verdict verdict, std::vector<Cause> causes) {
    ConfigSummary s;
    s.settings = settings;
    s.config_id = config_id(settings);
    s.section = "noisy";
    s.verdict = verdict;
    s.causes = std::move(causes);
    return s;
}

TEST(InputShiftRepair, TheRepairIsTheFirstCausesFix) {
    const auto shift = repair_fix(summary(row7(), Verdict::Overfitting, {Cause::InputShift}));
    ASSERT_TRUE(shift);
    EXPECT_EQ(shift->change(), "train-noise 0 -> 1");
    // Seed row 9: the reason leads with scaling the inputs, and so does its repair.
    TrainConfig raw;
    raw.normalization = Normalization::None;
    const auto unscaled = repair_fix(summary(raw, Verdict::Overfitting, {Cause::UnscaledInputs}));
    ASSERT_TRUE(unscaled);
    EXPECT_EQ(unscaled->change(), "normalization none -> minmax");
    // Without a cause overfitting is still regularised.
    const auto plain = repair_fix(summary(TrainConfig{}, Verdict::Overfitting, {}));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->change(), "dropout 0 -> 0.5");
}

TEST(InputShiftRepair, NoKeyNoRepairAndTheReportSaysWhy) {
    TrainConfig matched = row7();
    matched.train_noise = 1.0;
    ConfigSummary stuck = summary(matched, Verdict::Overfitting, {Cause::InputShift});
    stuck.config = 0;
    EXPECT_FALSE(repair_fix(stuck));
    // A study with repairs: one parent repaired, the shifted one not.
    TrainConfig mse;
    mse.loss = Loss::Mse;
    ConfigSummary parent = summary(mse, Verdict::NotTraining, {Cause::MseSoftmax});
    parent.config = 1;
    parent.section = "mse";
    TrainConfig fixed_loss = mse;
    fixed_loss.loss = Loss::CrossEntropy;
    ConfigSummary repaired = summary(fixed_loss, Verdict::Good, {});
    repaired.config = 2;
    repaired.section = "mse";
    repaired.repair_of = parent.config_id;
    const std::vector<ConfigSummary> configs{stuck, parent, repaired};
    std::ostringstream text;
    write_repairs_text(configs, 0, text);
    EXPECT_TRUE(contains(text.str(), "  not repaired: noisy: input_shift: no one-key fix")) << text.str();
    const Json j = repairs_json(configs, 0);
    ASSERT_EQ(j["not_repaired"].size(), 1u);
    EXPECT_EQ(j["not_repaired"][0]["config_id"], stuck.config_id);
    std::ostringstream html;
    write_repairs_html(html, configs, 0);
    EXPECT_TRUE(contains(html.str(), "<li>noisy: input_shift: no one-key fix")) << html.str();
}

}  // namespace
}  // namespace dnnsweep
