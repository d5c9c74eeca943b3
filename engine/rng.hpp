#pragma once
// Deterministic random numbers. std:: distributions differ between standard libraries, so every
// draw the engine makes goes through this file: same seed, same numbers, on any machine or rank.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dnnsweep {

// The independent random streams of one training run; a run's seed plus its purpose picks the
// stream, so e.g. changing the dropout rate never changes the weight initialisation.
enum class Stream : std::uint64_t {
    Split = 1,
    Init = 2,
    Shuffle = 3,
    Dropout = 4,
    Noise = 5,
    Folds = 6,
    TrainNoise = 7
};

class Rng {
public:
    Rng(std::uint64_t seed, Stream stream);

    std::uint64_t next();  // xoshiro256**
    // The next n numbers, exactly as n calls of next() give them, with the state kept in
    // registers: a call per number cost dropout 5 ns an element.
    void fill(std::uint64_t* out, std::size_t n);
    double uniform();                      // [0, 1), 53 bits
    float uniform(float lo, float hi);     // [lo, hi)
    double normal();                       // standard normal (Box-Muller, no cached spare)
    std::uint32_t below(std::uint32_t n);  // uniform integer in [0, n), unbiased

private:
    std::uint64_t s_[4];
};

// Fisher-Yates with Rng::below.
void shuffle(std::vector<std::uint32_t>& v, Rng& rng);
// 0..n-1, shuffled.
std::vector<std::uint32_t> permutation(std::size_t n, Rng& rng);

}  // namespace dnnsweep
