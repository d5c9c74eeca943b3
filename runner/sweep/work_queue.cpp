#include "runner/sweep/work_queue.hpp"

#include <algorithm>

namespace dnnsweep {

WorkQueue::WorkQueue(std::vector<std::uint64_t> pending, int retries,
                     std::function<std::uint64_t(std::uint64_t)> config_of, std::set<std::uint64_t> pruned_configs,
                     Affinity affinity)
    : config_of_(std::move(config_of)),
      affinity_(std::move(affinity)),
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

std::optional<Assignment> WorkQueue::next_like(std::uint64_t like) {
    if (!affinity_.parts_of || !affinity_.cost_of || next_ >= pending_.size()) return next();
    const std::uint64_t wanted = affinity_.parts_of(like);
    const auto head = static_cast<std::ptrdiff_t>(next_);
    const double head_cost = affinity_.cost_of(pending_[next_]);
    const std::size_t end = std::min(pending_.size(), next_ + kLookAhead);
    for (std::size_t j = next_; j < end; ++j) {
        const std::uint64_t u = pending_[j];
        if (affinity_.cost_of(u) < head_cost) break;  // a cheaper unit never goes before a dearer one
        if (affinity_.parts_of(u) == wanted) {
            // To the head, the units it passes keeping their order.
            const auto at = static_cast<std::ptrdiff_t>(j);
            std::rotate(pending_.begin() + head, pending_.begin() + at, pending_.begin() + at + 1);
            break;
        }
    }
    return next();
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
