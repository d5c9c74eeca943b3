#include "engine/hdf5/arrays.hpp"

#include <functional>
#include <numeric>
#include <type_traits>

namespace dnnsweep::h5 {
namespace {

template <class T>
hid_t native_type() {
    if constexpr (std::is_same_v<T, float>)
        return H5T_NATIVE_FLOAT;
    else if constexpr (std::is_same_v<T, double>)
        return H5T_NATIVE_DOUBLE;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return H5T_NATIVE_INT32;
    else
        return H5T_NATIVE_INT64;
}

std::string joined(const std::string& parent_path, const std::string& name) {
    return parent_path == "/" ? "/" + name : parent_path + "/" + name;
}

Handle plist(hid_t cls, const std::string& file) {
    return Handle(check_id(H5Pcreate(cls), "creating a property list", file), H5Pclose, file);
}

}  // namespace

Group root(const File& f) {
    return Group(
        Handle(check_id(H5Gopen2(f.id(), "/", H5P_DEFAULT), "opening the root group", f.file()), H5Gclose, f.file()),
        "/");
}

Group create_group(const Group& parent, const std::string& name) {
    const std::string path = joined(parent.path(), name);
    const Handle lcpl = plist(H5P_LINK_CREATE, parent.file());
    check(H5Pset_create_intermediate_group(lcpl.id(), 1), "creating group '" + path + "'", parent.file());
    return Group(Handle(check_id(H5Gcreate2(parent.id(), name.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT),
                                 "creating group '" + path + "'", parent.file()),
                        H5Gclose, parent.file()),
                 path);
}

Group open_group(const Group& parent, const std::string& name) {
    const std::string path = joined(parent.path(), name);
    if (!has_link(parent, name)) throw Hdf5Error(parent.file() + ": no group '" + path + "'");
    return Group(Handle(check_id(H5Gopen2(parent.id(), name.c_str(), H5P_DEFAULT), "opening group '" + path + "'",
                                 parent.file()),
                        H5Gclose, parent.file()),
                 path);
}

bool has_link(const Object& o, const std::string& name) {
    return check_tri(H5Lexists(o.id(), name.c_str(), H5P_DEFAULT), "looking for '" + name + "'", o.file());
}

bool has_attr(const Object& o, const std::string& name) {
    return check_tri(H5Aexists(o.id(), name.c_str()), "looking for attribute '" + name + "'", o.file());
}

AttrValue read_attr(const Object& o, const std::string& name) {
    const std::string what = "reading attribute '" + name + "'";
    if (!has_attr(o, name)) throw Hdf5Error(o.file() + ": no attribute '" + name + "'");
    const Handle attr(check_id(H5Aopen(o.id(), name.c_str(), H5P_DEFAULT), what, o.file()), H5Aclose, o.file());
    const Handle type(check_id(H5Aget_type(attr.id()), what, o.file()), H5Tclose, o.file());
    const H5T_class_t cls = H5Tget_class(type.id());
    if (cls == H5T_STRING) return o.attr_string(name);
    if (cls == H5T_FLOAT) return o.attr_double(name);
    if (cls == H5T_INTEGER) {
        if (H5Tget_sign(type.id()) == H5T_SGN_NONE) return o.attr_uint(name);
        return o.attr_int(name);
    }
    throw Hdf5Error(o.file() + ": " + what + ": not a string or a number");
}

std::vector<std::string> member_names(const Group& g) {
    std::vector<std::string> names;
    const auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->emplace_back(name);
        return 0;
    };
    check(H5Literate(g.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "listing group '" + g.path() + "'",
          g.file());
    return names;
}

template <class T>
void write_array(const Group& parent, const std::string& name, const std::vector<std::uint64_t>& dims,
                 std::span<const T> values) {
    const std::string& f = parent.file();
    const std::string what = "writing '" + joined(parent.path(), name) + "'";
    const std::uint64_t count = std::accumulate(dims.begin(), dims.end(), std::uint64_t{1}, std::multiplies<>());
    if (count != values.size())
        throw Hdf5Error(f + ": " + what + ": " + std::to_string(values.size()) + " values for a shape of " +
                        std::to_string(count));
    const std::vector<hsize_t> hdims(dims.begin(), dims.end());
    const Handle space(check_id(H5Screate_simple(static_cast<int>(hdims.size()), hdims.data(), nullptr), what, f),
                       H5Sclose, f);
    const Handle ds(check_id(H5Dcreate2(parent.id(), name.c_str(), native_type<T>(), space.id(), H5P_DEFAULT,
                                        H5P_DEFAULT, H5P_DEFAULT),
                             what, f),
                    H5Dclose, f);
    if (count != 0) check(H5Dwrite(ds.id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what, f);
}

template <class T>
Array<T> read_array(const Group& parent, const std::string& name) {
    const std::string& f = parent.file();
    const std::string path = joined(parent.path(), name);
    const std::string what = "reading '" + path + "'";
    if (!has_link(parent, name)) throw Hdf5Error(f + ": no dataset '" + path + "'");
    const Handle ds(check_id(H5Dopen2(parent.id(), name.c_str(), H5P_DEFAULT), what, f), H5Dclose, f);
    const Handle type(check_id(H5Dget_type(ds.id()), what, f), H5Tclose, f);
    const H5T_class_t cls = H5Tget_class(type.id());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) throw Hdf5Error(f + ": " + what + ": not a numeric array");
    const Handle space(check_id(H5Dget_space(ds.id()), what, f), H5Sclose, f);
    const int rank = H5Sget_simple_extent_ndims(space.id());
    if (rank < 0) fail(what, f);
    std::vector<hsize_t> hdims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.id(), hdims.data(), nullptr), what, f);
    Array<T> out;
    out.dims.assign(hdims.begin(), hdims.end());
    const std::uint64_t count =
        std::accumulate(out.dims.begin(), out.dims.end(), std::uint64_t{1}, std::multiplies<>());
    out.values.resize(count);
    if (count != 0)
        check(H5Dread(ds.id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()), what, f);
    return out;
}

template void write_array<float>(const Group&, const std::string&, const std::vector<std::uint64_t>&,
                                 std::span<const float>);
template void write_array<double>(const Group&, const std::string&, const std::vector<std::uint64_t>&,
                                  std::span<const double>);
template void write_array<std::int32_t>(const Group&, const std::string&, const std::vector<std::uint64_t>&,
                                        std::span<const std::int32_t>);
template void write_array<std::int64_t>(const Group&, const std::string&, const std::vector<std::uint64_t>&,
                                        std::span<const std::int64_t>);
template Array<float> read_array<float>(const Group&, const std::string&);
template Array<double> read_array<double>(const Group&, const std::string&);
template Array<std::int32_t> read_array<std::int32_t>(const Group&, const std::string&);
template Array<std::int64_t> read_array<std::int64_t>(const Group&, const std::string&);

}  // namespace dnnsweep::h5
