#include "engine/hdf5/array.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace dnnsweep::h5 {
namespace {

DataType dataset_type(const Dataset& ds, const std::string& what) {
    return DataType(check_id(H5Dget_type(ds.id()), what, ds.file()), H5Tclose, ds.file());
}
DataSpace dataset_space(const Dataset& ds, const std::string& what) {
    return DataSpace(check_id(H5Dget_space(ds.id()), what, ds.file()), H5Sclose, ds.file());
}

// Reads the whole dataset as `mem_type` into `dst`; nothing to read for zero elements.
void read_as(const Dataset& ds, hid_t mem_type, void* dst) {
    const std::string what = "reading '" + ds.name() + "'";
    if (array_info(ds).elements() == 0) return;
    check(H5Dread(ds.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst), what, ds.file());
}

// Over links (H5L_info_t and H5Lvisit name the same API in HDF5 1.10 and 1.12, the object calls do
// not): a hard link to a dataset is listed.
herr_t collect_dataset(hid_t group, const char* name, const H5L_info_t* info, void* out) {
    if (info->type != H5L_TYPE_HARD) return 0;
    const hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    if (H5Iget_type(obj) == H5I_DATASET)
        static_cast<std::vector<std::string>*>(out)->push_back(std::string("/") + name);
    H5Oclose(obj);
    return 0;
}

}  // namespace

std::size_t ArrayInfo::elements() const {
    std::size_t n = 1;
    for (const hsize_t d : dims) n *= static_cast<std::size_t>(d);
    return n;
}

// HDF5's type classes include many a data file does not use for features or labels: `default`
// reports them as Other.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wswitch-enum"
ArrayInfo array_info(const Dataset& ds) {
    const std::string what = "inspecting '" + ds.name() + "'";
    const DataType type = dataset_type(ds, what);
    const DataSpace space = dataset_space(ds, what);
    const int rank = H5Sget_simple_extent_ndims(space.id());
    if (rank < 0) fail(what, ds.file());
    ArrayInfo info;
    info.dims.resize(static_cast<std::size_t>(rank));
    if (rank > 0) check(H5Sget_simple_extent_dims(space.id(), info.dims.data(), nullptr), what, ds.file());
    info.element_bytes = H5Tget_size(type.id());
    const std::string bits = std::to_string(8 * info.element_bytes);
    switch (H5Tget_class(type.id())) {
    case H5T_INTEGER: {
        const bool unsigned_ = H5Tget_sign(type.id()) == H5T_SGN_NONE;
        info.kind = unsigned_ ? ElementKind::UnsignedInteger : ElementKind::SignedInteger;
        info.type_name = (unsigned_ ? "uint" : "int") + bits;
        break;
    }
    case H5T_FLOAT:
        info.kind = ElementKind::Float;
        info.type_name = "float" + bits;
        break;
    case H5T_STRING:
        info.kind = ElementKind::String;
        info.type_name = "string";
        break;
    case H5T_ENUM:
        info.type_name = "enum (h5py's bool)";
        break;
    case H5T_COMPOUND:
        info.type_name = "compound";
        break;
    default:
        info.type_name = "a type that is not a number or a string";
        break;
    }
    return info;
}
#pragma GCC diagnostic pop

void read_floats(const Dataset& ds, float* dst) { read_as(ds, H5T_NATIVE_FLOAT, dst); }

std::vector<std::int64_t> read_int64(const Dataset& ds) {
    std::vector<std::int64_t> v(array_info(ds).elements());
    read_as(ds, H5T_NATIVE_INT64, v.data());
    return v;
}

std::vector<double> read_doubles(const Dataset& ds) {
    std::vector<double> v(array_info(ds).elements());
    read_as(ds, H5T_NATIVE_DOUBLE, v.data());
    return v;
}

std::vector<std::string> read_strings(const Dataset& ds) {
    const std::string what = "reading '" + ds.name() + "'";
    const std::string& f = ds.file();
    const DataType ftype = dataset_type(ds, what);
    const std::size_t n = array_info(ds).elements();
    std::vector<std::string> out;
    out.reserve(n);
    if (n == 0) return out;
    DataType mtype(check_id(H5Tcopy(H5T_C_S1), what, f), H5Tclose, f);
    check(H5Tset_cset(mtype.id(), H5Tget_cset(ftype.id())), what, f);
    if (check_tri(H5Tis_variable_str(ftype.id()), what, f)) {
        check(H5Tset_size(mtype.id(), H5T_VARIABLE), what, f);
        std::vector<char*> ptrs(n, nullptr);
        check(H5Dread(ds.id(), mtype.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), what, f);
        const DataSpace space = dataset_space(ds, what);
        for (const char* p : ptrs) out.emplace_back(p ? p : "");
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(mtype.id(), space.id(), H5P_DEFAULT, ptrs.data());
#else
        H5Dvlen_reclaim(mtype.id(), space.id(), H5P_DEFAULT, ptrs.data());
#endif
    } else {
        const std::size_t size = H5Tget_size(ftype.id());
        check(H5Tset_size(mtype.id(), size), what, f);
        check(H5Tset_strpad(mtype.id(), H5T_STR_NULLPAD), what, f);
        std::vector<char> buf(size * n);
        check(H5Dread(ds.id(), mtype.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), what, f);
        for (std::size_t i = 0; i < n; ++i) {
            const char* s = buf.data() + i * size;
            std::string text(s, strnlen(s, size));
            while (!text.empty() && text.back() == ' ') text.pop_back();  // space-padded (Fortran) strings
            out.push_back(std::move(text));
        }
    }
    return out;
}

std::vector<std::string> dataset_paths(const File& file) {
    std::vector<std::string> paths;
    check(H5Lvisit(file.id(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &paths), "listing the datasets",
          file.file());
    std::ranges::sort(paths);
    return paths;
}

bool is_hdf5_file(const std::string& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const htri_t rc = H5Fis_hdf5(path.c_str());
    H5Eclear2(H5E_DEFAULT);
    return rc > 0;
}

}  // namespace dnnsweep::h5
