#pragma once
// The diagnosis's verdict on a configuration (engine/diagnosis.hpp, docs/diagnosis.md), in the
// order the report counts them.
#include <array>
#include <optional>
#include <string_view>

#include "engine/enum_table.hpp"

namespace dnnsweep {

enum class Verdict : unsigned char { NotTraining, Underfitting, Overfitting, Good, Failed };

inline constexpr std::array<EnumEntry<Verdict>, 5> kVerdicts{{
    {Verdict::NotTraining, "not_training", "training accuracy at chance, a diverged fold, or a fold pruned at chance"},
    {Verdict::Underfitting, "underfitting", "training error above underfit-error, without a large gap"},
    {Verdict::Overfitting, "overfitting", "validation error more than overfit-gap above the training error"},
    {Verdict::Good, "good", "trains, and what it learns carries over to validation"},
    {Verdict::Failed, "failed", "every fold failed with an error (or there were none)"},
}};
static_assert(covers_in_order(kVerdicts));

constexpr std::string_view name(Verdict v) { return name_in(kVerdicts, v); }
constexpr std::optional<Verdict> parse_verdict(std::string_view s) { return parse_in(kVerdicts, s); }

}  // namespace dnnsweep
