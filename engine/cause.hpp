#pragma once
// The likely causes the diagnosis gives for a configuration that does not train (or underfits),
// in the fixed order that ranks them (docs/diagnosis.md: a blow-up, then settings that stop a
// classifier on their own, then measured symptoms, then slowness). Each one's detection rule and
// reason text are in engine/diagnosis.cpp.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/enum_table.hpp"

namespace dnnsweep {

enum class Cause : unsigned char {
    Diverged,
    MseSoftmax,
    UnscaledInputs,
    VanishingGradient,
    DeadRelu,
    FewUpdates,
    Unknown
};

inline constexpr std::array<EnumEntry<Cause>, 7> kCauses{{
    {Cause::Diverged, "diverged", "a fold's loss became NaN/Inf"},
    {Cause::MseSoftmax, "mse_softmax", "mse loss on softmax outputs"},
    {Cause::UnscaledInputs, "unscaled_inputs", "normalization none and inputs larger than unscaled-input"},
    {Cause::VanishingGradient, "vanishing_gradient",
     "first dense layer's gradient norm / last's below vanishing-ratio"},
    {Cause::DeadRelu, "dead_relu", "a relu-like activation with more than dead-relu of its hidden units dead"},
    {Cause::FewUpdates, "few_updates", "fewer than few-updates optimizer steps per epoch"},
    {Cause::Unknown, "unknown", "not training, and none of the causes above"},
}};
static_assert(covers_in_order(kCauses));

constexpr std::string_view name(Cause c) { return name_in(kCauses, c); }
constexpr std::optional<Cause> parse_cause(std::string_view s) { return parse_in(kCauses, s); }

// The `causes` column's text: names joined by commas ("mse_softmax,vanishing_gradient"; empty for none).
std::string causes_text(const std::vector<Cause>& causes);
// Its inverse; throws std::invalid_argument naming a name this version does not know.
std::vector<Cause> parse_causes(std::string_view text);

}  // namespace dnnsweep
