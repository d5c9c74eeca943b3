#include "runner/sweep/work_queue.hpp"

namespace dnnsweep {

WorkQueue::WorkQueue(std::vector<std::uint64_t> pending, int retries,
                     std::function<std::uint64_t(std::uint64_t)> config_of, std::set<std::uint64_t> pruned_configs)
    : config_of_(std::move(config_of)),
      pruned_configs_(std::move(pruned_configs)),
      pending_(std::move(pending)),
      retries_(retries) {}

std::optional<Assignment> WorkQueue::next() {
    // Fresh units first: a retry right after its failure would likely land on the same rank.
    std::optional<std::uint64_t> unit;
    if (next_ < pending_.size()) {
        unit = pending_[next_++];
    } else if (!retry_.empty()) {
        unit = retry_.front();
        retry_.pop_front();
    }
    if (!unit) return std::nullopt;
    ++out_;
    return Assignment{*unit, pruned_configs_.contains(config_of_(*unit))};
}

bool WorkQueue::report(const UnitReport& r) {
    const std::uint64_t unit = r.unit;
    --out_;
    switch (r.outcome) {
    case Outcome::Done:
        ++done_;
        return true;
    case Outcome::Pruned:
        ++done_;
        ++pruned_;
        pruned_configs_.insert(config_of_(unit));
        return true;
    case Outcome::Stopped:
        ++abandoned_;
        return false;
    case Outcome::Failed:
        if (++failures_[unit] <= retries_) {
            retry_.push_back(unit);
            return false;
        }
        ++failed_;
        return true;
    }
    return true;
}

}  // namespace dnnsweep
