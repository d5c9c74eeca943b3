#pragma once
// One finished unit (a configuration trained on one fold), as a worker records it.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/confusion.hpp"
#include "engine/input_shift.hpp"
#include "engine/trainer.hpp"
#include "engine/unit_status.hpp"
#include "sweeps/grid.hpp"

namespace dnnsweep {

struct UnitResult {
    std::uint64_t unit = 0;    // index into the grid's units
    std::uint64_t config = 0;  // grid configuration index
    int fold = 0;
    std::string unit_id;                      // Grid::unit_id
    std::string config_id;                    // Grid::config_id
    UnitStatus status = UnitStatus::Stopped;  // engine/unit_status.hpp; Stopped until it is known
    std::string error;                        // the exception's message for Failed, else empty
    double train_acc = 0.0, train_loss = 0.0, val_acc = 0.0, val_loss = 0.0;
    double test_acc = 0.0, test_loss = 0.0;  // NaN without a test set
    // TrainResult::noisy_train_acc: trained with train-noise >= test-noise > 0, the training rows'
    // accuracy with the validation's noise; NaN otherwise (and in files written before the column).
    double noisy_train_acc = std::numeric_limits<double>::quiet_NaN();
    int epochs = 0;      // epochs run (a pruned unit: before it was pruned, 0 if never started)
    int best_epoch = 0;  // early stopping's kept epoch (= epochs without it)
    int diverged_epoch = 0;
    std::int64_t steps = 0;
    double seconds = 0.0;        // training wall time
    double setup_seconds = 0.0;  // preparing it: the fold's rows, input scaling, the model's build
                                 // (not recorded: for the run's closing figures)
    int rank = 0;
    std::string host;
    double finished_at = 0.0;  // seconds since the Unix epoch
    // The rank's proportional set size when the unit ended (runner/sweep/process_memory.hpp): its
    // rows (node-shared ones counted once per node), the fold's parts, the libraries. NaN: not
    // measured (a pruned record, or a file written before the column).
    double memory_mb = std::numeric_limits<double>::quiet_NaN();
    std::vector<EpochMetrics> history;
    InputShift input_shift;  // the validation and test inputs against the training inputs
    // The final model's predictions, non-zero cells only (engine/confusion.hpp): on the validation
    // part, and on the test set (empty without one). The `confusion` table.
    std::vector<ConfusionCell> val_confusion, test_confusion;
};

// The record of unit `unit` of `grid` before anything is known of it: its identity (indices and
// ids), who runs it, and NaN figures (none measured yet).
inline UnitResult unit_record(const Grid& grid, std::uint64_t unit, int rank, std::string host) {
    const UnitRef ref = grid.unit(unit);
    UnitResult r;
    r.unit = unit;
    r.config = ref.config;
    r.fold = ref.fold;
    r.unit_id = grid.unit_id(unit);
    r.config_id = grid.config_id(ref.config);
    r.rank = rank;
    r.host = std::move(host);
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    r.train_acc = r.train_loss = r.val_acc = r.val_loss = r.test_acc = r.test_loss = nan;
    return r;
}

}  // namespace dnnsweep
