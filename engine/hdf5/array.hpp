#pragma once
// N-dimensional numeric and string datasets (what users keep their data in: h5py's create_dataset),
// as opposed to the compound tables of hdf5.hpp: their shape and element kind, the file's list of
// datasets, and reads converted by HDF5 into a caller-provided buffer (chunked and compressed
// datasets included: the filters run inside H5Dread).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"

namespace dnnsweep::h5 {

enum class ElementKind { SignedInteger, UnsignedInteger, Float, String, Other };

struct ArrayInfo {
    std::vector<hsize_t> dims;  // empty for a scalar
    ElementKind kind = ElementKind::Other;
    std::size_t element_bytes = 0;
    std::string type_name;  // "float32", "int64", "string", "compound" ... for messages
    std::size_t elements() const;
};

ArrayInfo array_info(const Dataset& ds);

// The whole dataset converted to float32 into `dst` (array_info(ds).elements() floats). Values
// beyond float32's range become infinite: the caller checks finiteness.
void read_floats(const Dataset& ds, float* dst);
// The whole dataset converted to int64 / float64 (numeric datasets only).
std::vector<std::int64_t> read_int64(const Dataset& ds);
std::vector<double> read_doubles(const Dataset& ds);
// Every element of a string dataset, fixed or variable length, as UTF-8 (fixed ones trimmed at
// their first null byte).
std::vector<std::string> read_strings(const Dataset& ds);

// The full paths ("/X", "/group/y") of every dataset in the file, in name order.
std::vector<std::string> dataset_paths(const File& file);

// Whether `path` is an HDF5 file (its signature); false for anything else, or when unreadable.
bool is_hdf5_file(const std::string& path);

}  // namespace dnnsweep::h5
