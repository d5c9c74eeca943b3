#include "engine/network.hpp"

#include <stdexcept>

namespace dnnsweep {

Network::Network(const TrainConfig& config, std::size_t features, int classes, std::size_t max_batch)
    : features_(features),
      classes_(classes),
      max_batch_(max_batch),
      hidden_width_(static_cast<std::size_t>(config.width)),
      init_(config.init),
      input_(max_batch * features) {
    if (features == 0 || classes < 2 || max_batch == 0)
        throw std::invalid_argument("network needs at least 1 feature, 2 classes and a batch of 1");
    const auto width = hidden_width_;
    const auto act = eltwise_for(config);
    const bool maxout = config.activation == Activation::Maxout;
    const bool batchnorm = config.normalization == Normalization::BatchNorm;
    const auto pieces = static_cast<std::size_t>(config.maxout_pieces);

    std::size_t in = features;
    for (int i = 0; i < config.layers; ++i) {
        if (maxout) {
            layers_.push_back(std::make_unique<DenseLayer>(ctx_, in, width * pieces, max_batch, std::nullopt));
            if (batchnorm) layers_.push_back(std::make_unique<BatchNormLayer>(ctx_, width * pieces, max_batch));
            layers_.push_back(std::make_unique<MaxoutLayer>(width, pieces, max_batch));
        } else if (batchnorm) {
            // Normalize the pre-activations, so the activation cannot be fused into the dense layer.
            layers_.push_back(std::make_unique<DenseLayer>(ctx_, in, width, max_batch, std::nullopt));
            layers_.push_back(std::make_unique<BatchNormLayer>(ctx_, width, max_batch));
            layers_.push_back(std::make_unique<ActivationLayer>(ctx_, width, max_batch, *act));
        } else {
            layers_.push_back(std::make_unique<DenseLayer>(ctx_, in, width, max_batch, act));
        }
        hidden_output_layers_.push_back(layers_.size() - 1);
        if (config.dropout > 0.0) {
            // Each dropout layer its own stream, all derived from the run's seed.
            const std::uint64_t seed = config.seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(i + 1);
            layers_.push_back(
                std::make_unique<DropoutLayer>(width, max_batch, static_cast<float>(config.dropout), seed));
        }
        in = width;
    }
    layers_.push_back(std::make_unique<DenseLayer>(ctx_, in, static_cast<std::size_t>(classes), max_batch, std::nullopt));

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
    if (n == 0 || n > max_batch_) throw std::invalid_argument("forward: batch of " + std::to_string(n) + " rows");
    for (const auto& l : layers_) l->forward(n, mode);
    return layers_.back()->output();
}

float* Network::diff_logits() { return layers_.back()->diff_output(); }

void Network::backward(std::size_t n) {
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) (*it)->backward(n);
}

std::vector<const float*> Network::hidden_outputs() const {
    std::vector<const float*> out;
    out.reserve(hidden_output_layers_.size());
    for (const auto i : hidden_output_layers_) out.push_back(layers_[i]->output());
    return out;
}

}  // namespace dnnsweep
