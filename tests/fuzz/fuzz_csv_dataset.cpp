// libFuzzer harness for the CSV reader (header detected, forced on and off, a label column by name
// and by index): any bytes either load into a consistent dataset or are refused with a one-line
// DataError naming the file.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/dataset.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dnnsweep;
    static const std::string name = "fuzz.csv";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    LoadOptions detected, with_header, without_header, by_name, by_index;
    with_header.header = true;
    without_header.header = false;
    by_name.label_column = "label";
    by_index.label_column = "-2";
    for (const LoadOptions* options : {&detected, &with_header, &without_header, &by_name, &by_index}) {
        try {
            const Dataset d = load_csv_from_string(text, name, *options);
            fuzz::check(d.size() >= 1 && d.features() >= 1, "an empty dataset loaded");
            fuzz::check(d.x.data.size() == d.size() * d.features(), "matrix size differs from rows x cols");
            fuzz::check(d.y.size() == d.size(), "label count differs from sample count");
            fuzz::check(d.classes >= 1, "no classes");
            fuzz::check(d.class_names.empty() || d.class_names.size() == static_cast<std::size_t>(d.classes),
                        "class names do not match the class count");
            for (const std::int32_t y : d.y) fuzz::check(y >= 0 && y < d.classes, "label outside [0, classes)");
            for (const float v : d.x.data) fuzz::check(std::isfinite(v), "a non-finite feature loaded");
        } catch (const DataError& e) {
            fuzz::check_message(e.what(), name + ":");
        }
    }
    return 0;
}
