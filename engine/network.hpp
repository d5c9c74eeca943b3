#pragma once
// A fully connected classifier built from a TrainConfig: hidden blocks of
//   Dense(+activation fused) [-> Dropout]                       (no batchnorm, element-wise activation)
//   Dense -> BatchNorm -> Activation [-> Dropout]               (normalization = batchnorm)
//   Dense(width * k) [-> BatchNorm] -> Maxout(k) [-> Dropout]    (activation = maxout)
// then a Dense output layer producing logits (softmax lives in the loss). The network owns every
// trainable parameter in one flat buffer (and their gradients in another of the same size), so the
// optimizer runs one fused loop and a model is one thing to copy, checkpoint or send. Dense weights
// sit in that buffer in the layout their kernel uses (see engine/layers.hpp: blocked and
// zero-padded for oneDNN), so no step reorders them; plain_params() gives the plain layout.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "engine/aligned_buffer.hpp"
#include "engine/config.hpp"
#include "engine/layers.hpp"

namespace dnnsweep {

// Where one layer's parameters sit in the flat buffer.
struct ParamRange {
    std::size_t offset = 0;
    std::size_t count = 0;
};

// What one layer of the network is, for describing it outside the engine (model files).
enum class LayerKind { Dense, BatchNorm, Activation, Maxout, Dropout };
struct LayerShape {
    LayerKind kind = LayerKind::Dense;
    std::size_t in = 0, out = 0;
    bool fused_activation = false;  // dense: the hidden activation runs inside this layer
    std::size_t pieces = 0;         // maxout
    float rate = 0.0f;              // dropout
    std::size_t plain_params = 0;   // its share of plain_params(), in layer order
    std::size_t state = 0;          // its share of state(), in layer order
};

class Network {
public:
    // max_batch: the most rows a training pass sees; max_infer_batch (0: the same) the most an
    // inference pass sees. kernel: how dense layers compute (Auto: by size; tests force one).
    Network(const TrainConfig& config, std::size_t features, int classes, std::size_t max_batch,
            std::size_t max_infer_batch = 0, DenseKernel kernel = DenseKernel::Auto);
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    std::size_t features() const { return features_; }
    int classes() const { return classes_; }
    std::size_t max_batch() const { return max_batch_; }
    std::size_t max_infer_batch() const { return max_infer_batch_; }

    // Glorot/He weights (config.init) and zero biases from the seed's Init stream; batchnorm scale 1, shift 0,
    // running mean 0, variance 1.
    void initialize(std::uint64_t seed);

    // Rows are copied into the network's input buffer (n <= the mode's maximum, row-major, features wide).
    float* input() { return input_.data(); }
    // Forward pass over the first n rows of input(); returns the n x classes logits.
    // Train: n <= max_batch(); Infer: n <= max_infer_batch().
    const float* forward(std::size_t n, Mode mode);
    // The n x classes gradient of the loss w.r.t. the logits: the loss writes it, backward reads it.
    float* diff_logits();
    // Called by backward() for each layer with parameters, output to input, as soon as its
    // gradients are final and the pass needs its parameters no more: `index` into param_ranges().
    // The hook for updating a layer while its gradients and weights are still in cache.
    using ParamsReady = std::function<void(std::size_t index, const ParamRange& range)>;
    // Backward pass after a Train forward of the same n: fills grads() (overwriting).
    void backward(std::size_t n, const ParamsReady& ready = {});

    // The stored parameters and gradients (dense weights in their kernel's layout, padding zero):
    // what the optimizer updates and early stopping copies.
    std::span<float> params() { return params_.span(); }
    std::span<const float> params() const { return params_.span(); }
    std::span<const float> grads() const { return grads_.span(); }
    // The same in the plain layout (each dense layer: weights `oi`, then the bias), reordered on
    // every call: for tests and model files, not for steps.
    std::size_t plain_param_count() const;
    std::vector<float> plain_params() const { return to_plain(params_.data()); }
    std::vector<float> plain_grads() const { return to_plain(grads_.data()); }
    void set_plain_params(std::span<const float> plain);
    // Non-trained model state (batchnorm running statistics): part of a saved model.
    std::span<float> state() { return state_.span(); }
    std::span<const float> state() const { return state_.span(); }
    // 1 for stored parameters that get L2 weight decay (dense weights), 0 otherwise (padding too).
    const std::vector<std::uint8_t>& decay_mask() const { return decay_mask_; }

    // Every layer, input to output (the output layer last).
    std::vector<LayerShape> layer_shapes() const;

    // One entry per layer with parameters (dense, batchnorm), input to output.
    const std::vector<ParamRange>& param_ranges() const { return param_ranges_; }
    // One entry per dense layer, input to output: its stored weights and bias in params()/grads().
    const std::vector<ParamRange>& dense_params() const { return dense_ranges_; }
    // The hidden activations after the last forward pass (one n x width block per hidden layer,
    // after the activation and before dropout): what the health figures inspect.
    std::vector<const float*> hidden_outputs() const;
    std::size_t hidden_width() const { return hidden_width_; }

private:
    std::vector<float> to_plain(const float* stored) const;

    std::size_t features_;
    int classes_;
    std::size_t max_batch_;
    std::size_t max_infer_batch_;
    std::size_t hidden_width_;
    Init init_;
    DnnlContext ctx_;
    AlignedBuffer input_;
    std::vector<std::unique_ptr<Layer>> layers_;
    std::vector<std::size_t> hidden_output_layers_;  // index into layers_ of each hidden block's activation output
    AlignedBuffer params_, grads_, state_;
    std::vector<std::uint8_t> decay_mask_;
    std::vector<ParamRange> dense_ranges_;
    std::vector<ParamRange> param_ranges_;
    std::vector<std::size_t> param_layers_;  // index into layers_ of each param_ranges_ entry
};

}  // namespace dnnsweep
