#include "runner/unit_runner.hpp"

#include <chrono>
#include <exception>
#include <limits>
#include <new>

#include "engine/folds.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {

UnitResult run_unit(const SweepSpec& spec, const Grid& grid, const Dataset& data, std::uint64_t unit, int rank,
                    const std::string& host) {
    const UnitRef ref = grid.unit(unit);
    UnitResult r;
    r.unit = unit;
    r.config = ref.config;
    r.fold = ref.fold;
    r.unit_id = grid.unit_id(unit);
    r.config_id = grid.config_id(ref.config);
    r.rank = rank;
    r.host = host;
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    r.train_acc = r.train_loss = r.val_acc = r.val_loss = r.test_acc = r.test_loss = nan;
    try {
        const TrainConfig config = grid.config(ref.config);
        const UnitData d = prepare_unit(config, data, spec.split, ref.fold);
        TrainResult t = train_model(config, d.train, d.val, d.test);
        r.status = std::string(name(t.status));
        r.train_acc = t.train_acc;
        r.train_loss = t.train_loss;
        r.val_acc = t.val_acc;
        r.val_loss = t.val_loss;
        r.test_acc = t.test_acc;
        r.test_loss = t.test_loss;
        r.epochs = t.epochs();
        r.best_epoch = t.best_epoch;
        r.diverged_epoch = t.diverged_epoch;
        r.steps = t.steps;
        r.seconds = t.seconds;
        r.history = std::move(t.history);
    } catch (const std::bad_alloc&) {
        r.status = "failed";
        r.error = "out of memory";
    } catch (const std::exception& e) {
        r.status = "failed";
        r.error = e.what();
    }
    r.finished_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return r;
}

}  // namespace dnnsweep
