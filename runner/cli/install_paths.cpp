#include "runner/cli/install_paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "engine/share_dir.hpp"

namespace dnnsweep {

std::string plots_script() {
    if (const char* env = std::getenv("DNNSWEEP_PLOTS_SCRIPT"); env != nullptr && *env != '\0') return env;
    const std::filesystem::path script = share_dir() / "dnnsweep_plots.py";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(script, ec))
        throw std::runtime_error(script.string() +
                                 ": the plotting script is not there; set DNNSWEEP_PLOTS_SCRIPT to its path "
                                 "(scripts/dnnsweep_plots.py in the source tree) or DNNSWEEP_SHARE_DIR to its folder");
    return script.string();
}

}  // namespace dnnsweep
