#include "engine/network.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace dnnsweep {

Network::Network(const TrainConfig& config, std::size_t features, int classes, std::size_t max_batch,
                 std::size_t max_infer_batch, DenseKernel kernel)
    : features_(features),
      classes_(classes),
      max_batch_(max_batch),
      max_infer_batch_(max_infer_batch == 0 ? max_batch : max_infer_batch),
      hidden_width_(static_cast<std::size_t>(config.width)),
      init_(config.init),
      input_(std::max(max_batch, max_infer_batch_) * features) {
    if (features == 0 || classes < 2 || max_batch == 0)
        throw std::invalid_argument("network needs at least 1 feature, 2 classes and a batch of 1");
    const auto width = hidden_width_;
    const auto act = eltwise_for(config);
    const bool maxout = config.activation == Activation::Maxout;
    const bool batchnorm = config.normalization == Normalization::BatchNorm;
    const auto pieces = static_cast<std::size_t>(config.maxout_pieces);

    const std::size_t infer = max_infer_batch_;
    const auto dense = [&](std::size_t in_features, std::size_t out_features, std::optional<EltwiseSpec> a) {
        return std::make_unique<DenseLayer>(ctx_, in_features, out_features, max_batch, a, kernel, infer);
    };
    std::size_t in = features;
    for (int i = 0; i < config.layers; ++i) {
        if (maxout) {
            layers_.push_back(dense(in, width * pieces, std::nullopt));
            if (batchnorm) layers_.push_back(std::make_unique<BatchNormLayer>(ctx_, width * pieces, max_batch, infer));
            layers_.push_back(std::make_unique<MaxoutLayer>(width, pieces, max_batch, infer));
        } else if (batchnorm) {
            // Normalize the pre-activations, so the activation cannot be fused into the dense layer.
            layers_.push_back(dense(in, width, std::nullopt));
            layers_.push_back(std::make_unique<BatchNormLayer>(ctx_, width, max_batch, infer));
            layers_.push_back(std::make_unique<ActivationLayer>(ctx_, width, max_batch, *act, infer));
        } else {
            layers_.push_back(dense(in, width, act));
        }
        hidden_output_layers_.push_back(layers_.size() - 1);
        if (config.dropout > 0.0) {
            // Each dropout layer its own stream, all derived from the run's seed.
            const std::uint64_t seed = config.seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(i + 1);
            layers_.push_back(
                std::make_unique<DropoutLayer>(width, max_batch, static_cast<float>(config.dropout), seed, infer));
        }
        in = width;
    }
    layers_.push_back(dense(in, static_cast<std::size_t>(classes), std::nullopt));

    std::size_t n_params = 0, n_state = 0;
    for (const auto& l : layers_) {
        n_params += l->param_count();
        n_state += l->state_count();
    }
    params_ = AlignedBuffer(n_params);
    grads_ = AlignedBuffer(n_params);
    state_ = AlignedBuffer(n_state);
    decay_mask_.assign(n_params, 0);

    std::size_t p = 0, s = 0;
    const float* src = input_.data();
    float* diff_src = nullptr;  // nobody needs the gradient w.r.t. the inputs
    for (const auto& l : layers_) {
        l->connect(src, diff_src);
        l->bind_params(params_.data() + p, grads_.data() + p);
        l->decay_mask(decay_mask_.data() + p);
        if (dynamic_cast<DenseLayer*>(l.get()) != nullptr) dense_ranges_.push_back({p, l->param_count()});
        if (l->param_count() != 0) {
            param_ranges_.push_back({p, l->param_count()});
            param_layers_.push_back(static_cast<std::size_t>(&l - layers_.data()));
        }
        l->bind_state(state_.data() + s);
        p += l->param_count();
        s += l->state_count();
        src = l->output();
        diff_src = l->diff_output();
    }
}

Network::~Network() = default;

void Network::initialize(std::uint64_t seed) {
    Rng rng(seed, Stream::Init);
    std::size_t s = 0;
    for (const auto& l : layers_) {
        l->init_params(rng, init_);
        l->bind_state(state_.data() + s);  // binding resets running statistics to their start values
        s += l->state_count();
    }
}

const float* Network::forward(std::size_t n, Mode mode) {
    if (n == 0 || n > (mode == Mode::Train ? max_batch_ : max_infer_batch_))
        throw std::invalid_argument("forward: batch of " + std::to_string(n) + " rows");
    for (const auto& l : layers_) l->forward(n, mode);
    return layers_.back()->output();
}

float* Network::diff_logits() { return layers_.back()->diff_output(); }

void Network::backward(std::size_t n, const ParamsReady& ready) {
    std::size_t k = param_ranges_.size();
    for (std::size_t i = layers_.size(); i-- > 0;) {
        layers_[i]->backward(n);
        if (ready && k > 0 && param_layers_[k - 1] == i) {
            --k;
            ready(k, param_ranges_[k]);
        }
    }
}

std::size_t Network::plain_param_count() const {
    std::size_t count = 0;
    for (const auto& l : layers_) count += l->plain_param_count();
    return count;
}

std::vector<float> Network::to_plain(const float* stored) const {
    std::vector<float> plain(plain_param_count());
    std::size_t p = 0, q = 0;
    for (const auto& l : layers_) {
        l->params_to_plain(stored + p, plain.data() + q);
        p += l->param_count();
        q += l->plain_param_count();
    }
    return plain;
}

void Network::set_plain_params(std::span<const float> plain) {
    if (plain.size() != plain_param_count())
        throw std::invalid_argument("set_plain_params: " + std::to_string(plain.size()) + " values for " +
                                    std::to_string(plain_param_count()) + " parameters");
    std::size_t p = 0, q = 0;
    for (const auto& l : layers_) {
        l->params_from_plain(plain.data() + q, params_.data() + p);
        p += l->param_count();
        q += l->plain_param_count();
    }
}

std::vector<LayerShape> Network::layer_shapes() const {
    std::vector<LayerShape> shapes;
    shapes.reserve(layers_.size());
    for (const auto& l : layers_) {
        LayerShape s;
        s.in = l->in_features();
        s.out = l->out_features();
        s.plain_params = l->plain_param_count();
        s.state = l->state_count();
        if (const auto* d = dynamic_cast<const DenseLayer*>(l.get())) {
            s.kind = LayerKind::Dense;
            s.fused_activation = d->fused_activation();
        } else if (dynamic_cast<const BatchNormLayer*>(l.get()) != nullptr) {
            s.kind = LayerKind::BatchNorm;
        } else if (dynamic_cast<const ActivationLayer*>(l.get()) != nullptr) {
            s.kind = LayerKind::Activation;
        } else if (const auto* m = dynamic_cast<const MaxoutLayer*>(l.get())) {
            s.kind = LayerKind::Maxout;
            s.pieces = m->pieces();
        } else if (const auto* drop = dynamic_cast<const DropoutLayer*>(l.get())) {
            s.kind = LayerKind::Dropout;
            s.rate = drop->rate();
        } else {
            throw std::logic_error("Network::layer_shapes: a layer of an unknown kind");
        }
        shapes.push_back(s);
    }
    return shapes;
}

std::vector<const float*> Network::hidden_outputs() const {
    std::vector<const float*> out;
    out.reserve(hidden_output_layers_.size());
    for (const auto i : hidden_output_layers_) out.push_back(layers_[i]->output());
    return out;
}

}  // namespace dnnsweep
