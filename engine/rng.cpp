#include "engine/rng.hpp"

#include <algorithm>
#include <numbers>
#include <numeric>

namespace dnnsweep {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// One step of xoshiro256**: the next number, and the state moved on.
inline std::uint64_t xoshiro256ss(std::uint64_t (&s)[4]) {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

}  // namespace

Rng::Rng(std::uint64_t seed, Stream stream) {
    // Mix seed and stream so nearby seeds and streams give unrelated states.
    std::uint64_t x = seed * 0xD1B54A32D192ED03ULL ^ static_cast<std::uint64_t>(stream) * 0x8CB92BA72F3D8DD7ULL;
    for (auto& s : s_) s = splitmix64(x);
}

std::uint64_t Rng::next() { return xoshiro256ss(s_); }

void Rng::fill(std::uint64_t* out, std::size_t n) {
    std::uint64_t s[4] = {s_[0], s_[1], s_[2], s_[3]};  // a local copy the compiler keeps in registers
    for (std::size_t i = 0; i < n; ++i) out[i] = xoshiro256ss(s);
    std::copy_n(s, 4, s_);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

float Rng::uniform(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }

double Rng::normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint32_t Rng::below(std::uint32_t n) {
    // Lemire's multiply-shift with rejection: unbiased for every n.
    std::uint64_t m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * n;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n) {
        const std::uint32_t threshold = static_cast<std::uint32_t>(-n) % n;
        while (low < threshold) {
            m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * n;
            low = static_cast<std::uint32_t>(m);
        }
    }
    return static_cast<std::uint32_t>(m >> 32);
}

void shuffle(std::vector<std::uint32_t>& v, Rng& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = rng.below(static_cast<std::uint32_t>(i));
        std::swap(v[i - 1], v[j]);
    }
}

std::vector<std::uint32_t> permutation(std::size_t n, Rng& rng) {
    std::vector<std::uint32_t> v(n);
    std::iota(v.begin(), v.end(), 0u);
    shuffle(v, rng);
    return v;
}

}  // namespace dnnsweep
