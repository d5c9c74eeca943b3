#pragma once
// Reading files into memory: specs, data files, batch script templates, figures to embed.
#include <cstddef>
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

// Up to the first `n` bytes of the file; empty when it cannot be read.
std::string read_file_head(const std::string& path, std::size_t n);
// True for a regular file (or a link to one); false for anything else, or on any error.
bool is_file(const std::string& path);

}  // namespace dnnsweep
