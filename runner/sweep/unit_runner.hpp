#pragma once
// Trains one unit (a configuration on one fold) and packages what it produced: the one place a
// unit's work happens, whichever rank runs it.
#include <string>

#include "engine/chance.hpp"
#include "engine/fold_cache.hpp"
#include "outputs/unit_result.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

// How a unit is to be run: trained, or (chance pruning) recorded as pruned without training
// because another fold of its configuration was pruned.
enum class UnitTask { Train, RecordPruned };

// The unit's parts come from `folds` (the study's data and split; kept from the worker's previous
// unit of the same fold). Never throws for a unit that fails: an exception while preparing or training (a oneDNN error,
// out of memory, a configuration the data cannot support) becomes status "failed" with its message.
// With the spec's `prune = chance`, a training the rule calls hopeless against `chance` (the study's
// chance level, engine/chance.hpp; engine/pruning.hpp) ends at
// epoch `prune-after` with status "pruned". epochs > 0 (a successive-halving rung) trains at most
// that many epochs; a unit that trains them all, fewer than its configuration's, is "pruned" (paused
// on the rung: a promotion trains it again, longer).
UnitResult run_unit(const SweepSpec& spec, const Grid& grid, FoldCache& folds, const Chance& chance, std::uint64_t unit,
                    int rank, const std::string& host, UnitTask task = UnitTask::Train, int epochs = 0);

}  // namespace dnnsweep
