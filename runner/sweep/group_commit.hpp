#pragma once
// Group commit (runner/sweep/sweep_protocol.hpp, steps 3-4): units are handed out and recorded in
// batches, so that short units share one shard append, one fsync and one message each way instead
// of paying them one by one. A batch is one unit until the units are measured short, so a sweep
// of long units runs exactly as without batches.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/fold_cache.hpp"
#include "engine/stop.hpp"
#include "outputs/results_store.hpp"
#include "runner/sweep/scheduler.hpp"
#include "runner/sweep/study.hpp"
#include "runner/sweep/sweep_protocol.hpp"

namespace dnnsweep {

// How many units the next batch gets, from the units' measured time (training and preparation;
// an exponentially weighted mean, so it follows the longest-first schedule's shrinking units).
class BatchSizer {
public:
    // target_seconds 0: every batch is one unit.
    explicit BatchSizer(double target_seconds, std::size_t max_units = protocol::kMaxBatch);
    // A unit that trained took `seconds` (units recorded pruned without training are not measured).
    void observe(double seconds);
    // 1 until a unit was measured; then about target_seconds of units, at least 1, at most
    // max_units and at most unstarted / (2 x workers) (so the sweep's last batches stay short and
    // no worker is left with a long tail while the others are idle).
    std::size_t size(std::size_t unstarted, int workers) const;

private:
    double target_;
    std::size_t max_;
    double mean_ = 0.0;
    bool measured_ = false;
};

// What running a batch needs besides its units.
struct BatchRun {
    const Study& study;
    int rank = 0;
    std::string host;
    StopCheck should_stop = nullptr;  // asked before each unit (and by training, before each mini-batch)
    FoldCache& folds;                 // the study's fold parts, kept between units (engine/fold_cache.hpp)
};

// Runs the batch's units in order and records the finished ones in `shard` with one append (one
// sync), then returns one report per unit, in batch order. A unit of a configuration pruned
// earlier in the batch (`prune = chance`) is recorded pruned without training, as the coordinator
// would have said. Once a unit is stopped (should_stop, or its training stopped), it and the
// units after it are reported Stopped and not recorded. With `no_space` set, or set here because
// the append found the file system full, every unit of the batch is reported Stopped (not recorded).
// wait_seconds (the wait for the batch) and the append's seconds are shared evenly by its units.
std::vector<protocol::Request> run_batch(const BatchRun& run, std::span<const Assignment> batch, ShardWriter* shard,
                                         bool& no_space, double wait_seconds);

// kAssign's words for a batch, and back.
std::vector<std::uint64_t> encode_batch(std::span<const Assignment> batch);
std::vector<Assignment> decode_batch(std::span<const std::uint64_t> words);
// kRequest's words for a batch's reports, and back.
std::vector<std::uint64_t> encode_reports(std::span<const protocol::Request> reports);
std::vector<protocol::Request> decode_reports(std::span<const std::uint64_t> words);

}  // namespace dnnsweep
