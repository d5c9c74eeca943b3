#pragma once
// The repairs of a sweep (`repair = true`, `dnnsweep repair`; outputs/repairs.hpp), run as a second
// phase once the whole grid is recorded and merged: rank 0 derives them from the merged results and
// tells every rank which configurations they are; each rank adds them to its grid (indices from
// the grid's size on, the order the merge derives them in), and the repairs' units are scheduled
// like the grid's. Waiting for the whole grid keeps the repairs, their indices and their results
// independent of the order the grid's units finished in.
#include <string>

#include "outputs/repairs.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/study.hpp"
#include "runner/sweep/sweep_roles.hpp"

namespace dnnsweep {

// Rank 0, after the grid's merge: the repair configurations the merged results call for (none until
// every unit of the grid is recorded) and, for the plan, the records of the repairs run before.
struct RepairWork {
    RepairConfigs add;
    Recorded recorded;  // the repairs' units already recorded (units of the grid are left out)
};
RepairWork repair_work(const std::string& out, const Study& s, bool retry_failed);

// The configurations as one broadcast text, and back (config ids checked).
std::string encode_repair_configs(const RepairConfigs& r);
RepairConfigs decode_repair_configs(const std::string& text, int threads);

// The repair phase's plan: the repairs' units (every unit past the grid's), longest first, minus
// those recorded. `s.grid` already holds the repairs.
Plan make_repair_plan(const Study& s, Recorded recorded);

}  // namespace dnnsweep
