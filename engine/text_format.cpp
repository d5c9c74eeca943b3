#include "engine/text_format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dnnsweep {
namespace {

constexpr const char* kMissing = "-";

// A formatted number whose digits are all zero loses its sign ("-0.00" -> "0.00").
std::string unsigned_zero(std::string s) {
    if (s.size() > 1 && s.front() == '-' && s.find_first_of("123456789", 1) == std::string::npos &&
        s.find_first_of("in", 1) == std::string::npos)
        s.erase(0, 1);
    return s;
}

}  // namespace

std::string fixed(double v, int decimals) {
    if (std::isnan(v)) return kMissing;
    return unsigned_zero(fmt::format("{:.{}f}", v, decimals));
}

std::string significant(double v, int digits) {
    if (std::isnan(v)) return kMissing;
    return unsigned_zero(fmt::format("{:.{}g}", v, digits));
}

std::string scientific(double v, int decimals) {
    if (std::isnan(v)) return kMissing;
    return fmt::format("{:.{}e}", v, decimals);
}

std::string exact(double v) { return fmt::format("{}", v); }

std::string thousands(std::int64_t n) {
    const std::string digits =
        fmt::format("{}", n < 0 ? -static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string percent(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return kMissing;
    return fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 0) + "%";
}

std::string duration_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600) return fmt::format("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

}  // namespace dnnsweep
