#include "engine/loss.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

// Reference per-sample losses in double, written independently of the engine: the plain softmax
// with the max subtracted (the test inputs for these stay moderate).
std::vector<double> softmax_ref(const double* z, int classes) {
    const double mx = *std::max_element(z, z + classes);
    std::vector<double> p(static_cast<std::size_t>(classes));
    double s = 0.0;
    for (int j = 0; j < classes; ++j) s += p[j] = std::exp(z[j] - mx);
    for (double& v : p) v /= s;
    return p;
}

double sample_loss_ref(Loss loss, const double* z, int classes, int y) {
    const std::vector<double> p = softmax_ref(z, classes);
    if (loss == Loss::CrossEntropy) return -std::log(p[y]);
    double sq = 0.0;
    for (int j = 0; j < classes; ++j) {
        const double d = p[j] - (j == y ? 1.0 : 0.0);
        sq += d * d;
    }
    return sq / classes;
}

double mean_loss_ref(Loss loss, const std::vector<double>& z, const std::vector<std::int32_t>& y, int classes) {
    double s = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) s += sample_loss_ref(loss, z.data() + i * classes, classes, y[i]);
    return s / static_cast<double>(y.size());
}

TEST(Loss, CrossEntropyMatchesHandComputation) {
    const std::vector<float> z = {1.0f, 2.0f, 3.0f, 0.5f, 0.5f, -1.0f};
    const std::vector<std::int32_t> y = {2, 0};
    const LossResult r = evaluate_loss(Loss::CrossEntropy, z.data(), y.data(), 2, 3, nullptr);
    const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
    const double l1 = std::log(2.0 * std::exp(0.5) + std::exp(-1.0)) - 0.5;
    EXPECT_NEAR(r.loss_sum, l0 + l1, 1e-6);
    EXPECT_TRUE(r.finite);
    EXPECT_EQ(r.correct, 2u);  // row 1 ties 0 and 1: the lowest index, 0, is the prediction
}

TEST(Loss, MseMatchesHandComputation) {
    // Equal logits: p = (1/2, 1/2); ((1/2 - 1)^2 + (1/2)^2) / 2 = 1/4.
    const std::vector<float> z = {0.0f, 0.0f};
    const std::vector<std::int32_t> y = {0};
    EXPECT_NEAR(evaluate_loss(Loss::Mse, z.data(), y.data(), 1, 2, nullptr).loss_sum, 0.25, 1e-7);

    // p = softmax(0, ln 3) = (1/4, 3/4), label 1: ((1/4)^2 + (1/4)^2) / 2 = 1/16.
    const std::vector<float> z2 = {0.0f, static_cast<float>(std::log(3.0))};
    const std::vector<std::int32_t> y2 = {1};
    EXPECT_NEAR(evaluate_loss(Loss::Mse, z2.data(), y2.data(), 1, 2, nullptr).loss_sum, 1.0 / 16.0, 1e-7);
}

TEST(Loss, HugeLogitsStayFiniteAndExact) {
    // A naive exp(1000) overflows; the max-subtracted form gives the exact answer.
    const std::vector<float> z = {1000.0f, 0.0f, -1000.0f, 1000.0f, 0.0f, -1000.0f};
    const std::vector<std::int32_t> y = {0, 1};
    std::vector<float> g(z.size(), -7.0f);
    const LossResult ce = evaluate_loss(Loss::CrossEntropy, z.data(), y.data(), 2, 3, g.data());
    EXPECT_TRUE(ce.finite);
    EXPECT_NEAR(ce.loss_sum, 1000.0, 1e-9);  // row 0 loses ~0, row 1 loses 1000
    EXPECT_EQ(ce.correct, 1u);
    for (const float v : g) EXPECT_TRUE(std::isfinite(v));
    // Mean gradient (p - onehot) / n with p = (1, 0, 0).
    EXPECT_NEAR(g[0], 0.0f, 1e-7f);
    EXPECT_NEAR(g[3], 0.5f, 1e-7f);
    EXPECT_NEAR(g[4], -0.5f, 1e-7f);
    EXPECT_NEAR(g[5], 0.0f, 1e-7f);

    const LossResult mse = evaluate_loss(Loss::Mse, z.data(), y.data(), 2, 3, g.data());
    EXPECT_TRUE(mse.finite);
    EXPECT_NEAR(mse.loss_sum, 2.0 / 3.0, 1e-9);  // row 1: (1 + 1 + 0) / 3
    for (const float v : g) EXPECT_TRUE(std::isfinite(v));
}

TEST(Loss, VeryNegativeLabelLogitGivesLargeFiniteLoss) {
    // Clipped probabilities would cap this at -log(1e-7) ~ 16; from logits it is the true 200.
    const std::vector<float> z = {100.0f, -100.0f};
    const std::vector<std::int32_t> y = {1};
    const LossResult r = evaluate_loss(Loss::CrossEntropy, z.data(), y.data(), 1, 2, nullptr);
    EXPECT_TRUE(r.finite);
    EXPECT_NEAR(r.loss_sum, 200.0, 1e-9);
}

// Central finite differences of the double reference against the engine's analytic dlogits.
void check_gradient(Loss loss) {
    constexpr std::size_t n = 5;
    constexpr int classes = 7;
    Rng rng(42, Stream::Init);
    std::vector<float> zf(n * classes);
    for (float& v : zf) v = rng.uniform(-3.0f, 3.0f);
    std::vector<std::int32_t> y(n);
    for (auto& v : y) v = static_cast<std::int32_t>(rng.below(classes));

    std::vector<float> g(zf.size());
    const LossResult r = evaluate_loss(loss, zf.data(), y.data(), n, classes, g.data());
    std::vector<double> z(zf.begin(), zf.end());
    ASSERT_TRUE(r.finite);
    EXPECT_NEAR(r.loss_sum / n, mean_loss_ref(loss, z, y, classes), 1e-6);

    const double h = 1e-5;
    for (std::size_t k = 0; k < z.size(); ++k) {
        const double saved = z[k];
        z[k] = saved + h;
        const double up = mean_loss_ref(loss, z, y, classes);
        z[k] = saved - h;
        const double down = mean_loss_ref(loss, z, y, classes);
        z[k] = saved;
        const double fd = (up - down) / (2.0 * h);
        EXPECT_NEAR(g[k], fd, 1e-3 * std::fabs(fd) + 1e-7) << "logit " << k;
    }
}

TEST(Loss, CrossEntropyGradientMatchesFiniteDifferences) { check_gradient(Loss::CrossEntropy); }
TEST(Loss, MseGradientMatchesFiniteDifferences) { check_gradient(Loss::Mse); }

TEST(Loss, GradientIsOptionalAndDoesNotChangeTheLoss) {
    const std::vector<float> z = {0.3f, -1.2f, 2.0f, 0.1f, 0.9f, -0.4f};
    const std::vector<std::int32_t> y = {1, 2};
    for (const Loss loss : {Loss::CrossEntropy, Loss::Mse}) {
        std::vector<float> g(z.size());
        const LossResult a = evaluate_loss(loss, z.data(), y.data(), 2, 3, nullptr);
        const LossResult b = evaluate_loss(loss, z.data(), y.data(), 2, 3, g.data());
        EXPECT_DOUBLE_EQ(a.loss_sum, b.loss_sum);
        EXPECT_EQ(a.correct, b.correct);
        EXPECT_EQ(a.correct, 0u);
    }
}

TEST(Loss, CorrectCountsArgmaxWithTiesToLowestIndex) {
    const std::vector<float> z = {
        2.0f, 2.0f, 1.0f,  // tie between 0 and 1: predicts 0
        2.0f, 2.0f, 1.0f,  // same row, label 1: wrong
        0.0f, 0.0f, 0.0f,  // all equal: predicts 0
        0.0f, 1.0f, 5.0f,  // predicts 2
    };
    const std::vector<std::int32_t> y = {0, 1, 0, 2};
    EXPECT_EQ(evaluate_loss(Loss::CrossEntropy, z.data(), y.data(), 4, 3, nullptr).correct, 3u);
    EXPECT_EQ(evaluate_loss(Loss::Mse, z.data(), y.data(), 4, 3, nullptr).correct, 3u);
}

TEST(Loss, NonFiniteLogitsAreReportedAndOtherRowsStillFilled) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> z = {
        1.0f, nan,  0.0f,  // NaN logit
        inf,  0.0f, 0.0f,  // +Inf logit
        1.0f, 2.0f, 0.0f,  // a good row
    };
    const std::vector<std::int32_t> y = {0, 0, 1};
    for (const Loss loss : {Loss::CrossEntropy, Loss::Mse}) {
        std::vector<float> g(z.size(), 123.0f);
        const LossResult r = evaluate_loss(loss, z.data(), y.data(), 3, 3, g.data());
        EXPECT_FALSE(r.finite);
        EXPECT_FALSE(std::isfinite(r.loss_sum));
        EXPECT_EQ(r.correct, 1u);  // only the good row counts
        for (int k = 0; k < 6; ++k) EXPECT_EQ(g[k], 0.0f) << "bad rows contribute no gradient";

        // The good row's gradient is the one it gets alone, scaled by 1/3 instead of 1.
        std::vector<float> g1(3);
        evaluate_loss(loss, z.data() + 6, y.data() + 2, 1, 3, g1.data());
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(g[6 + j], g1[j] / 3.0f, 1e-7f);
    }
}

TEST(Loss, LabelLogitMinusInfinityIsNotFinite) {
    const std::vector<float> z = {0.0f, -std::numeric_limits<float>::infinity()};
    const std::vector<std::int32_t> y = {1};
    EXPECT_FALSE(evaluate_loss(Loss::CrossEntropy, z.data(), y.data(), 1, 2, nullptr).finite);
    EXPECT_TRUE(evaluate_loss(Loss::Mse, z.data(), y.data(), 1, 2, nullptr).finite);  // bounded loss
}

TEST(Loss, EmptyBatchAndBadArguments) {
    const LossResult r = evaluate_loss(Loss::CrossEntropy, nullptr, nullptr, 0, 10, nullptr);
    EXPECT_EQ(r.loss_sum, 0.0);
    EXPECT_EQ(r.correct, 0u);
    EXPECT_TRUE(r.finite);

    const std::vector<float> z = {0.0f, 0.0f};
    const std::vector<std::int32_t> bad = {2};
    EXPECT_THROW(evaluate_loss(Loss::CrossEntropy, z.data(), bad.data(), 1, 2, nullptr), std::invalid_argument);
    const std::vector<std::int32_t> negative = {-1};
    EXPECT_THROW(evaluate_loss(Loss::Mse, z.data(), negative.data(), 1, 2, nullptr), std::invalid_argument);
    const std::vector<std::int32_t> ok = {0};
    EXPECT_THROW(evaluate_loss(Loss::Mse, z.data(), ok.data(), 1, 0, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace dnnsweep
