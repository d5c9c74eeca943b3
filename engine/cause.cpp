#include "engine/cause.hpp"

#include <stdexcept>

namespace dnnsweep {

std::string causes_text(const std::vector<Cause>& causes) {
    std::string s;
    for (const Cause c : causes) s.append(s.empty() ? "" : ",").append(name(c));
    return s;
}

std::vector<Cause> parse_causes(std::string_view text) {
    std::vector<Cause> causes;
    if (text.empty()) return causes;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        const std::string_view one = text.substr(start, end - start);
        const std::optional<Cause> c = parse_cause(one);
        if (!c) throw std::invalid_argument("unknown cause '" + std::string(one) + "' (a newer dnnsweep's?)");
        causes.push_back(*c);
        start = end + 1;
    }
    return causes;
}

}  // namespace dnnsweep
