#pragma once
// Groups and N-dimensional numeric arrays on top of the RAII layer (engine/hdf5/hdf5.hpp): what a
// model file holds (weights as `kernel` in x out, biases, statistics) and what h5py reads as a
// numpy array. Every failure is an Hdf5Error naming the file and the object.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"

namespace dnnsweep::h5 {

// A group (or the file's root) to hang arrays, attributes and further groups on.
class Group : public Object {
public:
    using Object::Object;
    Group(Handle h, std::string path) : Object(std::move(h)), path_(std::move(path)) {}
    const std::string& path() const { return path_; }  // inside the file, for messages

private:
    std::string path_ = "/";
};

// The root group of an open file.
Group root(const File& f);
// Creates `name` under `parent` (intermediate groups too); fails when it exists.
Group create_group(const Group& parent, const std::string& name);
Group open_group(const Group& parent, const std::string& name);
// Whether `name` (a path relative to `o`) exists; whether `o` has attribute `name`.
bool has_link(const Object& o, const std::string& name);
bool has_attr(const Object& o, const std::string& name);
// An attribute as stored: a string (or strings), a float as double, an integer as int64 or uint64.
AttrValue read_attr(const Object& o, const std::string& name);
// The names of a group's members, in HDF5's (alphabetical) order.
std::vector<std::string> member_names(const Group& g);

// A contiguous array: dims (row-major, the last dimension fastest) and the values.
template <class T>
struct Array {
    std::vector<std::uint64_t> dims;
    std::vector<T> values;
};

// Writes `values` (product of dims) as dataset `name` under `parent`, stored as T's own type
// (float32, float64, int32, int64).
template <class T>
void write_array(const Group& parent, const std::string& name, const std::vector<std::uint64_t>& dims,
                 std::span<const T> values);
// Reads dataset `name` under `parent`, converting from any numeric type HDF5 converts to T.
template <class T>
Array<T> read_array(const Group& parent, const std::string& name);

}  // namespace dnnsweep::h5
