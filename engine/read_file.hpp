#pragma once
// Reading a whole file into memory: specs, data files, batch script templates, figures to embed.
#include <optional>
#include <string>

namespace dnnsweep {

// The whole file as bytes, or nullopt with `error` set to "PATH: cannot read: why" (a folder:
// "Is a directory").
std::optional<std::string> try_read_file(const std::string& path, std::string& error);

// The same, throwing Error(message) on failure: each caller names the kind of input at fault.
template <class Error>
std::string read_file(const std::string& path) {
    std::string error;
    std::optional<std::string> bytes = try_read_file(path, error);
    if (!bytes) throw Error(error);
    return std::move(*bytes);
}

}  // namespace dnnsweep
