#pragma once
// A sweep worker trains many configurations on each fold, and a fold's parts (its rows gathered,
// the input scaling fit on the training part and applied to all three) depend only on the fold,
// the input scaling and the data: the cache keeps the last fold's parts for the next unit that
// needs the same, instead of gathering and scaling tens of MB again (docs/PERFORMANCE.md, "Unit
// set-up"). The parts are exactly prepare_unit's, noise included, whichever units came before:
// a configuration's metrics do not depend on the order or the rank its units ran on.
//
// One fold's parts at a time: the memory a unit's parts take while it trains anyway (plus copies
// of the validation and test parts for a configuration with test noise); a unit of another fold
// or scaling frees them before preparing its own.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/folds.hpp"

namespace dnnsweep {

// What the input scaling of `n` fits and applies: None and BatchNorm leave the inputs as they are,
// so they share prepared parts.
Normalization input_scaling(Normalization n);

class FoldCache {
public:
    // The cache serves these rows and this split for its whole life: both must outlive it.
    FoldCache(const Dataset& data, const StudySplit& split) : data_(data), split_(split) {}
    FoldCache(const FoldCache&) = delete;
    FoldCache& operator=(const FoldCache&) = delete;

    // What a unit trains on; the references stay valid until the next call of parts().
    struct Parts {
        const Dataset& train;
        const Dataset& val;
        const Dataset& test;
        InputShift shift;
    };
    // The parts (and input shift) prepare_unit(config, data, split, fold) gives. Throws what
    // prepare_unit throws.
    Parts parts(const TrainConfig& config, int fold);

    std::size_t hits() const { return hits_; }      // units served from the kept parts
    std::size_t misses() const { return misses_; }  // units that prepared their fold's parts

private:
    struct Key {
        int fold = 0;
        Normalization scaling = Normalization::None;
        bool operator==(const Key&) const = default;
    };

    const Dataset& data_;
    const StudySplit& split_;
    std::optional<Key> key_;          // whose parts `clean_` holds
    UnitData clean_;                  // scaled, without test noise
    Dataset noisy_val_, noisy_test_;  // the last unit's copies with its test noise
    // The clean parts' input shift for one train-noise level (a pass over every row: kept too).
    std::optional<std::pair<double, InputShift>> clean_shift_;
    std::size_t hits_ = 0, misses_ = 0;
};

}  // namespace dnnsweep
