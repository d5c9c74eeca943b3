#include "step_products.hpp"

#include <random>
#include <unordered_map>

namespace dnnsweep::bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

memory::dim dim(std::size_t v) { return static_cast<memory::dim>(v); }

memory filled(const memory::desc& md, const dnnl::engine& eng, std::uint32_t seed) {
    memory m(md, eng);
    auto* p = static_cast<float*>(m.get_data_handle());
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
    for (std::size_t i = 0; i < md.get_size() / sizeof(float); ++i) p[i] = dist(gen);
    return m;
}

}  // namespace

struct StepProducts::Call {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
};

StepProducts::StepProducts(const std::vector<std::size_t>& widths, std::size_t batch, dnnl::algorithm act) {
    std::uint32_t seed = 1;
    const auto rows = [&](std::size_t c) { return memory::desc({dim(batch), dim(c)}, f32, tag::ab); };
    std::vector<memory> outs{filled(rows(widths[0]), eng_, seed++)}, diffs{memory()};
    for (std::size_t l = 1; l < widths.size(); ++l) {
        outs.push_back(filled(rows(widths[l]), eng_, seed++));
        diffs.push_back(filled(rows(widths[l]), eng_, seed++));
    }
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
        const std::size_t in = widths[l], out = widths[l + 1];
        const bool hidden = l + 2 < widths.size();
        const memory::desc w_oi({dim(out), dim(in)}, f32, tag::oi), b_md({dim(out)}, f32, tag::a);
        const memory weights = filled(w_oi, eng_, seed++), bias = filled(b_md, eng_, seed++);
        const memory diff_weights = filled(w_oi, eng_, seed++), diff_bias = filled(b_md, eng_, seed++);
        dnnl::primitive_attr attr;
        if (hidden) {
            dnnl::post_ops ops;
            ops.append_eltwise(1.0f, act, 0.0f, 0.0f);
            attr.set_post_ops(ops);
        }
        const memory::desc w_ba({dim(in), dim(out)}, f32, memory::dims{1, dim(in)});
        const dnnl::matmul::primitive_desc fwd(
            dnnl::matmul::desc(rows(in), w_ba, memory::desc({1, dim(out)}, f32, tag::ab), rows(out)), attr, eng_);
        forward_.push_back(
            std::make_unique<Call>(Call{dnnl::matmul(fwd),
                                        {{DNNL_ARG_SRC, outs[l]},
                                         {DNNL_ARG_WEIGHTS, memory(w_ba, eng_, weights.get_data_handle())},
                                         {DNNL_ARG_BIAS, memory(fwd.bias_desc(), eng_, bias.get_data_handle())},
                                         {DNNL_ARG_DST, outs[l + 1]}}}));
        const dnnl::inner_product_forward::primitive_desc hint(
            {dnnl::prop_kind::forward_training, rows(in), w_oi, b_md, rows(out)}, eng_);
        std::vector<std::unique_ptr<Call>> layer;  // in engine/layers.cpp's order: input gradient first
        if (l > 0) {
            layer.push_back(std::make_unique<Call>(
                Call{dnnl::inner_product_backward_data(
                         dnnl::inner_product_backward_data::primitive_desc({rows(in), w_oi, rows(out)}, eng_, hint)),
                     {{DNNL_ARG_DIFF_DST, diffs[l + 1]}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, diffs[l]}}}));
            flop_ += 2.0 * static_cast<double>(batch * in * out);
        }
        layer.push_back(std::make_unique<Call>(
            Call{dnnl::inner_product_backward_weights(dnnl::inner_product_backward_weights::primitive_desc(
                     {rows(in), w_oi, b_md, rows(out)}, eng_, hint)),
                 {{DNNL_ARG_SRC, outs[l]},
                  {DNNL_ARG_DIFF_DST, diffs[l + 1]},
                  {DNNL_ARG_DIFF_WEIGHTS, diff_weights},
                  {DNNL_ARG_DIFF_BIAS, diff_bias}}}));
        flop_ += 4.0 * static_cast<double>(batch * in * out);  // this and the forward product
        // Backward runs output to input: this layer's calls go in front of the later layers'.
        backward_.insert(backward_.begin(), std::make_move_iterator(layer.begin()),
                         std::make_move_iterator(layer.end()));
    }
}

StepProducts::~StepProducts() = default;

void StepProducts::run() {
    for (const auto* calls : {&forward_, &backward_})
        for (const auto& c : *calls) {
            c->prim.execute(strm_, c->args);
            strm_.wait();
        }
}

struct CeilingProduct::Call {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
};

CeilingProduct::CeilingProduct(std::size_t batch, std::size_t k, std::size_t n)
    : flop_(2.0 * static_cast<double>(batch * k * n)) {
    const memory::desc src({dim(batch), dim(k)}, f32, tag::ab), dst({dim(batch), dim(n)}, f32, tag::ab);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, memory::desc({dim(k), dim(n)}, f32, tag::any), dst),
                                          eng_);
    call_ = std::make_unique<Call>(Call{dnnl::matmul(pd),
                                        {{DNNL_ARG_SRC, filled(src, eng_, 101)},
                                         {DNNL_ARG_WEIGHTS, filled(pd.weights_desc(), eng_, 102)},
                                         {DNNL_ARG_DST, filled(dst, eng_, 103)}}});
}

CeilingProduct::~CeilingProduct() = default;

void CeilingProduct::run() {
    call_->prim.execute(strm_, call_->args);
    strm_.wait();
}

}  // namespace dnnsweep::bench
