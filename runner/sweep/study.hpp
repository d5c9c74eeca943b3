#pragma once
// The inputs of a sweep every rank needs: the spec, its grid and the dataset, loaded and checked
// together (rank 0 checks them before anyone trains).
#include <memory>
#include <string>

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
};

// Throws SpecError (spec problems, including splits or batch sizes the data cannot support),
// DataError (the dataset) or ConfigError.
Study load_study(const std::string& spec_path);
// The spec and grid alone (empty data), for ranks that get the data rank 0 loaded and checked.
Study load_study_spec(const std::string& spec_path);

DataShape shape_of(const Dataset& d);

}  // namespace dnnsweep
