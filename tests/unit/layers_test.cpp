// Checks of every layer in engine/layers.hpp. Gradients are compared with central differences of
// the scalar L = sum(output * R) for a fixed random R, so dL/doutput = R is what backward() reads.
// The objective is summed in double; the layers compute in f32, hence h ~ 1e-2 and a ~1e-2
// relative tolerance.
#include "engine/layers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace dnnsweep {
namespace {

// ------------------------------------------------------------------------------------- helpers

void fill_uniform(std::span<float> v, Rng& rng, float lo, float hi) {
    for (auto& x : v) x = rng.uniform(lo, hi);
}

// |v| in [0.1, 1.5] with a random sign: a +-1e-2 step never crosses the kink at 0.
void fill_away_from_zero(std::span<float> v, Rng& rng) {
    for (auto& x : v) {
        const float magnitude = rng.uniform(0.1f, 1.5f);
        x = rng.uniform() < 0.5 ? -magnitude : magnitude;
    }
}

// An activation under test; nullopt activation means a plain (identity) dense layer.
struct ActCase {
    const char* label;
    std::optional<Activation> activation;
    float alpha;
};

void PrintTo(const ActCase& c, std::ostream* os) { *os << c.label; }

std::string case_name(const testing::TestParamInfo<ActCase>& info) { return info.param.label; }

// Through eltwise_for, so the mapping from the config is what gets tested.
std::optional<EltwiseSpec> spec_for(const ActCase& c) {
    if (!c.activation) return std::nullopt;
    TrainConfig config;
    config.activation = *c.activation;
    config.leaky_relu_alpha = c.alpha;
    config.elu_alpha = c.alpha;
    return eltwise_for(config);
}

// Piecewise functions whose derivative jumps at 0 (elu's second derivative jumps even at alpha 1).
bool has_kink(const ActCase& c) {
    return c.activation == Activation::Relu || c.activation == Activation::LeakyRelu || c.activation == Activation::Elu;
}

double act_ref(const ActCase& c, double z) {
    if (!c.activation) return z;
    const double a = c.alpha;
    switch (*c.activation) {
    case Activation::Sigmoid:
        return 1.0 / (1.0 + std::exp(-z));
    case Activation::Tanh:
        return std::tanh(z);
    case Activation::Relu:
        return z > 0.0 ? z : 0.0;
    case Activation::LeakyRelu:
        return z > 0.0 ? z : a * z;
    case Activation::Elu:
        return z > 0.0 ? z : a * (std::exp(z) - 1.0);
    case Activation::Maxout:
        break;
    }
    return z;
}

double act_ref_derivative(const ActCase& c, double z) {
    if (!c.activation) return 1.0;
    const double a = c.alpha;
    switch (*c.activation) {
    case Activation::Sigmoid: {
        const double s = 1.0 / (1.0 + std::exp(-z));
        return s * (1.0 - s);
    }
    case Activation::Tanh:
        return 1.0 - std::tanh(z) * std::tanh(z);
    case Activation::Relu:
        return z > 0.0 ? 1.0 : 0.0;
    case Activation::LeakyRelu:
        return z > 0.0 ? 1.0 : a;
    case Activation::Elu:
        return z > 0.0 ? 1.0 : a * std::exp(z);
    case Activation::Maxout:
        break;
    }
    return 1.0;
}

const ActCase kActivations[] = {
    {"sigmoid", Activation::Sigmoid, 0.0f},
    {"tanh", Activation::Tanh, 0.0f},
    {"relu", Activation::Relu, 0.0f},
    {"leaky_relu_0_01", Activation::LeakyRelu, 0.01f},
    // A slope large enough that a wrong or missing alpha shows above the tolerance.
    {"leaky_relu_0_2", Activation::LeakyRelu, 0.2f},
    {"elu", Activation::Elu, 1.0f},
    {"elu_0_5", Activation::Elu, 0.5f},
};
const ActCase kIdentity{"none", std::nullopt, 0.0f};

void expect_close(double actual, double expected, double rtol, const std::string& what) {
    EXPECT_LE(std::abs(actual - expected), rtol * std::max(1.0, std::abs(expected)))
        << what << ": got " << actual << ", expected " << expected;
}

// ------------------------------------------------------------------------ finite differences

struct Tolerance {
    double h = 1e-2;
    double rtol = 1e-2;
    double atol = 1e-3;  // floor for gradients near 0, where f32 rounding of L dominates
};

// Variables the objective depends on, and where backward() leaves dL/d(them).
struct Wrt {
    std::string name;
    std::span<float> values;
    std::span<const float> analytic;
};

// For layers that store their parameters in another layout than the plain one the test varies:
// before_forward takes the plain values to the layer, after_backward brings the gradients back.
struct Hooks {
    std::function<void()> before_forward = [] {};
    std::function<void()> after_backward = [] {};
};

double objective(Layer& layer, std::size_t n, std::span<const float> r, const Hooks& hooks) {
    hooks.before_forward();
    layer.forward(n, Mode::Train);
    const float* out = layer.output();
    double sum = 0.0;
    for (std::size_t i = 0; i < n * layer.out_features(); ++i) sum += double{out[i]} * double{r[i]};
    return sum;
}

// Which side of its kink each output sits on: for relu, leaky relu and elu the output's sign is
// the pre-activation's, and for a dense layer the pre-activation is linear in every input and
// parameter, so equal signs at x-h, x and x+h mean no kink lies between.
std::vector<bool> output_signs(const Layer& layer, std::size_t n) {
    std::vector<bool> signs(n * layer.out_features());
    for (std::size_t i = 0; i < signs.size(); ++i) signs[i] = layer.output()[i] > 0.0f;
    return signs;
}

void check_gradients(Layer& layer, std::size_t n, const std::vector<Wrt>& wrt, std::uint64_t seed, bool kinked = false,
                     const Tolerance& tol = {}, const Hooks& hooks = {}) {
    Rng rng(seed, Stream::Noise);
    std::vector<float> r(n * layer.out_features());
    fill_uniform(r, rng, -1.0f, 1.0f);

    hooks.before_forward();
    layer.forward(n, Mode::Train);
    const auto base_signs = output_signs(layer, n);
    std::copy(r.begin(), r.end(), layer.diff_output());
    layer.backward(n);
    hooks.after_backward();
    // Copied: the finite-difference forwards below must not be able to disturb them.
    std::vector<std::vector<float>> analytic;
    for (const auto& w : wrt) analytic.emplace_back(w.analytic.begin(), w.analytic.end());

    const auto h = static_cast<float>(tol.h);
    std::size_t checked = 0, skipped = 0;
    for (std::size_t k = 0; k < wrt.size(); ++k) {
        int failures = 0;
        for (std::size_t i = 0; i < wrt[k].values.size() && failures < 5; ++i) {
            float& v = wrt[k].values[i];
            const float saved = v;
            v = saved + h;
            const double step_up = double{v} - double{saved};  // the step f32 actually took
            const double l_up = objective(layer, n, r, hooks);
            const bool same_up = output_signs(layer, n) == base_signs;
            v = saved - h;
            const double step_down = double{saved} - double{v};
            const double l_down = objective(layer, n, r, hooks);
            const bool same_down = output_signs(layer, n) == base_signs;
            v = saved;
            if (kinked && !(same_up && same_down)) {
                ++skipped;
                continue;
            }
            ++checked;
            const double fd = (l_up - l_down) / (step_up + step_down);
            const double a = analytic[k][i];
            if (std::abs(a - fd) > tol.rtol * std::max(std::abs(a), std::abs(fd)) + tol.atol) {
                ADD_FAILURE() << "d L / d " << wrt[k].name << "[" << i << "]: backward " << a << ", central difference "
                              << fd;
                ++failures;
            }
        }
    }
    // Rejecting kink crossings must leave most coordinates checked, or the check says little.
    EXPECT_GT(checked, 0u);
    EXPECT_LE(4 * skipped, checked + skipped) << skipped << " of " << checked + skipped << " skipped";
    hooks.before_forward();
    layer.forward(n, Mode::Train);  // leave the layer's output at the unperturbed point
}

// ------------------------------------------------------------------------------- DenseLayer

// z = x W^T + b in double, W in oneDNN's `oi` layout (row j holds output j's weights).
std::vector<double> dense_pre_activation(const float* x, const float* w, const float* b, std::size_t n, std::size_t in,
                                         std::size_t out) {
    std::vector<double> z(n * out);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < out; ++j) {
            double s = b[j];
            for (std::size_t i = 0; i < in; ++i) s += double{w[j * in + i]} * double{x[r * in + i]};
            z[r * out + j] = s;
        }
    return z;
}

// A dense layer over its own input, input-gradient, parameter and gradient buffers. `params` and
// `grads` are the plain layout (weights `oi`, then the bias) the test reads and varies; the layer
// works on `stored` and `stored_grads`, in its kernel's layout. sync() takes params to the layer,
// backward() runs the layer's and brings the gradients back.
struct DenseRig {
    DnnlContext ctx;
    std::size_t in, out;
    AlignedBuffer x, dx, params, grads;
    DenseLayer layer;
    AlignedBuffer stored, stored_grads;

    DenseRig(std::size_t in_features, std::size_t out_features, std::size_t max_batch, std::optional<EltwiseSpec> act,
             std::uint64_t seed, bool first_layer = false, DenseKernel kernel = DenseKernel::Auto)
        : in(in_features),
          out(out_features),
          x(max_batch * in_features),
          dx(max_batch * in_features),
          params(out_features * in_features + out_features),
          grads(params.size()),
          layer(ctx, in_features, out_features, max_batch, act, kernel),
          stored(layer.param_count()),
          stored_grads(layer.param_count()) {
        EXPECT_EQ(layer.plain_param_count(), params.size());
        layer.connect(x.data(), first_layer ? nullptr : dx.data());
        layer.bind_params(stored.data(), stored_grads.data());
        Rng rng(seed, Stream::Init);
        fill_uniform(weights(), rng, -1.0f, 1.0f);
        fill_uniform(bias(), rng, -0.5f, 0.5f);
        fill_uniform(x.span(), rng, -1.0f, 1.0f);
        sync();
    }
    std::span<float> weights() { return params.span().first(out * in); }
    std::span<float> bias() { return params.span().subspan(out * in); }
    std::span<float> rows(std::size_t n) { return x.span().first(n * in); }
    std::vector<Wrt> wrt_all(std::size_t n) {
        return {{"input", rows(n), dx.span().first(n * in)}, {"params", params.span(), grads.span()}};
    }
    void sync() { layer.params_from_plain(params.data(), stored.data()); }
    void backward(std::size_t n) {
        layer.backward(n);
        layer.params_to_plain(stored_grads.data(), grads.data());
    }
    Hooks hooks() {
        return {[this] { sync(); }, [this] { layer.params_to_plain(stored_grads.data(), grads.data()); }};
    }
};

const DenseKernel kKernels[] = {DenseKernel::OneDnn, DenseKernel::Loops};
const char* kernel_name(DenseKernel k) { return k == DenseKernel::OneDnn ? "onednn" : "loops"; }

using DenseCase = std::tuple<ActCase, DenseKernel>;
std::string dense_case_name(const testing::TestParamInfo<DenseCase>& info) {
    std::string name = std::get<0>(info.param).label;
    name += "_";
    name += kernel_name(std::get<1>(info.param));
    return name;
}

class DenseActivationTest : public testing::TestWithParam<DenseCase> {
protected:
    const ActCase& act() const { return std::get<0>(GetParam()); }
    DenseKernel kernel() const { return std::get<1>(GetParam()); }
};

TEST_P(DenseActivationTest, ForwardMatchesReference) {
    const ActCase& c = act();
    DenseRig rig(6, 5, 5, spec_for(c), 11, false, kernel());
    rig.layer.forward(5, Mode::Train);
    const auto z = dense_pre_activation(rig.x.data(), rig.params.data(), rig.bias().data(), 5, 6, 5);
    for (std::size_t i = 0; i < z.size(); ++i)
        expect_close(rig.layer.output()[i], act_ref(c, z[i]), 1e-5, "output " + std::to_string(i));
}

TEST_P(DenseActivationTest, GradientsMatchFiniteDifferences) {
    const ActCase& c = act();
    DenseRig rig(6, 5, 5, spec_for(c), 12, false, kernel());
    check_gradients(rig.layer, 5, rig.wrt_all(5), 13, has_kink(c), {}, rig.hooks());
}

TEST_P(DenseActivationTest, InferForwardEqualsTrainForward) {
    const ActCase& c = act();
    DenseRig rig(6, 5, 5, spec_for(c), 14, false, kernel());
    rig.layer.forward(5, Mode::Train);
    const std::vector<float> train(rig.layer.output(), rig.layer.output() + 25);
    rig.layer.forward(5, Mode::Infer);
    for (std::size_t i = 0; i < train.size(); ++i)
        expect_close(rig.layer.output()[i], train[i], 1e-6, "output " + std::to_string(i));
}

TEST_P(DenseActivationTest, FirstLayerSkipsBackwardDataButLearns) {
    const ActCase& c = act();
    DenseRig rig(6, 5, 5, spec_for(c), 15, /*first_layer=*/true, kernel());
    check_gradients(rig.layer, 5, {{"params", rig.params.span(), rig.grads.span()}}, 16, has_kink(c), {}, rig.hooks());
    EXPECT_TRUE(std::all_of(rig.dx.span().begin(), rig.dx.span().end(), [](float v) { return v == 0.0f; }))
        << "a first layer must not write an input gradient";
}

INSTANTIATE_TEST_SUITE_P(Activations, DenseActivationTest,
                         testing::Combine(testing::ValuesIn(kActivations), testing::ValuesIn(kKernels)),
                         dense_case_name);
INSTANTIATE_TEST_SUITE_P(Identity, DenseActivationTest,
                         testing::Combine(testing::Values(kIdentity), testing::ValuesIn(kKernels)), dense_case_name);

class DenseKernelTest : public testing::TestWithParam<DenseKernel> {};
std::string kernel_case_name(const testing::TestParamInfo<DenseKernel>& info) { return kernel_name(info.param); }

TEST_P(DenseKernelTest, FirstLayerGradientsEqualConnectedLayer) {
    const ActCase c{"leaky_relu_0_2", Activation::LeakyRelu, 0.2f};
    DenseRig connected(6, 5, 5, spec_for(c), 17, false, GetParam());
    DenseRig first(6, 5, 5, spec_for(c), 17, /*first_layer=*/true, GetParam());
    Rng rng(18, Stream::Noise);
    std::vector<float> r(25);
    fill_uniform(r, rng, -1.0f, 1.0f);
    for (DenseRig* rig : {&connected, &first}) {
        rig->layer.forward(5, Mode::Train);
        std::copy(r.begin(), r.end(), rig->layer.diff_output());
        rig->backward(5);
    }
    for (std::size_t i = 0; i < connected.grads.size(); ++i)
        EXPECT_FLOAT_EQ(first.grads[i], connected.grads[i]) << "param " << i;
}

// Forward and backward against double references at sizes 7, 3, 7, 3: primitives are cached per
// batch size, and each size must see its own rows and write only its own. in x out = 6 x 5 fits
// one register of the plain-loop kernel; 37 x 21 needs several, with a tail; 20 x 32 exactly two;
// 38 x 70 is a medium layer for oneDNN.
void check_batch_sizes(std::size_t in, std::size_t out, DenseKernel kernel) {
    SCOPED_TRACE(std::to_string(in) + " x " + std::to_string(out));
    const ActCase c{"leaky_relu_0_2", Activation::LeakyRelu, 0.2f};
    DenseRig rig(in, out, 7, spec_for(c), 19, false, kernel);
    Rng rng(20, Stream::Noise);
    for (const std::size_t n : {7u, 3u, 7u, 3u}) {
        SCOPED_TRACE("n = " + std::to_string(n));
        fill_uniform(rig.rows(n), rng, -1.0f, 1.0f);
        rig.layer.forward(n, Mode::Train);
        const auto z = dense_pre_activation(rig.x.data(), rig.params.data(), rig.bias().data(), n, in, out);
        for (std::size_t i = 0; i < z.size(); ++i)
            expect_close(rig.layer.output()[i], act_ref(c, z[i]), 1e-5, "output " + std::to_string(i));

        std::vector<float> r(n * out);
        fill_uniform(r, rng, -1.0f, 1.0f);
        std::copy(r.begin(), r.end(), rig.layer.diff_output());
        std::fill_n(rig.dx.data(), rig.dx.size(), -99.0f);
        rig.backward(n);

        // dz = R * f'(z); dW = dz^T x; db = sum_rows dz; dx = dz W.
        std::vector<double> dz(z.size());
        for (std::size_t i = 0; i < z.size(); ++i) dz[i] = r[i] * act_ref_derivative(c, z[i]);
        for (std::size_t j = 0; j < out; ++j) {
            double db = 0.0;
            for (std::size_t row = 0; row < n; ++row) db += dz[row * out + j];
            expect_close(rig.grads[out * in + j], db, 1e-5, "d bias " + std::to_string(j));
            for (std::size_t i = 0; i < in; ++i) {
                double dw = 0.0;
                for (std::size_t row = 0; row < n; ++row) dw += dz[row * out + j] * rig.x[row * in + i];
                expect_close(rig.grads[j * in + i], dw, 1e-5, "d weight " + std::to_string(j * in + i));
            }
        }
        for (std::size_t row = 0; row < n; ++row)
            for (std::size_t i = 0; i < in; ++i) {
                double d = 0.0;
                for (std::size_t j = 0; j < out; ++j) d += dz[row * out + j] * rig.params[j * in + i];
                expect_close(rig.dx[row * in + i], d, 1e-5, "d input " + std::to_string(row * in + i));
            }
        for (std::size_t i = n * in; i < rig.dx.size(); ++i)
            EXPECT_EQ(rig.dx[i], -99.0f) << "row beyond the batch written at " << i;

        // Padding in the stored layout (where the decay mask and the bias are both 0) stays zero,
        // in the weights and in their gradients: the optimizer can never move it.
        std::vector<std::uint8_t> mask(rig.layer.param_count());
        rig.layer.decay_mask(mask.data());
        const std::size_t weights_stored = rig.layer.param_count() - out;
        for (std::size_t i = 0; i < weights_stored; ++i) {
            if (mask[i] != 0) continue;
            EXPECT_EQ(rig.stored[i], 0.0f) << "stored weight padding " << i;
            EXPECT_EQ(rig.stored_grads[i], 0.0f) << "stored gradient padding " << i;
        }
    }
}

TEST_P(DenseKernelTest, BatchSizes7Then3Then7) {
    check_batch_sizes(6, 5, GetParam());
    check_batch_sizes(37, 21, GetParam());
    check_batch_sizes(20, 32, GetParam());  // whole registers: the output gradient is used unpadded
    if (GetParam() == DenseKernel::OneDnn) check_batch_sizes(38, 70, GetParam());
}

// Stored <-> plain is exact both ways, and the decay mask marks exactly the plain weights.
TEST_P(DenseKernelTest, StoredLayoutRoundTripsAndMasksOnlyWeights) {
    for (const auto& [in, out] : {std::pair<std::size_t, std::size_t>{6, 5}, {37, 21}, {38, 70}}) {
        SCOPED_TRACE(std::to_string(in) + " x " + std::to_string(out));
        DenseRig rig(in, out, 4, std::nullopt, 21, false, GetParam());
        EXPECT_GE(rig.layer.param_count(), rig.layer.plain_param_count());
        std::vector<float> back(rig.params.size());
        rig.layer.params_to_plain(rig.stored.data(), back.data());
        EXPECT_TRUE(std::equal(back.begin(), back.end(), rig.params.span().begin()));

        std::vector<std::uint8_t> mask(rig.layer.param_count(), 7);
        rig.layer.decay_mask(mask.data());
        std::vector<float> mask_values(mask.begin(), mask.end()), plain_mask(rig.params.size());
        rig.layer.params_to_plain(mask_values.data(), plain_mask.data());
        for (std::size_t i = 0; i < plain_mask.size(); ++i)
            EXPECT_EQ(plain_mask[i], i < in * out ? 1.0f : 0.0f) << "plain param " << i;
        EXPECT_EQ(static_cast<std::size_t>(std::count(mask.begin(), mask.end(), std::uint8_t{1})), in * out);
    }
}

TEST_P(DenseKernelTest, InitParamsBoundsAndDeterminism) {
    constexpr std::size_t in = 20, out = 30;
    const auto draw = [&](Init init, std::uint64_t seed) {
        DnnlContext ctx;
        DenseLayer layer(ctx, in, out, 1, std::nullopt, GetParam());
        std::vector<float> stored(layer.param_count(), 7.0f), grads(layer.param_count());
        layer.bind_params(stored.data(), grads.data());
        Rng rng(seed, Stream::Init);
        layer.init_params(rng, init);
        std::vector<float> params(layer.plain_param_count());
        layer.params_to_plain(stored.data(), params.data());
        return params;
    };

    const double glorot = std::sqrt(6.0 / (in + out)), he = std::sqrt(6.0 / in);
    for (const auto& [init, limit] : {std::pair{Init::GlorotUniform, glorot}, std::pair{Init::HeUniform, he}}) {
        SCOPED_TRACE(std::string(name(init)));
        const auto params = draw(init, 5);
        double max_abs = 0.0, sum = 0.0;
        for (std::size_t i = 0; i < out * in; ++i) {
            EXPECT_LE(std::abs(double{params[i]}), limit) << "weight " << i;
            max_abs = std::max(max_abs, std::abs(double{params[i]}));
            sum += params[i];
        }
        // 600 uniform draws reach close to the limit and centre on 0; this pins the limit from
        // below too (He's draws exceed Glorot's smaller limit).
        EXPECT_GT(max_abs, 0.95 * limit);
        EXPECT_LT(std::abs(sum / (out * in)), 0.1 * limit);
        for (std::size_t j = 0; j < out; ++j) EXPECT_EQ(params[out * in + j], 0.0f) << "bias " << j;
        EXPECT_EQ(draw(init, 5), params) << "same seed, same weights";
        EXPECT_NE(draw(init, 6), params) << "another seed, other weights";
    }
    EXPECT_GT(he, 1.01 * glorot);  // so the max_abs bound above tells the two apart
}

INSTANTIATE_TEST_SUITE_P(Kernels, DenseKernelTest, testing::ValuesIn(kKernels), kernel_case_name);

TEST(DenseLayer, AutoPicksLoopsForSmallLayersOnly) {
    DnnlContext ctx;
    EXPECT_EQ(DenseLayer(ctx, 16, 16, 4, std::nullopt).kernel(), DenseKernel::Loops);
    EXPECT_EQ(DenseLayer(ctx, 4, 16, 4, std::nullopt).kernel(), DenseKernel::Loops);
    EXPECT_EQ(DenseLayer(ctx, 32, 64, 4, std::nullopt).kernel(), DenseKernel::Loops);
    EXPECT_EQ(DenseLayer(ctx, 33, 64, 4, std::nullopt).kernel(), DenseKernel::OneDnn);
    EXPECT_EQ(DenseLayer(ctx, 689, 10, 4, std::nullopt).kernel(), DenseKernel::Loops);
    EXPECT_EQ(DenseLayer(ctx, 1092, 15, 4, std::nullopt).kernel(), DenseKernel::Loops);
    EXPECT_EQ(DenseLayer(ctx, 1093, 15, 4, std::nullopt).kernel(), DenseKernel::OneDnn);
    EXPECT_EQ(DenseLayer(ctx, 784, 16, 4, std::nullopt).kernel(), DenseKernel::OneDnn);
    EXPECT_EQ(DenseLayer(ctx, 128, 128, 4, std::nullopt).kernel(), DenseKernel::OneDnn);
    EXPECT_EQ(DenseLayer(ctx, 689, 689, 4, std::nullopt).kernel(), DenseKernel::OneDnn);
    EXPECT_EQ(DenseLayer(ctx, 16, 16, 4, std::nullopt, DenseKernel::OneDnn).kernel(), DenseKernel::OneDnn);
}

TEST(EltwiseFor, MapsConfigToOneDnnAlgorithms) {
    TrainConfig c;
    c.leaky_relu_alpha = 0.2f;
    c.elu_alpha = 0.7f;
    const auto spec = [&](Activation a) {
        c.activation = a;
        return eltwise_for(c);
    };
    using dnnl::algorithm;
    EXPECT_EQ(spec(Activation::Sigmoid)->backward_from_dst, algorithm::eltwise_logistic_use_dst_for_bwd);
    EXPECT_EQ(spec(Activation::Tanh)->backward_from_dst, algorithm::eltwise_tanh_use_dst_for_bwd);
    EXPECT_EQ(spec(Activation::Relu)->alpha, 0.0f);
    EXPECT_EQ(spec(Activation::LeakyRelu)->forward, algorithm::eltwise_relu);
    EXPECT_EQ(spec(Activation::LeakyRelu)->alpha, 0.2f);
    EXPECT_EQ(spec(Activation::Elu)->alpha, 0.7f);
    EXPECT_FALSE(spec(Activation::Maxout).has_value());
}

// -------------------------------------------------------------------------- ActivationLayer

class ActivationLayerTest : public testing::TestWithParam<ActCase> {};

TEST_P(ActivationLayerTest, ForwardAndGradients) {
    const ActCase& c = GetParam();
    DnnlContext ctx;
    AlignedBuffer x(30), dx(30);
    ActivationLayer layer(ctx, 6, 5, *spec_for(c));
    layer.connect(x.data(), dx.data());
    Rng rng(21, Stream::Init);
    fill_away_from_zero(x.span(), rng);

    // Smaller batch first: a primitive cached for 2 rows and reused for 5 would leave rows undone.
    check_gradients(layer, 2, {{"input", x.span().first(12), dx.span().first(12)}}, 22, has_kink(c));
    check_gradients(layer, 5, {{"input", x.span(), dx.span()}}, 23, has_kink(c));

    layer.forward(5, Mode::Train);
    for (std::size_t i = 0; i < 30; ++i)
        expect_close(layer.output()[i], act_ref(c, x[i]), 1e-5, "output " + std::to_string(i));
    layer.forward(5, Mode::Infer);
    for (std::size_t i = 0; i < 30; ++i)
        expect_close(layer.output()[i], act_ref(c, x[i]), 1e-5, "infer output " + std::to_string(i));
}

TEST_P(ActivationLayerTest, FirstLayerBackwardIsANoOp) {
    DnnlContext ctx;
    AlignedBuffer x(30);
    ActivationLayer layer(ctx, 6, 5, *spec_for(GetParam()));
    layer.connect(x.data(), nullptr);
    Rng rng(24, Stream::Init);
    fill_away_from_zero(x.span(), rng);
    layer.forward(5, Mode::Train);
    const std::vector<float> before(layer.output(), layer.output() + 30);
    std::fill_n(layer.diff_output(), 30, 1.0f);
    layer.backward(5);
    EXPECT_EQ(std::vector<float>(layer.output(), layer.output() + 30), before);
}

INSTANTIATE_TEST_SUITE_P(Activations, ActivationLayerTest, testing::ValuesIn(kActivations), case_name);

// --------------------------------------------------------------------------- BatchNormLayer

struct BatchNormRig {
    DnnlContext ctx;
    AlignedBuffer x, dx, params, grads, state;
    BatchNormLayer layer;

    BatchNormRig(std::size_t features, std::size_t max_batch, std::uint64_t seed, bool first_layer = false)
        : x(max_batch * features),
          dx(max_batch * features),
          params(2 * features),
          grads(2 * features),
          state(2 * features),
          layer(ctx, features, max_batch) {
        layer.connect(x.data(), first_layer ? nullptr : dx.data());
        layer.bind_params(params.data(), grads.data());
        layer.bind_state(state.data());
        Rng rng(seed, Stream::Init);
        fill_uniform(params.span().first(features), rng, 0.5f, 1.5f);     // scale
        fill_uniform(params.span().subspan(features), rng, -0.5f, 0.5f);  // shift
        fill_rows(max_batch, rng);
    }
    std::size_t features() const { return layer.out_features(); }
    // Each feature its own offset and spread, so per-feature statistics matter.
    void fill_rows(std::size_t n, Rng& rng) {
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < features(); ++c)
                x[r * features() + c] =
                    static_cast<float>(c) - 2.0f + (0.5f + 0.25f * static_cast<float>(c)) * rng.uniform(-1.0f, 1.0f);
    }
    struct Moments {
        std::vector<double> mean, biased_var;
    };
    Moments moments(std::size_t n) const {
        const std::size_t f = layer.out_features();
        Moments m{std::vector<double>(f, 0.0), std::vector<double>(f, 0.0)};
        for (std::size_t c = 0; c < f; ++c) {
            for (std::size_t r = 0; r < n; ++r) m.mean[c] += x[r * f + c];
            m.mean[c] /= static_cast<double>(n);
            for (std::size_t r = 0; r < n; ++r) m.biased_var[c] += std::pow(x[r * f + c] - m.mean[c], 2);
            m.biased_var[c] /= static_cast<double>(n);
        }
        return m;
    }
    double normalized(std::size_t i, double mean, double var) const {
        const std::size_t c = i % features();
        return params[c] * (x[i] - mean) / std::sqrt(var + double{BatchNormLayer::kEpsilon}) + params[features() + c];
    }
};

TEST(BatchNormLayer, TrainForwardUsesBiasedBatchStatistics) {
    BatchNormRig rig(6, 8, 31);
    for (const std::size_t n : {8u, 3u, 8u}) {
        SCOPED_TRACE("n = " + std::to_string(n));
        Rng rng(32 + n, Stream::Noise);
        rig.fill_rows(n, rng);
        rig.layer.forward(n, Mode::Train);
        const auto m = rig.moments(n);
        for (std::size_t i = 0; i < n * 6; ++i)
            expect_close(rig.layer.output()[i], rig.normalized(i, m.mean[i % 6], m.biased_var[i % 6]), 1e-4,
                         "output " + std::to_string(i));
    }
}

TEST(BatchNormLayer, TrainGradientsMatchFiniteDifferences) {
    BatchNormRig rig(6, 8, 33);
    // Batch statistics depend on every input: each finite difference reruns the whole forward.
    for (const std::size_t n : {8u, 3u, 8u}) {
        SCOPED_TRACE("n = " + std::to_string(n));
        check_gradients(rig.layer, n,
                        {{"input", rig.x.span().first(n * 6), rig.dx.span().first(n * 6)},
                         {"scale", rig.params.span().first(6), rig.grads.span().first(6)},
                         {"shift", rig.params.span().subspan(6), rig.grads.span().subspan(6)}},
                        34 + n);
    }
}

TEST(BatchNormLayer, FirstLayerStillLearnsScaleAndShift) {
    BatchNormRig rig(6, 8, 35, /*first_layer=*/true);
    check_gradients(rig.layer, 8, {{"params", rig.params.span(), rig.grads.span()}}, 36);
    EXPECT_TRUE(std::all_of(rig.dx.span().begin(), rig.dx.span().end(), [](float v) { return v == 0.0f; }));
}

TEST(BatchNormLayer, RunningStatisticsFollowKeras) {
    BatchNormRig rig(6, 8, 37);
    for (std::size_t c = 0; c < 6; ++c) {
        EXPECT_EQ(rig.state[c], 0.0f) << "initial running mean";
        EXPECT_EQ(rig.state[6 + c], 1.0f) << "initial running variance";
    }
    // running = 0.99 running + 0.01 batch, with the unbiased batch variance.
    std::vector<double> mean(6, 0.0), var(6, 1.0);
    Rng rng(38, Stream::Noise);
    for (const std::size_t n : {8u, 5u}) {
        rig.fill_rows(n, rng);
        rig.layer.forward(n, Mode::Train);
        const auto m = rig.moments(n);
        for (std::size_t c = 0; c < 6; ++c) {
            mean[c] = 0.99 * mean[c] + 0.01 * m.mean[c];
            var[c] = 0.99 * var[c] + 0.01 * m.biased_var[c] * static_cast<double>(n) / static_cast<double>(n - 1);
            expect_close(rig.state[c], mean[c], 1e-5, "running mean " + std::to_string(c));
            expect_close(rig.state[6 + c], var[c], 1e-5, "running variance " + std::to_string(c));
        }
    }
}

TEST(BatchNormLayer, InferUsesRunningStatisticsAndKeepsThem) {
    BatchNormRig rig(6, 8, 39);
    Rng rng(40, Stream::Noise);
    // Running statistics far from this batch's, so batch statistics would give other outputs.
    fill_uniform(rig.state.span().first(6), rng, -3.0f, 3.0f);
    fill_uniform(rig.state.span().subspan(6), rng, 0.2f, 4.0f);
    const std::vector<float> state(rig.state.span().begin(), rig.state.span().end());
    for (const std::size_t n : {8u, 1u}) {
        rig.layer.forward(n, Mode::Infer);
        for (std::size_t i = 0; i < n * 6; ++i)
            expect_close(rig.layer.output()[i], rig.normalized(i, state[i % 6], state[6 + i % 6]), 1e-5,
                         "output " + std::to_string(i));
        EXPECT_EQ(std::vector<float>(rig.state.span().begin(), rig.state.span().end()), state);
    }
}

TEST(BatchNormLayer, InitParamsAndNoDecay) {
    BatchNormRig rig(6, 8, 41);
    Rng rng(42, Stream::Init);
    rig.layer.init_params(rng, Init::GlorotUniform);
    for (std::size_t c = 0; c < 6; ++c) {
        EXPECT_EQ(rig.params[c], 1.0f);
        EXPECT_EQ(rig.params[6 + c], 0.0f);
    }
    std::vector<std::uint8_t> mask(rig.layer.param_count(), 7);
    rig.layer.decay_mask(mask.data());
    EXPECT_EQ(mask, std::vector<std::uint8_t>(12, 0));
    EXPECT_EQ(rig.layer.state_count(), 12u);
}

// ------------------------------------------------------------------------------ MaxoutLayer

class MaxoutTest : public testing::TestWithParam<std::size_t> {};

TEST_P(MaxoutTest, ForwardGradientAndRouting) {
    const std::size_t k = GetParam(), units = 4, n = 5, in = units * k;
    MaxoutLayer layer(units, k, n);
    AlignedBuffer x(n * in), dx(n * in);
    layer.connect(x.data(), dx.data());
    // Pieces of a group 0.2 apart (in shuffled order), so a 1e-2 step never changes the winner.
    Rng rng(51, Stream::Init);
    for (std::size_t g = 0; g < n * units; ++g) {
        const float base = rng.uniform(-1.0f, 1.0f);
        const auto order = permutation(k, rng);
        for (std::size_t p = 0; p < k; ++p)
            x[g * k + p] = base + 0.2f * static_cast<float>(order[p]) + rng.uniform(0.0f, 0.05f);
    }
    layer.forward(n, Mode::Train);
    for (std::size_t g = 0; g < n * units; ++g)
        EXPECT_EQ(layer.output()[g], *std::max_element(&x[g * k], &x[g * k] + k)) << "output " << g;
    layer.forward(n, Mode::Infer);
    for (std::size_t g = 0; g < n * units; ++g)
        EXPECT_EQ(layer.output()[g], *std::max_element(&x[g * k], &x[g * k] + k)) << "infer output " << g;

    check_gradients(layer, n, {{"input", x.span(), dx.span()}}, 52);

    // Backward routes each output's gradient to its winning piece alone.
    layer.forward(n, Mode::Train);
    for (std::size_t g = 0; g < n * units; ++g) layer.diff_output()[g] = static_cast<float>(g + 1);
    layer.backward(n);
    for (std::size_t g = 0; g < n * units; ++g) {
        const auto best = static_cast<std::size_t>(std::max_element(&x[g * k], &x[g * k] + k) - &x[g * k]);
        for (std::size_t p = 0; p < k; ++p)
            EXPECT_EQ(dx[g * k + p], p == best ? static_cast<float>(g + 1) : 0.0f) << "input " << g * k + p;
    }
}

std::string pieces_name(const testing::TestParamInfo<std::size_t>& info) {
    std::string name = "k";  // not "k" + to_string(): GCC 12 -O3 raises a false -Wrestrict there
    name += std::to_string(info.param);
    return name;
}

INSTANTIATE_TEST_SUITE_P(Pieces, MaxoutTest, testing::Values(std::size_t{2}, std::size_t{3}), pieces_name);

// ----------------------------------------------------------------------------- DropoutLayer

struct DropoutRig {
    AlignedBuffer x, dx;
    DropoutLayer layer;
    DropoutRig(std::size_t features, std::size_t max_batch, float rate, std::uint64_t seed)
        : x(features * max_batch), dx(features * max_batch), layer(features, max_batch, rate, seed) {
        layer.connect(x.data(), dx.data());
        Rng rng(seed, Stream::Noise);
        fill_uniform(x.span(), rng, 0.5f, 1.5f);
    }
    std::vector<float> mask(std::size_t count) const { return {layer.mask(), layer.mask() + count}; }
};

TEST(DropoutLayer, MaskValuesRateAndForward) {
    constexpr float rate = 0.3f;
    constexpr std::size_t count = 1000 * 10;
    DropoutRig rig(1000, 10, rate, 61);
    rig.layer.forward(10, Mode::Train);
    const float keep = 1.0f / (1.0f - rate);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const float m = rig.layer.mask()[i];
        ASSERT_TRUE(m == 0.0f || m == keep) << "mask " << i << " = " << m;
        dropped += m == 0.0f ? 1u : 0u;
        EXPECT_EQ(rig.layer.output()[i], rig.x[i] * m) << "output " << i;
    }
    // Binomial: the dropped fraction's standard deviation is sqrt(0.3 * 0.7 / 10000) ~ 0.0046.
    EXPECT_NEAR(static_cast<double>(dropped) / count, rate, 0.02);
}

TEST(DropoutLayer, SeedDeterminesMasks) {
    DropoutRig a(100, 4, 0.5f, 62), b(100, 4, 0.5f, 62), c(100, 4, 0.5f, 63);
    for (DropoutRig* rig : {&a, &b, &c}) rig->layer.forward(4, Mode::Train);
    EXPECT_EQ(a.mask(400), b.mask(400)) << "same seed, same mask";
    EXPECT_NE(a.mask(400), c.mask(400)) << "another seed, another mask";
    const auto first = a.mask(400);
    a.layer.forward(4, Mode::Train);
    EXPECT_NE(a.mask(400), first) << "each step draws a fresh mask";
}

TEST(DropoutLayer, MasksFollowTheDropoutStreamDrawByDraw) {
    // Mask i of a step is the stream's next draw: kept when its top 24 bits reach ceil(rate * 2^24).
    // 7 x 100 values a step cross the layer's blocks of draws; two steps check the stream goes on.
    // Rates 0 and 1 - 2^-24 are the ends of the 24-bit threshold's range.
    for (const float rate : {0.0f, 0.7f, 1.0f - 0x1.0p-24f}) {
        constexpr std::uint64_t seed = 69;
        DropoutRig rig(100, 7, rate, seed);
        Rng reference(seed, Stream::Dropout);
        const auto threshold = static_cast<std::uint64_t>(std::ceil(static_cast<double>(rate) * 16777216.0));
        const float keep = 1.0f / (1.0f - rate);
        for (int step = 0; step < 2; ++step) {
            rig.layer.forward(7, Mode::Train);
            for (std::size_t i = 0; i < 700; ++i) {
                const float expected = (reference.next() >> 40) >= threshold ? keep : 0.0f;
                ASSERT_EQ(rig.layer.mask()[i], expected) << "rate " << rate << ", step " << step << ", mask " << i;
            }
        }
    }
}

TEST(Rng, FillGivesTheDrawsOfNextAndLeavesTheSameState) {
    Rng a(70, Stream::Dropout), b(70, Stream::Dropout);
    std::vector<std::uint64_t> drawn(1000);
    a.fill(drawn.data(), 999);
    a.fill(drawn.data() + 999, 1);
    for (std::size_t i = 0; i < drawn.size(); ++i) ASSERT_EQ(drawn[i], b.next()) << "draw " << i;
    EXPECT_EQ(a.next(), b.next()) << "the state after fill()";
    a.fill(drawn.data(), 0);
    EXPECT_EQ(a.next(), b.next()) << "fill() of nothing draws nothing";
}

TEST(DropoutLayer, InferIsIdentity) {
    DropoutRig rig(50, 4, 0.5f, 64);
    rig.layer.forward(4, Mode::Infer);
    for (std::size_t i = 0; i < 200; ++i) EXPECT_EQ(rig.layer.output()[i], rig.x[i]) << "output " << i;
}

TEST(DropoutLayer, GradientIsDoutTimesMask) {
    DropoutRig rig(50, 4, 0.4f, 65);
    rig.layer.forward(4, Mode::Train);
    Rng rng(66, Stream::Noise);
    fill_uniform({rig.layer.diff_output(), 200}, rng, -1.0f, 1.0f);
    rig.layer.backward(4);
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        EXPECT_EQ(rig.dx[i], rig.layer.diff_output()[i] * rig.layer.mask()[i]) << "input " << i;
        zeros += rig.dx[i] == 0.0f ? 1u : 0u;
    }
    EXPECT_GT(zeros, 0u);
    EXPECT_LT(zeros, 200u);
}

TEST(DropoutLayer, PreservesTheMeanInExpectation) {
    DropoutRig rig(1000, 10, 0.5f, 67);
    double in_sum = 0.0, out_sum = 0.0;
    for (int step = 0; step < 4; ++step) {
        rig.layer.forward(10, Mode::Train);
        for (std::size_t i = 0; i < 10000; ++i) {
            in_sum += rig.x[i];
            out_sum += rig.layer.output()[i];
        }
    }
    // 40000 draws at rate 0.5: the ratio's standard deviation is about 0.006.
    EXPECT_NEAR(out_sum / in_sum, 1.0, 0.03);
}

TEST(DropoutLayer, RateZeroKeepsEverything) {
    DropoutRig rig(50, 4, 0.0f, 68);
    rig.layer.forward(4, Mode::Train);
    for (std::size_t i = 0; i < 200; ++i) {
        EXPECT_EQ(rig.layer.mask()[i], 1.0f);
        EXPECT_EQ(rig.layer.output()[i], rig.x[i]);
    }
}

TEST(DropoutLayer, FirstLayerBackwardIsANoOp) {
    DropoutRig rig(50, 4, 0.5f, 69);
    rig.layer.connect(rig.x.data(), nullptr);
    rig.layer.forward(4, Mode::Train);
    std::fill_n(rig.layer.diff_output(), 200, 1.0f);
    rig.layer.backward(4);
    EXPECT_TRUE(std::all_of(rig.dx.span().begin(), rig.dx.span().end(), [](float v) { return v == 0.0f; }));
}

}  // namespace
}  // namespace dnnsweep
