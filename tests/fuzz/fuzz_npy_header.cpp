// libFuzzer harness for the NumPy reader: the header parser on any bytes, then the bytes as the
// features and as the labels of a dataset; each either loads consistently or is refused with a
// one-line DataError naming the file.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/dataset.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

// A valid 4-row labels (or features) file for the other half of the pair.
std::string four_rows(const char* descr, const char* shape, std::size_t bytes) {
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size());
    out += '\x00';
    out += dict;
    out.append(bytes, '\x01');
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dnnsweep;
    static const std::string name = "fuzz.npy";
    static const std::string labels = four_rows("|u1", "(4,)", 4);
    static const std::string features = four_rows("<f4", "(4, 2)", 32);
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const NpyHeader h = parse_npy_header(bytes, name);
        fuzz::check(h.data_offset <= bytes.size(), "data offset beyond the file");
        fuzz::check(h.elements() * h.item_bytes <= bytes.size() - h.data_offset, "data beyond the file");
    } catch (const DataError& e) {
        fuzz::check_message(e.what(), name + ":");
    }
    const auto consistent = [](const Dataset& d) {
        fuzz::check(d.x.data.size() == d.size() * d.features(), "matrix size differs from rows x cols");
        fuzz::check(d.y.size() == d.size(), "label count differs from sample count");
        for (const std::int32_t y : d.y) fuzz::check(y >= 0 && y < d.classes, "label outside [0, classes)");
        for (const float v : d.x.data) fuzz::check(std::isfinite(v), "a non-finite feature loaded");
    };
    try {
        consistent(load_npy_from_buffers(bytes, labels, name, name));
    } catch (const DataError& e) {
        fuzz::check_message(e.what(), name + ":");
    }
    try {
        consistent(load_npy_from_buffers(features, bytes, name, name));
    } catch (const DataError& e) {
        fuzz::check_message(e.what(), name + ":");
    }
    return 0;
}
