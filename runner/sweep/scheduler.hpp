#pragma once
// What the coordinator and the one-rank loop ask of a scheduler: the next unit to hand out, and
// what became of each unit handed out. Two schedulers: runner/sweep/work_queue.hpp (every unit once,
// longest first; `prune = none | chance`) and runner/sweep/halving_queue.hpp (`prune = halving`).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "engine/unit_status.hpp"

namespace dnnsweep {

// How a unit ended this time: Done (ok or diverged: final), Pruned (chance: final; halving: paused
// at a rung, promotable), Failed (threw), Stopped (abandoned by a stop request: not a result).
enum class Outcome { Done, Pruned, Failed, Stopped };

// The outcome of a unit recorded with status `s`.
constexpr Outcome outcome_of(UnitStatus s) {
    switch (s) {
    case UnitStatus::Ok:
    case UnitStatus::Diverged:
        return Outcome::Done;
    case UnitStatus::Pruned:
        return Outcome::Pruned;
    case UnitStatus::Failed:
        return Outcome::Failed;
    case UnitStatus::Stopped:
        return Outcome::Stopped;
    }
    return Outcome::Failed;
}

struct Assignment {
    std::uint64_t unit = 0;
    bool record_pruned = false;  // chance: a sibling fold was pruned: record this one pruned, untrained
    int epochs = 0;              // halving: train this many epochs (a rung); 0: the configuration's own
};

struct UnitReport {
    std::uint64_t unit = 0;
    Outcome outcome = Outcome::Done;
    int epochs = 0;                                             // epochs it trained this time
    double val_acc = std::numeric_limits<double>::quiet_NaN();  // its validation accuracy at its last epoch
};

class Scheduler {
public:
    virtual ~Scheduler() = default;
    // The next unit to hand out, or nullopt when none can be handed out now.
    virtual std::optional<Assignment> next() = 0;
    // The same, preferring a unit that trains on the same fold parts as `like` (the unit the asking
    // worker ran last, whose parts it keeps: engine/fold_cache.hpp) where the schedule allows it.
    virtual std::optional<Assignment> next_like(std::uint64_t /*like*/) { return next(); }
    // A handed-out unit came back. Returns whether the unit is now done as far as the progress
    // count goes (once per unit and run).
    virtual bool report(const UnitReport& r) = 0;
    // Nothing will be handed out in this run any more, whatever comes back: a worker asking now is
    // told to stop. (Not exhausted and nothing to hand out: the worker waits for what the units
    // still out may bring, such as a promotion.)
    virtual bool exhausted() const = 0;

    // This run's final counts.
    virtual std::size_t done() const = 0;       // units with a result (ok, diverged or pruned)
    virtual std::size_t pruned() const = 0;     // of them, pruned
    virtual std::size_t failed() const = 0;     // failed after their retries
    virtual std::size_t abandoned() const = 0;  // stopped by a stop request
};

}  // namespace dnnsweep
