#pragma once
// A thin RAII layer over the HDF5 C API, in the manner of HighFive: every handle closes itself,
// every return code is checked, and a failure becomes an Hdf5Error carrying what was being done,
// the file's name and the HDF5 error stack's messages.
//
// Tables are 1-D datasets of compound rows. In memory a table is column-oriented (one typed vector
// per field), which is what the readers want and what lets `configs` have one column per
// hyperparameter without a C++ struct per schema. Supported field types: signed/unsigned integers,
// floats, booleans (stored as h5py's bool: an int8 enum FALSE/TRUE) and UTF-8 strings, fixed-length
// (null-padded) or variable-length.
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/user_error.hpp"

namespace dnnsweep {

// A failure reading or writing an HDF5 file: results files (outputs/ calls it ResultsError) and
// datasets the engine's loaders read alike.
class Hdf5Error : public UserError {
public:
    using UserError::UserError;
};

// A write that failed because the file system is full or the user's quota is spent (ENOSPC,
// EDQUOT): the one failure a user fixes by freeing space and running the same command again.
class Hdf5NoSpaceError : public Hdf5Error {
public:
    using Hdf5Error::Hdf5Error;
};

}  // namespace dnnsweep

namespace dnnsweep::h5 {

// Throws Hdf5Error "<file>: <what>: <messages of the HDF5 error stack>" and clears the stack.
[[noreturn]] void fail(std::string_view what, const std::string& file);
// Return-code checks: negative is failure.
hid_t check_id(hid_t id, std::string_view what, const std::string& file);
herr_t check(herr_t rc, std::string_view what, const std::string& file);
bool check_tri(htri_t rc, std::string_view what, const std::string& file);

// An owned hid_t closed by its close function (H5Tclose, H5Sclose, ...). Move-only.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer, std::string file) : id_(id), closer_(closer), file_(std::move(file)) {}
    ~Handle();
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t id() const { return id_; }
    const std::string& file() const { return file_; }
    bool valid() const { return id_ >= 0; }
    // Closes now, checking the result (a destructor cannot report it; File::close needs to).
    void close(std::string_view what);

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
    std::string file_;  // for error messages
};

struct DataType : Handle {
    using Handle::Handle;
};
struct DataSpace : Handle {
    using Handle::Handle;
};
struct PropList : Handle {
    using Handle::Handle;
};

// One field of a table: a typed column of values.
using ColumnData = std::variant<std::vector<std::int32_t>, std::vector<std::int64_t>, std::vector<std::uint64_t>,
                                std::vector<float>, std::vector<double>, std::vector<bool>, std::vector<std::string>>;

struct Column {
    std::string name;
    ColumnData data;
    std::size_t string_size = 0;  // string columns: fixed length in bytes; 0 = variable length
    std::string unit;             // written as the dataset attribute named like the field; empty: none
    std::size_t size() const;
};

// Rows of a compound dataset, column by column. Every column has the same length. Columns live in a
// deque so the vector add() returns stays valid while more columns are added.
class Table {
public:
    template <class T>
    std::vector<T>& add(std::string name, std::string unit = {}) {
        columns_.push_back({std::move(name), std::vector<T>{}, 0, std::move(unit)});
        return std::get<std::vector<T>>(columns_.back().data);
    }
    // string_size 0: variable length.
    std::vector<std::string>& add_string(std::string name, std::size_t string_size = 0);
    void add_column(Column c) { columns_.push_back(std::move(c)); }

    bool has(std::string_view name) const { return find(name) != nullptr; }
    const Column* find(std::string_view name) const;
    // The column `name` of type T; Hdf5Error naming the dataset when absent or of another type.
    template <class T>
    const std::vector<T>& get(std::string_view name) const {
        const Column& c = column(name);
        if (const auto* v = std::get_if<std::vector<T>>(&c.data)) return *v;
        throw Hdf5Error(origin_ + ": field '" + std::string(name) + "' has an unexpected type");
    }
    const Column& column(std::string_view name) const;
    const std::deque<Column>& columns() const { return columns_; }
    std::size_t rows() const;  // Hdf5Error when the columns' lengths differ
    void set_origin(std::string origin) { origin_ = std::move(origin); }
    const std::string& origin() const { return origin_; }

private:
    std::deque<Column> columns_;
    std::string origin_ = "table";  // "file: dataset", for messages
};

// Scalar attribute values; hosts is the one array.
using AttrValue = std::variant<std::string, double, std::int64_t, std::uint64_t, std::vector<std::string>>;

// Anything attributes hang on (a file = its root group, a dataset).
class Object {
public:
    Object() = default;
    explicit Object(Handle h) : handle_(std::move(h)) {}
    hid_t id() const { return handle_.id(); }
    const std::string& file() const { return handle_.file(); }
    void close(std::string_view what) { handle_.close(what); }

    void set_attr(const std::string& name, const AttrValue& value) const;
    std::string attr_string(const std::string& name) const;
    double attr_double(const std::string& name) const;
    std::int64_t attr_int(const std::string& name) const;
    std::uint64_t attr_uint(const std::string& name) const;
    std::vector<std::string> attr_strings(const std::string& name) const;
    bool has_attr(const std::string& name) const;  // files of older versions lack newer attributes

protected:
    Handle handle_;
};

class Dataset : public Object {
public:
    Dataset() = default;
    Dataset(Handle h, std::string name) : Object(std::move(h)), name_(std::move(name)) {}
    const std::string& name() const { return name_; }

    hsize_t rows() const;  // current extent
    // Extends the dataset by t.rows() and writes them (fields matched by name).
    void append(const Table& t) const;
    // Rows [start, start + count) of every field of a supported type (others are skipped).
    Table read(hsize_t start, hsize_t count) const;
    Table read_all() const { return read(0, rows()); }
    void flush() const;  // H5Dflush: in SWMR mode, makes appended rows visible to readers

private:
    std::string name_;  // as opened, for messages
};

struct ChunkOptions {
    hsize_t chunk_rows = 256;
    bool compress = false;  // shuffle + deflate (never in SWMR shards: kept to plain raw chunks)
};

class File : public Object {
public:
    using Object::Object;
    enum class Access { ReadOnly, SwmrRead };
    enum class Format {
        Swmr,  // H5F_LIBVER_LATEST, as SWMR writing requires
        V18,   // 1.8 or later: dense attribute storage (large attributes), readable by any current h5py
    };
    // Fails when the file exists.
    static File create(const std::string& path, Format format);
    static File open(const std::string& path, Access access);

    // An extendable (unlimited), chunked 1-D dataset of the table's schema holding its rows; each
    // column's unit becomes an attribute named like the field.
    Dataset create_table(const std::string& name, const Table& rows, const ChunkOptions& chunk) const;
    Dataset open_dataset(const std::string& name) const;
    bool exists(const std::string& name) const;
    void start_swmr_write() const;
    void flush() const;
    // fsync of the file's descriptor: what flush() handed to the operating system reaches the
    // disk before this returns (flush() alone survives a crash of the process, not of the node).
    void sync() const;
};

}  // namespace dnnsweep::h5
