#pragma once
// `prune = halving`: asynchronous successive halving (ASHA, Li et al., MLSys 2020) over epochs,
// by configuration, with its promotions made in a fixed order so that they never depend on timing.
//
// Rungs (engine/pruning.hpp halving_rungs): a configuration of E epochs is trained to r, r*eta,
// r*eta^2, ... epochs and finally E. Every unit (configuration x fold) starts on rung 0. A
// configuration has reached rung k when each of its folds trained that rung's epochs (or ended
// before: early stopping, divergence, a failure); its score there is the mean over its folds of
// the validation accuracy at that rung's last epoch (a fold that ended before: its last epoch's).
//
// Promotion, as ASHA: once n configurations have reached rung k, those in the top floor(n / eta)
// by score go on to rung k+1, if not already promoted. A finite grid adds one rule: once rung k is
// complete (every configuration that can reach it has) and none of them went on, its best does. Workers never wait for a rung to fill: a
// worker asking for work gets a promoted unit if there is one (highest rung first), else a unit
// of rung 0, and waits only when neither exists while units are still out.
//
// Deterministic: "n configurations have reached rung k" counts them in a fixed order -- rung 0's
// order is the schedule's (longest first), rung k+1's the order of promotion -- so the n-th
// configuration is only counted once the n-1 before it have been, and a result that arrives
// early waits for its predecessors. Promotions, and so every result, are then the same on any
// rank count, in any arrival order, and across resumes (the state is rebuilt from the recorded
// units' curves). A unit paused on a rung is recorded `pruned`; its promotion's longer training
// replaces that record. A promoted unit trains again from its first epoch (determinism makes its
// first epochs the same as before): no checkpoint of every paused unit to store, at the price of
// retraining the lower rungs' epochs (about 1.4x the epochs of continuing, with eta = 3).
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "engine/pruning.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/scheduler.hpp"
#include "sweeps/grid.hpp"

namespace dnnsweep {

class HalvingQueue final : public Scheduler {
public:
    // schedule: this run's units in schedule order (longest first), recorded ones included;
    // recorded: what earlier runs recorded (resume); retries: as --retries.
    HalvingQueue(const Grid& grid, const std::vector<std::uint64_t>& schedule, const Recorded& recorded,
                 const PruneSettings& settings, int retries);

    std::optional<Assignment> next() override;
    bool report(const UnitReport& r) override;
    bool exhausted() const override;

    std::size_t done() const override { return new_results_; }  // units first recorded in this run
    std::size_t pruned() const override;                        // units this run recorded that stay paused on a rung
    std::size_t failed() const override { return failed_; }
    std::size_t abandoned() const override { return abandoned_; }

private:
    struct Unit {
        std::uint64_t config = 0;       // index into configs_
        int reached = 0;                // epochs of its longest training so far
        bool final = false;             // ended by itself (early stopping, divergence, full epochs) or failed
        std::map<int, double> val_acc;  // validation accuracy at an epoch, for the rungs
        int failures = 0;
        std::size_t rung = 0;     // the rung it was last handed out for
        bool counted = false;     // counted by the progress (recorded before, or reported)
        bool has_record = false;  // recorded, by this run or an earlier one
        bool reported = false;    // recorded by this run
    };
    struct Config {
        std::vector<std::uint64_t> units;  // grid unit indices, fold order
        std::vector<int> rungs;            // epochs per rung
    };
    struct Ranked {            // a configuration counted on a rung, in ranking order
        double key;            // -score (NaN: +infinity)
        std::size_t position;  // its place in the rung's counting order
        std::size_t config;
        bool operator<(const Ranked& o) const { return key < o.key || (key == o.key && position < o.position); }
    };
    struct Task {
        std::uint64_t unit;
        int epochs;
        std::size_t rung;
    };

    bool reached(const Config& c, std::size_t rung) const;
    double score(const Config& c, std::size_t rung) const;
    void enqueue(std::size_t config, std::size_t rung);
    void advance();
    bool promote(std::size_t rung);       // after one more configuration is counted on `rung`
    bool promote_best(std::size_t rung);  // a complete rung none of whose configurations went on

    PruneSettings settings_;
    int retries_;
    std::map<std::uint64_t, Unit> units_;          // by grid unit index
    std::vector<Config> configs_;                  // in rung 0's order
    std::vector<std::vector<std::size_t>> order_;  // per rung: configurations in counting order
    std::vector<std::size_t> counted_;             // per rung: how many of order_ are counted
    std::vector<std::set<std::size_t>> promoted_;  // per rung: configurations promoted from it
    std::vector<std::vector<Ranked>> ranked_;      // per rung: the counted ones, best first
    std::vector<std::deque<Task>> queue_;          // per rung: units to hand out
    std::size_t out_ = 0, new_results_ = 0, failed_ = 0, abandoned_ = 0;
};

}  // namespace dnnsweep
