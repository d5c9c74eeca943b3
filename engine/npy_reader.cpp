// The NumPy reader: parse_npy_header, load_npy, load_npy_from_buffers and read_npy_features_into
// (engine/dataset.hpp). Only what numpy.save writes for plain arrays: little-endian (or byte-sized)
// numbers in C order, and string labels; anything else is refused by name.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/class_labels.hpp"
#include "engine/dataset.hpp"
#include "engine/read_file.hpp"

namespace dnnsweep {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

[[noreturn]] void fail_at(const std::string& name, std::size_t offset, const std::string& why) {
    throw DataError(name + ": byte " + std::to_string(offset) + ": " + why);
}

std::size_t le(std::string_view b, std::size_t at, std::size_t bytes) {
    std::size_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= std::size_t{static_cast<unsigned char>(b[at + i])} << (8 * i);
    return v;
}

// The value of 'key' in numpy's header dict, up to the separator that ends it ("'<f4'", "False",
// "(3, 4)"); `at` gets its offset in `dict`.
std::string_view dict_value(std::string_view dict, std::string_view key, std::size_t& at, const std::string& name,
                            std::size_t base) {
    std::size_t k = std::string_view::npos;
    for (const char q : {'\'', '"'}) {
        const std::string quoted = std::string(1, q) + std::string(key) + q;
        if (const std::size_t p = dict.find(quoted); p != std::string_view::npos) {
            k = p + quoted.size();
            break;
        }
    }
    if (k == std::string_view::npos) fail_at(name, base, "the header has no '" + std::string(key) + "'");
    std::size_t i = dict.find(':', k);
    if (i == std::string_view::npos) fail_at(name, base + k, "no ':' after '" + std::string(key) + "'");
    ++i;
    while (i < dict.size() && dict[i] == ' ') ++i;
    at = i;
    if (i < dict.size() && (dict[i] == '\'' || dict[i] == '"')) {
        const std::size_t close = dict.find(dict[i], i + 1);
        if (close == std::string_view::npos) fail_at(name, base + i, "an unclosed string in the header");
        return dict.substr(i, close - i + 1);
    }
    if (i < dict.size() && (dict[i] == '(' || dict[i] == '[')) {
        const char closing = dict[i] == '(' ? ')' : ']';
        const std::size_t close = dict.find(closing, i);
        if (close == std::string_view::npos) fail_at(name, base + i, "an unclosed bracket in the header");
        return dict.substr(i, close - i + 1);
    }
    std::size_t end = i;
    while (end < dict.size() && dict[end] != ',' && dict[end] != '}' && dict[end] != ' ') ++end;
    return dict.substr(i, end - i);
}

std::vector<std::size_t> parse_shape(std::string_view t, const std::string& name, std::size_t offset) {
    if (t.size() < 2 || t.front() != '(' || t.back() != ')')
        fail_at(name, offset, "'shape' is " + std::string(t) + ", not a tuple");
    std::vector<std::size_t> shape;
    std::size_t i = 1;
    const std::size_t end = t.size() - 1;
    while (i < end) {
        while (i < end && (t[i] == ' ' || t[i] == ',')) ++i;
        if (i >= end) break;
        std::size_t v = 0;
        const std::size_t start = i;
        while (i < end && t[i] >= '0' && t[i] <= '9') {
            if (v > (std::numeric_limits<std::size_t>::max() - 9) / 10)
                fail_at(name, offset + start, "a dimension of 'shape' is too large");
            v = v * 10 + static_cast<std::size_t>(t[i] - '0');
            ++i;
        }
        if (i == start || (i < end && t[i] != ',' && t[i] != ' '))
            fail_at(name, offset + i, "'shape' " + std::string(t) + " is not a tuple of integers");
        shape.push_back(v);
    }
    return shape;
}

void parse_descr(std::string_view d, NpyHeader& h, const std::string& name, std::size_t offset) {
    if (d.size() < 4 || (d.front() != '\'' && d.front() != '"'))
        fail_at(name, offset, "'descr' is " + std::string(d) + ": only plain arrays are read (no structured dtype)");
    const std::string_view t = d.substr(1, d.size() - 2);
    const char order = t[0];
    h.kind = t.size() > 1 ? t[1] : '?';
    std::size_t count = 0;
    const std::string_view digits = t.substr(std::min<std::size_t>(2, t.size()));
    for (const char c : digits) {
        if (c < '0' || c > '9' || count > 1'000'000)
            fail_at(name, offset, "dtype '" + std::string(t) + "' is not read (plain little-endian numbers only)");
        count = count * 10 + static_cast<std::size_t>(c - '0');
    }
    if (digits.empty() || count == 0)
        fail_at(name, offset, "dtype '" + std::string(t) + "' is not read (plain little-endian numbers only)");
    if (order == '>')
        fail_at(name, offset,
                "dtype '" + std::string(t) +
                    "' is big-endian: save it little-endian (numpy: a.astype(a.dtype.newbyteorder('<')))");
    if (order != '<' && order != '|' && order != '=')
        fail_at(name, offset, "dtype '" + std::string(t) + "' has no byte order dnnsweep reads");
    const bool numeric_size =
        (h.kind == 'f' && (count == 4 || count == 8)) ||
        ((h.kind == 'i' || h.kind == 'u') && (count == 1 || count == 2 || count == 4 || count == 8)) ||
        (h.kind == 'b' && count == 1);
    if (h.kind == 'U') {
        h.item_bytes = 4 * count;
    } else if (h.kind == 'S') {
        h.item_bytes = count;
    } else if (numeric_size) {
        h.item_bytes = count;
    } else {
        fail_at(name, offset,
                "dtype '" + std::string(t) +
                    "' is not read: features are float32/float64 or integers, labels integers or strings");
    }
}

double element(const char* p, const NpyHeader& h) {
    const auto load = [&]<class T>(T) {
        T v;
        std::memcpy(&v, p, sizeof(T));
        return static_cast<double>(v);
    };
    switch (h.kind) {
    case 'f':
        return h.item_bytes == 4 ? load(float{}) : load(double{});
    case 'i':
        return h.item_bytes == 1   ? load(std::int8_t{})
               : h.item_bytes == 2 ? load(std::int16_t{})
               : h.item_bytes == 4 ? load(std::int32_t{})
                                   : load(std::int64_t{});
    default:  // 'u', 'b'
        return h.item_bytes == 1   ? load(std::uint8_t{})
               : h.item_bytes == 2 ? load(std::uint16_t{})
               : h.item_bytes == 4 ? load(std::uint32_t{})
                                   : load(std::uint64_t{});
    }
}

std::int64_t integer_element(const char* p, const NpyHeader& h, const std::string& name) {
    if (h.item_bytes == 8 && (h.kind == 'i' || h.kind == 'u')) {
        std::uint64_t u;
        std::memcpy(&u, p, 8);
        if (h.kind == 'u' && u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw DataError(name + ": label " + std::to_string(u) +
                            " is above 2^63-1: integer labels must fit a signed 64-bit integer");
        return static_cast<std::int64_t>(u);
    }
    return static_cast<std::int64_t>(element(p, h));
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string s;
    for (const std::size_t d : shape) s += (s.empty() ? "" : " x ") + std::to_string(d);
    return shape.empty() ? "a scalar" : s;
}

bool is_string(const NpyHeader& h) { return h.kind == 'U' || h.kind == 'S'; }

// The features' rows and columns (N x d1 x d2 ... flattened), or a DataError.
std::pair<std::size_t, std::size_t> feature_shape(const NpyHeader& h, const std::string& name) {
    if (is_string(h) || h.kind == 'b')
        throw DataError(name + ": features are float32/float64 or integers, this array holds " +
                        (h.kind == 'b' ? std::string("booleans") : std::string("strings")));
    if (h.shape.empty() || h.shape[0] == 0)
        throw DataError(name + ": the features are " + (h.shape.empty() ? std::string("a scalar") : "empty") +
                        ": features are N x F (one sample per row)");
    std::size_t cols = 1;
    for (std::size_t i = 1; i < h.shape.size(); ++i) cols *= h.shape[i];
    if (cols == 0) throw DataError(name + ": the features are " + shape_text(h.shape) + ": no features per sample");
    return {h.shape[0], cols};
}

void convert_features(std::string_view bytes, const NpyHeader& h, float* dst, std::size_t n) {
    const char* p = bytes.data() + h.data_offset;
    if (h.kind == 'f' && h.item_bytes == 4) {
        std::memcpy(dst, p, n * sizeof(float));
        return;
    }
    for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(element(p + i * h.item_bytes, h));
}

// One label string of a 'U' (UTF-32) or 'S' (bytes) array, as UTF-8, trailing nulls dropped.
std::string string_element(const char* p, const NpyHeader& h) {
    if (h.kind == 'S') return std::string(p, strnlen(p, h.item_bytes));
    std::string out;
    for (std::size_t i = 0; i < h.item_bytes; i += 4) {
        const auto cp = static_cast<std::uint32_t>(le(std::string_view(p, h.item_bytes), i, 4));
        if (cp == 0) break;
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | ((cp >> 18) & 0x07));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

ClassLabels read_labels(std::string_view bytes, const NpyHeader& h, std::size_t rows, const std::string& name) {
    if (h.shape.empty() || h.shape.size() > 2)
        throw DataError(name + ": the labels are " + shape_text(h.shape) + " (" + std::to_string(h.shape.size()) +
                        " dimensions): labels are N (classes) or N x K (one-hot)");
    if (h.shape[0] != rows)
        throw DataError(name + ": " + std::to_string(h.shape[0]) + " labels for " + std::to_string(rows) +
                        " samples of features: one label per sample");
    const std::size_t cols = h.shape.size() == 2 ? h.shape[1] : 1;
    if (cols == 0) throw DataError(name + ": the labels are " + shape_text(h.shape) + ": no label per sample");
    const char* p = bytes.data() + h.data_offset;
    const std::size_t n = rows * cols;
    if (is_string(h)) {
        if (cols != 1) throw DataError(name + ": string labels are one per sample (N), not " + shape_text(h.shape));
        std::vector<std::string> s(n);
        for (std::size_t i = 0; i < n; ++i) s[i] = string_element(p + i * h.item_bytes, h);
        return classes_from_strings(s, name + ": labels");
    }
    if (h.kind == 'f') {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = element(p + i * h.item_bytes, h);
        return classes_from_reals(v, rows, cols, name + ": labels");
    }
    std::vector<std::int64_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = integer_element(p + i * h.item_bytes, h, name);
    return classes_from_array(v, rows, cols, name + ": labels");
}

std::size_t npy_elements(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    return n;
}

// The header from `bytes` (at least the file's start), the data length checked against `file_size`.
NpyHeader parse_header(std::string_view bytes, std::size_t file_size, const std::string& name) {
    if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic)
        fail_at(name, 0, "not a NumPy .npy file (no \\x93NUMPY signature)");
    if (bytes.size() < 10) fail_at(name, bytes.size(), "truncated: the .npy preamble is 10 bytes");
    const auto major = static_cast<unsigned char>(bytes[6]);
    if (major < 1 || major > 3)
        fail_at(name, 6, ".npy format version " + std::to_string(major) + " is not read (1, 2 or 3 are)");
    const std::size_t len_bytes = major == 1 ? 2 : 4;
    const std::size_t start = 8 + len_bytes;
    if (bytes.size() < start) fail_at(name, bytes.size(), "truncated in the header length");
    const std::size_t header_len = le(bytes, 8, len_bytes);
    if (bytes.size() - start < header_len)
        fail_at(name, bytes.size(),
                "truncated: the header is " + std::to_string(header_len) + " bytes from byte " + std::to_string(start) +
                    ", the file ends first");
    const std::string_view dict = bytes.substr(start, header_len);
    NpyHeader h;
    std::size_t at = 0;
    const std::string_view descr = dict_value(dict, "descr", at, name, start);
    parse_descr(descr, h, name, start + at);
    const std::string_view fortran = dict_value(dict, "fortran_order", at, name, start);
    if (fortran == "True")
        fail_at(name, start + at, "the array is in Fortran order: save it in C order (numpy: np.ascontiguousarray)");
    if (fortran != "False") fail_at(name, start + at, "'fortran_order' is " + std::string(fortran));
    const std::string_view shape = dict_value(dict, "shape", at, name, start);
    h.shape = parse_shape(shape, name, start + at);
    h.data_offset = start + header_len;
    std::size_t elements = 1;
    for (const std::size_t d : h.shape) {
        if (d != 0 && elements > std::numeric_limits<std::size_t>::max() / d / h.item_bytes)
            fail_at(name, start + at, "'shape' " + std::string(shape) + " is too large");
        elements *= d;
    }
    const std::size_t data_bytes = elements * h.item_bytes;
    const std::size_t have = file_size - h.data_offset;
    if (have < data_bytes)
        fail_at(name, file_size,
                "truncated: a " + shape_text(h.shape) + " array needs " + std::to_string(data_bytes) +
                    " bytes of data from byte " + std::to_string(h.data_offset) + ", the file has " +
                    std::to_string(have));
    return h;
}

}  // namespace

std::size_t NpyHeader::elements() const { return npy_elements(shape); }

NpyHeader parse_npy_header(std::string_view bytes, const std::string& name) {
    return parse_header(bytes, bytes.size(), name);
}

Dataset load_npy(const std::string& features_path, const std::string& labels_path) {
    const std::string x = read_file<DataError>(features_path);
    const std::string y = read_file<DataError>(labels_path);
    Dataset d = load_npy_from_buffers(x, y, features_path, labels_path);
    return d;
}

Dataset load_npy_from_buffers(std::string_view features, std::string_view labels, const std::string& features_name,
                              const std::string& labels_name) {
    const NpyHeader hx = parse_npy_header(features, features_name);
    const NpyHeader hy = parse_npy_header(labels, labels_name);
    const auto [rows, cols] = feature_shape(hx, features_name);
    Dataset d;
    set_labels(d, read_labels(labels, hy, rows, labels_name));
    d.x = Matrix(rows, cols);
    convert_features(features, hx, d.x.data.data(), rows * cols);
    check_finite(d.x.data.data(), rows, cols, features_name + ": features");
    d.source = features_name + "," + labels_name;
    return d;
}

void read_npy_features_into(const std::string& path, float* dst, std::size_t rows, std::size_t cols) {
    // The header from the file's start; the elements straight into `dst` when they are float32.
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw DataError(path + ": cannot read");
    const auto file_size = static_cast<std::size_t>(in.tellg());
    const NpyHeader h = parse_header(read_file_head(path, std::size_t{1} << 16), file_size, path);
    const auto [r, c] = feature_shape(h, path);
    if (r != rows || c != cols)
        throw DataError(path + ": changed while being read: now " + std::to_string(r) + " x " + std::to_string(c) +
                        ", first " + std::to_string(rows) + " x " + std::to_string(cols));
    in.seekg(static_cast<std::streamoff>(h.data_offset));
    const std::size_t n = rows * cols;
    if (h.kind == 'f' && h.item_bytes == 4) {
        in.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n * sizeof(float)));
    } else {
        std::string buf(n * h.item_bytes, '\0');
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(element(buf.data() + i * h.item_bytes, h));
    }
    if (!in) throw DataError(path + ": cannot read the elements (the file changed while being read?)");
    check_finite(dst, rows, cols, path + ": features");
}

Dataset load_npy_features(const std::string& path) {
    const std::string bytes = read_file<DataError>(path);
    const NpyHeader h = parse_npy_header(bytes, path);
    const auto [rows, cols] = feature_shape(h, path);
    Dataset d;
    d.x = Matrix(rows, cols);
    convert_features(bytes, h, d.x.data.data(), rows * cols);
    check_finite(d.x.data.data(), rows, cols, path + ": features");
    d.source = path;
    return d;
}

}  // namespace dnnsweep
