#pragma once
// Turning a Dataset into what one training run sees: a seeded train/test split, input scaling fit
// on the training part only, and test-time noise. Every function is deterministic in its seed.
#include <cstdint>
#include <vector>

#include "engine/config.hpp"
#include "engine/dataset.hpp"

namespace dnnsweep {

struct Split {
    std::vector<std::uint32_t> train;  // row indices into the dataset
    std::vector<std::uint32_t> test;
};

// Seeded shuffle (Rng stream Split), then the last round(n * test_fraction) rows are held out.
// test_fraction in [0, 1); 0 gives an empty test part. Throws ConfigError when a part would be empty
// for a fraction > 0.
Split holdout_split(std::size_t n, double test_fraction, std::uint64_t seed);

// The rows of `data` named by `rows`, in that order (features and labels).
Dataset gather(const Dataset& data, const std::vector<std::uint32_t>& rows);

// Per-feature affine scaling x' = (x - shift) * scale. Fit on training rows only:
// minmax maps each feature's training range to [0, 1]; zscore to mean 0, std 1 (population std);
// a constant feature gets scale 1. None and BatchNorm leave inputs as they are (identity).
struct InputScaler {
    std::vector<float> shift;
    std::vector<float> scale;

    static InputScaler fit(const Matrix& train_x, Normalization n);
    void apply(Matrix& x) const;
};

// Adds N(0, std^2) noise to every entry (Rng stream Noise): test-time noise, validation/test only.
void add_gaussian_noise(Matrix& x, double std, std::uint64_t seed);

// Largest |x| over all entries: a health figure (unscaled inputs).
float max_abs(const Matrix& x);

}  // namespace dnnsweep
