#pragma once
// Running a helper program to completion: sbatch for `dnnsweep submit`, the plotting script for
// `dnnsweep report --plots/--html`.
#include <optional>
#include <string>
#include <vector>

namespace dnnsweep {

struct ProcessResult {
    int exit_status = 0;   // the exit code, or 128 + N when killed by signal N (as shells report it)
    bool killed = false;   // ended by a signal
    std::string captured;  // what it wrote on the captured stream
};

enum class Capture {
    Stdout,  // captured; its stderr goes to ours, as it wrote it
    Stderr,  // captured; its stdout is discarded
};

// Runs argv (argv[0] looked up on PATH unless it holds a '/') with our environment and waits for
// it. nullopt when the program does not exist; std::system_error when it cannot be started.
std::optional<ProcessResult> run_program(const std::vector<std::string>& argv, Capture capture);

}  // namespace dnnsweep
