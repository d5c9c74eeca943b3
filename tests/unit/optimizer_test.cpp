#include "engine/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

// Expected values come from the Keras formulas evaluated in double here, step by step, independent
// of the engine's float loop; the tolerance covers float rounding over a few steps.
void expect_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i], want[i], 1e-6 + 1e-5 * std::fabs(want[i])) << what << " param " << i;
    }
}

OptimizerSettings settings(Optimizer kind, double lr) {
    OptimizerSettings s;
    s.kind = kind;
    s.learning_rate = lr;
    return s;
}

// Three steps of gradients for four parameters, varied in sign and size.
const std::vector<std::vector<float>> kGrads = {
    {0.5f, -1.0f, 0.0f, 2.0f},
    {0.25f, 1.5f, -0.1f, 2.0f},
    {-0.75f, 0.2f, 0.3f, -3.0f},
};
const std::vector<float> kStart = {1.0f, -2.0f, 0.5f, 0.0f};

TEST(Optimizer, SgdPlainHandValues) {
    OptimizerState opt(settings(Optimizer::Sgd, 0.1), std::vector<std::uint8_t>(1, 0));
    std::vector<float> w = {1.0f};
    const std::vector<float> g = {0.5f};
    opt.step(w, g);
    EXPECT_NEAR(w[0], 0.95f, 1e-7f);
    opt.step(w, g);
    EXPECT_NEAR(w[0], 0.90f, 1e-7f);
    EXPECT_EQ(opt.steps(), 2);
}

TEST(Optimizer, SgdMomentumHandValues) {
    OptimizerSettings s = settings(Optimizer::Sgd, 0.1);
    s.momentum = 0.9;
    OptimizerState opt(s, std::vector<std::uint8_t>(1, 0));
    std::vector<float> w = {1.0f};
    const std::vector<float> g = {0.5f};
    opt.step(w, g);  // v = -0.05
    EXPECT_NEAR(w[0], 0.95f, 1e-7f);
    opt.step(w, g);  // v = 0.9 * -0.05 - 0.05 = -0.095
    EXPECT_NEAR(w[0], 0.855f, 1e-6f);
    opt.step(w, g);  // v = 0.9 * -0.095 - 0.05 = -0.1355
    EXPECT_NEAR(w[0], 0.7195f, 1e-6f);
}

TEST(Optimizer, SgdNesterovHandValues) {
    OptimizerSettings s = settings(Optimizer::Sgd, 0.1);
    s.momentum = 0.9;
    s.nesterov = true;
    OptimizerState opt(s, std::vector<std::uint8_t>(1, 0));
    std::vector<float> w = {1.0f};
    const std::vector<float> g = {0.5f};
    opt.step(w, g);  // v = -0.05; w += 0.9 * -0.05 - 0.05 = -0.095
    EXPECT_NEAR(w[0], 0.905f, 1e-6f);
    opt.step(w, g);  // v = -0.095; w += 0.9 * -0.095 - 0.05 = -0.1355
    EXPECT_NEAR(w[0], 0.7695f, 1e-6f);
}

TEST(Optimizer, SgdMomentumAndNesterovMatchReference) {
    for (const bool nesterov : {false, true}) {
        OptimizerSettings s = settings(Optimizer::Sgd, 0.05);
        s.momentum = 0.8;
        s.nesterov = nesterov;
        OptimizerState opt(s, std::vector<std::uint8_t>(4, 0));
        std::vector<float> w = kStart;
        std::vector<double> rw(kStart.begin(), kStart.end()), v(4, 0.0);
        for (const auto& g : kGrads) {
            opt.step(w, g);
            for (std::size_t i = 0; i < 4; ++i) {
                v[i] = 0.8 * v[i] - 0.05 * g[i];
                rw[i] += nesterov ? 0.8 * v[i] - 0.05 * g[i] : v[i];
            }
            expect_close(w, rw, nesterov ? "nesterov" : "momentum");
        }
    }
}

TEST(Optimizer, AdagradMatchesReference) {
    OptimizerState opt(settings(Optimizer::Adagrad, 0.1), std::vector<std::uint8_t>(4, 0));
    std::vector<float> w = kStart;
    std::vector<double> rw(kStart.begin(), kStart.end()), a(4, 0.1);  // TF2 initial accumulator
    for (const auto& g : kGrads) {
        opt.step(w, g);
        for (std::size_t i = 0; i < 4; ++i) {
            a[i] += double{g[i]} * g[i];
            rw[i] -= 0.1 * g[i] / (std::sqrt(a[i]) + 1e-7);
        }
        expect_close(w, rw, "adagrad");
    }
    // First step by hand for param 0: a = 0.1 + 0.25 = 0.35, w = 1 - 0.1 * 0.5 / sqrt(0.35).
    OptimizerState one(settings(Optimizer::Adagrad, 0.1), std::vector<std::uint8_t>(1, 0));
    std::vector<float> w1 = {1.0f};
    one.step(w1, std::vector<float>{0.5f});
    EXPECT_NEAR(w1[0], 1.0 - 0.05 / std::sqrt(0.35), 1e-6);
}

TEST(Optimizer, RmspropMatchesReference) {
    OptimizerState opt(settings(Optimizer::Rmsprop, 0.01), std::vector<std::uint8_t>(4, 0));
    std::vector<float> w = kStart;
    std::vector<double> rw(kStart.begin(), kStart.end()), a(4, 0.0);
    for (const auto& g : kGrads) {
        opt.step(w, g);
        for (std::size_t i = 0; i < 4; ++i) {
            a[i] = 0.9 * a[i] + 0.1 * double{g[i]} * g[i];
            rw[i] -= 0.01 * g[i] / (std::sqrt(a[i]) + 1e-7);
        }
        expect_close(w, rw, "rmsprop");
    }
    // First step by hand for param 0: a = 0.1 * 0.25 = 0.025, w = 1 - 0.01 * 0.5 / sqrt(0.025).
    OptimizerState one(settings(Optimizer::Rmsprop, 0.01), std::vector<std::uint8_t>(1, 0));
    std::vector<float> w1 = {1.0f};
    one.step(w1, std::vector<float>{0.5f});
    EXPECT_NEAR(w1[0], 1.0 - 0.005 / std::sqrt(0.025), 1e-6);
}

TEST(Optimizer, AdamBiasCorrectionMatchesReference) {
    OptimizerState opt(settings(Optimizer::Adam, 0.01), std::vector<std::uint8_t>(4, 0));
    std::vector<float> w = kStart;
    std::vector<double> rw(kStart.begin(), kStart.end()), m(4, 0.0), v(4, 0.0);
    int t = 0;
    for (const auto& g : kGrads) {
        opt.step(w, g);
        ++t;
        EXPECT_EQ(opt.steps(), t);
        const double lr_t = 0.01 * std::sqrt(1.0 - std::pow(0.999, t)) / (1.0 - std::pow(0.9, t));
        for (std::size_t i = 0; i < 4; ++i) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * double{g[i]} * g[i];
            rw[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-7);
        }
        expect_close(w, rw, "adam");
    }
}

TEST(Optimizer, AdamFirstStepIsLearningRateTimesSign) {
    // With bias correction, step 1 moves each parameter by lr * g / (|g| + eps/sqrt(1-b2)) ~ lr.
    OptimizerState opt(settings(Optimizer::Adam, 0.001), std::vector<std::uint8_t>(3, 0));
    std::vector<float> w = {0.0f, 0.0f, 0.0f};
    opt.step(w, std::vector<float>{3.0f, -0.02f, 0.0f});
    const double eps_hat = 1e-7 / std::sqrt(1.0 - 0.999);
    EXPECT_NEAR(w[0], -0.001 * 3.0 / (3.0 + eps_hat), 1e-9);
    EXPECT_NEAR(w[1], 0.001 * 0.02 / (0.02 + eps_hat), 1e-9);
    EXPECT_NEAR(w[1], 0.001f, 2e-7f);  // small gradients move almost as far as large ones
    EXPECT_EQ(w[2], 0.0f);
}

TEST(Optimizer, WeightDecayOnlyOnMaskedParameters) {
    for (const Optimizer kind : {Optimizer::Sgd, Optimizer::Adagrad, Optimizer::Rmsprop, Optimizer::Adam}) {
        OptimizerSettings s = settings(kind, 0.1);
        s.weight_decay = 0.1;
        OptimizerState opt(s, {1, 0, 1, 0});
        std::vector<float> w = {2.0f, 2.0f, -1.0f, -1.0f};
        const std::vector<float> g = {0.0f, 0.0f, 0.3f, 0.3f};
        const std::vector<float> before = w;
        opt.step(w, g);
        EXPECT_NE(w[0], before[0]) << name(kind) << ": decayed weight moves with a zero gradient";
        EXPECT_LT(w[0], before[0]) << name(kind) << ": towards zero";
        EXPECT_EQ(w[1], before[1]) << name(kind) << ": unmasked parameter gets no decay";
        EXPECT_NE(w[2], w[3]) << name(kind);
    }
    // SGD by hand: g = 0 + 0.1 * 2 = 0.2; w = 2 - 0.1 * 0.2 = 1.98. And g = 0.3 + 0.1 * -1 = 0.2.
    OptimizerSettings s = settings(Optimizer::Sgd, 0.1);
    s.weight_decay = 0.1;
    OptimizerState opt(s, {1, 0, 1, 0});
    std::vector<float> w = {2.0f, 2.0f, -1.0f, -1.0f};
    opt.step(w, std::vector<float>{0.0f, 0.0f, 0.3f, 0.3f});
    EXPECT_NEAR(w[0], 1.98f, 1e-6f);
    EXPECT_EQ(w[1], 2.0f);
    EXPECT_NEAR(w[2], -1.02f, 1e-6f);
    EXPECT_NEAR(w[3], -1.03f, 1e-6f);

    // Any nonzero mask entry means "decayed", with the same strength as 1.
    OptimizerState loose(s, {2, 255});
    std::vector<float> wl = {2.0f, 2.0f};
    loose.step(wl, std::vector<float>{0.0f, 0.0f});
    EXPECT_NEAR(wl[0], 1.98f, 1e-6f);
    EXPECT_NEAR(wl[1], 1.98f, 1e-6f);
}

TEST(Optimizer, AdamWeightDecayMatchesReference) {
    OptimizerSettings s = settings(Optimizer::Adam, 0.01);
    s.weight_decay = 0.05;
    const std::vector<std::uint8_t> mask = {1, 0, 1, 1};
    OptimizerState opt(s, mask);
    std::vector<float> w = kStart;
    std::vector<double> rw(kStart.begin(), kStart.end()), m(4, 0.0), v(4, 0.0);
    for (int t = 1; t <= 3; ++t) {
        const auto& g = kGrads[static_cast<std::size_t>(t - 1)];
        // The reference decays from the weights before this step, as the engine must.
        std::vector<double> gd(4);
        for (std::size_t i = 0; i < 4; ++i) gd[i] = g[i] + (mask[i] ? 0.05 * rw[i] : 0.0);
        opt.step(w, g);
        const double lr_t = 0.01 * std::sqrt(1.0 - std::pow(0.999, t)) / (1.0 - std::pow(0.9, t));
        for (std::size_t i = 0; i < 4; ++i) {
            m[i] = 0.9 * m[i] + 0.1 * gd[i];
            v[i] = 0.999 * v[i] + 0.001 * gd[i] * gd[i];
            rw[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-7);
        }
        expect_close(w, rw, "adam + decay");
    }
}

TEST(Optimizer, GradientsAreNotModified) {
    OptimizerSettings s = settings(Optimizer::Adam, 0.01);
    s.weight_decay = 0.5;
    OptimizerState opt(s, {1, 1});
    std::vector<float> w = {1.0f, 2.0f};
    const std::vector<float> g = {0.1f, 0.2f};
    std::vector<float> g_copy = g;
    opt.step(w, g);
    EXPECT_EQ(g, g_copy);
}

TEST(Optimizer, SizeMismatchThrows) {
    OptimizerState opt(settings(Optimizer::Sgd, 0.1), std::vector<std::uint8_t>(3, 0));
    std::vector<float> w(3), g(2), w4(4), g3(3);
    EXPECT_THROW(opt.step(w, g), std::invalid_argument);
    EXPECT_THROW(opt.step(w4, g3), std::invalid_argument);
    EXPECT_EQ(opt.steps(), 0);
}

TEST(Optimizer, InvalidSettingsThrow) {
    EXPECT_THROW(OptimizerState(settings(Optimizer::Sgd, 0.0), {}), std::invalid_argument);
    OptimizerSettings s = settings(Optimizer::Sgd, 0.1);
    s.momentum = 1.0;
    EXPECT_THROW(OptimizerState(s, {}), std::invalid_argument);
}

TEST(Optimizer, SettingsFromConfigUseKerasDefaults) {
    TrainConfig c;
    c.optimizer = Optimizer::Adam;
    OptimizerSettings s = OptimizerSettings::from(c);
    EXPECT_EQ(s.kind, Optimizer::Adam);
    EXPECT_DOUBLE_EQ(s.learning_rate, 1e-3);
    EXPECT_DOUBLE_EQ(s.beta1, 0.9);
    EXPECT_DOUBLE_EQ(s.beta2, 0.999);
    EXPECT_DOUBLE_EQ(s.epsilon, 1e-7);
    EXPECT_DOUBLE_EQ(s.weight_decay, 0.0);

    c.optimizer = Optimizer::Sgd;
    s = OptimizerSettings::from(c);
    EXPECT_DOUBLE_EQ(s.learning_rate, 0.01);
    EXPECT_DOUBLE_EQ(s.momentum, 0.0);
    EXPECT_FALSE(s.nesterov);

    c.optimizer = Optimizer::Adagrad;
    s = OptimizerSettings::from(c);
    EXPECT_DOUBLE_EQ(s.learning_rate, 1e-3);
    EXPECT_DOUBLE_EQ(s.initial_accumulator, 0.1);

    c.optimizer = Optimizer::Rmsprop;
    s = OptimizerSettings::from(c);
    EXPECT_DOUBLE_EQ(s.learning_rate, 1e-3);
    EXPECT_DOUBLE_EQ(s.rho, 0.9);

    c.optimizer = Optimizer::Sgd;
    c.learning_rate = 0.3;
    c.momentum = 0.95;
    c.nesterov = true;
    c.weight_decay = 1e-4;
    s = OptimizerSettings::from(c);
    EXPECT_EQ(s.kind, Optimizer::Sgd);
    EXPECT_DOUBLE_EQ(s.learning_rate, 0.3);
    EXPECT_DOUBLE_EQ(s.momentum, 0.95);
    EXPECT_TRUE(s.nesterov);
    EXPECT_DOUBLE_EQ(s.weight_decay, 1e-4);
}

TEST(Optimizer, LongParameterBufferMatchesShortOne) {
    // The vectorized body and its scalar tail must agree: 1003 copies of the same parameter.
    constexpr std::size_t n = 1003;
    OptimizerSettings s = settings(Optimizer::Rmsprop, 0.01);
    s.weight_decay = 0.01;
    OptimizerState big(s, std::vector<std::uint8_t>(n, 1));
    OptimizerState one(s, std::vector<std::uint8_t>(1, 1));
    std::vector<float> wb(n, 0.7f), wo(1, 0.7f);
    for (const float g : {0.3f, -0.2f, 0.05f}) {
        big.step(wb, std::vector<float>(n, g));
        one.step(wo, std::vector<float>(1, g));
    }
    for (const float v : wb) ASSERT_FLOAT_EQ(v, wo[0]);
}

// Lengths around the sum of squares' 16 lanes and 4096-element blocks: tail only, one lane short,
// one past a block, many blocks with a ragged end.
constexpr std::size_t kOddLengths[] = {1, 15, 16, 17, 4095, 4097, 100003};

// Gradients of mixed signs and magnitudes (about 1e-2 to 10).
std::vector<float> random_grads(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, Stream::Noise);
    std::vector<float> g(n);
    for (auto& v : g) v = static_cast<float>(rng.normal() * std::pow(10.0, rng.uniform(-2.0f, 1.0f)));
    return g;
}

// Every update loop: plain sgd, momentum, nesterov, and the adaptive kinds, each with and without decay.
std::vector<OptimizerSettings> all_update_loops() {
    std::vector<OptimizerSettings> all;
    for (const double wd : {0.0, 0.01}) {
        for (const Optimizer kind : {Optimizer::Sgd, Optimizer::Adagrad, Optimizer::Rmsprop, Optimizer::Adam}) {
            OptimizerSettings s = settings(kind, 0.01);
            s.weight_decay = wd;
            all.push_back(s);
        }
        for (const bool nesterov : {false, true}) {
            OptimizerSettings s = settings(Optimizer::Sgd, 0.01);
            s.momentum = 0.9;
            s.nesterov = nesterov;
            s.weight_decay = wd;
            all.push_back(s);
        }
    }
    return all;
}

TEST(Optimizer, FusedSumSquaresMatchesDoubleReference) {
    for (const OptimizerSettings& s : all_update_loops()) {
        for (const std::size_t n : kOddLengths) {
            std::vector<std::uint8_t> mask(n);
            for (std::size_t i = 0; i < n; ++i) mask[i] = static_cast<std::uint8_t>(i % 3 != 0);
            OptimizerState opt(s, mask);
            std::vector<float> w = random_grads(n, 1);
            const auto where = [&] {
                return std::string(name(s.kind)) + " wd " + std::to_string(s.weight_decay) + " momentum " +
                       std::to_string(s.momentum) + " nesterov " + std::to_string(s.nesterov) + " n " +
                       std::to_string(n);
            };
            // Small nonzero integers (-6..7): every partial sum is exact in float, so any element dropped,
            // counted twice or decayed (the norm is of the gradients as given) changes the result.
            std::vector<float> ints(n);
            for (std::size_t i = 0; i < n; ++i)
                ints[i] = static_cast<float>(static_cast<int>(i % 13) - 6 + (i % 13 >= 6));
            double want = 0.0;
            for (const float v : ints) want += static_cast<double>(v) * static_cast<double>(v);
            EXPECT_EQ(opt.step_and_sum_squares(w, ints), want) << where();
            // Random gradients: float lanes of at most 256 terms each, double across blocks, stay
            // within a few float epsilons of the double sum.
            const std::vector<float> g = random_grads(n, 10 + n);
            want = 0.0;
            for (const float v : g) want += static_cast<double>(v) * static_cast<double>(v);
            EXPECT_NEAR(opt.step_and_sum_squares(w, g), want, 1e-6 * want) << where();
        }
    }
}

TEST(Optimizer, FusedSumSquaresLeavesUpdatesBitIdentical) {
    for (const OptimizerSettings& s : all_update_loops()) {
        for (const std::size_t n : kOddLengths) {
            std::vector<std::uint8_t> mask(n);
            for (std::size_t i = 0; i < n; ++i) mask[i] = static_cast<std::uint8_t>(i % 3 != 0);
            OptimizerState plain(s, mask), fused(s, mask);
            std::vector<float> wp = random_grads(n, 2), wf = wp;
            for (std::uint64_t t = 0; t < 3; ++t) {  // several steps: the optimizer state must agree too
                const std::vector<float> g = random_grads(n, 20 + n + t);
                plain.step(wp, g);
                fused.step_and_sum_squares(wf, g);
                ASSERT_EQ(std::memcmp(wp.data(), wf.data(), n * sizeof(float)), 0)
                    << name(s.kind) << " wd " << s.weight_decay << " momentum " << s.momentum << " nesterov "
                    << s.nesterov << " n " << n << " step " << t;
            }
            EXPECT_EQ(plain.steps(), fused.steps());
        }
    }
}

}  // namespace
}  // namespace dnnsweep
