#pragma once
// The parts of a spec beyond one cartesian product: ranges (`loguniform(1e-4, 0.1)`), the sampler
// that draws them, and what the spec hash adds for sections and ranges.
#include <optional>
#include <string>
#include <string_view>

#include "sweeps/config_options.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

// Significant digits a drawn real value keeps: identities stay stable across compilers and
// libraries, and the values stay readable ("0.00123", not "0.0012345678901").
inline constexpr int kDrawnDigits = 3;

// `text` as a range of option `opt` when it is written as one ("NAME(...)"); nullopt for a plain
// value or list. Throws ConfigError(why) for an unknown distribution, a malformed range, low not
// below high, a log range with a bound <= 0, an integer range on a real option or the reverse, a
// range on a non-numeric option, or a bound the option refuses.
std::optional<RangeAxis> parse_range(const ConfigOption& opt, std::string_view text);

Sampler parse_sampler(std::string_view text);  // "random" | "sobol"; ConfigError otherwise
std::string_view name(Sampler s);

// The value of range `r` at u in [0, 1), in the option's canonical text: reals rounded to
// kDrawnDigits significant digits, integers inclusive of both ends.
std::string draw_value(const ConfigOption& opt, const RangeAxis& r, double u);

// What the spec hash adds for sections, ranges and the sampler; empty for a spec of one unnamed
// section without ranges, so such specs keep the hash they always had.
std::string search_space_canon(const SweepSpec& spec);

}  // namespace dnnsweep
