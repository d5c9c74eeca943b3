#include "engine/model.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "engine/layers.hpp"
#include "engine/network.hpp"

namespace dnnsweep {
namespace {

constexpr std::array<std::pair<std::string_view, ModelLayerType>, 6> kLayerTypes{{
    {"dense", ModelLayerType::Dense},
    {"batch_norm", ModelLayerType::BatchNorm},
    {"activation", ModelLayerType::Activation},
    {"maxout", ModelLayerType::Maxout},
    {"dropout", ModelLayerType::Dropout},
    {"softmax", ModelLayerType::Softmax},
}};

std::string shape_text(std::size_t in, std::size_t out) { return std::to_string(in) + " -> " + std::to_string(out); }

// What the network built from the configuration has at position i, to compare with the model's layer.
ModelLayerType type_of(const LayerShape& s) {
    switch (s.kind) {
    case LayerKind::Dense:
        return ModelLayerType::Dense;
    case LayerKind::BatchNorm:
        return ModelLayerType::BatchNorm;
    case LayerKind::Activation:
        return ModelLayerType::Activation;
    case LayerKind::Maxout:
        return ModelLayerType::Maxout;
    case LayerKind::Dropout:
        return ModelLayerType::Dropout;
    }
    return ModelLayerType::Dense;
}

// The model's layers as the network runs them: a dense layer with its activation fused counts as
// the model's dense layer followed by its activation layer.
std::vector<const ModelLayer*> network_order(const Model& model, const std::vector<LayerShape>& shapes) {
    std::vector<const ModelLayer*> out;
    std::size_t m = 0;
    const auto fail = [&](const std::string& why) {
        throw ModelError("layer " + std::to_string(m) + ": " + why + " (the configuration builds another network)");
    };
    for (const LayerShape& s : shapes) {
        if (m >= model.layers.size()) fail("missing");
        const ModelLayer& l = model.layers[m];
        if (l.type != type_of(s))
            fail("is " + std::string(name(l.type)) + ", expected " + std::string(name(type_of(s))));
        if (l.in != s.in || l.out != s.out)
            fail(std::string(name(l.type)) + " " + shape_text(l.in, l.out) + ", expected " + shape_text(s.in, s.out));
        out.push_back(&l);
        ++m;
        if (s.kind == LayerKind::Dense && s.fused_activation) {
            if (m >= model.layers.size() || model.layers[m].type != ModelLayerType::Activation)
                fail("expected the activation of the dense layer before it");
            ++m;
        }
    }
    if (m + 1 != model.layers.size() || model.layers.back().type != ModelLayerType::Softmax)
        fail("expected one softmax layer, last");
    return out;
}

void check_size(const std::vector<float>& v, std::size_t n, std::string_view what, std::size_t layer) {
    if (v.size() != n)
        throw ModelError("layer " + std::to_string(layer) + ": " + std::string(what) + " has " +
                         std::to_string(v.size()) + " values, expected " + std::to_string(n));
}

}  // namespace

std::string_view name(ModelLayerType t) {
    for (const auto& [n, v] : kLayerTypes)
        if (v == t) return n;
    return "?";
}

ModelLayerType parse_model_layer_type(std::string_view s) {
    for (const auto& [n, v] : kLayerTypes)
        if (n == s) return v;
    throw ModelError("unknown layer type '" + std::string(s) + "'");
}

Model capture_model(const Network& net, const TrainConfig& config, const InputScaler& scaler) {
    Model m;
    m.config = config;
    m.features = net.features();
    m.classes = net.classes();
    m.input_shift = scaler.shift.empty() ? std::vector<float>(m.features, 0.0f) : scaler.shift;
    m.input_scale = scaler.scale.empty() ? std::vector<float>(m.features, 1.0f) : scaler.scale;
    const std::vector<float> plain = net.plain_params();
    const std::span<const float> state = net.state();
    const auto eltwise = eltwise_for(config);
    std::size_t p = 0, s = 0;
    for (const LayerShape& shape : net.layer_shapes()) {
        ModelLayer l;
        l.in = shape.in;
        l.out = shape.out;
        const float* params = plain.data() + p;
        switch (shape.kind) {
        case LayerKind::Dense:
            l.type = ModelLayerType::Dense;
            // Stored `oi` (out x in): the file's kernel is its transpose, in x out.
            l.kernel.resize(l.in * l.out);
            for (std::size_t o = 0; o < l.out; ++o)
                for (std::size_t i = 0; i < l.in; ++i) l.kernel[i * l.out + o] = params[o * l.in + i];
            l.bias.assign(params + l.in * l.out, params + l.in * l.out + l.out);
            break;
        case LayerKind::BatchNorm:
            l.type = ModelLayerType::BatchNorm;
            l.gamma.assign(params, params + l.out);
            l.beta.assign(params + l.out, params + 2 * l.out);
            l.moving_mean.assign(state.begin() + static_cast<std::ptrdiff_t>(s),
                                 state.begin() + static_cast<std::ptrdiff_t>(s + l.out));
            l.moving_variance.assign(state.begin() + static_cast<std::ptrdiff_t>(s + l.out),
                                     state.begin() + static_cast<std::ptrdiff_t>(s + 2 * l.out));
            l.epsilon = BatchNormLayer::kEpsilon;
            break;
        case LayerKind::Activation:
            l.type = ModelLayerType::Activation;
            l.activation = config.activation;
            l.alpha = eltwise ? eltwise->alpha : 0.0f;
            break;
        case LayerKind::Maxout:
            l.type = ModelLayerType::Maxout;
            l.pieces = shape.pieces;
            break;
        case LayerKind::Dropout:
            l.type = ModelLayerType::Dropout;
            l.rate = shape.rate;
            break;
        }
        m.layers.push_back(std::move(l));
        if (shape.kind == LayerKind::Dense && shape.fused_activation) {
            ModelLayer a;
            a.type = ModelLayerType::Activation;
            a.in = a.out = shape.out;
            a.activation = config.activation;
            a.alpha = eltwise ? eltwise->alpha : 0.0f;
            m.layers.push_back(std::move(a));
        }
        p += shape.plain_params;
        s += shape.state;
    }
    ModelLayer softmax;
    softmax.type = ModelLayerType::Softmax;
    softmax.in = softmax.out = static_cast<std::size_t>(m.classes);
    m.layers.push_back(std::move(softmax));
    return m;
}

Predictor::Predictor(const Model& model, std::size_t chunk)
    : features_(model.features),
      classes_(model.classes),
      threads_(model.config.threads),
      shift_(model.input_shift),
      scale_(model.input_scale),
      chunk_(std::max<std::size_t>(chunk, 1)) {
    if (model.features == 0 || model.classes < 2)
        throw ModelError("a model needs at least 1 feature and 2 classes, has " + std::to_string(model.features) +
                         " and " + std::to_string(model.classes));
    if (model.input_shift.size() != model.features || model.input_scale.size() != model.features)
        throw ModelError("the input scaling has " + std::to_string(model.input_shift.size()) + " shifts and " +
                         std::to_string(model.input_scale.size()) + " scales for " + std::to_string(model.features) +
                         " features");
    try {
        model.config.validate();
    } catch (const ConfigError& e) {
        throw ModelError(std::string("configuration: ") + e.what());
    }
    net_ = std::make_unique<Network>(model.config, model.features, model.classes, 1, chunk_);
    const std::vector<LayerShape> shapes = net_->layer_shapes();
    const std::vector<const ModelLayer*> layers = network_order(model, shapes);
    std::vector<float> plain;
    plain.reserve(net_->plain_param_count());
    std::vector<float> state;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const ModelLayer& l = *layers[i];
        if (l.type == ModelLayerType::Dense) {
            check_size(l.kernel, l.in * l.out, "kernel", i);
            check_size(l.bias, l.out, "bias", i);
            for (std::size_t o = 0; o < l.out; ++o)
                for (std::size_t j = 0; j < l.in; ++j) plain.push_back(l.kernel[j * l.out + o]);
            plain.insert(plain.end(), l.bias.begin(), l.bias.end());
        } else if (l.type == ModelLayerType::BatchNorm) {
            for (const auto* v : {&l.gamma, &l.beta, &l.moving_mean, &l.moving_variance})
                check_size(*v, l.out, "a batch_norm vector", i);
            plain.insert(plain.end(), l.gamma.begin(), l.gamma.end());
            plain.insert(plain.end(), l.beta.begin(), l.beta.end());
            state.insert(state.end(), l.moving_mean.begin(), l.moving_mean.end());
            state.insert(state.end(), l.moving_variance.begin(), l.moving_variance.end());
        }
    }
    net_->set_plain_params(plain);
    const std::span<float> net_state = net_->state();
    if (state.size() != net_state.size())
        throw ModelError("the batch_norm statistics have " + std::to_string(state.size()) + " values, expected " +
                         std::to_string(net_state.size()));
    std::copy(state.begin(), state.end(), net_state.begin());
}

Predictor::~Predictor() = default;

Predictor::Output Predictor::predict(const Matrix& x) {
    if (x.cols != features_)
        throw ModelError("the data has " + std::to_string(x.cols) + " features; the model takes " +
                         std::to_string(features_));
    omp_set_num_threads(threads_);
    const std::size_t n = x.rows, d = x.cols;
    const auto k = static_cast<std::size_t>(classes_);
    Output out;
    out.probabilities.resize(n * k);
    out.predicted.resize(n);
    const float* const shift = shift_.data();
    const float* const scale = scale_.data();
    for (std::size_t start = 0; start < n; start += chunk_) {
        const std::size_t m = std::min(chunk_, n - start);
        float* in = net_->input();
        // The same float arithmetic as InputScaler::apply in training.
        for (std::size_t r = 0; r < m; ++r) {
            const float* src = x.row(start + r);
            float* dst = in + r * d;
            for (std::size_t j = 0; j < d; ++j) dst[j] = (src[j] - shift[j]) * scale[j];
        }
        const float* logits = net_->forward(m, Mode::Infer);
        for (std::size_t r = 0; r < m; ++r) {
            const float* z = logits + r * k;
            float* p = out.probabilities.data() + (start + r) * k;
            std::size_t best = 0;
            for (std::size_t c = 1; c < k; ++c)
                if (z[c] > z[best]) best = c;
            double sum = 0.0;
            for (std::size_t c = 0; c < k; ++c)
                sum += std::exp(static_cast<double>(z[c]) - static_cast<double>(z[best]));
            for (std::size_t c = 0; c < k; ++c)
                p[c] = static_cast<float>(std::exp(static_cast<double>(z[c]) - static_cast<double>(z[best])) / sum);
            out.predicted[start + r] = static_cast<std::int32_t>(best);
        }
    }
    return out;
}

}  // namespace dnnsweep
