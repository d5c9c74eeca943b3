#pragma once
// What every `dnnsweep` subcommand shares: its entry point's shape and the exit codes.
#include <string>
#include <vector>

namespace dnnsweep {

// Exit codes of every subcommand (documented in the --help epilogs).
namespace exit_code {
inline constexpr int ok = 0;       // finished; a diverged run is a result, so it is also 0
inline constexpr int failure = 1;  // unexpected runtime failure (out of memory, oneDNN error, ...)
inline constexpr int usage = 2;    // bad usage or input: unknown option, bad value, missing/malformed data
inline constexpr int incomplete = 3;     // a sweep stopped by a signal: what finished is recorded; rerun to resume
inline constexpr int interrupted = 130;  // a second SIGINT: exited at once (128 + SIGINT, as shells report it)
}  // namespace exit_code

// A subcommand: receives the arguments after its name, returns the exit code, never throws.
using CommandMain = int (*)(const std::vector<std::string>& args);

}  // namespace dnnsweep
