#include "engine/activation.hpp"

#include <array>
#include <string>

#include "engine/config.hpp"
#include "engine/enum_table.hpp"

namespace dnnsweep {
namespace {

using F = ActivationFamily;
constexpr std::array<ActivationInfo, 6> kActivations{{
    {Activation::Sigmoid, "sigmoid", "logistic 1 / (1 + e^-x)", F::Sigmoid, dnnl_eltwise_logistic,
     dnnl_eltwise_logistic_use_dst_for_bwd},
    {Activation::Tanh, "tanh", "hyperbolic tangent", F::Tanh, dnnl_eltwise_tanh, dnnl_eltwise_tanh_use_dst_for_bwd},
    {Activation::Relu, "relu", "max(0, x)", F::ReluLike, dnnl_eltwise_relu, dnnl_eltwise_relu_use_dst_for_bwd},
    {Activation::LeakyRelu, "leaky_relu", "x, or leaky-relu-alpha * x below 0", F::ReluLike, dnnl_eltwise_relu,
     dnnl_eltwise_relu_use_dst_for_bwd, &TrainConfig::leaky_relu_alpha},
    {Activation::Elu, "elu", "x, or elu-alpha * (e^x - 1) below 0", F::ReluLike, dnnl_eltwise_elu,
     dnnl_eltwise_elu_use_dst_for_bwd, &TrainConfig::elu_alpha},
    {Activation::Maxout, "maxout", "the largest of maxout-pieces linear pieces", F::Other},
}};

static_assert(covers_in_order(kActivations), "one row per Activation, in enum order");

}  // namespace

std::span<const ActivationInfo> activations() { return kActivations; }

const ActivationInfo& info(Activation a) { return kActivations[static_cast<std::size_t>(a)]; }

Activation parse_activation(std::string_view s) {
    std::string choices;
    for (const ActivationInfo& a : kActivations) {
        if (a.name == s) return a.value;
        choices += (choices.empty() ? "" : ", ") + std::string(a.name);
    }
    throw ConfigError("unknown activation '" + std::string(s) + "' (choose one of: " + choices + ")");
}

}  // namespace dnnsweep
