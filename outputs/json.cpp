#include "outputs/json.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>

namespace dnnsweep {

double json_float(float f) {
    if (!std::isfinite(f)) return f;
    std::array<char, 32> buf{};
    const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), f).ptr;
    double d = 0.0;
    std::from_chars(buf.data(), end, d);
    return d;
}

Json json_value(const OptionValue& v) {
    return std::visit(
        [](const auto& x) -> Json {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, float>)
                return json_float(x);
            else
                return x;
        },
        v);
}

void write_json(std::ostream& out, const Json& doc) {
    out << doc.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace dnnsweep
