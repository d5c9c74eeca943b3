#include "engine/share_dir.hpp"

#include <cstdlib>
#include <system_error>

namespace dnnsweep {

std::filesystem::path share_dir() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("DNNSWEEP_SHARE_DIR"); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    const fs::path installed = exe.parent_path().parent_path() / "share" / "dnnsweep";
    fs::path dir = exe.parent_path();
    for (int level = 0; level < 3 && dir.has_relative_path(); ++level) {
        dir = dir.parent_path();
        if (fs::is_directory(dir / "share" / "dnnsweep", ec)) return dir / "share" / "dnnsweep";
    }
    return installed;
}

}  // namespace dnnsweep
