#pragma once
// A benchmark option's comma-separated list of counts ("600,10000,100000").
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

inline std::vector<std::uint64_t> comma_list(const std::string& s) {
    std::vector<std::uint64_t> v;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) v.push_back(std::stoull(item));
    return v;
}

}  // namespace bench
