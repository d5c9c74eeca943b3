// libFuzzer harness for the IDX (MNIST) loader. One input holds both files: a 2-byte big-endian
// length, that many bytes of images file, and the rest as the labels file (a length past the end
// takes everything as images). Any pair either loads consistently or is refused with a one-line
// DataError naming one of the two files.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/dataset.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dnnsweep;
    if (size < 2) return 0;
    static const std::string images_name = "fuzz-images-idx3-ubyte", labels_name = "fuzz-labels-idx1-ubyte";
    const std::size_t split = std::min<std::size_t>(std::size_t{data[0]} << 8 | data[1], size - 2);
    const std::string_view images(reinterpret_cast<const char*>(data) + 2, split);
    const std::string_view labels(reinterpret_cast<const char*>(data) + 2 + split, size - 2 - split);
    try {
        const Dataset d = load_idx_from_buffers(images, labels, images_name, labels_name);
        fuzz::check(d.size() >= 1 && d.features() >= 1, "an empty dataset loaded");
        fuzz::check(d.x.data.size() == d.size() * d.features(), "matrix size differs from rows x cols");
        fuzz::check(d.y.size() == d.size(), "label count differs from sample count");
        fuzz::check(d.classes >= 1 && d.classes <= 256, "class count outside [1, 256]");
        for (const std::int32_t y : d.y) fuzz::check(y >= 0 && y < d.classes, "label outside [0, classes)");
    } catch (const DataError& e) {
        const std::string_view message = e.what();
        fuzz::check_message(message, message.starts_with(labels_name) ? labels_name : images_name);
    }
    return 0;
}
