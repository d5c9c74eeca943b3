#include "sweeps/hash.hpp"

namespace dnnsweep {

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h) {
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= kPrime;
    }
    return h;
}

std::string hex16(std::uint64_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kDigits[v & 0xf];
    return out;
}

}  // namespace dnnsweep
