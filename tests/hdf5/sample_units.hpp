#pragma once
// Synthetic, deterministic units of a small grid for the results-store tests: the C++ unit tests
// (tests/unit/results_store_test.cpp) and the h5py read-back (write_sample_results.cpp).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "outputs/results_store.hpp"
#include "outputs/unit_result.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep::testing {

// 2 x 2 configurations, 2 folds: 8 units. batch-size mixes a number and "full", so its `configs`
// column is text; layers is an integer column, learning-rate a real, nesterov a boolean.
inline const char* const kSampleSpecText =
    "# sample sweep for the results-store tests\n"
    "layers = 1, 2\n"
    "width = 8\n"
    "batch-size = 10, full\n"
    "epochs = 3\n"
    "folds = 2\n";

inline SweepSpec sample_spec() { return parse_spec(kSampleSpecText, "sample.ini"); }

inline RunInfo sample_info() {
    RunInfo info;
    info.version = "0.1";
    info.run_id = "20240101T000000-4242";
    info.started_at = 1704067200.0;
    info.finished_at = 1704067260.5;
    info.ranks = 3;
    info.hosts = {"node-a", "node-b"};
    info.data = {.samples = 1797, .features = 64, .classes = 10};
    info.data_source = "digits";
    return info;
}

// An error message longer than one shard `errors` piece, with multi-byte UTF-8 across the cuts.
inline std::string long_error() {
    std::string e = "oneDNN: could not create a primitive (width too large?): ";
    while (e.size() < 700) e += "données-ü-€-";
    return e;
}

// Unit u of the grid as rank `rank` would record it; `salt` changes every metric (to tell two
// records of one unit apart). status Failed: no epochs, the message in `error`.
inline UnitResult sample_unit(const Grid& grid, std::uint64_t u, int rank, UnitStatus status = UnitStatus::Ok,
                              double salt = 0.0) {
    const TrainConfig cfg = grid.config(grid.unit(u).config);
    UnitResult r = unit_record(grid, u, rank, rank % 2 ? "node-b" : "node-a");  // NaN test figures: no test set
    r.status = status;
    r.finished_at = 1704067200.0 + static_cast<double>(u) + salt;
    if (status == UnitStatus::Failed) {
        r.error = long_error();
        r.seconds = 0.25;
        return r;
    }
    const double base = 0.5 + 0.03 * static_cast<double>(u) + salt;
    r.epochs = cfg.epochs;
    r.best_epoch = cfg.epochs;
    r.steps = 40 * cfg.epochs;
    for (int e = 1; e <= cfg.epochs; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.train_acc = base + 0.1 * e;
        m.val_acc = base + 0.08 * e;
        m.train_loss = 2.0 / (e + base);
        m.val_loss = 2.2 / (e + base);
        m.seconds = 0.5 + 0.01 * e;
        m.health.dead_relu = 0.01 * e;
        m.health.saturated = 0.0;
        m.health.max_abs_input = 1.0;
        for (int l = 0; l <= cfg.layers; ++l) m.health.grad_norm.push_back(std::pow(10.0, -l) * (1.0 + salt) / e);
        r.history.push_back(m);
    }
    r.train_acc = r.history.back().train_acc;
    r.val_acc = r.history.back().val_acc;
    r.train_loss = r.history.back().train_loss;
    r.val_loss = r.history.back().val_loss;
    r.seconds = 1.5 + 0.1 * static_cast<double>(u);
    if (status == UnitStatus::Diverged) r.diverged_epoch = cfg.epochs;
    return r;
}

// Unit u recorded `pruned` after `epochs_run` epochs (at most the configuration's `epochs`), with
// its curve up to there: training accuracy `train_acc` (at chance for 10 classes below 0.15) and a
// gradient norm that vanishes toward the input (ratio 1e-6, a `vanishing_gradient` cause). With
// epochs_run 0: the fold that was never started because a sibling was pruned: NaN figures, no
// history, no steps.
inline UnitResult pruned_unit(const Grid& grid, std::uint64_t u, int rank, int epochs_run, double train_acc = 0.11) {
    UnitResult r = sample_unit(grid, u, rank, UnitStatus::Ok);
    r.status = UnitStatus::Pruned;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.history.clear();
    r.epochs = r.best_epoch = epochs_run;
    r.steps = 40 * epochs_run;
    r.seconds = 0.2 * epochs_run;
    if (epochs_run == 0) {
        r.train_acc = r.train_loss = r.val_acc = r.val_loss = nan;
        return r;
    }
    const int layers = grid.config(grid.unit(u).config).layers;
    for (int e = 1; e <= epochs_run; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.train_acc = train_acc + 0.001 * e;
        m.val_acc = train_acc - 0.01 + 0.001 * e;
        m.train_loss = 2.30 - 0.001 * e;
        m.val_loss = 2.31 - 0.001 * e;
        m.seconds = 0.2;
        m.health.max_abs_input = 1.0;
        for (int l = 0; l <= layers; ++l) m.health.grad_norm.push_back(l == layers ? 1.0 : 1e-6);
        r.history.push_back(m);
    }
    r.train_acc = r.history.back().train_acc;
    r.val_acc = r.history.back().val_acc;
    r.train_loss = r.history.back().train_loss;
    r.val_loss = r.history.back().val_loss;
    return r;
}

}  // namespace dnnsweep::testing
