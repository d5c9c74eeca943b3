#pragma once
// Which unit runs next: the units still to do, longest expected cost first, and the retries of
// units that failed (an exception, not a training outcome), each retried at most `retries` times
// and then kept as failed. Shared by the coordinator and the one-rank loop, so both hand out work
// the same way.
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace dnnsweep {

enum class Outcome { Done, Failed, Stopped };

class WorkQueue {
public:
    WorkQueue(std::vector<std::uint64_t> pending, int retries);

    // The next unit to hand out, or nullopt when none is left to start (some may still be out).
    std::optional<std::uint64_t> next();
    // A handed-out unit came back. Failed: requeued while it has retries left (returns false: not
    // final), else final. Stopped: abandoned by a stop request, not final, not requeued (the
    // next run picks it up). Returns whether this is the unit's final outcome in this run.
    bool report(std::uint64_t unit, Outcome outcome);

    std::size_t out() const { return out_; }          // handed out, not yet reported
    std::size_t final_done() const { return done_; }  // ok or diverged
    std::size_t final_failed() const { return failed_; }
    std::size_t abandoned() const { return abandoned_; }

private:
    std::vector<std::uint64_t> pending_;
    std::size_t next_ = 0;
    std::deque<std::uint64_t> retry_;
    std::unordered_map<std::uint64_t, int> failures_;
    int retries_;
    std::size_t out_ = 0, done_ = 0, failed_ = 0, abandoned_ = 0;
};

}  // namespace dnnsweep
