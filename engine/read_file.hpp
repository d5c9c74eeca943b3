#pragma once
// Whole files as bytes, for the parsers that work on memory (IDX, text). Errors are DataErrors
// naming the file.
#include <cstddef>
#include <string>

namespace dnnsweep {

// The whole file; a folder, a missing file or a read error throws DataError.
std::string read_file(const std::string& path);
// Up to the first `n` bytes of the file; empty when it cannot be read.
std::string read_file_head(const std::string& path, std::size_t n);
// True for a regular file (or a link to one); false for anything else, or on any error.
bool is_file(const std::string& path);

}  // namespace dnnsweep
