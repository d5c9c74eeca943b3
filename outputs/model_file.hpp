#pragma once
// The model file: one trained classifier in HDF5 (layout and an h5py reader in docs/model-format.md).
// Written whole to a temporary name beside the target, then renamed, so a failed write never
// leaves a damaged file or replaces a good one.
#include <string>

#include "engine/model.hpp"

namespace dnnsweep {

inline constexpr const char* kModelFormat = "dnnsweep-model";
inline constexpr std::int64_t kModelFormatVersion = 1;

// Refuses (ConfigError naming `option`) a path that exists unless `overwrite`, or whose folder is
// missing: checked before a long training, not only when the file is written.
void check_model_path(const std::string& path, bool overwrite, const std::string& option);
// Throws ModelError or ResultsError naming the file.
void write_model_file(const std::string& path, const Model& model, bool overwrite);
// Throws ModelError (another format or version, a configuration or layer that does not read back)
// or an HDF5 error, naming the file.
Model read_model_file(const std::string& path);

}  // namespace dnnsweep
