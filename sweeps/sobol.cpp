#include "sweeps/sobol.hpp"

#include <bit>

#include "engine/rng.hpp"
#include "sweeps/hash.hpp"

namespace dnnsweep {

ScrambledSobol::ScrambledSobol(std::size_t dimensions, std::uint64_t seed)
    : scrambles_(dimensions), engine_(static_cast<std::size_t>(dimensions == 0 ? 1 : dimensions)) {
    // A stream of its own: the same sample-seed also seeds the random sampler.
    Rng rng(fnv1a64("sobol-scramble", seed), Stream::Shuffle);
    for (Scramble& s : scrambles_) {
        // Lower triangular with a unit diagonal: output bit p mixes input bits 0..p (MSB first),
        // which keeps every 2^-m slice balanced.
        for (int p = 0; p < 32; ++p) {
            const std::uint32_t diagonal = 1u << (31 - p);
            const std::uint32_t above = p == 0 ? 0u : ~((diagonal << 1) - 1u);  // bits more significant than p
            s.rows[p] = diagonal | (static_cast<std::uint32_t>(rng.next() >> 32) & above);
        }
        s.shift = static_cast<std::uint32_t>(rng.next() >> 32);
    }
}

std::uint32_t ScrambledSobol::scrambled(std::size_t d, std::uint32_t x) const {
    const Scramble& s = scrambles_[d];
    std::uint32_t y = 0;
    for (int p = 0; p < 32; ++p)
        if (std::popcount(s.rows[p] & x) & 1) y |= 1u << (31 - p);
    return y ^ s.shift;
}

std::vector<double> ScrambledSobol::next() {
    std::vector<double> point(scrambles_.size());
    for (std::size_t d = 0; d < point.size(); ++d) {
        const std::uint32_t x = origin_given_ ? engine_() : 0u;
        point[d] = static_cast<double>(scrambled(d, x)) * 0x1p-32;
    }
    origin_given_ = true;
    return point;
}

}  // namespace dnnsweep
