#pragma once
// The ranks' memory over a study's units (the `memory_mb` column of `folds`), as one report line:
// what a user sizes the next Slurm job's memory request by.
#include <span>
#include <string>

#include "outputs/unit_result.hpp"

namespace dnnsweep {

// "memory per rank when a unit ended (Pss): median 41.2 MiB, highest 63.0 MiB (rank 2 on node1)";
// empty when no unit has a figure (pruned records only, or a file written before the column).
std::string memory_summary_text(std::span<const UnitResult> units);

}  // namespace dnnsweep
