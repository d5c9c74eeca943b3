#include "runner/sweep/unit_runner.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>

#include "engine/fold_cache.hpp"
#include "engine/prune_policy.hpp"
#include "engine/pruning.hpp"
#include "engine/trainer.hpp"
#include "runner/sweep/process_memory.hpp"

namespace dnnsweep {
namespace {

// Prepares the unit's data and trains it into `r`; an exception becomes status Failed.
void train_into(UnitResult& r, const SweepSpec& spec, const Grid& grid, FoldCache& folds, const Chance& chance,
                const UnitRef& ref, int epochs) {
    try {
        TrainConfig config = grid.config(ref.config);
        const bool rung = epochs > 0 && epochs < config.epochs;
        if (rung) config.epochs = epochs;  // the same first epochs as the full training: determinism
        const FoldCache::Parts d = folds.parts(config, ref.fold);
        const std::size_t batch =
            config.batch_size == 0 ? d.train.size()
                                   : std::min<std::size_t>(static_cast<std::size_t>(config.batch_size), d.train.size());
        const auto steps_per_epoch =
            static_cast<std::int64_t>((d.train.size() + batch - 1) / std::max<std::size_t>(batch, 1));
        bool pruned = false;
        EpochMetrics first;
        const EpochCallback prune_check = [&](const EpochMetrics& m) {
            if (m.epoch == 1) first = m;
            pruned =
                !hopeless_at_chance(config, first, m, steps_per_epoch, chance, spec.thresholds, spec.prune).empty();
            return !pruned;
        };
        // The chance rule reads the training figures of epoch 1 and prune-after: the exact ones.
        TrainCurves curves{.exact_every_epoch = spec.exact_train_curves, .exact_epochs = {}};
        if (policy(spec.prune.mode).prunes_at_chance) curves.exact_epochs = {1, spec.prune.after};
        TrainResult t = train_model(config, d.train, d.val, d.test, prune_check, curves);
        // The callback's false ends the run as Stopped; a signal's stop is Stopped too, without `pruned`.
        r.status = pruned && t.status == UnitStatus::Stopped ? UnitStatus::Pruned : t.status;
        if (rung && t.status == UnitStatus::Ok && t.epochs() == epochs) r.status = UnitStatus::Pruned;
        r.train_acc = t.train_acc;
        r.train_loss = t.train_loss;
        r.val_acc = t.val_acc;
        r.val_loss = t.val_loss;
        r.test_acc = t.test_acc;
        r.test_loss = t.test_loss;
        r.noisy_train_acc = t.noisy_train_acc;
        r.epochs = t.epochs();
        r.best_epoch = t.best_epoch;
        r.diverged_epoch = t.diverged_epoch;
        r.steps = t.steps;
        r.seconds = t.seconds;
        r.history = std::move(t.history);
        r.input_shift = d.shift;
        r.val_confusion = t.val_confusion.cells();
        r.test_confusion = t.test_confusion.cells();
    } catch (const std::bad_alloc&) {
        r.status = UnitStatus::Failed;
        r.error = "out of memory";
    } catch (const std::exception& e) {
        r.status = UnitStatus::Failed;
        r.error = e.what();
    }
}

}  // namespace

UnitResult run_unit(const SweepSpec& spec, const Grid& grid, FoldCache& folds, const Chance& chance, std::uint64_t unit,
                    int rank, const std::string& host, UnitTask task, int epochs) {
    const UnitRef ref = grid.unit(unit);
    UnitResult r = unit_record(grid, unit, rank, host);
    if (task == UnitTask::RecordPruned) {
        r.status = UnitStatus::Pruned;  // zero epochs: a sibling fold already showed the configuration does not train
    } else {
        const auto start = std::chrono::steady_clock::now();
        train_into(r, spec, grid, folds, chance, ref, epochs);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.setup_seconds = std::max(0.0, wall - r.seconds);
    }
    static MemorySampler memory;  // one per rank: a rank trains one unit at a time
    if (task != UnitTask::RecordPruned) r.memory_mb = memory.sample();
    r.finished_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return r;
}

}  // namespace dnnsweep
