#pragma once
// The hidden activations, each described once (engine/activation.cpp): its name, its oneDNN
// element-wise algorithms and parameter, and its family, which says which health figure the
// trainer records for it and which causes the diagnosis can give. A new activation is an
// enumerator here and a row there.
#include <oneapi/dnnl/dnnl_types.h>

#include <span>
#include <string_view>

namespace dnnsweep {

struct TrainConfig;

enum class Activation : unsigned char { Sigmoid, Tanh, Relu, LeakyRelu, Elu, Maxout };

// What the health figures look at (engine/trainer.hpp's Health): relu-like units can die (output
// <= 0 on every sample: `dead_relu`, and the diagnosis's dead_relu cause); sigmoid and tanh units
// saturate in their flat tails (`saturated`); other activations get neither figure.
enum class ActivationFamily : unsigned char { ReluLike, Sigmoid, Tanh, Other };

struct ActivationInfo {
    Activation value;
    std::string_view name;         // the spec's and the CLI's spelling
    std::string_view description;  // one line, for docs and help
    ActivationFamily family;
    // oneDNN's element-wise algorithms: forward, and the backward that needs only the forward
    // output (so pre-activations need not be kept); dnnl_alg_kind_undef for maxout, which is not
    // element-wise (a layer of its own).
    dnnl_alg_kind_t forward = dnnl_alg_kind_undef;
    dnnl_alg_kind_t backward_from_dst = dnnl_alg_kind_undef;
    float TrainConfig::*alpha = nullptr;  // the setting passed as oneDNN's alpha (nullptr: 0)
};

// Every activation, in enum order.
std::span<const ActivationInfo> activations();
const ActivationInfo& info(Activation a);
inline std::string_view name(Activation a) { return info(a).name; }
inline ActivationFamily family(Activation a) { return info(a).family; }
// Throws ConfigError listing the choices for a name not in the table.
Activation parse_activation(std::string_view s);

}  // namespace dnnsweep
