#pragma once
// The inputs of a sweep every rank needs: the spec, its grid and the dataset, loaded and checked
// together (rank 0 checks them before anyone trains).
#include <memory>
#include <string>

#include "engine/chance.hpp"
#include "engine/dataset.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

class SharedDataset;  // runner/sweep/shared_dataset.hpp

struct Study {
    SweepSpec spec;
    Grid grid;
    // Set when `data` views a node's shared copy (share_study) instead of owning its rows; declared
    // before `data` so it outlives the view.
    std::shared_ptr<const SharedDataset> shared;
    Dataset data;
    // The training pool's rows per class (the test set left out) and the chance level they give
    // (engine/chance.hpp): what the diagnosis and chance pruning judge against.
    std::vector<std::uint64_t> class_rows;
    Chance chance;
    bool sync_shards = true;  // fsync every shard append before reporting it (false: --no-sync)
    // Rank 0: seconds of short units per batch (runner/sweep/group_commit.hpp; 0: one unit a batch).
    double batch_seconds = 0.2;
};

// Sets class_rows and chance from the study's data and spec.
void count_classes(Study& s);

// Where a sweep's spec comes from: a spec file, or (`dnnsweep repair`) the spec a results file
// stores, with `repair` on.
struct SpecSource {
    std::string path;                // the spec file, or the results file
    bool stored_in_results = false;  // path is a results file
};
// Throws SpecError, or ResultsError for a results file that cannot be read.
SweepSpec load_sweep_spec(const SpecSource& source);

// Throws SpecError (spec problems, including splits or batch sizes the data cannot support),
// DataError (the dataset) or ConfigError.
Study load_study(const std::string& spec_path);
Study load_study(const SpecSource& source);
// The spec and grid alone (empty data), for ranks that get the data rank 0 loaded and checked.
Study load_study_spec(const std::string& spec_path);
Study load_study_spec(const SpecSource& source);

DataShape shape_of(const Dataset& d);

}  // namespace dnnsweep
