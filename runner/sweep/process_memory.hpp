#pragma once
// This process's memory as the kernel accounts it, for the `memory_mb` column of `folds`: what a
// rank holds when a unit ends, the figure a user sizes a Slurm job's memory request by.

namespace dnnsweep {

// The proportional set size (Linux /proc/self/smaps_rollup `Pss`) in MiB: resident memory with
// every page shared by n processes counted 1/n in each, so the ranks of one node sum to the node's
// footprint and the node-shared rows count once. Falls back to the resident set size (`VmRSS` of
// /proc/self/status) on kernels without smaps_rollup (before 4.14); NaN where neither is readable.
double process_memory_mb() noexcept;

}  // namespace dnnsweep
