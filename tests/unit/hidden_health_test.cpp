// The hidden units' health tally (vectorized, counted in blocks) against a plain count over the
// same hidden outputs: widths that are not a multiple of the vector lanes, several add() calls, and
// a pass longer than one counting block.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/hidden_health.hpp"
#include "engine/network.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

struct Tally {
    double dead_relu = 0.0, saturated = 0.0;
};

// Runs `batches` forward passes of `rows` random rows (inputs in [-scale, scale]), tallying each
// with HiddenHealth and with a plain loop over the same outputs.
std::pair<Tally, Tally> tally_both(Activation activation, int width, std::size_t rows, int batches, float scale) {
    TrainConfig c;
    c.layers = 2;
    c.width = width;
    c.activation = activation;
    constexpr std::size_t kFeatures = 7;
    Network net(c, kFeatures, 3, rows);
    net.initialize(5);
    HiddenHealth health(net, activation);
    health.start();
    const auto w = static_cast<std::size_t>(width);
    const std::size_t hidden = net.hidden_outputs().size() * w;
    std::vector<std::uint8_t> alive(hidden, 0);
    std::size_t outside = 0;
    const bool sigmoid = family(activation) == ActivationFamily::Sigmoid;
    const float lo = sigmoid ? 0.01f : -0.99f, hi = 0.99f;
    Rng rng(9, Stream::Noise);
    for (int b = 0; b < batches; ++b) {
        for (std::size_t i = 0; i < rows * kFeatures; ++i) net.input()[i] = rng.uniform(-scale, scale);
        net.forward(rows, Mode::Train);
        health.add(rows);
        const auto outputs = net.hidden_outputs();
        for (std::size_t l = 0; l < outputs.size(); ++l)
            for (std::size_t i = 0; i < rows * w; ++i) {
                const float v = outputs[l][i];
                if (v > 0.0f) alive[l * w + i % w] = 1;
                if (v < lo || v > hi) ++outside;
            }
    }
    Tally plain;
    std::size_t dead = 0;
    for (const auto a : alive) dead += a == 0 ? 1 : 0;
    if (family(activation) == ActivationFamily::ReluLike)
        plain.dead_relu = static_cast<double>(dead) / static_cast<double>(hidden);
    if (family(activation) == ActivationFamily::Sigmoid || family(activation) == ActivationFamily::Tanh)
        plain.saturated = static_cast<double>(outside) /
                          (static_cast<double>(hidden) * static_cast<double>(rows) * static_cast<double>(batches));
    return {Tally{health.dead_relu(), health.saturated()}, plain};
}

TEST(HiddenHealth, DeadReluMatchesAPlainCount) {
    // Width 37: two full vectors and a tail; with 6 rows some units never fire.
    const auto [vectorized, plain] = tally_both(Activation::Relu, 37, 2, 3, 1.0f);
    EXPECT_EQ(vectorized.dead_relu, plain.dead_relu);
    EXPECT_GT(plain.dead_relu, 0.0);
    EXPECT_LT(plain.dead_relu, 1.0);
    EXPECT_EQ(vectorized.saturated, 0.0);
}

TEST(HiddenHealth, SaturationMatchesAPlainCount) {
    for (const Activation a : {Activation::Sigmoid, Activation::Tanh}) {
        const auto [vectorized, plain] = tally_both(a, 45, 9, 4, 20.0f);
        EXPECT_EQ(vectorized.saturated, plain.saturated) << name(a);
        EXPECT_GT(plain.saturated, 0.0) << name(a);  // the inputs' scale drives outputs into the tails
        EXPECT_EQ(vectorized.dead_relu, 0.0) << name(a);
    }
}

TEST(HiddenHealth, ALayerLongerThanOneCountingBlockIsCountedWhole) {
    // 1,600 rows x 689 units: 1.1 million outputs a layer, past the 2^20 a block counts in 32 bits.
    const auto [vectorized, plain] = tally_both(Activation::Sigmoid, 689, 1600, 1, 20.0f);
    EXPECT_EQ(vectorized.saturated, plain.saturated);
    EXPECT_GT(plain.saturated, 0.0);
}

}  // namespace
}  // namespace dnnsweep
