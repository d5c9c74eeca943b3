#pragma once
// The statuses of a unit record (`UnitResult::status`, the `folds` table's `status` field) and the
// one rule that orders two records of the same unit. The merge (outputs/merge.cpp) and the report of
// a running sweep (outputs/report.cpp) both keep one record per unit by this rule, so they agree.
//
//   ok        trained its planned epochs (or until early stopping): a result
//   diverged  its loss became NaN/Inf: a result
//   pruned    stopped by pruning (engine/pruning.hpp): a result; with `prune = chance` never rerun
//             on resume; `epochs` is what it trained (0, NaN figures and no curve when it was never started
//             because a sibling fold of its configuration was pruned). With successive halving a
//             unit is recorded pruned at each rung it reaches; a promotion's longer training
//             replaces that record (`replaces` below)
//   failed    threw (see `error`): not a training outcome; rerun with --retries, replaced by a
//             final record of the same unit
//   stopped   abandoned by a signal: not a result, counts for nothing; rerun on resume
#include <string_view>

namespace dnnsweep::unit_status {

inline constexpr std::string_view kOk = "ok";
inline constexpr std::string_view kDiverged = "diverged";
inline constexpr std::string_view kPruned = "pruned";
inline constexpr std::string_view kFailed = "failed";
inline constexpr std::string_view kStopped = "stopped";

// A final record: the unit's outcome, replaced only by a longer one (successive halving, below).
inline bool is_final(std::string_view status) {
    return status == kOk || status == kDiverged || status == kPruned;
}

// Recorded and not abandoned: what `units_done`, `dnnsweep status` and a resume count as done.
inline bool is_done(std::string_view status) { return !status.empty() && status != kStopped; }

// Which of two records of one unit to keep: a final one over a failed one (a retry that succeeded),
// a failed one over an abandoned one; between equals, the first recorded. An unknown status (a
// newer dnnsweep's) ranks with `failed`: kept over nothing final, replaced by anything final.
inline int completeness(std::string_view status) {
    if (is_final(status)) return 2;
    if (status == kStopped || status.empty()) return 0;
    return 1;  // failed
}

// Whether a record (status, epochs) replaces the kept record of the same unit: more complete, or as
// complete and trained longer (successive halving records a unit at every rung it reaches, and
// the longest training is its result), or as long but no longer paused (a promoted unit that
// early-stops exactly at its old rung's epochs: ok replaces pruned); otherwise the first stays.
inline bool replaces(std::string_view status, int epochs, std::string_view kept_status, int kept_epochs) {
    const int c = completeness(status), kept = completeness(kept_status);
    if (c != kept) return c > kept;
    if (c != 2) return false;
    return epochs > kept_epochs || (epochs == kept_epochs && kept_status == kPruned && status != kPruned);
}

}  // namespace dnnsweep::unit_status
