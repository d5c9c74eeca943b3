#include "runner/sweep/study.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <string>

#include "engine/folds.hpp"
#include "engine/hdf5/hdf5.hpp"

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

// A separate test set joins the data as its last rows, which the split holds out whole
// (StudySplit::test_rows): sharing, fold rows and scaling then treat it as any held-out row.
void append_test_set(Study& s) {
    Dataset test = load_test_dataset(s.spec.test_data, s.spec.load_options(), s.data);
    Dataset& d = s.data;
    d.x.data.insert(d.x.data.end(), test.x.data.begin(), test.x.data.end());
    d.x.rows += test.size();
    d.y.insert(d.y.end(), test.y.begin(), test.y.end());
    d.source += " + test-data " + test.source;
    s.spec.split.test_rows = test.size();
}

}  // namespace

void count_classes(Study& s) {
    s.class_rows = training_rows_per_class(s.data, s.spec.split);
    s.chance = chance_of(s.class_rows, s.spec.thresholds.chance_factor);
}

DataShape shape_of(const Dataset& d) { return {d.size(), d.features(), d.classes}; }

SweepSpec load_sweep_spec(const SpecSource& source) {
    if (!source.stored_in_results) return load_spec(source.path);
    if (!std::filesystem::exists(source.path))
        throw Hdf5Error(source.path + ": cannot open: No such file or directory (a sweep's results file)");
    SweepSpec spec = parse_spec(h5::File::open(source.path, h5::File::Access::ReadOnly).attr_string("spec"),
                                source.path + " (its spec)");
    spec.repair = true;
    return spec;
}

Study load_study(const std::string& spec_path) { return load_study(SpecSource{.path = spec_path}); }

Study load_study(const SpecSource& source) {
    Study s = load_study_spec(source);
    s.data = load_dataset(s.spec.data, s.spec.load_options());
    if (!s.spec.test_data.empty()) append_test_set(s);
    try {
        validate_split(s.spec.split, s.data.y, s.data.classes);
    } catch (const ConfigError& e) {
        throw SpecError(s.spec.path + ": " + e.what());
    }
    check_batch_sizes(s.spec, s.data);
    count_classes(s);
    return s;
}

Study load_study_spec(const std::string& spec_path) { return load_study_spec(SpecSource{.path = spec_path}); }

Study load_study_spec(const SpecSource& source) {
    SweepSpec spec = load_sweep_spec(source);
    Grid grid(spec);
    return {.spec = std::move(spec),
            .grid = std::move(grid),
            .shared = nullptr,
            .data = {},
            .class_rows = {},
            .chance = {}};
}

}  // namespace dnnsweep
