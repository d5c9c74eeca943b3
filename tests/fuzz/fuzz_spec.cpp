// libFuzzer harness for the sweep-spec parser: any text either parses into a consistent spec or
// is refused with a one-line SpecError naming the file; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sweeps/spec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dnnsweep;
    static const std::string path = "fuzz.ini";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const SweepSpec spec = parse_spec(text, path);
        fuzz::check(spec.text == text, "spec.text is not the input verbatim");
        fuzz::check(spec.hash.size() == 16, "hash is not 16 hex digits", spec.hash);
        for (const Axis& axis : spec.axes) fuzz::check(!axis.values.empty(), "an axis without values", axis.key);
        fuzz::check(spec.split.folds >= 1, "folds < 1 accepted");
        fuzz::check(!spec.sections.empty(), "a spec without a section");
        for (const Section& section : spec.sections)
            for (const RangeAxis& r : section.ranges) {
                fuzz::check(r.low < r.high, "a range whose low is not below its high", r.text);
                fuzz::check(spec.sample.has_value(), "a range without sample", r.text);
            }
    } catch (const SpecError& e) {
        fuzz::check_message(e.what(), path + ":");
    }
    return 0;
}
