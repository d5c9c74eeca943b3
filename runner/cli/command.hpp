#pragma once
// What every `dnnsweep` subcommand shares: its entry point's shape and the exit codes.
#include <string>
#include <vector>

#include "runner/sweep/exit_codes.hpp"

namespace dnnsweep {

// A subcommand: receives the arguments after its name, returns the exit code, never throws.
using CommandMain = int (*)(const std::vector<std::string>& args);

}  // namespace dnnsweep
