#pragma once
// The process's exit codes, for every subcommand (documented in the --help epilogs). They live in
// the sweep's room because a sweep's signal handler exits with one of them (runner/sweep/signals.cpp).
namespace dnnsweep::exit_code {

inline constexpr int ok = 0;             // finished; a diverged run is a result, so it is also 0
inline constexpr int failure = 1;        // unexpected runtime failure (out of memory, oneDNN error, ...)
inline constexpr int usage = 2;          // bad usage or input: unknown option, bad value, missing/malformed data
inline constexpr int incomplete = 3;     // a sweep stopped by a signal: what finished is recorded; rerun to resume
inline constexpr int no_space = 4;       // a sweep whose results could not be written: no space left (or quota);
                                         //   what was recorded is intact; free space and rerun to resume
inline constexpr int interrupted = 130;  // a second SIGINT: exited at once (128 + SIGINT, as shells report it)

}  // namespace dnnsweep::exit_code
