#pragma once
// A sweep spec: an INI file (Boost.Program_options' config-file syntax) whose keys are the options
// of `dnnsweep train`, each with one value or a comma-separated list, plus the study's own keys.
//
//   # sweeps/tips.ini
//   layers = 3, 11
//   activation = sigmoid, relu
//   learning-rate = 0.1
//   folds = 5
//
// The grid is the cartesian product of the lists (sweeps/grid.hpp). `[name]` sections make the
// study a union of grids, and `key = loguniform(a, b)` style ranges are drawn with `sample = N`
// (sweeps/search_space.hpp, docs/sweep-spec.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/diagnosis.hpp"
#include "engine/folds.hpp"
#include "engine/pruning.hpp"
#include "engine/user_error.hpp"

namespace dnnsweep {

// Every spec error; the message starts with "FILE:LINE: " (or "FILE: " when no line applies) and
// names the key, e.g. "tips.ini:4: dropout: must be in [0, 1), got 1.5".
class SpecError : public UserError {
public:
    using UserError::UserError;
};

// One hyperparameter the spec sets: its option name and its values in the order written, each in
// canonical text (parsed, validated and printed back, so "0.10" and "0.1" are the same value).
struct Axis {
    std::string key;
    std::vector<std::string> values;
};

// A numeric range to draw from: `uniform(a, b)`, `loguniform(a, b)` (real keys), `randint(a, b)`,
// `lograndint(a, b)` (integer keys, both ends included).
enum class Distribution { Uniform, LogUniform, RandInt, LogRandInt };

struct RangeAxis {
    std::string key;
    Distribution distribution = Distribution::Uniform;
    double low = 0.0, high = 0.0;
    std::string text;  // canonical, e.g. "loguniform(0.0001, 0.1)"
    int line = 0;      // where it was written (errors raised after parsing name it)
};

// One grid of the union: the top-level keys overridden by the section's own, in the option
// table's order. A spec without sections has one, named "".
struct Section {
    std::string name;
    int line = 0;
    std::vector<Axis> axes;
    std::vector<RangeAxis> ranges;
};

// How ranges are drawn: independent uniform draws, or a scrambled Sobol sequence.
enum class Sampler { Random, Sobol };

struct SweepSpec {
    std::string path;        // as given
    std::string text;        // the file verbatim (stored in the results)
    std::string hash;        // 16 hex digits over the canonical settings below (not the
                             // comments or layout): a results file belongs to one hash
    std::vector<Axis> axes;  // in the option table's order; keys not given are absent
                             // (their TrainConfig default applies)
    // Study keys, single-valued:
    std::string data = "mnist";                    // `data`, as `dnnsweep train --data`
    LabelFormat label_format = LabelFormat::Auto;  // `label-format`
    // `features`, `labels`, `header`, `label-column`, `feature-columns` (engine/dataset.hpp's
    // LoadOptions; label_format above is its label-format), and `test-data`: a separate test set.
    LoadOptions load;
    std::string test_data;
    StudySplit split;                     // `test-fraction`, `folds` (default 5), `validation-fraction`, `split-seed`
    std::optional<std::uint64_t> sample;  // `sample`: a seeded random subset of this many configurations
    std::uint64_t sample_seed = 0;        // `sample-seed`
    DiagnosisThresholds thresholds;       // `chance-factor`, `underfit-error`, `overfit-gap`, ... (diagnosis.hpp names)
    PruneSettings prune;                  // `prune`, `prune-after`, `prune-loss-drop`, `halving-min-epochs`,
                                          // `halving-eta` (engine/pruning.hpp)
    int threads = 1;                      // `threads`: per rank; not part of a configuration's identity
    std::vector<Section> sections;        // never empty once parsed: the grids of the union
    Sampler sampler = Sampler::Random;    // `sampler`
    bool exact_train_curves = false;      // `train-curves = exact` (engine/trainer.hpp TrainCurves)

    // How to read `data` and `test-data`.
    LoadOptions load_options() const {
        LoadOptions o = load;
        o.label_format = label_format;
        return o;
    }
    bool refit = false;   // `refit`: at the end, the best configuration refit and saved as RESULTS.model.h5
                          // (runner/sweep/refit.hpp); not part of the results' identity
    bool repair = false;  // `repair`: after the grid, each failing configuration's repair runs too
                          // (outputs/repairs.hpp); not part of the results' identity
};

// Reads and validates a spec. Unknown keys, malformed or out-of-range values (every value of a
// list is checked with TrainConfig::validate), empty lists, duplicate keys: SpecError naming file,
// line and key.
SweepSpec load_spec(const std::string& path);
SweepSpec parse_spec(std::string_view text, const std::string& path);

}  // namespace dnnsweep
