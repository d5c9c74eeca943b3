// Whole-network gradient checks: every block layout the Network builds (fused activation,
// batchnorm + activation, maxout, with each loss) against central differences of the batch loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

constexpr std::size_t kFeatures = 5;
constexpr int kClasses = 3;
constexpr std::size_t kRows = 6;

struct Case {
    Activation activation;
    Normalization normalization;
    Loss loss;
};

// Every layout through both dense kernels (oneDNN, and plain loops with their padded weights).
using KernelCase = std::tuple<Case, DenseKernel>;

std::string case_name(const testing::TestParamInfo<KernelCase>& info) {
    const Case& c = std::get<0>(info.param);
    return std::string(name(c.activation)) + "_" + std::string(name(c.normalization)) + "_" +
           std::string(name(c.loss)) + (std::get<1>(info.param) == DenseKernel::OneDnn ? "_onednn" : "_loops");
}

class NetworkGradient : public testing::TestWithParam<KernelCase> {};

double batch_loss(Network& net, const std::vector<float>& x, const std::vector<std::int32_t>& y, Loss loss,
                  float* dlogits) {
    std::copy(x.begin(), x.end(), net.input());
    const float* logits = net.forward(kRows, Mode::Train);
    const LossResult r = evaluate_loss(loss, logits, y.data(), kRows, kClasses, dlogits);
    return r.loss_sum / static_cast<double>(kRows);
}

TEST_P(NetworkGradient, MatchesCentralDifferences) {
    const Case c = std::get<0>(GetParam());
    TrainConfig config;
    config.layers = 2;
    config.width = 4;
    config.activation = c.activation;
    config.normalization = c.normalization;
    config.loss = c.loss;
    Network net(config, kFeatures, kClasses, kRows, 0, std::get<1>(GetParam()));
    net.initialize(7);

    Rng rng(11, Stream::Split);
    std::vector<float> x(kRows * kFeatures);
    for (auto& v : x) v = rng.uniform(-2.0f, 2.0f);
    std::vector<std::int32_t> y(kRows);
    for (auto& v : y) v = static_cast<std::int32_t>(rng.below(kClasses));

    batch_loss(net, x, y, c.loss, net.diff_logits());
    net.backward(kRows);
    const std::vector<float> analytic(net.grads().begin(), net.grads().end());
    ASSERT_EQ(analytic.size(), net.params().size());

    // Central differences in float: h large enough that rounding in the loss (about 1e-7
    // relative) stays well under the tolerance, small enough for the curvature of these layers.
    const float h = 2e-3f;
    const double base = batch_loss(net, x, y, c.loss, nullptr);
    const bool piecewise =
        c.activation == Activation::Relu || c.activation == Activation::LeakyRelu || c.activation == Activation::Maxout;
    std::size_t kinks = 0;
    for (std::size_t i = 0; i < analytic.size(); ++i) {
        float& p = net.params()[i];
        const float saved = p;
        p = saved + h;
        const double up = batch_loss(net, x, y, c.loss, nullptr);
        p = saved - h;
        const double down = batch_loss(net, x, y, c.loss, nullptr);
        p = saved;
        const double numeric = (up - down) / (2.0 * static_cast<double>(h));
        const double a = analytic[i];
        const double tol = 2e-2 * std::max(std::fabs(a), std::fabs(numeric)) + 2e-4;
        // A relu or maxout unit crossing its kink inside [p-h, p+h] makes the two one-sided
        // differences disagree: there the quotient is no derivative, so it is not compared.
        const double right = (up - base) / h, left = (base - down) / h;
        if (piecewise && std::fabs(right - left) > tol) {
            ++kinks;
            continue;
        }
        EXPECT_NEAR(a, numeric, tol) << "parameter " << i << " of " << analytic.size();
    }
    EXPECT_LE(kinks, analytic.size() / 10) << "too few parameters compared";
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, NetworkGradient,
    testing::Combine(testing::Values(Case{Activation::Sigmoid, Normalization::None, Loss::CrossEntropy},
                                     Case{Activation::Sigmoid, Normalization::None, Loss::Mse},
                                     Case{Activation::Tanh, Normalization::None, Loss::CrossEntropy},
                                     Case{Activation::Elu, Normalization::None, Loss::Mse},
                                     Case{Activation::LeakyRelu, Normalization::None, Loss::CrossEntropy},
                                     Case{Activation::Relu, Normalization::None, Loss::CrossEntropy},
                                     Case{Activation::Maxout, Normalization::None, Loss::CrossEntropy},
                                     Case{Activation::Tanh, Normalization::BatchNorm, Loss::CrossEntropy},
                                     Case{Activation::Relu, Normalization::BatchNorm, Loss::Mse},
                                     Case{Activation::Maxout, Normalization::BatchNorm, Loss::CrossEntropy}),
                     testing::Values(DenseKernel::OneDnn, DenseKernel::Loops)),
    case_name);

TEST(Network, FlatBufferLayoutAndDecayMask) {
    TrainConfig config;
    config.layers = 2;
    config.width = 4;
    config.normalization = Normalization::BatchNorm;
    Network net(config, kFeatures, kClasses, kRows);
    // dense 5->4, bn 4, dense 4->4, bn 4, dense 4->3: weights and biases, scale and shift. The
    // stored weights may hold padding on top.
    const std::size_t expected = (5 * 4 + 4) + 2 * 4 + (4 * 4 + 4) + 2 * 4 + (4 * 3 + 3);
    EXPECT_EQ(net.plain_param_count(), expected);
    EXPECT_EQ(net.plain_params().size(), expected);
    EXPECT_GE(net.params().size(), expected);
    EXPECT_EQ(net.state().size(), 2u * 2u * 4u);  // running mean and variance per batchnorm layer
    ASSERT_EQ(net.dense_params().size(), 3u);
    const auto decayed = static_cast<std::size_t>(std::count(net.decay_mask().begin(), net.decay_mask().end(), 1));
    EXPECT_EQ(decayed, 5u * 4u + 4u * 4u + 4u * 3u);  // dense weights only
    EXPECT_EQ(net.hidden_outputs().size(), 2u);
}

TEST(Network, InitializationIsDeterministicInTheSeed) {
    TrainConfig config;
    config.layers = 1;
    config.width = 8;
    Network a(config, kFeatures, kClasses, kRows), b(config, kFeatures, kClasses, kRows),
        c(config, kFeatures, kClasses, kRows);
    a.initialize(3);
    b.initialize(3);
    c.initialize(4);
    EXPECT_TRUE(std::equal(a.params().begin(), a.params().end(), b.params().begin()));
    EXPECT_FALSE(std::equal(a.params().begin(), a.params().end(), c.params().begin()));
}

// The two dense kernels compute the same network: same plain parameters in, same logits and
// (plain) gradients out, up to float rounding. Widths 40, 70 and 11 give the loops several
// registers with tails.
TEST(Network, DenseKernelsAgreeAndPlainParametersRoundTrip) {
    TrainConfig config;
    config.layers = 2;
    config.width = 40;
    config.activation = Activation::Tanh;
    constexpr std::size_t features = 70, rows = 9;
    constexpr int classes = 11;
    Network onednn(config, features, classes, rows, 0, DenseKernel::OneDnn);
    Network loops(config, features, classes, rows, 0, DenseKernel::Loops);
    onednn.initialize(5);
    loops.initialize(5);
    const auto plain = onednn.plain_params();
    EXPECT_EQ(plain, loops.plain_params()) << "init draws in the plain order, whatever the layout";
    loops.set_plain_params(plain);
    EXPECT_EQ(loops.plain_params(), plain);

    Rng rng(6, Stream::Split);
    std::vector<float> x(rows * features);
    for (auto& v : x) v = rng.uniform(-1.0f, 1.0f);
    std::vector<std::int32_t> y(rows);
    for (auto& v : y) v = static_cast<std::int32_t>(rng.below(classes));
    std::vector<std::vector<float>> logits, grads;
    for (Network* net : {&onednn, &loops}) {
        std::copy(x.begin(), x.end(), net->input());
        const float* z = net->forward(rows, Mode::Train);
        logits.emplace_back(z, z + rows * classes);
        evaluate_loss(Loss::CrossEntropy, z, y.data(), rows, classes, net->diff_logits());
        net->backward(rows);
        grads.push_back(net->plain_grads());
    }
    for (std::size_t i = 0; i < logits[0].size(); ++i) EXPECT_NEAR(logits[0][i], logits[1][i], 1e-5) << "logit " << i;
    ASSERT_EQ(grads[0].size(), grads[1].size());
    for (std::size_t i = 0; i < grads[0].size(); ++i) EXPECT_NEAR(grads[0][i], grads[1][i], 1e-5) << "gradient " << i;
    EXPECT_THROW(loops.set_plain_params(std::vector<float>(3)), std::invalid_argument);
}

TEST(Network, RejectsBatchesLargerThanItWasBuiltFor) {
    TrainConfig config;
    config.layers = 1;
    config.width = 4;
    Network net(config, kFeatures, kClasses, kRows);
    net.initialize(1);
    EXPECT_THROW(net.forward(kRows + 1, Mode::Infer), std::invalid_argument);
}

}  // namespace
}  // namespace dnnsweep
