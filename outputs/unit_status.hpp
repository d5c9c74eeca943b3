#pragma once
// The one rule that orders two records of the same unit (engine/unit_status.hpp names the
// statuses). The merge (outputs/merge.cpp) and the report of a running sweep (outputs/report.cpp)
// both keep one record per unit by this rule, so they agree.
//
//   ok        trained its planned epochs (or until early stopping): a result
//   diverged  its loss became NaN/Inf: a result
//   pruned    stopped by pruning (engine/pruning.hpp): a result; with `prune = chance` never rerun
//             on resume; `epochs` is what it trained (0, NaN figures and no curve when it was never started
//             because a sibling fold of its configuration was pruned). With successive halving a
//             unit is recorded pruned at each rung it reaches; a promotion's longer training
//             replaces that record (`replaces` below)
//   failed    threw (see `error`): not a training outcome; rerun with --retries, replaced by a
//             final record of the same unit. A status this version does not know (a newer
//             dnnsweep's) is read as failed: kept over nothing final, replaced by anything final.
//   stopped   abandoned by a signal: not a result, counts for nothing; rerun on resume
#include "engine/unit_status.hpp"

namespace dnnsweep::unit_status {

// Which of two records of one unit to keep: a final one over a failed one (a retry that succeeded),
// a failed one over an abandoned one; between equals, the first recorded.
constexpr int completeness(UnitStatus status) {
    switch (status) {
    case UnitStatus::Ok:
    case UnitStatus::Diverged:
    case UnitStatus::Pruned:
        return 2;
    case UnitStatus::Failed:
        return 1;
    case UnitStatus::Stopped:
        return 0;
    }
    return 0;
}

// A final record: the unit's outcome, replaced only by a longer one (successive halving, below).
constexpr bool is_final(UnitStatus status) { return completeness(status) == 2; }

// Recorded and not abandoned: what `units_done`, `dnnsweep status` and a resume count as done.
constexpr bool is_done(UnitStatus status) { return completeness(status) > 0; }

// Whether a record (status, epochs) replaces the kept record of the same unit: more complete, or as
// complete and trained longer (successive halving records a unit at every rung it reaches, and
// the longest training is its result), or as long but no longer paused (a promoted unit that
// early-stops exactly at its old rung's epochs: ok replaces pruned); otherwise the first stays.
constexpr bool replaces(UnitStatus status, int epochs, UnitStatus kept_status, int kept_epochs) {
    const int c = completeness(status), kept = completeness(kept_status);
    if (c != kept) return c > kept;
    if (c != 2) return false;
    return epochs > kept_epochs ||
           (epochs == kept_epochs && kept_status == UnitStatus::Pruned && status != UnitStatus::Pruned);
}

}  // namespace dnnsweep::unit_status
