#include "runner/cli/install_paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "engine/read_file.hpp"
#include "engine/share_dir.hpp"

namespace dnnsweep {

std::string plots_script() {
    if (const char* env = std::getenv("DNNSWEEP_PLOTS_SCRIPT"); env != nullptr && *env != '\0') return env;
    const std::filesystem::path script = share_dir() / "dnnsweep_plots.py";
    if (!is_file(script.string()))
        throw std::runtime_error(script.string() +
                                 ": the plotting script is not there; set DNNSWEEP_PLOTS_SCRIPT to its path "
                                 "(scripts/dnnsweep_plots.py in the source tree) or DNNSWEEP_SHARE_DIR to its folder");
    return script.string();
}

}  // namespace dnnsweep
