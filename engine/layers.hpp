#pragma once
// The layers of a fully connected network. A small interface in the manner of mlpack's Layer:
// each layer owns its output and output-gradient buffers (sized for the largest batch), reads the
// previous layer's output in place and writes its input gradient straight into the previous
// layer's gradient buffer, so a step moves no data between layers. Parameters live in the
// network's one flat buffer; a layer only holds pointers into it.
//
// oneDNN primitives (and the memory objects wrapping the fixed buffers) are built the first time
// a batch size is seen and reused for every later step of that size: a training run sees at most
// four sizes (the batch, the last partial batch, the evaluation chunk and its last part).
//
// Stored vs plain parameters: a dense layer keeps its weights in the layout its kernel runs
// fastest on (`oi` for oneDNN; transposed and zero-padded for the plain-loop kernel), so a step
// never reorders them. The plain layout (weights `oi`, then the bias) is what init, tests and
// model files see; params_to_plain / params_from_plain convert (parameters and gradients alike:
// both are stored the same way). Padding stays zero: its gradient is zero, so no optimizer moves it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "engine/aligned_buffer.hpp"
#include "engine/config.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {

// What a forward pass is for: training (batch statistics, dropout on, state kept for backward)
// or inference (running statistics, dropout off).
enum class Mode { Train, Infer };

// The oneDNN engine and stream every layer of one network shares.
struct DnnlContext {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
};

// An element-wise activation as oneDNN computes it: the forward algorithm, and the backward one
// that needs only the forward output (so pre-activations need not be kept).
struct EltwiseSpec {
    dnnl::algorithm forward;
    dnnl::algorithm backward_from_dst;
    float alpha = 0.0f;
};
// The oneDNN form of an activation; nullopt for maxout (not an element-wise function).
std::optional<EltwiseSpec> eltwise_for(const TrainConfig& c);

class Layer {
public:
    // max_batch: the most rows a Train pass sees; max_infer_batch (0: the same) the most an Infer
    // pass sees (evaluation runs in larger chunks; it needs no gradient buffers).
    Layer(std::size_t in, std::size_t out, std::size_t max_batch, std::size_t max_infer_batch = 0);
    virtual ~Layer() = default;
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }

    // Trainable parameters (and their gradients) in the network's flat buffers.
    // Stored (what bind_params receives; padding included) and plain parameter counts.
    virtual std::size_t param_count() const { return 0; }
    virtual std::size_t plain_param_count() const { return param_count(); }
    // Stored <-> plain layout, for parameters or gradients (a reorder: never called per step).
    virtual void params_to_plain(const float* stored, float* plain) const;
    virtual void params_from_plain(const float* plain, float* stored) const;
    virtual void bind_params(float* /*params*/, float* /*grads*/) {}
    virtual void init_params(Rng& /*rng*/, Init /*init*/) {}
    // Which stored parameters get L2 weight decay: fills mask[0, param_count()) (padding: 0).
    virtual void decay_mask(std::uint8_t* mask) const;
    // Non-trained state that is part of the model (batchnorm running statistics).
    virtual std::size_t state_count() const { return 0; }
    virtual void bind_state(float* /*state*/) {}

    // src: the previous layer's output; diff_src: the previous layer's gradient buffer (null for
    // the first layer, whose input gradient nobody needs: its backward-data pass is skipped).
    void connect(const float* src, float* diff_src) {
        src_ = src;
        diff_src_ = diff_src;
    }

    // n <= max_batch rows of src -> output(). backward() reads diff_output() (filled by the next
    // layer or the loss), accumulates nothing: it overwrites this layer's parameter gradients and
    // the previous layer's gradient buffer. backward() must follow a Train forward of the same n.
    virtual void forward(std::size_t n, Mode mode) = 0;
    virtual void backward(std::size_t n) = 0;

    const float* output() const { return out_buf_.data(); }
    float* diff_output() { return dout_buf_.data(); }

protected:
    std::size_t in_, out_, max_batch_, max_infer_;
    AlignedBuffer out_buf_;   // max(max_batch, max_infer_batch) x out
    AlignedBuffer dout_buf_;  // max_batch x out
    const float* src_ = nullptr;
    float* diff_src_ = nullptr;
};

// How a dense layer computes. OneDnn: weights `oi`, a matmul forward with the activation fused
// as a post-op, inner_product backward passes. Loops: plain loops (engine/dense_kernels.hpp),
// weights stored transposed (in x padded(out)); for layers so small that oneDNN's fixed cost per
// call outweighs the arithmetic.
// Auto picks Loops for the small layers DenseLayer::auto_kernel names.
enum class DenseKernel { Auto, OneDnn, Loops };

class DenseLayer final : public Layer {
public:
    // Where the loops beat oneDNN's fixed cost per call depends on the CPU (a training step, one
    // thread, batch 100; docs/performance-log.md): on the earlier machines they broke even near
    // 128 x 128 and took half the time at 689 x 10; on the Zen 5 EPYC they are faster up to 32 x 32
    // (16 x 16: a third less time), even near 48 x 48 and at 689 x 10 (within 1% of a 3 x 689 step),
    // and 30-40% slower at 784 x 16, 96 x 96 and 128 x 128. So: the loops up to kSmallDense weights,
    // and for narrow layers (fewer outputs than a vector of floats: a classifier's output layer) up
    // to kSmallNarrow, where no CPU measured so far runs them slower by more than that 1%.
    static constexpr std::size_t kSmallDense = 2048;
    static constexpr std::size_t kSmallNarrow = 128 * 128;
    static constexpr std::size_t kNarrowOut = 16;
    static DenseKernel auto_kernel(std::size_t in, std::size_t out) {
        const bool small = in * out <= kSmallDense || (out < kNarrowOut && in * out <= kSmallNarrow);
        return small ? DenseKernel::Loops : DenseKernel::OneDnn;
    }

    DenseLayer(DnnlContext& ctx, std::size_t in, std::size_t out, std::size_t max_batch,
               std::optional<EltwiseSpec> activation, DenseKernel kernel = DenseKernel::Auto,
               std::size_t max_infer_batch = 0);
    ~DenseLayer() override;

    DenseKernel kernel() const { return kernel_; }
    bool fused_activation() const { return act_.has_value(); }
    std::size_t param_count() const override { return weight_count_ + out_; }
    std::size_t plain_param_count() const override { return out_ * in_ + out_; }
    void params_to_plain(const float* stored, float* plain) const override;
    void params_from_plain(const float* plain, float* stored) const override;
    void bind_params(float* params, float* grads) override;
    void init_params(Rng& rng, Init init) override;
    void decay_mask(std::uint8_t* mask) const override;
    void forward(std::size_t n, Mode mode) override;
    void backward(std::size_t n) override;

private:
    struct TrainPrims;
    struct InferPrims;
    TrainPrims& train_prims(std::size_t n);
    InferPrims& infer_prims(std::size_t n);

    DnnlContext& ctx_;
    std::optional<EltwiseSpec> act_;
    DenseKernel kernel_;
    std::size_t weight_count_ = 0;  // stored weights, padding included
    float* weights_ = nullptr;      // OneDnn: out x in (`oi`); Loops: in x padded(out), transposed
    // Loops only: the output gradient with rows padded to whole registers (when out is not a
    // multiple of them), and the weights transposed back for the input gradient (out x padded(in)).
    AlignedBuffer dz_padded_, w_transposed_;
    float* bias_ = nullptr;
    float* diff_weights_ = nullptr;
    float* diff_bias_ = nullptr;
    std::map<std::size_t, std::unique_ptr<TrainPrims>> train_;
    std::map<std::size_t, std::unique_ptr<InferPrims>> infer_;
};

// Stand-alone activation (used after batchnorm, where it cannot be fused into the dense layer).
class ActivationLayer final : public Layer {
public:
    ActivationLayer(DnnlContext& ctx, std::size_t features, std::size_t max_batch, EltwiseSpec spec,
                    std::size_t max_infer_batch = 0);
    ~ActivationLayer() override;
    void forward(std::size_t n, Mode mode) override;
    void backward(std::size_t n) override;

private:
    struct Prims;
    Prims& prims(std::size_t n);
    DnnlContext& ctx_;
    EltwiseSpec spec_;
    std::map<std::size_t, std::unique_ptr<Prims>> cache_;
};

// oneDNN batch_normalization with trainable scale and shift; running statistics (Keras'
// momentum 0.99, epsilon 1e-3) are the layer's state and are used in inference.
class BatchNormLayer final : public Layer {
public:
    static constexpr float kEpsilon = 1e-3f;
    static constexpr float kMomentum = 0.99f;

    BatchNormLayer(DnnlContext& ctx, std::size_t features, std::size_t max_batch, std::size_t max_infer_batch = 0);
    ~BatchNormLayer() override;

    std::size_t param_count() const override { return 2 * out_; }
    void bind_params(float* params, float* grads) override;
    void init_params(Rng& rng, Init init) override;
    std::size_t state_count() const override { return 2 * out_; }
    void bind_state(float* state) override;
    void forward(std::size_t n, Mode mode) override;
    void backward(std::size_t n) override;

private:
    struct TrainPrims;
    struct InferPrims;
    TrainPrims& train_prims(std::size_t n);
    InferPrims& infer_prims(std::size_t n);

    DnnlContext& ctx_;
    float* scale_ = nullptr;
    float* shift_ = nullptr;
    float* diff_scale_ = nullptr;
    float* diff_shift_ = nullptr;
    float* running_mean_ = nullptr;
    float* running_var_ = nullptr;
    AlignedBuffer batch_mean_, batch_var_;  // the last training batch's statistics, for backward
    // oneDNN's batchnorm backward always writes an input gradient; a first layer has nowhere to
    // put it, so it goes here (allocated only then).
    AlignedBuffer unused_diff_src_;
    std::map<std::size_t, std::unique_ptr<TrainPrims>> train_;
    std::map<std::size_t, std::unique_ptr<InferPrims>> infer_;
};

// Maxout: each output unit is the max of `pieces` consecutive inputs (oneDNN has no maxout).
class MaxoutLayer final : public Layer {
public:
    MaxoutLayer(std::size_t units, std::size_t pieces, std::size_t max_batch, std::size_t max_infer_batch = 0);
    std::size_t pieces() const { return pieces_; }
    void forward(std::size_t n, Mode mode) override;
    void backward(std::size_t n) override;

private:
    std::size_t pieces_;
    std::vector<std::uint32_t> argmax_;  // max rows x units: winning piece per output
};

// Inverted dropout: in training each unit is zeroed with probability `rate` and the survivors
// scaled by 1/(1-rate); in inference it is the identity.
class DropoutLayer final : public Layer {
public:
    DropoutLayer(std::size_t features, std::size_t max_batch, float rate, std::uint64_t seed,
                 std::size_t max_infer_batch = 0);
    void forward(std::size_t n, Mode mode) override;
    void backward(std::size_t n) override;
    const float* mask() const { return mask_.data(); }
    float rate() const { return rate_; }

private:
    float rate_;
    Rng rng_;
    AlignedBuffer mask_;  // max_batch x features: 0 or 1/(1-rate)
};

}  // namespace dnnsweep
