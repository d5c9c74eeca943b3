#include "sweeps/search_space.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace dnnsweep {
namespace {

struct DistributionInfo {
    Distribution value;
    std::string_view name;
    bool integer;
    bool log;
};

constexpr std::array<DistributionInfo, 4> kDistributions{{
    {Distribution::Uniform, "uniform", false, false},
    {Distribution::LogUniform, "loguniform", false, true},
    {Distribution::RandInt, "randint", true, false},
    {Distribution::LogRandInt, "lograndint", true, true},
}};

const DistributionInfo& info(Distribution d) { return *std::ranges::find(kDistributions, d, &DistributionInfo::value); }

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\f\v");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\f\v");
    return s.substr(first, last - first + 1);
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// What kind of number an option holds, from its default's type.
enum class Numeric { No, Integer, Real };

Numeric numeric_kind(const ConfigOption& opt) {
    const OptionValue v = opt.get(TrainConfig{});
    if (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<std::uint64_t>(v)) return Numeric::Integer;
    if (std::holds_alternative<double>(v) || std::holds_alternative<float>(v)) return Numeric::Real;
    return Numeric::No;
}

// A bound as the option's own canonical text, checked by the option and TrainConfig::validate.
std::string checked_bound(const ConfigOption& opt, std::string_view text) {
    TrainConfig scratch;
    opt.set(scratch, text);
    try {
        scratch.validate();
    } catch (const ConfigError& e) {
        // validate() names the field; the caller adds it again, so keep only the reason.
        std::string why = e.what();
        const std::string prefix = opt.name + ": ";
        if (why.starts_with(prefix)) why.erase(0, prefix.size());
        throw ConfigError("bound " + std::string(text) + ": " + why);
    }
    return to_text(opt.get(scratch));
}

std::string real_digits(double v) {
    std::array<char, 40> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::general, kDrawnDigits);
    return std::string(buf.data(), res.ptr);
}

}  // namespace

std::optional<RangeAxis> parse_range(const ConfigOption& opt, std::string_view text) {
    const std::string_view t = trim(text);
    std::size_t n = 0;
    while (n < t.size() && is_name_char(t[n])) ++n;
    const std::size_t open = t.find_first_not_of(" \t", n);
    if (n == 0 || open == std::string_view::npos || t[open] != '(') return std::nullopt;
    const std::string_view dist_name = t.substr(0, n);
    const auto dist = std::ranges::find(kDistributions, dist_name, &DistributionInfo::name);
    if (dist == kDistributions.end())
        throw ConfigError("unknown distribution '" + std::string(dist_name) +
                          "' (uniform, loguniform, randint, lograndint)");
    const std::string shape = std::string(dist->name) + "(LOW, HIGH)";
    if (t.back() != ')') throw ConfigError("expected '" + shape + "', got '" + std::string(t) + "'");
    const std::string_view inner = t.substr(open + 1, t.size() - open - 2);
    const auto comma = inner.find(',');
    if (comma == std::string_view::npos || inner.find(',', comma + 1) != std::string_view::npos)
        throw ConfigError("expected '" + shape + "', got '" + std::string(t) + "'");
    const std::string_view low_text = trim(inner.substr(0, comma));
    const std::string_view high_text = trim(inner.substr(comma + 1));

    const Numeric kind = numeric_kind(opt);
    if (kind == Numeric::No)
        throw ConfigError("a range needs a numeric option; list the values of " + opt.name + " instead");
    if (dist->integer && kind == Numeric::Real)
        throw ConfigError(std::string(dist->name) + " draws integers but " + opt.name +
                          " is real-valued: use uniform or loguniform");
    if (!dist->integer && kind == Numeric::Integer)
        throw ConfigError(std::string(dist->name) + " draws reals but " + opt.name +
                          " is integer-valued: use randint or lograndint");

    RangeAxis r;
    r.key = opt.name;
    r.distribution = dist->value;
    double bounds[2] = {0.0, 0.0};
    const std::string_view texts[2] = {low_text, high_text};
    std::string canon[2];
    for (int b = 0; b < 2; ++b) {
        if (texts[b].empty()) throw ConfigError("expected '" + shape + "', got '" + std::string(t) + "'");
        bounds[b] = dist->integer ? static_cast<double>(parse_int(texts[b])) : parse_real(texts[b]);
    }
    r.low = bounds[0];
    r.high = bounds[1];
    if (!(r.low < r.high))
        throw ConfigError("the low bound must be below the high bound, got '" + std::string(t) + "'");
    if (dist->log && !(r.low > 0.0))
        throw ConfigError(std::string(dist->name) + " needs bounds > 0, got '" + std::string(t) + "'");
    for (int b = 0; b < 2; ++b) canon[b] = checked_bound(opt, texts[b]);
    r.text = std::string(dist->name) + "(" + canon[0] + ", " + canon[1] + ")";
    return r;
}

Sampler parse_sampler(std::string_view text) {
    if (text == "random") return Sampler::Random;
    if (text == "sobol") return Sampler::Sobol;
    throw ConfigError("expected random or sobol, got '" + std::string(text) + "'");
}

std::string_view name(Sampler s) { return s == Sampler::Sobol ? "sobol" : "random"; }

std::string draw_value(const ConfigOption& opt, const RangeAxis& r, double u) {
    const DistributionInfo& d = info(r.distribution);
    std::string text;
    if (d.integer) {
        // Integers: [low, high + 1) split evenly (on a log scale for lograndint), both ends reachable.
        const double top = r.high + 1.0;
        double x =
            d.log ? std::exp(std::log(r.low) + u * (std::log(top) - std::log(r.low))) : r.low + u * (top - r.low);
        x = std::clamp(std::floor(x), r.low, r.high);
        text = std::to_string(static_cast<long long>(x));
    } else {
        double x =
            d.log ? std::exp(std::log(r.low) + u * (std::log(r.high) - std::log(r.low))) : r.low + u * (r.high - r.low);
        x = std::clamp(x, r.low, r.high);
        text = real_digits(x);
    }
    TrainConfig scratch;
    opt.set(scratch, text);
    return to_text(opt.get(scratch));
}

std::string search_space_canon(const SweepSpec& spec) {
    const bool plain =
        spec.sections.size() == 1 && spec.sections.front().name.empty() && spec.sections.front().ranges.empty();
    if (spec.sections.empty() || plain) return {};
    std::string canon = "search-space-1\nsampler=" + std::string(name(spec.sampler)) + ";\n";
    for (const Section& s : spec.sections) {
        canon.append("[").append(s.name).append("]\n");
        for (const Axis& a : s.axes) {
            canon.append(a.key).append("=");
            for (std::size_t i = 0; i < a.values.size(); ++i) canon.append(i ? "," : "").append(a.values[i]);
            canon.append(";\n");
        }
        for (const RangeAxis& r : s.ranges) canon.append(r.key).append("=").append(r.text).append(";\n");
    }
    return canon;
}

}  // namespace dnnsweep
