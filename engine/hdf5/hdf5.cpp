#include "engine/hdf5/hdf5.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <type_traits>
#include <utility>

namespace dnnsweep::h5 {
namespace {

// HDF5 prints its error stack to stderr on every failure by default; we report it in the exception
// instead. The setting is per thread in thread-safe builds, so every entry point calls this.
void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* client) {
    auto& messages = *static_cast<std::vector<std::string>*>(client);
    if (err->desc && *err->desc && std::ranges::find(messages, err->desc) == messages.end())
        messages.emplace_back(err->desc);
    return 0;
}

}  // namespace

void fail(std::string_view what, const std::string& file) {
    std::vector<std::string> messages;
    // Upward: the most specific error (e.g. "file is already open for write") first.
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &messages);
    H5Eclear2(H5E_DEFAULT);
    std::string text = file + ": " + std::string(what);
    constexpr std::size_t kMaxMessages = 4;  // the rest repeats the same failure at outer levels
    for (std::size_t i = 0; i < messages.size() && i < kMaxMessages; ++i)
        text.append(i == 0 ? ": " : "; ").append(messages[i]);
    if (messages.empty()) text += ": HDF5 call failed";
    // One line, as every user-facing error is: HDF5's own descriptions may embed newlines.
    std::ranges::replace(text, '\n', ' ');
    // HDF5's file driver puts the system's error text in its message; HDF5 keeps no errno of its own.
    for (const int err : {ENOSPC, EDQUOT})
        if (text.find(std::strerror(err)) != std::string::npos) throw Hdf5NoSpaceError(text);
    throw Hdf5Error(text);
}

hid_t check_id(hid_t id, std::string_view what, const std::string& file) {
    if (id < 0) fail(what, file);
    return id;
}

herr_t check(herr_t rc, std::string_view what, const std::string& file) {
    if (rc < 0) fail(what, file);
    return rc;
}

bool check_tri(htri_t rc, std::string_view what, const std::string& file) {
    if (rc < 0) fail(what, file);
    return rc > 0;
}

// ---- Handle -----------------------------------------------------------------------------------

Handle::~Handle() {
    if (id_ >= 0 && closer_) closer_(id_);  // errors cannot be reported here; close() reports them
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_), file_(std::move(other.file_)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        if (id_ >= 0 && closer_) closer_(id_);
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        closer_ = other.closer_;
        file_ = std::move(other.file_);
    }
    return *this;
}

void Handle::close(std::string_view what) {
    if (id_ < 0) return;
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    if (closer_) check(closer_(id), what, file_);
}

namespace {

DataType make_type(hid_t id, const std::string& file, std::string_view what) {
    return DataType(check_id(id, what, file), H5Tclose, file);
}
DataSpace make_space(hid_t id, const std::string& file, std::string_view what) {
    return DataSpace(check_id(id, what, file), H5Sclose, file);
}
PropList make_plist(hid_t cls, const std::string& file) {
    return PropList(check_id(H5Pcreate(cls), "creating a property list", file), H5Pclose, file);
}

// A UTF-8 string type: variable length when size is 0, else fixed and null-padded (numpy's 'S').
DataType string_type(std::size_t size, const std::string& file) {
    DataType t = make_type(H5Tcopy(H5T_C_S1), file, "copying the string type");
    check(H5Tset_size(t.id(), size == 0 ? H5T_VARIABLE : size), "sizing a string type", file);
    check(H5Tset_cset(t.id(), H5T_CSET_UTF8), "setting UTF-8", file);
    if (size != 0) check(H5Tset_strpad(t.id(), H5T_STR_NULLPAD), "setting string padding", file);
    return t;
}

// h5py's boolean: an int8 enum with FALSE = 0 and TRUE = 1, read back as numpy bool.
DataType bool_type(const std::string& file) {
    DataType t = make_type(H5Tenum_create(H5T_NATIVE_INT8), file, "creating the bool type");
    const std::int8_t no = 0, yes = 1;
    check(H5Tenum_insert(t.id(), "FALSE", &no), "creating the bool type", file);
    check(H5Tenum_insert(t.id(), "TRUE", &yes), "creating the bool type", file);
    return t;
}

DataType scalar_type(hid_t native, const std::string& file) {
    return make_type(H5Tcopy(native), file, "copying a native type");
}

DataType column_type(const Column& c, const std::string& file) {
    return std::visit(
        [&](const auto& v) -> DataType {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::int32_t>)
                return scalar_type(H5T_NATIVE_INT32, file);
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return scalar_type(H5T_NATIVE_INT64, file);
            else if constexpr (std::is_same_v<T, std::uint64_t>)
                return scalar_type(H5T_NATIVE_UINT64, file);
            else if constexpr (std::is_same_v<T, float>)
                return scalar_type(H5T_NATIVE_FLOAT, file);
            else if constexpr (std::is_same_v<T, double>)
                return scalar_type(H5T_NATIVE_DOUBLE, file);
            else if constexpr (std::is_same_v<T, bool>)
                return bool_type(file);
            else
                return string_type(c.string_size, file);
        },
        c.data);
}

// The in-memory compound layout of a set of columns: each field at its natural alignment.
struct Layout {
    DataType type;
    std::vector<std::size_t> offsets;
    std::size_t row_size = 0;
};

std::size_t field_size(const Column& c) {
    return std::visit(
        [&](const auto& v) -> std::size_t {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, bool>)
                return 1;
            else if constexpr (std::is_same_v<T, std::string>)
                return c.string_size == 0 ? sizeof(char*) : c.string_size;
            else
                return sizeof(T);
        },
        c.data);
}

std::size_t field_align(const Column& c) {
    if (std::holds_alternative<std::vector<std::string>>(c.data)) return c.string_size == 0 ? alignof(char*) : 1;
    return std::min<std::size_t>(field_size(c), 8);
}

Layout layout(const std::deque<Column>& columns, const std::string& file) {
    Layout l;
    std::size_t offset = 0, align_max = 1;
    for (const Column& c : columns) {
        const std::size_t a = field_align(c);
        offset = (offset + a - 1) / a * a;
        l.offsets.push_back(offset);
        offset += field_size(c);
        align_max = std::max(align_max, a);
    }
    l.row_size = std::max<std::size_t>((offset + align_max - 1) / align_max * align_max, 1);
    l.type = make_type(H5Tcreate(H5T_COMPOUND, l.row_size), file, "creating a compound type");
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const DataType ft = column_type(columns[i], file);
        check(H5Tinsert(l.type.id(), columns[i].name.c_str(), l.offsets[i], ft.id()),
              "adding field '" + columns[i].name + "'", file);
    }
    return l;
}

// Frees the strings HDF5 allocated for variable-length fields of a read buffer, however we leave.
class VlenReclaim {
public:
    VlenReclaim(hid_t type, hid_t space, void* buf) : type_(type), space_(space), buf_(buf) {}
    ~VlenReclaim() {
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(type_, space_, H5P_DEFAULT, buf_);
#else
        H5Dvlen_reclaim(type_, space_, H5P_DEFAULT, buf_);  // 1.10 (Debian 12): H5Treclaim is declared, not built
#endif
    }
    VlenReclaim(const VlenReclaim&) = delete;
    VlenReclaim& operator=(const VlenReclaim&) = delete;

private:
    hid_t type_, space_;
    void* buf_;
};

// HDF5's type classes include many this file never writes: `default` refuses them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wswitch-enum"
// The column a file field of this type reads into; nullopt for types no table here uses.
std::optional<Column> column_for(hid_t member_type, std::string name, const std::string& file) {
    Column c{std::move(name), std::vector<double>{}, 0, {}};
    const std::size_t size = H5Tget_size(member_type);
    switch (H5Tget_class(member_type)) {
    case H5T_INTEGER:
        if (H5Tget_sign(member_type) == H5T_SGN_NONE)
            c.data = std::vector<std::uint64_t>{};
        else if (size <= 4)
            c.data = std::vector<std::int32_t>{};
        else
            c.data = std::vector<std::int64_t>{};
        return c;
    case H5T_FLOAT:
        if (size <= 4) c.data = std::vector<float>{};
        return c;
    case H5T_ENUM:
        if (size != 1) return std::nullopt;
        c.data = std::vector<bool>{};
        return c;
    case H5T_STRING:
        c.data = std::vector<std::string>{};
        c.string_size = check_tri(H5Tis_variable_str(member_type), "inspecting a string field", file) ? 0 : size;
        return c;
    default:
        return std::nullopt;
    }
}
#pragma GCC diagnostic pop

template <class T>
void put(std::byte* dst, const T& v) {
    std::memcpy(dst, &v, sizeof(T));
}
template <class T>
T take(const std::byte* src) {
    T v;
    std::memcpy(&v, src, sizeof(T));
    return v;
}

// Packs rows into the layout's buffer. Variable-length strings point into the table's strings,
// which outlive the write.
std::vector<std::byte> pack(const std::deque<Column>& columns, const Layout& l, std::size_t rows) {
    std::vector<std::byte> buf(l.row_size * rows);
    for (std::size_t f = 0; f < columns.size(); ++f) {
        const Column& c = columns[f];
        std::byte* base = buf.data() + l.offsets[f];
        std::visit(
            [&](const auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                for (std::size_t r = 0; r < rows; ++r) {
                    std::byte* dst = base + r * l.row_size;
                    if constexpr (std::is_same_v<T, bool>) {
                        put<std::int8_t>(dst, v[r] ? 1 : 0);
                    } else if constexpr (std::is_same_v<T, std::string>) {
                        if (c.string_size == 0) {
                            put<const char*>(dst, v[r].c_str());
                        } else {
                            if (v[r].size() > c.string_size)
                                throw Hdf5Error("field '" + c.name + "': '" + v[r] + "' is longer than " +
                                                std::to_string(c.string_size) + " bytes");
                            std::memcpy(dst, v[r].data(), v[r].size());  // the rest stays zero: null-padded
                        }
                    } else {
                        put<T>(dst, v[r]);
                    }
                }
            },
            c.data);
    }
    return buf;
}

void unpack(std::deque<Column>& columns, const Layout& l, const std::vector<std::byte>& buf, std::size_t rows) {
    for (std::size_t f = 0; f < columns.size(); ++f) {
        Column& c = columns[f];
        const std::byte* base = buf.data() + l.offsets[f];
        std::visit(
            [&](auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                v.reserve(rows);
                for (std::size_t r = 0; r < rows; ++r) {
                    const std::byte* src = base + r * l.row_size;
                    if constexpr (std::is_same_v<T, bool>) {
                        v.push_back(take<std::int8_t>(src) != 0);
                    } else if constexpr (std::is_same_v<T, std::string>) {
                        if (c.string_size == 0) {
                            const char* s = take<const char*>(src);
                            v.emplace_back(s ? s : "");
                        } else {
                            const char* s = reinterpret_cast<const char*>(src);
                            v.emplace_back(s, strnlen(s, c.string_size));
                        }
                    } else {
                        v.push_back(take<T>(src));
                    }
                }
            },
            c.data);
    }
}

}  // namespace

// ---- Table ------------------------------------------------------------------------------------

std::size_t Column::size() const {
    return std::visit([](const auto& v) { return v.size(); }, data);
}

std::vector<std::string>& Table::add_string(std::string name, std::size_t string_size) {
    columns_.push_back({std::move(name), std::vector<std::string>{}, string_size, {}});
    return std::get<std::vector<std::string>>(columns_.back().data);
}

const Column* Table::find(std::string_view name) const {
    const auto it = std::ranges::find_if(columns_, [&](const Column& c) { return c.name == name; });
    return it == columns_.end() ? nullptr : &*it;
}

const Column& Table::column(std::string_view name) const {
    if (const Column* c = find(name)) return *c;
    throw Hdf5Error(origin_ + ": no field '" + std::string(name) + "'");
}

std::size_t Table::rows() const {
    if (columns_.empty()) return 0;
    const std::size_t n = columns_.front().size();
    for (const Column& c : columns_)
        if (c.size() != n) throw Hdf5Error(origin_ + ": field '" + c.name + "' has a different length");
    return n;
}

// ---- Object (attributes) ----------------------------------------------------------------------

void Object::set_attr(const std::string& name, const AttrValue& value) const {
    const std::string& f = file();
    const std::string what = "writing attribute '" + name + "'";
    if (check_tri(H5Aexists(id(), name.c_str()), what, f)) check(H5Adelete(id(), name.c_str()), what, f);
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            DataType type;
            DataSpace space;
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                type = string_type(0, f);
                const hsize_t n = v.size();
                space = make_space(H5Screate_simple(1, &n, nullptr), f, what);
            } else {
                if constexpr (std::is_same_v<T, std::string>)
                    type = string_type(0, f);
                else if constexpr (std::is_same_v<T, double>)
                    type = scalar_type(H5T_NATIVE_DOUBLE, f);
                else if constexpr (std::is_same_v<T, std::int64_t>)
                    type = scalar_type(H5T_NATIVE_INT64, f);
                else
                    type = scalar_type(H5T_NATIVE_UINT64, f);
                space = make_space(H5Screate(H5S_SCALAR), f, what);
            }
            Handle attr(
                check_id(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), what, f),
                H5Aclose, f);
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                std::vector<const char*> ptrs;
                for (const std::string& s : v) ptrs.push_back(s.c_str());
                if (!ptrs.empty()) check(H5Awrite(attr.id(), type.id(), ptrs.data()), what, f);
            } else if constexpr (std::is_same_v<T, std::string>) {
                const char* p = v.c_str();
                check(H5Awrite(attr.id(), type.id(), &p), what, f);
            } else {
                check(H5Awrite(attr.id(), type.id(), &v), what, f);
            }
            attr.close(what);
        },
        value);
}

namespace {

Handle open_attr(const Object& o, const std::string& name, const std::string& what) {
    return Handle(check_id(H5Aopen(o.id(), name.c_str(), H5P_DEFAULT), what, o.file()), H5Aclose, o.file());
}

// Every string of an attribute (a scalar has one), fixed or variable length.
std::vector<std::string> read_string_attr(const Object& o, const std::string& name) {
    const std::string& f = o.file();
    const std::string what = "reading attribute '" + name + "'";
    const Handle attr = open_attr(o, name, what);
    const DataType ftype = make_type(H5Aget_type(attr.id()), f, what);
    if (H5Tget_class(ftype.id()) != H5T_STRING) throw Hdf5Error(f + ": " + what + ": not a string");
    const DataSpace space = make_space(H5Aget_space(attr.id()), f, what);
    const hssize_t npoints = H5Sget_simple_extent_npoints(space.id());
    if (npoints < 0) fail(what, f);
    const auto n = static_cast<std::size_t>(npoints);
    std::vector<std::string> out;
    if (check_tri(H5Tis_variable_str(ftype.id()), what, f)) {
        const DataType mtype = string_type(0, f);
        std::vector<char*> ptrs(n, nullptr);
        if (n == 0) return out;
        check(H5Aread(attr.id(), mtype.id(), ptrs.data()), what, f);
        const VlenReclaim reclaim(mtype.id(), space.id(), ptrs.data());
        for (const char* p : ptrs) out.emplace_back(p ? p : "");
    } else {
        const std::size_t size = H5Tget_size(ftype.id());
        const DataType mtype = string_type(size, f);
        std::vector<char> buf(size * n + 1, '\0');
        if (n == 0) return out;
        check(H5Aread(attr.id(), mtype.id(), buf.data()), what, f);
        for (std::size_t i = 0; i < n; ++i)
            out.emplace_back(buf.data() + i * size, strnlen(buf.data() + i * size, size));
    }
    return out;
}

template <class T>
T read_scalar_attr(const Object& o, const std::string& name, hid_t native) {
    const std::string what = "reading attribute '" + name + "'";
    const Handle attr = open_attr(o, name, what);
    T v{};
    check(H5Aread(attr.id(), native, &v), what, o.file());  // HDF5 converts between numeric types
    return v;
}

}  // namespace

std::string Object::attr_string(const std::string& name) const {
    const std::vector<std::string> v = read_string_attr(*this, name);
    if (v.size() != 1) throw Hdf5Error(file() + ": attribute '" + name + "': expected one string");
    return v.front();
}
std::vector<std::string> Object::attr_strings(const std::string& name) const { return read_string_attr(*this, name); }
bool Object::has_attr(const std::string& name) const {
    quiet();
    return check_tri(H5Aexists(id(), name.c_str()), "attribute '" + name + "'", file());
}
double Object::attr_double(const std::string& name) const {
    return read_scalar_attr<double>(*this, name, H5T_NATIVE_DOUBLE);
}
std::int64_t Object::attr_int(const std::string& name) const {
    return read_scalar_attr<std::int64_t>(*this, name, H5T_NATIVE_INT64);
}
std::uint64_t Object::attr_uint(const std::string& name) const {
    return read_scalar_attr<std::uint64_t>(*this, name, H5T_NATIVE_UINT64);
}

// ---- Dataset ----------------------------------------------------------------------------------

hsize_t Dataset::rows() const {
    const std::string what = "reading the extent of '" + name_ + "'";
    const DataSpace space = make_space(H5Dget_space(id()), file(), what);
    hsize_t dims = 0;
    if (H5Sget_simple_extent_ndims(space.id()) != 1) throw Hdf5Error(file() + ": " + what + ": not 1-D");
    check(H5Sget_simple_extent_dims(space.id(), &dims, nullptr), what, file());
    return dims;
}

void Dataset::append(const Table& t) const {
    const std::string& f = file();
    const std::string what = "appending to '" + name_ + "'";
    const std::size_t n = t.rows();
    if (n == 0) return;
    const Layout l = layout(t.columns(), f);
    const std::vector<std::byte> buf = pack(t.columns(), l, n);
    const hsize_t start = rows(), count = n, total = start + count;
    check(H5Dset_extent(id(), &total), what, f);
    const DataSpace fspace = make_space(H5Dget_space(id()), f, what);
    check(H5Sselect_hyperslab(fspace.id(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), what, f);
    const DataSpace mspace = make_space(H5Screate_simple(1, &count, nullptr), f, what);
    // The rows are converted from the aligned memory layout to the packed file layout through a
    // buffer HDF5 callocs on every write: 1 MiB by default, which cost a short unit's append more
    // than everything else (page faults and memset). These rows' own size is enough.
    const PropList dxpl = make_plist(H5P_DATASET_XFER, f);
    check(H5Pset_buffer(dxpl.id(), std::max<std::size_t>(buf.size(), 4096), nullptr, nullptr), what, f);
    check(H5Dwrite(id(), l.type.id(), mspace.id(), fspace.id(), dxpl.id(), buf.data()), what, f);
}

Table Dataset::read(hsize_t start, hsize_t count) const {
    const std::string& f = file();
    const std::string what = "reading '" + name_ + "'";
    const DataType ftype = make_type(H5Dget_type(id()), f, what);
    if (H5Tget_class(ftype.id()) != H5T_COMPOUND) throw Hdf5Error(f + ": " + what + ": not a table of compound rows");
    const int nmembers = H5Tget_nmembers(ftype.id());
    if (nmembers < 0) fail(what, f);
    std::deque<Column> columns;
    for (int i = 0; i < nmembers; ++i) {
        const auto idx = static_cast<unsigned>(i);
        char* raw_name = H5Tget_member_name(ftype.id(), idx);
        if (!raw_name) fail(what, f);
        std::string name(raw_name);
        H5free_memory(raw_name);
        const DataType mt = make_type(H5Tget_member_type(ftype.id(), idx), f, what);
        if (std::optional<Column> c = column_for(mt.id(), std::move(name), f)) columns.push_back(std::move(*c));
    }
    Table out;
    out.set_origin(f + ": " + name_);
    if (columns.empty() || count == 0) {
        for (Column& c : columns) out.add_column(std::move(c));
        return out;
    }
    const Layout l = layout(columns, f);
    const DataSpace fspace = make_space(H5Dget_space(id()), f, what);
    check(H5Sselect_hyperslab(fspace.id(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), what, f);
    const DataSpace mspace = make_space(H5Screate_simple(1, &count, nullptr), f, what);
    std::vector<std::byte> buf(l.row_size * count);
    check(H5Dread(id(), l.type.id(), mspace.id(), fspace.id(), H5P_DEFAULT, buf.data()), what, f);
    {
        const VlenReclaim reclaim(l.type.id(), mspace.id(), buf.data());
        unpack(columns, l, buf, count);
    }
    for (Column& c : columns) out.add_column(std::move(c));
    return out;
}

void Dataset::flush() const { check(H5Dflush(id()), "flushing '" + name_ + "'", file()); }

// ---- File -------------------------------------------------------------------------------------

File File::create(const std::string& path, Format format) {
    quiet();
    const PropList fapl = make_plist(H5P_FILE_ACCESS, path);
    const H5F_libver_t low = format == Format::Swmr ? H5F_LIBVER_LATEST : H5F_LIBVER_V18;
    check(H5Pset_libver_bounds(fapl.id(), low, H5F_LIBVER_LATEST), "setting the file format", path);
    return File(Handle(check_id(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id()), "cannot create", path),
                       H5Fclose, path));
}

File File::open(const std::string& path, Access access) {
    quiet();
    const unsigned flags = access == Access::SwmrRead ? (H5F_ACC_RDONLY | H5F_ACC_SWMR_READ) : H5F_ACC_RDONLY;
    return File(Handle(check_id(H5Fopen(path.c_str(), flags, H5P_DEFAULT), "cannot open", path), H5Fclose, path));
}

Dataset File::create_table(const std::string& name, const Table& rows, const ChunkOptions& chunk) const {
    const std::string& f = file();
    const std::string what = "creating dataset '" + name + "'";
    const Layout l = layout(rows.columns(), f);
    // On disk the fields are packed (no alignment padding): what h5py and numpy expect to see.
    const DataType ftype = make_type(H5Tcopy(l.type.id()), f, what);
    check(H5Tpack(ftype.id()), what, f);
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
    const DataSpace space = make_space(H5Screate_simple(1, &zero, &unlimited), f, what);
    const PropList dcpl = make_plist(H5P_DATASET_CREATE, f);
    const hsize_t chunk_rows = std::max<hsize_t>(chunk.chunk_rows, 1);
    check(H5Pset_chunk(dcpl.id(), 1, &chunk_rows), what, f);
    if (chunk.compress && check_tri(H5Zfilter_avail(H5Z_FILTER_DEFLATE), what, f)) {
        check(H5Pset_shuffle(dcpl.id()), what, f);
        check(H5Pset_deflate(dcpl.id(), 4), what, f);
    }
    Dataset ds(
        Handle(check_id(H5Dcreate2(id(), name.c_str(), ftype.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                        what, f),
               H5Dclose, f),
        name);
    for (const Column& c : rows.columns())
        if (!c.unit.empty()) ds.set_attr(c.name, c.unit);
    ds.append(rows);
    return ds;
}

Dataset File::open_dataset(const std::string& name) const {
    return Dataset(Handle(check_id(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "opening dataset '" + name + "'", file()),
                          H5Dclose, file()),
                   name);
}

bool File::exists(const std::string& name) const {
    return check_tri(H5Lexists(id(), name.c_str(), H5P_DEFAULT), "looking for '" + name + "'", file());
}

void File::start_swmr_write() const { check(H5Fstart_swmr_write(id()), "starting SWMR writing", file()); }

void File::flush() const { check(H5Fflush(id(), H5F_SCOPE_LOCAL), "flushing", file()); }

void File::sync() const {
    void* handle = nullptr;
    check(H5Fget_vfd_handle(id(), H5P_DEFAULT, &handle), "syncing to disk", file());
    // The default (sec2) driver's handle is its POSIX descriptor.
    if (handle == nullptr || ::fsync(*static_cast<int*>(handle)) != 0)
        throw Hdf5Error(file() + ": syncing to disk: " + std::strerror(handle == nullptr ? EBADF : errno));
}

}  // namespace dnnsweep::h5
