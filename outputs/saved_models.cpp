#include "outputs/saved_models.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/model_file.hpp"

namespace dnnsweep {

namespace fs = std::filesystem;

std::vector<SavedModel> saved_models(const std::string& results_path, const std::string& spec_hash) {
    std::vector<SavedModel> found;
    if (spec_hash.empty()) return found;
    const fs::path results(results_path);
    const fs::path folder = results.has_parent_path() ? results.parent_path() : fs::path(".");
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
        const fs::path& p = entry.path();
        if (p.extension() != ".h5" || !entry.is_regular_file(ec) || fs::equivalent(p, results, ec)) continue;
        try {
            // The root attributes first: other HDF5 files in the folder (data) are not read further.
            {
                const h5::File f = h5::File::open(p.string(), h5::File::Access::ReadOnly);
                if (!f.has_attr("format") || f.attr_string("format") != kModelFormat) continue;
                if (!f.has_attr("results_spec_hash") || f.attr_string("results_spec_hash") != spec_hash) continue;
            }
            const Model m = read_model_file(p.string());
            found.push_back({p.string(), m.config_id, m.metrics.test_acc});
        } catch (const std::exception&) {
            // Not an HDF5 file, or not one of ours: not a saved model of this study.
        }
    }
    std::ranges::sort(found, {}, &SavedModel::path);
    return found;
}

}  // namespace dnnsweep
