#pragma once
// A mini-batch's inputs: rows picked by a shuffled order, copied into one contiguous block.
#include <cstddef>
#include <cstdint>

#include "engine/matrix.hpp"

namespace dnnsweep {

// Copies rows order[0], ..., order[m - 1] of x into out (m x x.cols, row-major). Every order[i]
// must be below x.rows. Each row is a short contiguous run somewhere in tens of MB of training
// rows, which the hardware prefetcher meets cold, so the lines of a row a few places ahead are
// requested while this one is copied (22% off a 100 x 784 batch's gather on the Zen 5 EPYC,
// docs/PERFORMANCE.md); the copy itself is a plain memcpy.
void gather_batch(const Matrix& x, const std::uint32_t* order, std::size_t m, float* out);

}  // namespace dnnsweep
