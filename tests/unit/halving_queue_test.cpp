#include "runner/sweep/halving_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace {

// Configurations of 9 epochs, rungs 1, 3, 9 (eta 3), one per learning rate (20 epochs: 1, 3, 9, 20).
SweepSpec halving_spec(int configs, int folds, int epochs = 9) {
    std::string rates;
    for (int c = 0; c < configs; ++c) rates += (c ? ", " : "") + std::to_string(0.01 * (c + 1));
    return parse_spec("prune = halving\nhalving-min-epochs = 1\nhalving-eta = 3\nepochs = " + std::to_string(epochs) +
                          "\nfolds = " + std::to_string(folds) + "\nlearning-rate = " + rates + "\n",
                      "halving.ini");
}

// A halving sweep's grid, its units in configuration order as the schedule of configurations of
// equal cost is.
struct Sweep {
    Sweep(int configs, int folds, int epochs = 9)
        : spec(halving_spec(configs, folds, epochs)), grid(spec), schedule(grid.unit_count()) {
        std::iota(schedule.begin(), schedule.end(), 0);
    }
    HalvingQueue queue(int retries, const Recorded& recorded = {}) const {
        return HalvingQueue(grid, schedule, recorded, spec.prune, retries);
    }
    SweepSpec spec;
    Grid grid;
    std::vector<std::uint64_t> schedule;
};

// What training a unit gives, fixed in advance as a deterministic trainer's would be: a validation
// accuracy per configuration (ties and a NaN included), an early stop, failures.
struct Truth {
    std::vector<double> score;           // per configuration: its validation accuracy at every epoch
    std::map<std::uint64_t, int> stops;  // unit -> the epoch early stopping ends it at
    std::map<std::uint64_t, int> fails;  // unit -> how many times it throws before it trains
};

struct Trained {
    std::multiset<std::pair<std::uint64_t, int>> handed_out;  // (unit, epochs) of every assignment
    std::map<std::uint64_t, RecordedUnit> records;            // what the results hold, per unit
    std::map<std::uint64_t, int> attempts;
    std::size_t reports = 0;
};

// Trains assignment `a` as `truth` says and records the result, as a worker and the shard do.
UnitReport train(const Grid& grid, const Truth& truth, const Assignment& a, Trained& t) {
    const std::uint64_t config = grid.unit(a.unit).config;
    const int full = grid.config(config).epochs;
    const int target = a.epochs > 0 ? a.epochs : full;
    const auto fails = truth.fails.find(a.unit);
    if (fails != truth.fails.end() && t.attempts[a.unit]++ < fails->second) {
        t.records[a.unit] = {UnitStatus::Failed, 0, {}};
        return {a.unit, Outcome::Failed, 0};
    }
    const auto stop = truth.stops.find(a.unit);
    const bool stops_early = stop != truth.stops.end() && stop->second <= target;
    const int epochs = stops_early ? stop->second : target;
    const double acc = truth.score[config];
    t.records[a.unit] = {stops_early || epochs == full ? UnitStatus::Ok : UnitStatus::Pruned, epochs,
                         std::vector<double>(epochs, acc)};
    return {a.unit, stops_early || epochs == full ? Outcome::Done : Outcome::Pruned, epochs, acc};
}

// Runs `q` with `workers` workers whose units finish in an order drawn from `seed`, until it is
// exhausted or, with `stop_after`, that many reports came back (the units still out are then
// abandoned, as a stop request does).
void run(HalvingQueue& q, const Grid& grid, const Truth& truth, int workers, unsigned seed, Trained& t,
         std::optional<std::size_t> stop_after = std::nullopt) {
    std::mt19937 rng(seed);
    std::vector<Assignment> out;
    for (;;) {
        while (static_cast<int>(out.size()) < workers) {
            const std::optional<Assignment> a = q.next();
            if (!a) break;
            t.handed_out.emplace(a->unit, a->epochs);
            out.push_back(*a);
        }
        if (out.empty()) break;
        if (stop_after && t.reports == *stop_after) {
            for (const Assignment& a : out) q.report({a.unit, Outcome::Stopped});
            return;
        }
        const std::size_t i = std::uniform_int_distribution<std::size_t>(0, out.size() - 1)(rng);
        const Assignment a = out[i];
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        q.report(train(grid, truth, a, t));
        ++t.reports;
    }
    EXPECT_TRUE(q.exhausted());
}

Recorded recorded_from(const std::map<std::uint64_t, RecordedUnit>& records) {
    Recorded r;
    for (const auto& [unit, rec] : records) {
        r.units.insert(unit);
        if (rec.status == UnitStatus::Pruned) r.pruned.insert(unit);
        r.records.emplace(unit, rec);
    }
    return r;
}

// Per unit: the epochs of its longest training (0: never trained past rung 0's start).
std::map<std::uint64_t, int> longest(const Trained& t) {
    std::map<std::uint64_t, int> epochs;
    for (const auto& [unit, e] : t.handed_out) epochs[unit] = std::max(epochs[unit], e);
    return epochs;
}

TEST(HalvingQueue, PromotesTheTopThirdOfEachCountAsASHA) {
    // One fold, scores counted in schedule order c0..c5: at 3 counted c1 (0.8) is on top and goes
    // on; at 4, c3 (0.9); at 5, c4 ties c1 at 0.8 and the earlier counted keeps the place; at 6 the
    // quota of 2 holds c3 and c1, already promoted. Two configurations on rung 1 make a quota of
    // none; once both are counted the rung is complete, and its best, c3, trains to the end.
    const Sweep s(6, 1);
    const Truth truth{{0.5, 0.8, 0.3, 0.9, 0.8, 0.1}, {}, {}};
    HalvingQueue q = s.queue(0);
    Trained t;
    run(q, s.grid, truth, 1, 1, t);
    EXPECT_EQ(longest(t), (std::map<std::uint64_t, int>{{0, 1}, {1, 3}, {2, 1}, {3, 9}, {4, 1}, {5, 1}}));
    EXPECT_EQ(t.handed_out.size(), 9u);  // six on rung 0, two on rung 1, one on rung 2
    EXPECT_EQ(t.records.at(3).status, UnitStatus::Ok);
    EXPECT_EQ(q.done(), 6u);
    EXPECT_EQ(q.pruned(), 5u);  // the others stay paused on a rung
    EXPECT_EQ(q.failed(), 0u);
}

TEST(HalvingQueue, TrainsTheBestToTheEnd) {
    // Nine configurations, one fold, best counted first: c0 goes on at 3 counted, c1 when the quota
    // is 2, c2 at 3; on rung 1 c0 is on top at 3 counted and trains to the end.
    const Sweep s(9, 1);
    const Truth truth{{0.95, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1}, {}, {}};
    HalvingQueue q = s.queue(0);
    Trained t;
    run(q, s.grid, truth, 1, 1, t);
    EXPECT_EQ(longest(t),
              (std::map<std::uint64_t, int>{{0, 9}, {1, 3}, {2, 3}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}}));
    EXPECT_EQ(t.records.at(0).status, UnitStatus::Ok);
    EXPECT_EQ(q.pruned(), 8u);
    EXPECT_EQ(q.done(), 9u);
}

TEST(HalvingQueue, ACompleteRungWithoutPromotionsSendsItsBestOn) {
    // Rungs 1, 3, 9, 20: nine configurations give ASHA's quotas 3 (c1, c2, c3 in counting order),
    // 1 (c1) and then 0 on rung 2, so nothing would train to the end. Rung 2 is complete with its
    // one configuration, c1: it goes on and trains in full.
    const Sweep s(9, 2, 20);
    const Truth truth{{0.6, 0.95, 0.7, 0.65, 0.5, 0.4, 0.3, 0.2, 0.1}, {}, {}};
    HalvingQueue q = s.queue(0);
    Trained t;
    run(q, s.grid, truth, 2, 3, t);
    const std::map<std::uint64_t, int> epochs = longest(t);
    for (const std::uint64_t u : {2, 3}) EXPECT_EQ(epochs.at(u), 20) << u;
    for (const std::uint64_t u : {4, 5, 6, 7}) EXPECT_EQ(epochs.at(u), 3) << u;  // c2, c3 stop on rung 1
    for (const std::uint64_t u : {0, 1}) EXPECT_EQ(epochs.at(u), 1) << u;
    EXPECT_EQ(t.records.at(2).status, UnitStatus::Ok);
    EXPECT_EQ(t.handed_out.size(), 18u + 6u + 2u + 2u);
    EXPECT_EQ(q.pruned(), 16u);
}

// Twelve configurations of two folds with ties, a NaN score (a diverged fold) and early stops.
Truth ties_truth() {
    Truth truth;
    truth.score = {0.5, 0.7, 0.7, 0.2, 0.9, 0.7, std::nan(""), 0.3, 0.9, 0.6, 0.7, 0.4};
    truth.stops = {{9, 2}, {16, 5}};  // configuration 4's fold 1 stops at epoch 2; 8's fold 0 at 5
    return truth;
}

// The same with failures: units 4 and 17 throw once (retried, then fine), unit 22 always.
Truth failing_truth() {
    Truth truth = ties_truth();
    truth.fails = {{4, 1}, {17, 1}, {22, 9}};
    return truth;
}

TEST(HalvingQueue, PromotionsDoNotDependOnArrivalOrderOrWorkerCount) {
    const Sweep s(12, 2);
    const Truth truth = failing_truth();
    Trained reference;
    {
        HalvingQueue q = s.queue(1);
        run(q, s.grid, truth, 1, 0, reference);
        EXPECT_EQ(q.failed(), 1u);  // unit 22, after its retry
    }
    // Something was promoted past rung 0, and something to the last rung.
    const auto epochs = longest(reference);
    EXPECT_TRUE(std::ranges::any_of(epochs, [](const auto& kv) { return kv.second == 3; }));
    EXPECT_TRUE(std::ranges::any_of(epochs, [](const auto& kv) { return kv.second == 9; }));
    for (const int workers : {2, 3, 5, 24})
        for (unsigned seed = 1; seed <= 20; ++seed) {
            HalvingQueue q = s.queue(1);
            Trained t;
            run(q, s.grid, truth, workers, seed, t);
            ASSERT_EQ(t.handed_out, reference.handed_out) << workers << " workers, seed " << seed;
            EXPECT_EQ(q.done(), s.grid.unit_count() - 1);
            EXPECT_EQ(q.failed(), 1u);
        }
}

TEST(HalvingQueue, AResumeReplaysThePromotionsOfTheRecords) {
    // Without failures: a failure recorded before a stop is not retried by the next run.
    const Sweep s(12, 2);
    const Truth truth = ties_truth();
    Trained whole;
    {
        HalvingQueue q = s.queue(1);
        run(q, s.grid, truth, 3, 7, whole);
    }
    for (const std::size_t stop_after : {5u, 20u, 31u, 40u})
        for (unsigned seed = 1; seed <= 5; ++seed) {
            Trained first;
            {
                HalvingQueue q = s.queue(1);
                run(q, s.grid, truth, 4, seed, first, stop_after);
            }
            // The next run starts from what the first recorded, as check_out reads it back.
            Trained second;
            second.records = first.records;
            HalvingQueue q = s.queue(1, recorded_from(first.records));
            run(q, s.grid, truth, 4, seed + 100, second);
            std::map<std::uint64_t, std::pair<UnitStatus, int>> got, want;
            for (const auto& [u, r] : second.records) got[u] = {r.status, r.epochs};
            for (const auto& [u, r] : whole.records) want[u] = {r.status, r.epochs};
            ASSERT_EQ(got, want) << "stopped after " << stop_after << " reports, seed " << seed;
            // Nothing recorded final is trained again.
            for (const auto& [u, r] : first.records) {
                if (r.status != UnitStatus::Ok) continue;
                EXPECT_EQ(std::ranges::count(second.handed_out, u, &std::pair<std::uint64_t, int>::first), 0) << u;
            }
        }
}

TEST(HalvingQueue, AStoppedUnitIsAbandonedNotRecorded) {
    const Sweep s(3, 1);
    HalvingQueue q = s.queue(0);
    const auto a = q.next();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->epochs, 1);  // rung 0
    EXPECT_FALSE(q.report({a->unit, Outcome::Stopped}));
    EXPECT_EQ(q.abandoned(), 1u);
    EXPECT_EQ(q.done(), 0u);
}

}  // namespace
}  // namespace dnnsweep
