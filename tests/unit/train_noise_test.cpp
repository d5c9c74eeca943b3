// train-noise: Gaussian noise on each training batch's inputs (noise augmentation). The noise has
// the asked std, is fresh every epoch and the same for a seed; it reaches the training steps only:
// the training part, the validation and test passes and the exact training figures see clean inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "engine/epoch_steps.hpp"
#include "engine/preprocess.hpp"
#include "engine/rng.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {
namespace {

Dataset blobs(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, Stream::Split);
    Dataset d;
    d.x = Matrix(n, 6);
    d.y.resize(n);
    d.classes = 3;
    d.source = "blobs";
    for (std::size_t i = 0; i < n; ++i) {
        const auto label = static_cast<std::int32_t>(rng.below(3));
        d.y[i] = label;
        for (std::size_t j = 0; j < 6; ++j)
            d.x.at(i, j) = static_cast<float>(3.0 * ((j % 3) == static_cast<std::size_t>(label)) + rng.normal());
    }
    return d;
}

TrainConfig small() {
    TrainConfig c;
    c.layers = 2;
    c.width = 16;
    c.optimizer = Optimizer::Adam;
    c.learning_rate = 0.01;
    c.batch_size = 32;
    c.epochs = 3;
    c.normalization = Normalization::ZScore;
    c.seed = 11;
    return c;
}

TEST(TrainNoise, AddsNoiseOfTheAskedStdFreshOnEveryCall) {
    constexpr std::size_t n = 200000;
    std::vector<float> a(n, 1.0f), b(n, 1.0f), again(n, 1.0f);
    Rng rng(7, Stream::TrainNoise);
    add_training_noise(a.data(), n, 0.5, rng);
    add_training_noise(b.data(), n, 0.5, rng);  // the next draws of the same stream: the next batch or epoch
    Rng same(7, Stream::TrainNoise);
    add_training_noise(again.data(), n, 0.5, same);
    EXPECT_EQ(a, again);  // deterministic in the seed
    EXPECT_NE(a, b);
    double sum = 0.0, sq = 0.0;
    for (const float v : a) {
        sum += v - 1.0;
        sq += (v - 1.0) * (v - 1.0);
    }
    const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 0.005);  // 4 standard errors (0.5 / sqrt(n) = 0.0011)
    EXPECT_NEAR(sd, 0.5, 0.005);
}

// With a learning rate too small to move a weight, the noise changes nothing the evaluation passes
// see (with train-noise every epoch's training figures are the clean inference pass's); with a real
// rate it changes what training learns.
TEST(TrainNoise, ReachesTheTrainingStepsOnly) {
    TrainConfig c = small();
    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 1e-12;
    const Dataset data = blobs(600, 3);
    const PreparedData clean = prepare_holdout(c, data, 0.25);
    const Dataset test = clean.val;
    const TrainResult plain = train_model(c, clean.train, clean.val, test);
    c.train_noise = 2.0;
    const PreparedData d = prepare_holdout(c, data, 0.25);
    EXPECT_EQ(d.train.x.data, clean.train.x.data);
    EXPECT_EQ(d.val.x.data, clean.val.x.data);
    const std::vector<float> before = d.train.x.data;
    const TrainResult noisy = train_model(c, d.train, d.val, test);
    EXPECT_EQ(d.train.x.data, before);  // the training part is not written to
    ASSERT_EQ(plain.epochs(), 3);
    ASSERT_EQ(noisy.epochs(), 3);
    // Epochs 1 and 3 are the exact pass over the clean training part in both runs; epoch 2 is that
    // pass with train-noise, its batches' running figures without.
    for (const std::size_t e : {0u, 2u}) {
        EXPECT_NEAR(noisy.history[e].train_loss, plain.history[e].train_loss, 1e-6);
        EXPECT_DOUBLE_EQ(noisy.history[e].train_acc, plain.history[e].train_acc);
    }
    EXPECT_NEAR(noisy.history[1].train_loss, noisy.history[0].train_loss, 1e-6);
    for (std::size_t e = 0; e < 3; ++e) {
        EXPECT_NEAR(noisy.history[e].val_loss, plain.history[e].val_loss, 1e-6);
        EXPECT_DOUBLE_EQ(noisy.history[e].val_acc, plain.history[e].val_acc);
    }
    EXPECT_NEAR(noisy.test_loss, plain.test_loss, 1e-6);
    EXPECT_DOUBLE_EQ(noisy.test_acc, plain.test_acc);
    // At a rate that moves the weights, the noisy batches train another model.
    c.optimizer = Optimizer::Adam;
    c.learning_rate = 0.01;
    const double noisy_val = train_model(c, d.train, d.val).val_loss;
    c.train_noise = 0.0;
    EXPECT_GT(std::fabs(train_model(c, d.train, d.val).val_loss - noisy_val), 1e-3);
}

TEST(TrainNoise, SameSeedSameRunAndItStillLearns) {
    TrainConfig c = small();
    c.epochs = 10;
    c.train_noise = 0.3;
    const PreparedData d = prepare_holdout(c, blobs(600, 3), 0.25);
    const TrainResult a = train_model(c, d.train, d.val);
    const TrainResult b = train_model(c, d.train, d.val);
    ASSERT_EQ(a.epochs(), b.epochs());
    for (std::size_t e = 0; e < a.history.size(); ++e) {
        EXPECT_EQ(a.history[e].train_loss, b.history[e].train_loss);
        EXPECT_EQ(a.history[e].val_loss, b.history[e].val_loss);
    }
    EXPECT_GT(a.val_acc, 0.85);
    c.train_noise = 0.0;
    const TrainResult clean = train_model(c, d.train, d.val);
    EXPECT_NE(clean.history.back().train_loss, a.history.back().train_loss);
}

// Trained as noisy as validated, the final model is also measured on its training rows with the
// validation's noise: the figure the diagnosis measures the gap from. Only then, and reproducibly.
TEST(TrainNoise, TheNoisyTrainingFigureIsTheTrainingRowsWithTheValidationsNoise) {
    TrainConfig c = small();
    c.epochs = 4;
    c.test_noise = 2.0;
    const PreparedData d = prepare_holdout(c, blobs(600, 3), 0.25);
    EXPECT_TRUE(std::isnan(train_model(c, d.train, d.val).noisy_train_acc));  // trained clean: the clean gap
    c.train_noise = 1.0;
    EXPECT_TRUE(std::isnan(train_model(c, d.train, d.val).noisy_train_acc));  // weaker than validation's: a mismatch
    c.train_noise = 2.0;
    const TrainResult a = train_model(c, d.train, d.val);
    ASSERT_TRUE(std::isfinite(a.noisy_train_acc));
    EXPECT_EQ(train_model(c, d.train, d.val).noisy_train_acc, a.noisy_train_acc);
    // Noise of std 2 on features whose classes lie 3 apart hides part of what the clean rows show,
    // about as much as it hides on the (noisy) validation rows.
    EXPECT_LT(a.noisy_train_acc, a.train_acc - 0.05) << a.train_acc;
    EXPECT_NEAR(a.noisy_train_acc, a.val_acc, 0.1) << a.val_acc;
}

TEST(TrainNoise, RejectsANegativeOrInfiniteStd) {
    TrainConfig c = small();
    c.train_noise = -0.1;
    EXPECT_THROW(c.validate(), ConfigError);
    c.train_noise = INFINITY;
    EXPECT_THROW(c.validate(), ConfigError);
    c.train_noise = 0.5;
    EXPECT_NO_THROW(c.validate());
}

}  // namespace
}  // namespace dnnsweep
