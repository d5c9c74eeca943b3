#include "runner/work_queue.hpp"

namespace dnnsweep {

WorkQueue::WorkQueue(std::vector<std::uint64_t> pending, int retries) : pending_(std::move(pending)), retries_(retries) {}

std::optional<std::uint64_t> WorkQueue::next() {
    // Fresh units first: a retry right after its failure would likely land on the same rank.
    std::optional<std::uint64_t> unit;
    if (next_ < pending_.size()) {
        unit = pending_[next_++];
    } else if (!retry_.empty()) {
        unit = retry_.front();
        retry_.pop_front();
    }
    if (unit) ++out_;
    return unit;
}

bool WorkQueue::report(std::uint64_t unit, Outcome outcome) {
    --out_;
    switch (outcome) {
        case Outcome::Done: ++done_; return true;
        case Outcome::Stopped: ++abandoned_; return false;
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
