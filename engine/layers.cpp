#include "engine/layers.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/dense_kernels.hpp"

namespace dnnsweep {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

memory::dim dim(std::size_t v) { return static_cast<memory::dim>(v); }
memory::desc rows_md(std::size_t n, std::size_t c) { return memory::desc({dim(n), dim(c)}, f32, tag::nc); }
memory::desc vec_md(std::size_t c) { return memory::desc({dim(c)}, f32, tag::x); }
// oneDNN memory objects over our own buffers: the data is never copied into oneDNN.
memory wrap(const memory::desc& md, const dnnl::engine& eng, const float* p) {
    return memory(md, eng, const_cast<float*>(p));  // oneDNN's API is not const-correct; inputs are only read
}

// Execution arguments converted once to the C API's array: the C++ execute() rebuilds that array,
// a heap allocation, on every call. The memory objects stay owned here, so the handles stay valid.
class Args {
public:
    Args() = default;
    Args(std::unordered_map<int, memory> args) : owners_(std::move(args)) {
        for (const auto& [arg, mem] : owners_) c_args_.push_back({arg, mem.get()});
    }
    Args(std::initializer_list<std::pair<const int, memory>> args) : Args(std::unordered_map<int, memory>(args)) {}
    const std::vector<dnnl_exec_arg_t>& c_args() const { return c_args_; }

private:
    std::unordered_map<int, memory> owners_;
    std::vector<dnnl_exec_arg_t> c_args_;
};

void run(const dnnl::primitive& p, const dnnl::stream& s, const Args& args) {
    dnnl::error::wrap_c_api(
        dnnl_primitive_execute(p.get(), s.get(), static_cast<int>(args.c_args().size()), args.c_args().data()),
        "could not execute a primitive");
}

}  // namespace

std::optional<EltwiseSpec> eltwise_for(const TrainConfig& c) {
    const ActivationInfo& a = info(c.activation);
    if (a.forward == dnnl_alg_kind_undef) return std::nullopt;
    return EltwiseSpec{static_cast<algorithm>(a.forward), static_cast<algorithm>(a.backward_from_dst),
                       a.alpha ? c.*a.alpha : 0.0f};
}

// ---------------------------------------------------------------------------------------- Layer

Layer::Layer(std::size_t in, std::size_t out, std::size_t max_batch, std::size_t max_infer_batch)
    : in_(in),
      out_(out),
      max_batch_(max_batch),
      max_infer_(max_infer_batch == 0 ? max_batch : max_infer_batch),
      out_buf_(std::max(max_batch_, max_infer_) * out),
      dout_buf_(max_batch * out) {}

void Layer::decay_mask(std::uint8_t* mask) const { std::fill_n(mask, param_count(), std::uint8_t{0}); }

void Layer::params_to_plain(const float* stored, float* plain) const { std::copy_n(stored, param_count(), plain); }

void Layer::params_from_plain(const float* plain, float* stored) const { std::copy_n(plain, param_count(), stored); }

// ----------------------------------------------------------------------------------- DenseLayer

struct DenseLayer::TrainPrims {
    dnnl::matmul forward;
    Args forward_args;
    std::optional<dnnl::eltwise_backward> activation_backward;
    Args activation_args;
    std::optional<dnnl::inner_product_backward_data> backward_data;
    Args backward_data_args;
    dnnl::inner_product_backward_weights backward_weights;
    Args backward_weights_args;
};

struct DenseLayer::InferPrims {
    dnnl::matmul forward;
    Args args;
};

namespace {

dnnl::primitive_attr activation_attr(const std::optional<EltwiseSpec>& act) {
    dnnl::primitive_attr attr;
    if (act) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, act->forward, act->alpha, 0.0f);
        attr.set_post_ops(ops);
    }
    return attr;
}

memory::desc plain_weights_md(std::size_t in, std::size_t out) {
    return memory::desc({dim(out), dim(in)}, f32, tag::oi);
}

// The forward pass is a matmul, not an inner_product: dst (n x out) = src (n x in) * W^T + bias,
// with W^T the same `oi` buffer read as an in x out matrix with strides {1, in}. At the seed
// table's shapes oneDNN 2.6 runs it with its brgemm kernel: with the weights from memory, 4%
// faster than inner_product's gemm at batch 100 and 25% at the evaluation's 256 rows
// (docs/performance-log.md, speed work). The backward passes stay inner_product: faster on `oi`.
dnnl::matmul::primitive_desc forward_pd(std::size_t n, std::size_t in, std::size_t out,
                                        const std::optional<EltwiseSpec>& act, const dnnl::engine& eng) {
    const memory::desc src_md({dim(n), dim(in)}, f32, tag::ab), dst_md({dim(n), dim(out)}, f32, tag::ab);
    const memory::desc w_md({dim(in), dim(out)}, f32, memory::dims{1, dim(in)});
    const memory::desc b_md({1, dim(out)}, f32, tag::ab);
    return {dnnl::matmul::desc(src_md, w_md, b_md, dst_md), activation_attr(act), eng};
}

Args forward_args(const dnnl::matmul::primitive_desc& pd, const dnnl::engine& eng, const float* src,
                  const float* weights, const float* bias, float* dst) {
    return {{DNNL_ARG_SRC, wrap(pd.src_desc(), eng, src)},
            {DNNL_ARG_WEIGHTS, wrap(pd.weights_desc(), eng, weights)},
            {DNNL_ARG_BIAS, wrap(pd.bias_desc(), eng, bias)},
            {DNNL_ARG_DST, wrap(pd.dst_desc(), eng, dst)}};
}

}  // namespace

DenseLayer::DenseLayer(DnnlContext& ctx, std::size_t in, std::size_t out, std::size_t max_batch,
                       std::optional<EltwiseSpec> activation, DenseKernel kernel, std::size_t max_infer_batch)
    : Layer(in, out, max_batch, max_infer_batch),
      ctx_(ctx),
      act_(activation),
      kernel_(kernel != DenseKernel::Auto ? kernel : auto_kernel(in, out)) {
    if (kernel_ == DenseKernel::OneDnn) {
        // Plain `oi`, measured faster than the blocked layout oneDNN's forward kernel asks for
        // (format_tag::any): the blocked backward kernels lose more than its forward gains
        // (docs/performance-log.md, speed work).
        weight_count_ = in * out;
        return;
    }
    weight_count_ = in * kernels::padded(out);
    if (out % kernels::kLanes != 0) dz_padded_ = AlignedBuffer(max_batch * kernels::padded(out));
    w_transposed_ = AlignedBuffer(out * kernels::padded(in));
}

DenseLayer::~DenseLayer() = default;

void DenseLayer::params_to_plain(const float* stored, float* plain) const {
    if (kernel_ == DenseKernel::OneDnn) {
        std::copy_n(stored, param_count(), plain);
        return;
    }
    const std::size_t ld = kernels::padded(out_);
    for (std::size_t o = 0; o < out_; ++o)
        for (std::size_t i = 0; i < in_; ++i) plain[o * in_ + i] = stored[i * ld + o];
    std::copy_n(stored + weight_count_, out_, plain + out_ * in_);
}

void DenseLayer::params_from_plain(const float* plain, float* stored) const {
    if (kernel_ == DenseKernel::OneDnn) {
        std::copy_n(plain, param_count(), stored);
        return;
    }
    kernels::transpose(out_, in_, plain, in_, stored, kernels::padded(out_));  // zeroes the padding
    std::copy_n(plain + out_ * in_, out_, stored + weight_count_);
}

void DenseLayer::bind_params(float* params, float* grads) {
    weights_ = params;
    bias_ = params + weight_count_;
    diff_weights_ = grads;
    diff_bias_ = grads + weight_count_;
    // Primitives hold memory objects over the old pointers.
    train_.clear();
    infer_.clear();
}

void DenseLayer::init_params(Rng& rng, Init init) {
    // Keras: glorot_uniform limit sqrt(6 / (fan_in + fan_out)), he_uniform sqrt(6 / fan_in).
    // Drawn in the plain `oi` order, so the stored layout does not change the model.
    const double fan = init == Init::GlorotUniform ? static_cast<double>(in_ + out_) : static_cast<double>(in_);
    const auto limit = static_cast<float>(std::sqrt(6.0 / fan));
    std::vector<float> plain(plain_param_count(), 0.0f);
    for (std::size_t i = 0; i < out_ * in_; ++i) plain[i] = rng.uniform(-limit, limit);
    params_from_plain(plain.data(), weights_);
}

void DenseLayer::decay_mask(std::uint8_t* mask) const {
    // Ones at the real weights, zeros at padding and biases: a plain mask taken to the stored layout.
    std::vector<float> plain(plain_param_count(), 0.0f), stored(param_count(), 0.0f);
    std::fill_n(plain.begin(), out_ * in_, 1.0f);
    params_from_plain(plain.data(), stored.data());
    for (std::size_t i = 0; i < stored.size(); ++i) mask[i] = stored[i] != 0.0f ? 1 : 0;
}

DenseLayer::TrainPrims& DenseLayer::train_prims(std::size_t n) {
    if (auto it = train_.find(n); it != train_.end()) return *it->second;
    const auto& eng = ctx_.engine;
    const auto src_md = rows_md(n, in_), dst_md = rows_md(n, out_);
    const auto w_md = plain_weights_md(in_, out_);
    const auto b_md = vec_md(out_);

    // The backward primitives' hint: an inner_product forward that is never built (see forward_pd).
    const dnnl::inner_product_forward::primitive_desc fwd_pd({prop_kind::forward_training, src_md, w_md, b_md, dst_md},
                                                             activation_attr(act_), eng);
    const auto src = wrap(src_md, eng, src_), weights = wrap(w_md, eng, weights_);
    const auto dst = wrap(dst_md, eng, out_buf_.data()), diff_dst = wrap(dst_md, eng, dout_buf_.data());

    const auto matmul_pd = forward_pd(n, in_, out_, act_, eng);
    auto p = std::make_unique<TrainPrims>(
        TrainPrims{dnnl::matmul(matmul_pd),
                   forward_args(matmul_pd, eng, src_, weights_, bias_, out_buf_.data()),
                   std::nullopt,
                   {},
                   std::nullopt,
                   {},
                   dnnl::inner_product_backward_weights(
                       dnnl::inner_product_backward_weights::primitive_desc({src_md, w_md, b_md, dst_md}, eng, fwd_pd)),
                   {{DNNL_ARG_SRC, src},
                    {DNNL_ARG_DIFF_DST, diff_dst},
                    {DNNL_ARG_DIFF_WEIGHTS, wrap(w_md, eng, diff_weights_)},
                    {DNNL_ARG_DIFF_BIAS, wrap(b_md, eng, diff_bias_)}}});

    if (act_) {
        // The activation's backward needs only its output (use_dst_for_bwd), computed in place
        // on the output gradient: no pre-activation buffer.
        const dnnl::eltwise_forward::primitive_desc hint(
            {prop_kind::forward_training, act_->forward, dst_md, act_->alpha, 0.0f}, eng);
        p->activation_backward = dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(
            {act_->backward_from_dst, dst_md, dst_md, act_->alpha, 0.0f}, eng, hint));
        p->activation_args = {{DNNL_ARG_DST, dst}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_SRC, diff_dst}};
    }
    if (diff_src_ != nullptr) {
        p->backward_data = dnnl::inner_product_backward_data(
            dnnl::inner_product_backward_data::primitive_desc({src_md, w_md, dst_md}, eng, fwd_pd));
        p->backward_data_args = {{DNNL_ARG_DIFF_DST, diff_dst},
                                 {DNNL_ARG_WEIGHTS, weights},
                                 {DNNL_ARG_DIFF_SRC, wrap(src_md, eng, diff_src_)}};
    }
    return *train_.emplace(n, std::move(p)).first->second;
}

DenseLayer::InferPrims& DenseLayer::infer_prims(std::size_t n) {
    if (auto it = infer_.find(n); it != infer_.end()) return *it->second;
    const auto pd = forward_pd(n, in_, out_, act_, ctx_.engine);
    auto p = std::make_unique<InferPrims>(
        InferPrims{dnnl::matmul(pd), forward_args(pd, ctx_.engine, src_, weights_, bias_, out_buf_.data())});
    return *infer_.emplace(n, std::move(p)).first->second;
}

void DenseLayer::forward(std::size_t n, Mode mode) {
    if (kernel_ == DenseKernel::Loops) {
        float* y = out_buf_.data();
        kernels::dense_forward(n, in_, out_, src_, weights_, bias_, y);
        if (act_) kernels::activation_forward(act_->forward, act_->alpha, y, n * out_);
        return;
    }
    if (mode == Mode::Train) {
        auto& p = train_prims(n);
        run(p.forward, ctx_.stream, p.forward_args);
    } else {
        auto& p = infer_prims(n);
        run(p.forward, ctx_.stream, p.args);
    }
    ctx_.stream.wait();
}

void DenseLayer::backward(std::size_t n) {
    if (kernel_ == DenseKernel::Loops) {
        float* dz = dout_buf_.data();  // the activation's backward in place, as on the oneDNN path
        if (act_) kernels::activation_backward(act_->backward_from_dst, act_->alpha, out_buf_.data(), dz, n * out_);
        const float* dz_rows = dz;
        if (dz_padded_.size() != 0) {  // its padding columns stay zero from construction
            const std::size_t ld = kernels::padded(out_);
            for (std::size_t r = 0; r < n; ++r) std::copy_n(dz + r * out_, out_, dz_padded_.data() + r * ld);
            dz_rows = dz_padded_.data();
        }
        kernels::dense_backward_weights(n, in_, out_, src_, dz_rows, diff_weights_, diff_bias_);
        if (diff_src_ != nullptr) {
            // A per-call transposition of at most kSmallNarrow weights (from the stored layout
            // that suits the forward pass), so the input gradient runs along rows too.
            kernels::transpose(in_, out_, weights_, kernels::padded(out_), w_transposed_.data(), kernels::padded(in_));
            kernels::dense_backward_data(n, in_, out_, dz, out_, w_transposed_.data(), diff_src_);
        }
        return;
    }
    auto& p = train_prims(n);
    if (p.activation_backward) run(*p.activation_backward, ctx_.stream, p.activation_args);
    // The input gradient first, then the weight gradients: the optimizer's update, which runs next
    // (Network::backward's hook), then finds the gradients it reads still in cache. The two products
    // are independent, so the order changes no result.
    if (p.backward_data) run(*p.backward_data, ctx_.stream, p.backward_data_args);
    run(p.backward_weights, ctx_.stream, p.backward_weights_args);
    ctx_.stream.wait();
}

// ------------------------------------------------------------------------------ ActivationLayer

struct ActivationLayer::Prims {
    dnnl::eltwise_forward forward;
    Args forward_args;
    dnnl::eltwise_backward backward;
    Args backward_args;
};

ActivationLayer::ActivationLayer(DnnlContext& ctx, std::size_t features, std::size_t max_batch, EltwiseSpec spec,
                                 std::size_t max_infer_batch)
    : Layer(features, features, max_batch, max_infer_batch), ctx_(ctx), spec_(spec) {}

ActivationLayer::~ActivationLayer() = default;

ActivationLayer::Prims& ActivationLayer::prims(std::size_t n) {
    if (auto it = cache_.find(n); it != cache_.end()) return *it->second;
    const auto& eng = ctx_.engine;
    const auto md = rows_md(n, out_);
    const dnnl::eltwise_forward::primitive_desc fwd_pd(
        {prop_kind::forward_training, spec_.forward, md, spec_.alpha, 0.0f}, eng);
    const auto dst = wrap(md, eng, out_buf_.data());
    std::unordered_map<int, memory> bwd_args{{DNNL_ARG_DST, dst}, {DNNL_ARG_DIFF_DST, wrap(md, eng, dout_buf_.data())}};
    if (diff_src_ != nullptr) bwd_args.emplace(DNNL_ARG_DIFF_SRC, wrap(md, eng, diff_src_));
    auto p = std::make_unique<Prims>(Prims{dnnl::eltwise_forward(fwd_pd),
                                           {{DNNL_ARG_SRC, wrap(md, eng, src_)}, {DNNL_ARG_DST, dst}},
                                           dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(
                                               {spec_.backward_from_dst, md, md, spec_.alpha, 0.0f}, eng, fwd_pd)),
                                           std::move(bwd_args)});
    return *cache_.emplace(n, std::move(p)).first->second;
}

void ActivationLayer::forward(std::size_t n, Mode /*mode*/) {
    auto& p = prims(n);
    run(p.forward, ctx_.stream, p.forward_args);
    ctx_.stream.wait();
}

void ActivationLayer::backward(std::size_t n) {
    if (diff_src_ == nullptr) return;
    auto& p = prims(n);
    run(p.backward, ctx_.stream, p.backward_args);
    ctx_.stream.wait();
}

// ------------------------------------------------------------------------------- BatchNormLayer

struct BatchNormLayer::TrainPrims {
    dnnl::batch_normalization_forward forward;
    Args forward_args;
    dnnl::batch_normalization_backward backward;
    Args backward_args;
};

struct BatchNormLayer::InferPrims {
    dnnl::batch_normalization_forward forward;
    Args args;
};

BatchNormLayer::BatchNormLayer(DnnlContext& ctx, std::size_t features, std::size_t max_batch,
                               std::size_t max_infer_batch)
    : Layer(features, features, max_batch, max_infer_batch), ctx_(ctx), batch_mean_(features), batch_var_(features) {}

BatchNormLayer::~BatchNormLayer() = default;

void BatchNormLayer::bind_params(float* params, float* grads) {
    scale_ = params;
    shift_ = params + out_;
    diff_scale_ = grads;
    diff_shift_ = grads + out_;
}

void BatchNormLayer::init_params(Rng& /*rng*/, Init /*init*/) {
    std::fill_n(scale_, out_, 1.0f);
    std::fill_n(shift_, out_, 0.0f);
}

void BatchNormLayer::bind_state(float* state) {
    running_mean_ = state;
    running_var_ = state + out_;
    std::fill_n(running_mean_, out_, 0.0f);
    std::fill_n(running_var_, out_, 1.0f);
}

namespace {
const auto kScaleShift = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
}

BatchNormLayer::TrainPrims& BatchNormLayer::train_prims(std::size_t n) {
    if (auto it = train_.find(n); it != train_.end()) return *it->second;
    const auto& eng = ctx_.engine;
    const auto md = rows_md(n, out_), c_md = vec_md(out_);
    const dnnl::batch_normalization_forward::primitive_desc fwd_pd(
        {prop_kind::forward_training, md, kEpsilon, kScaleShift}, eng);
    const auto src = wrap(md, eng, src_), scale = wrap(c_md, eng, scale_), shift = wrap(c_md, eng, shift_);
    const auto mean = wrap(c_md, eng, batch_mean_.data()), var = wrap(c_md, eng, batch_var_.data());
    // A first layer (no diff_src) still needs the scale and shift gradients, which oneDNN only
    // computes together with an input gradient.
    if (diff_src_ == nullptr && unused_diff_src_.size() == 0) unused_diff_src_ = AlignedBuffer(max_batch_ * out_);
    float* const diff_src = diff_src_ != nullptr ? diff_src_ : unused_diff_src_.data();
    auto p = std::make_unique<TrainPrims>(
        TrainPrims{dnnl::batch_normalization_forward(fwd_pd),
                   {{DNNL_ARG_SRC, src},
                    {DNNL_ARG_DST, wrap(md, eng, out_buf_.data())},
                    {DNNL_ARG_SCALE, scale},
                    {DNNL_ARG_SHIFT, shift},
                    {DNNL_ARG_MEAN, mean},
                    {DNNL_ARG_VARIANCE, var}},
                   dnnl::batch_normalization_backward(dnnl::batch_normalization_backward::primitive_desc(
                       {prop_kind::backward, md, md, kEpsilon, kScaleShift}, eng, fwd_pd)),
                   {{DNNL_ARG_SRC, src},
                    {DNNL_ARG_MEAN, mean},
                    {DNNL_ARG_VARIANCE, var},
                    {DNNL_ARG_DIFF_DST, wrap(md, eng, dout_buf_.data())},
                    {DNNL_ARG_SCALE, scale},
                    {DNNL_ARG_SHIFT, shift},
                    {DNNL_ARG_DIFF_SRC, wrap(md, eng, diff_src)},
                    {DNNL_ARG_DIFF_SCALE, wrap(c_md, eng, diff_scale_)},
                    {DNNL_ARG_DIFF_SHIFT, wrap(c_md, eng, diff_shift_)}}});
    return *train_.emplace(n, std::move(p)).first->second;
}

BatchNormLayer::InferPrims& BatchNormLayer::infer_prims(std::size_t n) {
    if (auto it = infer_.find(n); it != infer_.end()) return *it->second;
    const auto& eng = ctx_.engine;
    const auto md = rows_md(n, out_), c_md = vec_md(out_);
    const dnnl::batch_normalization_forward::primitive_desc pd(
        {prop_kind::forward_inference, md, kEpsilon, kScaleShift | dnnl::normalization_flags::use_global_stats}, eng);
    auto p = std::make_unique<InferPrims>(InferPrims{dnnl::batch_normalization_forward(pd),
                                                     {{DNNL_ARG_SRC, wrap(md, eng, src_)},
                                                      {DNNL_ARG_DST, wrap(md, eng, out_buf_.data())},
                                                      {DNNL_ARG_SCALE, wrap(c_md, eng, scale_)},
                                                      {DNNL_ARG_SHIFT, wrap(c_md, eng, shift_)},
                                                      {DNNL_ARG_MEAN, wrap(c_md, eng, running_mean_)},
                                                      {DNNL_ARG_VARIANCE, wrap(c_md, eng, running_var_)}}});
    return *infer_.emplace(n, std::move(p)).first->second;
}

void BatchNormLayer::forward(std::size_t n, Mode mode) {
    if (mode == Mode::Infer) {
        auto& p = infer_prims(n);
        run(p.forward, ctx_.stream, p.args);
        ctx_.stream.wait();
        return;
    }
    auto& p = train_prims(n);
    run(p.forward, ctx_.stream, p.forward_args);
    ctx_.stream.wait();
    // Running statistics as Keras keeps them; the variance gets Bessel's correction since oneDNN
    // reports the biased batch variance.
    const float unbias = n > 1 ? static_cast<float>(n) / static_cast<float>(n - 1) : 1.0f;
    for (std::size_t c = 0; c < out_; ++c) {
        running_mean_[c] = kMomentum * running_mean_[c] + (1.0f - kMomentum) * batch_mean_[c];
        running_var_[c] = kMomentum * running_var_[c] + (1.0f - kMomentum) * batch_var_[c] * unbias;
    }
}

void BatchNormLayer::backward(std::size_t n) {
    auto& p = train_prims(n);
    run(p.backward, ctx_.stream, p.backward_args);
    ctx_.stream.wait();
}

// ---------------------------------------------------------------------------------- MaxoutLayer

MaxoutLayer::MaxoutLayer(std::size_t units, std::size_t pieces, std::size_t max_batch, std::size_t max_infer_batch)
    : Layer(units * pieces, units, max_batch, max_infer_batch),
      pieces_(pieces),
      argmax_(std::max(max_batch_, max_infer_) * units) {}

void MaxoutLayer::forward(std::size_t n, Mode /*mode*/) {
    float* out = out_buf_.data();
    for (std::size_t i = 0; i < n * out_; ++i) {
        const float* group = src_ + i * pieces_;
        std::uint32_t best = 0;
        for (std::uint32_t p = 1; p < pieces_; ++p)
            if (group[p] > group[best]) best = p;
        out[i] = group[best];
        argmax_[i] = best;
    }
}

void MaxoutLayer::backward(std::size_t n) {
    if (diff_src_ == nullptr) return;
    std::fill_n(diff_src_, n * in_, 0.0f);
    const float* dout = dout_buf_.data();
    for (std::size_t i = 0; i < n * out_; ++i) diff_src_[i * pieces_ + argmax_[i]] = dout[i];
}

// --------------------------------------------------------------------------------- DropoutLayer

DropoutLayer::DropoutLayer(std::size_t features, std::size_t max_batch, float rate, std::uint64_t seed,
                           std::size_t max_infer_batch)
    : Layer(features, features, max_batch, max_infer_batch),
      rate_(rate),
      rng_(seed, Stream::Dropout),
      mask_(max_batch * features) {}

void DropoutLayer::forward(std::size_t n, Mode mode) {
    float* out = out_buf_.data();
    const std::size_t count = n * out_;
    if (mode == Mode::Infer) {
        std::memcpy(out, src_, count * sizeof(float));
        return;
    }
    // Keep with probability 1 - rate, compared on 24-bit uniforms (exact in float).
    const auto threshold = static_cast<std::int32_t>(std::ceil(static_cast<double>(rate_) * 16777216.0));
    const auto keep_bits = std::bit_cast<std::uint32_t>(1.0f / (1.0f - rate_));
    float* mask = mask_.data();
    // The draws in blocks (Rng::fill keeps the generator in registers), then branch-free loops.
    constexpr std::size_t kBlock = 512;
    std::array<std::uint64_t, kBlock> draws;
    for (std::size_t start = 0; start < count; start += kBlock) {
        const std::size_t k = std::min(kBlock, count - start);
        rng_.fill(draws.data(), k);
        float* m = mask + start;
        // Bit masks, not a branch: one on random draws is mispredicted at every rate but 0 and 1.
        for (std::size_t i = 0; i < k; ++i) {
            const auto keep = static_cast<std::uint32_t>(static_cast<std::int32_t>(draws[i] >> 40) >= threshold);
            m[i] = std::bit_cast<float>((0u - keep) & keep_bits);
        }
        for (std::size_t i = start; i < start + k; ++i) out[i] = src_[i] * mask[i];
    }
}

void DropoutLayer::backward(std::size_t n) {
    if (diff_src_ == nullptr) return;
    const float* dout = dout_buf_.data();
    const float* mask = mask_.data();
    for (std::size_t i = 0; i < n * out_; ++i) diff_src_[i] = dout[i] * mask[i];
}

}  // namespace dnnsweep
