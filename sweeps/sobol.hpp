#pragma once
// Scrambled Sobol points in [0, 1)^d: Boost.Random's Sobol sequence (Joe and Kuo's direction
// numbers) with a random linear matrix scramble and digital shift per dimension, as SciPy's
// scipy.stats.qmc.Sobol(scramble=True) (which Optuna's QMCSampler uses). The scramble keeps the
// sequence's balance (each of the first 2^m points falls in its own 2^-m slice of every
// dimension) while making the points depend on a seed, so different seeds give independent
// coverings rather than the same corner-anchored points.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/random/sobol.hpp>

namespace dnnsweep {

class ScrambledSobol {
public:
    ScrambledSobol(std::size_t dimensions, std::uint64_t seed);

    // The next point; the first is the scrambled image of the origin.
    std::vector<double> next();

private:
    struct Scramble {
        std::uint32_t rows[32];  // row p: the input bits that make output bit p (MSB first)
        std::uint32_t shift;
    };
    std::uint32_t scrambled(std::size_t d, std::uint32_t x) const;

    std::vector<Scramble> scrambles_;
    boost::random::sobol_engine<std::uint32_t, 32> engine_;  // starts after the origin
    bool origin_given_ = false;
};

}  // namespace dnnsweep
