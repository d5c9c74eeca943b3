// The HDF5 reader: load_hdf5 and read_hdf5_features_into (engine/dataset.hpp), through the HDF5
// layer's N-d arrays (engine/hdf5/array.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include "engine/class_labels.hpp"
#include "engine/dataset.hpp"
#include "engine/hdf5/array.hpp"
#include "engine/read_file.hpp"

namespace dnnsweep {
namespace {

std::string shape_text(const std::vector<hsize_t>& dims) {
    std::string s;
    for (const hsize_t d : dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
    return dims.empty() ? "a scalar" : s;
}

std::string absolute(const std::string& name) { return name.starts_with('/') ? name : "/" + name; }

// The file open for reading, or a DataError that says what it is instead.
h5::File open_data_file(const std::string& path) {
    if (!is_file(path)) throw DataError(path + ": no such file");
    if (!h5::is_hdf5_file(path)) {
        const std::string head = read_file_head(path, 8);
        throw DataError(path + ": byte 0: not an HDF5 file (no HDF5 signature" +
                        (head.empty() ? std::string(": the file is empty") : std::string()) +
                        "); an HDF5 data file is what h5py's File(..., 'w') writes");
    }
    try {
        return h5::File::open(path, h5::File::Access::ReadOnly);
    } catch (const Hdf5Error& e) {
        throw DataError(e.what());
    }
}

// One of the file's datasets by path, or a DataError listing those it has.
h5::Dataset open_array(const h5::File& file, const std::string& name, const char* key) {
    const std::vector<std::string> paths = h5::dataset_paths(file);
    if (std::ranges::find(paths, absolute(name)) == paths.end()) {
        std::string list;
        for (std::size_t i = 0; i < paths.size() && i < 20; ++i) list += (i ? ", " : "") + paths[i];
        if (paths.size() > 20) list += ", ... (" + std::to_string(paths.size()) + " in all)";
        throw DataError(file.file() + ": no dataset '" + name + "' for " + key + " (set `" + key +
                        " = PATH`); the file has " + (paths.empty() ? std::string("no datasets") : list));
    }
    return file.open_dataset(absolute(name));
}

struct FeatureShape {
    std::size_t rows = 0, cols = 0;
};

FeatureShape feature_shape(const h5::ArrayInfo& info, const std::string& what) {
    if (info.kind != h5::ElementKind::Float && info.kind != h5::ElementKind::SignedInteger &&
        info.kind != h5::ElementKind::UnsignedInteger)
        throw DataError(what + " holds " + info.type_name + ": features are floats or integers");
    if (info.dims.empty() || info.dims[0] == 0)
        throw DataError(what + " is " +
                        (info.dims.empty() ? std::string("a scalar") : "empty (" + shape_text(info.dims) + ")") +
                        ": features are N x F (one sample per row)");
    FeatureShape s{static_cast<std::size_t>(info.dims[0]), 1};
    for (std::size_t i = 1; i < info.dims.size(); ++i) s.cols *= static_cast<std::size_t>(info.dims[i]);
    if (s.cols == 0) throw DataError(what + " is " + shape_text(info.dims) + ": no features per sample");
    return s;
}

std::string features_what(const std::string& path, const LoadOptions& o) {
    return path + ": features '" + o.features + "'";
}

ClassLabels read_labels(const h5::Dataset& ds, std::size_t rows, const std::string& what) {
    const h5::ArrayInfo info = h5::array_info(ds);
    if (info.dims.empty() || info.dims.size() > 2)
        throw DataError(what + " is " + shape_text(info.dims) + " (" + std::to_string(info.dims.size()) +
                        " dimensions): labels are N (classes) or N x K (one-hot)");
    if (info.dims[0] != rows)
        throw DataError(what + " has " + std::to_string(info.dims[0]) + " rows, the features " + std::to_string(rows) +
                        ": one label per sample");
    const std::size_t cols = info.dims.size() == 2 ? static_cast<std::size_t>(info.dims[1]) : 1;
    if (cols == 0) throw DataError(what + " is " + shape_text(info.dims) + ": no label per sample");
    switch (info.kind) {
    case h5::ElementKind::SignedInteger:
    case h5::ElementKind::UnsignedInteger:
        return classes_from_array(h5::read_int64(ds), rows, cols, what);
    case h5::ElementKind::Float:
        return classes_from_reals(h5::read_doubles(ds), rows, cols, what);
    case h5::ElementKind::String:
        if (cols != 1)
            throw DataError(what + " is " + shape_text(info.dims) + " strings: string labels are one per sample (N)");
        return classes_from_strings(h5::read_strings(ds), what);
    case h5::ElementKind::Other:
        break;
    }
    throw DataError(what + " holds " + info.type_name + ": labels are integers, strings or one-hot rows");
}

}  // namespace

Dataset load_hdf5(const std::string& path, const LoadOptions& options) {
    try {
        const h5::File file = open_data_file(path);
        const h5::Dataset x = open_array(file, options.features, "features");
        const std::string what = features_what(path, options);
        const FeatureShape shape = feature_shape(h5::array_info(x), what);
        Dataset d;
        if (options.labelled)
            set_labels(d, read_labels(open_array(file, options.labels, "labels"), shape.rows,
                                      path + ": labels '" + options.labels + "'"));
        d.x = Matrix(shape.rows, shape.cols);
        h5::read_floats(x, d.x.data.data());
        check_finite(d.x.data.data(), shape.rows, shape.cols, what);
        d.source = path;
        return d;
    } catch (const Hdf5Error& e) {
        throw DataError(e.what());
    }
}

void read_hdf5_features_into(const std::string& path, const LoadOptions& options, float* dst, std::size_t rows,
                             std::size_t cols) {
    try {
        const h5::File file = open_data_file(path);
        const h5::Dataset x = open_array(file, options.features, "features");
        const std::string what = features_what(path, options);
        const FeatureShape shape = feature_shape(h5::array_info(x), what);
        if (shape.rows != rows || shape.cols != cols)
            throw DataError(what + " changed while being read: now " + std::to_string(shape.rows) + " x " +
                            std::to_string(shape.cols) + ", first " + std::to_string(rows) + " x " +
                            std::to_string(cols));
        h5::read_floats(x, dst);
        check_finite(dst, rows, cols, what);
    } catch (const Hdf5Error& e) {
        throw DataError(e.what());
    }
}

}  // namespace dnnsweep
