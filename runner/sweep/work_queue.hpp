#pragma once
// Which unit runs next: the units still to do, longest expected cost first, and the retries of
// units that failed (an exception, not a training outcome), each retried at most `retries` times
// and then kept as failed. With chance pruning, once a unit of a configuration comes back pruned,
// the configuration's units not yet started are handed out as "record pruned" (no training).
// Shared by the coordinator and the one-rank loop, so both hand out work the same way.
//
// With an affinity, next_like hands out, among the next units of the head unit's expected cost
// (so longest first holds), the first that trains on the same fold parts as the asking worker's
// last unit: its worker then reuses the parts it keeps instead of preparing them again.
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <unordered_map>
#include <vector>

#include "runner/sweep/scheduler.hpp"

namespace dnnsweep {

// Which units share fold parts, and which may change places to let a worker reuse its own.
struct Affinity {
    std::function<std::uint64_t(std::uint64_t)> parts_of;  // a unit's fold parts, as a key (fold, scaling)
    std::function<double(std::uint64_t)> cost_of;          // a unit's expected cost, the schedule's order
};

class WorkQueue final : public Scheduler {
public:
    // config_of: a unit's configuration; pruned_configs: those with a unit already recorded pruned
    // (a resumed sweep does not train their other folds either); affinity: empty functions when
    // every unit trains on the same parts (next_like is then next).
    WorkQueue(std::vector<std::uint64_t> pending, int retries, std::function<std::uint64_t(std::uint64_t)> config_of,
              std::set<std::uint64_t> pruned_configs = {}, Affinity affinity = {});

    // The next unit to hand out, or nullopt when none is left to start (some may still be out).
    std::optional<Assignment> next() override;
    // How far ahead next_like looks: its cost at rank 0 stays bounded whatever the schedule.
    static constexpr std::size_t kLookAhead = 64;
    std::optional<Assignment> next_like(std::uint64_t like) override;
    // Failed: requeued while it has retries left (returns false: not final), else final. Stopped:
    // abandoned by a stop request, not final, not requeued (the next run picks it up). Pruned:
    // final, and its configuration's unstarted units are not trained. Returns whether this is the
    // unit's final outcome in this run.
    bool report(const UnitReport& r) override;
    // Nothing left to start: a worker asking is told to stop even while a unit that may still
    // fail is out (its retry goes to whichever worker is still there).
    bool exhausted() const override { return next_ >= pending_.size() && retry_.empty(); }

    std::size_t out() const { return out_; }  // handed out, not yet reported
    std::size_t done() const override { return done_; }
    std::size_t pruned() const override { return pruned_; }
    std::size_t failed() const override { return failed_; }
    std::size_t abandoned() const override { return abandoned_; }

private:
    std::function<std::uint64_t(std::uint64_t)> config_of_;
    Affinity affinity_;
    std::set<std::uint64_t> pruned_configs_;
    std::vector<std::uint64_t> pending_;
    std::size_t next_ = 0;
    std::deque<std::uint64_t> retry_;
    std::unordered_map<std::uint64_t, int> failures_;
    int retries_;
    std::size_t out_ = 0, done_ = 0, pruned_ = 0, failed_ = 0, abandoned_ = 0;
};

}  // namespace dnnsweep
