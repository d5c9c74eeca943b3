#include "runner/sweep/study.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "engine/folds.hpp"

namespace dnnsweep {
namespace {

// A batch larger than a fold's training part is almost certainly a mistake (the run would silently
// train full-batch): refuse it and name `full`, which says so on purpose.
void check_batch_sizes(const SweepSpec& spec, const Dataset& data) {
    const auto axis = std::ranges::find(spec.axes, std::string("batch-size"), &Axis::key);
    if (axis == spec.axes.end()) return;
    std::size_t smallest = std::numeric_limits<std::size_t>::max();
    for (int f = 0; f < spec.split.folds; ++f)
        smallest = std::min(smallest, unit_rows(spec.split, data.y, data.classes, f).train.size());
    for (const std::string& v : axis->values)
        if (v != "full" && std::stoull(v) > smallest)
            throw SpecError(spec.path + ": batch-size: " + v + " is larger than a fold's training part (" +
                            std::to_string(smallest) + " rows); use 'full' for whole-set batches");
}

}  // namespace

DataShape shape_of(const Dataset& d) { return {d.size(), d.features(), d.classes}; }

Study load_study(const std::string& spec_path) {
    Study s = load_study_spec(spec_path);
    s.data = load_dataset(s.spec.data, s.spec.label_format);
    try {
        validate_split(s.spec.split, s.data.y, s.data.classes);
    } catch (const ConfigError& e) {
        throw SpecError(s.spec.path + ": " + e.what());
    }
    check_batch_sizes(s.spec, s.data);
    return s;
}

Study load_study_spec(const std::string& spec_path) {
    SweepSpec spec = load_spec(spec_path);
    Grid grid(spec);
    return {.spec = std::move(spec), .grid = std::move(grid), .shared = nullptr, .data = {}};
}

}  // namespace dnnsweep
