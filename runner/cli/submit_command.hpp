#pragma once
// `dnnsweep submit SPEC --out RESULTS.h5`: a sweep as a Slurm batch job (docs/slurm.md). Renders
// the batch script from slurm/sweep.sbatch (built into the binary), saves it next to the results,
// and hands it to sbatch.
#include <string>
#include <vector>

namespace dnnsweep {

int run_submit_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
