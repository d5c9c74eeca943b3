#pragma once
// How a unit (one configuration trained on one fold) ended: the trainer's result (ok, diverged,
// stopped), the sweep's record (`UnitResult::status`, the `folds` table's `status` field), the
// worker's report to the coordinator and the diagnosis's view of a fold are all this one type.
// outputs/unit_status.hpp orders two records of the same unit.
#include <array>
#include <optional>
#include <string_view>

#include "engine/enum_table.hpp"

namespace dnnsweep {

enum class UnitStatus : unsigned char { Ok, Diverged, Pruned, Failed, Stopped };

inline constexpr std::array<EnumEntry<UnitStatus>, 5> kUnitStatuses{{
    {UnitStatus::Ok, "ok", "trained its planned epochs (or until early stopping): a result"},
    {UnitStatus::Diverged, "diverged", "its loss became NaN/Inf: a result"},
    {UnitStatus::Pruned, "pruned", "stopped by pruning (at chance, or paused at a successive-halving rung): a result"},
    {UnitStatus::Failed, "failed", "threw (see `error`): not a training outcome; rerun with --retries"},
    {UnitStatus::Stopped, "stopped", "abandoned by a signal: not a result; rerun on resume"},
}};
static_assert(covers_in_order(kUnitStatuses));

constexpr std::string_view name(UnitStatus s) { return name_in(kUnitStatuses, s); }
constexpr std::optional<UnitStatus> parse_unit_status(std::string_view s) { return parse_in(kUnitStatuses, s); }

}  // namespace dnnsweep
