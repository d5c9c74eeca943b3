#pragma once
// The two roles of `dnnsweep sweep` (protocol in runner/sweep/sweep_protocol.hpp): rank 0 coordinating
// the workers, a worker training units, and one rank alone doing both without messages.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "outputs/results_store.hpp"
#include "runner/sweep/progress.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/study.hpp"

namespace dnnsweep {

struct Plan {
    std::vector<std::uint64_t> share;        // this run's units, recorded or not, longest first
    std::vector<std::uint64_t> pending;      // of them, those not recorded yet
    std::set<std::uint64_t> pruned_configs;  // configurations with a unit already recorded pruned
    Recorded recorded;                       // what earlier runs recorded (successive halving resumes from it)
    std::uint64_t units = 0;                 // this run's share of the grid (all of it without --array-tasks)
    std::uint64_t already_done = 0;          // of that share
    double pending_flops = 0.0;
};

// The units this run is responsible for: all of them, or with array_tasks K every K-th of the
// longest-first schedule from position array_task (so the K tasks get similar total cost, and a
// task's share never depends on what is already done), minus those already recorded.
Plan make_plan(const Study& s, Recorded recorded, int array_task, int array_tasks);

// What rank 0 saw of the run, for the closing lines and the exit code.
struct RunSummary {
    std::size_t done = 0, pruned = 0, failed = 0, abandoned = 0;  // done includes pruned
    double unit_seconds = 0.0;                                    // the workers' training seconds, summed
    std::int64_t epochs_trained = 0;        // epochs the workers trained in this run (halving: every rung's)
    double record_seconds = 0.0;            // the workers' shard appends, summed
    double setup_seconds = 0.0;             // the workers' unit preparation (rows, scaling, model build), summed
    double handling_seconds = 0.0;          // rank 0's time answering requests (receive, bookkeeping, send)
    double wait_seconds = 0.0;              // the workers' waits for their units (request sent to answer in), summed;
                                            // with halving also the time a request waits for a promotion
    std::size_t requests = 0, reports = 0;  // requests answered; the units they reported
    std::size_t batches = 0;                // requests that reported units (group commit: a batch each)
    bool stopped = false;
    int no_space_rank = -1;  // a rank whose shard could not be written for lack of space (it stopped the run)
};

// Rank 0 of a multi-rank job: hands out units, never trains, never spins.
RunSummary coordinate(const Study& s, const Plan& plan, int ranks, int retries, Progress& progress);
// A worker rank: asks for units, trains them, records each in its own shard before reporting it.
void work(const Study& s, const std::string& out, const RunInfo& info, int rank, const std::string& host);
// One rank alone: the same steps without messages.
RunSummary work_alone(const Study& s, const Plan& plan, const std::string& out, const RunInfo& info,
                      const std::string& host, int retries, Progress& progress);

}  // namespace dnnsweep
