#pragma once
// The inputs of a sweep every rank needs: the spec, its grid and the dataset, loaded and checked
// together (rank 0 checks them before anyone trains).
#include <string>

#include "engine/dataset.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

struct Study {
    SweepSpec spec;
    Grid grid;
    Dataset data;
};

// Throws SpecError (spec problems, including splits or batch sizes the data cannot support),
// DataError (the dataset) or ConfigError.
Study load_study(const std::string& spec_path);

DataShape shape_of(const Dataset& d);

}  // namespace dnnsweep
