#pragma once
// The options of a run that trains units into a results file, shared by `sweep` and `repair`:
// recording (retries, sync, group commit) and progress. One definition, so both commands take
// the same spellings, defaults and checks.
#include <boost/program_options.hpp>

#include "runner/sweep/run_sweep.hpp"

namespace dnnsweep {

void add_run_options(boost::program_options::options_description& o, SweepOptions& run);
// Throws ConfigError naming the option whose value is out of range.
void check_run_options(const SweepOptions& run);

}  // namespace dnnsweep
