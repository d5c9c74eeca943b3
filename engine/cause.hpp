#pragma once
// The likely causes the diagnosis gives for a configuration that does not train (or underfits),
// in the fixed order that ranks them (docs/diagnosis.md: settings that explain the symptoms after
// them first, then a blow-up, a too-high rate, measured symptoms, instability, regularisation that
// holds the fit back, a too-low rate, slowness), and
// those of an overfitting gap (input_shift, then unscaled_inputs). Each one's detection rule and
// reason text are in engine/diagnosis.cpp.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/enum_table.hpp"

namespace dnnsweep {

enum class Cause : unsigned char {
    MseSoftmax,
    UnscaledInputs,
    Diverged,
    ExplodingGradient,
    LrTooHigh,
    VanishingGradient,
    DeadRelu,
    Saturated,
    Unstable,
    OverRegularised,
    LrTooLow,
    FewUpdates,
    StillImproving,
    InputShift,
    Unknown
};

inline constexpr std::array<EnumEntry<Cause>, 15> kCauses{{
    {Cause::MseSoftmax, "mse_softmax", "mse loss on softmax outputs"},
    {Cause::UnscaledInputs, "unscaled_inputs", "normalization none and inputs larger than unscaled-input"},
    {Cause::Diverged, "diverged", "a fold's loss became NaN/Inf"},
    {Cause::ExplodingGradient, "exploding_gradient",
     "a dense layer's gradient norm grew more than exploding-gradient times its first epoch's"},
    {Cause::LrTooHigh, "lr_too_high",
     "more than dead-relu of the hidden units died in the first epoch, or the loss jumped above its best "
     "(loss-spike) without the model ever leaving chance"},
    {Cause::VanishingGradient, "vanishing_gradient",
     "first dense layer's gradient norm / last's below vanishing-ratio"},
    {Cause::DeadRelu, "dead_relu", "a relu-like activation with more than dead-relu of its hidden units dead"},
    {Cause::Saturated, "saturated",
     "a sigmoid/tanh activation with more than saturated of its outputs in the flat tails"},
    {Cause::Unstable, "unstable",
     "the training loss jumped more than loss-spike (of its first epoch's) above its best after the model learned"},
    {Cause::OverRegularised, "over_regularised",
     "the training rows are not fitted (underfit-error) with dropout at least heavy-dropout or weight decay at "
     "least heavy-weight-decay"},
    {Cause::LrTooLow, "lr_too_low",
     "the training loss fell by less than flat-loss of its first epoch's, with none of the causes above"},
    {Cause::FewUpdates, "few_updates", "fewer than few-updates optimizer steps per epoch"},
    {Cause::StillImproving, "still_improving",
     "validation accuracy still rising by more than still-improving per epoch at the end"},
    {Cause::InputShift, "input_shift",
     "overfitting whose validation inputs are spread or centred unlike the training inputs (input-shift)"},
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
