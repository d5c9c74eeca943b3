#pragma once
// The files `dnnsweep` runs or copies from its share folder (engine/share_dir.hpp), each with the
// environment variable that overrides it.
#include <string>

namespace dnnsweep {

// The plotting script of `dnnsweep report --plots/--html`: $DNNSWEEP_PLOTS_SCRIPT, else
// dnnsweep_plots.py in the share folder. Throws std::runtime_error naming where it looked.
std::string plots_script();

}  // namespace dnnsweep
