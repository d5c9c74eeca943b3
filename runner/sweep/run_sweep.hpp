#pragma once
// A whole sweep over the MPI ranks, once its options are parsed: rank 0 validates the spec, data
// and --out and tells the others to go on; the ranks share the dataset; rank 0 plans and
// coordinates (or, alone, trains everything), prints the closing figures and merges the shards.
#include <string>

namespace dnnsweep {

struct SweepOptions {
    std::string spec_path;
    std::string out;                      // the results file
    std::string progress = "auto";        // Progress::parse
    double progress_interval = 10.0;      // seconds between progress lines
    int retries = 1;                      // times a failed unit runs again
    int array_task = 0, array_tasks = 1;  // this job's share of the units
    bool restart = false;                 // move an existing --out aside first
    bool retry_failed = false;            // run the units recorded failed again
    bool no_sync = false;                 // shards flushed, not fsynced (scratch file systems)
    double batch_seconds = 0.2;           // group commit: seconds of short units per batch (0: one unit)
    bool repair = false;                  // `dnnsweep repair`: the spec is the one --out stores, repairs on
};

// Runs on every rank of the job. Returns the exit code (runner/sweep/exit_codes.hpp); a user's error
// found in the first step is printed and returned as exit_code::usage on every rank. Throws past
// that step (an error on one rank then has to end the whole job).
int run_sweep(const SweepOptions& o);

}  // namespace dnnsweep
