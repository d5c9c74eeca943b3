#pragma once
// This process's memory as the kernel accounts it, for the `memory_mb` column of `folds`: what a
// rank holds when a unit ends, the figure a user sizes a Slurm job's memory request by.

#include <chrono>
#include <optional>

namespace dnnsweep {

// The proportional set size (Linux /proc/self/smaps_rollup `Pss`) in MiB: resident memory with
// every page shared by n processes counted 1/n in each, so the ranks of one node sum to the node's
// footprint and the node-shared rows count once. Falls back to the resident set size (`VmRSS` of
// /proc/self/status) on kernels without smaps_rollup (before 4.14); NaN where neither is readable.
double process_memory_mb() noexcept;

// process_memory_mb() at most once per `interval`, the last figure in between. Reading Pss walks
// every page the process maps: 0.3-0.5 ms for a worker holding the node's rows, a quarter of a
// 1.6 ms unit's time when read after each one (perf on the 9,600-unit grid, docs/PERFORMANCE.md).
// Memory changes slowly next to such units; a unit longer than `interval` always gets a fresh figure.
class MemorySampler {
public:
    using Clock = std::chrono::steady_clock;
    explicit MemorySampler(Clock::duration interval = std::chrono::seconds(1)) : interval_(interval) {}
    double sample() noexcept { return sample_at(Clock::now()); }
    double sample_at(Clock::time_point now) noexcept;  // `now` given: tests

private:
    Clock::duration interval_;
    std::optional<Clock::time_point> last_;
    double mb_ = 0.0;
};

}  // namespace dnnsweep
